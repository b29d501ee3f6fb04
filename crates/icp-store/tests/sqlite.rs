use std::collections::BTreeMap;
use std::sync::Arc;

use icp_store::{CacheEntry, Cached, NewRun, RunStatus, SqliteStore, Store, StoreError};
use serde_json::json;

fn found(v: serde_json::Value) -> Cached {
    let serde_json::Value::Object(map) = v else {
        panic!("not an object")
    };
    Cached::Found(map.into_iter().collect::<BTreeMap<_, _>>())
}

fn entry(value: Cached, fetched_at: i64) -> CacheEntry {
    CacheEntry { value, fetched_at }
}

fn new_run(fingerprint: &str, started_at: i64) -> NewRun {
    NewRun {
        label: "enrich accounts.csv".into(),
        fingerprint: fingerprint.into(),
        as_of: "2025-03-01".into(),
        started_at,
    }
}

fn keys(ks: &[&str]) -> Vec<String> {
    ks.iter().map(|k| k.to_string()).collect()
}

#[tokio::test]
async fn cache_round_trip_found_and_no_data() {
    let store = SqliteStore::open_in_memory().unwrap();
    let rich = found(json!({
        "name": "Müller & Söhne GmbH — 東京 🚀",
        "employees": 120,
        "revenue": {"min": 1.5e6, "max": 2e7},
        "technologies": ["react", "stripe"],
        "hq": {"city": "Zürich", "geo": [47.37, 8.54], "extra": null},
        "public": false,
    }));
    let entries = vec![
        ("müller.de".to_string(), entry(rich.clone(), 1_700_000_000)),
        (
            "nodata.com".to_string(),
            entry(Cached::NoData, 1_700_000_001),
        ),
        ("empty.com".to_string(), entry(found(json!({})), 7)),
    ];
    store.cache_put("clearbit", &entries).await.unwrap();

    let got = store
        .cache_get("clearbit", &keys(&["müller.de", "nodata.com", "empty.com"]))
        .await
        .unwrap();
    assert_eq!(got.len(), 3);
    for (k, e) in &entries {
        assert_eq!(&got[k], e, "{k}");
    }
}

#[tokio::test]
async fn upsert_replaces() {
    let store = SqliteStore::open_in_memory().unwrap();
    let k = keys(&["a.com"]);
    store
        .cache_put("s", &[(k[0].clone(), entry(found(json!({"x": 1})), 1))])
        .await
        .unwrap();
    store
        .cache_put("s", &[(k[0].clone(), entry(found(json!({"y": 2})), 2))])
        .await
        .unwrap();
    assert_eq!(
        store.cache_get("s", &k).await.unwrap()["a.com"],
        entry(found(json!({"y": 2})), 2)
    );
    store
        .cache_put("s", &[(k[0].clone(), entry(Cached::NoData, 3))])
        .await
        .unwrap();
    assert_eq!(
        store.cache_get("s", &k).await.unwrap()["a.com"],
        entry(Cached::NoData, 3)
    );
}

#[tokio::test]
async fn absent_keys_and_other_sources_are_not_returned() {
    let store = SqliteStore::open_in_memory().unwrap();
    store
        .cache_put("s1", &[("a.com".into(), entry(Cached::NoData, 1))])
        .await
        .unwrap();
    assert!(store.cache_get("s1", &[]).await.unwrap().is_empty());
    assert!(
        store
            .cache_get("s1", &keys(&["b.com", ""]))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .cache_get("s2", &keys(&["a.com"]))
            .await
            .unwrap()
            .is_empty()
    );
    let got = store
        .cache_get("s1", &keys(&["b.com", "a.com", "a.com"]))
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    assert!(got.contains_key("a.com"));
    store.cache_put("s1", &[]).await.unwrap();
}

#[tokio::test]
async fn many_keys() {
    let store = SqliteStore::open_in_memory().unwrap();
    let entries: Vec<(String, CacheEntry)> = (0..10_000)
        .map(|i| {
            let v = if i % 3 == 0 {
                Cached::NoData
            } else {
                found(json!({"employees": i, "name": format!("Company {i}")}))
            };
            (format!("company{i}.com"), entry(v, i))
        })
        .collect();
    store.cache_put("s", &entries).await.unwrap();
    // Every other stored key plus as many absent ones.
    let ask: Vec<String> = (0..20_000)
        .step_by(2)
        .map(|i| format!("company{i}.com"))
        .collect();
    let got = store.cache_get("s", &ask).await.unwrap();
    assert_eq!(got.len(), 5_000);
    for (k, e) in entries.iter().step_by(2) {
        assert_eq!(&got[k], e);
    }
}

