//! Batch runs, events and the run webhook over a real socket.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use icp_engine::Config;
use icp_server::{AppState, router};
use serde_json::{Value, json};
use sha2::Sha256;

const TOKEN: &str = "runs-token-7a1e";
const SECRET: &str = "whsec-3b9d";

const PROFILE: &str = r#"
name = "fit"
entity = "account"

[tiers]
tier1 = 5
tier2 = 2

[[traits]]
name = "Software"
when = 'industry in ["Software"]'
weight = 3

[[traits]]
name = "Series B"
when = 'funding_stage in ["Series B"]'
weight = 2
"#;

struct Server {
    base: String,
    client: reqwest::Client,
    dir: tempfile::TempDir,
}

fn profile(src: &str) -> icp_core::Profile {
    let day = icp_core::day_number(chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
    let loaded = icp_core::load(src, day);
    loaded
        .profile
        .unwrap_or_else(|| panic!("{:?}", loaded.diagnostics))
}

fn config(dir: &Path, serve: &str) -> Config {
    std::fs::write(
        dir.join("companies.csv"),
        "Domain,Headcount,Industry,Funding Stage\nacme.com,20,Retail,Series B\nsoft.io,80,Software,Series B\n",
    )
    .unwrap();
    let text = format!(
        "store = \"store.db\"\n[[sources]]\nname = \"company-list\"\nplugin = \"firmographic-file\"\nsettings = {{ path = \"companies.csv\", columns = {{ employees = \"Headcount\" }} }}\n[serve]\n{serve}"
    );
    let path = dir.join("icp.toml");
    std::fs::write(&path, text).unwrap();
    Config::load(&path).unwrap()
}

async fn start(serve: &str) -> Server {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), serve);
    let profiles = vec![profile(PROFILE)];
    let store: Arc<dyn icp_store::Store> =
        Arc::new(icp_store::SqliteStore::open(&cfg.store_path()).unwrap());
    let engine = icp_server::build_engine(&cfg, store.clone(), &profiles, |_| None).unwrap();
    let env = |v: &str| (v == "HOOK_SECRET").then(|| SECRET.to_string());
    let state = AppState::new_with_env(&cfg, store, profiles, engine, Some(TOKEN.into()), env)
        .unwrap()
        .with_webhook_retries(Duration::from_millis(20), 5);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router(Arc::new(state))).await });
    Server {
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        dir,
    }
}

