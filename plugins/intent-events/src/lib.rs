//! `intent-events`: intent events exported by intent providers (topic
//! surges), web analytics (page and pricing-page visits), review sites
//! (G2-style buyer intent) and CRMs (demo requests, downloads), as CSV,
//! JSONL or XLSX, keyed by registrable domain.
//!
//! The files are read once, at [`IntentEvents::open`]. One row is one
//! event: a company key (a domain or website column, or an e-mail column
//! whose registrable domain is used, with icp-key's normalisation), an
//! event type (normalised to a snake_case id, see [`types`]), a timestamp
//! (to a UTC date, see [`timestamp`]), an optional weight and an optional
//! topic. Events are kept aggregated per account, day, type and topic
//! (weights summed, events counted), at most `max_events_per_account`
//! entries per account (the most recent). [`Source::enrich`] then answers
//! from memory with one field, `intent_events`.
//!
//! The source never decays and never reads the clock: the intent score
//! (decayed with the profile's `intent_half_life`), the surge, last seen
//! and top topics are derived from these dated events by the scoring core
//! at the run's `as_of`.
//!
//! A bad row (no usable key, a free-mail address, an unreadable timestamp
//! or weight, a malformed JSON line) never fails the open: it is counted and
//! reported in [`IntentEvents::load_report`] with its file, line number and
//! reason.

mod columns;
mod settings;
pub mod timestamp;
pub mod types;

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

use chrono::NaiveDate;
use icp_core::value::is_blank;
use icp_io::read::{OpenError, Row, TableReader};
use icp_key::normalize_domain;
use icp_plugin_sdk::{
    Account, Category, FieldSpec, FieldType, FieldValue, Manifest, Outcome, Source, SourceError,
};
use serde::{Serialize, Serializer};

pub use columns::FileColumns;
use columns::Layout;
use settings::settings_error;
pub use settings::{ColumnSettings, DEFAULT_MAX_EVENTS_PER_ACCOUNT, DEFAULT_WEIGHT, Settings};
use timestamp::parse_timestamp;
use types::{TOPIC_RESEARCH, builtin_weight, label, normalize_event_type};

/// The plugin name used in config (`plugin = "intent-events"`) and in the
/// manifest.
pub const PLUGIN_NAME: &str = "intent-events";

/// The one field this source provides.
pub const FIELD: &str = "intent_events";

/// Accounts per `enrich` call the manifest declares.
pub const MAX_BATCH: u32 = 500;

/// At most this many skipped rows are listed in the load report (all are
/// counted).
pub const SKIPPED_CAP: usize = 1_000;

/// Topics longer than this (in characters) are cut.
const MAX_TOPIC_CHARS: usize = 200;

/// One row that was not loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedRow {
    /// The file, as given in the settings.
    pub file: String,
    /// The physical line where the record starts (header = line 1); the
    /// sheet row for spreadsheets.
    pub line: u64,
    /// Why, for people.
    pub reason: String,
}

/// What loading the files did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LoadReport {
    /// Data rows read (blank rows are not counted), good and bad.
    pub rows_read: u64,
    /// Events held in memory (rows loaded, less `events_dropped`).
    pub events_kept: u64,
    /// Events of entries older than an account's newest
    /// `max_events_per_account` entries.
    pub events_dropped: u64,
    /// Rows without a usable key, type, timestamp or weight, or that could
    /// not be read.
    pub rows_skipped: u64,
    /// Accounts (registrable domains) with events.
    pub accounts: u64,
    /// Aggregated entries (per account, day, type and topic) held.
    pub entries: u64,
    /// The skipped rows, at most [`SKIPPED_CAP`] of them, in file order.
    pub skipped: Vec<SkippedRow>,
    /// True when more rows were skipped than `skipped` lists.
    pub skipped_truncated: bool,
    /// Event types without a known weight -> events that got
    /// `default_weight` for it.
    pub unknown_types: BTreeMap<String, u64>,
    /// Things worth a look that did not stop the load: event types without
    /// a known weight, `weights` entries no event used, dropped events, files
    /// that gave no event.
    pub warnings: Vec<String>,
}

