//! Cell text to member values: dates as community platforms write them,
//! counts, e-mail addresses and handles.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// A date as exports write it, to a calendar date:
/// - ISO dates and datetimes: `2026-11-18`, `2026-11-18T14:03:00Z`,
///   `2026-11-18T14:03:00.123+02:00` (an offset is applied: the UTC date),
///   `2026-11-18 14:03:00`, `2026-11-18 14:03:00 UTC`, `2026/11/18`;
/// - unix time in seconds (`1795010580`, fractions allowed) or
///   milliseconds (`1795010580000`);
/// - US `11/18/2026`, European `18.11.2026` (and `18/11/2026` when the
///   first number cannot be a month);
/// - RFC 2822 (`Wed, 18 Nov 2026 14:03:00 +0000`), `Nov 18, 2026`,
///   `18 Nov 2026`, compact `20261118`, a bare year `2026` (January 1st).
///
/// Years outside 1900..=9999 (unix time: before 1970) are refused.
pub(crate) fn date(raw: &str) -> Option<NaiveDate> {
    let t = raw.trim();
    if t.is_empty() {
        return None;
    }
    let d = unix(t)
        .or_else(|| {
            DateTime::parse_from_rfc3339(t)
                .ok()
                .map(|d| d.naive_utc().date())
        })
        .or_else(|| {
            DateTime::parse_from_rfc2822(t)
                .ok()
                .map(|d| d.naive_utc().date())
        })
        .or_else(|| with_offset(t))
        .or_else(|| naive_datetime(t))
        .or_else(|| plain_date(t))?;
    use chrono::Datelike;
    (1900..=9999).contains(&d.year()).then_some(d)
}

/// Unix seconds (9 to 11 digits, an optional fraction) or milliseconds
/// (12 to 14 digits).
fn unix(t: &str) -> Option<NaiveDate> {
    let (int, frac) = match t.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !frac.is_none_or(digits) {
        return None;
    }
    let n: i64 = int.parse().ok()?;
    let secs = match int.len() {
        9..=11 => n,
        12..=14 if frac.is_none() => n / 1000,
        _ => return None,
    };
    DateTime::from_timestamp(secs, 0).map(|d| d.date_naive())
}

/// `2026-11-18 14:03:00 +0200`, `2026-11-18 14:03:00+02:00`,
/// `2026-11-18T14:03:00+0200`.
fn with_offset(t: &str) -> Option<NaiveDate> {
    const FORMATS: [&str; 4] = [
        "%Y-%m-%d %H:%M:%S%.f %z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M%z",
    ];
    FORMATS.iter().find_map(|f| {
        DateTime::parse_from_str(t, f)
            .ok()
            .map(|d| d.naive_utc().date())
    })
}

/// A datetime without an offset (or in UTC): the date part as written.
fn naive_datetime(t: &str) -> Option<NaiveDate> {
    let t = t
        .strip_suffix(" UTC")
        .or_else(|| t.strip_suffix(" GMT"))
        .or_else(|| t.strip_suffix('Z'))
        .unwrap_or(t)
        .trim_end();
    const FORMATS: [&str; 8] = [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%m/%d/%Y %H:%M:%S",
        "%m/%d/%Y %H:%M",
        "%d.%m.%Y %H:%M",
    ];
    FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok().map(|d| d.date()))
        .or_else(|| {
            // `11/18/2026 2:03 PM` and other US times: the date is the first word.
            let (first, rest) = t.split_once(' ')?;
            let rest = rest.trim();
            let looks_like_time = rest.split_whitespace().next().is_some_and(|w| {
                w.contains(':') && w.bytes().all(|b| b.is_ascii_digit() || b == b':')
            });
            if looks_like_time {
                plain_date(first)
            } else {
                None
            }
        })
}

/// A date without a time.
fn plain_date(t: &str) -> Option<NaiveDate> {
    // Four-digit years only: `%Y` takes any number of digits.
    const FORMATS: [&str; 9] = [
        "%Y-%m-%d",
        "%Y/%m/%d",
        "%m/%d/%Y",
        "%d.%m.%Y",
        "%b %d, %Y",
        "%B %d, %Y",
        "%d %b %Y",
        "%d %B %Y",
        "%d/%m/%Y",
    ];
    let four_digit_year = |d: &NaiveDate| {
        use chrono::Datelike;
        (1000..=9999).contains(&d.year())
    };
    if let Some(d) = FORMATS
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(t, f).ok().filter(four_digit_year))
    {
        return Some(d);
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        let n = |r: std::ops::Range<usize>| t[r].parse::<u32>().ok();
        return match t.len() {
            4 => NaiveDate::from_ymd_opt(t.parse().ok()?, 1, 1),
            // Compact `20261118` (`%Y` would take all eight digits).
            8 => NaiveDate::from_ymd_opt(n(0..4)? as i32, n(4..6)?, n(6..8)?),
            _ => None,
        };
    }
    None
}

/// A count: `12`, `1,200`, `1.2k`, `12.0`; negative or non-finite values
/// and ranges are refused.
pub(crate) fn count(raw: &str) -> Option<f64> {
    match icp_core::value::parse_number(raw.trim())? {
        icp_core::Value::Num(n) if n.is_finite() && n >= 0.0 => Some(n),
        _ => None,
    }
}

