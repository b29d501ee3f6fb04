//! What `parse` makes of Harbourline's answers: the recorded ones in
//! tests/fixtures, and bad ones (no panic on any input).

mod common;

use common::{answer, bulk, fixture, found, malformed, outcome, plan, respond, single};
use icp_example_dynamic::Harbourline;
use icp_plugin_sdk::{Outcome, Plan, PlannedRequest, Request, SourceError};
use serde_json::json;

#[test]
fn a_company() {
    let r = answer(
        &single(),
        &["brightlane.io"],
        200,
        &fixture("single/company.json"),
    )
    .unwrap();
    assert_eq!(r.outcomes.len(), 1);
    let f = found(&r, "brightlane.io");
    assert_eq!(
        serde_json::to_value(&f).unwrap(),
        json!({
            "name": "Brightlane",
            "employees": 240,
            "industry": "Software",
            "country": "DE",
            "city": "Berlin",
            "founded_year": 2012,
            // Repeated ("salesforce") and blank names are dropped.
            "technologies": ["Salesforce", "HubSpot", "Snowflake"],
            "funding_stage": "Series B",
            "last_funding_date": "2025-06-01"
        })
    );
    assert!(r.logs.is_empty(), "{:?}", r.logs);
    assert!(r.follow_ups.is_empty());
}

#[test]
fn a_sparse_company_leaves_blanks_out() {
    let r = answer(
        &single(),
        &["kestreljoinery.co.uk"],
        200,
        &fixture("single/company_sparse.json"),
    )
    .unwrap();
    let f = found(&r, "kestreljoinery.co.uk");
    assert_eq!(
        serde_json::to_value(&f).unwrap(),
        json!({
            // trading_name is "": the legal name instead.
            "name": "Kestrel Joinery Ltd",
            // No exact headcount: the band, as text.
            "employees": "11-50",
            "country": "GB"
        })
    );
}

#[test]
fn a_company_without_any_of_our_fields_is_no_data() {
    let r = answer(
        &single(),
        &["placeholder.example"],
        200,
        &fixture("single/empty_company.json"),
    )
    .unwrap();
    assert_eq!(outcome(&r, "placeholder.example"), &Outcome::NoData);
    assert_eq!(r.logs.len(), 1, "{:?}", r.logs);
    assert!(r.logs[0].contains("none of our fields"), "{:?}", r.logs);
}

#[test]
fn null_company_is_no_data() {
    for body in [
        fixture("single/null_company.json"),
        r#"{"company":null,"extra":1}"#.into(),
    ] {
        let r = answer(&single(), &["ghost-company.com"], 200, &body).unwrap();
        assert_eq!(outcome(&r, "ghost-company.com"), &Outcome::NoData);
    }
}

#[test]
fn unknown_company_is_no_data() {
    for (status, body) in [
        (404, fixture("single/unknown.json")),
        (404, String::new()),
        (404, "<html>Not Found</html>".to_string()),
        (422, fixture("single/invalid_domain.json")),
    ] {
        let r = answer(&single(), &["nosuch.example"], status, &body).unwrap();
        assert_eq!(outcome(&r, "nosuch.example"), &Outcome::NoData, "{status}");
        let r = answer(&bulk(), &["a.com", "b.com"], status, &body).unwrap();
        assert_eq!(outcome(&r, "a.com"), &Outcome::NoData);
        assert_eq!(outcome(&r, "b.com"), &Outcome::NoData);
    }
    // A 422 says why, in a log line.
    let r = answer(
        &single(),
        &["nosuch.example"],
        422,
        &fixture("single/invalid_domain.json"),
    )
    .unwrap();
    assert_eq!(
        r.logs,
        [
            "harbourline: HTTP 422: invalid_domain (The domain is not a registrable domain.): no data"
        ]
    );
}

