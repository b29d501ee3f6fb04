//! `icp runs`, `icp runs show` and `icp diff` on two runs of the shipped
//! example: the same accounts four months apart, so intent decays and some
//! accounts drop a tier.

use std::path::{Path, PathBuf};

use icp_tests::{icp, icp_command, read_csv, repo, run};

struct Runs {
    dir: tempfile::TempDir,
    store: String,
}

impl Runs {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn icp(&self, args: &[&str]) -> icp_tests::Output {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--store", self.store.as_str()]);
        let r = icp(&all);
        assert!(r.code == 0, "icp {all:?}: {}\n{}", r.stdout, r.stderr);
        r
    }
}

fn enrich(dir: &Path, store: &str, as_of: &str) {
    let out = dir.join(format!("enriched-{as_of}.csv"));
    let summary = dir.join(format!("summary-{as_of}.json"));
    let r = icp([
        "enrich",
        "examples/accounts.csv",
        "--config",
        "config/icp.toml",
        "--as-of",
        as_of,
        "--out",
        out.to_str().unwrap(),
        "--summary-json",
        summary.to_str().unwrap(),
        "--store",
        store,
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
}

/// Run 1 as of 2026-11-20, run 2 as of 2027-03-01, in one new store.
fn two_runs() -> Runs {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.db").to_str().unwrap().to_string();
    enrich(dir.path(), &store, "2026-11-20");
    enrich(dir.path(), &store, "2027-03-01");
    Runs { dir, store }
}

#[test]
fn runs_lists_newest_first_with_counts_from_the_summary() {
    let r = two_runs();
    let out = r.icp(&["runs"]).stdout;
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].contains("started (UTC)") && lines[0].contains("credits"));
    // id, date, time, duration (2 words), status, accounts, rows, calls,
    // credits, tiers, label.
    let cols = |l: &str| l.split_whitespace().map(String::from).collect::<Vec<_>>();
    let (newest, oldest) = (cols(lines[1]), cols(lines[2]));
    assert_eq!(newest[0], "2", "{out}");
    assert_eq!(oldest[0], "1", "{out}");
    assert_eq!(&newest[5..10], ["done", "20", "23", "3", "0"], "{out}");
    // Intent decays: fewer tier 1 accounts four months later.
    assert_eq!(oldest[10], "7/2/3/8", "{out}");
    assert_eq!(newest[10], "4/4/4/8", "{out}");
    assert!(lines[1].ends_with("enrich examples/accounts.csv"), "{out}");

    let one = r.icp(&["runs", "--limit", "1"]).stdout;
    assert_eq!(one.lines().count(), 2, "{one}");

    let json: serde_json::Value = serde_json::from_str(&r.icp(&["runs", "--json"]).stdout).unwrap();
    let runs = json.as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["id"], 2);
    assert_eq!(runs[0]["as_of"], "2027-03-01");
    assert_eq!(runs[1]["as_of"], "2026-11-20");
    assert_eq!(runs[1]["accounts"], 20);
    assert_eq!(runs[1]["rows_read"], 23);
    assert_eq!(runs[1]["calls"], 3);
    assert_eq!(runs[1]["status"], "done");
    assert_eq!(runs[1]["tiers"]["1"], 7);
}

