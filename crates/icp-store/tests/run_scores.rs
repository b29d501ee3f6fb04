//! Each run's results per profile and account (schema version 2).

use icp_store::{NewRun, RunScore, SqliteStore, Store, StoreError};

fn new_run(started_at: i64) -> NewRun {
    NewRun {
        label: "enrich accounts.csv".into(),
        fingerprint: "f".into(),
        as_of: "2026-11-20".into(),
        started_at,
    }
}

fn score(profile: &str, key: &str, score: i64, tier: &str, reasons: &str) -> RunScore {
    RunScore {
        key: key.into(),
        profile: profile.into(),
        score,
        tier: tier.into(),
        reasons: reasons.into(),
    }
}

/// Every result of a run, paging `page` at a time.
async fn all(store: &SqliteStore, run: i64, profile: Option<&str>, page: usize) -> Vec<RunScore> {
    let mut out: Vec<RunScore> = Vec::new();
    loop {
        let after = out.last().map(|s| (s.profile.clone(), s.key.clone()));
        let got = store
            .run_scores(
                run,
                profile,
                after.as_ref().map(|(p, k)| (p.as_str(), k.as_str())),
                page,
            )
            .await
            .unwrap();
        if got.is_empty() {
            return out;
        }
        assert!(got.len() <= page);
        out.extend(got);
    }
}

#[tokio::test]
async fn scores_round_trip_per_run_and_profile_in_key_order() {
    let store = SqliteStore::open_in_memory().unwrap();
    let a = store.start_run(&new_run(1)).await.unwrap();
    let b = store.start_run(&new_run(2)).await.unwrap();
    let in_a = vec![
        score("genai", "zeta.com", 10, "3", "small (-5)"),
        score(
            "genai",
            "alpha.com",
            42,
            "1",
            "enterprise (+30); intent (+12)",
        ),
        score("hr", "alpha.com", -3, "excluded", ""),
        score("genai", "müller.de", 20, "2", "Grüße (+20)"),
    ];
    store.put_run_scores(a, &in_a).await.unwrap();
    store
        .put_run_scores(b, &[score("genai", "alpha.com", 7, "3", "x (+7)")])
        .await
        .unwrap();

    let got = all(&store, a, None, 1000).await;
    let keys: Vec<(&str, &str)> = got
        .iter()
        .map(|s| (s.profile.as_str(), s.key.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("genai", "alpha.com"),
            ("genai", "müller.de"),
            ("genai", "zeta.com"),
            ("hr", "alpha.com")
        ]
    );
    assert_eq!(got[0], in_a[1]);
    assert_eq!(got[1], in_a[3]);
    assert_eq!(got[3], in_a[2]);

    let genai = all(&store, a, Some("genai"), 2).await;
    assert_eq!(genai.len(), 3);
    assert!(genai.iter().all(|s| s.profile == "genai"));
    assert!(all(&store, a, Some("nope"), 10).await.is_empty());

    // The other run keeps its own; an unknown run has none.
    assert_eq!(all(&store, b, None, 10).await[0].score, 7);
    assert!(all(&store, 999, None, 10).await.is_empty());
}

#[tokio::test]
async fn a_result_written_again_is_replaced() {
    let store = SqliteStore::open_in_memory().unwrap();
    let a = store.start_run(&new_run(1)).await.unwrap();
    store
        .put_run_scores(a, &[score("p", "k.com", 1, "3", "")])
        .await
        .unwrap();
    store
        .put_run_scores(a, &[score("p", "k.com", 50, "1", "big (+50)")])
        .await
        .unwrap();
    let got = all(&store, a, None, 10).await;
    assert_eq!(got, [score("p", "k.com", 50, "1", "big (+50)")]);
}

#[tokio::test]
async fn scores_of_a_run_that_does_not_exist_are_refused() {
    let store = SqliteStore::open_in_memory().unwrap();
    let err = store
        .put_run_scores(41, &[score("p", "k.com", 1, "3", "")])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NoSuchRun(41)), "{err}");
}

#[tokio::test]
async fn a_large_batch_is_one_call_and_pages_back_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("store.db")).unwrap();
    let a = store.start_run(&new_run(1)).await.unwrap();
    let n = 100_000;
    let batch: Vec<RunScore> = (0..n)
        .map(|i| {
            score(
                "genai",
                &format!("company{i:06}.com"),
                i % 97,
                ["1", "2", "3"][(i % 3) as usize],
                "trait (+1)",
            )
        })
        .collect();
    store.put_run_scores(a, &batch).await.unwrap();
    let got = all(&store, a, Some("genai"), 5000).await;
    assert_eq!(got.len(), n as usize);
    assert_eq!(got[0].key, "company000000.com");
    assert_eq!(got[99_999].key, "company099999.com");
    assert_eq!(got[12_345], batch[12_345]);
}

/// The version-1 schema exactly as icp 0.1 wrote it.
const V1: &str = "CREATE TABLE cache (
        source     TEXT NOT NULL,
        key        TEXT NOT NULL,
        found      INTEGER NOT NULL,
        fields     TEXT,
        fetched_at INTEGER NOT NULL,
        PRIMARY KEY (source, key)
    ) WITHOUT ROWID;
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
    CREATE INDEX runs_by_fingerprint ON runs (fingerprint, status);
    PRAGMA user_version = 1;";

#[tokio::test]
async fn a_version_1_store_upgrades_in_place_and_keeps_its_runs_and_cache() {
    assert_eq!(SqliteStore::SCHEMA_VERSION, 3);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let raw = rusqlite::Connection::open(&path).unwrap();
        raw.execute_batch(V1).unwrap();
        raw.execute_batch(
            "INSERT INTO runs (label, fingerprint, as_of, started_at, finished_at, status, summary)
             VALUES ('enrich old.csv', 'fp', '2025-01-01', 100, 160, 'done', '{\"accounts\":3}');
             INSERT INTO cache (source, key, found, fields, fetched_at)
             VALUES ('company-list', 'acme.com', 1, '{\"employees\":5}', 90);",
        )
        .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    let old = store.run(1).await.unwrap();
    assert_eq!(old.label, "enrich old.csv");
    assert_eq!(old.summary["accounts"], 3);
    let cached = store
        .cache_get("company-list", &["acme.com".to_string()])
        .await
        .unwrap();
    assert_eq!(cached["acme.com"].fetched_at, 90);
    // A run from before has no results; new runs get them.
    assert!(all(&store, 1, None, 10).await.is_empty());
    let new = store.start_run(&new_run(200)).await.unwrap();
    assert_eq!(new, 2);
    store
        .put_run_scores(new, &[score("p", "acme.com", 9, "2", "a (+9)")])
        .await
        .unwrap();
    drop(store);

    let raw = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = raw
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, SqliteStore::SCHEMA_VERSION);
    // Opening again does not migrate twice.
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(all(&store, new, None, 10).await.len(), 1);
}
