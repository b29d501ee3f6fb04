//! `POST /v1/enrich`: a batch of accounts enriched and scored in the
//! background as a run in the store; `GET /v1/runs/{id}`: a run and,
//! paged, its scores.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use icp_core::fields::column_for;
use icp_core::{Entity, RecordBuilder, Scored};
use icp_store::{NewRun, RunScore, RunStatus, StoreError};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::error::{body_bytes, parse_json};
use crate::score::{cell, key_of, kind_of, merge};
use crate::{ApiError, AppState};

/// The most accounts one `POST /v1/enrich` takes.
pub const MAX_ACCOUNTS: usize = 10_000;
/// Scores per page of `GET /v1/runs/{id}?scores=true`: default and most.
const DEFAULT_LIMIT: usize = 1_000;
const MAX_LIMIT: usize = 10_000;
/// Accounts read back and scored per store transaction.
const CHUNK: usize = 1_000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnrichBody {
    accounts: Vec<Value>,
    #[serde(default)]
    profile: Option<String>,
}

/// One account as cells, with its key.
struct Account {
    headers: Vec<String>,
    row: Vec<String>,
    key: String,
}

fn store_failed(e: StoreError) -> ApiError {
    ApiError::internal(format!("the store failed: {e}"))
}

pub(crate) async fn enrich(
    State(st): State<Arc<AppState>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body_bytes(body, st.max_body)?;
    let v: Value = parse_json(&body)?;
    let req: EnrichBody = serde_json::from_value(v).map_err(|e| {
        ApiError::unprocessable(format!(
            "the body must be {{\"accounts\": [{{\"domain\": \"acme.com\", ...}}, ...], \"profile\": \"optional\"}}: {e}"
        ))
    })?;
    if req.accounts.is_empty() {
        return Err(ApiError::unprocessable("`accounts` is empty"));
    }
    if req.accounts.len() > MAX_ACCOUNTS {
        return Err(ApiError::unprocessable(format!(
            "{} accounts: at most {MAX_ACCOUNTS} per request; split the batch",
            req.accounts.len()
        )));
    }
    // The run keeps this snapshot: its as_of holds to the end.
    let profiles = st.profiles();
    let profile_idx = match &req.profile {
        None => 0,
        Some(name) => profiles
            .iter()
            .position(|p| &p.name == name)
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "no profile named `{name}`; the profiles are: {}",
                    crate::score::profile_names(&profiles)
                ))
            })?,
    };
    let mut accounts = Vec::with_capacity(req.accounts.len());
    let mut problems = Vec::new();
    for (i, a) in req.accounts.iter().enumerate() {
        let Value::Object(fields) = a else {
            problems.push(format!("account {i}: not an object but {}", kind_of(a)));
            continue;
        };
        let mut headers = Vec::with_capacity(fields.len());
        let mut row = Vec::with_capacity(fields.len());
        let mut bad = false;
        for (name, v) in fields {
            match cell(name, v) {
                Ok(c) => {
                    headers.push(name.clone());
                    row.push(c);
                }
                Err(e) => {
                    problems.push(format!("account {i}: {}", e.message));
                    bad = true;
                }
            }
        }
        if bad {
            continue;
        }
        match key_of(&headers, &row) {
            Ok(key) => accounts.push(Account { headers, row, key }),
            Err(e) => problems.push(format!("account {i}: {e}")),
        }
    }
    if !problems.is_empty() {
        let n = problems.len();
        problems.truncate(20);
        return Err(ApiError::unprocessable(format!(
            "{n} account(s) cannot be enriched, none was started: {}{}",
            problems.join("; "),
            if n > 20 { "; ..." } else { "" }
        )));
    }
    let as_of = icp_core::value::date_from_days(profiles[profile_idx].as_of)
        .map(|d| d.to_string())
        .unwrap_or_default();
    let run_id = st
        .store
        .start_run(&NewRun {
            label: "api enrich".into(),
            fingerprint: format!("api-enrich-{}", icp_engine::unix_now()),
            as_of,
            started_at: icp_engine::unix_now(),
        })
        .await
        .map_err(store_failed)?;
    st.metrics.run_started();
    let task_st = st.clone();
    tokio::spawn(async move {
        let started = Instant::now();
        let st = task_st;
        let (status, summary) = match execute(&st, &profiles[profile_idx], &accounts, run_id).await
        {
            Ok((status, mut summary)) => {
                summary["seconds"] =
                    json!((started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0);
                (status, summary)
            }
            Err(e) => {
                tracing::error!(run_id, "api enrich run failed: {e}");
                (
                    RunStatus::Failed,
                    json!({"accounts": accounts.len(), "error": e.to_string()}),
                )
            }
        };
        let finished_at = icp_engine::unix_now();
        if let Err(e) = st
            .store
            .finish_run(run_id, status, finished_at, &summary)
            .await
        {
            tracing::error!(run_id, "cannot finish run: {e}");
        }
        let status_text = serde_json::to_value(status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        st.metrics.run_finished(&status_text, started.elapsed());
        if let Some(hook) = &st.webhook {
            let payload = json!({
                "run_id": run_id,
                "status": status_text,
                "accounts": summary.get("accounts").cloned().unwrap_or(json!(accounts.len())),
                "tiers": summary.get("tiers").cloned().unwrap_or(json!({})),
                "finished_at": finished_at,
            });
            if !crate::webhook::deliver(hook, &payload).await {
                tracing::error!(run_id, "the run's webhook was not delivered");
            }
        }
    });
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"run_id": run_id, "status": "running"})),
    )
        .into_response())
}

