//! The latest state per account (schema version 3): what a job whose input
//! is "the accounts already in the store" reads.

use icp_store::{SqliteStore, Store, StoredAccount};
use serde_json::{Map, Value, json};

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => unreachable!("an object literal"),
    }
}

fn account(entity: &str, key: &str, run_id: i64, employees: u64) -> StoredAccount {
    StoredAccount {
        key: key.into(),
        entity: entity.into(),
        input: object(json!({ "Company Domain Name": key, "Record ID": "7" })),
        fields: object(json!({ "domain": key, "employees": employees })),
        run_id,
        updated_at: 1000 + run_id,
    }
}

#[tokio::test]
async fn accounts_are_replaced_by_newer_runs_and_paged_in_key_order() {
    let store = SqliteStore::open_in_memory().unwrap();
    assert!(
        store
            .accounts("account", None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let first: Vec<StoredAccount> = ["zeta.io", "acme.com", "bolt.dev"]
        .iter()
        .map(|k| account("account", k, 1, 10))
        .collect();
    store.put_accounts(&first).await.unwrap();
    // A member with a key like an account's is another entity.
    store
        .put_accounts(&[account("member", "acme.com", 1, 1)])
        .await
        .unwrap();
    // Run 2 sees acme.com again, bigger.
    store
        .put_accounts(&[account("account", "acme.com", 2, 250)])
        .await
        .unwrap();

    let mut all = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .accounts("account", after.as_deref(), 2)
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 2);
        after = page.last().map(|a| a.key.clone());
        all.extend(page);
    }
    let keys: Vec<&str> = all.iter().map(|a| a.key.as_str()).collect();
    assert_eq!(keys, ["acme.com", "bolt.dev", "zeta.io"]);
    assert_eq!(all[0].run_id, 2);
    assert_eq!(all[0].fields["employees"], 250);
    assert_eq!(all[0].input["Record ID"], "7");
    assert_eq!(all[1], account("account", "bolt.dev", 1, 10));
    let members = store.accounts("member", None, 10).await.unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].fields["employees"], 1);
}
