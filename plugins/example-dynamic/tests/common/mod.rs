//! Helpers shared by the integration tests: plan, and feed recorded answers
//! (tests/fixtures) to `parse`. Nothing is sent anywhere.

#![allow(dead_code)]

use std::collections::BTreeMap;

use icp_example_dynamic::Harbourline;
use icp_plugin_sdk::{
    Account, FieldValue, HttpMethod, Outcome, ParseResult, Plan, PlannedRequest, Request, Response,
    SourceError,
};
use serde_json::{Value, json};

/// Where the tests point Harbourline: nothing listens there, and nothing is
/// sent (plans are only inspected).
pub const BASE: &str = "http://127.0.0.1:9";

pub fn fixture(path: &str) -> String {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

pub fn single() -> Value {
    json!({ "base_url": BASE, "bulk": false })
}

pub fn bulk() -> Value {
    json!({ "base_url": BASE })
}

pub fn accounts(keys: &[&str]) -> Vec<Account> {
    keys.iter()
        .map(|k| Account {
            key: k.to_string(),
            fields: BTreeMap::new(),
        })
        .collect()
}

pub fn plan(settings: &Value, keys: &[&str]) -> Vec<PlannedRequest> {
    Harbourline::new()
        .plan(&accounts(keys), settings)
        .unwrap_or_else(|e| panic!("plan {keys:?} with {settings}: {e}"))
}

pub fn settings_error(settings: Value) -> String {
    match Harbourline::new().plan(&accounts(&["a.com"]), &settings) {
        Ok(r) => panic!("expected a settings error for {settings}, got {r:?}"),
        Err(SourceError::Settings(m)) => {
            assert!(m.starts_with("harbourline: "), "{m}");
            m
        }
        Err(e) => panic!("expected a settings error for {settings}, got {e:?}"),
    }
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
    settings: &Value,
    keys: &[&str],
    status: u16,
    body: &str,
) -> Result<ParseResult, SourceError> {
    let planned = plan(settings, keys);
    assert_eq!(planned.len(), 1, "one request expected for {keys:?}");
    Harbourline::new().parse(&planned[0], &respond(&planned[0], status, body))
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

pub fn malformed(r: Result<ParseResult, SourceError>) -> String {
    match r {
        Err(SourceError::Malformed(m)) => {
            assert!(m.starts_with("harbourline: "), "{m}");
            assert!(m.chars().count() <= 300, "a long message: {m}");
            m
        }
        other => panic!("expected a malformed-answer error, got {other:?}"),
    }
}
