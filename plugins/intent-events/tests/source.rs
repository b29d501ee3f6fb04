//! Behaviour of the intent-events source over CSV, JSONL and XLSX event
//! exports.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use icp_plugin_sdk::{Account, Category, FieldType, Outcome, Source, SourceError};
use icp_source_intent_events::{IntentEvents, SKIPPED_CAP};
use serde_json::{Value, json};

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, bytes).unwrap();
    path
}

fn open(dir: &Path, settings: Value) -> IntentEvents {
    IntentEvents::open(&settings, dir).unwrap_or_else(|e| panic!("open: {e}"))
}

fn open_err(dir: &Path, settings: Value) -> String {
    match IntentEvents::open(&settings, dir) {
        Ok(f) => panic!("expected an error, got {f:?}"),
        Err(SourceError::Settings(m)) => m,
        Err(e) => panic!("expected a settings error, got {e:?}"),
    }
}

async fn enrich(src: &IntentEvents, keys: &[&str]) -> BTreeMap<String, Outcome> {
    let accounts: Vec<Account> = keys
        .iter()
        .map(|k| Account {
            key: k.to_string(),
            fields: BTreeMap::new(),
        })
        .collect();
    let out = src.enrich(&accounts).await.unwrap();
    let mut unique = keys.to_vec();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(out.len(), unique.len());
    out
}

/// The `intent_events` of a Found outcome (the only field).
fn events(out: &BTreeMap<String, Outcome>, key: &str) -> Value {
    match out.get(key) {
        Some(Outcome::Found { fields }) => {
            assert_eq!(fields.keys().collect::<Vec<_>>(), ["intent_events"]);
            fields["intent_events"].clone()
        }
        other => panic!("{key}: expected Found, got {other:?}"),
    }
}

/// The events of one account, straight from the source.
fn of(src: &IntentEvents, key: &str) -> Value {
    src.lookup(key)
        .unwrap_or_else(|| panic!("{key}: no events"))
}

fn skipped(src: &IntentEvents) -> Vec<u64> {
    src.load_report().skipped.iter().map(|s| s.line).collect()
}

fn reasons(src: &IntentEvents) -> Vec<String> {
    src.load_report()
        .skipped
        .iter()
        .map(|s| s.reason.clone())
        .collect()
}

#[tokio::test]
async fn bombora_like_topic_file_without_event_types() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "data/surge.csv",
        "\u{feff}Domain;Company Name;Topic Name;Topic ID;Composite Score;Date\n\
         acme.com;Acme Inc;CRM Software;1234;72;2026-11-16\n\
         acme.com;Acme Inc;Sales Forecasting;2233;65;2026-11-16\n\
         acme.com;Acme Inc;CRM Software;1234;80;2026-11-09\n\
         www.globex.co.uk;Globex;Customer Data Platform;3321;61;2026-11-16\n\
         ACME.COM;Acme Inc;crm  software;1234;75;2026-11-16\n",
    );
    // A relative path is relative to the config file's folder.
    let config = dir.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    let src = open(&config, json!({ "path": "../data/surge.csv" }));

    let m = src.manifest();
    assert_eq!(m.name, "intent-events");
    assert_eq!(m.category, Category::Intent);
    assert_eq!(m.key, "domain");
    assert_eq!(m.max_batch, 500);
    assert!(m.limits.is_empty());
    assert_eq!(m.cost_per_call, 0.0);
    assert!(m.secrets.is_empty());
    assert_eq!(m.fields.len(), 1);
    assert_eq!(m.fields[0].name, "intent_events");
    assert_eq!(m.fields[0].ty, FieldType::Events);
    assert!(m.problems().is_empty(), "{:?}", m.problems());

    let f = &src.files()[0];
    assert_eq!(f.key, ["Domain"]);
    assert_eq!(f.event_type, None);
    assert_eq!(f.timestamp, "Date");
    assert_eq!(f.weight, None);
    assert_eq!(f.topic.as_deref(), Some("Topic Name"));

    let out = enrich(&src, &["acme.com", "globex.co.uk", "initech.com"]).await;
    // No type column: every event is topic research (weight 2); the same
    // topic in another case or spacing is one topic, spelled as first seen.
    assert_eq!(
        events(&out, "acme.com"),
        json!([
            {"date": "2026-11-09", "type": "topic_research", "topic": "CRM Software", "weight": 2.0, "count": 1},
            {"date": "2026-11-16", "type": "topic_research", "topic": "CRM Software", "weight": 4.0, "count": 2},
            {"date": "2026-11-16", "type": "topic_research", "topic": "Sales Forecasting", "weight": 2.0, "count": 1},
        ])
    );
    assert_eq!(
        events(&out, "globex.co.uk"),
        json!([{"date": "2026-11-16", "type": "topic_research", "topic": "Customer Data Platform", "weight": 2.0, "count": 1}])
    );
    assert_eq!(out["initech.com"], Outcome::NoData);

    let r = src.load_report();
    assert_eq!((r.rows_read, r.events_kept, r.rows_skipped), (5, 5, 0));
    assert_eq!((r.accounts, r.entries, r.events_dropped), (2, 4, 0));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(
        r.to_string(),
        "5 rows read: 5 events kept for 2 accounts (4 entries), 0 rows skipped"
    );
    assert_eq!(src.len(), 2);

    // The provider's score as the weight, by naming its column.
    let src = open(
        &config,
        json!({ "path": "../data/surge.csv", "columns": { "weight": "composite score" } }),
    );
    assert_eq!(
        of(&src, "acme.com")[1],
        json!({"date": "2026-11-16", "type": "topic_research", "topic": "CRM Software", "weight": 147.0, "count": 2})
    );
}

