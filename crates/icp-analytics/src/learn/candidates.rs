//! Candidate traits: which columns can be traits, and for each one the
//! conditions worth measuring (a text value, a list item, a band or level of
//! a number, the presence of a field), each written in the condition
//! language so the profile scores exactly what was measured.

use std::collections::HashMap;

use icp_core::fields::{country_code, industry_for, parse_field};
use icp_core::value::{Kind, Value};
use icp_core::{Cond, Truth};
use serde::{Deserialize, Serialize};

use super::write::{
    field_ref, human, is_reserved, num_literal, text_literal, toml_string, toml_when,
};
use crate::dataset::{Column, Dataset};

/// A set of row indices.
#[derive(Clone, Debug, PartialEq)]
pub struct Bits {
    words: Vec<u64>,
}

impl Bits {
    pub fn new(rows: usize) -> Bits {
        Bits {
            words: vec![0; rows.div_ceil(64)],
        }
    }

    pub fn set(&mut self, i: usize) {
        self.words[i / 64] |= 1 << (i % 64);
    }

    pub fn get(&self, i: usize) -> bool {
        self.words[i / 64] & (1 << (i % 64)) != 0
    }

    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// |self ∩ other|
    pub fn and_count(&self, other: &Bits) -> usize {
        self.words
            .iter()
            .zip(&other.words)
            .map(|(a, b)| (a & b).count_ones() as usize)
            .sum()
    }

    /// The rows in both `self` and `other`, ascending.
    pub fn ones_and<'a>(&'a self, other: &'a Bits) -> impl Iterator<Item = usize> + 'a {
        self.words
            .iter()
            .zip(&other.words)
            .enumerate()
            .flat_map(|(k, (a, b))| {
                let mut w = a & b;
                std::iter::from_fn(move || {
                    if w == 0 {
                        return None;
                    }
                    let bit = w.trailing_zeros() as usize;
                    w &= w - 1;
                    Some(k * 64 + bit)
                })
            })
    }

    /// |self ∩ a ∩ b|
    pub fn and3_count(&self, a: &Bits, b: &Bits) -> usize {
        self.words
            .iter()
            .zip(&a.words)
            .zip(&b.words)
            .map(|((x, y), z)| (x & y & z).count_ones() as usize)
            .sum()
    }
}

/// What a candidate tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateKind {
    /// A text column holds one value (`industry = "Software"`).
    Value,
    /// A list column holds an item (`technologies has "salesforce"`).
    Item,
    /// A number falls in a band (`employees between 51 and 200`).
    Band,
    /// A number with few distinct values equals one (`seats = 3`).
    Level,
    /// A field is filled in (`present(phone)`).
    Present,
}

/// One condition to measure.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub col: usize,
    pub field: String,
    pub name: String,
    pub when: String,
    pub kind: CandidateKind,
    /// Rows where the condition is true.
    pub truth: Bits,
    /// Rows where it is true or false (not unknown).
    pub known: Bits,
    /// How a filter leaves it out: the text literal or list item, or for
    /// numbers the complementary condition.
    pub exclude: Option<String>,
    /// The value as people read it (for filter names).
    pub value: String,
    /// For bands: the column's band set and the band index.
    pub band: Option<(usize, usize)>,
}

/// The bands of a number column.
#[derive(Clone, Debug)]
pub struct Bands {
    pub col: usize,
    pub field: String,
    pub label: String,
    /// Band i covers [edges[i-1], edges[i]) (open at the ends).
    pub edges: Vec<f64>,
    /// Integer data: bands are written `between 51 and 200`.
    pub integer: bool,
    pub money: bool,
}

impl Bands {
    pub fn count(&self) -> usize {
        self.edges.len() + 1
    }

    /// The condition for bands `i..=j`.
    pub fn cond(&self, i: usize, j: usize) -> String {
        let f = field_ref(&self.field);
        let last = self.edges.len();
        let lo = (i > 0).then(|| self.edges[i - 1]);
        let hi = (j < last).then(|| self.edges[j]);
        match (lo, hi, self.integer) {
            (None, None, _) => format!("present({f})"),
            (Some(lo), None, _) => format!("{f} >= {}", num_literal(lo)),
            (None, Some(hi), true) => format!("{f} <= {}", num_literal(hi - 1.0)),
            (None, Some(hi), false) => format!("{f} < {}", num_literal(hi)),
            (Some(lo), Some(hi), true) => format!(
                "{f} between {} and {}",
                num_literal(lo),
                num_literal(hi - 1.0)
            ),
            (Some(lo), Some(hi), false) => {
                format!("{f} >= {} and {f} < {}", num_literal(lo), num_literal(hi))
            }
        }
    }

