//! `icp runs` and `icp runs show ID`: the run history kept in the store.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use icp_engine::Config;
use icp_store::{RunRecord, RunStatus, SqliteStore, Store};
use serde_json::{Value, json};

use crate::enrich_cmd::{format_time, store_path};
use crate::summary::group;
use crate::{Failure, display};

/// Where the store is: the same rules as `icp enrich`.
#[derive(Args, Clone)]
pub struct StoreArgs {
    /// The store (cache and runs): a path or `sqlite://PATH`; default: the
    /// config's `store`.
    #[arg(long, value_name = "URL", env = "ICP_STORE", global = true)]
    pub store: Option<String>,
    /// The run config whose `store` to read when --store and ICP_STORE are
    /// absent.
    #[arg(long, short = 'c', value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
}

impl StoreArgs {
    /// Opens the existing store (a missing file is an error, not a new,
    /// empty store).
    pub fn open(&self) -> Result<SqliteStore, Failure> {
        let path = store_path(self.store.as_deref(), || match &self.config {
            Some(c) => Config::load(c)
                .map(|cfg| cfg.store_path())
                .map_err(|e| Failure::usage(e.to_string())),
            None => Err(Failure::usage(
                "say which store to read: --store PATH, ICP_STORE, or --config FILE (its `store`)",
            )),
        })?;
        if !path.exists() {
            return Err(Failure::usage(format!(
                "there is no store at {}: no run was recorded there (pass the --store or --config that `icp enrich` used)",
                display(&path)
            )));
        }
        SqliteStore::open(&path).map_err(|e| Failure::fatal(e.to_string()))
    }
}

#[derive(Args)]
pub struct RunsArgs {
    #[command(subcommand)]
    pub command: Option<RunsCommand>,
    #[command(flatten)]
    pub store: StoreArgs,
    /// Show at most this many runs, newest first.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: usize,
    /// Print JSON instead of a table.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum RunsCommand {
    /// One run's details: the summary it stored (`--json`: as stored).
    Show(ShowArgs),
}

#[derive(Args)]
pub struct ShowArgs {
    /// The run id (the first column of `icp runs`).
    pub id: i64,
}

/// A current-thread runtime: the SQLite store does its work inline.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| Failure::fatal(format!("cannot start the async runtime: {e}")))
}

pub fn run(args: RunsArgs) -> Result<u8, Failure> {
    let store = args.store.open()?;
    let rt = runtime()?;
    match args.command {
        None => list(&rt, &store, args.limit, args.json),
        Some(RunsCommand::Show(s)) => show(&rt, &store, s.id, args.json),
    }
}

/// A run id that must exist: a missing one is the user's error (exit 2).
pub fn find_run(
    rt: &tokio::runtime::Runtime,
    store: &SqliteStore,
    id: i64,
) -> Result<RunRecord, Failure> {
    rt.block_on(store.run(id)).map_err(|e| match e {
        icp_store::StoreError::NoSuchRun(_) => Failure::usage(format!(
            "{e}: `icp runs` lists the runs of {}",
            store.path()
        )),
        e => Failure::fatal(e.to_string()),
    })
}

fn status_text(s: RunStatus) -> &'static str {
    match s {
        RunStatus::Running => "running",
        RunStatus::Done => "done",
        RunStatus::DoneWithStoppedSources => "stopped-sources",
        RunStatus::Failed => "failed",
    }
}

/// Seconds the run took: the summary's, else finished - started.
fn seconds(r: &RunRecord) -> Option<f64> {
    r.summary["seconds"]
        .as_f64()
        .or_else(|| r.finished_at.map(|f| (f - r.started_at) as f64))
}

fn duration_text(secs: Option<f64>) -> String {
    match secs {
        None => "-".into(),
        Some(s) if s < 60.0 => format!("{s:.1} s"),
        Some(s) if s < 3600.0 => format!("{}m {:02}s", (s / 60.0) as u64, s as u64 % 60),
        Some(s) => format!("{}h {:02}m", (s / 3600.0) as u64, (s as u64 % 3600) / 60),
    }
}

