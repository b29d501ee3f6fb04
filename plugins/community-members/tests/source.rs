//! Behaviour of the community-members source over forum, chat, code-host,
//! community-platform and CRM exports (CSV, JSONL, XLSX).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use icp_plugin_sdk::{Account, Category, FieldType, Outcome, Source, SourceError};
use icp_source_community_members::{CommunityMembers, NOTES_CAP, NotRolledUp, RowNote};
use serde_json::{Value, json};

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, bytes).unwrap();
    path
}

fn open(dir: &Path, settings: Value) -> CommunityMembers {
    CommunityMembers::open(&settings, dir).unwrap_or_else(|e| panic!("open: {e}"))
}

fn open_err(dir: &Path, settings: Value) -> String {
    match CommunityMembers::open(&settings, dir) {
        Ok(f) => panic!("expected an error, got {f:?}"),
        Err(SourceError::Settings(m)) => m,
        Err(e) => panic!("expected a settings error, got {e:?}"),
    }
}

async fn enrich(src: &CommunityMembers, keys: &[&str]) -> BTreeMap<String, Outcome> {
    let accounts: Vec<Account> = keys
        .iter()
        .map(|k| Account {
            key: k.to_string(),
            fields: BTreeMap::new(),
        })
        .collect();
    let out = src.enrich(&accounts).await.unwrap();
    let mut want: Vec<&str> = keys.to_vec();
    want.sort_unstable();
    want.dedup();
    assert_eq!(out.keys().map(String::as_str).collect::<Vec<_>>(), want);
    out
}

fn found(out: &BTreeMap<String, Outcome>, key: &str) -> Value {
    match out.get(key) {
        Some(Outcome::Found { fields }) => serde_json::to_value(fields).unwrap(),
        other => panic!("{key}: expected Found, got {other:?}"),
    }
}

/// One intent event as the source delivers it.
fn ev(date: &str, ty: &str, topic: &str, weight: f64, count: u64) -> Value {
    json!({ "date": date, "type": ty, "topic": topic, "weight": weight, "count": count })
}

fn lines(notes: &[RowNote]) -> Vec<u64> {
    notes.iter().map(|n| n.line).collect()
}

fn mapped(src: &CommunityMembers, file: usize) -> Vec<(&str, Vec<&str>)> {
    src.load_report().files[file]
        .columns
        .iter()
        .map(|c| (c.field, c.headers.iter().map(String::as_str).collect()))
        .collect()
}

const DISCOURSE: &str = "\
id,username,name,email,title,created_at,last_seen_at,last_posted_at,post_count,topic_count,likes_received,trust_level
1,ada.dev,Ada Lovelace,Ada@NorthwindCapital.com,Staff Engineer,2025-03-14 09:12:00 UTC,2026-11-18 14:03:00 UTC,2026-11-17 10:00:00 UTC,12,4,30,2
2,grace,Grace Hopper,grace@northwindcapital.com,,2025-06-01T08:00:00Z,2026-11-18T09:00:00Z,,5,1,2,1
3,linus,Linus,linus@northwindcapital.com,CTO,2024-11-20,2026-10-12,,0,0,0,1
4,promo99,,promo.deals@gmail.com,,2026-05-01,2026-11-20,,27,9,0,0
5,nomail,No Mail,,,2026-01-05,2026-11-01,,1,0,0,0
";

