//! What a source declares about itself.

use serde::{Deserialize, Serialize};

/// The kind of data a source provides; sources of one category form a
/// waterfall.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Firmographic,
    Technographic,
    Intent,
    Member,
}

/// The type of a provided field, matching icp-core's value kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Number,
    Text,
    List,
    Date,
    /// Dated intent events (`[{"date": "...", "weight": 1.0, "topic": "..."}]`),
    /// decayed at scoring time, never in the source.
    Events,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldSpec {
    /// A canonical field (`employees`, `industry`, ...) or the source's own.
    pub name: String,
    #[serde(rename = "type")]
    pub ty: FieldType,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub about: String,
}

/// How a provider counts its window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    #[default]
    Sliding,
    Fixed,
}

/// What a limit counts: calls, or records (a bulk call of 50 spends 50).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    #[default]
    Calls,
    Records,
}

/// A limit stated the way providers state it: `count` per `per`
/// (`"1s"`, `"10s"`, `"1m"`, `"1h"`, `"1d"`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimit {
    pub count: u32,
    pub per: String,
    #[serde(default)]
    pub window: Window,
    #[serde(default)]
    pub unit: Unit,
}

impl RateLimit {
    /// The window length in seconds, or `None` if `per` is not a duration.
    pub fn per_seconds(&self) -> Option<u64> {
        let t = self.per.trim();
        let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let (n, unit) = t.split_at(split);
        let n: u64 = if n.is_empty() { 1 } else { n.parse().ok()? };
        let per = match unit {
            "s" | "sec" | "second" => 1,
            "m" | "min" | "minute" => 60,
            "h" | "hour" => 3600,
            "d" | "day" => 86_400,
            _ => return None,
        };
        (n > 0).then_some(n * per)
    }
}

/// A source's self-description.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub name: String,
    pub version: String,
    pub category: Category,
    /// The account key the source needs: `domain`, `email` or `handle`.
    pub key: String,
    pub fields: Vec<FieldSpec>,
    /// Accounts per `plan` call: 1 without a bulk endpoint, else the
    /// provider's batch size (10, 25, 100).
    #[serde(default = "one")]
    pub max_batch: u32,
    /// The provider's published limits; config may override them.
    #[serde(default)]
    pub limits: Vec<RateLimit>,
    /// Credits one call costs (config may override).
    #[serde(default)]
    pub cost_per_call: f64,
    /// Secrets the source's requests refer to as `${secret:NAME}`.
    #[serde(default)]
    pub secrets: Vec<String>,
    /// The source fetches hosts named by account data (a company's own
    /// website), not a provider's API. The host then refuses private,
    /// loopback and link-local addresses after DNS resolution (unless the
    /// source's settings say `allow_private = true`), checks every redirect
    /// hop, and truncates a large page instead of refusing it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub untrusted_hosts: bool,
}

fn one() -> u32 {
    1
}

impl Manifest {
    /// Problems that make the manifest unusable, for loaders and the
    /// conformance kit.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.name.trim().is_empty() {
            out.push("the manifest has no name".to_string());
        }
        if self.fields.is_empty() {
            out.push(format!("source `{}` provides no fields", self.name));
        }
        if self.max_batch == 0 {
            out.push(format!(
                "source `{}` has max_batch 0: use 1 for sources without a bulk endpoint",
                self.name
            ));
        }
        if !matches!(self.key.as_str(), "domain" | "email" | "handle") {
            out.push(format!(
                "source `{}` needs key `{}`: expected domain, email or handle",
                self.name, self.key
            ));
        }
        for l in &self.limits {
            if l.count == 0 || l.per_seconds().is_none() {
                out.push(format!(
                    "source `{}` has an unusable limit {} per {:?}",
                    self.name, l.count, l.per
                ));
            }
        }
        let mut names: Vec<&str> = self.fields.iter().map(|f| f.name.as_str()).collect();
        names.sort_unstable();
        if names.windows(2).any(|w| w[0] == w[1]) {
            out.push(format!("source `{}` lists a field twice", self.name));
        }
        out
    }
}