impl LoadReport {
    fn skip(&mut self, file: &str, line: u64, reason: impl AsRef<str>) {
        self.rows_skipped += 1;
        if self.skipped.len() < SKIPPED_CAP {
            self.skipped.push(SkippedRow {
                file: file.to_string(),
                line,
                reason: printable(reason.as_ref()),
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
            "{}: {} for {} ({})",
            plural(self.rows_read, "row read", "rows read"),
            plural(self.events_kept, "event kept", "events kept"),
            plural(self.accounts, "account", "accounts"),
            plural(self.entries, "entry", "entries"),
        )?;
        if self.events_dropped > 0 {
            write!(
                f,
                ", {} by max_events_per_account",
                plural(
                    self.events_dropped,
                    "older event dropped",
                    "older events dropped"
                )
            )?;
        }
        write!(
            f,
            ", {}",
            plural(self.rows_skipped, "row skipped", "rows skipped")
        )?;
        if let Some(first) = self.skipped.first() {
            write!(
                f,
                " (first: {} line {}: {})",
                first.file, first.line, first.reason
            )?;
        }
        if !self.warnings.is_empty() {
            write!(
                f,
                "; {}",
                plural(self.warnings.len() as u64, "warning", "warnings")
            )?;
        }
        Ok(())
    }
}

/// A reason fit for a rejects file: control characters (binary garbage
/// quoted from a row) as `?`, at most 300 characters.
fn printable(reason: &str) -> String {
    const MAX: usize = 300;
    let mut out: String = reason
        .chars()
        .take(MAX)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if reason.chars().nth(MAX).is_some() {
        out.push_str("...");
    }
    out
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// One aggregated entry of an account's events, as delivered in
/// `intent_events`: `{"date": "2026-11-18", "type": "pricing_page_visit",
/// "topic": "CRM software", "weight": 6.0, "count": 2}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventEntry {
    /// The UTC day of the events.
    #[serde(serialize_with = "iso_date")]
    pub date: NaiveDate,
    /// The event type id (`pricing_page_visit`).
    #[serde(rename = "type")]
    pub event_type: String,
    /// The topic; absent when the file's topic cell was blank.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// The sum of the events' weights.
    pub weight: f64,
    /// The number of events.
    pub count: u32,
}

fn iso_date<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&d.format("%Y-%m-%d"))
}

/// No topic.
const NO_TOPIC: u32 = u32::MAX;

/// An aggregated entry in memory (24 bytes).
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// Days since 0001-01-01 (icp-core's day number).
    day: i32,
    ty: u32,
    topic: u32,
    count: u32,
    weight: f64,
}

impl Entry {
    fn same_slot(&self, other: &Entry) -> bool {
        self.day == other.day && self.ty == other.ty && self.topic == other.topic
    }

    fn absorb(&mut self, other: &Entry) {
        self.count = self.count.saturating_add(other.count);
        self.weight = (self.weight + other.weight).min(f64::MAX);
    }
}

/// An event type seen in the files.
#[derive(Debug)]
struct TypeInfo {
    name: Box<str>,
    /// The weight of one event: `weights`, else built-in, else
    /// `default_weight`.
    weight: f64,
    /// False when `weight` is `default_weight` for want of another.
    known: bool,
    /// The topic id of the type's label (for files without a topic column).
    label_topic: Option<u32>,
    /// Events that got `default_weight` because the type has no weight.
    defaulted: u64,
}

/// Strings stored once, looked up by a folded key.
#[derive(Debug, Default)]
struct Interner {
    names: Vec<Box<str>>,
    index: HashMap<Box<str>, u32>,
}

