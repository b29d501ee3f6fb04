//! `harbourline`: an example dynamic icp plugin, and the template to copy
//! for your own source.
//!
//! It looks companies up by domain at Harbourline, a fictional provider
//! (see the README for its API). Like every network source it is sans-IO:
//! [`Plan::plan`] turns a batch of accounts into HTTP requests and
//! [`Plan::parse`] turns each answer into outcomes. The host performs the
//! requests (rate limits, retries, cache, timeouts, size caps) and puts the
//! API key where a request says `${secret:api_key}`: the plugin never sees
//! it.
//!
//! The crate builds as a `cdylib` (the library `icp` loads) and as an
//! `rlib` (so its tests call it as plain Rust). [`export_plugin!`] at the
//! end of this file exports it: one C entry function,
//! `icp_plugin_entry_v1`, returning the table of functions the host calls.
//!
//! [`export_plugin!`]: icp_plugin_sdk::export_plugin

pub mod api;
mod settings;

use std::collections::{BTreeMap, BTreeSet};

use icp_plugin_sdk::{
    Account, Category, FieldSpec, FieldType, FieldValue, HttpMethod, Manifest, Outcome,
    ParseResult, Plan, PlannedRequest, RateLimit, Request, Response, SourceError, Unit, Window,
    secret_ref,
};
use serde_json::Value;

use api::{BulkAnswer, BulkQuery, Company, ErrorAnswer, SingleAnswer};
pub use settings::{DEFAULT_BASE_URL, KEYS as SETTINGS, Settings, Simulate};

/// The source's name in its manifest (and the usual `plugin` in config).
pub const PLUGIN_NAME: &str = "harbourline";

/// Domains per call of the bulk endpoint, and accounts per `plan` call.
pub const MAX_BATCH: u32 = 25;

/// The secret the requests refer to as `${secret:api_key}`.
pub const SECRET: &str = "api_key";

/// The header that carries the API key.
pub const KEY_HEADER: &str = "X-Harbour-Key";

/// The header `plan` adds when the settings say `simulate = "panic"`:
/// `parse` gets no settings, only the planned request and its answer, so
/// the switch travels in the request. Harbourline ignores it.
pub const SIMULATE_HEADER: &str = "X-Harbour-Simulate";

/// Longest provider text quoted in a message.
const MAX_QUOTE: usize = 160;

/// The Harbourline source. It holds only its manifest: the settings come
/// with each `plan` call, so one value serves every `[[sources]]` entry.
#[derive(Debug, Clone)]
pub struct Harbourline {
    manifest: Manifest,
}

impl Default for Harbourline {
    fn default() -> Self {
        Harbourline::new()
    }
}

impl Harbourline {
    pub fn new() -> Harbourline {
        let field = |name: &str, ty: FieldType, about: &str| FieldSpec {
            name: name.to_string(),
            ty,
            about: about.to_string(),
        };
        Harbourline {
            manifest: Manifest {
                name: PLUGIN_NAME.to_string(),
                version: env!("CARGO_PKG_VERSION").to_string(),
                category: Category::Firmographic,
                key: "domain".to_string(),
                fields: vec![
                    field(
                        "name",
                        FieldType::Text,
                        "company.trading_name, else company.legal_name",
                    ),
                    field(
                        "employees",
                        FieldType::Number,
                        "company.headcount, else company.headcount_band (\"201-500\")",
                    ),
                    field("industry", FieldType::Text, "company.industry.primary"),
                    field(
                        "country",
                        FieldType::Text,
                        "company.hq.country_iso (ISO 3166-1 alpha-2)",
                    ),
                    field("city", FieldType::Text, "company.hq.city"),
                    field("founded_year", FieldType::Number, "company.founded"),
                    field("technologies", FieldType::List, "company.stack[].name"),
                    field("funding_stage", FieldType::Text, "company.funding.stage"),
                    field(
                        "last_funding_date",
                        FieldType::Date,
                        "company.funding.last_round_on",
                    ),
                ],
                // Accounts per `plan` call, whatever `bulk` says: with
                // `bulk = false` a batch of 25 becomes 25 single lookups.
                max_batch: MAX_BATCH,
                limits: vec![RateLimit {
                    count: 120,
                    per: "1m".to_string(),
                    window: Window::Sliding,
                    unit: Unit::Calls,
                }],
                // One credit per call, single or bulk.
                cost_per_call: 1.0,
                secrets: vec![SECRET.to_string()],
                untrusted_hosts: false,
            },
        }
    }

