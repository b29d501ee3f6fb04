//! The icp HTTP service (`icp serve`): score one account against a
//! profile, enriched from the configured sources (cache first, like
//! `icp enrich`), over HTTP.
//!
//! - `GET /healthz`, `GET /metrics`, `GET /v1/openapi.json`: no token.
//! - `POST /v1/score`, `POST /v1/enrich`, `GET /v1/runs/{id}`,
//!   `POST /v1/events`: `Authorization: Bearer <token>`.
//!
//! Every error is `{"error": {"code", "message"}}` ([`ApiError`]). The
//! routes are [`ROUTES`]; `openapi.json` beside this file describes them.

mod error;
mod events;
mod metrics;
pub mod reference;
mod runs;
mod score;
pub mod webhook;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use icp_core::Profile;
use icp_engine::config::FieldPrecedence;
use icp_engine::{Config, Engine, EngineOptions};
use icp_store::Store;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub use error::ApiError;
pub use metrics::Metrics;

pub const HEALTHZ: &str = "/healthz";
pub const METRICS: &str = "/metrics";
pub const OPENAPI: &str = "/v1/openapi.json";
pub const SCORE: &str = "/v1/score";
pub const ENRICH: &str = "/v1/enrich";
pub const RUN: &str = "/v1/runs/{id}";
pub const EVENTS: &str = "/v1/events";

/// Every route of [`router`] as (method, path); the OpenAPI document lists
/// exactly these (a test holds them together).
pub const ROUTES: [(&str, &str); 7] = [
    ("get", HEALTHZ),
    ("get", METRICS),
    ("get", OPENAPI),
    ("post", SCORE),
    ("post", ENRICH),
    ("get", RUN),
    ("post", EVENTS),
];

/// The OpenAPI 3.1 document served at `/v1/openapi.json`.
pub const OPENAPI_JSON: &str = include_str!("openapi.json");

/// The environment variable that holds the API token (it wins over the
/// config's `[serve] token`).
pub const TOKEN_ENV: &str = "ICP_API_TOKEN";

/// What the handlers share.
pub struct AppState {
    /// The profiles compiled at the service's `as_of`; see [`AppState::profiles`].
    profiles: std::sync::RwLock<Arc<Vec<Profile>>>,
    /// Set unless `--as-of` pinned the date: the profiles' TOML and the
    /// clock, to compile them again when the day changes (recency
    /// conditions, company age and intent decay count from today).
    rolling: Option<Rolling>,
    pub(crate) engine: Option<Engine>,
    /// Fields whose enriched value beats the given one (`[fields]`).
    pub(crate) enriched_wins: BTreeSet<String>,
    /// SHA-256 of the token; `None`: no authentication (`--no-auth`).
    token_digest: Option<[u8; 32]>,
    pub(crate) max_body: usize,
    pub(crate) metrics: Metrics,
    /// Runs and their scores (`POST /v1/enrich`, `GET /v1/runs/{id}`).
    pub(crate) store: Arc<dyn Store>,
    /// `[serve] events_file`, resolved against the config's folder.
    pub(crate) events_path: Option<PathBuf>,
    /// One writer of the events file at a time.
    pub(crate) events_lock: tokio::sync::Mutex<()>,
    /// `[serve] webhook_url` and the resolved `webhook_secret`.
    pub(crate) webhook: Option<webhook::Webhook>,
}

impl AppState {
    /// The state for `cfg`: its profiles (loaded by the caller, the first
    /// is the default), an engine over its sources (or none: scoring only)
    /// and the token (`None` serves without authentication).
    ///
    /// Runs are recorded in `store` (the one the engine caches in) and the
    /// webhook secret is read from the process environment.
    pub fn new(
        cfg: &Config,
        store: Arc<dyn Store>,
        profiles: Vec<Profile>,
        engine: Option<Engine>,
        token: Option<String>,
    ) -> Result<AppState, String> {
        Self::new_with_env(cfg, store, profiles, engine, token, |v| {
            std::env::var(v).ok()
        })
    }

