//! Bad and odd answers: malformed JSON, wrong shapes, huge numbers, other
//! statuses, credit messages. Never a panic; errors are short and never
//! carry the body.

mod common;

use common::*;
use icp_plugin_sdk::{Outcome, SourceError};
use serde_json::json;

fn clearbit() -> icp_source_firmographic_http::FirmographicHttp {
    source(json!({ "preset": "clearbit", "base_url": BASE }))
}

fn apollo(bulk: bool) -> icp_source_firmographic_http::FirmographicHttp {
    source(json!({ "preset": "apollo", "base_url": BASE, "bulk": bulk }))
}

fn malformed(e: SourceError) -> String {
    match e {
        SourceError::Malformed(m) => {
            assert!(m.len() < 200, "too long: {m}");
            m
        }
        other => panic!("expected malformed, got {other:?}"),
    }
}

#[test]
fn malformed_json_is_an_error_without_the_body() {
    let body = r#"{"name": "Brightlane", "secret_marker_XYZ": tru"#;
    for src in [clearbit(), apollo(false), apollo(true)] {
        let m = malformed(answer(&src, &["a.com"], 200, body).unwrap_err());
        assert!(m.contains("not JSON"), "{m}");
        assert!(
            !m.contains("secret_marker_XYZ") && !m.contains("Brightlane"),
            "{m}"
        );
    }
    let html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    let m = malformed(answer(&clearbit(), &["a.com"], 200, html).unwrap_err());
    assert!(!m.contains("Gateway"), "{m}");
    // A truncated answer.
    let full = fixture("clearbit/company.json");
    malformed(answer(&clearbit(), &["a.com"], 200, &full[..full.len() / 2]).unwrap_err());
}

#[test]
fn empty_answers_are_no_data() {
    for body in ["", "   \n", "null", "{}", "\u{feff}{}"] {
        let r = answer(&clearbit(), &["a.com"], 200, body).unwrap();
        assert_eq!(outcome(&r, "a.com"), &Outcome::NoData, "{body:?}");
    }
    // An object with none of the mapped fields is no data too.
    let r = answer(
        &clearbit(),
        &["a.com"],
        200,
        r#"{"id": "x", "name": null, "metrics": {}}"#,
    )
    .unwrap();
    assert_eq!(outcome(&r, "a.com"), &Outcome::NoData);
}

