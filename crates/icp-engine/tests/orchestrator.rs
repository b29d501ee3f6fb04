//! Integration tests of the orchestrator: a sans-IO test plugin behind the
//! engine's HTTP stack, against wiremock providers on 127.0.0.1.
//!
//! Every test checks behaviour it can fail on: limits measured at the
//! provider, the retry and stop taxonomy, the breaker, the cache, the
//! waterfall, budgets and secret redaction.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::*;
use icp_engine::EngineOptions;
use icp_store::{CacheEntry, Cached, SqliteStore, Store};
use serde_json::json;
use tracing::instrument::WithSubscriber;
use wiremock::ResponseTemplate;

const SEC: Duration = Duration::from_secs(1);

/// The most requests (or records, with `weight`) any window of `window`
/// starting at an arrival holds.
fn busiest_window(hits: &[Hit], window: Duration, weight: impl Fn(&Hit) -> usize) -> usize {
    let mut sorted: Vec<&Hit> = hits.iter().collect();
    sorted.sort_by_key(|h| h.at);
    sorted
        .iter()
        .map(|start| {
            sorted
                .iter()
                .filter(|h| h.at >= start.at && h.at.duration_since(start.at) < window)
                .map(|h| weight(h))
                .sum()
        })
        .max()
        .unwrap_or(0)
}

/// The shortest time between an arrival and the one `k` arrivals later.
fn tightest(hits: &[Hit], k: usize) -> Duration {
    let mut t: Vec<_> = hits.iter().map(|h| h.at).collect();
    t.sort();
    t.windows(k + 1)
        .map(|w| w[k] - w[0])
        .min()
        .unwrap_or(Duration::MAX)
}

/// The secret as it goes into a URL.
const SECRET_IN_URL: &str = "sk_test_9f8e%2B7d6c%2F5b4a%3D";

fn assert_no_secret(texts: &[String]) {
    for t in texts {
        assert!(!t.contains(SECRET), "the secret leaked into: {t}");
        assert!(!t.contains(SECRET_IN_URL), "the secret leaked into: {t}");
    }
}

// 1
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_limit_is_never_exceeded_and_the_rate_is_nearly_fully_used() {
    let (server, hits) = provider(|h, _| company(h, 50, "Software")).await;
    let cfg = config(&source_toml(
        "a",
        &server.uri(),
        "",
        "limits = [{ count = 10, per = \"1s\" }]\nconcurrency = 8",
    ));
    let engine = engine(&cfg, memory_store());
    let n = 35;
    let run = enrich(&engine, &keys(n), false).await;

    assert!(run.errors.is_empty(), "{:?}", run.errors);
    assert_eq!(engine.reports()["a"].found, n as u64);
    let all = hits.all();
    assert_eq!(all.len(), n);
    eprintln!(
        "limit test: 11 calls spanned at least {:?}",
        tightest(&all, 10)
    );
    let busiest = busiest_window(&all, SEC, |_| 1);
    assert!(
        busiest <= 10,
        "a 1 s window held {busiest} calls (limit 10)"
    );

    // Used >= 95% of the allowed rate: n calls at 10/s span (n-1)/10 s.
    let mut times = hits.times();
    times.sort();
    let span = times[n - 1] - times[0];
    let ideal = Duration::from_secs_f64((n - 1) as f64 / 10.0);
    let used = ideal.as_secs_f64() / span.as_secs_f64();
    eprintln!(
        "limit test: {n} calls in {span:?} (ideal {ideal:?}): {:.1}% of the allowed rate",
        used * 100.0
    );
    assert!(
        used >= 0.95,
        "only {:.1}% of the allowed rate used ({span:?} for {n} calls)",
        used * 100.0
    );
}

