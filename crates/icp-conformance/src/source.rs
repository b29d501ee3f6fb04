//! [`check_source`]: the conformance checks of a local source (one that
//! implements [`Source`] directly).

use std::collections::BTreeMap;
use std::time::Duration;

use icp_plugin_sdk::{Manifest, Outcome, Source, SourceError};

use crate::report::Report;
use crate::requests::list_or_none;
use crate::unwind::{guarded, guarded_future};
use crate::values::{type_name, value_problem};
use crate::{
    MAX_SAMPLE_BATCH, accounts, describe, keys_text, manifest_checks, outcome_change, sample_keys,
    short, subject,
};

/// Each `enrich` call must answer within this time.
pub const ENRICH_TIMEOUT: Duration = Duration::from_secs(60);

/// Run every conformance check on a local source and report them.
///
/// `known` are account keys the source has data for (at least one);
/// `unknown` is a key it has none for. Call it from a Tokio runtime with
/// the time driver enabled (`#[tokio::test]` is one): each `enrich` call has
/// a limit of [`ENRICH_TIMEOUT`].
///
/// The checks (each a line of the [`Report`]):
/// - `manifest`: see [`check_manifest`](crate::check_manifest).
/// - `enrich: an empty batch`: an empty map.
/// - `enrich: an unknown key`: exactly one outcome, `NoData`.
/// - `enrich: known keys`: each known key alone is `Found`, with fields
///   the manifest lists and values of the declared type.
/// - `enrich: a batch of max_batch (N)`: the known keys, the unknown one
///   and generated keys up to `max_batch`: exactly one outcome per key
///   (none for other keys), the same outcomes as asked one by one.
/// - `enrich: deterministic`: the same batch twice gives the same map.
///
/// A panic, an error or a call over the time limit fails the check it
/// happens in, with its message.
pub async fn check_source(source: &dyn Source, known: &[&str], unknown: &str) -> Report {
    let manifest = match guarded(|| source.manifest().clone()) {
        Ok(m) => m,
        Err(p) => {
            let mut r = Report::new("a source");
            r.check("manifest")
                .fail(format!("`manifest` panicked: {p}"));
            return r;
        }
    };
    let mut report = Report::new(subject(&manifest, None));
    manifest_checks(&mut report, &manifest);

    {
        let c = report.check("enrich: an empty batch");
        match enrich(source, &[]).await {
            Ok(map) if map.is_empty() => {}
            Ok(map) => c.fail(format!(
                "{} outcome(s) for no account ({})",
                map.len(),
                keys_text(&map.keys().cloned().collect::<Vec<_>>())
            )),
            Err(e) => c.fail(e),
        }
    }
    {
        let c = report.check("enrich: an unknown key");
        let keys = vec![unknown.to_string()];
        match enrich(source, &keys).await {
            Ok(map) => {
                c.fail_all(map_problems(&manifest, &keys, &map));
                match map.get(unknown) {
                    Some(Outcome::NoData) | None => {}
                    Some(o) => c.fail(format!(
                        "`{unknown}` (unknown) is {}: a key the source has no data for is NoData",
                        describe(o)
                    )),
                }
            }
            Err(e) => c.fail(e),
        }
    }
    let mut singles: BTreeMap<String, Outcome> = BTreeMap::new();
    {
        let c = report.check("enrich: known keys");
        if known.is_empty() {
            c.fail("no known key given: pass at least one key the source has data for");
        }
        for k in known {
            let keys = vec![k.to_string()];
            match enrich(source, &keys).await {
                Ok(map) => {
                    c.fail_all(map_problems(&manifest, &keys, &map));
                    match map.get(*k) {
                        Some(o @ Outcome::Found { .. }) => {
                            singles.insert(k.to_string(), o.clone());
                        }
                        Some(o) => {
                            c.fail(format!("`{k}` (known) is {}: expected Found", describe(o)))
                        }
                        None => {}
                    }
                }
                Err(e) => c.fail(e),
            }
        }
    }

    let max = manifest.max_batch.max(1) as usize;
    let size = max.min(MAX_SAMPLE_BATCH);
    let mut first: Vec<String> = known.iter().map(|k| k.to_string()).collect();
    first.push(unknown.to_string());
    let batch = sample_keys(&manifest.key, &first, size);
    let batch_name = format!("enrich: a batch of max_batch ({})", manifest.max_batch);
    let mut batch_result = None;
    {
        let c = report.check(&batch_name);
        if max > MAX_SAMPLE_BATCH {
            c.note(format!(
                "max_batch is {}: the batch checked holds {MAX_SAMPLE_BATCH} accounts",
                manifest.max_batch
            ));
        }
        match enrich(source, &batch).await {
            Ok(map) => {
                c.fail_all(map_problems(&manifest, &batch, &map));
                for (k, single) in &singles {
                    if let Some(o) = map.get(k)
                        && o != single
                    {
                        c.fail(format!(
                            "`{k}` alone, then in a batch: {}: a batch gives the same outcomes as single calls",
                            outcome_change(Some(single), Some(o))
                        ));
                    }
                }
                if batch.iter().any(|k| k == unknown)
                    && let Some(o) = map.get(unknown)
                    && *o != Outcome::NoData
                {
                    c.fail(format!(
                        "`{unknown}` (unknown) is {} in a batch: expected NoData",
                        describe(o)
                    ));
                }
                batch_result = Some(map);
            }
            Err(e) => c.fail(e),
        }
    }
    {
        let c = report.check("enrich: deterministic");
        match (batch_result, enrich(source, &batch).await) {
            (Some(a), Ok(b)) => {
                if let Some(k) = a.keys().chain(b.keys()).find(|k| a.get(*k) != b.get(*k)) {
                    c.fail(format!(
                        "the same batch twice gave `{k}` {}",
                        outcome_change(a.get(k), b.get(k))
                    ));
                }
            }
            (None, _) => c.fail("not run: the batch failed"),
            (_, Err(e)) => c.fail(format!("the second call: {e}")),
        }
    }
    report
}

