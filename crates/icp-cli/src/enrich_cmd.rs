//! `icp enrich`: key, dedupe, enrich, score and write an account list.
//!
//! Three passes over the input so memory stays flat in the row count:
//! 1. read rows, find each row's account key, remember per unique account
//!    its lines, record ids and which fields the input already has;
//! 2. the engine enriches the unique accounts (cache first, then the
//!    sources in waterfall order under their limits), caching every answer;
//! 3. read the input again and write one row per account, in order of first
//!    appearance, with the merged fields read back from the cache, scored.

use std::collections::{BTreeMap, HashMap};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Args;
use icp_core::Entity;
use icp_core::fields::{column_for, snake_case};
use icp_core::profile::DEFAULT_HALF_LIFE_DAYS;
use icp_core::{RecordBuilder, Scored};
use icp_engine::{Config, Engine, EngineOptions, FieldMask, SourceReport};
use icp_io::read::{Format, Row, TableReader};
use icp_io::write::{RejectsWriter, TableWriter, rejects_path_for};
use icp_key::KeyColumns;
use icp_store::{NewRun, RunScore, RunStatus, SqliteStore, Store, StoredAccount};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::score_cmd::{
    SCORE_COLUMNS, check_output, create_parent_dirs, fill_columns, load_profiles, move_into_place,
    partial_path, push_score_headers, score_numeric_columns,
};
use crate::summary::{ProfileCounts, Summary, group};
use crate::{AsOfArg, Failure, InputArgs, display};
use icp_engine::derived::{
    EVENTS_FIELD, INTENT_COLUMNS, events_of, intent_cells, needed_field, value_text,
};

#[derive(Args)]
pub struct EnrichArgs {
    /// Accounts: a CRM export or any CSV, JSONL or XLSX with a website,
    /// domain or e-mail column.
    pub input: PathBuf,
    /// The run config (sources, waterfall, store, profiles).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: PathBuf,
    /// Output file: .csv or .jsonl, one row per unique account.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Profiles to score with (default: the config's).
    #[arg(long = "profile", short = 'p', value_name = "FILE")]
    pub profiles: Vec<PathBuf>,
    /// The column holding the company key (default: Company Domain Name,
    /// Domain, Website, URL, then Email).
    #[arg(long, value_name = "COLUMN")]
    pub key_column: Option<String>,
    /// Add `<field>__source` and `<field>__fetched_at` columns.
    #[arg(long)]
    pub provenance: bool,
    /// Count what the run would call and spend, call nothing, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Stop calling paid sources once this many credits are spent.
    #[arg(long, value_name = "N")]
    pub max_credits: Option<f64>,
    /// The store (cache and runs): a path or `sqlite://PATH`; default: the
    /// config's `store`.
    #[arg(long, value_name = "URL", env = "ICP_STORE")]
    pub store: Option<String>,
    /// Ignore cached answers and ask the sources again (answers are still
    /// cached for the next run).
    #[arg(long)]
    pub refresh: bool,
    /// Start a new run even if an interrupted run of the same job exists.
    #[arg(long)]
    pub no_resume: bool,
    #[arg(long, value_name = "FILE")]
    pub summary_json: Option<PathBuf>,
    /// Where to write skipped rows (default: OUT.rejects.csv).
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    #[arg(long, short = 'q')]
    pub quiet: bool,
    #[command(flatten)]
    pub as_of: AsOfArg,
    #[command(flatten)]
    pub read: InputArgs,
}

/// What duplicate rows add to their account (kept only for accounts that
/// have duplicates: per account pass 1 keeps just its first line).
#[derive(Default)]
struct Duplicates {
    lines: Vec<u64>,
    ids: Vec<String>,
    /// Values for cells the first row left blank: (column, value).
    fills: Vec<(usize, String)>,
}

/// What `--dry-run --summary-json` writes: the reading summary and what
/// each source would be asked and cost.
#[derive(Serialize)]
struct DryRunSummary<'a> {
    dry_run: bool,
    #[serde(flatten)]
    base: &'a Summary,
    accounts: u64,
    duplicates_merged: u64,
    /// Credits all sources would spend.
    credits: f64,
    estimates: &'a BTreeMap<String, icp_engine::Estimate>,
}

