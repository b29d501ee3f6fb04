//! The source's settings, checked and resolved into a [`Config`]. Every
//! error names the setting (and, for a rules file, the file, line and
//! column).

use std::path::{Path, PathBuf};

use icp_plugin_sdk::SourceError;
use serde_json::{Map, Value};

use crate::PLUGIN_NAME;
use crate::rules::Rules;
use crate::url::Url;

/// Settings keys, in the order the README documents them.
pub const KEYS: &[&str] = &[
    "rules",
    "min_confidence",
    "dns",
    "base_url",
    "allow_private",
    "dns_server",
];

/// The default `min_confidence`.
pub const DEFAULT_MIN_CONFIDENCE: u32 = 50;

pub(crate) fn settings_error(message: impl std::fmt::Display) -> SourceError {
    SourceError::Settings(format!("{PLUGIN_NAME}: {message}"))
}

/// Where the homepage is fetched from instead of `https://{domain}/`.
#[derive(Clone, Debug)]
pub(crate) struct BaseUrl {
    /// As written, with `{domain}` if it has one.
    pub template: String,
    /// The URL has `{domain}`: each site from its own URL. Without it,
    /// every site is fetched from the same URL with `Host: {domain}`.
    pub per_domain: bool,
}

impl BaseUrl {
    /// The homepage URL of `domain`.
    pub fn url(&self, domain: &str) -> String {
        self.template.replace("{domain}", domain)
    }
}

/// Settings resolved and checked.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub rules: Rules,
    pub min_confidence: u32,
    pub dns: bool,
    pub base_url: Option<BaseUrl>,
}

impl Config {
    pub fn from_json(settings: &Value, base_dir: &Path) -> Result<Config, SourceError> {
        let empty = Map::new();
        let s = match settings {
            Value::Null => &empty,
            Value::Object(o) => o,
            other => {
                return Err(settings_error(format!(
                    "settings must be a table (e.g. settings = {{ min_confidence = 75 }}), not {}",
                    describe(other)
                )));
            }
        };
        for k in s.keys() {
            if !KEYS.contains(&k.as_str()) {
                return Err(settings_error(format!(
                    "unknown setting `{k}`: the settings are {}",
                    KEYS.iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }

        let files = match s.get("rules") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(p)) => vec![p.clone()],
            Some(Value::Array(a)) => {
                let mut out = Vec::new();
                for (i, v) in a.iter().enumerate() {
                    match v {
                        Value::String(p) => out.push(p.clone()),
                        other => {
                            return Err(settings_error(format!(
                                "rules[{i}] must be a path to a TOML rules file, not {}",
                                describe(other)
                            )));
                        }
                    }
                }
                out
            }
            Some(other) => {
                return Err(settings_error(format!(
                    "rules must be a path or a list of paths to TOML rules files (e.g. rules = \"rules/our-stack.toml\"), not {}",
                    describe(other)
                )));
            }
        };
        let mut texts = Vec::with_capacity(files.len());
        for f in &files {
            if f.trim().is_empty() {
                return Err(settings_error(
                    "rules: a blank path; give the path of a TOML rules file, relative to the config file's folder",
                ));
            }
            let path: PathBuf = base_dir.join(f.trim());
            let text = std::fs::read_to_string(&path).map_err(|e| {
                settings_error(format!(
                    "rules: cannot read `{}`: {e} (a relative path starts at the config file's folder, {})",
                    path.display(),
                    base_dir.display()
                ))
            })?;
            texts.push((path.display().to_string(), text));
        }
        let rules = Rules::load(&texts)?;

        let min_confidence = match s.get("min_confidence") {
            None | Some(Value::Null) => DEFAULT_MIN_CONFIDENCE,
            Some(v) => match v.as_u64().or_else(|| {
                v.as_f64()
                    .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                    .map(|f| f as u64)
            }) {
                Some(n) if n <= 100 => n as u32,
                _ => {
                    return Err(settings_error(format!(
                        "min_confidence must be a whole number from 0 to 100 (default {DEFAULT_MIN_CONFIDENCE}), not {v}"
                    )));
                }
            },
        };

        let dns = bool_setting(s, "dns", true)?;
        bool_setting(s, "allow_private", false)?;

        match s.get("dns_server") {
            None | Some(Value::Null) => {}
            Some(Value::String(t)) if t.trim().parse::<std::net::SocketAddr>().is_ok() => {}
            Some(other) => {
                return Err(settings_error(format!(
                    "dns_server must be \"ip:port\" of a DNS server, e.g. \"127.0.0.1:5353\" (read by the host), not {}",
                    describe(other)
                )));
            }
        }

        let base_url = match s.get("base_url") {
            None | Some(Value::Null) => None,
            Some(Value::String(t)) => Some(parse_base_url(t.trim())?),
            Some(other) => {
                return Err(settings_error(format!(
                    "base_url must be an http(s) URL such as \"http://127.0.0.1:8080/sites/{{domain}}/\", not {}",
                    describe(other)
                )));
            }
        };

        Ok(Config {
            rules,
            min_confidence,
            dns,
            base_url,
        })
    }
}

fn parse_base_url(t: &str) -> Result<BaseUrl, SourceError> {
    let per_domain = t.contains("{domain}");
    let sample = t.replace("{domain}", "example.com");
    let ok = Url::parse(&sample).is_some_and(|u| !u.host().is_empty())
        && !sample.chars().any(|c| c.is_whitespace() || c.is_control());
    let stray_braces = t.replace("{domain}", "").contains(['{', '}']);
    if !ok || stray_braces {
        return Err(settings_error(format!(
            "base_url `{t}` is not an http(s) URL with a host; write e.g. \"http://127.0.0.1:8080/sites/{{domain}}/\" ({{domain}} is the only placeholder) or \"http://127.0.0.1:8080/\" (sent with Host: <domain>)"
        )));
    }
    Ok(BaseUrl {
        template: t.to_string(),
        per_domain,
    })
}

fn bool_setting(s: &Map<String, Value>, key: &str, default: bool) -> Result<bool, SourceError> {
    match s.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(settings_error(format!(
            "{key} must be true or false, not {}",
            describe(other)
        ))),
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "nothing".to_string(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the text {s:?}"),
        Value::Array(_) => "a list".to_string(),
        Value::Object(_) => "a table".to_string(),
    }
}
