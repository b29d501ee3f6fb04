//! What `plan` asks the host to send: single lookups, bulk calls, the key
//! as a secret reference, the simulate switch, and determinism.

mod common;

use common::{BASE, accounts, bulk, http, plan, single};
use icp_example_dynamic::{Harbourline, MAX_BATCH};
use icp_plugin_sdk::{HttpMethod, Plan};
use serde_json::{Value, json};

#[test]
fn single_lookups_are_one_get_per_domain() {
    let reqs = plan(&single(), &["brightlane.io", "kestreljoinery.co.uk"]);
    assert_eq!(reqs.len(), 2);
    for (n, (req, domain)) in reqs
        .iter()
        .zip(["brightlane.io", "kestreljoinery.co.uk"])
        .enumerate()
    {
        assert_eq!(req.id, format!("get-{n}"));
        assert_eq!(req.keys, vec![domain.to_string()]);
        let h = http(req);
        assert_eq!(h.method, HttpMethod::Get);
        assert_eq!(h.url, format!("{BASE}/v2/companies/{domain}"));
        assert_eq!(h.header("X-Harbour-Key"), Some("${secret:api_key}"));
        assert_eq!(h.header("Accept"), Some("application/json"));
        assert_eq!(h.header("Content-Type"), None);
        assert_eq!(h.header("X-Harbour-Simulate"), None);
        assert_eq!(h.body, None);
    }
}

#[test]
fn bulk_is_one_post_per_25_domains() {
    let keys: Vec<String> = (0..60).map(|i| format!("company-{i}.com")).collect();
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let reqs = plan(&bulk(), &refs);
    assert_eq!(reqs.len(), 3, "60 domains in calls of {MAX_BATCH}");
    let sizes: Vec<usize> = reqs.iter().map(|r| r.keys.len()).collect();
    assert_eq!(sizes, [25, 25, 10]);
    for (n, req) in reqs.iter().enumerate() {
        assert_eq!(req.id, format!("bulk-{n}"));
        let h = http(req);
        assert_eq!(h.method, HttpMethod::Post);
        assert_eq!(h.url, format!("{BASE}/v2/companies/bulk"));
        assert_eq!(h.header("X-Harbour-Key"), Some("${secret:api_key}"));
        assert_eq!(h.header("Accept"), Some("application/json"));
        assert_eq!(h.header("Content-Type"), Some("application/json"));
        assert_eq!(h.json_body(), json!({ "domains": req.keys }));
    }
    let covered: Vec<&String> = reqs.iter().flat_map(|r| &r.keys).collect();
    assert_eq!(covered, keys.iter().collect::<Vec<_>>(), "in input order");
}

#[test]
fn bulk_is_the_default_and_the_default_host_is_harbourline() {
    let reqs = plan(&Value::Null, &["brightlane.io"]);
    let h = http(&reqs[0]);
    assert_eq!(h.method, HttpMethod::Post);
    assert_eq!(h.url, "https://api.harbourline.example/v2/companies/bulk");
    let reqs = plan(&json!({ "bulk": false }), &["brightlane.io"]);
    assert_eq!(
        http(&reqs[0]).url,
        "https://api.harbourline.example/v2/companies/brightlane.io"
    );
}

#[test]
fn the_manifest_is_the_same_whatever_the_settings() {
    // The host reads the manifest before any settings exist: `max_batch`
    // is accounts per `plan` call, so `bulk = false` plans 25 GETs.
    let m = Harbourline::new().manifest().clone();
    assert_eq!(m.max_batch, 25);
    let keys: Vec<String> = (0..25).map(|i| format!("c{i}.com")).collect();
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let reqs = plan(&single(), &refs);
    assert_eq!(reqs.len(), 25);
    assert!(reqs.iter().all(|r| r.keys.len() == 1));
}

#[test]
fn the_key_is_a_secret_reference_never_a_value() {
    for s in [bulk(), single()] {
        for req in plan(&s, &["brightlane.io", "acme.com"]) {
            // Exactly one secret reference, in the key header, and no other.
            let text = serde_json::to_string(&req).unwrap();
            assert_eq!(text.matches("${secret:").count(), 1, "{text}");
            assert_eq!(
                http(&req).header("X-Harbour-Key"),
                Some("${secret:api_key}")
            );
        }
    }
}

#[test]
fn blank_and_repeated_keys_are_skipped() {
    let reqs = plan(&bulk(), &["acme.com", " ", "", "acme.com", "b.com"]);
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].keys, ["acme.com", "b.com"]);
    let reqs = plan(&single(), &["acme.com", "", "acme.com"]);
    assert_eq!(reqs.len(), 1);
    assert!(plan(&bulk(), &[]).is_empty());
    assert!(plan(&single(), &["  "]).is_empty());
}

#[test]
fn a_domain_is_one_percent_encoded_path_segment() {
    let reqs = plan(&single(), &["xn--mnchen-bau-9db.de", "a/b?c#d e.com"]);
    assert_eq!(
        http(&reqs[0]).url,
        format!("{BASE}/v2/companies/xn--mnchen-bau-9db.de")
    );
    assert_eq!(
        http(&reqs[1]).url,
        format!("{BASE}/v2/companies/a%2Fb%3Fc%23d%20e.com")
    );
}

#[test]
fn base_url_keeps_its_prefix_and_loses_a_trailing_slash() {
    let reqs = plan(
        &json!({ "base_url": "http://127.0.0.1:8080/harbour/", "bulk": false }),
        &["acme.com"],
    );
    assert_eq!(
        http(&reqs[0]).url,
        "http://127.0.0.1:8080/harbour/v2/companies/acme.com"
    );
}

#[test]
fn simulate_panic_travels_in_the_request() {
    for mut s in [single(), bulk()] {
        s["simulate"] = json!("panic");
        let reqs = plan(&s, &["acme.com"]);
        assert_eq!(http(&reqs[0]).header("X-Harbour-Simulate"), Some("panic"));
    }
    // Planning itself does not panic.
    assert_eq!(
        plan(&json!({ "simulate": "panic" }), &["a.com", "b.com"]).len(),
        1
    );
}

#[test]
fn plans_are_deterministic() {
    let keys: Vec<String> = (0..40).map(|i| format!("company-{i}.com")).collect();
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    for s in [single(), bulk()] {
        let a = plan(&s, &refs);
        let b = Harbourline::new().plan(&accounts(&refs), &s).unwrap();
        assert_eq!(a, b);
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
    }
}
