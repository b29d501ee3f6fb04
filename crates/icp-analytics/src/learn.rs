//! `icp learn`: from customers with an outcome (won/lost, retained/churned,
//! an NPS or lifetime value) measure which traits go with good customers,
//! propose a profile, and check how well it ranks customers it has not seen.
//!
//! 1. **Outcome and split.** Rows with an outcome are split by a seeded hash
//!    of the row number ([`held_out`]): about `holdout` of them are kept
//!    aside, everything is learned on the rest.
//! 2. **Candidates** ([`candidates`]): every usable column gives conditions
//!    in the profile language: each common text value (`industry =
//!    "Software"`), list item (`technologies has "salesforce"`), band of a
//!    number (`employees between 51 and 200`, round edges) and "filled in"
//!    (`present(x)`). Identifiers, dates, free text, icp's own columns and
//!    columns that look like part of the outcome are left out, with the
//!    reason.
//! 3. **Lift and support** ([`stats`]): support = training rows where the
//!    condition holds; lift = their good rate / the overall good rate; the
//!    interval is the Wilson interval of the good rate over the base rate,
//!    at a confidence adjusted for the number of candidates (Bonferroni).
//! 4. **Proposal**: filters for values on enough rows that were never good;
//!    traits whose interval leaves out 1, weighted ±1/±3/±5 by the end of
//!    the interval nearest 1 ([`stats::weight_for`]), added one at a time,
//!    each time the one that most raises the profile's training AUC (so a
//!    proxy of a trait already in adds nothing and stays out), adjacent
//!    bands of one weight merged; tiers near the top 10% and 40% of
//!    training scores.
//! 5. **Check**: the written profile is compiled by icp-core and scored on
//!    the held-out rows, beside a logistic regression over all candidates
//!    ([`model`]): AUC and top-decile lift of each.

pub mod candidates;
pub mod model;
pub mod stats;
pub mod write;

use icp_core::value::Value;
use icp_core::{Entity, Profile, Truth};
use serde::{Deserialize, Serialize};

use self::candidates::{Bits, Built, Candidate, CandidateKind, Sample, SkippedColumn};
use self::stats::{
    Lift, auc, auc_se, g_statistic, lift, normal_quantile, top_decile_lift, weight_for,
};
use self::write::{fmt_lift, pct, toml_string, toml_when};
use crate::dataset::{Dataset, OutcomeError, OutcomeRule};
use crate::fmt::group;

/// Rows with an outcome needed to learn anything.
pub const MIN_KNOWN: usize = 20;
/// Good rows and bad rows needed (each), in all and in the training part.
pub const MIN_CLASS: usize = 5;
/// A trait must raise the training AUC by this much to be added.
pub const MIN_AUC_GAIN: f64 = 0.001;
/// Two traits whose rows overlap this much (Jaccard) are near-duplicates.
pub const DUPLICATE_OVERLAP: f64 = 0.8;
/// Tier 1 and tier 2 at the top 10% and 40% of training scores.
pub const TIER1_SHARE: f64 = 0.1;
pub const TIER2_SHARE: f64 = 0.4;

/// What to learn from, and how.
#[derive(Debug, Clone)]
pub struct LearnOptions {
    /// The outcome column (header or field name).
    pub outcome: String,
    pub rule: OutcomeRule,
    /// The profile's name.
    pub name: String,
    pub entity: Entity,
    /// The input as people know it (for the profile's comments).
    pub source: Option<String>,
    /// Share of rows with an outcome held out (0 = none).
    pub holdout: f64,
    pub seed: u64,
    /// Least training rows (with an outcome) a value, item or band needs.
    pub min_support: usize,
    /// Simultaneous confidence of the intervals (over all candidates).
    pub confidence: f64,
    pub max_traits: usize,
    /// Columns never used as traits.
    pub exclude: Vec<String>,
    /// Columns used even though they look like part of the outcome.
    pub keep: Vec<String>,
    /// Fit the logistic-regression yardstick.
    pub model: bool,
    /// Most training rows the model is fitted on (evenly spread).
    pub model_rows: usize,
}

impl Default for LearnOptions {
    fn default() -> Self {
        LearnOptions {
            outcome: String::new(),
            rule: OutcomeRule::Auto,
            name: "learned".into(),
            entity: Entity::Account,
            source: None,
            holdout: 0.2,
            seed: 42,
            min_support: 20,
            confidence: 0.95,
            max_traits: 8,
            exclude: Vec::new(),
            keep: Vec::new(),
            model: true,
            model_rows: model::MAX_ROWS,
        }
    }
}

/// Why nothing could be learned.
#[derive(Debug, thiserror::Error)]
pub enum LearnError {
    #[error(transparent)]
    Outcome(#[from] OutcomeError),
    #[error("{0}")]
    BadOption(String),
    #[error(
        "only {known} rows have an outcome in `{column}` ({good} good, {bad} bad): icp learn needs \
         at least {MIN_KNOWN} rows with an outcome, {MIN_CLASS} or more of them good and \
         {MIN_CLASS} or more bad"
    )]
    TooFew {
        column: String,
        known: usize,
        good: usize,
        bad: usize,
    },
    #[error(
        "after holding out {held} rows the training part has {good} good and {bad} bad rows \
         ({MIN_CLASS} of each needed): lower --holdout (0 learns from every row and skips the check)"
    )]
    TooFewToTrain {
        held: usize,
        good: usize,
        bad: usize,
    },
    #[error("no column can be a trait: {0}")]
    NoCandidates(String),
    #[error(
        "the learned profile does not compile ({0}); this is a bug in icp learn, please report it"
    )]
    Internal(String),
}