#[tokio::test]
async fn website_visits_keyed_by_visitor_email() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "visits.csv",
        "Visitor Email,Event,Occurred At,URL\n\
         jane.doe@acme.com,Page View,2026-11-18T09:15:00Z,https://ourproduct.io/blog/crm\n\
         \"Jane Doe <jane.doe@Acme.com>\",Pricing Page Viewed,2026-11-18T09:17:42Z,https://ourproduct.io/pricing\n\
         bob@gmail.com,Page View,2026-11-18T10:00:00Z,https://ourproduct.io/\n\
         ceo@sub.initech.co.uk,pageview,2026-11-17T23:30:00-05:00,https://ourproduct.io/\n\
         ,Page View,2026-11-18T10:00:00Z,https://ourproduct.io/\n\
         mailto:ops@acme.com,page_view,2026-11-18 11:00:00,https://ourproduct.io/docs\n",
    );
    let src = open(dir.path(), json!({ "path": "visits.csv" }));
    // The URL is the page visited, not the company: no key, no topic.
    let f = &src.files()[0];
    assert_eq!(f.key, ["Visitor Email"]);
    assert_eq!(f.event_type.as_deref(), Some("Event"));
    assert_eq!(f.timestamp, "Occurred At");
    assert_eq!(f.topic, None);

    let out = enrich(
        &src,
        &["acme.com", "initech.co.uk", "gmail.com", "ourproduct.io"],
    )
    .await;
    // Without a topic column each event's topic is its type's label.
    assert_eq!(
        events(&out, "acme.com"),
        json!([
            {"date": "2026-11-18", "type": "page_visit", "topic": "page visit", "weight": 2.0, "count": 2},
            {"date": "2026-11-18", "type": "pricing_page_visit", "topic": "pricing page visit", "weight": 3.0, "count": 1},
        ])
    );
    // 23:30 at UTC-5 is the next day in UTC; a subdomain's mail is the
    // registrable domain's.
    assert_eq!(
        events(&out, "initech.co.uk"),
        json!([{"date": "2026-11-18", "type": "page_visit", "topic": "page visit", "weight": 1.0, "count": 1}])
    );
    assert_eq!(out["gmail.com"], Outcome::NoData);
    assert_eq!(out["ourproduct.io"], Outcome::NoData);

    assert_eq!(skipped(&src), [4, 6]);
    let why = reasons(&src);
    assert_eq!(
        why[0],
        "gmail.com is a free-mail domain (a person's address, not a company's)"
    );
    assert!(why[1].contains("blank"), "{why:?}");
    assert_eq!(src.load_report().skipped[0].file, "visits.csv");
}

