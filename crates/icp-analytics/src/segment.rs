//! `icp segment`: cluster accounts into segments and describe them.
//!
//! 1. **Features** ([`features`]): numeric columns log-scaled when skewed
//!    and standardised; low-cardinality text columns as categories; the most
//!    common technologies as yes/no categories. `--fields` overrides.
//! 2. **Clustering** ([`kproto`]): k-prototypes with `gamma` (the weight
//!    of a categorical mismatch) = mean variance of the numeric features /
//!    mean concentration `1 - sum(p^2)` of the categorical ones, so both
//!    kinds weigh alike on average ([`default_gamma`], as clustMixType's
//!    `lambdaest`); missing values ignored in the distance, seeded
//!    k-means++ starts, best of several.
//! 3. **Number of segments**: `--k`, or the k in 2..=8 with the highest mean
//!    silhouette on a seeded sample of up to 3,000 rows (each k fitted on the
//!    sample; ties go to the smaller k). The final model is then fitted on
//!    every row.
//! 4. **Descriptions** ([`describe`]): per segment its size, dominant
//!    industry, size band, countries, technologies and distinctive values,
//!    and with an outcome its rate with a Wilson interval; a segment is a
//!    beachhead when it has at least 10 outcomes and the lower bound of its
//!    rate is above the overall rate.
//!
//! Segments are numbered by size (1 = the largest); the report lists them
//! ranked (beachheads first). The same input, options and seed give the
//! same segments, whatever the number of cores.

pub mod describe;
pub mod features;
pub mod kproto;

use serde::{Deserialize, Serialize};

use crate::Dataset;
use crate::dataset::{OutcomeError, OutcomeRule};

/// The k range searched when `--k` is not given.
pub const K_MIN: usize = 2;
pub const K_MAX: usize = 8;
/// Rows sampled to choose k by silhouette.
pub const SAMPLE: usize = 3000;

/// Settings of `icp segment`.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentOptions {
    /// A fixed number of segments; chosen by silhouette when `None`.
    pub k: Option<usize>,
    /// Columns to cluster on (headers or field names); automatic when `None`.
    pub fields: Option<Vec<String>>,
    /// An outcome column and how to read it.
    pub outcome: Option<(String, OutcomeRule)>,
    pub seed: u64,
    /// Seeded starts per fit (the lowest cost wins).
    pub restarts: usize,
    /// Rows sampled for the silhouette.
    pub sample: usize,
    /// Weight of a categorical mismatch; [`default_gamma`] when `None`.
    pub gamma: Option<f64>,
    pub max_iter: usize,
}

impl Default for SegmentOptions {
    fn default() -> Self {
        SegmentOptions {
            k: None,
            fields: None,
            outcome: None,
            seed: 42,
            restarts: 4,
            sample: SAMPLE,
            gamma: None,
            max_iter: 100,
        }
    }
}

/// Why segmenting failed.
#[derive(Debug, thiserror::Error)]
pub enum SegmentError {
    #[error("the file has no rows to segment")]
    Empty,
    #[error("there is no column `{column}` (columns: {available}); check --fields")]
    NoColumn { column: String, available: String },
    #[error(
        "no column can be used to segment ({why}); name numeric or categorical columns with --fields"
    )]
    NoFeatures { why: String },
    #[error("--k {k} asks for more segments than the file's {rows} rows")]
    TooManySegments { k: usize, rows: usize },
    #[error("--k must be at least 1")]
    ZeroSegments,
    #[error("--gamma must be a positive number, not {0}")]
    BadGamma(f64),
    #[error("--outcome: {0}")]
    Outcome(#[from] OutcomeError),
}

/// A column the clustering uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureInfo {
    /// The header as written in the file.
    pub column: String,
    /// `numeric`, `categorical` or `has item` (a technology as yes/no).
    pub kind: String,
    /// The transform or levels ("log-scaled (ln(1 + x)), standardised",
    /// "12 values", "has hubspot ...").
    pub detail: String,
    /// Share of rows with a value.
    pub coverage: f64,
}

/// A column left out, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IgnoredColumn {
    pub column: String,
    pub reason: String,
}

/// The silhouette of one k.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KScore {
    pub k: usize,
    pub silhouette: f64,
}