// 1b: the same at a faster limit, where timer lateness per call would cost
// most if it added up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fast_calls_limit_is_kept_and_nearly_fully_used() {
    let (server, hits) = provider(|h, _| company(h, 50, "Software")).await;
    let cfg = config(&source_toml(
        "a",
        &server.uri(),
        "",
        "limits = [{ count = 50, per = \"1s\" }]\nconcurrency = 8",
    ));
    let engine = engine(&cfg, memory_store());
    let n = 101;
    let run = enrich(&engine, &keys(n), false).await;

    assert!(run.errors.is_empty(), "{:?}", run.errors);
    let all = hits.all();
    assert_eq!(all.len(), n);
    let busiest = busiest_window(&all, SEC, |_| 1);
    assert!(
        busiest <= 50,
        "a 1 s window held {busiest} calls (limit 50)"
    );
    let mut times = hits.times();
    times.sort();
    let span = times[n - 1] - times[0];
    let used = (n - 1) as f64 / 50.0 / span.as_secs_f64();
    eprintln!(
        "fast limit test: {n} calls in {span:?}: {:.1}% of the allowed rate",
        used * 100.0
    );
    assert!(
        used >= 0.95,
        "only {:.1}% of the allowed rate used ({span:?} for {n} calls)",
        used * 100.0
    );
}

// 2
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_limit_counts_the_keys_of_bulk_calls() {
    let (server, hits) = provider(|h, _| company(h, 75, "Software")).await;
    let cfg = config(&source_toml(
        "bulk",
        &server.uri(),
        "max_batch = 10, limits = [{ count = 20, per = \"1s\", unit = \"records\" }]",
        "concurrency = 4",
    ));
    let engine = engine(&cfg, memory_store());
    let n = 50;
    let keys = keys(n);
    let run = enrich(&engine, &keys, false).await;

    assert!(run.errors.is_empty(), "{:?}", run.errors);
    let all = hits.all();
    assert_eq!(all.len(), 5, "50 accounts in calls of 10");
    for h in &all {
        assert_eq!(
            (h.method.as_str(), h.path.as_str()),
            ("POST", "/v1/companies/bulk")
        );
        assert_eq!(h.domains.len(), 10, "a bulk call carries 10 keys: {h:?}");
        assert_eq!(
            h.api_key.as_deref(),
            Some(SECRET),
            "the host injects the secret"
        );
    }
    assert_eq!(hits.domains(), keys, "every account asked once");
    eprintln!(
        "records test: 3 calls spanned at least {:?}",
        tightest(&all, 2)
    );
    let busiest = busiest_window(&all, SEC, |h| h.domains.len());
    assert!(
        busiest <= 20,
        "a 1 s window held {busiest} records (limit 20)"
    );
    let r = &engine.reports()["bulk"];
    assert_eq!((r.calls, r.records, r.found), (5, 50, 50));
    // 5 calls of 10 at 20 records/s: the last pair cannot start before 2 s.
    assert!(
        run.elapsed >= Duration::from_millis(1900),
        "{:?}",
        run.elapsed
    );
}

// 3
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_429_with_retry_after_waits_then_succeeds() {
    let (server, hits) = provider(|h, i| {
        if i == 0 {
            ResponseTemplate::new(429).insert_header("Retry-After", "1")
        } else {
            company(h, 10, "Software")
        }
    })
    .await;
    let cfg = config(&source_toml("a", &server.uri(), "", ""));
    let engine = engine(&cfg, memory_store());
    let keys = keys(1);
    let run = enrich(&engine, &keys, false).await;

    assert!(run.errors.is_empty(), "{:?}", run.errors);
    let t = hits.times();
    assert_eq!(t.len(), 2);
    assert!(
        t[1] - t[0] >= SEC,
        "the retry came {:?} after the 429",
        t[1] - t[0]
    );
    let r = &engine.reports()["a"];
    assert_eq!((r.throttled, r.retries, r.found, r.failed), (1, 1, 1, 0));
    let back = engine.read_back(&keys).await.unwrap();
    assert_eq!(back[0]["employees"].value, json!(10));
}

// 4
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_are_retried_until_success() {
    let (server, hits) = provider(|h, i| {
        if i < 2 {
            ResponseTemplate::new(503)
        } else {
            company(h, 20, "Retail")
        }
    })
    .await;
    let cfg = config(&source_toml("a", &server.uri(), "", ""));
    let engine = engine(&cfg, memory_store());
    let run = enrich(&engine, &keys(1), false).await;

    assert!(run.errors.is_empty(), "{:?}", run.errors);
    assert_eq!(hits.len(), 3);
    let r = &engine.reports()["a"];
    assert_eq!((r.retries, r.throttled, r.found), (2, 0, 1));
    assert_ne!(run.present[0], 0, "the account gained its fields");
}

