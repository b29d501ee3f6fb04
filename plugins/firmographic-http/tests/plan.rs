//! What the source asks the host to send: URLs, methods, headers with the
//! secret reference, bulk bodies, encoding of domains, and the manifest.

mod common;

use common::*;
use icp_plugin_sdk::{Category, FieldType, HttpMethod, Plan, RateLimit, Unit, Window};
use serde_json::{Value, json};

fn limit(count: u32, per: &str, window: Window) -> RateLimit {
    RateLimit {
        count,
        per: per.into(),
        window,
        unit: Unit::Calls,
    }
}

#[test]
fn clearbit_single_lookups() {
    let src = source(json!({ "preset": "clearbit", "base_url": BASE }));
    let planned = plan(&src, &["brightlane.io", "kestreljoinery.co.uk"]);
    assert_eq!(planned.len(), 2);
    assert_eq!(planned[0].keys, ["brightlane.io"]);
    assert_eq!(planned[1].keys, ["kestreljoinery.co.uk"]);
    assert_ne!(planned[0].id, planned[1].id);

    let r = http(&planned[0]);
    assert_eq!(r.method, HttpMethod::Get);
    assert_eq!(
        r.url,
        "http://127.0.0.1:9/v2/companies/find?domain=brightlane.io"
    );
    assert_eq!(r.header("Authorization"), Some("Bearer ${secret:api_key}"));
    assert_eq!(r.header("Accept"), Some("application/json"));
    assert_eq!(r.body, None);
    assert_eq!(
        http(&planned[1]).url,
        "http://127.0.0.1:9/v2/companies/find?domain=kestreljoinery.co.uk"
    );
}

#[test]
fn presets_default_to_the_providers_hosts() {
    let c = source(json!({ "preset": "clearbit" }));
    assert_eq!(
        http(&plan(&c, &["a.com"])[0]).url,
        "https://company.clearbit.com/v2/companies/find?domain=a.com"
    );
    let a = source(json!({ "preset": "apollo", "bulk": false }));
    assert_eq!(
        http(&plan(&a, &["a.com"])[0]).url,
        "https://api.apollo.io/api/v1/organizations/enrich?domain=a.com"
    );
    let p = source(json!({ "preset": "pdl", "bulk": false }));
    assert_eq!(
        http(&plan(&p, &["a.com"])[0]).url,
        "https://api.peopledatalabs.com/v5/company/enrich?website=a.com"
    );
    let pb = source(json!({ "preset": "PDL" }));
    assert_eq!(
        http(&plan(&pb, &["a.com"])[0]).url,
        "https://api.peopledatalabs.com/v5/company/enrich/bulk"
    );
    // A trailing slash on base_url does not double.
    let t = source(json!({ "preset": "clearbit", "base_url": "http://127.0.0.1:9/" }));
    assert_eq!(
        http(&plan(&t, &["a.com"])[0]).url,
        "http://127.0.0.1:9/v2/companies/find?domain=a.com"
    );
}

#[test]
fn apollo_bulk_sends_domains_as_a_repeated_query_parameter() {
    let src = source(json!({ "preset": "apollo", "base_url": BASE }));
    assert!(src.bulk());
    assert_eq!(src.bulk_max(), Some(10));
    let keys: Vec<String> = (0..12).map(|i| format!("company{i}.com")).collect();
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let planned = plan(&src, &refs);
    assert_eq!(planned.len(), 2, "10 + 2");
    assert_eq!(planned[0].keys.len(), 10);
    assert_eq!(planned[1].keys, ["company10.com", "company11.com"]);

    let r = http(&planned[1]);
    assert_eq!(r.method, HttpMethod::Post);
    assert_eq!(
        r.url,
        "http://127.0.0.1:9/api/v1/organizations/bulk_enrich?domains[]=company10.com&domains[]=company11.com"
    );
    assert_eq!(r.header("x-api-key"), Some("${secret:api_key}"));
    assert_eq!(r.header("Authorization"), None);
    assert_eq!(r.body, None);
}

