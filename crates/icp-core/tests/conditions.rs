//! Every condition type of the profile language and its edges, evaluated
//! through the public API (load -> RecordBuilder -> score) with three-valued
//! logic: a missing or unparseable value makes a test unknown, never false.

mod common;

use common::{days_ago, filter_truth, one_trait, truth};
use icp_core::{Truth, Value};

const T: Truth = Truth::True;
const F: Truth = Truth::False;
const U: Truth = Truth::Unknown;

/// Check `(condition, expected)` pairs against one row, reporting every
/// mismatch at once.
#[track_caller]
fn check(cells: &[(&str, &str)], cases: &[(&str, Truth)]) {
    let mut bad = Vec::new();
    for (cond, want) in cases {
        let got = truth(cond, cells);
        if got != *want {
            bad.push(format!("  {cond:?}: expected {want:?}, got {got:?}"));
        }
    }
    assert!(bad.is_empty(), "row {cells:?}:\n{}", bad.join("\n"));
}

/// The same condition against several values of one column.
#[track_caller]
fn check_values(header: &str, cond: &str, cases: &[(&str, Truth)]) {
    let mut bad = Vec::new();
    for (value, want) in cases {
        let got = truth(cond, &[(header, value)]);
        if got != *want {
            bad.push(format!(
                "  {header} = {value:?}: expected {want:?}, got {got:?}"
            ));
        }
    }
    assert!(bad.is_empty(), "{cond:?}:\n{}", bad.join("\n"));
}

// ---------------------------------------------------------------- numbers

#[test]
fn numeric_comparisons_on_a_plain_number() {
    check(
        &[("employees", "150")],
        &[
            ("employees = 150", T),
            ("employees == 150", T),
            ("employees = 151", F),
            ("employees != 150", F),
            ("employees <> 150", F),
            ("employees != 1", T),
            ("employees < 151", T),
            ("employees < 150", F),
            ("employees <= 150", T),
            ("employees <= 149", F),
            ("employees > 149", T),
            ("employees > 150", F),
            ("employees >= 150", T),
            ("employees >= 151", F),
            ("employees between 100 and 150", T),
            ("employees between 150 and 200", T),
            ("employees between 151 and 200", F),
            ("employees between 1 and 149", F),
        ],
    );
}

#[test]
fn field_names_are_normalised_to_snake_case_like_headers() {
    for cond in ["Employees >= 100", "EMPLOYEES >= 100", "`Employees` >= 100"] {
        assert_eq!(truth(cond, &[("employees", "150")]), T, "{cond}");
    }
    assert_eq!(
        truth(
            "NumberOfEmployees >= 100",
            &[("Number of Employees", "150")]
        ),
        T
    );
    assert_eq!(truth("OpenDeals > 1", &[("Open Deals", "2")]), T);
}

#[test]
fn numeric_literals_in_conditions() {
    check(
        &[("revenue", "50000000")],
        &[
            ("revenue >= $50M", T),
            ("revenue >= 50M", T),
            ("revenue >= 50m", T),
            ("revenue > 49_999_999", T),
            ("revenue = 0.05B", T),
            ("revenue < 1.5bn", T),
            ("revenue between 10M and $1B", T),
            ("revenue = 50000k", T),
        ],
    );
    check(
        &[("growth", "-3")],
        &[("growth < 0", T), ("growth >= -3", T), ("growth > -3", F)],
    );
    // A headcount is never negative: unknown.
    check(&[("employees", "-3")], &[("employees < 0", U)]);
}

#[test]
fn a_range_satisfies_a_comparison_only_if_all_of_it_does() {
    check(
        &[("employees", "51-200")],
        &[
            ("employees >= 100", U),
            ("employees >= 50", T),
            ("employees >= 51", T),
            ("employees > 51", U),
            ("employees > 50", T),
            ("employees < 50", F),
            ("employees < 51", F),
            ("employees <= 51", U),
            ("employees <= 200", T),
            ("employees < 200", U),
            ("employees < 201", T),
            ("employees > 200", F),
            ("employees >= 200", U),
            ("employees = 100", U),
            ("employees = 300", F),
            ("employees = 50", F),
            ("employees != 300", T),
            ("employees != 100", U),
            ("employees between 50 and 250", T),
            ("employees between 51 and 200", T),
            ("employees between 100 and 1000", U),
            ("employees between 10 and 100", U),
            ("employees between 201 and 500", F),
            ("employees between 1 and 50", F),
        ],
    );
}