impl Interner {
    fn get_or_insert(&mut self, key: &str, display: impl FnOnce() -> Box<str>) -> u32 {
        if let Some(&i) = self.index.get(key) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(display());
        self.index.insert(key.into(), i);
        i
    }
}

#[derive(Debug, Default)]
struct AccountEvents {
    /// Sorted by (date, type, topic) after [`compact`]; appended to while
    /// loading.
    entries: Vec<Entry>,
    /// Some older entries were dropped (max_events_per_account).
    capped: bool,
}

/// Orders entries by date, then type name, then topic (none first).
fn order(a: &Entry, b: &Entry, types: &[TypeInfo], topics: &[Box<str>]) -> Ordering {
    let topic = |t: u32| (t != NO_TOPIC).then(|| &*topics[t as usize]);
    a.day
        .cmp(&b.day)
        .then_with(|| types[a.ty as usize].name.cmp(&types[b.ty as usize].name))
        .then_with(|| topic(a.topic).cmp(&topic(b.topic)))
}

/// Sort and merge an account's entries, then keep the `max` most recent.
/// Returns the number of events dropped.
///
/// Dropping while loading is safe: an entry once dropped has `max` entries
/// at or after it, which only grow, so it would be dropped at the end too.
fn compact(acc: &mut AccountEvents, max: usize, types: &[TypeInfo], topics: &[Box<str>]) -> u64 {
    let entries = &mut acc.entries;
    entries.sort_unstable_by(|a, b| order(a, b, types, topics));
    let mut w = 0usize;
    for r in 0..entries.len() {
        if w > 0 && entries[w - 1].same_slot(&entries[r]) {
            let e = entries[r];
            entries[w - 1].absorb(&e);
        } else {
            entries[w] = entries[r];
            w += 1;
        }
    }
    entries.truncate(w);
    if entries.len() <= max {
        return 0;
    }
    let cut = entries.len() - max;
    let dropped = entries[..cut].iter().map(|e| u64::from(e.count)).sum();
    entries.drain(..cut);
    acc.capped = true;
    dropped
}

/// The state of a load.
struct Loader {
    type_weights: BTreeMap<String, f64>,
    default_weight: f64,
    max: usize,
    compact_at: usize,
    types: Vec<TypeInfo>,
    type_index: HashMap<Box<str>, u32>,
    /// The type id of a raw cell text, to normalise each spelling once.
    raw_types: HashMap<Box<str>, u32>,
    topics: Interner,
    /// The topic id of a raw cell text, to clean and fold each spelling once.
    raw_topics: HashMap<Box<str>, u32>,
    accounts: HashMap<Box<str>, AccountEvents>,
    events_loaded: u64,
    events_dropped: u64,
    report: LoadReport,
}

/// Cell text for a reason: quoted, control characters as `?`, shortened.
fn show(raw: &str) -> String {
    let clean: String = raw
        .trim()
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if clean.chars().count() > 60 {
        format!("\"{}...\"", clean.chars().take(57).collect::<String>())
    } else {
        format!("\"{clean}\"")
    }
}

/// A weight cell (not blank) as a number of 0 or more.
fn parse_weight(raw: &str) -> Result<f64, String> {
    let t = raw.trim();
    // `1,5` as people in much of Europe write it.
    let decimal_comma;
    let text = if !t.contains('.') && t.matches(',').count() == 1 {
        decimal_comma = t.replace(',', ".");
        decimal_comma.as_str()
    } else {
        t
    };
    match text.parse::<f64>() {
        Ok(w) if !w.is_finite() => Err(format!("weight {} is not a finite number", show(raw))),
        Ok(w) if w < 0.0 => Err(format!("weight {} is negative", show(raw))),
        Ok(w) => Ok(w + 0.0),
        Err(_) => Err(format!("weight {} is not a number", show(raw))),
    }
}

