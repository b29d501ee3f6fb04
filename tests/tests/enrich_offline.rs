//! `icp enrich` on the shipped example (offline: a company-list source),
//! as the README runs it.

use icp_tests::{cell, icp, read_csv, repo};

#[test]
fn enrich_example_merges_duplicates_fills_gaps_and_scores() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("enriched.csv");
    let summary = dir.path().join("summary.json");
    let store = dir.path().join("store.db");
    let r = icp([
        "enrich",
        "examples/accounts.csv",
        "--config",
        "config/icp.toml",
        "--as-of",
        "2026-11-20",
        "--provenance",
        "--out",
        out.to_str().unwrap(),
        "--summary-json",
        summary.to_str().unwrap(),
        "--store",
        store.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let (h, rows) = read_csv(&out);
    // 23 rows: one without any key, one unreadable, two for quantive.io.
    assert_eq!(rows.len(), 20);
    let quantive = rows
        .iter()
        .find(|row| cell(&h, row, "domain") == "quantive.io")
        .expect("quantive.io");
    assert_eq!(cell(&h, quantive, "Record ID"), "1003;1018");
    assert_eq!(cell(&h, quantive, "input_lines"), "4;19");
    // The CRM's own values win; the list fills what the CRM lacks.
    assert_eq!(cell(&h, quantive, "employees"), "51-200");
    assert_eq!(cell(&h, quantive, "employees__source"), "input");
    assert_eq!(cell(&h, quantive, "funding_stage"), "Series B");
    assert_eq!(cell(&h, quantive, "funding_stage__source"), "company-list");
    assert!(!cell(&h, quantive, "icp_tier").is_empty());
    // Rows keep the input order of first appearance.
    assert_eq!(cell(&h, &rows[0], "domain"), "northwindcapital.com");

    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(s["rows_read"], 23);
    assert_eq!(s["accounts"], 20);
    assert_eq!(s["duplicates_merged"], 1);
    assert_eq!(s["tam"], 20);
    assert_eq!(s["rows_skipped"], 2);
    assert_eq!(s["skipped"][0]["line"], 20);
    assert!(s["sources"]["company-list"].is_object());
    assert!(
        std::fs::metadata(&store).is_ok(),
        "the run is recorded in the store"
    );
    assert!(repo().join("config/icp.toml").exists());
}

#[test]
fn config_errors_name_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("icp.toml");
    std::fs::write(
        &cfg,
        "[[sources]]\nname = \"x\"\nplugin = \"firmographic-file\"\ntimeout = \"soon\"\n",
    )
    .unwrap();
    let r = icp([
        "enrich",
        "examples/accounts.csv",
        "--config",
        cfg.to_str().unwrap(),
        "--out",
        dir.path().join("o.csv").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("icp.toml") && r.stderr.contains("line 4"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_missing_secret_is_a_config_error_that_names_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("icp.toml");
    std::fs::write(
        &cfg,
        "[[sources]]\nname = \"list\"\nplugin = \"firmographic-file\"\nsettings = { path = \"x.csv\" }\nsecrets = { api_key = \"${ICP_TEST_UNSET_VARIABLE}\" }\n",
    )
    .unwrap();
    let r = icp([
        "enrich",
        "examples/accounts.csv",
        "--config",
        cfg.to_str().unwrap(),
        "--out",
        dir.path().join("o.csv").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("ICP_TEST_UNSET_VARIABLE"), "{}", r.stderr);
}

#[test]
fn profile_check_with_the_config_warns_on_fields_no_source_provides() {
    let r = icp([
        "profile",
        "check",
        "config/profiles/genai-enterprise.toml",
        "--config",
        "config/icp.toml",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The company list gives funding_stage but not buyer titles.
    assert!(
        r.stderr
            .contains("no configured source provides `buyer_title`"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("`funding_stage`"), "{}", r.stderr);
    // The CRM export has the rest.
    let r = icp([
        "profile",
        "check",
        "config/profiles/genai-enterprise.toml",
        "--config",
        "config/icp.toml",
        "--input",
        "examples/accounts.csv",
        "--deny-warnings",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn a_dry_run_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.db");
    let dry_run = || {
        let mut c = icp_tests::icp_command();
        c.current_dir(dir.path())
            .arg("enrich")
            .arg(repo().join("examples/accounts.csv"))
            .arg("--config")
            .arg(repo().join("config/icp.toml"))
            .args(["--dry-run", "--store"])
            .arg(&store);
        c
    };
    let r = icp_tests::run(&mut dry_run());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("dry run"), "{}", r.stdout);
    assert!(r.stdout.contains("company-list"), "{}", r.stdout);
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != "store.db" && !n.to_string_lossy().starts_with("store.db-"))
        .collect();
    assert!(left.is_empty(), "a dry run wrote {left:?}");

    // With --summary-json, the estimates go there for scripts.
    let summary = dir.path().join("dry.json");
    let r = icp_tests::run(dry_run().arg("--summary-json").arg(&summary));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(s["dry_run"], true);
    assert_eq!(s["accounts"], 20);
    assert_eq!(s["rows_read"], 23);
    assert!(
        s["estimates"]["company-list"]["accounts"]
            .as_u64()
            .is_some(),
        "{s}"
    );
}

/// The production-shaped example (Clearbit, Apollo, PDL, websites) loads,
/// builds every source and plans the run; `--dry-run` calls nobody.
#[test]
fn the_providers_example_config_plans_a_run_without_calling_anyone() {
    let dir = tempfile::tempdir().unwrap();
    let r = icp_tests::run(
        icp_tests::icp_command()
            .env("CLEARBIT_API_KEY", "sk_example_clearbit")
            .env("APOLLO_API_KEY", "example_apollo")
            .env("PDL_API_KEY", "example_pdl")
            .args([
                "enrich",
                "examples/accounts.csv",
                "--config",
                "config/providers.example.toml",
                "--as-of",
                "2026-11-20",
                "--dry-run",
                "--store",
                dir.path().join("store.db").to_str().unwrap(),
            ]),
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    for source in [
        "clearbit",
        "apollo",
        "pdl",
        "website",
        "intent-events",
        "community",
    ] {
        assert!(
            r.stdout.contains(&format!("  {source} ")),
            "{source}: {}",
            r.stdout
        );
    }
    assert!(!r.stdout.contains("sk_example_clearbit"));
    // Without the keys the config is refused before anything runs.
    let r = icp([
        "enrich",
        "examples/accounts.csv",
        "--config",
        "config/providers.example.toml",
        "--dry-run",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("CLEARBIT_API_KEY"), "{}", r.stderr);
}
