//! `community-members`: community member exports (a forum, a chat, a code
//! host, a community platform, a contact or trial-user list; CSV, JSONL or
//! XLSX) answering per member and rolled up per company.
//!
//! The files are read once, at [`CommunityMembers::open`], into memory.
//! Headers map onto the member fields (`handle`, `email`, `name`, `role`,
//! `job_title`, `company_domain`, `join_date`, `last_active`, `posts`,
//! `replies`, `events_attended`, `contributions`) by the names the usual
//! exports use (Discourse, Slack, Discord, GitHub, Common Room, Orbit,
//! HubSpot) and by the `columns` setting. Rows of one person merge: by
//! e-mail, else by handle.
//!
//! Each member belongs to a company when a company column holds its
//! domain, else by the registrable domain of its e-mail address unless that
//! is free-mail (icp-key's normalisation and free-mail list). The account
//! key decides what [`Source::enrich`] answers (see
//! [`CommunityMembers::lookup`]): a member's fields for an e-mail or a
//! handle, the roll-up of a company's members for a domain.
//!
//! Intent is delivered as dated events (`intent_events`: each member's
//! last activity and join date), never decayed here: the scoring core
//! derives the intent score, surge and recency from them against the run's
//! `as_of`. Nothing here reads the clock.
//!
//! Bad input never fails the open: rows without an e-mail or a handle,
//! unreadable rows and JSON lines are skipped, unreadable values are left
//! out with a warning, each with its file and line number, in
//! [`CommunityMembers::load_report`].

mod columns;
mod parse;
mod settings;

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use icp_core::value::{fold_text, is_blank};
use icp_io::read::{OpenError, Row, TableReader};
use icp_key::{KeyError, normalize_domain};
use icp_plugin_sdk::{
    Account, Category, FieldSpec, FieldType, FieldValue, Manifest, Outcome, Source, SourceError,
};
use serde::Serialize;
use serde_json::{Number, Value, json};

pub use columns::FieldColumns;
use columns::{Field, Mapping, find_header, map_columns};
use settings::settings_error;
pub use settings::{DEFAULT_ACTIVITY_WEIGHT, DEFAULT_JOIN_WEIGHT, DEFAULT_PREFIX, Settings};

/// The plugin name used in config (`plugin = "community-members"`) and in
/// the manifest.
pub const PLUGIN_NAME: &str = "community-members";

/// Accounts per `enrich` call the manifest declares.
pub const MAX_BATCH: u32 = 500;

/// At most this many skipped rows (and, separately, warnings) are listed
/// in the load report; all are counted.
pub const NOTES_CAP: usize = 1_000;

/// At most this many handles are listed in a company's `<prefix>_handles`.
pub const HANDLES_CAP: usize = 20;

/// The member fields, in manifest order.
pub const MEMBER_FIELDS: &[&str] = &[
    "handle",
    "email",
    "name",
    "role",
    "job_title",
    "join_date",
    "last_active",
    "posts",
    "replies",
    "events_attended",
    "contributions",
    "company_domain",
];

/// The roll-up fields, after `<prefix>_`, in manifest order.
pub const ROLLUP_SUFFIXES: &[&str] = &[
    "members",
    "last_active",
    "first_joined",
    "posts",
    "replies",
    "events_attended",
    "contributions",
    "roles",
    "handles",
];

/// The intent events field (member and company answers).
pub const EVENTS_FIELD: &str = "intent_events";

/// A row that was not loaded, or a value that was left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowNote {
    /// The file, as named in the settings.
    pub file: String,
    /// The physical line where the record starts (header = line 1); the
    /// sheet row for spreadsheets.
    pub line: u64,
    /// Why, for people.
    pub reason: String,
}

/// Members that belong to no company, and why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NotRolledUp {
    /// Their e-mail address is free-mail (gmail.com, outlook.com, ...) and
    /// no company column names their company.
    pub free_mail: u64,
    /// No company column value and no e-mail address with a company domain
    /// (no e-mail at all, or an unusable domain).
    pub no_company_domain: u64,
}

/// What loading one file did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileReport {
    /// The file (resolved against the config folder).
    pub path: PathBuf,
    /// Data rows read (blank rows are not counted), good and bad.
    pub rows_read: u64,
    /// Rows not loaded.
    pub rows_skipped: u64,
    /// Which headers feed which member field.
    pub columns: Vec<FieldColumns>,
}