#[tokio::test]
async fn discourse_user_export() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "exports/forum-users.csv", DISCOURSE);
    // A relative path is relative to the config file's folder.
    let config_dir = dir.path().join("config");
    std::fs::create_dir_all(&config_dir).unwrap();
    let src = open(&config_dir, json!({ "path": "../exports/forum-users.csv" }));

    let m = src.manifest();
    assert_eq!(m.name, "community-members");
    assert_eq!(m.category, Category::Member);
    assert_eq!(m.key, "domain");
    assert_eq!(m.max_batch, 500);
    assert!(m.limits.is_empty());
    assert_eq!(m.cost_per_call, 0.0);
    assert!(m.problems().is_empty(), "{:?}", m.problems());
    let ty = |name: &str| {
        m.fields
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("no field {name}"))
            .ty
    };
    for (name, want) in [
        ("handle", FieldType::Text),
        ("email", FieldType::Text),
        ("name", FieldType::Text),
        ("role", FieldType::Text),
        ("job_title", FieldType::Text),
        ("company_domain", FieldType::Text),
        ("join_date", FieldType::Date),
        ("last_active", FieldType::Date),
        ("posts", FieldType::Number),
        ("replies", FieldType::Number),
        ("events_attended", FieldType::Number),
        ("contributions", FieldType::Number),
        ("community_members", FieldType::Number),
        ("community_last_active", FieldType::Date),
        ("community_first_joined", FieldType::Date),
        ("community_posts", FieldType::Number),
        ("community_replies", FieldType::Number),
        ("community_events_attended", FieldType::Number),
        ("community_contributions", FieldType::Number),
        ("community_roles", FieldType::List),
        ("community_handles", FieldType::List),
        ("intent_events", FieldType::Events),
    ] {
        assert_eq!(ty(name), want, "{name}");
    }
    assert_eq!(m.fields.len(), 22);
    assert!(m.fields.iter().all(|f| !f.about.is_empty()));

    // topic_count is not posts, likes_received is not contributions.
    assert_eq!(
        mapped(&src, 0),
        [
            ("handle", vec!["username"]),
            ("email", vec!["email"]),
            ("name", vec!["name"]),
            ("job_title", vec!["title"]),
            ("join_date", vec!["created_at"]),
            ("last_active", vec!["last_seen_at", "last_posted_at"]),
            ("posts", vec!["post_count"]),
        ]
    );

    let out = enrich(
        &src,
        &[
            "ADA@northwindcapital.com",
            "northwindcapital.com",
            "https://www.northwindcapital.com/",
            "promo.deals@gmail.com",
            "gmail.com",
            "nomail",
            "@NoMail",
        ],
    )
    .await;
    assert_eq!(
        found(&out, "ADA@northwindcapital.com"),
        json!({
            "handle": "ada.dev",
            "email": "ada@northwindcapital.com",
            "name": "Ada Lovelace",
            "job_title": "Staff Engineer",
            "join_date": "2025-03-14",
            "last_active": "2026-11-18",
            "posts": 12,
            "company_domain": "northwindcapital.com",
            "intent_events": [
                ev("2025-03-14", "community_join", "community", 0.5, 1),
                ev("2026-11-18", "community_activity", "community", 1.0, 1),
            ],
        })
    );
    let company = found(&out, "northwindcapital.com");
    assert_eq!(
        company,
        json!({
            "community_members": 3,
            "community_last_active": "2026-11-18",
            "community_first_joined": "2024-11-20",
            "community_posts": 17,
            "community_handles": ["ada.dev", "grace", "linus"],
            "intent_events": [
                ev("2024-11-20", "community_join", "community", 0.5, 1),
                ev("2025-03-14", "community_join", "community", 0.5, 1),
                ev("2025-06-01", "community_join", "community", 0.5, 1),
                ev("2026-10-12", "community_activity", "community", 1.0, 1),
                ev("2026-11-18", "community_activity", "community", 2.0, 2),
            ],
        })
    );
    assert_eq!(found(&out, "https://www.northwindcapital.com/"), company);
    // Free-mail: found by e-mail, never a company.
    let promo = found(&out, "promo.deals@gmail.com");
    assert_eq!(promo["handle"], json!("promo99"));
    assert_eq!(promo["posts"], json!(27));
    assert!(promo.get("company_domain").is_none(), "{promo}");
    assert_eq!(out["gmail.com"], Outcome::NoData);
    // A member without an e-mail, by handle (any case, a leading @).
    let nomail = found(&out, "nomail");
    assert_eq!(nomail["name"], json!("No Mail"));
    assert_eq!(found(&out, "@NoMail"), nomail);

    let r = src.load_report();
    assert_eq!(
        (
            r.rows_read,
            r.members,
            r.rolled_up,
            r.companies,
            r.rows_merged
        ),
        (5, 5, 3, 1, 0)
    );
    assert_eq!(
        r.not_rolled_up,
        NotRolledUp {
            free_mail: 1,
            no_company_domain: 1
        }
    );
    assert!(r.skipped.is_empty() && r.warnings.is_empty());
    assert_eq!(src.len(), 5);
    assert_eq!(src.company_count(), 1);
    assert_eq!(
        r.to_string(),
        "5 rows read from 1 file: 5 members, 3 rolled up to 1 company, 2 not rolled up (1 free-mail, 1 without a company domain), 0 rows skipped"
    );
}

