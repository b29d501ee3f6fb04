//! `icp learn CUSTOMERS --outcome COLUMN --out PROFILE.toml`: measure each
//! candidate trait's lift over an outcome, write the proposed profile and
//! print the evidence and the held-out ranking check (the logic lives in
//! icp_analytics::learn).

use std::path::{Path, PathBuf};

use icp_analytics::Dataset;
use icp_analytics::dataset::OutcomeRule;
use icp_analytics::fmt::group;
use icp_analytics::learn::write::{fmt_lift, pct};
use icp_analytics::learn::{self, LearnError, LearnOptions, LearnReport, Ranking};

use crate::{Failure, InputArgs, display};

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EntityArg {
    Account,
    Member,
}

#[derive(clap::Args)]
pub struct LearnArgs {
    /// Customers with an outcome (CSV, JSONL or XLSX), ideally enriched
    /// (industry, employees, technologies, ...).
    pub customers: PathBuf,
    /// The outcome column: yes/no, true/false, won/lost, retained/churned,
    /// 1/0; a number (NPS, lifetime value) is good at or above its median.
    #[arg(long, value_name = "COLUMN")]
    pub outcome: String,
    /// Where the proposed profile is written (TOML).
    #[arg(long, value_name = "PROFILE.toml")]
    pub out: PathBuf,
    /// Outcome values that count as good, comma-separated (e.g.
    /// `--good "closed won,renewed"`); every other value is bad.
    #[arg(
        long,
        value_name = "VALUES",
        value_delimiter = ',',
        conflicts_with = "good_above"
    )]
    pub good: Vec<String>,
    /// A numeric outcome is good above N (e.g. `--good-above 8` for NPS).
    #[arg(long, value_name = "N")]
    pub good_above: Option<f64>,
    /// The profile's name; the --out file's name when absent.
    #[arg(long)]
    pub name: Option<String>,
    /// `account` (ICP) or `member` (ICMP).
    #[arg(long, value_enum, default_value = "account")]
    pub entity: EntityArg,
    /// Also write everything measured (traits, filters, every candidate,
    /// the model, the metrics) as JSON; `icp report` reads it.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Share of rows kept aside to check the profile on (0 to 0.9).
    #[arg(long, default_value_t = 0.2, value_name = "SHARE")]
    pub holdout: f64,
    /// Seed of the held-out split (the same seed gives the same split).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Least training rows with an outcome a value, item or band needs to
    /// be measured.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub min_support: usize,
    /// Confidence of the intervals, over all candidates together.
    #[arg(long, default_value_t = 0.95)]
    pub confidence: f64,
    /// Most traits the profile proposes (it should fit on one slide).
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub max_traits: usize,
    /// Columns never used as traits, comma-separated (e.g. `--exclude
    /// "Deal Owner,Amount"`).
    #[arg(long, value_name = "COLUMNS", value_delimiter = ',')]
    pub exclude: Vec<String>,
    /// Columns to use even though they look like part of the outcome.
    #[arg(long, value_name = "COLUMNS", value_delimiter = ',')]
    pub keep: Vec<String>,
    /// Skip the logistic-regression comparison.
    #[arg(long)]
    pub no_model: bool,
    /// Most training rows the logistic model is fitted on (evenly spread
    /// over the file); the profile always learns from all of them.
    #[arg(long, default_value_t = 30_000, value_name = "N")]
    pub model_rows: usize,
    /// Print only the line naming the files written.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    #[command(flatten)]
    pub read: InputArgs,
}

