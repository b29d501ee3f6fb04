//! Filters, tiers, coverage, fit/intent, reasons, header mapping and intent
//! decay, through the public API.

mod common;

use common::{as_of, profile, record, score};
use icp_core::intent::{Event, summarise};
use icp_core::{Axis, Entity, OnMissing, RecordBuilder, Scored, Tier, Value};

const FILTERS: &str = r#"
name = "filters"

[[filters]]
name = "big enough"
when = "employees >= 50"

[[filters]]
name = "in DACH"
when = "country in ['DE', 'AT', 'CH']"

[[filters]]
name = "not a competitor"
when = "name != 'Rival GmbH'"
on_missing = "exclude"

[[traits]]
name = "software"
when = "industry = 'Software'"
weight = 5
"#;

fn outcome(s: &Scored) -> (Tier, Option<usize>, Vec<usize>) {
    (s.tier, s.excluded_by, s.unknown_filters.clone())
}

// ---------------------------------------------------------------- filters

#[test]
fn passing_every_filter_keeps_the_account() {
    let p = profile(FILTERS);
    let s = score(
        &p,
        &[
            ("employees", "120"),
            ("country", "Germany"),
            ("name", "Acme"),
            ("industry", "SaaS"),
        ],
    );
    // Default tiers (8 / 4): a score of 5 is tier 2.
    assert_eq!(outcome(&s), (Tier::Two, None, vec![]));
    assert_eq!(p.excluded_by_name(&s), None);
    assert_eq!(p.unknown_filter_names(&s), "");
    assert_eq!(s.score, 5);
}

#[test]
fn a_false_filter_excludes_and_names_the_first_failing_one() {
    let p = profile(FILTERS);
    let s = score(
        &p,
        &[("employees", "10"), ("country", "DE"), ("name", "Acme")],
    );
    assert_eq!(outcome(&s), (Tier::Excluded, Some(0), vec![]));
    assert_eq!(p.excluded_by_name(&s), Some("big enough"));
    // Two failing filters: the first in profile order is named.
    let s = score(
        &p,
        &[
            ("employees", "10"),
            ("country", "US"),
            ("name", "Rival GmbH"),
        ],
    );
    assert_eq!(outcome(&s), (Tier::Excluded, Some(0), vec![]));
    let s = score(
        &p,
        &[
            ("employees", "100"),
            ("country", "US"),
            ("name", "Rival GmbH"),
        ],
    );
    assert_eq!(p.excluded_by_name(&s), Some("in DACH"));
}

#[test]
fn an_unknown_filter_keeps_the_account_and_lists_the_filter() {
    let p = profile(FILTERS);
    let s = score(&p, &[("country", "AT"), ("name", "Acme")]);
    assert_eq!(outcome(&s), (Tier::Three, None, vec![0]));
    assert_eq!(p.unknown_filter_names(&s), "big enough");
    // A range straddling the bound is unknown too.
    let s = score(
        &p,
        &[("employees", "11-50"), ("country", ""), ("name", "Acme")],
    );
    assert_eq!(outcome(&s), (Tier::Three, None, vec![0, 1]));
    assert_eq!(p.unknown_filter_names(&s), "big enough; in DACH");
}

#[test]
fn unknown_filters_before_an_excluding_one_are_still_listed() {
    let p = profile(FILTERS);
    let s = score(&p, &[("country", "US"), ("name", "Acme")]);
    assert_eq!(outcome(&s), (Tier::Excluded, Some(1), vec![0]));
}

#[test]
fn on_missing_exclude_turns_unknown_into_exclusion() {
    let p = profile(FILTERS);
    assert_eq!(p.filters[2].on_missing, OnMissing::Exclude);
    assert_eq!(p.filters[0].on_missing, OnMissing::Keep);
    let s = score(&p, &[("employees", "100"), ("country", "CH"), ("name", "")]);
    assert_eq!(outcome(&s), (Tier::Excluded, Some(2), vec![]));
    assert_eq!(p.excluded_by_name(&s), Some("not a competitor"));
    // A known value decides as usual.
    let s = score(
        &p,
        &[("employees", "100"), ("country", "CH"), ("name", "Other")],
    );
    assert_eq!(outcome(&s), (Tier::Three, None, vec![]));
}