/// What loading the files did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LoadReport {
    /// Per file, in settings order.
    pub files: Vec<FileReport>,
    /// Data rows read in all files, good and bad.
    pub rows_read: u64,
    /// Rows without an e-mail and a handle, or that could not be read.
    pub rows_skipped: u64,
    /// Loaded rows that merged into a member an earlier row (of any file)
    /// had already given (same e-mail, else same handle).
    pub rows_merged: u64,
    /// Unique members kept.
    pub members: u64,
    /// Members rolled up to a company.
    pub rolled_up: u64,
    /// Companies (registrable domains) with at least one member.
    pub companies: u64,
    /// Members not rolled up, by reason.
    pub not_rolled_up: NotRolledUp,
    /// The skipped rows, at most [`NOTES_CAP`], in file order.
    pub skipped: Vec<RowNote>,
    /// True when more rows were skipped than `skipped` lists.
    pub skipped_truncated: bool,
    /// Values left out (unreadable dates, counts, e-mail addresses,
    /// handles, domains): all of them.
    pub warnings_count: u64,
    /// The warnings, at most [`NOTES_CAP`], in file order.
    pub warnings: Vec<RowNote>,
    /// True when there were more warnings than `warnings` lists.
    pub warnings_truncated: bool,
}

impl LoadReport {
    fn skip(&mut self, file: &str, line: u64, reason: impl Into<String>) {
        self.rows_skipped += 1;
        if let Some(f) = self.files.last_mut() {
            f.rows_skipped += 1;
        }
        if self.skipped.len() < NOTES_CAP {
            self.skipped.push(RowNote {
                file: file.to_string(),
                line,
                reason: reason.into(),
            });
        } else {
            self.skipped_truncated = true;
        }
    }

    fn warn(&mut self, file: &str, line: u64, reason: String) {
        self.warnings_count += 1;
        if self.warnings.len() < NOTES_CAP {
            self.warnings.push(RowNote {
                file: file.to_string(),
                line,
                reason,
            });
        } else {
            self.warnings_truncated = true;
        }
    }
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} from {}: {}",
            plural(self.rows_read, "row read", "rows read"),
            plural(self.files.len() as u64, "file", "files"),
            plural(self.members, "member", "members"),
        )?;
        if self.rows_merged > 0 {
            write!(
                f,
                " ({} merged)",
                plural(self.rows_merged, "duplicate row", "duplicate rows")
            )?;
        }
        write!(
            f,
            ", {} rolled up to {}",
            self.rolled_up,
            plural(self.companies, "company", "companies")
        )?;
        let n = &self.not_rolled_up;
        if n.free_mail + n.no_company_domain > 0 {
            write!(
                f,
                ", {} not rolled up ({} free-mail, {} without a company domain)",
                n.free_mail + n.no_company_domain,
                n.free_mail,
                n.no_company_domain
            )?;
        }
        write!(
            f,
            ", {}",
            plural(self.rows_skipped, "row skipped", "rows skipped")
        )?;
        if let Some(s) = self.skipped.first() {
            write!(f, " (first: {} line {}: {})", s.file, s.line, s.reason)?;
        }
        if let Some(w) = self.warnings.first() {
            write!(
                f,
                ", {} (first: {} line {}: {})",
                plural(self.warnings_count, "value left out", "values left out"),
                w.file,
                w.line,
                w.reason
            )?;
        }
        Ok(())
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The counts of a member, in [`COUNT_FIELDS`] order.
const COUNT_FIELDS: [Field; 4] = [
    Field::Posts,
    Field::Replies,
    Field::EventsAttended,
    Field::Contributions,
];

/// One member, merged from every row that is this person.
#[derive(Debug, Clone, Default, PartialEq)]
struct Member {
    email: Option<String>,
    handle: Option<String>,
    name: Option<String>,
    role: Option<String>,
    job_title: Option<String>,
    company_domain: Option<String>,
    /// Some row's e-mail address was free-mail.
    free_mail: bool,
    join_date: Option<NaiveDate>,
    last_active: Option<NaiveDate>,
    counts: [Option<f64>; 4],
}

impl Member {
    /// Merge a later row of the same person: its non-blank values fill
    /// blanks, dates widen (earliest join, latest activity), counts take
    /// the larger (two exports of one forum are not added up).
    fn merge(&mut self, later: Member) {
        fn fill<T>(a: &mut Option<T>, b: Option<T>) {
            if a.is_none() {
                *a = b;
            }
        }
        fill(&mut self.email, later.email);
        fill(&mut self.handle, later.handle);
        fill(&mut self.name, later.name);
        fill(&mut self.role, later.role);
        fill(&mut self.job_title, later.job_title);
        fill(&mut self.company_domain, later.company_domain);
        self.free_mail |= later.free_mail;
        self.join_date = match (self.join_date, later.join_date) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last_active = self.last_active.max(later.last_active);
        for (a, b) in self.counts.iter_mut().zip(later.counts) {
            *a = match (*a, b) {
                (Some(x), Some(y)) => Some(x.max(y)),
                (x, y) => x.or(y),
            };
        }
    }

