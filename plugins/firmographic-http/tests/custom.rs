//! A provider described only in settings: no preset, no code.

mod common;

use common::*;
use icp_plugin_sdk::{FieldType, HttpMethod, Outcome, Plan, RateLimit, Unit, Window};
use serde_json::{Value, json};

/// What a user would write in TOML, as the engine hands it over (JSON).
fn harbourline_settings() -> Value {
    json!({
        "base_url": BASE,
        "url": "{base_url}/v2/companies/{domain}?expand=all",
        "auth": { "kind": "header", "name": "X-Key", "secret": "harbour_key" },
        "root": "/data/company",
        "fields": {
            "name": ["/trading_name", "/legal_name"],
            "employees": ["/headcount/exact", "/headcount/band"],
            "revenue": ["/revenue/usd", "/revenue/band"],
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
            "linkedin_url": "/socials/linkedin",
            "anzsic": { "from": "/industry/anzsic", "type": "number" },
            "secondary_industries": { "from": "/industry/secondary", "type": "list" }
        },
        "no_data_status": [404],
        "limits": [
            { "count": 50, "per": "10s" },
            { "count": 10000, "per": "1d", "window": "fixed" }
        ],
        "cost_per_call": 0.5
    })
}

#[test]
fn custom_single_lookup() {
    let src = source(harbourline_settings());
    assert_eq!(src.preset(), "custom");
    assert!(!src.bulk());
    let m = src.manifest();
    assert!(m.problems().is_empty(), "{:?}", m.problems());
    assert_eq!(m.max_batch, 1);
    assert_eq!(m.secrets, ["harbour_key"]);
    assert_eq!(m.cost_per_call, 0.5);
    assert_eq!(
        m.limits,
        [
            RateLimit {
                count: 50,
                per: "10s".into(),
                window: Window::Sliding,
                unit: Unit::Calls
            },
            RateLimit {
                count: 10000,
                per: "1d".into(),
                window: Window::Fixed,
                unit: Unit::Calls
            },
        ]
    );
    let ty = |n: &str| m.fields.iter().find(|f| f.name == n).unwrap().ty;
    assert_eq!(ty("anzsic"), FieldType::Number);
    assert_eq!(ty("secondary_industries"), FieldType::List);
    assert_eq!(ty("linkedin_url"), FieldType::Text);
    assert_eq!(ty("last_funding_date"), FieldType::Date);

    let planned = plan(&src, &["harbourline.com.au"]);
    let r = http(&planned[0]);
    assert_eq!(r.method, HttpMethod::Get);
    assert_eq!(
        r.url,
        "http://127.0.0.1:9/v2/companies/harbourline.com.au?expand=all"
    );
    assert_eq!(r.header("X-Key"), Some("${secret:harbour_key}"));

    let r = src
        .parse(
            &planned[0],
            &respond(&planned[0], 200, &fixture("custom/company.json")),
        )
        .unwrap();
    let f = found(&r, "harbourline.com.au");
    assert_eq!(f["name"], json!("Harbourline"));
    assert_eq!(f["employees"], json!("51-200"));
    assert_eq!(f["revenue"], json!(12500000));
    assert_eq!(f["country"], json!("AU"));
    assert_eq!(f["region"], json!("New South Wales"));
    assert_eq!(f["city"], json!("Sydney"));
    assert_eq!(f["founded_year"], json!(2011));
    assert_eq!(f["industry"], json!("Software"));
    assert_eq!(
        f["technologies"],
        json!(["HubSpot", "Microsoft 365", "AWS"])
    );
    assert_eq!(f["funding_stage"], json!("Series A"));
    assert_eq!(f["last_funding_date"], json!("2022-11-08"));
    assert_eq!(f["funding_total"], json!(9000000));
    assert_eq!(f["business_model"], json!("B2B"));
    assert_eq!(
        f["linkedin_url"],
        json!("https://www.linkedin.com/company/harbourline")
    );
    assert_eq!(f["anzsic"], json!(7000));
    assert_eq!(f["secondary_industries"], json!(["Data & Analytics"]));

    // 404 is no data; 422 is not in this provider's list: a failure.
    let r = src
        .parse(&planned[0], &respond(&planned[0], 404, ""))
        .unwrap();
    assert_eq!(outcome(&r, "harbourline.com.au"), &Outcome::NoData);
    let r = src
        .parse(
            &planned[0],
            &respond(&planned[0], 422, r#"{"message": "bad domain"}"#),
        )
        .unwrap();
    assert_eq!(
        outcome(&r, "harbourline.com.au"),
        &Outcome::Failed {
            message: "custom: HTTP 422: bad domain".into()
        }
    );
}

#[test]
fn custom_bulk_endpoint_with_a_json_body() {
    let mut settings = harbourline_settings();
    settings["bulk_endpoint"] = json!({
        "url": "{base_url}/v2/companies/bulk",
        "max_batch": 25,
        "body": { "domains": "{items}", "options": { "expand": "all" } },
        "items": "/results",
        "key": "/query",
        "root": "/company"
    });
    settings["batch_size"] = json!(2);
    let src = source(settings);
    assert!(src.bulk());
    assert_eq!(src.bulk_max(), Some(25));
    assert_eq!(src.manifest().max_batch, 2);
    // cost_per_call was set explicitly: it stays.
    assert_eq!(src.manifest().cost_per_call, 0.5);

    let planned = plan(
        &src,
        &["harbourline.com.au", "unknown-co.com.au", "third.com.au"],
    );
    assert_eq!(planned.len(), 2);
    let r = http(&planned[0]);
    assert_eq!(r.method, HttpMethod::Post);
    assert_eq!(r.url, "http://127.0.0.1:9/v2/companies/bulk");
    assert_eq!(r.header("X-Key"), Some("${secret:harbour_key}"));
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    assert_eq!(
        r.json_body(),
        json!({ "domains": ["harbourline.com.au", "unknown-co.com.au"], "options": { "expand": "all" } })
    );

    let r = src
        .parse(
            &planned[0],
            &respond(&planned[0], 200, &fixture("custom/bulk.json")),
        )
        .unwrap();
    let f = found(&r, "harbourline.com.au");
    assert_eq!(f["employees"], json!(87));
    assert_eq!(f["founded_year"], json!(2011));
    assert_eq!(f["name"], json!("Harbourline Analytics Pty Ltd"));
    assert_eq!(outcome(&r, "unknown-co.com.au"), &Outcome::NoData);
    assert_eq!(r.outcomes.len(), 2);
}

#[test]
fn a_provider_that_answers_a_top_level_list_keyed_by_website() {
    // Bulk answers as a bare list, keyed by a URL, with their own status.
    let src = source(json!({
        "base_url": BASE,
        "url": "{base_url}/lookup?d={domain}",
        "auth": { "kind": "bearer", "secret": "token" },
        "fields": { "name": "/org/name", "employees": "/org/staff" },
        "bulk_endpoint": {
            "url": "{base_url}/lookup/batch",
            "method": "POST",
            "max_batch": 50,
            "body": { "lookups": "{items}" },
            "item": { "site": "https://{domain}/", "ref": "{domain}" },
            "key": ["/ref", "/site"],
            "status": "/code"
        }
    }));
    let planned = plan(&src, &["a.com", "b.com", "c.com"]);
    let r = http(&planned[0]);
    assert_eq!(r.header("Authorization"), Some("Bearer ${secret:token}"));
    assert_eq!(
        r.json_body()["lookups"][1],
        json!({ "site": "https://b.com/", "ref": "b.com" })
    );
    let body = json!([
        { "site": "https://www.C.com/", "code": "200", "org": { "name": "C", "staff": 5 } },
        { "ref": "a.com", "code": 404 },
        { "ref": "b.com", "code": 200, "org": { "name": "B", "staff": "11-50" } }
    ]);
    let r = src
        .parse(&planned[0], &respond(&planned[0], 200, &body.to_string()))
        .unwrap();
    assert_eq!(found(&r, "c.com")["employees"], json!(5));
    assert_eq!(found(&r, "b.com")["employees"], json!("11-50"));
    assert_eq!(outcome(&r, "a.com"), &Outcome::NoData);
    // The plain domain list when no item template is given.
    let src = source(json!({
        "base_url": BASE, "url": "{base_url}/c/{domain}", "fields": { "name": "/name" },
        "bulk_endpoint": { "url": "{base_url}/bulk", "max_batch": 3, "body": { "domains": "{items}" }, "key": "/domain" }
    }));
    let planned = plan(&src, &["a.com", "b.com"]);
    assert_eq!(
        http(&planned[0]).json_body(),
        json!({ "domains": ["a.com", "b.com"] })
    );
    let _: Value = http(&planned[0]).json_body();
}
