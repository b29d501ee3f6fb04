//! The source's settings: a preset laid under the user's table, checked and
//! resolved into a [`Config`].

use std::collections::BTreeSet;

use icp_plugin_sdk::{FieldType, HttpMethod, RateLimit, SourceError, secret_ref};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::PLUGIN_NAME;
use crate::presets::{PRESETS, canonical, preset};
use crate::template::{UrlTemplate, has_items_slot, json_contains};
use crate::values::{FieldMap, default_type};

/// Settings keys, in the order the README documents them.
pub const KEYS: &[&str] = &[
    "preset",
    "base_url",
    "bulk",
    "batch_size",
    "url",
    "method",
    "body",
    "headers",
    "auth",
    "root",
    "fields",
    "no_data_status",
    "queued_status",
    "stop_messages",
    "limits",
    "cost_per_call",
    "bulk_endpoint",
];

const BULK_KEYS: &[&str] = &[
    "url",
    "method",
    "max_batch",
    "query_param",
    "body",
    "item",
    "items",
    "key",
    "root",
    "status",
];

/// Phrases in a response's error fields that mean the credits are gone
/// (checked lower-case, in `error`, `message`, `error_message`,
/// `error_code`, `detail` and `errors` only, never in company data).
pub const DEFAULT_STOP_MESSAGES: &[&str] = &[
    "insufficient credit",
    "insufficient_credits",
    "not enough credit",
    "out of credits",
    "no credits left",
    "no credits remaining",
    "no remaining credits",
    "credits exhausted",
    "credits have been exhausted",
    "exhausted your credits",
    "credit limit reached",
    "reached your credit limit",
    "account maximum",
    "all matches used",
    "payment_required",
    "payment required",
    "quota exceeded",
    "exceeded your quota",
];

pub(crate) fn settings_error(message: impl std::fmt::Display) -> SourceError {
    SourceError::Settings(format!("{PLUGIN_NAME}: {message}"))
}

/// How a request carries the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    None,
    Header { name: String, secret: String },
    Bearer { secret: String },
    Query { name: String, secret: String },
}

/// The single-lookup endpoint.
#[derive(Debug, Clone)]
pub struct Single {
    pub method: HttpMethod,
    pub url: UrlTemplate,
    /// A JSON body template (`{domain}` in its strings), POST only.
    pub body: Option<Value>,
}

/// The bulk endpoint and how to read its answer.
#[derive(Debug, Clone)]
pub struct Bulk {
    pub method: HttpMethod,
    pub url: UrlTemplate,
    /// The provider's maximum per call.
    pub max_batch: u32,
    /// Accounts per call (`batch_size`, at most `max_batch`).
    pub batch: u32,
    /// Domains as a repeated query parameter (`domains[]`).
    pub query_param: Option<String>,
    /// A JSON body template whose string `"{items}"` becomes the list of items.
    pub body: Option<Value>,
    /// One item per domain (`{domain}` in its strings); default: the domain.
    pub item: Option<Value>,
    /// Pointer to the array of answers in the body (`""`: the body).
    pub items: String,
    /// Pointers, in an answer, to the domain that ties it to an account.
    pub key: Vec<String>,
    /// Pointer, in an answer, to the company object.
    pub root: String,
    /// Pointer, in an answer, to its own HTTP-like status.
    pub status: Option<String>,
}

/// Settings resolved and checked.
#[derive(Debug, Clone)]
pub struct Config {
    /// The preset's name, or `custom`.
    pub label: String,
    pub base_url: String,
    pub single: Single,
    pub auth: Auth,
    /// Headers sent with every request (auth included), in order.
    pub headers: Vec<(String, String)>,
    pub root: String,
    pub fields: Vec<FieldMap>,
    pub no_data: Vec<u16>,
    pub queued: Vec<u16>,
    pub stop_messages: Vec<String>,
    /// Present when bulk calls are on.
    pub bulk: Option<Bulk>,
    pub limits: Vec<RateLimit>,
    pub cost_per_call: f64,
    pub secrets: Vec<String>,
}