#[test]
fn on_missing_keep_can_be_spelled_out() {
    let p = profile(
        "name = 'p'\n[[filters]]\nname = 'f'\nwhen = 'employees > 5'\non_missing = 'keep'\nnote = 'why'\n[[traits]]\nname = 't'\nwhen = 'present(name)'\nweight = 1\n",
    );
    assert_eq!(p.filters[0].on_missing, OnMissing::Keep);
    assert_eq!(p.filters[0].note.as_deref(), Some("why"));
    let s = score(&p, &[("name", "x")]);
    assert_eq!(outcome(&s), (Tier::Three, None, vec![0]));
}

#[test]
fn excluded_accounts_are_still_scored_for_explanation() {
    // Exclusion decides the tier; the score and reasons stay available.
    let p = profile(FILTERS);
    let s = score(
        &p,
        &[
            ("employees", "10"),
            ("country", "DE"),
            ("name", "Acme"),
            ("industry", "Computer Software"),
        ],
    );
    assert_eq!(s.tier, Tier::Excluded);
    assert_eq!(s.score, 5);
    assert_eq!(p.reasons(&s), "software (+5)");
}

#[test]
fn a_profile_without_filters_keeps_everything() {
    let p = profile("name = 'p'\n[[traits]]\nname = 't'\nwhen = 'employees > 5'\nweight = 1\n");
    let s = score(&p, &[]);
    assert_eq!(outcome(&s), (Tier::Three, None, vec![]));
}

// ------------------------------------------------------------------ tiers

const TIERED: &str = r#"
name = "tiered"

[tiers]
tier1 = 5
tier2 = 3

[[traits]]
name = "a"
when = "a = 1"
weight = 5

[[traits]]
name = "b"
when = "b = 1"
weight = 3

[[traits]]
name = "c"
when = "c = 1"
weight = 1

[[traits]]
name = "d"
when = "d = 1"
weight = -1

[[traits]]
name = "e"
when = "e = 1"
weight = -5
"#;

fn tier_of(p: &icp_core::Profile, on: &[&str]) -> (i32, Tier) {
    let cells: Vec<(&str, &str)> = ["a", "b", "c", "d", "e"]
        .iter()
        .map(|f| (*f, if on.contains(f) { "1" } else { "0" }))
        .collect();
    let s = score(p, &cells);
    (s.score, s.tier)
}

#[test]
fn tier_thresholds_are_inclusive() {
    let p = profile(TIERED);
    assert_eq!((p.tiers.tier1, p.tiers.tier2), (5.0, 3.0));
    assert_eq!(tier_of(&p, &["a"]), (5, Tier::One));
    assert_eq!(tier_of(&p, &["a", "b", "c"]), (9, Tier::One));
    assert_eq!(tier_of(&p, &["b", "c"]), (4, Tier::Two));
    assert_eq!(tier_of(&p, &["b"]), (3, Tier::Two));
    assert_eq!(tier_of(&p, &["a", "d", "c"]), (5, Tier::One));
    assert_eq!(tier_of(&p, &["c", "d"]), (0, Tier::Three));
    assert_eq!(tier_of(&p, &["b", "d"]), (2, Tier::Three));
    assert_eq!(tier_of(&p, &["e"]), (-5, Tier::Three));
    assert_eq!(tier_of(&p, &[]), (0, Tier::Three));
}

#[test]
fn tier_for_at_the_boundaries() {
    let p = profile(TIERED);
    let tiers: Vec<Tier> = (1..=6).map(|s| p.tier_for(s)).collect();
    assert_eq!(
        tiers,
        [
            Tier::Three,
            Tier::Three,
            Tier::Two,
            Tier::Two,
            Tier::One,
            Tier::One
        ]
    );
    assert_eq!(p.tier_for(i32::MIN), Tier::Three);
    assert_eq!(p.tier_for(i32::MAX), Tier::One);
}

#[test]
fn fractional_thresholds() {
    let p = profile(
        &TIERED
            .replace("tier1 = 5", "tier1 = 4.5")
            .replace("tier2 = 3", "tier2 = 0.5"),
    );
    assert_eq!(p.tier_for(4), Tier::Two);
    assert_eq!(p.tier_for(5), Tier::One);
    assert_eq!(p.tier_for(1), Tier::Two);
    assert_eq!(p.tier_for(0), Tier::Three);
}

