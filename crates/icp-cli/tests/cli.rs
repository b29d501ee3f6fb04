//! The `icp` binary (the one cargo built for this package) run on real files.

use std::process::Command;

use icp_tests::{read_csv, repo, run};
use serde_json::Value;

fn icp() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_icp"));
    c.current_dir(repo());
    c
}

const GENAI: &str = "config/profiles/genai-enterprise.toml";

#[test]
fn scores_the_example_export_and_reports_the_bad_row() {
    let dir = tempfile::tempdir().unwrap();
    // Output folders that do not exist yet are created.
    let out = dir.path().join("out/scored.csv");
    let summary = dir.path().join("reports/summary.json");
    let r = run(icp()
        .args([
            "score",
            "examples/accounts.csv",
            "--profile",
            GENAI,
            "--as-of",
            "2026-11-20",
            "--out",
        ])
        .arg(&out)
        .arg("--summary-json")
        .arg(&summary));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("rows read"), "{}", r.stdout);
    assert!(
        r.stdout.contains("line 24"),
        "the skipped row is named: {}",
        r.stdout
    );

    let (headers, rows) = read_csv(&out);
    assert_eq!(headers[0], "Record ID", "input columns kept, BOM stripped");
    for c in [
        "icp_score",
        "icp_fit",
        "icp_intent",
        "icp_tier",
        "icp_excluded_by",
        "icp_coverage",
        "icp_reasons",
        "icp_unknown_filters",
    ] {
        assert!(headers.iter().any(|h| h == c), "missing column {c}");
    }
    assert_eq!(rows.len(), 22, "23 data rows, one skipped");
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let northwind = rows.iter().find(|r| r[1] == "Northwind Capital").unwrap();
    assert_eq!(northwind[col("icp_tier")], "1");
    assert_eq!(northwind[col("icp_score")], "22");
    assert!(northwind[col("icp_reasons")].starts_with("Manual workflows (+5); "));
    let dental = rows.iter().find(|r| r[1] == "Brightside Dental").unwrap();
    assert_eq!(dental[col("icp_tier")], "excluded");
    assert_eq!(dental[col("icp_excluded_by")], "100+ employees");
    // "51-200" straddles the 100 threshold: unknown, kept, and named.
    let quantive = rows.iter().find(|r| r[0] == "1003").unwrap();
    assert_ne!(quantive[col("icp_tier")], "excluded");
    assert_eq!(quantive[col("icp_unknown_filters")], "100+ employees");

    let s: Value = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(s["rows_read"], 23);
    assert_eq!(s["rows_skipped"], 1);
    assert_eq!(s["tam"], 22);
    let tiers = &s["tiers"];
    let sum: u64 = ["1", "2", "3", "excluded"]
        .iter()
        .map(|t| tiers[t].as_u64().unwrap())
        .sum();
    assert_eq!(sum, 22);
    assert_eq!(
        s["sam"].as_u64().unwrap(),
        22 - tiers["excluded"].as_u64().unwrap()
    );
    assert_eq!(s["skipped"][0]["line"], 24);
    assert!(
        s["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("30 fields")
    );

    let (rh, rrows) = read_csv(&dir.path().join("out/scored.rejects.csv"));
    assert!(rh.ends_with(&["line", "reason", "extra"].map(String::from)));
    assert_eq!(rrows[0][0], "1023", "the rejected row keeps its values");
    // The two values past the header's columns are kept in `extra`, so the
    // rejects file has the same columns on every row.
    assert_eq!(rrows[0].len(), rh.len());
    assert!(!rrows[0].last().unwrap().is_empty());
}

#[test]
fn jsonl_in_and_out_with_numbers_as_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("accounts.jsonl");
    std::fs::write(
        &input,
        "{\"domain\":\"a.com\",\"employees\":500,\"industry\":\"Banking\",\"workflow_automation\":\"manual\"}\n\
         not json at all\n\
         {\"domain\":\"b.com\",\"employees\":\"12\"}\n",
    )
    .unwrap();
    let out = dir.path().join("out.jsonl");
    let r = run(icp()
        .args(["score"])
        .arg(&input)
        .args(["-p", GENAI, "--as-of", "2026-11-20", "-o"])
        .arg(&out));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["icp_score"], 11);
    assert_eq!(lines[0]["icp_tier"], "2");
    assert_eq!(lines[1]["icp_tier"], "excluded");
    assert!(r.stdout.contains("line 2"), "{}", r.stdout);
}

