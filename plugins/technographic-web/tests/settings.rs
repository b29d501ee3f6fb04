//! Settings: every error names the setting; user rules add and replace
//! technologies; a bad rules file names its line and column; the test
//! hooks (base_url, dns) shape the plan.

mod common;

use std::fs;

use common::*;
use icp_plugin_sdk::Plan;
use icp_source_technographic_web::{DEFAULT_MIN_CONFIDENCE, SETTINGS, TechnographicWeb};
use serde_json::json;

#[test]
fn unknown_settings_are_named_with_the_known_ones() {
    let m = settings_error(json!({ "timeout": "10s" }));
    assert_eq!(
        m,
        "unknown setting `timeout`: the settings are `rules`, `min_confidence`, `dns`, `base_url`, `allow_private`, `dns_server`"
    );
    assert_eq!(SETTINGS.len(), 6);
    let m = settings_error(json!("hubspot"));
    assert!(m.starts_with("settings must be a table"), "{m}");
}

#[test]
fn values_of_the_wrong_kind_name_the_setting() {
    for (settings, want) in [
        (
            json!({ "min_confidence": 101 }),
            "min_confidence must be a whole number from 0 to 100 (default 50), not 101",
        ),
        (
            json!({ "min_confidence": "high" }),
            "min_confidence must be a whole number from 0 to 100 (default 50), not \"high\"",
        ),
        (
            json!({ "min_confidence": 12.5 }),
            "min_confidence must be a whole number from 0 to 100 (default 50), not 12.5",
        ),
        (
            json!({ "dns": "yes" }),
            "dns must be true or false, not the text \"yes\"",
        ),
        (
            json!({ "allow_private": 1 }),
            "allow_private must be true or false, not the number 1",
        ),
        (
            json!({ "dns_server": "localhost" }),
            "dns_server must be \"ip:port\" of a DNS server, e.g. \"127.0.0.1:5353\" (read by the host), not the text \"localhost\"",
        ),
        (
            json!({ "rules": 5 }),
            "rules must be a path or a list of paths to TOML rules files (e.g. rules = \"rules/our-stack.toml\"), not the number 5",
        ),
        (
            json!({ "rules": ["a.toml", true] }),
            "rules[1] must be a path to a TOML rules file, not the boolean true",
        ),
        (
            json!({ "base_url": "127.0.0.1:8080" }),
            "base_url `127.0.0.1:8080` is not an http(s) URL with a host",
        ),
        (
            json!({ "base_url": "http://127.0.0.1:8080/{site}/" }),
            "base_url `http://127.0.0.1:8080/{site}/` is not an http(s) URL with a host",
        ),
    ] {
        let m = settings_error(settings.clone());
        assert!(m.starts_with(want), "{settings}: {m}");
    }
    // The host's own settings are accepted as they are.
    let src = source(
        json!({ "allow_private": true, "dns_server": "127.0.0.1:5353", "min_confidence": 75 }),
    );
    assert_eq!(src.min_confidence(), 75);
    assert_eq!(source(json!({})).min_confidence(), DEFAULT_MIN_CONFIDENCE);
    assert_eq!(source(serde_json::Value::Null).min_confidence(), 50);
}

#[test]
fn the_shipped_rules_cover_the_stack_ops_teams_ask_about() {
    let src = source(json!({}));
    let ids = src.technology_ids();
    assert!(ids.len() >= 45, "{} technologies", ids.len());
    for id in [
        "google-workspace",
        "microsoft-365",
        "zoho-mail",
        "proofpoint",
        "mimecast",
        "hubspot",
        "salesforce",
        "pardot",
        "marketo",
        "mailchimp",
        "sendgrid",
        "mailgun",
        "amazon-ses",
        "segment",
        "google-analytics",
        "google-tag-manager",
        "stripe",
        "shopify",
        "wordpress",
        "webflow",
        "wix",
        "squarespace",
        "drupal",
        "intercom",
        "zendesk",
        "drift",
        "hotjar",
        "cloudflare",
        "vercel",
        "netlify",
        "nextjs",
        "react",
        "atlassian",
        "zoom",
        "docusign",
        "okta",
        "freshdesk",
        "klaviyo",
        "linkedin-insight",
        "facebook-pixel",
        "optimizely",
        "mixpanel",
        "amplitude",
        "heap",
        "calendly",
        "typeform",
        "onetrust",
        "cookiebot",
        "salesloft",
    ] {
        assert!(ids.contains(&id), "no rule for {id}");
    }
    let mut sorted_ids = ids.clone();
    sorted_ids.sort();
    sorted_ids.dedup();
    assert_eq!(sorted_ids.len(), ids.len(), "an id is defined twice");
}

const USER_RULES: &str = r#"
# Our own CRM's widget, and a stricter HubSpot rule.
[[technology]]
id = "acme-crm"
name = "Acme CRM"
category = "crm"
website = "https://acmecrm.example"
scripts = ['^widget\.acmecrm\.example/']
txt = [{ pattern = '^acmecrm-verification=', confidence = 60 }]

