//! Building a [`ReportData`] from rows streamed one at a time, or from a
//! run's stored scores. Only counters, a histogram and a top-N heap are
//! kept: memory does not grow with the number of rows.

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};

use chrono::Datelike;
use icp_analytics::size::{Acv, MarketSize, Sizer, formula_number};
use icp_core::fields::{column_for, parse_field};
use icp_core::value::{date_from_days, parse_as};
use icp_core::{Axis, Entity, Kind, Profile, RecordBuilder, Scored, Tier, Truth, Value};

use crate::{
    CohortRow, Community, Counts, ENGAGEMENT_MEASURES, Engagement, Exclusions, InputInfo,
    ProfileInfo, ReportData, TopAccount, TraitCoverage, TraitFired, TraitInfo,
};

/// Join cohorts between the first and the last are filled in up to this
/// many periods.
const MAX_PERIODS: i32 = 120;

/// Skipped rows listed in the report (all are counted).
const MAX_SKIPPED: usize = 10;

/// How members are grouped by join date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CohortGrain {
    Month,
    #[default]
    Quarter,
}

/// What to collect.
#[derive(Clone, Debug)]
pub struct Options {
    /// Accounts in the top list.
    pub top: usize,
    /// A member is active when last active within this many days of as_of.
    pub active_days: u32,
    pub grain: CohortGrain,
    /// How accounts are valued for the funnel (as `icp size`).
    pub acv: Option<Acv>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            top: 25,
            active_days: 30,
            grain: CohortGrain::Quarter,
            acv: None,
        }
    }
}

/// The profile's shape for the report.
pub fn profile_info(p: &Profile) -> ProfileInfo {
    ProfileInfo {
        name: p.name.clone(),
        description: p.description.clone(),
        members: p.entity == Entity::Member,
        tier1: p.tiers.tier1,
        tier2: p.tiers.tier2,
        score_bounds: p.score_bounds(),
        filters: p.filters.iter().map(|f| f.name.clone()).collect(),
        traits: p
            .traits
            .iter()
            .map(|t| TraitInfo {
                name: t.name.clone(),
                weight: t.weight,
                intent: t.axis == Axis::Intent,
            })
            .collect(),
    }
}

fn tier_index(t: Tier) -> usize {
    match t {
        Tier::One => 0,
        Tier::Two => 1,
        Tier::Three => 2,
        Tier::Excluded => 3,
    }
}

/// An account in the top-N heap: a higher score ranks first, then the
/// earlier account.
struct Ranked {
    score: i32,
    seq: u64,
    account: TopAccount,
}

impl Ranked {
    fn rank(&self) -> (i32, Reverse<u64>) {
        (self.score, Reverse(self.seq))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.rank() == other.rank()
    }
}
impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank().cmp(&other.rank())
    }
}

/// What both collectors count.
struct Tally {
    counts: Counts,
    /// Counts and value per market layer, with an ACV.
    sizer: Option<Sizer>,
    top: BinaryHeap<Reverse<Ranked>>,
    top_n: usize,
    seq: u64,
}

impl Tally {
    fn new(top_n: usize, acv: Option<&Acv>) -> Self {
        Tally {
            counts: Counts::default(),
            sizer: acv.map(|a| Sizer::new(Some(a))),
            top: BinaryHeap::new(),
            top_n,
            seq: 0,
        }
    }

    /// Count one account (tier index 0-3, its value when valued); true
    /// when it belongs in the top list (then call `push_top`).
    fn add(&mut self, score: i32, tier: usize, value: Option<f64>) -> bool {
        self.seq += 1;
        self.counts.tiers[tier] += 1;
        if let Some(s) = &mut self.sizer {
            s.add(Tier::ALL[tier], value);
        }
        if tier == 3 {
            return false;
        }
        *self.counts.sam_scores.entry(score).or_default() += 1;
        self.top_n > 0
            && (self.top.len() < self.top_n
                || self
                    .top
                    .peek()
                    .is_some_and(|Reverse(min)| score > min.score))
    }

    fn push_top(&mut self, account: TopAccount) {
        self.top.push(Reverse(Ranked {
            score: account.score,
            seq: self.seq,
            account,
        }));
        if self.top.len() > self.top_n {
            self.top.pop();
        }
    }

    fn top_accounts(&mut self) -> Vec<TopAccount> {
        let mut ranked: Vec<Ranked> = std::mem::take(&mut self.top)
            .into_iter()
            .map(|Reverse(r)| r)
            .collect();
        ranked.sort_by(|a, b| b.cmp(a));
        ranked.into_iter().map(|r| r.account).collect()
    }