/// The normalised e-mail address in `raw` (lower case), from `a@b.com`,
/// `Jane Doe <a@b.com>` or `mailto:a@b.com`; `None` if it is no address.
pub(crate) fn email(raw: &str) -> Option<String> {
    let mut s = raw.trim();
    if let (Some(open), Some(close)) = (s.rfind('<'), s.rfind('>'))
        && open < close
    {
        s = s[open + 1..close].trim();
    }
    if s.len() > 7 && s[..7].eq_ignore_ascii_case("mailto:") {
        s = s[7..].trim();
    }
    let s = s.trim_matches(|c: char| matches!(c, '"' | '\'' | '`'));
    if s.is_empty() || s.len() > 254 {
        return None;
    }
    let (local, domain) = s.rsplit_once('@')?;
    let ok_char = |c: char| !c.is_whitespace() && !c.is_control() && c != '\u{fffd}';
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.contains('@')
        && local
            .chars()
            .all(|c| ok_char(c) && !matches!(c, '<' | '>' | ',' | ';'));
    (domain_ok && local_ok).then(|| s.to_lowercase())
}

/// A handle as written, without a leading `@`; `None` for text that is no
/// handle (control characters, undecodable bytes, over 100 characters).
pub(crate) fn handle(raw: &str) -> Option<String> {
    let h = raw.trim().trim_start_matches('@').trim();
    let ok = !h.is_empty()
        && h.chars().count() <= 100
        && !h.chars().any(|c| c.is_control() || c == '\u{fffd}');
    ok.then(|| h.to_string())
}

/// The lookup form of a handle: lower case, without a leading `@`.
pub(crate) fn handle_key(h: &str) -> String {
    h.trim().trim_start_matches('@').trim().to_lowercase()
}

/// Short text of a cell for messages: control characters escaped, at most
/// 40 characters.
pub(crate) fn show(raw: &str) -> String {
    let t = raw.trim();
    let mut out = String::new();
    for (k, c) in t.chars().enumerate() {
        if k == 37 && t.chars().count() > 40 {
            out.push_str("...");
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<String> {
        date(s).map(|d| d.to_string())
    }

    #[test]
    fn dates_as_exports_write_them() {
        for (raw, want) in [
            ("2026-11-18", "2026-11-18"),
            ("2026-11-18T14:03:00Z", "2026-11-18"),
            ("2026-11-18T14:03:00.123Z", "2026-11-18"),
            ("2026-11-18T23:30:00-05:00", "2026-11-19"),
            ("2026-11-18T01:30:00+02:00", "2026-11-17"),
            ("2026-11-18 14:03:00", "2026-11-18"),
            ("2026-11-18 14:03", "2026-11-18"),
            ("2026-11-18 14:03:00 UTC", "2026-11-18"),
            ("2026-11-18 23:03:00 -0500", "2026-11-19"),
            ("2026-11-18T14:03:00", "2026-11-18"),
            ("2026/11/18", "2026-11-18"),
            ("11/18/2026", "2026-11-18"),
            ("11/18/2026 2:03 PM", "2026-11-18"),
            ("11/18/2026 14:03", "2026-11-18"),
            ("18.11.2026", "2026-11-18"),
            ("18.11.2026 14:03", "2026-11-18"),
            ("18/11/2026", "2026-11-18"),
            ("03/04/2026", "2026-03-04"),
            ("Nov 18, 2026", "2026-11-18"),
            ("18 November 2026", "2026-11-18"),
            ("Wed, 18 Nov 2026 14:03:00 +0000", "2026-11-18"),
            ("1795010580", "2026-11-18"),
            ("1795010580.5", "2026-11-18"),
            ("1795010580000", "2026-11-18"),
            (" 2026-11-18 ", "2026-11-18"),
            ("2026", "2026-01-01"),
            ("20261118", "2026-11-18"),
        ] {
            assert_eq!(d(raw).as_deref(), Some(want), "{raw}");
        }
        for raw in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-02-30",
            "13/13/2026",
            "18.11.26x",
            "45943",
            "20261318",
            "12345678901234567",
            "-1795010580",
            "0000-01-01",
            "1850-01-01",
            "2026-11-18T25:00:00Z",
            "\u{fffd}\u{fffd}",
        ] {
            assert_eq!(d(raw), None, "{raw}");
        }
    }

    #[test]
    fn counts() {
        assert_eq!(count("12"), Some(12.0));
        assert_eq!(count(" 1,200 "), Some(1200.0));
        assert_eq!(count("1.2k"), Some(1200.0));
        assert_eq!(count("0"), Some(0.0));
        for bad in ["-3", "many", "5-10", "NaN", ""] {
            assert_eq!(count(bad), None, "{bad}");
        }
    }

    #[test]
    fn emails_and_handles() {
        assert_eq!(
            email("Ada@Northwind.COM").as_deref(),
            Some("ada@northwind.com")
        );
        assert_eq!(
            email("Ada Lovelace <ada@northwind.com>").as_deref(),
            Some("ada@northwind.com")
        );
        assert_eq!(email("mailto:ada@x.io").as_deref(), Some("ada@x.io"));
        for bad in [
            "ada",
            "ada@",
            "@ada",
            "ada@localhost",
            "a b@x.io",
            "ada@x..io",
            "a\u{1}@x.io",
            "\u{fffd}@x.io",
            "a@b@x.io",
        ] {
            assert_eq!(email(bad), None, "{bad:?}");
        }
        assert_eq!(handle(" @Ada_Dev ").as_deref(), Some("Ada_Dev"));
        assert_eq!(handle("Ada Lovelace").as_deref(), Some("Ada Lovelace"));
        assert_eq!(handle("@"), None);
        assert_eq!(handle("a\u{0}b"), None);
        assert_eq!(handle(&"x".repeat(101)), None);
        assert_eq!(handle_key("@Ada_Dev"), "ada_dev");
        assert_eq!(show(" a\u{0}b "), "a\\u{0}b");
        assert_eq!(show(&"y".repeat(41)), format!("{}...", "y".repeat(37)));
        assert_eq!(show(&"y".repeat(40)), "y".repeat(40));
    }
}
