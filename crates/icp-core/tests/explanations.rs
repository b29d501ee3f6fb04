//! Snapshots of what a user reads: reasons, tiers and coverage for a set of
//! accounts, and the diagnostics of a deliberately flawed profile.

mod common;

use common::{profile, render_diagnostics};
use icp_core::RecordBuilder;

const B2B_SAAS: &str = r#"
name = "b2b-saas"
description = "Mid-market B2B software in DACH and the US"

[tiers]
tier1 = 8
tier2 = 4

[[filters]]
name = "mid-market"
when = "employees between 50 and 5000"

[[filters]]
name = "served countries"
when = "country in ['DE', 'AT', 'CH', 'US']"

[[filters]]
name = "not a competitor"
when = "domain not in ['rival.io']"
on_missing = "exclude"

[[traits]]
name = "software"
when = "industry = 'Software'"
weight = 5

[[traits]]
name = "uses HubSpot"
when = "technologies has 'hubspot'"
weight = 3

[[traits]]
name = "funded recently"
when = "last_funding_date within 180d"
weight = 3
axis = "intent"

[[traits]]
name = "young"
when = "company_age < 3"
weight = 1

[[traits]]
name = "agency"
when = "industry = 'Marketing & Advertising'"
weight = -5

[[traits]]
name = "tiny revenue"
when = "revenue < 1M"
weight = -1
"#;

const HEADERS: [&str; 8] = [
    "Company Domain Name",
    "Number of Employees",
    "Country/Region",
    "Industry",
    "Technologies",
    "Last Funding Date",
    "Year Founded",
    "Annual Revenue",
];

const ROWS: [[&str; 8]; 8] = [
    [
        "acme.com",
        "51-200",
        "Germany",
        "COMPUTER_SOFTWARE",
        "HubSpot; Stripe",
        "2024-05-02",
        "2023",
        "$10M-$50M",
    ],
    [
        "beta.io",
        "1,200",
        "United States",
        "Computer Software",
        "Salesforce",
        "2021-01-15",
        "2015",
        "$80M",
    ],
    [
        "gamma.de",
        "120",
        "DE",
        "Marketing and Advertising",
        "hubspot",
        "",
        "2010",
        "900k",
    ],
    ["delta.ch", "", "Switzerland", "SaaS", "", "", "", ""],
    [
        "epsilon.fr",
        "300",
        "France",
        "Software",
        "HubSpot",
        "",
        "",
        "",
    ],
    [
        "rival.io",
        "250",
        "US",
        "Software",
        "HubSpot",
        "2024-06-01",
        "2020",
        "$5M",
    ],
    ["", "75", "AT", "Banking", "", "03/01/2024", "1999", "n/a"],
    [
        "zeta.com", "10,001+", "US", "Software", "HubSpot", "", "", "",
    ],
];

#[test]
fn reasons_tiers_and_coverage_for_a_batch() {
    let p = profile(B2B_SAAS);
    let headers: Vec<String> = HEADERS.map(String::from).to_vec();
    let builder = RecordBuilder::new(&p, &headers);
    let mut rec = Vec::new();
    let mut scored = icp_core::Scored::default();
    let mut reasons = String::new();
    let mut out = String::from(
        "domain | tier | score | fit | intent | coverage | excluded_by | unknown_filters | reasons\n",
    );
    for row in ROWS {
        builder.build(&row, &mut rec);
        p.score_into(&rec, &mut scored);
        p.write_reasons(&scored, &mut reasons);
        out.push_str(&format!(
            "{} | {} | {} | {} | {} | {:.2} | {} | {} | {}\n",
            if row[0].is_empty() { "(none)" } else { row[0] },
            scored.tier.as_str(),
            scored.score,
            scored.fit,
            scored.intent,
            scored.coverage,
            p.excluded_by_name(&scored).unwrap_or("-"),
            Some(p.unknown_filter_names(&scored))
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "-".into()),
            reasons,
        ));
    }
    insta::assert_snapshot!("batch_explanations", out);
}

const FLAWED: &str = r#"name = "flawed"
entity = "company"
intent_half_life = "a while"

[tiers]
tier1 = 20
tier2 = 25

[[filters]]
name = "impossible size"
when = "employees > 100 and employees < 50"

[[filters]]
name = "two industries"
when = "industry in ['Software'] and industry in ['Banking']"
on_missing = "drop"

[[traits]]
name = "big"
when = "employees >> 100"
weight = 3

[[traits]]
name = "software by number"
when = "industry > 5"
weight = 2

[[traits]]
name = "overweight"
when = "revenue >= $10M"
weight = 7

[[traits]]
name = "bad regex"
when = "name matches '([a-z'"
weight = 1

[[traits]]
name = "ARR as a number"
when = "arr >= 100k"
weight = 3

[[traits]]
name = "ARR as text"
when = "arr = 'enterprise'"
weight = 1

[[traits]]
name = "multi-line"
when = """
technologies has 'hubspot'
  and country = 'DE'
  and last_funding_date within six months
"""
weight = 3
"#;

#[test]
fn diagnostics_of_a_flawed_profile() {
    insta::assert_snapshot!("flawed_profile_errors", render_diagnostics(FLAWED));
}

const WARNINGS_ONLY: &str = r#"name = "untidy"

[tiers]
tier1 = 12
tier2 = -7

[[filters]]
name = "impossible size"
when = "employees > 100 and employees < 50"

[[filters]]
name = "two industries"
when = "industry in ['Software'] and industry in ['Banking']"

[[filters]]
name = "backwards"
when = "revenue between 10M and 5M"

[[traits]]
name = "software"
when = "industry = 'Software'"
weight = 4

[[traits]]
name = "agency"
when = "industry = 'Marketing & Advertising'"
weight = -2

[[traits]]
name = "noop"
when = "present(domain)"
weight = 0

[[traits]]
name = "never"
when = "country = 'DE' and country = 'US'"
weight = 5

[[traits]]
name = "software"
when = "technologies has 'hubspot'"
weight = -5
"#;

#[test]
fn warnings_of_a_profile_that_loads() {
    let loaded = icp_core::load(WARNINGS_ONLY, common::as_of());
    assert!(loaded.profile.is_some());
    insta::assert_snapshot!("untidy_profile_warnings", render_diagnostics(WARNINGS_ONLY));
}

#[test]
fn a_toml_error_stops_at_the_first_problem() {
    let src =
        "name = \"typo\"\n\n[[traits]]\nname = \"big\"\nwhen = \"employees > 100\"\nweigth = 3\n";
    insta::assert_snapshot!("toml_error", render_diagnostics(src));
}
