//! Bad settings are config errors that name the setting and say what to
//! write instead.

mod common;

use common::*;
use serde_json::{Value, json};

fn custom(extra: Value) -> Value {
    let mut s = json!({
        "base_url": BASE,
        "url": "{base_url}/c?domain={domain}",
        "fields": { "name": "/name" }
    });
    for (k, v) in extra.as_object().unwrap() {
        s[k] = v.clone();
    }
    s
}

fn has(settings: Value, needles: &[&str]) {
    let m = settings_error(settings.clone());
    for n in needles {
        assert!(m.contains(n), "{settings}\n  -> {m}\n  lacks {n:?}");
    }
}

#[test]
fn presets_and_known_settings() {
    has(
        json!({ "preset": "zoominfo" }),
        &["unknown preset `zoominfo`", "clearbit, apollo, pdl"],
    );
    has(
        json!({ "preset": "clearbit", "bulkk": true }),
        &["unknown setting `bulkk`", "bulk"],
    );
    has(
        json!({ "preset": 7 }),
        &["setting `preset`", "invalid type"],
    );
    has(json!("clearbit"), &["settings must be a table"]);
    has(
        json!({ "preset": "apollo", "bulk": "yes" }),
        &["setting `bulk`", "expected a boolean"],
    );
    has(
        json!({ "preset": "clearbit", "bulk": true }),
        &["preset clearbit has no bulk endpoint"],
    );
    has(
        json!({ "preset": "apollo", "batch_size": 11 }),
        &["batch_size 11", "(10)"],
    );
    has(
        json!({ "preset": "pdl", "batch_size": 0 }),
        &["batch_size must be at least 1"],
    );
    has(
        json!({ "preset": "pdl", "batch_size": -5 }),
        &["setting `batch_size`"],
    );
    has(
        json!({ "preset": "clearbit", "batch_size": 5 }),
        &["batch_size 5 needs bulk calls"],
    );
    has(
        json!({ "preset": "apollo", "bulk": false, "batch_size": 10 }),
        &["batch_size 10 needs bulk calls"],
    );
    has(
        json!({ "preset": "clearbit", "base_url": "company.clearbit.com" }),
        &["base_url `company.clearbit.com`", "http(s)"],
    );
    has(
        json!({ "preset": "clearbit", "base_url": "ftp://x.test" }),
        &["base_url"],
    );
    // Every preset builds with nothing but itself.
    for p in icp_source_firmographic_http::PRESETS {
        source(json!({ "preset": p }));
        assert!(icp_source_firmographic_http::preset_settings(p).is_some());
    }
    has(Value::Null, &["`url` is missing"]);
}

#[test]
fn custom_provider_requirements() {
    has(json!({}), &["`url` is missing", "preset"]);
    has(
        json!({ "base_url": BASE, "url": "{base_url}/c?domain={domain}" }),
        &["`fields` is missing", "/metrics/employees"],
    );
    has(
        custom(json!({ "base_url": null })),
        &["base_url is missing", "{base_url}"],
    );
    has(
        custom(json!({ "url": "{base_url}/c?domain={company}" })),
        &["url:", "{company}", "{domain}"],
    );
    has(
        custom(json!({ "url": "{base_url}/c?domain={domain" })),
        &["url:", "without a closing"],
    );
    has(
        custom(json!({ "url": "{base_url}/companies" })),
        &["put {domain} in url"],
    );
    has(
        custom(json!({ "method": "PUT" })),
        &["method `PUT`", "GET or POST"],
    );
    has(
        custom(json!({ "body": { "d": "{domain}" } })),
        &["body", "POST"],
    );
    has(custom(json!({ "fields": {} })), &["fields maps no field"]);
    has(
        custom(json!({ "fields": { "employees": "metrics.employees" } })),
        &[
            "fields.employees",
            "not a JSON pointer",
            "`/metrics/employees`",
        ],
    );
    has(
        custom(json!({ "fields": { "employees": ["/a", 3] } })),
        &["fields.employees", "not the number 3"],
    );
    has(
        custom(json!({ "fields": { "Employees": "/a" } })),
        &["fields.Employees", "snake_case"],
    );
    has(
        custom(json!({ "fields": { "x": { "from": "/a", "type": "money" } } })),
        &["fields.x.type `money`"],
    );
    has(
        custom(json!({ "fields": { "x": { "type": "number" } } })),
        &["fields.x.from is missing"],
    );
    has(
        custom(json!({ "fields": { "x": { "from": "/a", "kind": "list" } } })),
        &["unknown setting `fields.x.kind`"],
    );
    has(
        custom(json!({ "fields": { "x": 5 } })),
        &["fields.x must be a JSON pointer"],
    );
    has(
        custom(json!({ "root": "data.company" })),
        &["root", "`/data/company`"],
    );
    has(
        custom(json!({ "headers": { "Bad Header": "x" } })),
        &["header name `Bad Header`"],
    );
    has(
        custom(json!({ "headers": { "X-A": "a\r\nX-B: b" } })),
        &["line break"],
    );
    has(
        custom(json!({ "headers": ["X-A"] })),
        &["headers must be a table"],
    );
}

