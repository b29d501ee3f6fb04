//! Warnings a profile author wants before running: middle weights, traits
//! and filters that can never fire, tier thresholds out of order or out of
//! reach, fields no source provides.

use crate::condition::never_true;
use crate::diag::Diagnostic;
use crate::profile::Profile;

pub(crate) fn lint(p: &Profile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for t in &p.traits {
        match t.weight {
            0 => out.push(
                Diagnostic::warning(
                    format!("trait `{}` has weight 0 and never moves a score", t.name),
                    Some(t.weight_span.clone()),
                )
                .label("no effect")
                .help("remove the trait or give it a weight"),
            ),
            2 | -2 | 4 | -4 => out.push(
                Diagnostic::warning(
                    format!("trait `{}` has a middle weight ({:+})", t.name, t.weight),
                    Some(t.weight_span.clone()),
                )
                .label("middle weight")
                .help("clear decisions beat fine gradations: prefer ±1, ±3 or ±5"),
            ),
            _ => {}
        }
        if never_true(&t.cond) {
            out.push(
                Diagnostic::warning(
                    format!("trait `{}` can never fire", t.name),
                    Some(t.span.clone()),
                )
                .label("contradictory condition"),
            );
        }
    }
    for f in &p.filters {
        if never_true(&f.cond) {
            out.push(
                Diagnostic::warning(
                    format!(
                        "filter `{}` can never pass: every account would be excluded",
                        f.name
                    ),
                    Some(f.span.clone()),
                )
                .label("contradictory condition"),
            );
        }
    }
    let (min, max) = p.score_bounds();
    let (t1, t2) = (p.tiers.tier1, p.tiers.tier2);
    let span = p.tiers_span.clone();
    if t1 <= t2 {
        out.push(
            Diagnostic::warning(
                format!("tier thresholds are out of order: tier1 = {t1} is not above tier2 = {t2}"),
                span.clone(),
            )
            .label("tier1 must be greater than tier2")
            .help("tier 1 is at or above tier1, tier 2 at or above tier2"),
        );
    }
    if t1 > f64::from(max) {
        out.push(
            Diagnostic::warning(
                format!(
                    "tier 1 is unreachable: tier1 = {t1} but the highest possible score is {max}"
                ),
                span.clone(),
            )
            .label("unreachable"),
        );
    } else if t2 > f64::from(max) {
        out.push(
            Diagnostic::warning(
                format!(
                    "tier 2 is unreachable: tier2 = {t2} but the highest possible score is {max}"
                ),
                span.clone(),
            )
            .label("unreachable"),
        );
    }
    if t2 <= f64::from(min) && !p.traits.is_empty() {
        out.push(
            Diagnostic::warning(
                format!(
                    "tier 3 is empty: tier2 = {t2} is at or below the lowest possible score ({min})"
                ),
                span,
            )
            .label("every account that passes the filters is tier 2 or better"),
        );
    }
    for f in &p.fields {
        let base = f.name.strip_suffix("_raw").unwrap_or(&f.name);
        if crate::fields::canonical(base).is_some() {
            continue;
        }
        let canonical = crate::fields::CANONICAL.iter().map(|c| c.name);
        if let Some(near) = nearest(&f.name, canonical) {
            out.push(
                Diagnostic::warning(
                    format!("`{}` is not a known field: did you mean `{near}`?", f.name),
                    Some(f.first_use.clone()),
                )
                .label("read from a column of this name, if the input has one")
                .help(format!("`{near}` is read from CRM columns such as its export headers; other names only from a column of that name")),
            );
        }
    }
    if p.traits.is_empty() {
        out.push(
            Diagnostic::warning("the profile has no traits: every account scores 0", None)
                .help("add [[traits]] with weights from -5 to +5"),
        );
    }
    out
}

/// Warn on traits and filters over fields that nothing checked provides:
/// `provided` lists the fields (and input columns, by their snake_case
/// names) that are there; `checked` says what was looked at, e.g. "a
/// column of accounts.csv or a configured source". A name close to one
/// that is there is suggested.
pub fn lint_provided(p: &Profile, provided: &[String], checked: &str) -> Vec<Diagnostic> {
    let derived = |f: &str| f == "company_age" && provided.iter().any(|p| p == "founded_year");
    p.fields
        .iter()
        .filter(|f| !provided.contains(&f.name) && !derived(&f.name))
        .map(|f| {
            let names = provided.iter().map(String::as_str);
            let near = nearest(
                &f.name,
                names.chain(crate::fields::CANONICAL.iter().map(|c| c.name)),
            );
            let help = match near {
                Some(c) => format!("did you mean `{c}`?"),
                None => "add a source that provides it, or a column to the input file".to_string(),
            };
            Diagnostic::warning(
                format!("no {checked} provides `{}`", f.name),
                Some(f.first_use.clone()),
            )
            .label("never known: traits over it never fire and lower coverage")
            .help(help)
        })
        .collect()
}

/// The name among `names` that `name` is most likely a typo of: at most
/// two edits away (and fewer than its length).
fn nearest<'a>(name: &str, names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    names
        .map(|c| (strsim::damerau_levenshtein(c, name), c))
        .filter(|&(d, c)| d > 0 && d <= 2 && d < c.len().min(name.len()))
        .min()
        .map(|(_, c)| c)
}
