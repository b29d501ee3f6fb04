//! The host side of sources that fetch companies' own websites and read
//! DNS: lookups against a local DNS server, the SSRF guard after
//! resolution, redirect and size limits, and a website's errors staying
//! that site's own.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use icp_engine::http::{Budget, HttpPolicy, PlanSource};
use icp_engine::limiter::Limiter;
use icp_engine::stats::SourceStats;
use icp_plugin_sdk::{
    Account, Category, DnsRecordType, FieldSpec, FieldType, HttpMethod, Manifest, Outcome,
    ParseResult, Plan, PlannedRequest, Request, Response, Source, SourceError,
};
use icp_tests::dns::{DnsServer, Zone};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Plans a homepage fetch (`http://{domain}:{port}/`, or a fixed URL) and an
/// MX and TXT lookup; reports what came back as fields.
struct WebProbe {
    manifest: Manifest,
    port: u16,
    url: Option<String>,
}

impl WebProbe {
    fn new(port: u16, url: Option<&str>) -> WebProbe {
        let field = |name: &str| FieldSpec {
            name: name.into(),
            ty: FieldType::Text,
            about: String::new(),
        };
        WebProbe {
            manifest: Manifest {
                name: "probe".into(),
                version: "0".into(),
                category: Category::Technographic,
                key: "domain".into(),
                fields: ["home", "mx", "txt"].map(field).into(),
                max_batch: 1,
                limits: vec![],
                cost_per_call: 0.0,
                secrets: vec![],
                untrusted_hosts: true,
            },
            port,
            url: url.map(str::to_string),
        }
    }
}

impl Plan for WebProbe {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn plan(&self, accounts: &[Account], _: &Value) -> Result<Vec<PlannedRequest>, SourceError> {
        let mut out = Vec::new();
        for a in accounts {
            let d = &a.key;
            let url = self
                .url
                .clone()
                .unwrap_or_else(|| format!("http://{d}:{}/", self.port));
            let dns = |t: DnsRecordType, id: &str| PlannedRequest {
                id: format!("{d}#{id}"),
                keys: vec![d.clone()],
                request: Request::Dns {
                    name: d.clone(),
                    record_type: t,
                },
            };
            out.push(PlannedRequest {
                id: format!("{d}#home"),
                keys: vec![d.clone()],
                request: Request::Http {
                    method: HttpMethod::Get,
                    url,
                    headers: vec![],
                    body: None,
                },
            });
            out.push(dns(DnsRecordType::Mx, "mx"));
            out.push(dns(DnsRecordType::Txt, "txt"));
        }
        Ok(out)
    }

    fn parse(&self, req: &PlannedRequest, resp: &Response) -> Result<ParseResult, SourceError> {
        let part = req.id.rsplit('#').next().unwrap_or_default();
        let text = match &req.request {
            Request::Http { .. } => format!(
                "{} {} bytes{}",
                resp.status,
                resp.body.len(),
                resp.header("x-icp-truncated")
                    .map(|t| format!(" truncated at {t}"))
                    .unwrap_or_default()
            ),
            Request::Dns { .. } => format!("rcode {} {}", resp.status, resp.answers.join(" | ")),
        };
        let mut fields = BTreeMap::new();
        fields.insert(part.to_string(), Value::String(text));
        Ok(ParseResult {
            outcomes: [(req.keys[0].clone(), Outcome::Found { fields })].into(),
            ..ParseResult::default()
        })
    }

    fn combine(&self, _key: &str, parts: Vec<(String, Outcome)>) -> Outcome {
        // Keep failures visible as fields, so the test sees each part.
        let mut fields = BTreeMap::new();
        for (id, o) in parts {
            let part = id.rsplit('#').next().unwrap_or_default().to_string();
            match o {
                Outcome::Found { fields: f } => fields.extend(f),
                Outcome::Failed { message } => {
                    fields.insert(part, Value::String(format!("failed: {message}")));
                }
                other => {
                    fields.insert(part, Value::String(format!("{other:?}")));
                }
            }
        }
        Outcome::Found { fields }
    }
}

