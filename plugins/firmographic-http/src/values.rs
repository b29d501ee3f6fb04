//! Reading mapped fields out of a provider's company object.
//!
//! Values keep the provider's form: numbers stay JSON numbers, text stays
//! text (a band such as `$10M-$50M` or a range such as `51-250` in a number
//! field stays text: icp-core reads ranges), lists become arrays of strings,
//! dates stay the provider's ISO text. Nothing is normalised here (industry
//! and country are the scoring core's business). `null`, `""` and `[]` are
//! absent, so the next pointer of a field is tried.

use std::collections::{BTreeMap, HashSet};

use icp_plugin_sdk::{FieldType, FieldValue};
use serde_json::{Number, Value};

/// One field of the mapping: our name, its type and where to read it (the
/// first pointer with a usable value wins).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldMap {
    pub name: String,
    pub ty: FieldType,
    pub from: Vec<String>,
}

/// The type of a field by name: canonical fields have theirs, anything else
/// is text unless the mapping says otherwise.
pub fn default_type(name: &str) -> FieldType {
    match name {
        "employees" | "revenue" | "founded_year" | "funding_total" | "valuation"
        | "match_likelihood" => FieldType::Number,
        "technologies" | "tags" | "partners" => FieldType::List,
        "last_funding_date" => FieldType::Date,
        _ => FieldType::Text,
    }
}

pub fn type_name(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Number => "number",
        FieldType::Text => "text",
        FieldType::List => "list",
        FieldType::Date => "date",
        FieldType::Events => "events",
    }
}