#[test]
fn apollo_single_when_bulk_is_off_and_smaller_batches() {
    let single = source(json!({ "preset": "apollo", "base_url": BASE, "bulk": false }));
    assert_eq!(single.manifest().max_batch, 1);
    let planned = plan(&single, &["brightlane.io"]);
    let r = http(&planned[0]);
    assert_eq!(r.method, HttpMethod::Get);
    assert_eq!(
        r.url,
        "http://127.0.0.1:9/api/v1/organizations/enrich?domain=brightlane.io"
    );
    assert_eq!(r.header("X-Api-Key"), Some("${secret:api_key}"));

    let five = source(json!({ "preset": "apollo", "base_url": BASE, "batch_size": 5 }));
    assert_eq!(five.manifest().max_batch, 5);
    let keys: Vec<String> = (0..11).map(|i| format!("c{i}.com")).collect();
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let sizes: Vec<usize> = plan(&five, &refs).iter().map(|p| p.keys.len()).collect();
    assert_eq!(sizes, [5, 5, 1]);
}

#[test]
fn pdl_bulk_body_ties_answers_back_by_metadata() {
    let src = source(json!({ "preset": "pdl", "base_url": BASE }));
    let keys: Vec<String> = (0..150).map(|i| format!("c{i}.example")).collect();
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let planned = plan(&src, &refs);
    assert_eq!(planned.len(), 2, "100 + 50");
    assert_eq!(planned[0].keys.len(), 100);

    let r = http(&planned[1]);
    assert_eq!(r.method, HttpMethod::Post);
    assert_eq!(r.url, "http://127.0.0.1:9/v5/company/enrich/bulk");
    assert_eq!(r.header("X-Api-Key"), Some("${secret:api_key}"));
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    let body = r.json_body();
    let requests = body["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 50);
    assert_eq!(
        requests[0],
        json!({ "params": { "website": "c100.example" }, "metadata": { "domain": "c100.example" } })
    );
    assert_eq!(
        body.as_object().unwrap().len(),
        1,
        "only `requests`: {body}"
    );
}

#[test]
fn domains_are_url_encoded() {
    let src = source(json!({ "preset": "clearbit", "base_url": BASE }));
    let keys = [
        "xn--mnchen-3ya.de",           // punycode, as icp-key delivers IDNs
        "münchen.de",                  // Unicode, should it ever arrive
        "evil.com&domain=other.com#x", // cannot break out of the parameter
        "a b.com",
    ];
    let urls: Vec<String> = plan(&src, &keys)
        .iter()
        .map(|p| http(p).url.to_string())
        .collect();
    let q = "http://127.0.0.1:9/v2/companies/find?domain=";
    assert_eq!(urls[0], format!("{q}xn--mnchen-3ya.de"));
    assert_eq!(urls[1], format!("{q}m%C3%BCnchen.de"));
    assert_eq!(urls[2], format!("{q}evil.com%26domain%3Dother.com%23x"));
    assert_eq!(urls[3], format!("{q}a%20b.com"));

    let apollo = source(json!({ "preset": "apollo", "base_url": BASE }));
    let planned = plan(&apollo, &["xn--80ak6aa92e.com", "münchen.de"]);
    assert_eq!(
        http(&planned[0]).url,
        "http://127.0.0.1:9/api/v1/organizations/bulk_enrich?domains[]=xn--80ak6aa92e.com&domains[]=m%C3%BCnchen.de"
    );

    // In a JSON body the domain is a JSON string, escaped by the serialiser.
    let pdl = source(json!({ "preset": "pdl", "base_url": BASE }));
    let planned = plan(&pdl, &["münchen.de", "quote\"d.com"]);
    let body = http(&planned[0]).json_body();
    assert_eq!(body["requests"][0]["params"]["website"], "münchen.de");
    assert_eq!(body["requests"][1]["metadata"]["domain"], "quote\"d.com");
}

#[test]
fn blank_and_repeated_keys_are_planned_once() {
    let src = source(json!({ "preset": "clearbit", "base_url": BASE }));
    let planned = plan(&src, &["a.com", "", "  ", "b.com", "a.com"]);
    let keys: Vec<&str> = planned.iter().map(|p| p.keys[0].as_str()).collect();
    assert_eq!(keys, ["a.com", "b.com"]);
    let bulk = source(json!({ "preset": "apollo", "base_url": BASE }));
    let planned = plan(&bulk, &["a.com", "a.com", "b.com"]);
    assert_eq!(planned.len(), 1);
    assert_eq!(planned[0].keys, ["a.com", "b.com"]);
    assert!(plan(&bulk, &[]).is_empty());
}

#[test]
fn plans_are_deterministic_and_carry_no_secret_values() {
    for settings in [
        json!({ "preset": "clearbit", "base_url": BASE }),
        json!({ "preset": "apollo", "base_url": BASE }),
        json!({ "preset": "apollo", "base_url": BASE, "bulk": false }),
        json!({ "preset": "pdl", "base_url": BASE }),
    ] {
        let src = source(settings.clone());
        let keys = ["brightlane.io", "ferrovia-logistica.it"];
        let a = plan(&src, &keys);
        assert_eq!(a, plan(&src, &keys), "{settings}");
        let text = serde_json::to_string(&a).unwrap();
        assert!(text.contains("${secret:api_key}"), "{text}");
        assert_eq!(text.matches("${secret:").count(), a.len(), "{text}");
    }
}

#[test]
fn manifests_reflect_the_preset() {
    let c = source(json!({ "preset": "clearbit" }));
    let m = c.manifest();
    assert!(m.problems().is_empty(), "{:?}", m.problems());
    assert_eq!(m.name, "firmographic-http");
    assert_eq!(m.category, Category::Firmographic);
    assert_eq!(m.key, "domain");
    assert_eq!(m.max_batch, 1);
    assert_eq!(m.limits, [limit(600, "1m", Window::Sliding)]);
    assert_eq!(m.secrets, ["api_key"]);
    assert_eq!(m.cost_per_call, 1.0);
    let names: Vec<&str> = m.fields.iter().map(|f| f.name.as_str()).collect();
    for f in [
        "name",
        "industry",
        "employees",
        "revenue",
        "country",
        "region",
        "city",
        "founded_year",
        "technologies",
        "description",
        "funding_total",
    ] {
        assert!(names.contains(&f), "clearbit lacks {f}: {names:?}");
    }
    let ty = |n: &str| m.fields.iter().find(|f| f.name == n).unwrap().ty;
    assert_eq!(ty("employees"), FieldType::Number);
    assert_eq!(ty("revenue"), FieldType::Number);
    assert_eq!(ty("technologies"), FieldType::List);
    assert_eq!(ty("country"), FieldType::Text);
    let about = &m
        .fields
        .iter()
        .find(|f| f.name == "employees")
        .unwrap()
        .about;
    assert!(
        about.contains("/metrics/employees, else /metrics/employeesRange"),
        "{about}"
    );

    let a = source(json!({ "preset": "apollo" }));
    let m = a.manifest();
    assert!(m.problems().is_empty(), "{:?}", m.problems());
    assert_eq!(m.max_batch, 10);
    assert_eq!(
        m.limits,
        [
            limit(50, "1m", Window::Fixed),
            limit(200, "1h", Window::Fixed),
            limit(600, "1d", Window::Fixed)
        ]
    );
    assert_eq!(m.cost_per_call, 10.0, "one credit per record, bulk of 10");
    let names: Vec<&str> = m.fields.iter().map(|f| f.name.as_str()).collect();
    for f in ["funding_stage", "last_funding_date", "technologies"] {
        assert!(names.contains(&f), "apollo lacks {f}: {names:?}");
    }
    assert_eq!(
        m.fields
            .iter()
            .find(|f| f.name == "last_funding_date")
            .unwrap()
            .ty,
        FieldType::Date
    );

    let p = source(json!({ "preset": "pdl", "batch_size": 25 }));
    let m = p.manifest();
    assert!(m.problems().is_empty(), "{:?}", m.problems());
    assert_eq!(m.max_batch, 25);
    assert_eq!(m.limits, [limit(100, "1m", Window::Fixed)]);
    assert_eq!(m.cost_per_call, 25.0);
    let likelihood = m
        .fields
        .iter()
        .find(|f| f.name == "match_likelihood")
        .unwrap();
    assert_eq!(likelihood.ty, FieldType::Number);
}

#[test]
fn user_settings_override_preset_entries() {
    let src = source(json!({
        "preset": "apollo",
        "base_url": BASE,
        "bulk": false,
        "limits": [{ "count": 1000, "per": "1m", "window": "fixed" }],
        "cost_per_call": 0.5,
        "headers": { "Cache-Control": "", "X-Trace": "icp" },
        "fields": {
            "technologies": "",
            "keywords": { "from": "/keywords", "type": "list" },
            "employees": ["/estimated_num_employees", "/employee_count_range"]
        }
    }));
    let m = src.manifest();
    assert_eq!(m.limits, [limit(1000, "1m", Window::Fixed)]);
    assert_eq!(m.cost_per_call, 0.5);
    let names: Vec<&str> = m.fields.iter().map(|f| f.name.as_str()).collect();
    assert!(!names.contains(&"technologies"), "{names:?}");
    assert!(
        names.contains(&"keywords") && names.contains(&"industry"),
        "{names:?}"
    );
    assert_eq!(
        m.fields.iter().find(|f| f.name == "keywords").unwrap().ty,
        FieldType::List
    );
    let planned = plan(&src, &["brightlane.io"]);
    let r = http(&planned[0]);
    assert_eq!(r.header("Cache-Control"), None);
    assert_eq!(r.header("X-Trace"), Some("icp"));
    assert_eq!(r.header("x-api-key"), Some("${secret:api_key}"));

    // Header names merge case-insensitively.
    let h =
        source(json!({ "preset": "clearbit", "headers": { "accept": "application/vnd.v2+json" } }));
    let planned = plan(&h, &["a.com"]);
    let accepts: Vec<&(String, String)> = http(&planned[0])
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("accept"))
        .collect();
    assert_eq!(accepts.len(), 1);
    assert_eq!(accepts[0].1, "application/vnd.v2+json");

    // The key's name in the secrets table can be chosen.
    let named = source(json!({
        "preset": "clearbit",
        "auth": { "kind": "bearer", "secret": "clearbit_key" }
    }));
    assert_eq!(named.manifest().secrets, ["clearbit_key"]);
    assert_eq!(
        http(&plan(&named, &["a.com"])[0]).header("authorization"),
        Some("Bearer ${secret:clearbit_key}")
    );
}