#[test]
fn range_spellings() {
    for spelled in ["51-200", "51 - 200", "51–200", "51 to 200", "51—200"] {
        check(
            &[("employees", spelled)],
            &[("employees between 51 and 200", T), ("employees >= 100", U)],
        );
    }
    // An inverted range is not a value at all.
    check(
        &[("employees", "200-51")],
        &[("employees >= 1", U), ("employees < 1", U)],
    );
}

#[test]
fn open_ended_ranges() {
    check(
        &[("employees", "10,001+")],
        &[
            ("employees >= 10000", T),
            ("employees >= 10001", T),
            ("employees > 10001", U),
            ("employees < 5000", F),
            ("employees <= 20000", U),
            ("employees = 10001", U),
            ("employees between 1 and 100", F),
            ("employees between 5000 and 20000", U),
        ],
    );
    check(
        &[("employees", "100+")],
        &[("employees >= 100", T), ("employees < 100", F)],
    );
}

#[test]
fn money_values_and_bands() {
    check(
        &[("revenue", "$10M-$50M")],
        &[
            ("revenue >= $10M", T),
            ("revenue >= $50M", U),
            ("revenue > $50M", F),
            ("revenue <= 50M", T),
            ("revenue < 10_000_000", F),
            ("revenue between $5M and $1B", T),
            ("revenue between $20M and $1B", U),
        ],
    );
    check_values(
        "revenue",
        "revenue = 1200000",
        &[
            ("$1,200,000", T),
            ("1,200,000", T),
            ("1200000", T),
            ("$1.2M", T),
            ("1.2 million", T),
            ("1.2 Million", T),
            ("1.2mm", T),
            ("1200000 USD", T),
            ("USD 1,200,000", T),
            // The sign or code of a currency near the dollar is dropped,
            // not converted: revenue is expected in USD already.
            ("€1.2M", T),
            ("£1,200,000", T),
            ("EUR 1,200,000.00", T),
            ("1.2M EUR", T),
            ("CHF 1200000", T),
            ("US$1.2M", T),
            // Others are unknown rather than wrong by a factor of 150.
            ("¥1.2M", U),
            ("JPY 1200000", U),
            ("$1,200,000.50", F),
        ],
    );
    check_values(
        "revenue",
        "revenue >= $1B",
        &[
            ("1.5 billion", T),
            ("1.5bn", T),
            ("$2B", T),
            ("1 trillion", T),
            ("999M", F),
            ("$1M - $5M", F),
        ],
    );
}

#[test]
fn number_spellings_from_crm_exports() {
    check_values(
        "employees",
        "employees = 1200",
        &[
            ("1200", T),
            ("1,200", T),
            ("1.2k", T),
            ("1.2K", T),
            ("1.2 thousand", T),
            (" 1200 ", T),
            ("1200.0", T),
            // A headcount is a whole number: dots grouping thousands
            // ("1.200", European) are read as such; other dots are decimal.
            ("1.200", T),
            ("1.2000", F),
            // Space-grouped thousands are not read as a number: unknown.
            ("1 200", U),
            // Commas must group thousands; "12,00" is not a number.
            ("12,00", U),
            ("1_200", U),
            ("1e3", U),
            ("+1200", U),
            ("~1200", U),
            ("about 1200", U),
            ("1200 employees", U),
        ],
    );
    // One-sided bounds are not guessed at: unknown.
    check_values(
        "employees",
        "employees < 10",
        &[("<10", U), (">1000", U), ("under 10", U)],
    );
}

