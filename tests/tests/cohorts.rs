//! `icp cohorts` end to end on a small HubSpot-style customer export whose
//! answers were worked out by hand.

use icp_tests::icp;

const CUSTOMERS: &str = "\
Record ID,Company name,Create Date,Original Source,NPS,Retained,Onboarding Completed,Industry
1,Acme,2025-01-05 09:00,REFERRALS,10,yes,2025-01-20,Computer Software
2,Beta,2025-01-18 10:00,ORGANIC_SEARCH,7,no,,Computer Software
3,Gamma,2025-02-03 11:00,PAID_SOCIAL,4,no,2025-05-01,Retail
4,Delta,2025-02-20,REFERRALS,9,yes,2025-03-01,Retail
5,Epsilon,2025-04-02,DIRECT_TRAFFIC,,yes,2025-04-10,Banking
6,Zeta,2025-05-15,word of mouth,10,,2025-05-16,Banking
7,Eta,,OFFLINE,6,no,,Retail
8,Théta – Ünïcode,2025-06-20,PAID_SEARCH,8,,,Computer Software
";

fn write_customers(dir: &std::path::Path) -> std::path::PathBuf {
    let p = dir.join("customers.csv");
    std::fs::write(&p, CUSTOMERS).unwrap();
    p
}

#[test]
fn quarterly_onboarding_within_30_days() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_customers(dir.path());
    let json = dir.path().join("cohorts.json");
    let o = icp([
        "cohorts".as_ref(),
        input.as_os_str(),
        "--by".as_ref(),
        "quarter".as_ref(),
        "--goal-date".as_ref(),
        "Onboarding Completed".as_ref(),
        "--within".as_ref(),
        "30".as_ref(),
        "--as-of".as_ref(),
        "2025-07-01".as_ref(),
        "--json".as_ref(),
        json.as_os_str(),
    ]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(r["signup_column"], "Create Date");
    assert_eq!(r["period"], "quarter");
    let cohorts = r["cohorts"].as_array().unwrap();
    assert_eq!(cohorts.len(), 2);
    // Q1: Acme 15 days (yes), Beta never, Gamma 87 days (no), Delta 9 days.
    let q1 = &cohorts[0];
    assert_eq!(q1["cohort"], "2025-Q1");
    assert_eq!(
        (
            &q1["customers"],
            &q1["reached"],
            &q1["not_reached"],
            &q1["share"]
        ),
        (&4.into(), &2.into(), &2.into(), &0.5.into())
    );
    assert_eq!(q1["status"], "complete");
    // Q2: Epsilon 8 days, Zeta 1 day; Théta signed up 11 days before the
    // as-of date: pending, not a failure.
    let q2 = &cohorts[1];
    assert_eq!(
        (
            &q2["customers"],
            &q2["reached"],
            &q2["not_reached"],
            &q2["pending"]
        ),
        (&3.into(), &2.into(), &0.into(), &1.into())
    );
    assert_eq!(q2["share"], 1.0);
    assert_eq!(q2["status"], "partial");
    // Eta has no signup date (line 8): reported, not lost.
    assert_eq!(r["undated"]["count"], 1);
    assert_eq!(r["undated"]["lines"][0], 8);
    assert!(o.stdout.contains("lines 8"), "{}", o.stdout);
    // Referral share 3 / 8 (REFERRALS twice, word of mouth once).
    assert_eq!(r["referral"]["referred"], 3);
    assert_eq!(r["referral"]["with_source"], 8);
    assert_eq!(r["referral"]["flag"], true);
    assert!(
        o.stdout.contains("referral share: 38% (3 of 8"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("a sign of product-market fit"),
        "{}",
        o.stdout
    );
    // NPS: referred 10, 9, 10 = +100; others 7, 4, 6, 8 = (0 - 2) / 4 = -50.
    assert_eq!(r["nps"]["referred"]["score"], 100.0);
    assert_eq!(r["nps"]["others"]["score"], -50.0);
    assert_eq!(r["nps"]["others"]["responses"], 4);
    assert!(
        o.stdout.contains(
            "NPS of other customers:    -50 (4 answers: 0 promoters, 2 passives, 2 detractors)"
        ),
        "{}",
        o.stdout
    );
    // Retention by industry (the default segment column).
    let segs = r["segments"]["rows"].as_array().unwrap();
    let banking = segs.iter().find(|s| s["value"] == "Banking").unwrap();
    assert_eq!(
        (&banking["reached"], &banking["share"]),
        (&2.into(), &1.0.into())
    );
    let software = segs.iter().find(|s| s["value"] == "Software").unwrap();
    assert_eq!(
        (
            &software["customers"],
            &software["reached"],
            &software["pending"]
        ),
        (&3.into(), &1.into(), &1.into())
    );
    assert!(o.stdout.contains("retention by Industry"), "{}", o.stdout);
}

#[test]
fn monthly_retained_column_not_cumulative() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_customers(dir.path());
    let o = icp([
        "cohorts".as_ref(),
        input.as_os_str(),
        "--goal".as_ref(),
        "Retained".as_ref(),
        "--as-of".as_ref(),
        "2025-07-01".as_ref(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let line = |cohort: &str| {
        o.stdout
            .lines()
            .find(|l| l.starts_with(cohort))
            .unwrap_or_else(|| panic!("no {cohort} line in\n{}", o.stdout))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    // cohort, customers, reached, not, share, blank
    assert_eq!(line("2025-01"), "2025-01 2 1 1 50% 0");
    assert_eq!(line("2025-02"), "2025-02 2 1 1 50% 0");
    assert_eq!(line("2025-03"), "2025-03 0 - - - 0 no signups");
    assert_eq!(line("2025-04"), "2025-04 1 1 0 100% 0");
    // Zeta's Retained is blank: unknown, not a failure.
    assert_eq!(line("2025-05"), "2025-05 1 - - - 1");
    assert_eq!(line("all"), "all 7 3 2 60% 2");
}

#[test]
fn overrides_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_customers(dir.path());
    // --referral replaces the list: only PAID_SEARCH counts.
    let o = icp([
        "cohorts".as_ref(),
        input.as_os_str(),
        "--referral".as_ref(),
        "paid search".as_ref(),
        "--segment-by".as_ref(),
        "Original Source".as_ref(),
        "--as-of".as_ref(),
        "2025-07-01".as_ref(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains("referral share: 12% (1 of 8"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains(": below 30%"), "{}", o.stdout);
    assert!(
        o.stdout.contains("retention by Original Source"),
        "{}",
        o.stdout
    );

    // No signup column: say which names were tried and how to fix it.
    let no_dates = dir.path().join("no-dates.csv");
    std::fs::write(&no_dates, "Company name,Plan\nAcme,Pro\n").unwrap();
    let o = icp(["cohorts".as_ref(), no_dates.as_os_str()]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("--signup COLUMN"), "{}", o.stderr);
    assert!(o.stderr.contains("Create Date"), "{}", o.stderr);

    // A signup column without one readable date.
    let o = icp([
        "cohorts".as_ref(),
        no_dates.as_os_str(),
        "--signup".as_ref(),
        "Plan".as_ref(),
    ]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("no date icp can read"), "{}", o.stderr);

    // --goal-date without --within is refused by the argument parser.
    let o = icp([
        "cohorts".as_ref(),
        input.as_os_str(),
        "--goal-date".as_ref(),
        "Onboarding Completed".as_ref(),
    ]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("--within"), "{}", o.stderr);

    // An unknown goal column.
    let o = icp([
        "cohorts".as_ref(),
        input.as_os_str(),
        "--goal".as_ref(),
        "Renewed".as_ref(),
    ]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("no column `Renewed`"), "{}", o.stderr);
}

#[test]
fn the_example_customers_by_quarter() {
    let o = icp([
        "cohorts",
        "examples/customers.csv",
        "--by",
        "quarter",
        "--goal-date",
        "Onboarding Completed",
        "--within",
        "60",
        "--as-of",
        "2026-01-15",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("2024-Q1"), "{}", o.stdout);
    assert!(o.stdout.contains("2025-Q4"), "{}", o.stdout);
    assert!(o.stdout.contains("partial"), "{}", o.stdout);
    assert!(o.stdout.contains("referral share"), "{}", o.stdout);
}