#[test]
fn several_profiles_prefix_their_columns() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("both.csv");
    let r = run(icp()
        .args([
            "score",
            "examples/accounts.csv",
            "-p",
            GENAI,
            "-p",
            "config/profiles/negative-smb.toml",
            "--as-of",
            "2026-11-20",
            "-o",
        ])
        .arg(&out));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (headers, _) = read_csv(&out);
    assert!(headers.iter().any(|h| h == "genai-enterprise__icp_score"));
    assert!(headers.iter().any(|h| h == "negative-smb__icp_tier"));
}

#[test]
fn profile_errors_name_file_line_and_column_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.toml");
    std::fs::write(
        &p,
        "name = \"bad\"\n\n[[traits]]\nname = \"Big\"\nwhen = \"employees >== 100\"\nweight = 3\n\n[[traits]]\nname = \"Huge\"\nwhen = \"employees > 1000\"\nweight = 7\n",
    )
    .unwrap();
    let r = run(icp().args(["profile", "check"]).arg(&p));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("bad.toml:5:21"), "{}", r.stderr);
    assert!(r.stderr.contains("bad.toml:11:10"), "{}", r.stderr);
    assert!(r.stderr.contains("outside -5..+5"), "{}", r.stderr);
    assert!(
        r.stderr.contains('^'),
        "the offending text is underlined: {}",
        r.stderr
    );

    // Scoring with a broken profile is a config error too, and writes nothing.
    let out = dir.path().join("o.csv");
    let r = run(icp()
        .args(["score", "examples/accounts.csv", "-p"])
        .arg(&p)
        .arg("-o")
        .arg(&out));
    assert_eq!(r.code, 2);
    assert!(!out.exists());
}