#[tokio::test]
async fn discord_member_list_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "discord.jsonl",
        concat!(
            r#"{"username":"ada_chat","display_name":"Ada","email":"ada@northwindcapital.com","joined_at":1741943520,"messages":40}"#,
            "\n",
            r#"{"display_name":"Bob the Builder","joined_at":"2026-02-01T10:00:00Z","messages":3}"#,
            "\n",
            "not json\n",
            r#"{"username":"carol","email":"Carol <carol@helixhealth.org>","joined_at":"1762999980000","messages":"7","last_message_at":"2026-11-03"}"#,
            "\n",
            r#"{"messages": 5}"#,
            "\n",
            "[1, 2]\n",
            r#"{"username":"dan","email":"dan@helixhealth.org","messages":"#,
            "\n",
        ),
    );
    let src = open(dir.path(), json!({ "path": "discord.jsonl" }));
    assert_eq!(
        mapped(&src, 0),
        [
            ("handle", vec!["username", "display_name"]),
            ("email", vec!["email"]),
            ("join_date", vec!["joined_at"]),
            ("last_active", vec!["last_message_at"]),
            ("posts", vec!["messages"]),
        ]
    );
    let out = enrich(
        &src,
        &[
            "ada@northwindcapital.com",
            "bob the builder",
            "carol@helixhealth.org",
            "helixhealth.org",
        ],
    )
    .await;
    // The username wins over the display name; unix seconds are dates.
    assert_eq!(
        found(&out, "ada@northwindcapital.com"),
        json!({
            "handle": "ada_chat",
            "email": "ada@northwindcapital.com",
            "join_date": "2025-03-14",
            "posts": 40,
            "company_domain": "northwindcapital.com",
            "intent_events": [ev("2025-03-14", "community_join", "community", 0.5, 1)],
        })
    );
    // Only a display name: that is the handle.
    assert_eq!(
        found(&out, "bob the builder"),
        json!({
            "handle": "Bob the Builder",
            "join_date": "2026-02-01",
            "posts": 3,
            "intent_events": [ev("2026-02-01", "community_join", "community", 0.5, 1)],
        })
    );
    // `Name <address>`, unix milliseconds, a count as text.
    let carol = found(&out, "carol@helixhealth.org");
    assert_eq!(carol["email"], json!("carol@helixhealth.org"));
    assert_eq!(carol["join_date"], json!("2025-11-13"));
    assert_eq!(carol["posts"], json!(7));
    assert_eq!(
        found(&out, "helixhealth.org"),
        json!({
            "community_members": 1,
            "community_first_joined": "2025-11-13",
            "community_last_active": "2026-11-03",
            "community_posts": 7,
            "community_handles": ["carol"],
            "intent_events": [
                ev("2025-11-13", "community_join", "community", 0.5, 1),
                ev("2026-11-03", "community_activity", "community", 1.0, 1),
            ],
        })
    );

    let r = src.load_report();
    assert_eq!(lines(&r.skipped), [3, 5, 6, 7]);
    assert_eq!(r.skipped[1].reason, "no e-mail and no handle");
    for s in &r.skipped {
        assert_eq!(s.file, "discord.jsonl");
        assert!(!s.reason.is_empty());
    }
    assert_eq!((r.rows_read, r.members, r.rows_skipped), (7, 3, 4));
    assert_eq!(r.files[0].rows_skipped, 4);
}

#[tokio::test]
async fn github_contributors() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "contributors.csv",
        "login,id,email,company,contributions,created_at,blog\n\
         octo-ada,1,ada@northwindcapital.com,@northwind,25,2019-04-01T12:00:00Z,\n\
         Mike-ML,2,,Helix Health,7,2020-01-01T00:00:00Z,https://helixhealth.org\n\
         solo,3,,,2,2021-05-05T00:00:00Z,\n",
    );
    let src = open(dir.path(), json!({ "path": "contributors.csv" }));
    // `company` is a company's name, `blog` a person's site: neither is a
    // company domain.
    assert_eq!(
        mapped(&src, 0),
        [
            ("handle", vec!["login"]),
            ("email", vec!["email"]),
            ("join_date", vec!["created_at"]),
            ("contributions", vec!["contributions"]),
        ]
    );
    let out = enrich(
        &src,
        &[
            "northwindcapital.com",
            "@mike-ml",
            "helixhealth.org",
            "solo",
        ],
    )
    .await;
    assert_eq!(
        found(&out, "northwindcapital.com"),
        json!({
            "community_members": 1,
            "community_first_joined": "2019-04-01",
            "community_contributions": 25,
            "community_handles": ["octo-ada"],
            "intent_events": [ev("2019-04-01", "community_join", "community", 0.5, 1)],
        })
    );
    assert_eq!(
        found(&out, "@mike-ml"),
        json!({
            "handle": "Mike-ML",
            "join_date": "2020-01-01",
            "contributions": 7,
            "intent_events": [ev("2020-01-01", "community_join", "community", 0.5, 1)],
        })
    );
    assert_eq!(out["helixhealth.org"], Outcome::NoData);
    assert_eq!(found(&out, "solo")["contributions"], json!(2));
    let r = src.load_report();
    assert_eq!((r.members, r.rolled_up), (3, 1));
    assert_eq!(
        r.not_rolled_up,
        NotRolledUp {
            free_mail: 0,
            no_company_domain: 2
        }
    );
}