/// What a raw value gives for a field of some type.
enum Shaped {
    Value(FieldValue),
    /// Nothing usable (`null`, blank text, an empty list): try the next pointer.
    Empty,
    /// A value of the wrong shape, e.g. an object where a number belongs.
    Wrong(&'static str),
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn shape(v: &Value, ty: FieldType) -> Shaped {
    match (ty, v) {
        (_, Value::Null) => Shaped::Empty,
        (FieldType::Number, Value::Number(n)) => Shaped::Value(Value::Number(n.clone())),
        (FieldType::Number, Value::String(s)) => match s.trim() {
            "" => Shaped::Empty,
            t => Shaped::Value(
                plain_number(t).map_or_else(|| Value::String(t.to_string()), Value::Number),
            ),
        },
        (FieldType::Text, Value::String(s)) => match s.trim() {
            "" => Shaped::Empty,
            t => Shaped::Value(Value::String(t.to_string())),
        },
        (FieldType::Text, Value::Number(n)) => Shaped::Value(Value::String(n.to_string())),
        (FieldType::Text, Value::Bool(b)) => Shaped::Value(Value::String(b.to_string())),
        (FieldType::Date, Value::String(s)) => match s.trim() {
            "" => Shaped::Empty,
            t => Shaped::Value(Value::String(t.to_string())),
        },
        // A bare year is a date icp-core reads (January 1st).
        (FieldType::Date, Value::Number(n)) => match n.as_u64() {
            Some(y) if (1000..=9999).contains(&y) => Shaped::Value(Value::String(y.to_string())),
            _ => Shaped::Wrong("a number that is not a year"),
        },
        (FieldType::List, Value::Array(items)) => {
            let mut out: Vec<Value> = Vec::new();
            let mut seen: HashSet<String> = HashSet::new();
            for item in items {
                let text = match item {
                    Value::String(s) => s.trim().to_string(),
                    Value::Number(n) => n.to_string(),
                    // `[{"uid": "stripe", "name": "Stripe", ...}]` (Apollo's
                    // current_technologies, PDL's technologies_used).
                    Value::Object(o) => match o.get("name") {
                        Some(Value::String(s)) => s.trim().to_string(),
                        _ => continue,
                    },
                    _ => continue,
                };
                if !text.is_empty() && seen.insert(text.clone()) {
                    out.push(Value::String(text));
                }
            }
            if out.is_empty() {
                Shaped::Empty
            } else {
                Shaped::Value(Value::Array(out))
            }
        }
        (FieldType::List, Value::String(s)) => match s.trim() {
            "" => Shaped::Empty,
            t => Shaped::Value(Value::Array(vec![Value::String(t.to_string())])),
        },
        (FieldType::Events, Value::Array(a)) if !a.is_empty() => Shaped::Value(v.clone()),
        (FieldType::Events, Value::Array(_)) => Shaped::Empty,
        (_, other) => Shaped::Wrong(kind_of(other)),
    }
}

/// `"2013"` -> 2013, `"12.5"` -> 12.5; anything else (a range, a band,
/// `"1,200"`) is not a plain number and stays text.
fn plain_number(t: &str) -> Option<Number> {
    let digits = t.strip_prefix('-').unwrap_or(t);
    let mut dot = false;
    if digits.is_empty()
        || !digits.bytes().all(|b| {
            if b == b'.' && !dot {
                dot = true;
                true
            } else {
                b.is_ascii_digit()
            }
        })
        || digits.starts_with('.')
        || digits.ends_with('.')
    {
        return None;
    }
    if !dot {
        if let Ok(u) = t.parse::<u64>() {
            return Some(Number::from(u));
        }
        if let Ok(i) = t.parse::<i64>() {
            return Some(Number::from(i));
        }
    }
    t.parse::<f64>().ok().and_then(Number::from_f64)
}

/// Read every mapped field out of `company`. Fields of the wrong shape are
/// left out with a log line (the pointer and the shape, never the value).
pub fn extract(
    company: &Value,
    fields: &[FieldMap],
    logs: &mut Vec<String>,
) -> BTreeMap<String, FieldValue> {
    let mut out = BTreeMap::new();
    for f in fields {
        for ptr in &f.from {
            let Some(raw) = company.pointer(ptr) else {
                continue;
            };
            match shape(raw, f.ty) {
                Shaped::Value(v) => {
                    out.insert(f.name.clone(), v);
                    break;
                }
                Shaped::Empty => {}
                Shaped::Wrong(found) => {
                    push_log(
                        logs,
                        format!(
                            "field `{}`: {ptr} holds {found}, expected {}; left out",
                            f.name,
                            type_name(f.ty)
                        ),
                    );
                }
            }
        }
    }
    out
}

/// At most this many log lines per response.
pub const MAX_LOGS: usize = 20;

pub fn push_log(logs: &mut Vec<String>, line: String) {
    if logs.len() < MAX_LOGS && !logs.contains(&line) {
        logs.push(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn f(name: &str, from: &[&str]) -> FieldMap {
        FieldMap {
            name: name.into(),
            ty: default_type(name),
            from: from.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn shapes_values_by_type() {
        let company = json!({
            "n": 250, "s": "2013", "r": "51-250", "big": 123456789012345678901234567890.0,
            "neg": "-3", "dec": "12.5", "blank": "  ", "obj": {"a": 1}, "list": ["a", " a ", "", 3, {"name": "Stripe"}, {"x": 1}, null],
            "empty": [], "date": "2023-08-01T00:00:00.000+00:00", "year": 2019, "flag": true
        });
        let mut logs = Vec::new();
        let got = extract(
            &company,
            &[
                f("employees", &["/missing", "/blank", "/r"]),
                f("founded_year", &["/s"]),
                f("revenue", &["/big"]),
                f("funding_total", &["/obj", "/n"]),
                f("valuation", &["/neg"]),
                f("match_likelihood", &["/dec"]),
                f("technologies", &["/empty", "/list"]),
                f("last_funding_date", &["/date"]),
                f("name", &["/n"]),
                f("city", &["/flag"]),
                f("region", &["/list"]),
            ],
            &mut logs,
        );
        assert_eq!(got["employees"], json!("51-250"));
        assert_eq!(got["founded_year"], json!(2013));
        assert!(got["revenue"].is_f64());
        assert_eq!(got["funding_total"], json!(250));
        assert_eq!(got["valuation"], json!(-3));
        assert_eq!(got["match_likelihood"], json!(12.5));
        assert_eq!(got["technologies"], json!(["a", "3", "Stripe"]));
        assert_eq!(
            got["last_funding_date"],
            json!("2023-08-01T00:00:00.000+00:00")
        );
        assert_eq!(got["name"], json!("250"));
        assert_eq!(got["city"], json!("true"));
        assert!(!got.contains_key("region"));
        assert_eq!(logs.len(), 2, "{logs:?}");
        assert!(
            logs[0].contains("/obj holds an object, expected number"),
            "{logs:?}"
        );
    }

    #[test]
    fn plain_numbers() {
        assert_eq!(plain_number("42"), Some(Number::from(42u64)));
        assert_eq!(
            plain_number("18446744073709551616").map(|n| n.is_f64()),
            Some(true)
        );
        for t in ["1,200", "51-200", "$10M", "1.", ".5", "-", "1.2.3", "1e3"] {
            assert_eq!(plain_number(t), None, "{t}");
        }
    }
}