    fn headers(&self, settings: &Settings, json_body: bool) -> Vec<(String, String)> {
        let mut h = vec![
            (KEY_HEADER.to_string(), secret_ref(SECRET)),
            ("Accept".to_string(), "application/json".to_string()),
        ];
        if json_body {
            h.push(("Content-Type".to_string(), "application/json".to_string()));
        }
        if settings.simulate == Some(Simulate::Panic) {
            h.push((SIMULATE_HEADER.to_string(), "panic".to_string()));
        }
        h
    }
}

impl Plan for Harbourline {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// With `bulk` (the default) one `POST /v2/companies/bulk` per 25
    /// domains (ids `bulk-0`, `bulk-1`, ...); without, one
    /// `GET /v2/companies/{domain}` per domain (`get-0`, ...). Blank and
    /// repeated keys are skipped (the host reads an account no answer
    /// mentions as no data). The settings are checked on every call, an
    /// empty batch included, so a host can check them up front.
    fn plan(
        &self,
        accounts: &[Account],
        settings: &Value,
    ) -> Result<Vec<PlannedRequest>, SourceError> {
        let settings = Settings::from_json(settings)?;
        let mut seen = BTreeSet::new();
        let domains: Vec<String> = accounts
            .iter()
            .map(|a| a.key.trim().to_string())
            .filter(|k| !k.is_empty() && seen.insert(k.clone()))
            .collect();
        if settings.bulk {
            Ok(domains
                .chunks(MAX_BATCH as usize)
                .enumerate()
                .map(|(n, chunk)| PlannedRequest {
                    id: format!("bulk-{n}"),
                    keys: chunk.to_vec(),
                    request: Request::Http {
                        method: HttpMethod::Post,
                        url: format!("{}/v2/companies/bulk", settings.base_url),
                        headers: self.headers(&settings, true),
                        body: serde_json::to_string(&BulkQuery { domains: chunk }).ok(),
                    },
                })
                .collect())
        } else {
            Ok(domains
                .into_iter()
                .enumerate()
                .map(|(n, domain)| PlannedRequest {
                    id: format!("get-{n}"),
                    request: Request::Http {
                        method: HttpMethod::Get,
                        url: format!(
                            "{}/v2/companies/{}",
                            settings.base_url,
                            path_segment(&domain)
                        ),
                        headers: self.headers(&settings, false),
                        body: None,
                    },
                    keys: vec![domain],
                })
                .collect())
        }
    }

