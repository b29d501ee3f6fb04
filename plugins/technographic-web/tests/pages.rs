//! Saved pages (tests/fixtures) and DNS answers through plan -> parse ->
//! combine: what each site really runs is found, and what a page merely
//! talks about is not.

mod common;

use common::*;
use serde_json::json;

#[test]
fn wordpress_site_with_hubspot_forms_and_gtm_and_google_mail() {
    let src = source(json!({}));
    let site = Site::new(page(
        fixture("wordpress_hubspot.html"),
        &[
            ("server", "nginx"),
            (
                "link",
                "<https://brightlane.io/wp-json/>; rel=\"https://api.w.org/\"",
            ),
        ],
    ))
    .mx(&[
        "1 aspmx.l.google.com.",
        "5 alt1.aspmx.l.google.com.",
        "5 alt2.aspmx.l.google.com.",
        "10 alt3.aspmx.l.google.com.",
    ])
    .txt(&[
        "v=spf1 include:_spf.google.com include:servers.mcsv.net include:_spf.salesforce.com ~all",
        "google-site-verification=3kP9vQm2Lx7RtY1wZ5cN8bH4jF6dS0aG",
        "atlassian-domain-verification=Qm9yZ2FuIHRoZSBjYXQgc2F5cyBoZWxsbw",
        "docusign=6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f",
    ])
    .cname(&["brightlane.io."]);
    let r = run(&src, "brightlane.io", &site);
    assert_eq!(
        r.technologies(),
        sorted(&[
            "atlassian",
            "docusign",
            "google-tag-manager",
            "google-workspace",
            "hubspot",
            "mailchimp",
            "salesforce",
            "wordpress",
        ])
    );
    assert_eq!(r.text("homepage_status"), "ok");
    assert_eq!(r.text("mail_provider"), "Google Workspace");
    assert_eq!(
        r.categories(),
        sorted(&[
            "cms",
            "collaboration",
            "crm",
            "e-signature",
            "email",
            "email-marketing",
            "tag-manager"
        ])
    );
    let hubspot = r.evidence("hubspot");
    for want in [
        "script js.hs-scripts.com/21458723.js",
        "script js.hsforms.net/forms/embed/v2.js",
        "inline script hbspt.forms.create(",
        "inline script _hsq.push(",
        "html id=\"hs-script-loader\"",
    ] {
        assert!(
            hubspot.contains(&want.to_string()),
            "{want} not in {hubspot:?}"
        );
    }
    assert_eq!(r.detail("hubspot")["confidence"], 100);
    assert_eq!(r.detail("hubspot")["category"], "crm");
    assert_eq!(r.detail("hubspot")["name"], "HubSpot");
    let gtm = r.evidence("google-tag-manager");
    assert!(
        gtm.contains(&"iframe www.googletagmanager.com/ns.html".to_string()),
        "{gtm:?}"
    );
    assert!(
        gtm.iter()
            .any(|e| e.starts_with("inline script googletagmanager.com/gtm.js"))
    );
    let wp = r.evidence("wordpress");
    assert!(
        wp.contains(&"meta generator: WordPress 6.5.3".to_string()),
        "{wp:?}"
    );
    assert!(wp.iter().any(|e| e.starts_with("header link: ")), "{wp:?}");
    // MX and SPF count once each, the verification record a little.
    let gw = r.evidence("google-workspace");
    assert!(gw.contains(&"mx aspmx.l.google.com".to_string()), "{gw:?}");
    assert!(gw.contains(&"spf _spf.google.com".to_string()), "{gw:?}");
    assert!(
        gw.contains(&"txt google-site-verification=".to_string()),
        "{gw:?}"
    );
    assert_eq!(r.evidence("salesforce"), vec!["spf _spf.salesforce.com"]);
    // A verification token is not repeated.
    assert!(!r.text("technology_details").contains("6f1c2d3e"));
    // The public details carry no internal matches.
    assert!(r.details().iter().all(|d| d.get("matches").is_none()));
}

