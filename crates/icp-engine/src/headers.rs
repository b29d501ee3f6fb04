//! What providers say about their budget in response headers.
//!
//! Formats differ (PROVIDERS.md): the `X-RateLimit-*` trio with a reset as
//! epoch seconds or as seconds to go, IETF `RateLimit-*`, People Data Labs'
//! quoted dict (`{'minute': 97, 'day': 990}`), Apollo's
//! `x-minute-requests-left` and its hourly and daily twins, HubSpot's
//! `X-HubSpot-RateLimit-Remaining` with `-Interval-Milliseconds`. One rule
//! covers them: a "remaining" count at zero holds the source until its
//! window resets; a nearly spent one spreads the last calls over the time
//! left.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long to hold all requests of the source, if the headers say the
/// budget is spent or nearly so.
pub fn budget_wait(headers: &[(String, String)], now: SystemTime) -> Option<Duration> {
    let now_s = now
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64();
    let mut wait: Option<Duration> = None;
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        if !(name.contains("remaining") || name.contains("requests-left")) {
            continue;
        }
        for (hint, remaining) in remaining_counts(&name, value) {
            if remaining > 2 {
                continue;
            }
            let until_reset = reset_for(headers, &name, now_s)
                .or_else(|| window_end(&hint, now_s))
                .unwrap_or(Duration::from_secs(1));
            let w = if remaining <= 0 {
                until_reset
            } else {
                until_reset / (remaining as u32 + 1)
            };
            wait = Some(wait.map_or(w, |x| x.max(w)));
        }
    }
    wait
}

/// (window hint, remaining) pairs from one header: a plain count, or a
/// dict of counts per window.
fn remaining_counts(name: &str, value: &str) -> Vec<(String, i64)> {
    let v = value.trim();
    if let Ok(n) = v.parse::<i64>() {
        return vec![(name.to_string(), n)];
    }
    if let Ok(n) = v.parse::<f64>() {
        return vec![(name.to_string(), n.floor() as i64)];
    }
    // `{'minute': 97, 'day': 990}` or the same in JSON.
    let inner = v.trim_start_matches('{').trim_end_matches('}');
    inner
        .split(',')
        .filter_map(|pair| {
            let (k, n) = pair.split_once(':')?;
            let k = k
                .trim()
                .trim_matches(|c| c == '\'' || c == '"')
                .to_ascii_lowercase();
            let n: i64 = n.trim().parse().ok()?;
            Some((k, n))
        })
        .collect()
}

/// The reset time that goes with a "remaining" header, as time to wait.
fn reset_for(headers: &[(String, String)], remaining_name: &str, now_s: f64) -> Option<Duration> {
    let candidates = [
        remaining_name.replace("remaining", "reset"),
        remaining_name.replace("remaining", "interval-milliseconds"),
        remaining_name.replace("-remaining", "-reset"),
    ];
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        if !candidates.contains(&name) || name == remaining_name {
            continue;
        }
        let v = value.trim();
        if let Ok(n) = v.parse::<f64>() {
            let secs = if name.contains("milliseconds") || n > 1e12 {
                // Milliseconds: an interval, or an epoch in ms.
                if n > 1e12 {
                    n / 1000.0 - now_s
                } else {
                    n / 1000.0
                }
            } else if n > 1e9 {
                n - now_s
            } else {
                n
            };
            return Some(Duration::from_secs_f64(secs.clamp(0.0, 40.0 * 86_400.0)));
        }
        if let Ok(t) = chrono::DateTime::parse_from_rfc2822(v) {
            let secs = t.timestamp() as f64 - now_s;
            return Some(Duration::from_secs_f64(secs.clamp(0.0, 40.0 * 86_400.0)));
        }
    }
    None
}

/// The end of the current window named in a header or dict key.
fn window_end(hint: &str, now_s: f64) -> Option<Duration> {
    let len = if hint.contains("second") {
        1.0
    } else if hint.contains("minute") {
        60.0
    } else if hint.contains("hour") && !hint.contains("24") {
        3600.0
    } else if hint.contains("day") || hint.contains("daily") || hint.contains("24") {
        86_400.0
    } else if hint.contains("month") {
        30.0 * 86_400.0
    } else {
        return None;
    };
    // Fixed windows end on the clock; add a second for skew.
    let left = len - now_s.rem_euclid(len) + 1.0;
    Some(Duration::from_secs_f64(left))
}

/// A `Retry-After` value: seconds, or an HTTP date.
pub fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(n) = v.parse::<f64>() {
        return (n.is_finite() && n >= 0.0)
            .then(|| Duration::from_secs_f64(n.min(40.0 * 86_400.0)));
    }
    let t = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let now_s = now.duration_since(UNIX_EPOCH).ok()?.as_secs() as i64;
    Some(Duration::from_secs(
        t.timestamp().saturating_sub(now_s).max(0) as u64,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn clearbit_trio_with_epoch_reset() {
        let now = 1_800_000_000;
        let hs = h(&[
            ("X-RateLimit-Limit", "600"),
            ("X-RateLimit-Remaining", "0"),
            ("X-RateLimit-Reset", &(now + 17).to_string()),
        ]);
        assert_eq!(budget_wait(&hs, at(now)), Some(Duration::from_secs(17)));
    }

    #[test]
    fn plenty_left_means_no_wait() {
        let hs = h(&[
            ("x-ratelimit-remaining", "250"),
            ("x-ratelimit-reset", "30"),
        ]);
        assert_eq!(budget_wait(&hs, at(1_800_000_000)), None);
    }

    #[test]
    fn ietf_reset_in_seconds_and_nearly_spent() {
        let hs = h(&[("ratelimit-remaining", "1"), ("ratelimit-reset", "10")]);
        assert_eq!(
            budget_wait(&hs, at(1_800_000_000)),
            Some(Duration::from_secs(5))
        );
    }

    #[test]
    fn pdl_dict() {
        // 1_800_000_020 is 20 s past a minute boundary: 40 s to go, plus
        // a second for clock skew.
        let hs = h(&[(
            "x-ratelimit-remaining",
            "{'minute': 0, 'day': 900, 'month': 9000}",
        )]);
        assert_eq!(
            budget_wait(&hs, at(1_800_000_020)),
            Some(Duration::from_secs(41))
        );
    }

    #[test]
    fn apollo_daily_twin() {
        let hs = h(&[
            ("x-minute-requests-left", "40"),
            ("x-24-hour-requests-left", "0"),
        ]);
        let w = budget_wait(&hs, at(1_800_000_000)).unwrap();
        assert!(w > Duration::from_secs(3600), "{w:?}");
    }

    #[test]
    fn hubspot_interval() {
        let hs = h(&[
            ("X-HubSpot-RateLimit-Remaining", "0"),
            ("X-HubSpot-RateLimit-Interval-Milliseconds", "10000"),
        ]);
        assert_eq!(
            budget_wait(&hs, at(1_800_000_000)),
            Some(Duration::from_secs(10))
        );
    }

    #[test]
    fn retry_after_forms() {
        let now = at(1_800_000_000);
        assert_eq!(retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(retry_after("-3", now), None);
        assert_eq!(retry_after("soon", now), None);
        let date = chrono::DateTime::from_timestamp(1_800_000_030, 0)
            .unwrap()
            .to_rfc2822();
        assert_eq!(retry_after(&date, now), Some(Duration::from_secs(30)));
    }
}
