//! Which columns `icp segment` clusters on, and their encoding.
//!
//! Automatic choice (`--fields` replaces it):
//! - **numeric** columns (employees, revenue, founded_year, any other number
//!   column) with a value in at least half of the rows and more than one
//!   distinct value; log-scaled (`ln(1 + x)`) when all values are >= 0 and
//!   the column is a headcount or an amount of money (employees, revenue,
//!   valuation, funding_total) or its skewness is above 1; then
//!   standardised (mean 0, standard deviation 1);
//! - **categorical** text columns (industry, country, business_model,
//!   funding_stage, ...) with a value in at least half of the rows, 2 to 30
//!   distinct values, no value in more than 95% of the rows and fewer
//!   distinct values than half the rows (names and ids are not categories);
//! - **technologies**: the 10 most common items held by 5% to 95% of the rows
//!   with a list, each a yes/no feature (a blank list is missing, not "no").
//!
//! Never chosen automatically: icp's own columns (`icp_*`), the outcome,
//! a `segment` column, identifiers, names, domains, e-mails, URLs, phone
//! numbers, cities, descriptions and notes, dates, and funnel or outcome
//! columns by name (lifecycle stage, lead status, deal stage, source, owner,
//! NPS, retained, churn, renewal).

use icp_core::Value;
use icp_core::value::Kind;

use super::kproto::{MISSING, Points};
use super::{FeatureInfo, IgnoredColumn, SegmentError};
use crate::Dataset;

/// Text columns with more distinct values are not categories (automatic
/// choice); with `--fields`, values beyond this many become "(other)".
pub const MAX_LEVELS: usize = 30;
/// Technology items taken as yes/no features.
pub const MAX_ITEMS: usize = 10;
/// Money and headcount: log-scaled whenever no value is negative (a
/// company of 50 is as far from one of 500 as 500 from 5,000).
pub const LOG_FIELDS: &[&str] = &["employees", "revenue", "valuation", "funding_total"];
/// Share of rows a column needs a value in (automatic choice).
pub const MIN_COVERAGE: f64 = 0.5;

/// One encoded feature.
#[derive(Debug, Clone)]
pub(crate) struct Feature {
    pub col: usize,
    pub kind: FeatureKind,
    pub info: FeatureInfo,
}

#[derive(Debug, Clone)]
pub(crate) enum FeatureKind {
    Numeric {
        log: bool,
        mean: f64,
        std: f64,
    },
    /// Codes `0..labels.len()` by frequency, most frequent first.
    Categorical {
        labels: Vec<String>,
        other: bool,
    },
    /// Whether the row's list holds `item` (code 1) or not (code 0).
    Item {
        item: Box<str>,
    },
}

/// The chosen features, the columns left out and why, and the points.
pub(crate) struct Encoding {
    pub features: Vec<Feature>,
    pub ignored: Vec<IgnoredColumn>,
    pub points: Points,
}

impl Encoding {
    pub fn numeric(&self) -> impl Iterator<Item = &Feature> {
        self.features
            .iter()
            .filter(|f| matches!(f.kind, FeatureKind::Numeric { .. }))
    }
    pub fn categorical(&self) -> impl Iterator<Item = &Feature> {
        self.features
            .iter()
            .filter(|f| !matches!(f.kind, FeatureKind::Numeric { .. }))
    }
}

/// Names, contact details and free text: never categories.
const NOT_TRAITS_TEXT: &[&str] = &[
    "id",
    "key",
    "uuid",
    "domain",
    "name",
    "email",
    "handle",
    "website",
    "url",
    "phone",
    "city",
    "zip",
    "zip_code",
    "postal_code",
    "description",
    "notes",
    "job_title",
    "intent_topics",
];
/// Funnel columns: where an account is in the pipeline, not what it is.
const NOT_TRAITS_FUNNEL: &[&str] = &[
    "lifecycle_stage",
    "lead_status",
    "deal_stage",
    "dealstage",
    "stage",
    "status",
];
/// Outcome columns: describe segments with `--outcome`, never cluster on
/// them.
const NOT_TRAITS_OUTCOME: &[&str] = &[
    "outcome", "won", "lost", "result", "retained", "churned", "renewed", "active",
];
const OUTCOME_PARTS: &[&str] = &[
    "churn",
    "retain",
    "renew",
    "nps",
    "lost",
    "_won",
    "won_",
    "loss_reason",
    "win_reason",
];
const FUNNEL_PARTS: &[&str] = &["owner", "source"];
/// Parts that mark a text column as contact details or free text (a number
/// column such as "Website Sessions 30d" stays a trait).
const TEXT_PARTS: &[&str] = &["url", "website", "email", "description"];