#[test]
fn default_tiers_apply_without_a_tiers_table() {
    let src = TIERED.replace("[tiers]\ntier1 = 5\ntier2 = 3\n", "");
    let p = profile(&src);
    assert_eq!((p.tiers.tier1, p.tiers.tier2), (8.0, 4.0));
    assert_eq!(p.tiers, icp_core::profile::DEFAULT_TIERS);
    assert_eq!(tier_of(&p, &["a", "b"]), (8, Tier::One));
    assert_eq!(tier_of(&p, &["a", "c", "d"]), (5, Tier::Two));
    assert_eq!(tier_of(&p, &["b", "c"]), (4, Tier::Two));
    assert_eq!(tier_of(&p, &["b"]), (3, Tier::Three));
}

#[test]
fn tier_text_as_written_to_output() {
    let names: Vec<&str> = Tier::ALL.iter().map(|t| t.as_str()).collect();
    assert_eq!(names, ["1", "2", "3", "excluded"]);
}

// ------------------------------------------------------- fit and intent

#[test]
fn fit_and_intent_add_up_to_the_score() {
    let p = profile(
        r#"
name = "axes"
intent_half_life = "2w"

[[traits]]
name = "fits"
when = "employees >= 100"
weight = 3

[[traits]]
name = "surging"
when = "intent_surge >= 2"
weight = 5
axis = "intent"

[[traits]]
name = "cold"
when = "intent_score < 1"
weight = -1
axis = "intent"

[[traits]]
name = "agency"
when = "industry = 'Marketing & Advertising'"
weight = -3
axis = "fit"
"#,
    );
    assert_eq!(p.intent_half_life_days, 14.0);
    let axes: Vec<Axis> = p.traits.iter().map(|t| t.axis).collect();
    assert_eq!(axes, [Axis::Fit, Axis::Intent, Axis::Intent, Axis::Fit]);
    let s = score(
        &p,
        &[
            ("employees", "500"),
            ("intent_surge", "2.5"),
            ("intent_score", "0.4"),
            ("industry", "marketing and advertising"),
        ],
    );
    assert_eq!((s.fit, s.intent, s.score), (0, 4, 4));
    assert_eq!(s.fired, [0, 1, 2, 3]);
    let s = score(
        &p,
        &[
            ("employees", "500"),
            ("intent_surge", "1.0"),
            ("intent_score", "7"),
        ],
    );
    assert_eq!((s.fit, s.intent, s.score), (3, 0, 3));
    assert_eq!(p.score_bounds(), (-4, 8));
}

// --------------------------------------------------------------- coverage

const COVERAGE: &str = r#"
name = "coverage"

[[traits]]
name = "a"
when = "a = 1"
weight = 5

[[traits]]
name = "b"
when = "b = 1"
weight = -3

[[traits]]
name = "c"
when = "c = 1"
weight = 1
"#;

#[test]
fn coverage_is_the_share_of_absolute_weight_that_could_be_evaluated() {
    let p = profile(COVERAGE);
    let cov = |cells: &[(&str, &str)]| score(&p, cells).coverage;
    assert_eq!(cov(&[("a", "1"), ("b", "1"), ("c", "1")]), 1.0);
    assert_eq!(cov(&[("a", "0"), ("b", "0"), ("c", "0")]), 1.0);
    assert_eq!(cov(&[("b", "0"), ("c", "0")]), 4.0 / 9.0);
    assert_eq!(cov(&[("a", "0"), ("c", "0")]), 6.0 / 9.0);
    assert_eq!(cov(&[("a", "1")]), 5.0 / 9.0);
    assert_eq!(cov(&[("c", "7")]), 1.0 / 9.0);
    assert_eq!(cov(&[]), 0.0);
}

#[test]
fn unknown_traits_neither_add_nor_subtract() {
    let p = profile(COVERAGE);
    let s = score(&p, &[("a", "1")]);
    assert_eq!((s.score, s.fired.as_slice()), (5, &[0][..]));
    let s = score(&p, &[("b", "1")]);
    assert_eq!((s.score, s.fired.as_slice()), (-3, &[1][..]));
    let s = score(&p, &[]);
    assert_eq!((s.score, s.fired.len()), (0, 0));
}

#[test]
fn coverage_is_one_without_traits() {
    let p = profile("name = 'only filters'\n[[filters]]\nname = 'f'\nwhen = 'employees > 5'\n");
    assert!(p.traits.is_empty());
    let s = score(&p, &[]);
    assert_eq!((s.coverage, s.score, s.tier), (1.0, 0, Tier::Three));
    let p = profile("name = 'empty'\n");
    assert_eq!(score(&p, &[]).coverage, 1.0);
}

