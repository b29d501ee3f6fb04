//! The rate limiter of one source instance.
//!
//! Providers state limits as "N per window", sliding or fixed, counting
//! calls or records, several at once. Two mechanisms keep every window the
//! provider counts at or under N:
//!
//! - a governor GCRA limiter spaces calls of the shortest calls-counting
//!   limit evenly, `margin` slower than N per window, so a per-minute quota
//!   is spread over the minute instead of passing nearly 2N across a
//!   fixed-window boundary the way a burst-N limiter does. Its burst is 2,
//!   not 1: with burst 1 every late wake-up (timer ticks, a busy runtime)
//!   pushes back every later call and a run lost 7% of its rate at 50/s;
//!   one interval of tolerance lets a late call's successor catch up;
//! - an exact sliding log per limit (records and long windows included)
//!   admits a request only if the last `per` (stretched by the margin)
//!   holds no more than N minus its weight. A sliding window at N is
//!   stricter than a fixed one, so it is safe whichever the provider counts.
//!   This log, not the pacer's burst, is what keeps every window at N.
//!
//! Rate-limit headers and 429s feed [`Limiter::block_until`]: the provider's
//! word on its remaining budget beats our own accounting.

use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use icp_plugin_sdk::{RateLimit, Unit};

/// How much slower than the stated limit we pace: network jitter can bring
/// two spaced calls closer together at the provider. 1.5% keeps the run at
/// 98.5% of the allowed rate.
pub const DEFAULT_MARGIN: f64 = 0.015;

/// Log entries closer together than `per / LOG_BUCKETS` are merged, so a
/// 100,000-per-day limit keeps about a thousand entries, not 100,000.
const LOG_BUCKETS: u32 = 1024;

/// Why a request may not go now.
#[derive(Debug, Clone, PartialEq)]
pub enum Admission {
    /// Wait this long, then ask again.
    Wait(Duration),
    /// The request weighs more than a whole window allows: it can never go.
    TooLarge { weight: u32, limit: String },
}

struct Log {
    count: u32,
    /// The provider's window stretched by the margin.
    window: Duration,
    unit: Unit,
    label: String,
    /// (time of the newest call in the bucket, weight), oldest first.
    entries: VecDeque<(Instant, u32)>,
    total: u32,
    merge_within: Duration,
}

impl Log {
    fn expire(&mut self, now: Instant) {
        while let Some(&(t, w)) = self.entries.front() {
            if now.duration_since(t) >= self.window {
                self.entries.pop_front();
                self.total -= w;
            } else {
                break;
            }
        }
    }

    /// How long until `weight` more fits, or `None` when it fits now.
    fn wait_for(&self, now: Instant, weight: u32) -> Option<Duration> {
        if self.total + weight <= self.count {
            return None;
        }
        // Drop the oldest entries until enough room is free; the last one
        // dropped says when.
        let mut freed = 0;
        for &(t, w) in &self.entries {
            freed += w;
            if self.total - freed + weight <= self.count {
                return Some((t + self.window).saturating_duration_since(now));
            }
        }
        Some(self.window)
    }

    fn record(&mut self, now: Instant, weight: u32) {
        match self.entries.back_mut() {
            Some((t, w)) if now.duration_since(*t) < self.merge_within => {
                *t = now;
                *w += weight;
            }
            _ => self.entries.push_back((now, weight)),
        }
        self.total += weight;
    }
}

struct State {
    logs: Vec<Log>,
    /// No request before this instant (rate-limit headers, 429s).
    blocked_until: Option<Instant>,
}

/// The limiter of one source instance; shared by all its in-flight requests.
pub struct Limiter {
    pacer: Option<DefaultDirectRateLimiter>,
    state: Mutex<State>,
}

impl Limiter {
    /// A limiter for `limits` (already validated: count > 0, known `per`).
    pub fn new(limits: &[RateLimit], margin: f64) -> Limiter {
        let stretch = |secs: u64| Duration::from_secs_f64(secs as f64 * (1.0 + margin.max(0.0)));
        let logs: Vec<Log> = limits
            .iter()
            .filter_map(|l| {
                let per = l.per_seconds()?;
                let window = stretch(per);
                Some(Log {
                    count: l.count.max(1),
                    window,
                    unit: l.unit,
                    label: format!("{} {} per {}", l.count, unit_word(l.unit), l.per),
                    entries: VecDeque::new(),
                    total: 0,
                    merge_within: window / LOG_BUCKETS,
                })
            })
            .collect();
        // Pace by the calls-limit with the shortest spacing.
        let pacer = limits
            .iter()
            .filter(|l| l.unit == Unit::Calls)
            .filter_map(|l| Some(stretch(l.per_seconds()?) / l.count.max(1)))
            .min()
            .and_then(|spacing| Quota::with_period(spacing.max(Duration::from_nanos(1))))
            .map(|q| {
                RateLimiter::direct(q.allow_burst(NonZeroU32::new(2).unwrap_or(NonZeroU32::MIN)))
            });
        Limiter {
            pacer,
            state: Mutex::new(State {
                logs,
                blocked_until: None,
            }),
        }
    }

