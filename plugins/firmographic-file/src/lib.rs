//! `firmographic-file`: a local company database (a CRM export or a
//! purchased list; CSV, JSONL or XLSX) keyed by registrable domain.
//!
//! The file is read once, at [`FirmographicFile::open`], into a map from
//! registrable domain (icp-key's normalisation: `https://www.acme.co.uk/about`
//! and `jane@acme.co.uk` are both `acme.co.uk`) to the row's firmographic
//! fields. Headers map onto canonical fields by icp-core's CRM header
//! aliases (`Number of Employees`, `Billing Country`, ...) and by the
//! `columns` setting. [`Source::enrich`] then answers from memory: no
//! network, no limits, no cost.
//!
//! A row without a usable key (blank, a free-mail address, a profile link,
//! an unreadable row) never fails the open: it is counted and reported in
//! [`FirmographicFile::load_report`] with its line number and reason.
//! Rows with the same key merge: the first row wins for each field, later
//! rows fill its blanks.

mod settings;
mod value;

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use icp_core::Kind;
use icp_core::fields::{canonical, canonical_for_header, snake_case};
use icp_io::read::{OpenError, Row, TableReader};
use icp_key::{KeyColumns, KeyError, normalize_domain};
use icp_plugin_sdk::{
    Account, Category, FieldSpec, FieldType, FieldValue, Manifest, Outcome, Source, SourceError,
};
use serde::Serialize;

pub use settings::Settings;
use settings::settings_error;

/// The plugin name used in config (`plugin = "firmographic-file"`) and in
/// the manifest.
pub const PLUGIN_NAME: &str = "firmographic-file";

/// The fields this source can provide, in manifest order. The manifest
/// lists those the file has a column for.
pub const PROVIDED_FIELDS: &[&str] = &[
    "name",
    "industry",
    "employees",
    "revenue",
    "country",
    "region",
    "city",
    "founded_year",
    "business_model",
    "funding_stage",
    "last_funding_date",
    "ownership",
    "partners",
    "technologies",
];

/// Accounts per `enrich` call the manifest declares.
pub const MAX_BATCH: u32 = 100;

/// At most this many skipped rows are listed in the load report (all are
/// counted).
pub const SKIPPED_CAP: usize = 1_000;

/// One row that was not loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedRow {
    /// The physical line where the record starts (header = line 1); the
    /// sheet row for spreadsheets.
    pub line: u64,
    /// Why, for people.
    pub reason: String,
}

/// What loading the file did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LoadReport {
    /// Data rows read (blank rows are not counted), good and bad.
    pub rows_read: u64,
    /// Rows with a usable key (loaded or merged into an earlier row).
    pub rows_keyed: u64,
    /// Rows without a usable key or that could not be read.
    pub rows_skipped: u64,
    /// Keyed rows whose key an earlier row already had (merged into it).
    pub duplicates: u64,
    /// Unique companies (domains) loaded.
    pub companies: u64,
    /// The skipped rows, at most [`SKIPPED_CAP`] of them, in file order.
    pub skipped: Vec<SkippedRow>,
    /// True when more rows were skipped than `skipped` lists.
    pub skipped_truncated: bool,
}

impl LoadReport {
    fn skip(&mut self, line: u64, reason: impl Into<String>) {
        self.rows_skipped += 1;
        if self.skipped.len() < SKIPPED_CAP {
            self.skipped.push(SkippedRow {
                line,
                reason: reason.into(),
            });
        } else {
            self.skipped_truncated = true;
        }
    }
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}",
            plural(self.rows_read, "row read", "rows read"),
            plural(self.companies, "company", "companies")
        )?;
        if self.duplicates > 0 {
            write!(
                f,
                " ({} merged)",
                plural(self.duplicates, "duplicate row", "duplicate rows")
            )?;
        }
        write!(
            f,
            ", {}",
            plural(self.rows_skipped, "row skipped", "rows skipped")
        )?;
        if let Some(first) = self.skipped.first() {
            write!(f, " (first: line {}: {})", first.line, first.reason)?;
        }
        Ok(())
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Where one provided field comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldColumns {
    /// The canonical field.
    pub field: &'static str,
    /// The file's headers for it, in the order they are tried (the first
    /// non-blank cell of a row wins); one header when set in `columns`.
    pub headers: Vec<String>,
    #[serde(skip)]
    indexes: Vec<usize>,
    #[serde(skip)]
    kind: Kind,
}