#[tokio::test]
async fn persists_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/folders/icp.db");
    let id = {
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.path(), path.display().to_string());
        store
            .cache_put("s", &[("a.com".into(), entry(found(json!({"n": "ü"})), 5))])
            .await
            .unwrap();
        let id = store.start_run(&new_run("fp", 10)).await.unwrap();
        store.checkpoint_run(id, &json!({"done": 3})).await.unwrap();
        id
    };
    assert!(path.is_file());
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(
        store.cache_get("s", &keys(&["a.com"])).await.unwrap()["a.com"],
        entry(found(json!({"n": "ü"})), 5)
    );
    let run = store.unfinished_run("fp").await.unwrap().unwrap();
    assert_eq!(run.id, id);
    assert_eq!(run.summary, json!({"done": 3}));
}

#[tokio::test]
async fn runs_lifecycle() {
    let store = SqliteStore::open_in_memory().unwrap();
    assert!(store.unfinished_run("fp").await.unwrap().is_none());
    assert!(store.runs(10).await.unwrap().is_empty());

    let old = store.start_run(&new_run("fp", 100)).await.unwrap();
    let other = store.start_run(&new_run("other", 150)).await.unwrap();
    let id = store.start_run(&new_run("fp", 200)).await.unwrap();

    let run = store.run(id).await.unwrap();
    assert_eq!(run.status, RunStatus::Running);
    assert_eq!(run.finished_at, None);
    assert_eq!(run.summary, serde_json::Value::Null);
    assert_eq!(run.as_of, "2025-03-01");
    assert_eq!(run.label, "enrich accounts.csv");
    assert_eq!(run.started_at, 200);

    store
        .checkpoint_run(
            id,
            &json!({"rows_read": 10, "sources": {"s": {"calls": 2}}}),
        )
        .await
        .unwrap();
    // The newest running run of the fingerprint.
    let found = store.unfinished_run("fp").await.unwrap().unwrap();
    assert_eq!(found.id, id);
    assert_eq!(found.summary["sources"]["s"]["calls"], 2);

    store
        .finish_run(
            id,
            RunStatus::DoneWithStoppedSources,
            300,
            &json!({"rows_read": 20}),
        )
        .await
        .unwrap();
    let run = store.run(id).await.unwrap();
    assert_eq!(run.status, RunStatus::DoneWithStoppedSources);
    assert_eq!(run.finished_at, Some(300));
    assert_eq!(run.summary, json!({"rows_read": 20}));
    // Now the older killed run is the one to resume.
    assert_eq!(store.unfinished_run("fp").await.unwrap().unwrap().id, old);

    store
        .finish_run(old, RunStatus::Failed, 301, &json!(null))
        .await
        .unwrap();
    store
        .finish_run(other, RunStatus::Done, 302, &json!({}))
        .await
        .unwrap();
    assert!(store.unfinished_run("fp").await.unwrap().is_none());

    let ids: Vec<i64> = store.runs(10).await.unwrap().iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![id, other, old]);
    let statuses: Vec<RunStatus> = store
        .runs(2)
        .await
        .unwrap()
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(
        statuses,
        vec![RunStatus::DoneWithStoppedSources, RunStatus::Done]
    );
    assert!(store.runs(0).await.unwrap().is_empty());
}

#[tokio::test]
async fn unknown_run_ids() {
    let store = SqliteStore::open_in_memory().unwrap();
    assert!(matches!(
        store.checkpoint_run(42, &json!({})).await,
        Err(StoreError::NoSuchRun(42))
    ));
    assert!(matches!(
        store.finish_run(42, RunStatus::Done, 1, &json!({})).await,
        Err(StoreError::NoSuchRun(42))
    ));
    assert!(matches!(
        store.run(42).await,
        Err(StoreError::NoSuchRun(42))
    ));
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_readably() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("accounts.csv");
    std::fs::write(&path, "domain,name\nacme.com,Acme\n".repeat(100)).unwrap();
    let err = SqliteStore::open(&path).err().expect("must fail");
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(
        msg.contains("is not an icp store (not a SQLite database); pass another --store"),
        "{msg}"
    );
    // Untouched.
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .starts_with("domain,name")
    );
}

#[test]
fn another_sqlite_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE cache (x TEXT)")
        .unwrap();
    let msg = SqliteStore::open(&path)
        .err()
        .expect("must fail")
        .to_string();
    assert!(msg.contains("not an icp store"), "{msg}");
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("icp.db");
    drop(SqliteStore::open(&path).unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    match SqliteStore::open(&path) {
        Err(StoreError::Schema {
            path: p,
            found,
            supported,
        }) => {
            assert_eq!(p, path.display().to_string());
            assert_eq!(found, 99);
            assert_eq!(supported, SqliteStore::SCHEMA_VERSION);
        }
        other => panic!("expected a schema error, got {:?}", other.err()),
    }
}