#[test]
fn shopify_store_on_microsoft_365() {
    let src = source(json!({}));
    let site = Site::new(page(
        fixture("shopify_store.html"),
        &[
            ("server", "cloudflare"),
            ("cf-ray", "88a1b2c3d4e5f607-LHR"),
            ("x-shopid", "60218440011"),
            ("x-shopify-stage", "production"),
            ("powered-by", "Shopify"),
            ("set-cookie", "_shopify_y=9b1d2e7f; path=/; expires=Sat, 15 May 2025 10:00:00 GMT; domain=kestrelcoffee.com; SameSite=Lax"),
            ("set-cookie", "localization=GB; path=/; expires=Sat, 15 May 2025 10:00:00 GMT"),
            ("set-cookie", "cart_currency=GBP; path=/; expires=Wed, 29 May 2024 10:00:00 GMT"),
        ],
    ))
    .mx(&["0 kestrelcoffee-com.mail.protection.outlook.com."])
    .txt(&[
        "v=spf1 include:spf.protection.outlook.com include:sendgrid.net -all",
        "MS=ms48213377",
        "facebook-domain-verification=k2j4h6g8f0d1s3a5p7o9i2u4y6",
    ])
    .cname(&["shops.myshopify.com."]);
    let r = run(&src, "kestrelcoffee.com", &site);
    assert_eq!(
        r.technologies(),
        sorted(&[
            "cloudflare",
            "facebook-pixel",
            "google-analytics",
            "klaviyo",
            "meta-business",
            "microsoft-365",
            "sendgrid",
            "shopify",
        ])
    );
    assert_eq!(r.text("mail_provider"), "Microsoft 365");
    let shopify = r.evidence("shopify");
    for want in [
        "cname shops.myshopify.com",
        "header x-shopid",
        "header x-shopify-stage",
        "cookie _shopify_y",
        "script cdn.shopify.com/extensions/0b5c1d2e-3f4a-4b5c-8d7e-9f0a1b2c3d4e/judgeme-reviews-227/assets/loader.js",
        "meta shopify-digital-wallet",
    ] {
        assert!(
            shopify.contains(&want.to_string()),
            "{want} not in {shopify:?}"
        );
    }
    assert!(
        shopify
            .iter()
            .any(|e| e.starts_with("inline script Shopify.theme")),
        "{shopify:?}"
    );
    assert!(shopify.len() <= 12, "evidence is capped: {shopify:?}");
    // A header or meta tag that only has to be present shows no value
    // (the checkout token stays out of the details).
    assert!(!r.text("technology_details").contains("3f1c9a7d"));
    assert!(shopify.contains(&"header powered-by: Shopify".to_string()));
    // DNS first, then headers, cookies, meta tags, then the page.
    assert_eq!(shopify[0], "cname shops.myshopify.com");
    assert!(shopify[1].starts_with("header "), "{shopify:?}");
    let pixel = r.evidence("facebook-pixel");
    assert!(
        pixel.contains(&"img www.facebook.com/tr".to_string()),
        "{pixel:?}"
    );
    // gtag.js is Google Analytics, not Tag Manager.
    assert!(!r.technologies().contains(&"google-tag-manager".to_string()));
}

#[test]
fn nextjs_saas_with_segment_intercom_and_stripe_on_vercel() {
    let src = source(json!({}));
    let site = Site::new(page(
        fixture("nextjs_saas.html"),
        &[
            ("server", "Vercel"),
            (
                "x-vercel-id",
                "iad1::iad1::8x2k4-1715760000000-0a1b2c3d4e5f",
            ),
            ("x-vercel-cache", "HIT"),
            ("x-powered-by", "Next.js"),
        ],
    ));
    let r = run(&src, "ledgerly.app", &site);
    assert_eq!(
        r.technologies(),
        sorted(&["intercom", "nextjs", "react", "segment", "stripe", "vercel"])
    );
    let next = r.evidence("nextjs");
    assert!(
        next.contains(&"html <script id=\"__NEXT_DATA__\"".to_string()),
        "{next:?}"
    );
    assert!(
        next.contains(&"header x-powered-by: Next.js".to_string()),
        "{next:?}"
    );
    assert_eq!(r.evidence("react"), vec!["implied by nextjs"]);
    assert_eq!(r.detail("react")["confidence"], 100);
    let seg = r.evidence("segment");
    assert!(
        seg.iter().any(|e| e.contains("analytics.SNIPPET_VERSION")),
        "{seg:?}"
    );
    let stripe = r.evidence("stripe");
    // One evidence per pattern, the strongest: the script, not the preload.
    assert_eq!(stripe, vec!["script js.stripe.com/v3/"]);
    // No MX records: the domain receives no mail.
    assert_eq!(r.text("mail_provider"), "none");
}