#[test]
fn zero_weight_traits_count_for_nothing_in_coverage() {
    let p = profile(
        "name='p'\n[[traits]]\nname='z'\nwhen='z = 1'\nweight=0\n[[traits]]\nname='a'\nwhen='a = 1'\nweight=3\n",
    );
    assert_eq!(score(&p, &[("a", "1")]).coverage, 1.0);
    assert_eq!(score(&p, &[("z", "1")]).coverage, 0.0);
    // Only zero weights: nothing to cover, like a profile without traits.
    let p = profile("name='p'\n[[traits]]\nname='z'\nwhen='z = 1'\nweight=0\n");
    assert_eq!(score(&p, &[]).coverage, 1.0);
}

#[test]
fn coverage_counts_traits_even_on_excluded_accounts() {
    let p = profile(&format!(
        "{COVERAGE}\n[[filters]]\nname = 'f'\nwhen = 'a = 2'\n"
    ));
    let s = score(&p, &[("a", "1")]);
    assert_eq!((s.tier, s.coverage), (Tier::Excluded, 5.0 / 9.0));
}

// ---------------------------------------------------------------- reasons

const REASONS: &str = r#"
name = "reasons"

[[traits]]
name = "Small"
when = "f1 = 1"
weight = 1

[[traits]]
name = "Agency"
when = "f2 = 1"
weight = -1

[[traits]]
name = "Uses HubSpot"
when = "f3 = 1"
weight = 3

[[traits]]
name = "Competitor"
when = "f4 = 1"
weight = -5

[[traits]]
name = "Big"
when = "f5 = 1"
weight = 5

[[traits]]
name = "Also big"
when = "f6 = 1"
weight = 5

[[traits]]
name = "Student"
when = "f7 = 1"
weight = -3
"#;

fn fire(p: &icp_core::Profile, on: &[usize]) -> Scored {
    let names: Vec<String> = (1..=7).map(|i| format!("f{i}")).collect();
    let cells: Vec<(&str, &str)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), if on.contains(&(i + 1)) { "1" } else { "0" }))
        .collect();
    score(p, &cells)
}

