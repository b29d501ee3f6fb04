//! `icp learn` end to end: a closed-deals export with a planted structure
//! goes in; the planted traits come out with the right sign, the noise does
//! not, the profile passes `icp profile check` and scores the same file.

use std::fmt::Write as _;
use std::path::Path;

use icp_tests::{cell, icp, read_csv};

/// A 64-bit LCG: the same rows on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[((self.next() * items.len() as f64) as usize).min(items.len() - 1)]
    }
}

/// HubSpot-style closed deals. Planted on the log-odds of winning: industry
/// Software +1.4, 51-200 employees +1.2, Salesforce in the stack +1.0;
/// Government Administration never wins; the country is noise.
fn write_deals(path: &Path, rows: usize) {
    let mut r = Lcg(2024);
    let mut csv = String::from(
        "Record ID,Deal Name,Industry,Number of Employees,Country/Region,Technologies,Close Date,Deal Stage\n",
    );
    for i in 0..rows {
        let industry = r.pick(&[
            "Computer Software",
            "COMPUTER_SOFTWARE",
            "Retail",
            "Manufacturing",
            "Hospital & Health Care",
            "Government Administration",
            "Financial Services",
        ]);
        let software = industry.to_ascii_lowercase().contains("software");
        let employees = 10f64.powf(r.next() * 3.7).round().max(1.0);
        let country = r.pick(&["United States", "Germany", "France", "UK", "DE", "USA"]);
        let mut tech = Vec::new();
        for t in ["Salesforce", "HubSpot", "Slack", "Zoom", "Stripe"] {
            if r.next() < 0.35 {
                tech.push(t);
            }
        }
        let mut logit: f64 = -1.7;
        if software {
            logit += 1.4;
        }
        if (51.0..=200.0).contains(&employees) {
            logit += 1.2;
        }
        if tech.contains(&"Salesforce") {
            logit += 1.0;
        }
        let won =
            industry != "Government Administration" && r.next() < 1.0 / (1.0 + (-logit).exp());
        // Some headcounts as CRM bands or with separators, some blank.
        let emp = match i % 10 {
            0 if (51.0..=200.0).contains(&employees) => "51-200".to_owned(),
            1 => String::new(),
            2 if employees >= 1000.0 => {
                format!("{},{:03}", employees as u64 / 1000, employees as u64 % 1000)
            }
            _ => format!("{employees}"),
        };
        writeln!(
            csv,
            "{},Deal {i},{industry},\"{emp}\",{country},\"{}\",2025-0{}-15,{}",
            5000 + i,
            tech.join("; "),
            1 + i % 9,
            if won { "Closed Won" } else { "Closed Lost" }
        )
        .unwrap();
    }
    std::fs::write(path, csv).unwrap();
}

