//! `POST /v1/events`: intent events appended as CSV rows to `[serve]
//! events_file`, which an `intent-events` source of the same config reads
//! (when it opens: the next run, or the next server start).
//!
//! All or nothing: one bad event refuses the request (422, every problem
//! by index) and nothing is written.

use std::io::Write as _;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use icp_source_intent_events::timestamp::parse_timestamp;
use serde_json::{Value, json};

use crate::error::{body_bytes, parse_json};
use crate::score::{key_of, kind_of};
use crate::{ApiError, AppState};

/// The most events one request takes.
pub const MAX_EVENTS: usize = 10_000;
/// The file's header (the source detects these columns).
pub const HEADER: [&str; 6] = ["domain", "email", "type", "timestamp", "topic", "weight"];

const FIELDS: [&str; 6] = HEADER;

pub(crate) async fn ingest(
    State(st): State<Arc<AppState>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let body = body_bytes(body, st.max_body)?;
    let Some(path) = &st.events_path else {
        return Err(ApiError::not_found(
            "this server takes no events: set [serve] events_file = \"events/api.csv\" in the config",
        ));
    };
    let v: Value = parse_json(&body)?;
    let Some(events) = v
        .as_object()
        .filter(|o| o.len() == 1)
        .and_then(|o| o.get("events"))
        .and_then(Value::as_array)
    else {
        return Err(ApiError::unprocessable(
            "the body must be {\"events\": [{\"domain\": \"acme.com\", \"type\": \"pricing_page_visit\", \"timestamp\": \"2026-11-18T14:03:00Z\"}, ...]}",
        ));
    };
    if events.is_empty() {
        return Err(ApiError::unprocessable("`events` is empty"));
    }
    if events.len() > MAX_EVENTS {
        return Err(ApiError::unprocessable(format!(
            "{} events: at most {MAX_EVENTS} per request; split the batch",
            events.len()
        )));
    }
    let mut rows: Vec<[String; 6]> = Vec::with_capacity(events.len());
    let mut problems: Vec<String> = Vec::new();
    for (i, e) in events.iter().enumerate() {
        match row_of(e) {
            Ok(r) => rows.push(r),
            Err(p) => problems.extend(p.into_iter().map(|p| format!("event {i}: {p}"))),
        }
    }
    if !problems.is_empty() {
        let n = problems.len();
        problems.truncate(20);
        return Err(ApiError::unprocessable(format!(
            "{n} problem(s), no event was written: {}{}",
            problems.join("; "),
            if n > 20 { "; ..." } else { "" }
        )));
    }
    let _guard = st.events_lock.lock().await;
    let path = path.clone();
    let n = rows.len();
    tokio::task::spawn_blocking(move || append(&path, &rows))
        .await
        .map_err(|e| ApiError::internal(format!("writing the events failed: {e}")))?
        .map_err(ApiError::internal)?;
    Ok(Json(json!({"accepted": n})))
}

/// One event as a CSV row, or its problems.
fn row_of(e: &Value) -> Result<[String; 6], Vec<String>> {
    let Value::Object(o) = e else {
        return Err(vec![format!("not an object but {}", kind_of(e))]);
    };
    let mut problems = Vec::new();
    for k in o.keys() {
        if !FIELDS.contains(&k.as_str()) {
            problems.push(format!(
                "unknown field `{k}` (the fields are domain or email, type, timestamp, topic, weight)"
            ));
        }
    }
    let text = |k: &str, problems: &mut Vec<String>| -> Option<String> {
        match o.get(k) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(Value::String(s)) => Some(s.trim().to_string()),
            Some(Value::Number(n)) if k == "timestamp" => Some(n.to_string()),
            Some(v) => {
                problems.push(format!("`{k}` must be a string, not {}", kind_of(v)));
                None
            }
        }
    };
    let domain = text("domain", &mut problems);
    let email = text("email", &mut problems);
    let ty = text("type", &mut problems);
    let ts = text("timestamp", &mut problems);
    let topic = text("topic", &mut problems);
    match (&domain, &email) {
        (None, None) => problems.push("no `domain` or `email`".into()),
        (Some(d), _) => {
            if let Err(e) = key_of(&["domain".into()], std::slice::from_ref(d)) {
                problems.push(format!("domain \"{d}\": {e}"));
            }
        }
        (None, Some(m)) => {
            if let Err(e) = key_of(&["email".into()], std::slice::from_ref(m)) {
                problems.push(format!("email \"{m}\": {e}"));
            }
        }
    }
    if ty.is_none() && !problems.iter().any(|p| p.starts_with("`type`")) {
        problems.push("no `type` (e.g. \"pricing_page_visit\")".into());
    }
    match &ts {
        None if !problems.iter().any(|p| p.starts_with("`timestamp`")) => {
            problems.push("no `timestamp` (e.g. \"2026-11-18T14:03:00Z\")".into())
        }
        Some(t) if parse_timestamp(t).is_none() => problems.push(format!(
            "`timestamp` \"{t}\" is not a readable date or time"
        )),
        _ => {}
    }
    let weight = match o.get("weight") {
        None | Some(Value::Null) => String::new(),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(w) if w.is_finite() && w >= 0.0 => n.to_string(),
            _ => {
                problems.push(format!("`weight` {n} must be a number of 0 or more"));
                String::new()
            }
        },
        Some(v) => {
            problems.push(format!("`weight` must be a number, not {}", kind_of(v)));
            String::new()
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok([
        domain.unwrap_or_default(),
        email.unwrap_or_default(),
        ty.unwrap_or_default(),
        ts.unwrap_or_default(),
        topic.unwrap_or_default(),
        weight,
    ])
}

/// Append `rows` (the header first when the file is new or empty), in one
/// write.
fn append(path: &std::path::Path, rows: &[[String; 6]]) -> Result<(), String> {
    let fail =
        |e: &dyn std::fmt::Display| format!("cannot write the events file {}: {e}", path.display());
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
    }
    let fresh = std::fs::metadata(path).map_or(true, |m| m.len() == 0);
    let mut w = csv::Writer::from_writer(Vec::new());
    if fresh {
        w.write_record(HEADER).map_err(|e| fail(&e))?;
    }
    for r in rows {
        w.write_record(r).map_err(|e| fail(&e))?;
    }
    let bytes = w.into_inner().map_err(|e| fail(&e))?;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| fail(&e))?;
    f.write_all(&bytes).map_err(|e| fail(&e))?;
    f.sync_data().map_err(|e| fail(&e))
}
