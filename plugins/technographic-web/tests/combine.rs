//! How the parts of one lookup are weighed: partial failures, all
//! failures, a domain that does not exist, confidence and min_confidence,
//! implies, and mail_provider.

mod common;

use common::*;
use icp_plugin_sdk::{Outcome, Plan};
use serde_json::json;

fn google_dns(site: Site) -> Site {
    site.mx(&["1 smtp.google.com."]).txt(&[
        "v=spf1 include:_spf.google.com ~all",
        "zoom_verify_Ab3dE5fG7hI9jK1lM3nO",
    ])
}

#[test]
fn a_failed_homepage_keeps_the_dns_findings_and_says_so() {
    let src = source(json!({}));
    let site = google_dns(Site::new(failed("https://acme.com/: timed out after 15 s")));
    let r = run(&src, "acme.com", &site);
    assert_eq!(r.technologies(), vec!["google-workspace", "zoom"]);
    assert_eq!(
        r.text("homepage_status"),
        "failed: https://acme.com/: timed out after 15 s"
    );
    assert_eq!(r.text("mail_provider"), "Google Workspace");

    // The host's SSRF refusal reads the same way.
    let site = google_dns(Site::new(failed(
        "refused: acme.com resolves to 10.0.0.5, a private address",
    )));
    let r = run(&src, "acme.com", &site);
    assert_eq!(
        r.text("homepage_status"),
        "failed: refused: acme.com resolves to 10.0.0.5, a private address"
    );
}

#[test]
fn failed_dns_keeps_the_page_findings() {
    let src = source(json!({}));
    let mut site = Site::new(page(fixture("nextjs_saas.html"), &[]));
    site.mx = failed("DNS MX ledgerly.app: timed out");
    site.txt = dns_rcode(2);
    site.cname = failed("DNS CNAME www.ledgerly.app: timed out");
    let r = run(&src, "ledgerly.app", &site);
    assert!(r.technologies().contains(&"nextjs".to_string()));
    assert!(!r.fields().contains_key("mail_provider"));
    assert_eq!(r.text("homepage_status"), "ok");
}

#[test]
fn every_part_failed_is_a_failure_naming_each() {
    let src = source(json!({}));
    let site = Site {
        home: failed("https://acme.com/: timed out after 15 s"),
        refresh: None,
        mx: dns_rcode(2),
        txt: failed("DNS TXT acme.com: timed out"),
        cname: failed("DNS CNAME www.acme.com: timed out"),
    };
    let r = run(&src, "acme.com", &site);
    match &r.outcome {
        Outcome::Failed { message } => assert_eq!(
            message,
            "homepage: https://acme.com/: timed out after 15 s; DNS MX: DNS MX acme.com: server failure (SERVFAIL); DNS TXT: DNS TXT acme.com: timed out; DNS CNAME: DNS CNAME www.acme.com: timed out"
        ),
        other => panic!("expected Failed, got {other:?}"),
    }

    // One DNS message for all three lookups is said once.
    let same = failed("no DNS server answered (127.0.0.1:53)");
    let site = Site {
        home: failed("https://acme.com/: could not connect"),
        refresh: None,
        mx: same.clone(),
        txt: same.clone(),
        cname: same,
    };
    match run(&src, "acme.com", &site).outcome {
        Outcome::Failed { message } => assert_eq!(
            message,
            "homepage: https://acme.com/: could not connect; DNS: no DNS server answered (127.0.0.1:53)"
        ),
        other => panic!("expected Failed, got {other:?}"),
    }

    // Without DNS lookups, the homepage alone decides.
    let src = source(json!({ "dns": false }));
    match run(
        &src,
        "acme.com",
        &Site::new(failed("https://acme.com/: timed out after 15 s")),
    )
    .outcome
    {
        Outcome::Failed { message } => {
            assert_eq!(message, "homepage: https://acme.com/: timed out after 15 s")
        }
        other => panic!("expected Failed, got {other:?}"),
    }
}

