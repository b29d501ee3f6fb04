//! `icp score`: stream an input file through one or more profiles.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;
use icp_core::{Profile, RecordBuilder, Scored, Value};
use icp_io::read::{Format, Row, TableReader};
use icp_io::write::{RejectsWriter, TableWriter, rejects_path_for};

use crate::summary::{ProfileCounts, Summary};
use crate::{AsOfArg, Failure, InputArgs, display, profile_cmd, progress::Progress};

#[derive(Args)]
pub struct ScoreArgs {
    /// Accounts or members: CSV, JSONL or XLSX.
    pub input: PathBuf,
    /// Profile file (TOML); repeat to score against several profiles, whose
    /// columns are then prefixed `<profile>__`.
    #[arg(long = "profile", short = 'p', required = true, value_name = "FILE")]
    pub profiles: Vec<PathBuf>,
    /// Output file: .csv or .jsonl.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: PathBuf,
    /// Also write the summary as JSON.
    #[arg(long, value_name = "FILE")]
    pub summary_json: Option<PathBuf>,
    /// Where to write skipped rows (default: OUT.rejects.csv beside the output).
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// No progress and no warnings about the profile, only errors and the summary.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    #[command(flatten)]
    pub as_of: AsOfArg,
    #[command(flatten)]
    pub read: InputArgs,
}

/// The scoring columns added to every row.
pub const SCORE_COLUMNS: [&str; 8] = [
    "icp_score",
    "icp_fit",
    "icp_intent",
    "icp_tier",
    "icp_excluded_by",
    "icp_coverage",
    "icp_reasons",
    "icp_unknown_filters",
];
const NUMERIC: [&str; 4] = ["icp_score", "icp_fit", "icp_intent", "icp_coverage"];

struct Scoring {
    profile: Profile,
    scored: Scored,
    counts: ProfileCounts,
}

/// One input row on its way from the reading stage to the scoring stage.
#[derive(Default)]
struct Item {
    row: Row,
    /// One record per profile.
    records: Vec<Vec<Value>>,
    error: Option<icp_io::read::RowError>,
}

const BATCH: usize = 1024;

/// Read rows and parse them into each profile's record, in batches.
fn read_stage(
    reader: &mut TableReader,
    builders: &[RecordBuilder],
    full: &std::sync::mpsc::SyncSender<Vec<Item>>,
    empty: &std::sync::mpsc::Receiver<Vec<Item>>,
) {
    loop {
        let mut batch = empty.try_recv().unwrap_or_default();
        batch.resize_with(BATCH, Item::default);
        let mut n = 0;
        let mut done = false;
        while n < BATCH {
            let item = &mut batch[n];
            match reader.read_row(&mut item.row) {
                Ok(false) => {
                    done = true;
                    break;
                }
                Ok(true) => {
                    item.error = None;
                    item.records.resize_with(builders.len(), Vec::new);
                    for (b, rec) in builders.iter().zip(item.records.iter_mut()) {
                        b.build(&item.row.values, rec);
                    }
                }
                Err(e) => {
                    done = e.fatal;
                    item.error = Some(e);
                }
            }
            n += 1;
            if done {
                break;
            }
        }
        batch.truncate(n);
        if (!batch.is_empty() && full.send(batch).is_err()) || done {
            return;
        }
    }
}