#[test]
fn a_bulk_answer_is_matched_by_query_not_position() {
    let keys = [
        "brightlane.io",
        "ghost-company.com",
        "ferrovia-logistica.it",
        "never-answered.example",
    ];
    let r = answer(&bulk(), &keys, 200, &fixture("bulk/partial.json")).unwrap();
    assert_eq!(r.outcomes.len(), 4, "{:?}", r.outcomes);
    assert_eq!(
        serde_json::to_value(found(&r, "brightlane.io")).unwrap(),
        json!({
            "name": "Brightlane",
            "employees": 240,
            "industry": "Software",
            "country": "DE",
            "city": "Berlin",
            "founded_year": 2012,
            "technologies": ["Salesforce", "HubSpot"],
            "funding_stage": "Series B",
            "last_funding_date": "2025-06-01"
        })
    );
    // Answered as "Ferrovia-Logistica.IT".
    assert_eq!(
        serde_json::to_value(found(&r, "ferrovia-logistica.it")).unwrap(),
        json!({
            "name": "Ferrovia Logistica S.p.A.",
            "employees": "1001-5000",
            "industry": "Logistics",
            "country": "IT",
            "city": "Milano",
            "founded_year": 1987,
            "technologies": ["SAP"]
        })
    );
    assert_eq!(outcome(&r, "ghost-company.com"), &Outcome::NoData);
    assert_eq!(outcome(&r, "never-answered.example"), &Outcome::NoData);
    // The result for a domain not asked for is ignored, and said so.
    assert!(!r.outcomes.contains_key("not-asked-for.example"));
    assert_eq!(
        r.logs,
        ["harbourline: the bulk answer held 1 result(s) for domains not asked for; ignored"]
    );
}

#[test]
fn a_domain_answered_twice_keeps_the_first_answer() {
    let body = json!({ "results": [
        { "query": "acme.com", "company": { "trading_name": "Acme" } },
        { "query": "acme.com", "company": { "trading_name": "Other" } }
    ]});
    let r = answer(&bulk(), &["acme.com"], 200, &body.to_string()).unwrap();
    assert_eq!(found(&r, "acme.com")["name"], "Acme");
}