#[test]
fn blanks_and_junk_are_unknown_for_every_numeric_test() {
    let blanks = [
        "", "   ", "n/a", "N/A", "NA", "NaN", "nan", "null", "NULL", "None", "nil", "-", "--",
        "unknown", "#N/A", "(blank)", "abc", "inf", "1e400",
    ];
    for b in blanks {
        check(
            &[("employees", b)],
            &[
                ("employees >= 0", U),
                ("employees < 0", U),
                ("employees = 5", U),
                ("employees != 5", U),
                ("employees between 0 and 1000000", U),
                ("not employees >= 0", U),
            ],
        );
    }
    // A column the input does not have at all.
    check(
        &[("name", "Acme")],
        &[("employees >= 0", U), ("employees != 5", U)],
    );
    // A row shorter than the header row.
    let p = one_trait("employees >= 0");
    let headers = vec!["name".to_string(), "employees".to_string()];
    let mut rec = Vec::new();
    icp_core::RecordBuilder::new(&p, &headers).build(&["Acme"], &mut rec);
    assert_eq!(rec, vec![Value::Missing]);
}

#[test]
fn non_canonical_numeric_columns_by_header() {
    // A custom CRM column used as a number: `Open Deals` -> open_deals.
    check_values(
        "Open Deals",
        "open_deals >= 2",
        &[
            ("3", T),
            ("1", F),
            ("2", T),
            ("", U),
            ("several", U),
            ("1-5", U),
        ],
    );
}

// ------------------------------------------------------------------- text

#[test]
fn text_equality_membership_and_search() {
    check(
        &[("name", "Acme   Corp ")],
        &[
            ("name = \"acme corp\"", T),
            ("name = 'ACME CORP'", T),
            ("name = \"  Acme   Corp \"", T),
            ("name == 'Acme Corp'", T),
            ("name = 'Acme'", F),
            ("name != 'Acme Corp'", F),
            ("name != 'Other'", T),
            ("name in ['Other', 'ACME corp']", T),
            ("name in ['Other', 'Acme']", F),
            ("name in []", F),
            ("name not in ['Other', 'acme corp']", F),
            ("name not in ['Other']", T),
            ("name contains 'corp'", T),
            ("name contains 'CORP'", T),
            ("name contains 'me co'", T),
            ("name contains 'inc'", F),
            ("name contains ['inc', 'acme']", T),
            ("name contains any ['inc', 'llc']", F),
            ("name matches '^acme\\s+corp$'", T),
            ("name matches '^ACME'", T),
            ("name matches '^corp'", F),
            ("name matches 'corp|inc'", T),
        ],
    );
}

#[test]
fn regex_escapes_survive_the_condition_string() {
    check(
        &[("job_title", "VP of Sales")],
        &[
            (r"job_title matches '\bvp\b'", T),
            (r"job_title matches '^\w+ of'", T),
        ],
    );
    check(
        &[("job_title", "CTO")],
        &[
            (r"job_title matches '^(cto|cio)$'", T),
            (r"job_title matches '\d'", F),
        ],
    );
}

