//! The kit on a small local source: the good version passes, each flaw
//! fails the check it should.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};

use icp_conformance::{Report, check_source};
use icp_plugin_sdk::{
    Account, Category, FieldSpec, FieldType, Manifest, Outcome, Source, SourceError,
};
use serde_json::json;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flaw {
    None,
    UnknownIsFound,
    DropsKeysOverTwo,
    ExtraOutcome,
    PanicsOnEmpty,
    ErrorOnEmpty,
    Flaky,
    BatchDiffers,
    UndeclaredField,
}

struct Companies {
    manifest: Manifest,
    flaw: Flaw,
    calls: AtomicU64,
}

fn companies(flaw: Flaw) -> Companies {
    Companies {
        manifest: Manifest {
            name: "companies".into(),
            version: "0.1.0".into(),
            category: Category::Firmographic,
            key: "domain".into(),
            fields: vec![
                FieldSpec {
                    name: "name".into(),
                    ty: FieldType::Text,
                    about: String::new(),
                },
                FieldSpec {
                    name: "employees".into(),
                    ty: FieldType::Number,
                    about: String::new(),
                },
            ],
            max_batch: 10,
            limits: Vec::new(),
            cost_per_call: 0.0,
            secrets: Vec::new(),
            untrusted_hosts: false,
        },
        flaw,
        calls: AtomicU64::new(0),
    }
}

#[async_trait::async_trait]
impl Source for Companies {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    async fn enrich(&self, accounts: &[Account]) -> Result<BTreeMap<String, Outcome>, SourceError> {
        tokio::task::yield_now().await;
        if accounts.is_empty() {
            match self.flaw {
                Flaw::PanicsOnEmpty => panic!("index out of bounds: the len is 0"),
                Flaw::ErrorOnEmpty => return Err(SourceError::Other("no accounts".into())),
                _ => {}
            }
        }
        let call = self.calls.fetch_add(1, Ordering::Relaxed);
        let mut out = BTreeMap::new();
        for (i, a) in accounts.iter().enumerate() {
            if self.flaw == Flaw::DropsKeysOverTwo && i >= 2 {
                break;
            }
            let mut fields = match a.key.as_str() {
                "acme.com" => BTreeMap::from([
                    ("name".to_string(), json!("Acme")),
                    ("employees".to_string(), json!(250)),
                ]),
                "globex.co.uk" => BTreeMap::from([("employees".to_string(), json!("51-200"))]),
                _ if self.flaw == Flaw::UnknownIsFound => {
                    BTreeMap::from([("name".to_string(), json!("?"))])
                }
                _ => BTreeMap::new(),
            };
            if !fields.is_empty() {
                if self.flaw == Flaw::Flaky {
                    fields.insert("name".into(), json!(format!("call {call}")));
                }
                if self.flaw == Flaw::BatchDiffers && accounts.len() > 1 {
                    fields.remove("employees");
                    fields.insert("name".into(), json!("Batch"));
                }
                if self.flaw == Flaw::UndeclaredField {
                    fields.insert("ceo".into(), json!("Wile E."));
                }
            }
            let outcome = if fields.is_empty() {
                Outcome::NoData
            } else {
                Outcome::Found { fields }
            };
            out.insert(a.key.clone(), outcome);
        }
        if self.flaw == Flaw::ExtraOutcome {
            out.insert("bonus.com".into(), Outcome::NoData);
        }
        Ok(out)
    }
}

async fn run(flaw: Flaw) -> Report {
    check_source(
        &companies(flaw),
        &["acme.com", "globex.co.uk"],
        "nosuch.example",
    )
    .await
}

#[track_caller]
fn fails(r: &Report, checks: &[&str], messages: &[&str]) {
    let failed: BTreeSet<&str> = r.failed().iter().map(|c| c.name.as_str()).collect();
    let want: BTreeSet<&str> = checks.iter().copied().collect();
    assert_eq!(failed, want, "\n{r}");
    let all = r.failures().join("\n");
    for m in messages {
        assert!(all.contains(m), "missing {m:?} in\n{r}");
    }
}

#[tokio::test]
async fn a_good_source_passes() {
    let r = run(Flaw::None).await;
    r.assert_ok();
    assert_eq!(
        r.passed(),
        [
            "manifest",
            "enrich: an empty batch",
            "enrich: an unknown key",
            "enrich: known keys",
            "enrich: a batch of max_batch (10)",
            "enrich: deterministic",
        ]
    );
}

#[tokio::test]
async fn an_unknown_key_that_is_found() {
    let r = run(Flaw::UnknownIsFound).await;
    fails(
        &r,
        &[
            "enrich: an unknown key",
            "enrich: a batch of max_batch (10)",
        ],
        &[
            "enrich: an unknown key: `nosuch.example` (unknown) is Found (name): a key the source has no data for is NoData",
            "enrich: a batch of max_batch (10): `nosuch.example` (unknown) is Found (name) in a batch: expected NoData",
        ],
    );
}

#[tokio::test]
async fn missing_and_extra_outcomes() {
    let r = run(Flaw::DropsKeysOverTwo).await;
    fails(
        &r,
        &["enrich: a batch of max_batch (10)"],
        &[
            "no outcome for 8 accounts (`nosuch.example`, `conformance-1.com`, ...) of the 10 key(s) asked: enrich gives one outcome per key",
        ],
    );
    let r = run(Flaw::ExtraOutcome).await;
    fails(
        &r,
        &[
            "enrich: an empty batch",
            "enrich: an unknown key",
            "enrich: known keys",
            "enrich: a batch of max_batch (10)",
        ],
        &[
            "enrich: an empty batch: 1 outcome(s) for no account (`bonus.com`)",
            "enrich: known keys: an outcome for `bonus.com`, which was not asked for",
        ],
    );
}

#[tokio::test]
async fn panics_and_errors_are_reported() {
    let r = run(Flaw::PanicsOnEmpty).await;
    fails(
        &r,
        &["enrich: an empty batch"],
        &["`enrich` panicked for no account: index out of bounds: the len is 0"],
    );
    let r = run(Flaw::ErrorOnEmpty).await;
    fails(
        &r,
        &["enrich: an empty batch"],
        &["`enrich` failed for no account: no accounts"],
    );
}

#[tokio::test]
async fn nondeterminism_and_batch_differences() {
    let r = run(Flaw::Flaky).await;
    fails(
        &r,
        &["enrich: a batch of max_batch (10)", "enrich: deterministic"],
        &[
            "enrich: deterministic: the same batch twice gave `acme.com` field `name` \"call 4\", then \"call 5\"",
        ],
    );
    let r = run(Flaw::BatchDiffers).await;
    fails(
        &r,
        &["enrich: a batch of max_batch (10)"],
        &[
            "`acme.com` alone, then in a batch: field `employees` 250, then absent: a batch gives the same outcomes as single calls",
        ],
    );
}

#[tokio::test]
async fn fields_the_manifest_does_not_list() {
    let r = run(Flaw::UndeclaredField).await;
    fails(
        &r,
        &["enrich: known keys", "enrich: a batch of max_batch (10)"],
        &[
            "`acme.com` has field `ceo`, which the manifest does not list (it lists `name`, `employees`)",
        ],
    );
}

#[tokio::test]
async fn no_known_key_is_a_failure() {
    let r = check_source(&companies(Flaw::None), &[], "nosuch.example").await;
    fails(
        &r,
        &["enrich: known keys"],
        &["no known key given: pass at least one key the source has data for"],
    );
}
