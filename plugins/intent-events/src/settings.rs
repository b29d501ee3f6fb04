//! The source's settings (the `settings` table of its `[[sources]]` entry).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use icp_io::read::ReadOptions;
use icp_plugin_sdk::SourceError;
use serde::Deserialize;

use crate::PLUGIN_NAME;
use crate::types::{builtin_weight, normalize_event_type};

/// Events kept per account by default (the most recent aggregated entries).
pub const DEFAULT_MAX_EVENTS_PER_ACCOUNT: usize = 1_000;

/// The weight of an event whose type has no known weight, by default.
pub const DEFAULT_WEIGHT: f64 = 1.0;

const KEYS: &[&str] = &[
    "path",
    "paths",
    "columns",
    "weights",
    "default_weight",
    "max_events_per_account",
    "sheet",
    "delimiter",
];

const COLUMN_KEYS: &[&str] = &["domain", "email", "type", "timestamp", "weight", "topic"];

/// The settings of an `intent-events` source.
///
/// ```toml
/// settings = { path = "events/g2-intent.csv", weights = { review_site_research = 5 } }
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// One events file (`.csv`, `.tsv`, `.txt`, `.jsonl`, `.ndjson`,
    /// `.json`, `.xlsx`, ...). A relative path is relative to the config
    /// file's folder.
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// Several events files, read in order into one set of accounts (instead
    /// of `path`).
    #[serde(default)]
    pub paths: Option<Vec<PathBuf>>,
    /// The file's headers for each part of an event, overriding the
    /// detection by common names.
    #[serde(default)]
    pub columns: ColumnSettings,
    /// Event type -> weight of one event, overriding the built-in weights
    /// (keys are read like the file's event types: `pricing` is
    /// `pricing_page_visit`).
    #[serde(default)]
    pub weights: BTreeMap<String, f64>,
    /// The weight of an event whose type has no known weight (default 1.0).
    #[serde(default = "default_weight")]
    pub default_weight: f64,
    /// Aggregated entries kept per account, the most recent ones (default
    /// 1000).
    #[serde(default = "default_max_events")]
    pub max_events_per_account: usize,
    /// Spreadsheet sheet; default: the first sheet.
    #[serde(default)]
    pub sheet: Option<String>,
    /// CSV delimiter: `,` `;` `|` or `tab`; default: sniffed.
    #[serde(default)]
    pub delimiter: Option<String>,
}

/// `columns = { domain = "...", email = "...", type = "...", timestamp =
/// "...", weight = "...", topic = "..." }`: each names the file's header.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSettings {
    /// The company's domain or website (a URL or an e-mail address works too).
    #[serde(default)]
    pub domain: Option<String>,
    /// A person's e-mail address, whose registrable domain is the company's.
    #[serde(default)]
    pub email: Option<String>,
    /// The event type.
    #[serde(default, rename = "type")]
    pub event_type: Option<String>,
    /// When the event happened.
    #[serde(default)]
    pub timestamp: Option<String>,
    /// The weight of the event (a number; wins over the type's weight).
    #[serde(default)]
    pub weight: Option<String>,
    /// The topic (keyword, category) of the event.
    #[serde(default)]
    pub topic: Option<String>,
}

fn default_weight() -> f64 {
    DEFAULT_WEIGHT
}

fn default_max_events() -> usize {
    DEFAULT_MAX_EVENTS_PER_ACCOUNT
}

pub(crate) fn settings_error(message: impl std::fmt::Display) -> SourceError {
    SourceError::Settings(format!("{PLUGIN_NAME}: {message}"))
}

