//! The conformance kit: what every icp data source passes, built-in or a
//! third-party dynamic plugin.
//!
//! - [`check_plan`] checks a sans-IO source (a [`Plan`](icp_plugin_sdk::Plan)): its manifest,
//!   what it plans (batches, ids, coverage, determinism, secrets, URLs) and
//!   how it parses (a 404, empty, `null`, malformed, wrong-shaped, huge and
//!   deeply nested answers, and the recorded answers its test supplies as
//!   [`Recorded`] cases).
//! - [`check_source`] checks a local source (a [`Source`](icp_plugin_sdk::Source)): its manifest and
//!   what `enrich` gives for no key, an unknown key, known keys and a full
//!   batch.
//! - [`check_manifest`] checks a manifest alone.
//!
//! Each returns a [`Report`]: named checks, passed or failed with messages
//! that say what is wrong and where (the request id, the account key, the
//! field). In a test, call [`Report::assert_ok`]; for people, print it.
//!
//! ```no_run
//! # fn source() -> Box<dyn icp_plugin_sdk::Plan> { unimplemented!() }
//! use icp_conformance::{PlanCases, Recorded, check_plan};
//! let settings = serde_json::json!({ "preset": "clearbit" });
//! let cases = PlanCases::new().recorded(
//!     Recorded::new("company.json", &["brightlane.io"], 200, r#"{"name": "Brightlane"}"#)
//!         .found("brightlane.io", &["name"]),
//! );
//! check_plan(&*source(), &settings, &cases).assert_ok();
//! ```
//!
//! # Field values
//!
//! `Found` values must have the manifest's type:
//! - `number`: a JSON number, or text holding a digit: a figure, range or
//!   band as providers write it (`"51-200"`, `"$10M-$50M"`, `"10000+"`),
//!   which the scoring core parses. Text without a digit is refused.
//! - `text`: a JSON string. `list`: a JSON array of strings.
//! - `date`: text with a four-digit year: ISO 8601 (`2024-03-01`,
//!   `2024-03-01T10:32:00Z`, `2019`), or `2024/03/01`, `03/01/2024`,
//!   `01.03.2024`.
//! - `events`: an array of objects with a `date`, an optional numeric
//!   `weight` and an optional text `topic`.
//!
//! A blank value (`null`, `""`, `[]`) is refused for every type: a missing
//! value is left out.
//!
//! # Panics
//!
//! Panics of the source are caught (`catch_unwind`) and reported; the
//! panic hook still prints them (a test harness captures that). A stack
//! overflow or an abort cannot be caught and ends the process.

#![warn(missing_docs)]

mod cases;
mod plan;
mod report;
mod requests;
mod source;
mod unwind;
mod values;

use std::collections::BTreeMap;

use icp_plugin_sdk::{Account, Manifest, Outcome};

pub use cases::{ErrorKind, Expect, PlanCases, Recorded};
pub use plan::check_plan;
pub use report::{Check, Report};
pub use source::{ENRICH_TIMEOUT, check_source};

/// Batches larger than this are checked with this many accounts.
pub const MAX_SAMPLE_BATCH: usize = 1_000;
/// Messages, errors and log lines longer than this fail (they probably
/// quote a body).
pub const MAX_MESSAGE_CHARS: usize = 1_000;
/// More log lines than this for one answer fail.
pub const MAX_LOG_LINES: usize = 100;

/// Check a manifest alone; [`check_plan`] and [`check_source`] start with
/// the same check.
///
/// The `manifest` check: [`Manifest::problems`] is empty (a name, at least
/// one field, `max_batch` at least 1, key `domain`, `email` or `handle`,
/// usable limits, no field listed twice); the version is not blank; field
/// names are snake_case (`a-z`, `0-9`, `_`), as profiles refer to them;
/// secret names are not blank, are listed once and use letters, digits,
/// `_`, `-` or `.`; `cost_per_call` is a finite number, 0 or more; the
/// manifest survives a JSON round trip (dynamic plugins send it as JSON).
pub fn check_manifest(manifest: &Manifest) -> Report {
    let mut r = Report::new(subject(manifest, None));
    manifest_checks(&mut r, manifest);
    r
}