    fn market(&mut self) -> Option<MarketSize> {
        self.sizer.take().map(Sizer::finish)
    }
}

/// Builds a report from rows: each row is re-scored with the profile so
/// per-trait evaluability and field presence are measured.
pub struct RowCollector<'p> {
    profile: &'p Profile,
    opts: Options,
    builder: RecordBuilder,
    record: Vec<Value>,
    scored: Scored,
    reasons: String,
    tally: Tally,
    rows: u64,
    skipped: u64,
    skipped_examples: Vec<(u64, String)>,
    /// Per trait: rows evaluable, rows fired.
    traits: Vec<(u64, u64)>,
    /// Per trait: the record slots its condition reads.
    trait_slots: Vec<Vec<usize>>,
    /// Per profile field: rows with a value.
    present: Vec<u64>,
    excluded_by: Vec<u64>,
    unknown: Vec<u64>,
    coverage_sum: f64,
    name_col: Option<usize>,
    /// The file's own tier column for this profile, if it was scored.
    file_tier: Option<(usize, String)>,
    differ: u64,
    first_differ: Option<String>,
    members: Option<MemberTally>,
    /// Account keys seen: a key is counted once (as `icp size` does).
    seen: Option<HashSet<String>>,
    duplicates: u64,
    /// Columns of an ACV formula's fields, and their values for one row.
    formula_cols: Vec<Option<usize>>,
    formula_vals: Vec<Option<f64>>,
}

impl<'p> RowCollector<'p> {
    pub fn new(profile: &'p Profile, headers: &[String], opts: Options) -> Self {
        let builder = RecordBuilder::new(profile, headers);
        let trait_slots = profile
            .traits
            .iter()
            .map(|t| {
                let mut slots = Vec::new();
                t.cond.slots(&mut slots);
                slots.sort_unstable();
                slots.dedup();
                slots
            })
            .collect();
        let members = profile.entity == Entity::Member;
        let name_col = column_for(headers, "name")
            .or_else(|| members.then(|| column_for(headers, "handle")).flatten());
        let prefixed = format!("{}__icp_tier", profile.name);
        let file_tier = headers
            .iter()
            .position(|h| h == &prefixed)
            .map(|i| (i, prefixed.clone()))
            .or_else(|| {
                headers
                    .iter()
                    .position(|h| h == "icp_tier")
                    .map(|i| (i, "icp_tier".to_string()))
            });
        let formula_cols: Vec<Option<usize>> = match &opts.acv {
            Some(Acv::Formula(f)) => f.fields().iter().map(|f| column_for(headers, f)).collect(),
            _ => Vec::new(),
        };
        RowCollector {
            profile,
            builder,
            record: Vec::new(),
            scored: Scored::default(),
            reasons: String::new(),
            tally: Tally::new(opts.top, opts.acv.as_ref()),
            rows: 0,
            skipped: 0,
            skipped_examples: Vec::new(),
            traits: vec![(0, 0); profile.traits.len()],
            trait_slots,
            present: vec![0; profile.fields.len()],
            excluded_by: vec![0; profile.filters.len()],
            unknown: vec![0; profile.filters.len()],
            coverage_sum: 0.0,
            name_col,
            file_tier,
            differ: 0,
            first_differ: None,
            members: members.then(|| MemberTally::new(headers, profile.as_of, &opts)),
            seen: (!members).then(HashSet::new),
            duplicates: 0,
            formula_vals: vec![None; formula_cols.len()],
            formula_cols,
            opts,
        }
    }

    /// A row the reader could not use.
    pub fn skip(&mut self, line: u64, reason: &str) {
        self.skipped += 1;
        if self.skipped_examples.len() < MAX_SKIPPED {
            self.skipped_examples.push((line, reason.to_string()));
        }
    }

