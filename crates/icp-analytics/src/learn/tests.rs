use super::*;

/// A small deterministic generator (a 64-bit LCG).
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

const HEADERS: [&str; 8] = [
    "Record ID",
    "Company name",
    "Industry",
    "Number of Employees",
    "Country/Region",
    "Technologies",
    "Create Date",
    "Deal Stage",
];

/// Planted: Software and 51-200 employees and Salesforce raise the win
/// rate; Government never wins; the country is noise.
fn planted(rows: usize, seed: u64) -> Dataset {
    let mut r = Lcg(seed);
    let mut out = Vec::new();
    for i in 0..rows {
        let industry = r.pick(&[
            "Software",
            "Retail",
            "Manufacturing",
            "Healthcare",
            "Government",
        ]);
        let employees = (10f64.powf(r.next() * 3.5)).round().max(1.0);
        let country = r.pick(&["United States", "Germany", "France", "UK"]);
        let mut tech = Vec::new();
        for t in ["Salesforce", "HubSpot", "Slack", "Zoom"] {
            if r.next() < 0.35 {
                tech.push(t);
            }
        }
        let mut logit = -1.6;
        if industry == "Software" {
            logit += 1.4;
        }
        if (51.0..=200.0).contains(&employees) {
            logit += 1.2;
        }
        if tech.contains(&"Salesforce") {
            logit += 1.0;
        }
        let p = 1.0 / (1.0 + f64::exp(-logit));
        let won = industry != "Government" && r.next() < p;
        out.push((
            i as u64 + 2,
            vec![
                format!("{}", 1000 + i),
                format!("Company {i}"),
                industry.to_owned(),
                format!("{employees}"),
                country.to_owned(),
                tech.join("; "),
                "2024-03-01".to_owned(),
                if won { "Closed Won" } else { "Closed Lost" }.to_owned(),
            ],
        ));
    }
    let headers: Vec<String> = HEADERS.iter().map(|h| h.to_string()).collect();
    Dataset::from_rows(&headers, out)
}

fn opts() -> LearnOptions {
    LearnOptions {
        outcome: "Deal Stage".into(),
        name: "planted".into(),
        ..LearnOptions::default()
    }
}

#[test]
fn recovers_planted_traits_and_filter() {
    let data = planted(3000, 7);
    let learned = learn(&data, &opts()).unwrap();
    let r = &learned.report;
    let has = |needle: &str| r.traits.iter().find(|t| t.when.contains(needle));
    let sw = has("industry = \"Software\"").expect("Software trait");
    assert!(sw.weight > 0, "{sw:?}");
    let emp = has("employees between 51").expect("51-200 employees trait");
    assert!(emp.weight > 0, "{emp:?}");
    let sf = has("technologies has \"salesforce\"").expect("Salesforce trait");
    assert!(sf.weight > 0, "{sf:?}");
    assert!(
        r.traits.iter().all(|t| t.field != "country"),
        "country is noise: {:#?}",
        r.traits
    );
    assert!(
        r.traits
            .iter()
            .all(|t| [1, 3, 5, -1, -3, -5].contains(&t.weight))
    );
    let gov = r
        .filters
        .iter()
        .find(|f| f.field == "industry")
        .expect("a Government filter");
    assert!(gov.when.contains("\"Government\""), "{}", gov.when);
    assert_eq!(gov.excluded_good, 0);
    // Identifiers, names and dates are not candidates.
    for c in ["Record ID", "Company name", "Create Date", "Deal Stage"] {
        assert!(
            r.skipped_columns.iter().any(|s| s.column == c),
            "{c} should be skipped: {:?}",
            r.skipped_columns
        );
    }
    // Held out about a fifth, and both rankings beat chance there.
    assert!(
        (500..700).contains(&r.split.holdout_rows),
        "{}",
        r.split.holdout_rows
    );
    let h = r.metrics.holdout.as_ref().expect("held-out metrics");
    assert!(h.profile.auc > 0.7, "{}", h.profile.auc);
    let m = h.model.as_ref().expect("model metrics");
    assert!(m.auc > 0.7, "{}", m.auc);
    assert!(h.profile.top_decile_lift > 1.5);
    assert!(!r.verdict.is_empty());
    // The written profile compiles without errors or warnings.
    let loaded = icp_core::load(&learned.profile_toml, 0);
    assert!(loaded.profile.is_some(), "{:?}", loaded.diagnostics);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    assert!(r.tiers.tier1 > r.tiers.tier2);
    // The JSON reads back (floats may differ in the last digit).
    let json = serde_json::to_string(r).unwrap();
    let back: LearnReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back.traits.len(), r.traits.len());
    assert_eq!(back.traits[0].when, r.traits[0].when);
    assert_eq!(back.candidates.len(), r.candidates.len());
    assert!(back.metrics.holdout.is_some());
}