#[tokio::test]
async fn g2_like_buyer_intent_with_categories_and_weights() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "g2.csv",
        "Company Name,Company Domain,Company Website,Activity,Category,Date,Country\n\
         Acme Inc,acme.com,https://www.acme.com,Pricing,CRM Software,11/18/2026,US\n\
         Globex,,https://globex.io/about,Comparison,CRM Software,11/17/2026,DE\n\
         Globex,,globex.io,Product Profile,CRM Software,11/17/2026,DE\n\
         Globex,,globex.io,Product Profile,Marketing Automation,11/16/2026,DE\n\
         Hooli,hooli.com,,Reviews,,11/15/2026,US\n",
    );
    let src = open(dir.path(), json!({ "path": "g2.csv" }));
    assert_eq!(src.files()[0].key, ["Company Domain", "Company Website"]);
    let out = enrich(&src, &["acme.com", "globex.io", "hooli.com"]).await;
    assert_eq!(
        events(&out, "acme.com"),
        json!([{"date": "2026-11-18", "type": "pricing_page_visit", "topic": "CRM Software", "weight": 3.0, "count": 1}])
    );
    // Sorted by date, then type; an unknown type weighs default_weight.
    assert_eq!(
        events(&out, "globex.io"),
        json!([
            {"date": "2026-11-16", "type": "product_profile", "topic": "Marketing Automation", "weight": 1.0, "count": 1},
            {"date": "2026-11-17", "type": "product_profile", "topic": "CRM Software", "weight": 1.0, "count": 1},
            {"date": "2026-11-17", "type": "review_site_research", "topic": "CRM Software", "weight": 4.0, "count": 1},
        ])
    );
    // A blank topic cell: no topic.
    assert_eq!(
        events(&out, "hooli.com"),
        json!([{"date": "2026-11-15", "type": "review_site_research", "weight": 4.0, "count": 1}])
    );
    let r = src.load_report();
    assert_eq!(
        r.unknown_types,
        BTreeMap::from([("product_profile".to_string(), 2)])
    );
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert!(
        r.warnings[0].contains("`product_profile` has no known weight")
            && r.warnings[0].contains("2 events")
            && r.warnings[0].contains("weights.product_profile"),
        "{}",
        r.warnings[0]
    );
    assert!(r.to_string().ends_with("; 1 warning"), "{r}");

    // Weights: an alias names the type; a custom type gets one.
    let src = open(
        dir.path(),
        json!({ "path": "g2.csv", "weights": { "Product Profile": 2.5, "G2": 6 } }),
    );
    let globex = of(&src, "globex.io");
    assert_eq!(globex[0]["weight"], json!(2.5));
    assert_eq!(globex[2]["weight"], json!(6.0));
    assert_eq!(of(&src, "hooli.com")[0]["weight"], json!(6.0));
    assert!(src.load_report().unknown_types.is_empty());
    assert!(src.load_report().warnings.is_empty());
}

#[tokio::test]
async fn aliases_weights_and_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("domain,activity type,date,points\n");
    let spellings = [
        ("Page View", "page_visit", 1.0),
        ("website visit", "page_visit", 1.0),
        ("pricing", "pricing_page_visit", 3.0),
        ("Pricing View", "pricing_page_visit", 3.0),
        ("Capterra", "review_site_research", 4.0),
        ("TrustRadius", "review_site_research", 4.0),
        ("g2_research", "review_site_research", 4.0),
        ("Hiring", "job_posting", 2.0),
        ("job opening", "job_posting", 2.0),
        ("Funding Round", "funding_news", 3.0),
        ("raised", "funding_news", 3.0),
        ("forum post", "community_activity", 1.0),
        ("Whitepaper", "content_download", 2.0),
        ("ebook", "content_download", 2.0),
        ("Webinar", "webinar_attended", 2.0),
        ("demo", "demo_request", 5.0),
        ("Demo Requested", "demo_request", 5.0),
        ("free trial", "trial_signup", 5.0),
        ("signup", "trial_signup", 5.0),
        ("email_click", "email_click", 1.0),
        ("Email Open", "email_open", 0.5),
    ];
    // One account per spelling, so each gets its own entry.
    for (i, (raw, _, _)) in spellings.iter().enumerate() {
        text.push_str(&format!("a{i}.com,{raw},2026-11-18,\n"));
    }
    text.push_str("weighted.com,Pricing,2026-11-18,7.5\n");
    text.push_str("weighted.com,Pricing,2026-11-18,n/a\n");
    text.push_str("custom.com,Product Tour,2026-11-18,\n");
    text.push_str("custom.com,Product Tour,2026-11-19,0\n");
    write(dir.path(), "e.csv", &text);

    let src = open(dir.path(), json!({ "path": "e.csv" }));
    assert_eq!(src.files()[0].weight.as_deref(), Some("points"));
    for (i, (raw, id, weight)) in spellings.iter().enumerate() {
        let e = &of(&src, &format!("a{i}.com"))[0];
        assert_eq!(e["type"], json!(id), "{raw}");
        assert_eq!(e["weight"], json!(weight), "{raw}");
        assert_eq!(e["topic"], json!(id.replace('_', " ")), "{raw}");
    }
    // A number in the weight column wins; a placeholder falls back.
    assert_eq!(
        of(&src, "weighted.com"),
        json!([{"date": "2026-11-18", "type": "pricing_page_visit", "topic": "pricing page visit", "weight": 10.5, "count": 2}])
    );
    assert_eq!(
        of(&src, "custom.com"),
        json!([
            {"date": "2026-11-18", "type": "product_tour", "topic": "product tour", "weight": 1.0, "count": 1},
            {"date": "2026-11-19", "type": "product_tour", "topic": "product tour", "weight": 0.0, "count": 1},
        ])
    );
    // Only the event that got default_weight counts as unweighted.
    assert_eq!(
        src.load_report().unknown_types,
        BTreeMap::from([("product_tour".to_string(), 1)])
    );

    // Overrides: by alias, a custom type, default_weight; unused entries warn.
    let src = open(
        dir.path(),
        json!({
            "path": "e.csv",
            "weights": { "Pricing Page": 10, "email_open": 0, "hiring": 2.25, "prodct_tour": 9 },
            "default_weight": 0.25,
        }),
    );
    assert_eq!(of(&src, "a2.com")[0]["weight"], json!(10.0));
    assert_eq!(of(&src, "a20.com")[0]["weight"], json!(0.0));
    assert_eq!(of(&src, "a7.com")[0]["weight"], json!(2.25));
    assert_eq!(of(&src, "weighted.com")[0]["weight"], json!(17.5));
    assert_eq!(of(&src, "custom.com")[0]["weight"], json!(0.25));
    let w = &src.load_report().warnings;
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(w[0].contains("default_weight 0.25"), "{w:?}");
    assert!(
        w[1].contains("weights.prodct_tour: no event of type `prodct_tour`"),
        "{w:?}"
    );
}