/// A topic cell (not blank): trimmed, inner whitespace collapsed, cut at
/// [`MAX_TOPIC_CHARS`].
fn clean_topic(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len().min(MAX_TOPIC_CHARS));
    for (n, word) in raw.split_whitespace().enumerate() {
        if n > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.chars().count() > MAX_TOPIC_CHARS {
        out = out.chars().take(MAX_TOPIC_CHARS).collect();
    }
    out
}

impl Loader {
    fn new(settings: &Settings) -> Result<Loader, SourceError> {
        let max = settings.max_events_per_account;
        Ok(Loader {
            type_weights: settings.type_weights()?,
            default_weight: settings.default_weight,
            max,
            compact_at: max.saturating_mul(2).max(64),
            types: Vec::new(),
            type_index: HashMap::new(),
            raw_types: HashMap::new(),
            topics: Interner::default(),
            raw_topics: HashMap::new(),
            accounts: HashMap::new(),
            events_loaded: 0,
            events_dropped: 0,
            report: LoadReport::default(),
        })
    }

    /// The id of a type id string (interned, weight resolved once).
    fn type_id(&mut self, id: &str) -> u32 {
        if let Some(&i) = self.type_index.get(id) {
            return i;
        }
        let (weight, known) = match self
            .type_weights
            .get(id)
            .copied()
            .or_else(|| builtin_weight(id))
        {
            Some(w) => (w, true),
            None => (self.default_weight, false),
        };
        let i = self.types.len() as u32;
        self.types.push(TypeInfo {
            name: id.into(),
            weight,
            known,
            label_topic: None,
            defaulted: 0,
        });
        self.type_index.insert(id.into(), i);
        i
    }

    /// The type of a raw type cell (not blank), `None` when it names none.
    fn raw_type(&mut self, raw: &str) -> Option<u32> {
        let raw = raw.trim();
        if let Some(&i) = self.raw_types.get(raw) {
            return Some(i);
        }
        let id = normalize_event_type(raw)?;
        let i = self.type_id(&id);
        self.raw_types.insert(raw.into(), i);
        Some(i)
    }

    /// The topic of a raw topic cell (not blank).
    fn raw_topic(&mut self, raw: &str) -> u32 {
        if let Some(&t) = self.raw_topics.get(raw) {
            return t;
        }
        let t = self.topic_id(&clean_topic(raw));
        self.raw_topics.insert(raw.into(), t);
        t
    }

    fn topic_id(&mut self, text: &str) -> u32 {
        let key = text.to_lowercase();
        self.topics.get_or_insert(&key, || text.into())
    }

    fn label_topic(&mut self, ty: u32) -> u32 {
        if let Some(t) = self.types[ty as usize].label_topic {
            return t;
        }
        let text = label(&self.types[ty as usize].name);
        let t = self.topic_id(&text);
        self.types[ty as usize].label_topic = Some(t);
        t
    }