// 5
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_provider_times_out_and_the_run_goes_on() {
    let (server, hits) =
        provider(|h, _| company(h, 1, "Software").set_delay(Duration::from_secs(2))).await;
    let cfg = config(&source_toml(
        "slow",
        &server.uri(),
        "",
        "timeout = \"200ms\"\nretries = 1",
    ));
    let engine = engine(&cfg, memory_store());
    let run = enrich(&engine, &keys(1), false).await;

    assert_eq!(hits.len(), 2, "one attempt and one retry");
    let lines = &run.errors[&0];
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("slow: "),
        "the error names the source: {}",
        lines[0]
    );
    assert!(lines[0].contains("timed out"), "{}", lines[0]);
    assert!(
        run.elapsed < Duration::from_millis(1500),
        "{:?}",
        run.elapsed
    );
    let r = &engine.reports()["slow"];
    assert_eq!((r.failed, r.found), (1, 0));
}

// 6
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn circuit_breaker_spares_a_failing_provider() {
    let (server, hits) = provider(|_, _| ResponseTemplate::new(500)).await;
    let cfg = config(&source_toml(
        "a",
        &server.uri(),
        "",
        "retries = 1\nbreaker_threshold = 3\nbreaker_cooldown = \"200ms\"\nmax_wait = \"1s\"",
    ));
    let engine = engine(&cfg, memory_store());
    let n = 30;
    let run = enrich(&engine, &keys(n), false).await;

    let calls = hits.len();
    eprintln!(
        "breaker test: {calls} calls for {n} accounts in {:?}",
        run.elapsed
    );
    assert!(
        calls <= 15,
        "{calls} calls reached a failing provider (without a breaker: {})",
        n * 2
    );
    assert_eq!(run.errors.len(), n, "every account failed");
    let r = &engine.reports()["a"];
    assert_eq!((r.found, r.failed), (0, n as u64));
    assert!(
        run.error_lines().iter().any(|l| l.contains("circuit open")),
        "{:?}",
        run.error_lines()
    );
    assert!(run.elapsed < Duration::from_secs(6), "{:?}", run.elapsed);
}

// 7
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_fails_only_that_account() {
    let (server, _hits) = provider(|h, _| {
        if h.domain.as_deref() == Some("co03.com") {
            ResponseTemplate::new(200).set_body_string("{\"employees\": 12")
        } else {
            company(h, 30, "Software")
        }
    })
    .await;
    let cfg = config(&source_toml("a", &server.uri(), "", ""));
    let store = memory_store();
    let engine = engine(&cfg, store.clone());
    let keys = keys(6);
    let run = enrich(&engine, &keys, false).await;

    assert_eq!(run.errors.keys().copied().collect::<Vec<_>>(), vec![3]);
    let line = &run.errors[&3][0];
    assert!(
        line.starts_with("a: ") && line.contains("malformed"),
        "{line}"
    );
    let r = &engine.reports()["a"];
    assert_eq!((r.found, r.failed), (5, 1));
    let cached = store.cache_get("a", &keys).await.unwrap();
    assert_eq!(cached.len(), 5);
    assert!(!cached.contains_key("co03.com"), "a failure is not cached");
}

// 8
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_401_stops_the_source_without_leaking_the_key() {
    // The provider echoes the key it refuses, as some do.
    let (server, hits) = provider(|h, _| {
        ResponseTemplate::new(401).set_body_json(json!({
            "error": format!("invalid api key {}", h.api_key.clone().unwrap_or_default())
        }))
    })
    .await;
    let cfg = config(&source_toml("a", &server.uri(), "", "concurrency = 2"));
    let engine = engine(&cfg, memory_store());
    let n = 20;
    let run = enrich(&engine, &keys(n), false).await;

    assert_eq!(hits.all()[0].api_key.as_deref(), Some(SECRET));
    assert!(
        hits.len() <= 2,
        "{} calls after the key was refused",
        hits.len()
    );
    let stopped = engine.stopped();
    assert_eq!(stopped.len(), 1, "{stopped:?}");
    assert_eq!(stopped[0].0, "a");
    assert!(stopped[0].1.contains("401"), "{}", stopped[0].1);
    assert!(
        stopped[0].1.contains("[redacted]"),
        "the echoed key is shown redacted: {}",
        stopped[0].1
    );
    assert_eq!(run.errors.len(), n, "every account has its error line");
    let mut texts = run.error_lines();
    texts.push(stopped[0].1.clone());
    texts.extend(engine.reports()["a"].stopped.clone());
    assert_no_secret(&texts);
}