    /// Posts, replies, events and contributions together (missing = 0).
    fn activity(&self) -> f64 {
        self.counts.iter().flatten().sum()
    }
}

/// Community member exports loaded into memory, answering as a
/// [`Source`].
pub struct CommunityMembers {
    manifest: Manifest,
    prefix: String,
    activity_weight: f64,
    join_weight: f64,
    members: Vec<Member>,
    /// Lower-case e-mail -> member.
    by_email: HashMap<String, usize>,
    /// Lower-case handle (every handle a member was seen with) -> member;
    /// the first member with a handle keeps it.
    by_handle: HashMap<String, usize>,
    /// Registrable domain -> its members, in load order.
    companies: HashMap<String, Vec<usize>>,
    report: LoadReport,
}

impl fmt::Debug for CommunityMembers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommunityMembers")
            .field("prefix", &self.prefix)
            .field("files", &self.report.files)
            .field("members", &self.members.len())
            .field("companies", &self.companies.len())
            .finish_non_exhaustive()
    }
}

/// One file being read.
struct Input {
    /// As named in the settings (for messages and notes).
    given: String,
    reader: TableReader,
    mapping: Mapping,
}

impl CommunityMembers {
    /// Load the member files named by `settings` (see [`Settings`]); a
    /// relative path is relative to `base_dir`, the config file's folder.
    ///
    /// Fails with [`SourceError::Settings`] when the settings are wrong
    /// (unknown keys, a bad prefix or weight), a file is missing or
    /// unreadable, a file has neither an e-mail nor a handle column, or a
    /// `columns` entry names an unknown field or a header no file has. Bad
    /// rows never fail the open: see [`CommunityMembers::load_report`].
    pub fn open(
        settings: &serde_json::Value,
        base_dir: &Path,
    ) -> Result<CommunityMembers, SourceError> {
        let settings = Settings::from_json(settings)?;
        CommunityMembers::open_with(&settings, base_dir)
    }

    /// [`CommunityMembers::open`] with parsed settings.
    pub fn open_with(
        settings: &Settings,
        base_dir: &Path,
    ) -> Result<CommunityMembers, SourceError> {
        let opts = settings.read_options()?;
        let explicit = explicit_columns(&settings.columns)?;

        // Open every file and map its header before reading any row, so a
        // settings problem is found before the work.
        let mut inputs = Vec::new();
        for given in settings.files() {
            let path = Settings::resolve(given, base_dir);
            let reader = TableReader::open(&path, &opts).map_err(|e| match e {
                OpenError::NotFound { .. } => settings_error(format!(
                    "member file {} not found (path \"{}\"{})",
                    path.display(),
                    given.display(),
                    if given.is_absolute() {
                        String::new()
                    } else {
                        format!(", relative to the config folder {}", base_dir.display())
                    }
                )),
                e => settings_error(e),
            })?;
            let mapping = map_columns(reader.headers(), &explicit);
            if !mapping.has(Field::Email) && !mapping.has(Field::Handle) {
                return Err(settings_error(format!(
                    "{}: no e-mail or handle column: the header has none of {} (or their usual spellings; name one with `columns`, e.g. columns = {{ handle = \"Member\" }}); its headers are: {}",
                    path.display(),
                    quote_list(&[
                        "email",
                        "email_address",
                        "handle",
                        "username",
                        "login",
                        "member",
                        "display_name"
                    ]),
                    quote_list(reader.headers())
                )));
            }
            inputs.push(Input {
                given: given.display().to_string(),
                reader,
                mapping,
            });
        }
        for (field, header) in &explicit {
            if !inputs
                .iter()
                .any(|i| find_header(i.reader.headers(), header).is_some())
            {
                let headers: Vec<String> = inputs
                    .iter()
                    .map(|i| {
                        format!(
                            "{}: {}",
                            i.reader.path().display(),
                            quote_list(i.reader.headers())
                        )
                    })
                    .collect();
                let whom = match inputs.as_slice() {
                    [one] => format!("{} has no", one.reader.path().display()),
                    _ => "no file has a".to_string(),
                };
                return Err(settings_error(format!(
                    "columns.{}: {whom} column \"{header}\"; the headers are: {}",
                    field.name(),
                    headers.join("; ")
                )));
            }
        }

        let mut source = CommunityMembers {
            manifest: manifest(&settings.prefix),
            prefix: settings.prefix.clone(),
            activity_weight: settings.activity_weight,
            join_weight: settings.join_weight,
            members: Vec::new(),
            by_email: HashMap::new(),
            by_handle: HashMap::new(),
            companies: HashMap::new(),
            report: LoadReport::default(),
        };
        for input in inputs {
            source.load(input);
        }
        source.finish();
        Ok(source)
    }

