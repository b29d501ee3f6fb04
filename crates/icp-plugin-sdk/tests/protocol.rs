//! The protocol's JSON shapes (what crosses the dynamic-plugin boundary) and
//! the manifest checks.

use icp_plugin_sdk::*;
use serde_json::json;

fn manifest() -> Manifest {
    serde_json::from_value(json!({
        "name": "acme-firmo",
        "version": "1.0.0",
        "category": "firmographic",
        "key": "domain",
        "fields": [{"name": "employees", "type": "number"}, {"name": "industry", "type": "text"}],
        "max_batch": 10,
        "limits": [{"count": 600, "per": "1m"}, {"count": 10000, "per": "1d", "window": "fixed"}],
        "cost_per_call": 1.0,
        "secrets": ["ACME_KEY"]
    }))
    .unwrap()
}

#[test]
fn a_manifest_reads_from_json_with_defaults() {
    let m = manifest();
    assert_eq!(m.category, Category::Firmographic);
    assert_eq!(m.limits[0].per_seconds(), Some(60));
    assert_eq!(m.limits[0].window, Window::Sliding);
    assert_eq!(m.limits[1].window, Window::Fixed);
    assert_eq!(m.limits[1].unit, Unit::Calls);
    assert!(m.problems().is_empty(), "{:?}", m.problems());
    let minimal: Manifest = serde_json::from_value(json!({
        "name": "x", "version": "0.1.0", "category": "intent", "key": "domain",
        "fields": [{"name": "intent_events", "type": "events"}]
    }))
    .unwrap();
    assert_eq!(minimal.max_batch, 1);
}

#[test]
fn manifest_problems_are_named() {
    let mut m = manifest();
    m.max_batch = 0;
    m.key = "phone".into();
    m.limits.push(RateLimit {
        count: 5,
        per: "fortnight".into(),
        window: Window::Sliding,
        unit: Unit::Calls,
    });
    m.fields.push(m.fields[0].clone());
    let p = m.problems().join("\n");
    for want in [
        "max_batch 0",
        "needs key `phone`",
        "unusable limit 5",
        "lists a field twice",
    ] {
        assert!(p.contains(want), "{want} missing from {p}");
    }
}

#[test]
fn durations_of_limits() {
    let l = |per: &str| {
        RateLimit {
            count: 1,
            per: per.into(),
            window: Window::Sliding,
            unit: Unit::Calls,
        }
        .per_seconds()
    };
    assert_eq!(l("1s"), Some(1));
    assert_eq!(l("10s"), Some(10));
    assert_eq!(l("s"), Some(1));
    assert_eq!(l("1h"), Some(3600));
    assert_eq!(l("1d"), Some(86_400));
    assert_eq!(l("0s"), None);
    assert_eq!(l("1w"), None);
}

#[test]
fn requests_and_outcomes_have_stable_json() {
    let r = PlannedRequest {
        id: "r1".into(),
        keys: vec!["acme.com".into()],
        request: Request::Http {
            method: HttpMethod::Get,
            url: "https://api.example.com/v2/companies/find?domain=acme.com".into(),
            headers: vec![(
                "Authorization".into(),
                format!("Bearer {}", secret_ref("ACME_KEY")),
            )],
            body: None,
        },
    };
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["request"]["kind"], "http");
    assert_eq!(v["request"]["method"], "GET");
    assert_eq!(v["request"]["headers"][0][1], "Bearer ${secret:ACME_KEY}");
    assert_eq!(serde_json::from_value::<PlannedRequest>(v).unwrap(), r);

    let dns: Request =
        serde_json::from_value(json!({"kind": "dns", "name": "acme.com", "record_type": "MX"}))
            .unwrap();
    assert_eq!(
        dns,
        Request::Dns {
            name: "acme.com".into(),
            record_type: DnsRecordType::Mx
        }
    );

    let parsed: ParseResult = serde_json::from_value(json!({
        "outcomes": {
            "acme.com": {"outcome": "found", "fields": {"employees": 120}},
            "nobody.io": {"outcome": "no_data"},
            "slow.dev": {"outcome": "queued"},
            "bad.org": {"outcome": "failed", "message": "unexpected shape"}
        }
    }))
    .unwrap();
    assert_eq!(parsed.outcomes["nobody.io"], Outcome::NoData);
    assert_eq!(parsed.outcomes["slow.dev"], Outcome::Queued);
    assert!(
        matches!(&parsed.outcomes["acme.com"], Outcome::Found { fields } if fields["employees"] == 120)
    );
    assert!(parsed.follow_ups.is_empty());

    let e = serde_json::to_value(SourceError::Stopped("401 from api.example.com".into())).unwrap();
    assert_eq!(
        e,
        json!({"error": "stopped", "message": "401 from api.example.com"})
    );
}

#[test]
fn response_headers_are_case_insensitive() {
    let r = Response {
        id: "r1".into(),
        status: 429,
        headers: vec![("Retry-After".into(), "7".into())],
        ..Response::default()
    };
    assert_eq!(r.header("retry-after"), Some("7"));
    assert_eq!(r.header("x-ratelimit-remaining"), None);
}

#[test]
fn merged_outcomes_keep_every_found_field_and_any_answer_beats_a_failure() {
    use icp_plugin_sdk::{Outcome, merge_outcomes};
    let found = |k: &str, v: i64| Outcome::Found {
        fields: [(k.to_string(), serde_json::json!(v))].into(),
    };
    let failed = Outcome::Failed {
        message: "timed out".into(),
    };
    assert_eq!(
        merge_outcomes([
            failed.clone(),
            found("a", 1),
            Outcome::NoData,
            found("a", 2),
            found("b", 3)
        ]),
        Outcome::Found {
            fields: [
                ("a".to_string(), serde_json::json!(1)),
                ("b".to_string(), serde_json::json!(3))
            ]
            .into()
        }
    );
    assert_eq!(
        merge_outcomes([failed.clone(), Outcome::NoData]),
        Outcome::NoData
    );
    assert_eq!(
        merge_outcomes([Outcome::Queued, failed.clone()]),
        Outcome::Queued
    );
    assert_eq!(merge_outcomes([failed.clone()]), failed);
    assert_eq!(merge_outcomes(Vec::<Outcome>::new()), Outcome::NoData);
}

/// The C header and the Rust ABI say the same thing.
#[test]
fn the_c_header_matches_the_abi() {
    use icp_plugin_sdk::abi;
    let h = include_str!("../include/icp_plugin.h");
    assert!(h.contains(&format!("#define ICP_ABI_VERSION {}", abi::ABI_VERSION)));
    let symbol = std::str::from_utf8(&abi::ENTRY_SYMBOL[..abi::ENTRY_SYMBOL.len() - 1]).unwrap();
    assert!(h.contains(&format!("#define ICP_ENTRY_SYMBOL \"{symbol}\"")));
    assert!(h.contains(&format!("const IcpPluginTable *{symbol}(void);")));
    for (name, value) in [
        ("ICP_OK", abi::OK),
        ("ICP_ERROR", abi::ERROR),
        ("ICP_PANICKED", abi::PANICKED),
    ] {
        assert!(h.contains(&format!("#define {name} {value}")), "{name}");
    }
    // The table's fields, in order.
    let order = [
        "abi_version",
        "sdk_version",
        "(*manifest)",
        "(*plan)",
        "(*parse)",
        "(*combine)",
        "(*free)",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|f| h.find(f).unwrap_or_else(|| panic!("{f}")))
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
}
