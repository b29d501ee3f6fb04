//! Timestamps as exports write them, to a UTC calendar date.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};

/// Date formats tried, each followed by an optional time and offset. `%Y`
/// takes any number of digits, so four-digit years are checked afterwards;
/// the two-digit-year forms come last.
const DATE_FORMATS: &[&str] = &[
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%d-%b-%Y",
    "%a, %d %b %Y",
    "%a %b %d %Y",
    "%m/%d/%y",
    "%d.%m.%y",
];

/// The UTC date of a timestamp, or `None` if it is not one.
///
/// Read: ISO 8601 dates and date-times with or without an offset or `Z`
/// (`2026-11-18`, `2026-11-18T14:03:00.123+01:00`, `2026-11-18 14:03:00`),
/// US `11/18/2026` (and `18/11/2026` when the day cannot be a month),
/// German `18.11.2026`, month names (`Nov 18, 2026`, `18 Nov 2026`,
/// `Wed, 18 Nov 2026 14:03:00 +0000`), any of them followed by a time
/// (`2:03 PM`) and an offset (`Z`, `UTC`, `+01:00`, `-0500`); unix seconds
/// (9 to 11 digits) and milliseconds (12 to 14 digits); a compact
/// `20261118`; and spreadsheet serial days (5 digits, 1954 to 2173).
///
/// A time with an offset is converted to UTC first (`2026-11-18T23:30:00-05:00`
/// is 2026-11-19); a time without one is taken as UTC. Years outside
/// 1000..=9999 are refused.
pub fn parse_timestamp(raw: &str) -> Option<NaiveDate> {
    let t = raw.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    if t.is_empty() {
        return None;
    }
    let date = if t.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && t.bytes().filter(|&b| b == b'.').count() <= 1
        && !t.ends_with('.')
    {
        match numeric(t) {
            Some(d) => Some(d),
            // `18.11.2026` has two dots; `1.5` and friends are no dates.
            None => return None,
        }
    } else {
        None
    };
    let date = date.or_else(|| {
        DATE_FORMATS.iter().find_map(|f| {
            let (d, rest) = NaiveDate::parse_and_remainder(t, f).ok()?;
            let two_digit = f.ends_with("%y");
            // `%Y` would read `26` as the year 26.
            if !two_digit && !has_four_digit_year(t, rest) {
                return None;
            }
            let (time, offset) = time_and_offset(rest)?;
            let utc = NaiveDateTime::new(d, time) - Duration::seconds(i64::from(offset));
            Some(utc.date())
        })
    })?;
    (1000..=9999).contains(&date.year()).then_some(date)
}

/// True when the date text (before `rest`) ends in, or starts with, a run
/// of exactly four digits: the year.
fn has_four_digit_year(t: &str, rest: &str) -> bool {
    let date_text = &t[..t.len() - rest.len()];
    let runs: Vec<usize> = date_text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|r| !r.is_empty())
        .map(str::len)
        .collect();
    runs.first() == Some(&4) || runs.last() == Some(&4)
}

/// A digits-only timestamp (an optional fraction after one dot).
fn numeric(t: &str) -> Option<NaiveDate> {
    let (int, _frac) = t.split_once('.').unwrap_or((t, ""));
    let n: u64 = int.parse().ok()?;
    match int.len() {
        5 => {
            // Spreadsheet serial days (1900 date system): 20000 = 1954-10-03.
            (20_000..=99_999).contains(&n).then_some(())?;
            NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_signed(Duration::days(n as i64))
        }
        8 if !t.contains('.') => {
            // `20261118`.
            let y = (n / 10_000) as i32;
            let m = (n / 100 % 100) as u32;
            let d = (n % 100) as u32;
            NaiveDate::from_ymd_opt(y, m, d).filter(|_| (1900..=2999).contains(&y))
        }
        9..=11 => DateTime::from_timestamp(n as i64, 0).map(|dt| dt.date_naive()),
        12..=14 => DateTime::from_timestamp_millis(n as i64).map(|dt| dt.date_naive()),
        _ => None,
    }
}

