//! A homepage that is only a `<meta http-equiv="refresh">` to the real
//! page: one same-site follow-up, whose evidence counts like the
//! homepage's; never another site, never a second hop.

mod common;

use common::*;
use serde_json::json;

const STUB: &str = r#"<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="refresh" content="0; url=/en/home.html">
<title>Redirecting</title></head><body><a href="/en/home.html">Continue</a></body></html>"#;

#[test]
fn a_same_site_refresh_is_followed_once() {
    let src = source(json!({}));
    let site = Site::new(page(STUB, &[("server", "cloudflare")]))
        .refresh(page(fixture("wordpress_hubspot.html"), &[]));
    let r = run(&src, "brightlane.io", &site);
    let follow: Vec<_> = r
        .requests
        .iter()
        .filter(|q| q.id.ends_with("#refresh"))
        .collect();
    assert_eq!(follow.len(), 1);
    assert_eq!(
        describe(&[follow[0].clone()]),
        vec![(
            "brightlane.io#refresh".to_string(),
            "GET https://brightlane.io/en/home.html".to_string()
        )]
    );
    assert_eq!(follow[0].keys, vec!["brightlane.io".to_string()]);
    assert_eq!(headers_of(follow[0]), headers_of(&r.requests[0]));
    // Evidence from both pages.
    let t = r.technologies();
    for id in ["cloudflare", "hubspot", "wordpress", "google-tag-manager"] {
        assert!(t.contains(&id.to_string()), "{id} not in {t:?}");
    }
    assert_eq!(r.text("homepage_status"), "ok");
}

#[test]
fn the_refresh_resolves_against_the_final_url() {
    let src = source(json!({}));
    // The host followed a redirect to www. and says so.
    let stub = page(
        r#"<meta http-equiv="refresh" content="0;URL='start'">"#,
        &[("x-icp-final-url", "https://www.acme.com/intl/")],
    );
    let site = Site::new(stub).refresh(page("<html></html>", &[]));
    let r = run(&src, "acme.com", &site);
    assert_eq!(
        describe(&r.requests)[4].1,
        "GET https://www.acme.com/intl/start"
    );
}

#[test]
fn another_site_is_not_followed() {
    let src = source(json!({}));
    let stub = page(
        r#"<meta http-equiv="refresh" content="0; url=https://parking.example/landing?d=acme.com">"#,
        &[],
    );
    let r = run(&src, "acme.com", &Site::new(stub));
    assert!(!r.requests.iter().any(|q| q.id.ends_with("#refresh")));
    assert_eq!(
        r.logs(),
        vec![
            "acme.com: meta refresh to another site (parking.example) not followed: only same-site refreshes are"
        ]
    );
    // A subdomain of the account's domain is the same site.
    let stub = page(
        r#"<meta http-equiv="refresh" content="0; url=https://go.acme.com/">"#,
        &[],
    );
    let r = run(
        &src,
        "acme.com",
        &Site::new(stub).refresh(page("<html></html>", &[])),
    );
    assert_eq!(describe(&r.requests)[4].1, "GET https://go.acme.com/");
    // A look-alike is not.
    let stub = page(
        r#"<meta http-equiv="refresh" content="0; url=https://notacme.com/">"#,
        &[],
    );
    let r = run(&src, "acme.com", &Site::new(stub));
    assert_eq!(r.requests.len(), 4);
}

#[test]
fn no_second_hop_and_no_refresh_from_noscript_or_error_pages() {
    let src = source(json!({}));
    // The refreshed page refreshes again: not followed.
    let again = page(r#"<meta http-equiv="refresh" content="0; url=/de/">"#, &[]);
    let site = Site::new(page(STUB, &[])).refresh(again);
    let r = run(&src, "acme.com", &site);
    assert_eq!(
        r.requests
            .iter()
            .filter(|q| q.id.ends_with("#refresh"))
            .count(),
        1
    );
    // In <noscript>: a fallback for browsers without JavaScript.
    let ns = page(
        r#"<noscript><meta http-equiv="refresh" content="0; url=/nojs"></noscript>"#,
        &[],
    );
    assert_eq!(run(&src, "acme.com", &Site::new(ns)).requests.len(), 4);
    // A 404 page's refresh is not followed.
    let err = http(404, &[("content-type", "text/html")], STUB);
    assert_eq!(run(&src, "acme.com", &Site::new(err)).requests.len(), 4);
    // A reload of the same page is nothing to follow.
    let same = page(
        r#"<meta http-equiv="refresh" content="300; url=https://acme.com/">"#,
        &[],
    );
    assert_eq!(run(&src, "acme.com", &Site::new(same)).requests.len(), 4);
}

#[test]
fn a_failed_refresh_keeps_the_homepage() {
    let src = source(json!({}));
    let site = Site::new(page(STUB, &[("server", "cloudflare")])).refresh(failed(
        "https://acme.com/en/home.html: timed out after 15 s",
    ));
    let r = run(&src, "acme.com", &site);
    assert_eq!(r.technologies(), vec!["cloudflare"]);
    assert_eq!(r.text("homepage_status"), "ok");
    // The refreshed page's status is the homepage's.
    let site = Site::new(page(STUB, &[])).refresh(http(404, &[], ""));
    assert_eq!(
        run(&src, "acme.com", &site).text("homepage_status"),
        "HTTP 404"
    );
}

#[test]
fn test_servers_keep_their_host() {
    // base_url with {domain}: a refresh to the test server's path is followed.
    let src = source(json!({ "base_url": "http://127.0.0.1:8080/sites/{domain}/" }));
    let stub = page(r#"<meta http-equiv="refresh" content="0; url=en/">"#, &[]);
    let r = run(
        &src,
        "acme.com",
        &Site::new(stub).refresh(page("<html></html>", &[])),
    );
    assert_eq!(
        describe(&r.requests)[4].1,
        "GET http://127.0.0.1:8080/sites/acme.com/en/"
    );
    // ... but never out to the real site.
    let stub = page(
        r#"<meta http-equiv="refresh" content="0; url=https://acme.com/en/">"#,
        &[],
    );
    let r = run(&src, "acme.com", &Site::new(stub));
    assert_eq!(r.requests.len(), 4);

    // Virtual hosts: the follow-up keeps `Host: acme.com`.
    let src = source(json!({ "base_url": "http://127.0.0.1:8080/", "dns": false }));
    let stub = page(r#"<meta http-equiv="refresh" content="0; url=/en/">"#, &[]);
    let r = run(
        &src,
        "acme.com",
        &Site::new(stub).refresh(page("<html></html>", &[])),
    );
    assert_eq!(describe(&r.requests)[1].1, "GET http://127.0.0.1:8080/en/");
    assert!(headers_of(&r.requests[1]).contains(&("Host".to_string(), "acme.com".to_string())));
}