/// Why a column is not a trait by its name, if it is not.
fn name_reason(field: &str, kind: Kind) -> Option<&'static str> {
    let has = |parts: &[&str]| parts.iter().any(|p| field.contains(p));
    if field.starts_with("icp_") || field.contains("__icp_") {
        Some("icp output column")
    } else if field == "segment" {
        Some("an earlier segment column")
    } else if field.ends_with("_id") || field.starts_with("id_") {
        Some("identifier")
    } else if NOT_TRAITS_TEXT.contains(&field)
        || field.contains("phone")
        || (kind != Kind::Number && has(TEXT_PARTS))
    {
        Some("name, contact or free text")
    } else if NOT_TRAITS_OUTCOME.contains(&field) || has(OUTCOME_PARTS) {
        Some("outcome (use --outcome to rate segments by it)")
    } else if NOT_TRAITS_FUNNEL.contains(&field) || has(FUNNEL_PARTS) {
        Some("funnel stage, source or owner")
    } else {
        None
    }
}

/// Choose and encode the features.
pub(crate) fn encode(
    data: &Dataset,
    fields: Option<&[String]>,
    exclude: &[&str],
) -> Result<Encoding, SegmentError> {
    let n = data.len();
    let mut features = Vec::new();
    let mut ignored = Vec::new();
    match fields {
        Some(names) => {
            for name in names {
                let col = column_index(data, name).ok_or_else(|| SegmentError::NoColumn {
                    column: name.clone(),
                    available: data.header_list(),
                })?;
                if features.iter().any(|f: &Feature| f.col == col) {
                    continue;
                }
                let before = features.len();
                explicit_feature(data, col, &mut features);
                if features.len() == before {
                    ignored.push(IgnoredColumn {
                        column: data.columns[col].header.clone(),
                        reason: "no values".into(),
                    });
                }
            }
        }
        None => {
            for (col, c) in data.columns.iter().enumerate() {
                let reason = if exclude.iter().any(|e| *e == c.header || *e == c.field) {
                    Some("the outcome column".to_string())
                } else {
                    name_reason(&c.field, c.kind)
                        .map(str::to_owned)
                        .or_else(|| auto_feature(data, col, &mut features).err())
                };
                if let Some(reason) = reason {
                    ignored.push(IgnoredColumn {
                        column: c.header.clone(),
                        reason,
                    });
                }
            }
        }
    }
    if features.is_empty() {
        let why: Vec<String> = ignored
            .iter()
            .map(|i| format!("{}: {}", i.column, i.reason))
            .collect();
        return Err(SegmentError::NoFeatures {
            why: if why.is_empty() {
                "the file has no columns".into()
            } else {
                why.join("; ")
            },
        });
    }
    // Numeric features first, then categorical (the points' layout).
    features.sort_by_key(|f| !matches!(f.kind, FeatureKind::Numeric { .. }));
    let points = points(data, &features, n);
    Ok(Encoding {
        features,
        ignored,
        points,
    })
}

fn column_index(data: &Dataset, name: &str) -> Option<usize> {
    let found = data.column(name)?;
    data.columns.iter().position(|c| std::ptr::eq(c, found))
}

/// A column named in `--fields`: taken whatever its coverage.
fn explicit_feature(data: &Dataset, col: usize, out: &mut Vec<Feature>) {
    let c = &data.columns[col];
    match c.kind {
        Kind::Number | Kind::Date => {
            if let Some(f) = numeric(data, col, true) {
                out.push(f);
            }
        }
        Kind::Text => {
            if let Some(f) = categorical(data, col) {
                out.push(f);
            }
        }
        Kind::List => out.extend(items(data, col, MAX_ITEMS)),
    }
}