#[test]
fn a_domain_that_does_not_exist_is_no_data() {
    let src = source(json!({}));
    let site = Site {
        home: failed("https://nosuch-company.com/: could not connect"),
        refresh: None,
        mx: dns_rcode(3),
        txt: dns_rcode(3),
        cname: dns_rcode(3),
    };
    assert_eq!(
        run(&src, "nosuch-company.com", &site).outcome,
        Outcome::NoData
    );

    // NXDOMAIN, but a page answered (a test server via base_url): found.
    let site = Site {
        home: page(
            "<html><script src=\"https://js.driftt.com/include/1/x.js\"></script></html>",
            &[],
        ),
        ..site
    };
    let r = run(&src, "nosuch-company.com", &site);
    assert_eq!(r.technologies(), vec!["drift"]);
    assert!(!r.fields().contains_key("mail_provider"));

    // Only www missing is no NXDOMAIN of the domain: the rest answered.
    let site = Site {
        home: failed("https://acme.com/: could not connect"),
        refresh: None,
        mx: dns(&["10 mx1.mailhost.example."]),
        txt: dns(&[]),
        cname: dns_rcode(3),
    };
    let r = run(&src, "acme.com", &site);
    assert_eq!(r.technologies(), Vec::<String>::new());
    assert_eq!(r.text("mail_provider"), "mx1.mailhost.example");
    assert_eq!(r.text("technology_details"), "[]");
}

#[test]
fn min_confidence_drops_weak_findings() {
    // google-site-verification alone weighs 25; a CookieConsent cookie 50.
    let site = Site::new(http(
        200,
        &[
            ("content-type", "text/html"),
            ("set-cookie", "CookieConsent=-1; path=/"),
        ],
        "<html><body>hello</body></html>",
    ))
    .txt(&["google-site-verification=abc123"]);
    let at =
        |min: u32| run(&source(json!({ "min_confidence": min })), "acme.com", &site).technologies();
    assert_eq!(at(50), vec!["cookiebot"]);
    assert_eq!(at(51), Vec::<String>::new());
    assert_eq!(at(25), vec!["cookiebot", "google-workspace"]);
    assert_eq!(at(0), vec!["cookiebot", "google-workspace"]);
    let r = run(&source(json!({ "min_confidence": 20 })), "acme.com", &site);
    assert_eq!(r.detail("google-workspace")["confidence"], 25);
    assert_eq!(r.detail("cookiebot")["confidence"], 50);
}

#[test]
fn confidence_adds_up_across_page_and_dns_and_caps_at_100() {
    let src = source(json!({ "min_confidence": 80 }));
    // SPF include (75) and the verification record (25): 100 together.
    let site = Site::new(page("<html></html>", &[])).txt(&[
        "v=spf1 include:_spf.google.com -all",
        "google-site-verification=x",
    ]);
    let r = run(&src, "acme.com", &site);
    assert_eq!(r.technologies(), vec!["google-workspace"]);
    assert_eq!(r.detail("google-workspace")["confidence"], 100);
    // The SPF include alone is under 80.
    let site = Site::new(page("<html></html>", &[])).txt(&["v=spf1 include:_spf.google.com -all"]);
    assert_eq!(
        run(&src, "acme.com", &site).technologies(),
        Vec::<String>::new()
    );

    // A pattern that matches twice counts once: two scripts of one
    // pattern stay at 75 (WordPress /wp-content/).
    let src = source(json!({ "min_confidence": 1 }));
    let body = r#"<html><script src="/wp-content/a.js"></script><script src="/wp-content/b.js"></script></html>"#;
    let r = run(&src, "acme.com", &Site::new(page(body, &[])));
    assert_eq!(r.detail("wordpress")["confidence"], 75);
    assert_eq!(r.evidence("wordpress"), vec!["script /wp-content/a.js"]);
    // Two patterns: 150, shown as 100.
    let body = r#"<html><script src="/wp-content/a.js"></script><script src="/wp-includes/b.js"></script></html>"#;
    let r = run(&src, "acme.com", &Site::new(page(body, &[])));
    assert_eq!(r.detail("wordpress")["confidence"], 100);
}

