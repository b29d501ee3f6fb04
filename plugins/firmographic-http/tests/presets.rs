//! Parsing each preset's answers, single and bulk, on full-size payloads
//! shaped like the providers' published examples (tests/fixtures).

mod common;

use common::*;
use icp_plugin_sdk::{Outcome, Plan, SourceError};
use serde_json::json;

fn clearbit() -> icp_source_firmographic_http::FirmographicHttp {
    source(json!({ "preset": "clearbit", "base_url": BASE }))
}

#[test]
fn clearbit_full_company() {
    let r = answer(
        &clearbit(),
        &["brightlane.io"],
        200,
        &fixture("clearbit/company.json"),
    )
    .unwrap();
    let f = found(&r, "brightlane.io");
    assert_eq!(f["name"], json!("Brightlane"));
    assert_eq!(
        f["description"],
        json!(
            "Brightlane is a revenue operations platform that unifies pipeline data, forecasting and territory planning for B2B sales teams."
        )
    );
    assert_eq!(f["industry"], json!("Internet Software & Services"));
    assert_eq!(f["employees"], json!(240));
    // annualRevenue is null: the estimated band, kept as text.
    assert_eq!(f["revenue"], json!("$10M-$50M"));
    assert_eq!(f["funding_total"], json!(58000000));
    assert_eq!(f["country"], json!("US"));
    assert_eq!(f["region"], json!("California"));
    assert_eq!(f["city"], json!("San Francisco"));
    assert_eq!(f["founded_year"], json!(2016));
    assert_eq!(f["technologies"].as_array().unwrap().len(), 12);
    assert_eq!(f["technologies"][0], json!("google_apps"));
    assert_eq!(
        keys_of(&f),
        [
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
            "technologies"
        ]
    );
    assert!(r.logs.is_empty(), "{:?}", r.logs);
    assert!(r.follow_ups.is_empty());
}

#[test]
fn clearbit_sparse_company_leaves_nulls_out() {
    let r = answer(
        &clearbit(),
        &["kestreljoinery.co.uk"],
        200,
        &fixture("clearbit/company_sparse.json"),
    )
    .unwrap();
    let f = found(&r, "kestreljoinery.co.uk");
    // employees is null: the range instead.
    assert_eq!(f["employees"], json!("11-50"));
    assert_eq!(f["revenue"], json!("$1M-$10M"));
    assert_eq!(f["country"], json!("GB"));
    assert_eq!(f["city"], json!("Leeds"));
    // null industry, null state, "" description, [] tech, null foundedYear.
    assert_eq!(
        keys_of(&f),
        ["city", "country", "employees", "name", "revenue"]
    );
    assert!(f.values().all(|v| !v.is_null() && v != ""), "{f:?}");
}

#[test]
fn clearbit_unknown_refused_and_queued() {
    let src = clearbit();
    let r = answer(
        &src,
        &["nosuch.example"],
        404,
        &fixture("clearbit/unknown.json"),
    )
    .unwrap();
    assert_eq!(outcome(&r, "nosuch.example"), &Outcome::NoData);
    assert!(r.logs.is_empty(), "a 404 is ordinary: {:?}", r.logs);

    let r = answer(
        &src,
        &["bad..domain"],
        422,
        r#"{"error":{"type":"invalid_domain","message":"Invalid domain"}}"#,
    )
    .unwrap();
    assert_eq!(outcome(&r, "bad..domain"), &Outcome::NoData);
    assert!(
        r.logs[0].contains("HTTP 422 (Invalid domain)"),
        "{:?}",
        r.logs
    );

    let r = answer(
        &src,
        &["brandnew.io"],
        202,
        &fixture("clearbit/queued.json"),
    )
    .unwrap();
    assert_eq!(outcome(&r, "brandnew.io"), &Outcome::Queued);
    let r = answer(&src, &["brandnew.io"], 202, "").unwrap();
    assert_eq!(outcome(&r, "brandnew.io"), &Outcome::Queued);

    let r = answer(&src, &["a.com"], 400, &fixture("clearbit/bad_request.json")).unwrap();
    assert_eq!(
        outcome(&r, "a.com"),
        &Outcome::Failed {
            message: "clearbit: HTTP 400: Missing required parameter: domain".into()
        }
    );
}