/// A company file loaded into memory, answering as a [`Source`].
pub struct FirmographicFile {
    manifest: Manifest,
    path: PathBuf,
    fields: Vec<FieldColumns>,
    /// Registrable domain -> one value per entry of `fields` (trimmed,
    /// non-blank text).
    companies: HashMap<String, Box<[Option<Box<str>>]>>,
    report: LoadReport,
}

impl fmt::Debug for FirmographicFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FirmographicFile")
            .field("path", &self.path)
            .field("fields", &self.fields)
            .field("companies", &self.companies.len())
            .finish_non_exhaustive()
    }
}

impl FirmographicFile {
    /// Load the company file named by `settings` (see [`Settings`]);
    /// a relative `path` is relative to `base_dir`, the config file's
    /// folder.
    ///
    /// Fails with [`SourceError::Settings`] when the settings are wrong, the
    /// file is missing or unreadable, it has no key column, a `columns`
    /// entry names a header the file lacks, or no column maps to a field.
    /// Bad rows never fail the open: see [`FirmographicFile::load_report`].
    pub fn open(
        settings: &serde_json::Value,
        base_dir: &Path,
    ) -> Result<FirmographicFile, SourceError> {
        let settings = Settings::from_json(settings)?;
        FirmographicFile::open_with(&settings, base_dir)
    }

    /// [`FirmographicFile::open`] with parsed settings.
    pub fn open_with(
        settings: &Settings,
        base_dir: &Path,
    ) -> Result<FirmographicFile, SourceError> {
        let opts = settings.read_options()?;
        let path = settings.resolved_path(base_dir);
        let mut reader = TableReader::open(&path, &opts).map_err(|e| match e {
            OpenError::NotFound { .. } => settings_error(format!(
                "company file {} not found (path = \"{}\"{})",
                path.display(),
                settings.path.display(),
                if settings.path.is_absolute() {
                    String::new()
                } else {
                    format!(", relative to the config folder {}", base_dir.display())
                }
            )),
            e => settings_error(e),
        })?;
        let headers = reader.headers().to_vec();

        let keys = KeyColumns::detect(&headers, settings.key_column.as_deref());
        keys.check()
            .map_err(|e| settings_error(key_column_message(&path, &e, &headers)))?;

        let fields = map_columns(&path, &headers, &settings.columns)?;
        if fields.is_empty() {
            return Err(settings_error(format!(
                "{}: no column maps to a firmographic field ({}); its headers are: {}; map them with `columns`, e.g. columns = {{ employees = \"Headcount\" }}",
                path.display(),
                PROVIDED_FIELDS.join(", "),
                quote_list(&headers)
            )));
        }

        let mut report = LoadReport::default();
        let mut companies: HashMap<String, Box<[Option<Box<str>>]>> = HashMap::new();
        let mut row = Row::default();
        loop {
            match reader.read_row(&mut row) {
                Ok(false) => break,
                Ok(true) => {
                    report.rows_read += 1;
                    let domain = match keys.key_for(&row.values) {
                        Ok(d) => d,
                        Err(e) => {
                            report.skip(row.line, e.to_string());
                            continue;
                        }
                    };
                    report.rows_keyed += 1;
                    let cell = |f: &FieldColumns| -> Option<Box<str>> {
                        f.indexes.iter().find_map(|&i| {
                            let raw = row.values.get(i)?;
                            (!value::is_blank(f.kind, raw)).then(|| raw.trim().into())
                        })
                    };
                    match companies.entry(domain.name) {
                        Entry::Vacant(v) => {
                            v.insert(fields.iter().map(cell).collect());
                        }
                        Entry::Occupied(mut o) => {
                            report.duplicates += 1;
                            for (slot, f) in o.get_mut().iter_mut().zip(&fields) {
                                if slot.is_none() {
                                    *slot = cell(f);
                                }
                            }
                        }
                    }
                }
                Err(e) => {
                    report.rows_read += 1;
                    report.skip(e.line, e.reason);
                    if e.fatal {
                        break;
                    }
                }
            }
        }
        report.companies = companies.len() as u64;

        let manifest = Manifest {
            name: PLUGIN_NAME.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            category: Category::Firmographic,
            key: "domain".to_string(),
            fields: fields
                .iter()
                .map(|f| FieldSpec {
                    name: f.field.to_string(),
                    ty: field_type(f.kind),
                    about: format!(
                        "{} (from column {})",
                        canonical(f.field).map_or("", |c| c.about),
                        quote_list(&f.headers)
                    ),
                })
                .collect(),
            max_batch: MAX_BATCH,
            limits: Vec::new(),
            cost_per_call: 0.0,
            secrets: Vec::new(),
            untrusted_hosts: false,
        };
        Ok(FirmographicFile {
            manifest,
            path,
            fields,
            companies,
            report,
        })
    }

