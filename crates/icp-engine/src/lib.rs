//! The icp orchestrator: builds the configured sources, enriches accounts
//! through them under each provider's limits, and reads the merged fields
//! back with their provenance.
//!
//! - [`config`]: the run config (`icp.toml`).
//! - [`engine`]: the waterfall, the cache and batching ([`Engine`]).
//! - [`http`]: the HTTP stack every network source goes through: limits,
//!   retries, circuit breaker, size caps, secret injection.
//! - [`limiter`], [`headers`], [`breaker`], [`redact`]: its parts.
//! - [`registry`]: the built-in plugins.

pub mod breaker;
pub mod config;
pub mod derived;
pub mod dynamic;
pub mod engine;
pub mod headers;
pub mod http;
pub mod limiter;
pub mod net;
pub mod redact;
pub mod registry;
pub mod stats;

pub use config::{Config, ConfigError};
pub use engine::{Engine, EngineOptions, Estimate, FieldMask, Sourced, unix_now};
pub use registry::Built;
pub use stats::SourceReport;