/// A column considered automatically: `Err(reason)` when it is left out.
fn auto_feature(data: &Dataset, col: usize, out: &mut Vec<Feature>) -> Result<(), String> {
    let c = &data.columns[col];
    let n = data.len().max(1);
    let present = c.present();
    if present == 0 {
        return Err("empty".into());
    }
    let coverage = present as f64 / n as f64;
    if coverage < MIN_COVERAGE {
        return Err(format!(
            "a value in {:.0}% of rows only (needs {:.0}%)",
            coverage * 100.0,
            MIN_COVERAGE * 100.0
        ));
    }
    match c.kind {
        Kind::Date => Err("a date".into()),
        Kind::Number => match numeric(data, col, false) {
            Some(f) => {
                out.push(f);
                Ok(())
            }
            None => Err("the same number in every row".into()),
        },
        Kind::Text => {
            let counts = level_counts(data, col);
            let distinct = counts.len();
            if distinct < 2 {
                return Err("the same value in every row".into());
            }
            if distinct > MAX_LEVELS || distinct * 2 > present {
                return Err(format!(
                    "{distinct} distinct values: free text or names, not a category"
                ));
            }
            if counts[0].1 as f64 > 0.95 * present as f64 {
                return Err(format!("one value in over 95% of rows ({})", counts[0].0));
            }
            out.extend(categorical(data, col));
            Ok(())
        }
        Kind::List => {
            if c.field != "technologies" {
                return Err("a list other than technologies (name it in --fields)".into());
            }
            let found = items(data, col, MAX_ITEMS);
            if found.is_empty() {
                return Err("no technology held by 5% to 95% of rows".into());
            }
            out.extend(found);
            Ok(())
        }
    }
}

fn coverage(data: &Dataset, col: usize) -> f64 {
    data.columns[col].present() as f64 / data.len().max(1) as f64
}

/// Numeric feature: log-scaled when skewed, standardised. `None` when no row
/// has a number, or (unless `keep_constant`) all rows have the same one.
fn numeric(data: &Dataset, col: usize, keep_constant: bool) -> Option<Feature> {
    let c = &data.columns[col];
    let values: Vec<f64> = (0..data.len())
        .filter_map(|r| c.number(r))
        .filter(|x| x.is_finite())
        .collect();
    if values.is_empty() {
        return None;
    }
    let log = values.iter().all(|&x| x >= 0.0)
        && (LOG_FIELDS.contains(&c.field.as_str()) || skewness(&values) > 1.0);
    let tx: Vec<f64> = values
        .iter()
        .map(|&x| if log { x.ln_1p() } else { x })
        .collect();
    let mean = tx.iter().sum::<f64>() / tx.len() as f64;
    let var = tx.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / tx.len() as f64;
    let std = var.sqrt();
    if std <= 1e-12 && !keep_constant {
        return None;
    }
    let std = if std <= 1e-12 { 1.0 } else { std };
    let detail = format!(
        "{}standardised",
        if log { "log-scaled (ln(1 + x)), " } else { "" }
    );
    Some(Feature {
        col,
        kind: FeatureKind::Numeric { log, mean, std },
        info: FeatureInfo {
            column: c.header.clone(),
            kind: "numeric".into(),
            detail,
            coverage: coverage(data, col),
        },
    })
}

/// Sample skewness (Fisher-Pearson, biased); 0 for constant values.
pub(crate) fn skewness(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    if n < 3.0 {
        return 0.0;
    }
    let mean = values.iter().sum::<f64>() / n;
    let m2 = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    let m3 = values.iter().map(|x| (x - mean).powi(3)).sum::<f64>() / n;
    if m2 <= 0.0 { 0.0 } else { m3 / m2.powf(1.5) }
}

