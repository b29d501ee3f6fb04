//! icp-report: one self-contained HTML file with inline SVG charts.
//!
//! [`ReportData`] is what a report shows: the profile, where the accounts
//! came from, tier counts, the score distribution, the TAM/SAM/SOM funnel,
//! trait coverage (data gaps), exclusions, the top accounts with their
//! reasons, community health for member profiles, and the results of
//! `icp learn`, `icp segment` and `icp cohorts` when given. [`render`] turns
//! it into one HTML string: inline CSS and SVG, no script, no font, no URL
//! (a Content-Security-Policy forbids every fetch), readable when printed.
//!
//! [`collect`] builds a `ReportData` from rows streamed one at a time
//! (re-scored with the profile, so per-trait evaluability is measured) or
//! from a run's stored scores; it keeps counters and a top-N heap, never the
//! rows. There is no I/O in this crate: the `icp report` command reads files
//! and the store and writes the HTML.

pub mod chart;
pub mod collect;
pub mod html;
mod render;
mod sections;

pub use collect::{CohortGrain, Options, RowCollector, StoreCollector};
pub use render::render;

use std::collections::BTreeMap;

use icp_analytics::cohorts::CohortReport;
use icp_analytics::learn::LearnReport;
use icp_analytics::segment::SegmentReport;
use icp_analytics::size::MarketSize;

/// Everything a report shows.
#[derive(Debug, Clone, Default)]
pub struct ReportData {
    pub profile: ProfileInfo,
    pub input: InputInfo,
    pub counts: Counts,
    /// Per-trait evaluability and firing; `None` when only stored scores
    /// were read (fired shares are then in `fired_only`).
    pub coverage: Option<Vec<TraitCoverage>>,
    /// Fired share per trait from stored reasons, when fields were not
    /// available.
    pub fired_only: Option<Vec<TraitFired>>,
    /// Mean share of trait weight that could be evaluated.
    pub mean_coverage: Option<f64>,
    /// Accounts removed per filter (profile order), and kept although the
    /// filter lacked data; `None` when unknown.
    pub exclusions: Option<Exclusions>,
    /// The best accounts of the SAM, best first.
    pub top: Vec<TopAccount>,
    /// How many top accounts were asked for.
    pub top_limit: usize,
    /// Counts and value per funnel stage (`icp size`'s figures), when an
    /// annual contract value is known.
    pub market: Option<MarketSize>,
    /// Community health (member profiles only).
    pub community: Option<Community>,
    /// Results of `icp learn --json`, `icp segment --json`, `icp cohorts
    /// --json`.
    pub analytics: Analytics,
    /// Things the reader should know (sections that could not be drawn,
    /// scores that differ from the file's).
    pub notes: Vec<String>,
}

/// The profile's shape.
#[derive(Debug, Clone, Default)]
pub struct ProfileInfo {
    pub name: String,
    pub description: Option<String>,
    /// `member` profiles (ICMP) score people; everything else accounts.
    pub members: bool,
    pub tier1: f64,
    pub tier2: f64,
    /// Lowest and highest reachable score.
    pub score_bounds: (i32, i32),
    pub filters: Vec<String>,
    pub traits: Vec<TraitInfo>,
}

#[derive(Debug, Clone, Default)]
pub struct TraitInfo {
    pub name: String,
    pub weight: i8,
    pub intent: bool,
}

/// Where the accounts came from.
#[derive(Debug, Clone, Default)]
pub struct InputInfo {
    /// The file read (or the run's output file).
    pub file: Option<String>,
    pub run: Option<RunInfo>,
    pub as_of: String,
    pub rows_read: u64,
    pub rows_skipped: u64,
    /// Rows of an account already counted (same key), counted once.
    pub duplicates: u64,
    /// The first skipped rows: (line, reason).
    pub skipped: Vec<(u64, String)>,
    /// `icp 0.1.0`.
    pub generated_by: String,
}

#[derive(Debug, Clone, Default)]
pub struct RunInfo {
    pub id: i64,
    pub label: String,
    pub status: String,
    /// `YYYY-MM-DD HH:MM:SS` UTC.
    pub started: String,
}

/// Tier counts and the score distribution.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    /// Tier 1, 2, 3, excluded.
    pub tiers: [u64; 4],
    /// Scores of accounts in the SAM (tiers 1-3): score -> accounts.
    pub sam_scores: BTreeMap<i32, u64>,
}

