//! `icp cohorts`: signup-cohort retention and PMF indicators.
//!
//! **Cohorts.** Customers are grouped by the month or quarter of their
//! signup date. Per cohort the table gives the customers, how many reached
//! the retention goal and the share that did: only that cohort's own
//! customers, never a running total. The goal is either an outcome column
//! (`--goal Retained`, read like `--outcome`) or a date column
//! (`--goal-date "First Consultation" --within 60`: reached when that date
//! falls at most N days after signup). With a window of N days, a customer
//! signed up less than N days before `--as-of` cannot have been judged yet:
//! they are *pending*, left out of the share (a cohort with only pending
//! customers is marked "too young", one with some "partial") rather than
//! counted as failures.
//!
//! **PMF indicators.**
//! - Referral share: customers whose source is a referral (see
//!   [`REFERRAL_VALUES`]) over customers with a known source; at
//!   [`PMF_REFERRAL_SHARE`] (30%) or more it is flagged as a sign of fit.
//! - NPS of referred customers against the others: % promoters (9-10)
//!   minus % detractors (0-6), with the counts.
//! - Retention by segment (`--segment-by`, by default the industry), with
//!   each segment's referral share and NPS.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use icp_core::Value;
use icp_core::value::{fold_text, parse_date};
use serde::{Deserialize, Serialize};

use crate::dataset::{OutcomeError, OutcomeRule};
use crate::{Column, Dataset};

/// Signup date columns looked for, in this order (`--signup` overrides).
pub const SIGNUP_COLUMNS: &[&str] = &[
    "signup_date",
    "sign_up_date",
    "signup",
    "signed_up_at",
    "signup_at",
    "Became a Customer Date",
    "customer_since",
    "created_at",
    "Create Date",
    "created",
    "start_date",
];
/// Acquisition source columns looked for (`--source` overrides).
pub const SOURCE_COLUMNS: &[&str] = &[
    "lead_source",
    "source",
    "Original Source",
    "hs_analytics_source",
    "acquisition_source",
    "acquisition_channel",
    "channel",
];
/// NPS answer columns looked for (`--nps` overrides).
pub const NPS_COLUMNS: &[&str] = &[
    "nps",
    "nps_score",
    "net_promoter_score",
    "likelihood_to_recommend",
];
/// Retention goal columns looked for when neither `--goal` nor
/// `--goal-date` is given.
pub const GOAL_COLUMNS: &[&str] = &["retained", "is_retained", "retention", "renewed"];
/// Source values that count as a referral (compared in lower case with `_`
/// and `-` read as spaces); any value containing "referral", "referred" or
/// "word of mouth" counts too. `--referral` replaces the list (exact values
/// only).
pub const REFERRAL_VALUES: &[&str] = &[
    "referrals",
    "referral",
    "referred",
    "word of mouth",
    "wom",
    "customer referral",
    "partner referral",
    "employee referral",
];
/// The referral share at or above which the PMF flag is raised.
pub const PMF_REFERRAL_SHARE: f64 = 0.30;
/// Periods listed with the empty ones between them; a longer span lists
/// only the periods with signups.
pub const MAX_PERIODS: usize = 120;
/// Lines of rows without a signup date listed in the report.
pub const UNDATED_LINES: usize = 10;

/// Cohort length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Period {
    #[default]
    Month,
    Quarter,
}

impl Period {
    pub fn name(self) -> &'static str {
        match self {
            Period::Month => "month",
            Period::Quarter => "quarter",
        }
    }

    /// A date's cohort: (year, month 1-12 or quarter 1-4).
    fn key(self, d: NaiveDate) -> (i32, u32) {
        match self {
            Period::Month => (d.year(), d.month()),
            Period::Quarter => (d.year(), (d.month() - 1) / 3 + 1),
        }
    }

    fn next(self, (y, p): (i32, u32)) -> (i32, u32) {
        let last = if self == Period::Month { 12 } else { 4 };
        if p == last { (y + 1, 1) } else { (y, p + 1) }
    }

    fn label(self, (y, p): (i32, u32)) -> String {
        match self {
            Period::Month => format!("{y}-{p:02}"),
            Period::Quarter => format!("{y}-Q{p}"),
        }
    }

    fn start(self, (y, p): (i32, u32)) -> Option<NaiveDate> {
        let month = if self == Period::Month {
            p
        } else {
            (p - 1) * 3 + 1
        };
        NaiveDate::from_ymd_opt(y, month, 1)
    }
}

/// The retention goal.
#[derive(Debug, Clone, PartialEq)]
pub enum Goal {
    /// An outcome column (yes/no, retained/churned, ...).
    Column { column: String, rule: OutcomeRule },
    /// A date column: reached when it falls within `--within` days of signup.
    Date { column: String },
}

