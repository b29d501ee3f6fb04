//! `icp enrich` with the technographic-web source against company sites
//! served on 127.0.0.1 and a local DNS server: detection from markup,
//! headers, cookies and DNS; a decoy page that only names vendors; and the
//! SSRF guard refusing names that resolve to private or loopback addresses.

use std::path::Path;

use icp_tests::dns::{DnsServer, Zone};
use icp_tests::{cell, icp_command, read_csv, run};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A WordPress marketing site with HubSpot forms and Google Tag Manager.
const WORDPRESS_HUBSPOT: &str = r#"<!DOCTYPE html>
<html lang="en-US"><head>
<meta charset="UTF-8">
<meta name="generator" content="WordPress 6.4.2">
<title>Northwind Capital | Private credit for the mid-market</title>
<link rel="stylesheet" href="https://northwindcapital.com/wp-content/themes/northwind/style.css?ver=6.4.2">
<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0],j=d.createElement(s);j.async=true;j.src='https://www.googletagmanager.com/gtm.js?id='+i;f.parentNode.insertBefore(j,f);})(window,document,'script','dataLayer','GTM-K9X2Q7');</script>
<script src="https://northwindcapital.com/wp-includes/js/jquery/jquery.min.js?ver=3.7.1"></script>
</head><body class="home page-template-default">
<h1>Capital that moves at your speed</h1>
<p>Talk to our team about facilities from $10M to $150M.</p>
<script charset="utf-8" type="text/javascript" src="//js.hsforms.net/forms/embed/v2.js"></script>
<script type="text/javascript" id="hs-script-loader" async defer src="//js.hs-scripts.com/4815162.js"></script>
</body></html>"#;

/// An agency's blog post that names vendors in prose, links to them and
/// shows an embed code as text: none of it is evidence.
const DECOY: &str = r#"<!DOCTYPE html>
<html><head><title>Top 10 CRM and marketing tools for 2026 | Studio Koi</title>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Article","about":["HubSpot","Salesforce","Shopify","Intercom"]}</script>
</head><body>
<!-- compare with Intercom and Zendesk before publishing -->
<article>
<h1>HubSpot vs Salesforce vs Shopify: which one should you pick?</h1>
<p>We set up HubSpot, Salesforce, Marketo, Intercom, Zendesk, Stripe, Segment and Shopify for clients every week.
<a href="https://www.hubspot.com/products/crm">HubSpot CRM</a> is free to start;
<a href="https://www.salesforce.com/">Salesforce</a> scales further;
<a href="https://www.shopify.com/">Shopify</a> runs the store.</p>
<img src="/img/partner-badge.png" alt="Salesforce partner badge" title="HubSpot Solutions Partner">
<p>Paste this into your site to install HubSpot tracking:</p>
<pre><code>&lt;script type="text/javascript" id="hs-script-loader" async defer src="//js.hs-scripts.com/123456.js"&gt;&lt;/script&gt;</code></pre>
<pre><code>analytics.load("YOUR_WRITE_KEY"); Stripe('pk_test_...'); window.intercomSettings = {};</code></pre>
</article></body></html>"#;

fn zone() -> Zone {
    Zone::new()
        .a("northwindcapital.com", "127.0.0.1".parse().unwrap())
        .mx("northwindcapital.com", 1, "aspmx.l.google.com.")
        .mx("northwindcapital.com", 5, "alt1.aspmx.l.google.com.")
        .txt(
            "northwindcapital.com",
            "v=spf1 include:_spf.google.com include:_spf.salesforce.com ~all",
        )
        .txt(
            "northwindcapital.com",
            "atlassian-domain-verification=Qx3kFv9bPz2Lw8",
        )
        .a("studiokoi.jp", "127.0.0.1".parse().unwrap())
        .mx(
            "studiokoi.jp",
            0,
            "studiokoi-jp.mail.protection.outlook.com.",
        )
        .a("intranet-corp.com", "10.0.0.5".parse().unwrap())
        .a("metadata-svc.com", "169.254.169.254".parse().unwrap())
}

fn write_config(dir: &Path, settings: &str) {
    std::fs::write(
        dir.join("icp.toml"),
        format!(
            "store = \"store.db\"\n\n[[sources]]\nname = \"website\"\nplugin = \"technographic-web\"\nsettings = {{ {settings} }}\ntimeout = \"5s\"\nretries = 0\nwant = [\"technologies\", \"technology_categories\", \"mail_provider\", \"homepage_status\"]\n"
        ),
    )
    .unwrap();
}

/// The config for sites served by `site` (one path per domain) and names
/// resolved by `dns`.
fn write_local_config(dir: &Path, site: &MockServer, dns: &DnsServer) {
    write_config(
        dir,
        &format!(
            "base_url = \"http://127.0.0.1:{}/{{domain}}/\", allow_private = true, dns_server = \"{}\"",
            site.address().port(),
            dns.setting()
        ),
    );
}

fn enrich(dir: &Path, accounts: &str) -> icp_tests::Output {
    std::fs::write(dir.join("accounts.csv"), accounts).unwrap();
    run(icp_command().args([
        "enrich",
        dir.join("accounts.csv").to_str().unwrap(),
        "--config",
        dir.join("icp.toml").to_str().unwrap(),
        "--out",
        dir.join("out.csv").to_str().unwrap(),
        "--provenance",
    ]))
}