fn source(probe: WebProbe, settings: Value) -> (PlanSource, Arc<SourceStats>) {
    let stats = Arc::new(SourceStats::default());
    let policy = HttpPolicy {
        timeout: Duration::from_secs(3),
        retries: 1,
        backoff_base: Duration::from_millis(10),
        ..HttpPolicy::default()
    };
    let src = PlanSource::new(
        "web",
        Arc::new(probe),
        settings,
        Default::default(),
        Limiter::new(&[], 0.015),
        policy,
        stats.clone(),
        Arc::new(Budget::new(None)),
    )
    .expect("source builds");
    (src, stats)
}

async fn fields_of(src: &PlanSource, domain: &str) -> BTreeMap<String, String> {
    let out = src
        .enrich(&[Account {
            key: domain.into(),
            fields: BTreeMap::new(),
        }])
        .await
        .expect("enrich");
    match out.get(domain) {
        Some(Outcome::Found { fields }) => fields
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect(),
        other => panic!("expected fields for {domain}, got {other:?}"),
    }
}

fn zone() -> Zone {
    Zone::new()
        .a("brightlane.test", "127.0.0.1".parse().unwrap())
        .mx("brightlane.test", 10, "aspmx.l.google.com.")
        .mx("brightlane.test", 20, "alt1.aspmx.l.google.com.")
        .txt(
            "brightlane.test",
            "v=spf1 include:_spf.google.com include:_spf.salesforce.com ~all",
        )
        .a("inside.test", "10.0.0.5".parse().unwrap())
}

#[tokio::test]
async fn dns_answers_come_from_the_configured_server_as_text() {
    let dns = DnsServer::start(zone());
    let site = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>hello</html>"))
        .mount(&site)
        .await;
    let (src, _) = source(
        WebProbe::new(site.address().port(), None),
        json!({"dns_server": dns.setting(), "allow_private": true}),
    );
    let f = fields_of(&src, "brightlane.test").await;
    assert_eq!(f["home"], "200 18 bytes");
    assert!(f["mx"].starts_with("rcode 0 "), "{f:?}");
    assert!(f["mx"].contains("10 aspmx.l.google.com."), "{f:?}");
    assert!(f["mx"].contains("20 alt1.aspmx.l.google.com."), "{f:?}");
    assert_eq!(
        f["txt"],
        "rcode 0 v=spf1 include:_spf.google.com include:_spf.salesforce.com ~all"
    );
    // A name the server does not know is NXDOMAIN (rcode 3), not an error.
    let f = fields_of(&src, "nosuch.test").await;
    assert_eq!(f["mx"], "rcode 3 ");
    assert!(f["home"].starts_with("failed: "), "{f:?}");
    assert!(dns.queries() >= 4);
}

#[tokio::test]
async fn a_name_resolving_to_a_private_address_is_refused_after_resolution() {
    let dns = DnsServer::start(zone());
    let site = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("secret admin page"))
        .mount(&site)
        .await;
    let (src, stats) = source(
        WebProbe::new(site.address().port(), None),
        json!({"dns_server": dns.setting()}),
    );
    let f = fields_of(&src, "brightlane.test").await;
    assert!(
        f["home"].contains("refused: brightlane.test resolves to 127.0.0.1, a loopback address"),
        "{f:?}"
    );
    let f = fields_of(&src, "inside.test").await;
    assert!(
        f["home"].contains("inside.test resolves to 10.0.0.5, a private address"),
        "{f:?}"
    );
    // DNS answers still come back; the site was never reached.
    assert!(f["mx"].starts_with("rcode"), "{f:?}");
    assert!(site.received_requests().await.unwrap().is_empty());
    assert_eq!(stats.report("probe").errors.get("unsafe_target"), Some(&2));
}