/// The result: the report and the profile file's text.
#[derive(Debug, Clone)]
pub struct Learned {
    pub report: LearnReport,
    pub profile_toml: String,
}

/// Everything `icp learn` measured and proposed (`--json`; `icp report`
/// reads it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnReport {
    pub input: Option<String>,
    /// The proposed profile's name.
    pub profile: String,
    pub entity: String,
    pub outcome: OutcomeSummary,
    pub split: SplitSummary,
    pub settings: SettingsSummary,
    pub filters: Vec<FilterEvidence>,
    pub traits: Vec<TraitEvidence>,
    pub tiers: TierSummary,
    pub metrics: Metrics,
    /// Plain words: does the profile rank nearly as well as the model?
    pub verdict: String,
    pub model: Option<ModelSummary>,
    /// Every candidate measured, strongest evidence first.
    pub candidates: Vec<CandidateEvidence>,
    pub skipped_columns: Vec<SkippedColumn>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeSummary {
    pub column: String,
    /// How good was told from bad ("Deal Stage: closed won = good").
    pub rule: String,
    pub rows: usize,
    pub with_outcome: usize,
    pub good: usize,
    pub base_rate: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SplitSummary {
    pub seed: u64,
    /// The share asked for (`--holdout`).
    pub holdout_share: f64,
    pub train_rows: usize,
    pub train_good: usize,
    pub holdout_rows: usize,
    pub holdout_good: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingsSummary {
    pub min_support: usize,
    pub confidence: f64,
    pub max_traits: usize,
    /// Candidates measured (the Bonferroni count).
    pub candidates_tested: usize,
    /// The normal quantile of each interval.
    pub z: f64,
    /// Least training rows a never-good value needs to become a filter.
    pub min_filter_support: usize,
}

/// One proposed trait and its evidence (measured on the training rows with
/// the condition as written).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraitEvidence {
    pub name: String,
    pub when: String,
    pub weight: i8,
    pub field: String,
    pub kind: CandidateKind,
    /// Training rows with an outcome where the condition holds.
    pub support: usize,
    /// ... of which good.
    pub good: usize,
    pub good_rate: f64,
    pub lift: f64,
    pub lift_lo: f64,
    pub lift_hi: f64,
    /// Training rows where the condition is unknown (field missing).
    pub unknown: usize,
    /// Why this weight, in words.
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FilterEvidence {
    pub name: String,
    pub when: String,
    pub field: String,
    /// The values (or items, bands) it leaves out.
    pub values: Vec<String>,
    /// Training rows with an outcome it excludes, and the good ones among
    /// them.
    pub excluded: usize,
    pub excluded_good: usize,
    /// Good rows expected among them at the base rate.
    pub expected_good: f64,
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierSummary {
    pub tier1: f64,
    pub tier2: f64,
    /// Shares of training rows (passing the filters) at or above each.
    pub share_tier1: f64,
    pub share_tier2: f64,
    pub min_score: i32,
    pub max_score: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// On the training rows (in-sample: optimistic).
    pub train: Option<RankMetrics>,
    /// On the held-out rows: the honest figure.
    pub holdout: Option<RankMetrics>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankMetrics {
    pub rows: usize,
    pub good: usize,
    pub base_rate: f64,
    pub profile: Ranking,
    pub model: Option<Ranking>,
}

/// How well one score ranks rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranking {
    /// Chance a random good row ranks above a random bad one (ties half).
    pub auc: f64,
    /// 95% interval (Hanley-McNeil).
    pub auc_lo: f64,
    pub auc_hi: f64,
    /// Good rate in the top 10% / overall good rate.
    pub top_decile_lift: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSummary {
    pub method: String,
    pub features: usize,
    /// Training rows it was fitted on (at most --model-rows, evenly spread).
    pub rows: usize,
    /// Largest standardised coefficients: (feature, coefficient).
    pub strongest: Vec<(String, f64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateEvidence {
    pub name: String,
    pub when: String,
    pub field: String,
    pub kind: CandidateKind,
    pub support: usize,
    pub good: usize,
    pub lift: f64,
    pub lift_lo: f64,
    pub lift_hi: f64,
    /// The weight rule's answer (0: none).
    pub weight: i8,
    /// Training rows where it is unknown (field missing).
    pub unknown: usize,
    pub g: f64,
    /// proposed, filter, merged, not significant, too weak, similar to
    /// `X`, over the cap.
    pub status: String,
}

/// Whether data row `row` is held out: a seeded hash of the row number
/// (splitmix64 of `seed * 0x9E3779B97F4A7C15 + row`, top 53 bits as a
/// fraction below `share`). Any tool can reproduce the split.
pub fn held_out(seed: u64, row: usize, share: f64) -> bool {
    let mut z = seed
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(row as u64);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    ((z >> 11) as f64 / (1u64 << 53) as f64) < share
}

/// A candidate's counts on the training rows.
#[derive(Debug, Clone, Copy)]
struct Measure {
    n: usize,
    g: usize,
    unknown: usize,
    lift: Lift,
    weight: i8,
    gstat: f64,
}

struct Ctx<'a> {
    data: &'a Dataset,
    train_known: Bits,
    train_good: Bits,
    n: usize,
    g: usize,
    base: f64,
    z: f64,
}

impl Ctx<'_> {
    fn measure(&self, truth: &Bits, known: &Bits) -> Measure {
        let n = truth.and_count(&self.train_known);
        let g = truth.and_count(&self.train_good);
        let unknown = self.n - known.and_count(&self.train_known);
        let l = lift(g, n, self.base, self.z);
        Measure {
            n,
            g,
            unknown,
            lift: l,
            weight: weight_for(&l),
            gstat: g_statistic(g, n, self.g, self.n),
        }
    }
}

/// A trait on its way into the profile.
struct Proposed {
    name: String,
    when: String,
    field: String,
    kind: CandidateKind,
    weight: i8,
    band: Option<(usize, usize, usize)>,
}

/// Learn a profile from `data`.
pub fn learn(data: &Dataset, opts: &LearnOptions) -> Result<Learned, LearnError> {
    check_options(opts)?;
    let outcome = data.outcome(&opts.outcome, &opts.rule)?;
    let rows = data.len();
    let known = outcome.known();
    let good_all = outcome.positives();
    if known < MIN_KNOWN || good_all < MIN_CLASS || known - good_all < MIN_CLASS {
        return Err(LearnError::TooFew {
            column: outcome.column.clone(),
            known,
            good: good_all,
            bad: known - good_all,
        });
    }

    // The split.
    let mut train = Vec::new();
    let mut train_is_good = Vec::new();
    let mut hold = Vec::new();
    let mut hold_is_good = Vec::new();
    let mut train_known = Bits::new(rows);
    let mut train_good = Bits::new(rows);
    for (row, g) in outcome.good.iter().enumerate() {
        let Some(g) = *g else { continue };
        if opts.holdout > 0.0 && held_out(opts.seed, row, opts.holdout) {
            hold.push(row);
            hold_is_good.push(g);
        } else {
            train.push(row);
            train_is_good.push(g);
            train_known.set(row);
            if g {
                train_good.set(row);
            }
        }
    }
    let n = train.len();
    let g = train_good.count();
    if g < MIN_CLASS || n - g < MIN_CLASS {
        return Err(LearnError::TooFewToTrain {
            held: hold.len(),
            good: g,
            bad: n - g,
        });
    }
    let base = g as f64 / n as f64;
    let mut warnings = Vec::new();

    // Candidates.
    let sample = Sample {
        rows,
        train_known: &train_known,
        train_good: &train_good,
    };
    let settings = candidates::Settings {
        outcome_column: &outcome.column,
        min_support: opts.min_support,
        exclude: &opts.exclude,
        keep: &opts.keep,
    };
    let Built {
        candidates: cands,
        bands,
        numerics,
        skipped,
    } = candidates::build(data, &sample, &settings);
    if cands.is_empty() {
        let why: Vec<String> = skipped
            .iter()
            .map(|s| format!("`{}`: {}", s.column, s.reason))
            .collect();
        return Err(LearnError::NoCandidates(format!(
            "{} (a value, item or band needs {} training rows with an outcome: lower --min-support for small files)",
            why.join("; "),
            opts.min_support
        )));
    }
    for s in &skipped {
        if s.reason.contains("part of the outcome") {
            warnings.push(format!("`{}` left out: {}", s.column, s.reason));
        }
    }

    let m = cands.len();
    let alpha = 1.0 - opts.confidence;
    let z = normal_quantile(1.0 - alpha / (2.0 * m as f64));
    let ctx = Ctx {
        data,
        train_known,
        train_good,
        n,
        g,
        base,
        z,
    };
    let measures: Vec<Measure> = cands
        .iter()
        .map(|c| ctx.measure(&c.truth, &c.known))
        .collect();
    let mut status: Vec<String> = measures
        .iter()
        .map(|me| {
            if !me.lift.excludes_one() {
                "not significant".to_owned()
            } else if me.weight == 0 {
                "too weak".to_owned()
            } else {
                String::new()
            }
        })
        .collect();

    // Filters: never good on enough rows that chance is ruled out at the
    // same simultaneous confidence: (1 - base)^n <= alpha / m.
    let min_filter = ((alpha / m as f64).ln() / (1.0 - base).ln()).ceil();
    let min_filter = if min_filter.is_finite() {
        (min_filter as usize).max(opts.min_support)
    } else {
        usize::MAX
    };
    let mut filter_groups: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, (c, me)) in cands.iter().zip(&measures).enumerate() {
        if c.kind != CandidateKind::Present
            && c.exclude.is_some()
            && me.g == 0
            && me.n >= min_filter
        {
            status[i] = "filter".into();
            match filter_groups.iter_mut().find(|(col, _)| *col == c.col) {
                Some((_, v)) => v.push(i),
                None => filter_groups.push((c.col, vec![i])),
            }
        }
    }
    let filters: Vec<(String, String, String, Vec<String>)> = filter_groups
        .iter()
        .map(|(col, idx)| filter_text(data, &cands, *col, idx))
        .collect();

    // Traits: chosen one by one, each time the one that most improves how
    // the profile ranks the training rows.
    let mut excluded = Bits::new(rows);
    for (_, idx) in &filter_groups {
        for &i in idx {
            for row in cands[i].truth.ones_and(&ctx.train_known) {
                excluded.set(row);
            }
        }
    }
    let chosen = select(
        &ctx,
        &cands,
        &measures,
        &mut status,
        &excluded,
        opts.max_traits,
    );
    let mut proposed: Vec<Proposed> = chosen
        .iter()
        .map(|&i| {
            let c = &cands[i];
            Proposed {
                name: c.name.clone(),
                when: c.when.clone(),
                field: c.field.clone(),
                kind: c.kind,
                weight: measures[i].weight,
                band: c.band.map(|(set, b)| (set, b, b)),
            }
        })
        .collect();
    merge_bands(&ctx, &bands, &mut proposed, &mut status, &cands);

    // Order for reading: positive weights first, strongest first.
    proposed.sort_by(|a, b| {
        (a.weight < 0, std::cmp::Reverse(a.weight.unsigned_abs()))
            .cmp(&(b.weight < 0, std::cmp::Reverse(b.weight.unsigned_abs())))
    });

    // Score the draft on the training rows: the evidence of each trait as
    // written, and the tier thresholds.
    let draft = render(opts, &proposed, &filters, None, &[]);
    let profile = compile(&draft)?;
    let slots = slot_columns(&profile, data);
    let mut rec = Vec::new();
    let mut scored = icp_core::Scored::default();
    let mut trait_counts = vec![(0usize, 0usize, 0usize); profile.traits.len()];
    let mut filter_counts = vec![(0usize, 0usize); profile.filters.len()];
    let mut train_scores = Vec::with_capacity(n);
    let mut passing: Vec<i32> = Vec::with_capacity(n);
    for (&row, &good) in train.iter().zip(&train_is_good) {
        record(data, &slots, row, &mut rec);
        for (t, c) in profile.traits.iter().zip(trait_counts.iter_mut()) {
            match t.cond.eval(&rec) {
                Truth::True => {
                    c.0 += 1;
                    c.1 += usize::from(good);
                }
                Truth::Unknown => c.2 += 1,
                Truth::False => {}
            }
        }
        for (f, c) in profile.filters.iter().zip(filter_counts.iter_mut()) {
            if f.cond.eval(&rec) == Truth::False {
                c.0 += 1;
                c.1 += usize::from(good);
            }
        }
        profile.score_into(&rec, &mut scored);
        if scored.excluded_by.is_some() {
            train_scores.push(f64::NEG_INFINITY);
        } else {
            train_scores.push(f64::from(scored.score));
            passing.push(scored.score);
        }
    }
    let (min_score, max_score) = profile.score_bounds();
    let (t1, t2) = tiers(&mut passing, min_score, max_score);
    let share = |t: f64| {
        if passing.is_empty() {
            0.0
        } else {
            passing.iter().filter(|&&s| f64::from(s) >= t).count() as f64 / passing.len() as f64
        }
    };
    let tier_summary = TierSummary {
        tier1: t1,
        tier2: t2,
        share_tier1: share(t1),
        share_tier2: share(t2),
        min_score,
        max_score,
    };

    let trait_evidence: Vec<TraitEvidence> = proposed
        .iter()
        .zip(&trait_counts)
        .map(|(p, &(support, good, unknown))| {
            let l = lift(good, support, base, z);
            TraitEvidence {
                name: p.name.clone(),
                when: p.when.clone(),
                weight: p.weight,
                field: p.field.clone(),
                kind: p.kind,
                support,
                good,
                good_rate: if support == 0 {
                    0.0
                } else {
                    good as f64 / support as f64
                },
                lift: l.lift,
                lift_lo: l.lo,
                lift_hi: l.hi,
                unknown,
                why: why_weight(p.weight, &l, opts.confidence),
            }
        })
        .collect();
    let filter_evidence: Vec<FilterEvidence> = filters
        .iter()
        .zip(&filter_counts)
        .map(|((name, when, field, values), &(excluded, excluded_good))| {
            let expected = excluded as f64 * base;
            FilterEvidence {
                name: name.clone(),
                when: when.clone(),
                field: field.clone(),
                values: values.clone(),
                excluded,
                excluded_good,
                expected_good: expected,
                why: format!(
                    "{excluded_good} of {} training rows it leaves out were good, {expected:.1} expected at the {} base rate",
                    group(excluded as u64),
                    pct(base)
                ),
            }
        })
        .collect();

    // The model, and both rankings on training and held-out rows.
    let mut model_summary = None;
    let fitted = if opts.model {
        match model::fit(
            data,
            &cands,
            &numerics,
            &train,
            &train_is_good,
            &hold,
            opts.model_rows,
        ) {
            Ok(f) => {
                model_summary = Some(ModelSummary {
                    method: format!(
                        "logistic regression (linfa-logistic, L2 alpha = {}, at most {} L-BFGS iterations) on {} standardised features (one 0/1 column per candidate trait and each number column), fitted on {} training rows",
                        model::ALPHA,
                        model::MAX_ITERATIONS,
                        f.features,
                        f.rows
                    ),
                    features: f.features,
                    rows: f.rows,
                    strongest: f.strongest.clone(),
                });
                Some(f)
            }
            Err(e) => {
                warnings.push(format!("the logistic model could not be fitted: {e}"));
                None
            }
        }
    } else {
        None
    };
    let hold_scores: Vec<f64> = hold
        .iter()
        .map(|&row| {
            record(data, &slots, row, &mut rec);
            profile.score_into(&rec, &mut scored);
            if scored.excluded_by.is_some() {
                f64::NEG_INFINITY
            } else {
                f64::from(scored.score)
            }
        })
        .collect();
    let train_metrics = rank_metrics(
        &train_scores,
        fitted.as_ref().map(|f| f.train.as_slice()),
        &train_is_good,
    );
    let hold_metrics = rank_metrics(
        &hold_scores,
        fitted.as_ref().map(|f| f.holdout.as_slice()),
        &hold_is_good,
    );
    if opts.holdout > 0.0 && hold_metrics.is_none() {
        warnings.push(format!(
            "the held-out part ({} rows, {} good) needs good and bad rows for AUC; the figures below are in-sample",
            hold.len(),
            hold_is_good.iter().filter(|g| **g).count()
        ));
    }
    let verdict = verdict(
        hold_metrics.as_ref().or(train_metrics.as_ref()),
        hold_metrics.is_some(),
    );
    if proposed.is_empty() {
        warnings.push(
            "no trait passed the weight rule: with few rows only strong effects are certain enough; more rows, a lower --confidence or fewer columns help".into(),
        );
    }

    let metrics = Metrics {
        train: train_metrics,
        holdout: hold_metrics,
    };
    let mut cand_evidence: Vec<CandidateEvidence> = cands
        .iter()
        .zip(&measures)
        .zip(&status)
        .map(|((c, me), st)| CandidateEvidence {
            name: c.name.clone(),
            when: c.when.clone(),
            field: c.field.clone(),
            kind: c.kind,
            support: me.n,
            good: me.g,
            lift: me.lift.lift,
            lift_lo: me.lift.lo,
            lift_hi: me.lift.hi,
            weight: me.weight,
            unknown: me.unknown,
            g: me.gstat,
            status: st.clone(),
        })
        .collect();
    cand_evidence.sort_by(|a, b| b.g.total_cmp(&a.g).then_with(|| a.name.cmp(&b.name)));

    let report = LearnReport {
        input: opts.source.clone(),
        profile: opts.name.clone(),
        entity: match opts.entity {
            Entity::Account => "account".into(),
            Entity::Member => "member".into(),
        },
        outcome: OutcomeSummary {
            column: outcome.column.clone(),
            rule: outcome.rule.clone(),
            rows,
            with_outcome: known,
            good: good_all,
            base_rate: good_all as f64 / known as f64,
        },
        split: SplitSummary {
            seed: opts.seed,
            holdout_share: opts.holdout,
            train_rows: n,
            train_good: g,
            holdout_rows: hold.len(),
            holdout_good: hold_is_good.iter().filter(|g| **g).count(),
        },
        settings: SettingsSummary {
            min_support: opts.min_support,
            confidence: opts.confidence,
            max_traits: opts.max_traits,
            candidates_tested: m,
            z,
            min_filter_support: min_filter,
        },
        filters: filter_evidence,
        traits: trait_evidence,
        tiers: tier_summary,
        metrics,
        verdict,
        model: model_summary,
        candidates: cand_evidence,
        skipped_columns: skipped,
        warnings,
    };
    let text = render(opts, &proposed, &filters, Some(&report), &report.traits);
    compile(&text)?;
    Ok(Learned {
        report,
        profile_toml: text,
    })
}

fn check_options(o: &LearnOptions) -> Result<(), LearnError> {
    let bad = |m: String| Err(LearnError::BadOption(m));
    if !(0.0..=0.9).contains(&o.holdout) || o.holdout.is_nan() {
        return bad(format!(
            "--holdout {} is not a share from 0 to 0.9 (e.g. 0.2)",
            o.holdout
        ));
    }
    if !(o.confidence > 0.5 && o.confidence < 1.0) {
        return bad(format!(
            "--confidence {} is not between 0.5 and 1 (e.g. 0.95)",
            o.confidence
        ));
    }
    if o.min_support == 0 {
        return bad("--min-support must be at least 1".into());
    }
    if o.model && o.model_rows < 2 * MIN_CLASS {
        return bad(format!(
            "--model-rows {} is too few to fit a model (at least {})",
            o.model_rows,
            2 * MIN_CLASS
        ));
    }
    if o.max_traits == 0 {
        return bad("--max-traits must be at least 1".into());
    }
    if o.name.trim().is_empty() {
        return bad("the profile name is empty".into());
    }
    Ok(())
}

/// Forward selection. Start from no traits; at each step add the eligible
/// candidate (significant, with a weight) whose weight most raises the
/// training AUC of the profile's score (rows a filter excludes rank last);
/// stop at `max` traits or when no candidate adds [`MIN_AUC_GAIN`]. A trait
/// that repeats one already chosen (a proxy: revenue under $1M after 1-10
/// employees) adds little and stays out; one whose rows overlap a chosen
/// trait's by [`DUPLICATE_OVERLAP`] is marked as similar to it.
fn select(
    ctx: &Ctx,
    cands: &[Candidate],
    measures: &[Measure],
    status: &mut [String],
    excluded: &Bits,
    max: usize,
) -> Vec<usize> {
    let span = 5 * max as i32 + 5;
    let levels = (2 * span + 2) as usize;
    // Level 0 holds excluded rows; score s sits at s + span + 1.
    let level = |s: i32| (s + span + 1) as usize;
    let mut score = vec![0i32; ctx.data.len()];
    let mut good_h = vec![0usize; levels];
    let mut bad_h = vec![0usize; levels];
    for row in ctx.train_known.ones_and(&ctx.train_known) {
        let k = if excluded.get(row) { 0 } else { level(0) };
        if ctx.train_good.get(row) {
            good_h[k] += 1;
        } else {
            bad_h[k] += 1;
        }
    }
    let auc_of = |g: &[usize], b: &[usize]| {
        let (tg, tb) = (
            g.iter().sum::<usize>() as f64,
            b.iter().sum::<usize>() as f64,
        );
        let (mut below, mut sum) = (0.0, 0.0);
        for (gk, bk) in g.iter().zip(b) {
            sum += *gk as f64 * (below + 0.5 * *bk as f64);
            below += *bk as f64;
        }
        if tg == 0.0 || tb == 0.0 {
            0.5
        } else {
            sum / (tg * tb)
        }
    };
    let shifted = |i: usize, score: &[i32], g: &mut [usize], b: &mut [usize]| {
        let w = i32::from(measures[i].weight);
        for row in cands[i].truth.ones_and(&ctx.train_known) {
            if excluded.get(row) {
                continue;
            }
            let (from, to) = (level(score[row]), level(score[row] + w));
            let h = if ctx.train_good.get(row) {
                &mut *g
            } else {
                &mut *b
            };
            h[from] -= 1;
            h[to] += 1;
        }
    };
    let mut pool: Vec<usize> = (0..cands.len()).filter(|&i| status[i].is_empty()).collect();
    pool.sort_by(|&a, &b| {
        measures[b]
            .gstat
            .total_cmp(&measures[a].gstat)
            .then_with(|| cands[a].name.cmp(&cands[b].name))
    });
    let mut current = auc_of(&good_h, &bad_h);
    let mut chosen: Vec<usize> = Vec::new();
    let gain_of = |i: usize, score: &[i32], g: &[usize], b: &[usize], current: f64| {
        let (mut g2, mut b2) = (g.to_vec(), b.to_vec());
        shifted(i, score, &mut g2, &mut b2);
        auc_of(&g2, &b2) - current
    };
    while chosen.len() < max {
        let mut best: Option<(usize, f64)> = None;
        for &i in &pool {
            if !status[i].is_empty() {
                continue;
            }
            let similar = chosen.iter().find(|&&j| {
                let inter = cands[i].truth.and3_count(&cands[j].truth, &ctx.train_known);
                let union = measures[i].n + measures[j].n - inter;
                union > 0 && inter as f64 / union as f64 >= DUPLICATE_OVERLAP
            });
            if let Some(&j) = similar {
                status[i] = format!("similar to `{}`", cands[j].name);
                continue;
            }
            let gain = gain_of(i, &score, &good_h, &bad_h, current);
            if best.is_none_or(|(_, b)| gain > b + 1e-12) {
                best = Some((i, gain));
            }
        }
        let Some((i, gain)) = best else { break };
        if gain < MIN_AUC_GAIN {
            break;
        }
        shifted(i, &score, &mut good_h, &mut bad_h);
        let w = i32::from(measures[i].weight);
        for row in cands[i].truth.ones_and(&ctx.train_known) {
            score[row] += w;
        }
        current = auc_of(&good_h, &bad_h);
        status[i] = "proposed".into();
        chosen.push(i);
    }
    for &i in &pool {
        if status[i].is_empty() {
            let gain = gain_of(i, &score, &good_h, &bad_h, current);
            status[i] = if gain >= MIN_AUC_GAIN {
                "over the --max-traits cap".into()
            } else {
                format!("adds under {MIN_AUC_GAIN} training AUC to the proposed traits")
            };
        }
    }
    chosen
}

/// Merge adjacent bands of one number column that got the same weight into
/// one trait (`employees between 51 and 1000`), when the merged band earns
/// that weight too.
fn merge_bands(
    ctx: &Ctx,
    bands: &[candidates::Bands],
    proposed: &mut Vec<Proposed>,
    status: &mut [String],
    cands: &[Candidate],
) {
    loop {
        let mut merged = false;
        'pairs: for a in 0..proposed.len() {
            for b in 0..proposed.len() {
                let (Some((sa, ia, ja)), Some((sb, ib, jb))) = (proposed[a].band, proposed[b].band)
                else {
                    continue;
                };
                if sa != sb || ja + 1 != ib || proposed[a].weight != proposed[b].weight {
                    continue;
                }
                let set = &bands[sa];
                let when = set.cond(ia, jb);
                let col = &ctx.data.columns[set.col];
                let Ok(mut out) = candidates::eval_conditions(col, std::slice::from_ref(&when))
                else {
                    continue;
                };
                let (truth, known) = out.swap_remove(0);
                let me = ctx.measure(&truth, &known);
                if me.weight != proposed[a].weight {
                    continue;
                }
                let name = set.name(ia, jb);
                for (c, st) in cands.iter().zip(status.iter_mut()) {
                    if c.name == proposed[a].name || c.name == proposed[b].name {
                        *st = format!("merged into `{name}`");
                    }
                }
                proposed[a] = Proposed {
                    name,
                    when,
                    field: proposed[a].field.clone(),
                    kind: CandidateKind::Band,
                    weight: proposed[a].weight,
                    band: Some((sa, ia, jb)),
                };
                proposed.remove(b);
                merged = true;
                break 'pairs;
            }
        }
        if !merged {
            return;
        }
    }
}

/// One filter per column: (name, when, field, values).
fn filter_text(
    data: &Dataset,
    cands: &[Candidate],
    col: usize,
    idx: &[usize],
) -> (String, String, String, Vec<String>) {
    let c0 = &cands[idx[0]];
    let label = data.columns[col]
        .header
        .trim_start_matches('\u{feff}')
        .trim()
        .to_owned();
    let values: Vec<String> = idx.iter().map(|&i| cands[i].value.clone()).collect();
    let parts: Vec<String> = idx
        .iter()
        .filter_map(|&i| cands[i].exclude.clone())
        .collect();
    let f = write::field_ref(&c0.field);
    let when = match c0.kind {
        CandidateKind::Value => format!("{f} not in [{}]", parts.join(", ")),
        CandidateKind::Item if parts.len() == 1 => format!("not ({f} has {})", parts[0]),
        CandidateKind::Item => format!("not ({f} has any [{}])", parts.join(", ")),
        _ => parts.join(" and "),
    };
    let name = format!("{label}: not {}", values.join(" or "));
    (name, when, c0.field.clone(), values)
}

fn compile(src: &str) -> Result<Profile, LearnError> {
    let loaded = icp_core::load(src, 0);
    loaded.profile.ok_or_else(|| {
        let errors: Vec<String> = loaded
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.message.clone())
            .collect();
        LearnError::Internal(errors.join("; "))
    })
}

/// The data column of each profile slot.
fn slot_columns(profile: &Profile, data: &Dataset) -> Vec<Option<usize>> {
    profile
        .fields
        .iter()
        .map(|f| data.columns.iter().position(|c| c.field == f.name))
        .collect()
}

fn record(data: &Dataset, slots: &[Option<usize>], row: usize, rec: &mut Vec<Value>) {
    rec.clear();
    rec.extend(slots.iter().map(|s| match s {
        Some(c) => data.columns[*c].values[row].clone(),
        None => Value::Missing,
    }));
}

/// Tier thresholds from the training scores (of rows passing the filters):
/// tier 1 at the score whose share at or above it is nearest 10%, tier 2
/// nearest 40% below that, kept in order and above the lowest possible score
/// (so tier 3 is not empty).
fn tiers(scores: &mut [i32], min: i32, max: i32) -> (f64, f64) {
    if scores.is_empty() {
        return (f64::from(max.max(min + 2)), f64::from(min + 1));
    }
    scores.sort_unstable_by(|a, b| b.cmp(a));
    let n = scores.len() as f64;
    // (score, share of rows at or above it), best score first.
    let mut cuts: Vec<(i32, f64)> = Vec::new();
    for (i, &s) in scores.iter().enumerate() {
        if scores.get(i + 1) != Some(&s) {
            cuts.push((s, (i + 1) as f64 / n));
        }
    }
    let nearest = |share: f64, below: i32| {
        cuts.iter()
            .filter(|(s, _)| *s < below)
            .min_by(|a, b| (a.1 - share).abs().total_cmp(&(b.1 - share).abs()))
            .map(|c| c.0)
    };
    let t1 = nearest(TIER1_SHARE, i32::MAX).unwrap_or(max);
    let t2 = nearest(TIER2_SHARE, t1).unwrap_or(t1 - 1).max(min + 1);
    let t1 = t1.max(t2 + 1);
    if t1 > max && max > min {
        // Scores span one step (a single +1 trait): tier 1 is the accounts
        // with it, tier 2 the rest.
        return (f64::from(max), f64::from(max - 1));
    }
    (f64::from(t1), f64::from(t2))
}

fn ranking(scores: &[f64], good: &[bool]) -> Option<Ranking> {
    let a = auc(scores, good)?;
    let n1 = good.iter().filter(|g| **g).count();
    let se = auc_se(a, n1, good.len() - n1);
    Some(Ranking {
        auc: a,
        auc_lo: (a - 1.96 * se).max(0.0),
        auc_hi: (a + 1.96 * se).min(1.0),
        top_decile_lift: top_decile_lift(scores, good)?,
    })
}

fn rank_metrics(profile: &[f64], model: Option<&[f64]>, good: &[bool]) -> Option<RankMetrics> {
    let p = ranking(profile, good)?;
    let g = good.iter().filter(|g| **g).count();
    Some(RankMetrics {
        rows: good.len(),
        good: g,
        base_rate: g as f64 / good.len() as f64,
        profile: p,
        model: model.and_then(|m| ranking(m, good)),
    })
}

/// How the profile compares with the model, in words.
fn verdict(m: Option<&RankMetrics>, held_out: bool) -> String {
    let Some(m) = m else {
        return "no ranking check: the rows to check on lack good or bad outcomes".into();
    };
    let on = if held_out {
        "held-out"
    } else {
        "training (in-sample, optimistic)"
    };
    let p = m.profile.auc;
    let Some(model) = &m.model else {
        return format!(
            "The learned profile ranks {on} rows with AUC {p:.2} (no model to compare with)."
        );
    };
    let gap = model.auc - p;
    if p < 0.6 && model.auc < 0.6 {
        format!(
            "Neither the profile (AUC {p:.2}) nor the model (AUC {:.2}) ranks {on} rows much better than chance: these columns say little about the outcome.",
            model.auc
        )
    } else if gap <= 0.02 {
        format!(
            "The learned profile ranks {on} rows nearly as well as the model (AUC {p:.2} vs {:.2}): the rule profile is good enough.",
            model.auc
        )
    } else if gap <= 0.05 {
        format!(
            "The model ranks {on} rows somewhat better (AUC {:.2} vs {p:.2}): the profile is usable; more traits (--max-traits) may close the gap.",
            model.auc
        )
    } else {
        format!(
            "The model ranks {on} rows clearly better (AUC {:.2} vs {p:.2}): the profile leaves ranking power unused; the model's strongest features show where (more rows, or a lower --confidence, let more traits in).",
            model.auc
        )
    }
}

fn why_weight(w: i8, l: &Lift, confidence: f64) -> String {
    let c = fmt_lift(l.conservative());
    let rule = match w {
        5 => format!("{} or more gives +5", stats::BAND_5),
        3 => format!("{} or more gives +3", stats::BAND_3),
        1 => format!("under {} gives +1", stats::BAND_3),
        -1 => format!("over {} gives -1", 1.0 / stats::BAND_3),
        -3 => format!("{} or less gives -3", 1.0 / stats::BAND_3),
        _ => format!("{} or less gives -5", 1.0 / stats::BAND_5),
    };
    let bound = if w > 0 { "at least" } else { "at most" };
    format!(
        "{w:+}: lift {}, {bound} {c} with {}% confidence ({rule})",
        fmt_lift(l.lift),
        write::clean(confidence * 100.0)
    )
}

/// The profile file. Without `report` (the draft) there are no tiers or
/// evidence comments.
fn render(
    opts: &LearnOptions,
    proposed: &[Proposed],
    filters: &[(String, String, String, Vec<String>)],
    report: Option<&LearnReport>,
    evidence: &[TraitEvidence],
) -> String {
    let mut s = String::new();
    if let Some(r) = report {
        let o = &r.outcome;
        let src = r.input.as_deref().unwrap_or("the input");
        s.push_str(&format!("# Learned by `icp learn` from {src}.\n"));
        s.push_str(&format!("# Outcome: {}.\n", o.rule));
        s.push_str(&format!(
            "# {} rows with an outcome, {} good ({}); learned on {}, {} held out (seed {}).\n",
            group(o.with_outcome as u64),
            group(o.good as u64),
            pct(o.base_rate),
            group(r.split.train_rows as u64),
            group(r.split.holdout_rows as u64),
            r.split.seed
        ));
        s.push_str(&format!(
            "# Lift = good rate with the trait / good rate overall ({} on the training rows).\n",
            pct(r.split.train_good as f64 / r.split.train_rows.max(1) as f64)
        ));
        s.push_str(&format!(
            "# Intervals: Wilson, {}% confidence over all {} candidate traits measured together.\n",
            write::clean(r.settings.confidence * 100.0),
            r.settings.candidates_tested
        ));
        s.push_str(&format!(
            "# Weights: kept when the interval leaves out 1 and the lift is {} or more ({:.2} or less);\n\
             # +-5 when the interval's end nearest 1 is beyond {} ({}), +-3 beyond {} ({}), else +-1.\n",
            stats::MIN_EFFECT,
            1.0 / stats::MIN_EFFECT,
            stats::BAND_5,
            1.0 / stats::BAND_5,
            stats::BAND_3,
            1.0 / stats::BAND_3
        ));
        s.push_str(&format!(
            "# Filters: a value on {} or more training rows, none of them good.\n",
            r.settings.min_filter_support
        ));
        if let Some(h) = &r.metrics.holdout {
            s.push_str(&format!(
                "# Held-out check ({} rows): AUC {:.2} for this profile",
                group(h.rows as u64),
                h.profile.auc
            ));
            match &h.model {
                Some(m) => s.push_str(&format!(", {:.2} for a logistic model.\n", m.auc)),
                None => s.push_str(".\n"),
            }
        }
        s.push_str("# See docs/learn.md. Review before use: lift is association, not cause.\n");
    }
    s.push_str(&format!("name = {}\n", toml_string(&opts.name)));
    if opts.entity == Entity::Member {
        s.push_str("entity = \"member\"\n");
    } else {
        s.push_str("entity = \"account\"\n");
    }
    if let Some(r) = report {
        s.push_str(&format!(
            "description = {}\n",
            toml_string(&format!(
                "Learned by icp learn from {}; outcome {}",
                r.input.as_deref().unwrap_or("customers with an outcome"),
                r.outcome.rule
            ))
        ));
        s.push_str(&format!(
            "\n# Tier 1: top {} of training rows; tier 2: top {}.\n[tiers]\ntier1 = {}\ntier2 = {}\n",
            pct(r.tiers.share_tier1),
            pct(r.tiers.share_tier2),
            r.tiers.tier1,
            r.tiers.tier2
        ));
    }
    for (i, (name, when, _, _)) in filters.iter().enumerate() {
        s.push_str("\n[[filters]]\n");
        s.push_str(&format!(
            "name = {}\nwhen = {}\n",
            toml_string(name),
            toml_when(when)
        ));
        if let Some(f) = report.and_then(|r| r.filters.get(i)) {
            s.push_str(&format!("note = {}\n", toml_string(&f.why)));
        }
    }
    for (i, p) in proposed.iter().enumerate() {
        s.push_str("\n[[traits]]\n");
        if let Some(e) = evidence.get(i) {
            s.push_str(&format!("# {}\n", e.why));
        }
        s.push_str(&format!(
            "name = {}\nwhen = {}\nweight = {}\n",
            toml_string(&p.name),
            toml_when(&p.when),
            p.weight
        ));
        if let Some(e) = evidence.get(i) {
            s.push_str(&format!(
                "note = {}\n",
                toml_string(&format!(
                    "lift {} ({}-{}): {} of {} training rows with it were good ({}){}",
                    fmt_lift(e.lift),
                    fmt_lift(e.lift_lo),
                    fmt_lift(e.lift_hi),
                    group(e.good as u64),
                    group(e.support as u64),
                    pct(e.good_rate),
                    if e.unknown > 0 {
                        format!("; unknown on {}", group(e.unknown as u64))
                    } else {
                        String::new()
                    }
                ))
            ));
        }
    }
    s
}

#[cfg(test)]
mod tests;
