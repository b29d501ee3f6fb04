//! The conformance kit (icp-conformance) on a small events file.

use icp_conformance::check_source;
use icp_plugin_sdk::{FieldType, Source};
use icp_source_intent_events::IntentEvents;
use serde_json::json;

/// A web-analytics and review-site export as people get them: e-mail and
/// website keys, event types in several spellings, timestamps in four
/// styles, a topic column with a blank, a free-mail row (skipped) and an
/// unreadable timestamp (skipped).
const EVENTS: &str = "\
Contact Email,Website,Event Type,Occurred At,Topic,Weight
jane@acme.de,,Pricing Page,2026-11-18T09:15:00Z,CRM software,
jane@acme.de,,pricing,2026-11-18 10:00:00,CRM software,
,https://www.globex.co.uk/about,G2,11/17/2026,,
ceo@initech.com,,Demo Requested,1763474580,Enterprise plan,6
ceo@initech.com,,Product Tour,18.11.2026,,
bob@gmail.com,,Page View,2026-11-18,,
ceo@initech.com,,Page View,someday,,
";

#[tokio::test]
async fn an_events_file_passes_the_kit() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("events.csv"), EVENTS).unwrap();
    let src = IntentEvents::open(&json!({ "path": "events.csv" }), dir.path()).unwrap();
    assert_eq!(src.len(), 3);
    assert_eq!(src.load_report().rows_skipped, 2);
    assert_eq!(src.manifest().fields[0].ty, FieldType::Events);
    let report = check_source(
        &src,
        &["acme.de", "globex.co.uk", "initech.com"],
        "nosuch-company.com",
    )
    .await;
    report.assert_ok();
    assert_eq!(report.checks.len(), 6, "{report}");
}