/// How the number of segments was chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KChoice {
    /// `silhouette`, `fixed` (`--k`) or `single` (too few distinct rows).
    pub criterion: String,
    /// In words, for people.
    pub explanation: String,
    /// `--k` as asked.
    pub requested: Option<usize>,
    /// Rows in the silhouette sample.
    pub sample: usize,
    /// Mean silhouette per k tried (on the sample).
    pub scores: Vec<KScore>,
}

/// The model's settings and fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodInfo {
    pub algorithm: String,
    pub gamma: f64,
    pub gamma_rule: String,
    pub seed: u64,
    pub restarts: usize,
    pub max_iter: usize,
    /// Total dissimilarity of the rows to their segment's prototype.
    pub cost: f64,
    pub iterations: usize,
    pub converged: bool,
}

/// The outcome over the whole file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeInfo {
    pub column: String,
    /// How good was told from bad.
    pub rule: String,
    pub known: usize,
    pub positives: usize,
    pub rate: f64,
}

/// A value's share within a segment (of its rows with a value) and over
/// the whole file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Share {
    pub value: String,
    pub count: usize,
    pub share: f64,
    pub overall: f64,
}

/// The most common value of a categorical clustering column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trait {
    pub column: String,
    pub top: Share,
}

/// Distribution of a numeric column within a segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Numbers {
    pub column: String,
    pub known: usize,
    pub median: f64,
    pub p25: f64,
    pub p75: f64,
    pub min: f64,
    pub max: f64,
}

/// Headcount in words and numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SizeBand {
    /// micro (under 10), small (10-99), mid-market (100-999), enterprise
    /// (1,000-9,999), large enterprise (10,000+), by the median.
    pub band: String,
    #[serde(flatten)]
    pub numbers: Numbers,
}

/// A segment's outcome rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    pub known: usize,
    pub positives: usize,
    pub rate: f64,
    /// rate / overall rate.
    pub lift: f64,
    /// Wilson interval (one-sided 95% each way, z = 1.645).
    pub low: f64,
    pub high: f64,
}

/// Scores of a scored file's rows in the segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreInfo {
    pub scored: usize,
    pub mean_score: Option<f64>,
    pub tier1: usize,
    pub tier1_share: f64,
}

/// One segment in plain terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentSummary {
    /// The value in the output's `segment` column (1 = the largest).
    pub id: usize,
    /// Position in the report (1 = the best).
    pub rank: usize,
    pub size: usize,
    pub share: f64,
    /// A one-line portrait.
    pub headline: String,
    /// Outcome rate credibly above the overall rate (at least 10 outcomes,
    /// Wilson lower bound above the overall rate).
    pub beachhead: bool,
    pub industry: Option<Share>,
    pub industries: Vec<Share>,
    pub employees: Option<SizeBand>,
    pub revenue: Option<Numbers>,
    pub countries: Vec<Share>,
    pub technologies: Vec<Share>,
    /// Dominant values of the other categorical columns used.
    pub traits: Vec<Trait>,
    /// Other numeric columns used.
    pub numbers: Vec<Numbers>,
    pub outcome: Option<Rate>,
    pub score: Option<ScoreInfo>,
}

/// What `icp segment --json` writes (and `icp report` reads).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentReport {
    pub input: Option<String>,
    pub rows: usize,
    /// Rows of the file that could not be read (not segmented).
    pub unreadable_rows: usize,
    pub k: usize,
    pub k_choice: KChoice,
    pub method: MethodInfo,
    pub features: Vec<FeatureInfo>,
    pub ignored_columns: Vec<IgnoredColumn>,
    pub outcome: Option<OutcomeInfo>,
    /// Ranked: beachheads first.
    pub segments: Vec<SegmentSummary>,
}

/// The segments of every row and their description.
#[derive(Debug, Clone)]
pub struct Segmentation {
    /// Each row's segment id (1-based, 1 = the largest segment).
    pub labels: Vec<usize>,
    pub report: SegmentReport,
}