    /// The condition a filter uses to leave bands `i..=j` out.
    pub fn exclude(&self, i: usize, j: usize) -> String {
        let f = field_ref(&self.field);
        let last = self.edges.len();
        let lo = (i > 0).then(|| self.edges[i - 1]);
        let hi = (j < last).then(|| self.edges[j]);
        match (lo, hi, self.integer) {
            (Some(lo), None, _) => format!("{f} < {}", num_literal(lo)),
            (None, Some(hi), true) => format!("{f} > {}", num_literal(hi - 1.0)),
            (None, Some(hi), false) => format!("{f} >= {}", num_literal(hi)),
            _ => format!("not ({})", self.cond(i, j)),
        }
    }

    /// The band as people read it: `51-200`, `up to 10`, `10,001+`.
    pub fn range_text(&self, i: usize, j: usize) -> String {
        let h = |x: f64| human(x, self.money);
        let last = self.edges.len();
        let lo = (i > 0).then(|| self.edges[i - 1]);
        let hi = (j < last).then(|| self.edges[j]);
        match (lo, hi, self.integer) {
            (None, None, _) => "any".into(),
            (Some(lo), None, _) => format!("{}+", h(lo)),
            (None, Some(hi), true) => format!("up to {}", h(hi - 1.0)),
            (None, Some(hi), false) => format!("under {}", h(hi)),
            (Some(lo), Some(hi), true) => format!("{}-{}", h(lo), h(hi - 1.0)),
            (Some(lo), Some(hi), false) => format!("{}-{}", h(lo), h(hi)),
        }
    }

    pub fn name(&self, i: usize, j: usize) -> String {
        format!("{}: {}", self.label, self.range_text(i, j))
    }
}

/// A number column the model reads as a (standardised) number.
#[derive(Clone, Debug)]
pub struct NumericFeature {
    pub col: usize,
    pub label: String,
    /// log(1 + x) first (positive, skewed values such as headcount).
    pub log: bool,
}

/// A column that cannot be a trait, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SkippedColumn {
    pub column: String,
    pub reason: String,
}

/// The rows a candidate is measured on.
pub struct Sample<'a> {
    pub rows: usize,
    /// Training rows with an outcome.
    pub train_known: &'a Bits,
    /// Training rows with a good outcome.
    pub train_good: &'a Bits,
}

pub struct Settings<'a> {
    pub outcome_column: &'a str,
    pub min_support: usize,
    pub exclude: &'a [String],
    pub keep: &'a [String],
}

/// Candidates of every usable column, the number columns for the model, and
/// the columns left out with their reasons.
pub struct Built {
    pub candidates: Vec<Candidate>,
    pub bands: Vec<Bands>,
    pub numerics: Vec<NumericFeature>,
    pub skipped: Vec<SkippedColumn>,
}

/// Most values (or list items) of one column measured.
pub const MAX_VALUES: usize = 30;

const EMPLOYEE_EDGES: [f64; 7] = [11.0, 51.0, 201.0, 501.0, 1001.0, 5001.0, 10001.0];

fn named(list: &[String], col: &Column) -> bool {
    let snake = icp_core::fields::snake_case(&col.header);
    list.iter().any(|x| {
        x.eq_ignore_ascii_case(&col.header)
            || *x == col.field
            || icp_core::fields::snake_case(x) == snake
    })
}