#[test]
fn reasons_list_raising_traits_first_then_lowering_each_strongest_first() {
    let p = profile(REASONS);
    let s = fire(&p, &[1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(
        p.reasons(&s),
        "Big (+5); Also big (+5); Uses HubSpot (+3); Small (+1); Competitor (-5); Student (-3); Agency (-1)"
    );
    // The shape DECISIONS gives: `name (+3); name (-5)`.
    assert_eq!(
        p.reasons(&fire(&p, &[3, 4])),
        "Uses HubSpot (+3); Competitor (-5)"
    );
    assert_eq!(p.reasons(&fire(&p, &[2])), "Agency (-1)");
    assert_eq!(p.reasons(&fire(&p, &[])), "");
}

#[test]
fn fired_is_in_profile_order_and_reasons_are_reusable() {
    let p = profile(REASONS);
    let s = fire(&p, &[7, 1, 5]);
    assert_eq!(s.fired, [0, 4, 6]);
    let mut buf = String::from("stale text");
    p.write_reasons(&s, &mut buf);
    assert_eq!(buf, "Big (+5); Small (+1); Student (-3)");
    p.write_reasons(&fire(&p, &[]), &mut buf);
    assert_eq!(buf, "");
}

#[test]
fn zero_weight_traits_show_as_plus_zero() {
    let p = profile(
        "name='p'\n[[traits]]\nname='noop'\nwhen='a = 1'\nweight=0\n[[traits]]\nname='neg'\nwhen='a = 1'\nweight=-1\n",
    );
    assert_eq!(p.reasons(&score(&p, &[("a", "1")])), "noop (+0); neg (-1)");
}

#[test]
fn score_into_resets_a_reused_result() {
    let p = profile(FILTERS);
    let mut s = score(
        &p,
        &[
            ("employees", "1"),
            ("country", ""),
            ("name", ""),
            ("industry", "SaaS"),
        ],
    );
    let rec = record(
        &p,
        &[
            ("employees", "100"),
            ("country", "DE"),
            ("name", "Acme"),
            ("industry", "Banking"),
        ],
    );
    p.score_into(&rec, &mut s);
    assert_eq!(s, p.score(&rec));
    assert_eq!(outcome(&s), (Tier::Three, None, vec![]));
    assert!(s.fired.is_empty());
}

// --------------------------------------------------------- record builder

#[test]
fn crm_export_headers_map_onto_canonical_fields() {
    let p = profile(
        r#"
name = "hubspot"

[[traits]]
name = "t"
when = """
domain = 'acme.com' and employees >= 100 and revenue >= $1M and country = 'DE'
and industry = 'Software' and company_age < 20 and lifecycle_stage = 'customer'
"""
weight = 1
"#,
    );
    let headers: Vec<String> = [
        "\u{feff}Record ID",
        "Company Domain Name",
        "Number of Employees",
        "Annual Revenue",
        "Country/Region",
        "Industry",
        "Year Founded",
        "Lifecycle Stage",
    ]
    .map(String::from)
    .to_vec();
    let b = RecordBuilder::new(&p, &headers).keep_values();
    assert!(b.absent_fields().is_empty(), "{:?}", b.absent_fields());
    let row = [
        "1",
        "acme.com",
        "120",
        "$1,200,000",
        "Germany",
        "COMPUTER_SOFTWARE",
        "2010",
        "Customer",
    ];
    let mut rec = vec![Value::Num(1.0); 20];
    b.build(&row, &mut rec);
    assert_eq!(
        rec,
        vec![
            Value::Text("acme.com".into()),
            Value::Num(120.0),
            Value::Num(1_200_000.0),
            Value::Text("de".into()),
            Value::Text("software".into()),
            Value::Num(14.0),
            Value::Text("customer".into()),
        ]
    );
    assert_eq!(p.score(&rec).fired, [0]);
    // Without keep_values the text slots hold the answers of their tests
    // (one test each here, so bit 0 set) and score the same.
    let mut answered = Vec::new();
    RecordBuilder::new(&p, &headers).build(&row, &mut answered);
    assert_eq!(answered[0], Value::Answers(1));
    assert_eq!(answered[1], rec[1]);
    assert_eq!(p.score(&answered), p.score(&rec));
}

#[test]
fn an_exact_column_name_wins_over_a_crm_alias() {
    let p = profile("name='p'\n[[traits]]\nname='t'\nwhen='employees > 5'\nweight=1\n");
    let headers = ["Number of Employees", "Employees"]
        .map(String::from)
        .to_vec();
    let mut rec = Vec::new();
    RecordBuilder::new(&p, &headers).build(&["1", "10"], &mut rec);
    assert_eq!(rec, [Value::Num(10.0)]);
    // Otherwise the first column the alias table maps is used.
    let headers = ["Headcount", "Number of Employees"]
        .map(String::from)
        .to_vec();
    RecordBuilder::new(&p, &headers).build(&["7", "10"], &mut rec);
    assert_eq!(rec, [Value::Num(7.0)]);
}

#[test]
fn absent_fields_are_reported_and_missing() {
    let p = profile(
        "name='p'\n[[traits]]\nname='t'\nwhen='employees > 5 and nps >= 9 and present(domain)'\nweight=1\n",
    );
    let headers = ["Website", "NPS"].map(String::from).to_vec();
    let b = RecordBuilder::new(&p, &headers);
    // `Website` is a URL, not the `domain` field: the engine normalises it.
    assert_eq!(b.absent_fields(), ["employees", "domain"]);
    let mut rec = Vec::new();
    b.build(&["https://acme.com", "10"], &mut rec);
    assert_eq!(rec, [Value::Missing, Value::Num(10.0), Value::Missing]);
}

#[test]
fn fields_are_slotted_in_first_use_order_with_kinds() {
    let p = profile(
        "name='p'\n[[filters]]\nname='f'\nwhen='country = \"DE\"'\n[[traits]]\nname='t'\nwhen='technologies has x and employees > 5 and country = \"AT\" and renewal within 30d'\nweight=1\n",
    );
    let fields: Vec<(&str, icp_core::Kind)> =
        p.fields.iter().map(|f| (f.name.as_str(), f.kind)).collect();
    use icp_core::Kind::*;
    assert_eq!(
        fields,
        [
            ("country", Text),
            ("technologies", List),
            ("employees", Number),
            ("renewal", Date)
        ]
    );
}

// ------------------------------------------------------- profile settings

#[test]
fn profile_settings_load() {
    let p = profile(
        r#"
name = "community"
description = "Engaged developers"
entity = "member"
intent_half_life = "3mo"

[acv]
1 = 50000
2 = 20000.5

[[traits]]
name = "active"
when = "last_active within 30d"
weight = 3
note = "posted recently"
"#,
    );
    assert_eq!(p.name, "community");
    assert_eq!(p.description.as_deref(), Some("Engaged developers"));
    assert_eq!(p.entity, Entity::Member);
    assert_eq!(p.intent_half_life_days, 3.0 * 30.4375);
    assert_eq!(p.acv.get("1"), Some(&50000.0));
    assert_eq!(p.acv.get("2"), Some(&20000.5));
    assert_eq!(p.traits[0].note.as_deref(), Some("posted recently"));
    assert_eq!(p.as_of, as_of());
    let d = profile("name = 'd'\n");
    assert_eq!(d.entity, Entity::Account);
    assert_eq!(
        d.intent_half_life_days,
        icp_core::profile::DEFAULT_HALF_LIFE_DAYS
    );
}

#[test]
fn half_life_spellings() {
    for (text, days) in [
        ("30", 30.0),
        ("30d", 30.0),
        ("45 days", 45.0),
        ("6w", 42.0),
        ("1y", 365.25),
        ("0.5mo", 15.21875),
    ] {
        let p = profile(&format!("name = 'p'\nintent_half_life = '{text}'\n"));
        assert_eq!(p.intent_half_life_days, days, "{text}");
    }
}

#[test]
fn day_number_counts_from_the_common_era() {
    let d = |y, m, day| icp_core::day_number(chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap());
    assert_eq!(d(1, 1, 1), 1);
    assert_eq!(d(2024, 6, 30) - d(2024, 1, 1), 181);
    assert_eq!(
        icp_core::value::date_from_days(d(2024, 2, 29))
            .unwrap()
            .to_string(),
        "2024-02-29"
    );
}

// ----------------------------------------------------------- intent decay

fn ev(day: i32, weight: f64, topic: &str) -> Event {
    Event {
        day,
        weight,
        topic: (!topic.is_empty()).then(|| topic.to_string()),
    }
}

#[test]
fn intent_decays_by_half_life() {
    let now = as_of();
    let i = summarise(
        &[
            ev(now, 8.0, "pricing"),
            ev(now - 30, 8.0, "pricing"),
            ev(now - 60, 8.0, ""),
        ],
        now,
        30.0,
    );
    assert!((i.score - (8.0 + 4.0 + 2.0)).abs() < 1e-9, "{}", i.score);
    assert_eq!(i.last_seen, Some(now));
    assert_eq!(i.topics, ["pricing"]);
    // Same events, same as_of: same summary.
    assert_eq!(
        i,
        summarise(
            &[
                ev(now, 8.0, "pricing"),
                ev(now - 30, 8.0, "pricing"),
                ev(now - 60, 8.0, "")
            ],
            now,
            30.0
        )
    );
}

#[test]
fn intent_ignores_future_and_non_finite_events() {
    let now = as_of();
    let i = summarise(
        &[
            ev(now + 1, 5.0, "later"),
            ev(now - 1, f64::NAN, "nan"),
            ev(now - 1, f64::INFINITY, "inf"),
        ],
        now,
        30.0,
    );
    assert_eq!(i, icp_core::intent::Intent::default());
}

#[test]
fn intent_surge_compares_the_last_week_with_the_ninety_days_before() {
    let now = as_of();
    // 14 events in the last 7 days (2/day), 9 in days 7..97 (0.1/day): 20x.
    let mut evs: Vec<Event> = (0..14).map(|k| ev(now - k / 2, 1.0, "a")).collect();
    evs.extend((0..9).map(|k| ev(now - 7 - k * 10, 1.0, "b")));
    // Older than 97 days: neither recent nor baseline.
    evs.push(ev(now - 97, 100.0, "old"));
    let i = summarise(&evs, now, 30.0);
    assert!((i.surge.unwrap() - 20.0).abs() < 1e-9, "{:?}", i.surge);
    // Only recent events: no baseline, no surge.
    assert_eq!(summarise(&evs[..14], now, 30.0).surge, None);
}

#[test]
fn intent_topics_are_the_five_strongest() {
    let now = as_of();
    let evs: Vec<Event> = ["a", "b", "c", "d", "e", "f", "g"]
        .iter()
        .enumerate()
        .map(|(k, t)| ev(now - 10 * k as i32, 1.0, t))
        .chain([
            ev(now - 10, 1.0, "g"),
            ev(now - 10, 1.0, "g"),
            ev(now - 10, 1.0, "g"),
        ])
        .collect();
    let i = summarise(&evs, now, 30.0);
    assert_eq!(i.topics, ["g", "a", "b", "c", "d"]);
    // Equal weights: alphabetical.
    let i = summarise(&[ev(now, 1.0, "zeta"), ev(now, 1.0, "alpha")], now, 30.0);
    assert_eq!(i.topics, ["alpha", "zeta"]);
}

#[test]
fn a_zero_half_life_counts_only_todays_events() {
    let now = as_of();
    let i = summarise(&[ev(now, 2.0, ""), ev(now - 1, 5.0, "")], now, 0.0);
    assert_eq!(i.score, 2.0);
}

/// A slot with more text tests than a record's answer bits keeps its
/// values, and scores the same as one that answers.
#[test]
fn a_slot_with_more_than_64_tests_keeps_its_values() {
    let traits: String = (0..70)
        .map(|i| format!("[[traits]]\nname='t{i}'\nwhen=\"name contains 'x{i}y'\"\nweight=1\n"))
        .collect();
    let p = profile(&format!(
        "name='p'\n{traits}[[traits]]\nname='sw'\nwhen=\"industry = 'Software'\"\nweight=1\n"
    ));
    let headers = ["Company name", "Industry"].map(String::from).to_vec();
    let mut rec = Vec::new();
    RecordBuilder::new(&p, &headers).build(&["Acme x7y x69y", "Computer Software"], &mut rec);
    assert_eq!(rec[0], Value::Text("acme x7y x69y".into()));
    assert_eq!(rec[1], Value::Answers(1));
    let s = p.score(&rec);
    assert_eq!(s.fired, [7, 69, 70]);
    assert_eq!(s.score, 3);
}

/// Cells that are not blank but cannot be read as the number or date a
/// field needs are counted per column, with the first of them.
#[test]
fn unreadable_numbers_and_dates_are_counted() {
    let p = profile(
        "name='p'\n[[traits]]\nname='t'\nwhen='employees > 5 and last_funding_date within 90d and company_age < 5'\nweight=1\n",
    );
    let headers = ["Number of Employees", "Last Funding Date", "Year Founded"]
        .map(String::from)
        .to_vec();
    let b = RecordBuilder::new(&p, &headers);
    let mut rec = Vec::new();
    for row in [
        ["~500", "2024-03-01", "2019"],
        ["120", "yesterday", "n/a"],
        ["n/a", "", "in the 90s"],
        ["lots", "Q3 2024", "2020"],
    ] {
        b.build(&row, &mut rec);
    }
    let got: Vec<(String, String, &str, u64, String)> = b
        .unread()
        .into_iter()
        .map(|u| (u.field, u.column, u.kind.name(), u.count, u.example))
        .collect();
    let want = [
        ("employees", "Number of Employees", "number", 2, "~500"),
        (
            "last_funding_date",
            "Last Funding Date",
            "date",
            2,
            "yesterday",
        ),
        ("company_age", "Year Founded", "number", 1, "in the 90s"),
    ]
    .map(|(f, c, k, n, e)| (f.to_string(), c.to_string(), k, n, e.to_string()));
    assert_eq!(got, want);
}

/// Field-specific parsers apply to records: a European headcount reads as
/// a whole number, a negative one as unknown.
#[test]
fn headcounts_are_read_by_the_field_parser() {
    let p = profile("name='p'\n[[traits]]\nname='t'\nwhen='employees >= 1000'\nweight=1\n");
    let headers = ["Number of Employees"].map(String::from).to_vec();
    let b = RecordBuilder::new(&p, &headers);
    let mut rec = Vec::new();
    for (cell, want) in [
        ("1.200", Value::Num(1200.0)),
        ("10.001+", Value::Range(10001.0, f64::INFINITY)),
        ("-5", Value::Missing),
        ("1.5k", Value::Num(1500.0)),
    ] {
        b.build(&[cell], &mut rec);
        assert_eq!(rec[0], want, "{cell}");
    }
}
