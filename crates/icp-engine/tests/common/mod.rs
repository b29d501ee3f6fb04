//! Helpers of the orchestrator tests: a sans-IO test plugin, a recording
//! wiremock responder, engine construction and a tracing capture.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use icp_engine::{Built, Config, Engine, EngineOptions, Estimate, FieldMask};
use icp_plugin_sdk::{
    Account, Category, FieldSpec, FieldType, HttpMethod, Manifest, Outcome, ParseResult, Plan,
    PlannedRequest, RateLimit, Request, Response, SourceError, secret_ref,
};
use icp_store::{SqliteStore, Store};
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Respond, ResponseTemplate, matchers::any};

/// The API key the tests hand the engine through `TEST_KEY`.
/// With `+`, `/` and `=`, as base64-style keys have: it must reach the
/// provider as it is, percent-encoded in a query.
pub const SECRET: &str = "sk_test_9f8e+7d6c/5b4a=";

/// The fields the "profiles" of the tests need.
pub fn needed() -> Vec<String> {
    vec!["employees".to_string(), "industry".to_string()]
}

/// The environment of the tests: only `TEST_KEY` is set.
pub fn env(var: &str) -> Option<String> {
    (var == "TEST_KEY").then(|| SECRET.to_string())
}

// ---------------------------------------------------------------------------
// The test plugin

/// A firmographic source in the style of the providers: `GET
/// {base_url}/v1/company?domain=D` with `X-Api-Key`, or a bulk `POST
/// {base_url}/v1/companies/bulk` when `max_batch` > 1.
///
/// Settings: `base_url`, `max_batch` (default 1), `limits` (the manifest's
/// published limits, default none), `key_in_query` (also send the key as
/// `api_key=` in the URL).
pub struct TestPlan {
    manifest: Manifest,
    base_url: String,
    key_in_query: bool,
}

impl TestPlan {
    pub fn new(settings: &Value) -> TestPlan {
        let limits: Vec<RateLimit> = settings
            .get("limits")
            .map(|l| serde_json::from_value(l.clone()).expect("limits in settings"))
            .unwrap_or_default();
        let max_batch = settings
            .get("max_batch")
            .and_then(Value::as_u64)
            .unwrap_or(1) as u32;
        TestPlan {
            manifest: Manifest {
                name: "test-firmographic".into(),
                version: "0.0.1".into(),
                category: Category::Firmographic,
                key: "domain".into(),
                fields: vec![
                    FieldSpec {
                        name: "employees".into(),
                        ty: FieldType::Number,
                        about: String::new(),
                    },
                    FieldSpec {
                        name: "industry".into(),
                        ty: FieldType::Text,
                        about: String::new(),
                    },
                ],
                max_batch,
                limits,
                cost_per_call: 0.0,
                secrets: vec!["api_key".into()],
                untrusted_hosts: false,
            },
            base_url: settings
                .get("base_url")
                .and_then(Value::as_str)
                .expect("base_url in settings")
                .trim_end_matches('/')
                .to_string(),
            key_in_query: settings
                .get("key_in_query")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        }
    }
}

fn snippet(body: &str) -> String {
    body.chars().take(120).collect()
}

fn fields_of(v: &Value) -> BTreeMap<String, Value> {
    ["employees", "industry"]
        .into_iter()
        .filter_map(|f| {
            v.get(f)
                .filter(|x| !x.is_null())
                .map(|x| (f.to_string(), x.clone()))
        })
        .collect()
}