pub fn run(args: LearnArgs) -> Result<u8, Failure> {
    let input = display(&args.customers);
    if same_file(&args.customers, &args.out) {
        return Err(Failure::usage(format!(
            "--out {} is the input file: write the profile elsewhere (e.g. --out learned.toml)",
            display(&args.out)
        )));
    }
    let rule = match (&args.good[..], args.good_above) {
        ([], None) => OutcomeRule::Auto,
        ([], Some(n)) if n.is_finite() => OutcomeRule::GoodAbove(n),
        ([], Some(n)) => return Err(Failure::usage(format!("--good-above {n} is not a number"))),
        (values, _) => OutcomeRule::Good(
            values
                .iter()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .collect(),
        ),
    };
    let name = args.name.clone().unwrap_or_else(|| {
        args.out
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| "learned".into())
    });
    let started = std::time::Instant::now();
    let data = Dataset::load(&args.customers, &args.read.read_options()?).map_err(|e| match e {
        icp_analytics::LoadError::Open(e) => Failure::usage(e.to_string()),
        e => Failure::fatal(e.to_string()),
    })?;
    let opts = LearnOptions {
        outcome: args.outcome.clone(),
        rule,
        name,
        entity: match args.entity {
            EntityArg::Account => icp_core::Entity::Account,
            EntityArg::Member => icp_core::Entity::Member,
        },
        source: Some(
            args.customers
                .file_name()
                .map_or_else(|| input.clone(), |f| f.to_string_lossy().into_owned()),
        ),
        holdout: args.holdout,
        seed: args.seed,
        min_support: args.min_support,
        confidence: args.confidence,
        max_traits: args.max_traits,
        exclude: args.exclude.clone(),
        keep: args.keep.clone(),
        model: !args.no_model,
        model_rows: args.model_rows,
    };
    let loaded = started.elapsed();
    let learned = learn::learn(&data, &opts).map_err(|e| match e {
        LearnError::Internal(_) => Failure::fatal(format!("{input}: {e}")),
        e => Failure::usage(format!("{input}: {e}")),
    })?;
    tracing::info!(
        rows = data.len(),
        columns = data.columns.len(),
        load_seconds = loaded.as_secs_f64(),
        learn_seconds = (started.elapsed() - loaded).as_secs_f64(),
        "icp learn timings"
    );
    write_atomic(&args.out, learned.profile_toml.as_bytes())?;
    if let Some(json) = &args.json {
        let text = serde_json::to_string_pretty(&learned.report)
            .map_err(|e| Failure::fatal(format!("cannot encode the report: {e}")))?;
        write_atomic(json, format!("{text}\n").as_bytes())?;
    }
    let r = &learned.report;
    if !args.quiet {
        print!("{}", summary(&input, r));
    }
    if let Some(first) = data.skipped.first() {
        eprintln!(
            "warning: {} row{} of {input} could not be read and were left out (first: line {}: {})",
            data.skipped.len(),
            if data.skipped.len() == 1 { "" } else { "s" },
            first.line,
            first.reason
        );
    }
    for w in &r.warnings {
        eprintln!("warning: {w}");
    }
    let out = display(&args.out);
    match &args.json {
        Some(j) => println!(
            "wrote {out} (check it: icp profile check {out}) and {}",
            display(j)
        ),
        None => println!("wrote {out} (check it: icp profile check {out})"),
    }
    Ok(0)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Write to `PATH.partial`, then move it into place.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".partial");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Failure::fatal(format!("cannot write {}: {e}", display(path)))
        })
}

/// Cut a name to `width` characters.
fn fit(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    format!("{s}{}", " ".repeat(width.saturating_sub(n)))
}

/// A few words for why a column was left out.
fn short_reason(reason: &str) -> String {
    if reason.starts_with("an identifier") {
        "identifiers and names".into()
    } else if reason.starts_with("a date") {
        "dates".into()
    } else if reason.contains("part of the outcome") {
        "likely part of the outcome".into()
    } else if reason.contains("--exclude") {
        "--exclude".into()
    } else if reason.starts_with("an icp output") || reason.starts_with("provenance") {
        "icp's own columns".into()
    } else if reason.contains("free text") {
        "free text".into()
    } else {
        fit(reason, 50)
    }
}

