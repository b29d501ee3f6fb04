//! Key column detection and the key of a row.

use crate::{Domain, KeyError, normalize_domain};

/// The key columns in precedence order (DECISIONS.md, "Key column
/// precedence"), each with the header spellings accepted for it. Headers are
/// compared lowercase with everything but letters and digits removed.
const PRECEDENCE: &[(&str, &[&str])] = &[
    (
        "Company Domain Name",
        &["companydomainname", "companydomain", "accountdomain"],
    ),
    ("Domain", &["domain", "domainname", "websitedomain"]),
    (
        "Website",
        &["website", "companywebsite", "accountwebsite", "web", "site"],
    ),
    (
        "Website URL",
        &[
            "websiteurl",
            "companywebsiteurl",
            "weburl",
            "homepage",
            "homepageurl",
        ],
    ),
    (
        "Organization - Website",
        &["organizationwebsite", "organisationwebsite", "orgwebsite"],
    ),
    ("URL", &["url", "companyurl", "accounturl"]),
    (
        "Email",
        &[
            "email",
            "emailaddress",
            "workemail",
            "businessemail",
            "companyemail",
            "contactemail",
            "primaryemail",
            "mail",
        ],
    ),
];

/// The accepted key headers, in precedence order (canonical spellings).
pub const ACCEPTED_HEADERS: &[&str] = &[
    "Company Domain Name",
    "Domain",
    "Website",
    "Website URL",
    "Organization - Website",
    "URL",
    "Email",
];

pub(crate) fn accepted_list() -> String {
    ACCEPTED_HEADERS
        .iter()
        .map(|h| format!("\"{h}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn squash(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Headers of CRM record-id columns (squashed), whose values are joined
/// when duplicate rows of one account are merged.
const ID_HEADERS: [&str; 8] = [
    "recordid",
    "accountid",
    "companyid",
    "organizationid",
    "id",
    "hsobjectid",
    "salesforceid",
    "crmid",
];

/// The record-id column of a CRM export (`Record ID`, `Account ID`, `Id`,
/// ...), if the header has one.
pub fn id_column(headers: &[String]) -> Option<usize> {
    headers
        .iter()
        .position(|h| ID_HEADERS.contains(&squash(h).as_str()))
}

/// The key columns of a header, in precedence order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyColumns {
    /// (column index, header as written), in precedence order.
    columns: Vec<(usize, String)>,
    /// Set when there is no key column: the file-level error.
    missing: Option<KeyError>,
}

impl KeyColumns {
    /// Find the key columns. With `explicit` (`--key-column`), only that
    /// column is the key (matched exactly, else ignoring case and
    /// punctuation); otherwise every recognised key header, in precedence
    /// order (ties in header order).
    pub fn detect(headers: &[String], explicit: Option<&str>) -> KeyColumns {
        if let Some(name) = explicit {
            let found = headers
                .iter()
                .position(|h| h.trim() == name.trim())
                .or_else(|| {
                    let want = squash(name);
                    headers
                        .iter()
                        .position(|h| !want.is_empty() && squash(h) == want)
                });
            return match found {
                Some(i) => KeyColumns {
                    columns: vec![(i, headers[i].clone())],
                    missing: None,
                },
                None => KeyColumns {
                    columns: Vec::new(),
                    missing: Some(KeyError::KeyColumnNotFound {
                        name: name.to_string(),
                        headers: headers.to_vec(),
                    }),
                },
            };
        }
        let squashed: Vec<String> = headers.iter().map(|h| squash(h)).collect();
        let mut columns = Vec::new();
        for (_, aliases) in PRECEDENCE {
            for (i, sq) in squashed.iter().enumerate() {
                if aliases.contains(&sq.as_str()) {
                    columns.push((i, headers[i].clone()));
                }
            }
        }
        let missing = columns.is_empty().then(|| KeyError::NoKeyColumn {
            headers: headers.to_vec(),
        });
        KeyColumns { columns, missing }
    }

    /// The key columns found: (index, header), in precedence order.
    pub fn columns(&self) -> &[(usize, String)] {
        &self.columns
    }

    /// `Err` (file level) when the header has no key column.
    pub fn check(&self) -> Result<(), KeyError> {
        match &self.missing {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// The key of one row: the first non-blank key value in precedence
    /// order. Blank cells and placeholders (`n/a`) are passed over; a
    /// free-mail domain or a profile link falls through to the next key
    /// column, and if no column gives a company domain the first column's
    /// error is returned.
    pub fn key_for(&self, row: &[impl AsRef<str>]) -> Result<Domain, KeyError> {
        self.key_for_cells(|i| row.get(i).map(AsRef::as_ref))
    }

    /// [`KeyColumns::key_for`] with the cell of column `i` given by
    /// `cell(i)` (`None` past the row's end).
    pub fn key_for_cells<'a>(
        &self,
        cell: impl Fn(usize) -> Option<&'a str>,
    ) -> Result<Domain, KeyError> {
        self.check()?;
        let mut first_err: Option<KeyError> = None;
        for (i, _) in &self.columns {
            let Some(value) = cell(*i) else { continue };
            match normalize_domain(value) {
                Ok(d) => return Ok(d),
                Err(KeyError::Blank) => {}
                Err(e @ KeyError::Placeholder(_)) => {
                    // Only reported when nothing better turns up.
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