#[tokio::test]
async fn every_timestamp_style() {
    let dir = tempfile::tempdir().unwrap();
    let styles = [
        ("2026-11-18", "2026-11-18"),
        ("2026-11-18T14:03:00", "2026-11-18"),
        ("2026-11-18T14:03:00Z", "2026-11-18"),
        ("2026-11-18T14:03:00.250Z", "2026-11-18"),
        ("2026-11-18T14:03:00+01:00", "2026-11-18"),
        ("2026-11-18T00:30:00+02:00", "2026-11-17"),
        ("2026-11-18T22:00:00-08:00", "2026-11-19"),
        ("2026-11-18 14:03:00", "2026-11-18"),
        ("1763474580", "2025-11-18"),
        ("1763474580000", "2025-11-18"),
        ("11/18/2026", "2026-11-18"),
        ("18.11.2026", "2026-11-18"),
        ("2026/11/18", "2026-11-18"),
        ("Nov 18, 2026", "2026-11-18"),
        ("11/18/2026 2:03 PM", "2026-11-18"),
    ];
    let mut text = String::from("domain,type,timestamp\n");
    for (i, (raw, _)) in styles.iter().enumerate() {
        text.push_str(&format!("t{i}.com,visit,\"{raw}\"\n"));
    }
    write(dir.path(), "t.csv", &text);
    let src = open(dir.path(), json!({ "path": "t.csv" }));
    assert!(src.load_report().skipped.is_empty(), "{:?}", reasons(&src));
    for (i, (raw, want)) in styles.iter().enumerate() {
        assert_eq!(
            of(&src, &format!("t{i}.com"))[0]["date"],
            json!(want),
            "{raw}"
        );
    }
}

#[tokio::test]
async fn bad_rows_are_reported_with_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "e.csv",
        "Domain,Event,Date,Weight\n\
         acme.com,page view,2026-11-18,\n\
         ,page view,2026-11-18,\n\
         n/a,page view,2026-11-18,\n\
         https://www.linkedin.com/company/acme,page view,2026-11-18,\n\
         acme.com,page view,yesterday,\n\
         acme.com,page view,,\n\
         acme.com,,2026-11-18,\n\
         acme.com,page view,2026-11-18,-2\n\
         acme.com,page view,2026-11-18,inf\n\
         acme.com,page view,2026-11-18,lots\n\
         acme.com,\"page\nview\",2026-11-18,1\n\
         acme.com,page view,2026-11-18,1,extra\n\
         acme.com,page view,2026-13-45,\n\
         acme.com,!!!,2026-11-18,\n\
         globex.com,demo,2026-11-19,\n",
    );
    let src = open(dir.path(), json!({ "path": "e.csv" }));
    let r = src.load_report();
    assert_eq!(skipped(&src), [3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 15, 16]);
    let why = reasons(&src);
    for (reason, want) in why.iter().zip([
        "blank",
        "placeholder",
        "LinkedIn",
        "column \"Date\": cannot read the timestamp \"yesterday\"",
        "no timestamp (column \"Date\" is blank)",
        "no event type (column \"Event\" is blank)",
        "column \"Weight\": weight \"-2\" is negative",
        "column \"Weight\": weight \"inf\" is not a finite number",
        "column \"Weight\": weight \"lots\" is not a number",
        "5 fields but the header has 4",
        "cannot read the timestamp \"2026-13-45\"",
        "event type \"!!!\" is not a name",
    ]) {
        assert!(reason.contains(want), "{reason:?} lacks {want:?}");
    }
    assert_eq!((r.rows_read, r.events_kept, r.rows_skipped), (15, 3, 12));
    assert!(!r.skipped_truncated);
    assert!(
        r.to_string().starts_with(
            "15 rows read: 3 events kept for 2 accounts (2 entries), 12 rows skipped (first: e.csv line 3:"
        ),
        "{r}"
    );
    let report = serde_json::to_value(r).unwrap();
    assert_eq!(
        report["skipped"][0],
        json!({"file": "e.csv", "line": 3, "reason": "no company domain (the key column is blank)"})
    );
    // The good rows, including the one with a line break in a cell
    // (`page\nview` is the type `page_view`).
    assert_eq!(
        of(&src, "acme.com"),
        json!([{"date": "2026-11-18", "type": "page_visit", "topic": "page visit", "weight": 2.0, "count": 2}])
    );
    assert_eq!(of(&src, "globex.com")[0]["type"], json!("demo_request"));
}