pub(crate) fn manifest_checks(report: &mut Report, m: &Manifest) {
    let c = report.check("manifest");
    c.fail_all(m.problems());
    if m.version.trim().is_empty() {
        c.fail(format!("source `{}` has no version", m.name));
    }
    for f in &m.fields {
        if f.name.is_empty()
            || !f
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            c.fail(format!(
                "field name {:?} is not snake_case (a-z, 0-9, _): profiles refer to fields by name",
                f.name
            ));
        }
    }
    let mut seen: Vec<&str> = Vec::new();
    for s in &m.secrets {
        if s.trim().is_empty()
            || !s
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        {
            c.fail(format!(
                "secret name {s:?} is not usable in ${{secret:NAME}}: letters, digits, _, - or ."
            ));
        }
        if seen.contains(&s.as_str()) {
            c.fail(format!("secret `{s}` is declared twice"));
        }
        seen.push(s);
    }
    if !m.cost_per_call.is_finite() || m.cost_per_call < 0.0 {
        c.fail(format!(
            "cost_per_call {} must be a finite number of credits, 0 or more",
            m.cost_per_call
        ));
    }
    match serde_json::to_string(m).map(|t| serde_json::from_str::<Manifest>(&t)) {
        Ok(Ok(back)) if back == *m => {}
        Ok(Ok(_)) => c.fail("the manifest changes in a JSON round trip"),
        Ok(Err(e)) | Err(e) => c.fail(format!("the manifest does not survive JSON: {e}")),
    }
}

/// `name version (label)`.
pub(crate) fn subject(m: &Manifest, label: Option<&str>) -> String {
    let mut s = if m.name.trim().is_empty() {
        "a source without a name".to_string()
    } else {
        format!("{} {}", m.name, m.version)
    };
    if let Some(l) = label {
        s.push_str(&format!(" ({l})"));
    }
    s
}

/// `given` (deduplicated, blanks dropped), then keys generated for the
/// manifest's key kind, `n` in all.
pub(crate) fn sample_keys(kind: &str, given: &[String], n: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(n);
    for k in given {
        if !k.trim().is_empty() && !out.contains(k) {
            out.push(k.clone());
        }
    }
    let mut i = 1;
    while out.len() < n.max(1) {
        let k = match kind {
            "email" => format!("person{i}@conformance-{i}.com"),
            "handle" => format!("conformance_{i}"),
            _ => format!("conformance-{i}.com"),
        };
        if !out.contains(&k) {
            out.push(k);
        }
        i += 1;
    }
    out.truncate(n.max(1));
    out
}

pub(crate) fn accounts(keys: &[String]) -> Vec<Account> {
    keys.iter()
        .map(|k| Account {
            key: k.clone(),
            fields: BTreeMap::new(),
        })
        .collect()
}

/// `` `a.com` ``, `` `a.com`, `b.com` `` or `` 5 accounts (`a.com`, `b.com`, ...) ``.
pub(crate) fn keys_text(keys: &[String]) -> String {
    match keys {
        [] => "no account".to_string(),
        [one] => format!("`{}`", short(one, 80)),
        few if few.len() <= 3 => few
            .iter()
            .map(|k| format!("`{}`", short(k, 40)))
            .collect::<Vec<_>>()
            .join(", "),
        many => format!(
            "{} accounts (`{}`, ...)",
            many.len(),
            many.iter()
                .take(2)
                .map(|k| short(k, 40))
                .collect::<Vec<_>>()
                .join("`, `")
        ),
    }
}

/// `Found (city, name)`, `NoData`, `Queued`, `Failed ("...")`.
pub(crate) fn describe(o: &Outcome) -> String {
    match o {
        Outcome::Found { fields } => format!(
            "Found ({})",
            fields.keys().cloned().collect::<Vec<_>>().join(", ")
        ),
        Outcome::NoData => "NoData".to_string(),
        Outcome::Queued => "Queued".to_string(),
        Outcome::Failed { message } => format!("Failed ({:?})", short(message, 80)),
    }
}

/// How `b` differs from `a`: the first differing field of two `Found`s
/// (`` field `name` "A", then "B" ``), else both outcomes.
pub(crate) fn outcome_change(a: Option<&Outcome>, b: Option<&Outcome>) -> String {
    let text = |o: Option<&Outcome>| o.map_or_else(|| "no outcome".to_string(), describe);
    if let (Some(Outcome::Found { fields: x }), Some(Outcome::Found { fields: y })) = (a, b)
        && let Some(k) = x.keys().chain(y.keys()).find(|k| x.get(*k) != y.get(*k))
    {
        let v =
            |v: Option<&serde_json::Value>| v.map_or_else(|| "absent".to_string(), values::show);
        return format!("field `{k}` {}, then {}", v(x.get(k)), v(y.get(k)));
    }
    format!("{}, then {}", text(a), text(b))
}

/// One line of at most `max` characters.
pub(crate) fn short(s: &str, max: usize) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > max {
        format!(
            "{}...",
            one.chars().take(max.saturating_sub(3)).collect::<String>()
        )
    } else {
        one
    }
}
