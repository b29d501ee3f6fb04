//! What a delivered field value must look like for its manifest type.
//!
//! The rules (the README of this crate repeats them for plugin authors):
//! - `number`: a JSON number, or text holding at least one digit: a figure,
//!   a range or a band as providers write them (`"51-200"`, `"$10M-$50M"`,
//!   `"10000+"`, `"1,200"`), which the scoring core parses into a number or
//!   a range. Text without a digit (`"large"`) is not a number.
//! - `text`: a JSON string.
//! - `list`: a JSON array of strings.
//! - `date`: a JSON string holding a date with a four-digit year, ISO 8601
//!   preferred (`2024-03-01`, `2024-03-01T10:32:00Z`, a bare year `2019`);
//!   `2024/03/01`, US `03/01/2024` and `01.03.2024` are read too.
//! - `events`: a JSON array of objects, each with a `date` (as above), and
//!   optionally a numeric `weight` and a text `topic`.
//!
//! For every type, a blank value (`null`, `""` or only spaces, `[]`) is a
//! failure: a missing value is left out of `Found`, never sent empty.

use icp_plugin_sdk::FieldType;
use serde_json::Value;

/// The manifest's word for a type.
pub(crate) fn type_name(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Number => "number",
        FieldType::Text => "text",
        FieldType::List => "list",
        FieldType::Date => "date",
        FieldType::Events => "events",
    }
}

/// A short rendering of a value for messages (company data, never a secret).
pub(crate) fn show(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}...", s.chars().take(57).collect::<String>())
    } else {
        s
    }
}

/// What is wrong with `v` as a value of type `ty`, or `None` if it is fine.
pub(crate) fn value_problem(ty: FieldType, v: &Value) -> Option<String> {
    if is_blank(v) {
        return Some(format!(
            "is blank ({}): leave a missing value out of Found",
            show(v)
        ));
    }
    let ok = match (ty, v) {
        (FieldType::Number, Value::Number(_)) => true,
        (FieldType::Number, Value::String(s)) => s.bytes().any(|b| b.is_ascii_digit()),
        (FieldType::Text, Value::String(_)) => true,
        (FieldType::List, Value::Array(items)) => {
            if let Some(bad) = items.iter().find(|i| !matches!(i, Value::String(_))) {
                return Some(format!(
                    "is {}: a list holds text items only, found {}",
                    show(v),
                    show(bad)
                ));
            }
            true
        }
        (FieldType::Date, Value::String(s)) => is_date_text(s),
        (FieldType::Events, Value::Array(items)) => {
            for item in items {
                if let Some(p) = event_problem(item) {
                    return Some(format!("has an event {}: {p}", show(item)));
                }
            }
            true
        }
        _ => false,
    };
    (!ok).then(|| format!("is {}: expected {}", show(v), expected(ty)))
}

fn expected(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Number => {
            "a JSON number, or text with a figure, range or band such as \"51-200\" or \"$10M-$50M\""
        }
        FieldType::Text => "text (a JSON string)",
        FieldType::List => "a list of text items",
        FieldType::Date => {
            "a date as text with a four-digit year, e.g. \"2024-03-01\" or \"2019\" (ISO 8601)"
        }
        FieldType::Events => {
            "a list of events such as [{\"date\": \"2024-03-01\", \"weight\": 1.0, \"topic\": \"...\"}]"
        }
    }
}

fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn event_problem(item: &Value) -> Option<&'static str> {
    let Value::Object(o) = item else {
        return Some("an event is an object");
    };
    match o.get("date") {
        Some(Value::String(d)) if is_date_text(d) => {}
        _ => return Some("`date` must be a date as text, e.g. \"2024-03-01\""),
    }
    if o.get("weight").is_some_and(|w| !w.is_number()) {
        return Some("`weight` must be a number");
    }
    if o.get("topic").is_some_and(|t| !t.is_string()) {
        return Some("`topic` must be text");
    }
    None
}

