//! Helpers shared by the integration tests: build the source, plan, and
//! feed recorded answers (tests/fixtures) to `parse`. No network.

#![allow(dead_code)]

use std::collections::BTreeMap;

use icp_plugin_sdk::{
    Account, FieldValue, HttpMethod, Outcome, ParseResult, Plan, PlannedRequest, Request, Response,
    SourceError,
};
use icp_source_firmographic_http::FirmographicHttp;
use serde_json::Value;

/// Where tests point every provider: nothing listens there, and nothing is
/// sent (plans are only inspected).
pub const BASE: &str = "http://127.0.0.1:9";

pub fn fixture(path: &str) -> String {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

pub fn fixture_json(path: &str) -> Value {
    serde_json::from_str(&fixture(path)).unwrap()
}

pub fn source(settings: Value) -> FirmographicHttp {
    FirmographicHttp::new(&settings).unwrap_or_else(|e| panic!("settings {settings}: {e}"))
}

pub fn settings_error(settings: Value) -> String {
    match FirmographicHttp::new(&settings) {
        Ok(s) => panic!("expected a settings error for {settings}, got {s:?}"),
        Err(SourceError::Settings(m)) => {
            assert!(m.starts_with("firmographic-http: "), "{m}");
            m
        }
        Err(e) => panic!("expected a settings error, got {e:?}"),
    }
}

pub fn accounts(keys: &[&str]) -> Vec<Account> {
    keys.iter()
        .map(|k| Account {
            key: k.to_string(),
            fields: BTreeMap::new(),
        })
        .collect()
}

pub fn plan(src: &FirmographicHttp, keys: &[&str]) -> Vec<PlannedRequest> {
    src.plan(&accounts(keys), &Value::Null).unwrap()
}

pub struct Http<'a> {
    pub method: HttpMethod,
    pub url: &'a str,
    pub headers: &'a [(String, String)],
    pub body: Option<&'a str>,
}

impl Http<'_> {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json_body(&self) -> Value {
        serde_json::from_str(self.body.expect("a body")).unwrap()
    }
}

pub fn http(req: &PlannedRequest) -> Http<'_> {
    match &req.request {
        Request::Http {
            method,
            url,
            headers,
            body,
        } => Http {
            method: *method,
            url,
            headers,
            body: body.as_deref(),
        },
        other => panic!("expected an HTTP request, got {other:?}"),
    }
}

pub fn respond(req: &PlannedRequest, status: u16, body: &str) -> Response {
    Response {
        id: req.id.clone(),
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_string(),
        answers: Vec::new(),
    }
}

/// Plan `keys` (one request expected) and parse `body` as its answer.
pub fn answer(
    src: &FirmographicHttp,
    keys: &[&str],
    status: u16,
    body: &str,
) -> Result<ParseResult, SourceError> {
    let planned = plan(src, keys);
    assert_eq!(planned.len(), 1, "one request expected for {keys:?}");
    src.parse(&planned[0], &respond(&planned[0], status, body))
}

pub fn found(r: &ParseResult, key: &str) -> BTreeMap<String, FieldValue> {
    match r.outcomes.get(key) {
        Some(Outcome::Found { fields }) => fields.clone(),
        other => panic!("{key}: expected found, got {other:?} (logs {:?})", r.logs),
    }
}

pub fn outcome<'a>(r: &'a ParseResult, key: &str) -> &'a Outcome {
    r.outcomes
        .get(key)
        .unwrap_or_else(|| panic!("no outcome for {key}: {:?}", r.outcomes))
}

pub fn keys_of(fields: &BTreeMap<String, FieldValue>) -> Vec<&str> {
    fields.keys().map(String::as_str).collect()
}