    /// [`AppState::new`] with `env` for `${ENV_VAR}` references.
    pub fn new_with_env(
        cfg: &Config,
        store: Arc<dyn Store>,
        profiles: Vec<Profile>,
        engine: Option<Engine>,
        token: Option<String>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<AppState, String> {
        if profiles.is_empty() {
            return Err(format!(
                "{}: no profile to score with: set `profile` in the config or pass --profile FILE",
                cfg.path.display()
            ));
        }
        let secret = cfg.serve.resolve_webhook_secret(env)?;
        Ok(AppState {
            store,
            events_path: cfg.serve.events_path(&cfg.dir),
            events_lock: tokio::sync::Mutex::new(()),
            webhook: cfg.serve.webhook_url.clone().map(|url| webhook::Webhook {
                url,
                secret,
                backoff: Duration::from_secs(2),
                attempts: 5,
            }),
            profiles: std::sync::RwLock::new(Arc::new(profiles)),
            rolling: None,
            engine,
            enriched_wins: cfg
                .fields
                .iter()
                .filter(|(_, p)| **p == FieldPrecedence::Enriched)
                .map(|(f, _)| f.clone())
                .collect(),
            token_digest: token.map(|t| digest(&t)),
            max_body: cfg.serve.max_body,
            metrics: Metrics::default(),
        })
    }

    /// The webhook's first retry delay (doubled each attempt, with jitter;
    /// default 2 s) and attempts (default 5).
    pub fn with_webhook_retries(mut self, first_delay: Duration, attempts: u32) -> Self {
        if let Some(w) = &mut self.webhook {
            w.backoff = first_delay;
            w.attempts = attempts.max(1);
        }
        self
    }

    pub fn engine(&self) -> Option<&Engine> {
        self.engine.as_ref()
    }

    /// Let `as_of` follow `today`: when the day changes, the profiles
    /// (`sources`: their TOML, in the order given to [`AppState::new`]) are
    /// compiled again for the new date. Without it the `as_of` the profiles
    /// were loaded with holds for the service's life.
    pub fn with_rolling_as_of(
        mut self,
        sources: Vec<String>,
        today: impl Fn() -> chrono::NaiveDate + Send + Sync + 'static,
    ) -> Self {
        self.rolling = Some(Rolling {
            sources,
            today: Box::new(today),
        });
        self
    }

    /// The profiles as of today (or the pinned date). A request or run
    /// keeps the snapshot it took, so its `as_of` does not change midway.
    pub fn profiles(&self) -> Arc<Vec<Profile>> {
        let current = self
            .profiles
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let Some(r) = &self.rolling else {
            return current;
        };
        let day = icp_core::day_number((r.today)());
        if current.first().is_none_or(|p| p.as_of == day) {
            return current;
        }
        // The same text compiled at start, so it compiles again.
        let fresh: Option<Vec<Profile>> = r
            .sources
            .iter()
            .map(|src| icp_core::load(src, day).profile)
            .collect();
        let Some(fresh) = fresh.filter(|f| f.len() == current.len()) else {
            return current;
        };
        let fresh = Arc::new(fresh);
        *self.profiles.write().unwrap_or_else(|e| e.into_inner()) = fresh.clone();
        fresh
    }
}

/// What a service whose `as_of` follows the calendar needs.
struct Rolling {
    sources: Vec<String>,
    today: Box<dyn Fn() -> chrono::NaiveDate + Send + Sync>,
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The API token: `ICP_API_TOKEN`, else the config's `[serve] token`
/// reference; `Ok(None)` when neither is set. Errors name a variable,
/// never a value.
pub fn resolve_token(
    cfg: &Config,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<String>, String> {
    match env(TOKEN_ENV) {
        Some(t) if !t.trim().is_empty() => Ok(Some(t.trim().to_string())),
        _ => cfg.serve.resolve_token(env),
    }
}

/// The engine over `cfg`'s enabled sources and `store`, fetching what
/// `profiles` read (`None` when the config has no enabled source).
pub fn build_engine(
    cfg: &Config,
    store: Arc<dyn Store>,
    profiles: &[Profile],
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<Engine>, String> {
    if !cfg.sources.iter().any(|s| s.enabled) {
        return Ok(None);
    }
    let needed: Vec<String> = profiles
        .iter()
        .filter(|p| p.entity == icp_core::Entity::Account)
        .flat_map(|p| p.fields.iter().map(|f| score::needed_field(&f.name)))
        .collect();
    Engine::new(cfg, store, &needed, EngineOptions::default(), env).map(Some)
}

/// The service's routes over `state`.
pub fn router(state: Arc<AppState>) -> Router {
    let protected = Router::new()
        .route(SCORE, post(score::score))
        .route(ENRICH, post(runs::enrich))
        .route(RUN, get(runs::run))
        .route(EVENTS, post(events::ingest))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token));
    Router::new()
        .route(HEALTHZ, get(healthz))
        .route(METRICS, get(metrics::render))
        .route(OPENAPI, get(openapi))
        .merge(protected)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(state.max_body))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            count_requests,
        ))
        .with_state(state)
}

async fn healthz() -> Response {
    axum::Json(serde_json::json!({"status": "ok"})).into_response()
}

async fn openapi() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        OPENAPI_JSON,
    )
        .into_response()
}

async fn not_found(req: Request) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!(
            "no route {} {}; the routes are listed at {OPENAPI}",
            req.method(),
            req.uri().path()
        ),
    )
}

async fn method_not_allowed(req: Request) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!(
            "{} does not take {}; the routes are listed at {OPENAPI}",
            req.uri().path(),
            req.method()
        ),
    )
}

/// `Authorization: Bearer <token>`, compared in constant time (as SHA-256
/// digests, so the length does not show either).
async fn require_token(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if let Some(expected) = &st.token_digest {
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim());
        let ok = match given {
            None => {
                return ApiError::unauthorized(
                    "this route needs an `Authorization: Bearer <token>` header",
                )
                .into_response();
            }
            Some(t) => bool::from(digest(t).ct_eq(expected)),
        };
        if !ok {
            return ApiError::unauthorized("the bearer token is not valid").into_response();
        }
    }
    next.run(req).await
}

/// Counts every answer by route and status.
async fn count_requests(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |m| m.as_str())
        .to_string();
    let resp = next.run(req).await;
    st.metrics.count_request(&route, resp.status().as_u16());
    resp
}
