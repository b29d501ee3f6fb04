//! Accounts, requests, responses and outcomes: the data exchanged between
//! the engine and a source.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::manifest::Manifest;

/// One account as a source sees it: its key (a registrable domain, an
/// e-mail or a handle) and the fields already known, as text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub key: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
}

/// A field value as a source delivers it: a number, text, a list, a date
/// (ISO text), or dated events. The engine types it by the manifest.
pub type FieldValue = serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    Get,
    Post,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum DnsRecordType {
    A,
    Aaaa,
    Mx,
    Txt,
    Cname,
}

/// What a source asks the host to do. Secrets are written
/// `${secret:NAME}` (see [`secret_ref`]) and substituted by the host.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Request {
    Http {
        method: HttpMethod,
        url: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        headers: Vec<(String, String)>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
    },
    Dns {
        name: String,
        record_type: DnsRecordType,
    },
}

/// A request and the account keys it covers (several for a bulk call).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedRequest {
    /// Unique within one `plan` call; responses carry it back.
    pub id: String,
    pub keys: Vec<String>,
    pub request: Request,
}

/// What the host got back. For DNS, `status` is 0 and `answers` holds the
/// records as text (`10 aspmx.l.google.com.`, `v=spf1 include:...`).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Response {
    pub id: String,
    pub status: u16,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<String>,
}

impl Response {
    /// A header's value, case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What a source learned about one account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Fields found (a subset of the manifest's).
    Found {
        fields: BTreeMap<String, FieldValue>,
    },
    /// The provider does not know the account (404, an empty match): cached
    /// as such, not retried.
    NoData,
    /// The provider queued the lookup (202): ask again later; not "no data".
    Queued,
    /// This account failed; the row records the message and the run goes on.
    Failed { message: String },
}

/// The parse of one response: outcomes per account key, follow-up requests
/// (a multi-step lookup is a small state machine), and log lines (plugins do
/// no I/O, so they log by returning lines).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct ParseResult {
    #[serde(default)]
    pub outcomes: BTreeMap<String, Outcome>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follow_ups: Vec<PlannedRequest>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub logs: Vec<String>,
}

/// Errors a source reports for a whole call.
#[derive(Clone, Debug, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "error", content = "message", rename_all = "snake_case")]
pub enum SourceError {
    /// The source's settings are wrong: a config error, stop before the run.
    #[error("invalid settings: {0}")]
    Settings(String),
    /// The response has an unexpected shape: the covered accounts fail.
    #[error("malformed response: {0}")]
    Malformed(String),
    /// The key is refused (401/403) or the credits are gone (402): stop the
    /// source for this run and say so loudly.
    #[error("stopped: {0}")]
    Stopped(String),
    #[error("{0}")]
    Other(String),
}

/// The sans-IO protocol of a network source: plan requests, parse
/// responses. Implementations are pure: no sockets, threads or clocks.
pub trait Plan: Send + Sync {
    fn manifest(&self) -> &Manifest;

    /// Requests for a batch of at most `manifest().max_batch` accounts.
    fn plan(
        &self,
        accounts: &[Account],
        settings: &serde_json::Value,
    ) -> Result<Vec<PlannedRequest>, SourceError>;

    /// The outcome of one performed request.
    fn parse(
        &self,
        request: &PlannedRequest,
        response: &Response,
    ) -> Result<ParseResult, SourceError>;

    /// One account's answer from the outcomes of every request that covered
    /// it, as `(request id, outcome)` in the order the requests were
    /// planned (a request the host could not perform is a `Failed` part).
    /// The default [`merge_outcomes`]; a source that asks several questions
    /// per account (a page and its DNS records) weighs them here.
    fn combine(&self, key: &str, parts: Vec<(String, Outcome)>) -> Outcome {
        let _ = key;
        merge_outcomes(parts.into_iter().map(|(_, o)| o))
    }
}

/// The default [`Plan::combine`]: fields found by several requests add up
/// (the first value of a field wins), found beats no data, and any answer
/// beats a failure. No parts is "no data".
pub fn merge_outcomes(parts: impl IntoIterator<Item = Outcome>) -> Outcome {
    use Outcome::*;
    let mut acc: Option<Outcome> = None;
    for new in parts {
        acc = Some(match (acc.take(), new) {
            (None, new) => new,
            (Some(Found { mut fields }), Found { fields: more }) => {
                for (k, v) in more {
                    fields.entry(k).or_insert(v);
                }
                Found { fields }
            }
            (Some(old @ Found { .. }), _) => old,
            (Some(_), new @ Found { .. }) => new,
            (Some(Failed { .. }), new) => new,
            (Some(old), _) => old,
        });
    }
    acc.unwrap_or(NoData)
}

/// What the engine calls: enrich a batch of accounts, one outcome per key.
/// Network sources get this from the host's adapter over [`Plan`].
#[async_trait::async_trait]
pub trait Source: Send + Sync {
    fn manifest(&self) -> &Manifest;

    async fn enrich(&self, accounts: &[Account]) -> Result<BTreeMap<String, Outcome>, SourceError>;

    /// One line on what a local source loaded (rows read, kept, skipped
    /// and the first reason), for the run summary; `None` for others.
    fn load_summary(&self) -> Option<String> {
        None
    }
}

/// What one account got from one source, as the engine keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Enriched {
    pub source: String,
    pub key: String,
    pub outcome: Outcome,
    /// Unix seconds when the provider answered (provenance and cache TTL).
    pub fetched_at: i64,
}

/// How a planned request refers to a secret: `${secret:NAME}`.
pub fn secret_ref(name: &str) -> String {
    format!("${{secret:{name}}}")
}
