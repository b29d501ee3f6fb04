//! Harbourline's payloads as typed serde structs: what we send and what it
//! answers. Members of a company are optional (`null` and a missing member
//! are the same: absent); members we do not read are ignored, so a
//! provider adding fields breaks nothing. A member of the wrong type (a
//! string where the headcount belongs) fails the whole answer, which
//! `parse` reports as malformed.

use serde::{Deserialize, Serialize};

/// The body of `POST /v2/companies/bulk`.
#[derive(Debug, Serialize)]
pub struct BulkQuery<'a> {
    pub domains: &'a [String],
}

/// The 200 answer of `GET /v2/companies/{domain}`.
#[derive(Debug, Deserialize)]
pub struct SingleAnswer {
    /// `null` when Harbourline knows the domain but has no profile for it.
    /// Required (`deserialize_with` makes a missing member an error): an
    /// answer without it is not a lookup answer.
    #[serde(deserialize_with = "Option::deserialize")]
    pub company: Option<Company>,
}

/// The 200 answer of `POST /v2/companies/bulk`.
#[derive(Debug, Deserialize)]
pub struct BulkAnswer {
    pub results: Vec<BulkResult>,
}

/// One domain of a bulk answer; tied back to our request by `query`, never
/// by position.
#[derive(Debug, Deserialize)]
pub struct BulkResult {
    pub query: String,
    pub company: Option<Company>,
}

/// A company profile.
#[derive(Debug, Default, Deserialize)]
pub struct Company {
    pub domain: Option<String>,
    pub legal_name: Option<String>,
    pub trading_name: Option<String>,
    /// The exact headcount, when Harbourline has it.
    pub headcount: Option<u64>,
    /// A band such as `201-500` or `10000+`, always present in practice.
    pub headcount_band: Option<String>,
    pub industry: Option<Industry>,
    pub hq: Option<Hq>,
    /// The year the company was founded.
    pub founded: Option<u16>,
    pub stack: Option<Vec<StackItem>>,
    pub funding: Option<Funding>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Industry {
    pub primary: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Hq {
    /// ISO 3166-1 alpha-2 (`DE`).
    pub country_iso: Option<String>,
    pub city: Option<String>,
}

/// One technology the company uses.
#[derive(Debug, Default, Deserialize)]
pub struct StackItem {
    pub name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Funding {
    /// `Seed`, `Series A`, ...
    pub stage: Option<String>,
    /// ISO date of the last round (`2025-06-01`).
    pub last_round_on: Option<String>,
}

/// The body of an error answer (400, 422, ...):
/// `{"error": {"code": "invalid_domain", "message": "..."}}`. Read only to
/// name the error in a `Failed` message; any other body is fine too.
#[derive(Debug, Default, Deserialize)]
pub struct ErrorAnswer {
    pub error: Option<ErrorDetail>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ErrorDetail {
    pub code: Option<String>,
    pub message: Option<String>,
}