    /// A limiter that admits everything (local sources).
    pub fn unlimited() -> Limiter {
        Limiter::new(&[], 0.0)
    }

    /// Take one call of `records` records if every limit admits it now.
    pub fn try_acquire(&self, records: u32) -> Result<(), Admission> {
        let now = Instant::now();
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(until) = st.blocked_until {
            if until > now {
                return Err(Admission::Wait(until - now));
            }
            st.blocked_until = None;
        }
        let mut wait = Duration::ZERO;
        for log in &mut st.logs {
            let weight = weight_of(log.unit, records);
            if weight > log.count {
                return Err(Admission::TooLarge {
                    weight,
                    limit: log.label.clone(),
                });
            }
            log.expire(now);
            if let Some(w) = log.wait_for(now, weight) {
                wait = wait.max(w);
            }
        }
        if !wait.is_zero() {
            return Err(Admission::Wait(wait));
        }
        // The pacer goes last: a call it admits is a call we make.
        if let Some(p) = &self.pacer
            && let Err(not_until) = p.check()
        {
            let w = not_until.wait_time_from(governor::clock::Clock::now(p.clock()));
            return Err(Admission::Wait(w.max(Duration::from_micros(50))));
        }
        for log in &mut st.logs {
            let weight = weight_of(log.unit, records);
            log.record(now, weight);
        }
        Ok(())
    }

    /// Wait until one call of `records` records is admitted. Gives up with
    /// the wait it would need when that is longer than `max_wait`.
    pub async fn acquire(&self, records: u32, max_wait: Duration) -> Result<Duration, Admission> {
        let started = Instant::now();
        loop {
            match self.try_acquire(records) {
                Ok(()) => return Ok(started.elapsed()),
                Err(Admission::Wait(w)) => {
                    if started.elapsed() + w > max_wait {
                        return Err(Admission::Wait(w));
                    }
                    tokio::time::sleep(w).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Hold every request until `until` (a 429, or headers saying the
    /// budget is spent). A later block never shortens an earlier one.
    pub fn block_until(&self, until: Instant) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if st.blocked_until.is_none_or(|b| b < until) {
            st.blocked_until = Some(until);
        }
    }
}

fn weight_of(unit: Unit, records: u32) -> u32 {
    match unit {
        Unit::Calls => 1,
        Unit::Records => records.max(1),
    }
}

fn unit_word(unit: Unit) -> &'static str {
    match unit {
        Unit::Calls => "calls",
        Unit::Records => "records",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use icp_plugin_sdk::Window;

    fn limit(count: u32, per: &str, unit: Unit) -> RateLimit {
        RateLimit {
            count,
            per: per.into(),
            window: Window::Sliding,
            unit,
        }
    }

    #[test]
    fn records_limit_counts_the_batch() {
        let l = Limiter::new(&[limit(100, "1m", Unit::Records)], 0.0);
        assert!(l.try_acquire(60).is_ok());
        assert!(l.try_acquire(40).is_ok());
        assert!(matches!(l.try_acquire(1), Err(Admission::Wait(_))));
    }

    #[test]
    fn a_batch_larger_than_the_window_is_refused() {
        let l = Limiter::new(&[limit(50, "1m", Unit::Records)], 0.0);
        assert!(matches!(
            l.try_acquire(100),
            Err(Admission::TooLarge { weight: 100, .. })
        ));
    }

    #[test]
    fn pacing_spaces_calls() {
        // 4 per second with one interval of tolerance: two calls go, the
        // third waits about a quarter of a second.
        let l = Limiter::new(&[limit(4, "1s", Unit::Calls)], 0.0);
        assert!(l.try_acquire(1).is_ok());
        assert!(l.try_acquire(1).is_ok());
        match l.try_acquire(1) {
            Err(Admission::Wait(w)) => assert!(w > Duration::from_millis(150), "{w:?}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn blocks_hold_and_never_shorten() {
        let l = Limiter::unlimited();
        let now = Instant::now();
        l.block_until(now + Duration::from_secs(10));
        l.block_until(now + Duration::from_secs(1));
        match l.try_acquire(1) {
            Err(Admission::Wait(w)) => assert!(w > Duration::from_secs(8)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn long_windows_keep_few_entries() {
        let l = Limiter::new(&[limit(100_000, "1d", Unit::Calls)], 0.0);
        for _ in 0..5000 {
            l.state.lock().unwrap().logs[0].record(Instant::now(), 1);
        }
        let st = l.state.lock().unwrap();
        assert!(
            st.logs[0].entries.len() < 50,
            "{}",
            st.logs[0].entries.len()
        );
        assert_eq!(st.logs[0].total, 5000);
    }
}
