//! Typed field values and the parsers that turn the text of CRM exports and
//! provider payloads into them ("1,200", "1.2k", "$10M-$50M", "51-200",
//! "2024-03-01", "HubSpot; Stripe").

use chrono::{Datelike, NaiveDate};

/// Text in a [`Value`]: up to 24 bytes are kept inline (most CRM values:
/// industries, countries, titles, technology ids), so parsing a row and
/// comparing its values rarely allocates or follows a pointer.
pub type Str = compact_str::CompactString;

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
    Text(Str),
    /// Folded list items (see [`fold_key`]), e.g. technology ids.
    List(Vec<Str>),
    /// Days since 0001-01-01 (chrono's `num_days_from_ce`).
    Date(i32),
    /// A present text or list reduced to what a profile asks of it: bit `k`
    /// is the answer of the slot's `k`-th text or list test (see
    /// [`crate::RecordBuilder`]), so scoring tests a bit instead of
    /// comparing text. Meaningful only for the profile that built it.
    Answers(u64),
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

/// `s.trim()`, without decoding characters when both ends are visible
/// ASCII (bytes 0x21 to 0x7f are never whitespace).
#[inline]
fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(&f), Some(&l)) if (0x21..0x80).contains(&f) && (0x21..0x80).contains(&l) => s,
        (None, _) => s,
        _ => s.trim(),
    }
}

/// Placeholders that CRMs and spreadsheets write for "no value".
pub fn is_blank(s: &str) -> bool {
    const BLANKS: [&str; 11] = [
        "n/a", "na", "null", "none", "nil", "-", "--", "unknown", "nan", "#n/a", "(blank)",
    ];
    let t = trim(s);
    // Every placeholder starts with one of these bytes (any case): most
    // cells are ruled out without comparing.
    t.is_empty()
        || (t.len() <= 9
            && matches!(t.as_bytes()[0] | 0x20, b'n' | b'-' | b'u' | b'#' | b'(')
            && BLANKS.iter().any(|b| b.eq_ignore_ascii_case(t)))
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
    fold_text_into(s, &mut out);
    out
}

/// [`fold_text`] into `out` (cleared first), reusing its allocation.
pub fn fold_text_into(s: &str, out: &mut String) {
    out.clear();
    let t = trim(s);
    // Fast path, one pass: ASCII with single spaces only (most cells).
    let mut prev_space = false;
    let mut fast = true;
    for &b in t.as_bytes() {
        if !b.is_ascii() || (b.is_ascii_whitespace() && (b != b' ' || prev_space)) {
            fast = false;
            break;
        }
        prev_space = b == b' ';
    }
    if fast {
        out.push_str(t);
        out.make_ascii_lowercase();
        return;
    }
    for word in t.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            out.extend(c.to_lowercase());
        }
    }
}

/// Fold an identifier-like item so "Google Workspace", "google_workspace" and
/// "google-workspace" are the same key: lower case, alphanumerics only.
pub fn fold_key(s: &str) -> String {
    let mut out = String::new();
    fold_key_into(s, &mut out);
    out
}

/// [`fold_key`] into `out` (cleared first), reusing its allocation.
pub fn fold_key_into(s: &str, out: &mut String) {
    out.clear();
    if s.is_ascii() {
        for b in s.bytes().filter(u8::is_ascii_alphanumeric) {
            out.push(char::from(b.to_ascii_lowercase()));
        }
        return;
    }
    out.extend(
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase),
    );
}

/// Split a list cell on `;`, `|` or `,` (and JSON-ish brackets and quotes).
pub fn parse_list(s: &str) -> Vec<Str> {
    let mut items: Vec<Str> = Vec::new();
    parse_list_into(s, &mut items, &mut String::new());
    items
}