#[test]
fn auth_settings() {
    has(
        custom(json!({ "auth": { "kind": "basic" } })),
        &["auth.kind `basic`", "header, bearer, query or none"],
    );
    has(
        custom(json!({ "auth": { "kind": "header" } })),
        &["auth.name is missing", "X-Api-Key"],
    );
    has(
        custom(json!({ "auth": { "kind": "query" } })),
        &["auth.name is missing", "query parameter"],
    );
    has(
        custom(json!({ "auth": { "kind": "bearer", "secret": "${CLEARBIT_API_KEY}" } })),
        &["auth.secret", "secret's name"],
    );
    has(
        custom(json!({ "auth": { "kind": "bearer", "value": "sk_live_x" } })),
        &["unknown setting `auth.value`"],
    );
    has(
        custom(json!({ "auth": "bearer" })),
        &["auth must be a table"],
    );
    // No auth at all is allowed (a public or IP-allowlisted API).
    let src = source(custom(json!({ "auth": { "kind": "none" } })));
    assert!(icp_plugin_sdk::Plan::manifest(&src).secrets.is_empty());
}

#[test]
fn statuses_limits_and_cost() {
    has(
        custom(json!({ "no_data_status": [403] })),
        &["no_data_status: 403", "always stop"],
    );
    has(
        custom(json!({ "no_data_status": [99] })),
        &["no_data_status: 99"],
    );
    has(
        custom(json!({ "queued_status": [404] })),
        &["status 404 is in both"],
    );
    has(
        custom(json!({ "no_data_status": "404" })),
        &["setting `no_data_status`"],
    );
    has(
        custom(json!({ "limits": [{ "count": 600, "per": "fortnight" }] })),
        &["limits:", "\"fortnight\"", "1m"],
    );
    has(
        custom(json!({ "limits": [{ "count": 0, "per": "1m" }] })),
        &["limits: 0 per"],
    );
    has(
        custom(json!({ "limits": [{ "per": "1m" }] })),
        &["setting `limits`", "count"],
    );
    has(
        custom(json!({ "limits": [{ "count": 5, "per": "1m", "window": "rolling" }] })),
        &["setting `limits`", "rolling"],
    );
    has(
        custom(json!({ "cost_per_call": -1 })),
        &["cost_per_call -1"],
    );
    has(
        custom(json!({ "stop_messages": "out of credits" })),
        &["setting `stop_messages`"],
    );
}

#[test]
fn bulk_endpoint_settings() {
    let bulk = |b: Value| custom(json!({ "bulk_endpoint": b }));
    has(bulk(json!("yes")), &["bulk_endpoint must be a table"]);
    has(
        bulk(json!({ "max_batch": 10, "query_param": "d[]", "key": "/d" })),
        &["bulk_endpoint.url is missing"],
    );
    has(
        bulk(json!({ "url": "{base_url}/b", "query_param": "d[]", "key": "/d" })),
        &["bulk_endpoint.max_batch is missing"],
    );
    has(
        bulk(json!({ "url": "{base_url}/b", "max_batch": 0, "query_param": "d[]", "key": "/d" })),
        &["max_batch must be at least 1"],
    );
    has(
        bulk(
            json!({ "url": "{base_url}/b?d={domain}", "max_batch": 5, "query_param": "d[]", "key": "/d" }),
        ),
        &["bulk_endpoint.url", "{domain}"],
    );
    has(
        bulk(json!({ "url": "{base_url}/b", "max_batch": 5, "key": "/d" })),
        &["query_param", "body"],
    );
    has(
        bulk(json!({ "url": "{base_url}/b", "max_batch": 5, "body": { "d": "x" }, "key": "/d" })),
        &["\"{items}\""],
    );
    has(
        bulk(
            json!({ "url": "{base_url}/b", "method": "GET", "max_batch": 5, "body": { "d": "{items}" }, "key": "/d" }),
        ),
        &["bulk_endpoint.body needs method"],
    );
    has(
        bulk(
            json!({ "url": "{base_url}/b", "max_batch": 5, "query_param": "d[]", "item": { "w": "{domain}" }, "key": "/d" }),
        ),
        &["bulk_endpoint.item needs bulk_endpoint.body"],
    );
    has(
        bulk(
            json!({ "url": "{base_url}/b", "max_batch": 5, "body": { "d": "{items}" }, "item": { "w": "x" }, "key": "/d" }),
        ),
        &["bulk_endpoint.item must use {domain}"],
    );
    has(
        bulk(json!({ "url": "{base_url}/b", "max_batch": 5, "query_param": "d[]" })),
        &["bulk_endpoint.key is missing"],
    );
    has(
        bulk(json!({ "url": "{base_url}/b", "max_batch": 5, "query_param": "d[]", "key": [] })),
        &["bulk_endpoint.key names no pointer"],
    );
    has(
        bulk(
            json!({ "url": "{base_url}/b", "max_batch": 5, "query_param": "d[]", "key": "domain" }),
        ),
        &["bulk_endpoint.key", "`/domain`"],
    );
    has(
        bulk(
            json!({ "url": "{base_url}/b", "max_batch": 5, "query_param": "d[]", "key": "/d", "items": "results" }),
        ),
        &["bulk_endpoint.items", "`/results`"],
    );
    has(
        bulk(
            json!({ "url": "{base_url}/b", "max_batch": 5, "query_param": "d[]", "key": "/d", "size": 5 }),
        ),
        &["unknown setting `bulk_endpoint.size`"],
    );
    has(
        bulk(
            json!({ "url": "{base_url}/b", "max_batch": "ten", "query_param": "d[]", "key": "/d" }),
        ),
        &["setting `bulk_endpoint.max_batch`"],
    );
    has(
        custom(json!({ "bulk": true })),
        &["bulk = true needs a bulk_endpoint"],
    );
    // With an endpoint, bulk defaults to on; bulk = false turns it off.
    let ok = json!({ "url": "{base_url}/b", "max_batch": 5, "query_param": "d[]", "key": "/d" });
    assert!(source(bulk(ok.clone())).bulk());
    let mut off = bulk(ok);
    off["bulk"] = json!(false);
    assert!(!source(off).bulk());
}