#[test]
fn evidence_is_measured_with_the_written_conditions() {
    let data = planted(2000, 11);
    let learned = learn(&data, &opts()).unwrap();
    let r = &learned.report;
    for t in &r.traits {
        if let Some(c) = r.candidates.iter().find(|c| c.when == t.when) {
            assert_eq!(
                (c.support, c.good),
                (t.support, t.good),
                "direct and compiled counts differ for {}",
                t.when
            );
        }
    }
}

#[test]
fn same_seed_same_profile() {
    let data = planted(1500, 3);
    let a = learn(&data, &opts()).unwrap();
    let b = learn(&data, &opts()).unwrap();
    assert_eq!(a.profile_toml, b.profile_toml);
    let c = learn(&data, &LearnOptions { seed: 99, ..opts() }).unwrap();
    assert_ne!(a.report.split.train_rows, 0);
    assert_ne!(
        (a.report.split.train_rows, a.report.split.train_good),
        (c.report.split.train_rows, c.report.split.train_good)
    );
}

#[test]
fn split_is_a_reproducible_hash() {
    let held = (0..100_000).filter(|&r| held_out(42, r, 0.2)).count();
    assert!((19_500..20_500).contains(&held), "{held}");
    assert_eq!(held_out(42, 17, 0.2), held_out(42, 17, 0.2));
    assert!(!held_out(42, 17, 0.0));
    // Python: bench/learn_sklearn.py reproduces these.
    let first: Vec<usize> = (0..40).filter(|&r| held_out(42, r, 0.2)).collect();
    assert_eq!(first, vec![0, 2, 4, 8, 18, 22, 25, 28, 37], "{first:?}");
}

