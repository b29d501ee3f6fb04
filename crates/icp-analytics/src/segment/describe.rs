//! Each segment in plain terms: size, dominant industry, size band, top
//! countries and technologies, the values that set it apart, and its win or
//! retention rate when an outcome is given.

use std::collections::HashMap;

use icp_core::Value;
use icp_core::value::Kind;

use super::features::{Encoding, FeatureKind, value_label};
use super::{Numbers, Rate, ScoreInfo, SegmentSummary, Share, SizeBand, Trait};
use crate::Dataset;
use crate::dataset::Outcome;

/// One-sided 95% normal quantile, for the Wilson bounds.
pub const Z: f64 = 1.645;
/// Outcomes a segment needs before it can be called a beachhead.
pub const MIN_KNOWN: usize = 10;

/// The Wilson score interval of `positives / known` at `Z`.
pub fn wilson(positives: usize, known: usize) -> (f64, f64) {
    if known == 0 {
        return (0.0, 1.0);
    }
    let n = known as f64;
    let p = positives as f64 / n;
    let z2 = Z * Z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// The words for a headcount: micro (under 10), small (10-99), mid-market
/// (100-999), enterprise (1,000-9,999), large enterprise (10,000+).
pub fn size_band(employees: f64) -> &'static str {
    match employees {
        e if e < 10.0 => "micro",
        e if e < 100.0 => "small",
        e if e < 1000.0 => "mid-market",
        e if e < 10000.0 => "enterprise",
        _ => "large enterprise",
    }
}

/// A quantile of sorted values (linear interpolation).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

fn numbers(column: &str, mut values: Vec<f64>) -> Option<Numbers> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    Some(Numbers {
        column: column.to_string(),
        known: values.len(),
        median: quantile(&values, 0.5),
        p25: quantile(&values, 0.25),
        p75: quantile(&values, 0.75),
        min: values[0],
        max: values[values.len() - 1],
    })
}

/// A whole number the way people read it: 1,200 / 24M / 1.5B.
pub fn human(x: f64) -> String {
    let a = x.abs();
    let (v, suffix) = if a >= 1e9 {
        (x / 1e9, "B")
    } else if a >= 1e6 {
        (x / 1e6, "M")
    } else if a >= 1e4 {
        (x / 1e3, "k")
    } else {
        return crate::fmt::group_i(x.round() as i64);
    };
    let s = if v.abs() >= 100.0 || (v - v.round()).abs() < 0.05 {
        format!("{:.0}", v)
    } else {
        format!("{:.1}", v)
    };
    format!("{s}{suffix}")
}

/// Value counts of a text column over `rows`, as shares of the rows with a
/// value, most common first.
fn text_shares(data: &Dataset, col: usize, rows: &[usize]) -> (Vec<(String, usize)>, usize) {
    let c = &data.columns[col];
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let mut known = 0;
    for &r in rows {
        if let Some(t) = c.text(r) {
            *counts.entry(t).or_default() += 1;
            known += 1;
        }
    }
    let mut v: Vec<(String, usize)> = counts
        .into_iter()
        .map(|(k, n)| (k.to_string(), n))
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    (v, known)
}

fn item_shares(data: &Dataset, col: usize, rows: &[usize]) -> (Vec<(String, usize)>, usize) {
    let c = &data.columns[col];
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let mut known = 0;
    for &r in rows {
        if let Value::List(items) = &c.values[r] {
            known += 1;
            for i in items {
                *counts.entry(i).or_default() += 1;
            }
        }
    }
    let mut v: Vec<(String, usize)> = counts
        .into_iter()
        .map(|(k, n)| (k.to_string(), n))
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    (v, known)
}

/// Shares of the top values in `rows`, each with its share over all rows.
struct Shares<'a> {
    data: &'a Dataset,
    col: usize,
    all: HashMap<String, f64>,
    list: bool,
}

