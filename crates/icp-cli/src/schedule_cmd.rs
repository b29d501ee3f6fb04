//! `icp schedule`: the config's scheduled jobs, each fired on its schedule
//! as a child `icp run JOB -q`; one child per job at a time; the last fire
//! of each job kept beside the store for `on_missed` after downtime.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::Args;
use icp_engine::Config;
use icp_engine::config::OnMissed;
use serde::{Deserialize, Serialize};

use crate::enrich_cmd::store_path;
use crate::schedule::{Missed, Schedule, missed, next_fire};
use crate::{Failure, display};

/// How long running jobs get to stop after SIGTERM before they are killed.
const GRACE: Duration = Duration::from_secs(30);

#[derive(Args)]
pub struct ScheduleArgs {
    /// The run config.
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: PathBuf,
    /// The store (default: the config's).
    #[arg(long, value_name = "URL", env = "ICP_STORE")]
    pub store: Option<String>,
}

struct Job {
    name: String,
    schedule: Schedule,
    on_missed: OnMissed,
    next: Option<DateTime<Utc>>,
    child: Option<Child>,
}

/// `<store>.schedule.json`: each job's last fire.
#[derive(Default, Serialize, Deserialize)]
struct State {
    #[serde(default)]
    jobs: BTreeMap<String, JobState>,
}

#[derive(Serialize, Deserialize)]
struct JobState {
    /// RFC 3339, UTC.
    last_fire: String,
}

impl State {
    fn load(path: &Path) -> Result<State, Failure> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                Failure::fatal(format!(
                    "{} is not a schedule state file ({e}); remove it to start afresh",
                    display(path)
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(e) => Err(Failure::fatal(format!(
                "cannot read {}: {e}",
                display(path)
            ))),
        }
    }

    fn last_fire(&self, job: &str) -> Option<DateTime<Utc>> {
        let s = &self.jobs.get(job)?.last_fire;
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    fn set_last_fire(&mut self, job: &str, t: DateTime<Utc>) {
        self.jobs.insert(
            job.to_string(),
            JobState {
                last_fire: t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            },
        );
    }

    /// Written to a temporary file and renamed over the old one.
    fn save(&self, path: &Path) -> std::io::Result<()> {
        let tmp = path.with_extension("json.tmp");
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(&tmp, text + "\n")?;
        std::fs::rename(&tmp, path)
    }
}

fn log(message: impl std::fmt::Display) {
    eprintln!(
        "{} {message}",
        Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
}

fn shown(t: DateTime<Utc>, schedule: &Schedule) -> String {
    format!(
        "{} {} ({} UTC)",
        t.with_timezone(&schedule.1).format("%Y-%m-%d %H:%M %a"),
        schedule.1,
        t.format("%Y-%m-%d %H:%M")
    )
}

pub fn run(args: ScheduleArgs) -> Result<u8, Failure> {
    let cfg = Config::load(&args.config).map_err(|e| Failure::usage(e.to_string()))?;
    let mut jobs = Vec::new();
    for j in &cfg.jobs {
        if let Some(schedule) = j.schedule().map_err(Failure::usage)? {
            jobs.push(Job {
                name: j.name.clone(),
                schedule,
                on_missed: j.on_missed,
                next: None,
                child: None,
            });
        }
    }
    if jobs.is_empty() {
        return Err(Failure::usage(format!(
            "{} has no job with a schedule: add e.g. schedule = \"0 6 * * MON\" to a [[jobs]] table (or run a job now with `icp run JOB`)",
            display(&args.config)
        )));
    }
    let store = store_path(args.store.as_deref(), || Ok(cfg.store_path()))?;
    let state_path = store.with_file_name(format!(
        "{}.schedule.json",
        store
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    ));
    let state = State::load(&state_path)?;
    let exe = std::env::current_exe()
        .map_err(|e| Failure::fatal(format!("cannot find the icp executable: {e}")))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::fatal(format!("cannot start the scheduler: {e}")))?;
    let mut daemon = Daemon {
        exe,
        config: args.config,
        store: args.store,
        state,
        state_path,
        jobs,
    };
    runtime.block_on(daemon.run())
}

struct Daemon {
    exe: PathBuf,
    config: PathBuf,
    store: Option<String>,
    state: State,
    state_path: PathBuf,
    jobs: Vec<Job>,
}

impl Daemon {
    async fn run(&mut self) -> Result<u8, Failure> {
        let mut stop = Stop::new()?;
        let now = Utc::now();
        let mut due_now = Vec::new();
        for (i, job) in self.jobs.iter_mut().enumerate() {
            let last = self.state.last_fire(&job.name);
            match missed(Some(&job.schedule), job.on_missed, last, now) {
                Missed::Nothing => {}
                Missed::Skip { first } => log(format_args!(
                    "job {}: missed its fire at {} while down; on_missed = \"skip\"",
                    job.name,
                    shown(first, &job.schedule)
                )),
                Missed::RunOnce { first } => {
                    log(format_args!(
                        "job {}: missed its fire at {} while down; on_missed = \"run_once\": running it now",
                        job.name,
                        shown(first, &job.schedule)
                    ));
                    due_now.push(i);
                }
            }
            job.next = next_fire(Some(&job.schedule), now);
            match job.next {
                Some(t) => println!("job {}: next fire {}", job.name, shown(t, &job.schedule)),
                None => println!("job {}: its schedule never fires again", job.name),
            }
        }
        for i in due_now {
            self.fire(i, now);
        }
        loop {
            self.reap();
            let now = Utc::now();
            for i in 0..self.jobs.len() {
                if let Some(t) = self.jobs[i].next.filter(|t| *t <= now) {
                    self.fire(i, t);
                    let job = &mut self.jobs[i];
                    job.next = next_fire(Some(&job.schedule), now);
                    if let Some(n) = job.next {
                        log(format_args!(
                            "job {}: next fire {}",
                            job.name,
                            shown(n, &job.schedule)
                        ));
                    }
                }
            }
            // Wake at the earliest fire; every second while children run
            // (to log their end), at least every minute (clock changes).
            let cap = if self.jobs.iter().any(|j| j.child.is_some()) {
                Duration::from_secs(1)
            } else {
                Duration::from_secs(60)
            };
            let wait = self
                .jobs
                .iter()
                .filter_map(|j| j.next)
                .min()
                .map(|t| (t - Utc::now()).to_std().unwrap_or(Duration::ZERO))
                .unwrap_or(cap)
                .min(cap);
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stop.recv() => break,
            }
        }
        self.shutdown().await;
        Ok(0)
    }

