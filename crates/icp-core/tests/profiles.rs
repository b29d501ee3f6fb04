//! Profile diagnostics: every error names the offending text (`&src[span]`)
//! and a 1-based line and column; the linter's warnings sit on the weight,
//! the condition or the `[tiers]` table they are about.

mod common;

use common::{as_of, diagnostics, profile};
use icp_core::{Diagnostic, Severity, lint_provided, load};

/// The only error of `src`, as `(message, text under the span, line, col)`;
/// the profile must not load.
#[track_caller]
fn the_error(src: &str) -> (String, String, usize, usize) {
    let loaded = load(src, as_of());
    assert!(
        loaded.profile.is_none(),
        "a profile with an error must not load"
    );
    let errors: Vec<&Diagnostic> = loaded.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let d = errors[0];
    let span = d.span.clone().expect("errors have a span");
    let (line, col) = d.line_col(src).unwrap();
    (d.message.clone(), src[span].to_string(), line, col)
}

/// A profile with one trait whose `when` line is `when = <when_toml>`
/// (line 5) and weight `weight` (line 6).
fn trait_src(when_toml: &str, weight: &str) -> String {
    format!("name = \"p\"\n\n[[traits]]\nname = \"t\"\nwhen = {when_toml}\nweight = {weight}\n")
}

/// Warnings of `src` as `(message, text under the span)`.
fn warnings(src: &str) -> Vec<(String, Option<String>)> {
    diagnostics(src)
        .into_iter()
        .filter(|(s, _, _)| *s == Severity::Warning)
        .map(|(_, m, t)| (m, t))
        .collect()
}

#[track_caller]
fn has_warning(src: &str, message_part: &str, text: Option<&str>) {
    let ws = warnings(src);
    assert!(
        ws.iter()
            .any(|(m, t)| m.contains(message_part) && t.as_deref() == text),
        "no warning containing {message_part:?} at {text:?} in {ws:#?}"
    );
}

#[track_caller]
fn no_warning(src: &str, message_part: &str) {
    let ws = warnings(src);
    assert!(
        !ws.iter().any(|(m, _)| m.contains(message_part)),
        "unexpected {message_part:?} in {ws:#?}"
    );
}

// ------------------------------------------------------ condition errors

#[test]
fn a_bad_operator_inside_a_when_string() {
    let (msg, text, line, col) = the_error(&trait_src("\"employees >> 100\"", "3"));
    assert_eq!(
        msg,
        "expected a number, a date or text in quotes, found `>`"
    );
    assert_eq!(text, ">");
    assert_eq!((line, col), (5, 20));

    let (msg, text, ..) = the_error(&trait_src("'name like \"Acme%\"'", "3"));
    assert_eq!(msg, "unknown operator `like`");
    assert_eq!(text, "like");

    let (msg, text, ..) = the_error(&trait_src("'employees ~ 5'", "3"));
    assert_eq!(msg, "unexpected character `~`");
    assert_eq!(text, "~");

    let (msg, text, ..) = the_error(&trait_src("'employees >= 100 and industry is \"x\"'", "3"));
    assert_eq!(
        msg,
        "expected `present` or `missing` after `is`, found text \"x\""
    );
    assert_eq!(text, "\"x\"");

    let (msg, text, ..) = the_error(&trait_src("'employees ! 5'", "3"));
    assert_eq!(msg, "`!` must be followed by `=`");
    assert_eq!(text, "!");

    let (msg, text, ..) = the_error(&trait_src("'employees => 5'", "3"));
    assert_eq!(msg, "`=>` is not an operator: did you mean `>=`?");
    assert_eq!(text, "=>");
    let (msg, ..) = the_error(&trait_src("'employees =< 5'", "3"));
    assert_eq!(msg, "`=<` is not an operator: did you mean `<=`?");
}