    /// Read every row of one file into the member list.
    fn load(&mut self, mut input: Input) {
        self.report.files.push(FileReport {
            path: input.reader.path().to_path_buf(),
            rows_read: 0,
            rows_skipped: 0,
            columns: input.mapping.fields.clone(),
        });
        let mut row = Row::default();
        loop {
            let res = input.reader.read_row(&mut row);
            if !matches!(res, Ok(false)) {
                self.report.rows_read += 1;
                if let Some(f) = self.report.files.last_mut() {
                    f.rows_read += 1;
                }
            }
            match res {
                Ok(false) => break,
                Ok(true) => match read_member(&row, &input, &mut self.report) {
                    Ok(m) => self.add(m),
                    Err(reason) => self.report.skip(&input.given, row.line, reason),
                },
                Err(e) => {
                    self.report.skip(&input.given, e.line, e.reason);
                    if e.fatal {
                        break;
                    }
                }
            }
        }
    }

    /// Add or merge one row's member (it has an e-mail or a handle).
    fn add(&mut self, m: Member) {
        let handle_key = m.handle.as_deref().map(parse::handle_key);
        let existing = match &m.email {
            Some(e) => self.by_email.get(e).copied().or_else(|| {
                // The same handle without an e-mail so far (a chat export
                // before a forum export): the same person.
                handle_key
                    .as_ref()
                    .and_then(|h| self.by_handle.get(h).copied())
                    .filter(|&i| self.members[i].email.is_none())
            }),
            None => handle_key
                .as_ref()
                .and_then(|h| self.by_handle.get(h).copied()),
        };
        let email = m.email.clone();
        let i = match existing {
            Some(i) => {
                self.report.rows_merged += 1;
                self.members[i].merge(m);
                i
            }
            None => {
                self.members.push(m);
                self.members.len() - 1
            }
        };
        if let Some(e) = email {
            self.by_email.entry(e).or_insert(i);
        }
        if let Some(h) = handle_key {
            self.by_handle.entry(h).or_insert(i);
        }
    }

    /// Group members by company and count.
    fn finish(&mut self) {
        for (i, m) in self.members.iter().enumerate() {
            match &m.company_domain {
                Some(d) => {
                    self.report.rolled_up += 1;
                    match self.companies.entry(d.clone()) {
                        Entry::Vacant(v) => {
                            v.insert(vec![i]);
                        }
                        Entry::Occupied(mut o) => o.get_mut().push(i),
                    }
                }
                None if m.free_mail => self.report.not_rolled_up.free_mail += 1,
                None => self.report.not_rolled_up.no_company_domain += 1,
            }
        }
        self.report.members = self.members.len() as u64;
        self.report.companies = self.companies.len() as u64;
    }

    /// What loading the files did: rows read, members kept, rolled up and
    /// not (and why), skipped rows and values left out (with file, line
    /// number and reason).
    pub fn load_report(&self) -> &LoadReport {
        &self.report
    }

    /// The number of members loaded.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// True when no member was loaded.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The number of companies with at least one member.
    pub fn company_count(&self) -> usize {
        self.companies.len()
    }

    /// The roll-up fields' prefix (`community` unless set).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The fields for one account key, or `None` (no data):
    ///
    /// 1. A key with an `@` (not at its start) is an e-mail address
    ///    (`Jane <jane@acme.io>` and `mailto:` work; case is ignored):
    ///    that member's fields.
    /// 2. Else a key that is a company's registrable domain with members
    ///    (a URL or host is normalised: `https://www.acme.io/` is
    ///    `acme.io`): the roll-up of its members. This wins over a member
    ///    whose handle is the same text.
    /// 3. Else a key equal to a known handle (ignoring case; a leading `@`
    ///    is dropped, and a key starting with `@` is only ever a handle):
    ///    that member's fields.
    pub fn lookup(&self, key: &str) -> Option<BTreeMap<String, FieldValue>> {
        let k = key.trim();
        if k.is_empty() {
            return None;
        }
        if k.contains('@') && !k.starts_with('@') {
            let email = parse::email(k)?;
            return self.by_email.get(&email).map(|&i| self.member_fields(i));
        }
        if !k.starts_with('@')
            && let Ok(d) = normalize_domain(k)
            && let Some(ms) = self.companies.get(d.as_str())
        {
            return Some(self.rollup_fields(ms));
        }
        self.by_handle
            .get(&parse::handle_key(k))
            .map(|&i| self.member_fields(i))
    }