// 9
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waterfall_asks_the_second_source_only_for_what_the_first_missed() {
    let (server_a, hits_a) = provider(|h, _| {
        let d = h.domain.clone().unwrap_or_default();
        if d.as_str() < "co05.com" {
            company(h, 111, "A-Industry")
        } else {
            ResponseTemplate::new(404)
        }
    })
    .await;
    let (server_b, hits_b) = provider(|h, _| company(h, 222, "B-Industry")).await;
    // b comes first in the file: the [waterfall] list decides the order.
    let cfg = config(&format!(
        "{}{}[waterfall]\nfirmographic = [\"a\", \"b\"]\n",
        source_toml("b", &server_b.uri(), "", ""),
        source_toml("a", &server_a.uri(), "", ""),
    ));
    let engine = engine(&cfg, memory_store());
    let keys = keys(10);
    let run = enrich(&engine, &keys, false).await;

    assert!(run.errors.is_empty(), "{:?}", run.errors);
    assert_eq!(hits_a.domains(), keys, "a is asked for every account");
    assert_eq!(
        hits_b.domains(),
        keys[5..].to_vec(),
        "b only for what a did not find"
    );
    let both = engine.field_bit("employees").unwrap() | engine.field_bit("industry").unwrap();
    assert!(run.present.iter().all(|&p| p == both));
    let back = engine.read_back(&keys).await.unwrap();
    for (i, fields) in back.iter().enumerate() {
        let (source, employees, industry) = if i < 5 {
            ("a", 111, "A-Industry")
        } else {
            ("b", 222, "B-Industry")
        };
        assert_eq!(fields["employees"].source, source, "{}", keys[i]);
        assert_eq!(fields["employees"].value, json!(employees));
        assert_eq!(fields["industry"].value, json!(industry));
        assert_eq!(fields["industry"].source, source);
    }
}

// 10
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_answers_a_second_run_until_the_ttl_ends() {
    let (server, hits) = provider(|h, _| {
        let d = h.domain.clone().unwrap_or_default();
        if d.as_str() < "co07.com" {
            company(h, 40, "Software")
        } else {
            ResponseTemplate::new(404)
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state/icp.db");
    let n = 10;
    let keys = keys(n);
    let cfg = config(&source_toml("a", &server.uri(), "", ""));

    // First run: every account asked; 7 found, 3 no data.
    {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).unwrap());
        let engine = engine(&cfg, store);
        let run = enrich(&engine, &keys, false).await;
        assert!(run.errors.is_empty(), "{:?}", run.errors);
        let r = &engine.reports()["a"];
        assert_eq!((r.calls, r.found, r.no_data), (10, 7, 3));
    }
    assert_eq!(hits.len(), n);

    // Second run on the same store file: all from the cache, no-data included.
    {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).unwrap());
        let engine = engine(&cfg, store);
        let run = enrich(&engine, &keys, false).await;
        assert!(run.errors.is_empty(), "{:?}", run.errors);
        assert_eq!(hits.len(), n, "the second run called the provider");
        let r = &engine.reports()["a"];
        assert_eq!((r.calls, r.cache_hits), (0, n as u64));
        assert_eq!(run.estimates["a"].cache_hits, n as u64);
        for (i, p) in run.present.iter().enumerate() {
            assert_eq!(*p != 0, i < 7, "{}: fields from the cache", keys[i]);
        }
        let back = engine.read_back(&keys).await.unwrap();
        assert_eq!(back[0]["employees"].value, json!(40));
        assert!(back[8].is_empty());
    }

    // With zero TTLs nothing is fresh: everything is asked again.
    let cfg0 = config(&source_toml(
        "a",
        &server.uri(),
        "",
        "ttl = \"0s\"\nno_data_ttl = \"0s\"",
    ));
    {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).unwrap());
        let engine = engine(&cfg0, store);
        let run = enrich(&engine, &keys, false).await;
        assert!(run.errors.is_empty(), "{:?}", run.errors);
        let r = &engine.reports()["a"];
        assert_eq!((r.calls, r.cache_hits), (n as u64, 0));
    }
    assert_eq!(hits.len(), 2 * n);
}