/// Why a column is never a candidate, judged by its name and type.
fn skip_by_name(col: &Column, s: &Settings) -> Option<String> {
    let h = col.header.trim_start_matches('\u{feff}');
    let f = col.field.as_str();
    if h == s.outcome_column {
        return Some("the outcome".into());
    }
    if named(s.exclude, col) {
        return Some("left out by --exclude".into());
    }
    if h.starts_with("icp_") || h.contains("__icp_") || f.starts_with("icp_") {
        return Some("an icp output column".into());
    }
    if h.ends_with("__source") || h.ends_with("__fetched_at") || f == "input_lines" {
        return Some("provenance, not a trait".into());
    }
    if f.is_empty() || is_reserved(f) {
        return Some("its name cannot be written in a condition".into());
    }
    let id = matches!(f, "id" | "record_id") || f.ends_with("_id") || f.starts_with("id_");
    // Names and addresses are text; a number named "Website Sessions" is a
    // measurement, not an address.
    let name_like = col.kind != Kind::Number
        && (matches!(f, "domain" | "name" | "email" | "handle")
            || f.ends_with("_name")
            || ["email", "domain", "website", "url", "phone", "linkedin"]
                .iter()
                .any(|w| f.contains(w)));
    if id || name_like {
        return Some("an identifier or name".into());
    }
    if col.kind == Kind::Date {
        return Some("a date (icp learn makes no traits of dates; see icp cohorts)".into());
    }
    None
}

/// Build every candidate of `data`.
pub fn build(data: &Dataset, sample: &Sample, s: &Settings) -> Built {
    let mut built = Built {
        candidates: Vec::new(),
        bands: Vec::new(),
        numerics: Vec::new(),
        skipped: Vec::new(),
    };
    let total_known = sample.train_known.count();
    for (ci, col) in data.columns.iter().enumerate() {
        let skip = |built: &mut Built, reason: String| {
            built.skipped.push(SkippedColumn {
                column: col.header.clone(),
                reason,
            })
        };
        if let Some(reason) = skip_by_name(col, s) {
            skip(&mut built, reason);
            continue;
        }
        let present = presence_bits(col);
        let present_known = present.and_count(sample.train_known);
        if present.count() == 0 {
            skip(&mut built, "empty".into());
            continue;
        }
        if let Some(reason) = leak(col, &present, sample).filter(|_| !named(s.keep, col)) {
            skip(
                &mut built,
                format!("{reason}: it looks like part of the outcome (--keep to use it)"),
            );
            continue;
        }
        let before = built.candidates.len();
        let outcome = match col.kind {
            Kind::Text => text_candidates(ci, col, &present, sample, s, &mut built),
            Kind::List => list_candidates(ci, col, &present, sample, s, &mut built),
            Kind::Number => number_candidates(ci, col, sample, s, &mut built),
            Kind::Date => Err("a date".into()),
        };
        if let Err(reason) = outcome {
            skip(&mut built, reason);
            continue;
        }
        // Presence, when the field is filled in for some rows and not others.
        let absent_known = total_known - present_known;
        if present_known >= s.min_support && absent_known >= s.min_support {
            let f = field_ref(&col.field);
            built.candidates.push(Candidate {
                col: ci,
                field: col.field.clone(),
                name: format!("{}: filled in", label(col)),
                when: format!("present({f})"),
                kind: CandidateKind::Present,
                truth: present.clone(),
                known: all_rows(sample.rows),
                exclude: None,
                value: "filled in".into(),
                band: None,
            });
        }
        if built.candidates.len() == before {
            skip(
                &mut built,
                format!(
                    "no value, item or band is on {} or more training rows with an outcome",
                    s.min_support
                ),
            );
        }
    }
    built
}

fn label(col: &Column) -> String {
    col.header.trim_start_matches('\u{feff}').trim().to_owned()
}

fn all_rows(rows: usize) -> Bits {
    let mut b = Bits::new(rows);
    for i in 0..rows {
        b.set(i);
    }
    b
}

fn presence_bits(col: &Column) -> Bits {
    let mut b = Bits::new(col.values.len());
    for (i, v) in col.values.iter().enumerate() {
        if !v.is_missing() {
            b.set(i);
        }
    }
    b
}