    /// The outcome for one account key.
    pub fn outcome(&self, key: &str) -> Outcome {
        match self.lookup(key) {
            Some(fields) if !fields.is_empty() => Outcome::Found { fields },
            _ => Outcome::NoData,
        }
    }

    fn member_fields(&self, i: usize) -> BTreeMap<String, FieldValue> {
        let m = &self.members[i];
        let mut out = BTreeMap::new();
        let mut text = |name: &str, v: &Option<String>| {
            if let Some(v) = v {
                out.insert(name.to_string(), Value::String(v.clone()));
            }
        };
        text("handle", &m.handle);
        text("email", &m.email);
        text("name", &m.name);
        text("role", &m.role);
        text("job_title", &m.job_title);
        text("company_domain", &m.company_domain);
        for (name, d) in [("join_date", m.join_date), ("last_active", m.last_active)] {
            if let Some(d) = d {
                out.insert(name.to_string(), date_value(d));
            }
        }
        for (f, n) in COUNT_FIELDS.iter().zip(m.counts) {
            if let Some(n) = n {
                out.insert(f.name().to_string(), number(n));
            }
        }
        if let Some(ev) = self.events([m]) {
            out.insert(EVENTS_FIELD.to_string(), ev);
        }
        out
    }

    fn rollup_fields(&self, idxs: &[usize]) -> BTreeMap<String, FieldValue> {
        let p = &self.prefix;
        let ms: Vec<&Member> = idxs.iter().map(|&i| &self.members[i]).collect();
        let mut out = BTreeMap::new();
        out.insert(format!("{p}_members"), number(ms.len() as f64));
        if let Some(d) = ms.iter().filter_map(|m| m.last_active).max() {
            out.insert(format!("{p}_last_active"), date_value(d));
        }
        if let Some(d) = ms.iter().filter_map(|m| m.join_date).min() {
            out.insert(format!("{p}_first_joined"), date_value(d));
        }
        for (k, f) in COUNT_FIELDS.iter().enumerate() {
            let mut any = false;
            let sum: f64 = ms
                .iter()
                .filter_map(|m| m.counts[k])
                .inspect(|_| any = true)
                .sum();
            if any {
                out.insert(format!("{p}_{}", f.name()), number(sum));
            }
        }

        // Distinct roles (ignoring case and spacing), most common first.
        let mut roles: Vec<(String, &str, usize)> = Vec::new();
        for r in ms.iter().filter_map(|m| m.role.as_deref()) {
            let folded = fold_text(r);
            match roles.iter_mut().find(|(f, _, _)| *f == folded) {
                Some((_, _, n)) => *n += 1,
                None => roles.push((folded, r, 1)),
            }
        }
        roles.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        if !roles.is_empty() {
            out.insert(
                format!("{p}_roles"),
                Value::Array(roles.iter().map(|r| Value::from(r.1)).collect()),
            );
        }

        // Handles, most active first.
        let mut active: Vec<&Member> = ms.iter().copied().filter(|m| m.handle.is_some()).collect();
        active.sort_by(|a, b| {
            b.activity()
                .total_cmp(&a.activity())
                .then_with(|| b.last_active.cmp(&a.last_active))
                .then_with(|| {
                    let key = |m: &Member| m.handle.as_deref().map(parse::handle_key);
                    key(a).cmp(&key(b))
                })
        });
        if !active.is_empty() {
            out.insert(
                format!("{p}_handles"),
                Value::Array(
                    active
                        .iter()
                        .take(HANDLES_CAP)
                        .filter_map(|m| m.handle.clone().map(Value::String))
                        .collect(),
                ),
            );
        }
        if let Some(ev) = self.events(ms) {
            out.insert(EVENTS_FIELD.to_string(), ev);
        }
        out
    }

