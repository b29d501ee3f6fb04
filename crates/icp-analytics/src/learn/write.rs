//! Writing profile text: TOML strings, condition literals, field names and
//! numbers as people read them.

use icp_core::value::parse_scalar;

use crate::fmt::group;

/// A TOML basic string ("..."), escaped.
pub fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A `when` condition as a TOML string: a literal string ('...') when that
/// can hold it, so the condition's double quotes need no escaping.
pub fn toml_when(s: &str) -> String {
    if !s.contains('\'') && !s.chars().any(char::is_control) {
        format!("'{s}'")
    } else {
        toml_string(s)
    }
}

/// A text literal of the condition language: double quotes, where only the
/// quote and the backslash are escaped.
pub fn text_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Words the condition language reads as operators: a field so named
/// cannot be written in a condition, even in backticks.
pub fn is_reserved(field: &str) -> bool {
    matches!(field, "and" | "or" | "not" | "in" | "between")
}

/// A field as a condition names it: bare when it is a plain identifier,
/// else in backticks (`` `größe` ``, `` `30d_visits` ``).
pub fn field_ref(field: &str) -> String {
    let plain = field
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && field
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !matches!(field, "present" | "missing");
    if plain {
        field.to_owned()
    } else {
        format!("`{field}`")
    }
}

/// Drop floating-point noise (0.30000000000000004 -> 0.3).
pub fn clean(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    format!("{x:.12e}").parse().unwrap_or(x)
}

/// A number literal for a condition: `50`, `2.5`, `1M`, `250M`, `1.5B`
/// (a suffix only when it reads back exactly).
pub fn num_literal(x: f64) -> String {
    let x = clean(x);
    for (div, suffix) in [(1e9, "B"), (1e6, "M")] {
        let v = clean(x / div);
        if x.abs() >= div && (v * 100.0).fract() == 0.0 {
            let t = format!("{v}{suffix}");
            if parse_scalar(&t) == Some(x) {
                return t;
            }
        }
    }
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A number for people: `1,000`, `10,001`, `2.5`, `$1M`, `$250k`.
pub fn human(x: f64, money: bool) -> String {
    let x = clean(x);
    let sign = if x < 0.0 { "-" } else { "" };
    let dollar = if money { "$" } else { "" };
    let a = x.abs();
    for (div, suffix) in [(1e9, "B"), (1e6, "M"), (1e3, "k")] {
        let v = clean(a / div);
        if a >= div && (v * 10.0).fract() == 0.0 && (money || div >= 1e6) {
            return format!("{sign}{dollar}{v}{suffix}");
        }
    }
    if a.fract() == 0.0 && a < 1e15 {
        format!("{sign}{dollar}{}", group(a as u64))
    } else {
        format!("{sign}{dollar}{}", clean(a))
    }
}

/// A lift as people read it: `2.10`, `0.45`, `0.00`.
pub fn fmt_lift(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.2}")
    } else {
        "inf".into()
    }
}

/// A share as a percentage: `25.9%`.
pub fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_strings_escape() {
        assert_eq!(toml_string(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(toml_string("x\ny\u{1}"), "\"x\\ny\\u0001\"");
        assert_eq!(
            toml_when(r#"industry = "Software""#),
            r#"'industry = "Software"'"#
        );
        assert_eq!(toml_when(r#"name = "O'Brien""#), r#""name = \"O'Brien\"""#);
    }

    #[test]
    fn literals_and_fields() {
        assert_eq!(text_literal(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(field_ref("employees"), "employees");
        assert_eq!(field_ref("größe"), "`größe`");
        assert_eq!(field_ref("30d_visits"), "`30d_visits`");
        assert_eq!(field_ref("present"), "`present`");
        assert!(is_reserved("between"));
    }

    #[test]
    fn numbers() {
        assert_eq!(num_literal(200.0), "200");
        assert_eq!(num_literal(1_000_000.0), "1M");
        assert_eq!(num_literal(2_500_000.0), "2.5M");
        assert_eq!(num_literal(3_000_000_000.0), "3B");
        assert_eq!(num_literal(1_234_567.0), "1234567");
        assert_eq!(num_literal(0.1 + 0.2), "0.3");
        assert_eq!(num_literal(-5.0), "-5");
        assert_eq!(human(10_001.0, false), "10,001");
        assert_eq!(human(1_000.0, false), "1,000");
        assert_eq!(human(5_000_000.0, true), "$5M");
        assert_eq!(human(250_000.0, true), "$250k");
        assert_eq!(human(2.5, false), "2.5");
        assert_eq!(human(-1200.0, false), "-1,200");
        assert_eq!(group(0), "0");
        assert_eq!(group(1_234_567), "1,234,567");
        assert_eq!(pct(0.259), "25.9%");
        assert_eq!(fmt_lift(f64::INFINITY), "inf");
    }
}
