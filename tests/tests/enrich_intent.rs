//! Intent and community data through `icp enrich`: dated events from the
//! intent-events and community-members sources add up, are decayed at the
//! run's as_of with each profile's half-life, and member profiles (ICMP)
//! enrich people by e-mail or handle.

use std::path::Path;

use icp_tests::{cell, icp, read_csv, repo};

fn enrich(dir: &Path, input: &Path, extra: &[&str]) -> icp_tests::Output {
    let out = dir.join("out.csv");
    let mut args = vec![
        "enrich".to_string(),
        input.display().to_string(),
        "--config".into(),
        dir.join("icp.toml").display().to_string(),
        "--as-of".into(),
        "2026-11-20".into(),
        "--out".into(),
        out.display().to_string(),
        "--summary-json".into(),
        dir.join("summary.json").display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    icp(args)
}

/// A config with the two event sources over the shipped examples, and the
/// given profiles.
fn write_config(dir: &Path, profiles: &[&str]) {
    let examples = repo().join("examples");
    let list = profiles
        .iter()
        .map(|p| format!("{:?}", repo().join("config/profiles").join(p)))
        .collect::<Vec<_>>()
        .join(", ");
    std::fs::write(
        dir.join("icp.toml"),
        format!(
            "store = \"store.db\"\nprofiles = [{list}]\n\n[[sources]]\nname = \"intent\"\nplugin = \"intent-events\"\nsettings = {{ path = {:?} }}\n\n[[sources]]\nname = \"forum\"\nplugin = \"community-members\"\nsettings = {{ path = {:?} }}\n",
            examples.join("intent-events.csv"),
            examples.join("members.csv"),
        ),
    )
    .unwrap();
}

#[test]
fn events_from_both_sources_add_up_and_decay_per_profile() {
    let dir = tempfile::tempdir().unwrap();
    // The second profile halves intent faster (21 days).
    let fast = std::fs::read_to_string(repo().join("config/profiles/genai-enterprise.toml"))
        .unwrap()
        .replace("name = \"genai-enterprise\"", "name = \"fast\"")
        .replace("intent_half_life = \"30d\"", "intent_half_life = \"7d\"");
    std::fs::write(dir.path().join("fast.toml"), fast).unwrap();
    write_config(
        dir.path(),
        &[
            "genai-enterprise.toml",
            dir.path().join("fast.toml").to_str().unwrap(),
        ],
    );
    let input = repo().join("examples/accounts.csv");
    let r = enrich(dir.path(), &input, &["--provenance"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let (h, rows) = read_csv(&dir.path().join("out.csv"));
    let northwind = &rows[0];
    assert_eq!(cell(&h, northwind, "domain"), "northwindcapital.com");
    // Raw events are not a column; the derived ones are, with the first
    // profile's half-life.
    assert!(!h.iter().any(|c| c == "intent_events"));
    let score: f64 = cell(&h, northwind, "intent_score").parse().unwrap();
    assert!((11.0..13.0).contains(&score), "{score}");
    let surge: f64 = cell(&h, northwind, "intent_surge").parse().unwrap();
    assert!(surge >= 2.0, "{surge}");
    assert_eq!(cell(&h, northwind, "intent_last_seen"), "2026-11-18");
    // Topics from both sources: the forum member's activity is "community".
    let topics = cell(&h, northwind, "intent_topics");
    assert!(topics.starts_with("pricing"), "{topics}");
    assert!(topics.contains("community"), "{topics}");
    assert_eq!(cell(&h, northwind, "intent_score__source"), "intent+forum");
    assert_eq!(cell(&h, northwind, "community_members"), "1");
    assert_eq!(cell(&h, northwind, "community_last_active"), "2026-11-18");
    // Both profiles see the surge; the community trait fires.
    for p in ["genai-enterprise", "fast"] {
        let reasons = cell(&h, northwind, &format!("{p}__icp_reasons"));
        assert!(
            reasons.contains("Intent surging this week (+3)"),
            "{p}: {reasons}"
        );
        assert!(
            reasons.contains("Team active in our community (+1)"),
            "{p}: {reasons}"
        );
    }
    // An account whose only events are months old: decayed far more with a
    // 7-day half-life, so its intent axis is lower or equal.
    let atlas = rows
        .iter()
        .find(|r| cell(&h, r, "domain") == "atlasmutual.com")
        .unwrap();
    let slow: f64 = cell(&h, atlas, "intent_score").parse().unwrap();
    assert!(slow > 0.3 && slow < 1.0, "{slow}");
    // An account no source knows has blank intent, not zero.
    let greenleaf = rows
        .iter()
        .find(|r| cell(&h, r, "domain") == "greenleafgrocers.com")
        .unwrap();
    assert_eq!(cell(&h, greenleaf, "intent_score"), "");
    assert_eq!(cell(&h, greenleaf, "community_members"), "");

    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("summary.json")).unwrap())
            .unwrap();
    let files = s["source_files"]["intent"].as_str().unwrap();
    assert!(files.contains("1 row skipped"), "{files}");
    assert!(files.contains("line 26"), "{files}");
}

#[test]
fn member_profiles_enrich_people_by_email_or_handle() {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), &["genai-community.toml"]);
    let input = dir.path().join("webinar.csv");
    std::fs::write(
        &input,
        "Email,First Name,Username\nADA@northwindcapital.com,Ada,\nmike@helixhealth.org,Mike,\n,Olga,oldtimer\npromo.deals@gmail.com,Promo,\nnobody@nowhere.example,No,\n,Blank,\n",
    )
    .unwrap();
    let r = enrich(dir.path(), &input, &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let (h, rows) = read_csv(&dir.path().join("out.csv"));
    assert_eq!(rows.len(), 5, "the blank row is rejected");
    let key = |i: usize| cell(&h, &rows[i], "member_key");
    assert_eq!(
        (key(0), key(2), key(3)),
        (
            "ada@northwindcapital.com",
            "@oldtimer",
            "promo.deals@gmail.com"
        )
    );
    // Member fields come from the forum export, by e-mail and by handle.
    assert_eq!(cell(&h, &rows[0], "role"), "Developer");
    assert_eq!(cell(&h, &rows[0], "replies"), "41");
    assert_eq!(cell(&h, &rows[2], "role"), "Software Engineer");
    assert_eq!(cell(&h, &rows[3], "handle"), "growthhacker99");
    assert!(cell(&h, &rows[0], "icp_reasons").contains("Developer, IT professional or analyst"));
    assert_eq!(cell(&h, &rows[0], "icp_tier"), "1");
    // A person's intent is their own activity, not their company's
    // pricing-page visits.
    assert_eq!(cell(&h, &rows[0], "intent_topics"), "community");
    // Unknown people are scored with what the list has: coverage 0.
    assert_eq!(cell(&h, &rows[4], "icp_coverage"), "0.00");
    let rejects = std::fs::read_to_string(dir.path().join("out.rejects.csv")).unwrap();
    assert!(rejects.contains("no e-mail or handle"), "{rejects}");
    // The company-keyed events source is not even asked.
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(s["sources"]["intent"]["calls"], 0, "{}", s["sources"]);
}

