//! The single-machine backend: one SQLite file in WAL mode.
//!
//! Every call takes the connection's mutex and does its (short) work inline;
//! there is no thread pool, so the crate needs no runtime. Several processes
//! may open the same file: WAL lets readers run beside the one writer, and
//! the 5 s busy timeout makes a writer wait for another instead of failing.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, Row, TransactionBehavior, params};

use crate::{
    CacheEntry, Cached, NewRun, RunRecord, RunScore, RunStatus, Store, StoreError, StoredAccount,
};

/// The schema, one step per version: `MIGRATIONS[n]` takes a store from
/// version `n` to `n + 1`. Append only; never edit a released step.
const MIGRATIONS: &[&str] = &[
    // 1: the cache and the runs.
    "CREATE TABLE cache (
        source     TEXT NOT NULL,
        key        TEXT NOT NULL,
        found      INTEGER NOT NULL,
        fields     TEXT,            -- JSON object when found, NULL for no data
        fetched_at INTEGER NOT NULL,
        PRIMARY KEY (source, key)
    ) WITHOUT ROWID;
    -- AUTOINCREMENT: a run id is shown to users, so it is never reused.
    CREATE TABLE runs (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        label       TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        as_of       TEXT NOT NULL,
        started_at  INTEGER NOT NULL,
        finished_at INTEGER,
        status      TEXT NOT NULL,
        summary     TEXT NOT NULL DEFAULT 'null'
    );
    CREATE INDEX runs_by_fingerprint ON runs (fingerprint, status);",
    // 2: each run's results per profile and account (icp runs, icp diff).
    "CREATE TABLE run_scores (
        run_id  INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        profile TEXT NOT NULL,
        key     TEXT NOT NULL,
        score   INTEGER NOT NULL,
        tier    TEXT NOT NULL,
        reasons TEXT NOT NULL,
        PRIMARY KEY (run_id, profile, key)
    ) WITHOUT ROWID;",
    // 3: the latest state of each account (a job's input can be the store).
    "CREATE TABLE accounts (
        entity     TEXT NOT NULL,
        key        TEXT NOT NULL,
        input      TEXT NOT NULL,   -- JSON object: the input row's cells
        fields     TEXT NOT NULL,   -- JSON object: the output row's fields
        run_id     INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (entity, key)
    ) WITHOUT ROWID;",
];

/// The query [`run_from_row`] reads rows of, as a literal for `concat!`.
macro_rules! run_columns {
    () => {
        "SELECT id, label, fingerprint, as_of, started_at, finished_at, status, summary FROM runs"
    };
}

/// The SQLite [`Store`].
pub struct SqliteStore {
    conn: Mutex<Connection>,
    /// For messages.
    path: String,
}

impl SqliteStore {
    /// The schema version this build writes and understands.
    pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