fn ticks(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Settings {
    /// Parse and check the settings value of a source entry.
    pub fn from_json(settings: &serde_json::Value) -> Result<Settings, SourceError> {
        let Some(map) = settings.as_object() else {
            return Err(settings_error(if settings.is_null() {
                "missing settings: set `path` (the events file) or `paths` (a list of them)"
                    .to_string()
            } else {
                format!(
                    "settings must be a table, e.g. {{ path = \"events.csv\" }}, not {settings}"
                )
            }));
        };
        for key in map.keys() {
            if !KEYS.contains(&key.as_str()) {
                return Err(settings_error(format!(
                    "unknown setting `{key}`; the settings are {}",
                    ticks(KEYS)
                )));
            }
        }
        if let Some(cols) = map.get("columns").and_then(|c| c.as_object()) {
            for key in cols.keys() {
                if !COLUMN_KEYS.contains(&key.as_str()) {
                    return Err(settings_error(format!(
                        "unknown setting `columns.{key}`; `columns` names the headers of {}",
                        ticks(COLUMN_KEYS)
                    )));
                }
            }
        }
        let s = Settings::deserialize(settings).map_err(settings_error)?;
        s.check()?;
        Ok(s)
    }

    pub(crate) fn check(&self) -> Result<(), SourceError> {
        match (&self.path, &self.paths) {
            (Some(_), Some(_)) => {
                return Err(settings_error("set either `path` or `paths`, not both"));
            }
            (None, None) => {
                return Err(settings_error(
                    "missing `path`: set `path` (the events file) or `paths` (a list of them)",
                ));
            }
            (None, Some(p)) if p.is_empty() => {
                return Err(settings_error(
                    "`paths` is empty: list at least one events file",
                ));
            }
            _ => {}
        }
        if !(self.default_weight.is_finite() && self.default_weight >= 0.0) {
            return Err(settings_error(format!(
                "default_weight {} must be a number of 0 or more",
                self.default_weight
            )));
        }
        if self.max_events_per_account == 0 {
            return Err(settings_error(
                "max_events_per_account must be 1 or more (default 1000)",
            ));
        }
        for (name, header) in [
            ("domain", &self.columns.domain),
            ("email", &self.columns.email),
            ("type", &self.columns.event_type),
            ("timestamp", &self.columns.timestamp),
            ("weight", &self.columns.weight),
            ("topic", &self.columns.topic),
        ] {
            if header.as_deref().is_some_and(|h| h.trim().is_empty()) {
                return Err(settings_error(format!(
                    "columns.{name} is blank: name a header of the file or leave it out"
                )));
            }
        }
        self.type_weights()?;
        self.read_options()?;
        Ok(())
    }

    /// The files: `path`, or `paths`, as given.
    pub fn files(&self) -> Vec<PathBuf> {
        match (&self.path, &self.paths) {
            (Some(p), _) => vec![p.clone()],
            (None, Some(ps)) => ps.clone(),
            (None, None) => Vec::new(),
        }
    }

    /// A file's path: as given if absolute, else under `base_dir`.
    pub fn resolve(path: &Path, base_dir: &Path) -> PathBuf {
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            base_dir.join(path)
        }
    }

    /// `weights` keyed by event type id (`pricing` -> `pricing_page_visit`),
    /// each checked to be a number of 0 or more.
    pub fn type_weights(&self) -> Result<BTreeMap<String, f64>, SourceError> {
        let mut out: BTreeMap<String, f64> = BTreeMap::new();
        let mut named: BTreeMap<String, &str> = BTreeMap::new();
        for (key, &w) in &self.weights {
            let Some(id) = normalize_event_type(key) else {
                return Err(settings_error(format!(
                    "weights: \"{key}\" is not an event type name"
                )));
            };
            if !(w.is_finite() && w >= 0.0) {
                return Err(settings_error(format!(
                    "weights.{key}: {w} must be a number of 0 or more"
                )));
            }
            if let Some(first) = named.get(&id) {
                return Err(settings_error(format!(
                    "weights: \"{first}\" and \"{key}\" both name the event type `{id}`"
                )));
            }
            named.insert(id.clone(), key);
            out.insert(id, w);
        }
        Ok(out)
    }

    /// The `weights` keys that are no built-in event type (checked against
    /// the files' types after loading: a typo is otherwise silent).
    pub(crate) fn custom_weight_types(&self) -> Vec<(String, String)> {
        self.weights
            .keys()
            .filter_map(|k| {
                let id = normalize_event_type(k)?;
                builtin_weight(&id).is_none().then(|| (k.clone(), id))
            })
            .collect()
    }

    /// The reader options for `delimiter` and `sheet` (encodings are sniffed).
    pub fn read_options(&self) -> Result<ReadOptions, SourceError> {
        let delimiter = match self.delimiter.as_deref() {
            None => None,
            Some(d) => Some(parse_delimiter(d)?),
        };
        Ok(ReadOptions {
            delimiter,
            encoding: None,
            sheet: self.sheet.clone(),
        })
    }
}

