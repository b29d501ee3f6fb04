//! Helpers shared by the integration tests: build the source, answer its
//! requests the way the host does (responses, DNS answers, or failures),
//! and combine. No network.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use icp_plugin_sdk::{
    Account, DnsRecordType, Outcome, ParseResult, Plan, PlannedRequest, Request, Response,
    SourceError,
};
use icp_source_technographic_web::TechnographicWeb;
use serde_json::Value;

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn fixture(name: &str) -> String {
    let p = fixtures_dir().join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

pub fn source(settings: Value) -> TechnographicWeb {
    TechnographicWeb::new(&settings, &fixtures_dir())
        .unwrap_or_else(|e| panic!("settings {settings}: {e}"))
}

pub fn source_in(settings: Value, dir: &Path) -> TechnographicWeb {
    TechnographicWeb::new(&settings, dir).unwrap_or_else(|e| panic!("settings {settings}: {e}"))
}

/// The settings error `settings` give (with `base_dir`), without the
/// `technographic-web: ` prefix.
pub fn settings_error_in(settings: Value, dir: &Path) -> String {
    match TechnographicWeb::new(&settings, dir) {
        Ok(_) => panic!("expected a settings error for {settings}"),
        Err(SourceError::Settings(m)) => m
            .strip_prefix("technographic-web: ")
            .unwrap_or_else(|| panic!("no prefix: {m}"))
            .to_string(),
        Err(e) => panic!("expected a settings error, got {e:?}"),
    }
}

pub fn settings_error(settings: Value) -> String {
    settings_error_in(settings, &fixtures_dir())
}

pub fn account(key: &str) -> Vec<Account> {
    vec![Account {
        key: key.to_string(),
        fields: BTreeMap::new(),
    }]
}

pub fn plan(src: &TechnographicWeb, key: &str) -> Vec<PlannedRequest> {
    src.plan(&account(key), &Value::Null).unwrap()
}

/// What the host got for one request.
#[derive(Clone, Debug)]
pub enum Answer {
    Response(Response),
    /// The host could not perform it (timeout, refused, SSRF guard).
    Failed(String),
}

/// An HTTP answer; header names are lower-cased as the host does.
pub fn http(status: u16, headers: &[(&str, &str)], body: impl Into<String>) -> Answer {
    Answer::Response(Response {
        id: String::new(),
        status,
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.to_string()))
            .collect(),
        body: body.into(),
        answers: Vec::new(),
    })
}

/// An HTML page with status 200.
pub fn page(body: impl Into<String>, extra: &[(&str, &str)]) -> Answer {
    let mut h = vec![("content-type", "text/html; charset=utf-8")];
    h.extend_from_slice(extra);
    http(200, &h, body)
}

/// A DNS answer (NoError) with these records.
pub fn dns(answers: &[&str]) -> Answer {
    Answer::Response(Response {
        id: String::new(),
        status: 0,
        headers: Vec::new(),
        body: String::new(),
        answers: answers.iter().map(|a| a.to_string()).collect(),
    })
}

/// A DNS answer with a response code (2 SERVFAIL, 3 NXDOMAIN).
pub fn dns_rcode(code: u16) -> Answer {
    Answer::Response(Response {
        id: String::new(),
        status: code,
        ..Response::default()
    })
}

pub fn failed(message: &str) -> Answer {
    Answer::Failed(message.to_string())
}

/// The answers for one domain, by part.
#[derive(Clone, Debug)]
pub struct Site {
    pub home: Answer,
    pub refresh: Option<Answer>,
    pub mx: Answer,
    pub txt: Answer,
    pub cname: Answer,
}

impl Site {
    /// A site with this homepage and no DNS records (NoError, empty).
    pub fn new(home: Answer) -> Site {
        Site {
            home,
            refresh: None,
            mx: dns(&[]),
            txt: dns(&[]),
            cname: dns(&[]),
        }
    }
    pub fn mx(mut self, a: &[&str]) -> Site {
        self.mx = dns(a);
        self
    }
    pub fn txt(mut self, a: &[&str]) -> Site {
        self.txt = dns(a);
        self
    }
    pub fn cname(mut self, a: &[&str]) -> Site {
        self.cname = dns(a);
        self
    }
    pub fn refresh(mut self, a: Answer) -> Site {
        self.refresh = Some(a);
        self
    }

    fn answer(&self, req: &PlannedRequest) -> Answer {
        let part = req.id.rsplit_once('#').map(|(_, p)| p).unwrap_or("");
        match part {
            "home" => self.home.clone(),
            "refresh" => self
                .refresh
                .clone()
                .unwrap_or_else(|| failed("no refresh answer in this test")),
            "mx" => self.mx.clone(),
            "txt" => self.txt.clone(),
            "cname" => self.cname.clone(),
            other => panic!("unexpected request id part {other:?} ({})", req.id),
        }
    }
}