fn apollo(bulk: bool) -> icp_source_firmographic_http::FirmographicHttp {
    source(json!({ "preset": "apollo", "base_url": BASE, "bulk": bulk }))
}

#[test]
fn apollo_single_organization() {
    let r = answer(
        &apollo(false),
        &["brightlane.io"],
        200,
        &fixture("apollo/organization.json"),
    )
    .unwrap();
    let f = found(&r, "brightlane.io");
    assert_eq!(f["name"], json!("Brightlane"));
    assert_eq!(f["industry"], json!("computer software"));
    assert_eq!(f["employees"], json!(240));
    assert_eq!(f["revenue"].as_f64(), Some(32_000_000.0));
    assert_eq!(f["funding_total"], json!(58000000));
    assert_eq!(f["funding_stage"], json!("Series B"));
    assert_eq!(
        f["last_funding_date"],
        json!("2023-04-01T00:00:00.000+00:00")
    );
    assert_eq!(f["country"], json!("United States"));
    assert_eq!(f["region"], json!("California"));
    assert_eq!(f["city"], json!("San Francisco"));
    assert_eq!(f["founded_year"], json!(2016));
    let tech = f["technologies"].as_array().unwrap();
    assert_eq!(tech.len(), 13);
    assert!(tech.contains(&json!("Salesforce")) && tech.contains(&json!("Segment.io")));
    assert!(
        f["description"]
            .as_str()
            .unwrap()
            .starts_with("Brightlane is a revenue operations platform")
    );
}

#[test]
fn apollo_unknown_domain_is_no_data() {
    let src = apollo(false);
    for body in [
        fixture("apollo/unknown.json"),
        r#"{"organization": null}"#.into(),
        r#"{"organization": {}}"#.into(),
        "".into(),
        "null".into(),
    ] {
        let r = answer(&src, &["ghost-company.com"], 200, &body).unwrap();
        assert_eq!(outcome(&r, "ghost-company.com"), &Outcome::NoData, "{body}");
    }
    let r = answer(
        &src,
        &["ghost-company.com"],
        422,
        &fixture("apollo/missing_domain.json"),
    )
    .unwrap();
    assert_eq!(outcome(&r, "ghost-company.com"), &Outcome::NoData);
    assert!(
        r.logs[0].contains("Required parameter 'domain' missing"),
        "{:?}",
        r.logs
    );
}

#[test]
fn apollo_bulk_partial_and_reordered() {
    let src = apollo(true);
    let keys = [
        "brightlane.io",
        "ghost-company.com",
        "ferrovia-logistica.it",
    ];
    let r = answer(&src, &keys, 200, &fixture("apollo/bulk_partial.json")).unwrap();
    assert_eq!(r.outcomes.len(), 3);

    let b = found(&r, "brightlane.io");
    assert_eq!(b["employees"], json!(240));
    // technology_names is empty: current_technologies' names instead.
    assert_eq!(b["technologies"], json!(["Salesforce", "Stripe"]));
    // short_description is null: the SEO description instead.
    assert_eq!(
        b["description"],
        json!(
            "Brightlane unifies pipeline, forecasting and territory planning for B2B revenue teams."
        )
    );

    let f = found(&r, "ferrovia-logistica.it");
    assert_eq!(f["employees"], json!(1350));
    assert_eq!(f["revenue"], json!(410000000));
    assert_eq!(f["country"], json!("Italy"));
    assert_eq!(f["founded_year"], json!(1998));
    assert!(
        !f.contains_key("funding_stage") && !f.contains_key("description"),
        "{f:?}"
    );

    // Left out of the answer: unknown.
    assert_eq!(outcome(&r, "ghost-company.com"), &Outcome::NoData);
    assert!(
        r.logs
            .iter()
            .any(|l| l.contains("2 of 3 domains found, 1 left out")),
        "{:?}",
        r.logs
    );
}