/// Settings of `icp cohorts`.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortOptions {
    pub signup: Option<String>,
    pub period: Period,
    /// `None`: a column named like [`GOAL_COLUMNS`], if any.
    pub goal: Option<Goal>,
    /// The window in days: required for a date goal; for a column goal it
    /// marks customers signed up less than this long ago as pending.
    pub within_days: Option<u32>,
    pub as_of: NaiveDate,
    pub source: Option<String>,
    /// Source values that count as referrals (replaces the built-in list).
    pub referral: Option<Vec<String>>,
    pub nps: Option<String>,
    pub segment_by: Option<String>,
}

impl CohortOptions {
    pub fn new(as_of: NaiveDate) -> CohortOptions {
        CohortOptions {
            signup: None,
            period: Period::Month,
            goal: None,
            within_days: None,
            as_of,
            source: None,
            referral: None,
            nps: None,
            segment_by: None,
        }
    }
}

/// Why the cohort table cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum CohortError {
    #[error("the file has no rows")]
    Empty,
    #[error(
        "no signup date column (looked for {tried}; columns: {available}): pass --signup COLUMN"
    )]
    NoSignupColumn { tried: String, available: String },
    #[error("{flag}: there is no column `{column}` (columns: {available})")]
    NoColumn {
        flag: &'static str,
        column: String,
        available: String,
    },
    #[error(
        "column `{column}` has no date icp can read (values such as {examples}); dates may be written 2025-03-01, 2025-03-01 10:32, 2025/03/01 or 03/01/2025"
    )]
    NoDates { column: String, examples: String },
    #[error("--goal-date needs --within DAYS (how soon after signup the goal counts)")]
    NeedWithin,
    #[error(
        "--goal: `{column}` holds dates, not yes/no: use --goal-date \"{column}\" --within DAYS"
    )]
    DateGoal { column: String },
    #[error("--goal: {0}")]
    Goal(#[from] OutcomeError),
}

/// Net Promoter Score of a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Nps {
    pub responses: usize,
    pub promoters: usize,
    pub passives: usize,
    pub detractors: usize,
    /// % promoters - % detractors, -100..=100.
    pub score: f64,
}

impl Nps {
    /// NPS of answers 0-10 (answers outside that range are not counted).
    pub fn of(answers: impl IntoIterator<Item = f64>) -> Option<Nps> {
        let (mut promoters, mut passives, mut detractors) = (0, 0, 0);
        for a in answers {
            match a {
                a if !(0.0..=10.0).contains(&a) => {}
                a if a >= 9.0 => promoters += 1,
                a if a > 6.0 => passives += 1,
                _ => detractors += 1,
            }
        }
        let responses = promoters + passives + detractors;
        (responses > 0).then(|| Nps {
            responses,
            promoters,
            passives,
            detractors,
            score: 100.0 * (promoters as f64 - detractors as f64) / responses as f64,
        })
    }
}

/// One cohort's line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortRow {
    /// `2025-03` or `2025-Q1` (`all` for the total).
    pub cohort: String,
    /// First day of the cohort (ISO), empty for the total.
    pub start: String,
    pub customers: usize,
    /// Customers whose window had closed by as_of (all without a window).
    pub eligible: usize,
    /// Eligible customers that reached the goal.
    pub reached: usize,
    /// Eligible customers known not to have reached it.
    pub not_reached: usize,
    /// Eligible customers with a blank goal cell (column goals).
    pub unknown: usize,
    /// Customers still inside their window: left out of the share.
    pub pending: usize,
    /// Of the pending, those that already reached the goal (for
    /// information; not in the share).
    pub pending_reached: usize,
    /// reached / (reached + not_reached); none when nobody can be judged.
    pub share: Option<f64>,
    /// `complete`, `partial` (some pending), `too young` (all pending),
    /// `empty` (no signups) or `no goal`.
    pub status: String,
}

/// Rows without a usable signup date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Undated {
    pub count: usize,
    /// Their lines in the file (the first few).
    pub lines: Vec<u64>,
}

/// The retention goal as applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoalInfo {
    /// `column` or `date`.
    pub kind: String,
    pub column: String,
    /// In words: "Retained: yes = reached", "First Call within 60 days of
    /// signup".
    pub rule: String,
    pub within_days: Option<u32>,
}

/// A source value and its customers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceCount {
    pub value: String,
    pub customers: usize,
    pub referral: bool,
}

/// Share of customers that came by referral.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Referral {
    pub column: String,
    /// The values that count as referrals.
    pub values: Vec<String>,
    /// Customers with a known source.
    pub with_source: usize,
    pub referred: usize,
    pub share: f64,
    pub threshold: f64,
    /// share >= threshold.
    pub flag: bool,
    pub sources: Vec<SourceCount>,
}

/// NPS overall and of referred customers against the others.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NpsReport {
    pub column: String,
    pub all: Option<Nps>,
    pub referred: Option<Nps>,
    /// Customers with a known, non-referral source.
    pub others: Option<Nps>,
    /// Cells that are not an answer 0-10.
    pub invalid: usize,
}

/// Retention, referral share and NPS of one segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentRow {
    pub value: String,
    pub customers: usize,
    pub eligible: usize,
    pub reached: usize,
    pub not_reached: usize,
    pub pending: usize,
    pub share: Option<f64>,
    pub with_source: usize,
    pub referred: usize,
    pub referral_share: Option<f64>,
    pub nps: Option<Nps>,
}