#[test]
fn learns_the_planted_profile() {
    let dir = tempfile::tempdir().unwrap();
    let deals = dir.path().join("deals.csv");
    write_deals(&deals, 3000);
    let profile = dir.path().join("learned.toml");
    let json = dir.path().join("learned.json");
    let out = icp([
        "learn".as_ref(),
        deals.as_os_str(),
        "--outcome".as_ref(),
        "Deal Stage".as_ref(),
        "--out".as_ref(),
        profile.as_os_str(),
        "--json".as_ref(),
        json.as_os_str(),
    ]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("learned profile"), "{}", out.stdout);
    assert!(out.stdout.contains("logistic model"), "{}", out.stdout);

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let traits = report["traits"].as_array().unwrap();
    let weight_of = |needle: &str| {
        traits
            .iter()
            .find(|t| t["when"].as_str().unwrap().contains(needle))
            .map(|t| t["weight"].as_i64().unwrap())
    };
    assert!(
        weight_of("industry = \"Software\"").is_some_and(|w| w > 0),
        "{traits:#?}"
    );
    assert!(
        weight_of("employees between 51 and 200").is_some_and(|w| w > 0),
        "{traits:#?}"
    );
    assert!(
        weight_of("technologies has \"salesforce\"").is_some_and(|w| w > 0),
        "{traits:#?}"
    );
    assert!(
        traits.iter().all(|t| t["field"] != "country"),
        "the country is noise: {traits:#?}"
    );
    for t in traits {
        // Evidence for each weight.
        assert!(t["support"].as_u64().unwrap() >= 20);
        assert!(t["lift_lo"].as_f64().unwrap() <= t["lift"].as_f64().unwrap());
        assert!(t["why"].as_str().unwrap().contains("confidence"));
    }
    let filters = report["filters"].as_array().unwrap();
    assert!(
        filters
            .iter()
            .any(|f| f["when"].as_str().unwrap().contains("Government")),
        "{filters:#?}"
    );
    let hold = &report["metrics"]["holdout"];
    assert!(hold["rows"].as_u64().unwrap() > 500, "{hold}");
    assert!(hold["profile"]["auc"].as_f64().unwrap() > 0.7, "{hold}");
    assert!(hold["model"]["auc"].as_f64().unwrap() > 0.7, "{hold}");
    assert!(
        hold["profile"]["top_decile_lift"].as_f64().unwrap() > 1.5,
        "{hold}"
    );
    assert!(report["verdict"].as_str().unwrap().contains("AUC"));

    // The written profile passes the checker with no warnings, and its
    // evidence is in the file.
    let text = std::fs::read_to_string(&profile).unwrap();
    assert!(text.contains("note = \"lift "), "{text}");
    let check = icp(["profile".as_ref(), "check".as_ref(), profile.as_os_str()]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(check.stdout.contains("0 warnings"), "{}", check.stdout);

    // And it scores the same file: tier 1 wins more often than tier 3.
    let scored = dir.path().join("scored.csv");
    let s = icp([
        "score".as_ref(),
        deals.as_os_str(),
        "--profile".as_ref(),
        profile.as_os_str(),
        "--out".as_ref(),
        scored.as_os_str(),
        "--quiet".as_ref(),
    ]);
    assert_eq!(s.code, 0, "{}{}", s.stdout, s.stderr);
    let (headers, rows) = read_csv(&scored);
    let rate = |tier: &str| {
        let in_tier: Vec<_> = rows
            .iter()
            .filter(|r| cell(&headers, r, "icp_tier") == tier)
            .collect();
        let won = in_tier
            .iter()
            .filter(|r| cell(&headers, r, "Deal Stage") == "Closed Won")
            .count();
        won as f64 / in_tier.len().max(1) as f64
    };
    assert!(
        rate("1") > 2.0 * rate("3"),
        "tier 1 {} vs tier 3 {}",
        rate("1"),
        rate("3")
    );
    assert_eq!(
        rate("excluded"),
        0.0,
        "the filter leaves out only lost deals"
    );
}

#[test]
fn the_example_export_learns_and_leaves_out_the_leak() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("won.toml");
    let out = icp([
        "learn".as_ref(),
        "examples/customers-won-lost.csv".as_ref(),
        "--outcome".as_ref(),
        "Deal Stage".as_ref(),
        "--out".as_ref(),
        profile.as_os_str(),
    ]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("Closed Lost Reason"), "{}", out.stderr);
    let text = std::fs::read_to_string(&profile).unwrap();
    assert!(text.contains("name = \"won\""), "{text}");
    assert!(!text.contains("closed_lost_reason"), "{text}");
    let check = icp(["profile".as_ref(), "check".as_ref(), profile.as_os_str()]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
}

#[test]
fn bad_input_is_a_clear_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let deals = dir.path().join("deals.csv");
    write_deals(&deals, 60);
    let profile = dir.path().join("p.toml");
    let run = |outcome: &str, file: &Path| {
        icp([
            "learn".as_ref(),
            file.as_os_str(),
            "--outcome".as_ref(),
            outcome.as_ref(),
            "--out".as_ref(),
            profile.as_os_str(),
        ])
    };
    // A missing outcome column: the columns are listed.
    let out = run("Stage", &deals);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("Deal Stage") && out.stderr.contains("Industry"),
        "{}",
        out.stderr
    );
    // An outcome column icp cannot read says how to tell it.
    let out = run("Industry", &deals);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("--good"), "{}", out.stderr);
    // Too few rows.
    let tiny = dir.path().join("tiny.csv");
    std::fs::write(&tiny, "Industry,Won\nSoftware,yes\nRetail,no\n").unwrap();
    let out = run("Won", &tiny);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("only 2 rows have an outcome"),
        "{}",
        out.stderr
    );
    assert!(!profile.exists(), "nothing is written on failure");
    // A missing file.
    let out = run("Won", &dir.path().join("nope.csv"));
    assert_eq!(out.code, 2, "{}", out.stderr);
}
