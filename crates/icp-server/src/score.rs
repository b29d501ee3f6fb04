//! `POST /v1/score`: one account's fields in, its score out; enriched from
//! the configured sources first unless `?enrich=false`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use icp_core::fields::column_for;
use icp_core::{Entity, Profile, RecordBuilder, Scored};
use icp_engine::Sourced;
pub(crate) use icp_engine::derived::needed_field;
use icp_engine::derived::{EVENTS_FIELD, INTENT_COLUMNS, events_of, intent_cells, value_text};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::error::{body_bytes, parse_json};
use crate::{ApiError, AppState};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScoreQuery {
    profile: Option<String>,
    enrich: Option<bool>,
}

pub(crate) async fn score(
    State(st): State<Arc<AppState>>,
    query: Result<Query<ScoreQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let started = Instant::now();
    let result = answer(st.clone(), query, body).await;
    st.metrics.observe_score(started.elapsed());
    result.map(Json)
}

async fn answer(
    st: Arc<AppState>,
    query: Result<Query<ScoreQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Value, ApiError> {
    let Query(q) = query.map_err(|e| {
        ApiError::bad_request(format!(
            "bad query string: {}; use ?profile=NAME&enrich=true|false",
            e.body_text()
        ))
    })?;
    let body = body_bytes(body, st.max_body)?;
    let profiles = st.profiles();
    let profile = match &q.profile {
        None => &profiles[0],
        Some(name) => profiles.iter().find(|p| &p.name == name).ok_or_else(|| {
            ApiError::not_found(format!(
                "no profile named `{name}`; the profiles are: {}",
                profile_names(&profiles)
            ))
        })?,
    };
    let given: Value = parse_json(&body)?;
    let Value::Object(given) = given else {
        return Err(ApiError::unprocessable(format!(
            "the body must be a JSON object of fields, e.g. {{\"domain\": \"acme.com\", \"employees\": 250}}; got {}",
            kind_of(&given)
        )));
    };
    let mut headers: Vec<String> = Vec::with_capacity(given.len());
    let mut row: Vec<String> = Vec::with_capacity(given.len());
    let mut fields = Map::new();
    for (name, v) in &given {
        row.push(cell(name, v)?);
        headers.push(name.clone());
        fields.insert(name.clone(), json!({"value": v, "source": "input"}));
    }

    let mut errors: Vec<String> = Vec::new();
    let key = key_of(&headers, &row);
    let domain = match &key {
        Ok(d) => Some(d.clone()),
        Err(e) => {
            if !headers.is_empty() {
                errors.push(e.clone());
            }
            None
        }
    };
    let mut merged = BTreeMap::new();
    if let (true, Some(engine), Some(key), Entity::Account) = (
        q.enrich.unwrap_or(true),
        &st.engine,
        &domain,
        profile.entity,
    ) {
        let mut present = 0;
        for f in engine.fields() {
            if let Some(c) = column_for(&headers, f)
                && !row[c].trim().is_empty()
                && !st.enriched_wins.contains(f)
                && let Some(bit) = engine.field_bit(f)
            {
                present |= bit;
            }
        }
        let (errs, fields) = enrich_one(st.clone(), key.clone(), present).await?;
        errors.extend(errs);
        merged = fields;
    }
    merge(&st, profile, &merged, &mut headers, &mut row, &mut fields);

    let mut scored = Scored::default();
    let mut rec = Vec::new();
    RecordBuilder::new(profile, &headers).build(&row, &mut rec);
    profile.score_into(&rec, &mut scored);
    Ok(response(profile, &scored, domain, fields, errors))
}

/// Enrich one account (cache first, then the sources in waterfall
/// order) and read its merged fields back.
async fn enrich_one(
    st: Arc<AppState>,
    key: String,
    present: icp_engine::FieldMask,
) -> Result<(Vec<String>, BTreeMap<String, Sourced>), ApiError> {
    let Some(engine) = st.engine.as_ref() else {
        return Ok((Vec::new(), BTreeMap::new()));
    };
    let keys = [key];
    let store_failed =
        |e: icp_store::StoreError| ApiError::internal(format!("the store failed: {e}"));
    let (errs, _) = engine
        .enrich(&keys, &mut [present], false, &|_, _| {})
        .await
        .map_err(store_failed)?;
    let merged = engine
        .read_back(&keys)
        .await
        .map_err(store_failed)?
        .pop()
        .unwrap_or_default();
    Ok((errs.into_values().flatten().collect(), merged))
}

/// Enriched fields into the row: a given value wins unless `[fields]`
/// says `"enriched"`; intent columns are derived from dated events with
/// the profile's half-life at its as_of.
pub(crate) fn merge(
    st: &AppState,
    profile: &Profile,
    merged: &BTreeMap<String, Sourced>,
    headers: &mut Vec<String>,
    row: &mut Vec<String>,
    fields: &mut Map<String, Value>,
) {
    let mut put = |f: &str, value: Value, text: String, source: &str| {
        let col = column_for(headers, f);
        let given = col.filter(|&c| !row[c].trim().is_empty());
        if given.is_some() && !st.enriched_wins.contains(f) {
            return;
        }
        let name = match col {
            Some(c) => {
                row[c] = text;
                headers[c].clone()
            }
            None => {
                headers.push(f.to_string());
                row.push(text);
                f.to_string()
            }
        };
        fields.insert(name, json!({"value": value, "source": source}));
    };
    for (f, s) in merged.iter().filter(|(f, _)| *f != EVENTS_FIELD) {
        put(f, s.value.clone(), value_text(&s.value), &s.source);
    }
    if let Some(s) = merged.get(EVENTS_FIELD) {
        let cells = intent_cells(
            &events_of(&s.value),
            profile.as_of,
            profile.intent_half_life_days,
        );
        for (f, c) in INTENT_COLUMNS.iter().zip(cells) {
            if !c.is_empty() {
                put(f, Value::String(c.clone()), c, &s.source);
            }
        }
    }
}

fn response(
    p: &Profile,
    s: &Scored,
    domain: Option<String>,
    fields: Map<String, Value>,
    errors: Vec<String>,
) -> Value {
    let mut fired = s.fired.clone();
    fired.sort_by_key(|&i| {
        let w = p.traits[i].weight;
        (w < 0, std::cmp::Reverse(w.unsigned_abs()))
    });
    let reasons: Vec<Value> = fired
        .iter()
        .map(|&i| json!({"name": p.traits[i].name, "weight": p.traits[i].weight}))
        .collect();
    let unknown: Vec<&str> = s
        .unknown_filters
        .iter()
        .map(|&i| p.filters[i].name.as_str())
        .collect();
    json!({
        "profile": p.name,
        "domain": domain,
        "score": s.score,
        "fit": s.fit,
        "intent": s.intent,
        "tier": s.tier.as_str(),
        "excluded_by": p.excluded_by_name(s),
        "coverage": (s.coverage.clamp(0.0, 1.0) * 100.0).round() / 100.0,
        "reasons": reasons,
        "unknown_filters": unknown,
        "fields": fields,
        "errors": errors,
    })
}

/// The account's company domain, found like `icp enrich` finds it
/// (`domain`, `website`, `email` and their CRM spellings).
pub(crate) fn key_of(headers: &[String], row: &[String]) -> Result<String, String> {
    let cols = icp_key::KeyColumns::detect(headers, None);
    cols.check().map_err(|_| {
        "no company key: give `domain`, `website` or `email` to enrich the account".to_string()
    })?;
    cols.key_for(row)
        .map(|d| d.name)
        .map_err(|e| format!("no company key: {e}"))
}

/// A given value as the cell text scoring parses.
pub(crate) fn cell(name: &str, v: &Value) -> Result<String, ApiError> {
    let bad = || {
        ApiError::unprocessable(format!(
            "field `{name}`: a value must be a string, a number, true/false, null or an array of strings or numbers; got {}",
            kind_of(v)
        ))
    };
    Ok(match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        Value::Array(items) => {
            let mut parts = Vec::with_capacity(items.len());
            for i in items {
                match i {
                    Value::String(s) => parts.push(s.clone()),
                    Value::Number(n) => parts.push(n.to_string()),
                    _ => return Err(bad()),
                }
            }
            parts.join("; ")
        }
        Value::Object(_) => return Err(bad()),
    })
}

pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The profiles' names, for "no profile named" errors.
pub(crate) fn profile_names(profiles: &[icp_core::Profile]) -> String {
    profiles
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