/// [`parse_list`] into `items` (cleared first); `key` is scratch space.
/// Items already in `items` at the same place are kept, not reallocated.
pub fn parse_list_into(s: &str, items: &mut Vec<Str>, key: &mut String) {
    let mut n = 0;
    // The separators are ASCII, so byte offsets are character boundaries.
    let parts = s
        .as_bytes()
        .split(|b| matches!(b, b';' | b'|' | b',' | b'\n'))
        .scan(0, |from, part| {
            let at = *from;
            *from += part.len() + 1;
            Some(&s[at..at + part.len()])
        });
    for part in parts {
        fold_key_into(part, key);
        if key.is_empty() || items[..n].iter().any(|i| **i == **key) {
            continue;
        }
        match items.get_mut(n) {
            Some(old) if **old == **key => {}
            Some(old) => *old = key.as_str().into(),
            None => items.push(key.as_str().into()),
        }
        n += 1;
    }
    items.truncate(n);
}

/// Parse a number as CRMs and providers write it: "1200", "1,200",
/// "1.2k", "$1,200,000", "10M", "$10M-$50M", "51-200", "10,001+", "1.5 billion".
pub fn parse_number(s: &str) -> Option<Value> {
    let t = trim(s);
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
    // Byte scans first: `str::find` with a string pattern builds a searcher.
    let rest = t.get(1..)?;
    if let Some(i) = rest.bytes().position(|b| b == b'-') {
        return Some((&t[..i + 1], &t[i + 2..]));
    }
    if !rest.is_ascii() {
        for sep in ["–", "—"] {
            if let Some(i) = rest.find(sep) {
                return Some((&t[..i + 1], &t[i + 1 + sep.len()..]));
            }
        }
    }
    if rest.bytes().any(|b| b == b' ') {
        let i = rest.find(" to ")?;
        return Some((&t[..i + 1], &t[i + 5..]));
    }
    None
}

/// `s` without leading currency signs.
fn strip_currency(mut t: &str) -> &str {
    while let Some(rest) = t
        .strip_prefix('$')
        .or_else(|| t.strip_prefix("US$"))
        .or_else(|| t.strip_prefix('€'))
        .or_else(|| t.strip_prefix('£'))
    {
        t = rest;
    }
    t
}