    /// Score and count one row; `key` is its account key (domain or member
    /// key), shown in the top list. A row whose account key was seen
    /// before is not counted again (false).
    pub fn add_row<S: AsRef<str>>(&mut self, row: &[S], key: &str) -> bool {
        let p = self.profile;
        if let Some(seen) = &mut self.seen
            && !key.is_empty()
            && !seen.insert(key.to_string())
        {
            self.duplicates += 1;
            return false;
        }
        self.builder.build(row, &mut self.record);
        p.score_into(&self.record, &mut self.scored);
        let s = &self.scored;
        self.rows += 1;
        for (n, v) in self.present.iter_mut().zip(&self.record) {
            if !v.is_missing() {
                *n += 1;
            }
        }
        let mut fired = s.fired.iter().peekable();
        for (i, t) in p.traits.iter().enumerate() {
            if fired.peek() == Some(&&i) {
                fired.next();
                self.traits[i].0 += 1;
                self.traits[i].1 += 1;
            } else if t.cond.eval(&self.record) != Truth::Unknown {
                self.traits[i].0 += 1;
            }
        }
        if let Some(f) = s.excluded_by {
            self.excluded_by[f] += 1;
        }
        for &f in &s.unknown_filters {
            self.unknown[f] += 1;
        }
        self.coverage_sum += s.coverage;
        let tier = tier_index(s.tier);
        if let Some((col, _)) = &self.file_tier {
            let theirs = row.get(*col).map_or("", |c| c.as_ref().trim());
            if !theirs.is_empty() && theirs != s.tier.as_str() {
                self.differ += 1;
                if self.first_differ.is_none() {
                    self.first_differ = Some(format!(
                        "{}: {} in the file, {} now",
                        if key.is_empty() { "an account" } else { key },
                        tier_words(theirs),
                        tier_words(s.tier.as_str())
                    ));
                }
            }
        }
        if let Some(m) = &mut self.members {
            m.add(row, tier);
        }
        let value = match &self.opts.acv {
            None => None,
            Some(Acv::PerTier(t)) => t.for_tier(s.tier),
            Some(Acv::Formula(f)) => {
                for (v, col) in self.formula_vals.iter_mut().zip(&self.formula_cols) {
                    let cell = col.and_then(|c| row.get(c)).map_or("", |c| c.as_ref());
                    *v = formula_number(&parse_as(Kind::Number, cell));
                }
                f.eval(&self.formula_vals)
            }
        };
        if self.tally.add(s.score, tier, value) {
            p.write_reasons(s, &mut self.reasons);
            let name = self
                .name_col
                .and_then(|c| row.get(c))
                .map(|c| c.as_ref().trim())
                .filter(|c| !c.is_empty())
                .map(str::to_string);
            let account = TopAccount {
                name,
                key: key.to_string(),
                score: s.score,
                fit: Some(s.fit),
                intent: Some(s.intent),
                tier: s.tier.as_str().to_string(),
                coverage: Some(s.coverage),
                reasons: self.reasons.clone(),
            };
            self.tally.push_top(account);
        }
        true
    }

    /// The report of every row added.
    pub fn finish(mut self, mut input: InputInfo) -> ReportData {
        let p = self.profile;
        input.rows_read = self.rows + self.skipped + self.duplicates;
        input.rows_skipped = self.skipped;
        input.duplicates = self.duplicates;
        input.skipped = std::mem::take(&mut self.skipped_examples);
        let absent: Vec<String> = self
            .builder
            .absent_fields()
            .into_iter()
            .map(str::to_string)
            .collect();
        let coverage = p
            .traits
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let fields: Vec<(String, u64)> = self.trait_slots[i]
                    .iter()
                    .map(|&s| (p.fields[s].name.clone(), self.present[s]))
                    .collect();
                TraitCoverage {
                    name: t.name.clone(),
                    weight: t.weight,
                    evaluable: self.traits[i].0,
                    fired: self.traits[i].1,
                    rows: self.rows,
                    absent: fields
                        .iter()
                        .filter(|(f, _)| absent.contains(f))
                        .map(|(f, _)| f.clone())
                        .collect(),
                    fields,
                }
            })
            .collect();
        let exclusions = Exclusions {
            by_filter: p
                .filters
                .iter()
                .zip(&self.excluded_by)
                .map(|(f, &n)| (f.name.clone(), n))
                .collect(),
            unknown: p
                .filters
                .iter()
                .zip(&self.unknown)
                .filter(|(_, n)| **n > 0)
                .map(|(f, &n)| (f.name.clone(), n))
                .collect(),
        };
        let mut notes = Vec::new();
        if !absent.is_empty() {
            notes.push(format!(
                "The input has no column for {}: conditions over {} stay unknown, so the traits that use {} never fire and coverage drops.",
                list_code(&absent),
                if absent.len() == 1 { "it" } else { "them" },
                if absent.len() == 1 { "it" } else { "them" },
            ));
        }
        if self.differ > 0 {
            let (_, column) = self.file_tier.as_ref().expect("differ needs a tier column");
            notes.push(format!(
                "{} of {} rows have another tier now than the file's `{column}` says (e.g. {}): the file was scored at another as-of date or with another version of the profile. This report shows the scores as of {}.",
                crate::html::group(self.differ),
                crate::html::group(self.rows),
                self.first_differ.as_deref().unwrap_or(""),
                input.as_of
            ));
        }
        let community = self.members.take().map(|m| m.finish(&self.opts));
        if let Some(c) = &community
            && !c.missing_columns.is_empty()
        {
            notes.push(format!(
                "Community health needs {}: the input lacks {}.",
                ENGAGEMENT_MEASURES
                    .iter()
                    .chain(&["join_date", "last_active"])
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                list_code(&c.missing_columns)
            ));
        }
        ReportData {
            profile: profile_info(p),
            input,
            coverage: Some(coverage),
            fired_only: None,
            mean_coverage: (self.rows > 0).then(|| self.coverage_sum / self.rows as f64),
            exclusions: Some(exclusions),
            market: self.tally.market(),
            top: self.tally.top_accounts(),
            top_limit: self.opts.top,
            counts: std::mem::take(&mut self.tally.counts),
            community,
            analytics: Default::default(),
            notes,
        }
    }
}

