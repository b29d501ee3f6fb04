//! The conformance kit (icp-conformance) on every preset, single and bulk,
//! and on a provider described only in settings, with the recorded answers
//! of tests/fixtures.

mod common;

use common::{fixture, settings_error};
use icp_conformance::{ErrorKind, PlanCases, Recorded, check_plan};
use icp_source_firmographic_http::FirmographicHttp;
use serde_json::{Value, json};

/// Build the source from `settings` and run the kit with the same settings.
fn check(settings: Value, cases: PlanCases) {
    let src = FirmographicHttp::new(&settings).unwrap_or_else(|e| panic!("{settings}: {e}"));
    check_plan(&src, &settings, &cases).assert_ok();
}

/// The fixture at `path` as the answer to the request planned for `keys`.
fn case(path: &str, keys: &[&str], status: u16) -> Recorded {
    Recorded::new(path, keys, status, fixture(path))
}

const CLEARBIT_FIELDS: &[&str] = &[
    "city",
    "country",
    "description",
    "employees",
    "founded_year",
    "funding_total",
    "industry",
    "name",
    "region",
    "revenue",
    "technologies",
];

const APOLLO_FIELDS: &[&str] = &[
    "city",
    "country",
    "description",
    "employees",
    "founded_year",
    "funding_stage",
    "funding_total",
    "industry",
    "last_funding_date",
    "name",
    "region",
    "revenue",
    "technologies",
];

const PDL_FIELDS: &[&str] = &[
    "city",
    "country",
    "description",
    "employees",
    "founded_year",
    "funding_stage",
    "funding_total",
    "industry",
    "last_funding_date",
    "match_likelihood",
    "name",
    "region",
    "revenue",
    "tags",
    "technologies",
];

#[test]
fn clearbit() {
    check(
        json!({ "preset": "clearbit" }),
        PlanCases::new()
            .label("clearbit")
            .recorded(
                case("clearbit/company.json", &["brightlane.io"], 200)
                    .found("brightlane.io", CLEARBIT_FIELDS),
            )
            .recorded(
                case(
                    "clearbit/company_sparse.json",
                    &["kestreljoinery.co.uk"],
                    200,
                )
                .found(
                    "kestreljoinery.co.uk",
                    &["city", "country", "employees", "name", "revenue"],
                ),
            )
            .recorded(
                case("clearbit/unknown.json", &["nosuch.example"], 404).no_data("nosuch.example"),
            )
            .recorded(case("clearbit/queued.json", &["brandnew.io"], 202).queued("brandnew.io"))
            .recorded(case("clearbit/bad_request.json", &["a.com"], 400).failed("a.com")),
    );
}

#[test]
fn apollo_single() {
    check(
        json!({ "preset": "apollo", "bulk": false }),
        PlanCases::new()
            .label("apollo, single")
            .recorded(
                case("apollo/organization.json", &["brightlane.io"], 200)
                    .found("brightlane.io", APOLLO_FIELDS),
            )
            .recorded(
                case("apollo/unknown.json", &["ghost-company.com"], 200)
                    .no_data("ghost-company.com"),
            )
            .recorded(
                case("apollo/missing_domain.json", &["ghost-company.com"], 422)
                    .no_data("ghost-company.com"),
            )
            .recorded(
                case("apollo/credits_exhausted.json", &["a.com"], 200).error(ErrorKind::Stopped),
            ),
    );
}

#[test]
fn apollo_bulk() {
    check(
        json!({ "preset": "apollo" }),
        PlanCases::new()
            .label("apollo, bulk")
            .recorded(
                case(
                    "apollo/bulk_partial.json",
                    &[
                        "brightlane.io",
                        "ghost-company.com",
                        "ferrovia-logistica.it",
                    ],
                    200,
                )
                .found("brightlane.io", APOLLO_FIELDS)
                .found(
                    "ferrovia-logistica.it",
                    &[
                        "city",
                        "country",
                        "employees",
                        "founded_year",
                        "industry",
                        "name",
                        "region",
                        "revenue",
                        "technologies",
                    ],
                )
                .no_data("ghost-company.com"),
            )
            .recorded(
                case("apollo/credits_exhausted.json", &["a.com", "b.com"], 200)
                    .error(ErrorKind::Stopped),
            ),
    );
}

#[test]
fn pdl_single() {
    check(
        json!({ "preset": "pdl", "bulk": false }),
        PlanCases::new()
            .label("pdl, single")
            .recorded(
                case("pdl/company.json", &["brightlane.io"], 200)
                    .found("brightlane.io", PDL_FIELDS),
            )
            .recorded(
                case("pdl/not_found.json", &["nosuchcompany.example"], 404)
                    .no_data("nosuchcompany.example"),
            )
            .recorded(case("pdl/bad_request.json", &["a.com"], 400).failed("a.com")),
    );
}

