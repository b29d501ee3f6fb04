//! Properties of scoring, coverage, the parser and the value parsers over
//! generated profiles, rows and strings.

mod common;

use common::{as_of, toml_str};
use icp_core::value::{date_from_days, parse_date, parse_number};
use icp_core::{Axis, Profile, RecordBuilder, Scored, Value, expr, load};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError};

/// Conditions over the columns below. No presence tests: `present(x)` is
/// not monotone in what is known (see `presence_tests_can_lower_coverage`).
const ATOMS: &[&str] = &[
    "employees >= 100",
    "employees < 50",
    "employees between 10 and 500",
    "employees != 75",
    "revenue > $10M",
    "revenue between 1M and 20M",
    "industry = 'Software'",
    "industry in ['Banking', 'Insurance']",
    "industry contains 'soft'",
    "country != 'US'",
    "country in ['DE', 'AT', 'CH']",
    "technologies has 'hubspot'",
    "technologies has all ['stripe', 'hubspot']",
    "last_funding_date within 180d",
    "last_funding_date before 2022-01-01",
    "name contains 'corp'",
    "name matches '^a'",
    "company_age < 5",
    "nps >= 9",
];

/// Columns and the cells they may hold ("" is missing).
const COLUMNS: &[(&str, &[&str])] = &[
    (
        "Number of Employees",
        &["5", "75", "51-200", "1,200", "10,001+", "n/a"],
    ),
    ("Annual Revenue", &["$5M", "$10M-$50M", "1.2B", "unknown"]),
    (
        "Industry",
        &[
            "COMPUTER_SOFTWARE",
            "Banking",
            "Retail",
            "Software Development",
        ],
    ),
    (
        "Country/Region",
        &["DE", "United States", "Deutschland", "ch"],
    ),
    (
        "Technologies",
        &["HubSpot; Stripe", "Salesforce", "hubspot"],
    ),
    (
        "Last Funding Date",
        &["2024-05-01", "2020-01-01", "2025-01-01", "03/15/2024"],
    ),
    ("Company Name", &["Acme Corp", "Zeta", "alpha"]),
    ("Year Founded", &["2021", "1990", "2024"]),
    ("NPS", &["10", "3", "9"]),
];

fn cond() -> impl Strategy<Value = String> {
    let leaf = prop::sample::select(ATOMS).prop_map(str::to_string);
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4)
                .prop_map(|v| format!("({})", v.join(" and "))),
            prop::collection::vec(inner.clone(), 2..4)
                .prop_map(|v| format!("({})", v.join(" or "))),
            inner.prop_map(|c| format!("not ({c})")),
        ]
    })
}

#[derive(Clone, Debug)]
struct GenTrait {
    when: String,
    weight: i8,
    intent: bool,
}

fn traits() -> impl Strategy<Value = Vec<GenTrait>> {
    prop::collection::vec(
        (cond(), -5i8..=5, any::<bool>()).prop_map(|(when, weight, intent)| GenTrait {
            when,
            weight,
            intent,
        }),
        0..6,
    )
}

fn profile_src(traits: &[GenTrait]) -> String {
    let mut src = String::from("name = \"generated\"\n");
    for (i, t) in traits.iter().enumerate() {
        src.push_str(&format!(
            "\n[[traits]]\nname = \"t{i}\"\nwhen = {}\nweight = {}\naxis = \"{}\"\n",
            toml_str(&t.when),
            t.weight,
            if t.intent { "intent" } else { "fit" }
        ));
    }
    src
}

fn build(traits: &[GenTrait]) -> Profile {
    let src = profile_src(traits);
    let loaded = load(&src, as_of());
    let errors: Vec<_> = loaded.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}\n{src}");
    loaded.profile.unwrap()
}

/// A row: for each column, `None` (missing) or the index of a cell.
fn row() -> impl Strategy<Value = Vec<Option<usize>>> {
    COLUMNS
        .iter()
        .map(|(_, cells)| prop::option::of(0..cells.len()))
        .collect::<Vec<_>>()
}