/// Retention by segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentTable {
    pub column: String,
    /// Largest segment first.
    pub rows: Vec<SegmentRow>,
}

/// What `icp cohorts --json` writes (and `icp report` reads).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortReport {
    pub input: Option<String>,
    pub as_of: String,
    pub rows: usize,
    /// Rows of the file that could not be read at all.
    pub unreadable_rows: usize,
    pub signup_column: String,
    /// `month` or `quarter`.
    pub period: String,
    pub goal: Option<GoalInfo>,
    /// Oldest first, every period between the first and last signup.
    pub cohorts: Vec<CohortRow>,
    /// All dated customers together.
    pub total: CohortRow,
    pub undated: Undated,
    pub referral: Option<Referral>,
    pub nps: Option<NpsReport>,
    pub segments: Option<SegmentTable>,
    /// Things worth knowing about the data, in words.
    pub notes: Vec<String>,
}

/// Where one customer stands against the goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Reached,
    NotReached,
    Unknown,
    /// Inside the window; whether the goal is already reached.
    Pending(bool),
    /// The window needs a signup date the row lacks.
    Undated,
    NoGoal,
}

#[derive(Debug, Clone, Default)]
struct Tally {
    customers: usize,
    reached: usize,
    not_reached: usize,
    unknown: usize,
    pending: usize,
    pending_reached: usize,
}

impl Tally {
    fn add(&mut self, s: State) {
        self.customers += 1;
        match s {
            State::Reached => self.reached += 1,
            State::NotReached => self.not_reached += 1,
            State::Unknown => self.unknown += 1,
            State::Pending(r) => {
                self.pending += 1;
                self.pending_reached += usize::from(r);
            }
            State::Undated | State::NoGoal => {}
        }
    }

    fn eligible(&self) -> usize {
        self.reached + self.not_reached + self.unknown
    }

    fn share(&self) -> Option<f64> {
        let judged = self.reached + self.not_reached;
        (judged > 0).then(|| self.reached as f64 / judged as f64)
    }

    fn row(&self, cohort: String, start: String, has_goal: bool) -> CohortRow {
        let status = if !has_goal {
            "no goal"
        } else if self.customers == 0 {
            "empty"
        } else if self.eligible() == 0 && self.pending > 0 {
            "too young"
        } else if self.pending > 0 {
            "partial"
        } else {
            "complete"
        };
        CohortRow {
            cohort,
            start,
            customers: self.customers,
            eligible: self.eligible(),
            reached: self.reached,
            not_reached: self.not_reached,
            unknown: self.unknown,
            pending: self.pending,
            pending_reached: self.pending_reached,
            share: if has_goal { self.share() } else { None },
            status: status.into(),
        }
    }
}

fn column_named<'a>(
    data: &'a Dataset,
    flag: &'static str,
    name: &str,
) -> Result<&'a Column, CohortError> {
    data.column(name).ok_or_else(|| CohortError::NoColumn {
        flag,
        column: name.to_string(),
        available: data.header_list(),
    })
}

/// A row's date: the typed value, else the cell parsed as a date (a column
/// with some unreadable cells is typed as text).
fn date_of(col: &Column, row: usize) -> Option<i32> {
    col.date(row)
        .or_else(|| col.display(row).and_then(parse_date))
}

/// Fold a source value for comparison: lower case, `_` and `-` as spaces.
pub fn fold_source(s: &str) -> String {
    fold_text(&s.replace(['_', '-'], " "))
}

/// Whether a source value is a referral by the built-in list.
pub fn is_referral(source: &str) -> bool {
    let s = fold_source(source);
    REFERRAL_VALUES.contains(&s.as_str())
        || s.contains("referral")
        || s.contains("referred")
        || s.contains("word of mouth")
}

/// A cell of a grouping column as people read it.
fn group_label(col: &Column, row: usize) -> Option<String> {
    match &col.values[row] {
        Value::Missing => None,
        Value::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => Some(format!("{}", *n as i64)),
        Value::Num(n) => Some(n.to_string()),
        Value::Text(t) => {
            if col.field == "industry"
                && let Some(name) = icp_core::fields::industry_for(t)
            {
                return Some(name.to_string());
            }
            if col.field == "country" && t.len() == 2 {
                return Some(t.as_str().to_ascii_uppercase());
            }
            col.display(row).map(str::to_owned)
        }
        Value::List(items) => Some(items.join(", ")),
        _ => col
            .display(row)
            .map(str::to_owned)
            .or_else(|| col.number(row).map(|n| n.to_string())),
    }
}

