//! The conformance kit (icp-conformance) on the source: manifest, plans
//! (HTTP and DNS requests), bad and huge answers, the recorded pages and
//! DNS answers of tests/fixtures, and what `combine` makes of them.

mod common;

use common::{fixture, source};
use icp_conformance::{Expect, PlanCases, Recorded, check_plan};
use icp_plugin_sdk::{HttpMethod, PlannedRequest, Request, Response};
use icp_source_technographic_web::ACCEPT;
use serde_json::{Value, json};

const PAGE_FIELDS: &[&str] = &["homepage_status", "technology_details"];
const MX_FIELDS: &[&str] = &["mail_provider", "technology_details"];
const DNS_FIELDS: &[&str] = &["technology_details"];
const ALL_FIELDS: &[&str] = &[
    "homepage_status",
    "mail_provider",
    "technologies",
    "technology_categories",
    "technology_details",
];

fn check(settings: Value, cases: PlanCases) {
    let src = source(settings.clone());
    check_plan(&src, &settings, &cases).assert_ok();
}

fn html(name: &str, key: &str) -> Recorded {
    Recorded::new(name, &[key], 200, fixture(name))
        .header("content-type", "text/html; charset=utf-8")
}

fn dns(name: &str, key: &str, nth: usize, answers: &[&str]) -> Recorded {
    Recorded::new(name, &[key], 0, "")
        .nth_request(nth)
        .answers(answers.iter().copied())
}

/// The refresh follow-up the stub page of `acme.com` asks for.
fn refresh_request() -> PlannedRequest {
    PlannedRequest {
        id: "acme.com#refresh".into(),
        keys: vec!["acme.com".into()],
        request: Request::Http {
            method: HttpMethod::Get,
            url: "https://acme.com/en/".into(),
            headers: vec![
                ("Accept".into(), ACCEPT.into()),
                ("Accept-Language".into(), "en".into()),
            ],
            body: None,
        },
    }
}

#[test]
fn default_settings() {
    let cases = PlanCases::new()
        .label("default")
        .sample_keys(["brightlane.io"])
        // A homepage that is not found is still an answer (its headers count).
        .not_found_status(None)
        .recorded(html("wordpress_hubspot.html", "brightlane.io").found("brightlane.io", PAGE_FIELDS))
        .recorded(
            dns("mx: google", "brightlane.io", 1, &["1 aspmx.l.google.com.", "5 alt1.aspmx.l.google.com."])
                .found("brightlane.io", MX_FIELDS),
        )
        .recorded(
            dns(
                "txt: spf and verifications",
                "brightlane.io",
                2,
                &[
                    "v=spf1 include:_spf.google.com include:servers.mcsv.net include:_spf.salesforce.com ~all",
                    "atlassian-domain-verification=Qm9yZ2Fu",
                ],
            )
            .found("brightlane.io", DNS_FIELDS),
        )
        .recorded(dns("cname: www", "brightlane.io", 3, &["brightlane.io."]).found("brightlane.io", DNS_FIELDS))
        .recorded(html("shopify_store.html", "kestrelcoffee.com").found("kestrelcoffee.com", PAGE_FIELDS))
        .recorded(
            dns("mx: outlook", "kestrelcoffee.com", 1, &["0 kestrelcoffee-com.mail.protection.outlook.com."])
                .found("kestrelcoffee.com", MX_FIELDS),
        )
        .recorded(
            dns("cname: shopify", "kestrelcoffee.com", 3, &["shops.myshopify.com."])
                .found("kestrelcoffee.com", DNS_FIELDS),
        )
        .recorded(html("nextjs_saas.html", "ledgerly.app").found("ledgerly.app", PAGE_FIELDS))
        .recorded(html("decoy_agency.html", "northbeam.digital").found("northbeam.digital", PAGE_FIELDS))
        .recorded(
            Recorded::new("a PDF homepage", &["docs.example"], 200, "%PDF-1.7\n%\u{0}\u{0}")
                .header("content-type", "application/pdf")
                .found("docs.example", PAGE_FIELDS),
        )
        .recorded(
            Recorded::new("a 404 homepage", &["gone.example"], 404, "<h1>Not found</h1>")
                .header("content-type", "text/html")
                .header("server", "cloudflare")
                .found("gone.example", PAGE_FIELDS),
        )
        .recorded(Recorded::new("nxdomain", &["nosuch.example"], 3, "").nth_request(1).no_data("nosuch.example"))
        .recorded(Recorded::new("servfail", &["broken-dns.example"], 2, "").nth_request(2).failed("broken-dns.example"))
        .recorded(
            Recorded::new(
                "meta refresh stub",
                &["acme.com"],
                200,
                r#"<html><head><meta http-equiv="refresh" content="0; url=/en/"></head></html>"#,
            )
            .header("content-type", "text/html")
            .found("acme.com", PAGE_FIELDS),
        )
        .recorded(
            Recorded::for_request(
                "the refreshed page",
                refresh_request(),
                Response {
                    status: 200,
                    headers: vec![("content-type".into(), "text/html".into())],
                    body: fixture("nextjs_saas.html"),
                    ..Response::default()
                },
            )
            .found("acme.com", PAGE_FIELDS),
        )
        // What combine makes of each site's answers.
        .combined("brightlane.io", Expect::found(ALL_FIELDS))
        .combined("kestrelcoffee.com", Expect::found(ALL_FIELDS))
        // The refresh follow-up is answered too; no DNS answer: no mail_provider.
        .combined(
            "acme.com",
            Expect::found(&["homepage_status", "technologies", "technology_categories", "technology_details"]),
        )
        // Nothing found, but looked: lists left out, details "[]".
        .combined("northbeam.digital", Expect::found(&["homepage_status", "technology_details"]))
        .combined("nosuch.example", Expect::NoData)
        .combined("down.example", Expect::Failed);
    check(json!({}), cases);
}

#[test]
fn dns_off_and_virtual_hosts() {
    let cases = PlanCases::new()
        .label("dns = false, base_url without {domain}")
        .not_found_status(None)
        .recorded(
            html("shopify_store.html", "kestrelcoffee.com").found("kestrelcoffee.com", PAGE_FIELDS),
        )
        .combined(
            "kestrelcoffee.com",
            Expect::found(&[
                "homepage_status",
                "technologies",
                "technology_categories",
                "technology_details",
            ]),
        )
        .combined("down.example", Expect::Failed);
    check(
        json!({ "dns": false, "base_url": "http://127.0.0.1:8080/", "allow_private": true }),
        cases,
    );
}

#[test]
fn per_domain_test_server_and_low_threshold() {
    let cases = PlanCases::new()
        .label("base_url with {domain}, min_confidence 10")
        .not_found_status(None)
        .recorded(html("nextjs_saas.html", "ledgerly.app").found("ledgerly.app", PAGE_FIELDS))
        .recorded(
            dns(
                "txt: weak",
                "ledgerly.app",
                2,
                &["google-site-verification=abc"],
            )
            .found("ledgerly.app", DNS_FIELDS),
        )
        .combined(
            "ledgerly.app",
            Expect::found(&[
                "homepage_status",
                "technologies",
                "technology_categories",
                "technology_details",
            ]),
        );
    check(
        json!({ "base_url": "http://127.0.0.1:8080/sites/{domain}/", "min_confidence": 10, "dns_server": "127.0.0.1:5353" }),
        cases,
    );
}