/// A column that (nearly) decides the outcome by itself: filled in only for
/// good rows or only for bad ones (a "Closed Lost Reason"), or with values
/// that each belong to one outcome. Real traits do not separate outcomes
/// that cleanly; fields written after the outcome do.
fn leak(col: &Column, present: &Bits, sample: &Sample) -> Option<String> {
    let n = sample.train_known.count();
    let g = sample.train_good.count();
    if n == 0 {
        return None;
    }
    let base = g as f64 / n as f64;
    if !(0.05..=0.95).contains(&base) {
        return None;
    }
    let big = (n / 20).max(10);
    let pn = present.and_count(sample.train_known);
    let pg = present.and_count(sample.train_good);
    let (mn, mg) = (n - pn, g - pg);
    for (side, rows, good) in [("filled in", pn, pg), ("blank", mn, mg)] {
        if rows >= big && rows < n {
            let rate = good as f64 / rows as f64;
            if rate <= 0.01 || rate >= 0.99 {
                let who = if rate <= 0.01 { "bad" } else { "good" };
                return Some(format!(
                    "{side} almost only on {who} rows ({good} of {rows} good)"
                ));
            }
        }
    }
    // Values that decide the outcome: the error of guessing each value's
    // majority outcome is under a tenth of guessing the overall one.
    if col.kind == Kind::Text {
        let mut groups: HashMap<&str, (usize, usize)> = HashMap::new();
        for row in 0..col.values.len() {
            if !sample.train_known.get(row) {
                continue;
            }
            let key = col.text(row).unwrap_or("");
            let e = groups.entry(key).or_default();
            e.0 += 1;
            if sample.train_good.get(row) {
                e.1 += 1;
            }
        }
        // Many small groups always look pure: only judge columns with a
        // few well-filled values.
        if groups.len() <= 20 && groups.values().all(|(rows, _)| *rows >= 5) {
            let err: usize = groups.values().map(|(r, gd)| (*gd).min(r - gd)).sum();
            let base_err = g.min(n - g);
            if (err as f64) < 0.1 * base_err as f64 {
                return Some(format!(
                    "its {} values nearly decide the outcome ({err} of {n} rows disagree with their value's majority)",
                    groups.len()
                ));
            }
        }
    }
    None
}

/// The value as people read it, written so it folds back to `folded`.
fn text_display(col: &Column, folded: &str, first_row: usize) -> String {
    let guess = match col.field.as_str() {
        "industry" => industry_for(folded).map(str::to_owned),
        "country" => country_code(folded).map(str::to_owned),
        _ => None,
    }
    .or_else(|| col.display(first_row).map(str::to_owned))
    .unwrap_or_else(|| folded.to_owned());
    match parse_field(&col.field, Kind::Text, &guess) {
        Value::Text(t) if &*t == folded => guess,
        _ => folded.to_owned(),
    }
}

fn text_candidates(
    ci: usize,
    col: &Column,
    present: &Bits,
    sample: &Sample,
    s: &Settings,
    built: &mut Built,
) -> Result<(), String> {
    // value -> (rows, training rows with an outcome, first row)
    let mut counts: HashMap<&str, (usize, usize, usize)> = HashMap::new();
    for row in 0..col.values.len() {
        if let Some(t) = col.text(row) {
            let e = counts.entry(t).or_insert((0, 0, row));
            e.0 += 1;
            if sample.train_known.get(row) {
                e.1 += 1;
            }
        }
    }
    let filled = present.count();
    let distinct = counts.len();
    if distinct >= 20 && distinct * 10 >= filled * 9 {
        return Err(format!(
            "a different value on almost every row ({distinct} values): an identifier or free text"
        ));
    }
    let mut values: Vec<(&str, (usize, usize, usize))> = counts.into_iter().collect();
    values.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(b.0)));
    let top: usize = values.iter().take(MAX_VALUES).map(|v| v.1.0).sum();
    if distinct > 50 && top * 2 < filled {
        return Err(format!(
            "{distinct} distinct values, the {MAX_VALUES} most common cover only {}% of rows: free text",
            top * 100 / filled.max(1)
        ));
    }
    if distinct == 1 {
        if filled == col.values.len() {
            return Err("one value on every row".into());
        }
        // Its one value is the same test as "filled in".
        return Ok(());
    }
    let mut chosen: Vec<(&str, usize)> = values
        .iter()
        .filter(|v| v.1.1 >= s.min_support)
        .take(MAX_VALUES)
        .map(|v| (v.0, v.1.2))
        .collect();
    chosen.sort_by(|a, b| a.0.cmp(b.0));
    let index: HashMap<&str, usize> = chosen.iter().enumerate().map(|(i, v)| (v.0, i)).collect();
    let mut truths = vec![Bits::new(col.values.len()); chosen.len()];
    for row in 0..col.values.len() {
        if let Some(i) = col.text(row).and_then(|t| index.get(t)) {
            truths[*i].set(row);
        }
    }
    let f = field_ref(&col.field);
    for ((value, first), truth) in chosen.into_iter().zip(truths) {
        let shown = text_display(col, value, first);
        let lit = text_literal(&shown);
        built.candidates.push(Candidate {
            col: ci,
            field: col.field.clone(),
            name: format!("{}: {shown}", label(col)),
            when: format!("{f} = {lit}"),
            kind: CandidateKind::Value,
            truth,
            known: present.clone(),
            exclude: Some(lit),
            value: shown,
            band: None,
        });
    }
    Ok(())
}

