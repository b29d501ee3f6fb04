//! Typed field values and the parsers that turn the text of CRM exports and
//! provider payloads into them ("1,200", "1.2k", "$10M-$50M", "51-200",
//! "2024-03-01", "HubSpot; Stripe").

use chrono::{Datelike, NaiveDate};

/// One field's value, parsed once per row so conditions compare without
/// re-parsing.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Value {
    /// Absent, blank, `n/a`, `NaN`, ...: conditions over it are unknown.
    #[default]
    Missing,
    Num(f64),
    /// An inclusive range such as employees "51-200"; `hi` may be infinite
    /// ("10,001+").
    Range(f64, f64),
    /// Folded text (trimmed, lower case, single spaces): comparisons are
    /// case-insensitive.
    Text(Box<str>),
    /// Folded list items (see [`fold_key`]), e.g. technology ids.
    List(Vec<Box<str>>),
    /// Days since 0001-01-01 (chrono's `num_days_from_ce`).
    Date(i32),
}

/// The type a field is parsed as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Number,
    Text,
    List,
    Date,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Number => "number",
            Kind::Text => "text",
            Kind::List => "list",
            Kind::Date => "date",
        }
    }
}

impl Value {
    pub fn is_missing(&self) -> bool {
        matches!(self, Value::Missing)
    }
}

/// Placeholders that CRMs and spreadsheets write for "no value".
pub fn is_blank(s: &str) -> bool {
    let t = s.trim();
    if t.is_empty() {
        return true;
    }
    if t.len() > 9 {
        return false;
    }
    matches!(
        t.to_ascii_lowercase().as_str(),
        "n/a"
            | "na"
            | "null"
            | "none"
            | "nil"
            | "-"
            | "--"
            | "unknown"
            | "nan"
            | "#n/a"
            | "(blank)"
    )
}

/// Parse `raw` as a value of `kind`; anything unparseable is `Missing`
/// (unknown is not false).
pub fn parse_as(kind: Kind, raw: &str) -> Value {
    if is_blank(raw) {
        return Value::Missing;
    }
    match kind {
        Kind::Number => parse_number(raw).unwrap_or(Value::Missing),
        Kind::Text => Value::Text(fold_text(raw).into()),
        Kind::List => {
            let items = parse_list(raw);
            if items.is_empty() {
                Value::Missing
            } else {
                Value::List(items)
            }
        }
        Kind::Date => parse_date(raw).map_or(Value::Missing, Value::Date),
    }
}

/// Trim, lower-case and collapse inner whitespace.
pub fn fold_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Fold an identifier-like item so "Google Workspace", "google_workspace" and
/// "google-workspace" are the same key: lower case, alphanumerics only.
pub fn fold_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Split a list cell on `;`, `|` or `,` (and JSON-ish brackets and quotes).
pub fn parse_list(s: &str) -> Vec<Box<str>> {
    let mut items: Vec<Box<str>> = Vec::new();
    for part in s.split([';', '|', ',', '\n']) {
        let key = fold_key(part);
        if !key.is_empty() && !items.iter().any(|i| **i == *key) {
            items.push(key.into());
        }
    }
    items
}

/// Parse a number as CRMs and providers write it: "1200", "1,200",
/// "1.2k", "$1,200,000", "10M", "$10M-$50M", "51-200", "10,001+", "1.5 billion".
pub fn parse_number(s: &str) -> Option<Value> {
    let t = s.trim();
    if let Some(rest) = t.strip_suffix('+') {
        let lo = parse_scalar(rest)?;
        return Some(Value::Range(lo, f64::INFINITY));
    }
    if let Some(v) = parse_scalar(t) {
        return Some(Value::Num(v));
    }
    // A range "a-b", "a – b" or "a to b"; a leading '-' is a sign, not a separator.
    let (lo, hi) = split_range(t)?;
    let lo = parse_scalar(lo)?;
    let hi = parse_scalar(hi)?;
    (lo <= hi).then_some(Value::Range(lo, hi))
}

fn split_range(t: &str) -> Option<(&str, &str)> {
    for sep in [" to ", "–", "—", "-"] {
        if let Some(i) = t.get(1..).and_then(|r| r.find(sep)) {
            let i = i + 1;
            return Some((&t[..i], &t[i + sep.len()..]));
        }
    }
    None
}

/// One number with optional currency sign, thousands separators and a scale
/// suffix. `<10` and `>1000` are not numbers (they are ranges with one
/// open end; callers see them as unknown rather than guessing).
pub fn parse_scalar(s: &str) -> Option<f64> {
    let mut t = s.trim();
    t = t.trim_start_matches(['$', '€', '£']).trim();
    for code in ["USD", "usd"] {
        t = t.trim_end_matches(code).trim();
        t = t.trim_start_matches(code).trim();
    }
    let neg = t.starts_with('-');
    if neg {
        t = t[1..].trim_start_matches(['$', '€', '£']);
    }
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(t.len());
    let (digits, suffix) = t.split_at(split);
    if digits.is_empty() || !digits.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let scale = match suffix.trim().to_ascii_lowercase().as_str() {
        "" => 1.0,
        "k" | "thousand" => 1e3,
        "m" | "mm" | "mn" | "million" | "millions" => 1e6,
        "b" | "bn" | "billion" | "billions" => 1e9,
        "t" | "trillion" => 1e12,
        _ => return None,
    };
    let n = parse_digits(digits)?;
    let v = n * scale;
    if !v.is_finite() {
        return None;
    }
    Some(if neg { -v } else { v })
}