#[tokio::test]
async fn hubspot_contacts_as_trial_users() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "contacts.csv",
        "Record ID,First Name,Last Name,Email,Job Title,Company Domain Name,Create Date,Last Activity Date,Lifecycle Stage\n\
         101,Priya,Shah,priya@ledgerline.co.uk,IT Manager,,11/18/2026,18.11.2026 14:03,lead\n\
         102,Tom,,tom@gmail.com,Analyst,ledgerline.co.uk,2026-11-01 08:00,2026-11-20 09:30:00,lead\n\
         103,Ana,Ruiz,ana@acme.io,Data Analyst,,2026-10-01,not yet,customer\n",
    );
    let src = open(
        dir.path(),
        json!({ "path": "contacts.csv", "prefix": "trial" }),
    );
    assert_eq!(src.prefix(), "trial");
    let names: Vec<&str> = src
        .manifest()
        .fields
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    for f in [
        "trial_members",
        "trial_last_active",
        "trial_first_joined",
        "trial_posts",
        "trial_roles",
        "trial_handles",
        "intent_events",
        "email",
    ] {
        assert!(names.contains(&f), "{f} not in {names:?}");
    }
    assert!(
        !names.iter().any(|n| n.starts_with("community_")),
        "{names:?}"
    );

    let out = enrich(
        &src,
        &[
            "ledgerline.co.uk",
            "priya@ledgerline.co.uk",
            "tom@gmail.com",
            "ana@acme.io",
        ],
    )
    .await;
    // Tom's e-mail is free-mail, but the company column names his company.
    assert_eq!(
        found(&out, "ledgerline.co.uk"),
        json!({
            "trial_members": 2,
            "trial_last_active": "2026-11-20",
            "trial_first_joined": "2026-11-01",
            "intent_events": [
                ev("2026-11-01", "trial_join", "trial", 0.5, 1),
                ev("2026-11-18", "trial_activity", "trial", 1.0, 1),
                ev("2026-11-18", "trial_join", "trial", 0.5, 1),
                ev("2026-11-20", "trial_activity", "trial", 1.0, 1),
            ],
        })
    );
    assert_eq!(
        found(&out, "priya@ledgerline.co.uk"),
        json!({
            "email": "priya@ledgerline.co.uk",
            "name": "Priya Shah",
            "job_title": "IT Manager",
            "join_date": "2026-11-18",
            "last_active": "2026-11-18",
            "company_domain": "ledgerline.co.uk",
            "intent_events": [
                ev("2026-11-18", "trial_activity", "trial", 1.0, 1),
                ev("2026-11-18", "trial_join", "trial", 0.5, 1),
            ],
        })
    );
    let tom = found(&out, "tom@gmail.com");
    assert_eq!(tom["name"], json!("Tom"));
    assert_eq!(tom["company_domain"], json!("ledgerline.co.uk"));
    // An unreadable date: left out with a warning, the row loads.
    let ana = found(&out, "ana@acme.io");
    assert_eq!(ana["join_date"], json!("2026-10-01"));
    assert!(ana.get("last_active").is_none(), "{ana}");
    let r = src.load_report();
    assert_eq!(
        r.warnings,
        [RowNote {
            file: "contacts.csv".into(),
            line: 4,
            reason: "last_active: \"not yet\" (column \"Last Activity Date\") is not a date".into(),
        }]
    );
    assert_eq!((r.members, r.rolled_up, r.companies), (3, 3, 2));
    assert!(
        r.to_string().ends_with(
            "0 rows skipped, 1 value left out (first: contacts.csv line 4: last_active: \"not yet\" (column \"Last Activity Date\") is not a date)"
        ),
        "{r}"
    );
}

const COMMON_ROOM: &str = "\
member,email,company,company_domain,title,role,activities_count,first_activity_at,last_activity_occurred_at,events_attended,replies,answers_accepted
Ada L,ada@gmail.com,Northwind,northwindcapital.com,Staff Engineer,Developer,80,2025-01-10,2026-11-18T14:03:00Z,6,41,3
ml_mike,mike@helixhealth.org,Helix,,Data Engineer,data engineer,20,2025-09-02,2026-11-03,2,14,1
kim,kim@helixhealth.org,Helix,,Analyst,Developer,5,2026-01-01,2026-11-03,1,,
lee,lee@helixhealth.org,,,,developer,3,2026-02-01,2026-10-30,0,3,n/a
";

#[tokio::test]
async fn community_platform_rollup_sums_roles_and_weights() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "common-room.csv", COMMON_ROOM);
    let src = open(dir.path(), json!({ "path": "common-room.csv" }));
    let out = enrich(
        &src,
        &["helixhealth.org", "ada@gmail.com", "northwindcapital.com"],
    )
    .await;
    assert_eq!(
        found(&out, "helixhealth.org"),
        json!({
            "community_members": 3,
            "community_last_active": "2026-11-03",
            "community_first_joined": "2025-09-02",
            "community_replies": 17,
            "community_events_attended": 3,
            "community_contributions": 1,
            "community_roles": ["Developer", "data engineer"],
            "community_handles": ["ml_mike", "lee", "kim"],
            "intent_events": [
                ev("2025-09-02", "community_join", "community", 0.5, 1),
                ev("2026-01-01", "community_join", "community", 0.5, 1),
                ev("2026-02-01", "community_join", "community", 0.5, 1),
                ev("2026-10-30", "community_activity", "community", 1.0, 1),
                ev("2026-11-03", "community_activity", "community", 2.0, 2),
            ],
        })
    );
    // A free-mail member whose company column names the company.
    assert_eq!(
        found(&out, "ada@gmail.com"),
        json!({
            "handle": "Ada L",
            "email": "ada@gmail.com",
            "role": "Developer",
            "job_title": "Staff Engineer",
            "join_date": "2025-01-10",
            "last_active": "2026-11-18",
            "events_attended": 6,
            "replies": 41,
            "contributions": 3,
            "company_domain": "northwindcapital.com",
            "intent_events": [
                ev("2025-01-10", "community_join", "community", 0.5, 1),
                ev("2026-11-18", "community_activity", "community", 1.0, 1),
            ],
        })
    );
    assert_eq!(
        found(&out, "northwindcapital.com")["community_members"],
        json!(1)
    );

    // Other weights; 0 leaves the join events out. Nothing is decayed.
    let weighted = open(
        dir.path(),
        json!({ "path": "common-room.csv", "activity_weight": 2.5, "join_weight": 0 }),
    );
    let out = enrich(&weighted, &["helixhealth.org"]).await;
    assert_eq!(
        found(&out, "helixhealth.org")["intent_events"],
        json!([
            ev("2026-10-30", "community_activity", "community", 2.5, 1),
            ev("2026-11-03", "community_activity", "community", 5.0, 2),
        ])
    );
}