/// Everything one lookup did: the requests performed (follow-ups
/// included), each parse result, and the combined outcome.
#[derive(Debug)]
pub struct Run {
    pub requests: Vec<PlannedRequest>,
    pub parsed: Vec<(String, ParseResult)>,
    pub outcome: Outcome,
}

impl Run {
    pub fn fields(&self) -> &BTreeMap<String, Value> {
        match &self.outcome {
            Outcome::Found { fields } => fields,
            other => panic!("expected Found, got {other:?}"),
        }
    }

    pub fn text(&self, field: &str) -> &str {
        self.fields()
            .get(field)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no text field {field} in {:?}", self.fields()))
    }

    /// `technologies` (empty when left out).
    pub fn technologies(&self) -> Vec<String> {
        list(self.fields().get("technologies"))
    }

    pub fn categories(&self) -> Vec<String> {
        list(self.fields().get("technology_categories"))
    }

    /// `technology_details`, parsed.
    pub fn details(&self) -> Vec<Value> {
        serde_json::from_str(self.text("technology_details")).unwrap()
    }

    pub fn detail(&self, id: &str) -> Value {
        self.details()
            .into_iter()
            .find(|d| d["id"] == id)
            .unwrap_or_else(|| panic!("no detail for {id} in {}", self.text("technology_details")))
    }

    pub fn evidence(&self, id: &str) -> Vec<String> {
        self.detail(id)["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap().to_string())
            .collect()
    }

    pub fn logs(&self) -> Vec<String> {
        self.parsed
            .iter()
            .flat_map(|(_, p)| p.logs.clone())
            .collect()
    }
}

fn list(v: Option<&Value>) -> Vec<String> {
    match v {
        None => Vec::new(),
        Some(Value::Array(a)) => a.iter().map(|x| x.as_str().unwrap().to_string()).collect(),
        Some(other) => panic!("not a list: {other}"),
    }
}

/// Do what the host does for one account: plan, answer every request (and
/// follow-up), parse, and combine the parts in planned order.
pub fn run(src: &TechnographicWeb, key: &str, site: &Site) -> Run {
    let mut requests = Vec::new();
    let mut parsed = Vec::new();
    let mut parts: Vec<(String, Outcome)> = Vec::new();
    let mut wave = plan(src, key);
    for _ in 0..=4 {
        if wave.is_empty() {
            break;
        }
        let mut next = Vec::new();
        for req in &wave {
            requests.push(req.clone());
            match site.answer(req) {
                Answer::Failed(m) => parts.push((req.id.clone(), Outcome::Failed { message: m })),
                Answer::Response(mut resp) => {
                    resp.id = req.id.clone();
                    match src.parse(req, &resp) {
                        Ok(res) => {
                            for (k, o) in &res.outcomes {
                                assert_eq!(k, key, "an outcome for another key");
                                parts.push((req.id.clone(), o.clone()));
                            }
                            next.extend(res.follow_ups.clone());
                            parsed.push((req.id.clone(), res));
                        }
                        Err(e) => parts.push((
                            req.id.clone(),
                            Outcome::Failed {
                                message: e.to_string(),
                            },
                        )),
                    }
                }
            }
        }
        wave = next;
    }
    let outcome = src.combine(key, parts.clone());
    assert_eq!(
        src.combine(key, parts),
        outcome,
        "combine is not deterministic"
    );
    Run {
        requests,
        parsed,
        outcome,
    }
}

/// `(id, url or DNS name and type)` of planned requests, for assertions.
pub fn describe(reqs: &[PlannedRequest]) -> Vec<(String, String)> {
    reqs.iter()
        .map(|r| {
            let what = match &r.request {
                Request::Http { url, .. } => format!("GET {url}"),
                Request::Dns { name, record_type } => {
                    let t = match record_type {
                        DnsRecordType::Mx => "MX",
                        DnsRecordType::Txt => "TXT",
                        DnsRecordType::Cname => "CNAME",
                        DnsRecordType::A => "A",
                        DnsRecordType::Aaaa => "AAAA",
                    };
                    format!("{t} {name}")
                }
            };
            (r.id.clone(), what)
        })
        .collect()
}

pub fn headers_of(req: &PlannedRequest) -> Vec<(String, String)> {
    match &req.request {
        Request::Http { headers, .. } => headers.clone(),
        _ => panic!("not HTTP: {req:?}"),
    }
}

pub fn sorted(v: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = v.iter().map(|s| s.to_string()).collect();
    out.sort();
    out
}