pub fn run(args: ScoreArgs) -> Result<u8, Failure> {
    let as_of = args.as_of.date();
    check_output(&args.input, &args.out)?;
    let profiles = load_profiles(&args.profiles, as_of, args.quiet)?;
    let mut reader = TableReader::open(&args.input, &args.read.read_options()?)
        .map_err(|e| Failure::usage(e.to_string()))?;
    let headers = reader.headers().to_vec();

    let several = profiles.len() > 1;
    let mut out_headers = headers.clone();
    push_score_headers(&mut out_headers, &profiles);
    let mut scorings: Vec<Scoring> = profiles
        .into_iter()
        .map(|profile| {
            if !args.quiet {
                warn_absent(
                    &profile,
                    &RecordBuilder::new(&profile, &headers),
                    &args.input,
                );
            }
            Scoring {
                profile,
                scored: Scored::default(),
                counts: ProfileCounts::new(),
            }
        })
        .collect();
    let names: Vec<String> = scorings.iter().map(|s| s.profile.name.clone()).collect();

    create_parent_dirs([
        Some(&args.out),
        args.summary_json.as_ref(),
        args.rejects.as_ref(),
    ])?;
    let partial = partial_path(&args.out);
    let out_format = Format::from_path(&args.out).map_err(|e| Failure::usage(e.to_string()))?;
    let mut writer = TableWriter::create_as(&partial, out_format, &out_headers)
        .map_err(|e| Failure::fatal(e.to_string()))?;
    writer.set_numeric_columns(&score_numeric_columns(&out_headers, headers.len()));
    let rejects_path = args
        .rejects
        .clone()
        .unwrap_or_else(|| rejects_path_for(&args.out));
    let mut rejects = RejectsWriter::new(rejects_path, &headers);

    let mut summary = Summary::new(display(&args.input), display(&args.out), as_of.to_string());
    let mut progress = Progress::new("scoring", args.quiet);
    let mut extra: Vec<String> = vec![String::new(); SCORE_COLUMNS.len() * scorings.len()];
    let builders: Vec<RecordBuilder> = scorings
        .iter()
        .map(|s| RecordBuilder::new(&s.profile, &headers))
        .collect();
    // Two stages on two threads: reading and parsing rows into records, then
    // scoring and writing. Batches go back and forth so buffers are reused.
    let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Vec<Item>>(4);
    let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Vec<Item>>();
    let mut fatal = None;
    std::thread::scope(|scope| -> Result<(), Failure> {
        scope.spawn(move || read_stage(&mut reader, &builders, &full_tx, &empty_rx));
        for mut batch in full_rx {
            for item in &mut batch {
                summary.rows_read += 1;
                if let Some(e) = item.error.take() {
                    summary.skip(e.line, &e.reason);
                    rejects
                        .write(
                            e.line,
                            &e.reason,
                            item.row.values.iter().map(String::as_str),
                        )
                        .map_err(|e| Failure::fatal(e.to_string()))?;
                    if e.fatal {
                        fatal = Some(e);
                    }
                    continue;
                }
                for (k, s) in scorings.iter_mut().enumerate() {
                    s.profile.score_into(&item.records[k], &mut s.scored);
                    s.counts.add(&s.profile, &s.scored);
                    fill_columns(&s.profile, &s.scored, &mut extra[k * SCORE_COLUMNS.len()..]);
                }
                writer
                    .write_row(
                        item.row
                            .values
                            .iter()
                            .map(String::as_str)
                            .chain(extra.iter().map(String::as_str)),
                    )
                    .map_err(|e| Failure::fatal(e.to_string()))?;
            }
            progress.update(summary.rows_read, summary.rows_skipped);
            // The reader may have finished; a closed channel only means no reuse.
            let _ = empty_tx.send(batch);
        }
        Ok(())
    })?;
    summary.seconds = (progress.finish() * 1000.0).round() / 1000.0;
    writer.finish().map_err(|e| Failure::fatal(e.to_string()))?;
    summary.rejects = rejects
        .finish()
        .map_err(|e| Failure::fatal(e.to_string()))?
        .map(|p| display(&p));
    if let Some(e) = fatal {
        let _ = std::fs::remove_file(&partial);
        return Err(Failure::fatal(format!(
            "{}: reading stopped at {e}; nothing was written to {}",
            display(&args.input),
            display(&args.out)
        )));
    }
    std::fs::rename(&partial, &args.out).map_err(|e| {
        Failure::fatal(format!(
            "cannot move the output into place at {}: {e}",
            display(&args.out)
        ))
    })?;

    let mut counts: BTreeMap<String, ProfileCounts> = scorings
        .into_iter()
        .map(|s| (s.profile.name, s.counts))
        .collect();
    summary.first = counts.get(&names[0]).cloned().unwrap_or_default();
    if several {
        summary.profiles = std::mem::take(&mut counts);
    }
    print!("{}", summary.render(&names));
    if let Some(path) = &args.summary_json {
        let json =
            serde_json::to_string_pretty(&summary).map_err(|e| Failure::fatal(e.to_string()))?;
        std::fs::write(path, json + "\n").map_err(|e| {
            Failure::fatal(format!(
                "cannot write the summary to {}: {e}",
                display(path)
            ))
        })?;
    }
    Ok(0)
}