impl Plan for TestPlan {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn plan(
        &self,
        accounts: &[Account],
        _settings: &Value,
    ) -> Result<Vec<PlannedRequest>, SourceError> {
        let key_header = ("X-Api-Key".to_string(), secret_ref("api_key"));
        if self.manifest.max_batch > 1 {
            let domains: Vec<&str> = accounts.iter().map(|a| a.key.as_str()).collect();
            return Ok(vec![PlannedRequest {
                id: "bulk".into(),
                keys: accounts.iter().map(|a| a.key.clone()).collect(),
                request: Request::Http {
                    method: HttpMethod::Post,
                    url: format!("{}/v1/companies/bulk", self.base_url),
                    headers: vec![
                        key_header,
                        ("Content-Type".into(), "application/json".into()),
                    ],
                    body: Some(json!({ "domains": domains }).to_string()),
                },
            }]);
        }
        Ok(accounts
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let mut url = format!("{}/v1/company?domain={}", self.base_url, a.key);
                if self.key_in_query {
                    url.push_str("&api_key=");
                    url.push_str(&secret_ref("api_key"));
                }
                PlannedRequest {
                    id: i.to_string(),
                    keys: vec![a.key.clone()],
                    request: Request::Http {
                        method: HttpMethod::Get,
                        url,
                        headers: vec![key_header.clone()],
                        body: None,
                    },
                }
            })
            .collect())
    }

    fn parse(
        &self,
        request: &PlannedRequest,
        response: &Response,
    ) -> Result<ParseResult, SourceError> {
        let mut out = ParseResult {
            // Plugins log by returning lines; this one echoes what it got.
            logs: vec![format!(
                "{} -> HTTP {}: {}",
                request.id,
                response.status,
                snippet(&response.body)
            )],
            ..ParseResult::default()
        };
        match response.status {
            200 => {
                let v: Value = serde_json::from_str(&response.body).map_err(|e| {
                    SourceError::Malformed(format!("{e} in {:?}", snippet(&response.body)))
                })?;
                if self.manifest.max_batch > 1 {
                    let companies = v
                        .get("companies")
                        .and_then(Value::as_array)
                        .ok_or_else(|| SourceError::Malformed("no `companies` list".into()))?;
                    for c in companies {
                        let Some(d) = c.get("domain").and_then(Value::as_str) else {
                            continue;
                        };
                        if request.keys.iter().any(|k| k == d) {
                            out.outcomes.insert(
                                d.to_string(),
                                Outcome::Found {
                                    fields: fields_of(c),
                                },
                            );
                        }
                    }
                } else {
                    for k in &request.keys {
                        out.outcomes.insert(
                            k.clone(),
                            Outcome::Found {
                                fields: fields_of(&v),
                            },
                        );
                    }
                }
            }
            404 => {
                for k in &request.keys {
                    out.outcomes.insert(k.clone(), Outcome::NoData);
                }
            }
            status => {
                for k in &request.keys {
                    out.outcomes.insert(
                        k.clone(),
                        Outcome::Failed {
                            message: format!("HTTP {status}: {}", snippet(&response.body)),
                        },
                    );
                }
            }
        }
        Ok(out)
    }
}

// ---------------------------------------------------------------------------
// The mock provider

/// One request as the mock provider received it.
#[derive(Clone, Debug)]
pub struct Hit {
    pub at: Instant,
    pub method: String,
    pub path: String,
    /// The `domain` query parameter, if any.
    pub domain: Option<String>,
    /// The domains of a bulk call's body.
    pub domains: Vec<String>,
    pub api_key: Option<String>,
    pub url: String,
}

/// Every request the mock received, in arrival order.
#[derive(Clone, Default)]
pub struct Hits(Arc<Mutex<Vec<Hit>>>);

impl Hits {
    pub fn all(&self) -> Vec<Hit> {
        self.0.lock().unwrap().clone()
    }

    pub fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    pub fn times(&self) -> Vec<Instant> {
        self.all().iter().map(|h| h.at).collect()
    }

    /// Domains asked for, one by one or in bulk, sorted.
    pub fn domains(&self) -> Vec<String> {
        let mut d: Vec<String> = self
            .all()
            .into_iter()
            .flat_map(|h| h.domain.into_iter().chain(h.domains))
            .collect();
        d.sort();
        d
    }
}

/// A wiremock responder that records each arrival and answers with
/// `answer(hit, index)`, where index counts arrivals from 0.
pub struct Scripted<F> {
    hits: Hits,
    answer: F,
}

impl<F> Respond for Scripted<F>
where
    F: Fn(&Hit, usize) -> ResponseTemplate + Send + Sync,
{
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let at = Instant::now();
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let hit = Hit {
            at,
            method: request.method.to_string(),
            path: request.url.path().to_string(),
            domain: request
                .url
                .query_pairs()
                .find(|(k, _)| k == "domain")
                .map(|(_, v)| v.into_owned()),
            domains: body
                .get("domains")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|d| d.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
            api_key: request
                .headers
                .get("x-api-key")
                .and_then(|v| v.to_str().ok())
                .map(String::from),
            url: request.url.to_string(),
        };
        let index = {
            let mut all = self.hits.0.lock().unwrap();
            all.push(hit.clone());
            all.len() - 1
        };
        (self.answer)(&hit, index)
    }
}