// 11
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spent_budget_in_rate_limit_headers_holds_the_next_call() {
    let (server, hits) = provider(|h, i| {
        let resp = company(h, 5, "Software");
        if i == 0 {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs_f64();
            resp.insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", ((now + 1.0).ceil() as u64).to_string())
        } else {
            resp.insert_header("x-ratelimit-remaining", "100")
        }
    })
    .await;
    let cfg = config(&source_toml("a", &server.uri(), "", "concurrency = 1"));
    let engine = engine(&cfg, memory_store());
    let run = enrich(&engine, &keys(2), false).await;

    assert!(run.errors.is_empty(), "{:?}", run.errors);
    let t = hits.times();
    assert_eq!(t.len(), 2);
    let gap = t[1] - t[0];
    assert!(
        gap >= Duration::from_millis(900),
        "the second call came {gap:?} after a spent budget"
    );
    assert!(gap < Duration::from_millis(2500), "{gap:?}");
}

// 12
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_longer_than_max_wait_parks_the_source() {
    let (server, hits) =
        provider(|_, _| ResponseTemplate::new(429).insert_header("Retry-After", "3600")).await;
    let cfg = config(&source_toml(
        "a",
        &server.uri(),
        "",
        "max_wait = \"1s\"\nconcurrency = 1",
    ));
    let store = memory_store();
    let engine = engine(&cfg, store.clone());
    let n = 5;
    let keys = keys(n);
    let run = enrich(&engine, &keys, false).await;

    assert!(run.elapsed < Duration::from_secs(2), "{:?}", run.elapsed);
    assert_eq!(hits.len(), 1);
    let stopped = engine.stopped();
    assert_eq!(stopped.len(), 1);
    assert_eq!(stopped[0].0, "a");
    assert!(stopped[0].1.contains("parked"), "{}", stopped[0].1);
    assert_eq!(run.errors.len(), n);
    // Parked accounts stay resumable: nothing is cached for them.
    assert!(store.cache_get("a", &keys).await.unwrap().is_empty());
}

// 13
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_in_the_query_never_reaches_errors_stops_or_logs() {
    // A provider that fails in every way, echoing the key it got.
    let (server, hits) = provider(|h, _| {
        let key = h
            .url
            .split("api_key=")
            .nth(1)
            .unwrap_or_default()
            .to_string();
        match h.domain.as_deref().unwrap_or_default() {
            "co00.com" => ResponseTemplate::new(500).set_body_string(format!("boom for {key}")),
            "co01.com" => {
                ResponseTemplate::new(422).set_body_string(format!("bad request with key {key}"))
            }
            "co02.com" => {
                ResponseTemplate::new(200).set_body_string(format!("{{\"key\": \"{key}\""))
            }
            "co03.com" => ResponseTemplate::new(200)
                .set_body_string(format!("{{\"key\": \"{key}\"}}"))
                .set_delay(Duration::from_secs(1)),
            _ => ResponseTemplate::new(401).set_body_string(format!("key {key} revoked")),
        }
    })
    .await;
    let cfg = config(&source_toml(
        "a",
        &server.uri(),
        "key_in_query = true",
        "concurrency = 1\nretries = 1\ntimeout = \"300ms\"",
    ));
    let engine = engine(&cfg, memory_store());
    let capture = Capture::default();
    // With a single registered dispatcher, tracing-core caches a new
    // callsite's interest from the thread that first hits it (maybe another
    // test's, with no subscriber); a second one makes it ask them all.
    let _second = tracing::Dispatch::new(Capture::default());
    let run = enrich(&engine, &keys(6), false)
        .with_subscriber(capture.clone())
        .await;

    // The key did go out in the URL, percent-encoded so the provider reads
    // it as it is: this test checks a real exposure.
    let sent: Vec<String> = hits
        .all()
        .iter()
        .filter_map(|h| {
            let url = reqwest::Url::parse(&h.url).ok()?;
            let key = url
                .query_pairs()
                .find(|(k, _)| k == "api_key")?
                .1
                .into_owned();
            Some(key)
        })
        .collect();
    assert!(
        !sent.is_empty() && sent.iter().all(|k| k == SECRET),
        "{sent:?}"
    );
    assert!(hits.all().iter().all(|h| h.url.contains(SECRET_IN_URL)));
    let lines = run.error_lines();
    assert_eq!(run.errors.len(), 6, "{lines:?}");
    let stopped = engine.stopped();
    assert_eq!(stopped.len(), 1, "the 401 stops the source");
    let logs = capture.lines();
    assert!(!logs.is_empty(), "the plugin's log lines are traced");
    assert!(logs.iter().any(|l| l.contains("[redacted]")), "{logs:?}");
    assert!(
        lines.iter().any(|l| l.contains("api_key=[redacted]")),
        "{lines:?}"
    );
    let mut texts = lines;
    texts.extend(stopped.into_iter().map(|(_, r)| r));
    texts.extend(logs);
    assert_no_secret(&texts);
}