/// Segment a dataset.
pub fn segment(data: &Dataset, opts: &SegmentOptions) -> Result<Segmentation, SegmentError> {
    let n = data.len();
    if n == 0 {
        return Err(SegmentError::Empty);
    }
    match opts.k {
        Some(0) => return Err(SegmentError::ZeroSegments),
        Some(k) if k > n => return Err(SegmentError::TooManySegments { k, rows: n }),
        _ => {}
    }
    if let Some(g) = opts.gamma
        && !(g.is_finite() && g > 0.0)
    {
        return Err(SegmentError::BadGamma(g));
    }
    let outcome = match &opts.outcome {
        Some((column, rule)) => Some(data.outcome(column, rule)?),
        None => None,
    };
    let exclude: Vec<&str> = opts
        .outcome
        .iter()
        .map(|(c, _)| c.as_str())
        .chain(outcome.iter().map(|o| o.column.as_str()))
        .collect();
    let enc = features::encode(data, opts.fields.as_deref(), &exclude)?;
    let pts = &enc.points;
    let (gamma, gamma_rule) = match opts.gamma {
        Some(g) => (g, "given (--gamma)".to_string()),
        None => default_gamma(pts),
    };
    let params = |k: usize, stream: u64| kproto::Params {
        k,
        gamma,
        restarts: opts.restarts.max(1),
        max_iter: opts.max_iter.max(1),
        seed: kproto::derive_seed(opts.seed, stream),
    };

    let k_choice = match opts.k {
        Some(k) => KChoice {
            criterion: "fixed".into(),
            explanation: format!("{k} segments, as asked (--k)"),
            requested: Some(k),
            sample: 0,
            scores: Vec::new(),
        },
        None => choose_k(pts, gamma, opts, &params),
    };
    let k = match opts.k {
        Some(k) => k,
        None => k_choice
            .scores
            .iter()
            .fold(None::<&KScore>, |best, s| match best {
                Some(b) if b.silhouette >= s.silhouette => Some(b),
                _ => Some(s),
            })
            .map_or(1, |s| s.k),
    };
    let model = kproto::fit(pts, &params(k, 0));
    // Number segments by size, largest first.
    let sizes = model.sizes();
    let mut order: Vec<usize> = (0..model.k).collect();
    order.sort_by(|&a, &b| sizes[b].cmp(&sizes[a]).then(a.cmp(&b)));
    let mut rank_of = vec![0u32; model.k];
    for (pos, &c) in order.iter().enumerate() {
        rank_of[c] = pos as u32;
    }
    let zero_based: Vec<u32> = model.labels.iter().map(|&l| rank_of[l as usize]).collect();
    let segments = describe::describe(data, &enc, &zero_based, model.k, outcome.as_ref());
    let mut k_choice = k_choice;
    if model.k < k {
        k_choice.explanation.push_str(&format!(
            "; the rows have only {} distinct combinations of the features, so {} segments",
            model.k, model.k
        ));
    }
    let report = SegmentReport {
        input: data.path.as_ref().map(|p| p.display().to_string()),
        rows: n,
        unreadable_rows: data.skipped.len(),
        k: model.k,
        k_choice,
        method: MethodInfo {
            algorithm: "k-prototypes (Huang): squared Euclidean distance on the numeric columns + gamma x categorical mismatches; missing values left out of the distance".into(),
            gamma,
            gamma_rule,
            seed: opts.seed,
            restarts: opts.restarts.max(1),
            max_iter: opts.max_iter.max(1),
            cost: model.cost,
            iterations: model.iterations,
            converged: model.converged,
        },
        features: enc.features.iter().map(|f| f.info.clone()).collect(),
        ignored_columns: enc.ignored.clone(),
        outcome: outcome.as_ref().map(|o| OutcomeInfo {
            column: o.column.clone(),
            rule: o.rule.clone(),
            known: o.known(),
            positives: o.positives(),
            rate: o.positives() as f64 / o.known().max(1) as f64,
        }),
        segments,
    };
    Ok(Segmentation {
        labels: zero_based.iter().map(|&l| l as usize + 1).collect(),
        report,
    })
}

