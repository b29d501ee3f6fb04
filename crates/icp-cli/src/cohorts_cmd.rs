//! `icp cohorts CUSTOMERS`: the share of each signup cohort that reached a
//! retention goal (never cumulative), and the PMF indicators: referral
//! share, NPS of referred customers, retention by segment.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use icp_analytics::cohorts::{self, CohortOptions, CohortReport, Goal, Nps, Period};
use icp_analytics::dataset::OutcomeRule;

use crate::segment_cmd::{align, load};
use crate::{Failure, InputArgs, display};

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    Month,
    Quarter,
}

#[derive(Args)]
pub struct CohortsArgs {
    /// Customers: CSV, JSONL or XLSX, one row per customer.
    pub input: PathBuf,
    /// The signup date column (default: the first of signup_date,
    /// created_at, Create Date, ... in the file).
    #[arg(long, value_name = "COLUMN")]
    pub signup: Option<String>,
    /// Cohort length.
    #[arg(long, value_enum, default_value = "month")]
    pub by: By,
    /// Retention goal as a yes/no column (retained/churned, true/false,
    /// 1/0); default: a column named Retained, Renewed, ... if present.
    #[arg(long, value_name = "COLUMN", conflicts_with = "goal_date")]
    pub goal: Option<String>,
    /// Goal values that count as reached (the rest do not).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "VALUES",
        requires = "goal",
        conflicts_with = "good_above"
    )]
    pub good: Option<Vec<String>>,
    /// Goal numbers above N count as reached.
    #[arg(long, value_name = "N", requires = "goal")]
    pub good_above: Option<f64>,
    /// Retention goal as a date column: reached when it falls within
    /// --within days of signup.
    #[arg(long, value_name = "COLUMN", requires = "within")]
    pub goal_date: Option<String>,
    /// The goal's window in days. Customers signed up less than this long
    /// before --as-of are pending: shown, not counted as failures.
    #[arg(long, value_name = "DAYS")]
    pub within: Option<u32>,
    /// The date the data was exported (YYYY-MM-DD); today when absent.
    #[arg(long, value_name = "DATE", value_parser = crate::parse_as_of)]
    pub as_of: Option<chrono::NaiveDate>,
    /// The acquisition source column (default: lead_source, source,
    /// Original Source, ...).
    #[arg(long, value_name = "COLUMN")]
    pub source: Option<String>,
    /// Source values that count as referrals, comma-separated (replaces the
    /// built-in list: REFERRALS, referral, word of mouth, ...).
    #[arg(long, value_delimiter = ',', value_name = "VALUES")]
    pub referral: Option<Vec<String>>,
    /// The NPS answer column, 0-10 (default: nps, nps_score, ...).
    #[arg(long, value_name = "COLUMN")]
    pub nps: Option<String>,
    /// Retention by this column (default: the industry column, if any);
    /// `segment` after `icp segment --out`.
    #[arg(long, value_name = "COLUMN")]
    pub segment_by: Option<String>,
    /// Write the report as JSON (what `icp report` reads).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    #[command(flatten)]
    pub read: InputArgs,
}