#[tokio::test]
async fn jsonl_events_with_malformed_lines() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "events.jsonl",
        concat!(
            r#"{"email":"ana@acme.com","event_type":"demo_requested","timestamp":1763474580,"weight":7,"topic":"Enterprise plan"}"#,
            "\n",
            r#"{"email":"ana@acme.com","event_type":"webinar","timestamp":1763474580000,"topic":"AI workflows"}"#,
            "\n",
            r#"{"domain":"globex.io","email":"x@gmail.com","event_type":"trial","timestamp":"2026-11-18T08:00:00+02:00"}"#,
            "\n",
            "not json at all\n",
            r#"{"domain":"globex.io","event_type":"trial","#,
            "\n",
            "[1,2,3]\n",
            "\n",
            r#"{"domain":"","email":"","event_type":"trial","timestamp":"2026-11-18"}"#,
            "\n",
            r#"{"domain":"initech.com","event_type":"ebook","timestamp":"2026-11-18","weight":"-2"}"#,
            "\n",
            r#"{"domain":"initech.com","event_type":"ebook","timestamp":1763474580.5,"weight":null,"extra":{"nested":true}}"#,
            "\n",
        ),
    );
    let src = open(dir.path(), json!({ "path": "events.jsonl" }));
    let f = &src.files()[0];
    assert_eq!(f.key, ["domain", "email"]);
    assert_eq!(f.event_type.as_deref(), Some("event_type"));
    assert_eq!(f.weight.as_deref(), Some("weight"));
    assert_eq!(f.topic.as_deref(), Some("topic"));

    let out = enrich(&src, &["acme.com", "globex.io", "initech.com"]).await;
    assert_eq!(
        events(&out, "acme.com"),
        json!([
            {"date": "2025-11-18", "type": "demo_request", "topic": "Enterprise plan", "weight": 7.0, "count": 1},
            {"date": "2025-11-18", "type": "webinar_attended", "topic": "AI workflows", "weight": 2.0, "count": 1},
        ])
    );
    // The domain column wins over a free-mail address in the e-mail column.
    assert_eq!(
        events(&out, "globex.io"),
        json!([{"date": "2026-11-18", "type": "trial_signup", "weight": 5.0, "count": 1}])
    );
    assert_eq!(
        events(&out, "initech.com"),
        json!([{"date": "2025-11-18", "type": "content_download", "weight": 2.0, "count": 1}])
    );
    assert_eq!(skipped(&src), [4, 5, 6, 8, 9]);
    let why = reasons(&src);
    assert!(why[2].contains("expected a JSON object"), "{why:?}");
    assert!(why[3].contains("blank"), "{why:?}");
    assert!(why[4].contains("negative"), "{why:?}");
    let r = src.load_report();
    assert_eq!((r.rows_read, r.events_kept, r.rows_skipped), (9, 4, 5));
}