    /// Opens the store at `path`, creating its folders and the file if
    /// missing, and brings its schema up to date.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let shown = path.display().to_string();
        let open_err = |reason: String| StoreError::Open {
            path: shown.clone(),
            reason,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                open_err(format!(
                    "cannot create the folder {}: {e}; pass another --store",
                    parent.display()
                ))
            })?;
        }
        let conn = Connection::open(path).map_err(|e| open_err(open_reason(&e)))?;
        Self::init(conn, shown)
    }

    /// A private store in memory, gone when dropped (for tests).
    pub fn open_in_memory() -> Result<SqliteStore, StoreError> {
        let conn = Connection::open_in_memory().map_err(|e| StoreError::Open {
            path: ":memory:".into(),
            reason: e.to_string(),
        })?;
        Self::init(conn, ":memory:".into())
    }

    /// Where the store is (`:memory:` for an in-memory one).
    pub fn path(&self) -> &str {
        &self.path
    }

    fn init(mut conn: Connection, path: String) -> Result<SqliteStore, StoreError> {
        let open_err = |e: rusqlite::Error| StoreError::Open {
            path: path.clone(),
            reason: open_reason(&e),
        };
        // Before anything that may wait on another process.
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(open_err)?;
        // The first read of the file: a non-SQLite file fails here. One
        // snapshot, so a store that another process is creating right now is
        // not mistaken for a foreign database.
        let (found, tables) = {
            let tx = conn.transaction().map_err(open_err)?;
            let found: i64 = tx
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .map_err(open_err)?;
            let tables: i64 = tx
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                    [],
                    |r| r.get(0),
                )
                .map_err(open_err)?;
            (found, tables)
        };
        let supported = Self::SCHEMA_VERSION;
        let too_new = |found| StoreError::Schema {
            path: path.clone(),
            found,
            supported,
        };
        // Refuse before touching the file (the WAL switch below writes).
        if found > supported {
            return Err(too_new(found));
        }
        if found == 0 && tables > 0 {
            return Err(StoreError::Open {
                path,
                reason: "it is a SQLite database but not an icp store; pass another --store".into(),
            });
        }
        // WAL is persistent in the file; an in-memory database answers "memory".
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(open_err)?;
        // A newer icp may have migrated it since the check above.
        let found = migrate(&mut conn).map_err(open_err)?;
        if found > supported {
            return Err(too_new(found));
        }
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            path,
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock rolled its transaction back on
        // unwind (Transaction's drop), so the connection is still usable.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Applies the missing migrations in one write transaction and returns the
/// version found in it; reading it inside the lock means two processes
/// opening a new store do not both migrate.
fn migrate(conn: &mut Connection) -> rusqlite::Result<i64> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let start = usize::try_from(version).unwrap_or(0);
    if start >= MIGRATIONS.len() {
        return Ok(version); // Nothing to do; dropping the transaction ends it.
    }
    for sql in &MIGRATIONS[start..] {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", SqliteStore::SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(version)
}

fn open_reason(e: &rusqlite::Error) -> String {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => {
            "it is not an icp store (not a SQLite database); pass another --store".into()
        }
        Some(ErrorCode::CannotOpen | ErrorCode::PermissionDenied | ErrorCode::ReadOnly) => {
            format!("{e}; check that the path is a writable file, or pass another --store")
        }
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            format!("{e}; another process holds it locked, try again when it is done")
        }
        _ => e.to_string(),
    }
}

fn backend(what: impl std::fmt::Display, e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("{what}: {e}"))
}

fn status_text(s: RunStatus) -> &'static str {
    match s {
        RunStatus::Running => "running",
        RunStatus::Done => "done",
        RunStatus::DoneWithStoppedSources => "done_with_stopped_sources",
        RunStatus::Failed => "failed",
    }
}

fn parse_status(s: &str) -> Option<RunStatus> {
    Some(match s {
        "running" => RunStatus::Running,
        "done" => RunStatus::Done,
        "done_with_stopped_sources" => RunStatus::DoneWithStoppedSources,
        "failed" => RunStatus::Failed,
        _ => return None,
    })
}

/// A run row; corrupt text (an edited file) is an error naming the run.
fn run_from_row(row: &Row<'_>) -> Result<RunRecord, StoreError> {
    let id: i64 = row.get(0).map_err(|e| backend("reading a run", e))?;
    let bad = |e: &dyn std::fmt::Display| backend(format_args!("run {id} in the store"), e);
    let status: String = row.get(6).map_err(|e| bad(&e))?;
    let summary: String = row.get(7).map_err(|e| bad(&e))?;
    Ok(RunRecord {
        id,
        label: row.get(1).map_err(|e| bad(&e))?,
        fingerprint: row.get(2).map_err(|e| bad(&e))?,
        as_of: row.get(3).map_err(|e| bad(&e))?,
        started_at: row.get(4).map_err(|e| bad(&e))?,
        finished_at: row.get(5).map_err(|e| bad(&e))?,
        status: parse_status(&status)
            .ok_or_else(|| bad(&format_args!("unknown status {status:?}")))?,
        summary: serde_json::from_str(&summary)
            .map_err(|e| bad(&format_args!("summary is not valid JSON ({e})")))?,
    })
}