#[test]
fn quotes_inside_text_literals() {
    check(
        &[("name", "O'Reilly Media")],
        &[
            (r"name = 'o\'reilly media'", T),
            ("name = \"O'Reilly Media\"", T),
        ],
    );
    check(
        &[("name", "Say \"hi\" Inc")],
        &[
            (r#"name = "say \"hi\" inc""#, T),
            (r#"name contains '"hi"'"#, T),
        ],
    );
}

#[test]
fn text_comparison_folds_unicode_case() {
    check(
        &[("city", "ZÜRICH")],
        &[
            ("city = \"Zürich\"", T),
            ("city = 'zürich'", T),
            ("city = 'Zurich'", F),
            ("city contains 'üri'", T),
            ("city matches '^zür'", T),
            ("city in ['Genève', 'Zürich']", T),
        ],
    );
    check(
        &[("city", "GENÈVE")],
        &[("city in ['Genève', 'Zürich']", T), ("city != 'genève'", F)],
    );
    check(&[("city", "Ελλάδα")], &[("city = 'ΕΛΛΆΔΑ'", T)]);
}

#[test]
fn empty_text_is_missing() {
    for blank in ["", "   ", "n/a", "NULL", "-"] {
        check(
            &[("name", blank)],
            &[
                ("name = ''", U),
                ("name = 'x'", U),
                ("name != 'x'", U),
                ("name in ['x']", U),
                ("name not in ['x']", U),
                ("name contains 'x'", U),
                ("name matches '.*'", U),
                ("present(name)", F),
            ],
        );
    }
}

#[test]
fn bare_words_and_numbers_as_text_literals() {
    check(
        &[("business_model", "b2b")],
        &[
            ("business_model = B2B", T),
            ("business_model in [B2B, B2C]", T),
            ("business_model != B2C", T),
        ],
    );
    // A number compared with a text field compares as text.
    check(
        &[("funding_stage", "5")],
        &[("funding_stage = 5", T), ("funding_stage in [5, 6]", T)],
    );
}

#[test]
fn columns_with_spaces_in_backticks() {
    check(
        &[("Lifecycle Stage", "Customer")],
        &[
            ("`Lifecycle Stage` = customer", T),
            ("lifecycle_stage = 'CUSTOMER'", T),
            ("`Lifecycle Stage` in [lead, mql]", F),
        ],
    );
}

// -------------------------------------------------------------- industry

#[test]
fn industry_matches_across_the_taxonomy() {
    check_values(
        "industry",
        "industry = \"Software\"",
        &[
            ("COMPUTER_SOFTWARE", T),
            ("Computer Software", T),
            ("software", T),
            ("SaaS", T),
            ("Software Development", T),
            ("Enterprise Software", T),
            ("Banking", F),
            ("Information Technology and Services", F),
            ("", U),
            ("n/a", U),
        ],
    );
    // The literal folds the same way, so any alias names the same industry.
    check(
        &[("Industry", "SaaS")],
        &[
            ("industry = 'Computer Software'", T),
            ("industry = 'COMPUTER_SOFTWARE'", T),
        ],
    );
    check_values(
        "Industry",
        "industry in [\"Software\", \"Financial Services\"]",
        &[
            ("FINANCIAL_SERVICES", T),
            ("fintech", T),
            ("Investment Banking", T),
            ("Banking", F),
            ("Hospital & Health Care", F),
        ],
    );
    check(
        &[("industry", "Hospital & Health Care")],
        &[("industry = Healthcare", T), ("industry != 'Software'", T)],
    );
}

#[test]
fn industries_off_the_taxonomy_compare_as_folded_text() {
    check(
        &[("industry", "Underwater Basket Weaving")],
        &[
            ("industry = 'underwater basket weaving'", T),
            ("industry = 'Software'", F),
        ],
    );
}

#[test]
fn industry_tests_see_the_normalised_value_and_industry_raw_the_export() {
    // `contains` runs on the taxonomy name ("software"), not on the raw
    // "Computer Software": use industry_raw to search the export's text.
    check(
        &[("Industry", "Computer Software")],
        &[
            ("industry contains 'soft'", T),
            ("industry contains 'computer'", F),
            ("industry_raw contains 'computer'", T),
            ("industry_raw = 'computer software'", T),
            ("industry_raw = 'software'", F),
        ],
    );
    check(
        &[("Industry", "COMPUTER_SOFTWARE")],
        &[("industry_raw = 'COMPUTER_SOFTWARE'", T)],
    );
}

// --------------------------------------------------------------- country

#[test]
fn country_names_and_codes_match_by_iso_code() {
    check_values(
        "country",
        "country = \"Germany\"",
        &[
            ("DE", T),
            ("de", T),
            ("germany", T),
            ("GERMANY", T),
            ("DEU", T),
            (" Germany ", T),
            ("France", F),
            ("AT", F),
            ("", U),
        ],
    );
    check_values(
        "Country/Region",
        "country = \"US\"",
        &[
            ("United States", T),
            ("USA", T),
            ("U.S.", T),
            ("us", T),
            ("United States of America", T),
            ("America", T),
            ("Canada", F),
        ],
    );
    check_values(
        "Billing Country",
        "country in ['DE', 'AT', 'CH']",
        &[("Switzerland", T), ("Austria", T), ("CHE", T), ("Italy", F)],
    );
    check_values(
        "country",
        "country = 'UK'",
        &[
            ("GB", T),
            ("United Kingdom", T),
            ("England", T),
            ("Great Britain", T),
        ],
    );
}

#[test]
fn unknown_country_names_stay_text_and_known_aliases_map() {
    // A name neither celes nor the alias list knows stays folded text: a
    // known value that is not "DE" (false, not unknown).
    check(
        &[("country", "Atlantis")],
        &[
            ("country = 'Germany'", F),
            ("country = 'Atlantis'", T),
            ("country_raw = 'atlantis'", T),
            ("country != 'DE'", T),
        ],
    );
    check(
        &[("country", "Deutschland")],
        &[
            ("country = 'Germany'", T),
            ("country_raw = 'deutschland'", T),
        ],
    );
    check_values(
        "country",
        "country = 'KR'",
        &[("South Korea", T), ("Korea", T), ("Korea, Republic of", T)],
    );
    check_values(
        "country",
        "country = 'AE'",
        &[("UAE", T), ("United Arab Emirates", T)],
    );
}

#[test]
fn list_tests() {
    check(
        &[("technologies", "HubSpot; Stripe | Google Workspace")],
        &[
            ("technologies has 'hubspot'", T),
            ("technologies has 'HubSpot'", T),
            ("technologies has 'Google Workspace'", T),
            ("technologies has 'google_workspace'", T),
            ("technologies has 'google-workspace'", T),
            // Items match whole, not as substrings.
            ("technologies has 'google'", F),
            ("technologies has 'salesforce'", F),
            ("technologies has any ['salesforce', 'stripe']", T),
            ("technologies has any ['salesforce', 'marketo']", F),
            ("technologies has ['salesforce', 'stripe']", T),
            ("technologies has all ['hubspot', 'stripe']", T),
            (
                "technologies has all ['hubspot', 'stripe', 'google workspace']",
                T,
            ),
            ("technologies has all ['hubspot', 'salesforce']", F),
            ("technologies uses 'stripe'", T),
            ("technologies contains 'stripe'", T),
            ("technologies contains any ['x', 'stripe']", T),
            ("technologies contains 'strip'", F),
            ("not technologies has 'stripe'", F),
        ],
    );
}

#[test]
fn list_cells_split_on_common_separators() {
    for cell in [
        "react, vue",
        "react;vue",
        "React | Vue",
        "react\nvue",
        "react,,vue;",
    ] {
        check(
            &[("technologies", cell)],
            &[("technologies has all ['react', 'vue']", T)],
        );
    }
}

#[test]
fn empty_lists_are_unknown() {
    for cell in ["", ";;", " , ", "n/a"] {
        check(
            &[("technologies", cell)],
            &[
                ("technologies has 'x'", U),
                ("technologies has all ['x']", U),
                ("technologies has any ['x']", U),
                ("technologies contains 'x'", U),
            ],
        );
    }
}

#[test]
fn list_columns_from_crm_headers_and_custom_lists() {
    check(
        &[("Tech Stack", "Shopify; Klaviyo")],
        &[("technologies has 'klaviyo'", T)],
    );
    // A custom column becomes a list because `has` uses it as one.
    check(
        &[("Tags", "vip; partner")],
        &[("tags has 'VIP'", T), ("tags has all [vip, churned]", F)],
    );
}

// --------------------------------------------------------------- presence

#[test]
fn presence_tests_are_never_unknown() {
    let forms = [
        ("present(name)", true),
        ("name is present", true),
        ("name is not missing", true),
        ("missing(name)", false),
        ("name is missing", false),
        ("name is not present", false),
        ("not present(name)", false),
    ];
    for (cell, present) in [
        ("Acme", true),
        ("", false),
        ("  ", false),
        ("n/a", false),
        ("#N/A", false),
    ] {
        for (cond, when_present) in forms {
            let want = if present == when_present { T } else { F };
            assert_eq!(
                truth(cond, &[("name", cell)]),
                want,
                "{cond} with name = {cell:?}"
            );
        }
    }
    // A column the input lacks entirely is missing too.
    assert_eq!(truth("present(name)", &[("domain", "acme.com")]), F);
    assert_eq!(truth("missing(name)", &[]), T);
}

#[test]
fn presence_of_a_typed_field_means_parseable() {
    // employees is a number: a cell that is no number counts as missing.
    check_values(
        "employees",
        "present(employees)",
        &[("12", T), ("51-200", T), ("lots", F), ("n/a", F), ("", F)],
    );
    check_values(
        "last_funding_date",
        "last_funding_date is missing",
        &[("2024-01-01", F), ("soon", T)],
    );
}

#[test]
fn a_presence_test_does_not_fix_a_custom_fields_kind() {
    // `present(arr)` first, then `arr` as a number: one number field.
    let p = common::profile(
        r#"
name = "arr"

[[filters]]
name = "has ARR"
when = "present(arr)"

[[traits]]
name = "big ARR"
when = "arr >= 100k"
weight = 3
"#,
    );
    assert_eq!(p.fields.len(), 1);
    assert_eq!(p.fields[0].kind, icp_core::Kind::Number);
    let s = common::score(&p, &[("ARR", "250,000")]);
    assert_eq!(
        (s.excluded_by, s.unknown_filters.len(), s.score),
        (None, 0, 3)
    );
    // Presence now means "a number": text in the column is missing.
    let s = common::score(&p, &[("ARR", "tbd")]);
    assert_eq!((s.excluded_by, s.coverage), (Some(0), 0.0));
    // Typed first, presence second is fine as well.
    common::profile(
        "name = \"p\"\n[[traits]]\nname = \"a\"\nwhen = \"arr >= 5\"\nweight = 1\n[[traits]]\nname = \"b\"\nwhen = \"missing(arr)\"\nweight = -1\n",
    );
}

// ------------------------------------------------------------------ dates

#[test]
fn within_counts_back_from_as_of_inclusive() {
    check_values(
        "last_funding_date",
        "last_funding_date within 180d",
        &[
            (&days_ago(0), T),
            (&days_ago(1), T),
            (&days_ago(180), T),
            (&days_ago(181), F),
            (&days_ago(3650), F),
            ("", U),
            ("not a date", U),
        ],
    );
}

#[test]
fn within_excludes_dates_after_as_of() {
    // "Within the last 180 days" of the run's as_of: a date after as_of (a
    // rerun with an old as_of, or a typo) is not within it.
    check_values(
        "last_funding_date",
        "last_funding_date within 180d",
        &[(&days_ago(-1), F), (&days_ago(-400), F)],
    );
}

#[test]
fn duration_units() {
    for (cond, inside, outside) in [
        ("last_funding_date within 1day", 1, 2),
        ("last_funding_date within 30d", 30, 31),
        ("last_funding_date within 30days", 30, 31),
        ("last_funding_date within 4w", 28, 29),
        ("last_funding_date within 2weeks", 14, 15),
        // A month is 30.4375 days and a year 365.25, rounded.
        ("last_funding_date within 6mo", 183, 184),
        ("last_funding_date within 1y", 365, 366),
        ("last_funding_date within 2y", 731, 732),
    ] {
        assert_eq!(
            truth(cond, &[("last_funding_date", &days_ago(inside))]),
            T,
            "{cond} at {inside} days"
        );
        assert_eq!(
            truth(cond, &[("last_funding_date", &days_ago(outside))]),
            F,
            "{cond} at {outside} days"
        );
    }
}

#[test]
fn before_after_and_date_comparisons() {
    check(
        &[("last_funding_date", "2024-01-01")],
        &[
            ("last_funding_date before 2024-01-02", T),
            ("last_funding_date before 2024-01-01", F),
            ("last_funding_date after 2023-12-31", T),
            ("last_funding_date after 2024-01-01", F),
            ("last_funding_date >= 2024-01-01", T),
            ("last_funding_date <= 2024-01-01", T),
            ("last_funding_date = 2024-01-01", T),
            ("last_funding_date != 2024-01-01", F),
            ("last_funding_date < 2024-01-01", F),
            ("last_funding_date between 2023-07-01 and 2024-06-30", T),
            ("last_funding_date between 2024-01-02 and 2024-06-30", F),
        ],
    );
    check(
        &[("last_funding_date", "")],
        &[
            ("last_funding_date before 2024-01-02", U),
            ("last_funding_date after 2000-01-01", U),
        ],
    );
}

#[test]
fn dates_in_export_styles() {
    // All of these are 2024-03-01.
    for cell in [
        "2024-03-01",
        "2024-03-01 10:32",
        "2024-03-01 10:32:00",
        "2024-03-01T10:32:00Z",
        "2024-03-01T10:32:00.000+02:00",
        "2024/03/01",
        "03/01/2024",
        "3/1/2024",
        "3/1/24",
        "01.03.2024",
        "1.3.2024",
        "20240301",
        " 2024-03-01 ",
    ] {
        check(
            &[("last_funding_date", cell)],
            &[("last_funding_date = 2024-03-01", T)],
        );
    }
    // A bare year is January 1st.
    check(
        &[("last_funding_date", "2019")],
        &[("last_funding_date = 2019-01-01", T)],
    );
    // Two-digit years as Excel writes them.
    check(
        &[("last_funding_date", "12/31/99")],
        &[("last_funding_date = 1999-12-31", T)],
    );
    // Slash dates are month first (US): a day-first date with a day above
    // 12 does not parse and is unknown rather than guessed.
    check(
        &[("last_funding_date", "01/03/2024")],
        &[("last_funding_date = 2024-01-03", T)],
    );
    // Month names, as spreadsheets format dates.
    for named in ["1 Mar 2024", "March 1, 2024", "01-Mar-2024"] {
        check(
            &[("last_funding_date", named)],
            &[("last_funding_date = 2024-03-01", T)],
        );
    }
    for unknown in [
        "31/01/2024",
        "1709251200",
        "2024-02-30",
        "yesterday",
        "0024-03-01",
    ] {
        check(
            &[("last_funding_date", unknown)],
            &[("last_funding_date after 1000-01-01", U)],
        );
    }
}

#[test]
fn custom_date_columns_are_inferred_from_use() {
    check(
        &[("Renewal Date", "05/15/2024")],
        &[
            ("renewal_date within 60d", T),
            ("renewal_date before 2024-05-16", T),
        ],
    );
}

// ------------------------------------------------------------ company age

#[test]
fn company_age_derives_from_a_founded_year_column() {
    // as_of is 2024-06-30.
    for header in ["Year Founded", "founded_year", "Founded", "Founded In"] {
        check(
            &[(header, "2015")],
            &[
                ("company_age = 9", T),
                ("company_age < 10", T),
                ("company_age >= 10", F),
                ("company_age between 5 and 9", T),
            ],
        );
    }
    check_values(
        "Year Founded",
        "company_age <= 1",
        &[
            ("2024", T),
            ("2023", T),
            ("2022", F),
            ("2015.0", F),
            ("1999", F),
            ("2030", U),
            ("999", U),
            ("n/a", U),
            ("", U),
            ("founded 2015", U),
        ],
    );
    // Without a founded-year column the age is unknown.
    check(&[("name", "Acme")], &[("company_age < 10", U)]);
}

#[test]
fn an_explicit_company_age_column_wins() {
    check(
        &[("Year Founded", "2000"), ("Company Age", "3")],
        &[("company_age = 3", T)],
    );
}

// --------------------------------------------------------- Kleene logic

/// A cell making `a = 1` (or `b = 1`) true, false or unknown.
fn cell(t: Truth) -> &'static str {
    match t {
        Truth::True => "1",
        Truth::False => "0",
        Truth::Unknown => "",
    }
}

#[test]
fn and_truth_table() {
    let table = [
        (T, T, T),
        (T, F, F),
        (T, U, U),
        (F, T, F),
        (F, F, F),
        (F, U, F),
        (U, T, U),
        (U, F, F),
        (U, U, U),
    ];
    for (a, b, want) in table {
        let row = [("a", cell(a)), ("b", cell(b))];
        assert_eq!(truth("a = 1 and b = 1", &row), want, "{a:?} and {b:?}");
        assert_eq!(
            filter_truth("a = 1 and b = 1", &row),
            want,
            "filter: {a:?} and {b:?}"
        );
        assert_eq!(truth("(a = 1) AND (b = 1)", &row), want, "upper-case AND");
    }
}

#[test]
fn or_truth_table() {
    let table = [
        (T, T, T),
        (T, F, T),
        (T, U, T),
        (F, T, T),
        (F, F, F),
        (F, U, U),
        (U, T, T),
        (U, F, U),
        (U, U, U),
    ];
    for (a, b, want) in table {
        let row = [("a", cell(a)), ("b", cell(b))];
        assert_eq!(truth("a = 1 or b = 1", &row), want, "{a:?} or {b:?}");
        assert_eq!(
            filter_truth("a = 1 or b = 1", &row),
            want,
            "filter: {a:?} or {b:?}"
        );
        assert_eq!(truth("a = 1 OR b = 1", &row), want, "upper-case OR");
    }
}

#[test]
fn not_propagates_unknown() {
    for (a, want) in [(T, F), (F, T), (U, U)] {
        let row = [("a", cell(a))];
        assert_eq!(truth("not a = 1", &row), want, "not {a:?}");
        assert_eq!(truth("not (a = 1)", &row), want, "not ({a:?})");
        assert_eq!(truth("NOT a = 1", &row), want);
        assert_eq!(truth("not not a = 1", &row), a, "not not {a:?}");
        assert_eq!(truth("a != 1", &row), want, "{a:?} via !=");
    }
}

#[test]
fn de_morgan_holds_in_three_valued_logic() {
    for a in [T, F, U] {
        for b in [T, F, U] {
            let row = [("a", cell(a)), ("b", cell(b))];
            assert_eq!(
                truth("not (a = 1 and b = 1)", &row),
                truth("not a = 1 or not b = 1", &row),
                "{a:?} {b:?}"
            );
            assert_eq!(
                truth("not (a = 1 or b = 1)", &row),
                truth("not a = 1 and not b = 1", &row),
                "{a:?} {b:?}"
            );
        }
    }
}

#[test]
fn and_binds_tighter_than_or_and_parentheses_group() {
    // a or (b and c) vs (a or b) and c with a = T, b = F, c = F.
    let row = [("a", "1"), ("b", "0"), ("c", "0")];
    assert_eq!(truth("a = 1 or b = 1 and c = 1", &row), T);
    assert_eq!(truth("(a = 1 or b = 1) and c = 1", &row), F);
    // Longer chains short-circuit the Kleene way whatever the order.
    let row = [("a", ""), ("b", "0"), ("c", "1")];
    assert_eq!(truth("a = 1 and b = 1 and c = 1", &row), F);
    assert_eq!(truth("a = 1 or b = 1 or c = 1", &row), T);
    assert_eq!(truth("a = 1 or b = 1", &row), U);
}

#[test]
fn presence_combines_with_kleene_logic() {
    // `missing(x) or x >= 5` is never unknown: a typical "if known, big enough".
    for (v, want) in [("", T), ("9", T), ("2", F)] {
        assert_eq!(
            truth("missing(x) or x >= 5", &[("x", v)]),
            want,
            "x = {v:?}"
        );
    }
    assert_eq!(truth("present(x) and x >= 5", &[("x", "")]), F);
}

#[test]
fn between_and_does_not_end_the_condition() {
    check(
        &[("employees", "150"), ("country", "DE")],
        &[
            ("employees between 100 and 200 and country = 'DE'", T),
            ("employees between 100 and 200 and country = 'US'", F),
            ("employees between 100 and 200 or country = 'US'", T),
        ],
    );
}

#[test]
fn thousands_separators_and_spelled_out_durations_in_conditions() {
    use icp_core::expr::{CmpOp, Literal, Test, parse};
    let e = parse("employees > 1,200").unwrap();
    match e.kind {
        icp_core::expr::ExprKind::Pred(p) => {
            assert_eq!(p.test, Test::Cmp(CmpOp::Gt, Literal::Number(1200.0)))
        }
        other => panic!("{other:?}"),
    }
    let e = parse("last_funding_date within 180 days").unwrap();
    match e.kind {
        icp_core::expr::ExprKind::Pred(p) => assert_eq!(p.test, Test::Within(180)),
        other => panic!("{other:?}"),
    }
    assert!(parse("industry in [\"a\",\"b\"]").is_ok());
}

#[test]
fn country_names_in_local_languages_and_iso_long_forms() {
    for (raw, code) in [
        ("Deutschland", "DE"),
        ("United Arab Emirates", "AE"),
        ("Korea, Republic of", "KR"),
        ("Russian Federation", "RU"),
        ("Schweiz", "CH"),
    ] {
        assert_eq!(icp_core::fields::country_code(raw), Some(code), "{raw}");
    }
}