/// An agency's "integrations we love" post names fifteen vendors in prose,
/// links to their sites, shows embed codes as escaped text, carries
/// partner badges, JSON-LD and comments about them: none of it is
/// evidence that the agency uses them.
#[test]
fn a_page_about_vendors_detects_none_of_them() {
    let src = source(json!({ "min_confidence": 1 }));
    let body = fixture("decoy_agency.html");
    // The page really does name them all.
    for vendor in [
        "HubSpot",
        "Salesforce",
        "Marketo",
        "Intercom",
        "Drift",
        "Zendesk",
        "Segment",
        "Mixpanel",
        "Amplitude",
        "Hotjar",
        "Stripe",
        "Shopify",
        "Klaviyo",
        "Calendly",
        "Typeform",
        "Optimizely",
        "js.hs-scripts.com",
        "widget.intercom.io",
        "js.stripe.com",
        "static.zdassets.com",
        "js.driftt.com",
        "webto.salesforce.com",
        "GTM-",
    ] {
        assert!(body.contains(vendor), "the decoy lost {vendor}");
    }
    let site = Site::new(page(body, &[("server", "nginx")]));
    let r = run(&src, "northbeam.digital", &site);
    assert_eq!(
        r.technologies(),
        Vec::<String>::new(),
        "{}",
        r.text("technology_details")
    );
    assert_eq!(r.text("technology_details"), "[]");
    assert!(!r.fields().contains_key("technology_categories"));
    assert_eq!(r.text("homepage_status"), "ok");
    // Not even a weak match inside a part.
    for (id, p) in &r.parsed {
        for o in p.outcomes.values() {
            if let icp_plugin_sdk::Outcome::Found { fields } = o {
                assert_eq!(fields["technology_details"], "[]", "{id}");
            }
        }
    }
}

#[test]
fn the_same_embed_code_live_is_detected() {
    // The decoy's HubSpot snippet, unescaped, is real evidence: the test
    // above passes because of where the text is, not what it says.
    let src = source(json!({}));
    let body = fixture("decoy_agency.html").replace(
        "<script src=\"/assets/js/site.7c21de.js\" defer></script>",
        "<script type=\"text/javascript\" id=\"hs-script-loader\" async defer src=\"//js.hs-scripts.com/8821453.js\"></script>",
    );
    let r = run(&src, "northbeam.digital", &Site::new(page(body, &[])));
    assert_eq!(r.technologies(), vec!["hubspot"]);
}

#[test]
fn a_huge_page_is_scanned_up_to_its_cap_and_says_so() {
    let src = source(json!({}));
    let head = "<!doctype html><html><head><script src=\"https://js.driftt.com/include/1715/abc.js\"></script></head><body>";
    let filler = "<p>Quarterly freight market notes, lane by lane.</p>\n".repeat(45_000);
    let tail = "<script src=\"https://widget.intercom.io/widget/zz9\"></script></body></html>";

    // The host cut the body at its cap and said so.
    let cut: String = format!("{head}{filler}")
        .chars()
        .take(2 * 1024 * 1024)
        .collect();
    let r = run(
        &src,
        "bigpage.com",
        &Site::new(page(cut, &[("x-icp-truncated", "2097152")])),
    );
    assert_eq!(r.text("homepage_status"), "truncated at 2097152 bytes");
    assert_eq!(r.technologies(), vec!["drift"]);

    // A body over 2 MiB without the header: only the first 2 MiB count.
    let whole = format!("{head}{filler}{tail}");
    assert!(whole.len() > 2 * 1024 * 1024);
    let r = run(&src, "bigpage.com", &Site::new(page(whole, &[])));
    assert_eq!(r.text("homepage_status"), "truncated at 2097152 bytes");
    assert_eq!(
        r.technologies(),
        vec!["drift"],
        "the tail after 2 MiB is not scanned"
    );

    // The same tail within the cap is found.
    let small = format!("{head}{tail}");
    let r = run(&src, "bigpage.com", &Site::new(page(small, &[])));
    assert_eq!(r.technologies(), vec!["drift", "intercom"]);
}