#[tokio::test]
async fn free_mail_members_are_found_by_email_not_rolled_up() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "members.csv",
        "email,handle,website,posts\n\
         jane@gmail.com,jane,,4\n\
         Joe@Outlook.de,joe,,2\n\
         kenji@yahoo.co.jp,kenji,,1\n\
         rita@hotmail.com,rita,https://www.linkedin.com/in/rita,3\n\
         sam@gmail.com,sam,samsbakery.com,9\n",
    );
    let src = open(dir.path(), json!({ "path": "members.csv" }));
    let r = src.load_report();
    assert_eq!(
        r.not_rolled_up,
        NotRolledUp {
            free_mail: 4,
            no_company_domain: 0
        }
    );
    assert_eq!((r.rolled_up, r.companies), (1, 1));
    let out = enrich(
        &src,
        &[
            "jane@gmail.com",
            "joe@outlook.de",
            "kenji@yahoo.co.jp",
            "rita@hotmail.com",
            "gmail.com",
            "outlook.de",
            "linkedin.com",
            "samsbakery.com",
        ],
    )
    .await;
    for (key, handle) in [
        ("jane@gmail.com", "jane"),
        ("joe@outlook.de", "joe"),
        ("kenji@yahoo.co.jp", "kenji"),
        ("rita@hotmail.com", "rita"),
    ] {
        let m = found(&out, key);
        assert_eq!(m["handle"], json!(handle));
        assert!(m.get("company_domain").is_none(), "{m}");
    }
    for key in ["gmail.com", "outlook.de", "linkedin.com"] {
        assert_eq!(out[key], Outcome::NoData, "{key}");
    }
    assert_eq!(
        found(&out, "samsbakery.com")["community_handles"],
        json!(["sam"])
    );
}

#[tokio::test]
async fn handles_and_the_domain_rule() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "members.csv",
        "username,email,posts\n\
         acme.io,someone@gmail.com,1\n\
         dev1,dev1@acme.io,5\n\
         ada.dev,ada@northwind.com,7\n",
    );
    let src = open(dir.path(), json!({ "path": "members.csv" }));
    let out = enrich(
        &src,
        &[
            "acme.io",
            "@acme.io",
            "ACME.IO",
            "https://acme.io/",
            "ada.dev",
            "ADA.DEV",
            "dev1",
        ],
    )
    .await;
    // A company domain with members wins over a handle that is the same text.
    let company = json!({
        "community_members": 1,
        "community_posts": 5,
        "community_handles": ["dev1"],
    });
    assert_eq!(found(&out, "acme.io"), company);
    assert_eq!(found(&out, "ACME.IO"), company);
    assert_eq!(found(&out, "https://acme.io/"), company);
    // A leading @ says handle.
    assert_eq!(
        found(&out, "@acme.io"),
        json!({ "handle": "acme.io", "email": "someone@gmail.com", "posts": 1 })
    );
    // A handle that looks like a domain without members is the member.
    assert_eq!(found(&out, "ada.dev")["email"], json!("ada@northwind.com"));
    assert_eq!(found(&out, "ADA.DEV"), found(&out, "ada.dev"));
    assert_eq!(found(&out, "dev1")["company_domain"], json!("acme.io"));
}