impl Config {
    pub fn from_json(settings: &Value) -> Result<Config, SourceError> {
        let user = match settings {
            Value::Null => Map::new(),
            Value::Object(o) => o.clone(),
            other => {
                return Err(settings_error(format!(
                    "settings must be a table (e.g. settings = {{ preset = \"clearbit\" }}), not {}",
                    describe(other)
                )));
            }
        };
        check_keys(&user, KEYS, "")?;
        let preset_name: Option<String> = take(&user, "preset")?;
        let (label, merged) = match &preset_name {
            Some(name) => {
                let (Some(label), Some(base)) = (canonical(name), preset(name)) else {
                    return Err(settings_error(format!(
                        "unknown preset `{name}`: use {}, or leave `preset` out and describe the provider with url, auth, root and fields",
                        PRESETS.join(", ")
                    )));
                };
                (label.to_string(), merge(base, &user))
            }
            None => ("custom".to_string(), user),
        };
        resolve(label, &merged)
    }
}

/// The user's table over the preset's: entries replace entries, except in
/// `fields`, `headers` and `bulk_endpoint`, which merge by key.
fn merge(preset: Value, user: &Map<String, Value>) -> Map<String, Value> {
    let Value::Object(mut out) = preset else {
        return user.clone();
    };
    for (k, v) in user {
        let nested = matches!(k.as_str(), "fields" | "headers" | "bulk_endpoint");
        match (out.get_mut(k), v) {
            (Some(Value::Object(base)), Value::Object(over)) if nested => {
                for (kk, vv) in over {
                    if k == "headers" {
                        // Header names are case-insensitive.
                        base.retain(|name, _| !name.eq_ignore_ascii_case(kk));
                    }
                    base.insert(kk.clone(), vv.clone());
                }
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    out
}

fn resolve(label: String, s: &Map<String, Value>) -> Result<Config, SourceError> {
    // base_url
    let base_url = match take::<String>(s, "base_url")? {
        Some(u) => {
            let u = u.trim().trim_end_matches('/').to_string();
            let host = u
                .strip_prefix("https://")
                .or_else(|| u.strip_prefix("http://"))
                .unwrap_or("");
            if host.is_empty() || host.starts_with('/') {
                return Err(settings_error(format!(
                    "base_url `{u}` is not an http(s) URL, e.g. https://api.example.com"
                )));
            }
            u
        }
        None => String::new(),
    };

    // The single endpoint.
    let Some(url) = take::<String>(s, "url")? else {
        return Err(settings_error(
            "`url` is missing: set a preset (clearbit, apollo, pdl) or a url template such as \"{base_url}/v1/companies/find?domain={domain}\"",
        ));
    };
    let url = UrlTemplate::parse(url.trim(), &["base_url", "domain"])
        .map_err(|e| settings_error(format!("url: {e}")))?;
    let method = parse_method(s, "method", HttpMethod::Get)?;
    let body: Option<Value> = take(s, "body")?;
    if body.is_some() && method == HttpMethod::Get {
        return Err(settings_error(
            "body: a request body needs method = \"POST\"",
        ));
    }
    if !url.uses_domain() && !body.as_ref().is_some_and(|b| json_contains(b, "{domain}")) {
        return Err(settings_error(
            "url: the request must carry the domain: put {domain} in url (or in body)",
        ));
    }
    let mut uses_base = url.uses_base_url();

    // Auth and headers.
    let mut secrets: BTreeSet<String> = BTreeSet::new();
    let auth = parse_auth(s.get("auth"))?;
    let mut headers: Vec<(String, String)> = Vec::new();
    if let Some(h) = s.get("headers") {
        let Value::Object(h) = h else {
            return Err(settings_error(format!(
                "headers must be a table of name = \"value\", not {}",
                describe(h)
            )));
        };
        for (name, value) in h {
            let Value::String(value) = value else {
                return Err(settings_error(format!(
                    "headers.{name} must be text, not {}",
                    describe(value)
                )));
            };
            if value.is_empty() {
                continue; // removes a preset's header
            }
            check_header(name, value)?;
            headers.push((name.clone(), value.clone()));
        }
    }
    match &auth {
        Auth::None => {}
        Auth::Header { name, secret } => {
            headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
            headers.insert(0, (name.clone(), secret_ref(secret)));
            secrets.insert(secret.clone());
        }
        Auth::Bearer { secret } => {
            headers.retain(|(n, _)| !n.eq_ignore_ascii_case("authorization"));
            headers.insert(
                0,
                (
                    "Authorization".into(),
                    format!("Bearer {}", secret_ref(secret)),
                ),
            );
            secrets.insert(secret.clone());
        }
        Auth::Query { secret, .. } => {
            secrets.insert(secret.clone());
        }
    }

    // The response.
    let root = take::<String>(s, "root")?.unwrap_or_default();
    check_pointer(&root, "root")?;
    let fields = parse_fields(s.get("fields"))?;
    let no_data = parse_statuses(s, "no_data_status", &[404, 422])?;
    let queued = parse_statuses(s, "queued_status", &[202])?;
    if let Some(both) = no_data.iter().find(|c| queued.contains(c)) {
        return Err(settings_error(format!(
            "status {both} is in both no_data_status and queued_status"
        )));
    }
    let stop_messages = match take::<Vec<String>>(s, "stop_messages")? {
        Some(v) => v
            .into_iter()
            .map(|m| m.trim().to_lowercase())
            .filter(|m| !m.is_empty())
            .collect(),
        None => DEFAULT_STOP_MESSAGES
            .iter()
            .map(|m| m.to_string())
            .collect(),
    };

    // Bulk.
    let endpoint = match s.get("bulk_endpoint") {
        None | Some(Value::Null) => None,
        Some(b) => Some(b),
    };
    let bulk_on = match take::<bool>(s, "bulk")? {
        Some(b) => b,
        None => endpoint.is_some(),
    };
    let batch_size: Option<u32> = take(s, "batch_size")?;
    let bulk = if bulk_on {
        let Some(endpoint) = endpoint else {
            return Err(settings_error(if label == "custom" {
                "bulk = true needs a bulk_endpoint table (url, max_batch, query_param or body, key)"
                    .to_string()
            } else {
                format!("preset {label} has no bulk endpoint: leave bulk out or set bulk = false")
            }));
        };
        let b = parse_bulk(endpoint, batch_size)?;
        uses_base |= b.url.uses_base_url();
        Some(b)
    } else {
        if let Some(n) = batch_size.filter(|n| *n != 1) {
            return Err(settings_error(format!(
                "batch_size {n} needs bulk calls (bulk = true and a bulk endpoint); without them every call carries one domain"
            )));
        }
        None
    };
    if uses_base && base_url.is_empty() {
        return Err(settings_error(
            "base_url is missing: the url template uses {base_url}; set e.g. base_url = \"https://api.example.com\"",
        ));
    }
    // The host sends HTTP(S) only: a template must give an http(s) URL.
    check_http_url(&url, &base_url, "url")?;
    if let Some(b) = &bulk {
        check_http_url(&b.url, &base_url, "bulk_endpoint.url")?;
    }

    // Limits and cost.
    let limits = take::<Vec<RateLimit>>(s, "limits")?.unwrap_or_default();
    for l in &limits {
        if l.count == 0 || l.per_seconds().is_none() {
            return Err(settings_error(format!(
                "limits: {} per {:?} is not a usable limit: write e.g. {{ count = 600, per = \"1m\" }} (per: 1s, 10s, 1m, 1h, 1d)",
                l.count, l.per
            )));
        }
    }
    let max_batch = bulk.as_ref().map_or(1, |b| b.batch);
    let cost_per_call = match take::<f64>(s, "cost_per_call")? {
        Some(c) if c.is_finite() && c >= 0.0 => c,
        Some(c) => {
            return Err(settings_error(format!(
                "cost_per_call {c} must be a number of credits, 0 or more"
            )));
        }
        // One credit per account looked up: providers bill matches, so a
        // bulk call costs at most its batch.
        None => f64::from(max_batch),
    };

    // Every `${secret:NAME}` a request can carry.
    let mut texts: Vec<String> = headers.iter().map(|(_, v)| v.clone()).collect();
    texts.push(serde_json::to_string(&s.get("url")).unwrap_or_default());
    texts.push(serde_json::to_string(&s.get("body")).unwrap_or_default());
    texts.push(serde_json::to_string(&s.get("bulk_endpoint")).unwrap_or_default());
    for t in &texts {
        secrets.extend(secret_names(t));
    }

    Ok(Config {
        label,
        base_url,
        single: Single { method, url, body },
        auth,
        headers,
        root,
        fields,
        no_data,
        queued,
        stop_messages,
        bulk,
        limits,
        cost_per_call,
        secrets: secrets.into_iter().collect(),
    })
}

/// A URL template must render to `http://` or `https://` and a host.
fn check_http_url(url: &UrlTemplate, base_url: &str, at: &str) -> Result<(), SourceError> {
    let probe = url.render(base_url, "example.com");
    let host = probe
        .strip_prefix("https://")
        .or_else(|| probe.strip_prefix("http://"))
        .and_then(|rest| rest.split(['/', '?', '#']).next())
        .unwrap_or("");
    if host.is_empty() {
        return Err(settings_error(format!(
            "{at}: the template does not give an http(s) URL (for example.com: `{probe}`): start it with {{base_url}} or https://"
        )));
    }
    Ok(())
}

fn parse_bulk(v: &Value, batch_size: Option<u32>) -> Result<Bulk, SourceError> {
    let Value::Object(b) = v else {
        return Err(settings_error(format!(
            "bulk_endpoint must be a table (url, max_batch, query_param or body, key), not {}",
            describe(v)
        )));
    };
    check_keys(b, BULK_KEYS, "bulk_endpoint.")?;
    let at = |k: &str| format!("bulk_endpoint.{k}");
    let Some(url) = take_at::<String>(b, "url", &at("url"))? else {
        return Err(settings_error("bulk_endpoint.url is missing"));
    };
    let url = UrlTemplate::parse(url.trim(), &["base_url"])
        .map_err(|e| settings_error(format!("bulk_endpoint.url: {e}")))?;
    let method = parse_method(b, "method", HttpMethod::Post)?;
    let Some(max_batch) = take_at::<u32>(b, "max_batch", &at("max_batch"))? else {
        return Err(settings_error(
            "bulk_endpoint.max_batch is missing: the provider's maximum of domains per call",
        ));
    };
    if max_batch == 0 {
        return Err(settings_error("bulk_endpoint.max_batch must be at least 1"));
    }
    let batch = match batch_size {
        None => max_batch,
        Some(0) => return Err(settings_error("batch_size must be at least 1")),
        Some(n) if n > max_batch => {
            return Err(settings_error(format!(
                "batch_size {n} is more than the provider allows per call ({max_batch})"
            )));
        }
        Some(n) => n,
    };
    let query_param = take_at::<String>(b, "query_param", &at("query_param"))?
        .map(|q| q.trim().to_string())
        .filter(|q| !q.is_empty());
    let body: Option<Value> = take_at(b, "body", &at("body"))?;
    let item: Option<Value> = take_at(b, "item", &at("item"))?;
    if query_param.is_none() && body.is_none() {
        return Err(settings_error(
            "bulk_endpoint needs query_param (e.g. \"domains[]\") or body (e.g. { domains = \"{items}\" }) to carry the domains",
        ));
    }
    if let Some(body) = &body {
        if method == HttpMethod::Get {
            return Err(settings_error("bulk_endpoint.body needs method = \"POST\""));
        }
        if !has_items_slot(body) {
            return Err(settings_error(
                "bulk_endpoint.body must hold the string \"{items}\" where the list of domains goes",
            ));
        }
    }
    if let Some(item) = &item {
        if body.is_none() {
            return Err(settings_error(
                "bulk_endpoint.item needs bulk_endpoint.body",
            ));
        }
        if !json_contains(item, "{domain}") {
            return Err(settings_error(
                "bulk_endpoint.item must use {domain}, e.g. { params = { website = \"{domain}\" } }",
            ));
        }
    }
    let items = take_at::<String>(b, "items", &at("items"))?.unwrap_or_default();
    check_pointer(&items, &at("items"))?;
    let key = match b.get("key") {
        None | Some(Value::Null) => {
            return Err(settings_error(
                "bulk_endpoint.key is missing: the pointer, in each answer, to the domain it is about (e.g. \"/primary_domain\")",
            ));
        }
        Some(k) => pointers(k, &at("key"))?,
    };
    if key.is_empty() {
        return Err(settings_error("bulk_endpoint.key names no pointer"));
    }
    let root = take_at::<String>(b, "root", &at("root"))?.unwrap_or_default();
    check_pointer(&root, &at("root"))?;
    let status = take_at::<String>(b, "status", &at("status"))?;
    if let Some(p) = &status {
        check_pointer(p, &at("status"))?;
    }
    Ok(Bulk {
        method,
        url,
        max_batch,
        batch,
        query_param,
        body,
        item,
        items,
        key,
        root,
        status,
    })
}

fn parse_auth(v: Option<&Value>) -> Result<Auth, SourceError> {
    let v = match v {
        None | Some(Value::Null) => return Ok(Auth::None),
        Some(Value::String(s)) if s == "none" => return Ok(Auth::None),
        Some(v) => v,
    };
    let Value::Object(a) = v else {
        return Err(settings_error(format!(
            "auth must be a table such as {{ kind = \"header\", name = \"X-Api-Key\", secret = \"api_key\" }}, not {}",
            describe(v)
        )));
    };
    check_keys(a, &["kind", "name", "secret"], "auth.")?;
    let kind = take_at::<String>(a, "kind", "auth.kind")?.unwrap_or_default();
    let secret = take_at::<String>(a, "secret", "auth.secret")?.unwrap_or_else(|| "api_key".into());
    if secret.is_empty()
        || !secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(settings_error(format!(
            "auth.secret `{secret}` must be a secret's name (letters, digits, _ or -), e.g. api_key; the value goes in the source's secrets table"
        )));
    }
    let name = take_at::<String>(a, "name", "auth.name")?;
    let need_name = |kind: &str| {
        name.clone()
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| {
                settings_error(format!(
                    "auth.name is missing: kind = \"{kind}\" needs the {} name, e.g. {}",
                    if kind == "query" {
                        "query parameter"
                    } else {
                        "header"
                    },
                    if kind == "query" {
                        "api_key"
                    } else {
                        "X-Api-Key"
                    }
                ))
            })
    };
    match kind.as_str() {
        "header" => {
            let name = need_name("header")?;
            check_header(&name, "x")?;
            Ok(Auth::Header { name, secret })
        }
        "bearer" => Ok(Auth::Bearer { secret }),
        "query" => Ok(Auth::Query {
            name: need_name("query")?,
            secret,
        }),
        "none" => Ok(Auth::None),
        other => Err(settings_error(format!(
            "auth.kind `{other}`: use header, bearer, query or none"
        ))),
    }
}

fn parse_fields(v: Option<&Value>) -> Result<Vec<FieldMap>, SourceError> {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return Err(settings_error(
            "`fields` is missing: map our fields to JSON pointers, e.g. fields = { employees = \"/metrics/employees\" }",
        ));
    };
    let Value::Object(map) = v else {
        return Err(settings_error(format!(
            "fields must be a table of field = \"/json/pointer\", not {}",
            describe(v)
        )));
    };
    let mut out = Vec::new();
    for (name, spec) in map {
        let at = format!("fields.{name}");
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(settings_error(format!(
                "{at}: field names are snake_case (lower-case letters, digits, _)"
            )));
        }
        let (from, ty) = match spec {
            // `""`, `[]` or `false` removes a preset's field.
            Value::Bool(false) => continue,
            Value::String(s) if s.is_empty() => continue,
            Value::String(_) | Value::Array(_) => (pointers(spec, &at)?, default_type(name)),
            Value::Object(o) => {
                check_keys(o, &["from", "type"], &format!("{at}."))?;
                let Some(from) = o.get("from") else {
                    return Err(settings_error(format!(
                        "{at}.from is missing: the JSON pointer(s) to read"
                    )));
                };
                let ty = match o.get("type") {
                    None => default_type(name),
                    Some(Value::String(t)) => match t.as_str() {
                        "number" => FieldType::Number,
                        "text" => FieldType::Text,
                        "list" => FieldType::List,
                        "date" => FieldType::Date,
                        other => {
                            return Err(settings_error(format!(
                                "{at}.type `{other}`: use number, text, list or date"
                            )));
                        }
                    },
                    Some(other) => {
                        return Err(settings_error(format!(
                            "{at}.type must be text (number, text, list or date), not {}",
                            describe(other)
                        )));
                    }
                };
                (pointers(from, &format!("{at}.from"))?, ty)
            }
            other => {
                return Err(settings_error(format!(
                    "{at} must be a JSON pointer such as \"/metrics/employees\", a list of them, or {{ from = ..., type = ... }}; not {}",
                    describe(other)
                )));
            }
        };
        if from.is_empty() {
            continue;
        }
        out.push(FieldMap {
            name: name.clone(),
            ty,
            from,
        });
    }
    if out.is_empty() {
        return Err(settings_error("fields maps no field"));
    }
    Ok(out)
}