[[technology]]
id = "hubspot"
name = "HubSpot (tracking code only)"
category = "marketing-automation"
html = ['\bid="hs-script-loader"']
"#;

#[test]
fn a_user_rules_file_adds_and_replaces_technologies() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("rules")).unwrap();
    fs::write(dir.path().join("rules/ours.toml"), USER_RULES).unwrap();
    let src = source_in(json!({ "rules": "rules/ours.toml" }), dir.path());
    let ids = src.technology_ids();
    assert!(ids.contains(&"acme-crm"));
    assert_eq!(ids.iter().filter(|i| **i == "hubspot").count(), 1);

    let body = r#"<html><head><script src="https://widget.acmecrm.example/v2/loader.js"></script>
        <script src="https://js.hsforms.net/forms/embed/v2.js"></script></head></html>"#;
    let r = run(
        &src,
        "acme.com",
        &Site::new(page(body, &[])).txt(&["acmecrm-verification=zz"]),
    );
    // The new technology is found; the replaced HubSpot rule no longer
    // knows js.hsforms.net.
    assert_eq!(r.technologies(), vec!["acme-crm"]);
    assert_eq!(r.detail("acme-crm")["confidence"], 100);
    assert_eq!(
        r.evidence("acme-crm"),
        vec![
            "txt acmecrm-verification=",
            "script widget.acmecrm.example/v2/loader.js"
        ]
    );

    let with_loader = fixture("wordpress_hubspot.html");
    let r = run(&src, "brightlane.io", &Site::new(page(with_loader, &[])));
    assert_eq!(r.detail("hubspot")["name"], "HubSpot (tracking code only)");
    assert_eq!(r.detail("hubspot")["category"], "marketing-automation");
    assert_eq!(r.evidence("hubspot"), vec!["html id=\"hs-script-loader\""]);

    // A list of files, later ones winning; absolute paths work too.
    let later = dir.path().join("later.toml");
    fs::write(
        &later,
        "[[technology]]\nid = \"acme-crm\"\nname = \"Acme CRM v3\"\ncategory = \"crm\"\nscripts = ['^v3\\.acmecrm\\.example/']\n",
    )
    .unwrap();
    let src = source_in(
        json!({ "rules": ["rules/ours.toml", later.to_str().unwrap()] }),
        dir.path(),
    );
    let body = r#"<script src="https://v3.acmecrm.example/x.js"></script>"#;
    let r = run(&src, "acme.com", &Site::new(page(body, &[])));
    assert_eq!(r.detail("acme-crm")["name"], "Acme CRM v3");
}

#[test]
fn a_bad_rules_file_names_the_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    let check = |text: &str, want: &[&str]| {
        fs::write(&path, text).unwrap();
        let m = settings_error_in(json!({ "rules": "bad.toml" }), dir.path());
        assert!(
            m.starts_with(&format!("rules file `{}`", path.display())),
            "{m}"
        );
        for w in want {
            assert!(m.contains(w), "{w:?} not in {m}");
        }
    };
    // TOML syntax: an unclosed string on line 4.
    check(
        "[[technology]]\nid = \"acme\"\nname = \"Acme\"\ncategory = \"crm\nscripts = []\n",
        &[
            "line 4, column",
            "Fix the file",
            "[[technology]] table with id, name, category",
        ],
    );
    // A field that does not exist, with its position.
    check(
        "[[technology]]\nid = \"acme\"\nname = \"Acme\"\ncategory = \"crm\"\nscript = ['x']\n",
        &["line 5, column 1", "unknown field `script`"],
    );
    // A missing field.
    check(
        "[[technology]]\nid = \"acme\"\ncategory = \"crm\"\n",
        &["line 1, column 1", "missing field `name`"],
    );
    // A pattern of the wrong shape.
    check(
        "[[technology]]\nid = \"acme\"\nname = \"Acme\"\ncategory = \"crm\"\nscripts = [42]\n",
        &["line 5, column", "expected a pattern: a string"],
    );
    // The same id twice in one file.
    check(
        "[[technology]]\nid = \"acme\"\nname = \"A\"\ncategory = \"crm\"\n\n[[technology]]\nid = \"acme\"\nname = \"B\"\ncategory = \"crm\"\n",
        &[
            "line 7, column 6",
            "technology `acme` is defined twice in this file",
        ],
    );
    // Bad ids and categories.
    check(
        "[[technology]]\nid = \"Acme CRM\"\nname = \"A\"\ncategory = \"crm\"\n",
        &[
            "line 2, column 6",
            "technology id `Acme CRM` must be lower-case",
        ],
    );
    check(
        "[[technology]]\nid = \"acme\"\nname = \"A\"\ncategory = \"Sales Tools\"\n",
        &["technology `acme` has category `Sales Tools`"],
    );
    // A weight outside 0-100.
    check(
        "[[technology]]\nid = \"acme\"\nname = \"A\"\ncategory = \"crm\"\ntxt = [{ pattern = '^acme=', confidence = 150 }]\n",
        &["technology `acme`, txt pattern `^acme=` has confidence 150: use 0 to 100"],
    );
    // implies must name a known technology.
    check(
        "[[technology]]\nid = \"acme\"\nname = \"A\"\ncategory = \"crm\"\nimplies = [\"acme-platform\"]\n",
        &["technology `acme` implies `acme-platform`, which no rule defines"],
    );
}