    /// What loading the file did: rows read, keyed and skipped (with line
    /// numbers and reasons).
    pub fn load_report(&self) -> &LoadReport {
        &self.report
    }

    /// The file that was loaded (`path` resolved against the config folder).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Which headers feed which field, in manifest order.
    pub fn field_columns(&self) -> &[FieldColumns] {
        &self.fields
    }

    /// The number of companies loaded.
    pub fn len(&self) -> usize {
        self.companies.len()
    }

    /// True when no company was loaded.
    pub fn is_empty(&self) -> bool {
        self.companies.is_empty()
    }

    /// The non-blank fields of the company with this domain (a registrable
    /// domain; a URL, host or e-mail address is normalised first), or
    /// `None` if the file does not have it or has no field values for it.
    pub fn lookup(&self, domain: &str) -> Option<BTreeMap<String, FieldValue>> {
        let values = match self.companies.get(domain) {
            Some(v) => v,
            None => {
                let d = normalize_domain(domain).ok()?;
                self.companies.get(d.as_str())?
            }
        };
        let out: BTreeMap<String, FieldValue> = values
            .iter()
            .zip(&self.fields)
            .filter_map(|(v, f)| {
                v.as_deref()
                    .map(|raw| (f.field.to_string(), value::to_json(f.kind, raw)))
            })
            .collect();
        (!out.is_empty()).then_some(out)
    }

    /// The outcome for one account key.
    pub fn outcome(&self, key: &str) -> Outcome {
        match self.lookup(key) {
            Some(fields) => Outcome::Found { fields },
            None => Outcome::NoData,
        }
    }
}

#[async_trait::async_trait]
impl Source for FirmographicFile {
    fn load_summary(&self) -> Option<String> {
        Some(self.load_report().to_string())
    }

    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    async fn enrich(&self, accounts: &[Account]) -> Result<BTreeMap<String, Outcome>, SourceError> {
        Ok(accounts
            .iter()
            .map(|a| (a.key.clone(), self.outcome(&a.key)))
            .collect())
    }
}

fn field_type(kind: Kind) -> FieldType {
    match kind {
        Kind::Number => FieldType::Number,
        Kind::Text => FieldType::Text,
        Kind::List => FieldType::List,
        Kind::Date => FieldType::Date,
    }
}

fn kind_of(field: &str) -> Kind {
    canonical(field).map_or(Kind::Text, |c| c.kind)
}

fn quote_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn key_column_message(path: &Path, e: &KeyError, headers: &[String]) -> String {
    match e {
        KeyError::KeyColumnNotFound { name, .. } => format!(
            "{}: key_column \"{name}\" is not in the header; its headers are: {}",
            path.display(),
            quote_list(headers)
        ),
        _ => format!(
            "{}: no key column: the header has none of {} (or name one with `key_column`); its headers are: {}",
            path.display(),
            quote_list(
                &icp_key::ACCEPTED_HEADERS
                    .iter()
                    .map(|h| h.to_string())
                    .collect::<Vec<_>>()
            ),
            quote_list(headers)
        ),
    }
}