#[tokio::test]
async fn technologies_come_from_markup_and_dns_not_from_prose() {
    let dns = DnsServer::start(zone());
    let site = MockServer::start().await;
    Mock::given(path("/northwindcapital.com/"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("set-cookie", "__hssrc=1; path=/")
                .set_body_raw(WORDPRESS_HUBSPOT, "text/html; charset=UTF-8"),
        )
        .mount(&site)
        .await;
    Mock::given(path("/studiokoi.jp/"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(DECOY, "text/html"))
        .mount(&site)
        .await;
    let dir = tempfile::tempdir().unwrap();
    write_local_config(dir.path(), &site, &dns);
    let out = enrich(
        dir.path(),
        "Company name,Website URL\nNorthwind Capital,https://www.northwindcapital.com/\nStudio Koi,studiokoi.jp\n",
    );
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let (h, rows) = read_csv(&dir.path().join("out.csv"));
    let techs = |r: &[String]| -> Vec<String> {
        cell(&h, r, "technologies")
            .split(';')
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect()
    };

    let northwind = techs(&rows[0]);
    for t in [
        "wordpress",
        "hubspot",
        "google-tag-manager",
        "google-workspace",
        "salesforce",
        "atlassian",
    ] {
        assert!(
            northwind.contains(&t.to_string()),
            "{t} missing: {northwind:?}"
        );
    }
    assert_eq!(cell(&h, &rows[0], "mail_provider"), "Google Workspace");
    assert_eq!(cell(&h, &rows[0], "homepage_status"), "ok");
    assert_eq!(cell(&h, &rows[0], "technologies__source"), "website");
    let details: serde_json::Value =
        serde_json::from_str(cell(&h, &rows[0], "technology_details")).unwrap();
    let hubspot = details
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "hubspot")
        .expect("hubspot details");
    assert!(
        hubspot["evidence"]
            .to_string()
            .contains("js.hs-scripts.com"),
        "{hubspot}"
    );

    // The decoy names vendors everywhere but uses none of them; its mail
    // is Microsoft 365 (MX), which is real evidence.
    let koi = techs(&rows[1]);
    assert_eq!(koi, vec!["microsoft-365".to_string()], "decoy detections");
    assert_eq!(cell(&h, &rows[1], "mail_provider"), "Microsoft 365");

    // A warm rerun answers from the cache: no page is fetched again.
    let before = site.received_requests().await.unwrap().len();
    let again = enrich(
        dir.path(),
        "Company name,Website URL\nNorthwind Capital,https://www.northwindcapital.com/\nStudio Koi,studiokoi.jp\n",
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(site.received_requests().await.unwrap().len(), before);
}

#[tokio::test]
async fn names_resolving_to_private_addresses_are_refused() {
    let dns = DnsServer::start(zone());
    let dir = tempfile::tempdir().unwrap();
    // No base_url and no allow_private: the real fetch path, guarded.
    write_config(dir.path(), &format!("dns_server = \"{}\"", dns.setting()));
    let out = enrich(
        dir.path(),
        "Company name,Website URL\nIntranet,intranet-corp.com\nMetadata,metadata-svc.com\nLoopback,northwindcapital.com\n",
    );
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let (h, rows) = read_csv(&dir.path().join("out.csv"));
    let said = |r: &[String]| {
        format!(
            "{} {}",
            cell(&h, r, "homepage_status"),
            cell(&h, r, "icp_errors")
        )
    };
    assert!(
        said(&rows[0]).contains("intranet-corp.com resolves to 10.0.0.5, a private address"),
        "{}",
        said(&rows[0])
    );
    assert!(
        said(&rows[1]).contains("169.254.169.254, a link-local address"),
        "{}",
        said(&rows[1])
    );
    assert!(
        said(&rows[2]).contains("127.0.0.1, a loopback address"),
        "{}",
        said(&rows[2])
    );
    // DNS evidence still counts for the refused site.
    assert_eq!(cell(&h, &rows[2], "mail_provider"), "Google Workspace");
}

/// A homepage that answers 5xx until the retries are spent still shows its
/// CDN's headers; its status says what the page answered.
#[tokio::test]
async fn an_error_page_still_counts_its_headers() {
    let dns = DnsServer::start(zone().a("errorpage.com", "127.0.0.1".parse().unwrap()));
    let site = MockServer::start().await;
    Mock::given(path("/errorpage.com/"))
        .respond_with(
            ResponseTemplate::new(500)
                .insert_header("cf-ray", "8a1b2c3d4e5f6a7b-AMS")
                .insert_header("server", "cloudflare")
                .set_body_raw("<html><body>Internal error</body></html>", "text/html"),
        )
        .mount(&site)
        .await;
    let dir = tempfile::tempdir().unwrap();
    write_local_config(dir.path(), &site, &dns);
    let out = enrich(
        dir.path(),
        "Company name,Website URL\nError Page,https://errorpage.com/\n",
    );
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let (h, rows) = read_csv(&dir.path().join("out.csv"));
    assert_eq!(cell(&h, &rows[0], "homepage_status"), "HTTP 500");
    assert!(
        cell(&h, &rows[0], "technologies").contains("cloudflare"),
        "{:?}",
        rows[0]
    );
}