#[test]
fn malformed_answers_are_errors_not_panics() {
    let cases: Vec<(&str, String)> = vec![
        ("empty", String::new()),
        ("not json", "<html>oops</html>".into()),
        ("cut short", r#"{"company": {"trading_name": "Bri"#.into()),
        ("null", "null".into()),
        ("a list", "[]".into()),
        ("a string", r#""company""#.into()),
        ("a number", "42".into()),
        ("no company member", r#"{"data": {}}"#.into()),
        ("wrong types", fixture("single/wrong_types.json")),
        ("company is a list", r#"{"company": []}"#.into()),
        (
            "negative headcount",
            r#"{"company": {"headcount": -3}}"#.into(),
        ),
        (
            "founded as text",
            r#"{"company": {"founded": "2012"}}"#.into(),
        ),
        (
            "stack of strings",
            r#"{"company": {"stack": ["Salesforce"]}}"#.into(),
        ),
        (
            "industry as text",
            r#"{"company": {"industry": "Software"}}"#.into(),
        ),
        ("1 MiB of junk", "\u{1}x{[".repeat(1 << 18)),
        ("deep nesting", "[".repeat(100_000)),
        (
            "deep nesting in a company",
            format!(r#"{{"company": {{"hq": {}}}}}"#, "{\"a\":".repeat(50_000)),
        ),
    ];
    for (name, body) in &cases {
        let m = malformed(answer(&single(), &["brightlane.io"], 200, body));
        assert!(m.contains("lookup answer"), "{name}: {m}");
    }
    let m = malformed(answer(
        &single(),
        &["brightlane.io"],
        200,
        &fixture("single/wrong_types.json"),
    ));
    assert!(m.contains("invalid type"), "{m}");

    let bulk_cases: Vec<(&str, String)> = vec![
        ("empty", String::new()),
        ("a single answer", fixture("single/company.json")),
        ("results as a table", fixture("bulk/wrong_shape.json")),
        (
            "a result without query",
            r#"{"results": [{"company": null}]}"#.into(),
        ),
        ("query as a number", r#"{"results": [{"query": 7}]}"#.into()),
        ("1 MiB of junk", "]".repeat(1 << 20)),
        ("deep nesting", "{\"results\":".repeat(100_000)),
    ];
    for (name, body) in &bulk_cases {
        let m = malformed(answer(&bulk(), &["a.com", "b.com"], 200, body));
        assert!(m.contains("bulk answer"), "{name}: {m}");
    }
}

#[test]
fn a_huge_string_is_not_quoted_whole_in_the_error() {
    let body = format!(
        r#"{{"company": {{"headcount": "{}"}}}}"#,
        "x".repeat(1 << 20)
    );
    let m = malformed(answer(&single(), &["a.com"], 200, &body));
    assert!(m.ends_with("..."), "{m}");
}

#[test]
fn a_date_that_is_not_a_date_is_left_out_with_a_log_line() {
    let body = json!({ "company": {
        "trading_name": "Acme",
        "funding": { "stage": "Seed", "last_round_on": "last spring" }
    }});
    let r = answer(&single(), &["acme.com"], 200, &body.to_string()).unwrap();
    let f = found(&r, "acme.com");
    assert!(!f.contains_key("last_funding_date"), "{f:?}");
    assert_eq!(f["funding_stage"], "Seed");
    assert_eq!(
        r.logs,
        [
            "harbourline: company.funding.last_round_on is not a YYYY-MM-DD date; last_funding_date left out"
        ]
    );
    for bad in ["2025-02-30", "2025-13-01", "25-06-01", "2025-6-1"] {
        let body = json!({ "company": { "funding": { "last_round_on": bad } } });
        let r = answer(&single(), &["acme.com"], 200, &body.to_string()).unwrap();
        assert_eq!(outcome(&r, "acme.com"), &Outcome::NoData, "{bad}");
    }
    let body = json!({ "company": { "funding": { "last_round_on": "2024-02-29" } } });
    let r = answer(&single(), &["acme.com"], 200, &body.to_string()).unwrap();
    assert_eq!(found(&r, "acme.com")["last_funding_date"], "2024-02-29");
}

#[test]
fn a_band_without_a_figure_is_left_out() {
    let body = json!({ "company": { "trading_name": "Acme", "headcount_band": "unknown" } });
    let r = answer(&single(), &["acme.com"], 200, &body.to_string()).unwrap();
    assert!(!found(&r, "acme.com").contains_key("employees"));
    assert_eq!(r.logs.len(), 1, "{:?}", r.logs);
}

#[test]
fn other_statuses_fail_the_covered_accounts_naming_the_status() {
    let r = answer(
        &single(),
        &["a.com"],
        400,
        &fixture("single/bad_request.json"),
    )
    .unwrap();
    assert_eq!(
        outcome(&r, "a.com"),
        &Outcome::Failed {
            message: "HTTP 400 from Harbourline: bad_request (Unsupported Accept header.)".into()
        }
    );
    let r = answer(&bulk(), &["a.com", "b.com"], 410, "gone").unwrap();
    for k in ["a.com", "b.com"] {
        assert_eq!(
            outcome(&r, k),
            &Outcome::Failed {
                message: "HTTP 410 from Harbourline".into()
            }
        );
    }
    // A 3xx the host did not follow, or a 5xx it handed over after its
    // retries, fail too.
    for status in [301, 500, 503] {
        let r = answer(&single(), &["a.com"], status, "").unwrap();
        match outcome(&r, "a.com") {
            Outcome::Failed { message } => {
                assert_eq!(message, &format!("HTTP {status} from Harbourline"))
            }
            o => panic!("{status}: {o:?}"),
        }
    }
}

#[test]
fn a_refused_key_or_spent_credits_stop_the_source() {
    for status in [401, 402, 403] {
        match answer(&single(), &["a.com"], status, r#"{"error": {"code": "x"}}"#) {
            Err(SourceError::Stopped(m)) => {
                assert!(
                    m.starts_with(&format!("harbourline: HTTP {status} ")),
                    "{m}"
                )
            }
            other => panic!("{status}: {other:?}"),
        }
    }
}

#[test]
fn simulate_panic_panics_in_parse() {
    let mut s = single();
    s["simulate"] = json!("panic");
    let req = plan(&s, &["a.com"]).remove(0);
    let resp = respond(&req, 200, &fixture("single/company.json"));
    let caught = std::panic::catch_unwind(|| Harbourline::new().parse(&req, &resp));
    let panic = caught.expect_err("parse must panic with simulate = \"panic\"");
    let msg = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("simulated panic"), "{msg}");
    // Without the header, the same answer parses.
    let req = plan(&single(), &["a.com"]).remove(0);
    assert!(Harbourline::new().parse(&req, &resp).is_ok());
}

#[test]
fn a_dns_request_is_refused() {
    let req = PlannedRequest {
        id: "dns-0".into(),
        keys: vec!["a.com".into()],
        request: Request::Dns {
            name: "a.com".into(),
            record_type: icp_plugin_sdk::DnsRecordType::Mx,
        },
    };
    let resp = respond(&req, 0, "");
    assert!(matches!(
        Harbourline::new().parse(&req, &resp),
        Err(SourceError::Other(_))
    ));
}

#[test]
fn parsing_is_deterministic() {
    let keys = [
        "brightlane.io",
        "ghost-company.com",
        "ferrovia-logistica.it",
    ];
    let body = fixture("bulk/partial.json");
    let a = answer(&bulk(), &keys, 200, &body).unwrap();
    let b = answer(&bulk(), &keys, 200, &body).unwrap();
    assert_eq!(a, b);
}