// 14
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credit_budget_caps_answered_calls_and_stops_the_source() {
    let (server, hits) = provider(|h, _| company(h, 60, "Software")).await;
    let cfg = config(&source_toml(
        "a",
        &server.uri(),
        "",
        "cost_per_call = 1.0\nconcurrency = 2",
    ));
    let engine = engine_with(
        &cfg,
        memory_store(),
        EngineOptions {
            max_credits: Some(3.0),
            ..EngineOptions::default()
        },
    );
    let n = 10;
    let run = enrich(&engine, &keys(n), false).await;

    assert_eq!(hits.len(), 3, "at most 3 calls fit a budget of 3 credits");
    let r = &engine.reports()["a"];
    assert_eq!((r.calls, r.found, r.credits), (3, 3, 3.0));
    assert_eq!(engine.credits_spent(), 3.0);
    let stopped = engine.stopped();
    assert_eq!(stopped.len(), 1);
    assert!(stopped[0].1.contains("credit budget"), "{}", stopped[0].1);
    assert_eq!(run.errors.len(), n - 3);
}

// 15
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_calls_nothing_and_estimates_calls_and_cache_hits() {
    let (server, hits) = provider(|h, _| company(h, 1, "Software")).await;
    let cfg = config(&source_toml(
        "bulk",
        &server.uri(),
        "max_batch = 10",
        "cost_per_call = 0.5",
    ));
    let store = memory_store();
    let n = 25;
    let keys = keys(n);
    // 7 accounts already cached: 5 found, 2 no data.
    let now = icp_engine::unix_now();
    let entries: Vec<(String, CacheEntry)> = keys[..7]
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let value = if i < 5 {
                Cached::Found(BTreeMap::from([
                    ("employees".to_string(), json!(9)),
                    ("industry".to_string(), json!("Software")),
                ]))
            } else {
                Cached::NoData
            };
            (
                k.clone(),
                CacheEntry {
                    value,
                    fetched_at: now,
                },
            )
        })
        .collect();
    store.cache_put("bulk", &entries).await.unwrap();
    let engine = engine(&cfg, store);
    let run = enrich(&engine, &keys, true).await;

    assert_eq!(hits.len(), 0, "a dry run calls no provider");
    let est = &run.estimates["bulk"];
    assert_eq!(est.accounts, n as u64);
    assert_eq!(est.cache_hits, 7);
    assert_eq!(est.calls, 18u64.div_ceil(10), "18 misses in calls of 10");
    // A full call of 10 costs 0.5: the 18 accounts asked cost their share.
    assert!((est.credits - 0.9).abs() < 1e-9, "{}", est.credits);
    assert_eq!(engine.reports()["bulk"].calls, 0);
    let with_fields: BTreeSet<usize> = (0..n).filter(|&i| run.present[i] != 0).collect();
    assert_eq!(with_fields, (0..5).collect());
}

