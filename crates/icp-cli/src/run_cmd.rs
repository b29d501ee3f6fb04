//! `icp run JOB`: one configured job now, as `icp enrich` with the job's
//! input, profiles and output; a lock beside the store keeps two runs of
//! one job from overlapping.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

use clap::Args;
use icp_engine::Config;
use icp_engine::config::{JobConfig, RefreshPolicy};

use icp_io::TableWriter;
use icp_store::{SqliteStore, Store};

use crate::enrich_cmd::{self, EnrichArgs, store_path};
use crate::{AsOfArg, Failure, InputArgs, display};

#[derive(Args)]
pub struct RunArgs {
    /// The job's name in the config's [[jobs]].
    pub job: String,
    /// The run config.
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: PathBuf,
    /// The store (default: the config's).
    #[arg(long, value_name = "URL", env = "ICP_STORE")]
    pub store: Option<String>,
    #[arg(long, short = 'q')]
    pub quiet: bool,
    #[command(flatten)]
    pub as_of: AsOfArg,
}

pub fn run(args: RunArgs) -> Result<u8, Failure> {
    let cfg = Config::load(&args.config).map_err(|e| Failure::usage(e.to_string()))?;
    let Some(job) = cfg.jobs.iter().find(|j| j.name == args.job) else {
        let names: Vec<&str> = cfg.jobs.iter().map(|j| j.name.as_str()).collect();
        return Err(Failure::usage(format!(
            "{} has no job `{}`; its jobs: {}",
            display(&args.config),
            args.job,
            if names.is_empty() {
                "none (add a [[jobs]] table)".to_string()
            } else {
                names.join(", ")
            }
        )));
    };
    let store_path = store_path(args.store.as_deref(), || Ok(cfg.store_path()))?;
    let _lock = lock(&store_path, &job.name)?;
    let date = args.as_of.date();
    let profiles: Vec<PathBuf> = if job.profiles.is_empty() {
        cfg.profile_paths()
    } else {
        job.profiles.iter().map(|p| cfg.dir.join(p)).collect()
    };
    let from_store = job.input == STORE_INPUT;
    let inputs = if from_store {
        vec![export_store(&store_path, &job.name, &profiles, date)?]
    } else {
        inputs(&cfg.dir, job)?
    };
    let mut worst = 0u8;
    for input in inputs {
        let stem = if from_store {
            STORE_INPUT.to_string()
        } else {
            input
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let out = cfg.dir.join(
            job.output
                .replace("{date}", &date.to_string())
                .replace("{input}", &stem),
        );
        if !args.quiet {
            eprintln!("job {}: {} -> {}", job.name, display(&input), display(&out));
        }
        let code = enrich_cmd::run(EnrichArgs {
            input,
            config: args.config.clone(),
            out: Some(out),
            profiles: profiles.clone(),
            key_column: None,
            provenance: job.provenance,
            dry_run: false,
            max_credits: None,
            store: args.store.clone(),
            refresh: job.refresh == RefreshPolicy::All,
            no_resume: false,
            summary_json: None,
            rejects: None,
            quiet: args.quiet,
            as_of: args.as_of.clone(),
            read: InputArgs::default(),
        })?;
        worst = worst.max(code);
    }
    Ok(worst)
}

/// A job input that means "the accounts already in the store".
pub const STORE_INPUT: &str = "store";

/// Write the store's accounts (members for member profiles) as they were
/// last read from their input files, to a CSV beside the store that the
/// job then enriches: cached values stay in the cache, so the refresh
/// policy decides what is fetched again.
fn export_store(
    store: &Path,
    job: &str,
    profiles: &[PathBuf],
    as_of: chrono::NaiveDate,
) -> Result<PathBuf, Failure> {
    let members = !profiles.is_empty()
        && profiles.iter().all(|p| {
            crate::profile_cmd::load(p, as_of, true)
                .is_ok_and(|(p, _)| p.entity == icp_core::Entity::Member)
        });
    let entity = if members { "member" } else { "account" };
    let db = SqliteStore::open(store).map_err(|e| Failure::fatal(e.to_string()))?;
    let rt = crate::runs_cmd::runtime()?;
    let page = |after: Option<&str>| {
        rt.block_on(db.accounts(entity, after, 1000))
            .map_err(|e| Failure::fatal(e.to_string()))
    };
    // Pass 1: the union of the input headers, in first-seen order.
    let mut headers: Vec<String> = Vec::new();
    let mut after: Option<String> = None;
    let mut count = 0usize;
    loop {
        let accounts = page(after.as_deref())?;
        let Some(last) = accounts.last() else { break };
        after = Some(last.key.clone());
        count += accounts.len();
        for a in &accounts {
            for h in a.input.keys() {
                if !headers.contains(h) {
                    headers.push(h.clone());
                }
            }
        }
    }
    if count == 0 {
        return Err(Failure::usage(format!(
            "job `{job}` reads the {entity}s in the store ({}), which has none yet: run a job with a file input or `icp enrich` first",
            display(store)
        )));
    }
    // Pass 2: one row per account.
    let path = with_suffix(store, &format!("job-{}.{entity}s.csv", safe_name(job)));
    let mut writer =
        TableWriter::create(&path, &headers).map_err(|e| Failure::fatal(e.to_string()))?;
    let mut after: Option<String> = None;
    loop {
        let accounts = page(after.as_deref())?;
        let Some(last) = accounts.last() else { break };
        after = Some(last.key.clone());
        for a in &accounts {
            let cells = headers
                .iter()
                .map(|h| a.input.get(h).and_then(|v| v.as_str()).unwrap_or(""));
            writer
                .write_row(cells)
                .map_err(|e| Failure::fatal(e.to_string()))?;
        }
    }
    writer.finish().map_err(|e| Failure::fatal(e.to_string()))?;
    Ok(path)
}

/// A job name as it may appear in a file name.
fn safe_name(job: &str) -> String {
    job.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `store.db` -> `store.db.<suffix>`, beside it.
fn with_suffix(store: &Path, suffix: &str) -> PathBuf {
    store.with_file_name(format!(
        "{}.{suffix}",
        store
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    ))
}

/// The job's input files: one path, or every match of a glob, sorted.
fn inputs(dir: &Path, job: &JobConfig) -> Result<Vec<PathBuf>, Failure> {
    let pattern = dir.join(&job.input);
    if !job.input.contains(['*', '?', '[']) {
        return Ok(vec![pattern]);
    }
    let text = pattern.to_string_lossy();
    let mut found: Vec<PathBuf> = glob::glob(&text)
        .map_err(|e| {
            Failure::usage(format!(
                "job `{}`: input {text:?} is not a usable glob: {e}",
                job.name
            ))
        })?
        .filter_map(Result::ok)
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    if found.is_empty() {
        return Err(Failure::usage(format!(
            "job `{}`: no file matches {text}",
            job.name
        )));
    }
    Ok(found)
}

/// A lock file beside the store, held while the job runs: a second run of
/// the same job (cron firing while the last run is still going) is refused.
fn lock(store: &Path, job: &str) -> Result<File, Failure> {
    let path = with_suffix(store, &format!("job-{}.lock", safe_name(job)));
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| Failure::fatal(format!("cannot create {}: {e}", display(parent))))?;
    }
    let file = File::create(&path).map_err(|e| {
        Failure::fatal(format!(
            "cannot create the job lock {}: {e}",
            display(&path)
        ))
    })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(Failure::fatal(format!(
            "job `{job}` is already running (it holds {}); not starting a second run",
            display(&path)
        ))),
        Err(TryLockError::Error(e)) => Err(Failure::fatal(format!(
            "cannot lock {}: {e}",
            display(&path)
        ))),
    }
}