#[tokio::test]
async fn corrupt_rows_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("icp.db");
    let store = SqliteStore::open(&path).unwrap();
    store
        .cache_put(
            "clearbit",
            &[
                ("bad.com".into(), entry(found(json!({"a": 1})), 1)),
                ("list.com".into(), entry(found(json!({"a": 1})), 1)),
            ],
        )
        .await
        .unwrap();
    let id = store.start_run(&new_run("fp", 1)).await.unwrap();
    let id2 = store.start_run(&new_run("fp2", 2)).await.unwrap();

    // Someone edits the file by hand.
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch(&format!(
        "UPDATE cache SET fields = '{{not json' WHERE key = 'bad.com';
         UPDATE cache SET fields = '[1,2]' WHERE key = 'list.com';
         UPDATE runs SET summary = '{{' WHERE id = {id};
         UPDATE runs SET status = 'paused' WHERE id = {id2};"
    ))
    .unwrap();

    for key in ["bad.com", "list.com"] {
        match store.cache_get("clearbit", &keys(&[key])).await {
            Err(StoreError::Backend(msg)) => {
                assert!(msg.contains(&format!("clearbit/{key}")), "{msg}")
            }
            other => panic!("expected a backend error, got {other:?}"),
        }
    }
    for (run_id, what) in [(id, "summary"), (id2, "paused")] {
        match store.run(run_id).await {
            Err(StoreError::Backend(msg)) => {
                assert!(msg.contains(&format!("run {run_id}")), "{msg}");
                assert!(msg.contains(what), "{msg}");
            }
            other => panic!("expected a backend error, got {other:?}"),
        }
    }
    assert!(matches!(
        store.unfinished_run("fp").await,
        Err(StoreError::Backend(_))
    ));
    assert!(matches!(store.runs(10).await, Err(StoreError::Backend(_))));
}

/// Two handles on one file stand in for two processes (a cron run beside
/// `icp serve`): concurrent writers wait for each other instead of failing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_handles_on_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("icp.db");
    let a = Arc::new(SqliteStore::open(&path).unwrap());
    let b = Arc::new(SqliteStore::open(&path).unwrap());

    let write = |store: Arc<SqliteStore>, source: &'static str| {
        tokio::spawn(async move {
            for batch in 0..50 {
                let entries: Vec<(String, CacheEntry)> = (0..200)
                    .map(|i| {
                        let v = found(json!({"batch": batch, "i": i}));
                        (format!("k{batch}-{i}"), entry(v, batch))
                    })
                    .collect();
                store.cache_put(source, &entries).await.unwrap();
                let id = store.start_run(&new_run(source, batch)).await.unwrap();
                store
                    .checkpoint_run(id, &json!({"b": batch}))
                    .await
                    .unwrap();
                // Read back through the same handle while the other writes.
                let got = store.cache_get(source, &keys(&["k0-0"])).await.unwrap();
                assert_eq!(got.len(), 1);
            }
        })
    };
    let ta = write(a.clone(), "from_a");
    let tb = write(b.clone(), "from_b");
    ta.await.unwrap();
    tb.await.unwrap();

    // Each handle sees the other's writes.
    let ask: Vec<String> = (0..50)
        .flat_map(|b| (0..200).map(move |i| format!("k{b}-{i}")))
        .collect();
    assert_eq!(a.cache_get("from_b", &ask).await.unwrap().len(), 10_000);
    assert_eq!(b.cache_get("from_a", &ask).await.unwrap().len(), 10_000);
    assert_eq!(a.runs(1000).await.unwrap().len(), 100);
    assert_eq!(
        b.unfinished_run("from_a")
            .await
            .unwrap()
            .unwrap()
            .started_at,
        49
    );
}

/// Throughput check, not a timed assertion:
/// `cargo test -p icp-store --release --test sqlite -- --ignored --nocapture`
#[tokio::test]
#[ignore]
async fn throughput_100k() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("icp.db")).unwrap();
    let entries: Vec<(String, CacheEntry)> = (0..100_000)
        .map(|i| {
            let v = found(json!({
                "name": format!("Company {i}"),
                "industry": "Software",
                "employees": i % 5000,
                "country": "DE",
                "technologies": ["react", "stripe", "hubspot"],
            }));
            (format!("company{i}.com"), entry(v, 1_700_000_000 + i))
        })
        .collect();
    let keys: Vec<String> = entries.iter().map(|(k, _)| k.clone()).collect();

    // Three rounds into a growing file (another source each time).
    for round in 0..3 {
        let source = format!("s{round}");
        let t = std::time::Instant::now();
        store.cache_put(&source, &entries).await.unwrap();
        let insert = t.elapsed();
        let t = std::time::Instant::now();
        store.cache_put(&source, &entries).await.unwrap();
        let replace = t.elapsed();
        let t = std::time::Instant::now();
        let got = store.cache_get(&source, &keys).await.unwrap();
        let hits = t.elapsed();
        assert_eq!(got.len(), 100_000);
        let t = std::time::Instant::now();
        let none = store.cache_get("absent", &keys).await.unwrap();
        let misses = t.elapsed();
        assert!(none.is_empty());
        println!(
            "100k: put (insert) {insert:?}, put (replace) {replace:?}, \
             get (hits) {hits:?}, get (misses) {misses:?}"
        );
    }
}