    /// - 404 (unknown domain) and 422 (a domain Harbourline cannot look
    ///   up): no data for every covered account.
    /// - 2xx: the company's fields; `{"company": null}`, a domain missing
    ///   from a bulk answer, or a company without any of our fields: no data.
    ///   An answer of another shape is [`SourceError::Malformed`].
    /// - 401, 403 (key refused), 402 (credits spent): [`SourceError::Stopped`]
    ///   (the host normally stops the source before `parse` sees them).
    /// - Any other status: every covered account fails, naming the status.
    fn parse(
        &self,
        request: &PlannedRequest,
        response: &Response,
    ) -> Result<ParseResult, SourceError> {
        let Request::Http {
            method, headers, ..
        } = &request.request
        else {
            return Err(SourceError::Other(format!(
                "{PLUGIN_NAME}: request `{}` is not an HTTP request, and this source plans no other",
                short(&request.id)
            )));
        };
        if headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case(SIMULATE_HEADER) && v == "panic")
        {
            panic!("{PLUGIN_NAME}: a simulated panic in parse (settings: simulate = \"panic\")");
        }
        let mut out = ParseResult::default();
        match response.status {
            404 | 422 => {
                if response.status == 422 {
                    out.logs.push(format!(
                        "{PLUGIN_NAME}: HTTP 422{}: no data",
                        error_reason(&response.body)
                    ));
                }
                for key in &request.keys {
                    out.outcomes.insert(key.clone(), Outcome::NoData);
                }
            }
            401 | 403 => {
                return Err(SourceError::Stopped(format!(
                    "{PLUGIN_NAME}: HTTP {} from Harbourline: the API key was refused; check the source's `{SECRET}` secret",
                    response.status
                )));
            }
            402 => {
                return Err(SourceError::Stopped(format!(
                    "{PLUGIN_NAME}: HTTP 402 from Harbourline: the account's credits are spent"
                )));
            }
            200..=299 => match method {
                HttpMethod::Get => parse_single(request, response, &mut out)?,
                HttpMethod::Post => parse_bulk(request, response, &mut out)?,
            },
            status => {
                let message = format!(
                    "HTTP {status} from Harbourline{}",
                    error_reason(&response.body)
                );
                for key in &request.keys {
                    out.outcomes.insert(
                        key.clone(),
                        Outcome::Failed {
                            message: message.clone(),
                        },
                    );
                }
            }
        }
        Ok(out)
    }
}

/// The answer to `GET /v2/companies/{domain}`.
fn parse_single(
    request: &PlannedRequest,
    response: &Response,
    out: &mut ParseResult,
) -> Result<(), SourceError> {
    let answer: SingleAnswer = read(&response.body, "lookup")?;
    for key in &request.keys {
        let outcome = outcome(key, answer.company.as_ref(), &mut out.logs);
        out.outcomes.insert(key.clone(), outcome);
    }
    Ok(())
}

/// The answer to `POST /v2/companies/bulk`: each result is tied back to a
/// requested domain by its `query`; domains it leaves out are no data.
fn parse_bulk(
    request: &PlannedRequest,
    response: &Response,
    out: &mut ParseResult,
) -> Result<(), SourceError> {
    let answer: BulkAnswer = read(&response.body, "bulk")?;
    let mut by_query: BTreeMap<String, Option<&Company>> = BTreeMap::new();
    let mut strangers = 0;
    for result in &answer.results {
        let query = result.query.trim().to_ascii_lowercase();
        if !request.keys.iter().any(|k| k.eq_ignore_ascii_case(&query)) {
            strangers += 1;
            continue;
        }
        // A domain answered twice: the first answer counts.
        by_query.entry(query).or_insert(result.company.as_ref());
    }
    if strangers > 0 {
        out.logs.push(format!(
            "{PLUGIN_NAME}: the bulk answer held {strangers} result(s) for domains not asked for; ignored"
        ));
    }
    for key in &request.keys {
        let company = by_query
            .get(&key.trim().to_ascii_lowercase())
            .copied()
            .flatten();
        let outcome = outcome(key, company, &mut out.logs);
        out.outcomes.insert(key.clone(), outcome);
    }
    Ok(())
}

/// Parse a 2xx body as `T`, or say briefly why it is not one.
fn read<T: serde::de::DeserializeOwned>(body: &str, what: &str) -> Result<T, SourceError> {
    if body.trim().is_empty() {
        return Err(SourceError::Malformed(format!(
            "{PLUGIN_NAME}: the {what} answer is empty"
        )));
    }
    serde_json::from_str(body).map_err(|e| {
        SourceError::Malformed(format!(
            "{PLUGIN_NAME}: the {what} answer is not the expected JSON: {}",
            short(&e.to_string())
        ))
    })
}

fn outcome(key: &str, company: Option<&Company>, logs: &mut Vec<String>) -> Outcome {
    let Some(company) = company else {
        return Outcome::NoData;
    };
    let fields = fields(company, logs);
    if fields.is_empty() {
        logs.push(format!(
            "{PLUGIN_NAME}: `{}`: the company has none of our fields; no data",
            short(key)
        ));
        Outcome::NoData
    } else {
        Outcome::Found { fields }
    }
}