#[test]
fn implies_adds_the_implied_technology() {
    let src = source(json!({}));
    let body = r#"<html><head><script type="text/javascript" src="https://pi.pardot.com/pd.js"></script></head></html>"#;
    let r = run(
        &src,
        "acme.com",
        &Site::new(page(body, &[("x-powered-by", "WP Engine")])),
    );
    assert_eq!(
        r.technologies(),
        sorted(&["pardot", "salesforce", "wordpress", "wp-engine"])
    );
    assert_eq!(r.evidence("salesforce"), vec!["implied by pardot"]);
    assert_eq!(r.evidence("wordpress"), vec!["implied by wp-engine"]);
    assert_eq!(r.detail("salesforce")["confidence"], 100);
    assert_eq!(
        r.categories(),
        sorted(&["cms", "crm", "hosting", "marketing-automation"])
    );

    // Own evidence and the implication both show.
    let site = Site::new(page(body, &[])).txt(&["v=spf1 include:_spf.salesforce.com -all"]);
    let r = run(&src, "acme.com", &site);
    assert_eq!(
        r.evidence("salesforce"),
        vec!["spf _spf.salesforce.com", "implied by pardot"]
    );

    // A technology under min_confidence implies nothing.
    let src = source(json!({ "min_confidence": 80 }));
    let r = run(
        &src,
        "acme.com",
        &Site::new(http(
            200,
            &[
                ("content-type", "text/html"),
                ("set-cookie", "visitor_id123456=abc; path=/"),
            ],
            "<html></html>",
        )),
    );
    assert_eq!(r.technologies(), Vec::<String>::new());
}

#[test]
fn mail_provider_looks_through_a_security_gateway() {
    let src = source(json!({}));
    let home = || page("<html></html>", &[]);
    let provider = |site: Site| {
        run(&src, "acme.com", &site)
            .text("mail_provider")
            .to_string()
    };

    // Proofpoint in front of Microsoft 365 (SPF says so).
    assert_eq!(
        provider(
            Site::new(home())
                .mx(&["10 mx0a-00123401.pphosted.com.", "10 mx0b-00123401.pphosted.com."])
                .txt(&["v=spf1 include:spf.protection.outlook.com include:spf-00123401.pphosted.com -all"])
        ),
        "Microsoft 365"
    );
    // Proofpoint alone.
    assert_eq!(
        provider(Site::new(home()).mx(&["10 mx0a-00123401.pphosted.com."])),
        "Proofpoint"
    );
    // The most preferred known mailbox provider wins over a backup.
    assert_eq!(
        provider(Site::new(home()).mx(&[
            "20 mx2.zoho.eu.",
            "10 acme-com.mail.protection.outlook.com.",
        ])),
        "Microsoft 365"
    );
    // Unknown MX: the primary host itself.
    assert_eq!(
        provider(Site::new(home()).mx(&["20 backup.mail.acme.com.", "10 mail.acme.com."])),
        "mail.acme.com"
    );
    // A null MX: no mail.
    assert_eq!(provider(Site::new(home()).mx(&["0 ."])), "none");
}

#[test]
fn combine_is_deterministic_and_ignores_foreign_parts() {
    let src = source(json!({}));
    let site = google_dns(Site::new(page(fixture("wordpress_hubspot.html"), &[])));
    let a = run(&src, "brightlane.io", &site);
    let b = run(&src, "brightlane.io", &site);
    assert_eq!(a.outcome, b.outcome);
    // No parts at all: no data. An id this source never plans is ignored.
    assert_eq!(src.combine("acme.com", Vec::new()), Outcome::NoData);
    let only_foreign = vec![(
        "something-else".to_string(),
        Outcome::Failed {
            message: "x".into(),
        },
    )];
    assert!(matches!(
        src.combine("acme.com", only_foreign),
        Outcome::Failed { .. }
    ));
}