#[tokio::test]
async fn literal_addresses_and_metadata_endpoints_are_refused() {
    let dns = DnsServer::start(zone());
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:9/",
        "http://10.0.0.1/",
    ] {
        let (src, _) = source(
            WebProbe::new(0, Some(url)),
            json!({"dns_server": dns.setting()}),
        );
        let f = fields_of(&src, "brightlane.test").await;
        assert!(f["home"].contains("refused: "), "{url}: {f:?}");
    }
}

#[tokio::test]
async fn redirects_are_capped_and_large_pages_are_cut_not_refused() {
    let dns = DnsServer::start(zone());
    let site = MockServer::start().await;
    Mock::given(path("/loop"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "/loop"))
        .mount(&site)
        .await;
    Mock::given(path("/big"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/html")
                .set_body_string("<p>x</p>".repeat(500_000)),
        )
        .mount(&site)
        .await;
    Mock::given(path("/forbidden"))
        .respond_with(ResponseTemplate::new(403).set_body_string("bot check"))
        .mount(&site)
        .await;
    let settings = json!({"dns_server": dns.setting(), "allow_private": true});
    let at = |p: &str| format!("http://127.0.0.1:{}{p}", site.address().port());

    let (src, _) = source(WebProbe::new(0, Some(&at("/loop"))), settings.clone());
    let f = fields_of(&src, "brightlane.test").await;
    assert!(f["home"].contains("gave up after 5 redirects"), "{f:?}");

    let (src, _) = source(WebProbe::new(0, Some(&at("/big"))), settings.clone());
    let f = fields_of(&src, "brightlane.test").await;
    assert_eq!(f["home"], "200 2097152 bytes truncated at 2097152");

    // A site that hangs times out (after one retry by this policy).
    Mock::given(path("/hang"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
        .mount(&site)
        .await;
    let (src, _) = source(WebProbe::new(0, Some(&at("/hang"))), settings.clone());
    let started = std::time::Instant::now();
    let f = fields_of(&src, "brightlane.test").await;
    assert!(f["home"].contains("timed out after 3 s"), "{f:?}");
    assert!(started.elapsed() < Duration::from_secs(10));

    // A site asking to wait an hour fails its own row; the source goes on.
    Mock::given(path("/busy"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "3600"))
        .mount(&site)
        .await;
    let (src, stats) = source(WebProbe::new(0, Some(&at("/busy"))), settings.clone());
    let f = fields_of(&src, "brightlane.test").await;
    assert!(f["home"].contains("not waited for"), "{f:?}");
    assert!(stats.stopped().is_none());

    // Two accounts with one key are one request, and both are answered.
    let (src, _) = source(WebProbe::new(0, Some(&at("/forbidden"))), settings.clone());
    let before = site.received_requests().await.unwrap().len();
    let twice = ["brightlane.test", "brightlane.test"].map(|k| Account {
        key: k.into(),
        fields: BTreeMap::new(),
    });
    let out = src.enrich(&twice).await.unwrap();
    assert!(matches!(
        out.get("brightlane.test"),
        Some(Outcome::Found { .. })
    ));
    assert_eq!(site.received_requests().await.unwrap().len(), before + 1);

    // A site's 403 is that site's answer: the source is not stopped.
    let (src, stats) = source(WebProbe::new(0, Some(&at("/forbidden"))), settings);
    let f = fields_of(&src, "brightlane.test").await;
    assert_eq!(f["home"], "403 9 bytes");
    assert!(stats.stopped().is_none());
}

#[tokio::test]
async fn bad_host_settings_are_config_errors() {
    let probe = WebProbe::new(0, None);
    let stats = Arc::new(SourceStats::default());
    let e = PlanSource::new(
        "web",
        Arc::new(probe),
        json!({"dns_server": "dns.example.com"}),
        Default::default(),
        Limiter::new(&[], 0.015),
        HttpPolicy::default(),
        stats,
        Arc::new(Budget::new(None)),
    )
    .err()
    .expect("a bad dns_server is refused");
    assert!(e.contains("ip:port"), "{e}");
}