fn list_code(items: &[String]) -> String {
    items
        .iter()
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn tier_words(t: &str) -> String {
    match t {
        "1" | "2" | "3" => format!("tier {t}"),
        other => other.to_string(),
    }
}

/// Builds a report from a run's stored results (key, score, tier,
/// reasons): no fields, so no evaluability, exclusions by filter or
/// community health.
pub struct StoreCollector<'p> {
    profile: &'p Profile,
    opts: Options,
    tally: Tally,
    rows: u64,
    fired: Vec<u64>,
    trait_index: HashMap<String, usize>,
}

impl<'p> StoreCollector<'p> {
    pub fn new(profile: &'p Profile, opts: Options) -> Self {
        StoreCollector {
            profile,
            tally: Tally::new(opts.top, opts.acv.as_ref()),
            opts,
            rows: 0,
            fired: vec![0; profile.traits.len()],
            trait_index: profile
                .traits
                .iter()
                .enumerate()
                .map(|(i, t)| (t.name.clone(), i))
                .collect(),
        }
    }

    /// One stored result: tier text `1`, `2`, `3` or `excluded`; reasons
    /// `name (+3); name (-5)`.
    pub fn add(&mut self, key: &str, score: i64, tier: &str, reasons: &str) {
        let p = self.profile;
        let score = i32::try_from(score).unwrap_or(if score < 0 { i32::MIN } else { i32::MAX });
        let tier = match tier.trim() {
            "1" => 0,
            "2" => 1,
            "3" => 2,
            "excluded" => 3,
            _ => tier_index(p.tier_for(score)),
        };
        self.rows += 1;
        for name in reason_names(reasons) {
            if let Some(&i) = self.trait_index.get(name) {
                self.fired[i] += 1;
            }
        }
        let value = match &self.opts.acv {
            Some(Acv::PerTier(t)) => t.for_tier(Tier::ALL[tier]),
            // A formula needs fields the store does not keep.
            _ => None,
        };
        if self.tally.add(score, tier, value) {
            self.tally.push_top(TopAccount {
                name: None,
                key: key.to_string(),
                score,
                fit: None,
                intent: None,
                tier: ["1", "2", "3"][tier].to_string(),
                coverage: None,
                reasons: reasons.to_string(),
            });
        }
    }

    /// The report; `exclusions` and `mean_coverage` come from the run's
    /// summary when it has them.
    pub fn finish(
        mut self,
        mut input: InputInfo,
        exclusions: Option<Exclusions>,
        mean_coverage: Option<f64>,
    ) -> ReportData {
        let p = self.profile;
        if input.rows_read == 0 {
            input.rows_read = self.rows;
        }
        let fired = p
            .traits
            .iter()
            .zip(&self.fired)
            .map(|(t, &n)| TraitFired {
                name: t.name.clone(),
                weight: t.weight,
                fired: n,
                rows: self.rows,
            })
            .collect();
        ReportData {
            profile: profile_info(p),
            input,
            coverage: None,
            fired_only: Some(fired),
            mean_coverage,
            exclusions,
            market: self.tally.market(),
            top: self.tally.top_accounts(),
            top_limit: self.opts.top,
            counts: std::mem::take(&mut self.tally.counts),
            community: None,
            analytics: Default::default(),
            notes: Vec::new(),
        }
    }
}