/// Refuse an output that is not CSV or JSONL, or that is the input itself.
pub fn check_output(input: &Path, out: &Path) -> Result<(), Failure> {
    if !matches!(Format::from_path(out), Ok(Format::Csv | Format::Jsonl)) {
        return Err(Failure::usage(format!(
            "cannot write {}: the output must end in .csv or .jsonl",
            display(out)
        )));
    }
    if same_file(input, out) {
        return Err(Failure::usage(format!(
            "the output {} is the input file; choose another --out so the input is kept",
            display(out)
        )));
    }
    Ok(())
}

/// `--out out/scored.csv` on a fresh checkout: make the folders.
pub fn create_parent_dirs<'a>(
    paths: impl IntoIterator<Item = Option<&'a PathBuf>>,
) -> Result<(), Failure> {
    for path in paths.into_iter().flatten() {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                Failure::fatal(format!("cannot create the folder {}: {e}", display(dir)))
            })?;
        }
    }
    Ok(())
}

/// Load every profile, refusing two with one name (their columns would
/// collide).
pub fn load_profiles(
    paths: &[PathBuf],
    as_of: chrono::NaiveDate,
    quiet: bool,
) -> Result<Vec<Profile>, Failure> {
    let mut profiles: Vec<Profile> = Vec::new();
    for p in paths {
        let profile = profile_cmd::load(p, as_of, quiet)?.0;
        if profiles.iter().any(|q| q.name == profile.name) {
            return Err(Failure::usage(format!(
                "two profiles are named `{}` ({}): output columns are prefixed by profile name, so give each a distinct `name`",
                profile.name,
                display(p)
            )));
        }
        profiles.push(profile);
    }
    Ok(profiles)
}

/// The scoring columns of each profile, prefixed `<profile>__` when there
/// are several.
pub fn push_score_headers(out_headers: &mut Vec<String>, profiles: &[Profile]) {
    let several = profiles.len() > 1;
    for p in profiles {
        for c in SCORE_COLUMNS {
            out_headers.push(if several {
                format!("{}__{c}", p.name)
            } else {
                c.to_string()
            });
        }
    }
}

/// The numeric scoring columns among `out_headers[from..]`.
pub fn score_numeric_columns(out_headers: &[String], from: usize) -> Vec<usize> {
    (from..out_headers.len())
        .filter(|&i| NUMERIC.iter().any(|n| out_headers[i].ends_with(n)))
        .collect()
}

pub fn fill_columns(p: &Profile, s: &Scored, out: &mut [String]) {
    for v in out.iter_mut().take(SCORE_COLUMNS.len()) {
        v.clear();
    }
    let _ = write!(out[0], "{}", s.score);
    let _ = write!(out[1], "{}", s.fit);
    let _ = write!(out[2], "{}", s.intent);
    out[3].push_str(s.tier.as_str());
    if let Some(name) = p.excluded_by_name(s) {
        out[4].push_str(name);
    }
    // Two decimals by integer maths: float formatting was ~8% of a run.
    let hundredths = (s.coverage.clamp(0.0, 1.0) * 100.0).round() as u32;
    let _ = write!(out[5], "{}.{:02}", hundredths / 100, hundredths % 100);
    p.write_reasons(s, &mut out[6]);
    for (n, &i) in s.unknown_filters.iter().enumerate() {
        if n > 0 {
            out[7].push_str("; ");
        }
        out[7].push_str(&p.filters[i].name);
    }
}

/// Tell the user which profile fields the input lacks: traits over them
/// stay unknown and lower coverage.
fn warn_absent(p: &Profile, b: &RecordBuilder, input: &Path) {
    let absent = b.absent_fields();
    if !absent.is_empty() {
        eprintln!(
            "note: {} has no column for {} (profile `{}`): conditions over {} stay unknown and lower coverage",
            display(input),
            absent
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", "),
            p.name,
            if absent.len() == 1 { "it" } else { "them" }
        );
    }
}

pub fn partial_path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    out.with_file_name(format!(".{name}.partial"))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