#[test]
fn runs_show_prints_the_stored_summary_and_json_is_it_verbatim() {
    let r = two_runs();
    // The flags may come before the subcommand too.
    let out = icp(["runs", "--store", &r.store, "show", "1"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = out.stdout;
    assert!(
        text.starts_with("run 1: enrich examples/accounts.csv\n"),
        "{text}"
    );
    assert!(text.contains("  as of         2026-11-20\n"), "{text}");
    assert!(
        text.contains("  rows skipped               2  see "),
        "{text}"
    );
    assert!(
        text.contains("  tier 1                     7  SOM\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "  company-list        1        0       12        8        0     0        0\n"
        ),
        "{text}"
    );
    assert!(text.contains("  line 20: no company domain"), "{text}");
    assert!(!text.contains("stopped sources"), "{text}");

    let shown: serde_json::Value =
        serde_json::from_str(&r.icp(&["runs", "show", "2", "--json"]).stdout).unwrap();
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(r.path("summary-2027-03-01.json")).unwrap())
            .unwrap();
    assert_eq!(shown, written);
}

#[test]
fn diff_names_the_accounts_that_changed_tier_and_the_traits_they_lost() {
    let r = two_runs();
    let csv = r.path("changes.csv");
    let text = r
        .icp(&["diff", "1", "2", "--out", csv.to_str().unwrap()])
        .stdout;
    assert!(
        text.starts_with("run 1 (as of 2026-11-20) -> run 2 (as of 2027-03-01)\n"),
        "{text}"
    );
    assert!(
        text.contains("  in both                     20\n"),
        "{text}"
    );
    assert!(
        text.contains("  changed tier                 4\n"),
        "{text}"
    );
    assert!(
        text.contains("  only in run 1                0\n"),
        "{text}"
    );
    // Matrix row for tier 1: four stayed, three dropped to tier 2.
    assert!(
        text.contains("\n  1                 4        3        0        0\n"),
        "{text}"
    );
    // The largest change first.
    let first = text
        .lines()
        .skip_while(|l| !l.starts_with("changed tier ("))
        .nth(2)
        .unwrap();
    assert!(
        first.contains("quantive.io") && first.contains("2 -> 3"),
        "{text}"
    );
    assert!(first.contains("9 -> 5"), "{text}");

    let (h, rows) = read_csv(&csv);
    assert_eq!(
        h,
        [
            "profile",
            "key",
            "tier_before",
            "tier_after",
            "score_before",
            "score_after",
            "score_change",
            "traits_lost",
            "traits_gained"
        ]
    );
    assert_eq!(rows.len(), 4);
    let row = |key: &str| {
        rows.iter()
            .find(|r| r[1] == key)
            .unwrap_or_else(|| panic!("{key}"))
    };
    let q = row("quantive.io");
    assert_eq!(q[0], "genai-enterprise");
    assert_eq!(&q[2..7], ["2", "3", "9", "5", "-4"]);
    assert_eq!(
        q[7],
        "Intent surging this week; Team active in our community"
    );
    assert_eq!(q[8], "");
    for key in ["arcadiadata.com", "copperleaf.dev", "vertexclinical.com"] {
        assert_eq!(&row(key)[2..4], ["1", "2"], "{key}");
    }
    assert_eq!(row("arcadiadata.com")[7], "Intent surging this week");
    assert_eq!(row("copperleaf.dev")[7], "Researching on review sites");

    // The other way round: the same accounts, traits gained instead.
    let back = r
        .icp(&["diff", "2", "1", "--profile", "genai-enterprise"])
        .stdout;
    assert!(
        back.contains("  changed tier                 4\n"),
        "{back}"
    );
    assert!(back.contains("+Intent surging this week"), "{back}");
    // A run against itself changes nothing.
    let same = r.icp(&["diff", "1", "1"]).stdout;
    assert!(same.contains("no account changed tier"), "{same}");
}

#[test]
fn unknown_runs_runs_without_scores_and_missing_stores_are_clear_errors() {
    let r = two_runs();
    let fail = |args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--store", r.store.as_str()]);
        let o = icp(&all);
        assert_eq!(o.code, 2, "icp {all:?}: {}\n{}", o.stdout, o.stderr);
        o.stderr
    };
    assert!(fail(&["diff", "1", "99"]).contains("no run with id 99"));
    assert!(fail(&["runs", "show", "42"]).contains("no run with id 42"));
    let e = fail(&["diff", "1", "2", "--profile", "nope"]);
    assert!(e.contains("no scores for profile `nope`"), "{e}");

    // A run that scored nothing (a config without profiles) has no scores.
    let cfg = r.path("noprofile.toml");
    let companies = repo().join("examples/companies.csv");
    std::fs::write(
        &cfg,
        format!(
            "store = \"unused.db\"\n[[sources]]\nname = \"company-list\"\nplugin = \"firmographic-file\"\nsettings = {{ path = {:?}, columns = {{ employees = \"Headcount\" }} }}\n",
            companies.to_str().unwrap()
        ),
    )
    .unwrap();
    let o = icp([
        "enrich",
        "examples/accounts.csv",
        "--config",
        cfg.to_str().unwrap(),
        "--out",
        r.path("plain.csv").to_str().unwrap(),
        "--store",
        &r.store,
        "-q",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let e = fail(&["diff", "1", "3"]);
    assert!(e.contains("run 3 has no stored scores"), "{e}");

    // No store named anywhere, and a store file that does not exist.
    let o = run(icp_command().args(["runs"]).env_remove("ICP_STORE"));
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("say which store"), "{}", o.stderr);
    let missing = r.path("nowhere.db");
    let o = icp(["runs", "--store", missing.to_str().unwrap()]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("there is no store at"), "{}", o.stderr);
    assert!(!missing.exists(), "a missing store is not created");
    // ICP_STORE works like --store.
    let o = run(icp_command()
        .args(["runs", "--json"])
        .env("ICP_STORE", &r.store));
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 3);
}
