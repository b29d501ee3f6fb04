//! Counters of one source instance over a run, for the summary and the
//! run record.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use serde::Serialize;

#[derive(Default)]
pub struct SourceStats {
    pub calls: AtomicU64,
    pub records: AtomicU64,
    pub retries: AtomicU64,
    pub throttled: AtomicU64,
    pub errors: AtomicU64,
    pub cache_hits: AtomicU64,
    pub found: AtomicU64,
    pub no_data: AtomicU64,
    pub queued: AtomicU64,
    pub failed: AtomicU64,
    pub wait_ms: AtomicU64,
    pub credits_milli: AtomicU64,
    /// Why the source was stopped for the run (bad key, credits), if it was.
    pub stopped: Mutex<Option<String>>,
    /// Failed attempts by kind (`rate_limited`, `server`, `timeout`,
    /// `connect`, `malformed`, `refused`, ...).
    pub error_kinds: Mutex<BTreeMap<&'static str, u64>>,
    /// Wakes requests waiting on the source when it is stopped.
    stop_notify: tokio::sync::Notify,
}

/// The counters as the summary shows them.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct SourceReport {
    pub plugin: String,
    pub calls: u64,
    pub records: u64,
    pub retries: u64,
    pub throttled: u64,
    /// Failed attempts by kind: `rate_limited` (429), `server` (5xx, 408),
    /// `timeout`, `connect`, `connection`, `malformed`, `refused` (401,
    /// 403), `no_credits` (402), `too_large`, `config`, `unsupported`.
    pub errors: BTreeMap<String, u64>,
    pub errors_total: u64,
    pub cache_hits: u64,
    pub found: u64,
    pub no_data: u64,
    pub queued: u64,
    pub failed: u64,
    pub rate_limit_wait_seconds: f64,
    pub credits: f64,
    pub stopped: Option<String>,
}

impl SourceStats {
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Relaxed);
    }

    /// One failed attempt of `kind`.
    pub fn count_error(&self, kind: &'static str) {
        self.errors.fetch_add(1, Relaxed);
        *self
            .error_kinds
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(kind)
            .or_default() += 1;
    }

    pub fn stop(&self, reason: &str) {
        {
            let mut s = self.stopped.lock().unwrap_or_else(|e| e.into_inner());
            if s.is_none() {
                *s = Some(reason.to_string());
            }
        }
        self.stop_notify.notify_waiters();
    }

    /// Resolves with the reason once the source is stopped.
    pub async fn until_stopped(&self) -> String {
        loop {
            let notified = self.stop_notify.notified();
            tokio::pin!(notified);
            // Registered before the check, so a stop in between is not missed.
            notified.as_mut().enable();
            if let Some(reason) = self.stopped() {
                return reason;
            }
            notified.await;
        }
    }

    pub fn stopped(&self) -> Option<String> {
        self.stopped
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn report(&self, plugin: &str) -> SourceReport {
        let g = |c: &AtomicU64| c.load(Relaxed);
        SourceReport {
            plugin: plugin.to_string(),
            calls: g(&self.calls),
            records: g(&self.records),
            retries: g(&self.retries),
            throttled: g(&self.throttled),
            errors_total: g(&self.errors),
            errors: self
                .error_kinds
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
            cache_hits: g(&self.cache_hits),
            found: g(&self.found),
            no_data: g(&self.no_data),
            queued: g(&self.queued),
            failed: g(&self.failed),
            rate_limit_wait_seconds: g(&self.wait_ms) as f64 / 1000.0,
            credits: g(&self.credits_milli) as f64 / 1000.0,
            stopped: self.stopped(),
        }
    }
}