#[test]
fn too_few_outcomes_say_so() {
    let data = planted(1, 1);
    let err = learn(&data, &opts()).unwrap_err();
    assert!(matches!(err, LearnError::TooFew { known: 1, .. }), "{err}");
    assert!(err.to_string().contains("at least 20"), "{err}");
    // One class only.
    let headers = vec!["Industry".to_string(), "Won".to_string()];
    let rows = (0..50)
        .map(|i| (i + 2, vec!["Software".into(), "yes".into()]))
        .collect();
    let err = learn(
        &Dataset::from_rows(&headers, rows),
        &LearnOptions {
            outcome: "Won".into(),
            ..LearnOptions::default()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("0 bad"), "{err}");
    // No such column: the columns are listed.
    let err = learn(
        &planted(50, 1),
        &LearnOptions {
            outcome: "Stage".into(),
            ..LearnOptions::default()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("Deal Stage"), "{err}");
    // Bad options.
    for o in [
        LearnOptions {
            holdout: 0.95,
            ..opts()
        },
        LearnOptions {
            confidence: 1.0,
            ..opts()
        },
        LearnOptions {
            min_support: 0,
            ..opts()
        },
        LearnOptions {
            max_traits: 0,
            ..opts()
        },
    ] {
        assert!(matches!(
            learn(&planted(100, 1), &o),
            Err(LearnError::BadOption(_))
        ));
    }
}

#[test]
fn odd_columns_do_not_break_it() {
    // Blank, NaN, unicode headers and values, a constant column and a
    // free-text column beside one real signal.
    let headers: Vec<String> = [
        "Größe", "Blank", "Notes", "Constant", "Score", "Plan", "Outcome",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut r = Lcg(5);
    let rows = (0..400)
        .map(|i| {
            let plan = r.pick(&["Pro", "Free", "Équipe"]);
            let good = match plan {
                "Pro" => r.next() < 0.7,
                _ => r.next() < 0.2,
            };
            (
                i as u64 + 2,
                vec![
                    if i % 7 == 0 {
                        "NaN".into()
                    } else {
                        format!("{}", i % 13)
                    },
                    String::new(),
                    format!("note number {i} about things"),
                    "same".into(),
                    if i % 5 == 0 {
                        "n/a".into()
                    } else {
                        format!("{:.2}", r.next())
                    },
                    plan.into(),
                    if good { "1" } else { "0" }.into(),
                ],
            )
        })
        .collect();
    let data = Dataset::from_rows(&headers, rows);
    let learned = learn(
        &data,
        &LearnOptions {
            outcome: "Outcome".into(),
            ..LearnOptions::default()
        },
    )
    .unwrap();
    let r = &learned.report;
    assert!(
        r.traits
            .iter()
            .any(|t| t.when == "plan = \"Pro\"" && t.weight > 0),
        "{:#?}",
        r.traits
    );
    let reason = |c: &str| {
        r.skipped_columns
            .iter()
            .find(|s| s.column == c)
            .map(|s| s.reason.clone())
            .unwrap_or_default()
    };
    assert_eq!(reason("Blank"), "empty");
    assert!(reason("Notes").contains("every row"), "{}", reason("Notes"));
    assert!(
        reason("Constant").contains("one value"),
        "{}",
        reason("Constant")
    );
    assert!(icp_core::load(&learned.profile_toml, 0).profile.is_some());
}

#[test]
fn a_column_filled_only_for_lost_deals_is_a_leak() {
    let headers: Vec<String> = ["Industry", "Closed Lost Reason", "Stage"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut r = Lcg(9);
    let rows = (0..300)
        .map(|i| {
            let ind = r.pick(&["Software", "Retail"]);
            let won = r.next() < if ind == "Software" { 0.6 } else { 0.2 };
            let reason = if won {
                ""
            } else {
                r.pick(&["Price", "Timing", "No budget"])
            };
            (
                i as u64 + 2,
                vec![
                    ind.into(),
                    reason.into(),
                    if won { "won" } else { "lost" }.into(),
                ],
            )
        })
        .collect();
    let data = Dataset::from_rows(&headers, rows);
    let o = LearnOptions {
        outcome: "Stage".into(),
        ..LearnOptions::default()
    };
    let learned = learn(&data, &o).unwrap();
    let skipped = learned
        .report
        .skipped_columns
        .iter()
        .find(|s| s.column == "Closed Lost Reason")
        .expect("skipped");
    assert!(
        skipped.reason.contains("part of the outcome"),
        "{}",
        skipped.reason
    );
    assert!(
        learned
            .report
            .warnings
            .iter()
            .any(|w| w.contains("Closed Lost Reason"))
    );
    assert!(
        learned
            .report
            .traits
            .iter()
            .all(|t| t.field != "closed_lost_reason")
    );
    // --keep uses it anyway.
    let kept = learn(
        &data,
        &LearnOptions {
            keep: vec!["Closed Lost Reason".into()],
            ..o
        },
    )
    .unwrap();
    assert!(
        kept.report
            .candidates
            .iter()
            .any(|c| c.field == "closed_lost_reason")
    );
}

#[test]
fn tier_thresholds_are_in_order() {
    let mut s: Vec<i32> = (0..100).map(|i| i % 10).collect();
    let (t1, t2) = tiers(&mut s, 0, 9);
    assert_eq!((t1, t2), (9.0, 6.0));
    // All tied: tier 2 must still sit above the floor and below tier 1.
    let mut s = vec![3; 50];
    let (t1, t2) = tiers(&mut s, 0, 3);
    assert!(t1 > t2 && t2 > 0.0, "{t1} {t2}");
    let (t1, t2) = tiers(&mut [], -3, 5);
    assert!(t1 > t2);
    // One +1 trait: tier 1 holds the accounts with it.
    let mut s = vec![0, 0, 0, 1];
    assert_eq!(tiers(&mut s, 0, 1), (1.0, 0.0));
}

#[test]
fn numeric_outcome_uses_the_median() {
    let headers: Vec<String> = ["Plan", "NPS"].iter().map(|s| s.to_string()).collect();
    let mut r = Lcg(2);
    let rows = (0..600)
        .map(|i| {
            let plan = r.pick(&["Pro", "Free"]);
            let nps = if plan == "Pro" {
                6.0 + r.next() * 4.0
            } else {
                r.next() * 8.0
            };
            (i as u64 + 2, vec![plan.into(), format!("{}", nps.round())])
        })
        .collect();
    let learned = learn(
        &Dataset::from_rows(&headers, rows),
        &LearnOptions {
            outcome: "NPS".into(),
            ..LearnOptions::default()
        },
    )
    .unwrap();
    assert!(
        learned.report.outcome.rule.contains("median"),
        "{}",
        learned.report.outcome.rule
    );
    // Pro up or Free down: with two values, the second adds no ranking.
    let traits = &learned.report.traits;
    assert_eq!(traits.len(), 1, "{traits:#?}");
    let t = &traits[0];
    assert!(
        (t.when == "plan = \"Pro\"" && t.weight > 0)
            || (t.when == "plan = \"Free\"" && t.weight < 0),
        "{t:?}"
    );
}
