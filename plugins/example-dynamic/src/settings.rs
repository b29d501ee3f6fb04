//! The source's settings: the `settings` table of its `[[sources]]` entry,
//! which the host passes (as JSON) to every `plan` call.

use icp_plugin_sdk::SourceError;
use serde_json::Value;

use crate::PLUGIN_NAME;

/// Where Harbourline answers unless `base_url` says otherwise.
pub const DEFAULT_BASE_URL: &str = "https://api.harbourline.example";

/// The settings this source knows, in the order the README lists them.
pub const KEYS: &[&str] = &["base_url", "bulk", "simulate"];

/// What `simulate` may ask for. Test switches for the host's own tests,
/// never for production.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Simulate {
    /// `parse` panics (the host must turn that into an error, not a crash).
    Panic,
}

/// Validated settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Scheme and host (and path prefix) of the API, without a trailing `/`.
    pub base_url: String,
    /// Use `POST /v2/companies/bulk` (up to 25 domains a call); `false`
    /// sends one `GET /v2/companies/{domain}` per account.
    pub bulk: bool,
    pub simulate: Option<Simulate>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            base_url: DEFAULT_BASE_URL.to_string(),
            bulk: true,
            simulate: None,
        }
    }
}

impl Settings {
    /// Read and check the settings. `null` (no settings table) gives the
    /// defaults; anything wrong is a [`SourceError::Settings`] that names
    /// the setting (never its value, which could be a pasted key).
    pub fn from_json(settings: &Value) -> Result<Settings, SourceError> {
        let mut out = Settings::default();
        let map = match settings {
            Value::Null => return Ok(out),
            Value::Object(map) => map,
            other => {
                return Err(error(format!(
                    "the settings must be a table, not {}",
                    kind(other)
                )));
            }
        };
        for (key, value) in map {
            match key.as_str() {
                "base_url" => out.base_url = base_url(value)?,
                "bulk" => {
                    out.bulk = value.as_bool().ok_or_else(|| {
                        error(format!("bulk: expected true or false, not {}", kind(value)))
                    })?;
                }
                "simulate" => {
                    out.simulate = match value.as_str() {
                        Some("panic") => Some(Simulate::Panic),
                        _ => {
                            return Err(error(
                                "simulate: the only value is \"panic\" (a test switch for the host's panic safety; leave it out in production)",
                            ));
                        }
                    };
                }
                other => {
                    return Err(error(format!(
                        "unknown setting `{}`: expected {}",
                        short(other),
                        KEYS.join(", ")
                    )));
                }
            }
        }
        Ok(out)
    }
}

/// `http(s)://host[:port][/prefix]`, without a trailing `/`.
fn base_url(value: &Value) -> Result<String, SourceError> {
    let Some(text) = value.as_str() else {
        return Err(error(format!(
            "base_url: expected text such as \"{DEFAULT_BASE_URL}\", not {}",
            kind(value)
        )));
    };
    let text = text.trim();
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    let host = rest.map(|r| r.split('/').next().unwrap_or(""));
    let url = text.trim_end_matches('/');
    let bad = match host {
        None => Some("it must start with http:// or https://"),
        Some("") => Some("it has no host"),
        Some(_) if url.chars().any(|c| c.is_whitespace() || c.is_control()) => {
            Some("it contains spaces")
        }
        Some(_) if url.contains(['?', '#']) => Some("it must not have a query or fragment"),
        Some(_) => None,
    };
    match bad {
        Some(why) => Err(error(format!(
            "base_url: not a usable API address ({why}), e.g. \"{DEFAULT_BASE_URL}\""
        ))),
        None => Ok(url.to_string()),
    }
}

fn error(message: impl std::fmt::Display) -> SourceError {
    SourceError::Settings(format!("{PLUGIN_NAME}: {message}"))
}

/// The JSON type of a value, for messages (never the value itself).
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table",
    }
}

/// A setting's name as given, cut to 40 characters.
fn short(name: &str) -> String {
    if name.chars().count() > 40 {
        format!("{}...", name.chars().take(37).collect::<String>())
    } else {
        name.to_string()
    }
}
