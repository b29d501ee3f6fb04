//! Which columns of a file hold an event's key, type, timestamp, weight and
//! topic.

use std::path::Path;

use icp_core::fields::snake_case;
use icp_key::{Domain, KeyColumns, KeyError};
use icp_plugin_sdk::SourceError;
use serde::Serialize;

use crate::settings::{ColumnSettings, settings_error};

/// Header spellings per part, compared lowercase with everything but letters
/// and digits removed, in order of preference (the first found wins).
const TYPE_HEADERS: &[&str] = &[
    "eventtype",
    "event",
    "eventname",
    "activitytype",
    "activity",
    "activityname",
    "type",
    "action",
    "signaltype",
    "signal",
    "intentsignal",
];
const TIMESTAMP_HEADERS: &[&str] = &[
    "timestamp",
    "occurredat",
    "eventtimestamp",
    "eventdate",
    "eventtime",
    "activitydate",
    "createdat",
    "date",
    "datetime",
    "createddate",
    "visitdate",
    "day",
    "week",
    "weekof",
    "weekstarting",
    "time",
];
const WEIGHT_HEADERS: &[&str] = &["weight", "eventweight", "intentweight", "score", "points"];
const TOPIC_HEADERS: &[&str] = &[
    "topic",
    "intenttopic",
    "topicname",
    "intentkeyword",
    "keyword",
    "category",
    "productcategory",
    "pagetitle",
    "page",
];

/// Key headers icp-key does not know that event exports use, tried after
/// its own (`Company Domain Name`, `Domain`, `Website`, ..., `Email`).
const EXTRA_KEY_HEADERS: &[&str] = &[
    "organizationdomain",
    "orgdomain",
    "useremail",
    "visitoremail",
    "leademail",
    "personemail",
];

/// Key headers icp-key accepts that an event file uses for the page
/// visited, not the company: not a key unless named in `columns.domain`.
const AMBIGUOUS_KEY_HEADERS: &[&str] = &["url", "site", "web"];

/// The headers named when a file has no key column.
pub(crate) const KEY_HEADER_EXAMPLES: &[&str] = &[
    "Domain",
    "Company Domain",
    "Website",
    "Email",
    "Contact Email",
];