#[tokio::test]
async fn duplicates_merge_across_exports() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "forum.csv",
        "username,email,created_at,last_seen_at,post_count,title\n\
         ada.dev,ada@northwindcapital.com,2025-03-14,2026-11-18,12,\n\
         grace,grace@northwindcapital.com,2025-06-01,2026-11-01,5,Engineer\n\
         ada.dev,,2025-01-01,,3,Staff Engineer\n",
    );
    write(
        dir.path(),
        "chat.jsonl",
        concat!(
            r#"{"username":"ada_chat","email":"ADA@northwindcapital.com","joined_at":"2024-06-01","messages":40,"last_active":"2026-11-19"}"#,
            "\n",
            r#"{"username":"grace","messages":2}"#,
            "\n",
            r#"{"username":"newbie","email":"newbie@northwindcapital.com","messages":1}"#,
            "\n",
        ),
    );
    let src = open(dir.path(), json!({ "paths": ["forum.csv", "chat.jsonl"] }));
    let r = src.load_report();
    assert_eq!((r.rows_read, r.rows_merged, r.members), (6, 3, 3));
    assert_eq!(r.files.len(), 2);
    assert_eq!((r.files[0].rows_read, r.files[1].rows_read), (3, 3));
    assert_eq!(r.files[1].path, dir.path().join("chat.jsonl"));

    let out = enrich(
        &src,
        &[
            "ada@northwindcapital.com",
            "ada_chat",
            "grace",
            "northwindcapital.com",
        ],
    )
    .await;
    // The first non-blank value wins, later rows fill blanks; the earliest
    // join, the latest activity, the larger count (not the sum).
    let ada = found(&out, "ada@northwindcapital.com");
    assert_eq!(
        ada,
        json!({
            "handle": "ada.dev",
            "email": "ada@northwindcapital.com",
            "job_title": "Staff Engineer",
            "join_date": "2024-06-01",
            "last_active": "2026-11-19",
            "posts": 40,
            "company_domain": "northwindcapital.com",
            "intent_events": [
                ev("2024-06-01", "community_join", "community", 0.5, 1),
                ev("2026-11-19", "community_activity", "community", 1.0, 1),
            ],
        })
    );
    // Every handle a member was seen with finds it.
    assert_eq!(found(&out, "ada_chat"), ada);
    // A chat row with only the handle merged into the forum member.
    let grace = found(&out, "grace");
    assert_eq!(grace["posts"], json!(5));
    assert_eq!(grace["job_title"], json!("Engineer"));
    let company = found(&out, "northwindcapital.com");
    assert_eq!(company["community_members"], json!(3));
    assert_eq!(company["community_posts"], json!(46));
    assert_eq!(company["community_first_joined"], json!("2024-06-01"));
    assert_eq!(
        company["community_handles"],
        json!(["ada.dev", "grace", "newbie"])
    );

    // The other order: the handle-only member comes first and takes the
    // e-mail of the later forum row; the same people, the same sums.
    let rev = open(dir.path(), json!({ "paths": ["chat.jsonl", "forum.csv"] }));
    assert_eq!((rev.len(), rev.load_report().rows_merged), (3, 3));
    let out = enrich(
        &rev,
        &["northwindcapital.com", "grace@northwindcapital.com"],
    )
    .await;
    let company = found(&out, "northwindcapital.com");
    assert_eq!(company["community_members"], json!(3));
    assert_eq!(company["community_posts"], json!(46));
    assert_eq!(
        company["community_handles"],
        json!(["ada_chat", "grace", "newbie"])
    );
    assert_eq!(
        found(&out, "grace@northwindcapital.com")["handle"],
        json!("grace")
    );
}

#[tokio::test]
async fn bad_rows_are_reported_with_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"username,email,joined_at,posts\n\
        ada,ada@acme.io,2026-01-01,5\n\
        ,,2026-01-02,3\n\
        bob,not-an-email,yesterday,many\n\
        carol,carol@acme.io,2026-01-03,1,extra\n\
        \"dave\",\"dave@acme.io\",\"2026-01-04\",\"2\"\n"
        .to_vec();
    // Binary junk.
    bytes.extend_from_slice(b"\x00\x01\xff\xfe\x80,\x02\x03\xc3\x28,\x04,\x05\n");
    bytes.extend_from_slice(b"eve,eve@acme.io,2026-13-45,-1\n");
    write(dir.path(), "bad.csv", bytes);
    let src = open(dir.path(), json!({ "path": "bad.csv" }));
    let r = src.load_report();
    assert_eq!(lines(&r.skipped), [3, 5, 7]);
    assert_eq!(r.skipped[0].reason, "no e-mail and no handle");
    assert!(
        r.skipped[1]
            .reason
            .contains("5 fields but the header has 4"),
        "{:?}",
        r.skipped[1]
    );
    assert_eq!(r.skipped[2].reason, "no e-mail and no handle");
    assert_eq!(lines(&r.warnings), [4, 4, 4, 7, 7, 8, 8]);
    let reasons: Vec<&str> = r.warnings.iter().map(|w| w.reason.as_str()).collect();
    assert_eq!(
        reasons[..3],
        [
            "email: \"not-an-email\" (column \"email\") is not an e-mail address",
            "join_date: \"yesterday\" (column \"joined_at\") is not a date",
            "posts: \"many\" (column \"posts\") is not a count",
        ]
    );
    // Control characters are escaped in the reasons.
    assert_eq!(
        reasons[3],
        "email: \"\\u{2}\\u{3}\u{c3}(\" (column \"email\") is not an e-mail address"
    );
    assert_eq!(
        reasons[4],
        "handle: \"\\u{0}\\u{1}\u{ff}\u{fe}\u{20ac}\" (column \"username\") is not a readable handle"
    );
    assert_eq!(
        reasons[5..],
        [
            "join_date: \"2026-13-45\" (column \"joined_at\") is not a date",
            "posts: \"-1\" (column \"posts\") is not a count",
        ]
    );
    assert_eq!(r.warnings_count, 7);
    assert_eq!((r.rows_read, r.rows_skipped, r.members), (7, 3, 4));
    let report = serde_json::to_value(r).unwrap();
    assert_eq!(
        report["skipped"][0],
        json!({ "file": "bad.csv", "line": 3, "reason": "no e-mail and no handle" })
    );

    let out = enrich(&src, &["bob", "dave@acme.io", "eve@acme.io", "acme.io"]).await;
    assert_eq!(found(&out, "bob"), json!({ "handle": "bob" }));
    assert_eq!(found(&out, "dave@acme.io")["posts"], json!(2));
    let eve = found(&out, "eve@acme.io");
    assert!(
        eve.get("join_date").is_none() && eve.get("posts").is_none(),
        "{eve}"
    );
    assert_eq!(found(&out, "acme.io")["community_members"], json!(3));
}

