//! Cell text to the JSON values the source delivers.

use icp_core::Kind;
use icp_plugin_sdk::FieldValue;
use serde_json::{Number, Value};

/// True for a cell that carries nothing: empty, whitespace, a placeholder
/// such as `n/a` or `-`, or (for lists) only separators.
pub(crate) fn is_blank(kind: Kind, raw: &str) -> bool {
    icp_core::value::is_blank(raw) || (kind == Kind::List && list_items(raw).next().is_none())
}

/// The JSON value of a non-blank, trimmed cell: plain numbers become JSON
/// numbers for number fields (anything else, such as `51-200` or `$1.2M`,
/// stays text for the scoring core to parse), list fields split on `;` and
/// `,`, everything else is text.
pub(crate) fn to_json(kind: Kind, raw: &str) -> FieldValue {
    match kind {
        Kind::Number => plain_number(raw).unwrap_or_else(|| Value::String(raw.to_string())),
        Kind::List => Value::Array(list_items(raw).map(|s| Value::String(s.into())).collect()),
        Kind::Text | Kind::Date => Value::String(raw.to_string()),
    }
}

fn list_items(raw: &str) -> impl Iterator<Item = &str> {
    raw.split([';', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// `-?digits(.digits)?` as a JSON number: integers stay integers, decimals
/// become floats; anything else (signs, exponents, separators, units,
/// integers too large for 64 bits) is `None`.
fn plain_number(s: &str) -> Option<Value> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || !frac.is_none_or(all_digits) {
        return None;
    }
    if frac.is_none() {
        if let Ok(i) = s.parse::<i64>() {
            return Some(Value::Number(i.into()));
        }
        if let Ok(u) = s.parse::<u64>() {
            return Some(Value::Number(u.into()));
        }
        return None;
    }
    let f: f64 = s.parse().ok()?;
    Number::from_f64(f).map(Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers() {
        let n = |s: &str| to_json(Kind::Number, s);
        assert_eq!(n("250"), json!(250));
        assert_eq!(n("-3"), json!(-3));
        assert_eq!(n("1200000.5"), json!(1200000.5));
        assert_eq!(n("18446744073709551615"), json!(18446744073709551615u64));
        for text in [
            "51-200",
            "$1.2M",
            "1,200",
            "1e6",
            "+5",
            ".5",
            "5.",
            "10000+",
            "1 200",
            "99999999999999999999999",
            "inf",
            "NaN",
        ] {
            assert_eq!(n(text), json!(text), "{text}");
        }
    }

    #[test]
    fn lists_and_text() {
        assert_eq!(
            to_json(Kind::List, " AWS ;Google Cloud, Stripe ,,"),
            json!(["AWS", "Google Cloud", "Stripe"])
        );
        assert_eq!(to_json(Kind::Text, "2015"), json!("2015"));
        assert_eq!(to_json(Kind::Date, "2024-03-01"), json!("2024-03-01"));
        assert!(is_blank(Kind::List, " ; , "));
        assert!(is_blank(Kind::Text, "  "));
        assert!(is_blank(Kind::Number, "N/A"));
        assert!(!is_blank(Kind::Text, "Acme"));
    }
}