/// Build the cohort table and PMF indicators.
pub fn cohorts(data: &Dataset, opts: &CohortOptions) -> Result<CohortReport, CohortError> {
    let n = data.len();
    if n == 0 {
        return Err(CohortError::Empty);
    }
    let mut notes = Vec::new();
    let signup = match &opts.signup {
        Some(name) => column_named(data, "--signup", name)?,
        None => data
            .first_column(SIGNUP_COLUMNS)
            .ok_or_else(|| CohortError::NoSignupColumn {
                tried: SIGNUP_COLUMNS.join(", "),
                available: data.header_list(),
            })?,
    };
    let signups: Vec<Option<i32>> = (0..n).map(|r| date_of(signup, r)).collect();
    if signups.iter().all(Option::is_none) {
        let mut examples: Vec<String> = (0..n)
            .filter_map(|r| {
                signup
                    .display(r)
                    .map(str::to_owned)
                    .or_else(|| signup.number(r).map(|x| x.to_string()))
            })
            .take(3)
            .map(|s| format!("\"{s}\""))
            .collect();
        if examples.is_empty() {
            examples.push("only blanks".into());
        }
        return Err(CohortError::NoDates {
            column: signup.header.clone(),
            examples: examples.join(", "),
        });
    }
    let as_of = opts.as_of.num_days_from_ce();

    // The goal, per row.
    let goal = match &opts.goal {
        Some(g) => Some(g.clone()),
        None => data.first_column(GOAL_COLUMNS).map(|c| Goal::Column {
            column: c.header.clone(),
            rule: OutcomeRule::Auto,
        }),
    };
    let within = opts
        .within_days
        .map(i32::try_from)
        .transpose()
        .unwrap_or(Some(i32::MAX));
    let (states, goal_info): (Vec<State>, Option<GoalInfo>) = match &goal {
        None => {
            notes.push(
                "no retention goal: pass --goal COLUMN (yes/no) or --goal-date COLUMN --within DAYS"
                    .into(),
            );
            (vec![State::NoGoal; n], None)
        }
        Some(Goal::Column { column, rule }) => {
            if let Some(c) = data.column(column)
                && c.kind == icp_core::value::Kind::Date
            {
                return Err(CohortError::DateGoal {
                    column: c.header.clone(),
                });
            }
            let outcome = data.outcome(column, rule)?;
            let states = (0..n)
                .map(|r| {
                    let reached = outcome.good[r];
                    match (within, signups[r]) {
                        (Some(w), Some(s)) if i64::from(s) + i64::from(w) > i64::from(as_of) => {
                            State::Pending(reached == Some(true))
                        }
                        (Some(_), None) => State::Undated,
                        _ => match reached {
                            Some(true) => State::Reached,
                            Some(false) => State::NotReached,
                            None => State::Unknown,
                        },
                    }
                })
                .collect();
            let rule = match within {
                Some(w) => format!(
                    "{}; customers signed up less than {w} days before {} are pending",
                    outcome.rule, opts.as_of
                ),
                None => outcome.rule.clone(),
            };
            (
                states,
                Some(GoalInfo {
                    kind: "column".into(),
                    column: outcome.column.clone(),
                    rule,
                    within_days: opts.within_days,
                }),
            )
        }
        Some(Goal::Date { column }) => {
            let w = within.ok_or(CohortError::NeedWithin)?;
            let col = column_named(data, "--goal-date", column)?;
            let mut before_signup = 0;
            let states = (0..n)
                .map(|r| {
                    let Some(s) = signups[r] else {
                        return State::Undated;
                    };
                    let g = date_of(col, r).filter(|&g| g <= as_of);
                    let reached = g.is_some_and(|g| {
                        if g < s {
                            before_signup += 1;
                        }
                        i64::from(g) - i64::from(s) <= i64::from(w)
                    });
                    if i64::from(s) + i64::from(w) > i64::from(as_of) {
                        State::Pending(reached)
                    } else if reached {
                        State::Reached
                    } else {
                        State::NotReached
                    }
                })
                .collect();
            if before_signup > 0 {
                notes.push(format!(
                    "{before_signup} customers have a {} date before their signup date (counted as reached)",
                    col.header
                ));
            }
            (
                states,
                Some(GoalInfo {
                    kind: "date".into(),
                    column: col.header.clone(),
                    rule: format!("{} within {w} days of signup", col.header),
                    within_days: Some(w as u32),
                }),
            )
        }
    };
    let has_goal = goal_info.is_some();

    // Cohort table.
    let mut by_cohort: HashMap<(i32, u32), Tally> = HashMap::new();
    let mut total = Tally::default();
    let mut undated = Undated::default();
    let mut future = 0;
    for r in 0..n {
        let Some(day) = signups[r].and_then(icp_core::value::date_from_days) else {
            undated.count += 1;
            if undated.lines.len() < UNDATED_LINES {
                undated.lines.push(data.lines[r]);
            }
            continue;
        };
        if signups[r].is_some_and(|s| s > as_of) {
            future += 1;
        }
        by_cohort
            .entry(opts.period.key(day))
            .or_default()
            .add(states[r]);
        total.add(states[r]);
    }
    if future > 0 {
        notes.push(format!(
            "{future} customers signed up after {} (--as-of)",
            opts.as_of
        ));
    }
    if undated.count > 0 {
        notes.push(format!(
            "{} rows have no usable {} date (lines {}{}): left out of the cohorts",
            undated.count,
            signup.header,
            undated
                .lines
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            if undated.count > undated.lines.len() {
                ", ..."
            } else {
                ""
            }
        ));
    }
    let mut cohorts = Vec::new();
    if let (Some(&first), Some(&last)) = (by_cohort.keys().min(), by_cohort.keys().max()) {
        // Every period from the first signup to the last, so gaps show;
        // over MAX_PERIODS (a stray date from 1900) only those with signups.
        let mut span = 1;
        let mut key = first;
        while key < last && span <= MAX_PERIODS {
            key = opts.period.next(key);
            span += 1;
        }
        let fill = span <= MAX_PERIODS;
        if !fill {
            notes.push(format!(
                "signups run from {} to {}: periods without signups are not listed",
                opts.period.label(first),
                opts.period.label(last)
            ));
        }
        let mut keys: Vec<(i32, u32)> = by_cohort.keys().copied().collect();
        if fill {
            keys.clear();
            let mut key = first;
            loop {
                keys.push(key);
                if key >= last {
                    break;
                }
                key = opts.period.next(key);
            }
        }
        keys.sort_unstable();
        for key in keys {
            let tally = by_cohort.remove(&key).unwrap_or_default();
            let start = opts
                .period
                .start(key)
                .map(|d| d.to_string())
                .unwrap_or_default();
            cohorts.push(tally.row(opts.period.label(key), start, has_goal));
        }
    }

    // Referral share.
    let source_col = match &opts.source {
        Some(name) => Some(column_named(data, "--source", name)?),
        None => data.first_column(SOURCE_COLUMNS),
    };
    let custom: Option<Vec<String>> = opts
        .referral
        .as_ref()
        .map(|v| v.iter().map(|s| fold_source(s)).collect());
    let referred: Vec<Option<bool>> = (0..n)
        .map(|r| {
            let cell = source_col?.display(r)?;
            Some(match &custom {
                Some(list) => list.contains(&fold_source(cell)),
                None => is_referral(cell),
            })
        })
        .collect();
    let referral = source_col.map(|col| {
        let mut counts: HashMap<String, (String, usize)> = HashMap::new();
        for r in 0..n {
            if let Some(cell) = col.display(r) {
                let e = counts
                    .entry(fold_source(cell))
                    .or_insert_with(|| (cell.to_string(), 0));
                e.1 += 1;
            }
        }
        let mut sources: Vec<SourceCount> = counts
            .into_iter()
            .map(|(folded, (value, customers))| SourceCount {
                referral: match &custom {
                    Some(list) => list.contains(&folded),
                    None => is_referral(&value),
                },
                value,
                customers,
            })
            .collect();
        sources.sort_by(|a, b| b.customers.cmp(&a.customers).then(a.value.cmp(&b.value)));
        let with_source = referred.iter().flatten().count();
        let yes = referred.iter().filter(|r| **r == Some(true)).count();
        Referral {
            column: col.header.clone(),
            values: match &custom {
                Some(list) => list.clone(),
                None => REFERRAL_VALUES.iter().map(|s| s.to_string()).collect(),
            },
            with_source,
            referred: yes,
            share: yes as f64 / with_source.max(1) as f64,
            threshold: PMF_REFERRAL_SHARE,
            // Integer comparison: exactly 30% is flagged.
            flag: with_source > 0 && yes * 100 >= 30 * with_source,
            sources,
        }
    });
    if let Some(r) = &referral
        && r.with_source == 0
    {
        notes.push(format!("the {} column is blank in every row", r.column));
    }

    // NPS.
    let nps_col = match &opts.nps {
        Some(name) => Some(column_named(data, "--nps", name)?),
        None => data.first_column(NPS_COLUMNS),
    };
    let answers: Vec<Option<f64>> = (0..n).map(|r| nps_col.and_then(|c| c.number(r))).collect();
    let nps = nps_col.map(|col| {
        let invalid = (0..n)
            .filter(|&r| {
                !col.values[r].is_missing()
                    && !answers[r].is_some_and(|a| (0.0..=10.0).contains(&a))
            })
            .count();
        let pick = |want: Option<bool>| {
            Nps::of(
                (0..n).filter_map(|r| answers[r].filter(|_| want.is_none() || referred[r] == want)),
            )
        };
        NpsReport {
            column: col.header.clone(),
            all: pick(None),
            referred: if source_col.is_some() {
                pick(Some(true))
            } else {
                None
            },
            others: if source_col.is_some() {
                pick(Some(false))
            } else {
                None
            },
            invalid,
        }
    });
    if let Some(r) = &nps
        && r.invalid > 0
    {
        notes.push(format!(
            "{} {} cells are not an answer from 0 to 10 (left out)",
            r.invalid, r.column
        ));
    }

    // Retention by segment.
    let seg_col = match &opts.segment_by {
        Some(name) => Some(column_named(data, "--segment-by", name)?),
        None => data.column("industry").filter(|c| c.field == "industry"),
    };
    let segments = seg_col.map(|col| {
        let mut groups: HashMap<String, (Tally, usize, usize, Vec<f64>)> = HashMap::new();
        for r in 0..n {
            let label = group_label(col, r).unwrap_or_else(|| "(blank)".into());
            let g = groups.entry(label).or_default();
            g.0.add(states[r]);
            if let Some(is_ref) = referred[r] {
                g.1 += 1;
                g.2 += usize::from(is_ref);
            }
            if let Some(a) = answers[r] {
                g.3.push(a);
            }
        }
        let mut rows: Vec<SegmentRow> = groups
            .into_iter()
            .map(|(value, (t, with_source, yes, answers))| SegmentRow {
                value,
                customers: t.customers,
                eligible: t.eligible(),
                reached: t.reached,
                not_reached: t.not_reached,
                pending: t.pending,
                share: if has_goal { t.share() } else { None },
                with_source,
                referred: yes,
                referral_share: (with_source > 0).then(|| yes as f64 / with_source as f64),
                nps: Nps::of(answers),
            })
            .collect();
        rows.sort_by(|a, b| b.customers.cmp(&a.customers).then(a.value.cmp(&b.value)));
        SegmentTable {
            column: col.header.clone(),
            rows,
        }
    });

    Ok(CohortReport {
        input: data.path.as_ref().map(|p| p.display().to_string()),
        as_of: opts.as_of.to_string(),
        rows: n,
        unreadable_rows: data.skipped.len(),
        signup_column: signup.header.clone(),
        period: opts.period.name().into(),
        goal: goal_info,
        cohorts,
        total: total.row("all".into(), String::new(), has_goal),
        undated,
        referral,
        nps,
        segments,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(csv: &str) -> Dataset {
        Dataset::from_test_csv(csv)
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    const CUSTOMERS: &str = "\
Company name,Create Date,Original Source,NPS,Retained,Industry
A,2025-01-05,REFERRALS,10,yes,Computer Software
B,2025-01-20,ORGANIC_SEARCH,6,no,Computer Software
C,2025-01-31,PAID_SOCIAL,8,yes,Banking
D,2025-03-02,REFERRALS,9,yes,Banking
E,2025-03-15,DIRECT_TRAFFIC,3,no,Banking
F,2025-03-16,,,,Retail
G,,REFERRALS,10,yes,Retail
H,2025-04-01,word of mouth,7,yes,COMPUTER_SOFTWARE
I,2025-06-30,OFFLINE,0,no,Computer Software
J,not a date,OFFLINE,n/a,no,Retail";

    #[test]
    fn monthly_cohorts_by_hand() {
        let d = data(CUSTOMERS);
        let mut o = CohortOptions::new(date("2025-07-01"));
        o.goal = Some(Goal::Column {
            column: "Retained".into(),
            rule: OutcomeRule::Auto,
        });
        let r = cohorts(&d, &o).unwrap();
        assert_eq!(r.signup_column, "Create Date");
        type Line<'a> = (&'a str, usize, usize, usize, Option<f64>, &'a str);
        let table: Vec<Line> = r
            .cohorts
            .iter()
            .map(|c| {
                (
                    c.cohort.as_str(),
                    c.customers,
                    c.reached,
                    c.not_reached,
                    c.share,
                    c.status.as_str(),
                )
            })
            .collect();
        assert_eq!(
            table,
            vec![
                ("2025-01", 3, 2, 1, Some(2.0 / 3.0), "complete"),
                ("2025-02", 0, 0, 0, None, "empty"),
                // F's Retained is blank: unknown, not a failure.
                ("2025-03", 3, 1, 1, Some(0.5), "complete"),
                ("2025-04", 1, 1, 0, Some(1.0), "complete"),
                ("2025-05", 0, 0, 0, None, "empty"),
                ("2025-06", 1, 0, 1, Some(0.0), "complete"),
            ]
        );
        assert_eq!(r.cohorts[2].unknown, 1);
        assert_eq!(r.cohorts[0].start, "2025-01-01");
        // G and J have no usable date (lines 8 and 11).
        assert_eq!(r.undated.count, 2);
        assert_eq!(r.undated.lines, vec![8, 11]);
        assert_eq!(
            (r.total.customers, r.total.reached, r.total.not_reached),
            (8, 4, 3)
        );
        assert!(r.notes.iter().any(|n| n.contains("lines 8, 11")));
    }

    #[test]
    fn quarters() {
        let d = data(CUSTOMERS);
        let mut o = CohortOptions::new(date("2025-07-01"));
        o.period = Period::Quarter;
        // Retained is found by name.
        let r = cohorts(&d, &o).unwrap();
        let table: Vec<(&str, usize, usize)> = r
            .cohorts
            .iter()
            .map(|c| (c.cohort.as_str(), c.customers, c.reached))
            .collect();
        assert_eq!(table, vec![("2025-Q1", 6, 3), ("2025-Q2", 2, 1)]);
        assert_eq!(r.cohorts[1].start, "2025-04-01");
        assert_eq!(r.goal.as_ref().unwrap().column, "Retained");
        assert_eq!(Period::Quarter.next((2024, 4)), (2025, 1));
        assert_eq!(Period::Month.next((2024, 12)), (2025, 1));
    }

    #[test]
    fn goal_dates_and_young_cohorts() {
        let d = data(
            "signup_date,first_call\n\
             2025-01-10,2025-02-01\n\
             2025-01-20,2025-04-01\n\
             2025-01-25,\n\
             2025-05-20,2025-05-25\n\
             2025-05-28,\n\
             2025-06-10,2025-06-11\n\
             2025-06-15,",
        );
        let mut o = CohortOptions::new(date("2025-07-01"));
        o.goal = Some(Goal::Date {
            column: "first_call".into(),
        });
        assert!(matches!(cohorts(&d, &o), Err(CohortError::NeedWithin)));
        o.within_days = Some(30);
        let r = cohorts(&d, &o).unwrap();
        let get = |c: &str| r.cohorts.iter().find(|x| x.cohort == c).unwrap().clone();
        // January: 22 days (reached), 71 days (too late), never.
        let jan = get("2025-01");
        assert_eq!((jan.reached, jan.not_reached, jan.pending), (1, 2, 0));
        assert_eq!(jan.status, "complete");
        // May: 05-20 + 30 = 06-19 <= 07-01, judged (reached); 05-28 + 30 =
        // 06-27, judged (not reached).
        let may = get("2025-05");
        assert_eq!((may.reached, may.not_reached, may.pending), (1, 1, 0));
        // June: both windows end after 07-01: too young, not failures, one
        // already reached.
        let june = get("2025-06");
        assert_eq!(
            (june.eligible, june.pending, june.pending_reached),
            (0, 2, 1)
        );
        assert_eq!(june.status, "too young");
        assert_eq!(june.share, None);
        // Partial: a cohort with one judged and one pending customer.
        o.as_of = date("2025-06-20");
        let r = cohorts(&d, &o).unwrap();
        let may = r.cohorts.iter().find(|x| x.cohort == "2025-05").unwrap();
        assert_eq!(
            (may.reached, may.pending, may.status.as_str()),
            (1, 1, "partial")
        );
        assert_eq!(may.share, Some(1.0));
    }

    #[test]
    fn column_goal_with_a_window() {
        let d = data("signup_date,Retained\n2025-01-10,no\n2025-06-20,no\n2025-06-21,yes");
        let mut o = CohortOptions::new(date("2025-07-01"));
        o.within_days = Some(30);
        let r = cohorts(&d, &o).unwrap();
        assert_eq!(
            (
                r.total.not_reached,
                r.total.pending,
                r.total.pending_reached
            ),
            (1, 2, 1)
        );
        assert_eq!(r.total.share, Some(0.0));
    }

    #[test]
    fn nps_arithmetic() {
        // 3 promoters, 2 passives, 3 detractors of 8: (3 - 3) / 8 = 0.
        let n = Nps::of([10.0, 9.0, 9.0, 8.0, 7.0, 6.0, 0.0, 3.0]).unwrap();
        assert_eq!((n.promoters, n.passives, n.detractors), (3, 2, 3));
        assert_eq!(n.score, 0.0);
        // 2 of 3 promoters, no detractors: 66.7; answers outside 0-10 skipped.
        let n = Nps::of([9.0, 10.0, 7.0, 11.0, -1.0]).unwrap();
        assert_eq!(n.responses, 3);
        assert!((n.score - 200.0 / 3.0).abs() < 1e-9);
        assert_eq!(Nps::of([6.0]).unwrap().score, -100.0);
        assert_eq!(Nps::of([]), None);
    }

    #[test]
    fn referral_share_nps_and_segments() {
        let d = data(CUSTOMERS);
        let r = cohorts(&d, &CohortOptions::new(date("2025-07-01"))).unwrap();
        let refs = r.referral.as_ref().unwrap();
        assert_eq!(refs.column, "Original Source");
        // A, D, G (REFERRALS) and H (word of mouth) of 9 with a source.
        assert_eq!((refs.referred, refs.with_source), (4, 9));
        assert!(refs.flag);
        let nps = r.nps.as_ref().unwrap();
        // Referred: 10, 9, 10, 7 -> 3 promoters, 1 passive: +75.
        let referred = nps.referred.as_ref().unwrap();
        assert_eq!((referred.responses, referred.score), (4, 75.0));
        // Others: 6, 8, 3, 0 -> 1 passive, 3 detractors: -75.
        let others = nps.others.as_ref().unwrap();
        assert_eq!((others.responses, others.score), (4, -75.0));
        assert_eq!(nps.invalid, 0);
        let segs = r.segments.as_ref().unwrap();
        assert_eq!(segs.column, "Industry");
        let software = segs.rows.iter().find(|s| s.value == "Software").unwrap();
        // A yes, B no, H yes, I no.
        assert_eq!(
            (software.customers, software.reached, software.share),
            (4, 2, Some(0.5))
        );
        assert_eq!(software.referral_share, Some(0.5));
        assert_eq!(segs.rows[0].value, "Software");
    }

    #[test]
    fn thirty_percent_is_the_edge() {
        let mk = |referred: usize, total: usize| {
            let mut csv = String::from("signup_date,lead_source\n");
            for i in 0..total {
                let src = if i < referred {
                    "Referral"
                } else {
                    "Paid Search"
                };
                csv.push_str(&format!("2025-01-01,{src}\n"));
            }
            cohorts(&data(&csv), &CohortOptions::new(date("2025-07-01")))
                .unwrap()
                .referral
                .unwrap()
        };
        assert!(mk(3, 10).flag);
        assert!(!mk(29, 100).flag);
        assert!(mk(30, 100).flag);
        assert_eq!(mk(3, 10).share, 0.3);
    }

    #[test]
    fn referral_values_and_overrides() {
        for yes in [
            "REFERRALS",
            "Referral",
            "word-of-mouth",
            "Customer referral",
            "Partner Referral Program",
            "referred by a friend",
        ] {
            assert!(is_referral(yes), "{yes}");
        }
        for no in [
            "ORGANIC_SEARCH",
            "PAID_SOCIAL",
            "DIRECT_TRAFFIC",
            "OFFLINE",
            "Partner",
        ] {
            assert!(!is_referral(no), "{no}");
        }
        let d =
            data("signup_date,source\n2025-01-01,Partner\n2025-01-01,REFERRALS\n2025-01-01,Ads");
        let mut o = CohortOptions::new(date("2025-07-01"));
        o.referral = Some(vec!["partner".into()]);
        let r = cohorts(&d, &o).unwrap().referral.unwrap();
        assert_eq!(r.referred, 1);
        assert!(r.sources.iter().any(|s| s.value == "Partner" && s.referral));
        assert!(
            r.sources
                .iter()
                .any(|s| s.value == "REFERRALS" && !s.referral)
        );
    }

    #[test]
    fn errors_say_what_to_do() {
        let d = data("Company,When\nA,2025-01-01");
        let err = cohorts(&d, &CohortOptions::new(date("2025-07-01")))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--signup") && err.contains("Company, When"),
            "{err}"
        );
        let mut o = CohortOptions::new(date("2025-07-01"));
        o.signup = Some("When".into());
        assert_eq!(cohorts(&d, &o).unwrap().total.customers, 1);
        o.signup = Some("Company".into());
        let err = cohorts(&d, &o).unwrap_err().to_string();
        assert!(err.contains("no date") && err.contains("\"A\""), "{err}");
        o.signup = Some("Nope".into());
        let err = cohorts(&d, &o).unwrap_err().to_string();
        assert!(err.contains("--signup") && err.contains("Nope"), "{err}");
        // All blank dates.
        let d = data("signup_date,x\n,1\n,2");
        let err = cohorts(&d, &CohortOptions::new(date("2025-07-01")))
            .unwrap_err()
            .to_string();
        assert!(err.contains("only blanks"), "{err}");
        // No goal: the table still counts signups.
        let d = data("signup_date\n2025-01-01\n2025-03-01");
        let r = cohorts(&d, &CohortOptions::new(date("2025-07-01"))).unwrap();
        assert_eq!(r.cohorts.len(), 3);
        assert_eq!(r.cohorts[0].status, "no goal");
        assert!(r.notes[0].contains("--goal"));
    }

    #[test]
    fn a_stray_old_date_does_not_list_a_century_of_months() {
        let d = data("signup_date\n1900-01-01\n2025-01-01\n2025-03-01");
        let r = cohorts(&d, &CohortOptions::new(date("2025-07-01"))).unwrap();
        let names: Vec<&str> = r.cohorts.iter().map(|c| c.cohort.as_str()).collect();
        assert_eq!(names, vec!["1900-01", "2025-01", "2025-03"]);
        assert!(
            r.notes.iter().any(|n| n.contains("not listed")),
            "{:?}",
            r.notes
        );
        // Ten years by month are still listed in full.
        let d = data("signup_date\n2015-01-01\n2024-12-01");
        let r = cohorts(&d, &CohortOptions::new(date("2025-07-01"))).unwrap();
        assert_eq!(r.cohorts.len(), 120);
    }

    #[test]
    fn a_date_column_as_goal_says_to_use_goal_date() {
        let d = data("signup_date,first_call\n2025-01-01,2025-01-05");
        let mut o = CohortOptions::new(date("2025-07-01"));
        o.goal = Some(Goal::Column {
            column: "first_call".into(),
            rule: OutcomeRule::Auto,
        });
        let err = cohorts(&d, &o).unwrap_err().to_string();
        assert!(err.contains("--goal-date \"first_call\""), "{err}");
    }

    #[test]
    fn mixed_date_cells_are_still_read() {
        // Under 90% of cells parse as dates, so the column is typed as text;
        // the readable ones still count.
        let d = data("signup_date\n2025-01-01\nsoon\nlater\n01/15/2025");
        let r = cohorts(&d, &CohortOptions::new(date("2025-07-01"))).unwrap();
        assert_eq!(r.total.customers, 2);
        assert_eq!(r.undated.count, 2);
    }
}