#[test]
fn apollo_bulk_matches_by_website_when_the_primary_domain_differs() {
    let mut body = fixture_json("apollo/bulk_partial.json");
    body["organizations"][1]["primary_domain"] = json!("brightlane.com");
    body["organizations"][0]["primary_domain"] = json!("FERROVIA-LOGISTICA.IT");
    let r = answer(
        &apollo(true),
        &["brightlane.io", "ferrovia-logistica.it"],
        200,
        &body.to_string(),
    )
    .unwrap();
    assert_eq!(found(&r, "brightlane.io")["name"], json!("Brightlane"));
    assert_eq!(found(&r, "ferrovia-logistica.it")["city"], json!("Milano"));

    // An answer about a domain nobody asked for is skipped and logged.
    let mut body = fixture_json("apollo/bulk_partial.json");
    body["organizations"][1]["primary_domain"] = json!("someone-else.com");
    body["organizations"][1]["website_url"] = json!("http://someone-else.com");
    let r = answer(
        &apollo(true),
        &["brightlane.io", "ferrovia-logistica.it"],
        200,
        &body.to_string(),
    )
    .unwrap();
    assert_eq!(outcome(&r, "brightlane.io"), &Outcome::NoData);
    assert!(
        r.logs
            .iter()
            .any(|l| l.contains("someone-else.com match no requested domain")),
        "{:?}",
        r.logs
    );
}

#[test]
fn apollo_bulk_with_no_organizations() {
    let src = apollo(true);
    for body in [
        r#"{"status":"success","error_code":null,"error_message":null,"total_requested_domains":2,"unique_domains":2,"unique_enriched_records":0,"missing_records":2,"organizations":[]}"#,
        r#"{"status":"success","organizations":null}"#,
        r#"{"organizations":[null, null]}"#,
    ] {
        let r = answer(&src, &["a.com", "b.com"], 200, body).unwrap();
        assert_eq!(outcome(&r, "a.com"), &Outcome::NoData, "{body}");
        assert_eq!(outcome(&r, "b.com"), &Outcome::NoData, "{body}");
    }
}

#[test]
fn apollo_out_of_credits_stops_the_source() {
    for bulk in [false, true] {
        let e = answer(
            &apollo(bulk),
            &["a.com"],
            200,
            &fixture("apollo/credits_exhausted.json"),
        )
        .unwrap_err();
        match e {
            SourceError::Stopped(m) => {
                assert!(m.starts_with("apollo: the credits are used up"), "{m}");
                assert!(m.len() < 250, "{m}");
            }
            other => panic!("expected stopped, got {other:?}"),
        }
    }
}

fn pdl(bulk: bool) -> icp_source_firmographic_http::FirmographicHttp {
    source(json!({ "preset": "pdl", "base_url": BASE, "bulk": bulk }))
}

#[test]
fn pdl_single_company() {
    let r = answer(
        &pdl(false),
        &["brightlane.io"],
        200,
        &fixture("pdl/company.json"),
    )
    .unwrap();
    let f = found(&r, "brightlane.io");
    assert_eq!(f["name"], json!("Brightlane"));
    assert_eq!(f["employees"], json!(243));
    assert_eq!(f["industry"], json!("computer software"));
    assert_eq!(f["revenue"], json!("$25M-$50M"));
    assert_eq!(f["country"], json!("united states"));
    assert_eq!(f["region"], json!("california"));
    assert_eq!(f["city"], json!("san francisco"));
    assert_eq!(f["founded_year"], json!(2016));
    assert_eq!(f["funding_stage"], json!("series_b"));
    assert_eq!(f["last_funding_date"], json!("2023-04-01"));
    assert_eq!(f["funding_total"], json!(58000000));
    // A technology without a name is skipped.
    assert_eq!(f["technologies"], json!(["salesforce", "snowflake"]));
    assert_eq!(f["tags"].as_array().unwrap().len(), 5);
    assert_eq!(f["match_likelihood"], json!(9));
    assert!(
        f["description"]
            .as_str()
            .unwrap()
            .starts_with("brightlane is a revenue")
    );
}