#[tokio::test]
async fn binary_garbage_lines_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"domain,event,date\nacme.com,pricing,2026-11-18\n".to_vec();
    bytes.extend_from_slice(b"\x00\x01\x02\xff\xfe\x89PNG\r\n\x1a\n");
    bytes.extend_from_slice(b"\x00\xc3\x28,\xa0\xa1,\xe2\x28\xa1\n");
    bytes.extend_from_slice(b"globex.com,demo,2026-11-19\n");
    write(dir.path(), "e.csv", &bytes);
    let src = open(dir.path(), json!({ "path": "e.csv" }));
    assert_eq!(of(&src, "acme.com")[0]["type"], json!("pricing_page_visit"));
    assert_eq!(of(&src, "globex.com")[0]["type"], json!("demo_request"));
    let r = src.load_report();
    assert_eq!(r.events_kept, 2);
    assert!(r.rows_skipped >= 2, "{r}");
    assert!(skipped(&src).iter().all(|&l| (3..=5).contains(&l)), "{r}");
    // Reasons quote the garbage without its control characters.
    assert!(
        reasons(&src)
            .iter()
            .all(|w| !w.chars().any(char::is_control)),
        "{r}"
    );

    let mut jsonl = br#"{"domain":"acme.com","event":"pricing","date":"2026-11-18"}"#.to_vec();
    jsonl.extend_from_slice(b"\n\x00\x9f\x92\x96garbage\xff\n");
    jsonl.extend_from_slice(br#"{"domain":"globex.com","event":"demo","date":"2026-11-19"}"#);
    jsonl.push(b'\n');
    write(dir.path(), "e.jsonl", &jsonl);
    let src = open(dir.path(), json!({ "path": "e.jsonl" }));
    assert_eq!(src.len(), 2);
    assert_eq!(skipped(&src), [2]);

    // A file that is garbage throughout has no key column: a settings error
    // naming the file.
    write(
        dir.path(),
        "junk.csv",
        b"\x00\x01\x02\x03\xff\xfe\xfd\n\x04\x05\n",
    );
    let e = open_err(dir.path(), json!({ "path": "junk.csv" }));
    assert!(
        e.contains("junk.csv") && e.contains("no company key column"),
        "{e}"
    );
}

#[tokio::test]
async fn xlsx_events_with_date_cells() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.xlsx");
    let mut wb = Workbook::new();
    let notes = wb.add_worksheet().set_name("About").unwrap();
    notes.write_string(0, 0, "Exported from the CRM").unwrap();
    let ws = wb.add_worksheet().set_name("Activities").unwrap();
    for (c, h) in [
        "Contact Email",
        "Activity",
        "Created At",
        "Score",
        "Keyword",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let day = Format::new().set_num_format("yyyy-mm-dd");
    let stamp = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    ws.write_string(1, 0, "ana@acme.com").unwrap();
    ws.write_string(1, 1, "Whitepaper").unwrap();
    ws.write_datetime_with_format(1, 2, ExcelDateTime::from_ymd(2026, 11, 18).unwrap(), &day)
        .unwrap();
    ws.write_number(1, 3, 2.5).unwrap();
    ws.write_string(1, 4, "data governance").unwrap();
    ws.write_string(2, 0, "bo@acme.com").unwrap();
    ws.write_string(2, 1, "whitepaper").unwrap();
    ws.write_datetime_with_format(
        2,
        2,
        ExcelDateTime::from_ymd(2026, 11, 18)
            .unwrap()
            .and_hms(16, 45, 0)
            .unwrap(),
        &stamp,
    )
    .unwrap();
    ws.write_string(2, 4, "Data Governance").unwrap();
    // An unformatted date: the spreadsheet's serial day number.
    ws.write_string(3, 0, "cy@globex.io").unwrap();
    ws.write_string(3, 1, "Demo").unwrap();
    ws.write_number(3, 2, 46344.0).unwrap();
    // A text timestamp, and a row without a key.
    ws.write_string(4, 0, "dee@globex.io").unwrap();
    ws.write_string(4, 1, "Trial").unwrap();
    ws.write_string(4, 2, "2026-11-20T09:00:00Z").unwrap();
    ws.write_string(5, 1, "Trial").unwrap();
    ws.write_string(5, 2, "2026-11-20").unwrap();
    wb.save(&path).unwrap();

    // The first sheet has no event columns.
    let e = open_err(dir.path(), json!({ "path": "events.xlsx" }));
    assert!(
        e.contains("events.xlsx") && e.contains("no company key column"),
        "{e}"
    );

    let src = open(
        dir.path(),
        json!({ "path": "events.xlsx", "sheet": "Activities" }),
    );
    assert_eq!(
        of(&src, "acme.com"),
        json!([{"date": "2026-11-18", "type": "content_download", "topic": "data governance", "weight": 4.5, "count": 2}])
    );
    assert_eq!(
        of(&src, "globex.io"),
        json!([
            {"date": "2026-11-18", "type": "demo_request", "weight": 5.0, "count": 1},
            {"date": "2026-11-20", "type": "trial_signup", "weight": 5.0, "count": 1},
        ])
    );
    assert_eq!(skipped(&src), [6]);
}