    /// Start the job's child unless the last one is still running.
    fn fire(&mut self, i: usize, at: DateTime<Utc>) {
        let job = &mut self.jobs[i];
        self.state.set_last_fire(&job.name, at);
        if let Err(e) = self.state.save(&self.state_path) {
            log(format_args!(
                "cannot write {}: {e}",
                display(&self.state_path)
            ));
        }
        if let Some(child) = &mut job.child
            && matches!(child.try_wait(), Ok(None))
        {
            log(format_args!(
                "job {} is still running; skipping this fire",
                job.name
            ));
            return;
        }
        let mut cmd = Command::new(&self.exe);
        cmd.arg("run")
            .arg(&job.name)
            .arg("--config")
            .arg(&self.config);
        if let Some(s) = &self.store {
            cmd.arg("--store").arg(s);
        }
        cmd.arg("-q");
        match cmd.spawn() {
            Ok(child) => {
                log(format_args!(
                    "job {}: started (pid {})",
                    job.name,
                    child.id()
                ));
                job.child = Some(child);
            }
            Err(e) => log(format_args!("job {}: cannot start: {e}", job.name)),
        }
    }

    /// Log and forget the children that have ended.
    fn reap(&mut self) {
        for job in &mut self.jobs {
            let Some(child) = &mut job.child else {
                continue;
            };
            match child.try_wait() {
                Ok(None) => {}
                Ok(Some(status)) => {
                    match status.code() {
                        Some(code) => log(format_args!(
                            "job {}: finished with exit code {code}",
                            job.name
                        )),
                        None => log(format_args!("job {}: ended by a signal", job.name)),
                    }
                    job.child = None;
                }
                Err(e) => {
                    log(format_args!("job {}: cannot wait for it: {e}", job.name));
                    job.child = None;
                }
            }
        }
    }

    /// Stop: SIGTERM to running children, wait up to the grace period,
    /// kill what is left, save the state.
    async fn shutdown(&mut self) {
        let running: Vec<u32> = self
            .jobs
            .iter()
            .filter_map(|j| j.child.as_ref().map(Child::id))
            .collect();
        log(format_args!(
            "stopping: {} running job(s) asked to stop",
            running.len()
        ));
        for pid in running {
            terminate(pid);
        }
        let deadline = tokio::time::Instant::now() + GRACE;
        loop {
            self.reap();
            if self.jobs.iter().all(|j| j.child.is_none()) {
                break;
            }
            if tokio::time::Instant::now() >= deadline {
                for job in &mut self.jobs {
                    if let Some(child) = &mut job.child {
                        log(format_args!(
                            "job {}: still running after {}s; killing it",
                            job.name,
                            GRACE.as_secs()
                        ));
                        let _ = child.kill();
                        let _ = child.wait();
                        job.child = None;
                    }
                }
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        if let Err(e) = self.state.save(&self.state_path) {
            log(format_args!(
                "cannot write {}: {e}",
                display(&self.state_path)
            ));
        }
        log("stopped");
    }
}

/// SIGTERM to a child, which stops a resumable run (the cache keeps every
/// answer already paid for).
fn terminate(pid: u32) {
    #[cfg(unix)]
    {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(pid.to_string())
            .status();
    }
    #[cfg(not(unix))]
    {
        let _ = pid; // killed after the grace period
    }
}

/// SIGTERM or ctrl-c.
struct Stop {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

impl Stop {
    fn new() -> Result<Stop, Failure> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let err = |e| Failure::fatal(format!("cannot listen for signals: {e}"));
            Ok(Stop {
                term: signal(SignalKind::terminate()).map_err(err)?,
                int: signal(SignalKind::interrupt()).map_err(err)?,
            })
        }
        #[cfg(not(unix))]
        Ok(Stop {})
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}