/// A mock provider on 127.0.0.1 answering every request with `answer`.
pub async fn provider<F>(answer: F) -> (MockServer, Hits)
where
    F: Fn(&Hit, usize) -> ResponseTemplate + Send + Sync + 'static,
{
    let server = MockServer::start().await;
    let hits = Hits::default();
    Mock::given(any())
        .respond_with(Scripted {
            hits: hits.clone(),
            answer,
        })
        .mount(&server)
        .await;
    (server, hits)
}

/// A 200 with the company's fields (a bulk answer for bulk calls).
pub fn company(hit: &Hit, employees: u64, industry: &str) -> ResponseTemplate {
    if hit.domains.is_empty() {
        ResponseTemplate::new(200).set_body_json(json!({
            "domain": hit.domain, "employees": employees, "industry": industry
        }))
    } else {
        let companies: Vec<Value> = hit
            .domains
            .iter()
            .map(|d| json!({ "domain": d, "employees": employees, "industry": industry }))
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({ "companies": companies }))
    }
}

// ---------------------------------------------------------------------------
// The engine

/// One `[[sources]]` entry of the test plugin; `extra` is more TOML keys.
pub fn source_toml(name: &str, base_url: &str, settings: &str, extra: &str) -> String {
    let settings = if settings.is_empty() {
        format!("{{ base_url = \"{base_url}\" }}")
    } else {
        format!("{{ base_url = \"{base_url}\", {settings} }}")
    };
    format!(
        "[[sources]]\nname = \"{name}\"\nplugin = \"test-firmographic\"\nsettings = {settings}\nsecrets = {{ api_key = \"${{TEST_KEY}}\" }}\n{extra}\n"
    )
}

pub fn config(toml_text: &str) -> Config {
    Config::parse(toml_text, "test.toml").unwrap_or_else(|e| panic!("{e}\n{toml_text}"))
}

pub fn memory_store() -> Arc<dyn Store> {
    Arc::new(SqliteStore::open_in_memory().unwrap())
}

pub fn engine_with(cfg: &Config, store: Arc<dyn Store>, options: EngineOptions) -> Engine {
    Engine::with_plugins(
        cfg,
        store,
        &needed(),
        options,
        env,
        |plugin, settings, _dir| {
            assert_eq!(plugin, "test-firmographic");
            Ok(Built::Plan(Arc::new(TestPlan::new(settings))))
        },
    )
    .unwrap_or_else(|e| panic!("engine: {e}"))
}

pub fn engine(cfg: &Config, store: Arc<dyn Store>) -> Engine {
    engine_with(cfg, store, EngineOptions::default())
}

/// `n` account keys.
pub fn keys(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("co{i:02}.com")).collect()
}

pub struct Run {
    pub errors: HashMap<usize, Vec<String>>,
    pub estimates: BTreeMap<String, Estimate>,
    pub present: Vec<FieldMask>,
    pub elapsed: std::time::Duration,
}

impl Run {
    /// Every error line of the run.
    pub fn error_lines(&self) -> Vec<String> {
        self.errors.values().flatten().cloned().collect()
    }
}

pub async fn enrich(engine: &Engine, keys: &[String], dry_run: bool) -> Run {
    let mut present = vec![0 as FieldMask; keys.len()];
    let started = Instant::now();
    let (errors, estimates) = engine
        .enrich(keys, &mut present, dry_run, &|_, _| {})
        .await
        .expect("the run completes");
    Run {
        errors,
        estimates,
        present,
        elapsed: started.elapsed(),
    }
}

// ---------------------------------------------------------------------------
// Tracing capture

/// A minimal subscriber that keeps every event's fields as text.
#[derive(Clone, Default)]
pub struct Capture(pub Arc<Mutex<Vec<String>>>);

struct Fields(String);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={:?}", field.name(), value));
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push_str(&format!(" {}={}", field.name(), value));
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut f = Fields(String::new());
        span.record(&mut f);
        self.0.lock().unwrap().push(format!("span{}", f.0));
        tracing::span::Id::from_u64(1)
    }

    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut f = Fields(String::new());
        values.record(&mut f);
        self.0.lock().unwrap().push(format!("record{}", f.0));
    }

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        let mut f = Fields(String::new());
        event.record(&mut f);
        self.0.lock().unwrap().push(format!("event{}", f.0));
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

impl Capture {
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}