/// Enrich (when the server has sources and the profile scores accounts),
/// score, record the scores; the run's status and summary.
async fn execute(
    st: &AppState,
    profile: &icp_core::Profile,
    accounts: &[Account],
    run_id: i64,
) -> Result<(RunStatus, Value), StoreError> {
    // Unique keys, in first-seen order.
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut keys: Vec<String> = Vec::new();
    let mut first_of: Vec<usize> = Vec::new();
    for (i, a) in accounts.iter().enumerate() {
        index.entry(a.key.as_str()).or_insert_with(|| {
            keys.push(a.key.clone());
            first_of.push(i);
            keys.len() - 1
        });
    }
    let engine = st
        .engine
        .as_ref()
        .filter(|_| profile.entity == Entity::Account);
    let mut errors: HashMap<usize, Vec<String>> = HashMap::new();
    if let Some(engine) = engine {
        let mut present: Vec<icp_engine::FieldMask> = first_of
            .iter()
            .map(|&i| {
                let a = &accounts[i];
                let mut mask = 0;
                for f in engine.fields() {
                    if let Some(c) = column_for(&a.headers, f)
                        && !a.row[c].trim().is_empty()
                        && !st.enriched_wins.contains(f)
                        && let Some(bit) = engine.field_bit(f)
                    {
                        mask |= bit;
                    }
                }
                mask
            })
            .collect();
        errors = engine
            .enrich(&keys, &mut present, false, &|_, _| {})
            .await?
            .0;
    }
    let mut tiers: BTreeMap<String, u64> = BTreeMap::new();
    let mut scored = Scored::default();
    let mut rec = Vec::new();
    for chunk in accounts.chunks(CHUNK) {
        let chunk_keys: Vec<String> = chunk.iter().map(|a| a.key.clone()).collect();
        let merged = match engine {
            Some(e) => e.read_back(&chunk_keys).await?,
            None => vec![BTreeMap::new(); chunk.len()],
        };
        let mut scores = Vec::with_capacity(chunk.len());
        for (a, fields) in chunk.iter().zip(merged) {
            let mut headers = a.headers.clone();
            let mut row = a.row.clone();
            merge(
                st,
                profile,
                &fields,
                &mut headers,
                &mut row,
                &mut Map::new(),
            );
            RecordBuilder::new(profile, &headers).build(&row, &mut rec);
            profile.score_into(&rec, &mut scored);
            let tier = scored.tier.as_str().to_string();
            *tiers.entry(tier.clone()).or_default() += 1;
            let mut fired = scored.fired.clone();
            fired.sort_by_key(|&t| {
                let w = profile.traits[t].weight;
                (w < 0, std::cmp::Reverse(w.unsigned_abs()))
            });
            let reasons: Vec<String> = fired
                .iter()
                .map(|&t| {
                    let tr = &profile.traits[t];
                    format!("{} ({:+})", tr.name, tr.weight)
                })
                .collect();
            scores.push(RunScore {
                key: a.key.clone(),
                profile: profile.name.clone(),
                score: i64::from(scored.score),
                tier,
                reasons: reasons.join("; "),
            });
        }
        st.store.put_run_scores(run_id, &scores).await?;
    }
    let stopped: BTreeMap<String, String> = engine
        .map(|e| e.stopped().into_iter().collect())
        .unwrap_or_default();
    let status = if stopped.is_empty() {
        RunStatus::Done
    } else {
        RunStatus::DoneWithStoppedSources
    };
    let summary = json!({
        "profile": profile.name,
        "accounts": accounts.len(),
        "unique_keys": keys.len(),
        "keys_with_errors": errors.len(),
        "tiers": tiers,
        "sources": engine.map(|e| e.reports()).unwrap_or_default(),
        "stopped": stopped,
    });
    Ok((status, summary))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RunQuery {
    scores: Option<bool>,
    profile: Option<String>,
    after: Option<String>,
    limit: Option<usize>,
}

pub(crate) async fn run(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    query: Result<Query<RunQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = query.map_err(|e| {
        ApiError::bad_request(format!(
            "bad query string: {}; use ?scores=true&profile=NAME&after=KEY&limit=N",
            e.body_text()
        ))
    })?;
    let Ok(id) = id.parse::<i64>() else {
        return Err(ApiError::not_found(format!(
            "no run `{id}`: run ids are numbers"
        )));
    };
    let r = match st.store.run(id).await {
        Ok(r) => r,
        Err(StoreError::NoSuchRun(_)) => {
            return Err(ApiError::not_found(format!("no run with id {id}")));
        }
        Err(e) => return Err(store_failed(e)),
    };
    let mut out = json!({
        "id": r.id,
        "label": r.label,
        "status": r.status,
        "started_at": r.started_at,
        "finished_at": r.finished_at,
        "as_of": r.as_of,
        "summary": r.summary,
    });
    if q.scores.unwrap_or(false) {
        let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(ApiError::bad_request(format!(
                "limit={limit}: use 1 to {MAX_LIMIT}"
            )));
        }
        // One profile: `?profile=`, else the API run's. Then `after` is a
        // key; across profiles it is `PROFILE/KEY`.
        let profile = q.profile.clone().or_else(|| {
            r.summary
                .get("profile")
                .and_then(|p| p.as_str())
                .map(str::to_string)
        });
        let after: Option<(String, String)> = match (&q.after, &profile) {
            (None, _) => None,
            (Some(k), Some(p)) => Some((p.clone(), k.clone())),
            (Some(a), None) => Some(
                a.split_once('/')
                    .map(|(p, k)| (p.to_string(), k.to_string()))
                    .ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "after={a}: this run has several profiles; pass the `next_after` of the previous page (PROFILE/KEY) or ?profile=NAME"
                        ))
                    })?,
            ),
        };
        let page = st
            .store
            .run_scores(
                id,
                profile.as_deref(),
                after.as_ref().map(|(p, k)| (p.as_str(), k.as_str())),
                limit,
            )
            .await
            .map_err(store_failed)?;
        let next = (page.len() == limit)
            .then(|| page.last())
            .flatten()
            .map(|s| match &profile {
                Some(_) => s.key.clone(),
                None => format!("{}/{}", s.profile, s.key),
            });
        out["scores"] = json!(page);
        out["next_after"] = json!(next);
    }
    Ok(Json(out))
}