/// Gamma that makes numeric and categorical columns weigh alike on
/// average: the mean variance of the numeric columns (1 after
/// standardising) over the mean concentration `1 - sum(p^2)` of the
/// categorical ones (the chance two rows differ), as clustMixType's
/// `lambdaest` (Szepannek, 2018). 1 when either kind is absent.
pub fn default_gamma(pts: &kproto::Points) -> (f64, String) {
    let mut var_sum = 0.0;
    for j in 0..pts.p {
        let vals: Vec<f64> = (0..pts.n)
            .map(|i| pts.num[i * pts.p + j])
            .filter(|x| !x.is_nan())
            .collect();
        if !vals.is_empty() {
            let m = vals.iter().sum::<f64>() / vals.len() as f64;
            var_sum += vals.iter().map(|x| (x - m).powi(2)).sum::<f64>() / vals.len() as f64;
        }
    }
    let mut conc_sum = 0.0;
    for l in 0..pts.q {
        let mut counts: std::collections::HashMap<u32, usize> = Default::default();
        let mut known = 0usize;
        for i in 0..pts.n {
            let c = pts.cat[i * pts.q + l];
            if c != kproto::MISSING {
                *counts.entry(c).or_default() += 1;
                known += 1;
            }
        }
        if known > 0 {
            let sq: f64 = counts
                .values()
                .map(|&c| (c as f64 / known as f64).powi(2))
                .sum();
            conc_sum += 1.0 - sq;
        }
    }
    if pts.p == 0 || pts.q == 0 || var_sum <= 0.0 || conc_sum <= 0.0 {
        let why = if pts.q == 0 {
            "1 (no categorical column)"
        } else if pts.p == 0 {
            "1 (no numeric column: every mismatch counts 1)"
        } else {
            "1 (no spread to balance)"
        };
        return (1.0, why.to_string());
    }
    let mean_var = var_sum / pts.p as f64;
    let mean_conc = conc_sum / pts.q as f64;
    let gamma = mean_var / mean_conc;
    (
        gamma,
        format!(
            "mean numeric variance {mean_var:.2} / mean categorical concentration {mean_conc:.2}: both kinds of column weigh alike"
        ),
    )
}

/// Choose k by the mean silhouette on a seeded sample.
fn choose_k(
    pts: &kproto::Points,
    gamma: f64,
    opts: &SegmentOptions,
    params: &dyn Fn(usize, u64) -> kproto::Params,
) -> KChoice {
    let sample_idx = sample(pts.n, opts.sample.max(3), opts.seed);
    let sub = pts.subset(&sample_idx);
    let m = sub.n;
    let distinct = sub.distinct(K_MAX + 1);
    let k_max = K_MAX.min(m.saturating_sub(1)).min(distinct);
    if k_max < K_MIN {
        return KChoice {
            criterion: "single".into(),
            explanation: format!(
                "one segment: {} rows with {} distinct combinations of the features are too few to split",
                pts.n, distinct
            ),
            requested: None,
            sample: m,
            scores: Vec::new(),
        };
    }
    let dist = kproto::Distances::new(&sub, gamma);
    let mut scores = Vec::new();
    for k in K_MIN..=k_max {
        let model = kproto::fit(&sub, &params(k, 1000 + k as u64));
        if model.k < k {
            break;
        }
        if let Some(s) = kproto::silhouette(&dist, &model.labels, model.k) {
            scores.push(KScore { k, silhouette: s });
        }
    }
    let best = scores
        .iter()
        .fold(None::<&KScore>, |best, s| match best {
            Some(b) if b.silhouette >= s.silhouette => Some(b),
            _ => Some(s),
        })
        .map_or(1, |s| s.k);
    let sampled = if m < pts.n {
        format!("a seeded sample of {m} of the {} rows", pts.n)
    } else {
        format!("all {m} rows")
    };
    KChoice {
        criterion: "silhouette".into(),
        explanation: format!(
            "{best} segments: the highest mean silhouette for k = {K_MIN}..{k_max} on {sampled}"
        ),
        requested: None,
        sample: m,
        scores,
    }
}

