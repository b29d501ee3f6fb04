//! The conformance kit (icp-conformance) with the recorded answers of
//! tests/fixtures, single lookups and bulk calls: manifest, plans, secrets,
//! URLs, a 404, bad and huge answers, and each fixture's outcomes.

mod common;

use common::{bulk, fixture, single};
use icp_conformance::{ErrorKind, PlanCases, Recorded, check_plan};
use icp_example_dynamic::Harbourline;
use serde_json::Value;

const ALL_FIELDS: &[&str] = &[
    "city",
    "country",
    "employees",
    "founded_year",
    "funding_stage",
    "industry",
    "last_funding_date",
    "name",
    "technologies",
];

fn check(settings: Value, cases: PlanCases) {
    check_plan(&Harbourline::new(), &settings, &cases).assert_ok();
}

fn case(path: &str, keys: &[&str], status: u16) -> Recorded {
    Recorded::new(path, keys, status, fixture(path))
}

#[test]
fn single_lookups() {
    check(
        single(),
        PlanCases::new()
            .label("single")
            .sample_keys(["brightlane.io"])
            .recorded(
                case("single/company.json", &["brightlane.io"], 200)
                    .found("brightlane.io", ALL_FIELDS),
            )
            .recorded(
                case("single/company_sparse.json", &["kestreljoinery.co.uk"], 200)
                    .found("kestreljoinery.co.uk", &["country", "employees", "name"]),
            )
            .recorded(
                case("single/null_company.json", &["ghost-company.com"], 200)
                    .no_data("ghost-company.com"),
            )
            .recorded(
                case("single/empty_company.json", &["placeholder.example"], 200)
                    .no_data("placeholder.example"),
            )
            .recorded(
                case("single/unknown.json", &["nosuch.example"], 404).no_data("nosuch.example"),
            )
            .recorded(
                case("single/invalid_domain.json", &["not-a-domain"], 422).no_data("not-a-domain"),
            )
            .recorded(case("single/bad_request.json", &["a.com"], 400).failed("a.com"))
            .recorded(
                case("single/wrong_types.json", &["brightlane.io"], 200)
                    .error(ErrorKind::Malformed),
            )
            .recorded(Recorded::new("401", &["a.com"], 401, "").error(ErrorKind::Stopped)),
    );
}

#[test]
fn bulk_calls() {
    check(
        bulk(),
        PlanCases::new()
            .label("bulk")
            .recorded(
                case(
                    "bulk/partial.json",
                    &[
                        "brightlane.io",
                        "ghost-company.com",
                        "ferrovia-logistica.it",
                        "never-answered.example",
                    ],
                    200,
                )
                .found("brightlane.io", ALL_FIELDS)
                .found(
                    "ferrovia-logistica.it",
                    &[
                        "city",
                        "country",
                        "employees",
                        "founded_year",
                        "industry",
                        "name",
                        "technologies",
                    ],
                )
                .no_data("ghost-company.com")
                .no_data("never-answered.example"),
            )
            .recorded(
                case("single/unknown.json", &["a.com", "b.com"], 404)
                    .no_data("a.com")
                    .no_data("b.com"),
            )
            .recorded(
                case("bulk/wrong_shape.json", &["brightlane.io"], 200).error(ErrorKind::Malformed),
            )
            .recorded(
                case("single/bad_request.json", &["a.com", "b.com"], 400)
                    .failed("a.com")
                    .failed("b.com"),
            ),
    );
}

/// The kit itself catches a broken expectation: a recorded case that
/// expects the wrong outcome must fail the report (so the tests above can
/// fail).
#[test]
fn the_kit_notices_a_wrong_expectation() {
    let report = check_plan(
        &Harbourline::new(),
        &single(),
        &PlanCases::new().recorded(
            case("single/null_company.json", &["ghost-company.com"], 200)
                .found("ghost-company.com", &["name"]),
        ),
    );
    let failed: Vec<&str> = report.failed().iter().map(|c| c.name.as_str()).collect();
    assert_eq!(failed, ["recorded: single/null_company.json"], "{report}");
}