/// One number with optional currency sign, thousands separators and a scale
/// suffix. `<10` and `>1000` are not numbers (they are ranges with one
/// open end; callers see them as unknown rather than guessing).
pub fn parse_scalar(s: &str) -> Option<f64> {
    // Currencies near the dollar are read as dollars, not converted (a
    // Salesforce multi-currency export writes "EUR 2,000,000.00"); others
    // (yen, rupees, ...) are not numbers here: unknown, not wrong.
    const CODES: [&str; 7] = ["usd", "eur", "gbp", "chf", "cad", "aud", "nzd"];
    let is_code = |c: &str| CODES.iter().any(|k| k.eq_ignore_ascii_case(c));
    let mut t = trim(s);
    t = trim(strip_currency(t));
    if t.len() > 3 && t.is_char_boundary(3) && is_code(&t[..3]) {
        t = trim(strip_currency(&t[3..]));
    }
    if t.len() > 3 && t.is_char_boundary(t.len() - 3) && is_code(&t[t.len() - 3..]) {
        t = trim(&t[..t.len() - 3]);
    }
    let neg = t.starts_with('-');
    if neg {
        t = strip_currency(&t[1..]);
    }
    // Bytes: a non-ASCII character is not a digit, and its first byte
    // is where `find` over characters would stop too.
    let split = t
        .bytes()
        .position(|b| !(b.is_ascii_digit() || b == b'.' || b == b','))
        .unwrap_or(t.len());
    let (digits, suffix) = t.split_at(split);
    if digits.is_empty() || !digits.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let suffix = trim(suffix);
    let scale = if suffix.is_empty() {
        1.0
    } else {
        const SCALES: [(&str, f64); 12] = [
            ("k", 1e3),
            ("thousand", 1e3),
            ("m", 1e6),
            ("mm", 1e6),
            ("mn", 1e6),
            ("million", 1e6),
            ("millions", 1e6),
            ("b", 1e9),
            ("bn", 1e9),
            ("billion", 1e9),
            ("billions", 1e9),
            ("t", 1e12),
        ];
        match SCALES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(suffix))
        {
            Some((_, scale)) => *scale,
            None if suffix.eq_ignore_ascii_case("trillion") => 1e12,
            None => return None,
        }
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
    if let Some(v) = european_digits(d) {
        return Some(v);
    }
    // Fast path: an integer of up to 15 digits (exact in an f64, as
    // `parse` gives it), with commas grouping thousands or without.
    if !d.contains('.') {
        let (mut v, mut n, mut run) = (0u64, 0usize, 0usize);
        let mut grouped = false;
        for &c in d.as_bytes() {
            if c == b',' {
                if (!grouped && !(1..=3).contains(&run)) || (grouped && run != 3) {
                    return None;
                }
                grouped = true;
                run = 0;
            } else {
                v = v.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
                n += 1;
                run += 1;
            }
        }
        if grouped && run != 3 {
            return None;
        }
        if n <= 15 {
            return Some(v as f64);
        }
    }
    if !d.contains(',') {
        return d.parse().ok();
    }
    let (int, frac) = match d.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (d, None),
    };
    let mut groups = int.split(',');
    let first = groups.next().unwrap_or_default();
    if first.is_empty() || first.len() > 3 || !groups.clone().all(|g| g.len() == 3) {
        return None;
    }
    // The digits without commas, on the stack when short (always, in
    // practice).
    let mut buf = [0u8; 64];
    let len = int.len() + frac.map_or(0, |f| f.len() + 1);
    if len > buf.len() {
        let mut plain: String = int.split(',').collect();
        if let Some(f) = frac {
            plain.push('.');
            plain.push_str(f);
        }
        return plain.parse().ok();
    }
    let mut n = 0;
    for part in int.split(',').chain(frac.iter().flat_map(|f| [".", f])) {
        buf[n..n + part.len()].copy_from_slice(part.as_bytes());
        n += part.len();
    }
    std::str::from_utf8(&buf[..n]).ok()?.parse().ok()
}

/// A number written the European way, when no other reading fits: dots
/// grouping thousands with a decimal comma ("1.200.000,50", "1.200,5"), or
/// several dot groups ("1.200.000"). "1.200" alone stays 1.2 and "12,50"
/// stays unknown: either could be the other convention.
fn european_digits(d: &str) -> Option<f64> {
    // Most numbers have no dot: nothing to look at.
    if !d.as_bytes().contains(&b'.') {
        return None;
    }
    let digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    let (int, frac) = match d.rsplit_once(',') {
        Some((i, f)) if !i.contains(',') && digits(f) => (i, Some(f)),
        Some(_) => return None,
        None => (d, None),
    };
    let mut groups = int.split('.');
    let first = groups.next()?;
    if first.len() > 3 || !digits(first) {
        return None;
    }
    let mut rest = 0;
    for g in groups {
        if g.len() != 3 || !digits(g) {
            return None;
        }
        rest += 1;
    }
    if rest == 0 || (frac.is_none() && rest < 2) {
        return None;
    }
    let mut plain: String = int.split('.').collect();
    if let Some(f) = frac {
        plain.push('.');
        plain.push_str(f);
    }
    plain.parse().ok()
}