#[test]
fn incomplete_conditions() {
    let (msg, text, ..) = the_error(&trait_src("'employees'", "1"));
    assert_eq!(
        msg,
        "expected an operator after `employees`, found the end of the condition"
    );
    // The end of the condition: the closing quote.
    assert_eq!(text, "'");

    let (msg, text, ..) = the_error(&trait_src("'(employees > 5'", "1"));
    assert_eq!(msg, "expected `)`, found the end of the condition");
    assert_eq!(text, "'");

    let (msg, text, ..) = the_error(&trait_src("'employees > 5 country = \"DE\"'", "1"));
    assert_eq!(msg, "unexpected `country` after a complete condition");
    assert_eq!(text, "country");

    let (msg, text, ..) = the_error(&trait_src("'name = \"unclosed'", "1"));
    assert_eq!(msg, "unclosed string");
    assert_eq!(text, "\"unclosed");

    let (msg, text, ..) = the_error(&trait_src("''", "1"));
    assert_eq!(msg, "empty condition");
    assert_eq!(text, "'");

    let (msg, _, line, _) = the_error(&trait_src("'   '", "1"));
    assert_eq!((msg.as_str(), line), ("empty condition", 5));
}

#[test]
fn a_comma_that_does_not_group_thousands_is_an_error() {
    // `1,200` groups thousands; `1,20` is `1` followed by a stray comma.
    let (msg, text, line, col) = the_error(&trait_src("'employees > 1,20'", "1"));
    assert_eq!(msg, "unexpected `,` after a complete condition");
    assert_eq!((text.as_str(), line, col), (",", 5, 22));
}

#[test]
fn bad_literals() {
    let (msg, text, ..) = the_error(&trait_src("'last_funding_date after 2024-13-01'", "1"));
    assert_eq!(msg, "`2024-13-01` is not a valid date (use YYYY-MM-DD)");
    assert_eq!(text, "2024-13-01");

    let (msg, text, ..) = the_error(&trait_src("'revenue > 5zillion'", "1"));
    assert_eq!(msg, "`5zillion` is not a number");
    assert_eq!(text, "5zillion");

    let (msg, text, ..) = the_error(&trait_src("'last_funding_date within 3 parsecs'", "1"));
    assert_eq!(
        msg,
        "expected a duration such as 180d, 6mo or 2y, found number 3"
    );
    assert_eq!(text, "3");

    let (msg, text, ..) = the_error(&trait_src("'last_funding_date before \"2024-01-01\"'", "1"));
    assert_eq!(
        msg,
        "expected a date (YYYY-MM-DD), found text \"2024-01-01\""
    );
    assert_eq!(text, "\"2024-01-01\"");

    let (msg, text, ..) = the_error(&trait_src("'industry in \"Software\"'", "1"));
    assert!(msg.starts_with("expected a list"), "{msg}");
    assert_eq!(text, "\"Software\"");
}

#[test]
fn a_test_that_does_not_fit_the_fields_type() {
    let cases = [
        (
            "'industry > 5'",
            "> 5",
            "this test does not apply to `industry`, which is text",
        ),
        (
            "'industry has \"x\"'",
            "has \"x\"",
            "this test does not apply to `industry`, which is text",
        ),
        (
            "'employees contains \"5\"'",
            "contains \"5\"",
            "this test does not apply to `employees`, which is number",
        ),
        (
            "'employees = \"many\"'",
            "= \"many\"",
            "this test does not apply to `employees`, which is number",
        ),
        (
            "'employees within 30d'",
            "within 30d",
            "this test does not apply to `employees`, which is number",
        ),
        (
            "'technologies = \"stripe\"'",
            "= \"stripe\"",
            "this test does not apply to `technologies`, which is list",
        ),
        (
            "'last_funding_date > 5'",
            "> 5",
            "this test does not apply to `last_funding_date`, which is date",
        ),
        // A quoted date is text: write dates bare, e.g. `> 2024-01-01`.
        (
            "'last_funding_date > \"2024-01-01\"'",
            "> \"2024-01-01\"",
            "this test does not apply to `last_funding_date`, which is date",
        ),
        (
            "'name >= 2024-01-01'",
            ">= 2024-01-01",
            "this test does not apply to `name`, which is text",
        ),
    ];
    for (when, text, msg) in cases {
        let got = the_error(&trait_src(when, "1"));
        assert_eq!((got.0.as_str(), got.1.as_str()), (msg, text), "{when}");
    }
    let loaded = load(&trait_src("'industry > 5'", "1"), as_of());
    let d = &loaded.diagnostics[0];
    assert_eq!(d.label, "not a text test");
    assert!(
        d.help.as_deref().unwrap().contains("`in [..]`"),
        "{:?}",
        d.help
    );
}