fn squash(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The headers of one file that feed the events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileColumns {
    /// The file (as resolved against the config folder).
    pub path: String,
    /// The key columns, in the order they are tried (the first that gives a
    /// company domain wins).
    pub key: Vec<String>,
    /// The event type column; `None`: every event is `topic_research`.
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    pub timestamp: String,
    /// `None`: weights come from the event types.
    pub weight: Option<String>,
    /// `None`: each event's topic is its type's label.
    pub topic: Option<String>,
}

/// Column indexes of one file.
pub(crate) struct Layout {
    pub(crate) columns: FileColumns,
    keys: Vec<KeyColumns>,
    pub(crate) event_type: Option<usize>,
    pub(crate) timestamp: usize,
    pub(crate) weight: Option<usize>,
    pub(crate) topic: Option<usize>,
}

impl Layout {
    /// Find the columns of `headers` (the file at `path`), explicit
    /// `columns` settings first.
    pub(crate) fn detect(
        path: &Path,
        headers: &[String],
        explicit: &ColumnSettings,
    ) -> Result<Layout, SourceError> {
        let find_explicit =
            |name: &str, header: &Option<String>| -> Result<Option<usize>, SourceError> {
                let Some(header) = header else {
                    return Ok(None);
                };
                find_header(headers, header).map(Some).ok_or_else(|| {
                    settings_error(format!(
                        "columns.{name}: {} has no column \"{header}\"; its headers are: {}",
                        path.display(),
                        quote_list(headers)
                    ))
                })
            };
        let domain = find_explicit("domain", &explicit.domain)?;
        let email = find_explicit("email", &explicit.email)?;
        let event_type = find_explicit("type", &explicit.event_type)?;
        let timestamp = find_explicit("timestamp", &explicit.timestamp)?;
        let weight = find_explicit("weight", &explicit.weight)?;
        let topic = find_explicit("topic", &explicit.topic)?;

        let mut claimed: Vec<usize> = [domain, email, event_type, timestamp, weight, topic]
            .into_iter()
            .flatten()
            .collect();

        let key_indexes: Vec<usize> = if domain.is_some() || email.is_some() {
            [domain, email].into_iter().flatten().collect()
        } else {
            let detected = KeyColumns::detect(headers, None);
            let mut out: Vec<usize> = detected
                .columns()
                .iter()
                .map(|(i, _)| *i)
                .filter(|&i| !AMBIGUOUS_KEY_HEADERS.contains(&squash(&headers[i]).as_str()))
                .filter(|i| !claimed.contains(i))
                .collect();
            for extra in EXTRA_KEY_HEADERS {
                if let Some(i) = headers.iter().position(|h| squash(h) == *extra)
                    && !claimed.contains(&i)
                    && !out.contains(&i)
                {
                    out.push(i);
                }
            }
            out
        };
        if key_indexes.is_empty() {
            let ambiguous = headers
                .iter()
                .find(|h| AMBIGUOUS_KEY_HEADERS.contains(&squash(h).as_str()));
            return Err(settings_error(format!(
                "{}: no company key column: the header has none of {} (or name one with columns.domain or columns.email){}; its headers are: {}",
                path.display(),
                quote_list(
                    &KEY_HEADER_EXAMPLES
                        .iter()
                        .map(|s| s.to_string())
                        .collect::<Vec<_>>()
                ),
                match ambiguous {
                    Some(h) => format!(
                        "; a \"{h}\" column is taken for the page visited, not the company: if it holds the company's site, set columns.domain = \"{h}\""
                    ),
                    None => String::new(),
                },
                quote_list(headers)
            )));
        }
        claimed.extend(&key_indexes);

        let mut auto = |given: Option<usize>, names: &[&str]| -> Option<usize> {
            if given.is_some() {
                return given;
            }
            let squashed: Vec<String> = headers.iter().map(|h| squash(h)).collect();
            let found = names.iter().find_map(|n| {
                (0..squashed.len()).find(|&i| squashed[i] == *n && !claimed.contains(&i))
            })?;
            claimed.push(found);
            Some(found)
        };
        let timestamp = auto(timestamp, TIMESTAMP_HEADERS);
        let event_type = auto(event_type, TYPE_HEADERS);
        let weight = auto(weight, WEIGHT_HEADERS);
        let topic = auto(topic, TOPIC_HEADERS);

        let Some(timestamp) = timestamp else {
            return Err(settings_error(format!(
                "{}: no timestamp column: the header has none of \"timestamp\", \"occurred_at\", \"event date\", \"created_at\", \"date\", \"time\" (or name one with columns.timestamp); its headers are: {}",
                path.display(),
                quote_list(headers)
            )));
        };

        let name = |i: Option<usize>| i.map(|i| headers[i].clone());
        let keys = key_indexes
            .iter()
            .map(|&i| KeyColumns::detect(headers, Some(&headers[i])))
            .collect();
        Ok(Layout {
            columns: FileColumns {
                path: path.display().to_string(),
                key: key_indexes.iter().map(|&i| headers[i].clone()).collect(),
                event_type: name(event_type),
                timestamp: headers[timestamp].clone(),
                weight: name(weight),
                topic: name(topic),
            },
            keys,
            event_type,
            timestamp,
            weight,
            topic,
        })
    }

    /// The key of one row: the first key column that gives a company domain
    /// (icp-key's precedence rules: blanks and placeholders are passed over,
    /// a free-mail address or a profile link falls through to the next
    /// column and is the reason if none gives a domain).
    pub(crate) fn key_for(&self, row: &[String]) -> Result<Domain, KeyError> {
        let mut first_err: Option<KeyError> = None;
        for kc in &self.keys {
            match kc.key_for(row) {
                Ok(d) => return Ok(d),
                Err(KeyError::Blank) => {}
                Err(e @ KeyError::Placeholder(_)) => {
                    if first_err.is_none() {
                        first_err = Some(e);
                    }
                }
                Err(e) if e.falls_through() => {
                    if first_err
                        .as_ref()
                        .is_none_or(|f| matches!(f, KeyError::Placeholder(_)))
                    {
                        first_err = Some(e);
                    }
                }
                Err(e) => {
                    return Err(match first_err {
                        Some(f) if f.falls_through() => f,
                        _ => e,
                    });
                }
            }
        }
        Err(first_err.unwrap_or(KeyError::Blank))
    }
}

/// The index of `wanted` in `headers`: exact (trimmed) first, then ignoring
/// case, then by snake_case form (`event date` = `Event_Date`).
pub(crate) fn find_header(headers: &[String], wanted: &str) -> Option<usize> {
    let w = wanted.trim();
    headers
        .iter()
        .position(|h| h == w)
        .or_else(|| headers.iter().position(|h| h.eq_ignore_ascii_case(w)))
        .or_else(|| {
            let s = snake_case(w);
            if s.is_empty() {
                return None;
            }
            let mut hits = headers
                .iter()
                .enumerate()
                .filter(|(_, h)| snake_case(h) == s);
            match (hits.next(), hits.next()) {
                (Some((i, _)), None) => Some(i),
                _ => None,
            }
        })
}

/// Headers for a message: quoted, control characters shown as `?`, long
/// ones shortened, at most 30 of them.
pub(crate) fn quote_list(names: &[String]) -> String {
    const MAX: usize = 30;
    let mut out: Vec<String> = names
        .iter()
        .take(MAX)
        .map(|n| {
            let clean: String = n
                .chars()
                .map(|c| if c.is_control() { '?' } else { c })
                .collect();
            if clean.chars().count() > 40 {
                format!("\"{}...\"", clean.chars().take(37).collect::<String>())
            } else {
                format!("\"{clean}\"")
            }
        })
        .collect();
    if names.len() > MAX {
        out.push(format!("... ({} more)", names.len() - MAX));
    }
    if out.is_empty() {
        return "(none)".to_string();
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn detect(headers: &[&str], explicit: ColumnSettings) -> Result<FileColumns, String> {
        Layout::detect(Path::new("e.csv"), &h(headers), &explicit)
            .map(|l| l.columns)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn common_export_headers() {
        let c = detect(
            &[
                "Company Domain",
                "Company Name",
                "Intent Topic",
                "Activity Type",
                "Event Date",
                "Score",
            ],
            ColumnSettings::default(),
        )
        .unwrap();
        assert_eq!(c.key, ["Company Domain"]);
        assert_eq!(c.event_type.as_deref(), Some("Activity Type"));
        assert_eq!(c.timestamp, "Event Date");
        assert_eq!(c.weight.as_deref(), Some("Score"));
        assert_eq!(c.topic.as_deref(), Some("Intent Topic"));

        // Date before time; `event` before `type`; the page URL is no key.
        let c = detect(
            &["url", "type", "event", "time", "date", "user_email", "page"],
            ColumnSettings::default(),
        )
        .unwrap();
        assert_eq!(c.key, ["user_email"]);
        assert_eq!(c.event_type.as_deref(), Some("event"));
        assert_eq!(c.timestamp, "date");
        assert_eq!(c.topic.as_deref(), Some("page"));
        assert_eq!(c.weight, None);

        // Domain before e-mail.
        let c = detect(
            &["email", "website", "domain", "occurred_at"],
            ColumnSettings::default(),
        )
        .unwrap();
        assert_eq!(c.key, ["domain", "website", "email"]);
        assert_eq!(c.event_type, None);
    }

    #[test]
    fn explicit_columns_win() {
        let c = detect(
            &[
                "Visitor",
                "Account Site",
                "What",
                "When",
                "date",
                "Strength",
            ],
            ColumnSettings {
                domain: Some("account site".into()),
                email: Some("Visitor".into()),
                event_type: Some("what".into()),
                timestamp: Some("When".into()),
                weight: Some("strength".into()),
                topic: None,
            },
        )
        .unwrap();
        assert_eq!(c.key, ["Account Site", "Visitor"]);
        assert_eq!(c.event_type.as_deref(), Some("What"));
        assert_eq!(c.timestamp, "When");
        assert_eq!(c.weight.as_deref(), Some("Strength"));
        assert_eq!(c.topic, None);

        let e = detect(
            &["Domain", "Date"],
            ColumnSettings {
                topic: Some("Keyword".into()),
                ..ColumnSettings::default()
            },
        )
        .unwrap_err();
        assert!(
            e.contains("columns.topic: e.csv has no column \"Keyword\"")
                && e.contains("\"Domain\", \"Date\""),
            "{e}"
        );
    }

    #[test]
    fn missing_key_or_timestamp() {
        let e = detect(&["Company", "Event", "Date"], ColumnSettings::default()).unwrap_err();
        assert!(
            e.contains("e.csv: no company key column") && e.contains("\"Company\", \"Event\""),
            "{e}"
        );
        let e = detect(&["URL", "Event", "Date"], ColumnSettings::default()).unwrap_err();
        assert!(e.contains("columns.domain = \"URL\""), "{e}");
        let e = detect(&["Domain", "Event"], ColumnSettings::default()).unwrap_err();
        assert!(
            e.contains("e.csv: no timestamp column") && e.contains("\"Domain\", \"Event\""),
            "{e}"
        );
    }

    #[test]
    fn header_lists_stay_readable() {
        let many: Vec<String> = (0..35).map(|i| format!("c{i}")).collect();
        let s = quote_list(&many);
        assert!(s.ends_with("\"c29\", ... (5 more)"), "{s}");
        let s = quote_list(&h(&["a\u{0}b", &"x".repeat(50)]));
        assert_eq!(s, format!("\"a?b\", \"{}...\"", "x".repeat(37)));
    }
}