#[test]
fn profile_warnings_do_not_fail_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("warn.toml");
    std::fs::write(
        &p,
        "name = \"w\"\n[tiers]\ntier1 = 2\ntier2 = 5\n[[filters]]\nname = \"never\"\nwhen = \"employees > 100 and employees < 50\"\n[[traits]]\nname = \"x\"\nwhen = \"intent_score > 1\"\nweight = 2\naxis = \"intent\"\n",
    )
    .unwrap();
    let r = run(icp()
        .args(["profile", "check"])
        .arg(&p)
        .args(["--input", "examples/accounts.csv"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    for w in [
        "middle weight",
        "can never pass",
        "out of order",
        "no column of examples/accounts.csv provides `intent_score`",
    ] {
        assert!(r.stderr.contains(w), "missing warning {w:?}: {}", r.stderr);
    }
    let r = run(icp().args(["profile", "check", "--deny-warnings"]).arg(&p));
    assert_eq!(r.code, 2);
}

#[test]
fn usage_errors_exit_2_with_a_reason() {
    let r = run(icp().args(["score", "nope.csv", "-p", GENAI, "-o", "/tmp/x.csv"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("nope.csv"), "{}", r.stderr);
    // An output that is a folder is refused before any work.
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("out.csv");
    std::fs::create_dir(&folder).unwrap();
    let r = run(icp()
        .args(["score", "examples/accounts.csv", "-p", GENAI, "-o"])
        .arg(&folder));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("is a folder; give a file name"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "nothing left behind"
    );
    let r = run(icp().args([
        "score",
        "examples/accounts.csv",
        "-p",
        GENAI,
        "-o",
        "/tmp/x.xlsx",
    ]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains(".csv or .jsonl"), "{}", r.stderr);
    let r = run(icp().args([
        "score",
        "examples/accounts.csv",
        "-p",
        GENAI,
        "-o",
        "examples/accounts.csv",
    ]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("is the input file"), "{}", r.stderr);
    let r = run(icp().args(["score"]));
    assert_eq!(r.code, 2);
    let r = run(icp().args([
        "score",
        "examples/accounts.csv",
        "-p",
        GENAI,
        "-p",
        GENAI,
        "-o",
        "/tmp/x.csv",
    ]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("two profiles are named `genai-enterprise`"),
        "{}",
        r.stderr
    );
}

#[test]
fn every_example_profile_is_valid_and_scores_its_data() {
    for entry in std::fs::read_dir(repo().join("config/profiles")).unwrap() {
        let p = entry.unwrap().path();
        let r = run(icp().args(["profile", "check", "--deny-warnings"]).arg(&p));
        assert_eq!(r.code, 0, "{}: {}", p.display(), r.stderr);
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("members.csv");
    let r = run(icp()
        .args([
            "score",
            "examples/members.csv",
            "-p",
            "config/profiles/genai-community.toml",
            "--as-of",
            "2026-11-22",
            "-o",
        ])
        .arg(&out));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (headers, rows) = read_csv(&out);
    let tier = headers.iter().position(|h| h == "icp_tier").unwrap();
    let by_handle = |h: &str| rows.iter().find(|r| r[0] == h).unwrap()[tier].clone();
    assert_eq!(by_handle("ada.dev"), "1");
    assert_eq!(by_handle("growthhacker99"), "3", "promotion only");
    assert_eq!(
        by_handle("oldtimer"),
        "excluded",
        "inactive for over 180 days"
    );
}

#[test]
fn the_rows_of_a_large_file_all_come_out() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("big.csv");
    let mut s = String::from("domain,employees,industry\n");
    for i in 0..50_000 {
        s.push_str(&format!("c{i}.com,{},Banking\n", i % 900));
    }
    std::fs::write(&input, s).unwrap();
    let out = dir.path().join("big-out.csv");
    let r = run(icp()
        .args(["score"])
        .arg(&input)
        .args(["-p", GENAI, "-q", "-o"])
        .arg(&out));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (_, rows) = read_csv(&out);
    assert_eq!(rows.len(), 50_000);
}

/// A CSV file is cut into blocks that are parsed on several threads: rows
/// that cross blocks, quoted line breaks, CRLF, blank lines and bad rows
/// come out as the sequential reader reads them, in order, with the right
/// line numbers.
#[test]
fn a_file_parsed_in_blocks_keeps_every_row_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("blocks.csv");
    let mut bytes = b"domain,employees,Company name\r\n".to_vec();
    let (mut line, mut want, mut bad_lines) = (2u64, Vec::new(), Vec::new());
    for i in 0..20_000 {
        match i % 1000 {
            // A quoted value with a line break, a comma and a quote.
            7 => {
                let name = format!("Caf\u{e9} \"{i}\", Ltd\r\nsecond line");
                bytes.extend(
                    format!("q{i}.com,12,\"{}\"\r\n", name.replace('"', "\"\"")).as_bytes(),
                );
                want.push(vec![format!("q{i}.com"), "12".into(), name]);
                line += 2;
            }
            // Too many fields.
            500 => {
                bytes.extend(format!("bad{i}.com,1,x,y,z\r\n").as_bytes());
                bad_lines.push(line);
                line += 1;
            }
            // Invalid UTF-8.
            900 => {
                bytes.extend(format!("u{i}.com,3,").as_bytes());
                bytes.extend(b"\xff\xfe\r\n");
                bad_lines.push(line);
                line += 1;
            }
            // Blank lines are skipped, but counted.
            950 => {
                bytes.extend(b"\r\n\r\n");
                line += 2;
            }
            _ => {
                let name = format!("Company number {i} with a long enough name");
                bytes.extend(format!("c{i}.com,{},{name}\r\n", i % 900).as_bytes());
                want.push(vec![format!("c{i}.com"), (i % 900).to_string(), name]);
                line += 1;
            }
        }
    }
    assert!(bytes.len() > 3 * 256 * 1024, "several blocks");
    std::fs::write(&input, &bytes).unwrap();
    let out = dir.path().join("out.csv");
    let summary = dir.path().join("summary.json");
    let r = run(icp()
        .args(["score"])
        .arg(&input)
        .args(["-p", GENAI, "-q", "-o"])
        .arg(&out)
        .arg("--summary-json")
        .arg(&summary));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (headers, rows) = read_csv(&out);
    assert_eq!(&headers[..3], ["domain", "employees", "Company name"]);
    let got: Vec<Vec<String>> = rows.iter().map(|r| r[..3].to_vec()).collect();
    assert_eq!(got.len(), want.len());
    assert!(got == want, "rows differ from the input");
    let s: Value = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    let skipped: Vec<u64> = s["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["line"].as_u64().unwrap())
        .collect();
    assert_eq!(skipped, bad_lines);
    assert_eq!(s["rows_read"], want.len() as u64 + bad_lines.len() as u64);
}

/// A Salesforce account report has a Website column and no domain: the
/// profile's `domain` is the registrable domain of the website (or of the
/// e-mail), and the report's footer lines are rejected, not scored.
#[test]
fn salesforce_report_scores_domain_from_its_website() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("sf.csv");
    std::fs::write(
        &input,
        "\u{feff}\"Account Name\",\"Website\",\"Employees\",\"Billing Country\"\r\n\
         \"Acme\",\"https://www.acme.co.uk/about\",\"1,200\",\"United Kingdom\"\r\n\
         \"NoSite\",\"\",\"50\",\"Germany\"\r\n\
         \"Social\",\"https://linkedin.com/company/social\",\"80\",\"US\"\r\n\
         \r\n\
         \"Grand Totals (3 records)\"\r\n\
         \r\n\
         \"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\"\r\n",
    )
    .unwrap();
    let profile = dir.path().join("p.toml");
    std::fs::write(
        &profile,
        "name = \"p\"\n[[traits]]\nname = \"Acme\"\nwhen = \"domain = 'acme.co.uk'\"\nweight = 3\n\
         [[traits]]\nname = \"Known domain\"\nwhen = \"present(domain)\"\nweight = 1\n",
    )
    .unwrap();
    let out = dir.path().join("scored.csv");
    let score = |input: &std::path::Path| {
        run(icp()
            .arg("score")
            .arg(input)
            .arg("--profile")
            .arg(&profile)
            .arg("--out")
            .arg(&out))
    };
    let r = score(&input);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("no column for `domain`"), "{}", r.stderr);
    let (h, rows) = read_csv(&out);
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let got: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r[col("Account Name")].as_str(),
                r[col("icp_score")].as_str(),
            )
        })
        .collect();
    assert_eq!(got, [("Acme", "4"), ("NoSite", "0"), ("Social", "0")]);
    assert!(
        !h.contains(&"domain".to_string()),
        "the output keeps the input's columns"
    );
    assert!(r.stdout.contains("line 6: a lone value"), "{}", r.stdout);
    assert!(r.stdout.contains("line 8: a lone value"), "{}", r.stdout);

    // HubSpot's Company Domain Name is often blank: the Website URL of
    // that row gives the domain.
    let input = dir.path().join("hubspot.csv");
    std::fs::write(
        &input,
        "Record ID,Company name,Company Domain Name,Website URL\n\
         1,Acme,,https://www.acme.co.uk/\n\
         2,Other,other.com,https://www.acme.co.uk/\n\
         3,None,,\n",
    )
    .unwrap();
    let r = score(&input);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (h, rows) = read_csv(&out);
    let at = h.iter().position(|c| c == "icp_score").unwrap();
    let got: Vec<&str> = rows.iter().map(|r| r[at].as_str()).collect();
    assert_eq!(got, ["4", "1", "0"]);
}

/// Cells a field cannot read are counted per column in the summary, so a
/// column of "~500" headcounts does not silently become unknown.
#[test]
fn unreadable_values_are_reported_per_column() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("a.csv");
    let mut text = String::from("Company Domain Name,Number of Employees\n");
    for i in 0..3000 {
        let emp = if i % 3 == 0 {
            "~500".to_string()
        } else {
            (i + 10).to_string()
        };
        text.push_str(&format!("c{i}.com,{emp}\n"));
    }
    std::fs::write(&input, text).unwrap();
    let out = dir.path().join("o.csv");
    let summary = dir.path().join("s.json");
    let r = run(icp()
        .arg("score")
        .arg(&input)
        .args(["--profile", GENAI, "--out"])
        .arg(&out)
        .arg("--summary-json")
        .arg(&summary));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains(
            "1,000  employees in column 'Number of Employees', e.g. \"~500\": not a number"
        ),
        "{}",
        r.stdout
    );
    let s: Value = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(s["unread"][0]["count"], 1000);
    assert_eq!(s["unread"][0]["expected"], "number");
}