/// Folded values of a text column with their counts, most frequent first
/// (ties: alphabetical).
fn level_counts(data: &Dataset, col: usize) -> Vec<(Box<str>, usize)> {
    let c = &data.columns[col];
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for r in 0..data.len() {
        if let Some(t) = c.text(r) {
            *counts.entry(t).or_default() += 1;
        }
    }
    let mut v: Vec<(Box<str>, usize)> = counts.into_iter().map(|(k, c)| (k.into(), c)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// How a folded value of a column is shown: the taxonomy name of an
/// industry, the code of a country, else the cell as first written.
pub(crate) fn value_label(data: &Dataset, col: usize, folded: &str) -> String {
    let c = &data.columns[col];
    if c.field == "industry"
        && let Some(name) = icp_core::fields::industry_for(folded)
    {
        return name.to_string();
    }
    if c.field == "country" && folded.len() == 2 {
        return folded.to_ascii_uppercase();
    }
    (0..data.len())
        .find(|&r| c.text(r) == Some(folded))
        .and_then(|r| c.display(r))
        .unwrap_or(folded)
        .to_string()
}

fn categorical(data: &Dataset, col: usize) -> Option<Feature> {
    let counts = level_counts(data, col);
    if counts.is_empty() {
        return None;
    }
    let other = counts.len() > MAX_LEVELS;
    let mut labels: Vec<String> = counts
        .iter()
        .take(MAX_LEVELS)
        .map(|(v, _)| value_label(data, col, v))
        .collect();
    if other {
        labels.push("(other)".into());
    }
    let c = &data.columns[col];
    Some(Feature {
        col,
        info: FeatureInfo {
            column: c.header.clone(),
            kind: "categorical".into(),
            detail: if other {
                format!(
                    "{} values: the {MAX_LEVELS} most common, the rest as (other)",
                    counts.len()
                )
            } else {
                format!("{} values", counts.len())
            },
            coverage: coverage(data, col),
        },
        kind: FeatureKind::Categorical { labels, other },
    })
}

/// The most common items of a list column held by 5% to 95% of the rows
/// that have a list.
fn items(data: &Dataset, col: usize, max: usize) -> Vec<Feature> {
    let c = &data.columns[col];
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut with_list = 0usize;
    for r in 0..data.len() {
        if matches!(c.values[r], Value::List(_)) {
            with_list += 1;
            for item in c.items(r) {
                *counts.entry(item).or_default() += 1;
            }
        }
    }
    let lo = 0.05 * with_list as f64;
    let hi = 0.95 * with_list as f64;
    let mut v: Vec<(&str, usize)> = counts
        .into_iter()
        .filter(|&(_, n)| n as f64 >= lo && n as f64 <= hi)
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    v.truncate(max);
    v.into_iter()
        .map(|(item, n)| Feature {
            col,
            kind: FeatureKind::Item { item: item.into() },
            info: FeatureInfo {
                column: c.header.clone(),
                kind: "has item".into(),
                detail: format!(
                    "has {item} (yes/no; {:.0}% of rows with a list)",
                    100.0 * n as f64 / with_list.max(1) as f64
                ),
                coverage: with_list as f64 / data.len().max(1) as f64,
            },
        })
        .collect()
}

/// Encode every row.
fn points(data: &Dataset, features: &[Feature], n: usize) -> Points {
    let p = features
        .iter()
        .filter(|f| matches!(f.kind, FeatureKind::Numeric { .. }))
        .count();
    let q = features.len() - p;
    let mut num = vec![f64::NAN; n * p];
    let mut cat = vec![MISSING; n * q];
    let (mut j, mut l) = (0, 0);
    for f in features {
        let c = &data.columns[f.col];
        match &f.kind {
            FeatureKind::Numeric { log, mean, std } => {
                for r in 0..n {
                    if let Some(x) = c.number(r).filter(|x| x.is_finite()) {
                        let x = if *log { x.max(0.0).ln_1p() } else { x };
                        num[r * p + j] = (x - mean) / std;
                    }
                }
                j += 1;
            }
            FeatureKind::Categorical { labels, other } => {
                let counts = level_counts(data, f.col);
                let codes: std::collections::HashMap<&str, u32> = counts
                    .iter()
                    .take(MAX_LEVELS)
                    .enumerate()
                    .map(|(i, (v, _))| (&**v, i as u32))
                    .collect();
                let other_code = if *other {
                    labels.len() as u32 - 1
                } else {
                    MISSING
                };
                for r in 0..n {
                    if let Some(t) = c.text(r) {
                        cat[r * q + l] = codes.get(t).copied().unwrap_or(other_code);
                    }
                }
                l += 1;
            }
            FeatureKind::Item { item } => {
                for r in 0..n {
                    if let Value::List(list) = &c.values[r] {
                        cat[r * q + l] = u32::from(list.iter().any(|i| i == item));
                    }
                }
                l += 1;
            }
        }
    }
    Points { n, p, q, num, cat }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(csv: &str) -> Dataset {
        Dataset::from_test_csv(csv)
    }

    #[test]
    fn chooses_traits_and_says_why_not_others() {
        let mut csv = String::from(
            "Record ID,Company name,Industry,Number of Employees,Create Date,Plan,Technologies,icp_score,Retained,Notes\n",
        );
        let industries = ["Computer Software", "Banking", "Retail"];
        for i in 0..40 {
            csv.push_str(&format!(
                "{},Co {i},{},{},2024-01-{:02},{},{},{},yes,note {i}\n",
                1000 + i,
                industries[i % 3],
                10 * (i + 1) * (i + 1),
                i % 28 + 1,
                if i % 2 == 0 { "Pro" } else { "Free" },
                if i % 4 == 0 {
                    "HubSpot; Stripe"
                } else {
                    "Stripe"
                },
                i,
            ));
        }
        let d = data(&csv);
        let enc = encode(&d, None, &[]).unwrap();
        let used: Vec<(&str, &str)> = enc
            .features
            .iter()
            .map(|f| (f.info.column.as_str(), f.info.kind.as_str()))
            .collect();
        assert_eq!(
            used,
            vec![
                ("Number of Employees", "numeric"),
                ("Industry", "categorical"),
                ("Plan", "categorical"),
                ("Technologies", "has item"),
            ]
        );
        // Stripe is in every list: no information.
        assert!(enc.features[3].info.detail.contains("hubspot"));
        // Squares of 10..400 are skewed: log-scaled.
        assert!(matches!(
            enc.features[0].kind,
            FeatureKind::Numeric { log: true, .. }
        ));
        let reason = |col: &str| {
            enc.ignored
                .iter()
                .find(|i| i.column == col)
                .map(|i| i.reason.clone())
                .unwrap_or_default()
        };
        assert_eq!(reason("Record ID"), "identifier");
        assert_eq!(reason("icp_score"), "icp output column");
        assert_eq!(reason("Create Date"), "a date");
        assert!(reason("Retained").contains("--outcome"));
        assert_eq!(reason("Notes"), "name, contact or free text");
        assert_eq!(reason("Company name"), "name, contact or free text");
        let text = |f: &str| name_reason(f, Kind::Text);
        assert_eq!(
            text("original_source"),
            Some("funnel stage, source or owner")
        );
        assert_eq!(
            text("lifecycle_stage"),
            Some("funnel stage, source or owner")
        );
        assert_eq!(text("funding_stage"), None);
        assert_eq!(text("nps"), text("churn_date"));
        assert_eq!(text("closed_lost_reason"), text("nps"));
        assert_eq!(text("website_url"), Some("name, contact or free text"));
        assert_eq!(name_reason("website_sessions_30d", Kind::Number), None);
        assert_eq!((enc.points.n, enc.points.p, enc.points.q), (40, 1, 3));
        // Standardised: mean 0.
        let mean: f64 = enc.points.num.iter().sum::<f64>() / 40.0;
        assert!(mean.abs() < 1e-9);
    }

    #[test]
    fn explicit_fields_and_unknown_columns() {
        let d = data("Industry,Seats,City\nRetail,3,Paris\nBanking,,Lyon\n,5,Paris");
        let fields = vec!["seats".to_string(), "City".to_string()];
        let enc = encode(&d, Some(&fields), &[]).unwrap();
        assert_eq!(enc.features.len(), 2);
        assert!(enc.points.num[1].is_nan());
        assert_eq!(enc.points.cat, vec![0, 1, 0]);
        let err = encode(&d, Some(&["Size".to_string()]), &[]).err().unwrap();
        assert!(err.to_string().contains("Industry, Seats, City"), "{err}");
    }

    #[test]
    fn nothing_usable_is_an_error_with_reasons() {
        let d = data("Record ID,Company name\n1,A\n2,B");
        let err = encode(&d, None, &[]).err().unwrap().to_string();
        assert!(err.contains("Record ID: identifier"), "{err}");
        assert!(err.contains("--fields"), "{err}");
    }

    #[test]
    fn skewness_of_simple_sets() {
        assert_eq!(skewness(&[1.0, 2.0, 3.0]), 0.0);
        assert!(skewness(&[1.0, 1.0, 1.0, 100.0]) > 1.0);
        assert_eq!(skewness(&[5.0, 5.0, 5.0]), 0.0);
    }
}