/// An optional time of day (with an optional AM/PM) and UTC offset after
/// the date: `T14:03:00.123Z`, ` 2:03 PM`, `, 14:03 +0100`, ` 14:03:00 UTC`.
/// Returns the time (midnight when none) and the offset in seconds east of
/// UTC (0 when none); `None` when anything else follows.
fn time_and_offset(rest: &str) -> Option<(NaiveTime, i32)> {
    let mut r = rest.trim_start_matches([' ', ',']);
    if let Some(x) = r.strip_prefix(['T', 't']) {
        r = x;
    } else if let Some(x) = r.strip_prefix("at ") {
        r = x.trim_start();
    }
    if r.is_empty() {
        return Some((NaiveTime::MIN, 0));
    }
    let (mut h, r1) = digits(r, 1, 2)?;
    let r1 = r1.strip_prefix(':')?;
    let (m, mut r) = digits(r1, 2, 2)?;
    let mut s = 0;
    if let Some(x) = r.strip_prefix(':') {
        let (sec, x) = digits(x, 2, 2)?;
        s = sec.min(59);
        r = x;
        if let Some(x) = r.strip_prefix(['.', ',']) {
            let n = x.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return None;
            }
            r = &x[n..];
        }
    }
    let t = r.trim_start();
    let lower = t.get(..2).map(str::to_ascii_lowercase);
    match lower.as_deref() {
        Some("am") | Some("pm") if (1..=12).contains(&h) => {
            let pm = lower.as_deref() == Some("pm");
            h = match (h, pm) {
                (12, false) => 0,
                (12, true) => 12,
                (h, true) => h + 12,
                (h, false) => h,
            };
            r = &t[2..];
        }
        _ => {}
    }
    let time = NaiveTime::from_hms_opt(h, m, s)?;
    let offset = offset(r.trim())?;
    Some((time, offset))
}

/// A UTC offset in seconds: empty, `Z`, `UTC`, `GMT`, `+01:00`, `+0100`,
/// `-05`, `UTC+01:00`.
fn offset(s: &str) -> Option<i32> {
    let mut s = s;
    for zone in ["UTC", "GMT", "utc", "gmt", "Z", "z"] {
        if let Some(x) = s.strip_prefix(zone) {
            s = x.trim_start();
            break;
        }
    }
    if s.is_empty() {
        return Some(0);
    }
    let sign = match s.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, r) = digits(&s[1..], 2, 2)?;
    let r = r.strip_prefix(':').unwrap_or(r);
    let (m, r) = if r.is_empty() {
        (0, r)
    } else {
        digits(r, 2, 2)?
    };
    if !r.is_empty() || h > 23 || m > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60) as i32)
}

/// `min..=max` leading ASCII digits as a number, and the rest.
fn digits(s: &str, min: usize, max: usize) -> Option<(u32, &str)> {
    let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if n < min {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<String> {
        parse_timestamp(s).map(|d| d.to_string())
    }

    #[test]
    fn styles() {
        for (raw, want) in [
            ("2026-11-18", "2026-11-18"),
            ("2026-11-18T14:03:00", "2026-11-18"),
            ("2026-11-18T14:03:00Z", "2026-11-18"),
            ("2026-11-18T14:03:00.123456Z", "2026-11-18"),
            ("2026-11-18T23:30:00-05:00", "2026-11-19"),
            ("2026-11-18T00:30:00+01:00", "2026-11-17"),
            ("2026-11-18T00:30:00+0100", "2026-11-17"),
            ("2026-11-18 14:03:00", "2026-11-18"),
            ("2026-11-18 14:03", "2026-11-18"),
            ("2026-11-18 23:03:00 -0300", "2026-11-19"),
            ("2026-11-18 14:03:00 UTC", "2026-11-18"),
            ("2026/11/18", "2026-11-18"),
            ("11/18/2026", "2026-11-18"),
            ("11/18/2026 2:03 PM", "2026-11-18"),
            ("11/18/2026 11:30 pm", "2026-11-18"),
            ("18/11/2026", "2026-11-18"),
            ("05/11/2026", "2026-05-11"),
            ("18.11.2026", "2026-11-18"),
            ("18.11.2026 14:03", "2026-11-18"),
            ("Nov 18, 2026", "2026-11-18"),
            ("November 18, 2026", "2026-11-18"),
            ("18 Nov 2026", "2026-11-18"),
            ("18 November 2026", "2026-11-18"),
            ("Nov 18, 2026, 2:03:00 PM", "2026-11-18"),
            ("18-Nov-2026", "2026-11-18"),
            ("Wed, 18 Nov 2026 14:03:00 +0000", "2026-11-18"),
            ("11/18/26", "2026-11-18"),
            ("1763474580", "2025-11-18"),
            ("1763474580.25", "2025-11-18"),
            ("1763474580000", "2025-11-18"),
            ("20261118", "2026-11-18"),
            ("46344", "2026-11-18"),
            ("\"2026-11-18\"", "2026-11-18"),
        ] {
            assert_eq!(d(raw).as_deref(), Some(want), "{raw}");
        }
    }

    #[test]
    fn refusals() {
        for raw in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-02-30",
            "2026-11-18T25:00:00",
            "2026-11-18T14:03:00+25:00",
            "2026-11-18 and more",
            "13/13/2026",
            "2026",
            "1.5",
            "123",
            "12345678901234567",
            "0000-01-01",
            "11/18/20261",
            "2026-11-18T14",
            "-1763474580",
        ] {
            assert_eq!(d(raw), None, "{raw}");
        }
    }
}
