//! Where icp keeps what outlives a process: the enrichment cache (raw
//! source answers per source and account key, with the time they were
//! fetched) and run records (as_of, fingerprint, status, summary), so a
//! killed run resumes without paying twice and a re-run within the TTL
//! calls no provider.
//!
//! The engine talks to [`Store`] only; [`SqliteStore`] is the single-machine
//! backend. A PostgreSQL backend (for several workers) implements the same
//! trait.

mod sqlite;

use std::collections::HashMap;

use icp_plugin_sdk::FieldValue;
use serde::{Deserialize, Serialize};

pub use sqlite::SqliteStore;

/// Errors of a store backend, worded for the person running icp.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store cannot be opened or created at `path`.
    #[error("cannot open the store {path}: {reason}")]
    Open { path: String, reason: String },
    /// The store was written by a newer icp.
    #[error(
        "the store {path} has schema version {found}, newer than this icp understands ({supported}); upgrade icp or use another --store"
    )]
    Schema {
        path: String,
        found: i64,
        supported: i64,
    },
    /// A query failed (disk full, locked for too long, corrupt file).
    #[error("store error: {0}")]
    Backend(String),
    /// A run id that is not in the store.
    #[error("no run with id {0} in the store")]
    NoSuchRun(i64),
}

/// What the cache holds for one (source, key): the fields found, or the
/// provider's "no data". Queued and failed lookups are never cached.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Cached {
    Found(std::collections::BTreeMap<String, FieldValue>),
    NoData,
}

/// A cache entry with the time the provider answered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CacheEntry {
    pub value: Cached,
    /// Unix seconds.
    pub fetched_at: i64,
}

/// The state of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Started and not finished: killed runs stay here and can be resumed.
    Running,
    /// Completed; every source answered or was skipped by policy.
    Done,
    /// Completed, but a source was stopped (bad key, no credits): exit 3.
    DoneWithStoppedSources,
    /// Ended by a fatal error.
    Failed,
}

/// What a new run records.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewRun {
    /// What was run, e.g. `enrich accounts.csv` or a job name.
    pub label: String,
    /// A hash of the config, profiles and input that identifies "the same
    /// run" for resuming.
    pub fingerprint: String,
    /// The run's fixed date (ISO `YYYY-MM-DD`), reused on resume.
    pub as_of: String,
    /// Unix seconds.
    pub started_at: i64,
}

/// A run as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub id: i64,
    pub label: String,
    pub fingerprint: String,
    pub as_of: String,
    pub started_at: i64,
    /// Unix seconds; `None` while running.
    pub finished_at: Option<i64>,
    pub status: RunStatus,
    /// The run's summary (the same JSON as `--summary-json`), updated at
    /// checkpoints and at the end; `Null` until the first checkpoint.
    pub summary: serde_json::Value,
}

/// One account's result for one profile in a run, as written to the
/// output: the account key (`domain` or `member_key`), the score, the tier
/// text (`1`, `2`, `3`, `excluded`) and the reasons (`name (+3); name (-5)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunScore {
    pub key: String,
    pub profile: String,
    pub score: i64,
    pub tier: String,
    pub reasons: String,
}

/// The latest enriched state of one account (or member), as the newest run
/// that wrote it left it: the input row's own cells (what a job whose input
/// is "the accounts already in the store" re-reads, so cached values are
/// not mistaken for CRM values) and every output field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredAccount {
    /// `domain`, or `member_key` for members.
    pub key: String,
    /// `account` or `member`.
    pub entity: String,
    /// The input row's non-blank cells by header.
    pub input: serde_json::Map<String, serde_json::Value>,
    /// The output row's non-blank fields by column (input, enriched and
    /// derived values).
    pub fields: serde_json::Map<String, serde_json::Value>,
    /// The run that wrote this state.
    pub run_id: i64,
    /// Unix seconds.
    pub updated_at: i64,
}

/// The store behind the engine. Every method is one short transaction.
#[async_trait::async_trait]
pub trait Store: Send + Sync {
    /// Cache entries of `source` for `keys` (missing keys are absent from
    /// the map). Freshness (TTL) is the caller's decision.
    async fn cache_get(
        &self,
        source: &str,
        keys: &[String],
    ) -> Result<HashMap<String, CacheEntry>, StoreError>;

    /// Insert or replace cache entries of `source`, all in one transaction.
    async fn cache_put(
        &self,
        source: &str,
        entries: &[(String, CacheEntry)],
    ) -> Result<(), StoreError>;

    /// Record a new run in state `Running`; returns its id.
    async fn start_run(&self, run: &NewRun) -> Result<i64, StoreError>;

    /// The newest run with this fingerprint still in state `Running` (a
    /// killed run), to resume with its id and `as_of`.
    async fn unfinished_run(&self, fingerprint: &str) -> Result<Option<RunRecord>, StoreError>;

    /// Save the summary so far (a checkpoint) without ending the run.
    async fn checkpoint_run(&self, id: i64, summary: &serde_json::Value) -> Result<(), StoreError>;

    /// End a run with its status and final summary.
    async fn finish_run(
        &self,
        id: i64,
        status: RunStatus,
        finished_at: i64,
        summary: &serde_json::Value,
    ) -> Result<(), StoreError>;

    /// One run.
    async fn run(&self, id: i64) -> Result<RunRecord, StoreError>;

    /// The newest runs first, at most `limit`.
    async fn runs(&self, limit: usize) -> Result<Vec<RunRecord>, StoreError>;

    /// Record results of run `run_id`, all in one transaction; a result
    /// already stored for the same (profile, key) is replaced (a resumed
    /// run writes its output again).
    async fn put_run_scores(&self, run_id: i64, scores: &[RunScore]) -> Result<(), StoreError>;

    /// One page of the results of run `run_id` in (profile, key) order
    /// (byte order of the UTF-8 text, as Rust's `str` orders), only
    /// `profile`'s when given, starting after the (profile, key) `after`,
    /// at most `limit`. Page through a large run by passing the last
    /// result's (profile, key) as the next `after`; an empty page is the
    /// end. An unknown run has no results (use [`Store::run`] to tell).
    async fn run_scores(
        &self,
        run_id: i64,
        profile: Option<&str>,
        after: Option<(&str, &str)>,
        limit: usize,
    ) -> Result<Vec<RunScore>, StoreError>;

    /// Insert or replace accounts' latest state, all in one transaction.
    async fn put_accounts(&self, accounts: &[StoredAccount]) -> Result<(), StoreError>;

    /// One page of the stored accounts of `entity` in key order (byte
    /// order), after `after`, at most `limit`; an empty page is the end.
    async fn accounts(
        &self,
        entity: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<StoredAccount>, StoreError>;
}