/// The index of `wanted` in `headers`: exact (trimmed) first, then ignoring
/// case, then by snake_case form (`number of employees` = `Number_Of_Employees`).
fn find_header(headers: &[String], wanted: &str) -> Option<usize> {
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

/// The provided fields and their columns: explicit `columns` entries first,
/// then every header that is a known alias of a provided field (headers
/// named in `columns` are not mapped again).
fn map_columns(
    path: &Path,
    headers: &[String],
    explicit: &BTreeMap<String, String>,
) -> Result<Vec<FieldColumns>, SourceError> {
    let mut chosen: BTreeMap<&'static str, Vec<usize>> = BTreeMap::new();
    let mut claimed = vec![false; headers.len()];
    for (field, header) in explicit {
        let canon = snake_case(field);
        let Some(&f) = PROVIDED_FIELDS.iter().find(|f| **f == canon) else {
            return Err(settings_error(format!(
                "columns.{field}: \"{field}\" is not a field this source provides; use one of: {}",
                PROVIDED_FIELDS.join(", ")
            )));
        };
        if chosen.contains_key(f) {
            return Err(settings_error(format!(
                "columns: field `{f}` is mapped twice"
            )));
        }
        let Some(i) = find_header(headers, header) else {
            return Err(settings_error(format!(
                "columns.{field}: {} has no column \"{header}\"; its headers are: {}",
                path.display(),
                quote_list(headers)
            )));
        };
        claimed[i] = true;
        chosen.insert(f, vec![i]);
    }
    let explicit_fields: Vec<&'static str> = chosen.keys().copied().collect();
    for (i, h) in headers.iter().enumerate() {
        if claimed[i] {
            continue;
        }
        let Some(f) = canonical_for_header(h) else {
            continue;
        };
        if PROVIDED_FIELDS.contains(&f) && !explicit_fields.contains(&f) {
            chosen.entry(f).or_default().push(i);
        }
    }
    Ok(PROVIDED_FIELDS
        .iter()
        .filter_map(|&f| {
            let indexes = chosen.remove(f)?;
            Some(FieldColumns {
                field: f,
                headers: indexes.iter().map(|&i| headers[i].clone()).collect(),
                indexes,
                kind: kind_of(f),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn header_lookup() {
        let headers = h(&["Domain", "Head Count", "Sector"]);
        assert_eq!(find_header(&headers, "Head Count"), Some(1));
        assert_eq!(find_header(&headers, " sector "), Some(2));
        assert_eq!(find_header(&headers, "head_count"), Some(1));
        assert_eq!(find_header(&headers, "Headcount"), None);
        assert_eq!(find_header(&headers, "  "), None);
    }

    #[test]
    fn automatic_and_explicit_mapping() {
        let headers = h(&[
            "Domain",
            "Company name",
            "Number of Employees",
            "Employee Range",
            "Sector",
            "Vertical",
            "Lifecycle Stage",
        ]);
        let p = Path::new("c.csv");
        let auto = map_columns(p, &headers, &BTreeMap::new()).unwrap();
        let got: Vec<(&str, Vec<String>)> =
            auto.iter().map(|f| (f.field, f.headers.clone())).collect();
        assert_eq!(
            got,
            [
                ("name", h(&["Company name"])),
                ("industry", h(&["Sector"])),
                ("employees", h(&["Number of Employees", "Employee Range"])),
            ]
        );
        let explicit = BTreeMap::from([
            ("industry".to_string(), "Vertical".to_string()),
            ("Employees".to_string(), "Employee Range".to_string()),
        ]);
        let mapped = map_columns(p, &headers, &explicit).unwrap();
        let got: Vec<(&str, Vec<String>)> = mapped
            .iter()
            .map(|f| (f.field, f.headers.clone()))
            .collect();
        assert_eq!(
            got,
            [
                ("name", h(&["Company name"])),
                ("industry", h(&["Vertical"])),
                ("employees", h(&["Employee Range"])),
            ]
        );
        let bad = BTreeMap::from([("valuation".to_string(), "Sector".to_string())]);
        let e = map_columns(p, &headers, &bad).unwrap_err().to_string();
        assert!(e.contains("\"valuation\" is not a field"), "{e}");
    }

    #[test]
    fn report_caps_the_list() {
        let mut r = LoadReport::default();
        for i in 0..(SKIPPED_CAP as u64 + 5) {
            r.skip(i + 2, "no key");
        }
        assert_eq!(r.rows_skipped, SKIPPED_CAP as u64 + 5);
        assert_eq!(r.skipped.len(), SKIPPED_CAP);
        assert!(r.skipped_truncated);
        assert!(r.to_string().contains("first: line 2: no key"), "{r}");
    }
}
