//! `icp size`: TAM / SAM / SOM counts and value from an export, by tier ACV
//! or a formula, accounts counted once per domain.

use icp_tests::icp;

const PROFILE: &str = r#"name = "mid"
[tiers]
tier1 = 5
tier2 = 3

[[filters]]
name = "10+ employees"
when = "employees >= 10"

[[traits]]
name = "Software"
when = 'industry in ["Software"]'
weight = 5

[[traits]]
name = "EU"
when = 'country in ["DE", "FR"]'
weight = 3

[acv]
"1" = 50000
"2" = 20000
"3" = 5000
"excluded" = 0
"#;

// Tier 1: acme, bolt (Software). Tier 2: cargo (DE, not software).
// Tier 3: delta. Excluded: tiny (5 people). acme.com appears twice.
const EXPORT: &str = "Company Domain Name,Industry,Number of Employees,Country/Region,Seats\n\
acme.com,COMPUTER_SOFTWARE,120,United States,40\n\
https://www.bolt.io/,Software,51-200,Germany,\n\
cargo.de,Logistics,300,Germany,10\n\
delta.com,Retail,\"1,200\",Canada,5\n\
tiny.co,Software,5,France,1\n\
ACME.com,Software,120,United States,40\n";

#[test]
fn counts_and_values_the_market_by_tier_and_by_formula() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("mid.toml");
    std::fs::write(&profile, PROFILE).unwrap();
    let input = dir.path().join("export.csv");
    std::fs::write(&input, EXPORT).unwrap();
    let json = dir.path().join("size.json");
    let args = |extra: &[&str]| {
        let mut a = vec![
            "size".to_string(),
            input.display().to_string(),
            "--profile".into(),
            profile.display().to_string(),
            "--json".into(),
            json.display().to_string(),
        ];
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };

    // The profile's [acv] table.
    let r = icp(args(&[]));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("1 duplicate counted once"),
        "{}",
        r.stdout
    );
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(j["rows_read"], 6);
    assert_eq!(j["duplicates_merged"], 1);
    let count = |layer: &str| j[layer]["accounts"].as_u64().unwrap();
    assert_eq!((count("tam"), count("sam"), count("som")), (5, 4, 2));
    assert_eq!(j["tiers"]["2"]["accounts"], 1);
    assert_eq!(j["tiers"]["excluded"]["accounts"], 1);
    assert_eq!(j["som"]["value"], 100000.0);
    assert_eq!(j["sam"]["value"], 125000.0);
    assert_eq!(j["tam"]["value"], 125000.0, "excluded = 0");
    assert!(r.stdout.contains("$125,000"), "{}", r.stdout);

    // --acv overrides it; excluded accounts default to the tier-3 ACV.
    let r = icp(args(&["--acv", "1=$1,000,2=100,3=10"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(j["tam"]["value"], 2120.0);
    assert!(
        r.stdout.contains("excluded at the tier-3 ACV"),
        "{}",
        r.stdout
    );

    // A formula: a seat price; bolt.io has no seat count and is not valued.
    let r = icp(args(&["--acv-formula", "seats * 12 * 25"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(j["som"]["value"], 12000.0);
    assert_eq!(j["som"]["unvalued"], 1);
    assert_eq!(j["tam"]["value"], (40.0 + 10.0 + 5.0 + 1.0) * 300.0);
    assert!(r.stdout.contains("1 not valued"), "{}", r.stdout);

    // Mistakes are usage errors that say what to write.
    let r = icp(args(&["--acv", "gold=5"]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("ACV keys are 1, 2, 3 and excluded"),
        "{}",
        r.stderr
    );
    let r = icp(args(&["--acv-formula", "licences * 10"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("reads `licences`"), "{}", r.stderr);
    assert!(r.stderr.contains("Seats"), "{}", r.stderr);
    let r = icp(args(&["--acv-formula", "seats * (2"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot be read"), "{}", r.stderr);
}