#[test]
fn a_binary_body_gives_no_html_evidence_but_headers_count() {
    let src = source(json!({}));
    let mut png = String::from_utf8_lossy(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0").into_owned();
    png.push_str("<script src=\"https://js.stripe.com/v3/\"></script>");
    let r = run(
        &src,
        "imagehost.com",
        &Site::new(http(
            200,
            &[
                ("content-type", "image/png"),
                ("server", "cloudflare"),
                ("cf-ray", "1-LHR"),
            ],
            png.clone(),
        )),
    );
    assert_eq!(r.text("homepage_status"), "not HTML (image/png)");
    assert_eq!(r.technologies(), vec!["cloudflare"]);

    // Labelled HTML, but binary.
    let r = run(&src, "imagehost.com", &Site::new(page(png, &[])));
    assert_eq!(r.text("homepage_status"), "not HTML (binary content)");
    assert_eq!(r.technologies(), Vec::<String>::new());

    let r = run(
        &src,
        "docs.com",
        &Site::new(http(
            200,
            &[("content-type", "application/pdf")],
            "%PDF-1.7 js.stripe.com",
        )),
    );
    assert_eq!(r.text("homepage_status"), "not HTML (application/pdf)");
}

#[test]
fn an_error_page_counts_headers_and_cookies_only() {
    let src = source(json!({}));
    let r = run(
        &src,
        "gone.com",
        &Site::new(http(
            404,
            &[
                ("content-type", "text/html"),
                ("server", "Netlify"),
                ("set-cookie", "__cf_bm=abc; path=/; HttpOnly"),
            ],
            "<html><script src=\"https://js.driftt.com/include/x.js\"></script></html>",
        )),
    );
    assert_eq!(r.text("homepage_status"), "HTTP 404");
    assert_eq!(r.technologies(), vec!["cloudflare", "netlify"]);
    assert_eq!(r.evidence("cloudflare"), vec!["cookie __cf_bm"]);
}

#[test]
fn markup_only_signals() {
    let src = source(json!({}));
    let body = r#"<!DOCTYPE html><html data-wf-page="65a1" data-wf-site="65a0"><head>
        <meta name="generator" content="Webflow">
        <script id="Cookiebot" src="https://consent.cookiebot.com/uc.js" data-cbid="1c2d3e4f-5a6b-7c8d-9e0f-1a2b3c4d5e6f" type="text/javascript"></script>
        </head><body>
        <div class="calendly-inline-widget" data-url="https://calendly.com/acme-sales/30min" style="min-width:320px;height:700px;"></div>
        <div data-tf-widget="Xq12Ab" data-tf-opacity="100" style="width:100%;height:500px;"></div>
        <form action="https://webto.salesforce.com/servlet/servlet.WebToLead?encoding=UTF-8" method="POST"><input type="hidden" name="oid" value="00D5g000004ABCD"></form>
        <noscript><img height="1" width="1" style="display:none;" alt="" src="https://px.ads.linkedin.com/collect/?pid=4412233&fmt=gif" /></noscript>
        </body></html>"#;
    let r = run(&src, "acme.com", &Site::new(page(body, &[])));
    assert_eq!(
        r.technologies(),
        sorted(&[
            "calendly",
            "cookiebot",
            "linkedin-insight",
            "salesforce",
            "typeform",
            "webflow"
        ])
    );
    assert_eq!(
        r.evidence("salesforce"),
        vec!["form webto.salesforce.com/servlet/servlet.WebToLead"]
    );
    assert_eq!(
        r.evidence("linkedin-insight"),
        vec!["img px.ads.linkedin.com/collect/"]
    );
}

/// A Next.js App Router page puts its content, a tutorial's code samples
/// included, into `self.__next_f.push(...)` data scripts: that text is
/// content, not a loader. The same loader as a real script is evidence.
#[test]
fn framework_data_scripts_are_content() {
    let src = source(json!({ "min_confidence": 1 }));
    let sample = r#"<script id=\"hs-script-loader\" src=\"//js.hs-scripts.com/123.js\"></script> window.intercomSettings = {app_id: 'x'}; analytics.SNIPPET_VERSION = '4.15.3'; var stripe = Stripe('pk_test_123'); Munchkin.init('123-ABC-456');"#;
    let body = format!(
        "<html><head><script src=\"/_next/static/chunks/main.js\"></script></head><body><pre><code>how to install</code></pre>\
         <script>self.__next_f.push([1,\"{sample}\"])</script>\
         <script>(self.__next_f=self.__next_f||[]).push([0])</script></body></html>"
    );
    let r = run(&src, "tutorials.dev", &Site::new(page(body, &[])));
    assert_eq!(
        r.technologies(),
        sorted(&["nextjs", "react"]),
        "{}",
        r.text("technology_details")
    );
    let live =
        "<html><head><script>window.intercomSettings = {app_id: 'x'};</script></head></html>";
    let r = run(&src, "tutorials.dev", &Site::new(page(live, &[])));
    assert!(
        r.technologies().contains(&"intercom".to_string()),
        "{}",
        r.text("technology_details")
    );
}

/// Images hot-linked from other sites (vendors' logos) are no evidence,
/// and a path pattern (`/wp-content/`, `/_next/static/`, `/cdn-cgi/`)
/// counts only on the company's own site; a tracking pixel still counts.
#[test]
fn hotlinked_images_and_foreign_paths_are_no_evidence() {
    let src = source(json!({ "min_confidence": 1 }));
    let body = r#"<html><body>
        <img src="https://cdn.shopify.com/s/files/1/shopify_logo_black.png">
        <img src="https://news.example-partner.com/wp-content/uploads/2024/01/logo.png">
        <img src="https://images.example-media.com/cdn-cgi/image/width=200/logo.jpg">
        <img src="https://www.example-vendor.com/_next/static/media/logo.svg">
        <script src="https://widgets.example-partner.com/wp-content/plugins/x/widget.js"></script>
        </body></html>"#;
    let r = run(&src, "integrations.io", &Site::new(page(body, &[])));
    assert_eq!(
        r.technologies(),
        Vec::<String>::new(),
        "{}",
        r.text("technology_details")
    );
    let own = r#"<html><body>
        <img src="https://cdn.integrations.io/wp-content/uploads/2024/01/team.jpg">
        <noscript><img src="https://px.ads.linkedin.com/collect/?pid=1&fmt=gif"></noscript>
        </body></html>"#;
    let r = run(&src, "integrations.io", &Site::new(page(own, &[])));
    let techs = r.technologies();
    assert!(techs.contains(&"wordpress".to_string()), "{techs:?}");
    assert!(techs.contains(&"linkedin-insight".to_string()), "{techs:?}");
}

/// Akamai's Bot Manager cookies and Microsoft 365's newer MX hosts.
#[test]
fn akamai_cookies_and_new_microsoft_365_mx() {
    let src = source(json!({}));
    let home = page(
        "<html></html>",
        &[
            ("set-cookie", "_abck=0A1B2C; Path=/; Secure"),
            ("set-cookie", "bm_sz=9F8E; Path=/"),
        ],
    );
    let site = Site::new(home).mx(&["0 bigcorp-com.a1b2c3d4.mx.microsoft."]);
    let r = run(&src, "bigcorp.com", &site);
    let techs = r.technologies();
    assert!(techs.contains(&"akamai".to_string()), "{techs:?}");
    assert!(techs.contains(&"microsoft-365".to_string()), "{techs:?}");
    assert_eq!(r.text("mail_provider"), "Microsoft 365");
}