fn write_json(path: &Path, value: &impl Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Failure::fatal(e.to_string()))?;
    std::fs::write(path, text + "\n").map_err(|e| {
        Failure::fatal(format!(
            "cannot write the summary to {}: {e}",
            display(path)
        ))
    })
}

#[derive(Serialize)]
struct EnrichSummary {
    #[serde(flatten)]
    base: Summary,
    run_id: i64,
    resumed: bool,
    /// Unique accounts (rows with a key, duplicates merged).
    accounts: u64,
    duplicates_merged: u64,
    accounts_with_errors: u64,
    credits_spent: f64,
    sources: BTreeMap<String, SourceReport>,
    /// Sources stopped for the run (bad key, no credits, parked).
    stopped: BTreeMap<String, String>,
    /// What each local source loaded from its files.
    source_files: BTreeMap<String, String>,
}

/// Output rows scored per read-back from the store.
const WRITE_CHUNK: usize = 1000;
/// `icp_reasons` among [`SCORE_COLUMNS`].
const REASONS_COLUMN: usize = 6;

pub fn run(args: EnrichArgs) -> Result<u8, Failure> {
    let started = Instant::now();
    let cfg = Config::load(&args.config).map_err(|e| Failure::usage(e.to_string()))?;
    let out = match (&args.out, args.dry_run) {
        (Some(o), _) => o.clone(),
        (None, true) => PathBuf::from("dry-run.csv"),
        (None, false) => {
            return Err(Failure::usage(
                "say where to write the enriched accounts: --out FILE.csv (or --dry-run)",
            ));
        }
    };
    if !args.dry_run {
        check_output(&args.input, &out)?;
        create_parent_dirs([
            Some(&out),
            args.summary_json.as_ref(),
            args.rejects.as_ref(),
        ])?;
    }
    let profile_paths: Vec<PathBuf> = if args.profiles.is_empty() {
        cfg.profile_paths()
    } else {
        args.profiles.clone()
    };

    // The store, and the run: resume an interrupted run of the same job.
    let store = open_store(args.store.as_deref(), &cfg)?;
    let fingerprint = fingerprint(&args, &profile_paths)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::fatal(format!("cannot start the async runtime: {e}")))?;
    let resumed = if args.no_resume || args.dry_run {
        None
    } else {
        rt.block_on(store.unfinished_run(&fingerprint))
            .map_err(|e| Failure::fatal(e.to_string()))?
    };
    let as_of = match &resumed {
        Some(r) => chrono::NaiveDate::parse_from_str(&r.as_of, "%Y-%m-%d")
            .unwrap_or_else(|_| args.as_of.date()),
        None => args.as_of.date(),
    };
    let profiles = load_profiles(&profile_paths, as_of, args.quiet)?;
    // Member profiles (ICMP) score people: the key is the e-mail or handle.
    let member_mode = !profiles.is_empty() && profiles.iter().all(|p| p.entity == Entity::Member);
    if !member_mode && profiles.iter().any(|p| p.entity == Entity::Member) {
        return Err(Failure::usage(
            "the profiles mix accounts and members (entity = \"member\"): a run scores one kind; run them separately",
        ));
    }
    // Without a profile every field the sources provide is wanted ("*").
    let needed: Vec<String> = if profiles.is_empty() {
        vec!["*".into()]
    } else {
        profiles
            .iter()
            .flat_map(|p| p.fields.iter().map(|f| needed_field(&f.name)))
            .collect()
    };
    let engine = Engine::new(
        &cfg,
        store.clone(),
        &needed,
        EngineOptions {
            max_credits: args.max_credits,
            refresh: args.refresh,
            member_keys: member_mode,
        },
        |var| std::env::var(var).ok(),
    )
    .map_err(|e| Failure::usage(format!("{}: {e}", display(&args.config))))?;
    if profiles.is_empty() && !args.quiet {
        eprintln!(
            "note: no profile in {} and no --profile: enriching every field the sources provide, without scores",
            display(&args.config)
        );
    }

    // Pass 1: keys, duplicates, what the input already has.
    let read_opts = args.read.read_options()?;
    let mut reader =
        TableReader::open(&args.input, &read_opts).map_err(|e| Failure::usage(e.to_string()))?;
    let headers = reader.headers().to_vec();
    let keyer = Keyer::new(&headers, args.key_column.as_deref(), member_mode)
        .map_err(|e| Failure::usage(format!("{}: {e}", display(&args.input))))?;
    let id_col = icp_key::id_column(&headers);
    // For each engine field, the input column that holds it.
    let field_cols: Vec<(String, Option<usize>, FieldMask)> = engine
        .fields()
        .iter()
        .map(|f| {
            let col = column_for(&headers, f);
            (f.clone(), col, engine.field_bit(f).unwrap_or(0))
        })
        .collect();

    let mut summary = Summary::new(display(&args.input), display(&out), as_of.to_string());
    let rejects_path = args
        .rejects
        .clone()
        .unwrap_or_else(|| rejects_path_for(&out));
    let mut rejects = RejectsWriter::new(rejects_path, &headers);
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut keys: Vec<String> = Vec::new();
    let mut first_lines: Vec<u64> = Vec::new();
    let mut present: Vec<FieldMask> = Vec::new();
    let mut dups: HashMap<usize, Duplicates> = HashMap::new();
    let mut row = Row::default();
    let mut duplicates = 0u64;
    loop {
        match reader.read_row(&mut row) {
            Ok(false) => break,
            Ok(true) => {
                summary.rows_read += 1;
                let key = match keyer.key_for(&row.values) {
                    Ok(k) => k,
                    Err(reason) => {
                        summary.skip(row.line, &reason);
                        if !args.dry_run {
                            rejects
                                .write(row.line, &reason, row.values.iter().map(String::as_str))
                                .map_err(|e| Failure::fatal(e.to_string()))?;
                        }
                        continue;
                    }
                };
                let mut has: FieldMask = 0;
                for (f, col, bit) in &field_cols {
                    if let Some(c) = col
                        && !row.values.get(*c).is_none_or(|v| v.trim().is_empty())
                        && cfg.input_wins(f)
                    {
                        has |= bit;
                    }
                }
                let id = id_col
                    .and_then(|c| row.values.get(c))
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| v.trim().to_string());
                match index.get(&key) {
                    Some(&i) => {
                        duplicates += 1;
                        present[i] |= has;
                        let d = dups.entry(i).or_default();
                        d.lines.push(row.line);
                        d.ids.extend(id);
                        for (c, v) in row.values.iter().enumerate() {
                            if !v.trim().is_empty() && !d.fills.iter().any(|(fc, _)| *fc == c) {
                                d.fills.push((c, v.clone()));
                            }
                        }
                    }
                    None => {
                        index.insert(key.clone(), keys.len());
                        keys.push(key);
                        first_lines.push(row.line);
                        present.push(has);
                    }
                }
            }
            Err(e) => {
                summary.rows_read += 1;
                summary.skip(e.line, &e.reason);
                if !args.dry_run {
                    rejects
                        .write(e.line, &e.reason, row.values.iter().map(String::as_str))
                        .map_err(|e| Failure::fatal(e.to_string()))?;
                }
                if e.fatal {
                    return Err(Failure::fatal(format!(
                        "{}: reading stopped at {e}",
                        display(&args.input)
                    )));
                }
            }
        }
    }
    drop(index);

    // The run record.
    let run_id = match &resumed {
        Some(r) => {
            if !args.quiet {
                eprintln!(
                    "resuming run {} (started {}, as of {}): answers already cached are not paid for again",
                    r.id,
                    format_time(r.started_at),
                    r.as_of
                );
            }
            r.id
        }
        None if args.dry_run => 0,
        None => rt
            .block_on(store.start_run(&NewRun {
                label: format!("enrich {}", display(&args.input)),
                fingerprint: fingerprint.clone(),
                as_of: as_of.to_string(),
                started_at: icp_engine::unix_now(),
            }))
            .map_err(|e| Failure::fatal(e.to_string()))?,
    };

    // Pass 2: enrich.
    let progress = SourceProgress::new(args.quiet);
    // SIGTERM or ctrl-c: stop starting requests, let those in flight land
    // in the cache, and leave the run to be resumed.
    let mut interrupted = false;
    let enriched = rt.block_on(async {
        let report = |done, total| progress.update(done, total);
        let work = engine.enrich(&keys, &mut present, args.dry_run, &report);
        tokio::pin!(work);
        let mut stop = std::pin::pin!(stop_signal());
        loop {
            tokio::select! {
                r = &mut work => break r,
                () = &mut stop, if !interrupted => {
                    interrupted = true;
                    engine.interrupt("interrupted: rerun the same command to resume");
                }
            }
        }
    });
    progress.finish();
    let (errors, estimates) = enriched.map_err(|e| Failure::fatal(e.to_string()))?;
    if interrupted {
        let _ = rejects.finish();
        return Err(Failure::fatal(format!(
            "interrupted before the run finished; every answer received so far is cached (run {run_id}): run the same command again to resume"
        )));
    }

    if args.dry_run {
        print!(
            "{}",
            render_estimates(&summary, keys.len(), duplicates, &estimates)
        );
        let _ = rejects.finish();
        if let Some(path) = &args.summary_json {
            let report = DryRunSummary {
                dry_run: true,
                base: &summary,
                accounts: keys.len() as u64,
                duplicates_merged: duplicates,
                credits: estimates.values().map(|e| e.credits).sum(),
                estimates: &estimates,
            };
            write_json(path, &report)?;
        }
        return Ok(0);
    }

    // Pass 3: write one scored row per account.
    let provenance = args.provenance || cfg.output.provenance;
    let several = profiles.len() > 1;
    let mut out_headers = headers.clone();
    let key_header = if member_mode { "member_key" } else { "domain" };
    let entity = if member_mode { "member" } else { "account" };
    let domain_col = headers.iter().position(|h| h == key_header);
    if domain_col.is_none() {
        out_headers.push(key_header.into());
    }
    out_headers.push("input_lines".into());
    // Enriched fields land in the input column of the same snake_case
    // name, or in a new column.
    let mut field_slots: Vec<(String, usize, Option<usize>)> = Vec::new();
    // Dated events are not a column: the intent columns are derived from
    // them per profile (half-life) at the run's as_of.
    // Columns for the fields a profile reads, a source `want`s, the input
    // has, or some account got: not for every field a source could give
    // (a member export's person fields on an account run).
    let shown = |f: &str, col: Option<usize>| {
        col.is_some()
            || engine.seen(f)
            || needed.iter().any(|n| n == f)
            || cfg.sources.iter().any(|s| s.want.iter().any(|w| w == f))
    };
    let has_events = field_cols
        .iter()
        .any(|(f, col, _)| f == EVENTS_FIELD && shown(f, *col));
    let derived: Vec<(String, Option<usize>)> = if has_events {
        INTENT_COLUMNS
            .iter()
            // A source that delivers an intent column itself keeps it.
            .filter(|f| !field_cols.iter().any(|(n, _, _)| n == *f))
            .map(|f| (f.to_string(), column_for(&headers, f)))
            .collect()
    } else {
        Vec::new()
    };
    for (f, col) in field_cols
        .iter()
        .filter(|(f, col, _)| f != EVENTS_FIELD && shown(f, *col))
        .map(|(f, col, _)| (f, *col))
        .chain(derived.iter().map(|(f, col)| (f, *col)))
    {
        let exact = headers.iter().position(|h| snake_case(h) == *f);
        let slot = match exact {
            Some(i) => i,
            None => {
                out_headers.push(f.clone());
                out_headers.len() - 1
            }
        };
        field_slots.push((f.clone(), slot, col));
    }
    // Where the derived intent cells go, unless the input has its own.
    let intent_slots: Vec<(usize, Option<usize>)> = INTENT_COLUMNS
        .iter()
        .filter_map(|f| field_slots.iter().find(|(n, _, _)| n == f))
        .map(|(_, slot, input)| (*slot, *input))
        .collect();
    let as_of_day = icp_core::day_number(as_of);
    let errors_col = out_headers.len();
    out_headers.push("icp_errors".into());
    let prov_start = out_headers.len();
    if provenance {
        for (f, _, _) in &field_slots {
            out_headers.push(format!("{f}__source"));
            out_headers.push(format!("{f}__fetched_at"));
        }
    }
    let record_len = out_headers.len();
    push_score_headers(&mut out_headers, &profiles);
    let builders: Vec<RecordBuilder> = profiles
        .iter()
        .map(|p| RecordBuilder::new(p, &out_headers[..record_len]))
        .collect();
    let partial = partial_path(&out);
    let out_format = Format::from_path(&out).map_err(|e| Failure::usage(e.to_string()))?;
    let mut writer = TableWriter::create_as(&partial, out_format, &out_headers)
        .map_err(|e| Failure::fatal(e.to_string()))?;
    writer.set_numeric_columns(&score_numeric_columns(&out_headers, record_len));

    let mut counts: Vec<ProfileCounts> = profiles.iter().map(|_| ProfileCounts::new()).collect();
    let mut scored = Scored::default();
    let mut rec = Vec::new();
    let mut extra: Vec<String> = vec![String::new(); SCORE_COLUMNS.len() * profiles.len()];
    let mut reader =
        TableReader::open(&args.input, &read_opts).map_err(|e| Failure::usage(e.to_string()))?;
    // Accounts were numbered in order of their first line: a cursor finds
    // each account's first row again.
    let mut next_account = 0usize;
    let mut pending: Vec<(usize, Vec<String>)> = Vec::new();
    let mut accounts_with_errors = 0u64;
    let mut flush = |pending: &mut Vec<(usize, Vec<String>)>| -> Result<(), Failure> {
        let chunk_keys: Vec<String> = pending.iter().map(|(i, _)| keys[*i].clone()).collect();
        let merged = rt
            .block_on(engine.read_back(&chunk_keys))
            .map_err(|e| Failure::fatal(e.to_string()))?;
        // Each account's results per profile, for `icp runs` and `icp diff`.
        let mut run_scores: Vec<RunScore> = Vec::with_capacity(pending.len() * profiles.len());
        let mut latest: Vec<StoredAccount> = Vec::with_capacity(pending.len());
        for ((i, values), fields) in pending.drain(..).zip(merged) {
            let mut outv = values;
            outv.resize(headers.len(), String::new());
            let d = dups.get(&i);
            for (c, v) in d.iter().flat_map(|d| &d.fills) {
                if outv[*c].trim().is_empty() {
                    outv[*c] = v.clone();
                }
            }
            if let (Some(c), Some(d)) = (id_col, d)
                && !d.ids.is_empty()
            {
                let own = outv[c].trim().to_string();
                let ids: Vec<&str> = std::iter::once(own.as_str())
                    .filter(|s| !s.is_empty())
                    .chain(d.ids.iter().map(String::as_str))
                    .collect();
                outv[c] = ids.join(";");
            }
            match domain_col {
                Some(c) => outv[c] = keys[i].clone(),
                None => outv.push(keys[i].clone()),
            }
            // The row as the input gave it (duplicates merged), before
            // enriched values fill its blanks: a job reading the store
            // starts from this.
            let input_cells = non_blank(&headers, &outv);
            let mut lines = first_lines[i].to_string();
            for l in d.iter().flat_map(|d| &d.lines) {
                lines.push_str(&format!(";{l}"));
            }
            outv.push(lines);
            outv.resize(record_len, String::new());
            for (k, (f, slot, input_col)) in field_slots.iter().enumerate() {
                let input = input_col
                    .and_then(|c| outv.get(c))
                    .filter(|v| !v.trim().is_empty())
                    .cloned();
                let chosen: Option<(String, String, String)> =
                    match (input, fields.get(f), cfg.input_wins(f)) {
                        (Some(v), _, true) | (Some(v), None, false) => {
                            Some((v, "input".into(), String::new()))
                        }
                        (_, Some(s), _) => Some((
                            value_text(&s.value),
                            s.source.clone(),
                            format_time(s.fetched_at),
                        )),
                        (None, None, _) => None,
                    };
                let chosen = chosen.or_else(|| {
                    // A derived intent column: from the events' sources.
                    let s = fields.get(EVENTS_FIELD)?;
                    INTENT_COLUMNS
                        .contains(&f.as_str())
                        .then(|| (String::new(), s.source.clone(), format_time(s.fetched_at)))
                });
                if let Some((v, source, at)) = chosen {
                    outv[*slot] = v;
                    if provenance {
                        outv[prov_start + 2 * k] = source;
                        outv[prov_start + 2 * k + 1] = at;
                    }
                }
            }
            if let Some(errs) = errors.get(&i) {
                accounts_with_errors += 1;
                outv[errors_col] = errs.join("; ");
            }
            // Intent from events, with each profile's half-life; the row
            // shows the first profile's.
            let events = fields.get(EVENTS_FIELD).map(|s| events_of(&s.value));
            // Derived cells go where the input has nothing, or everywhere
            // when `[fields]` says the enriched value wins.
            let open_slots: Vec<usize> = intent_slots
                .iter()
                .zip(INTENT_COLUMNS)
                .filter(|((_, input), f)| {
                    !cfg.input_wins(f)
                        || input
                            .and_then(|c| outv.get(c))
                            .is_none_or(|v| v.trim().is_empty())
                })
                .map(|((slot, _), _)| *slot)
                .collect();
            let set_intent = |outv: &mut Vec<String>, half_life: f64| {
                if let Some(evs) = &events {
                    let cells = intent_cells(evs, as_of_day, half_life);
                    for (slot, cell) in intent_slots.iter().zip(cells) {
                        if open_slots.contains(&slot.0) {
                            outv[slot.0] = cell;
                        }
                    }
                }
            };
            set_intent(
                &mut outv,
                profiles
                    .first()
                    .map_or(DEFAULT_HALF_LIFE_DAYS, |p| p.intent_half_life_days),
            );
            for (k, (p, b)) in profiles.iter().zip(&builders).enumerate() {
                if k > 0 {
                    set_intent(&mut outv, p.intent_half_life_days);
                }
                b.build(&outv, &mut rec);
                p.score_into(&rec, &mut scored);
                counts[k].add(p, &scored);
                fill_columns(p, &scored, &mut extra[k * SCORE_COLUMNS.len()..]);
                run_scores.push(RunScore {
                    key: keys[i].clone(),
                    profile: p.name.clone(),
                    score: i64::from(scored.score),
                    tier: scored.tier.as_str().to_string(),
                    reasons: extra[k * SCORE_COLUMNS.len() + REASONS_COLUMN].clone(),
                });
            }
            if let [first, _, ..] = profiles.as_slice() {
                set_intent(&mut outv, first.intent_half_life_days);
            }
            writer
                .write_row(
                    outv.iter()
                        .map(String::as_str)
                        .chain(extra.iter().map(String::as_str)),
                )
                .map_err(|e| Failure::fatal(e.to_string()))?;
            latest.push(StoredAccount {
                key: keys[i].clone(),
                entity: entity.to_string(),
                input: input_cells,
                fields: non_blank(&out_headers[..record_len], &outv),
                run_id,
                updated_at: icp_engine::unix_now(),
            });
        }
        rt.block_on(store.put_run_scores(run_id, &run_scores))
            .map_err(|e| Failure::fatal(e.to_string()))?;
        rt.block_on(store.put_accounts(&latest))
            .map_err(|e| Failure::fatal(e.to_string()))?;
        Ok(())
    };
    loop {
        match reader.read_row(&mut row) {
            Ok(false) => break,
            Ok(true) => {
                if first_lines.get(next_account) == Some(&row.line) {
                    pending.push((next_account, std::mem::take(&mut row.values)));
                    next_account += 1;
                    if pending.len() >= WRITE_CHUNK {
                        flush(&mut pending)?;
                    }
                }
            }
            Err(e) if e.fatal => break,
            Err(_) => {}
        }
    }
    flush(&mut pending)?;
    writer.finish().map_err(|e| Failure::fatal(e.to_string()))?;
    move_into_place(&partial, &out)?;
    summary.rejects = rejects
        .finish()
        .map_err(|e| Failure::fatal(e.to_string()))?
        .map(|p| display(&p));
    summary.set_unread(vec![builders.iter().map(RecordBuilder::unread).collect()]);
    let names: Vec<String> = profiles.iter().map(|p| p.name.clone()).collect();
    if let Some(first) = counts.first() {
        summary.first = first.clone();
    }
    if several {
        summary.profiles = names.iter().cloned().zip(counts).collect();
    }
    summary.seconds = (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
    let stopped: BTreeMap<String, String> = engine.stopped().into_iter().collect();
    let report = EnrichSummary {
        base: summary,
        run_id,
        resumed: resumed.is_some(),
        accounts: keys.len() as u64,
        duplicates_merged: duplicates,
        accounts_with_errors,
        credits_spent: engine.credits_spent(),
        sources: engine.reports(),
        stopped: stopped.clone(),
        source_files: engine.load_summaries(),
    };
    let json = serde_json::to_value(&report).map_err(|e| Failure::fatal(e.to_string()))?;
    let status = if stopped.is_empty() {
        RunStatus::Done
    } else {
        RunStatus::DoneWithStoppedSources
    };
    rt.block_on(store.finish_run(run_id, status, icp_engine::unix_now(), &json))
        .map_err(|e| Failure::fatal(e.to_string()))?;
    print!("{}", render(&report, &names));
    if let Some(path) = &args.summary_json {
        write_json(path, &json)?;
    }
    if !stopped.is_empty() {
        for (name, why) in &stopped {
            eprintln!("error: source `{name}` was stopped for this run: {why}");
        }
        return Ok(3);
    }
    Ok(0)
}

