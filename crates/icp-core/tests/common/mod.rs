//! Helpers shared by the integration tests: a fixed `as_of`, loading
//! profiles that must compile, and evaluating one condition against one row
//! through the public API (profile -> RecordBuilder -> score).

#![allow(dead_code)]

use chrono::NaiveDate;
use icp_core::{Diagnostic, Profile, RecordBuilder, Scored, Severity, Truth, Value, load};

/// The run date every test scores against: Sunday 2024-06-30.
pub fn as_of_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 30).unwrap()
}

pub fn as_of() -> i32 {
    icp_core::day_number(as_of_date())
}

/// `as_of` minus `days`, written as an ISO date.
pub fn days_ago(days: i64) -> String {
    (as_of_date() - chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// A TOML basic string holding `s`.
pub fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Load a profile that must compile without errors (warnings are fine).
pub fn profile(src: &str) -> Profile {
    let loaded = load(src, as_of());
    let errors: Vec<&Diagnostic> = loaded.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "profile has errors: {errors:#?}\n{src}");
    loaded.profile.expect("a profile without errors")
}

/// A profile with one trait `t` (weight +1) over `cond`.
pub fn one_trait(cond: &str) -> Profile {
    profile(&format!(
        "name = \"t\"\n\n[[traits]]\nname = \"t\"\nwhen = {}\nweight = 1\n",
        toml_str(cond)
    ))
}

/// Build the record of one row given as `(header, cell)` pairs.
pub fn record(p: &Profile, cells: &[(&str, &str)]) -> Vec<Value> {
    let headers: Vec<String> = cells.iter().map(|(h, _)| h.to_string()).collect();
    let row: Vec<&str> = cells.iter().map(|(_, v)| *v).collect();
    let mut rec = Vec::new();
    RecordBuilder::new(p, &headers).build(&row, &mut rec);
    rec
}

pub fn score(p: &Profile, cells: &[(&str, &str)]) -> Scored {
    p.score(&record(p, cells))
}

/// The truth of a one-trait profile's trait for a scored row: fired is true,
/// not evaluable (coverage 0) is unknown, anything else false.
pub fn trait_truth(s: &Scored) -> Truth {
    if s.fired.contains(&0) {
        Truth::True
    } else if s.coverage == 0.0 {
        Truth::Unknown
    } else {
        Truth::False
    }
}

/// Evaluate `cond` on one row through the public API.
pub fn truth(cond: &str, cells: &[(&str, &str)]) -> Truth {
    let p = one_trait(cond);
    trait_truth(&score(&p, cells))
}

/// Evaluate `cond` on one row as a filter (on_missing = keep): pass is true,
/// excluded is false, kept-but-listed is unknown.
pub fn filter_truth(cond: &str, cells: &[(&str, &str)]) -> Truth {
    let p = profile(&format!(
        "name = \"f\"\n\n[[filters]]\nname = \"f\"\nwhen = {}\n\n[[traits]]\nname = \"x\"\nwhen = \"present(x)\"\nweight = 1\n",
        toml_str(cond)
    ));
    let s = score(&p, cells);
    match (s.excluded_by, s.unknown_filters.as_slice()) {
        (Some(0), _) => Truth::False,
        (None, [0]) => Truth::Unknown,
        (None, []) => Truth::True,
        other => panic!("unexpected filter outcome {other:?}"),
    }
}

/// Every diagnostic of `src` as `(severity, message, text under the span)`.
pub fn diagnostics(src: &str) -> Vec<(Severity, String, Option<String>)> {
    load(src, as_of())
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.severity,
                d.message.clone(),
                d.span.clone().map(|s| src[s].to_string()),
            )
        })
        .collect()
}

/// `line:col severity message [label]`, one diagnostic a line, the form the
/// snapshots use.
pub fn render_diagnostics(src: &str) -> String {
    let loaded = load(src, as_of());
    let mut out = String::new();
    for d in &loaded.diagnostics {
        let at = d
            .line_col(src)
            .map_or("-".to_string(), |(l, c)| format!("{l}:{c}"));
        let sev = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        out.push_str(&format!("{at} {sev} {}", d.message));
        if !d.label.is_empty() {
            out.push_str(&format!(" [{}]", d.label));
        }
        out.push('\n');
    }
    out
}