#[test]
fn an_invalid_regular_expression() {
    let src = trait_src("'name matches \"([a-z\"'", "1");
    let (msg, text, line, col) = the_error(&src);
    assert_eq!(msg, "invalid regular expression");
    assert_eq!(text, "matches \"([a-z\"");
    assert_eq!((line, col), (5, 14));
    let d = load(&src, as_of()).diagnostics.remove(0);
    assert!(
        !d.label.is_empty() && d.label != "here",
        "the label carries the regex error: {:?}",
        d.label
    );
}

#[test]
fn a_field_used_as_two_kinds() {
    let src = r#"name = "p"

[[traits]]
name = "big"
when = "arr > 5"
weight = 3

[[traits]]
name = "named"
when = "arr = 'enterprise'"
weight = 1
"#;
    let (msg, text, line, col) = the_error(src);
    assert_eq!(msg, "`arr` is used as text here but as number on line 5");
    assert_eq!((text.as_str(), line, col), ("arr", 10, 9));
}

// ------------------------------------------------------- spans and lines

#[test]
fn spans_map_through_a_multi_line_when() {
    let src = "name = \"p\"\n\n[[traits]]\nname = \"t\"\nwhen = \"\"\"\nemployees >= 100\n  and industry = 'Software'\n  and revenue >> 5\n\"\"\"\nweight = 3\n";
    let (msg, text, line, col) = the_error(src);
    assert!(msg.contains("found `>`"), "{msg}");
    assert_eq!((text.as_str(), line, col), (">", 8, 16));
    // Without the newline after the opening quotes.
    let src = "name = \"p\"\n[[traits]]\nname = \"t\"\nwhen = '''employees >= 100\n  and industry >< 'x'\n'''\nweight = 3\n";
    let (_, text, line, col) = the_error(src);
    assert_eq!((text.as_str(), line, col), ("<", 5, 17));
}

#[test]
fn spans_map_through_crlf_line_ends() {
    let src = "name = \"p\"\r\n\r\n[[traits]]\r\nname = \"t\"\r\nwhen = \"\"\"\r\nemployees >= 100 and\r\n  industry > 5\r\n\"\"\"\r\nweight = 3\r\n";
    let (_, text, line, col) = the_error(src);
    assert_eq!((text.as_str(), line, col), ("> 5", 7, 12));
}