#[test]
fn pdl_bulk() {
    check(
        json!({ "preset": "pdl" }),
        PlanCases::new()
            .label("pdl, bulk")
            .recorded(
                case(
                    "pdl/bulk.json",
                    &[
                        "brightlane.io",
                        "never-answered.example",
                        "xn--mnchen-bau-9db.de",
                        "nosuchcompany.example",
                    ],
                    200,
                )
                // The bulk fixture's profiles carry no technologies.
                .found(
                    "brightlane.io",
                    &PDL_FIELDS
                        .iter()
                        .copied()
                        .filter(|f| *f != "technologies")
                        .collect::<Vec<_>>(),
                )
                .found(
                    "xn--mnchen-bau-9db.de",
                    &[
                        "city",
                        "country",
                        "employees",
                        "industry",
                        "match_likelihood",
                        "name",
                        "region",
                    ],
                )
                .no_data("never-answered.example")
                .no_data("nosuchcompany.example"),
            )
            .recorded(
                case("pdl/not_found.json", &["a.com", "b.com"], 404)
                    .no_data("a.com")
                    .no_data("b.com"),
            ),
    );
}

/// The provider of the README's example, entirely in settings.
fn harbourline() -> Value {
    json!({
        "base_url": "https://api.harbourline.example",
        "url": "{base_url}/v2/companies/{domain}?expand=all",
        "auth": { "kind": "header", "name": "X-Key", "secret": "harbour_key" },
        "root": "/data/company",
        "no_data_status": [404],
        "limits": [{ "count": 50, "per": "10s" }, { "count": 10000, "per": "1d", "window": "fixed" }],
        "fields": {
            "name": ["/trading_name", "/legal_name"],
            "employees": ["/headcount/exact", "/headcount/band"],
            "revenue": "/revenue/usd",
            "country": "/hq/country_iso",
            "region": "/hq/state",
            "city": "/hq/city",
            "founded_year": "/founded",
            "industry": "/industry/primary",
            "technologies": "/stack",
            "funding_stage": "/funding/stage",
            "last_funding_date": "/funding/last_round",
            "funding_total": "/funding/total_usd",
            "business_model": "/model",
            "anzsic": { "from": "/industry/anzsic", "type": "number" }
        }
    })
}

const HARBOURLINE_FIELDS: &[&str] = &[
    "anzsic",
    "business_model",
    "city",
    "country",
    "employees",
    "founded_year",
    "funding_stage",
    "funding_total",
    "industry",
    "last_funding_date",
    "name",
    "region",
    "revenue",
    "technologies",
];

#[test]
fn custom_provider() {
    check(
        harbourline(),
        PlanCases::new().label("custom").recorded(
            case("custom/company.json", &["harbourline.com.au"], 200)
                .found("harbourline.com.au", HARBOURLINE_FIELDS),
        ),
    );
}

#[test]
fn custom_provider_with_a_bulk_endpoint() {
    let mut settings = harbourline();
    settings["bulk_endpoint"] = json!({
        "url": "{base_url}/v2/companies/bulk",
        "max_batch": 25,
        "body": { "domains": "{items}" },
        "items": "/results",
        "key": "/query",
        "root": "/company"
    });
    settings["batch_size"] = json!(2);
    check(
        settings,
        PlanCases::new().label("custom, bulk").recorded(
            case(
                "custom/bulk.json",
                &["harbourline.com.au", "unknown-co.com.au"],
                200,
            )
            .found(
                "harbourline.com.au",
                &HARBOURLINE_FIELDS
                    .iter()
                    .copied()
                    .filter(|f| *f != "anzsic")
                    .collect::<Vec<_>>(),
            )
            .no_data("unknown-co.com.au"),
        ),
    );
}

/// Found by the kit's URL check: a custom `url` (or `bulk_endpoint.url`)
/// without a scheme was accepted, and every planned request went to a URL
/// the host cannot send. Such settings are now refused up front.
#[test]
fn a_url_template_must_give_an_http_url() {
    let m = settings_error(json!({
        "url": "api.harbourline.example/v2/companies/{domain}",
        "fields": { "name": "/name" }
    }));
    assert_eq!(
        m,
        "firmographic-http: url: the template does not give an http(s) URL (for example.com: `api.harbourline.example/v2/companies/example.com`): start it with {base_url} or https://"
    );
    settings_error(json!({ "url": "ftp://files.example/{domain}", "fields": { "name": "/name" } }));
    settings_error(json!({ "url": "https:///{domain}", "fields": { "name": "/name" } }));
    let m = settings_error(json!({
        "base_url": "https://api.example.com",
        "url": "{base_url}/c/{domain}",
        "fields": { "name": "/name" },
        "bulk_endpoint": { "url": "/bulk", "max_batch": 5, "body": { "d": "{items}" }, "key": "/domain" }
    }));
    assert!(
        m.starts_with("firmographic-http: bulk_endpoint.url: "),
        "{m}"
    );
    // A template with the host in it is fine.
    FirmographicHttp::new(
        &json!({ "url": "https://{domain}/company.json", "fields": { "name": "/name" } }),
    )
    .unwrap();
}