    /// Read one row into an event, or say why not.
    fn row(&mut self, layout: &Layout, values: &[String]) -> Result<(), String> {
        let cell = |i: usize| values.get(i).map_or("", String::as_str);
        let cols = &layout.columns;
        let domain = layout.key_for(values).map_err(|e| e.to_string())?;

        let ty = match layout.event_type {
            Some(i) => {
                let raw = cell(i);
                let header = cols.event_type.as_deref().unwrap_or_default();
                if is_blank(raw) {
                    return Err(format!(
                        "no event type (column \"{header}\" is {})",
                        if raw.trim().is_empty() {
                            "blank".to_string()
                        } else {
                            format!("the placeholder {}", show(raw))
                        }
                    ));
                }
                self.raw_type(raw).ok_or_else(|| {
                    format!(
                        "column \"{header}\": event type {} is not a name",
                        show(raw)
                    )
                })?
            }
            None => self.type_id(TOPIC_RESEARCH),
        };

        let raw = cell(layout.timestamp);
        if raw.trim().is_empty() {
            return Err(format!(
                "no timestamp (column \"{}\" is blank)",
                cols.timestamp
            ));
        }
        let date = parse_timestamp(raw).ok_or_else(|| {
            format!(
                "column \"{}\": cannot read the timestamp {} (expected e.g. 2026-11-18, 2026-11-18T14:03:00Z, 11/18/2026, 18.11.2026 or unix seconds)",
                cols.timestamp,
                show(raw)
            )
        })?;

        let given = layout
            .weight
            .map(cell)
            .filter(|raw| !is_blank(raw))
            .map(|raw| {
                parse_weight(raw).map_err(|why| {
                    format!(
                        "column \"{}\": {why}",
                        cols.weight.as_deref().unwrap_or_default()
                    )
                })
            })
            .transpose()?;
        let weight = match given {
            Some(w) => w,
            None => {
                let t = &mut self.types[ty as usize];
                if !t.known {
                    t.defaulted += 1;
                }
                t.weight
            }
        };

        let topic = match layout.topic {
            Some(i) => {
                let raw = cell(i);
                if is_blank(raw) {
                    NO_TOPIC
                } else {
                    self.raw_topic(raw)
                }
            }
            None => self.label_topic(ty),
        };

        self.add(
            domain.name,
            Entry {
                day: icp_core::day_number(date),
                ty,
                topic,
                count: 1,
                weight,
            },
        );
        Ok(())
    }

    fn add(&mut self, domain: String, entry: Entry) {
        self.events_loaded += 1;
        let acc = self.accounts.entry(domain.into_boxed_str()).or_default();
        if let Some(last) = acc.entries.last_mut()
            && last.same_slot(&entry)
        {
            last.absorb(&entry);
            return;
        }
        acc.entries.push(entry);
        if acc.entries.len() >= self.compact_at {
            self.events_dropped += compact(acc, self.max, &self.types, &self.topics.names);
        }
    }

    fn read_file(&mut self, reader: &mut TableReader, layout: &Layout, file: &str) -> (u64, u64) {
        let (rows_before, events_before) = (self.report.rows_read, self.events_loaded);
        let mut row = Row::default();
        loop {
            match reader.read_row(&mut row) {
                Ok(false) => break,
                Ok(true) => {
                    self.report.rows_read += 1;
                    if let Err(reason) = self.row(layout, &row.values) {
                        self.report.skip(file, row.line, reason);
                    }
                }
                Err(e) => {
                    self.report.rows_read += 1;
                    self.report.skip(file, e.line, e.reason);
                    if e.fatal {
                        break;
                    }
                }
            }
        }
        (
            self.report.rows_read - rows_before,
            self.events_loaded - events_before,
        )
    }