/// `size` row indexes out of `n`, seeded, in ascending order (all rows when
/// `n <= size`).
fn sample(n: usize, size: usize, seed: u64) -> Vec<usize> {
    if n <= size {
        return (0..n).collect();
    }
    let mut rng = fastrand::Rng::with_seed(kproto::derive_seed(seed, 0x005A_3F1E));
    let mut idx: Vec<usize> = (0..n).collect();
    for i in 0..size {
        let j = rng.usize(i..n);
        idx.swap(i, j);
    }
    idx.truncate(size);
    idx.sort_unstable();
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three planted groups: software start-ups in the US with HubSpot,
    /// mid-sized banks in Germany, large retailers in France.
    fn planted(n_per: usize, seed: u64) -> (Dataset, Vec<usize>) {
        let mut rng = fastrand::Rng::with_seed(seed);
        let headers: Vec<String> = [
            "Record ID",
            "Industry",
            "Number of Employees",
            "Annual Revenue",
            "Country/Region",
            "Technologies",
            "Won",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut rows = Vec::new();
        let mut truth = Vec::new();
        for i in 0..n_per * 3 {
            let g = i % 3;
            let (ind, emp, country, tech, win) = match g {
                0 => (
                    "Computer Software",
                    20.0,
                    "United States",
                    "HubSpot; Slack",
                    0.8,
                ),
                1 => ("Banking", 400.0, "Germany", "Salesforce", 0.3),
                _ => ("Retail", 5000.0, "France", "SAP; Salesforce", 0.2),
            };
            let emp = emp * (0.6 + 0.8 * rng.f64());
            let mut cells = vec![
                format!("{}", 1000 + i),
                ind.to_string(),
                format!("{emp:.0}"),
                format!("{:.0}", emp * 150_000.0 * (0.7 + 0.6 * rng.f64())),
                country.to_string(),
                tech.to_string(),
                if rng.f64() < win { "yes" } else { "no" }.to_string(),
            ];
            // Some noise: a wrong industry now and then, some blanks.
            if rng.f64() < 0.05 {
                cells[1] = "Insurance".into();
            }
            if rng.f64() < 0.1 {
                cells[3].clear();
            }
            rows.push((i as u64 + 2, cells));
            truth.push(g);
        }
        (Dataset::from_rows(&headers, rows), truth)
    }

    /// Share of rows whose segment's majority group is their own group.
    pub(crate) fn purity(labels: &[usize], truth: &[usize]) -> f64 {
        let mut counts: std::collections::HashMap<(usize, usize), usize> = Default::default();
        for (&l, &t) in labels.iter().zip(truth) {
            *counts.entry((l, t)).or_default() += 1;
        }
        let mut best: std::collections::HashMap<usize, usize> = Default::default();
        for (&(l, _), &c) in &counts {
            let e = best.entry(l).or_default();
            *e = (*e).max(c);
        }
        best.values().sum::<usize>() as f64 / labels.len() as f64
    }

    #[test]
    fn recovers_planted_groups_and_their_k() {
        let (data, truth) = planted(60, 3);
        let opts = SegmentOptions {
            outcome: Some(("Won".into(), OutcomeRule::Auto)),
            ..Default::default()
        };
        let seg = segment(&data, &opts).unwrap();
        let r = &seg.report;
        assert_eq!(r.k, 3, "{:?}", r.k_choice);
        assert_eq!(r.k_choice.criterion, "silhouette");
        assert_eq!(r.k_choice.scores.len(), 7);
        assert!(purity(&seg.labels, &truth) >= 0.95);
        // The outcome is described, not clustered on.
        assert!(r.features.iter().all(|f| f.column != "Won"));
        assert!(r.ignored_columns.iter().any(|c| c.column == "Won"));
        // The software group wins most: ranked first, a beachhead.
        let top = &r.segments[0];
        assert_eq!(top.rank, 1);
        assert_eq!(top.industry.as_ref().unwrap().value, "Software");
        assert!(top.beachhead, "{top:?}");
        assert_eq!(top.employees.as_ref().unwrap().band, "small");
        assert_eq!(top.countries[0].value, "US");
        assert!(top.headline.contains("Software"), "{}", top.headline);
        assert!(r.segments[1..].iter().all(|s| !s.beachhead));
        let sizes: usize = r.segments.iter().map(|s| s.size).sum();
        assert_eq!(sizes, 180);
    }

    #[test]
    fn deterministic_by_seed() {
        let (data, _) = planted(40, 8);
        let a = segment(&data, &SegmentOptions::default()).unwrap();
        let b = segment(&data, &SegmentOptions::default()).unwrap();
        assert_eq!(a.labels, b.labels);
        assert_eq!(a.report, b.report);
    }

    #[test]
    fn fixed_k_and_bad_k() {
        let (data, _) = planted(10, 1);
        let opts = |k| SegmentOptions {
            k: Some(k),
            ..Default::default()
        };
        let seg = segment(&data, &opts(2)).unwrap();
        assert_eq!(seg.report.k, 2);
        assert_eq!(seg.report.k_choice.criterion, "fixed");
        // Segment 1 is the largest.
        let s1 = seg.labels.iter().filter(|&&l| l == 1).count();
        assert!(s1 >= 15);
        let err = segment(&data, &opts(31)).unwrap_err().to_string();
        assert!(err.contains("30 rows"), "{err}");
        assert!(segment(&data, &opts(0)).is_err());
        let one = segment(&data, &opts(1)).unwrap();
        assert!(one.labels.iter().all(|&l| l == 1));
    }

    #[test]
    fn tiny_and_degenerate_files_do_not_panic() {
        let headers = vec!["Industry".to_string(), "Number of Employees".to_string()];
        let one = Dataset::from_rows(&headers, vec![(2, vec!["Retail".into(), "5".into()])]);
        // A single row has one value per column: nothing to cluster on.
        assert!(segment(&one, &SegmentOptions::default()).is_err());
        let fields = Some(vec!["Industry".to_string(), "employees".to_string()]);
        let seg = segment(
            &one,
            &SegmentOptions {
                fields: fields.clone(),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!((seg.report.k, seg.labels.clone()), (1, vec![1]));
        assert_eq!(seg.report.k_choice.criterion, "single");
        // Identical rows.
        let same = Dataset::from_rows(
            &headers,
            (0..5)
                .map(|i| (i + 2, vec!["Retail".into(), "5".into()]))
                .collect(),
        );
        let seg = segment(
            &same,
            &SegmentOptions {
                fields: fields.clone(),
                k: Some(3),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(seg.report.k, 1);
        assert!(seg.report.k_choice.explanation.contains("distinct"));
        assert!(matches!(
            segment(&Dataset::default(), &SegmentOptions::default()),
            Err(SegmentError::Empty)
        ));
    }

    #[test]
    fn report_round_trips_as_json() {
        let (data, _) = planted(10, 2);
        let seg = segment(&data, &SegmentOptions::default()).unwrap();
        let json = serde_json::to_string(&seg.report).unwrap();
        let back: SegmentReport = serde_json::from_str(&json).unwrap();
        // (floats may differ in the last digit after a round trip)
        assert_eq!(back.k, seg.report.k);
        assert_eq!(back.segments.len(), seg.report.segments.len());
        assert_eq!(back.segments[0].headline, seg.report.segments[0].headline);
        assert_eq!(back.features, seg.report.features);
    }

    #[test]
    fn gamma_balances_the_two_kinds_by_hand() {
        // Numeric variance: values -1, 1 -> 1. Categorical: shares 1/2, 1/2
        // -> 1 - 0.5 = 0.5; shares 3/4, 1/4 (one missing ignored) -> 1 -
        // (9 + 1) / 16 = 0.375. gamma = 1 / mean(0.5, 0.375).
        let pts = kproto::Points::from_rows(
            &[vec![-1.0], vec![1.0], vec![-1.0], vec![1.0], vec![f64::NAN]],
            &[
                vec![0, 0],
                vec![0, 0],
                vec![1, 0],
                vec![1, 1],
                vec![kproto::MISSING, kproto::MISSING],
            ],
        );
        let (g, rule) = default_gamma(&pts);
        assert!((g - 1.0 / 0.4375).abs() < 1e-12, "{g}");
        assert!(rule.contains("concentration"), "{rule}");
        let only_num = kproto::Points::from_rows(&[vec![1.0], vec![2.0]], &[]);
        assert_eq!(default_gamma(&only_num).0, 1.0);
    }

    #[test]
    fn sample_is_seeded_and_sorted() {
        let a = sample(1000, 10, 5);
        assert_eq!(a, sample(1000, 10, 5));
        assert_ne!(a, sample(1000, 10, 6));
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(sample(4, 10, 1), vec![0, 1, 2, 3]);
    }
}
