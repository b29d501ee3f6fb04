//! The `icp` command.

mod cohorts_cmd;
mod diagnostics;
mod diff_cmd;
mod enrich_cmd;
mod learn_cmd;
mod plugins_cmd;
mod plugins_new;
mod profile_cmd;
mod progress;
mod report_cmd;
mod run_cmd;
mod runs_cmd;
mod schedule;
mod schedule_cmd;
mod score_cmd;
mod segment_cmd;
mod serve_cmd;
mod size_cmd;
mod summary;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Score accounts and community members against an Ideal Customer Profile.
#[derive(Parser)]
#[command(name = "icp", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Log lines on stderr as `text` or `json` (one object per line).
    /// Verbosity: ICP_LOG or RUST_LOG, e.g. `ICP_LOG=icp_engine=debug`.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

/// Logs go to stderr; warnings by default. Secrets are scrubbed where the
/// lines are made (icp-engine's redactor), never here.
fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("ICP_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.with_target(false).try_init(),
    };
}

#[derive(Subcommand)]
enum Command {
    /// Score an account or member file against one or more profiles.
    Score(score_cmd::ScoreArgs),
    /// Enrich an account list from the configured sources (cached,
    /// rate-limited, resumable), then score and write one row per account.
    Enrich(enrich_cmd::EnrichArgs),
    /// Run one of the config's [[jobs]] now (as `icp enrich` with the job's
    /// input, profiles and output); a second run of a job is refused while
    /// one is going.
    Run(run_cmd::RunArgs),
    /// Run the config's scheduled [[jobs]] on their schedules until
    /// stopped (SIGTERM or ctrl-c); one process per machine.
    Schedule(schedule_cmd::ScheduleArgs),
    /// Work with profile files.
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// Data-source plugins: the built-in ones and dynamic libraries.
    #[command(subcommand)]
    Plugins(PluginsCommand),
    /// Serve scoring over HTTP: POST /v1/score, /healthz, /metrics,
    /// /v1/openapi.json (docs/serve.md).
    Serve(serve_cmd::ServeArgs),
    /// The runs recorded in the store, newest first; `show ID` for one.
    Runs(runs_cmd::RunsArgs),
    /// Accounts that changed tier between two runs, and the traits why.
    Diff(diff_cmd::DiffArgs),
    /// Learn a profile from customers with an outcome (won/lost,
    /// retained/churned, NPS): lift and support per trait, proposed weights,
    /// and how the profile and a logistic model rank held-out customers.
    Learn(learn_cmd::LearnArgs),
    /// Cluster accounts into segments (k-prototypes over mixed fields) and
    /// describe each one, with its win rate when outcomes are present.
    Segment(segment_cmd::SegmentArgs),
    /// Signup-cohort retention table and PMF indicators (referral share,
    /// NPS of referred customers, retention by segment).
    Cohorts(cohorts_cmd::CohortsArgs),
    /// TAM / SAM / SOM counts and value (annual contract value per tier).
    Size(size_cmd::SizeArgs),
    /// A self-contained HTML report of a run or scored file, with charts.
    Report(report_cmd::ReportArgs),
}

#[derive(Subcommand)]
enum PluginsCommand {
    /// List the built-in plugins, and with --config the configured sources
    /// and the libraries in its plugins_dir, with versions and fields.
    List(plugins_cmd::ListArgs),
    /// Load a plugin library, validate its manifest and run the
    /// conformance checks, including live ones against a local mock.
    Check(plugins_cmd::CheckArgs),
    /// Write a new dynamic plugin crate from the example, names filled in.
    New(plugins_new::NewArgs),
}

#[derive(Subcommand)]
enum ProfileCommand {
    /// Check a profile: errors with file, line and column; warnings for
    /// middle weights, conditions that can never hold, tier thresholds.
    Check(profile_cmd::CheckArgs),
}

/// Options for reading input files, shared by commands.
#[derive(Args, Clone, Default)]
pub struct InputArgs {
    /// CSV delimiter (`,` `;` `tab` `|`); sniffed when absent.
    #[arg(long, value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Text encoding (utf-8, windows-1252, ...); sniffed when absent.
    #[arg(long)]
    pub encoding: Option<String>,
    /// Worksheet of an XLSX input; the first sheet when absent.
    #[arg(long)]
    pub sheet: Option<String>,
}

fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        s if s.len() == 1 => Ok(s.as_bytes()[0]),
        _ => Err(format!(
            "`{s}` is not a one-character delimiter (use , ; | or tab)"
        )),
    }
}

impl InputArgs {
    pub fn read_options(&self) -> Result<icp_io::read::ReadOptions, Failure> {
        let encoding = match &self.encoding {
            None => None,
            Some(label) => Some(encoding_for(label)?),
        };
        Ok(icp_io::read::ReadOptions {
            delimiter: self.delimiter,
            encoding,
            sheet: self.sheet.clone(),
        })
    }
}

fn encoding_for(label: &str) -> Result<&'static encoding_rs::Encoding, Failure> {
    encoding_rs::Encoding::for_label(label.as_bytes()).ok_or_else(|| {
        Failure::usage(format!(
            "unknown encoding `{label}`: use e.g. utf-8 or windows-1252"
        ))
    })
}

/// Why a command failed, and its exit code.
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    /// Exit 2: a usage or config error the user can fix.
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: 2,
            message: message.into(),
        }
    }

    /// Exit 1: the run could not complete.
    pub fn fatal(message: impl Into<String>) -> Self {
        Failure {
            code: 1,
            message: message.into(),
        }
    }
}

/// The run's reference date: `--as-of` or today (UTC).
#[derive(Args, Clone)]
pub struct AsOfArg {
    /// Reference date for recency conditions and company age (YYYY-MM-DD);
    /// today when absent.
    #[arg(long, value_name = "DATE", value_parser = parse_as_of)]
    pub as_of: Option<chrono::NaiveDate>,
}

fn parse_as_of(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date: use YYYY-MM-DD"))
}

impl AsOfArg {
    pub fn date(&self) -> chrono::NaiveDate {
        self.as_of
            .unwrap_or_else(|| chrono::Utc::now().date_naive())
    }
}

pub fn display(p: &std::path::Path) -> String {
    p.display().to_string()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_format);
    let result = match cli.command {
        Command::Score(args) => score_cmd::run(args),
        Command::Enrich(args) => enrich_cmd::run(args),
        Command::Run(args) => run_cmd::run(args),
        Command::Schedule(args) => schedule_cmd::run(args),
        Command::Profile(ProfileCommand::Check(args)) => profile_cmd::check(args),
        Command::Plugins(PluginsCommand::List(args)) => plugins_cmd::list(args),
        Command::Plugins(PluginsCommand::Check(args)) => plugins_cmd::check(args),
        Command::Plugins(PluginsCommand::New(args)) => plugins_new::new(args),
        Command::Serve(args) => serve_cmd::run(args),
        Command::Runs(args) => runs_cmd::run(args),
        Command::Diff(args) => diff_cmd::run(args),
        Command::Learn(args) => learn_cmd::run(args),
        Command::Segment(args) => segment_cmd::run(args),
        Command::Cohorts(args) => cohorts_cmd::run(args),
        Command::Size(args) => size_cmd::run(args),
        Command::Report(args) => report_cmd::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}