/// One pointer or a list of them.
fn pointers(v: &Value, at: &str) -> Result<Vec<String>, SourceError> {
    let list: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        one => vec![one],
    };
    let mut out = Vec::new();
    for p in list {
        let Value::String(p) = p else {
            return Err(settings_error(format!(
                "{at}: a JSON pointer is text such as \"/metrics/employees\", not {}",
                describe(p)
            )));
        };
        check_pointer(p, at)?;
        out.push(p.clone());
    }
    Ok(out)
}

fn check_pointer(p: &str, at: &str) -> Result<(), SourceError> {
    if p.is_empty() || p.starts_with('/') {
        return Ok(());
    }
    let hint = format!(
        "/{}",
        p.trim_start_matches('$')
            .trim_start_matches('.')
            .replace('.', "/")
    );
    Err(settings_error(format!(
        "{at}: `{p}` is not a JSON pointer: write `{hint}` (\"\" is the whole object)"
    )))
}

fn check_header(name: &str, value: &str) -> Result<(), SourceError> {
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if name.is_empty() || !name.bytes().all(token) {
        return Err(settings_error(format!(
            "header name `{name}` is not a valid HTTP header name"
        )));
    }
    if value.contains(['\r', '\n']) {
        return Err(settings_error(format!(
            "header {name}: the value has a line break"
        )));
    }
    Ok(())
}