/// Call `enrich`; a panic, an error or the time limit is a message.
async fn enrich(source: &dyn Source, keys: &[String]) -> Result<BTreeMap<String, Outcome>, String> {
    let accounts = accounts(keys);
    let what = keys_text(keys);
    let fut = match guarded(|| source.enrich(&accounts)) {
        Ok(f) => f,
        Err(p) => return Err(format!("`enrich` panicked for {what}: {p}")),
    };
    match tokio::time::timeout(ENRICH_TIMEOUT, guarded_future(fut)).await {
        Err(_) => Err(format!(
            "`enrich` for {what} did not answer within {} s",
            ENRICH_TIMEOUT.as_secs()
        )),
        Ok(Err(p)) => Err(format!("`enrich` panicked for {what}: {p}")),
        Ok(Ok(Err(e))) => Err(error_text(&what, &e)),
        Ok(Ok(Ok(map))) => Ok(map),
    }
}

fn error_text(what: &str, e: &SourceError) -> String {
    format!("`enrich` failed for {what}: {}", short(&e.to_string(), 300))
}

/// One outcome per asked key, none for others, `Found` fields typed.
fn map_problems(m: &Manifest, keys: &[String], map: &BTreeMap<String, Outcome>) -> Vec<String> {
    let mut out = Vec::new();
    let missing: Vec<&String> = keys.iter().filter(|k| !map.contains_key(*k)).collect();
    if !missing.is_empty() {
        out.push(format!(
            "no outcome for {} of the {} key(s) asked: enrich gives one outcome per key",
            keys_text(&missing.iter().map(|k| (*k).clone()).collect::<Vec<_>>()),
            keys.len()
        ));
    }
    let extra: Vec<String> = map.keys().filter(|k| !keys.contains(k)).cloned().collect();
    if !extra.is_empty() {
        out.push(format!(
            "an outcome for {}, which was not asked for",
            keys_text(&extra)
        ));
    }
    for (key, o) in map {
        match o {
            Outcome::Found { fields } => {
                if fields.is_empty() {
                    out.push(format!("`{key}` is Found with no fields: that is NoData"));
                }
                for (name, v) in fields {
                    match m.fields.iter().find(|f| &f.name == name) {
                        None => out.push(format!(
                            "`{key}` has field `{name}`, which the manifest does not list (it lists {})",
                            list_or_none(&m.fields.iter().map(|f| f.name.clone()).collect::<Vec<_>>())
                        )),
                        Some(spec) => {
                            if let Some(p) = value_problem(spec.ty, v) {
                                out.push(format!(
                                    "`{key}` field `{name}` ({}) {p}",
                                    type_name(spec.ty)
                                ));
                            }
                        }
                    }
                }
            }
            Outcome::Failed { message } if message.trim().is_empty() => {
                out.push(format!("`{key}` is Failed without a message"));
            }
            _ => {}
        }
    }
    out
}
