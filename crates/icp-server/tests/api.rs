//! The service over a real socket: auth, limits, the error shape, scoring
//! with and without enrichment, metrics and the OpenAPI document.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use icp_engine::Config;
use icp_server::{AppState, ROUTES, router};
use serde_json::{Value, json};

const TOKEN: &str = "test-token-5f2c";

const PROFILE: &str = r#"
name = "fit"
entity = "account"

[tiers]
tier1 = 5
tier2 = 2

[[filters]]
name = "50+ employees"
when = "employees >= 50"

[[filters]]
name = "Not in Antarctica"
when = 'country not in ["AQ"]'
on_missing = "keep"

[[traits]]
name = "Software"
when = 'industry in ["Software"]'
weight = 3

[[traits]]
name = "Series B"
when = 'funding_stage in ["Series B"]'
weight = 2

[[traits]]
name = "Tiny"
when = "employees < 60"
weight = -1
"#;

const OTHER: &str = r#"
name = "other"
entity = "account"

[[traits]]
name = "Any industry"
when = 'industry in ["Software", "Retail"]'
weight = 1
"#;

struct Server {
    base: String,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

fn profile(src: &str) -> icp_core::Profile {
    let day = icp_core::day_number(chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
    let loaded = icp_core::load(src, day);
    loaded
        .profile
        .unwrap_or_else(|| panic!("{:?}", loaded.diagnostics))
}

/// A config in a temp folder: a `firmographic-file` source over a CSV (the
/// store beside it) when `with_source`, and `extra` appended.
fn config(dir: &Path, with_source: bool, extra: &str) -> Config {
    std::fs::write(
        dir.join("companies.csv"),
        "Domain,Headcount,Industry,Funding Stage,Country\nacme.com,20,Retail,Series B,DE\n",
    )
    .unwrap();
    let mut text = String::from("store = \"store.db\"\n");
    if with_source {
        text.push_str(
            "[[sources]]\nname = \"company-list\"\nplugin = \"firmographic-file\"\nsettings = { path = \"companies.csv\", columns = { employees = \"Headcount\" } }\n",
        );
    }
    text.push_str(extra);
    let path = dir.join("icp.toml");
    std::fs::write(&path, text).unwrap();
    Config::load(&path).unwrap()
}

async fn start_with(with_source: bool, extra: &str, token: Option<&str>) -> Server {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), with_source, extra);
    let profiles = vec![profile(PROFILE), profile(OTHER)];
    let store: Arc<dyn icp_store::Store> =
        Arc::new(icp_store::SqliteStore::open(&cfg.store_path()).unwrap());
    let engine = icp_server::build_engine(&cfg, store.clone(), &profiles, |_| None).unwrap();
    assert_eq!(engine.is_some(), with_source);
    let state = AppState::new(&cfg, store, profiles, engine, token.map(str::to_string)).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router(Arc::new(state))).await });
    Server {
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        _dir: dir,
    }
}

async fn start() -> Server {
    start_with(true, "", Some(TOKEN)).await
}

impl Server {
    async fn post(&self, path_and_query: &str, token: Option<&str>, body: &str) -> (u16, Value) {
        let mut req = self
            .client
            .post(format!("{}{path_and_query}", self.base))
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let v = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        (status, v)
    }

    async fn get(&self, path: &str) -> (u16, String, String) {
        let resp = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let ct = resp
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (status, ct, resp.text().await.unwrap())
    }
}