fn list_candidates(
    ci: usize,
    col: &Column,
    present: &Bits,
    sample: &Sample,
    s: &Settings,
    built: &mut Built,
) -> Result<(), String> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for row in 0..col.values.len() {
        if sample.train_known.get(row) {
            for item in col.items(row) {
                *counts.entry(item).or_default() += 1;
            }
        }
    }
    let mut items: Vec<(&str, usize)> = counts
        .into_iter()
        .filter(|(_, n)| *n >= s.min_support)
        .collect();
    items.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    items.truncate(MAX_VALUES);
    items.sort_by(|a, b| a.0.cmp(b.0));
    let index: HashMap<&str, usize> = items.iter().enumerate().map(|(i, v)| (v.0, i)).collect();
    let mut truths = vec![Bits::new(col.values.len()); items.len()];
    for row in 0..col.values.len() {
        for item in col.items(row) {
            if let Some(i) = index.get(&**item) {
                truths[*i].set(row);
            }
        }
    }
    let f = field_ref(&col.field);
    for ((item, _), truth) in items.into_iter().zip(truths) {
        let lit = text_literal(item);
        built.candidates.push(Candidate {
            col: ci,
            field: col.field.clone(),
            name: format!("{}: {item}", label(col)),
            when: format!("{f} has {lit}"),
            kind: CandidateKind::Item,
            truth,
            known: present.clone(),
            exclude: Some(lit),
            value: item.to_owned(),
            band: None,
        });
    }
    Ok(())
}