#[test]
fn a_bad_regex_names_the_technology_and_the_pattern() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("rx.toml"),
        "[[technology]]\nid = \"acme-crm\"\nname = \"Acme\"\ncategory = \"crm\"\nscripts = ['^ok\\.example/', 'widget\\.acme(crm\\.example/']\n",
    )
    .unwrap();
    let m = settings_error_in(json!({ "rules": "rx.toml" }), dir.path());
    assert!(
        m.contains("technology `acme-crm`, scripts pattern `widget\\.acme(crm\\.example/` is not a valid regular expression: unclosed group"),
        "{m}"
    );
    // Keyed kinds name the key.
    fs::write(
        dir.path().join("rx.toml"),
        "[[technology]]\nid = \"acme-crm\"\nname = \"Acme\"\ncategory = \"crm\"\nheaders = { \"x-acme\" = '[' }\n",
    )
    .unwrap();
    let m = settings_error_in(json!({ "rules": "rx.toml" }), dir.path());
    assert!(
        m.contains("technology `acme-crm`, headers `x-acme` pattern `[`"),
        "{m}"
    );
}

#[test]
fn an_unreadable_rules_file_says_where_it_looked() {
    let dir = tempfile::tempdir().unwrap();
    let m = settings_error_in(json!({ "rules": "missing.toml" }), dir.path());
    assert!(m.starts_with("rules: cannot read `"), "{m}");
    assert!(m.contains("missing.toml"), "{m}");
    assert!(
        m.contains("a relative path starts at the config file's folder"),
        "{m}"
    );
    let m = settings_error_in(json!({ "rules": " " }), dir.path());
    assert!(m.starts_with("rules: a blank path"), "{m}");
}

#[test]
fn the_plan_asks_for_the_homepage_and_three_dns_records() {
    let src = source(json!({}));
    let reqs = plan(&src, "Brightlane.io");
    assert_eq!(
        describe(&reqs),
        vec![
            (
                "brightlane.io#home".to_string(),
                "GET https://brightlane.io/".to_string()
            ),
            (
                "brightlane.io#mx".to_string(),
                "MX brightlane.io".to_string()
            ),
            (
                "brightlane.io#txt".to_string(),
                "TXT brightlane.io".to_string()
            ),
            (
                "brightlane.io#cname".to_string(),
                "CNAME www.brightlane.io".to_string()
            ),
        ]
    );
    // Outcomes go to the key as given.
    assert!(
        reqs.iter()
            .all(|r| r.keys == vec!["Brightlane.io".to_string()])
    );
    assert_eq!(
        headers_of(&reqs[0]),
        vec![
            (
                "Accept".to_string(),
                "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5".to_string()
            ),
            ("Accept-Language".to_string(), "en".to_string()),
        ]
    );
    // dns = false: the homepage only.
    let reqs = plan(&source(json!({ "dns": false })), "brightlane.io");
    assert_eq!(
        describe(&reqs),
        vec![(
            "brightlane.io#home".to_string(),
            "GET https://brightlane.io/".to_string()
        )]
    );
    // A key that is no domain name is refused.
    let e = src
        .plan(&account("not a domain"), &serde_json::Value::Null)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "technographic-web: `not a domain` is not a domain name (expected e.g. acme.com)"
    );
    assert!(
        src.plan(&account(" "), &serde_json::Value::Null)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn base_url_with_a_domain_placeholder_serves_each_site_from_a_path() {
    let src = source(json!({ "base_url": "http://127.0.0.1:8080/sites/{domain}/" }));
    let reqs = plan(&src, "acme.com");
    assert_eq!(
        describe(&reqs)[0].1,
        "GET http://127.0.0.1:8080/sites/acme.com/"
    );
    assert!(!headers_of(&reqs[0]).iter().any(|(n, _)| n == "Host"));
    // DNS still asks about the real name (dns_server points the host at a test resolver).
    assert_eq!(describe(&reqs)[1].1, "MX acme.com");
}

#[test]
fn base_url_without_a_placeholder_sends_the_domain_as_host() {
    let src = source(json!({ "base_url": "http://127.0.0.1:8080/" }));
    let reqs = plan(&src, "acme.com");
    assert_eq!(describe(&reqs)[0].1, "GET http://127.0.0.1:8080/");
    assert_eq!(
        headers_of(&reqs[0]).last().unwrap(),
        &("Host".to_string(), "acme.com".to_string())
    );
}

#[test]
fn settings_are_read_once() {
    // `plan` ignores the settings it is handed: they were read by `new`.
    let src = TechnographicWeb::new(&json!({ "dns": false }), &fixtures_dir()).unwrap();
    let reqs = src
        .plan(&account("acme.com"), &json!({ "dns": true, "bogus": 1 }))
        .unwrap();
    assert_eq!(reqs.len(), 1);
}