fn parse_delimiter(s: &str) -> Result<u8, SourceError> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        s if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err(settings_error(format!(
            "delimiter `{s}` is not a one-character delimiter (use , ; | or tab)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_and_resolves() {
        let s = Settings::from_json(&json!({
            "paths": ["a.csv", "/srv/b.jsonl"],
            "columns": { "email": "Visitor", "type": "What", "timestamp": "When" },
            "weights": { "Pricing": 4, "product_tour": 1.5 },
            "default_weight": 0.5,
            "max_events_per_account": 10,
            "delimiter": "tab",
        }))
        .unwrap();
        let files: Vec<PathBuf> = s
            .files()
            .iter()
            .map(|p| Settings::resolve(p, Path::new("/etc/icp")))
            .collect();
        assert_eq!(
            files,
            [
                PathBuf::from("/etc/icp/a.csv"),
                PathBuf::from("/srv/b.jsonl")
            ]
        );
        assert_eq!(s.columns.event_type.as_deref(), Some("What"));
        assert_eq!(
            s.type_weights().unwrap(),
            BTreeMap::from([
                ("pricing_page_visit".to_string(), 4.0),
                ("product_tour".to_string(), 1.5)
            ])
        );
        assert_eq!(
            s.custom_weight_types(),
            [("product_tour".to_string(), "product_tour".to_string())]
        );
        assert_eq!(s.read_options().unwrap().delimiter, Some(b'\t'));
        let d = Settings::from_json(&json!({ "path": "e.csv" })).unwrap();
        assert_eq!(d.default_weight, 1.0);
        assert_eq!(d.max_events_per_account, 1000);
    }

    #[test]
    fn refuses_bad_settings() {
        for (v, want) in [
            (json!(null), "set `path`"),
            (json!("e.csv"), "must be a table"),
            (json!({}), "missing `path`"),
            (json!({ "path": "a.csv", "paths": ["b.csv"] }), "not both"),
            (json!({ "paths": [] }), "`paths` is empty"),
            (
                json!({ "path": "a.csv", "colums": {} }),
                "unknown setting `colums`",
            ),
            (
                json!({ "path": "a.csv", "columns": { "date": "When" } }),
                "unknown setting `columns.date`",
            ),
            (json!({ "path": 3 }), "invalid type"),
            (
                json!({ "path": "a.csv", "columns": { "topic": " " } }),
                "columns.topic is blank",
            ),
            (
                json!({ "path": "a.csv", "weights": { "pricing": -1 } }),
                "weights.pricing: -1 must be a number of 0 or more",
            ),
            (
                json!({ "path": "a.csv", "weights": { "pricing": 2, "Pricing Page": 3 } }),
                "both name the event type `pricing_page_visit`",
            ),
            (
                json!({ "path": "a.csv", "weights": { "--": 2 } }),
                "not an event type name",
            ),
            (
                json!({ "path": "a.csv", "weights": { "pricing": "high" } }),
                "invalid type",
            ),
            (
                json!({ "path": "a.csv", "default_weight": -0.5 }),
                "default_weight -0.5",
            ),
            (
                json!({ "path": "a.csv", "max_events_per_account": 0 }),
                "max_events_per_account must be 1 or more",
            ),
            (
                json!({ "path": "a.csv", "max_events_per_account": -3 }),
                "invalid value",
            ),
            (
                json!({ "path": "a.csv", "delimiter": ";;" }),
                "one-character",
            ),
        ] {
            let e = Settings::from_json(&v).unwrap_err().to_string();
            assert!(
                e.contains(want) && e.contains("invalid settings: intent-events:"),
                "{v}: {e}"
            );
        }
    }
}
