//! `icp report RUN_OR_FILE --profile P --out report.html`: one
//! self-contained HTML page with inline SVG charts (icp-report renders it).
//!
//! A file (scored, enriched or raw) is streamed and every row re-scored
//! with the profile, so trait coverage is measured. A run id reads the
//! run's output file when it is still there, else the scores the store
//! keeps (score, tier, reasons per account), and says which sections those
//! cannot give.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use icp_analytics::size::Acv;
use icp_core::fields::column_for;
use icp_core::{Entity, Profile};
use icp_io::read::{Row, TableReader};
use icp_key::KeyColumns;
use icp_report::{CohortGrain, Exclusions, InputInfo, Options, ReportData, RunInfo};
use icp_store::{RunRecord, RunStatus, SqliteStore, Store};
use serde::de::DeserializeOwned;

use crate::runs_cmd::{StoreArgs, find_run, runtime};
use crate::score_cmd::{create_parent_dirs, partial_path};
use crate::summary::group;
use crate::{AsOfArg, Failure, InputArgs, display, profile_cmd};

#[derive(Args)]
pub struct ReportArgs {
    /// A scored, enriched or raw account (or member) file: CSV, JSONL or
    /// XLSX; or a run id from `icp runs` (with --store or --config).
    #[arg(value_name = "RUN_OR_FILE")]
    pub source: String,
    /// The profile (TOML) to report on: every row is re-scored with it.
    #[arg(long, short = 'p', value_name = "FILE")]
    pub profile: PathBuf,
    /// The HTML file to write.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: PathBuf,
    /// Accounts in the top list.
    #[arg(long, value_name = "N", default_value_t = 25)]
    pub top: usize,
    #[command(flatten)]
    pub acv: crate::size_cmd::AcvArgs,
    /// Add the results of `icp learn --json` (what predicts a good customer).
    #[arg(long, value_name = "FILE")]
    pub learn: Option<PathBuf>,
    /// Add the results of `icp segment --json` (segments and beachheads).
    #[arg(long, value_name = "FILE")]
    pub segments: Option<PathBuf>,
    /// Add the results of `icp cohorts --json` (signup cohorts, PMF).
    #[arg(long, value_name = "FILE")]
    pub cohorts: Option<PathBuf>,
    /// Member profiles: a member is active when last active within this
    /// many days of the as-of date.
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub active_days: u32,
    /// Member profiles: group members into join cohorts by month or
    /// quarter.
    #[arg(long, value_enum, value_name = "PERIOD", default_value_t = Grain::Quarter)]
    pub cohort_by: Grain,
    /// The account key column when it is not one of the usual ones (rows of
    /// one key are counted once).
    #[arg(long, value_name = "HEADER")]
    pub key_column: Option<String>,
    /// No profile warnings and no summary line.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    #[command(flatten)]
    pub as_of: AsOfArg,
    #[command(flatten)]
    pub read: InputArgs,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Grain {
    Month,
    Quarter,
}

/// Stored results read per store call.
const PAGE: usize = 5000;

pub fn run(args: ReportArgs) -> Result<u8, Failure> {
    check_out(&args.out)?;
    let path = PathBuf::from(&args.source);
    let run_id = (!path.exists())
        .then(|| args.source.trim().parse::<i64>().ok())
        .flatten();
    let mut data = match run_id {
        Some(id) => from_run(&args, id)?,
        None => {
            if !path.exists() {
                return Err(Failure::usage(format!(
                    "{} is neither a file nor a run id: pass a scored or account file, or a run id from `icp runs`",
                    args.source
                )));
            }
            if same_file(&path, &args.out) {
                return Err(Failure::usage(format!(
                    "the output {} is the input file; choose another --out",
                    display(&args.out)
                )));
            }
            let as_of = args.as_of.date();
            let profile = load_profile(&args, as_of)?;
            from_file(&args, &profile, &path, as_of.to_string(), None)?
        }
    };
    data.analytics.learn = read_json(args.learn.as_deref(), "--learn", "icp learn --json")?;
    data.analytics.segments =
        read_json(args.segments.as_deref(), "--segments", "icp segment --json")?;
    data.analytics.cohorts = read_json(args.cohorts.as_deref(), "--cohorts", "icp cohorts --json")?;
    let html = icp_report::render(&data);
    write_out(&args.out, &html)?;
    if !args.quiet {
        println!("{}", summary_line(&data, &args.out));
    }
    Ok(0)
}

/// The page must be .html or .htm.
fn check_out(out: &Path) -> Result<(), Failure> {
    let ext = out
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    if !matches!(ext.as_deref(), Some("html" | "htm")) {
        return Err(Failure::usage(format!(
            "cannot write {}: the report is an HTML page, so --out must end in .html",
            display(out)
        )));
    }
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

fn load_profile(args: &ReportArgs, as_of: chrono::NaiveDate) -> Result<Profile, Failure> {
    Ok(profile_cmd::load(&args.profile, as_of, args.quiet)?.0)
}

fn options(args: &ReportArgs, profile: &Profile) -> Result<Options, Failure> {
    Ok(Options {
        top: args.top,
        active_days: args.active_days,
        grain: match args.cohort_by {
            Grain::Month => CohortGrain::Month,
            Grain::Quarter => CohortGrain::Quarter,
        },
        acv: args.acv.resolve(profile, &args.profile)?,
    })
}

fn generated_by() -> String {
    format!("icp {}", env!("CARGO_PKG_VERSION"))
}

/// How a row's key is found: a company domain, or a member's e-mail or
/// handle.
enum Keys {
    Accounts(KeyColumns),
    Members {
        email: Option<usize>,
        handle: Option<usize>,
    },
    None,
}

impl Keys {
    fn new(
        headers: &[String],
        profile: &Profile,
        explicit: Option<&str>,
        input: &Path,
    ) -> Result<Keys, Failure> {
        if profile.entity == Entity::Member {
            let col = |name: &str| match explicit {
                Some(h) => headers.iter().position(|x| x.trim() == h.trim()),
                None => column_for(headers, name),
            };
            return Ok(Keys::Members {
                email: col("email"),
                handle: col("handle"),
            });
        }
        let cols = KeyColumns::detect(headers, explicit);
        match cols.check() {
            Ok(()) => Ok(Keys::Accounts(cols)),
            Err(e) if explicit.is_some() => Err(Failure::usage(format!("{}: {e}", display(input)))),
            // No key column: every row is an account of its own.
            Err(_) => Ok(Keys::None),
        }
    }

    fn key(&self, row: &[String]) -> String {
        match self {
            Keys::Accounts(cols) => cols.key_for(row).map(|d| d.name).unwrap_or_default(),
            Keys::Members { email, handle } => {
                let cell = |c: &Option<usize>| c.and_then(|c| row.get(c)).map(String::as_str);
                icp_key::member_key(cell(email), cell(handle)).unwrap_or_default()
            }
            Keys::None => String::new(),
        }
    }
}

/// Stream a file through the profile.
fn from_file(
    args: &ReportArgs,
    profile: &Profile,
    path: &Path,
    as_of: String,
    run: Option<RunInfo>,
) -> Result<ReportData, Failure> {
    let opts = options(args, profile)?;
    let mut reader = TableReader::open(path, &args.read.read_options()?)
        .map_err(|e| Failure::usage(e.to_string()))?;
    let headers = reader.headers().to_vec();
    if let Some(Acv::Formula(f)) = &opts.acv {
        for field in f.fields() {
            if column_for(&headers, field).is_none() {
                return Err(Failure::usage(format!(
                    "the ACV formula reads `{field}` but {} has no such column (columns: {}); use a column's name in snake_case",
                    display(path),
                    headers.join(", ")
                )));
            }
        }
    }
    let keys = Keys::new(&headers, profile, args.key_column.as_deref(), path)?;
    let mut collector = icp_report::RowCollector::new(profile, &headers, opts);
    let mut row = Row::default();
    loop {
        match reader.read_row(&mut row) {
            Ok(true) => {
                let key = keys.key(&row.values);
                collector.add_row(&row.values, &key);
            }
            Ok(false) => break,
            Err(e) => {
                collector.skip(e.line, &e.reason);
                if e.fatal {
                    return Err(Failure::fatal(format!(
                        "{}: reading stopped at {e}; no report was written",
                        display(path)
                    )));
                }
            }
        }
    }
    Ok(collector.finish(InputInfo {
        file: Some(display(path)),
        run,
        as_of,
        generated_by: generated_by(),
        ..Default::default()
    }))
}

fn status_text(s: RunStatus) -> &'static str {
    match s {
        RunStatus::Running => "running (unfinished)",
        RunStatus::Done => "done",
        RunStatus::DoneWithStoppedSources => "done, a source was stopped",
        RunStatus::Failed => "failed",
    }
}

fn run_info(r: &RunRecord) -> RunInfo {
    RunInfo {
        id: r.id,
        label: r.label.clone(),
        status: status_text(r.status).to_string(),
        started: chrono::DateTime::from_timestamp(r.started_at, 0)
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default(),
    }
}

/// A run: its output file when it is still there, else its stored scores.
fn from_run(args: &ReportArgs, id: i64) -> Result<ReportData, Failure> {
    let store = args.store.open()?;
    let rt = runtime()?;
    let record = find_run(&rt, &store, id)?;
    let as_of = match args.as_of.as_of {
        Some(d) => d,
        None => chrono::NaiveDate::parse_from_str(&record.as_of, "%Y-%m-%d").map_err(|_| {
            Failure::fatal(format!(
                "run {id} has the as-of date `{}`, which is not YYYY-MM-DD: pass --as-of",
                record.as_of
            ))
        })?,
    };
    let profile = load_profile(args, as_of)?;
    let output = record.summary["output"]
        .as_str()
        .filter(|s| !s.is_empty())
        .map(PathBuf::from);
    if let Some(out) = output.as_ref().filter(|p| p.is_file()) {
        let mut data = from_file(
            args,
            &profile,
            out,
            as_of.to_string(),
            Some(run_info(&record)),
        )?;
        data.notes.insert(
            0,
            format!(
                "Fields come from run {id}'s output file `{}`, re-scored with the profile as of the run's date.",
                display(out)
            ),
        );
        return Ok(data);
    }
    let opts = options(args, &profile)?;
    let formula = matches!(opts.acv, Some(Acv::Formula(_)));
    let mut collector = icp_report::StoreCollector::new(&profile, opts);
    let read = rt.block_on(read_scores(&store, id, &profile.name, &mut collector))?;
    if read == 0 {
        return Err(no_scores(&rt, &store, id, &profile.name));
    }
    let summary = profile_summary(&record.summary, &profile.name);
    let exclusions = summary.map(|s| Exclusions {
        by_filter: profile
            .filters
            .iter()
            .map(|f| {
                (
                    f.name.clone(),
                    s["excluded_by"][&f.name].as_u64().unwrap_or(0),
                )
            })
            .collect(),
        unknown: profile
            .filters
            .iter()
            .filter_map(|f| {
                s["unknown_filters"][&f.name]
                    .as_u64()
                    .filter(|n| *n > 0)
                    .map(|n| (f.name.clone(), n))
            })
            .collect(),
    });
    let mean_coverage = summary.and_then(|s| s["mean_coverage"].as_f64());
    let sum = &record.summary;
    let input = InputInfo {
        file: None,
        run: Some(run_info(&record)),
        as_of: as_of.to_string(),
        rows_read: sum["rows_read"].as_u64().unwrap_or(0),
        rows_skipped: sum["rows_skipped"].as_u64().unwrap_or(0),
        duplicates: 0,
        skipped: sum["skipped"]
            .as_array()
            .map(|a| {
                a.iter()
                    .take(10)
                    .map(|s| {
                        (
                            s["line"].as_u64().unwrap_or(0),
                            s["reason"].as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        generated_by: generated_by(),
    };
    let mut data = collector.finish(input, exclusions, mean_coverage);
    let why = match &output {
        Some(p) => format!(
            "run {id}'s output file `{}` is not there any more",
            display(p)
        ),
        None => format!("run {id} did not record an output file"),
    };
    data.notes.push(format!(
        "This report is drawn from the scores the store keeps (score, tier and reasons per account) because {why}. Trait coverage (data gaps){} need each account's fields: run `icp report` on the output file for them.",
        match (profile.entity == Entity::Member, formula) {
            (true, _) => ", community health",
            (false, true) => " and values from an ACV formula",
            (false, false) => "",
        }
    ));
    Ok(data)
}

/// The run summary's counts for one profile: `profiles.<name>` when the
/// run scored several, else the top level.
fn profile_summary<'a>(
    summary: &'a serde_json::Value,
    name: &str,
) -> Option<&'a serde_json::Value> {
    match summary["profiles"].as_object() {
        Some(m) if !m.is_empty() => m.get(name),
        _ => summary.is_object().then_some(summary),
    }
}

/// Feed every stored result of the profile to the collector, a page at a
/// time; returns how many there were.
async fn read_scores(
    store: &SqliteStore,
    id: i64,
    profile: &str,
    collector: &mut icp_report::StoreCollector<'_>,
) -> Result<u64, Failure> {
    let mut after: Option<(String, String)> = None;
    let mut n = 0u64;
    loop {
        let page = store
            .run_scores(
                id,
                Some(profile),
                after.as_ref().map(|(p, k)| (p.as_str(), k.as_str())),
                PAGE,
            )
            .await
            .map_err(|e| Failure::fatal(e.to_string()))?;
        for s in &page {
            collector.add(&s.key, s.score, &s.tier, &s.reasons);
        }
        n += page.len() as u64;
        match page.last() {
            Some(last) if page.len() == PAGE => {
                after = Some((last.profile.clone(), last.key.clone()))
            }
            _ => return Ok(n),
        }
    }
}

/// Why a run has nothing for this profile.
fn no_scores(rt: &tokio::runtime::Runtime, store: &SqliteStore, id: i64, profile: &str) -> Failure {
    let names: BTreeSet<String> = rt
        .block_on(store.run_scores(id, None, None, PAGE))
        .map(|page| page.into_iter().map(|s| s.profile).collect())
        .unwrap_or_default();
    if names.is_empty() {
        Failure::usage(format!(
            "run {id} recorded no scores (it may have stopped before writing any) and its output file is gone: nothing to report"
        ))
    } else {
        Failure::usage(format!(
            "run {id} has no scores for profile `{profile}`; it scored {}: pass that profile's file as --profile",
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

/// Read one analytics JSON file.
fn read_json<T: DeserializeOwned>(
    path: Option<&Path>,
    flag: &str,
    command: &str,
) -> Result<Option<T>, Failure> {
    let Some(path) = path else { return Ok(None) };
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("{flag} {}: cannot read it: {e}", display(path))))?;
    serde_json::from_str(&text).map(Some).map_err(|e| {
        Failure::usage(format!(
            "{flag} {}: this is not the JSON `{command}` writes ({e}); write it again with `{command}`",
            display(path)
        ))
    })
}

/// Write the page through a `.partial` file, moved into place when whole.
fn write_out(out: &Path, html: &str) -> Result<(), Failure> {
    let out_buf = out.to_path_buf();
    create_parent_dirs([Some(&out_buf)])?;
    let partial = partial_path(out);
    std::fs::write(&partial, html)
        .map_err(|e| Failure::fatal(format!("cannot write {}: {e}", display(&partial))))?;
    std::fs::rename(&partial, out).map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        Failure::fatal(format!(
            "cannot move the report into place at {}: {e}",
            display(out)
        ))
    })
}

fn summary_line(d: &ReportData, out: &Path) -> String {
    let c = &d.counts;
    let many = if d.profile.members {
        "members"
    } else {
        "accounts"
    };
    let gaps = d
        .coverage
        .as_ref()
        .map_or(0, |t| t.iter().filter(|t| t.is_gap()).count());
    let mut line = format!(
        "{}: {} report of {} {many} as of {} (tier 1 {}, tier 2 {}, tier 3 {}, excluded {})",
        display(out),
        d.profile.name,
        group(c.tam()),
        d.input.as_of,
        group(c.tiers[0]),
        group(c.tiers[1]),
        group(c.tiers[2]),
        group(c.tiers[3]),
    );
    if gaps > 0 {
        line.push_str(&format!(
            "; {gaps} data gap{}",
            if gaps == 1 { "" } else { "s" }
        ));
    }
    if d.input.rows_skipped > 0 {
        line.push_str(&format!("; {} rows skipped", group(d.input.rows_skipped)));
    }
    line
}