fn started_text(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

fn count(v: &Value) -> u64 {
    v.as_u64().unwrap_or(0)
}

/// Provider calls over every source of the summary.
fn calls(summary: &Value) -> u64 {
    summary["sources"]
        .as_object()
        .map_or(0, |m| m.values().map(|s| count(&s["calls"])).sum())
}

/// Tier counts of the first profile: 1/2/3/excluded.
fn tiers_text(summary: &Value) -> String {
    if summary["tiers"].is_null() {
        return "-".into();
    }
    ["1", "2", "3", "excluded"]
        .iter()
        .map(|t| count(&summary["tiers"][*t]).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

fn list(
    rt: &tokio::runtime::Runtime,
    store: &SqliteStore,
    limit: usize,
    json: bool,
) -> Result<u8, Failure> {
    let runs = rt
        .block_on(store.runs(limit))
        .map_err(|e| Failure::fatal(e.to_string()))?;
    if json {
        let rows: Vec<Value> = runs
            .iter()
            .map(|r| {
                let s = &r.summary;
                json!({
                    "id": r.id,
                    "label": r.label,
                    "status": r.status,
                    "as_of": r.as_of,
                    "started_at": format_time(r.started_at),
                    "finished_at": r.finished_at.map(format_time),
                    "seconds": seconds(r),
                    "accounts": s["accounts"].as_u64(),
                    "rows_read": s["rows_read"].as_u64(),
                    "calls": calls(s),
                    "credits_spent": s["credits_spent"].as_f64().unwrap_or(0.0),
                    "tiers": s["tiers"],
                })
            })
            .collect();
        let text =
            serde_json::to_string_pretty(&rows).map_err(|e| Failure::fatal(e.to_string()))?;
        println!("{text}");
        return Ok(0);
    }
    if runs.is_empty() {
        println!("no runs in {}", store.path());
        return Ok(0);
    }
    print!("{}", render_list(&runs));
    Ok(0)
}

fn render_list(runs: &[RunRecord]) -> String {
    let mut out = format!(
        "{:>4}  {:<19}  {:>8}  {:<15}  {:>8}  {:>9}  {:>6}  {:>7}  {:<15}  {}\n",
        "id",
        "started (UTC)",
        "duration",
        "status",
        "accounts",
        "rows read",
        "calls",
        "credits",
        "tiers 1/2/3/x",
        "label"
    );
    for r in runs {
        let s = &r.summary;
        let opt = |v: &Value| v.as_u64().map_or("-".into(), group);
        out.push_str(&format!(
            "{:>4}  {:<19}  {:>8}  {:<15}  {:>8}  {:>9}  {:>6}  {:>7}  {:<15}  {}\n",
            r.id,
            started_text(r.started_at),
            duration_text(seconds(r)),
            status_text(r.status),
            opt(&s["accounts"]),
            opt(&s["rows_read"]),
            group(calls(s)),
            s["credits_spent"].as_f64().unwrap_or(0.0),
            tiers_text(s),
            r.label
        ));
    }
    out
}

fn show(
    rt: &tokio::runtime::Runtime,
    store: &SqliteStore,
    id: i64,
    json: bool,
) -> Result<u8, Failure> {
    let r = find_run(rt, store, id)?;
    if json {
        let text =
            serde_json::to_string_pretty(&r.summary).map_err(|e| Failure::fatal(e.to_string()))?;
        println!("{text}");
        return Ok(0);
    }
    print!("{}", render_show(&r));
    Ok(0)
}

fn render_show(r: &RunRecord) -> String {
    let s = &r.summary;
    let mut out = format!("run {}: {}\n", r.id, r.label);
    let kv = |out: &mut String, k: &str, v: String| out.push_str(&format!("  {k:<14}{v}\n"));
    kv(&mut out, "status", status_text(r.status).into());
    kv(&mut out, "as of", r.as_of.clone());
    kv(&mut out, "started", format_time(r.started_at));
    kv(
        &mut out,
        "finished",
        r.finished_at.map_or("-".into(), format_time),
    );
    kv(&mut out, "duration", duration_text(seconds(r)));
    if s.is_null() {
        out.push_str("  no summary stored yet (the run was stopped before its first checkpoint)\n");
        return out;
    }
    if let (Some(i), Some(o)) = (s["input"].as_str(), s["output"].as_str()) {
        kv(&mut out, "files", format!("{i} -> {o}"));
    }
    let line = |out: &mut String, label: &str, value: String, note: &str| {
        out.push_str(format!("  {label:<16}{value:>12}  {note}").trim_end());
        out.push('\n');
    };
    line(&mut out, "rows read", group(count(&s["rows_read"])), "");
    let note = s["rejects"]
        .as_str()
        .map_or(String::new(), |p| format!("see {p}"));
    line(
        &mut out,
        "rows skipped",
        group(count(&s["rows_skipped"])),
        &note,
    );
    let mut sections: Vec<(String, &Value)> = match s["profiles"].as_object() {
        Some(m) if !m.is_empty() => m.iter().map(|(k, v)| (format!(" {k}"), v)).collect(),
        _ => Vec::new(),
    };
    if sections.is_empty() && !s["tiers"].is_null() {
        sections.push((String::new(), s));
    }
    for (name, c) in sections {
        out.push_str(&format!("profile{name}\n"));
        line(
            &mut out,
            "TAM",
            group(count(&c["tam"])),
            "all accounts scored",
        );
        line(
            &mut out,
            "SAM",
            group(count(&c["sam"])),
            "passing the filters",
        );
        for t in ["1", "2", "3", "excluded"] {
            let label = if t == "excluded" {
                "excluded".to_string()
            } else {
                format!("tier {t}")
            };
            let note = if t == "1" { "SOM" } else { "" };
            line(&mut out, &label, group(count(&c["tiers"][t])), note);
        }
        if let Some(ex) = c["excluded_by"].as_object().filter(|m| !m.is_empty()) {
            out.push_str("  excluded by\n");
            for (f, k) in ex {
                out.push_str(&format!("    {:>10}  {f}\n", group(count(k))));
            }
        }
    }
    out.push_str(&format!(
        "accounts\n  unique          {:>12}  duplicates merged: {}\n",
        group(count(&s["accounts"])),
        group(count(&s["duplicates_merged"]))
    ));
    if count(&s["accounts_with_errors"]) > 0 {
        out.push_str(&format!(
            "  with errors     {:>12}  see the icp_errors column\n",
            group(count(&s["accounts_with_errors"]))
        ));
    }
    out.push_str("sources           calls   cached    found  no data   failed  429s  credits\n");
    if let Some(sources) = s["sources"].as_object() {
        for (name, x) in sources {
            out.push_str(&format!(
                "  {:<14}{:>7}  {:>7}  {:>7}  {:>7}  {:>7}  {:>4}  {:>7}\n",
                name,
                count(&x["calls"]),
                count(&x["cache_hits"]),
                count(&x["found"]),
                count(&x["no_data"]),
                count(&x["failed"]),
                count(&x["throttled"]),
                x["credits"].as_f64().unwrap_or(0.0)
            ));
        }
    }
    out.push_str(&format!(
        "  credits spent: {}\n",
        s["credits_spent"].as_f64().unwrap_or(0.0)
    ));
    if let Some(stopped) = s["stopped"].as_object().filter(|m| !m.is_empty()) {
        out.push_str("stopped sources\n");
        for (name, why) in stopped {
            out.push_str(&format!("  {name}: {}\n", why.as_str().unwrap_or("")));
        }
    }
    if let Some(skipped) = s["skipped"].as_array().filter(|a| !a.is_empty()) {
        out.push_str("skipped rows\n");
        for x in skipped.iter().take(10) {
            out.push_str(&format!(
                "  line {}: {}\n",
                count(&x["line"]),
                x["reason"].as_str().unwrap_or("")
            ));
        }
        let total = count(&s["rows_skipped"]);
        if total > 10 {
            out.push_str(&format!("  ... and {} more\n", group(total - 10)));
        }
    }
    out
}