impl Counts {
    /// All accounts scored.
    pub fn tam(&self) -> u64 {
        self.tiers.iter().sum()
    }
    /// Accounts passing every filter.
    pub fn sam(&self) -> u64 {
        self.tiers[..3].iter().sum()
    }
    /// Tier 1.
    pub fn som(&self) -> u64 {
        self.tiers[0]
    }
}

/// One trait's data coverage over every row scored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TraitCoverage {
    pub name: String,
    pub weight: i8,
    /// Rows where the trait could be evaluated (its fields were present).
    pub evaluable: u64,
    /// Rows where it fired.
    pub fired: u64,
    pub rows: u64,
    /// The trait's fields with how many rows had each.
    pub fields: Vec<(String, u64)>,
    /// Fields no input column provides at all.
    pub absent: Vec<String>,
}

impl TraitCoverage {
    pub fn evaluable_share(&self) -> f64 {
        share(self.evaluable, self.rows)
    }
    pub fn fired_share(&self) -> f64 {
        share(self.fired, self.rows)
    }
    /// Evaluable for fewer than half of the rows.
    pub fn is_gap(&self) -> bool {
        self.rows > 0 && self.evaluable * 2 < self.rows
    }
    /// The fields a source should provide to close the gap: those present
    /// in fewer than half of the rows (all the trait's fields if none is).
    pub fn missing_fields(&self) -> Vec<&str> {
        let thin: Vec<&str> = self
            .fields
            .iter()
            .filter(|(_, n)| n * 2 < self.rows)
            .map(|(f, _)| f.as_str())
            .collect();
        if thin.is_empty() {
            self.fields.iter().map(|(f, _)| f.as_str()).collect()
        } else {
            thin
        }
    }
}

/// A trait's firing from stored reasons (no field data).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TraitFired {
    pub name: String,
    pub weight: i8,
    pub fired: u64,
    pub rows: u64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exclusions {
    /// (filter, accounts removed), profile order.
    pub by_filter: Vec<(String, u64)>,
    /// (filter, accounts kept although it lacked data).
    pub unknown: Vec<(String, u64)>,
}

/// One of the best accounts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TopAccount {
    /// Company or member name as written, when the input has one.
    pub name: Option<String>,
    /// Domain or member key.
    pub key: String,
    pub score: i32,
    pub fit: Option<i32>,
    pub intent: Option<i32>,
    /// `1`, `2`, `3`.
    pub tier: String,
    pub coverage: Option<f64>,
    pub reasons: String,
}

/// Community health of a member profile (ICMP).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Community {
    pub members: u64,
    /// Tier 1-2 members.
    pub fit: u64,
    /// "Active" means last active within this many days of as_of.
    pub active_days: u32,
    /// ICMP-fit members, then the others.
    pub groups: [Engagement; 2],
    /// Retention by join cohort, oldest first; members without a join date
    /// last (label `unknown`).
    pub cohorts: Vec<CohortRow>,
    /// `month` or `quarter`.
    pub grain: String,
    /// Engagement columns the input lacks (`posts`, `join_date`, ...).
    pub missing_columns: Vec<String>,
}

/// Engagement of one group of members.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Engagement {
    pub label: String,
    pub members: u64,
    /// Mean posts, replies, events attended, contributions over members
    /// with a value (`None`: no member had one).
    pub means: [Option<f64>; 4],
    /// Members with a last-active date, and those within `active_days`.
    pub last_active_known: u64,
    pub active: u64,
    /// Median days since last active.
    pub median_days_since_active: Option<i64>,
}

/// The engagement measures, in `Engagement::means` order.
pub const ENGAGEMENT_MEASURES: [&str; 4] = ["posts", "replies", "events_attended", "contributions"];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CohortRow {
    /// `2025-Q1`, `2025-03` or `unknown`.
    pub label: String,
    pub members: u64,
    pub fit: u64,
    /// Members active within `active_days`, all and ICMP-fit.
    pub active: u64,
    pub fit_active: u64,
}

/// Optional analytics sections, as `icp learn --json`, `icp segment
/// --json` and `icp cohorts --json` wrote them.
#[derive(Debug, Clone, Default)]
pub struct Analytics {
    pub learn: Option<LearnReport>,
    pub segments: Option<SegmentReport>,
    pub cohorts: Option<CohortReport>,
}

/// `part / whole`, 0 for an empty whole.
pub fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}