/// A Retry-After longer than max_retry_wait but within max_wait holds the
/// whole source and is waited for: the accounts are not failed, and no
/// other request goes out before the hold ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_past_max_retry_wait_but_within_max_wait_is_waited_for() {
    let (server, hits) = provider(|h, i| {
        if i == 0 {
            ResponseTemplate::new(429).insert_header("Retry-After", "2")
        } else {
            company(h, 10, "Software")
        }
    })
    .await;
    let cfg = config(&source_toml(
        "a",
        &server.uri(),
        "",
        "max_retry_wait = \"200ms\"\nmax_wait = \"30s\"\nconcurrency = 1",
    ));
    let engine = engine(&cfg, memory_store());
    let keys = keys(4);
    let run = enrich(&engine, &keys, false).await;

    assert!(run.errors.is_empty(), "{:?}", run.errors);
    let t = hits.times();
    assert_eq!(t.len(), 5, "one 429, then each account once");
    assert!(
        t[1] - t[0] >= 2 * SEC,
        "the next call came {:?} after the 429",
        t[1] - t[0]
    );
    let r = &engine.reports()["a"];
    assert_eq!((r.throttled, r.found, r.failed), (1, 4, 0));
    assert!(engine.stopped().is_empty());
}

/// Stopping a source (SIGTERM) wakes the requests held by a Retry-After:
/// they end at once, and nothing more is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupt_ends_a_rate_limit_hold_at_once() {
    let (server, hits) =
        provider(|_, _| ResponseTemplate::new(429).insert_header("Retry-After", "60")).await;
    let cfg = config(&source_toml(
        "a",
        &server.uri(),
        "",
        "max_wait = \"5m\"\nconcurrency = 2",
    ));
    let engine = std::sync::Arc::new(engine(&cfg, memory_store()));
    let keys = keys(6);
    let stopper = {
        let engine = engine.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(700)).await;
            engine.interrupt("interrupted");
        })
    };
    let run = enrich(&engine, &keys, false).await;
    stopper.await.unwrap();

    assert!(run.elapsed < Duration::from_secs(5), "{:?}", run.elapsed);
    assert!(hits.len() <= 2, "{} calls", hits.len());
    assert_eq!(run.errors.len(), 6, "every account stays to be resumed");
}

/// A 403 that speaks of credits says the credits are spent, not that the
/// key was refused; both stop the source.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_403_about_credits_is_out_of_credits_not_a_bad_key() {
    for (body, want) in [
        (
            r#"{"error":"You have exhausted your credits"}"#,
            "out of credits",
        ),
        (r#"{"error":"Invalid API key"}"#, "refused the API key"),
    ] {
        let (server, _hits) =
            provider(move |_, _| ResponseTemplate::new(403).set_body_string(body)).await;
        let cfg = config(&source_toml("a", &server.uri(), "", "concurrency = 1"));
        let engine = engine(&cfg, memory_store());
        enrich(&engine, &keys(2), false).await;
        let stopped = engine.stopped();
        assert_eq!(stopped.len(), 1);
        assert!(stopped[0].1.contains(want), "{}", stopped[0].1);
    }
}

/// A bulk call of fewer domains than a full batch costs its share of
/// `cost_per_call`, so `--max-credits` lets every domain it pays for go.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_bulk_call_costs_its_share_of_the_budget() {
    let (server, hits) = provider(|h, _| company(h, 60, "Software")).await;
    let cfg = config(&source_toml(
        "bulk",
        &server.uri(),
        "max_batch = 10",
        "cost_per_call = 10.0",
    ));
    let engine = engine_with(
        &cfg,
        memory_store(),
        EngineOptions {
            max_credits: Some(25.0),
            ..EngineOptions::default()
        },
    );
    let run = enrich(&engine, &keys(25), false).await;

    assert!(run.errors.is_empty(), "{:?}", run.errors);
    assert_eq!(hits.len(), 3, "calls of 10, 10 and 5");
    let r = &engine.reports()["bulk"];
    assert_eq!((r.found, r.credits), (25, 25.0));
    assert!(engine.stopped().is_empty());
}