/// Dates as exports write them: ISO `2024-03-01`, with a time
/// (`2024-03-01 10:32`, `2024-03-01T10:32:00Z`), `2024/03/01`, US
/// `03/01/2024`, or a bare year `2019` (January 1st).
pub fn parse_date(s: &str) -> Option<i32> {
    let t = trim(s);
    let date_part = t.split(['T', ' ']).next().unwrap_or(t);
    // Fast path for ISO dates, the common case.
    let b = date_part.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let num = |r: std::ops::Range<usize>| date_part.get(r)?.parse::<u32>().ok();
        if let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) {
            return NaiveDate::from_ymd_opt(y as i32, m, d)
                .filter(|_| y >= 1000)
                .map(|d| d.num_days_from_ce());
        }
    }
    // US style `03/01/2024`, the next most common: no other format can
    // read these ten bytes.
    if b.len() == 10 && b[2] == b'/' && b[5] == b'/' {
        let num = |r: std::ops::Range<usize>| date_part.get(r)?.parse::<u32>().ok();
        if let (Some(m), Some(d), Some(y)) = (num(0..2), num(3..5), num(6..10))
            && y >= 1000
        {
            return NaiveDate::from_ymd_opt(y as i32, m, d).map(|d| d.num_days_from_ce());
        }
    }
    // An Excel serial day number (1900 date system), as a spreadsheet
    // cell without a date format holds a date: five digits, with an
    // optional time fraction. No other date style is five digits.
    if let Some(days) = excel_serial(date_part) {
        return Some(days);
    }
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
    // Month names, as spreadsheets and some CRMs format dates: "Mar 1,
    // 2024", "1 March 2024", "01-Mar-2024".
    if t.bytes().any(|b| b.is_ascii_alphabetic()) {
        let formats = [
            "%b %d, %Y",
            "%B %d, %Y",
            "%b %d %Y",
            "%d %b %Y",
            "%d %B %Y",
            "%d-%b-%Y",
            "%d-%b-%y",
        ];
        for f in formats {
            if let Ok(d) = NaiveDate::parse_from_str(t, f)
                && (1000..=9999).contains(&d.year())
            {
                return Some(d.num_days_from_ce());
            }
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

/// Days since 0001-01-01 of a five-digit Excel serial date such as
/// `45352` or `45352.75` (2024-03-01).
fn excel_serial(s: &str) -> Option<i32> {
    let whole = s.split_once('.').map_or(s, |(w, f)| {
        if f.bytes().all(|b| b.is_ascii_digit()) {
            w
        } else {
            ""
        }
    });
    if whole.len() != 5 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let serial: i32 = whole.parse().ok()?;
    // Day 0 is 1899-12-30 for every serial past Excel's phantom
    // 1900-02-29 (all five-digit ones).
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?.num_days_from_ce();
    Some(epoch + serial)
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
        // European: dots group thousands, the comma is the decimal point.
        assert_eq!(n("1.200.000,50"), Some(Value::Num(1_200_000.5)));
        assert_eq!(n("€1.200.000,00"), Some(Value::Num(1_200_000.0)));
        assert_eq!(n("1.200,5"), Some(Value::Num(1200.5)));
        assert_eq!(n("1.200.000"), Some(Value::Num(1_200_000.0)));
        assert_eq!(
            n("1.200"),
            Some(Value::Num(1.2)),
            "one dot group stays a decimal point"
        );
        assert_eq!(n("1.20,5"), None);
        assert_eq!(
            n("1,200.50"),
            Some(Value::Num(1200.5)),
            "US style unchanged"
        );
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
        // Excel serial day numbers, as an unformatted spreadsheet cell holds a date.
        assert_eq!(d("45352").as_deref(), Some("2024-03-01"));
        assert_eq!(d("45352.75").as_deref(), Some("2024-03-01"));
        assert_eq!(d("10000").as_deref(), Some("1927-05-18"));
        assert_eq!(
            d("4535").as_deref(),
            Some("4535-01-01"),
            "four digits are a year"
        );
        assert_eq!(d("453520"), None);
        // Month names.
        for s in [
            "Mar 1, 2024",
            "March 1, 2024",
            "1 Mar 2024",
            "1 March 2024",
            "01-Mar-2024",
            "01-mar-24",
            "Mar 01 2024",
        ] {
            assert_eq!(d(s).as_deref(), Some("2024-03-01"), "{s}");
        }
        assert_eq!(d("2024-02-30"), None);
        assert_eq!(d("yesterday"), None);
    }
}
