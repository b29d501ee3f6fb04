//! The source's settings (the `settings` table of its `[[sources]]` entry).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use icp_io::read::ReadOptions;
use icp_plugin_sdk::SourceError;
use serde::Deserialize;

use crate::PLUGIN_NAME;

/// The settings of a `firmographic-file` source.
///
/// ```toml
/// settings = { path = "../examples/companies.csv", columns = { employees = "Headcount" } }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The company file (`.csv`, `.tsv`, `.txt`, `.jsonl`, `.ndjson`, `.json`,
    /// `.xlsx`, ...). A relative path is relative to the config file's folder.
    pub path: PathBuf,
    /// The key column; default: detected like the account input (`Company
    /// Domain Name`, `Domain`, `Website`, `Website URL`, `Organization -
    /// Website`, `URL`, then `Email`, the first non-blank value per row).
    #[serde(default)]
    pub key_column: Option<String>,
    /// Our field name -> the file's header, e.g. `{ employees = "Headcount" }`.
    /// An explicit entry replaces the automatic mapping of that field; other
    /// fields still map from known CRM and provider headers.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Spreadsheet sheet; default: the first sheet.
    #[serde(default)]
    pub sheet: Option<String>,
    /// CSV delimiter: `,` `;` `|` or `tab`; default: sniffed.
    #[serde(default)]
    pub delimiter: Option<String>,
    /// CSV text encoding (`utf-8`, `windows-1252`, ...); default: sniffed.
    #[serde(default)]
    pub encoding: Option<String>,
}

pub(crate) fn settings_error(message: impl std::fmt::Display) -> SourceError {
    SourceError::Settings(format!("{PLUGIN_NAME}: {message}"))
}

impl Settings {
    /// Parse the settings value of a source entry.
    pub fn from_json(settings: &serde_json::Value) -> Result<Settings, SourceError> {
        if settings.is_null() {
            return Err(settings_error(
                "missing settings: set at least `path` (the company file)",
            ));
        }
        Settings::deserialize(settings).map_err(settings_error)
    }

    /// The file's path: `path` as given if absolute, else under `base_dir`.
    pub fn resolved_path(&self, base_dir: &Path) -> PathBuf {
        if self.path.is_absolute() {
            self.path.clone()
        } else {
            base_dir.join(&self.path)
        }
    }

    /// The reader options for `delimiter`, `encoding` and `sheet`.
    pub fn read_options(&self) -> Result<ReadOptions, SourceError> {
        let delimiter = match self.delimiter.as_deref() {
            None => None,
            Some(d) => Some(parse_delimiter(d)?),
        };
        let encoding = match self.encoding.as_deref() {
            None => None,
            Some(label) => Some(
                encoding_rs::Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
                    settings_error(format!(
                        "unknown encoding `{label}`: use e.g. utf-8 or windows-1252"
                    ))
                })?,
            ),
        };
        Ok(ReadOptions {
            delimiter,
            encoding,
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
            "path": "data/companies.csv",
            "columns": { "employees": "Headcount" },
            "delimiter": "tab",
            "encoding": "windows-1252",
        }))
        .unwrap();
        assert_eq!(
            s.resolved_path(Path::new("/etc/icp")),
            Path::new("/etc/icp/data/companies.csv")
        );
        let o = s.read_options().unwrap();
        assert_eq!(o.delimiter, Some(b'\t'));
        assert_eq!(o.encoding, Some(encoding_rs::WINDOWS_1252));
        let abs = Settings::from_json(&json!({ "path": "/srv/c.csv" })).unwrap();
        assert_eq!(
            abs.resolved_path(Path::new("/etc/icp")),
            Path::new("/srv/c.csv")
        );
    }

    #[test]
    fn refuses_bad_settings() {
        for (v, want) in [
            (json!(null), "set at least `path`"),
            (json!({}), "missing field `path`"),
            (
                json!({ "path": "a.csv", "colums": {} }),
                "unknown field `colums`",
            ),
            (json!({ "path": 3 }), "invalid type"),
        ] {
            let e = Settings::from_json(&v).unwrap_err().to_string();
            assert!(e.contains(want) && e.contains(PLUGIN_NAME), "{e}");
        }
        for (key, value, want) in [
            ("delimiter", ";;", "one-character"),
            ("encoding", "klingon", "unknown encoding `klingon`"),
        ] {
            let s = Settings::from_json(&json!({ "path": "a.csv", key: value })).unwrap();
            let e = s.read_options().unwrap_err().to_string();
            assert!(e.contains(want), "{e}");
        }
    }
}