/// The trait names of a reasons text (`name (+3); name (-5)`).
pub fn reason_names(reasons: &str) -> impl Iterator<Item = &str> {
    reasons
        .split("; ")
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| match r.rfind(" (") {
            Some(i) if r.ends_with(')') => &r[..i],
            _ => r,
        })
}

/// Engagement and retention counters of a member profile.
struct MemberTally {
    measures: [Option<usize>; 4],
    join: Option<usize>,
    last: Option<usize>,
    as_of: i32,
    active_days: i64,
    grain: CohortGrain,
    /// ICMP-fit (tier 1-2), then the others.
    groups: [GroupTally; 2],
    /// Cohort key -> row; members without a join date under `i32::MAX`.
    cohorts: BTreeMap<i32, CohortRow>,
    missing: Vec<String>,
}

#[derive(Default)]
struct GroupTally {
    members: u64,
    sums: [f64; 4],
    present: [u64; 4],
    known: u64,
    active: u64,
    /// Days since last active -> members.
    days: BTreeMap<i64, u64>,
}

impl MemberTally {
    fn new(headers: &[String], as_of: i32, opts: &Options) -> Self {
        let measures = ENGAGEMENT_MEASURES.map(|f| column_for(headers, f));
        let join = column_for(headers, "join_date");
        let last = column_for(headers, "last_active");
        let missing = ENGAGEMENT_MEASURES
            .iter()
            .zip(&measures)
            .map(|(f, c)| (*f, c.is_some()))
            .chain([
                ("join_date", join.is_some()),
                ("last_active", last.is_some()),
            ])
            .filter(|(_, found)| !found)
            .map(|(f, _)| f.to_string())
            .collect();
        MemberTally {
            measures,
            join,
            last,
            as_of,
            active_days: i64::from(opts.active_days),
            grain: opts.grain,
            groups: Default::default(),
            cohorts: BTreeMap::new(),
            missing,
        }
    }

    fn add<S: AsRef<str>>(&mut self, row: &[S], tier: usize) {
        let cell = |c: Option<usize>| c.and_then(|c| row.get(c)).map_or("", |s| s.as_ref());
        let fit = tier < 2;
        let g = &mut self.groups[usize::from(!fit)];
        g.members += 1;
        for (k, col) in self.measures.iter().enumerate() {
            if let Value::Num(n) = parse_field(ENGAGEMENT_MEASURES[k], Kind::Number, cell(*col)) {
                g.sums[k] += n;
                g.present[k] += 1;
            }
        }
        let active = match parse_field("last_active", Kind::Date, cell(self.last)) {
            Value::Date(d) => {
                let days = i64::from(self.as_of) - i64::from(d);
                g.known += 1;
                *g.days.entry(days.max(0)).or_default() += 1;
                let active = days <= self.active_days;
                if active {
                    g.active += 1;
                }
                active
            }
            _ => false,
        };
        let key = match parse_field("join_date", Kind::Date, cell(self.join)) {
            Value::Date(d) => cohort_key(d, self.grain),
            _ => None,
        };
        let c = self.cohorts.entry(key.unwrap_or(i32::MAX)).or_default();
        c.members += 1;
        c.fit += u64::from(fit);
        c.active += u64::from(active);
        c.fit_active += u64::from(fit && active);
    }

    fn finish(self, opts: &Options) -> Community {
        let group = |g: &GroupTally, label: &str| Engagement {
            label: label.to_string(),
            members: g.members,
            means: std::array::from_fn(|k| {
                (g.present[k] > 0).then(|| g.sums[k] / g.present[k] as f64)
            }),
            last_active_known: g.known,
            active: g.active,
            median_days_since_active: median(&g.days),
        };
        let [fit, rest] = &self.groups;
        let grain = self.grain;
        let mut cohorts = self.cohorts;
        // Every period between the first and last join, so a quarter
        // without joins shows as a gap (within reason).
        let dated: Vec<i32> = cohorts.keys().copied().filter(|&k| k != i32::MAX).collect();
        if let (Some(&first), Some(&last)) = (dated.first(), dated.last())
            && last - first < MAX_PERIODS
        {
            for k in first..=last {
                cohorts.entry(k).or_default();
            }
        }
        Community {
            members: fit.members + rest.members,
            fit: fit.members,
            active_days: opts.active_days,
            groups: [
                group(fit, "ICMP fit (tier 1-2)"),
                group(rest, "others (tier 3, excluded)"),
            ],
            cohorts: cohorts
                .into_iter()
                .map(|(k, mut row)| {
                    row.label = cohort_label(k, grain);
                    row
                })
                .collect(),
            grain: match grain {
                CohortGrain::Month => "month",
                CohortGrain::Quarter => "quarter",
            }
            .to_string(),
            missing_columns: self.missing,
        }
    }
}