/// The text `icp learn` prints.
pub fn summary(input: &str, r: &LearnReport) -> String {
    let mut s = String::new();
    let o = &r.outcome;
    let sp = &r.split;
    s.push_str(&format!("icp learn: {input}\n"));
    s.push_str(&format!(
        "  outcome   {} ({} of {} rows have one; {} good, {})\n",
        o.rule,
        group(o.with_outcome as u64),
        group(o.rows as u64),
        group(o.good as u64),
        pct(o.base_rate)
    ));
    s.push_str(&format!(
        "  split     learned on {} rows ({} good), {} held out (seed {})\n",
        group(sp.train_rows as u64),
        group(sp.train_good as u64),
        group(sp.holdout_rows as u64),
        sp.seed
    ));
    s.push_str(&format!(
        "  measured  {} candidate traits (values, list items, bands, filled in)\n",
        r.settings.candidates_tested
    ));
    // Columns left out, grouped by why.
    let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
    for c in r
        .skipped_columns
        .iter()
        .filter(|c| c.reason != "the outcome")
    {
        let why = short_reason(&c.reason);
        match groups.iter_mut().find(|(w, _)| *w == why) {
            Some((_, cols)) => cols.push(&c.column),
            None => groups.push((why, vec![&c.column])),
        }
    }
    for (i, (why, cols)) in groups.iter().enumerate() {
        s.push_str(&format!(
            "  {}{} ({why})\n",
            if i == 0 { "left out  " } else { "          " },
            fit(&cols.join(", "), 60)
        ));
    }

    let width = r
        .traits
        .iter()
        .map(|t| t.name.chars().count())
        .chain(r.filters.iter().map(|f| f.name.chars().count()))
        .max()
        .unwrap_or(10)
        .clamp(12, 44);
    if !r.filters.is_empty() {
        s.push_str(&format!(
            "\n  {}  {:>9}  {:>5}  {:>8}\n",
            pad("filter (never good)", width),
            "left out",
            "good",
            "expected"
        ));
        for f in &r.filters {
            s.push_str(&format!(
                "  {}  {:>9}  {:>5}  {:>8.1}\n",
                pad(&fit(&f.name, width), width),
                group(f.excluded as u64),
                f.excluded_good,
                f.expected_good
            ));
        }
    }
    s.push_str(&format!(
        "\n  {}  {:>6}  {:>5}  {:>11}  {:>8}  {:>6}\n",
        pad("trait", width),
        "weight",
        "lift",
        "interval",
        "support",
        "good"
    ));
    if r.traits.is_empty() {
        s.push_str("  (none: no trait passed the weight rule)\n");
    }
    for t in &r.traits {
        s.push_str(&format!(
            "  {}  {:>6}  {:>5}  {:>11}  {:>8}  {:>6}\n",
            pad(&fit(&t.name, width), width),
            format!("{:+}", t.weight),
            fmt_lift(t.lift),
            format!("{}-{}", fmt_lift(t.lift_lo), fmt_lift(t.lift_hi)),
            group(t.support as u64),
            pct(t.good_rate)
        ));
    }
    s.push_str(&format!(
        "\n  tiers     tier 1 at {} ({} of training rows), tier 2 at {} ({}); scores {}..{}\n",
        r.tiers.tier1,
        pct(r.tiers.share_tier1),
        r.tiers.tier2,
        pct(r.tiers.share_tier2),
        r.tiers.min_score,
        r.tiers.max_score
    ));

    let (m, on) = match (&r.metrics.holdout, &r.metrics.train) {
        (Some(h), _) => (Some(h), "held-out"),
        (None, Some(t)) => (Some(t), "training (in-sample)"),
        _ => (None, ""),
    };
    if let Some(m) = m {
        let head = format!(
            "ranking on {} {on} rows ({} good)",
            group(m.rows as u64),
            group(m.good as u64)
        );
        let w = head.chars().count().max(32);
        s.push_str(&format!(
            "\n  {}  {:>5}  {:>11}  {:>15}\n",
            pad(&head, w),
            "AUC",
            "interval",
            "top-decile lift"
        ));
        let row = |label: &str, k: &Ranking| {
            format!(
                "  {}  {:>5.2}  {:>11}  {:>15}\n",
                pad(label, w),
                k.auc,
                format!("{:.2}-{:.2}", k.auc_lo, k.auc_hi),
                format!("{:.1}x", k.top_decile_lift)
            )
        };
        s.push_str(&row("learned profile", &m.profile));
        if let (Some(k), Some(model)) = (&m.model, &r.model) {
            s.push_str(&row(
                &format!("logistic model ({} features)", model.features),
                k,
            ));
            let top: Vec<String> = model
                .strongest
                .iter()
                .take(5)
                .map(|(f, w)| format!("{f} {w:+.2}"))
                .collect();
            s.push_str("  the model's strongest features (standardised coefficients):\n");
            let mut line = String::from("   ");
            for (i, t) in top.iter().enumerate() {
                let sep = if i + 1 < top.len() { "," } else { "" };
                if line.chars().count() + t.chars().count() > 88 {
                    s.push_str(&format!("{line}\n"));
                    line = String::from("   ");
                }
                line.push_str(&format!(" {t}{sep}"));
            }
            s.push_str(&format!("{line}\n"));
        }
    }
    s.push_str(&format!("\n  {}\n\n", r.verdict));
    s
}