    /// Compact every account and fill in the totals and warnings.
    fn finish(&mut self, settings: &Settings) {
        let mut capped = 0u64;
        for acc in self.accounts.values_mut() {
            self.events_dropped += compact(acc, self.max, &self.types, &self.topics.names);
            acc.entries.shrink_to_fit();
            capped += u64::from(acc.capped);
        }
        self.accounts.shrink_to_fit();
        let r = &mut self.report;
        r.accounts = self.accounts.len() as u64;
        r.entries = self.accounts.values().map(|a| a.entries.len() as u64).sum();
        r.events_dropped = self.events_dropped;
        r.events_kept = self.events_loaded - self.events_dropped;

        let mut unknown: Vec<&TypeInfo> = self.types.iter().filter(|t| t.defaulted > 0).collect();
        unknown.sort_by(|a, b| b.defaulted.cmp(&a.defaulted).then(a.name.cmp(&b.name)));
        for t in unknown {
            r.unknown_types.insert(t.name.to_string(), t.defaulted);
            r.warnings.push(format!(
                "event type `{}` has no known weight: default_weight {} was used for {} (set weights.{} = N to weigh it)",
                t.name,
                self.default_weight,
                plural(t.defaulted, "event", "events"),
                t.name
            ));
        }
        for (key, id) in settings.custom_weight_types() {
            if !self.type_index.contains_key(id.as_str()) {
                r.warnings.push(format!(
                    "weights.{key}: no event of type `{id}` was read (a typo? built-in types: {})",
                    types::EVENT_TYPES
                        .iter()
                        .map(|t| t.id)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        if self.events_dropped > 0 {
            r.warnings.push(format!(
                "{} of {} dropped: each account keeps its {} most recent entries (max_events_per_account)",
                plural(self.events_dropped, "older event", "older events"),
                plural(capped, "account", "accounts"),
                self.max
            ));
        }
    }
}

/// Intent events loaded into memory, answering as a [`Source`].
pub struct IntentEvents {
    manifest: Manifest,
    files: Vec<FileColumns>,
    types: Vec<Box<str>>,
    topics: Vec<Box<str>>,
    accounts: HashMap<Box<str>, Box<[Entry]>>,
    report: LoadReport,
}

impl fmt::Debug for IntentEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntentEvents")
            .field("files", &self.files)
            .field("accounts", &self.accounts.len())
            .finish_non_exhaustive()
    }
}

impl IntentEvents {
    /// Load the events files named by `settings` (see [`Settings`]); a
    /// relative path is relative to `base_dir`, the config file's folder.
    ///
    /// Fails with [`SourceError::Settings`] when the settings are wrong, a
    /// file is missing or unreadable, or a file has no company key column
    /// or no timestamp column (or a `columns` entry names a header it
    /// lacks). Bad rows never fail the open: see
    /// [`IntentEvents::load_report`].
    pub fn open(
        settings: &serde_json::Value,
        base_dir: &Path,
    ) -> Result<IntentEvents, SourceError> {
        let settings = Settings::from_json(settings)?;
        IntentEvents::open_with(&settings, base_dir)
    }

    /// [`IntentEvents::open`] with parsed settings.
    pub fn open_with(settings: &Settings, base_dir: &Path) -> Result<IntentEvents, SourceError> {
        settings.check()?;
        let opts = settings.read_options()?;
        let mut loader = Loader::new(settings)?;
        let mut files = Vec::new();
        for given in settings.files() {
            let path = Settings::resolve(&given, base_dir);
            let mut reader = open_reader(&path, &given, base_dir, &opts)?;
            let layout = Layout::detect(&path, reader.headers(), &settings.columns)?;
            let label = given.display().to_string();
            let (rows, events) = loader.read_file(&mut reader, &layout, &label);
            if rows > 0 && events == 0 {
                loader.report.warnings.push(format!(
                    "{label}: none of its {} gave an event (see the skipped rows)",
                    plural(rows, "row", "rows")
                ));
            }
            files.push(layout.columns);
        }
        loader.finish(settings);

        let Loader {
            types,
            topics,
            accounts,
            report,
            ..
        } = loader;
        Ok(IntentEvents {
            manifest: manifest(),
            files,
            types: types.into_iter().map(|t| t.name).collect(),
            topics: topics.names,
            accounts: accounts
                .into_iter()
                .map(|(k, a)| (k, a.entries.into_boxed_slice()))
                .collect(),
            report,
        })
    }

    /// What loading the files did: rows read, events kept, rows skipped
    /// (with file, line number and reason), warnings.
    pub fn load_report(&self) -> &LoadReport {
        &self.report
    }

    /// The files loaded and which of their headers fed the events.
    pub fn files(&self) -> &[FileColumns] {
        &self.files
    }

    /// The number of accounts with events.
    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    /// True when no event was loaded.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// The aggregated events of the account with this domain (a
    /// registrable domain; a URL, host or e-mail address is normalised
    /// first), sorted by date, type and topic; `None` without events.
    pub fn entries(&self, domain: &str) -> Option<Vec<EventEntry>> {
        let entries = match self.accounts.get(domain) {
            Some(e) => e,
            None => {
                let d = normalize_domain(domain).ok()?;
                self.accounts.get(d.as_str())?
            }
        };
        Some(
            entries
                .iter()
                .filter_map(|e| {
                    Some(EventEntry {
                        date: NaiveDate::from_num_days_from_ce_opt(e.day)?,
                        event_type: self.types[e.ty as usize].to_string(),
                        topic: (e.topic != NO_TOPIC)
                            .then(|| self.topics[e.topic as usize].to_string()),
                        weight: e.weight,
                        count: e.count,
                    })
                })
                .collect(),
        )
    }

    /// The `intent_events` value of an account: a JSON array of
    /// [`EventEntry`]; `None` without events.
    pub fn lookup(&self, domain: &str) -> Option<FieldValue> {
        let entries = self.entries(domain)?;
        if entries.is_empty() {
            return None;
        }
        serde_json::to_value(entries).ok()
    }

    /// The outcome for one account key: `Found` with `intent_events`, or
    /// `NoData`.
    pub fn outcome(&self, key: &str) -> Outcome {
        match self.lookup(key) {
            Some(events) => Outcome::Found {
                fields: BTreeMap::from([(FIELD.to_string(), events)]),
            },
            None => Outcome::NoData,
        }
    }
}

#[async_trait::async_trait]
impl Source for IntentEvents {
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

fn manifest() -> Manifest {
    Manifest {
        name: PLUGIN_NAME.to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        category: Category::Intent,
        key: "domain".to_string(),
        fields: vec![FieldSpec {
            name: FIELD.to_string(),
            ty: FieldType::Events,
            about: "dated intent events per day, type and topic: [{\"date\": \"2026-11-18\", \"type\": \"pricing_page_visit\", \"topic\": \"...\", \"weight\": 3.0, \"count\": 1}] (decayed at scoring time)".to_string(),
        }],
        max_batch: MAX_BATCH,
        limits: Vec::new(),
        cost_per_call: 0.0,
        secrets: Vec::new(),
        untrusted_hosts: false,
    }
}

fn open_reader(
    path: &Path,
    given: &Path,
    base_dir: &Path,
    opts: &icp_io::read::ReadOptions,
) -> Result<TableReader, SourceError> {
    TableReader::open(path, opts).map_err(|e| match e {
        OpenError::NotFound { .. } => settings_error(format!(
            "events file {} not found (path = \"{}\"{}); check the path",
            path.display(),
            given.display(),
            if given.is_absolute() {
                String::new()
            } else {
                format!(", relative to the config folder {}", base_dir.display())
            }
        )),
        OpenError::Io { .. } => settings_error(format!(
            "{e}; check that the events file is a readable file"
        )),
        e => settings_error(e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(day: i32, ty: u32, topic: u32, weight: f64) -> Entry {
        Entry {
            day,
            ty,
            topic,
            count: 1,
            weight,
        }
    }

    fn info(name: &str) -> TypeInfo {
        TypeInfo {
            name: name.into(),
            weight: 1.0,
            known: true,
            label_topic: None,
            defaulted: 0,
        }
    }

    #[test]
    fn compaction_merges_sorts_and_keeps_the_most_recent() {
        // Type 0 is "z_type", 1 is "a_type": names, not ids, order entries.
        let types = [info("z_type"), info("a_type")];
        let topics: Vec<Box<str>> = vec!["crm".into(), "Analytics".into()];
        let mut acc = AccountEvents {
            capped: false,
            entries: vec![
                entry(10, 0, 0, 1.0),
                entry(5, 1, NO_TOPIC, 2.0),
                entry(10, 1, 0, 1.0),
                entry(10, 0, 0, 2.5),
                entry(10, 1, 1, 1.0),
                entry(3, 0, 0, 7.0),
            ],
        };
        let dropped = compact(&mut acc, 10, &types, &topics);
        assert_eq!(dropped, 0);
        let got: Vec<(i32, u32, u32, u32, f64)> = acc
            .entries
            .iter()
            .map(|e| (e.day, e.ty, e.topic, e.count, e.weight))
            .collect();
        assert_eq!(
            got,
            [
                (3, 0, 0, 1, 7.0),
                (5, 1, NO_TOPIC, 1, 2.0),
                (10, 1, 1, 1, 1.0),
                (10, 1, 0, 1, 1.0),
                (10, 0, 0, 2, 3.5),
            ]
        );
        assert!(!acc.capped);
        let dropped = compact(&mut acc, 2, &types, &topics);
        assert_eq!(dropped, 3);
        assert!(acc.capped);
        assert_eq!(acc.entries.len(), 2);
        assert_eq!((acc.entries[0].day, acc.entries[0].topic), (10, 0));
    }

    #[test]
    fn memory_stays_bounded_while_loading() {
        let settings = Settings::from_json(&serde_json::json!({
            "path": "e.csv",
            "max_events_per_account": 5,
        }))
        .unwrap();
        let mut loader = Loader::new(&settings).unwrap();
        let ty = loader.type_id("page_visit");
        for day in 0..10_000 {
            loader.add(
                "acme.com".to_string(),
                Entry {
                    day: 700_000 + day,
                    ty,
                    topic: NO_TOPIC,
                    count: 1,
                    weight: 1.0,
                },
            );
            assert!(loader.accounts["acme.com"].entries.len() < loader.compact_at);
        }
        loader.finish(&settings);
        let acc = &loader.accounts["acme.com"];
        assert_eq!(acc.entries.len(), 5);
        assert_eq!(acc.entries[4].day, 709_999);
        assert_eq!(
            (loader.report.events_kept, loader.report.events_dropped),
            (5, 9_995)
        );
    }

    #[test]
    fn weights_and_topics_from_cells() {
        assert_eq!(parse_weight(" 2.5 "), Ok(2.5));
        assert_eq!(parse_weight("1,5"), Ok(1.5));
        assert_eq!(parse_weight("0"), Ok(0.0));
        assert_eq!(parse_weight("-0"), Ok(0.0));
        assert!(parse_weight("-1").unwrap_err().contains("negative"));
        assert!(parse_weight("inf").unwrap_err().contains("not a finite"));
        assert!(parse_weight("NaN").unwrap_err().contains("not a finite"));
        assert!(parse_weight("high").unwrap_err().contains("not a number"));
        assert_eq!(clean_topic("  CRM \t software "), "CRM software");
        assert_eq!(clean_topic(&"x".repeat(300)).len(), MAX_TOPIC_CHARS);
        assert_eq!(show(&"y".repeat(100)).len(), 62);
        assert_eq!(show("a\u{1}b"), "\"a?b\"");
        assert_eq!(printable("bad \u{0}\u{1b} row"), "bad ?? row");
        assert_eq!(printable(&"z".repeat(400)).len(), 303);
    }

    #[test]
    fn report_caps_the_list_and_reads_well() {
        let mut r = LoadReport::default();
        for i in 0..(SKIPPED_CAP as u64 + 5) {
            r.skip("e.csv", i + 2, "no key");
        }
        assert_eq!(r.rows_skipped, SKIPPED_CAP as u64 + 5);
        assert_eq!(r.skipped.len(), SKIPPED_CAP);
        assert!(r.skipped_truncated);
        r.rows_read = 1010;
        r.events_kept = 5;
        r.accounts = 1;
        r.entries = 2;
        r.warnings.push("w".into());
        assert_eq!(
            r.to_string(),
            "1010 rows read: 5 events kept for 1 account (2 entries), 1005 rows skipped (first: e.csv line 2: no key); 1 warning"
        );
    }
}