pub fn run(args: CohortsArgs) -> Result<u8, Failure> {
    crate::score_cmd::create_parent_dirs([args.json.as_ref()])?;
    let data = load(&args.input, &args.read.read_options()?)?;
    let as_of = args
        .as_of
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let goal = match (&args.goal, &args.goal_date) {
        (Some(column), _) => Some(Goal::Column {
            column: column.clone(),
            rule: match (&args.good, args.good_above) {
                (Some(v), _) => OutcomeRule::Good(v.clone()),
                (None, Some(t)) => OutcomeRule::GoodAbove(t),
                (None, None) => OutcomeRule::Auto,
            },
        }),
        (None, Some(column)) => Some(Goal::Date {
            column: column.clone(),
        }),
        (None, None) => None,
    };
    let opts = CohortOptions {
        signup: args.signup.clone(),
        period: match args.by {
            By::Month => Period::Month,
            By::Quarter => Period::Quarter,
        },
        goal,
        within_days: args.within,
        as_of,
        source: args.source.clone(),
        referral: args.referral.clone(),
        nps: args.nps.clone(),
        segment_by: args.segment_by.clone(),
    };
    let report = cohorts::cohorts(&data, &opts).map_err(|e| {
        let msg = format!("{}: {e}", display(&args.input));
        match e {
            cohorts::CohortError::Empty => Failure::fatal(msg),
            _ => Failure::usage(msg),
        }
    })?;
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&report)
            .map_err(|e| Failure::fatal(format!("cannot encode the report: {e}")))?;
        std::fs::write(path, json + "\n")
            .map_err(|e| Failure::fatal(format!("cannot write {}: {e}", display(path))))?;
    }
    print!("{}", render(&report));
    if let Some(path) = &args.json {
        println!("wrote {}", display(path));
    }
    Ok(0)
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// "1 promoter", "2 promoters".
fn count(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn nps_text(n: &Nps) -> String {
    format!(
        "{:+.0} ({}: {}, {}, {})",
        n.score,
        count(n.responses, "answer"),
        count(n.promoters, "promoter"),
        count(n.passives, "passive"),
        count(n.detractors, "detractor")
    )
}

/// The printed report.
pub fn render(r: &CohortReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "icp cohorts: {} customers in {}, as of {}",
        r.rows,
        r.input.as_deref().unwrap_or("input"),
        r.as_of
    );
    let _ = writeln!(
        s,
        "  signup date: {}, cohorts by {}",
        r.signup_column, r.period
    );
    match &r.goal {
        Some(g) => {
            let _ = writeln!(s, "  retention goal: {}", g.rule);
        }
        None => {
            let _ = writeln!(
                s,
                "  retention goal: none (pass --goal COLUMN or --goal-date COLUMN --within DAYS)"
            );
        }
    }
    for n in &r.notes {
        let _ = writeln!(s, "  note: {n}");
    }
    s.push('\n');
    let has_goal = r.goal.is_some();
    let windowed = r.goal.as_ref().is_some_and(|g| g.within_days.is_some());
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut head = vec!["cohort".to_string(), "customers".into()];
    if has_goal {
        head.extend(["reached".into(), "not".into(), "share".into()]);
        if r.total.unknown > 0 {
            head.push("blank".into());
        }
        if windowed {
            head.push("pending".into());
        }
        head.push("".into());
    }
    rows.push(head);
    for c in r.cohorts.iter().chain(std::iter::once(&r.total)) {
        let mut row = vec![c.cohort.clone(), c.customers.to_string()];
        if has_goal {
            let judged = c.reached + c.not_reached > 0;
            row.push(if judged {
                c.reached.to_string()
            } else {
                "-".into()
            });
            row.push(if judged {
                c.not_reached.to_string()
            } else {
                "-".into()
            });
            row.push(c.share.map_or("-".into(), pct));
            if r.total.unknown > 0 {
                row.push(c.unknown.to_string());
            }
            if windowed {
                row.push(c.pending.to_string());
            }
            row.push(match c.status.as_str() {
                "too young" => format!(
                    "too young: window still open ({} of {} reached so far)",
                    c.pending_reached, c.pending
                ),
                "partial" => format!(
                    "partial: {} still in their window ({} reached so far)",
                    c.pending, c.pending_reached
                ),
                "empty" => "no signups".into(),
                _ => String::new(),
            });
        }
        rows.push(row);
    }
    s.push_str(&align(&rows));
    s.push('\n');
    s.push_str("PMF indicators\n");
    match &r.referral {
        Some(rf) => {
            let top: Vec<String> = rf
                .sources
                .iter()
                .take(6)
                .map(|x| {
                    format!(
                        "{} {}{}",
                        x.value,
                        x.customers,
                        if x.referral { " (referral)" } else { "" }
                    )
                })
                .collect();
            let _ = writeln!(
                s,
                "  referral share: {} ({} of {} customers with a value in {}){}",
                pct(rf.share),
                rf.referred,
                rf.with_source,
                rf.column,
                if rf.flag {
                    format!(
                        ": at or above {}, a sign of product-market fit",
                        pct(rf.threshold)
                    )
                } else {
                    format!(": below {}", pct(rf.threshold))
                }
            );
            let _ = writeln!(s, "    sources: {}", top.join(", "));
        }
        None => {
            let _ = writeln!(
                s,
                "  referral share: no source column (looked for lead_source, source, Original Source, ...; pass --source COLUMN)"
            );
        }
    }
    match &r.nps {
        Some(n) => {
            if let Some(x) = &n.referred {
                let _ = writeln!(s, "  NPS of referred customers: {}", nps_text(x));
            }
            if let Some(x) = &n.others {
                let _ = writeln!(s, "  NPS of other customers:    {}", nps_text(x));
            }
            match &n.all {
                Some(x) => {
                    let _ = writeln!(s, "  NPS of all customers:      {}", nps_text(x));
                }
                None => {
                    let _ = writeln!(s, "  NPS: no answers in {}", n.column);
                }
            }
        }
        None => {
            let _ = writeln!(
                s,
                "  NPS: no NPS column (looked for nps, nps_score, ...; pass --nps COLUMN)"
            );
        }
    }
    if let Some(t) = &r.segments {
        let _ = writeln!(s, "\nretention by {}", t.column);
        let mut rows: Vec<Vec<String>> = vec![vec![
            t.column.clone(),
            "customers".into(),
            "reached".into(),
            "share".into(),
            "referral".into(),
            "NPS".into(),
        ]];
        for g in &t.rows {
            rows.push(vec![
                g.value.clone(),
                g.customers.to_string(),
                if g.reached + g.not_reached > 0 {
                    format!("{}/{}", g.reached, g.reached + g.not_reached)
                } else {
                    "-".into()
                },
                g.share.map_or("-".into(), pct),
                g.referral_share.map_or("-".into(), |x| {
                    if g.referred * 100 >= 30 * g.with_source {
                        format!("{} (30%+)", pct(x))
                    } else {
                        pct(x)
                    }
                }),
                g.nps
                    .as_ref()
                    .map_or("-".into(), |n| format!("{:+.0} ({})", n.score, n.responses)),
            ]);
        }
        s.push_str(&align(&rows));
    }
    s
}