/// A date with a four-digit year in one of the shapes the scoring core
/// reads: `YYYY`, `YYYY-MM-DD`, `YYYY/MM/DD` (a time may follow after `T`
/// or a space), `MM/DD/YYYY`, `DD.MM.YYYY`.
pub(crate) fn is_date_text(s: &str) -> bool {
    let t = s.trim();
    let date = t.split(['T', ' ']).next().unwrap_or(t);
    let num = |p: &str, len: usize| -> Option<u32> {
        (p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    let ymd = |y: Option<u32>, m: Option<u32>, d: Option<u32>| match (y, m, d) {
        (Some(y), Some(m), Some(d)) => (1000..=9999).contains(&y) && valid_day(y, m, d),
        _ => false,
    };
    let parts = |sep: char| date.split(sep).collect::<Vec<_>>();
    if let Some(y) = num(date, 4) {
        return (1000..=9999).contains(&y) && date.len() == t.len();
    }
    match (
        parts('-').as_slice(),
        parts('/').as_slice(),
        parts('.').as_slice(),
    ) {
        ([y, m, d], _, _) => ymd(num(y, 4), num(m, 2), num(d, 2)),
        (_, [y, m, d], _) if y.len() == 4 => ymd(num(y, 4), num(m, 2), num(d, 2)),
        (_, [m, d, y], _) => ymd(num(y, 4), num(m, 2), num(d, 2)),
        (_, _, [d, m, y]) => ymd(num(y, 4), num(m, 2), num(d, 2)),
        _ => false,
    }
}

fn valid_day(y: u32, m: u32, d: u32) -> bool {
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dates() {
        for ok in [
            "2024-03-01",
            "2024-03-01T10:32:00Z",
            "2023-04-01T00:00:00.000+00:00",
            "2024-03-01 10:32",
            "2019",
            "2024/03/01",
            "03/01/2024",
            "01.03.2024",
            "2024-02-29",
        ] {
            assert!(is_date_text(ok), "{ok}");
        }
        for bad in [
            "",
            "yesterday",
            "2023-02-29",
            "2024-13-01",
            "24-03-01",
            "0999",
            "2019x",
            "3/1/24",
            "2024-03",
            "20240301x",
        ] {
            assert!(!is_date_text(bad), "{bad}");
        }
    }

    #[test]
    fn values_by_type() {
        let ok = |ty, v: Value| assert_eq!(value_problem(ty, &v), None, "{v}");
        let bad = |ty, v: Value| value_problem(ty, &v).unwrap_or_else(|| panic!("{v} passed"));
        ok(FieldType::Number, json!(240));
        ok(FieldType::Number, json!(-1.5));
        ok(FieldType::Number, json!("51-200"));
        ok(FieldType::Number, json!("$10M-$50M"));
        assert!(bad(FieldType::Number, json!("large")).contains("\"51-200\""));
        assert!(bad(FieldType::Number, json!({"a": 1})).contains("is {\"a\":1}"));
        ok(FieldType::Text, json!("Software"));
        bad(FieldType::Text, json!(42));
        assert!(bad(FieldType::Text, json!("  ")).contains("blank"));
        bad(FieldType::Text, Value::Null);
        ok(FieldType::List, json!(["a", "b"]));
        bad(FieldType::List, json!([]));
        assert!(bad(FieldType::List, json!(["a", 1])).contains("found 1"));
        bad(FieldType::List, json!("a"));
        ok(FieldType::Date, json!("2024-03-01"));
        bad(FieldType::Date, json!(2024));
        ok(
            FieldType::Events,
            json!([{"date": "2024-03-01", "weight": 1.0, "topic": "crm"}]),
        );
        assert!(
            bad(FieldType::Events, json!([{"date": "soon"}])).contains("`date`"),
            "dates"
        );
        bad(
            FieldType::Events,
            json!([{"date": "2024-03-01", "weight": "high"}]),
        );
        bad(FieldType::Events, json!([1]));
    }
}