/// Our fields from a company. Blank values are left out: never `""` or
/// `[]`.
pub fn fields(c: &Company, logs: &mut Vec<String>) -> BTreeMap<String, FieldValue> {
    let mut f = BTreeMap::new();
    let mut text = |name: &str, v: Option<&String>| {
        if let Some(v) = v.map(|s| s.trim()).filter(|s| !s.is_empty()) {
            f.insert(name.to_string(), Value::from(v));
            true
        } else {
            false
        }
    };
    if !text("name", c.trading_name.as_ref()) {
        text("name", c.legal_name.as_ref());
    }
    text(
        "industry",
        c.industry.as_ref().and_then(|i| i.primary.as_ref()),
    );
    text(
        "country",
        c.hq.as_ref().and_then(|h| h.country_iso.as_ref()),
    );
    text("city", c.hq.as_ref().and_then(|h| h.city.as_ref()));
    text(
        "funding_stage",
        c.funding.as_ref().and_then(|f| f.stage.as_ref()),
    );
    match c.headcount {
        Some(n) => {
            f.insert("employees".to_string(), Value::from(n));
        }
        None => {
            // A band ("201-500") is text the scoring core reads as a range.
            let band = c.headcount_band.as_deref().map(str::trim).unwrap_or("");
            if band.bytes().any(|b| b.is_ascii_digit()) {
                f.insert("employees".to_string(), Value::from(band));
            } else if !band.is_empty() {
                logs.push(format!(
                    "{PLUGIN_NAME}: company.headcount_band has no figure; employees left out"
                ));
            }
        }
    }
    if let Some(year) = c.founded.filter(|y| *y > 0) {
        f.insert("founded_year".to_string(), Value::from(year));
    }
    let mut seen = BTreeSet::new();
    let stack: Vec<Value> = c
        .stack
        .iter()
        .flatten()
        .filter_map(|t| t.name.as_deref().map(str::trim))
        .filter(|n| !n.is_empty() && seen.insert(n.to_ascii_lowercase()))
        .map(Value::from)
        .collect();
    if !stack.is_empty() {
        f.insert("technologies".to_string(), Value::Array(stack));
    }
    let last_round = c
        .funding
        .as_ref()
        .and_then(|f| f.last_round_on.as_deref())
        .map(str::trim)
        .unwrap_or("");
    if is_iso_date(last_round) {
        f.insert("last_funding_date".to_string(), Value::from(last_round));
    } else if !last_round.is_empty() {
        logs.push(format!(
            "{PLUGIN_NAME}: company.funding.last_round_on is not a YYYY-MM-DD date; last_funding_date left out"
        ));
    }
    f
}

/// `YYYY-MM-DD` with a real month and day.
fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = &s[r];
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => return false,
    };
    y >= 1000 && (1..=days).contains(&d)
}

/// `: code (message)` from an error body, or nothing.
fn error_reason(body: &str) -> String {
    let Ok(ErrorAnswer { error: Some(e) }) = serde_json::from_str::<ErrorAnswer>(body) else {
        return String::new();
    };
    let code = e.code.as_deref().map(str::trim).unwrap_or("");
    let message = e.message.as_deref().map(str::trim).unwrap_or("");
    match (code.is_empty(), message.is_empty()) {
        (true, true) => String::new(),
        (false, true) => format!(": {}", short(code)),
        (true, false) => format!(": {}", short(message)),
        (false, false) => format!(": {} ({})", short(code), short(message)),
    }
}

/// One line of at most [`MAX_QUOTE`] characters.
fn short(s: &str) -> String {
    let one = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > MAX_QUOTE {
        format!("{}...", one.chars().take(MAX_QUOTE - 3).collect::<String>())
    } else {
        one
    }
}

/// A domain as one URL path segment: unreserved characters as they are,
/// every other byte percent-encoded.
fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

icp_plugin_sdk::export_plugin!(Harbourline::new());
