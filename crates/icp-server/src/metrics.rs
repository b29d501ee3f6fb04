//! `/metrics`: Prometheus text exposition (format 0.0.4), written by hand.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// Upper bounds (seconds) of the score latency histogram's buckets.
const BUCKETS: [f64; 11] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0, 30.0,
];

#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// (route, status) -> answers.
    requests: BTreeMap<(String, u16), u64>,
    /// Per bucket of [`BUCKETS`]: observations at or under it (cumulative
    /// when written).
    buckets: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
    /// Runs started by `POST /v1/enrich`.
    runs_started: u64,
    /// status -> runs finished.
    runs_finished: BTreeMap<String, u64>,
    run_seconds_sum: f64,
    run_seconds_count: u64,
}

impl Metrics {
    pub fn count_request(&self, route: &str, status: u16) {
        let mut m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        *m.requests.entry((route.to_string(), status)).or_default() += 1;
    }

    pub fn run_started(&self) {
        let mut m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        m.runs_started += 1;
    }

    pub fn run_finished(&self, status: &str, took: Duration) {
        let mut m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        *m.runs_finished.entry(status.to_string()).or_default() += 1;
        m.run_seconds_sum += took.as_secs_f64();
        m.run_seconds_count += 1;
    }

    pub fn observe_score(&self, took: Duration) {
        let s = took.as_secs_f64();
        let mut m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = BUCKETS.iter().position(|b| s <= *b) {
            m.buckets[i] += 1;
        }
        m.sum += s;
        m.count += 1;
    }
}

/// A label value with `\`, `"` and newlines escaped.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn head(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

pub(crate) fn exposition(st: &AppState) -> String {
    let mut out = String::new();
    {
        let m = st.metrics.inner.lock().unwrap_or_else(|e| e.into_inner());
        head(
            &mut out,
            "icp_http_requests_total",
            "counter",
            "HTTP requests answered, by route and status.",
        );
        for ((route, status), n) in &m.requests {
            let _ = writeln!(
                out,
                "icp_http_requests_total{{route=\"{}\",status=\"{status}\"}} {n}",
                label(route)
            );
        }
        head(
            &mut out,
            "icp_score_duration_seconds",
            "histogram",
            "Time to answer POST /v1/score, enrichment included.",
        );
        let mut cumulative = 0;
        for (b, n) in BUCKETS.iter().zip(m.buckets) {
            cumulative += n;
            let _ = writeln!(
                out,
                "icp_score_duration_seconds_bucket{{le=\"{b}\"}} {cumulative}"
            );
        }
        let _ = writeln!(
            out,
            "icp_score_duration_seconds_bucket{{le=\"+Inf\"}} {}",
            m.count
        );
        let _ = writeln!(out, "icp_score_duration_seconds_sum {}", m.sum);
        let _ = writeln!(out, "icp_score_duration_seconds_count {}", m.count);
        head(
            &mut out,
            "icp_runs_started_total",
            "counter",
            "Runs started by POST /v1/enrich.",
        );
        let _ = writeln!(out, "icp_runs_started_total {}", m.runs_started);
        head(
            &mut out,
            "icp_runs_finished_total",
            "counter",
            "Runs started by POST /v1/enrich that ended, by status.",
        );
        for (status, n) in &m.runs_finished {
            let _ = writeln!(
                out,
                "icp_runs_finished_total{{status=\"{}\"}} {n}",
                label(status)
            );
        }
        head(
            &mut out,
            "icp_run_duration_seconds",
            "summary",
            "Time from start to end of runs started by POST /v1/enrich.",
        );
        let _ = writeln!(out, "icp_run_duration_seconds_sum {}", m.run_seconds_sum);
        let _ = writeln!(
            out,
            "icp_run_duration_seconds_count {}",
            m.run_seconds_count
        );
    }
    let reports = st.engine.as_ref().map(|e| e.reports()).unwrap_or_default();
    type Get = fn(&icp_engine::SourceReport) -> f64;
    let per_source: [(&str, &str, Get); 8] = [
        (
            "icp_source_calls_total",
            "Calls made to the source (attempts included).",
            |r| r.calls as f64,
        ),
        (
            "icp_source_cache_hits_total",
            "Accounts answered from the cache.",
            |r| r.cache_hits as f64,
        ),
        (
            "icp_source_found_total",
            "Accounts the source had data for.",
            |r| r.found as f64,
        ),
        (
            "icp_source_errors_total",
            "Failed attempts, every kind.",
            |r| r.errors_total as f64,
        ),
        (
            "icp_source_throttled_total",
            "Answers 429 (rate limited).",
            |r| r.throttled as f64,
        ),
        ("icp_source_retries_total", "Retried attempts.", |r| {
            r.retries as f64
        }),
        (
            "icp_source_rate_limit_wait_seconds_total",
            "Time spent waiting for the source's rate limits.",
            |r| r.rate_limit_wait_seconds,
        ),
        (
            "icp_source_credits_total",
            "Credits spent at the source.",
            |r| r.credits,
        ),
    ];
    for (name, help, get) in per_source {
        head(&mut out, name, "counter", help);
        for (source, r) in &reports {
            let _ = writeln!(out, "{name}{{source=\"{}\"}} {}", label(source), get(r));
        }
    }
    out
}

pub(crate) async fn render(State(st): State<Arc<AppState>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        exposition(&st),
    )
        .into_response()
}