/// The store named by `--store` / `ICP_STORE`, else the config's.
pub(crate) fn open_store(url: Option<&str>, cfg: &Config) -> Result<Arc<dyn Store>, Failure> {
    let path = store_path(url, || Ok(cfg.store_path()))?;
    let store = SqliteStore::open(&path).map_err(|e| Failure::fatal(e.to_string()))?;
    Ok(Arc::new(store))
}

/// The file of the store named by `--store` / `ICP_STORE` (a path or
/// `sqlite://PATH`), else `default` (the config's `store`).
pub(crate) fn store_path(
    url: Option<&str>,
    default: impl FnOnce() -> Result<PathBuf, Failure>,
) -> Result<PathBuf, Failure> {
    match url {
        None => default(),
        Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
            Err(Failure::usage(
                "this icp build has the SQLite store only: pass a file path or sqlite://PATH as --store",
            ))
        }
        Some(u) => Ok(PathBuf::from(u.strip_prefix("sqlite://").unwrap_or(u))),
    }
}

pub(crate) fn format_time(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// Identifies "the same job" for resuming: config, profiles, input file
/// (path, size, modification time) and the options that change answers.
fn fingerprint(args: &EnrichArgs, profiles: &[PathBuf]) -> Result<String, Failure> {
    let mut h = Sha256::new();
    let mut file = |p: &Path| -> Result<(), Failure> {
        let bytes = std::fs::read(p)
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", display(p))))?;
        h.update(&bytes);
        h.update([0]);
        Ok(())
    };
    file(&args.config)?;
    for p in profiles {
        file(p)?;
    }
    let input = std::fs::canonicalize(&args.input).unwrap_or_else(|_| args.input.clone());
    h.update(input.to_string_lossy().as_bytes());
    if let Ok(m) = std::fs::metadata(&input) {
        h.update(m.len().to_le_bytes());
        if let Ok(t) = m.modified() {
            let secs = t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            h.update(secs.as_nanos().to_le_bytes());
        }
    }
    h.update(args.key_column.as_deref().unwrap_or("").as_bytes());
    h.update(
        args.as_of
            .as_of
            .map(|d| d.to_string())
            .unwrap_or_default()
            .as_bytes(),
    );
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

fn render(r: &EnrichSummary, names: &[String]) -> String {
    let mut out = String::new();
    let base = r.base.render(names);
    // The profile part only makes sense with a profile.
    if names.is_empty() {
        out.push_str(base.lines().take(3).collect::<Vec<_>>().join("\n").as_str());
        out.push('\n');
    } else {
        out.push_str(&base);
    }
    out.push_str(&format!(
        "accounts\n  unique          {:>12}  duplicates merged: {}\n",
        group(r.accounts),
        group(r.duplicates_merged)
    ));
    if r.accounts_with_errors > 0 {
        out.push_str(&format!(
            "  with errors     {:>12}  see the icp_errors column\n",
            group(r.accounts_with_errors)
        ));
    }
    out.push_str("sources           calls   cached    found  no data   failed  429s  credits\n");
    for (name, s) in &r.sources {
        out.push_str(&format!(
            "  {:<14}{:>7}  {:>7}  {:>7}  {:>7}  {:>7}  {:>4}  {:>7}\n",
            name, s.calls, s.cache_hits, s.found, s.no_data, s.failed, s.throttled, s.credits
        ));
        if let Some(why) = &s.stopped {
            out.push_str(&format!("    STOPPED: {why}\n"));
        }
    }
    if !r.source_files.is_empty() {
        out.push_str("source files\n");
        for (name, line) in &r.source_files {
            out.push_str(&format!("  {name}: {line}\n"));
        }
    }
    out.push_str(&format!(
        "run {}{}, {:.1} s\n",
        r.run_id,
        if r.resumed { " (resumed)" } else { "" },
        r.base.seconds
    ));
    out
}

fn render_estimates(
    s: &Summary,
    accounts: usize,
    duplicates: u64,
    est: &BTreeMap<String, icp_engine::Estimate>,
) -> String {
    let mut out = format!(
        "dry run of {} (nothing called, nothing written)\n  rows read {}, skipped {}, unique accounts {}, duplicates merged {}\n",
        s.input,
        group(s.rows_read),
        group(s.rows_skipped),
        group(accounts as u64),
        group(duplicates)
    );
    out.push_str("sources          to ask   cached  calls (at most)  credits (at most)\n");
    let mut credits = 0.0;
    for (name, e) in est {
        credits += e.credits;
        out.push_str(&format!(
            "  {:<14}{:>7}  {:>7}  {:>15}  {:>17}\n",
            name, e.accounts, e.cache_hits, e.calls, e.credits
        ));
    }
    out.push_str(&format!("  total credits at most: {credits}\n"));
    out
}

/// Progress per source: a bar on a terminal, a log line every 5 s otherwise.
struct SourceProgress {
    bar: Option<indicatif::ProgressBar>,
    last_log: Mutex<Instant>,
    quiet: bool,
}

impl SourceProgress {
    fn new(quiet: bool) -> SourceProgress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let b = indicatif::ProgressBar::new(0);
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "enrich [{bar:30}] {human_pos}/{human_len} accounts ({per_sec}, eta {eta})",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            b.enable_steady_tick(Duration::from_millis(200));
            b
        });
        SourceProgress {
            bar,
            last_log: Mutex::new(Instant::now()),
            quiet,
        }
    }

    fn update(&self, done: u64, total: u64) {
        if let Some(b) = &self.bar {
            b.set_length(total);
            b.set_position(done);
            return;
        }
        if self.quiet || total == 0 {
            return;
        }
        let mut last = self.last_log.lock().unwrap_or_else(|e| e.into_inner());
        if done == total || last.elapsed() >= Duration::from_secs(5) {
            *last = Instant::now();
            eprintln!("enrich: {done}/{total} accounts");
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// How a row's key is found: a company domain (accounts), or a person's
/// The non-blank cells of a row by header, as stored per account.
fn non_blank(headers: &[String], row: &[String]) -> serde_json::Map<String, serde_json::Value> {
    headers
        .iter()
        .zip(row)
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(h, v)| (h.clone(), serde_json::Value::String(v.clone())))
        .collect()
}

/// e-mail, else handle (members).
enum Keyer {
    Accounts(KeyColumns),
    Members {
        email: Option<usize>,
        handle: Option<usize>,
    },
}

impl Keyer {
    fn new(headers: &[String], explicit: Option<&str>, members: bool) -> Result<Keyer, String> {
        if !members {
            let cols = KeyColumns::detect(headers, explicit);
            cols.check().map_err(|e| e.to_string())?;
            return Ok(Keyer::Accounts(cols));
        }
        let named = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name.trim()))
        };
        let (email, handle) = match explicit {
            // An explicit column may hold e-mails or handles: both are read.
            Some(name) => {
                let col = named(name).ok_or_else(|| {
                    format!(
                        "--key-column {name:?} is not a column; the columns are: {}",
                        headers.join(", ")
                    )
                })?;
                (Some(col), Some(col))
            }
            None => (column_for(headers, "email"), column_for(headers, "handle")),
        };
        if email.is_none() && handle.is_none() {
            return Err(format!(
                "a member profile needs an e-mail or handle column (e.g. `email`, `Email`, `username`, `handle`), or --key-column; the columns are: {}",
                headers.join(", ")
            ));
        }
        Ok(Keyer::Members { email, handle })
    }

    fn key_for(&self, row: &[String]) -> Result<String, String> {
        match self {
            Keyer::Accounts(cols) => cols.key_for(row).map(|d| d.name).map_err(|e| e.to_string()),
            Keyer::Members { email, handle } => {
                let cell = |c: &Option<usize>| c.and_then(|c| row.get(c)).map(String::as_str);
                icp_key::member_key(cell(email), cell(handle)).map_err(|e| e.to_string())
            }
        }
    }
}

/// Resolves on SIGTERM or ctrl-c.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