/// A cache row (found, fields, fetched_at); `fields` must be a JSON object
/// when found. Errors name the entry, for someone who edited the file.
fn entry_from_row(source: &str, key: &str, row: &Row<'_>) -> Result<CacheEntry, StoreError> {
    let bad = |e: &dyn std::fmt::Display| backend(format_args!("cache entry {source}/{key}"), e);
    let found: bool = row.get(0).map_err(|e| bad(&e))?;
    let fetched_at: i64 = row.get(2).map_err(|e| bad(&e))?;
    let value = if found {
        // Borrowed in place: no copy of the text before parsing.
        let fields = row.get_ref(1).and_then(|v| Ok(v.as_str_or_null()?));
        let text = fields
            .map_err(|e| bad(&e))?
            .ok_or_else(|| bad(&"found without fields"))?;
        let map: BTreeMap<String, serde_json::Value> = serde_json::from_str(text)
            .map_err(|e| bad(&format_args!("fields are not a JSON object ({e})")))?;
        Cached::Found(map)
    } else {
        Cached::NoData
    };
    Ok(CacheEntry { value, fetched_at })
}

#[async_trait::async_trait]
impl Store for SqliteStore {
    async fn cache_get(
        &self,
        source: &str,
        keys: &[String],
    ) -> Result<HashMap<String, CacheEntry>, StoreError> {
        let mut out = HashMap::with_capacity(keys.len());
        if keys.is_empty() {
            return Ok(out);
        }
        let ctx = || format!("reading the cache of {source}");
        let mut conn = self.conn();
        // One read transaction: one snapshot and one lock for all lookups.
        let tx = conn.transaction().map_err(|e| backend(ctx(), e))?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "SELECT found, fields, fetched_at FROM cache WHERE source = ?1 AND key = ?2",
                )
                .map_err(|e| backend(ctx(), e))?;
            for key in keys {
                let mut rows = stmt
                    .query(params![source, key])
                    .map_err(|e| backend(ctx(), e))?;
                let Some(row) = rows.next().map_err(|e| backend(ctx(), e))? else {
                    continue;
                };
                let entry = entry_from_row(source, key, row)?;
                out.insert(key.clone(), entry);
            }
        }
        tx.commit().map_err(|e| backend(ctx(), e))?;
        Ok(out)
    }

    async fn cache_put(
        &self,
        source: &str,
        entries: &[(String, CacheEntry)],
    ) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let ctx = || format!("writing the cache of {source}");
        let mut conn = self.conn();
        // IMMEDIATE: take the write lock up front, waiting (busy timeout)
        // for another process rather than failing halfway.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| backend(ctx(), e))?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO cache (source, key, found, fields, fetched_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (source, key) DO UPDATE SET
                       found = excluded.found,
                       fields = excluded.fields,
                       fetched_at = excluded.fetched_at",
                )
                .map_err(|e| backend(ctx(), e))?;
            for (key, entry) in entries {
                let fields = match &entry.value {
                    Cached::Found(map) => Some(
                        serde_json::to_string(map)
                            .map_err(|e| backend(format_args!("cache entry {source}/{key}"), e))?,
                    ),
                    Cached::NoData => None,
                };
                let found = matches!(entry.value, Cached::Found(_));
                stmt.execute(params![source, key, found, fields, entry.fetched_at])
                    .map_err(|e| backend(ctx(), e))?;
            }
        }
        tx.commit().map_err(|e| backend(ctx(), e))
    }

    async fn start_run(&self, run: &NewRun) -> Result<i64, StoreError> {
        let conn = self.conn();
        conn.prepare_cached(
            "INSERT INTO runs (label, fingerprint, as_of, started_at, status)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .and_then(|mut stmt| {
            stmt.execute(params![
                run.label,
                run.fingerprint,
                run.as_of,
                run.started_at,
                status_text(RunStatus::Running)
            ])
        })
        .map_err(|e| backend("recording a new run", e))?;
        Ok(conn.last_insert_rowid())
    }

    async fn unfinished_run(&self, fingerprint: &str) -> Result<Option<RunRecord>, StoreError> {
        let ctx = "looking for an unfinished run";
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(concat!(
                run_columns!(),
                " WHERE fingerprint = ?1 AND status = ?2 ORDER BY started_at DESC, id DESC LIMIT 1"
            ))
            .map_err(|e| backend(ctx, e))?;
        let mut rows = stmt
            .query(params![fingerprint, status_text(RunStatus::Running)])
            .map_err(|e| backend(ctx, e))?;
        match rows.next().map_err(|e| backend(ctx, e))? {
            Some(row) => run_from_row(row).map(Some),
            None => Ok(None),
        }
    }

    async fn checkpoint_run(&self, id: i64, summary: &serde_json::Value) -> Result<(), StoreError> {
        let summary = serde_json::to_string(summary).map_err(|e| backend("a run summary", e))?;
        let changed = self
            .conn()
            .prepare_cached("UPDATE runs SET summary = ?2 WHERE id = ?1")
            .and_then(|mut stmt| stmt.execute(params![id, summary]))
            .map_err(|e| backend(format_args!("checkpointing run {id}"), e))?;
        if changed == 0 {
            return Err(StoreError::NoSuchRun(id));
        }
        Ok(())
    }

    async fn finish_run(
        &self,
        id: i64,
        status: RunStatus,
        finished_at: i64,
        summary: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let summary = serde_json::to_string(summary).map_err(|e| backend("a run summary", e))?;
        let changed = self
            .conn()
            .prepare_cached(
                "UPDATE runs SET status = ?2, finished_at = ?3, summary = ?4 WHERE id = ?1",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![id, status_text(status), finished_at, summary])
            })
            .map_err(|e| backend(format_args!("finishing run {id}"), e))?;
        if changed == 0 {
            return Err(StoreError::NoSuchRun(id));
        }
        Ok(())
    }

    async fn run(&self, id: i64) -> Result<RunRecord, StoreError> {
        let ctx = || format!("reading run {id}");
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(concat!(run_columns!(), " WHERE id = ?1"))
            .map_err(|e| backend(ctx(), e))?;
        let mut rows = stmt.query(params![id]).map_err(|e| backend(ctx(), e))?;
        match rows.next().map_err(|e| backend(ctx(), e))? {
            Some(row) => run_from_row(row),
            None => Err(StoreError::NoSuchRun(id)),
        }
    }

    async fn runs(&self, limit: usize) -> Result<Vec<RunRecord>, StoreError> {
        let ctx = "listing runs";
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(concat!(
                run_columns!(),
                " ORDER BY started_at DESC, id DESC LIMIT ?1"
            ))
            .map_err(|e| backend(ctx, e))?;
        let mut rows = stmt.query(params![limit]).map_err(|e| backend(ctx, e))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(|e| backend(ctx, e))? {
            out.push(run_from_row(row)?);
        }
        Ok(out)
    }

    async fn put_run_scores(&self, run_id: i64, scores: &[RunScore]) -> Result<(), StoreError> {
        if scores.is_empty() {
            return Ok(());
        }
        let ctx = || format!("recording the results of run {run_id}");
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| backend(ctx(), e))?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO run_scores (run_id, profile, key, score, tier, reasons)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (run_id, profile, key) DO UPDATE SET
                       score = excluded.score,
                       tier = excluded.tier,
                       reasons = excluded.reasons",
                )
                .map_err(|e| backend(ctx(), e))?;
            for s in scores {
                stmt.execute(params![
                    run_id, s.profile, s.key, s.score, s.tier, s.reasons
                ])
                .map_err(|e| match e.sqlite_error_code() {
                    Some(ErrorCode::ConstraintViolation) => StoreError::NoSuchRun(run_id),
                    _ => backend(ctx(), e),
                })?;
            }
        }
        tx.commit().map_err(|e| backend(ctx(), e))
    }

    async fn run_scores(
        &self,
        run_id: i64,
        profile: Option<&str>,
        after: Option<(&str, &str)>,
        limit: usize,
    ) -> Result<Vec<RunScore>, StoreError> {
        let ctx = || format!("reading the results of run {run_id}");
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let (after_profile, after_key) = match after {
            Some((p, k)) => (Some(p), Some(k)),
            None => (None, None),
        };
        let conn = self.conn();
        // Row values compare (profile, key) in one step; SQLite's default
        // BINARY collation is byte order, the same as Rust's.
        let mut stmt = conn
            .prepare_cached(
                "SELECT profile, key, score, tier, reasons FROM run_scores
                 WHERE run_id = ?1
                   AND (?2 IS NULL OR profile = ?2)
                   AND (?3 IS NULL OR (profile, key) > (?3, ?4))
                 ORDER BY profile, key
                 LIMIT ?5",
            )
            .map_err(|e| backend(ctx(), e))?;
        let mut rows = stmt
            .query(params![run_id, profile, after_profile, after_key, limit])
            .map_err(|e| backend(ctx(), e))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(|e| backend(ctx(), e))? {
            let get = |e: rusqlite::Error| backend(ctx(), e);
            out.push(RunScore {
                profile: row.get(0).map_err(get)?,
                key: row.get(1).map_err(get)?,
                score: row.get(2).map_err(get)?,
                tier: row.get(3).map_err(get)?,
                reasons: row.get(4).map_err(get)?,
            });
        }
        Ok(out)
    }

    async fn put_accounts(&self, accounts: &[StoredAccount]) -> Result<(), StoreError> {
        if accounts.is_empty() {
            return Ok(());
        }
        let ctx = || "recording the accounts' latest state".to_string();
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| backend(ctx(), e))?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO accounts (entity, key, input, fields, run_id, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(|e| backend(ctx(), e))?;
            for a in accounts {
                let input = serde_json::Value::Object(a.input.clone()).to_string();
                let fields = serde_json::Value::Object(a.fields.clone()).to_string();
                stmt.execute(params![
                    a.entity,
                    a.key,
                    input,
                    fields,
                    a.run_id,
                    a.updated_at
                ])
                .map_err(|e| backend(ctx(), e))?;
            }
        }
        tx.commit().map_err(|e| backend(ctx(), e))
    }

    async fn accounts(
        &self,
        entity: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<StoredAccount>, StoreError> {
        let ctx = || "reading the stored accounts".to_string();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT key, input, fields, run_id, updated_at FROM accounts
                 WHERE entity = ?1 AND (?2 IS NULL OR key > ?2)
                 ORDER BY key LIMIT ?3",
            )
            .map_err(|e| backend(ctx(), e))?;
        let mut rows = stmt
            .query(params![entity, after, limit])
            .map_err(|e| backend(ctx(), e))?;
        let object = |text: String| match serde_json::from_str(&text) {
            Ok(serde_json::Value::Object(m)) => Ok(m),
            _ => Err(StoreError::Backend(format!(
                "{}: a stored account is not a JSON object; the file may be corrupt",
                ctx()
            ))),
        };
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(|e| backend(ctx(), e))? {
            let get = |e: rusqlite::Error| backend(ctx(), e);
            out.push(StoredAccount {
                entity: entity.to_string(),
                key: row.get(0).map_err(get)?,
                input: object(row.get(1).map_err(get)?)?,
                fields: object(row.get(2).map_err(get)?)?,
                run_id: row.get(3).map_err(get)?,
                updated_at: row.get(4).map_err(get)?,
            });
        }
        Ok(out)
    }
}