fn cells(row: &[Option<usize>]) -> Vec<&'static str> {
    row.iter()
        .zip(COLUMNS)
        .map(|(c, (_, cells))| c.map_or("", |i| cells[i]))
        .collect()
}

fn score_row(p: &Profile, row: &[Option<usize>]) -> Scored {
    let headers: Vec<String> = COLUMNS.iter().map(|(h, _)| h.to_string()).collect();
    let mut rec = Vec::new();
    RecordBuilder::new(p, &headers).build(&cells(row), &mut rec);
    p.score(&rec)
}

proptest! {
    #![proptest_config(Config::default())]

    /// (a) The score is the sum of the fired traits' weights, and fit plus
    /// intent; reasons name exactly the fired traits.
    #[test]
    fn score_is_the_sum_of_fired_weights(ts in traits(), r in row()) {
        let p = build(&ts);
        let s = score_row(&p, &r);
        let sum: i32 = s.fired.iter().map(|&i| i32::from(p.traits[i].weight)).sum();
        prop_assert_eq!(s.score, sum);
        prop_assert_eq!(s.score, s.fit + s.intent);
        let fit: i32 = s.fired.iter().filter(|&&i| p.traits[i].axis == Axis::Fit).map(|&i| i32::from(p.traits[i].weight)).sum();
        prop_assert_eq!(s.fit, fit);
        prop_assert!(s.fired.windows(2).all(|w| w[0] < w[1]), "fired in profile order");
        prop_assert!((0.0..=1.0).contains(&s.coverage));
        let (min, max) = p.score_bounds();
        prop_assert!(min <= s.score && s.score <= max);
        let reasons = p.reasons(&s);
        prop_assert_eq!(if s.fired.is_empty() { 0 } else { reasons.split("; ").count() }, s.fired.len());
        prop_assert_eq!(s.tier, p.tier_for(s.score));
    }

    /// (b) Filling in a missing value never lowers coverage, and a trait that
    /// was already decided keeps its outcome (Kleene logic is monotone in
    /// what is known).
    #[test]
    fn a_new_value_never_lowers_coverage(ts in traits(), r in row(), col in 0..COLUMNS.len(), pick in any::<prop::sample::Index>()) {
        let p = build(&ts);
        let mut less = r.clone();
        less[col] = None;
        let before = score_row(&p, &less);
        let mut more = r;
        more[col] = Some(pick.index(COLUMNS[col].1.len()));
        let after = score_row(&p, &more);
        prop_assert!(after.coverage >= before.coverage, "{} -> {}", before.coverage, after.coverage);
        for &i in &before.fired {
            prop_assert!(after.fired.contains(&i), "trait {} stopped firing", i);
        }
    }

    /// (e) Scoring is deterministic, and reusing a result gives the same as
    /// a fresh one.
    #[test]
    fn scoring_is_deterministic(ts in traits(), r in row(), other in row()) {
        let p = build(&ts);
        let a = score_row(&p, &r);
        let b = score_row(&build(&ts), &r);
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(p.reasons(&a), p.reasons(&b));
        let mut reused = score_row(&p, &other);
        let headers: Vec<String> = COLUMNS.iter().map(|(h, _)| h.to_string()).collect();
        let mut rec = vec![Value::Num(f64::NAN)];
        RecordBuilder::new(&p, &headers).build(&cells(&r), &mut rec);
        p.score_into(&rec, &mut reused);
        prop_assert_eq!(reused, a);
    }

    /// Records that hold the answers of the text and list tests score like
    /// records that hold the values, trait by trait, over a run of rows
    /// through one builder each (so the cell memo is hit and refilled).
    #[test]
    fn answers_score_like_values(ts in traits(), rows in prop::collection::vec(row(), 1..12)) {
        let p = build(&ts);
        let headers: Vec<String> = COLUMNS.iter().map(|(h, _)| h.to_string()).collect();
        let answering = RecordBuilder::new(&p, &headers);
        let plain = RecordBuilder::new(&p, &headers).keep_values();
        let (mut a, mut v) = (Vec::new(), Vec::new());
        for r in &rows {
            answering.build(&cells(r), &mut a);
            plain.build(&cells(r), &mut v);
            prop_assert!(!v.iter().any(|x| matches!(x, Value::Answers(_))));
            prop_assert_eq!(p.score(&a), p.score(&v));
            for t in &p.traits {
                prop_assert_eq!(t.cond.eval(&a), t.cond.eval(&v), "{}", t.name);
            }
        }
    }

    /// (c) The condition parser never panics, and its error spans start
    /// inside the text (or just after its end).
    #[test]
    fn the_parser_never_panics(s in any::<String>()) {
        if let Err(e) = expr::parse(&s) {
            prop_assert!(e.span.start <= s.len() && e.span.start < e.span.end, "{:?}", e);
        }
    }

    /// (c) ...nor on token soup that gets much further into the grammar.
    #[test]
    fn the_parser_never_panics_on_token_soup(toks in prop::collection::vec(prop::sample::select(&[
        "employees", "industry", "`Lifecycle Stage`", "x", "and", "or", "not", "(", ")", "[", "]", ",",
        "=", "!=", "<", ">=", "<>", "!", "between", "in", "contains", "any", "matches", "has", "all",
        "uses", "within", "before", "after", "is", "present", "missing", "present(", "missing(",
        "5", "-3", "$50M", "1.5k", "10_000", "180d", "6mo", "-99999999999d", "2024-01-31", "2024-13-01",
        "'a'", "\"b\"", "'(['", "'\\'", "\"é\\", "é", "`", "'", "\"", "\\", "1,200", "B2B",
    ][..]), 0..14)) {
        let s = toks.join(" ");
        let _ = expr::parse(&s);
        let compact = toks.concat();
        let _ = expr::parse(&compact);
    }

    /// (c) Loading a profile never panics whatever its `when` holds, and
    /// every diagnostic points inside the file.
    #[test]
    fn loading_never_panics_and_spans_stay_in_the_file(when in any::<String>(), as_filter in any::<bool>()) {
        let src = if as_filter {
            format!("name = \"p\"\n[[filters]]\nname = \"f\"\nwhen = {}\n", toml_str(&when))
        } else {
            format!("name = \"p\"\n[[traits]]\nname = \"t\"\nwhen = '''{}'''\nweight = 3\n", when.replace('\'', ""))
        };
        load_diags_in_bounds(&src)?;
    }

    /// (c) ...and loading arbitrary text as a profile never panics.
    #[test]
    fn loading_arbitrary_text_never_panics(src in any::<String>()) {
        load_diags_in_bounds(&src)?;
    }

    /// (d) parse_number and parse_date never panic.
    #[test]
    fn value_parsers_never_panic(s in any::<String>()) {
        let _ = parse_number(&s);
        let _ = parse_date(&s);
        for kind in [icp_core::Kind::Number, icp_core::Kind::Text, icp_core::Kind::List, icp_core::Kind::Date] {
            let _ = icp_core::value::parse_as(kind, &s);
            let _ = icp_core::fields::parse_field("country", kind, &s);
            let _ = icp_core::fields::parse_field("industry", kind, &s);
        }
    }

    /// (d) parse_number on number-like text never panics either.
    #[test]
    fn parse_number_never_panics_on_number_like_text(s in "[-+$€£ 0-9.,kKmMbB_to–+]{0,16}") {
        if let Some(Value::Range(lo, hi)) = parse_number(&s) {
            prop_assert!(lo <= hi);
        }
    }

    /// (d) A formatted integer reads back as itself.
    #[test]
    fn formatted_integers_round_trip(n in -999_999_999_999i64..=999_999_999_999) {
        let want = Some(Value::Num(n as f64));
        prop_assert_eq!(parse_number(&n.to_string()), want.clone());
        prop_assert_eq!(parse_number(&group_thousands(n)), want.clone());
        prop_assert_eq!(parse_number(&format!(" {} ", group_thousands(n))), want.clone());
        if n >= 0 {
            prop_assert_eq!(parse_number(&format!("${}", group_thousands(n))), want.clone());
            prop_assert_eq!(parse_number(&format!("{n} USD")), want.clone());
        }
        if n % 1000 == 0 {
            prop_assert_eq!(parse_number(&format!("{}k", n / 1000)), want.clone());
        }
        if n % 1_000_000 == 0 {
            prop_assert_eq!(parse_number(&format!("{}M", n / 1_000_000)), want);
        }
    }

    /// (d) A range of two formatted integers reads back as that range.
    #[test]
    fn formatted_ranges_round_trip(a in 0i64..1_000_000_000, b in 0i64..1_000_000_000) {
        let (lo, hi) = (a.min(b), a.max(b));
        let want = Some(Value::Range(lo as f64, hi as f64));
        prop_assert_eq!(parse_number(&format!("{}-{}", group_thousands(lo), group_thousands(hi))), want.clone());
        prop_assert_eq!(parse_number(&format!("${lo} - ${hi}")), want.clone());
        prop_assert_eq!(parse_number(&format!("{lo} to {hi}")), want);
        prop_assert_eq!(parse_number(&format!("{}+", group_thousands(lo))), Some(Value::Range(lo as f64, f64::INFINITY)));
    }

    /// Dates written in the supported export styles read back as the same day.
    #[test]
    fn dates_round_trip(day in icp_core::day_number(chrono::NaiveDate::from_ymd_opt(1000, 1, 1).unwrap())
        ..=icp_core::day_number(chrono::NaiveDate::from_ymd_opt(9999, 12, 31).unwrap())) {
        let d = date_from_days(day).unwrap();
        for f in ["%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%d.%m.%Y", "%Y%m%d", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M"] {
            let text = d.and_hms_opt(10, 32, 0).unwrap().format(f).to_string();
            prop_assert_eq!(parse_date(&text), Some(day), "{}", text);
        }
    }

    /// A range compared with a number is true only if every value in it is,
    /// false only if none is, unknown otherwise.
    #[test]
    fn range_comparisons_match_the_all_or_none_rule(a in 0u32..1000, b in 0u32..1000, x in 0u32..1000, op in 0usize..6) {
        let (lo, hi) = (a.min(b), a.max(b));
        let ops = ["=", "!=", "<", "<=", ">", ">="];
        let holds = |v: u32| match op {
            0 => v == x,
            1 => v != x,
            2 => v < x,
            3 => v <= x,
            4 => v > x,
            _ => v >= x,
        };
        // Integers only: the range's values are lo..=hi.
        let all = (lo..=hi).all(holds);
        let none = !(lo..=hi).any(holds);
        let want = if all { icp_core::Truth::True } else if none { icp_core::Truth::False } else { icp_core::Truth::Unknown };
        // A range of one value is a plain number.
        let cell = if lo == hi { lo.to_string() } else { format!("{lo}-{hi}") };
        let got = common::truth(&format!("employees {} {x}", ops[op]), &[("employees", &cell)]);
        prop_assert_eq!(got, want, "{} {} {}", cell, ops[op], x);
    }
}

/// Load `src`; every diagnostic's span must be a valid range of the file so
/// the CLI can underline it.
fn load_diags_in_bounds(src: &str) -> Result<(), TestCaseError> {
    let loaded = load(src, as_of());
    for d in &loaded.diagnostics {
        if let Some(span) = &d.span {
            prop_assert!(
                src.get(span.clone()).is_some(),
                "span {:?} of {:?} is not in the file",
                span,
                d.message
            );
        }
        prop_assert!(d.line_col(src).is_some() == d.span.is_some());
    }
    Ok(())
}

fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[test]
fn presence_tests_can_lower_coverage() {
    // The documented exception to property (b): `present(a)` is never
    // unknown, so learning `a` can turn a decided trait into an undecided one.
    let p = common::one_trait("present(a) and b = 1");
    let before = common::score(&p, &[("a", ""), ("b", "")]);
    let after = common::score(&p, &[("a", "x"), ("b", "")]);
    assert_eq!((before.coverage, after.coverage), (1.0, 0.0));
}