impl<'a> Shares<'a> {
    fn new(data: &'a Dataset, col: usize, all_rows: &[usize]) -> Shares<'a> {
        let list = data.columns[col].kind == Kind::List;
        let (counts, known) = if list {
            item_shares(data, col, all_rows)
        } else {
            text_shares(data, col, all_rows)
        };
        let all = counts
            .into_iter()
            .map(|(v, n)| (v, n as f64 / known.max(1) as f64))
            .collect();
        Shares {
            data,
            col,
            all,
            list,
        }
    }

    fn top(&self, rows: &[usize], max: usize) -> Vec<Share> {
        let (counts, known) = if self.list {
            item_shares(self.data, self.col, rows)
        } else {
            text_shares(self.data, self.col, rows)
        };
        counts
            .into_iter()
            .take(max)
            .map(|(v, n)| Share {
                value: if self.list {
                    v.clone()
                } else {
                    value_label(self.data, self.col, &v)
                },
                count: n,
                share: n as f64 / known.max(1) as f64,
                overall: self.all.get(&v).copied().unwrap_or(0.0),
            })
            .collect()
    }
}

fn find(data: &Dataset, field: &str) -> Option<usize> {
    data.columns.iter().position(|c| c.field == field)
}

/// The scoring columns of a scored file: `icp_score` and `icp_tier`, or the
/// first profile's `<profile>__icp_score` and `__icp_tier`.
fn score_columns(data: &Dataset) -> (Option<usize>, Option<usize>) {
    let by = |suffix: &str| {
        find(data, suffix).or_else(|| {
            data.columns
                .iter()
                .position(|c| c.field.ends_with(&format!("__{suffix}")))
        })
    };
    (by("icp_score"), by("icp_tier"))
}

fn is_tier1(v: &Value) -> bool {
    match v {
        Value::Num(n) => *n == 1.0,
        Value::Text(t) => &**t == "1",
        _ => false,
    }
}

/// Describe each cluster. `labels` are 0-based cluster ids in size order
/// (0 = the largest); the result is ranked (beachheads first).
pub(crate) fn describe(
    data: &Dataset,
    enc: &Encoding,
    labels: &[u32],
    k: usize,
    outcome: Option<&Outcome>,
) -> Vec<SegmentSummary> {
    let n = data.len();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (r, &l) in labels.iter().enumerate() {
        members[l as usize].push(r);
    }
    let all: Vec<usize> = (0..n).collect();
    let industry = find(data, "industry").map(|c| Shares::new(data, c, &all));
    let country = find(data, "country").map(|c| Shares::new(data, c, &all));
    let tech = find(data, "technologies")
        .filter(|&c| data.columns[c].kind == Kind::List)
        .map(|c| Shares::new(data, c, &all));
    let employees = find(data, "employees");
    let revenue = find(data, "revenue");
    // Other categorical features used for clustering (not industry,
    // country or technologies, described above).
    let described = [
        "industry",
        "country",
        "technologies",
        "employees",
        "revenue",
    ];
    let mut trait_cols: Vec<usize> = Vec::new();
    for f in enc.categorical() {
        if matches!(f.kind, FeatureKind::Categorical { .. })
            && !described.contains(&data.columns[f.col].field.as_str())
            && !trait_cols.contains(&f.col)
        {
            trait_cols.push(f.col);
        }
    }
    let traits: Vec<Shares> = trait_cols
        .iter()
        .map(|&c| Shares::new(data, c, &all))
        .collect();
    let number_cols: Vec<usize> = enc
        .numeric()
        .map(|f| f.col)
        .filter(|&c| !described.contains(&data.columns[c].field.as_str()))
        .collect();
    let (score_col, tier_col) = score_columns(data);
    let overall_rate = outcome.map(|o| o.positives() as f64 / o.known().max(1) as f64);

    let mut out: Vec<SegmentSummary> = members
        .iter()
        .enumerate()
        .map(|(c, rows)| {
            let col_numbers = |col: usize| {
                let column = &data.columns[col];
                numbers(
                    &column.header,
                    rows.iter()
                        .filter_map(|&r| column.number(r))
                        .filter(|x| x.is_finite())
                        .collect(),
                )
            };
            let industries = industry.as_ref().map_or_else(Vec::new, |s| s.top(rows, 3));
            let employees = employees.and_then(col_numbers).map(|nums| SizeBand {
                band: size_band(nums.median).to_string(),
                numbers: nums,
            });
            let revenue = revenue.and_then(col_numbers);
            let countries = country.as_ref().map_or_else(Vec::new, |s| s.top(rows, 3));
            let technologies = tech.as_ref().map_or_else(Vec::new, |s| s.top(rows, 5));
            let traits: Vec<Trait> = traits
                .iter()
                .filter_map(|s| {
                    s.top(rows, 1).into_iter().next().map(|top| Trait {
                        column: data.columns[s.col].header.clone(),
                        top,
                    })
                })
                .collect();
            let numbers: Vec<Numbers> =
                number_cols.iter().filter_map(|&c| col_numbers(c)).collect();
            let outcome = outcome.map(|o| {
                let known = rows.iter().filter(|&&r| o.good[r].is_some()).count();
                let positives = rows.iter().filter(|&&r| o.good[r] == Some(true)).count();
                let rate = positives as f64 / known.max(1) as f64;
                let overall = overall_rate.unwrap_or(0.0);
                let (low, high) = wilson(positives, known);
                Rate {
                    known,
                    positives,
                    rate,
                    lift: if overall > 0.0 { rate / overall } else { 0.0 },
                    low,
                    high,
                }
            });
            let score = (score_col.is_some() || tier_col.is_some()).then(|| {
                let scores: Vec<f64> = score_col.map_or_else(Vec::new, |col| {
                    rows.iter()
                        .filter_map(|&r| data.columns[col].number(r))
                        .collect()
                });
                let tiered = tier_col.map_or(0, |col| {
                    rows.iter()
                        .filter(|&&r| !data.columns[col].values[r].is_missing())
                        .count()
                });
                let tier1 = tier_col.map_or(0, |col| {
                    rows.iter()
                        .filter(|&&r| is_tier1(&data.columns[col].values[r]))
                        .count()
                });
                ScoreInfo {
                    scored: scores.len(),
                    mean_score: (!scores.is_empty())
                        .then(|| scores.iter().sum::<f64>() / scores.len() as f64),
                    tier1,
                    tier1_share: tier1 as f64 / tiered.max(1) as f64,
                }
            });
            let mut s = SegmentSummary {
                id: c + 1,
                rank: 0,
                size: rows.len(),
                share: rows.len() as f64 / n.max(1) as f64,
                headline: String::new(),
                beachhead: false,
                industry: industries.first().cloned(),
                industries,
                employees,
                revenue,
                countries,
                technologies,
                traits,
                numbers,
                outcome,
                score,
            };
            s.headline = headline(&s);
            s.beachhead = match (&s.outcome, overall_rate) {
                (Some(r), Some(overall)) => r.known >= MIN_KNOWN && r.low > overall,
                _ => false,
            };
            s
        })
        .collect();
    rank(&mut out);
    out
}

/// Beachheads first, then by outcome rate, else by mean score, else by size.
fn rank(segments: &mut [SegmentSummary]) {
    segments.sort_by(|a, b| {
        let by_outcome = match (&a.outcome, &b.outcome) {
            (Some(x), Some(y)) => (b.beachhead.cmp(&a.beachhead))
                .then((y.known > 0).cmp(&(x.known > 0)))
                .then(y.rate.total_cmp(&x.rate)),
            _ => std::cmp::Ordering::Equal,
        };
        let score = |s: &SegmentSummary| {
            s.score
                .as_ref()
                .and_then(|x| x.mean_score)
                .unwrap_or(f64::NEG_INFINITY)
        };
        by_outcome
            .then(score(b).total_cmp(&score(a)))
            .then(b.size.cmp(&a.size))
            .then(a.id.cmp(&b.id))
    });
    for (i, s) in segments.iter_mut().enumerate() {
        s.rank = i + 1;
    }
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// A one-line portrait: the dominant industry (or the two main ones), the
/// size band with the median headcount, a dominant country, technologies
/// most of the segment uses, and values that set it apart.
fn headline(s: &SegmentSummary) -> String {
    let mut parts: Vec<String> = Vec::new();
    match s.industries.as_slice() {
        [] => {}
        [a, ..] if a.share >= 0.4 => parts.push(format!("{} ({})", a.value, pct(a.share))),
        [a, b, ..] if a.share + b.share >= 0.6 => parts.push(format!(
            "{} ({}) and {} ({})",
            a.value,
            pct(a.share),
            b.value,
            pct(b.share)
        )),
        _ => parts.push("mixed industries".into()),
    }
    if let Some(e) = &s.employees {
        parts.push(format!(
            "{} (median {} employees)",
            e.band,
            human(e.numbers.median)
        ));
    }
    if let Some(c) = s.countries.first().filter(|c| c.share >= 0.5) {
        parts.push(format!("{} ({})", c.value, pct(c.share)));
    }
    let techs: Vec<String> = s
        .technologies
        .iter()
        .filter(|t| t.share >= 0.5 && t.share >= t.overall * 1.2)
        .take(3)
        .map(|t| format!("{} ({})", t.value, pct(t.share)))
        .collect();
    if !techs.is_empty() {
        parts.push(format!("uses {}", techs.join(", ")));
    }
    for t in &s.traits {
        if t.top.share >= 0.6 && t.top.share >= t.top.overall + 0.15 {
            parts.push(format!(
                "{} {} ({})",
                t.column,
                t.top.value,
                pct(t.top.share)
            ));
        }
    }
    if parts.is_empty() {
        "no dominant trait".into()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_bounds_by_hand() {
        // 8 of 10 at z = 1.645: centre (0.8 + 0.1353) / 1.2706 = 0.7361,
        // half 1.645 * sqrt(0.016 + 0.00677) / 1.2706 = 0.1954.
        let (lo, hi) = wilson(8, 10);
        assert!((lo - 0.5407).abs() < 1e-3, "{lo}");
        assert!((hi - 0.9315).abs() < 1e-3, "{hi}");
        assert_eq!(wilson(0, 0), (0.0, 1.0));
    }

    #[test]
    fn words_for_numbers() {
        assert_eq!(size_band(9.0), "micro");
        assert_eq!(size_band(10.0), "small");
        assert_eq!(size_band(320.0), "mid-market");
        assert_eq!(size_band(1000.0), "enterprise");
        assert_eq!(size_band(25000.0), "large enterprise");
        assert_eq!(human(320.0), "320");
        assert_eq!(human(1200.0), "1,200");
        assert_eq!(human(24_000_000.0), "24M");
        assert_eq!(human(2_500_000.0), "2.5M");
        assert_eq!(human(15_000.0), "15k");
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.5);
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.25), 2.0);
    }
}
