//! The source's settings (the `settings` table of its `[[sources]]` entry).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use icp_io::read::ReadOptions;
use icp_plugin_sdk::SourceError;
use serde::Deserialize;

use crate::PLUGIN_NAME;

/// The default `prefix` of the roll-up fields (`community_members`, ...).
pub const DEFAULT_PREFIX: &str = "community";
/// The default weight of a member's activity event.
pub const DEFAULT_ACTIVITY_WEIGHT: f64 = 1.0;
/// The default weight of a member's join event.
pub const DEFAULT_JOIN_WEIGHT: f64 = 0.5;

/// The settings of a `community-members` source.
///
/// ```toml
/// settings = { paths = ["forum-users.csv", "discord-members.jsonl"], prefix = "community" }
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// One member export (`.csv`, `.tsv`, `.txt`, `.jsonl`, `.ndjson`,
    /// `.json`, `.xlsx`, ...). A relative path is relative to the config
    /// file's folder. Set `path` or `paths`, not both.
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// Several member exports (a forum, a chat, a code host, ...), merged
    /// into one member list in this order.
    #[serde(default)]
    pub paths: Option<Vec<PathBuf>>,
    /// Member field -> the file's header, e.g. `{ handle = "Benutzer" }`.
    /// An entry replaces the automatic mapping of that field in every file
    /// that has the header; a file without it keeps the automatic mapping.
    /// A header that no file has is an error.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// The start of the roll-up field names and of the intent event types
    /// and topic: `community` gives `community_members`,
    /// `community_activity`, ... (snake_case).
    #[serde(default = "default_prefix")]
    pub prefix: String,
    /// The weight of each member's activity event (dated `last_active`);
    /// 0 leaves these events out.
    #[serde(default = "default_activity_weight")]
    pub activity_weight: f64,
    /// The weight of each member's join event (dated `join_date`); 0 leaves
    /// these events out.
    #[serde(default = "default_join_weight")]
    pub join_weight: f64,
    /// Spreadsheet sheet (for every spreadsheet among the files); default:
    /// the first sheet.
    #[serde(default)]
    pub sheet: Option<String>,
    /// CSV delimiter (for every delimited file): `,` `;` `|` or `tab`;
    /// default: sniffed.
    #[serde(default)]
    pub delimiter: Option<String>,
}

fn default_prefix() -> String {
    DEFAULT_PREFIX.to_string()
}

fn default_activity_weight() -> f64 {
    DEFAULT_ACTIVITY_WEIGHT
}

fn default_join_weight() -> f64 {
    DEFAULT_JOIN_WEIGHT
}

pub(crate) fn settings_error(message: impl std::fmt::Display) -> SourceError {
    SourceError::Settings(format!("{PLUGIN_NAME}: {message}"))
}

impl Settings {
    /// Parse and check the settings value of a source entry.
    pub fn from_json(settings: &serde_json::Value) -> Result<Settings, SourceError> {
        if settings.is_null() {
            return Err(settings_error(
                "missing settings: set at least `path` (the member export) or `paths`",
            ));
        }
        let s = Settings::deserialize(settings).map_err(settings_error)?;
        s.check()?;
        Ok(s)
    }

    fn check(&self) -> Result<(), SourceError> {
        match (&self.path, &self.paths) {
            (None, None) => {
                return Err(settings_error(
                    "set `path` (one member export) or `paths` (several)",
                ));
            }
            (Some(_), Some(_)) => {
                return Err(settings_error(
                    "set `path` or `paths`, not both (put every file in `paths`)",
                ));
            }
            (None, Some(p)) if p.is_empty() => {
                return Err(settings_error("`paths` is empty: name at least one file"));
            }
            _ => {}
        }
        if !is_snake_case(&self.prefix) {
            return Err(settings_error(format!(
                "prefix \"{}\" is not a snake_case name (a lower-case letter, then a-z, 0-9 or _), e.g. \"community\" or \"trial\"",
                self.prefix
            )));
        }
        for (name, w) in [
            ("activity_weight", self.activity_weight),
            ("join_weight", self.join_weight),
        ] {
            if !w.is_finite() || w < 0.0 {
                return Err(settings_error(format!(
                    "{name} = {w}: expected a number, 0 or more (0 leaves those events out)"
                )));
            }
        }
        Ok(())
    }

    /// The files, as given (`path`, or `paths` in order).
    pub fn files(&self) -> Vec<&Path> {
        match (&self.path, &self.paths) {
            (Some(p), _) => vec![p.as_path()],
            (None, Some(ps)) => ps.iter().map(PathBuf::as_path).collect(),
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

    /// The reader options for `delimiter` and `sheet` (the encoding is
    /// sniffed).
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

fn is_snake_case(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_lowercase()
        && !s.ends_with('_')
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
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
    fn defaults_and_paths() {
        let s = Settings::from_json(&json!({ "path": "members.csv" })).unwrap();
        assert_eq!(s.prefix, "community");
        assert_eq!(s.activity_weight, 1.0);
        assert_eq!(s.join_weight, 0.5);
        assert_eq!(s.files(), [Path::new("members.csv")]);
        assert_eq!(
            Settings::resolve(Path::new("m.csv"), Path::new("/etc/icp")),
            Path::new("/etc/icp/m.csv")
        );
        assert_eq!(
            Settings::resolve(Path::new("/srv/m.csv"), Path::new("/etc/icp")),
            Path::new("/srv/m.csv")
        );
        let s = Settings::from_json(&json!({
            "paths": ["a.csv", "b.jsonl"],
            "prefix": "trial",
            "activity_weight": 2,
            "join_weight": 0,
            "delimiter": "tab",
        }))
        .unwrap();
        assert_eq!(s.files(), [Path::new("a.csv"), Path::new("b.jsonl")]);
        assert_eq!((s.activity_weight, s.join_weight), (2.0, 0.0));
        assert_eq!(s.read_options().unwrap().delimiter, Some(b'\t'));
    }

    #[test]
    fn refuses_bad_settings() {
        for (v, want) in [
            (json!(null), "set at least `path`"),
            (json!({}), "set `path` (one member export) or `paths`"),
            (json!({ "path": "a.csv", "paths": ["b.csv"] }), "not both"),
            (json!({ "paths": [] }), "`paths` is empty"),
            (
                json!({ "path": "a.csv", "colums": {} }),
                "unknown field `colums`",
            ),
            (json!({ "path": 3 }), "invalid type"),
            (json!({ "path": "a.csv", "prefix": "Community" }), "prefix"),
            (json!({ "path": "a.csv", "prefix": "" }), "prefix"),
            (json!({ "path": "a.csv", "prefix": "trial_" }), "prefix"),
            (json!({ "path": "a.csv", "prefix": "1st" }), "prefix"),
            (
                json!({ "path": "a.csv", "activity_weight": -1 }),
                "activity_weight = -1",
            ),
            (
                json!({ "path": "a.csv", "join_weight": "high" }),
                "invalid type",
            ),
        ] {
            let e = Settings::from_json(&v).unwrap_err().to_string();
            assert!(e.contains(want) && e.contains(PLUGIN_NAME), "{v}: {e}");
        }
        let s = Settings::from_json(&json!({ "path": "a.csv", "delimiter": ";;" })).unwrap();
        let e = s.read_options().unwrap_err().to_string();
        assert!(e.contains("one-character"), "{e}");
        assert!(Settings::from_json(&json!({ "path": "a.csv", "prefix": "trial_users2" })).is_ok());
    }
}