/// The error shape, with the code expected; returns the message.
fn error_of(v: &Value, code: &str) -> String {
    let e = v["error"].as_object().unwrap_or_else(|| panic!("{v}"));
    assert_eq!(e.len(), 2, "{v}");
    assert_eq!(e["code"], code, "{v}");
    e["message"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_needs_no_token() {
    let s = start().await;
    let (status, ct, body) = s.get("/healthz").await;
    assert_eq!(status, 200);
    assert!(ct.starts_with("application/json"), "{ct}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"status": "ok"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn score_needs_the_right_bearer_token() {
    let s = start().await;
    let body = r#"{"domain": "acme.com", "employees": 250}"#;
    let (status, v) = s.post("/v1/score?enrich=false", None, body).await;
    assert_eq!(status, 401);
    let m = error_of(&v, "unauthorized");
    assert!(m.contains("Authorization: Bearer"), "{m}");
    let (status, v) = s.post("/v1/score?enrich=false", Some("nope"), body).await;
    assert_eq!(status, 401);
    let m = error_of(&v, "unauthorized");
    assert!(!m.contains(TOKEN) && !m.contains("nope"), "{m}");
    // A prefix of the token is not the token.
    let (status, _) = s
        .post(
            "/v1/score?enrich=false",
            Some(&TOKEN[..TOKEN.len() - 1]),
            body,
        )
        .await;
    assert_eq!(status, 401);
    // Basic auth is not a bearer token.
    let resp = s
        .client
        .post(format!("{}/v1/score?enrich=false", s.base))
        .header("authorization", format!("Basic {TOKEN}"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let (status, v) = s.post("/v1/score?enrich=false", Some(TOKEN), body).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["profile"], "fit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_token_the_state_serves_everyone() {
    let s = start_with(false, "", None).await;
    let (status, v) = s
        .post(
            "/v1/score",
            None,
            r#"{"domain": "acme.com", "employees": 250}"#,
        )
        .await;
    assert_eq!(status, 200, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_is_413() {
    let s = start_with(true, "[serve]\nmax_body = 100\n", Some(TOKEN)).await;
    let big = format!(r#"{{"domain": "acme.com", "note": "{}"}}"#, "x".repeat(200));
    let (status, v) = s.post("/v1/score", Some(TOKEN), &big).await;
    assert_eq!(status, 413);
    let m = error_of(&v, "payload_too_large");
    assert!(m.contains("100 bytes"), "{m}");
    // Just under the cap is fine.
    let small = format!(r#"{{"domain": "acme.com", "n": "{}"}}"#, "x".repeat(60));
    assert!(small.len() <= 100);
    let (status, v) = s.post("/v1/score?enrich=false", Some(TOKEN), &small).await;
    assert_eq!(status, 200, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_is_400_with_line_and_column() {
    let s = start().await;
    let (status, v) = s
        .post(
            "/v1/score",
            Some(TOKEN),
            "{\n  \"domain\": \"acme.com\",\n  \"employees\": ,\n}",
        )
        .await;
    assert_eq!(status, 400);
    let m = error_of(&v, "bad_request");
    assert!(m.contains("line 3") && m.contains("column 16"), "{m}");
    let (status, v) = s.post("/v1/score?enrich=maybe", Some(TOKEN), "{}").await;
    assert_eq!(status, 400);
    error_of(&v, "bad_request");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_that_are_not_accounts_are_422() {
    let s = start().await;
    let (status, v) = s.post("/v1/score", Some(TOKEN), "[1, 2]").await;
    assert_eq!(status, 422);
    let m = error_of(&v, "unprocessable");
    assert!(m.contains("JSON object") && m.contains("an array"), "{m}");
    let (status, v) = s
        .post(
            "/v1/score",
            Some(TOKEN),
            r#"{"domain": "acme.com", "hq": {"city": "Berlin"}}"#,
        )
        .await;
    assert_eq!(status, 422);
    let m = error_of(&v, "unprocessable");
    assert!(m.contains("`hq`") && m.contains("an object"), "{m}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_profile_is_404_and_lists_the_known_ones() {
    let s = start().await;
    let (status, v) = s
        .post(
            "/v1/score?profile=nope",
            Some(TOKEN),
            r#"{"domain": "acme.com"}"#,
        )
        .await;
    assert_eq!(status, 404);
    let m = error_of(&v, "not_found");
    assert!(m.contains("`nope`") && m.contains("fit, other"), "{m}");
    let (status, v) = s
        .post(
            "/v1/score?profile=other&enrich=false",
            Some(TOKEN),
            r#"{"industry": "Retail"}"#,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["profile"], "other");
    assert_eq!(v["score"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_routes_and_methods_answer_in_the_error_shape() {
    let s = start().await;
    let (status, _, body) = s.get("/v2/nothing").await;
    assert_eq!(status, 404);
    let m = error_of(&serde_json::from_str(&body).unwrap(), "not_found");
    assert!(m.contains("/v2/nothing"), "{m}");
    let (status, _, body) = s.get("/v1/score").await;
    assert_eq!(status, 405);
    error_of(&serde_json::from_str(&body).unwrap(), "method_not_allowed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrich_false_scores_the_given_fields_only() {
    let s = start().await;
    let (status, v) = s
        .post(
            "/v1/score?enrich=false",
            Some(TOKEN),
            r#"{"Website": "https://www.acme.com/about", "Number of Employees": 250, "industry": "Software", "technologies": ["snowflake", "hubspot"]}"#,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["domain"], "acme.com");
    assert_eq!(v["score"], 3);
    assert_eq!(v["fit"], 3);
    assert_eq!(v["intent"], 0);
    assert_eq!(v["tier"], "2");
    assert_eq!(v["excluded_by"], Value::Null);
    assert_eq!(v["reasons"], json!([{"name": "Software", "weight": 3}]));
    assert_eq!(v["unknown_filters"], json!(["Not in Antarctica"]));
    // 3 + 1 of 6 weight evaluable: Series B is unknown without the source.
    assert_eq!(v["coverage"], 0.67);
    assert_eq!(
        v["fields"]["Number of Employees"],
        json!({"value": 250, "source": "input"})
    );
    assert!(v["fields"].get("funding_stage").is_none(), "{v}");
    assert_eq!(v["errors"], json!([]));
    // No source was asked.
    let (_, _, metrics) = s.get("/metrics").await;
    assert!(
        metrics.contains("icp_source_calls_total{source=\"company-list\"} 0"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrichment_fills_gaps_and_the_given_fields_win() {
    let s = start().await;
    let (status, v) = s
        .post(
            "/v1/score",
            Some(TOKEN),
            r#"{"email": "jo@acme.com", "employees": 250, "industry": "Software"}"#,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["domain"], "acme.com");
    let f = &v["fields"];
    // The list says 20 employees and Retail: the request's values win.
    assert_eq!(f["employees"], json!({"value": 250, "source": "input"}));
    assert_eq!(
        f["industry"],
        json!({"value": "Software", "source": "input"})
    );
    assert_eq!(
        f["funding_stage"],
        json!({"value": "Series B", "source": "company-list"})
    );
    assert_eq!(f["country"]["source"], "company-list");
    assert_eq!(v["score"], 5);
    assert_eq!(v["tier"], "1");
    assert_eq!(v["excluded_by"], Value::Null);
    assert_eq!(v["unknown_filters"], json!([]));
    assert_eq!(v["coverage"], 1.0);
    assert_eq!(
        v["reasons"],
        json!([{"name": "Software", "weight": 3}, {"name": "Series B", "weight": 2}])
    );
    // Without the given headcount, the list's 20 excludes the account.
    let (status, v) = s
        .post("/v1/score", Some(TOKEN), r#"{"domain": "acme.com"}"#)
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["fields"]["employees"]["source"], "company-list");
    assert_eq!(v["tier"], "excluded");
    assert_eq!(v["excluded_by"], "50+ employees");
    let (_, _, metrics) = s.get("/metrics").await;
    assert!(
        metrics.contains("icp_source_found_total{source=\"company-list\"} 2"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fields_set_to_enriched_take_the_sources_value() {
    let s = start_with(true, "[fields]\nemployees = \"enriched\"\n", Some(TOKEN)).await;
    let (status, v) = s
        .post(
            "/v1/score",
            Some(TOKEN),
            r#"{"domain": "acme.com", "employees": 250}"#,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["fields"]["employees"]["source"], "company-list");
    assert_eq!(v["tier"], "excluded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_without_a_key_is_scored_and_says_why_it_was_not_enriched() {
    let s = start().await;
    let (status, v) = s
        .post(
            "/v1/score",
            Some(TOKEN),
            r#"{"employees": 250, "industry": "Software"}"#,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["domain"], Value::Null);
    assert_eq!(v["score"], 3);
    assert!(
        v["errors"][0].as_str().unwrap().contains("no company key"),
        "{v}"
    );
}

/// Checks Prometheus text exposition 0.0.4: HELP/TYPE before a family's
/// samples, well-formed sample lines, no duplicate series. Returns the
/// samples by series.
fn parse_prometheus(text: &str) -> BTreeMap<String, f64> {
    let mut typed: BTreeMap<String, String> = BTreeMap::new();
    let mut helped: BTreeSet<String> = BTreeSet::new();
    let mut samples = BTreeMap::new();
    for line in text.lines() {
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let name = rest.split(' ').next().unwrap();
            assert!(helped.insert(name.to_string()), "two HELP for {name}");
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut parts = rest.split(' ');
            let (name, kind) = (parts.next().unwrap(), parts.next().unwrap());
            assert!(
                ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                "{line}"
            );
            assert!(
                typed.insert(name.to_string(), kind.to_string()).is_none(),
                "{line}"
            );
            continue;
        }
        assert!(!line.starts_with('#'), "{line}");
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("{line}"));
        let name = series.split('{').next().unwrap();
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
                && !name.starts_with(|c: char| c.is_ascii_digit()),
            "{line}"
        );
        if let Some(labels) = series.strip_prefix(name)
            && !labels.is_empty()
        {
            assert!(labels.starts_with('{') && labels.ends_with('}'), "{line}");
            for pair in labels[1..labels.len() - 1].split(',') {
                let (k, v) = pair.split_once('=').unwrap_or_else(|| panic!("{line}"));
                assert!(
                    k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                    "{line}"
                );
                assert!(
                    v.starts_with('"') && v.ends_with('"') && v.len() >= 2,
                    "{line}"
                );
            }
        }
        let family = ["_bucket", "_sum", "_count", "_total"]
            .iter()
            .find_map(|s| name.strip_suffix(s).filter(|f| typed.contains_key(*f)))
            .filter(|f| typed[*f] == "histogram" || typed[*f] == "summary")
            .unwrap_or(name);
        assert!(typed.contains_key(family), "no TYPE before {line}");
        assert!(helped.contains(family), "no HELP before {line}");
        let v: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("{line}")),
        };
        assert!(
            samples.insert(series.to_string(), v).is_none(),
            "duplicate {line}"
        );
    }
    samples
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_parse_as_prometheus_text_and_count_the_requests() {
    let s = start().await;
    for _ in 0..2 {
        assert_eq!(s.get("/healthz").await.0, 200);
    }
    let (status, _) = s
        .post("/v1/score", Some(TOKEN), r#"{"domain": "acme.com"}"#)
        .await;
    assert_eq!(status, 200);
    let (status, _) = s.post("/v1/score", None, "{}").await;
    assert_eq!(status, 401);
    assert_eq!(s.get("/nowhere").await.0, 404);
    let (status, ct, text) = s.get("/metrics").await;
    assert_eq!(status, 200);
    assert!(ct.starts_with("text/plain; version=0.0.4"), "{ct}");
    let m = parse_prometheus(&text);
    assert_eq!(
        m[r#"icp_http_requests_total{route="/healthz",status="200"}"#],
        2.0
    );
    assert_eq!(
        m[r#"icp_http_requests_total{route="/v1/score",status="200"}"#],
        1.0
    );
    assert_eq!(
        m[r#"icp_http_requests_total{route="/v1/score",status="401"}"#],
        1.0
    );
    assert_eq!(
        m[r#"icp_http_requests_total{route="unmatched",status="404"}"#],
        1.0
    );
    // Refused requests never reach scoring.
    assert_eq!(m["icp_score_duration_seconds_count"], 1.0);
    assert_eq!(m[r#"icp_score_duration_seconds_bucket{le="+Inf"}"#], 1.0);
    assert!(m["icp_score_duration_seconds_sum"] > 0.0);
    assert_eq!(m[r#"icp_source_calls_total{source="company-list"}"#], 1.0);
    assert_eq!(m[r#"icp_source_found_total{source="company-list"}"#], 1.0);
    for name in [
        "icp_source_cache_hits_total",
        "icp_source_errors_total",
        "icp_source_throttled_total",
        "icp_source_retries_total",
        "icp_source_rate_limit_wait_seconds_total",
        "icp_source_credits_total",
    ] {
        assert_eq!(
            m[&format!("{name}{{source=\"company-list\"}}")],
            0.0,
            "{name}"
        );
    }
    // The parser rejects what Prometheus would.
    let bad =
        std::panic::catch_unwind(|| parse_prometheus("# TYPE a counter\n# HELP a x\na 1\na 2\n"));
    assert!(bad.is_err(), "a duplicate series must not parse");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_lists_every_route() {
    let s = start().await;
    let (status, ct, body) = s.get("/v1/openapi.json").await;
    assert_eq!(status, 200);
    assert!(ct.starts_with("application/json"), "{ct}");
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.clone(), path.clone()))
        })
        .collect();
    let routes: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(documented, routes);
    // Every route answers (not the 404 of an unknown route).
    for (method, path) in &routes {
        let resp = s
            .client
            .request(
                method.to_uppercase().parse().unwrap(),
                format!("{}{path}", s.base),
            )
            .send()
            .await
            .unwrap();
        assert_ne!(resp.status().as_u16(), 404, "{method} {path}");
        assert_ne!(resp.status().as_u16(), 405, "{method} {path}");
    }
    // Every error code of the code is in the document's enum.
    let codes =
        &doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"];
    for c in [
        "unauthorized",
        "payload_too_large",
        "bad_request",
        "unprocessable",
        "not_found",
        "method_not_allowed",
        "internal",
    ] {
        assert!(codes.as_array().unwrap().iter().any(|x| x == c), "{c}");
    }
}

#[tokio::test]
async fn without_a_pinned_date_the_profiles_follow_the_calendar() {
    use std::sync::atomic::{AtomicI64, Ordering};
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), false, "");
    let src = "name = \"recent\"\n[[traits]]\nname = \"Funded lately\"\nwhen = \"last_funding_date within 30d\"\nweight = 3\n";
    let offset = Arc::new(AtomicI64::new(0));
    let clock = offset.clone();
    let start = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let store: Arc<dyn icp_store::Store> =
        Arc::new(icp_store::SqliteStore::open(&cfg.store_path()).unwrap());
    let state = AppState::new(&cfg, store, vec![profile(src)], None, Some(TOKEN.into()))
        .unwrap()
        .with_rolling_as_of(vec![src.to_string()], move || {
            start + chrono::Days::new(clock.load(Ordering::SeqCst) as u64)
        });
    let state = Arc::new(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router(state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let s = Server {
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        _dir: dir,
    };
    let body = r#"{"domain": "acme.com", "last_funding_date": "2026-11-01"}"#;
    let (status, v) = s.post("/v1/score?enrich=false", Some(TOKEN), body).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["score"], 3, "funded 19 days before 2026-11-20: {v}");
    // Sixty days on, the same account's round is no longer recent.
    offset.store(60, Ordering::SeqCst);
    let (_, v) = s.post("/v1/score?enrich=false", Some(TOKEN), body).await;
    assert_eq!(v["score"], 0, "{v}");
    let today = icp_core::day_number(start + chrono::Days::new(60));
    assert_eq!(state.profiles()[0].as_of, today);
}