fn number_candidates(
    ci: usize,
    col: &Column,
    sample: &Sample,
    s: &Settings,
    built: &mut Built,
) -> Result<(), String> {
    let mut nums: Vec<f64> = Vec::new();
    let mut integer = true;
    let mut ranges = false;
    for row in 0..col.values.len() {
        match &col.values[row] {
            Value::Num(n) if n.is_finite() => integer &= n.fract() == 0.0,
            Value::Range(lo, hi) => {
                ranges = true;
                integer &= lo.fract() == 0.0 && (hi.is_infinite() || hi.fract() == 0.0);
            }
            _ => {}
        }
        if let Some(x) = col
            .number(row)
            .filter(|x| x.is_finite() && sample.train_known.get(row))
        {
            nums.push(x);
        }
    }
    if nums.is_empty() {
        return Err("no numbers on training rows with an outcome".into());
    }
    nums.sort_by(f64::total_cmp);
    let mut distinct = nums.clone();
    distinct.dedup();
    if distinct.len() == 1 {
        if col.present() == col.values.len() {
            return Err("one value on every row".into());
        }
        return Ok(());
    }
    let money = matches!(
        col.field.as_str(),
        "revenue" | "valuation" | "funding_total"
    );
    let q = |p: f64| nums[((nums.len() - 1) as f64 * p).round() as usize];
    let log = nums[0] >= 0.0 && q(0.95) > 5.0 * q(0.5).max(1e-9);
    built.numerics.push(NumericFeature {
        col: ci,
        label: label(col),
        log,
    });
    let f = field_ref(&col.field);
    if !ranges && integer && distinct.len() <= 6 {
        // A handful of levels (a 1-5 rating, a 0/1 flag): one candidate each.
        let specs: Vec<(f64, String)> = distinct
            .iter()
            .filter(|v| nums.iter().filter(|x| *x == *v).count() >= s.min_support)
            .map(|v| (*v, format!("{f} = {}", num_literal(*v))))
            .collect();
        let conds: Vec<String> = specs.iter().map(|(_, c)| c.clone()).collect();
        let evaluated = eval_conditions(col, &conds)?;
        for ((v, when), (truth, known)) in specs.into_iter().zip(evaluated) {
            built.candidates.push(Candidate {
                col: ci,
                field: col.field.clone(),
                name: format!("{}: {}", label(col), human(v, money)),
                when,
                kind: CandidateKind::Level,
                truth,
                known,
                exclude: Some(format!("{f} != {}", num_literal(v))),
                value: human(v, money),
                band: None,
            });
        }
        return Ok(());
    }
    let mut edges = if col.field == "employees" {
        EMPLOYEE_EDGES.to_vec()
    } else {
        nice_edges(&nums)
    };
    if integer && edges.iter().any(|e| e.fract() != 0.0) {
        edges.iter_mut().for_each(|e| *e = e.ceil());
        edges.dedup();
    }
    let edges = merge_thin(edges, &nums, s.min_support);
    if edges.is_empty() {
        return Ok(());
    }
    let bands = Bands {
        col: ci,
        field: col.field.clone(),
        label: label(col),
        integer: integer && edges.iter().all(|e| e.abs() < 1e5),
        edges,
        money,
    };
    let conds: Vec<String> = (0..bands.count()).map(|i| bands.cond(i, i)).collect();
    let evaluated = eval_conditions(col, &conds)?;
    let set = built.bands.len();
    for (i, (when, (truth, known))) in conds.into_iter().zip(evaluated).enumerate() {
        built.candidates.push(Candidate {
            col: ci,
            field: col.field.clone(),
            name: bands.name(i, i),
            when,
            kind: CandidateKind::Band,
            truth,
            known,
            exclude: Some(bands.exclude(i, i)),
            value: bands.range_text(i, i),
            band: Some((set, i)),
        });
    }
    built.bands.push(bands);
    Ok(())
}

/// Band edges at the quintiles, rounded: to one significant digit for
/// positive, skewed numbers (headcount, revenue), else to a step of 1, 2 or
/// 5 times a power of ten fitted to the spread (years, scores).
pub fn nice_edges(sorted: &[f64]) -> Vec<f64> {
    if sorted.is_empty() {
        return Vec::new();
    }
    let n = sorted.len();
    let q = |p: f64| sorted[((n - 1) as f64 * p).round() as usize];
    let (lo, hi) = (sorted[0], sorted[n - 1]);
    let quintiles = [q(0.2), q(0.4), q(0.6), q(0.8)];
    let skewed = lo >= 0.0 && q(0.8) >= 10.0 * q(0.2).max(f64::MIN_POSITIVE);
    let mut edges: Vec<f64> = if skewed {
        quintiles.iter().map(|&x| one_digit(x)).collect()
    } else {
        let mut spread = q(0.8) - q(0.2);
        if spread <= 0.0 {
            spread = hi - lo;
        }
        if spread <= 0.0 {
            return Vec::new();
        }
        let step = nice_step(spread / 4.0);
        quintiles
            .iter()
            .map(|&x| super::write::clean((x / step).round() * step))
            .collect()
    };
    edges.sort_by(f64::total_cmp);
    edges.dedup();
    edges.retain(|&e| e > lo && e <= hi);
    edges
}

/// One significant digit: 183 -> 200, 47 -> 50, 0.034 -> 0.03.
fn one_digit(x: f64) -> f64 {
    if x <= 0.0 || !x.is_finite() {
        return x;
    }
    let p = 10f64.powf(x.log10().floor());
    super::write::clean((x / p).round() * p)
}

/// The largest of 1, 2, 5 times a power of ten at or below `x`.
fn nice_step(x: f64) -> f64 {
    let p = 10f64.powf(x.log10().floor());
    let m = x / p;
    let s = if m >= 5.0 {
        5.0
    } else if m >= 2.0 {
        2.0
    } else {
        1.0
    };
    super::write::clean(s * p)
}