#[tokio::test]
async fn several_files_aggregate_into_one_account() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "web.csv",
        "email,event,timestamp\njane@acme.com,pricing,2026-11-18T10:00:00Z\n",
    );
    write(
        dir.path(),
        "crm.jsonl",
        concat!(
            r#"{"website":"https://acme.com","activity":"pricing page","date":"2026-11-18"}"#,
            "\n",
            r#"{"website":"acme.com","activity":"demo","date":"not a date"}"#,
            "\n"
        ),
    );
    let src = open(dir.path(), json!({ "paths": ["web.csv", "crm.jsonl"] }));
    assert_eq!(src.files().len(), 2);
    assert_eq!(src.files()[1].key, ["website"]);
    assert_eq!(
        of(&src, "acme.com"),
        json!([{"date": "2026-11-18", "type": "pricing_page_visit", "topic": "pricing page visit", "weight": 6.0, "count": 2}])
    );
    let r = src.load_report();
    assert_eq!(r.skipped[0].file, "crm.jsonl");
    assert_eq!(r.skipped[0].line, 2);
    assert!(
        r.skipped[0].reason.contains("\"not a date\""),
        "{:?}",
        r.skipped
    );

    // A file whose rows all fail is worth a warning.
    write(
        dir.path(),
        "bad.csv",
        "domain,event,date\nacme.com,visit,someday\n",
    );
    let src = open(dir.path(), json!({ "paths": ["web.csv", "bad.csv"] }));
    assert!(
        src.load_report()
            .warnings
            .iter()
            .any(|w| w.contains("bad.csv: none of its 1 row gave an event")),
        "{:?}",
        src.load_report().warnings
    );
}

#[tokio::test]
async fn explicit_columns_override_detection() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "e.tsv",
        "Account Site\tWho\tWhat\tWhen\tdate\tStrength\tSubject\tcategory\n\
         https://acme.com\t\tPricing\t18.11.2026\t2020-01-01\t2\tCRM\tignored\n\
         \tkim@globex.io\tDemo\t19.11.2026\t2020-01-01\t\tAI\tignored\n",
    );
    let src = open(
        dir.path(),
        json!({
            "path": "e.tsv",
            "delimiter": "tab",
            "columns": {
                "domain": "account site",
                "email": "Who",
                "type": "What",
                "timestamp": "When",
                "weight": "Strength",
                "topic": "Subject"
            }
        }),
    );
    assert_eq!(
        of(&src, "acme.com"),
        json!([{"date": "2026-11-18", "type": "pricing_page_visit", "topic": "CRM", "weight": 2.0, "count": 1}])
    );
    assert_eq!(
        of(&src, "globex.io"),
        json!([{"date": "2026-11-19", "type": "demo_request", "topic": "AI", "weight": 5.0, "count": 1}])
    );
}

#[tokio::test]
async fn max_events_per_account_keeps_the_most_recent() {
    let dir = tempfile::tempdir().unwrap();
    // 300 days of visits for acme (enough to compact while loading), in
    // shuffled order, and one event for globex.
    let mut text = String::from("domain,event,date\n");
    for k in 0..300u32 {
        let d = (k * 7919) % 300;
        let date = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
            + chrono::Duration::days(i64::from(d));
        text.push_str(&format!("acme.com,visit,{date}\n"));
        if d == 299 {
            text.push_str(&format!("acme.com,demo,{date}\n"));
        }
    }
    text.push_str("globex.com,visit,2026-01-01\n");
    write(dir.path(), "e.csv", &text);

    let all = open(dir.path(), json!({ "path": "e.csv" }));
    assert_eq!(all.load_report().events_dropped, 0);
    let every = of(&all, "acme.com");
    assert_eq!(every.as_array().unwrap().len(), 301);

    let src = open(
        dir.path(),
        json!({ "path": "e.csv", "max_events_per_account": 5 }),
    );
    let kept = of(&src, "acme.com");
    let kept = kept.as_array().unwrap();
    assert_eq!(kept.len(), 5);
    // The newest five entries, the same as the tail of the full list.
    assert_eq!(kept[..], every.as_array().unwrap()[296..]);
    assert_eq!(kept[4]["type"], json!("page_visit"));
    assert_eq!(kept[3]["type"], json!("demo_request"));
    assert_eq!(kept[4]["date"], json!("2026-10-27"));
    assert_eq!(of(&src, "globex.com").as_array().unwrap().len(), 1);
    let r = src.load_report();
    assert_eq!((r.events_kept, r.events_dropped, r.entries), (6, 296, 6));
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("296 older events of 1 account dropped")),
        "{:?}",
        r.warnings
    );
    assert!(r.to_string().contains("296 older events dropped"), "{r}");
}