#[test]
fn skipped_list_is_capped() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("username,email,posts\nada,ada@acme.io,1\n");
    for _ in 0..NOTES_CAP + 5 {
        text.push_str(",,1\n");
    }
    write(dir.path(), "m.csv", text);
    let src = open(dir.path(), json!({ "path": "m.csv" }));
    let r = src.load_report();
    assert_eq!(r.rows_skipped, NOTES_CAP as u64 + 5);
    assert_eq!(r.skipped.len(), NOTES_CAP);
    assert!(r.skipped_truncated);
    assert_eq!(r.skipped.last().map(|s| s.line), Some(NOTES_CAP as u64 + 2));
    assert_eq!(src.len(), 1);
}

#[tokio::test]
async fn columns_override_the_automatic_mapping() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "forum-de.csv",
        "Benutzer,username,E-Mail-Adresse,Beiträge,Rolle,Firmen-Website,Beigetreten\n\
         ada,ignored,ada@example.org,12,Entwicklerin,https://acme.de,14.03.2025\n",
    );
    let src = open(
        dir.path(),
        json!({
            "path": "forum-de.csv",
            "columns": {
                "handle": "benutzer",
                "email": "E-Mail-Adresse",
                "posts": "Beiträge",
                "role": "Rolle",
                "company_domain": "Firmen-Website",
                "Join Date": "Beigetreten",
            }
        }),
    );
    assert_eq!(
        mapped(&src, 0),
        [
            ("handle", vec!["Benutzer"]),
            ("email", vec!["E-Mail-Adresse"]),
            ("role", vec!["Rolle"]),
            ("company_domain", vec!["Firmen-Website"]),
            ("join_date", vec!["Beigetreten"]),
            ("posts", vec!["Beiträge"]),
        ]
    );
    let out = enrich(&src, &["ada", "acme.de", "ignored"]).await;
    assert_eq!(
        found(&out, "ada"),
        json!({
            "handle": "ada",
            "email": "ada@example.org",
            "role": "Entwicklerin",
            "join_date": "2025-03-14",
            "posts": 12,
            "company_domain": "acme.de",
            "intent_events": [ev("2025-03-14", "community_join", "community", 0.5, 1)],
        })
    );
    assert_eq!(
        found(&out, "acme.de")["community_roles"],
        json!(["Entwicklerin"])
    );
    assert_eq!(out["ignored"], Outcome::NoData);
}

#[test]
fn settings_errors_name_the_key_the_file_and_the_headers() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "m.csv",
        "username,email,posts\nada,ada@acme.io,1\n",
    );
    write(dir.path(), "chat.jsonl", "{\"username\":\"ada\"}\n");
    write(
        dir.path(),
        "companies.csv",
        "Domain,Company name\nacme.com,Acme\n",
    );

    let e = open_err(dir.path(), json!({ "path": "m.csv", "colums": {} }));
    assert!(e.contains("unknown field `colums`"), "{e}");
    let e = open_err(dir.path(), json!({ "path": "m.csv", "weight": 1 }));
    assert!(e.contains("unknown field `weight`"), "{e}");

    let e = open_err(dir.path(), json!({ "path": "missing.csv" }));
    assert!(
        e.contains("missing.csv") && e.contains("not found") && e.contains("relative to"),
        "{e}"
    );
    let e = open_err(dir.path(), json!({ "paths": ["m.csv", "gone.jsonl"] }));
    assert!(e.contains("gone.jsonl") && e.contains("not found"), "{e}");

    let e = open_err(dir.path(), json!({ "path": "companies.csv" }));
    assert!(
        e.contains("companies.csv")
            && e.contains("no e-mail or handle column")
            && e.contains("its headers are: \"Domain\", \"Company name\"")
            && e.contains("columns"),
        "{e}"
    );

    let e = open_err(
        dir.path(),
        json!({ "path": "m.csv", "columns": { "karma": "posts" } }),
    );
    assert!(
        e.contains("\"karma\" is not a member field") && e.contains("handle, email, name"),
        "{e}"
    );
    let e = open_err(
        dir.path(),
        json!({ "path": "m.csv", "columns": { "handle": "Benutzer" } }),
    );
    assert!(
        e.contains("columns.handle")
            && e.contains("m.csv has no column \"Benutzer\"")
            && e.contains("\"username\", \"email\", \"posts\""),
        "{e}"
    );
    let e = open_err(
        dir.path(),
        json!({ "paths": ["m.csv", "chat.jsonl"], "columns": { "handle": "Benutzer" } }),
    );
    assert!(
        e.contains("no file has a column \"Benutzer\"") && e.contains("chat.jsonl: \"username\""),
        "{e}"
    );
    let e = open_err(
        dir.path(),
        json!({ "path": "m.csv", "columns": { "job_title": "posts", "Job Title": "posts" } }),
    );
    assert!(e.contains("`job_title` is mapped twice"), "{e}");

    let e = open_err(
        dir.path(),
        json!({ "path": "m.csv", "prefix": "Trial Users" }),
    );
    assert!(e.contains("prefix \"Trial Users\""), "{e}");
    let e = open_err(dir.path(), json!({ "path": "m.csv", "join_weight": -0.5 }));
    assert!(e.contains("join_weight"), "{e}");
    // A binary file named .csv: its "header" is junk, shown readably.
    let mut junk = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec();
    junk.extend((0..3000u32).map(|i| (i * 7 % 251) as u8));
    write(dir.path(), "junk.csv", junk);
    let e = open_err(dir.path(), json!({ "path": "junk.csv" }));
    assert!(
        e.contains("junk.csv") && e.contains("no e-mail or handle column"),
        "{e}"
    );
    assert!(
        e.len() < 6000 && !e.contains('\u{0}'),
        "{} bytes: {e:?}",
        e.len()
    );

    let e = open_err(dir.path(), json!({ "path": "m.parquet" }));
    assert!(e.contains("m.parquet") && e.contains("unsupported"), "{e}");

    let err = CommunityMembers::open(&json!({ "path": "missing.csv" }), dir.path()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("invalid settings: community-members:"),
        "{err}"
    );
}