/// "1,200" -> 1200, "1,200.50" -> 1200.5, "1.5" -> 1.5. Commas must group
/// thousands; anything else is not a number.
fn parse_digits(d: &str) -> Option<f64> {
    if d.contains(',') {
        let (int, frac) = match d.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (d, None),
        };
        let groups: Vec<&str> = int.split(',').collect();
        let ok = !groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3);
        if !ok {
            return None;
        }
        let mut plain: String = groups.concat();
        if let Some(f) = frac {
            plain.push('.');
            plain.push_str(f);
        }
        plain.parse().ok()
    } else {
        d.parse().ok()
    }
}

/// Dates as exports write them: ISO `2024-03-01`, with a time
/// (`2024-03-01 10:32`, `2024-03-01T10:32:00Z`), `2024/03/01`, US
/// `03/01/2024`, or a bare year `2019` (January 1st).
pub fn parse_date(s: &str) -> Option<i32> {
    let t = s.trim();
    let date_part = t.split(['T', ' ']).next().unwrap_or(t);
    // `%Y` takes any number of digits, so "3/1/24" would be the year 24:
    // four-digit years only, and the two-digit forms Excel writes (`%y`:
    // 00-68 are 20xx, 69-99 are 19xx).
    let formats = [
        "%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%d.%m.%Y", "%Y%m%d", "%m/%d/%y", "%d.%m.%y",
    ];
    for f in formats {
        if let Ok(d) = NaiveDate::parse_from_str(date_part, f)
            && (1000..=9999).contains(&d.year())
        {
            return Some(d.num_days_from_ce());
        }
    }
    if date_part.len() == 4 {
        let y: i32 = date_part.parse().ok()?;
        if (1000..=9999).contains(&y) {
            return NaiveDate::from_ymd_opt(y, 1, 1).map(|d| d.num_days_from_ce());
        }
    }
    None
}

/// Inverse of the day count in [`Value::Date`], for output.
pub fn date_from_days(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_crms_write_them() {
        let n = |s: &str| parse_number(s);
        assert_eq!(n("1200"), Some(Value::Num(1200.0)));
        assert_eq!(n("1,200"), Some(Value::Num(1200.0)));
        assert_eq!(n("1.2k"), Some(Value::Num(1200.0)));
        assert_eq!(n("1.2K"), Some(Value::Num(1200.0)));
        assert_eq!(n("$1,200,000"), Some(Value::Num(1_200_000.0)));
        assert_eq!(n("$1,200,000.50"), Some(Value::Num(1_200_000.5)));
        assert_eq!(n("10M"), Some(Value::Num(10e6)));
        assert_eq!(n("1.5 billion"), Some(Value::Num(1.5e9)));
        assert_eq!(n("250 USD"), Some(Value::Num(250.0)));
        assert_eq!(n("-3"), Some(Value::Num(-3.0)));
        assert_eq!(n("51-200"), Some(Value::Range(51.0, 200.0)));
        assert_eq!(n("51 - 200"), Some(Value::Range(51.0, 200.0)));
        assert_eq!(n("$10M-$50M"), Some(Value::Range(10e6, 50e6)));
        assert_eq!(n("10,001+"), Some(Value::Range(10001.0, f64::INFINITY)));
        assert_eq!(n("1 to 10"), Some(Value::Range(1.0, 10.0)));
        assert_eq!(n("200-51"), None, "inverted range");
        assert_eq!(n("12,00"), None, "commas must group thousands");
        assert_eq!(n("abc"), None);
        assert_eq!(n("NaN"), None);
        assert_eq!(n("inf"), None);
        assert_eq!(n("1e400"), None);
        assert_eq!(n("12 apples"), None);
        assert_eq!(n("<10"), None);
    }

    #[test]
    fn blanks_are_missing() {
        for b in [
            "", "  ", "n/a", "N/A", "null", "-", "unknown", "NaN", "#N/A",
        ] {
            assert_eq!(parse_as(Kind::Number, b), Value::Missing, "{b:?}");
            assert_eq!(parse_as(Kind::Text, b), Value::Missing, "{b:?}");
        }
    }

    #[test]
    fn text_folds_case_and_space_including_unicode() {
        assert_eq!(fold_text("  Financial   Services "), "financial services");
        assert_eq!(fold_text("ZÜRICH"), "zürich");
        assert_eq!(fold_key("Google Workspace"), "googleworkspace");
        assert_eq!(fold_key("google_workspace"), "googleworkspace");
    }

    #[test]
    fn lists_split_and_dedupe() {
        assert_eq!(
            parse_as(Kind::List, "HubSpot; Stripe | stripe, Google-Workspace"),
            Value::List(vec![
                "hubspot".into(),
                "stripe".into(),
                "googleworkspace".into()
            ])
        );
        assert_eq!(parse_as(Kind::List, ";;"), Value::Missing);
    }

    #[test]
    fn dates_in_export_styles() {
        let d = |s| {
            parse_date(s)
                .and_then(date_from_days)
                .map(|d| d.to_string())
        };
        assert_eq!(d("2024-03-01").as_deref(), Some("2024-03-01"));
        assert_eq!(d("2024-03-01 10:32").as_deref(), Some("2024-03-01"));
        assert_eq!(d("2024-03-01T10:32:00Z").as_deref(), Some("2024-03-01"));
        assert_eq!(d("03/01/2024").as_deref(), Some("2024-03-01"));
        assert_eq!(d("2019").as_deref(), Some("2019-01-01"));
        assert_eq!(d("2024-02-30"), None);
        assert_eq!(d("yesterday"), None);
    }
}