#[test]
fn query_auth_and_extra_secret_references() {
    let src = source(json!({
        "base_url": BASE,
        "url": "{base_url}/v1/companies/{domain}?expand=full",
        "auth": { "kind": "query", "name": "api_key", "secret": "key" },
        "headers": { "X-Workspace": "${secret:workspace}" },
        "fields": { "name": "/name" }
    }));
    assert_eq!(src.preset(), "custom");
    assert_eq!(src.manifest().secrets, ["key", "workspace"]);
    assert_eq!(src.manifest().limits, Vec::<RateLimit>::new());
    let planned = plan(&src, &["xn--mnchen-3ya.de"]);
    let r = http(&planned[0]);
    assert_eq!(
        r.url,
        "http://127.0.0.1:9/v1/companies/xn--mnchen-3ya.de?expand=full&api_key=${secret:key}"
    );
    assert_eq!(r.header("X-Workspace"), Some("${secret:workspace}"));

    let no_query = source(json!({
        "base_url": BASE,
        "url": "{base_url}/lookup/{domain}",
        "auth": { "kind": "query", "name": "token" },
        "fields": { "name": "/name" }
    }));
    assert_eq!(
        http(&plan(&no_query, &["a.com"])[0]).url,
        "http://127.0.0.1:9/lookup/a.com?token=${secret:api_key}"
    );
}

#[test]
fn single_post_with_a_json_body() {
    let src = source(json!({
        "base_url": BASE,
        "url": "{base_url}/v2/enrich",
        "method": "post",
        "body": { "domain": "{domain}", "fields": ["firmographics"] },
        "auth": { "kind": "header", "name": "Authorization", "secret": "token" },
        "fields": { "name": "/name" }
    }));
    let planned = plan(&src, &["brightlane.io"]);
    let r = http(&planned[0]);
    assert_eq!(r.method, HttpMethod::Post);
    assert_eq!(r.url, "http://127.0.0.1:9/v2/enrich");
    assert_eq!(r.header("Authorization"), Some("${secret:token}"));
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    assert_eq!(
        r.json_body(),
        json!({ "domain": "brightlane.io", "fields": ["firmographics"] })
    );
    let _: Value = r.json_body();
}