    /// Per member an activity event (at `last_active`) and a join event
    /// (at `join_date`), aggregated per (date, type, topic) with summed
    /// weight and count, by date. Never decayed: that happens at scoring.
    fn events<'a>(&self, members: impl IntoIterator<Item = &'a Member>) -> Option<Value> {
        // (date, is_join): "P_activity" sorts before "P_join" on one date.
        let mut agg: BTreeMap<(NaiveDate, bool), (f64, u64)> = BTreeMap::new();
        for m in members {
            for (date, is_join, w) in [
                (m.last_active, false, self.activity_weight),
                (m.join_date, true, self.join_weight),
            ] {
                if let Some(d) = date
                    && w > 0.0
                {
                    let e = agg.entry((d, is_join)).or_insert((0.0, 0));
                    e.0 += w;
                    e.1 += 1;
                }
            }
        }
        if agg.is_empty() {
            return None;
        }
        let p = &self.prefix;
        Some(Value::Array(
            agg.into_iter()
                .map(|((d, is_join), (weight, count))| {
                    json!({
                        "date": d.format("%Y-%m-%d").to_string(),
                        "type": format!("{p}_{}", if is_join { "join" } else { "activity" }),
                        "topic": p,
                        "weight": weight,
                        "count": count,
                    })
                })
                .collect(),
        ))
    }
}

