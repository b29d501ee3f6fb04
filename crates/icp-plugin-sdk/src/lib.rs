//! The data-source protocol of icp.
//!
//! Two layers (see DECISIONS.md, "Plugins"):
//! - [`Source`]: the async trait the engine calls for a batch of accounts.
//!   Local-data sources (a company file, intent events, community exports)
//!   implement it directly.
//! - The sans-IO protocol for network sources: [`Plan`] turns accounts into
//!   [`PlannedRequest`]s (HTTP or DNS) and [`Plan::parse`] turns each
//!   [`Response`] into fields, "no data", or follow-up requests. The host
//!   performs every request, so rate limits, retries, the cache, timeouts,
//!   size caps, the host allowlist and secret injection apply to every
//!   source alike. A planned request names secrets as `${secret:NAME}`; the
//!   host substitutes them after planning, so plugins never see them.
//!
//! This crate depends on serde (and async-trait) only: every type here is
//! plain data that can cross the dynamic-plugin boundary as JSON.

pub mod abi;
mod manifest;
mod protocol;

pub use manifest::{Category, FieldSpec, FieldType, Manifest, RateLimit, Unit, Window};
pub use protocol::{
    Account, DnsRecordType, Enriched, FieldValue, HttpMethod, Outcome, ParseResult, Plan,
    PlannedRequest, Request, Response, Source, SourceError, merge_outcomes, secret_ref,
};

/// The protocol version; a dynamic plugin built against another major
/// version is refused at load.
pub const API_VERSION: &str = env!("CARGO_PKG_VERSION");
