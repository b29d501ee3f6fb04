//! Ready-made settings for known providers.
//!
//! A preset is nothing but a value of the declarative settings (see the
//! crate docs and the README): the user's settings are laid over it, entry
//! by entry, so a preset can be adjusted without code and a new provider of
//! this kind is a settings table, not a new preset here.
//!
//! Facts (routes, auth, payload shapes, published limits) come from the
//! providers' public documentation; the README lists the sources.

use serde_json::{Value, json};

/// The presets this build knows, for messages and docs.
pub const PRESETS: &[&str] = &["clearbit", "apollo", "pdl"];

/// The preset's own name for `name` (case-insensitive; `peopledatalabs` is
/// `pdl`), or `None` if there is no such preset.
pub fn canonical(name: &str) -> Option<&'static str> {
    match name.trim().to_ascii_lowercase().as_str() {
        "clearbit" => Some("clearbit"),
        "apollo" => Some("apollo"),
        "pdl" | "peopledatalabs" | "people_data_labs" | "people-data-labs" => Some("pdl"),
        _ => None,
    }
}

/// The settings value of preset `name`, or `None` if there is no such preset.
pub fn preset(name: &str) -> Option<Value> {
    match canonical(name)? {
        "clearbit" => Some(clearbit()),
        "apollo" => Some(apollo()),
        _ => Some(pdl()),
    }
}

/// Clearbit Company API (now HubSpot Breeze Intelligence):
/// `GET https://company.clearbit.com/v2/companies/find?domain=D`, the key as a
/// bearer token. 404 = unknown domain, 422 = a domain it refuses, 202 = the
/// lookup is queued. 600 requests per minute. No bulk endpoint.
fn clearbit() -> Value {
    json!({
        "base_url": "https://company.clearbit.com",
        "url": "{base_url}/v2/companies/find?domain={domain}",
        "method": "GET",
        "auth": { "kind": "bearer", "secret": "api_key" },
        "headers": { "Accept": "application/json" },
        "root": "",
        "fields": {
            "name": "/name",
            "description": "/description",
            "industry": "/category/industry",
            "employees": ["/metrics/employees", "/metrics/employeesRange"],
            "revenue": ["/metrics/annualRevenue", "/metrics/estimatedAnnualRevenue"],
            "funding_total": "/metrics/raised",
            "country": "/geo/countryCode",
            "region": "/geo/state",
            "city": "/geo/city",
            "founded_year": "/foundedYear",
            "technologies": "/tech"
        },
        "no_data_status": [404, 422],
        "limits": [{ "count": 600, "per": "1m" }],
        "bulk": false
    })
}

/// Apollo Organization Enrichment: `GET /api/v1/organizations/enrich?domain=D`
/// answering `{"organization": {...}}`, and Bulk Organization Enrichment:
/// `POST /api/v1/organizations/bulk_enrich?domains[]=A&domains[]=B` (up to
/// 10) answering `{"organizations": [...], "missing_records": N, ...}` without
/// the unknown domains and in no promised order (matched back by
/// `primary_domain`). Key in the `x-api-key` header.
///
/// Limits: the enrichment endpoints' published limits of the Free plan,
/// fixed windows (50 / minute, 200 / hour, 600 / day); paid plans have
/// 1,000 / minute and no hourly or daily cap, legacy plans differ: override
/// `limits` in the source's config.
fn apollo() -> Value {
    json!({
        "base_url": "https://api.apollo.io",
        "url": "{base_url}/api/v1/organizations/enrich?domain={domain}",
        "method": "GET",
        "auth": { "kind": "header", "name": "x-api-key", "secret": "api_key" },
        "headers": { "Accept": "application/json", "Cache-Control": "no-cache" },
        "root": "/organization",
        "fields": {
            "name": "/name",
            "description": ["/short_description", "/seo_description"],
            "industry": "/industry",
            "employees": "/estimated_num_employees",
            "revenue": "/annual_revenue",
            "funding_total": "/total_funding",
            "funding_stage": "/latest_funding_stage",
            "last_funding_date": "/latest_funding_round_date",
            "country": "/country",
            "region": "/state",
            "city": "/city",
            "founded_year": "/founded_year",
            "technologies": ["/technology_names", "/current_technologies"]
        },
        "no_data_status": [404, 422],
        "limits": [
            { "count": 50, "per": "1m", "window": "fixed" },
            { "count": 200, "per": "1h", "window": "fixed" },
            { "count": 600, "per": "1d", "window": "fixed" }
        ],
        "bulk_endpoint": {
            "url": "{base_url}/api/v1/organizations/bulk_enrich",
            "method": "POST",
            "max_batch": 10,
            "query_param": "domains[]",
            "items": "/organizations",
            "key": ["/primary_domain", "/website_url"],
            "root": ""
        }
    })
}

/// People Data Labs Company Enrichment: `GET /v5/company/enrich?website=D`
/// (the profile fields at the top level, beside `status` and `likelihood`),
/// and Bulk Company Enrichment: `POST /v5/company/enrich/bulk` with
/// `{"requests": [{"params": {...}, "metadata": {...}}]}` (1 to 100),
/// answering an array with one item per request, each with its own `status`
/// (200 or 404) and the request's `metadata`, which ties it back. Key in the
/// `X-Api-Key` header. Fixed one-minute windows; 100 / minute is the
/// published free-plan figure, paid plans are higher.
fn pdl() -> Value {
    json!({
        "base_url": "https://api.peopledatalabs.com",
        "url": "{base_url}/v5/company/enrich?website={domain}",
        "method": "GET",
        "auth": { "kind": "header", "name": "X-Api-Key", "secret": "api_key" },
        "headers": { "Accept": "application/json" },
        "root": "",
        "fields": {
            "name": ["/display_name", "/name"],
            "description": ["/summary", "/headline"],
            "industry": "/industry",
            "employees": ["/employee_count", "/size"],
            "revenue": "/inferred_revenue",
            "funding_total": "/total_funding_raised",
            "funding_stage": "/latest_funding_stage",
            "last_funding_date": "/last_funding_date",
            "country": "/location/country",
            "region": "/location/region",
            "city": "/location/locality",
            "founded_year": "/founded",
            "technologies": "/technologies_used",
            "tags": "/tags",
            "match_likelihood": "/likelihood"
        },
        "no_data_status": [404, 422],
        "limits": [{ "count": 100, "per": "1m", "window": "fixed" }],
        "bulk_endpoint": {
            "url": "{base_url}/v5/company/enrich/bulk",
            "method": "POST",
            "max_batch": 100,
            "body": { "requests": "{items}" },
            "item": {
                "params": { "website": "{domain}" },
                "metadata": { "domain": "{domain}" }
            },
            "items": "",
            "key": "/metadata/domain",
            "root": "",
            "status": "/status"
        }
    })
}