#[tokio::test]
async fn unknown_and_odd_keys_are_no_data() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "e.csv",
        "domain,event,date\nacme.com,visit,2026-11-18\n",
    );
    let src = open(dir.path(), json!({ "path": "e.csv" }));
    let out = enrich(
        &src,
        &[
            "unknown.com",
            "",
            "not a domain",
            "gmail.com",
            "acme.com",
            "https://www.ACME.com/pricing",
            "jane@acme.com",
        ],
    )
    .await;
    for k in ["unknown.com", "", "not a domain", "gmail.com"] {
        assert_eq!(out[k], Outcome::NoData, "{k}");
    }
    // Keys are normalised defensively, the same way as the file's.
    let acme = events(&out, "acme.com");
    assert_eq!(events(&out, "https://www.ACME.com/pricing"), acme);
    assert_eq!(events(&out, "jane@acme.com"), acme);
    assert!(src.entries("sub.acme.com").is_some());
    assert_eq!(
        enrich(&src, &[]).await,
        BTreeMap::new(),
        "an empty batch is an empty map"
    );
}

#[test]
fn skipped_list_is_capped() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("email,event,date\nceo@acme.com,visit,2026-11-18\n");
    for i in 0..SKIPPED_CAP + 5 {
        text.push_str(&format!("person{i}@gmail.com,visit,2026-11-18\n"));
    }
    write(dir.path(), "people.csv", text);
    let src = open(dir.path(), json!({ "path": "people.csv" }));
    let r = src.load_report();
    assert_eq!(r.rows_skipped, SKIPPED_CAP as u64 + 5);
    assert_eq!(r.skipped.len(), SKIPPED_CAP);
    assert!(r.skipped_truncated);
    assert_eq!(r.skipped.last().unwrap().line, SKIPPED_CAP as u64 + 2);
    assert_eq!(src.len(), 1);
}

#[test]
fn settings_errors_name_the_file_and_the_headers() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "e.csv",
        "Domain,Event,Date\nacme.com,visit,2026-11-18\n",
    );
    write(
        dir.path(),
        "nokey.csv",
        "Company,Event,Date\nAcme,visit,2026-11-18\n",
    );
    write(
        dir.path(),
        "notime.csv",
        "Domain,Event,Topic\nacme.com,visit,CRM\n",
    );
    write(dir.path(), "empty.csv", "");
    std::fs::create_dir_all(dir.path().join("folder.csv")).unwrap();

    let e = open_err(dir.path(), json!({ "path": "missing.csv" }));
    assert!(
        e.contains("missing.csv")
            && e.contains("not found")
            && e.contains("relative to the config folder")
            && e.contains("check the path"),
        "{e}"
    );
    // Every file of `paths` must exist.
    let e = open_err(dir.path(), json!({ "paths": ["e.csv", "gone.jsonl"] }));
    assert!(e.contains("gone.jsonl") && e.contains("not found"), "{e}");

    let e = open_err(dir.path(), json!({ "path": "nokey.csv" }));
    assert!(
        e.contains("nokey.csv")
            && e.contains("no company key column")
            && e.contains("columns.domain")
            && e.contains("\"Company\", \"Event\", \"Date\""),
        "{e}"
    );
    let e = open_err(dir.path(), json!({ "path": "notime.csv" }));
    assert!(
        e.contains("notime.csv")
            && e.contains("no timestamp column")
            && e.contains("columns.timestamp")
            && e.contains("\"Domain\", \"Event\", \"Topic\""),
        "{e}"
    );
    let e = open_err(
        dir.path(),
        json!({ "path": "e.csv", "columns": { "timestamp": "Occurred" } }),
    );
    assert!(
        e.contains("columns.timestamp") && e.contains("\"Occurred\"") && e.contains("\"Domain\""),
        "{e}"
    );
    let e = open_err(dir.path(), json!({ "path": "empty.csv" }));
    assert!(e.contains("empty.csv") && e.contains("empty"), "{e}");
    let e = open_err(dir.path(), json!({ "path": "folder.csv" }));
    assert!(e.contains("folder.csv"), "{e}");
    let e = open_err(dir.path(), json!({ "path": "e.parquet" }));
    assert!(e.contains("e.parquet") && e.contains("unsupported"), "{e}");

    // Unknown settings name the key.
    let e = open_err(dir.path(), json!({ "path": "e.csv", "wieghts": {} }));
    assert!(e.contains("unknown setting `wieghts`"), "{e}");
    let e = open_err(
        dir.path(),
        json!({ "path": "e.csv", "columns": { "company": "Domain" } }),
    );
    assert!(e.contains("unknown setting `columns.company`"), "{e}");
    let e = open_err(
        dir.path(),
        json!({ "path": "e.csv", "max_events_per_account": 0 }),
    );
    assert!(e.contains("max_events_per_account"), "{e}");

    let err = IntentEvents::open(&json!({ "path": "missing.csv" }), dir.path()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("invalid settings: intent-events:"),
        "{err}"
    );
}