fn parse_method(
    m: &Map<String, Value>,
    key: &str,
    default: HttpMethod,
) -> Result<HttpMethod, SourceError> {
    match take::<String>(m, key)? {
        None => Ok(default),
        Some(s) => match s.trim().to_ascii_uppercase().as_str() {
            "GET" => Ok(HttpMethod::Get),
            "POST" => Ok(HttpMethod::Post),
            _ => Err(settings_error(format!("method `{s}`: use GET or POST"))),
        },
    }
}

fn parse_statuses(
    m: &Map<String, Value>,
    key: &str,
    default: &[u16],
) -> Result<Vec<u16>, SourceError> {
    let list = take::<Vec<u16>>(m, key)?.unwrap_or_else(|| default.to_vec());
    for c in &list {
        if !(100..=599).contains(c) || (401..=403).contains(c) {
            return Err(settings_error(format!(
                "{key}: {c} is not usable here (HTTP statuses 100-599; 401, 402 and 403 always stop the source)"
            )));
        }
    }
    Ok(list)
}

fn check_keys(m: &Map<String, Value>, known: &[&str], prefix: &str) -> Result<(), SourceError> {
    for k in m.keys() {
        if !known.contains(&k.as_str()) {
            return Err(settings_error(format!(
                "unknown setting `{prefix}{k}`; known here: {}",
                known.join(", ")
            )));
        }
    }
    Ok(())
}

fn take<T: DeserializeOwned>(m: &Map<String, Value>, key: &str) -> Result<Option<T>, SourceError> {
    take_at(m, key, key)
}

/// Read `key` as a `T`; the error names the setting.
fn take_at<T: DeserializeOwned>(
    m: &Map<String, Value>,
    key: &str,
    at: &str,
) -> Result<Option<T>, SourceError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => T::deserialize(v)
            .map(Some)
            .map_err(|e| settings_error(format!("setting `{at}`: {e}"))),
    }
}

/// `${secret:NAME}` references in `text`.
fn secret_names(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("${secret:") {
        let after = &rest[i + 9..];
        let Some(end) = after.find('}') else { break };
        out.push(after[..end].to_string());
        rest = &after[end + 1..];
    }
    out
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "nothing".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(_) => "text".into(),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a table".into(),
    }
}
