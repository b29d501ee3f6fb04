//! The conformance kit (icp-conformance) on a small set of member exports.

use icp_conformance::check_source;
use icp_plugin_sdk::Source;
use icp_source_community_members::CommunityMembers;
use serde_json::json;

/// A forum export (Discourse-style headers, dates in three styles, a
/// free-mail member, a member without an e-mail) and a chat export (JSON
/// lines, unix-time joins, a duplicate of a forum member, a bad line).
const FORUM: &str = "\
username,name,email,title,created_at,last_seen_at,post_count,topic_count
ada.dev,Ada Lovelace,ada@northwindcapital.com,Staff Engineer,2025-03-14 09:12:00 UTC,2026-11-18T14:03:00Z,12,4
grace,Grace Hopper,grace@northwindcapital.com,,06/01/2025,18.11.2026,5,1
promo99,,promo.deals@gmail.com,,2026-05-01,2026-11-20,27,9
nomail,No Mail,,,2026-01-05,,1,0
";

const CHAT: &str = concat!(
    r#"{"username":"ada_chat","email":"ada@northwindcapital.com","joined_at":1717200000,"messages":40,"role":"developer"}"#,
    "\n",
    r#"{"username":"ml_mike","email":"mike@helixhealth.org","joined_at":1741943520,"messages":3,"events_attended":2}"#,
    "\n",
    "{broken\n",
);

#[tokio::test]
async fn member_exports_pass_the_kit() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("forum.csv"), FORUM).unwrap();
    std::fs::write(dir.path().join("chat.jsonl"), CHAT).unwrap();
    let src = CommunityMembers::open(&json!({ "paths": ["forum.csv", "chat.jsonl"] }), dir.path())
        .unwrap();
    assert_eq!(src.len(), 5);
    assert_eq!(src.load_report().skipped.len(), 1);
    // A company roll-up, a member by e-mail, a free-mail member, a member
    // by handle: every field type (text, number, date, list, events).
    let report = check_source(
        &src,
        &[
            "northwindcapital.com",
            "helixhealth.org",
            "ada@northwindcapital.com",
            "promo.deals@gmail.com",
            "nomail",
        ],
        "nosuch-company.com",
    )
    .await;
    report.assert_ok();
    assert_eq!(report.checks.len(), 6, "{report}");
    assert_eq!(src.manifest().max_batch, 500);
}
