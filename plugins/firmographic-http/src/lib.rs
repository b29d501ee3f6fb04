//! `firmographic-http`: company lookups by domain over a provider's REST
//! API, declared in settings rather than coded.
//!
//! The source is sans-IO ([`Plan`]): [`Plan::plan`] turns a batch of
//! accounts into HTTP requests that refer to the API key as
//! `${secret:api_key}`, and [`Plan::parse`] turns each answer into
//! outcomes. The host performs every request (secret substitution, rate
//! limits, retries of 429/5xx/timeouts, stopping the source on 401/402/403).
//!
//! Everything provider-specific is a settings value: the URL template, the
//! method and body, how the key is sent, where the company object sits in
//! the answer, which JSON pointer holds each of our fields, which statuses
//! mean "no data" or "queued", the bulk endpoint and how its answers tie
//! back to domains, and the published rate limits. The presets
//! (`clearbit`, `apollo`, `pdl`; see [`PRESETS`] and [`preset_settings`])
//! are ready-made values of those settings, and the user's settings are laid
//! over them, so a new provider of this kind is config, not code. The
//! README documents every setting.
//!
//! Values keep the provider's form (no industry or country normalisation:
//! the scoring core does that); `null`s are absent fields.

mod presets;
mod response;
mod settings;
mod template;
mod values;

use icp_plugin_sdk::{
    Account, Category, FieldSpec, Manifest, ParseResult, Plan, PlannedRequest, Request, Response,
    SourceError, secret_ref,
};
use serde_json::Value;

pub use presets::{PRESETS, preset as preset_settings};
pub use settings::{DEFAULT_STOP_MESSAGES, KEYS as SETTINGS};

use settings::{Auth, Bulk, Config};
use template::{append_query, encode_component, fill_domain, fill_items};

/// The plugin name used in config (`plugin = "firmographic-http"`) and in
/// the manifest.
pub const PLUGIN_NAME: &str = "firmographic-http";

/// Request ids: `one-N` for single lookups, `bulk-N` for bulk calls.
const BULK_ID: &str = "bulk-";

/// A declarative REST company-lookup source.
#[derive(Debug, Clone)]
pub struct FirmographicHttp {
    config: Config,
    manifest: Manifest,
}

impl FirmographicHttp {
    /// Build the source from its settings (the `settings` table of its
    /// `[[sources]]` entry, as JSON). Bad settings are a
    /// [`SourceError::Settings`] naming the setting.
    pub fn new(settings: &Value) -> Result<FirmographicHttp, SourceError> {
        let config = Config::from_json(settings)?;
        let manifest = Manifest {
            name: PLUGIN_NAME.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            category: Category::Firmographic,
            key: "domain".to_string(),
            fields: config
                .fields
                .iter()
                .map(|f| FieldSpec {
                    name: f.name.clone(),
                    ty: f.ty,
                    about: format!("{}: {}", config.label, f.from.join(", else ")),
                })
                .collect(),
            max_batch: config.bulk.as_ref().map_or(1, |b| b.batch),
            limits: config.limits.clone(),
            cost_per_call: config.cost_per_call,
            secrets: config.secrets.clone(),
            untrusted_hosts: false,
        };
        Ok(FirmographicHttp { config, manifest })
    }

    /// The preset in use (`clearbit`, `apollo`, `pdl`), or `custom`.
    pub fn preset(&self) -> &str {
        &self.config.label
    }

    /// Whether calls go to the provider's bulk endpoint.
    pub fn bulk(&self) -> bool {
        self.config.bulk.is_some()
    }

    /// With bulk calls, the provider's maximum of domains per call
    /// (`bulk_endpoint.max_batch`; the manifest's `max_batch` is the
    /// `batch_size` in use).
    pub fn bulk_max(&self) -> Option<u32> {
        self.config.bulk.as_ref().map(|b| b.max_batch)
    }

    fn single_request(&self, domain: &str) -> Request {
        let c = &self.config;
        let mut url = c.single.url.render(&c.base_url, domain);
        self.add_query_auth(&mut url);
        let body = c
            .single
            .body
            .as_ref()
            .map(|tpl| serde_json::to_string(&fill_domain(tpl, domain)).unwrap_or_default());
        Request::Http {
            method: c.single.method,
            url,
            headers: self.headers(body.is_some()),
            body,
        }
    }

    fn bulk_request(&self, b: &Bulk, domains: &[String]) -> Request {
        let c = &self.config;
        let mut url = b.url.render(&c.base_url, "");
        if let Some(q) = &b.query_param {
            for d in domains {
                append_query(&mut url, q, &encode_component(d));
            }
        }
        self.add_query_auth(&mut url);
        let body = b.body.as_ref().map(|tpl| {
            let items = domains
                .iter()
                .map(|d| match &b.item {
                    Some(item) => fill_domain(item, d),
                    None => Value::String(d.clone()),
                })
                .collect();
            serde_json::to_string(&fill_items(tpl, &Value::Array(items))).unwrap_or_default()
        });
        Request::Http {
            method: b.method,
            url,
            headers: self.headers(body.is_some()),
            body,
        }
    }

    fn add_query_auth(&self, url: &mut String) {
        if let Auth::Query { name, secret } = &self.config.auth {
            append_query(url, name, &secret_ref(secret));
        }
    }

    fn headers(&self, json_body: bool) -> Vec<(String, String)> {
        let mut h = self.config.headers.clone();
        if json_body
            && !h
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        {
            h.push(("Content-Type".into(), "application/json".into()));
        }
        h
    }
}

impl Plan for FirmographicHttp {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// One request per domain, or one per `batch_size` domains with bulk
    /// calls. Blank and repeated keys are skipped (the host reads an
    /// account no answer mentions as no data). The settings were read at
    /// [`FirmographicHttp::new`]; the `settings` argument is not read again.
    fn plan(
        &self,
        accounts: &[Account],
        _settings: &Value,
    ) -> Result<Vec<PlannedRequest>, SourceError> {
        let mut keys: Vec<String> = Vec::with_capacity(accounts.len());
        for a in accounts {
            if !a.key.trim().is_empty() && !keys.contains(&a.key) {
                keys.push(a.key.clone());
            }
        }
        Ok(match &self.config.bulk {
            Some(b) => keys
                .chunks(b.batch.max(1) as usize)
                .enumerate()
                .map(|(n, chunk)| PlannedRequest {
                    id: format!("{BULK_ID}{n}"),
                    keys: chunk.to_vec(),
                    request: self.bulk_request(b, chunk),
                })
                .collect(),
            None => keys
                .into_iter()
                .enumerate()
                .map(|(n, key)| PlannedRequest {
                    id: format!("one-{n}"),
                    request: self.single_request(&key),
                    keys: vec![key],
                })
                .collect(),
        })
    }

    fn parse(
        &self,
        request: &PlannedRequest,
        response: &Response,
    ) -> Result<ParseResult, SourceError> {
        let bulk = self
            .config
            .bulk
            .as_ref()
            .filter(|_| request.id.starts_with(BULK_ID));
        response::parse(&self.config, bulk, request, response)
    }
}