/// Drop edges until every band holds at least `min` of `sorted` (merging a
/// thin band into its smaller neighbour).
pub fn merge_thin(mut edges: Vec<f64>, sorted: &[f64], min: usize) -> Vec<f64> {
    loop {
        if edges.is_empty() {
            return edges;
        }
        let mut counts = vec![0usize; edges.len() + 1];
        for &x in sorted {
            counts[edges.partition_point(|&e| e <= x)] += 1;
        }
        let (thin, &c) = counts
            .iter()
            .enumerate()
            .min_by_key(|(i, c)| (**c, *i))
            .expect("bands");
        if c >= min {
            return edges;
        }
        // The edge between band `thin` and its smaller neighbour goes.
        let edge = if thin == 0 {
            0
        } else if thin == counts.len() - 1 || counts[thin - 1] <= counts[thin + 1] {
            thin - 1
        } else {
            thin
        };
        edges.remove(edge);
    }
}

/// Compile conditions over one column with icp-core and evaluate them on
/// every row: (true rows, known rows) per condition.
pub fn eval_conditions(col: &Column, conds: &[String]) -> Result<Vec<(Bits, Bits)>, String> {
    if conds.is_empty() {
        return Ok(Vec::new());
    }
    let mut src = String::from("name = \"candidates\"\n");
    for (i, c) in conds.iter().enumerate() {
        src.push_str(&format!(
            "[[traits]]\nname = {}\nwhen = {}\nweight = 1\n",
            toml_string(&format!("c{i}")),
            toml_when(c)
        ));
    }
    let loaded = icp_core::load(&src, 0);
    let Some(profile) = loaded.profile else {
        let why: Vec<String> = loaded
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.message.clone())
            .collect();
        return Err(format!(
            "its conditions do not compile ({})",
            why.join("; ")
        ));
    };
    if profile.fields.len() != 1 || profile.fields[0].name != col.field {
        return Err("its conditions name another field".into());
    }
    let conds: Vec<&Cond> = profile.traits.iter().map(|t| &t.cond).collect();
    let rows = col.values.len();
    let mut out = vec![(Bits::new(rows), Bits::new(rows)); conds.len()];
    for (row, v) in col.values.iter().enumerate() {
        let rec = std::slice::from_ref(v);
        for (c, (truth, known)) in conds.iter().zip(out.iter_mut()) {
            match c.eval(rec) {
                Truth::True => {
                    truth.set(row);
                    known.set(row);
                }
                Truth::False => known.set(row),
                Truth::Unknown => {}
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_count() {
        let mut a = Bits::new(130);
        let mut b = Bits::new(130);
        for i in [0, 5, 64, 129] {
            a.set(i);
        }
        for i in [5, 64, 100] {
            b.set(i);
        }
        assert_eq!(a.count(), 4);
        assert!(a.get(129) && !a.get(128));
        assert_eq!(a.and_count(&b), 2);
        let mut c = Bits::new(130);
        c.set(64);
        assert_eq!(a.and3_count(&b, &c), 1);
        assert_eq!(a.ones_and(&b).collect::<Vec<_>>(), vec![5, 64]);
        assert_eq!(a.ones_and(&a).collect::<Vec<_>>(), vec![0, 5, 64, 129]);
    }

    #[test]
    fn edges_are_round() {
        // Skewed headcounts: one significant digit.
        let mut v: Vec<f64> = (1..=1000)
            .map(|i| f64::from(i) * f64::from(i) / 100.0)
            .collect();
        v.sort_by(f64::total_cmp);
        let e = nice_edges(&v);
        assert!(!e.is_empty());
        for x in &e {
            let p = 10f64.powf(x.log10().floor());
            assert_eq!((x / p).fract(), 0.0, "{x} is not one significant digit");
        }
        // Years: a step of 5 or 10.
        let years: Vec<f64> = (0..300).map(|i| 1990.0 + f64::from(i % 33)).collect();
        let mut years = years;
        years.sort_by(f64::total_cmp);
        let e = nice_edges(&years);
        assert!(e.iter().all(|x| x % 5.0 == 0.0), "{e:?}");
        assert!(e.windows(2).all(|w| w[0] < w[1]));
        // Scores 0..1: tenths.
        let s: Vec<f64> = (0..100).map(|i| f64::from(i) / 100.0).collect();
        let e = nice_edges(&s);
        assert_eq!(e, vec![0.2, 0.4, 0.6, 0.8]);
        assert!(nice_edges(&[3.0, 3.0, 3.0]).is_empty());
        assert!(nice_edges(&[]).is_empty());
    }

    #[test]
    fn thin_bands_merge_into_the_smaller_neighbour() {
        let sorted: Vec<f64> = [
            vec![5.0; 30],
            vec![30.0; 3],
            vec![100.0; 40],
            vec![500.0; 25],
        ]
        .concat();
        // Bands: <11: 30, 11-50: 3, 51-200: 40, 201+: 25.
        let e = merge_thin(vec![11.0, 51.0, 201.0], &sorted, 10);
        assert_eq!(e, vec![51.0, 201.0], "11-50 joins up to 10 (30 < 40)");
        let e = merge_thin(vec![11.0, 51.0, 201.0], &sorted, 30);
        assert_eq!(e, vec![51.0]);
        assert!(merge_thin(vec![11.0], &[1.0, 2.0], 5).is_empty());
    }

    #[test]
    fn band_conditions_read_like_crm_bands() {
        let b = Bands {
            col: 0,
            field: "employees".into(),
            label: "Number of Employees".into(),
            edges: vec![11.0, 51.0, 201.0, 10001.0],
            integer: true,
            money: false,
        };
        assert_eq!(b.cond(0, 0), "employees <= 10");
        assert_eq!(b.cond(2, 2), "employees between 51 and 200");
        assert_eq!(b.cond(1, 2), "employees between 11 and 200");
        assert_eq!(b.cond(4, 4), "employees >= 10001");
        assert_eq!(b.exclude(0, 0), "employees > 10");
        assert_eq!(b.exclude(4, 4), "employees < 10001");
        assert_eq!(b.exclude(2, 2), "not (employees between 51 and 200)");
        assert_eq!(b.name(2, 2), "Number of Employees: 51-200");
        assert_eq!(b.name(0, 0), "Number of Employees: up to 10");
        assert_eq!(b.name(4, 4), "Number of Employees: 10,001+");
        let r = Bands {
            col: 0,
            field: "revenue".into(),
            label: "Annual Revenue".into(),
            edges: vec![1e6, 1e7],
            integer: false,
            money: true,
        };
        assert_eq!(r.cond(1, 1), "revenue >= 1M and revenue < 10M");
        assert_eq!(r.cond(0, 0), "revenue < 1M");
        assert_eq!(r.name(1, 1), "Annual Revenue: $1M-$10M");
        assert_eq!(r.exclude(0, 0), "revenue >= 1M");
    }

    #[test]
    fn conditions_evaluate_with_range_semantics() {
        let d = Dataset::from_rows(
            &["Number of Employees".to_string()],
            vec![
                (2, vec!["51-200".into()]),
                (3, vec!["120".into()]),
                (4, vec!["100-500".into()]),
                (5, vec!["".into()]),
                (6, vec!["9".into()]),
            ],
        );
        let col = &d.columns[0];
        let out = eval_conditions(col, &["employees between 51 and 200".into()]).unwrap();
        let (t, k) = &out[0];
        assert_eq!(
            (0..5).map(|r| t.get(r)).collect::<Vec<_>>(),
            [true, true, false, false, false]
        );
        // 100-500 overlaps the band: unknown; blank: unknown.
        assert_eq!(
            (0..5).map(|r| k.get(r)).collect::<Vec<_>>(),
            [true, true, false, false, true]
        );
        assert!(eval_conditions(col, &["industry = \"x\"".into()]).is_err());
    }

    #[test]
    fn text_values_fold_back() {
        let d = Dataset::from_rows(
            &[
                "Industry".to_string(),
                "Country/Region".to_string(),
                "Plan".to_string(),
            ],
            vec![(
                2,
                vec![
                    "COMPUTER_SOFTWARE".into(),
                    "Germany".into(),
                    "Pro \"Max\"".into(),
                ],
            )],
        );
        assert_eq!(text_display(&d.columns[0], "software", 0), "Software");
        assert_eq!(text_display(&d.columns[1], "de", 0), "DE");
        assert_eq!(text_display(&d.columns[2], "pro \"max\"", 0), "Pro \"Max\"");
    }
}