#[tokio::test]
async fn xlsx_with_date_cells() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("members.xlsx");
    let mut wb = Workbook::new();
    let notes = wb.add_worksheet().set_name("Notes").unwrap();
    notes.write_string(0, 0, "Exported from the forum").unwrap();
    let ws = wb.add_worksheet().set_name("Members").unwrap();
    for (c, h) in [
        "Username",
        "Email",
        "Joined",
        "Last Seen",
        "Posts",
        "Events Attended",
        "Role",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    ws.write_string(1, 0, "ada").unwrap();
    ws.write_string(1, 1, "ada@acme.io").unwrap();
    ws.write_datetime_with_format(1, 2, ExcelDateTime::from_ymd(2025, 3, 14).unwrap(), &date)
        .unwrap();
    ws.write_datetime_with_format(
        1,
        3,
        ExcelDateTime::from_ymd(2026, 11, 18)
            .unwrap()
            .and_hms(14, 3, 0)
            .unwrap(),
        &datetime,
    )
    .unwrap();
    ws.write_number(1, 4, 12.0).unwrap();
    ws.write_number(1, 5, 3.0).unwrap();
    ws.write_string(1, 6, "Developer").unwrap();
    ws.write_string(2, 0, "bob").unwrap();
    ws.write_string(2, 3, "18.11.2026").unwrap();
    ws.write_number(2, 4, 1.5).unwrap();
    // Row 4: neither an e-mail nor a handle.
    ws.write_string(3, 6, "Analyst").unwrap();
    wb.save(&path).unwrap();

    // The first sheet has no member columns.
    let e = open_err(dir.path(), json!({ "path": "members.xlsx" }));
    assert!(
        e.contains("members.xlsx") && e.contains("no e-mail or handle column"),
        "{e}"
    );

    let src = open(
        dir.path(),
        json!({ "path": "members.xlsx", "sheet": "Members" }),
    );
    let out = enrich(&src, &["ada@acme.io", "bob", "acme.io"]).await;
    assert_eq!(
        found(&out, "ada@acme.io"),
        json!({
            "handle": "ada",
            "email": "ada@acme.io",
            "role": "Developer",
            "join_date": "2025-03-14",
            "last_active": "2026-11-18",
            "posts": 12,
            "events_attended": 3,
            "company_domain": "acme.io",
            "intent_events": [
                ev("2025-03-14", "community_join", "community", 0.5, 1),
                ev("2026-11-18", "community_activity", "community", 1.0, 1),
            ],
        })
    );
    assert_eq!(
        found(&out, "bob"),
        json!({
            "handle": "bob",
            "last_active": "2026-11-18",
            "posts": 1.5,
            "intent_events": [ev("2026-11-18", "community_activity", "community", 1.0, 1)],
        })
    );
    assert_eq!(
        found(&out, "acme.io")["community_roles"],
        json!(["Developer"])
    );
    assert_eq!(lines(&src.load_report().skipped), [4]);
}

#[tokio::test]
async fn unknown_keys_are_no_data() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "m.csv",
        "username,email,posts\nada,ada@acme.io,1\n",
    );
    let src = open(dir.path(), json!({ "path": "m.csv" }));
    let out = enrich(
        &src,
        &[
            "unknown.com",
            "",
            "   ",
            "nobody@acme.io",
            "ada@",
            "@",
            "@ghost",
            "not a domain",
            "gmail.com",
            "acme.io",
            "ada",
        ],
    )
    .await;
    for key in [
        "unknown.com",
        "",
        "   ",
        "nobody@acme.io",
        "ada@",
        "@",
        "@ghost",
        "not a domain",
        "gmail.com",
    ] {
        assert_eq!(out[key], Outcome::NoData, "{key:?}");
    }
    assert_eq!(found(&out, "acme.io")["community_members"], json!(1));
    assert_eq!(found(&out, "ada")["email"], json!("ada@acme.io"));
}