/// A bulk call answered with an error, an empty object or an empty body
/// (Apollo sends `{"error": ...}` with a 200) fails its domains instead of
/// caching them all as unknown.
#[test]
fn a_bulk_answer_without_its_list_fails_its_domains() {
    let keys = ["a.com", "b.io"];
    for body in [
        r#"{"error":"Internal error, please retry"}"#,
        "{}",
        "",
        r#"{"organizations": null, "error": "rate limited"}"#,
    ] {
        let m = malformed(answer(&apollo(true), &keys, 200, body).unwrap_err());
        assert!(m.contains("apollo"), "{m}");
        if body.contains("Internal") {
            assert!(
                m.contains("the provider says: Internal error, please retry"),
                "{m}"
            );
        }
    }
    // A list with nothing in it is an answer: no data for both.
    let r = answer(&apollo(true), &keys, 200, r#"{"organizations": []}"#).unwrap();
    assert_eq!(outcome(&r, "a.com"), &Outcome::NoData);
    assert_eq!(outcome(&r, "b.io"), &Outcome::NoData);
}

#[test]
fn an_array_where_an_object_belongs() {
    let m = malformed(answer(&clearbit(), &["a.com"], 200, r#"[{"name": "X"}]"#).unwrap_err());
    assert!(
        m.contains("expected a company object at the top level, found a list"),
        "{m}"
    );
    let m = malformed(
        answer(
            &apollo(false),
            &["a.com"],
            200,
            r#"{"organization": [{"name": "X"}]}"#,
        )
        .unwrap_err(),
    );
    assert!(m.contains("/organization"), "{m}");
    let m = malformed(
        answer(
            &apollo(false),
            &["a.com"],
            200,
            r#"[{"organization": {"name": "X"}}]"#,
        )
        .unwrap_err(),
    );
    assert!(m.contains("found a list"), "{m}");
    malformed(answer(&apollo(false), &["a.com"], 200, r#""Brightlane""#).unwrap_err());
    malformed(
        answer(
            &apollo(false),
            &["a.com"],
            200,
            r#"{"organization": "Brightlane"}"#,
        )
        .unwrap_err(),
    );

    // Bulk: the list of answers is not a list, or holds no objects.
    let m = malformed(
        answer(
            &apollo(true),
            &["a.com"],
            200,
            r#"{"organizations": {"a.com": {}}}"#,
        )
        .unwrap_err(),
    );
    assert!(
        m.contains("expected a list of answers at /organizations"),
        "{m}"
    );
    let m = malformed(
        answer(
            &apollo(true),
            &["a.com", "b.com"],
            200,
            r#"{"organizations": ["a.com", 3]}"#,
        )
        .unwrap_err(),
    );
    assert!(m.contains("none of the 2 answers"), "{m}");
    // Junk beside good answers is skipped and logged.
    let body = json!({ "organizations": [
        "junk",
        { "primary_domain": "a.com", "name": "A", "estimated_num_employees": 10 },
        { "name": "no key at all" }
    ]});
    let r = answer(&apollo(true), &["a.com", "b.com"], 200, &body.to_string()).unwrap();
    assert_eq!(found(&r, "a.com")["employees"], json!(10));
    assert_eq!(outcome(&r, "b.com"), &Outcome::NoData);
    assert!(
        r.logs
            .iter()
            .any(|l| l.contains("2 answer(s) of an unexpected shape")),
        "{:?}",
        r.logs
    );
    // A repeated answer: the first counts.
    let body = json!({ "organizations": [
        { "primary_domain": "a.com", "name": "First" },
        { "primary_domain": "a.com", "name": "Second" }
    ]});
    let r = answer(&apollo(true), &["a.com"], 200, &body.to_string()).unwrap();
    assert_eq!(found(&r, "a.com")["name"], json!("First"));
    // A PDL bulk answer that is an object instead of a list.
    let pdl = source(json!({ "preset": "pdl", "base_url": BASE }));
    malformed(answer(&pdl, &["a.com"], 200, r#"{"status": 200, "name": "a"}"#).unwrap_err());
    // A bulk item whose company is text fails that account only.
    let custom = source(json!({
        "base_url": BASE, "url": "{base_url}/c/{domain}", "fields": { "name": "/name" },
        "bulk_endpoint": { "url": "{base_url}/bulk", "max_batch": 5, "body": { "d": "{items}" },
            "items": "/results", "key": "/query", "root": "/company" }
    }));
    let body = json!({ "results": [
        { "query": "a.com", "company": "oops" },
        { "query": "b.com", "company": { "name": "B" } }
    ]});
    let r = answer(&custom, &["a.com", "b.com"], 200, &body.to_string()).unwrap();
    assert!(
        matches!(outcome(&r, "a.com"), Outcome::Failed { message } if message.contains("malformed answer")),
        "{:?}",
        r.outcomes
    );
    assert_eq!(found(&r, "b.com")["name"], json!("B"));
}

#[test]
fn a_string_where_a_number_belongs() {
    let body = json!({
        "name": "Brightlane",
        "foundedYear": "2016",
        "metrics": { "employees": "about 200", "annualRevenue": "1200000", "raised": { "usd": 5 } }
    });
    let r = answer(&clearbit(), &["a.com"], 200, &body.to_string()).unwrap();
    let f = found(&r, "a.com");
    // A plain numeric string becomes a number; other text is kept for the
    // scoring core to read (or not).
    assert_eq!(f["founded_year"], json!(2016));
    assert_eq!(f["revenue"], json!(1200000));
    assert_eq!(f["employees"], json!("about 200"));
    assert!(!f.contains_key("funding_total"));
    assert!(
        r.logs.iter().any(|l| l
            == "field `funding_total`: /metrics/raised holds an object, expected number; left out"),
        "{:?}",
        r.logs
    );

    // Wrong shapes for text and list fields.
    let body = json!({
        "name": ["Brightlane"],
        "category": { "industry": { "name": "Software" } },
        "geo": { "countryCode": 840, "city": true },
        "tech": "salesforce",
        "description": 42
    });
    let r = answer(&clearbit(), &["a.com"], 200, &body.to_string()).unwrap();
    let f = found(&r, "a.com");
    assert_eq!(f["country"], json!("840"));
    assert_eq!(f["city"], json!("true"));
    assert_eq!(f["technologies"], json!(["salesforce"]));
    assert_eq!(f["description"], json!("42"));
    assert!(
        !f.contains_key("name") && !f.contains_key("industry"),
        "{f:?}"
    );
    assert_eq!(r.logs.len(), 2, "{:?}", r.logs);
}

#[test]
fn huge_numbers() {
    let body = r#"{"name": "Big", "metrics": {"employees": 123456789012345678901234567890, "raised": 18446744073709551615, "annualRevenue": -1.5e300}}"#;
    let r = answer(&clearbit(), &["a.com"], 200, body).unwrap();
    let f = found(&r, "a.com");
    assert!(f["employees"].is_f64());
    assert_eq!(f["employees"].as_f64(), Some(1.2345678901234568e29));
    assert_eq!(f["funding_total"].as_u64(), Some(u64::MAX));
    assert_eq!(f["revenue"].as_f64(), Some(-1.5e300));
    // Beyond f64: not JSON serde can hold; an error, not a panic.
    let m = malformed(
        answer(
            &clearbit(),
            &["a.com"],
            200,
            r#"{"metrics": {"employees": 1e400}}"#,
        )
        .unwrap_err(),
    );
    assert!(m.contains("not JSON"), "{m}");
    // A huge numeric string stays a (float) number.
    let r = answer(
        &clearbit(),
        &["a.com"],
        200,
        r#"{"foundedYear": "99999999999999999999999"}"#,
    )
    .unwrap();
    assert!(found(&r, "a.com")["founded_year"].is_f64());
}

#[test]
fn deep_nesting_and_big_bodies_do_not_panic() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    malformed(answer(&clearbit(), &["a.com"], 200, &deep).unwrap_err());
    let deep_obj = format!("{}1{}", r#"{"a":"#.repeat(5_000), "}".repeat(5_000));
    malformed(answer(&clearbit(), &["a.com"], 200, &deep_obj).unwrap_err());
    // A large, valid answer: 20,000 technologies.
    let tech: Vec<String> = (0..20_000).map(|i| format!("tech_{i}")).collect();
    let body = json!({ "name": "Many", "tech": tech }).to_string();
    let r = answer(&clearbit(), &["a.com"], 200, &body).unwrap();
    assert_eq!(
        found(&r, "a.com")["technologies"].as_array().unwrap().len(),
        20_000
    );
}

#[test]
fn other_statuses_fail_the_covered_accounts() {
    let cases: &[(u16, &str, &str)] = &[
        (
            400,
            r#"{"error": "Invalid domain parameter"}"#,
            "clearbit: HTTP 400: Invalid domain parameter",
        ),
        (
            405,
            "<html>Method Not Allowed</html>",
            "clearbit: HTTP 405: method not allowed",
        ),
        (409, "", "clearbit: HTTP 409: conflict"),
        (
            410,
            r#"{"message": "This API version is retired"}"#,
            "clearbit: HTTP 410: This API version is retired",
        ),
        (
            413,
            r#"{"errors": [{"message": "Too many domains"}]}"#,
            "clearbit: HTTP 413: Too many domains",
        ),
        (
            418,
            r#"{"detail": "I'm a teapot"}"#,
            "clearbit: HTTP 418: I'm a teapot",
        ),
        // Should the host hand over what it normally retries.
        (429, "", "clearbit: HTTP 429: too many requests"),
        (503, "", "clearbit: HTTP 503: server error"),
        (
            301,
            "",
            "clearbit: HTTP 301: a redirect the host did not follow",
        ),
    ];
    for (status, body, message) in cases {
        let r = answer(&clearbit(), &["a.com"], *status, body).unwrap();
        assert_eq!(
            outcome(&r, "a.com"),
            &Outcome::Failed {
                message: message.to_string()
            },
            "{status}"
        );
    }
    // Bulk: every covered account fails.
    let r = answer(
        &apollo(true),
        &["a.com", "b.com"],
        400,
        r#"{"error": "bad"}"#,
    )
    .unwrap();
    assert!(
        r.outcomes
            .values()
            .all(|o| matches!(o, Outcome::Failed { .. })),
        "{r:?}"
    );
    assert_eq!(r.outcomes.len(), 2);
}

#[test]
fn reasons_are_short_and_never_echo_keys() {
    let long = "x".repeat(5_000);
    let r = answer(
        &clearbit(),
        &["a.com"],
        400,
        &json!({ "error": long }).to_string(),
    )
    .unwrap();
    let Outcome::Failed { message } = outcome(&r, "a.com") else {
        panic!()
    };
    assert!(message.chars().count() < 200, "{message}");

    let body = r#"{"error": "Invalid API key sk_live_51HxQpLKj2e9Xw8ZtYb3c4d5 provided"}"#;
    let r = answer(&clearbit(), &["a.com"], 400, body).unwrap();
    let Outcome::Failed { message } = outcome(&r, "a.com") else {
        panic!()
    };
    assert_eq!(
        message,
        "clearbit: HTTP 400: Invalid API key [...] provided"
    );
}

#[test]
fn refused_keys_and_spent_credits_stop_the_source() {
    for status in [401, 402, 403] {
        let e = answer(
            &clearbit(),
            &["a.com"],
            status,
            r#"{"error": {"type": "auth", "message": "Invalid key"}}"#,
        )
        .unwrap_err();
        assert!(
            matches!(&e, SourceError::Stopped(m) if m == &format!("clearbit: HTTP {status}: Invalid key")),
            "{e:?}"
        );
    }
    // A 200 (or any status) whose error fields say the credits are gone.
    let bodies = [
        r#"{"status": 402, "error": {"type": "payment_required", "message": "You have hit your account maximum (all matches used)"}}"#,
        r#"{"error_code": "INSUFFICIENT_CREDITS", "error_message": "Not enough credits"}"#,
        r#"{"message": "Monthly quota exceeded for this key"}"#,
    ];
    for body in bodies {
        for status in [200, 404, 422, 400] {
            let e = answer(&apollo(false), &["a.com"], status, body).unwrap_err();
            assert!(
                matches!(&e, SourceError::Stopped(m) if m.contains("credits are used up")),
                "{status} {body}: {e:?}"
            );
        }
    }
    // Company data that merely mentions credits is data.
    let body = r#"{"organization": {"name": "Credit Co", "short_description": "We fix insufficient credit histories and out of credits accounts."}}"#;
    let r = answer(&apollo(false), &["a.com"], 200, body).unwrap();
    assert_eq!(found(&r, "a.com")["name"], json!("Credit Co"));
    // A queued answer is never read as a stop.
    let r = answer(
        &apollo(false),
        &["a.com"],
        202,
        r#"{"message": "quota exceeded"}"#,
    )
    .unwrap();
    assert_eq!(outcome(&r, "a.com"), &Outcome::Queued);
    // The phrases can be replaced.
    let src = source(
        json!({ "preset": "clearbit", "base_url": BASE, "stop_messages": ["Guthaben aufgebraucht"] }),
    );
    let e = answer(
        &src,
        &["a.com"],
        200,
        r#"{"error": "Ihr Guthaben aufgebraucht"}"#,
    )
    .unwrap_err();
    assert!(matches!(e, SourceError::Stopped(_)));
    let r = answer(
        &src,
        &["a.com"],
        400,
        r#"{"error": "insufficient credits"}"#,
    )
    .unwrap();
    assert!(matches!(outcome(&r, "a.com"), Outcome::Failed { .. }));
}