impl Server {
    async fn send(&self, method: &str, path: &str, body: Option<String>) -> (u16, Value) {
        let mut req = self
            .client
            .request(method.parse().unwrap(), format!("{}{path}", self.base))
            .header("authorization", format!("Bearer {TOKEN}"));
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")),
        )
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send("POST", path, Some(body.to_string())).await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send("GET", path, None).await
    }

    /// Poll the run until it is no longer running (5 s at most).
    async fn finished(&self, id: i64) -> Value {
        for _ in 0..250 {
            let (status, v) = self.get(&format!("/v1/runs/{id}")).await;
            assert_eq!(status, 200, "{v}");
            if v["status"] != "running" {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("run {id} did not finish");
    }
}

fn error_of(v: &Value, code: &str) -> String {
    let e = v["error"].as_object().unwrap_or_else(|| panic!("{v}"));
    assert_eq!(e["code"], code, "{v}");
    e["message"].as_str().unwrap().to_string()
}

fn accounts() -> Value {
    json!({"accounts": [
        {"domain": "acme.com"},
        {"website": "https://www.soft.io/about"},
        {"domain": "unknown.org", "industry": "Software"}
    ]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrich_answers_202_and_the_run_ends_done_with_scores() {
    let s = start("").await;
    let (status, v) = s.post("/v1/enrich", accounts()).await;
    assert_eq!(status, 202, "{v}");
    assert_eq!(v["status"], "running");
    let id = v["run_id"].as_i64().unwrap();
    let run = s.finished(id).await;
    assert_eq!(run["status"], "done", "{run}");
    assert_eq!(run["label"], "api enrich");
    assert_eq!(run["as_of"], "2026-11-20");
    assert!(run["finished_at"].as_i64().unwrap() >= run["started_at"].as_i64().unwrap());
    assert_eq!(run["summary"]["accounts"], 3);
    // soft.io: Software (enriched) + Series B = 5 -> tier 1; acme.com:
    // Series B = 2 -> tier 2; unknown.org: Software (given) = 3 -> tier 2.
    assert_eq!(run["summary"]["tiers"], json!({"1": 1, "2": 2}), "{run}");
    assert!(
        run["summary"]["sources"]["company-list"].is_object(),
        "{run}"
    );
    assert!(run.get("scores").is_none());

    let (status, v) = s.get(&format!("/v1/runs/{id}?scores=true")).await;
    assert_eq!(status, 200);
    let scores = v["scores"].as_array().unwrap();
    let got: Vec<(&str, i64, &str)> = scores
        .iter()
        .map(|x| {
            (
                x["key"].as_str().unwrap(),
                x["score"].as_i64().unwrap(),
                x["tier"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("acme.com", 2, "2"),
            ("soft.io", 5, "1"),
            ("unknown.org", 3, "2")
        ]
    );
    assert_eq!(scores[1]["reasons"], "Software (+3); Series B (+2)");
    assert_eq!(v["next_after"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_scores_page_and_unknown_runs_are_404() {
    let s = start("").await;
    let (_, v) = s.post("/v1/enrich", accounts()).await;
    let id = v["run_id"].as_i64().unwrap();
    s.finished(id).await;
    let (status, p1) = s.get(&format!("/v1/runs/{id}?scores=true&limit=2")).await;
    assert_eq!(status, 200);
    let keys1: Vec<&str> = p1["scores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys1, ["acme.com", "soft.io"]);
    assert_eq!(p1["next_after"], "soft.io");
    let (_, p2) = s
        .get(&format!("/v1/runs/{id}?scores=true&limit=2&after=soft.io"))
        .await;
    assert_eq!(p2["scores"].as_array().unwrap().len(), 1);
    assert_eq!(p2["scores"][0]["key"], "unknown.org");
    assert_eq!(p2["next_after"], Value::Null);

    let (status, v) = s.get("/v1/runs/999999").await;
    assert_eq!(status, 404);
    assert!(error_of(&v, "not_found").contains("999999"));
    let (status, v) = s.get("/v1/runs/abc").await;
    assert_eq!(status, 404);
    error_of(&v, "not_found");
    let (status, v) = s.get(&format!("/v1/runs/{id}?scores=true&limit=0")).await;
    assert_eq!(status, 400);
    error_of(&v, "bad_request");
    // A token is needed.
    let resp = s
        .client
        .get(format!("{}/v1/runs/{id}", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrich_refuses_accounts_without_a_key_and_too_many_accounts() {
    let s = start("max_body = 1000000\n").await;
    let (status, v) = s
        .post(
            "/v1/enrich",
            json!({"accounts": [{"domain": "acme.com"}, {"industry": "Software"}]}),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    let m = error_of(&v, "unprocessable");
    assert!(m.contains("account 1:") && !m.contains("account 0:"), "{m}");
    let many: Vec<Value> = (0..10_001).map(|_| json!({"domain": "a.com"})).collect();
    let (status, v) = s.post("/v1/enrich", json!({"accounts": many})).await;
    assert_eq!(status, 422, "{v}");
    assert!(error_of(&v, "unprocessable").contains("at most 10000"));
    let (status, v) = s
        .post(
            "/v1/enrich",
            json!({"accounts": [{"domain": "acme.com"}], "profile": "nope"}),
        )
        .await;
    assert_eq!(status, 404, "{v}");
    // Nothing was started by the refused requests.
    let (status, _) = s.get("/v1/runs/1").await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_are_appended_and_an_intent_source_reads_them() {
    let s = start("events_file = \"events/api.csv\"\n").await;
    let (status, v) = s
        .post(
            "/v1/events",
            json!({"events": [
                {"domain": "acme.com", "type": "pricing_page_visit", "timestamp": "2026-11-18T14:03:00Z", "topic": "CRM"},
                {"email": "jane@soft.io", "type": "Demo Request", "timestamp": 1763474580, "weight": 7.5}
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v, json!({"accepted": 2}));
    let (status, _) = s
        .post(
            "/v1/events",
            json!({"events": [{"domain": "acme.com", "type": "webinar", "timestamp": "2026-11-19"}]}),
        )
        .await;
    assert_eq!(status, 200);
    let path = s.dir.path().join("events/api.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(
        text.starts_with("domain,email,type,timestamp,topic,weight\n"),
        "{text}"
    );

    let src = icp_source_intent_events::IntentEvents::open(
        &json!({"path": "events/api.csv"}),
        s.dir.path(),
    )
    .unwrap();
    let acme = src.entries("acme.com").unwrap();
    assert_eq!(acme.len(), 2, "{acme:?}");
    let soft = src.entries("soft.io").unwrap();
    assert_eq!(soft.len(), 1);
    assert_eq!(soft[0].weight, 7.5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_event_is_422_by_index_and_nothing_is_written() {
    let s = start("events_file = \"api-events.csv\"\n").await;
    let (status, v) = s
        .post(
            "/v1/events",
            json!({"events": [
                {"domain": "acme.com", "type": "page_visit", "timestamp": "2026-11-18"},
                {"domain": "acme.com", "type": "page_visit", "timestamp": "not a date"},
                {"email": "bob@gmail.com", "type": "page_visit", "timestamp": "2026-11-18"},
                {"domain": "acme.com", "timestamp": "2026-11-18", "weight": -1}
            ]}),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    let m = error_of(&v, "unprocessable");
    assert!(!m.contains("event 0:"), "{m}");
    for needle in [
        "event 1: `timestamp`",
        "event 2: email",
        "event 3: no `type`",
        "event 3: `weight`",
    ] {
        assert!(m.contains(needle), "{needle}: {m}");
    }
    assert!(!s.dir.path().join("api-events.csv").exists());
    // Without events_file the route says how to turn it on.
    let s = start("").await;
    let (status, v) = s
        .post(
            "/v1/events",
            json!({"events": [{"domain": "acme.com", "type": "page_visit", "timestamp": "2026-11-18"}]}),
        )
        .await;
    assert_eq!(status, 404);
    assert!(error_of(&v, "not_found").contains("events_file"));
}

fn verify(header: &str, body: &[u8]) -> bool {
    let Some((t, v1)) = header.strip_prefix("t=").and_then(|r| r.split_once(",v1=")) else {
        return false;
    };
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let want: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    want == v1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webhook_is_signed_and_retried_after_a_500() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let hook = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&hook)
        .await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(ResponseTemplate::new(200))
        .with_priority(2)
        .mount(&hook)
        .await;
    let s = start(&format!(
        "webhook_url = \"{}/hook\"\nwebhook_secret = \"${{HOOK_SECRET}}\"\n",
        hook.uri()
    ))
    .await;
    let (_, v) = s.post("/v1/enrich", accounts()).await;
    let id = v["run_id"].as_i64().unwrap();
    s.finished(id).await;
    let mut received = Vec::new();
    for _ in 0..250 {
        received = hook.received_requests().await.unwrap();
        if received.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(received.len(), 2, "one 500, then the retry");
    for r in &received {
        let sig = r.headers.get("x-icp-signature").unwrap().to_str().unwrap();
        assert!(verify(sig, &r.body), "{sig}");
        assert!(!verify(sig, b"{}"), "the signature covers the body");
        let t: i64 = sig[2..sig.find(',').unwrap()].parse().unwrap();
        assert!((t - icp_engine::unix_now()).abs() < 60);
    }
    let body: Value = serde_json::from_slice(&received[1].body).unwrap();
    assert_eq!(body["run_id"], id);
    assert_eq!(body["status"], "done");
    assert_eq!(body["accounts"], 3);
    assert_eq!(body["tiers"], json!({"1": 1, "2": 2}));
    assert!(body["finished_at"].is_i64());
    assert_eq!(body.as_object().unwrap().len(), 5);
}

#[test]
fn a_literal_webhook_secret_is_refused() {
    let e = Config::parse("[serve]\nwebhook_secret = \"hunter2\"\n", "c.toml")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("webhook_secret") && !e.contains("hunter2"),
        "{e}"
    );
}