#[test]
fn account_and_member_profiles_do_not_mix_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    write_config(
        dir.path(),
        &["genai-enterprise.toml", "genai-community.toml"],
    );
    let r = enrich(dir.path(), &repo().join("examples/accounts.csv"), &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("mix accounts and members"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_handle_column_named_by_key_column_keys_members_by_handle() {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), &["genai-community.toml"]);
    let input = dir.path().join("forum.csv");
    std::fs::write(
        &input,
        "Username,Note\noldtimer,a\n@growthhacker99,b\nada@northwindcapital.com,c\n",
    )
    .unwrap();
    let r = enrich(dir.path(), &input, &["--key-column", "Username"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let (h, rows) = read_csv(&dir.path().join("out.csv"));
    let keys: Vec<&str> = rows.iter().map(|r| cell(&h, r, "member_key")).collect();
    assert_eq!(
        keys,
        ["@oldtimer", "@growthhacker99", "ada@northwindcapital.com"]
    );
    assert_eq!(cell(&h, &rows[0], "role"), "Software Engineer");
    assert_eq!(cell(&h, &rows[1], "role"), "Marketing");
}

/// Two people at one company on a member run: the company source is asked
/// once and both get its answer, now and from the cache.
#[test]
fn people_at_one_company_share_one_company_lookup() {
    let dir = tempfile::tempdir().unwrap();
    let profile = "name = \"people\"\nentity = \"member\"\n[[traits]]\nname = \"Big employer\"\nwhen = \"employees >= 100\"\nweight = 3\n";
    std::fs::write(dir.path().join("people.toml"), profile).unwrap();
    std::fs::write(
        dir.path().join("companies.csv"),
        "Domain,Headcount\nacme.com,250\nglobex.com,40\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("icp.toml"),
        "store = \"store.db\"\nprofile = \"people.toml\"\n\n[[sources]]\nname = \"list\"\nplugin = \"firmographic-file\"\nsettings = { path = \"companies.csv\", columns = { employees = \"Headcount\" } }\n",
    )
    .unwrap();
    let input = dir.path().join("people.csv");
    std::fs::write(
        &input,
        "Email\nalice@acme.com\nbob@acme.com\ncarol@globex.com\ndan@gmail.com\n",
    )
    .unwrap();
    let r = enrich(dir.path(), &input, &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let (h, rows) = read_csv(&dir.path().join("out.csv"));
    let employees: Vec<&str> = rows.iter().map(|r| cell(&h, r, "employees")).collect();
    assert_eq!(employees, ["250", "250", "40", ""]);
}