#[test]
fn pdl_not_found_and_bad_request() {
    let src = pdl(false);
    let r = answer(
        &src,
        &["nosuchcompany.example"],
        404,
        &fixture("pdl/not_found.json"),
    )
    .unwrap();
    assert_eq!(outcome(&r, "nosuchcompany.example"), &Outcome::NoData);
    let r = answer(&src, &["a.com"], 400, &fixture("pdl/bad_request.json")).unwrap();
    match outcome(&r, "a.com") {
        Outcome::Failed { message } => {
            assert!(
                message.starts_with("pdl: HTTP 400: Request object must contain"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn pdl_bulk_ties_answers_back_by_metadata_not_order() {
    let src = pdl(true);
    // Requested in another order than answered; one domain not answered at all.
    let keys = [
        "brightlane.io",
        "never-answered.example",
        "xn--mnchen-bau-9db.de",
        "nosuchcompany.example",
    ];
    let r = answer(&src, &keys, 200, &fixture("pdl/bulk.json")).unwrap();
    assert_eq!(r.outcomes.len(), 4);
    let b = found(&r, "brightlane.io");
    assert_eq!(b["employees"], json!(243));
    assert_eq!(b["match_likelihood"], json!(9));
    assert_eq!(b["name"], json!("Brightlane"));

    let m = found(&r, "xn--mnchen-bau-9db.de");
    // employee_count is null: the size range.
    assert_eq!(m["employees"], json!("51-200"));
    assert_eq!(m["name"], json!("München Bau GmbH"));
    assert_eq!(m["country"], json!("germany"));
    assert_eq!(m["match_likelihood"], json!(6));
    assert!(
        !m.contains_key("founded_year") && !m.contains_key("tags"),
        "{m:?}"
    );

    assert_eq!(outcome(&r, "nosuchcompany.example"), &Outcome::NoData);
    assert_eq!(outcome(&r, "never-answered.example"), &Outcome::NoData);
}

#[test]
fn pdl_bulk_item_errors() {
    let src = pdl(true);
    let body = json!([
        { "status": 200, "likelihood": 8, "metadata": { "domain": "a.com" }, "name": "a", "employee_count": 12 },
        { "status": 400, "error": { "type": "invalid_request_error", "message": "Bad website" }, "metadata": { "domain": "b.com" } },
        { "status": 202, "metadata": { "domain": "c.com" } }
    ]);
    let r = answer(&src, &["a.com", "b.com", "c.com"], 200, &body.to_string()).unwrap();
    assert_eq!(found(&r, "a.com")["employees"], json!(12));
    assert_eq!(
        outcome(&r, "b.com"),
        &Outcome::Failed {
            message: "pdl: HTTP 400: Bad website".into()
        }
    );
    assert_eq!(outcome(&r, "c.com"), &Outcome::Queued);

    let body = json!([
        { "status": 402, "error": { "type": "payment_required", "message": "You have hit your account maximum (all matches used)" }, "metadata": { "domain": "a.com" } }
    ]);
    let e = answer(&src, &["a.com"], 200, &body.to_string()).unwrap_err();
    assert!(
        matches!(&e, SourceError::Stopped(m) if m.contains("account maximum")),
        "{e:?}"
    );
}

#[test]
fn a_404_for_a_whole_bulk_call_is_no_data_for_each_domain() {
    let src = pdl(true);
    let planned = plan(&src, &["a.com", "b.com"]);
    let r = src
        .parse(
            &planned[0],
            &respond(&planned[0], 404, &fixture("pdl/not_found.json")),
        )
        .unwrap();
    assert_eq!(outcome(&r, "a.com"), &Outcome::NoData);
    assert_eq!(outcome(&r, "b.com"), &Outcome::NoData);
    let r = src
        .parse(&planned[0], &respond(&planned[0], 202, ""))
        .unwrap();
    assert_eq!(outcome(&r, "b.com"), &Outcome::Queued);
}