#[async_trait::async_trait]
impl Source for CommunityMembers {
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

/// The manifest: every member and roll-up field, whatever the files hold.
fn manifest(prefix: &str) -> Manifest {
    let spec = |name: String, ty: FieldType, about: String| FieldSpec { name, ty, about };
    let mut fields: Vec<FieldSpec> = [
        ("handle", FieldType::Text, "the member's community handle (username, login), without a leading @"),
        ("email", FieldType::Text, "the member's e-mail address, lower case"),
        ("name", FieldType::Text, "the member's (person's) name"),
        ("role", FieldType::Text, "the member's role as the export states it (role, member_type: developer, it professional, analyst, ...)"),
        ("job_title", FieldType::Text, "the member's job title"),
        ("join_date", FieldType::Date, "date the member joined the community (earliest of the exports)"),
        ("last_active", FieldType::Date, "date of the member's latest activity (latest of the exports)"),
        ("posts", FieldType::Number, "posts or messages written (topics are not counted separately)"),
        ("replies", FieldType::Number, "replies or comments written"),
        ("events_attended", FieldType::Number, "events, webinars and meetups attended"),
        ("contributions", FieldType::Number, "contributions: code, accepted answers, solutions"),
        ("company_domain", FieldType::Text, "registrable domain of the member's company: a company column, else the e-mail's domain unless it is free-mail"),
    ]
    .into_iter()
    .map(|(n, t, a)| spec(n.to_string(), t, a.to_string()))
    .collect();
    for (suffix, ty, about) in [
        (
            "members",
            FieldType::Number,
            "community members at this company",
        ),
        (
            "last_active",
            FieldType::Date,
            "latest activity of any member at this company",
        ),
        (
            "first_joined",
            FieldType::Date,
            "earliest join date of a member at this company",
        ),
        (
            "posts",
            FieldType::Number,
            "posts of this company's members, summed",
        ),
        (
            "replies",
            FieldType::Number,
            "replies of this company's members, summed",
        ),
        (
            "events_attended",
            FieldType::Number,
            "events attended by this company's members, summed",
        ),
        (
            "contributions",
            FieldType::Number,
            "contributions of this company's members, summed",
        ),
        (
            "roles",
            FieldType::List,
            "distinct roles of this company's members, most common first",
        ),
        (
            "handles",
            FieldType::List,
            "handles of this company's members, most active first (at most 20)",
        ),
    ] {
        fields.push(spec(format!("{prefix}_{suffix}"), ty, about.to_string()));
    }
    fields.push(spec(
        EVENTS_FIELD.to_string(),
        FieldType::Events,
        format!(
            "dated community events, undecayed: per member `{prefix}_activity` at last_active and `{prefix}_join` at join_date (topic `{prefix}`), summed per date; decayed at scoring time against the run's as_of"
        ),
    ));
    Manifest {
        name: PLUGIN_NAME.to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        category: Category::Member,
        key: "domain".to_string(),
        fields,
        max_batch: MAX_BATCH,
        limits: Vec::new(),
        cost_per_call: 0.0,
        secrets: Vec::new(),
        untrusted_hosts: false,
    }
}

/// The `columns` setting as fields; an unknown field or a field named twice
/// is an error.
fn explicit_columns(
    columns: &BTreeMap<String, String>,
) -> Result<BTreeMap<Field, String>, SourceError> {
    let mut out = BTreeMap::new();
    for (name, header) in columns {
        let Some(f) = Field::from_name(name) else {
            return Err(settings_error(format!(
                "columns.{name}: \"{name}\" is not a member field; use one of: {}",
                Field::ALL.map(Field::name).join(", ")
            )));
        };
        if out.insert(f, header.clone()).is_some() {
            return Err(settings_error(format!(
                "columns: field `{}` is mapped twice",
                f.name()
            )));
        }
    }
    Ok(out)
}

/// One row's member, or why the row is skipped. Values that cannot be read
/// are left out with a warning.
fn read_member(row: &Row, input: &Input, report: &mut LoadReport) -> Result<Member, String> {
    let map = &input.mapping;
    let mut warn = |msg: String| report.warn(&input.given, row.line, msg);
    // The non-blank cells of a field's columns, strongest first, with
    // their headers.
    let cells = |f: Field| {
        map.get(f).into_iter().flat_map(move |c| {
            c.indexes.iter().zip(&c.headers).filter_map(move |(&i, h)| {
                let raw = row.values.get(i)?;
                (!is_blank(raw)).then_some((h.as_str(), raw.as_str()))
            })
        })
    };
    let mut m = Member::default();

    for (h, raw) in cells(Field::Email) {
        match parse::email(raw) {
            Some(e) => {
                m.email = Some(e);
                break;
            }
            None => warn(format!(
                "email: \"{}\" (column \"{h}\") is not an e-mail address",
                parse::show(raw)
            )),
        }
    }
    for (h, raw) in cells(Field::Handle) {
        match parse::handle(raw) {
            Some(v) => {
                m.handle = Some(v);
                break;
            }
            None => warn(format!(
                "handle: \"{}\" (column \"{h}\") is not a readable handle",
                parse::show(raw)
            )),
        }
    }
    if m.email.is_none() && m.handle.is_none() {
        return Err("no e-mail and no handle".to_string());
    }

    for (f, slot) in [
        (Field::Name, &mut m.name),
        (Field::Role, &mut m.role),
        (Field::JobTitle, &mut m.job_title),
    ] {
        for (h, raw) in cells(f) {
            match readable_text(raw) {
                Some(t) => {
                    *slot = Some(t);
                    break;
                }
                None => warn(format!(
                    "{}: the text in column \"{h}\" is not readable",
                    f.name()
                )),
            }
        }
    }
    if m.name.is_none() {
        let part = |i: Option<usize>| {
            i.and_then(|i| row.values.get(i))
                .filter(|v| !is_blank(v))
                .and_then(|v| readable_text(v))
        };
        let name = [part(map.first_name), part(map.last_name)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if !name.is_empty() {
            m.name = Some(name);
        }
    }

    // Dates: every candidate column is read; join is the earliest, last
    // activity the latest.
    for f in [Field::JoinDate, Field::LastActive] {
        let mut best: Option<NaiveDate> = None;
        for (h, raw) in cells(f) {
            match parse::date(raw) {
                Some(d) => {
                    best = Some(match (best, f) {
                        (None, _) => d,
                        (Some(b), Field::JoinDate) => b.min(d),
                        (Some(b), _) => b.max(d),
                    })
                }
                None => warn(format!(
                    "{}: \"{}\" (column \"{h}\") is not a date",
                    f.name(),
                    parse::show(raw)
                )),
            }
        }
        match f {
            Field::JoinDate => m.join_date = best,
            _ => m.last_active = best,
        }
    }

    for (k, f) in COUNT_FIELDS.into_iter().enumerate() {
        for (h, raw) in cells(f) {
            match parse::count(raw) {
                Some(n) => {
                    m.counts[k] = Some(n);
                    break;
                }
                None => warn(format!(
                    "{}: \"{}\" (column \"{h}\") is not a count",
                    f.name(),
                    parse::show(raw)
                )),
            }
        }
    }

    // The company: a company column (a free-mail or profile link there
    // falls through, as for account keys), else the e-mail's domain.
    for (h, raw) in cells(Field::CompanyDomain) {
        match normalize_domain(raw) {
            Ok(d) => {
                m.company_domain = Some(d.name);
                break;
            }
            Err(e) if e.falls_through() => {}
            Err(e) => warn(format!("company_domain (column \"{h}\"): {e}")),
        }
    }
    if m.company_domain.is_none()
        && let Some(e) = &m.email
    {
        match normalize_domain(e) {
            Ok(d) => m.company_domain = Some(d.name),
            Err(KeyError::FreeMail { .. }) => m.free_mail = true,
            Err(_) => {}
        }
    }
    Ok(m)
}

/// Trimmed text without control characters or undecodable bytes.
fn readable_text(raw: &str) -> Option<String> {
    let t = raw.trim();
    let bad = t
        .chars()
        .any(|c| c == '\u{fffd}' || (c.is_control() && !matches!(c, '\n' | '\r' | '\t')));
    (!t.is_empty() && !bad).then(|| t.to_string())
}

fn date_value(d: NaiveDate) -> Value {
    Value::String(d.format("%Y-%m-%d").to_string())
}

/// Whole numbers as JSON integers, others as floats.
fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Value::from(n as i64)
    } else {
        Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

/// Names in quotes for messages: control characters escaped, long names
/// cut, at most 40 names (a binary file's "header" stays readable).
fn quote_list(names: &[impl AsRef<str>]) -> String {
    const MAX_NAMES: usize = 40;
    const MAX_CHARS: usize = 60;
    let mut out: Vec<String> = names
        .iter()
        .take(MAX_NAMES)
        .map(|n| {
            let mut s = String::new();
            for (k, c) in n.as_ref().chars().enumerate() {
                if k == MAX_CHARS {
                    s.push_str("...");
                    break;
                }
                if c.is_control() {
                    s.extend(c.escape_default());
                } else {
                    s.push(c);
                }
            }
            format!("\"{s}\"")
        })
        .collect();
    if names.len() > MAX_NAMES {
        out.push(format!("... ({} more)", names.len() - MAX_NAMES));
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_names_stay_readable() {
        assert_eq!(quote_list(&["a", "b\u{0}c"]), "\"a\", \"b\\u{0}c\"");
        let long = "x".repeat(100);
        assert_eq!(quote_list(&[long]), format!("\"{}...\"", "x".repeat(60)));
        let many: Vec<String> = (0..45).map(|i| i.to_string()).collect();
        assert!(quote_list(&many).ends_with("\"39\", ... (5 more)"));
    }

    #[test]
    fn numbers_are_integers_when_whole() {
        assert_eq!(number(3.0), json!(3));
        assert_eq!(number(2.5), json!(2.5));
        assert_eq!(number(0.0), json!(0));
    }

    #[test]
    fn merge_fills_blanks_and_widens() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let mut a = Member {
            handle: Some("ada".into()),
            join_date: d("2025-03-01"),
            last_active: d("2026-10-01"),
            counts: [Some(12.0), None, Some(1.0), None],
            ..Member::default()
        };
        a.merge(Member {
            handle: Some("ada_chat".into()),
            email: Some("ada@x.io".into()),
            join_date: d("2024-01-01"),
            last_active: d("2026-09-01"),
            counts: [Some(10.0), Some(4.0), Some(3.0), None],
            free_mail: true,
            ..Member::default()
        });
        assert_eq!(a.handle.as_deref(), Some("ada"));
        assert_eq!(a.email.as_deref(), Some("ada@x.io"));
        assert_eq!(a.join_date, d("2024-01-01"));
        assert_eq!(a.last_active, d("2026-10-01"));
        assert_eq!(a.counts, [Some(12.0), Some(4.0), Some(3.0), None]);
        assert!(a.free_mail);
        assert_eq!(a.activity(), 19.0);
    }

    #[test]
    fn report_caps_the_lists() {
        let mut r = LoadReport::default();
        for i in 0..(NOTES_CAP as u64 + 5) {
            r.skip("m.csv", i + 2, "no e-mail and no handle");
            r.warn("m.csv", i + 2, "bad date".into());
        }
        assert_eq!(r.rows_skipped, NOTES_CAP as u64 + 5);
        assert_eq!(r.skipped.len(), NOTES_CAP);
        assert!(r.skipped_truncated);
        assert_eq!(r.warnings_count, NOTES_CAP as u64 + 5);
        assert_eq!(r.warnings.len(), NOTES_CAP);
        assert!(r.warnings_truncated);
        assert!(
            r.to_string()
                .contains("(first: m.csv line 2: no e-mail and no handle)"),
            "{r}"
        );
    }

    #[test]
    fn manifest_is_valid_for_any_prefix() {
        for p in ["community", "trial"] {
            let m = manifest(p);
            assert!(m.problems().is_empty(), "{:?}", m.problems());
            assert_eq!(
                m.fields.len(),
                MEMBER_FIELDS.len() + ROLLUP_SUFFIXES.len() + 1
            );
            for (f, want) in m.fields.iter().zip(
                MEMBER_FIELDS
                    .iter()
                    .map(|s| s.to_string())
                    .chain(ROLLUP_SUFFIXES.iter().map(|s| format!("{p}_{s}")))
                    .chain([EVENTS_FIELD.to_string()]),
            ) {
                assert_eq!(f.name, want);
            }
        }
    }
}