#[test]
fn spans_map_through_escapes_in_basic_strings() {
    let src = trait_src(r#""industry = \"Software\" and employees >> 4""#, "1");
    let (_, text, line, col) = the_error(&src);
    assert_eq!((text.as_str(), line, col), (">", 5, 48));
    // \u escapes and a line-ending backslash in a multi-line basic string.
    let src = "name = \"p\"\n[[traits]]\nname = \"t\"\nwhen = \"\"\"\ncity = \"Z\\u00FCrich\" and \\\n    employees ?? 4\"\"\"\nweight = 1\n";
    let (msg, text, line, col) = the_error(src);
    assert_eq!(msg, "unexpected character `?`");
    assert_eq!((text.as_str(), line, col), ("?", 6, 15));
    let src = trait_src(r#""city = \"Z\u00FCrich\" and x ?""#, "1");
    let (_, text, _, col) = the_error(&src);
    assert_eq!((text.as_str(), col), ("?", 38));
}

#[test]
fn line_col_is_one_based_and_counts_characters() {
    let src = "name = \"Zürich ICP\"\n[[traits]]\nname = \"Städte\"\nwhen = \"city = 'Zürich' and employees >> 4\"\nweight = 1\n";
    let (_, text, line, col) = the_error(src);
    // Column 40 counts `ü` as one character (it is two bytes).
    assert_eq!((text.as_str(), line, col), (">", 4, 40));
    let d = Diagnostic::error("x", Some(0..1));
    assert_eq!(d.line_col("abc"), Some((1, 1)));
    let d = Diagnostic::error("x", Some(4..5));
    assert_eq!(d.line_col("ab\ncd"), Some((2, 2)));
    // Past the end: clamped to the end.
    let d = Diagnostic::error("x", Some(99..100));
    assert_eq!(d.line_col("ab\ncd"), Some((2, 3)));
    // Inside a multi-byte character: that character's column.
    let d = Diagnostic::error("x", Some(2..3));
    assert_eq!(d.line_col("aé"), Some((1, 2)));
    assert_eq!(
        Diagnostic::warning("whole file", None).line_col("abc"),
        None
    );
}

// ---------------------------------------------------------- TOML errors

#[test]
fn an_unknown_key_in_a_traits_table() {
    let src = "name = \"p\"\n\n[[traits]]\nname = \"t\"\nwhen = \"employees > 5\"\nweight = 3\ncolour = \"red\"\n";
    let (msg, text, line, col) = the_error(src);
    assert!(
        msg.starts_with("unknown field `colour`, expected one of `name`, `when`, `weight`"),
        "{msg}"
    );
    assert_eq!((text.as_str(), line, col), ("colour", 7, 1));
}

#[test]
fn toml_shape_errors() {
    let (msg, text, ..) = the_error("name = \"p\"\nmystery = 1\n");
    assert!(msg.starts_with("unknown field `mystery`"), "{msg}");
    assert_eq!(text, "mystery");

    let (msg, text, ..) = the_error(&trait_src("'employees > 5'", "2.5"));
    assert_eq!(msg, "a weight is a whole number from -5 to +5");
    assert_eq!(text, "2.5");
    let (msg, text, ..) = the_error(&trait_src("'employees > 5'", "\"3\""));
    assert_eq!(msg, "a weight is a whole number from -5 to +5");
    assert_eq!(text, "\"3\"");

    let (msg, text, ..) = the_error(
        "name = \"p\"\n[[filters]]\nname = \"f\"\nwhen = \"employees > 5\"\nweight = 1\n",
    );
    assert!(msg.starts_with("unknown field `weight`"), "{msg}");
    assert_eq!(text, "weight");

    let (msg, text, ..) = the_error("name = \"p\"\n[[traits]]\nname = \"t\"\nweight = 1\n");
    assert_eq!(msg, "missing field `when`");
    assert_eq!(text, "[[traits]]");

    let (msg, ..) = the_error("description = \"no name\"\n");
    assert_eq!(msg, "missing field `name`");

    let (msg, text, ..) = the_error("name = \"p\"\n[tiers]\ntier1 = 5\ntier2 = 3\ntier3 = 1\n");
    assert!(msg.starts_with("unknown field `tier3`"), "{msg}");
    assert_eq!(text, "tier3");

    let (msg, ..) = the_error("name = \"p\"\n[[traits]\n");
    assert!(!msg.is_empty());
}

// ----------------------------------------------------------- value errors

#[test]
fn a_weight_outside_the_scale() {
    for (w, msg) in [
        ("7", "weight 7 is outside -5..+5"),
        ("-6", "weight -6 is outside -5..+5"),
        ("100", "weight 100 is outside -5..+5"),
    ] {
        let (m, text, line, col) = the_error(&trait_src("'employees > 5'", w));
        assert_eq!((m.as_str(), text.as_str(), line, col), (msg, w, 6, 10));
    }
}

#[test]
fn unknown_entity_axis_and_on_missing() {
    let (msg, text, ..) = the_error("name = \"p\"\nentity = \"company\"\n");
    assert_eq!(
        (msg.as_str(), text.as_str()),
        ("unknown entity `company`", "\"company\"")
    );

    let src = "name = \"p\"\n[[traits]]\nname = \"t\"\nwhen = \"employees > 5\"\nweight = 1\naxis = \"loyalty\"\n";
    let (msg, text, line, col) = the_error(src);
    assert_eq!(
        (msg.as_str(), text.as_str(), line, col),
        ("unknown axis `loyalty`", "\"loyalty\"", 6, 8)
    );

    let src = "name = \"p\"\n[[filters]]\nname = \"f\"\nwhen = \"employees > 5\"\non_missing = \"drop\"\n";
    let (msg, text, ..) = the_error(src);
    assert_eq!(
        (msg.as_str(), text.as_str()),
        ("unknown on_missing `drop`", "\"drop\"")
    );

    let (msg, text, ..) = the_error("name = \"p\"\nintent_half_life = \"soon\"\n");
    assert_eq!(
        (msg.as_str(), text.as_str()),
        ("`soon` is not a duration", "\"soon\"")
    );
    let (msg, ..) = the_error("name = \"p\"\nintent_half_life = \"0d\"\n");
    assert_eq!(msg, "`0d` is not a duration");
}

#[test]
fn every_error_is_reported_not_just_the_first() {
    let src = r#"name = "p"
entity = "company"

[[filters]]
name = "f"
when = "employees >> 5"

[[traits]]
name = "a"
when = "industry > 5"
weight = 9
"#;
    let loaded = load(src, as_of());
    assert!(loaded.profile.is_none());
    let texts: Vec<(Severity, &str)> = loaded
        .diagnostics
        .iter()
        .map(|d| (d.severity, &src[d.span.clone().unwrap()]))
        .collect();
    // Sorted by position in the file.
    assert_eq!(
        texts,
        [
            (Severity::Error, "\"company\""),
            (Severity::Error, ">"),
            (Severity::Error, "> 5"),
            (Severity::Error, "9")
        ]
    );
}

#[test]
fn errors_suppress_the_linter_and_warnings_do_not_block() {
    // Weight 9 is an error: no lint warnings about tiers are added.
    let loaded = load(&trait_src("'employees > 5'", "9"), as_of());
    assert!(
        loaded.diagnostics.iter().all(Diagnostic::is_error),
        "{:#?}",
        loaded.diagnostics
    );
    // Weight 2 is only a warning: the profile loads.
    let loaded = load(&trait_src("'employees > 5'", "2"), as_of());
    assert!(loaded.profile.is_some());
    assert!(!loaded.diagnostics.is_empty());
}

// --------------------------------------------------------------- warnings

#[test]
fn middle_and_zero_weights() {
    for w in ["2", "-2", "4", "-4"] {
        has_warning(
            &trait_src("'employees > 5'", w),
            "has a middle weight",
            Some(w),
        );
    }
    has_warning(
        &trait_src("'employees > 5'", "4"),
        "trait `t` has a middle weight (+4)",
        Some("4"),
    );
    has_warning(
        &trait_src("'employees > 5'", "0"),
        "trait `t` has weight 0 and never moves a score",
        Some("0"),
    );
    for w in ["5", "3", "1", "-1", "-3", "-5"] {
        no_warning(&trait_src("'employees > 5'", w), "weight");
    }
}

#[test]
fn filters_that_can_never_pass() {
    let filter = |when: &str| {
        format!(
            "name = \"p\"\n[tiers]\ntier1 = 1\ntier2 = 0.5\n[[filters]]\nname = \"f\"\nwhen = {}\n[[traits]]\nname = \"t\"\nwhen = \"present(domain)\"\nweight = 1\n",
            common::toml_str(when)
        )
    };
    for when in [
        "employees > 100 and employees < 50",
        "employees >= 100 and employees < 100",
        "employees = 10 and employees = 20",
        "employees between 10 and 5",
        "employees between 10 and 20 and employees > 30",
        "industry in [\"a\"] and industry in [\"b\"]",
        "industry = 'Software' and industry = 'Banking'",
        "country = 'DE' and (employees > 5 and country = 'US')",
        "present(domain) and missing(domain)",
        "employees > 5 and domain is missing and domain = 'x'",
        "industry in []",
        "technologies has any []",
        "(employees > 100 and employees < 50) or industry in []",
        "last_funding_date after 2024-01-01 and last_funding_date before 2023-01-01",
        "last_funding_date within -5d",
    ] {
        let src = filter(when);
        has_warning(
            &src,
            "filter `f` can never pass: every account would be excluded",
            Some(&common::toml_str(when)),
        );
    }
    for when in [
        "employees > 50 and employees < 100",
        "employees >= 100 and employees <= 100",
        "employees > 100 or employees < 50",
        "industry in ['a', 'b'] and industry in ['b']",
        // Both fold to the ISO code "de".
        "country = 'Germany' and country = 'DE'",
        "industry = 'SaaS' and industry = 'Computer Software'",
        "not (employees > 100 and employees < 50)",
        "employees != 5 and employees = 6",
        "missing(domain) or domain = 'x'",
    ] {
        no_warning(&filter(when), "can never pass");
    }
}

#[test]
fn traits_that_never_fire() {
    let src = trait_src("'employees > 100 and employees < 50'", "3");
    has_warning(
        &src,
        "trait `t` can never fire",
        Some("'employees > 100 and employees < 50'"),
    );
    no_warning(&trait_src("'employees > 50'", "3"), "can never fire");
}

#[test]
fn tier_warnings() {
    let base = |tiers: &str| {
        format!(
            "name = \"p\"\n{tiers}\n[[traits]]\nname = \"a\"\nwhen = \"a = 1\"\nweight = 5\n[[traits]]\nname = \"b\"\nwhen = \"b = 1\"\nweight = 3\n[[traits]]\nname = \"c\"\nwhen = \"c = 1\"\nweight = -3\n"
        )
    };
    // Highest score 8, lowest -3.
    let ok = base("[tiers]\ntier1 = 8\ntier2 = 3\n");
    assert!(warnings(&ok).is_empty(), "{:#?}", warnings(&ok));

    has_warning(
        &base("[tiers]\ntier1 = 3\ntier2 = 5\n"),
        "tier thresholds are out of order: tier1 = 3 is not above tier2 = 5",
        Some("[tiers]"),
    );
    has_warning(
        &base("[tiers]\ntier1 = 3\ntier2 = 3\n"),
        "tier thresholds are out of order",
        Some("[tiers]"),
    );
    has_warning(
        &base("[tiers]\ntier1 = 9\ntier2 = 3\n"),
        "tier 1 is unreachable: tier1 = 9 but the highest possible score is 8",
        Some("[tiers]"),
    );
    has_warning(
        &base("[tiers]\ntier1 = 12\ntier2 = 10\n"),
        "tier 1 is unreachable: tier1 = 12 but the highest possible score is 8",
        Some("[tiers]"),
    );
    no_warning(
        &base("[tiers]\ntier1 = 12\ntier2 = 10\n"),
        "tier 2 is unreachable",
    );
    has_warning(
        &base("[tiers]\ntier1 = 8\ntier2 = -3\n"),
        "tier 3 is empty: tier2 = -3 is at or below the lowest possible score (-3)",
        Some("[tiers]"),
    );
    no_warning(
        &base("[tiers]\ntier1 = 8\ntier2 = -2.5\n"),
        "tier 3 is empty",
    );
}

#[test]
fn default_tiers_are_checked_too() {
    // Default tier1 = 8, but this profile can reach 3 at most.
    let src = trait_src("'employees > 5'", "3");
    let d = load(&src, as_of()).diagnostics;
    let w = d
        .iter()
        .find(|d| d.message.starts_with("tier 1 is unreachable"))
        .expect("unreachable warning");
    assert_eq!(
        w.message,
        "tier 1 is unreachable: tier1 = 8 but the highest possible score is 3"
    );
    assert_eq!(w.span, None, "no [tiers] table to point at");
}

#[test]
fn a_profile_without_traits() {
    let d = load("name = \"p\"\n", as_of()).diagnostics;
    assert!(
        d.iter().any(
            |d| d.message == "the profile has no traits: every account scores 0"
                && d.span.is_none()
        ),
        "{d:#?}"
    );
    // ...and no "tier 3 is empty" on top.
    assert!(!d.iter().any(|d| d.message.starts_with("tier 3")), "{d:#?}");
}

#[test]
fn duplicate_trait_names() {
    let src = "name = \"p\"\n[[traits]]\nname = \"dup\"\nwhen = \"a = 1\"\nweight = 5\n[[traits]]\nname = \"dup\"\nwhen = \"b = 1\"\nweight = 3\n[tiers]\ntier1 = 8\ntier2 = 3\n";
    let d = load(src, as_of()).diagnostics;
    let dup: Vec<_> = d
        .iter()
        .filter(|d| d.message == "two traits are named `dup`")
        .collect();
    assert_eq!(dup.len(), 1, "{d:#?}");
    assert_eq!(dup[0].line_col(src), Some((7, 8)));
}

#[test]
fn warnings_come_in_file_order() {
    let src = "name = \"p\"\n[[traits]]\nname = \"a\"\nwhen = \"a = 1\"\nweight = 4\n[[traits]]\nname = \"b\"\nwhen = \"b > 5 and b < 1\"\nweight = 2\n";
    let lines: Vec<usize> = load(src, as_of())
        .diagnostics
        .iter()
        .filter_map(|d| d.line_col(src))
        .map(|(l, _)| l)
        .collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted);
}

// ------------------------------------------------------------- provided

#[test]
fn fields_no_source_provides() {
    let src = "name = \"p\"\n[[traits]]\nname = \"t\"\nwhen = \"employees > 5 and company_age < 3 and nps >= 9\"\nweight = 1\n";
    let p = profile(src);
    let provided = ["employees".to_string(), "founded_year".to_string()];
    let d = lint_provided(&p, &provided, "configured source");
    let msgs: Vec<(&str, &str)> = d
        .iter()
        .map(|d| (d.message.as_str(), &src[d.span.clone().unwrap()]))
        .collect();
    // company_age derives from founded_year.
    assert_eq!(msgs, [("no configured source provides `nps`", "nps")]);
    assert_eq!(lint_provided(&p, &[], "configured source").len(), 3);

    // A typo is answered with the name it is close to.
    let src = "name = \"p\"\n[[traits]]\nname = \"t\"\nwhen = \"employes > 5\"\nweight = 1\n";
    let d = lint_provided(&profile(src), &["employees".to_string()], "column of a.csv");
    assert_eq!(d[0].message, "no column of a.csv provides `employes`");
    assert_eq!(d[0].help.as_deref(), Some("did you mean `employees`?"));
}

#[test]
fn huge_durations_do_not_overflow() {
    // Used to overflow `as_of - days` (a panic in debug builds).
    for when in [
        "'last_funding_date within -99999999999d'",
        "'last_funding_date within 99999999999d'",
    ] {
        let loaded = load(&trait_src(when, "1"), as_of());
        assert!(loaded.profile.is_some(), "{:#?}", loaded.diagnostics);
    }
    has_warning(
        &trait_src("'last_funding_date within -99999999999d'", "1"),
        "can never fire",
        Some("'last_funding_date within -99999999999d'"),
    );
}

#[test]
fn an_acv_table_names_tiers_only() {
    let (message, text, line, col) = the_error("name = \"p\"\n\n[acv]\n1 = 50000\ngold = 9\n");
    assert!(message.contains("`gold = 9`"), "{message}");
    assert_eq!(text, "[acv]");
    assert_eq!((line, col), (3, 1));
    let (message, _, _, _) = the_error("name = \"p\"\n\n[acv]\n1 = -5\n");
    assert!(message.contains("`1 = -5`"), "{message}");
    assert!(
        load("name = \"p\"\n[acv]\n1 = 5\nexcluded = 0\n", as_of())
            .profile
            .is_some()
    );
}

#[test]
fn a_field_close_to_a_known_one_is_a_likely_typo() {
    let src = "name = \"p\"\n[[traits]]\nname = \"t\"\nwhen = \"employes > 5 and industy = 'Software' and nps >= 9 and industry_raw = 'x'\"\nweight = 1\n";
    let loaded = load(src, 0);
    let msgs: Vec<&str> = loaded
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert!(
        msgs.contains(&"`employes` is not a known field: did you mean `employees`?"),
        "{msgs:?}"
    );
    assert!(
        msgs.contains(&"`industy` is not a known field: did you mean `industry`?"),
        "{msgs:?}"
    );
    // A custom column far from every known field, and a known field's raw
    // text, are fine.
    assert!(
        !msgs
            .iter()
            .any(|m| m.contains("`nps`") || m.contains("industry_raw")),
        "{msgs:?}"
    );
    assert!(loaded.profile.is_some(), "a warning, not an error");
}