/// The lower median of a histogram.
fn median(h: &BTreeMap<i64, u64>) -> Option<i64> {
    let n: u64 = h.values().sum();
    if n == 0 {
        return None;
    }
    let mut seen = 0;
    for (&v, &k) in h {
        seen += k;
        if seen * 2 >= n {
            return Some(v);
        }
    }
    None
}

fn cohort_key(day: i32, grain: CohortGrain) -> Option<i32> {
    let d = date_from_days(day)?;
    let m0 = d.month0() as i32;
    Some(match grain {
        CohortGrain::Month => d.year() * 12 + m0,
        CohortGrain::Quarter => d.year() * 4 + m0 / 3,
    })
}

fn cohort_label(key: i32, grain: CohortGrain) -> String {
    if key == i32::MAX {
        return "unknown".into();
    }
    match grain {
        CohortGrain::Month => format!("{}-{:02}", key.div_euclid(12), key.rem_euclid(12) + 1),
        CohortGrain::Quarter => format!("{}-Q{}", key.div_euclid(4), key.rem_euclid(4) + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> i32 {
        icp_core::day_number(chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
    }

    fn profile(src: &str) -> Profile {
        let loaded = icp_core::load(src, day("2026-11-20"));
        loaded
            .profile
            .unwrap_or_else(|| panic!("{:?}", loaded.diagnostics))
    }

    const ACCOUNTS: &str = r#"
name = "p"
[tiers]
tier1 = 8
tier2 = 4
[[filters]]
name = "B2B"
when = 'business_model = "B2B"'
[[traits]]
name = "Big"
when = "employees >= 100"
weight = 5
[[traits]]
name = "Uses Snowflake"
when = 'technologies has "snowflake"'
weight = 3
[[traits]]
name = "On-prem"
when = 'deployment = "on-prem only"'
weight = -3
"#;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn counts_tiers_coverage_exclusions_and_the_top_list() {
        let p = profile(ACCOUNTS);
        let h = headers(&[
            "Company name",
            "Employees",
            "Technologies",
            "Business Model",
        ]);
        let mut c = RowCollector::new(
            &p,
            &h,
            Options {
                top: 2,
                acv: Some(Acv::PerTier(
                    icp_analytics::size::AcvTable::parse("1=100,2=10").unwrap(),
                )),
                ..Options::default()
            },
        );
        c.add_row(&["A", "500", "Snowflake", "B2B"], "a.com"); // 8: tier 1
        c.add_row(&["B", "500", "", "B2B"], "b.com"); // 5: tier 2
        c.add_row(&["C", "", "", "B2B"], "c.com"); // 0: tier 3
        c.add_row(&["D", "900", "snowflake", "B2C"], "d.com"); // excluded
        c.add_row(&["E", "", "Snowflake", ""], "e.com"); // 3, filter unknown
        c.skip(7, "too many fields");
        let r = c.finish(InputInfo {
            as_of: "2026-11-20".into(),
            ..Default::default()
        });
        assert_eq!(r.counts.tiers, [1, 1, 2, 1]);
        assert_eq!((r.counts.tam(), r.counts.sam(), r.counts.som()), (5, 4, 1));
        assert_eq!(
            r.counts.sam_scores,
            BTreeMap::from([(0, 1), (3, 1), (5, 1), (8, 1)])
        );
        assert_eq!((r.input.rows_read, r.input.rows_skipped), (6, 1));
        assert_eq!(r.input.skipped, vec![(7, "too many fields".to_string())]);
        let cov = r.coverage.unwrap();
        assert_eq!((cov[0].evaluable, cov[0].fired, cov[0].rows), (3, 3, 5));
        assert_eq!(
            (cov[1].evaluable, cov[1].fired),
            (3, 3),
            "a blank cell is missing"
        );
        assert_eq!((cov[2].evaluable, cov[2].fired), (0, 0));
        assert!(cov[2].is_gap() && !cov[0].is_gap());
        assert_eq!(cov[2].absent, vec!["deployment".to_string()]);
        assert_eq!(cov[2].missing_fields(), vec!["deployment"]);
        assert_eq!(cov[0].fields, vec![("employees".to_string(), 3)]);
        let ex = r.exclusions.unwrap();
        assert_eq!(ex.by_filter, vec![("B2B".to_string(), 1)]);
        assert_eq!(ex.unknown, vec![("B2B".to_string(), 1)]);
        assert_eq!(r.top.len(), 2);
        assert_eq!(r.top[0].name.as_deref(), Some("A"));
        assert_eq!(r.top[0].key, "a.com");
        assert_eq!(r.top[0].reasons, "Big (+5); Uses Snowflake (+3)");
        assert_eq!(r.top[1].key, "b.com");
        // Excluded accounts never make the top list, however high.
        assert!(r.top.iter().all(|a| a.key != "d.com"));
        let m = r.market.unwrap();
        assert_eq!((m.tam.accounts, m.sam.accounts, m.som.accounts), (5, 4, 1));
        assert_eq!(m.som.value, Some(100.0));
        assert_eq!(m.sam.value, Some(110.0));
        assert!(
            r.notes.iter().any(|n| n.contains("`deployment`")),
            "{:?}",
            r.notes
        );
        assert!(!r.notes.iter().any(|n| n.contains("another tier")));
    }

    #[test]
    fn ties_keep_the_earlier_account() {
        let p = profile(ACCOUNTS);
        let h = headers(&["Employees"]);
        let mut c = RowCollector::new(
            &p,
            &h,
            Options {
                top: 2,
                ..Options::default()
            },
        );
        for k in ["x", "y", "z"] {
            c.add_row(&["500"], k);
        }
        c.add_row(&["5"], "w");
        let r = c.finish(InputInfo::default());
        let keys: Vec<&str> = r.top.iter().map(|a| a.key.as_str()).collect();
        assert_eq!(keys, ["x", "y"]);
    }

    #[test]
    fn nothing_read_is_an_empty_report_not_a_panic() {
        let p = profile(ACCOUNTS);
        let c = RowCollector::new(&p, &[], Options::default());
        let r = c.finish(InputInfo::default());
        assert_eq!(r.counts.tam(), 0);
        assert_eq!(r.mean_coverage, None);
        assert!(r.top.is_empty());
        let cov = r.coverage.unwrap();
        assert!(
            cov.iter()
                .all(|t| !t.is_gap() && t.evaluable_share() == 0.0)
        );
    }

    #[test]
    fn tiers_that_differ_from_the_files_are_noted() {
        let p = profile(ACCOUNTS);
        let h = headers(&["Employees", "Business Model", "icp_tier"]);
        let mut c = RowCollector::new(&p, &h, Options::default());
        c.add_row(&["500", "B2B", "1"], "a.com");
        c.add_row(&["5", "B2B", "3"], "b.com");
        let r = c.finish(InputInfo {
            as_of: "2026-11-20".into(),
            ..Default::default()
        });
        let note = r.notes.iter().find(|n| n.contains("another tier")).unwrap();
        assert!(note.starts_with("1 of 2 rows"), "{note}");
        assert!(
            note.contains("a.com: tier 1 in the file, tier 2 now"),
            "{note}"
        );
    }

    #[test]
    fn stored_scores_give_tiers_fired_shares_and_the_top_list() {
        let p = profile(ACCOUNTS);
        let mut c = StoreCollector::new(&p, Options::default());
        c.add("a.com", 8, "1", "Big (+5); Uses Snowflake (+3)");
        c.add("b.com", 5, "2", "Big (+5)");
        c.add("d.com", 8, "excluded", "Big (+5); Uses Snowflake (+3)");
        c.add("e.com", 99_999_999_999, "weird", "Unknown trait (+1)");
        let r = c.finish(InputInfo::default(), None, None);
        assert_eq!(r.counts.tiers, [2, 1, 0, 1]);
        assert_eq!(r.input.rows_read, 4);
        let fired = r.fired_only.unwrap();
        assert_eq!(fired[0].fired, 3);
        assert_eq!(fired[1].fired, 2);
        assert!(r.coverage.is_none() && r.community.is_none());
        assert_eq!(r.top[0].key, "e.com");
        assert_eq!(r.top[0].score, i32::MAX);
    }

    #[test]
    fn member_profiles_get_engagement_and_join_cohorts() {
        let p = profile(
            r#"
name = "m"
entity = "member"
[tiers]
tier1 = 5
tier2 = 3
[[traits]]
name = "Developer"
when = 'role = "developer"'
weight = 5
"#,
        );
        let h = headers(&[
            "handle",
            "role",
            "posts",
            "replies",
            "join_date",
            "last_active",
        ]);
        let mut c = RowCollector::new(&p, &h, Options::default());
        c.add_row(
            &["ada", "Developer", "10", "20", "2025-01-15", "2026-11-18"],
            "@ada",
        );
        c.add_row(
            &["bob", "Developer", "4", "", "2025-02-01", "2026-01-01"],
            "@bob",
        );
        c.add_row(
            &["cy", "Marketing", "30", "0", "2025-04-01", "2026-11-01"],
            "@cy",
        );
        c.add_row(&["dee", "Marketing", "", "", "", ""], "@dee");
        let r = c.finish(InputInfo::default());
        let m = r.community.unwrap();
        assert_eq!((m.members, m.fit), (4, 2));
        assert_eq!(m.groups[0].means[0], Some(7.0));
        assert_eq!(m.groups[0].means[1], Some(20.0));
        assert_eq!(m.groups[0].means[2], None);
        assert_eq!((m.groups[0].active, m.groups[0].last_active_known), (1, 2));
        assert_eq!(m.groups[0].median_days_since_active, Some(2));
        assert_eq!(m.groups[1].means[0], Some(30.0));
        assert_eq!((m.groups[1].members, m.groups[1].active), (2, 1));
        let labels: Vec<&str> = m.cohorts.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["2025-Q1", "2025-Q2", "unknown"]);
        assert_eq!(
            (
                m.cohorts[0].members,
                m.cohorts[0].fit,
                m.cohorts[0].active,
                m.cohorts[0].fit_active
            ),
            (2, 2, 1, 1)
        );
        assert_eq!(m.missing_columns, vec!["events_attended", "contributions"]);
        assert_eq!(
            r.top[0].name.as_deref(),
            Some("ada"),
            "members are named by handle"
        );
        let mut c = RowCollector::new(&p, &h, Options::default());
        c.add_row(&["a", "Developer", "", "", "2024-12-01", ""], "@a");
        c.add_row(&["b", "Developer", "", "", "2025-07-01", ""], "@b");
        let m = c.finish(InputInfo::default()).community.unwrap();
        let labels: Vec<&str> = m.cohorts.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(
            labels,
            ["2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3"],
            "empty quarters are shown"
        );
        assert_eq!(m.cohorts[1].members, 0);
    }

    #[test]
    fn cohort_keys_and_labels() {
        let d = day("2025-03-31");
        assert_eq!(
            cohort_label(
                cohort_key(d, CohortGrain::Quarter).unwrap(),
                CohortGrain::Quarter
            ),
            "2025-Q1"
        );
        assert_eq!(
            cohort_label(
                cohort_key(d, CohortGrain::Month).unwrap(),
                CohortGrain::Month
            ),
            "2025-03"
        );
        assert_eq!(
            cohort_label(
                cohort_key(day("2025-12-01"), CohortGrain::Month).unwrap(),
                CohortGrain::Month
            ),
            "2025-12"
        );
        assert_eq!(median(&BTreeMap::from([(1, 1), (5, 1), (9, 1)])), Some(5));
        assert_eq!(median(&BTreeMap::new()), None);
        let names: Vec<&str> = reason_names("A (+3); B (c) (-5); ").collect();
        assert_eq!(names, ["A", "B (c)"]);
    }

    #[test]
    fn duplicate_account_keys_count_once_and_formulas_value_rows() {
        let p = profile(ACCOUNTS);
        let h = headers(&["Employees", "Business Model"]);
        let f = icp_analytics::size::AcvFormula::parse("employees * 10").unwrap();
        let mut c = RowCollector::new(
            &p,
            &h,
            Options {
                acv: Some(Acv::Formula(Box::new(f))),
                ..Options::default()
            },
        );
        assert!(c.add_row(&["500", "B2B"], "a.com"));
        assert!(!c.add_row(&["900", "B2B"], "a.com"));
        assert!(c.add_row(&["", "B2B"], ""));
        assert!(
            c.add_row(&["", "B2B"], ""),
            "rows without a key count by themselves"
        );
        let r = c.finish(InputInfo::default());
        assert_eq!(r.counts.tam(), 3);
        assert_eq!((r.input.rows_read, r.input.duplicates), (4, 1));
        let m = r.market.unwrap();
        assert_eq!((m.tam.value, m.tam.unvalued), (Some(5000.0), 2));
    }
}
