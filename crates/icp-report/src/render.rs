//! [`ReportData`] to one self-contained HTML page.

use std::fmt::Write as _;

use crate::chart::{self, Bar, Columns, Fill, Group, HBars, Legend, Marker, Stage};
use crate::html::{decimal, esc, figure, group, group_i, money, open_section, pct, plural};
use crate::{Community, ENGAGEMENT_MEASURES, ReportData, share};

/// No fetch of any kind: inline styles and `data:` images only. A report
/// that tried to load anything would show a console error instead.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE: &str = r#"
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1b1b1b; background: #ffffff; margin: 0 auto; max-width: 1080px; padding: 24px 32px 48px; }
header h1 { font-size: 28px; margin: 0 0 2px; }
header .lead { margin: 0 0 12px; color: #333; }
h2 { font-size: 21px; margin: 40px 0 8px; padding-bottom: 4px; border-bottom: 2px solid #1d3557; }
h3 { font-size: 16px; margin: 20px 0 6px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0 0 16px; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.figures { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; }
.figure { border: 1px solid #9aa5b1; border-radius: 6px; padding: 6px 14px; min-width: 130px; }
.figure b { display: block; font-size: 24px; line-height: 1.2; }
.figure span { font-size: 13px; color: #333; }
nav.toc { font-size: 14px; margin: 8px 0 0; }
nav.toc a { margin-right: 14px; color: #1d3557; }
figure { margin: 12px 0 8px; }
figcaption { font-size: 13px; color: #333; margin-top: 4px; }
svg.chart { display: block; width: 100%; height: auto; max-width: 960px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 8px 0 4px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border-bottom: 1px solid #cfd4da; padding: 4px 8px; text-align: left; vertical-align: top; }
th { border-bottom: 2px solid #1d3557; }
.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.reasons { font-size: 12px; }
.key { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
td.key { white-space: nowrap; }
tbody th { border-bottom: 1px solid #cfd4da; }
.note { border-left: 4px solid #9c4a1a; background: #fdf3ec; padding: 8px 12px; margin: 10px 0; }
.note p { margin: 4px 0; }
.gap { font-weight: 700; color: #7a3410; }
.muted { color: #555; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.92em; background: #f1f3f5; padding: 0 3px; border-radius: 3px; }
footer { margin-top: 40px; font-size: 13px; color: #333; border-top: 1px solid #cfd4da; padding-top: 8px; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  nav.toc { display: none; }
  section.major { break-before: page; }
  h2 { margin-top: 0; break-after: avoid; }
  h3 { break-after: avoid; }
  figure, tr, .figure, .note { break-inside: avoid; }
  thead { display: table-header-group; }
  .note { background: none; border: 1px solid #000; border-left-width: 4px; }
  a { color: inherit; text-decoration: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

/// The report as one HTML page.
pub fn render(d: &ReportData) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let w = Words::of(d);
    let title = format!("{} report: {}", w.kind, d.profile.name);
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"{}\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        esc(&d.input.generated_by),
        esc(&title)
    );
    header(&mut out, d, &w, &title);
    out.push_str("<main>\n");
    notes(&mut out, d);
    tiers(&mut out, d, &w);
    distribution(&mut out, d, &w);
    funnel(&mut out, d, &w);
    coverage(&mut out, d, &w);
    exclusions(&mut out, d, &w);
    top(&mut out, d, &w);
    if let Some(c) = &d.community {
        community(&mut out, c);
    }
    crate::sections::analytics(&mut out, &d.analytics);
    out.push_str("</main>\n");
    footer(&mut out, d, &w);
    out.push_str("</body>\n</html>\n");
    out
}

/// Words that depend on whether the profile scores accounts or members.
struct Words {
    /// `ICP` or `ICMP`.
    kind: &'static str,
    one: &'static str,
    many: &'static str,
    /// `Account` / `Member` (table heading).
    heading: &'static str,
    /// `Domain` / `Key`.
    key: &'static str,
}

impl Words {
    fn of(d: &ReportData) -> Words {
        if d.profile.members {
            Words {
                kind: "ICMP",
                one: "member",
                many: "members",
                heading: "Member",
                key: "E-mail or handle",
            }
        } else {
            Words {
                kind: "ICP",
                one: "account",
                many: "accounts",
                heading: "Account",
                key: "Domain",
            }
        }
    }

    fn n(&self, n: u64) -> String {
        plural(n, self.one, self.many)
    }
}

fn header(out: &mut String, d: &ReportData, w: &Words, title: &str) {
    let p = &d.profile;
    let _ = writeln!(out, "<header>\n<h1>{}</h1>", esc(title));
    if let Some(desc) = &p.description {
        let _ = writeln!(out, "<p class=\"lead\">{}</p>", esc(desc));
    }
    out.push_str("<dl class=\"meta\">\n");
    let item = |out: &mut String, k: &str, v: &str| {
        let _ = writeln!(out, "<dt>{}</dt><dd>{v}</dd>", esc(k));
    };
    item(
        out,
        "Profile",
        &format!(
            "{} ({} filter{}, {} trait{}; tier 1 at {} or more, tier 2 at {} or more)",
            esc(&p.name),
            p.filters.len(),
            if p.filters.len() == 1 { "" } else { "s" },
            p.traits.len(),
            if p.traits.len() == 1 { "" } else { "s" },
            decimal(p.tier1),
            decimal(p.tier2)
        ),
    );
    if let Some(r) = &d.input.run {
        item(
            out,
            "Run",
            &format!(
                "{} · {} · {} · started {} UTC",
                r.id,
                esc(&r.label),
                esc(&r.status),
                esc(&r.started)
            ),
        );
    }
    match &d.input.file {
        Some(f) => item(
            out,
            "Input",
            &format!("<span class=\"key\">{}</span>", esc(f)),
        ),
        None => item(out, "Input", "the run's stored scores"),
    }
    item(out, "As of", &esc(&d.input.as_of));
    let scored = d.counts.tam();
    let mut rows = format!(
        "{} read, {} scored, {} skipped",
        group(d.input.rows_read),
        group(scored),
        group(d.input.rows_skipped)
    );
    if d.input.duplicates > 0 {
        let _ = write!(
            rows,
            ", {} of an {} already read (same key) counted once",
            plural(d.input.duplicates, "row", "rows"),
            w.one
        );
    }
    item(out, "Rows", &esc(&rows));
    out.push_str("</dl>\n");
    if !d.input.skipped.is_empty() {
        out.push_str("<details open><summary>Skipped rows</summary><ul>\n");
        for (line, reason) in &d.input.skipped {
            let _ = writeln!(out, "<li>line {line}: {}</li>", esc(reason));
        }
        if d.input.rows_skipped > d.input.skipped.len() as u64 {
            let _ = writeln!(
                out,
                "<li>… and {} more (see the rejects file)</li>",
                group(d.input.rows_skipped - d.input.skipped.len() as u64)
            );
        }
        out.push_str("</ul></details>\n");
    }
    out.push_str("<div class=\"figures\">\n");
    let fig = |out: &mut String, big: String, small: &str| {
        let _ = writeln!(
            out,
            "<div class=\"figure\"><b>{}</b><span>{}</span></div>",
            esc(&big),
            esc(small)
        );
    };
    let c = &d.counts;
    fig(out, group(c.tam()), &format!("TAM: all {} scored", w.many));
    fig(
        out,
        group(c.sam()),
        &format!(
            "SAM: passing the filters ({})",
            pct(share(c.sam(), c.tam()))
        ),
    );
    fig(
        out,
        group(c.som()),
        &format!("SOM: tier 1 ({})", pct(share(c.som(), c.tam()))),
    );
    if let Some(m) = d.mean_coverage {
        fig(out, pct(m), "mean coverage of trait weight");
    }
    if let Some(v) = d.market.as_ref().and_then(|m| m.som.value) {
        fig(out, money(v), "SOM value per year");
    }
    out.push_str("</div>\n<nav class=\"toc\" aria-label=\"Sections\">");
    let mut links = vec![
        ("tiers", "Tiers"),
        ("distribution", "Scores"),
        ("funnel", "TAM / SAM / SOM"),
        ("coverage", "Trait coverage"),
        ("exclusions", "Exclusions"),
        ("top", "Top"),
    ];
    if d.community.is_some() {
        links.push(("community", "Community health"));
    }
    for (id, label) in crate::sections::links(&d.analytics) {
        links.push((id, label));
    }
    for (id, label) in links {
        let _ = write!(out, "<a href=\"#{id}\">{label}</a>");
    }
    out.push_str("</nav>\n</header>\n");
}

fn notes(out: &mut String, d: &ReportData) {
    if d.notes.is_empty() {
        return;
    }
    out.push_str("<div class=\"note\" role=\"note\">\n");
    for n in &d.notes {
        let _ = writeln!(out, "<p>{}</p>", code_spans(n));
    }
    out.push_str("</div>\n");
}

/// Escape a sentence and turn its `backticked` words into `<code>`.
fn code_spans(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", esc(part));
        } else {
            out.push_str(&esc(part));
        }
    }
    out
}

const TIER_NAMES: [&str; 4] = ["Tier 1 (SOM)", "Tier 2", "Tier 3", "Excluded"];

fn tier_rule(d: &ReportData, t: usize) -> String {
    let (t1, t2) = (decimal(d.profile.tier1), decimal(d.profile.tier2));
    match t {
        0 => format!("score {t1} or more"),
        1 => format!("score {t2} to below {t1}"),
        2 => format!("score below {t2}"),
        _ => "removed by a filter".into(),
    }
}

fn tiers(out: &mut String, d: &ReportData, w: &Words) {
    open_section(out, "tiers", "Tiers");
    let c = &d.counts;
    let tam = c.tam();
    let groups: Vec<Group> = (0..4)
        .map(|t| Group {
            label: TIER_NAMES[t].to_string(),
            bars: vec![Bar {
                value: c.tiers[t] as f64,
                text: format!("{} ({})", group(c.tiers[t]), pct(share(c.tiers[t], tam))),
                fill: Fill::for_tier(t),
                series: w.many.to_string(),
            }],
            note: None,
        })
        .collect();
    let desc = format!(
        "{} {}: {}",
        group(tam),
        w.many,
        (0..4)
            .map(|t| format!("{} {}", TIER_NAMES[t], group(c.tiers[t])))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let svg = HBars {
        id: "chart-tiers",
        title: &format!("{} per tier", w.heading),
        desc: &desc,
        groups: &groups,
        max: None,
        reference: None,
        legend: &[],
        empty: "",
    }
    .svg();
    figure(
        out,
        &svg,
        &format!(
            "{} per tier. Tier 1 is solid, tier 2 hatched, tier 3 dotted, excluded cross-hatched.",
            w.heading.to_string() + "s"
        ),
    );
    let _ = writeln!(
        out,
        "<table><caption>Tier counts</caption><thead><tr><th>Tier</th><th>Rule</th><th class=\"n\">{}</th><th class=\"n\">Share</th></tr></thead><tbody>",
        esc(&(w.heading.to_string() + "s"))
    );
    for (t, (name, n)) in TIER_NAMES.iter().zip(c.tiers).enumerate() {
        let _ = writeln!(
            out,
            "<tr><td>{name}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&tier_rule(d, t)),
            group(n),
            pct(share(n, tam))
        );
    }
    let _ = writeln!(
        out,
        "<tr><th>All</th><td></td><th class=\"n\">{}</th><th class=\"n\">100%</th></tr>\n</tbody></table>\n</section>",
        group(tam)
    );
}

/// One histogram bin: first and last score, accounts.
#[derive(Debug, PartialEq)]
pub(crate) struct Bin {
    pub lo: i64,
    pub hi: i64,
    pub count: u64,
}

/// At most this many bins; wider score ranges get bins of several scores.
const MAX_BINS: i64 = 60;

/// Bins over the profile's score range (widened to the scores seen).
pub(crate) fn bins(d: &ReportData) -> (Vec<Bin>, i64) {
    let scores = &d.counts.sam_scores;
    let (Some((&min, _)), Some((&max, _))) = (scores.first_key_value(), scores.last_key_value())
    else {
        return (Vec::new(), 1);
    };
    let (b0, b1) = d.profile.score_bounds;
    let lo = i64::from(min.min(b0));
    let hi = i64::from(max.max(b1));
    let span = hi - lo + 1;
    let width = (span + MAX_BINS - 1) / MAX_BINS;
    let n = (span + width - 1) / width;
    let bins = (0..n)
        .map(|k| {
            let b_lo = lo + k * width;
            let b_hi = (b_lo + width - 1).min(hi);
            let count = scores
                .range(clamp_i32(b_lo)..=clamp_i32(b_hi))
                .map(|(_, n)| n)
                .sum();
            Bin {
                lo: b_lo,
                hi: b_hi,
                count,
            }
        })
        .collect();
    (bins, width)
}

fn clamp_i32(x: i64) -> i32 {
    x.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

fn tier_of(d: &ReportData, score: i64) -> usize {
    let s = score as f64;
    if s >= d.profile.tier1 {
        0
    } else if s >= d.profile.tier2 {
        1
    } else {
        2
    }
}

fn distribution(out: &mut String, d: &ReportData, w: &Words) {
    open_section(out, "distribution", "Score distribution");
    let (bins, width) = bins(d);
    let label = |b: &Bin| {
        if b.lo == b.hi {
            group_i(b.lo)
        } else {
            format!("{}–{}", group_i(b.lo), group_i(b.hi))
        }
    };
    let groups: Vec<Group> = bins
        .iter()
        .map(|b| Group {
            label: label(b),
            bars: vec![Bar {
                value: b.count as f64,
                text: if b.count > 0 {
                    group(b.count)
                } else {
                    String::new()
                },
                fill: Fill::for_tier(tier_of(d, b.lo)),
                series: w.many.to_string(),
            }],
            note: None,
        })
        .collect();
    let mut markers = Vec::new();
    if let Some(first) = bins.first() {
        let last = bins.last().map_or(first.hi, |b| b.hi);
        for (t, name) in [(d.profile.tier2, "tier 2"), (d.profile.tier1, "tier 1")] {
            let at = t.ceil();
            if at.is_finite() && at >= first.lo as f64 && at <= (last + 1) as f64 {
                markers.push(Marker {
                    at: (at - first.lo as f64) / width as f64,
                    label: format!("{name} ≥ {}", decimal(t)),
                });
            }
        }
    }
    let sam = d.counts.sam();
    let desc = format!(
        "Scores of the {} in the SAM, from {} to {}; tier 2 starts at {}, tier 1 at {}.",
        w.n(sam),
        bins.first().map_or("-".into(), |b| group_i(b.lo)),
        bins.last().map_or("-".into(), |b| group_i(b.hi)),
        decimal(d.profile.tier2),
        decimal(d.profile.tier1)
    );
    let svg = Columns {
        id: "chart-scores",
        title: "Score distribution",
        desc: &desc,
        groups: &groups,
        max: None,
        y_tick: |v| group(v.round() as u64),
        x_title: "score",
        y_title: if d.profile.members {
            "members"
        } else {
            "accounts"
        },
        markers: &markers,
        legend: &[
            Legend {
                label: "tier 1".into(),
                fill: Fill::Tier1,
            },
            Legend {
                label: "tier 2".into(),
                fill: Fill::Tier2,
            },
            Legend {
                label: "tier 3".into(),
                fill: Fill::Tier3,
            },
        ],
        empty: &format!("no {} passed the filters", w.many),
    }
    .svg();
    let excluded = d.counts.tiers[3];
    figure(
        out,
        &svg,
        &format!(
            "{} in the SAM per score{}; dashed lines mark the tier thresholds. {} excluded by a filter {} not shown.",
            w.heading.to_string() + "s",
            if width > 1 {
                format!(" (bins of {width} points)")
            } else {
                String::new()
            },
            w.n(excluded),
            if excluded == 1 { "is" } else { "are" }
        ),
    );
    let _ = writeln!(
        out,
        "<table><caption>Scores</caption><thead><tr><th class=\"n\">Score</th><th>Tier</th><th class=\"n\">{}</th><th class=\"n\">Share of SAM</th></tr></thead><tbody>",
        esc(&(w.heading.to_string() + "s"))
    );
    for b in bins.iter().rev().filter(|b| b.count > 0) {
        let _ = writeln!(
            out,
            "<tr><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            label(b),
            tier_of(d, b.lo) + 1,
            group(b.count),
            pct(share(b.count, sam))
        );
    }
    if sam == 0 {
        let _ = writeln!(
            out,
            "<tr><td colspan=\"4\" class=\"muted\">No {} passed the filters.</td></tr>",
            w.many
        );
    }
    out.push_str("</tbody></table>\n</section>\n");
}

fn funnel(out: &mut String, d: &ReportData, w: &Words) {
    open_section(out, "funnel", "TAM / SAM / SOM");
    let c = &d.counts;
    let m = d.market.as_ref();
    let layers = [
        (
            "TAM",
            format!("all {} scored", w.many),
            c.tam(),
            m.map(|m| m.tam),
            Fill::Excluded,
        ),
        (
            "SAM",
            "passing the filters".to_string(),
            c.sam(),
            m.map(|m| m.sam),
            Fill::Tier2,
        ),
        (
            "SOM",
            "tier 1: winnable now".to_string(),
            c.som(),
            m.map(|m| m.som),
            Fill::Tier1,
        ),
    ];
    let value_text = |x: &icp_analytics::size::Market| {
        x.value.map(|v| {
            let mut t = format!("{} per year", money(v));
            if x.unvalued > 0 {
                let _ = write!(t, " ({} not valued)", group(x.unvalued));
            }
            t
        })
    };
    let stages: Vec<Stage> = layers
        .iter()
        .map(|(name, about, count, market, fill)| Stage {
            name: name.to_string(),
            about: about.clone(),
            count: *count,
            count_text: w.n(*count),
            value_text: market.as_ref().and_then(value_text),
            fill: *fill,
        })
        .collect();
    let desc = stages
        .iter()
        .map(|s| match &s.value_text {
            Some(v) => format!("{} {}, {v}", s.name, s.count_text),
            None => format!("{} {}", s.name, s.count_text),
        })
        .collect::<Vec<_>>()
        .join("; ");
    let svg = chart::funnel("chart-funnel", "TAM, SAM and SOM", &desc, &stages);
    figure(
        out,
        &svg,
        &format!(
            "The market in this list: every {} (TAM), those passing the profile's filters (SAM) and tier 1 (SOM). Bar widths are shares of the TAM.",
            w.one
        ),
    );
    let _ = writeln!(
        out,
        "<table><caption>Funnel</caption><thead><tr><th>Stage</th><th>Meaning</th><th class=\"n\">{}</th><th class=\"n\">Share of TAM</th><th class=\"n\">Value per year</th></tr></thead><tbody>",
        esc(&(w.heading.to_string() + "s"))
    );
    for (name, about, count, market, _) in &layers {
        let value = market.and_then(|x| x.value).map_or("–".into(), money);
        let unvalued = market.map_or(0, |x| x.unvalued);
        let _ = writeln!(
            out,
            "<tr><td>{name}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}{}</td></tr>",
            esc(about),
            group(*count),
            pct(share(*count, c.tam())),
            value,
            if unvalued > 0 {
                format!(" ({} not valued)", group(unvalued))
            } else {
                String::new()
            }
        );
    }
    out.push_str("</tbody></table>\n");
    match m.and_then(|m| m.acv.as_deref()) {
        Some(rule) => {
            let _ = writeln!(
                out,
                "<p class=\"muted\">Valued as <code>icp size</code> does: {}. {} a formula could not value (a field missing) are counted, not valued.</p>",
                esc(rule),
                w.heading.to_string() + "s"
            );
        }
        None => {
            out.push_str(
                "<p class=\"muted\">No annual contract value is known, so the funnel has counts only: add an <code>[acv]</code> table to the profile or pass <code>--acv 1=50000,2=20000,3=5000</code>.</p>\n",
            );
        }
    }
    out.push_str("</section>\n");
}

fn coverage(out: &mut String, d: &ReportData, w: &Words) {
    open_section(out, "coverage", "Trait coverage and data gaps");
    if d.profile.traits.is_empty() {
        out.push_str("<p>The profile has no traits: every score is 0.</p>\n</section>\n");
        return;
    }
    if let Some(cov) = &d.coverage {
        let groups: Vec<Group> = cov
            .iter()
            .map(|t| {
                let gap = t.is_gap();
                Group {
                    label: format!("{} ({:+})", t.name, t.weight),
                    bars: vec![
                        Bar {
                            value: t.evaluable_share(),
                            text: format!("{} evaluable", pct(t.evaluable_share())),
                            fill: if gap { Fill::Gap } else { Fill::Evaluable },
                            series: "evaluable".into(),
                        },
                        Bar {
                            value: t.fired_share(),
                            text: format!("{} fired", pct(t.fired_share())),
                            fill: Fill::Fired,
                            series: "fired".into(),
                        },
                    ],
                    note: gap.then(|| format!("data gap: {}", t.missing_fields().join(", "))),
                }
            })
            .collect();
        let gaps: Vec<&crate::TraitCoverage> = cov.iter().filter(|t| t.is_gap()).collect();
        let desc = format!(
            "For each trait, the share of {} where it could be evaluated and where it fired. {} of {} traits could be evaluated for fewer than half of them.",
            w.many,
            gaps.len(),
            cov.len()
        );
        let svg = HBars {
            id: "chart-coverage",
            title: "Trait coverage",
            desc: &desc,
            groups: &groups,
            max: Some(1.0),
            reference: Some((0.5, "half")),
            legend: &[
                Legend {
                    label: "evaluable".into(),
                    fill: Fill::Evaluable,
                },
                Legend {
                    label: "evaluable, data gap (<50%)".into(),
                    fill: Fill::Gap,
                },
                Legend {
                    label: "fired".into(),
                    fill: Fill::Fired,
                },
            ],
            empty: "",
        }
        .svg();
        figure(
            out,
            &svg,
            &format!(
                "Evaluable: the trait's fields were present, so it could be decided (unknown is not false: a missing field neither adds nor subtracts). Fired: the trait held. Shares of all {} scored.",
                w.many
            ),
        );
        if gaps.is_empty() {
            let _ = writeln!(
                out,
                "<p>No data gaps: every trait could be evaluated for at least half of the {}.</p>",
                w.many
            );
        } else {
            out.push_str("<div class=\"note\" role=\"note\"><p><b>Data gaps.</b> These traits could be evaluated for fewer than half of the ")
                ;
            out.push_str(w.many);
            out.push_str(": their scores are thin, not low. Fill them from a data source, the CRM or discovery calls.</p><ul>\n");
            for t in &gaps {
                let fields = t.missing_fields();
                let absent = if t.absent.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (the input has no column for {})",
                        t.absent
                            .iter()
                            .map(|f| format!("<code>{}</code>", esc(f)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                let _ = writeln!(
                    out,
                    "<li><b>{}</b> ({:+}): evaluable for {}; a source should provide {}{}.</li>",
                    esc(&t.name),
                    t.weight,
                    pct(t.evaluable_share()),
                    fields
                        .iter()
                        .map(|f| format!("<code>{}</code>", esc(f)))
                        .collect::<Vec<_>>()
                        .join(", "),
                    absent
                );
            }
            out.push_str("</ul></div>\n");
        }
        out.push_str("<table><caption>Traits</caption><thead><tr><th>Trait</th><th class=\"n\">Weight</th><th class=\"n\">Evaluable</th><th class=\"n\">Fired</th><th>Fields (share present)</th></tr></thead><tbody>\n");
        for t in cov {
            let fields: Vec<String> = t
                .fields
                .iter()
                .map(|(f, n)| {
                    if t.absent.contains(f) {
                        format!("<code>{}</code> no column", esc(f))
                    } else {
                        format!("<code>{}</code> {}", esc(f), pct(share(*n, t.rows)))
                    }
                })
                .collect();
            let _ = writeln!(
                out,
                "<tr><td>{}{}</td><td class=\"n\">{:+}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                esc(&t.name),
                if t.is_gap() {
                    " <span class=\"gap\">data gap</span>"
                } else {
                    ""
                },
                t.weight,
                pct(t.evaluable_share()),
                pct(t.fired_share()),
                fields.join(", ")
            );
        }
        out.push_str("</tbody></table>\n");
    } else if let Some(fired) = &d.fired_only {
        let groups: Vec<Group> = fired
            .iter()
            .map(|t| Group {
                label: format!("{} ({:+})", t.name, t.weight),
                bars: vec![Bar {
                    value: share(t.fired, t.rows),
                    text: format!("{} fired", pct(share(t.fired, t.rows))),
                    fill: Fill::Fired,
                    series: "fired".into(),
                }],
                note: None,
            })
            .collect();
        let svg = HBars {
            id: "chart-coverage",
            title: "Traits fired",
            desc: &format!(
                "For each trait, the share of {} where it fired (from the run's stored reasons).",
                w.many
            ),
            groups: &groups,
            max: Some(1.0),
            reference: None,
            legend: &[],
            empty: "",
        }
        .svg();
        figure(
            out,
            &svg,
            "Share of the run's results where each trait fired.",
        );
        let _ = writeln!(
            out,
            "<p class=\"note\">Which traits could be evaluated (data gaps) needs each {}'s fields; the run's stored scores have only score, tier and reasons. Report on the run's output file to see them.</p>",
            w.one
        );
    }
    if let Some(m) = d.mean_coverage {
        let _ = writeln!(
            out,
            "<p>Mean coverage: {} of the trait weight could be evaluated per {}.</p>",
            pct(m),
            w.one
        );
    }
    out.push_str("</section>\n");
}

fn exclusions(out: &mut String, d: &ReportData, w: &Words) {
    open_section(out, "exclusions", "Exclusions by filter");
    let Some(ex) = &d.exclusions else {
        let _ = writeln!(
            out,
            "<p>{} excluded; which filter removed them is not known from the stored scores.</p>\n</section>",
            w.n(d.counts.tiers[3])
        );
        return;
    };
    if d.profile.filters.is_empty() {
        let _ = writeln!(
            out,
            "<p>The profile has no filters: every {} is in the SAM.</p>\n</section>",
            w.one
        );
        return;
    }
    let tam = d.counts.tam();
    let groups: Vec<Group> = ex
        .by_filter
        .iter()
        .map(|(f, n)| Group {
            label: f.clone(),
            bars: vec![Bar {
                value: *n as f64,
                text: format!("{} ({})", group(*n), pct(share(*n, tam))),
                fill: Fill::Excluded,
                series: "removed".into(),
            }],
            note: None,
        })
        .collect();
    let svg = HBars {
        id: "chart-exclusions",
        title: "Exclusions by filter",
        desc: &format!(
            "{} removed in all: {}",
            w.n(d.counts.tiers[3]),
            ex.by_filter
                .iter()
                .map(|(f, n)| format!("{f} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        groups: &groups,
        max: None,
        reference: None,
        legend: &[],
        empty: "",
    }
    .svg();
    figure(
        out,
        &svg,
        &format!(
            "{} removed by each filter (the first filter that failed counts).",
            w.heading.to_string() + "s"
        ),
    );
    let _ = writeln!(
        out,
        "<table><caption>Filters</caption><thead><tr><th>Filter</th><th class=\"n\">Removed</th><th class=\"n\">Kept without data</th></tr></thead><tbody>"
    );
    for (f, n) in &ex.by_filter {
        let unknown = ex
            .unknown
            .iter()
            .find(|(u, _)| u == f)
            .map_or(0, |(_, k)| *k);
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(f),
            group(*n),
            group(unknown)
        );
    }
    out.push_str("</tbody></table>\n");
    if !ex.unknown.is_empty() {
        let _ = writeln!(
            out,
            "<p>\"Kept without data\": the filter could not be evaluated (its field was missing), so the {} stayed in the SAM; set <code>on_missing = \"exclude\"</code> on the filter to remove such {} instead.</p>",
            w.one, w.many
        );
    }
    out.push_str("</section>\n");
}

fn top(out: &mut String, d: &ReportData, w: &Words) {
    let heading = if d.top.is_empty() {
        format!("Top {}", w.many)
    } else {
        format!("Top {} {}", d.top.len(), w.many)
    };
    open_section(out, "top", &heading);
    if d.top.is_empty() {
        let _ = writeln!(out, "<p>No {} passed the filters.</p>\n</section>", w.many);
        return;
    }
    let detailed = d.top.iter().any(|a| a.fit.is_some());
    let named = d.top.iter().any(|a| a.name.is_some());
    let _ = writeln!(
        out,
        "<p>The {} highest scores of the {} in the SAM, with the traits that fired (strongest first).</p>\n<table class=\"top\"><thead><tr><th class=\"n\">#</th>{}<th>{}</th><th class=\"n\">Score</th>{}<th class=\"n\">Tier</th>{}<th>Reasons</th></tr></thead><tbody>",
        d.top.len(),
        w.n(d.counts.sam()),
        if named {
            format!("<th>{}</th>", w.heading)
        } else {
            String::new()
        },
        w.key,
        if detailed {
            "<th class=\"n\">Fit</th><th class=\"n\">Intent</th>"
        } else {
            ""
        },
        if detailed {
            "<th class=\"n\">Coverage</th>"
        } else {
            ""
        },
    );
    for (i, a) in d.top.iter().enumerate() {
        let _ = write!(out, "<tr><td class=\"n\">{}</td>", i + 1);
        if named {
            let _ = write!(out, "<td>{}</td>", esc(a.name.as_deref().unwrap_or("")));
        }
        let _ = write!(
            out,
            "<td class=\"key\">{}</td><td class=\"n\">{}</td>",
            esc(&a.key),
            a.score
        );
        if detailed {
            let _ = write!(
                out,
                "<td class=\"n\">{}</td><td class=\"n\">{}</td>",
                a.fit.map_or(String::new(), |x| x.to_string()),
                a.intent.map_or(String::new(), |x| x.to_string())
            );
        }
        let _ = write!(out, "<td class=\"n\">{}</td>", esc(&a.tier));
        if detailed {
            let _ = write!(
                out,
                "<td class=\"n\">{}</td>",
                a.coverage.map_or(String::new(), pct)
            );
        }
        let _ = writeln!(out, "<td class=\"reasons\">{}</td></tr>", esc(&a.reasons));
    }
    out.push_str("</tbody></table>\n</section>\n");
}

fn community(out: &mut String, c: &Community) {
    open_section(out, "community", "Community health");
    let fit_share = share(c.fit, c.members);
    let [fit, rest] = &c.groups;
    let _ = writeln!(
        out,
        "<div class=\"figures\">\
         <div class=\"figure\"><b>{}</b><span>members scored</span></div>\
         <div class=\"figure\"><b>{}</b><span>ICMP fit (tier 1-2): {}</span></div>\
         <div class=\"figure\"><b>{}</b><span>of ICMP-fit members active in the last {} days</span></div>\
         <div class=\"figure\"><b>{}</b><span>of the others active in the last {} days</span></div>\
         </div>",
        group(c.members),
        pct(fit_share),
        group(c.fit),
        pct(share(fit.active, fit.members)),
        c.active_days,
        pct(share(rest.active, rest.members)),
        c.active_days,
    );
    // Engagement: each measure scaled to the larger of the two groups.
    out.push_str("<h3>Engagement: ICMP fit vs the others</h3>\n");
    let mut groups: Vec<Group> = Vec::new();
    for (k, m) in ENGAGEMENT_MEASURES.iter().enumerate() {
        let (a, b) = (fit.means[k], rest.means[k]);
        if a.is_none() && b.is_none() {
            continue;
        }
        let top = a
            .unwrap_or(0.0)
            .max(b.unwrap_or(0.0))
            .max(f64::MIN_POSITIVE);
        let bar = |v: Option<f64>, fill: Fill, series: &str| Bar {
            value: v.unwrap_or(0.0) / top,
            text: v.map_or("no data".into(), |x| format!("{} ({series})", decimal(x))),
            fill,
            series: series.to_string(),
        };
        groups.push(Group {
            label: format!("mean {}", m.replace('_', " ")),
            bars: vec![bar(a, Fill::Tier1, "fit"), bar(b, Fill::Tier2, "others")],
            note: None,
        });
    }
    let active = |g: &crate::Engagement| share(g.active, g.members);
    groups.push(Group {
        label: format!("active in the last {} days", c.active_days),
        bars: vec![
            Bar {
                value: active(fit),
                text: format!("{} (fit)", pct(active(fit))),
                fill: Fill::Tier1,
                series: "fit".into(),
            },
            Bar {
                value: active(rest),
                text: format!("{} (others)", pct(active(rest))),
                fill: Fill::Tier2,
                series: "others".into(),
            },
        ],
        note: None,
    });
    let svg = HBars {
        id: "chart-engagement",
        title: "Engagement of ICMP-fit members and the others",
        desc: &format!(
            "{} ICMP-fit members and {} others: mean posts, replies, events attended and contributions, and the share active in the last {} days.",
            fit.members, rest.members, c.active_days
        ),
        groups: &groups,
        max: Some(1.0),
        reference: None,
        legend: &[
            Legend {
                label: "ICMP fit (tier 1-2)".into(),
                fill: Fill::Tier1,
            },
            Legend {
                label: "others".into(),
                fill: Fill::Tier2,
            },
        ],
        empty: "",
    }
    .svg();
    figure(
        out,
        &svg,
        "Each measure's bars are scaled to the larger of the two groups; the numbers are the means (or the share active).",
    );
    out.push_str("<table><caption>Engagement (means per member)</caption><thead><tr><th>Group</th><th class=\"n\">Members</th>");
    for m in ["Posts", "Replies", "Events", "Contributions"] {
        let _ = write!(out, "<th class=\"n\">{m}</th>");
    }
    let _ = writeln!(
        out,
        "<th class=\"n\">Active ≤ {} days</th><th class=\"n\">Median days idle</th></tr></thead><tbody>",
        c.active_days
    );
    for g in &c.groups {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td>",
            esc(&g.label),
            group(g.members)
        );
        for m in g.means {
            let _ = write!(
                out,
                "<td class=\"n\">{}</td>",
                m.map_or("–".into(), decimal)
            );
        }
        let _ = writeln!(
            out,
            "<td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            pct(share(g.active, g.members)),
            g.median_days_since_active.map_or("–".into(), group_i)
        );
    }
    out.push_str("</tbody></table>\n");

    let _ = writeln!(out, "<h3>Retention by join {}</h3>", esc(&c.grain));
    if c.cohorts.iter().all(|r| r.label == "unknown") {
        out.push_str("<p>No member has a join date (<code>join_date</code>), so there are no cohorts.</p>\n</section>\n");
        return;
    }
    let cohort_groups: Vec<Group> = c
        .cohorts
        .iter()
        .map(|r| Group {
            label: r.label.clone(),
            bars: vec![
                Bar {
                    value: share(r.active, r.members),
                    text: pct(share(r.active, r.members)),
                    fill: Fill::Tier2,
                    series: "all members active".into(),
                },
                Bar {
                    value: share(r.fit_active, r.fit),
                    text: if r.fit > 0 {
                        pct(share(r.fit_active, r.fit))
                    } else {
                        String::new()
                    },
                    fill: Fill::Tier1,
                    series: "ICMP-fit members active".into(),
                },
            ],
            note: None,
        })
        .collect();
    let svg = Columns {
        id: "chart-retention",
        title: &format!("Retention by join {}", c.grain),
        desc: &format!(
            "For each join {}, the share of its members active in the last {} days, all members and ICMP-fit members.",
            c.grain, c.active_days
        ),
        groups: &cohort_groups,
        max: Some(1.0),
        y_tick: pct,
        x_title: &format!("join {}", c.grain),
        y_title: "active",
        markers: &[],
        legend: &[
            Legend {
                label: "all members".into(),
                fill: Fill::Tier2,
            },
            Legend {
                label: "ICMP fit".into(),
                fill: Fill::Tier1,
            },
        ],
        empty: "",
    }
    .svg();
    figure(
        out,
        &svg,
        &format!(
            "Share of each join cohort still active (last active within {} days of the as-of date). Falling bars for older cohorts are normal; falling bars for ICMP-fit members are the warning sign.",
            c.active_days
        ),
    );
    let growth: Vec<Group> = c
        .cohorts
        .iter()
        .filter(|r| r.label != "unknown")
        .map(|r| Group {
            label: r.label.clone(),
            bars: vec![Bar {
                value: share(r.fit, r.members),
                text: pct(share(r.fit, r.members)),
                fill: Fill::Tier1,
                series: "ICMP fit".into(),
            }],
            note: None,
        })
        .collect();
    let svg = Columns {
        id: "chart-growth",
        title: &format!("ICMP-fit share of each join {}", c.grain),
        desc: "Whether the community grows with people who fit the ICMP: the share of each cohort's members in tier 1 or 2.",
        groups: &growth,
        max: Some(1.0),
        y_tick: pct,
        x_title: &format!("join {}", c.grain),
        y_title: "ICMP fit",
        markers: &[],
        legend: &[],
        empty: "",
    }
    .svg();
    figure(
        out,
        &svg,
        "Is the community growing with people who fit? The share of each cohort's members who are ICMP fit (tier 1-2).",
    );
    let _ = writeln!(
        out,
        "<table><caption>Join cohorts</caption><thead><tr><th>Joined</th><th class=\"n\">Members</th><th class=\"n\">ICMP fit</th><th class=\"n\">Active (all)</th><th class=\"n\">Active (ICMP fit)</th></tr></thead><tbody>"
    );
    for r in &c.cohorts {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{} ({})</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&r.label),
            group(r.members),
            group(r.fit),
            pct(share(r.fit, r.members)),
            pct(share(r.active, r.members)),
            if r.fit > 0 {
                pct(share(r.fit_active, r.fit))
            } else {
                "–".into()
            }
        );
    }
    out.push_str("</tbody></table>\n</section>\n");
}

fn footer(out: &mut String, d: &ReportData, w: &Words) {
    let _ = writeln!(
        out,
        "<footer><p><b>Reading this report.</b> TAM: every {one} in the list; SAM: those passing the profile's filters; SOM: tier 1, {som}. A trait over a missing field is unknown, neither true nor false: it neither adds nor subtracts, and lowers the {one}'s coverage (the share of trait weight that could be evaluated). Low coverage means thin data, not a poor fit.</p>\
         <p>Made by {} from profile <code>{}</code> as of {}. Self-contained: no scripts, fonts or network requests.</p></footer>",
        esc(&d.input.generated_by),
        esc(&d.profile.name),
        esc(&d.input.as_of),
        one = w.one,
        som = if d.profile.members {
            "the members best placed to become champions"
        } else {
            "what can be won now"
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        CohortRow, Counts, Engagement, Exclusions, InputInfo, ProfileInfo, TopAccount,
        TraitCoverage, TraitInfo,
    };
    use std::collections::BTreeMap;

    fn data(tiers: [u64; 4], scores: &[(i32, u64)]) -> ReportData {
        ReportData {
            profile: ProfileInfo {
                name: "genai".into(),
                description: Some("A <b>bold</b> profile".into()),
                members: false,
                tier1: 8.0,
                tier2: 4.0,
                score_bounds: (-3, 11),
                filters: vec!["100+ employees".into()],
                traits: vec![TraitInfo {
                    name: "Big".into(),
                    weight: 5,
                    intent: false,
                }],
            },
            input: InputInfo {
                file: Some("accounts.csv".into()),
                as_of: "2026-11-20".into(),
                rows_read: tiers.iter().sum(),
                generated_by: "icp test".into(),
                ..Default::default()
            },
            counts: Counts {
                tiers,
                sam_scores: scores.iter().copied().collect(),
            },
            top_limit: 25,
            ..Default::default()
        }
    }

    /// The `<svg class="chart" ...>...</svg>` elements of a page.
    fn charts(html: &str) -> Vec<&str> {
        html.match_indices("<svg class=\"chart\"")
            .map(|(i, _)| &html[i..i + html[i..].find("</svg>").unwrap() + 6])
            .collect()
    }

    fn drawn(svg: &str) -> usize {
        crate::chart::tests::drawn_rects(svg)
            .iter()
            .filter(|r| r.2 > 0.0 && r.3 > 0.0)
            .count()
    }

    #[test]
    fn a_page_is_self_contained_and_structured() {
        let html = render(&data([1, 2, 3, 4], &[(9, 1), (5, 2), (0, 3)]));
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains(&format!("content=\"{CSP}\"")));
        for banned in [
            "<script",
            "<link",
            "src=",
            "@import",
            "url(http",
            "href=\"http",
        ] {
            assert!(!html.contains(banned), "{banned} in the page");
        }
        assert!(
            html.match_indices("url(")
                .all(|(i, _)| html[i + 4..].starts_with('#')),
            "only url(#pattern) references"
        );
        for id in [
            "tiers",
            "distribution",
            "funnel",
            "coverage",
            "exclusions",
            "top",
        ] {
            assert!(
                html.contains(&format!("<section class=\"major\" id=\"{id}\"")),
                "{id}"
            );
        }
        assert!(html.contains("@media print"));
        assert!(html.contains("section.major { break-before: page; }"));
        let ids: Vec<&str> = charts(&html)
            .iter()
            .map(|s| {
                let i = s.find(" id=\"").unwrap() + 5;
                &s[i..i + s[i..].find('"').unwrap()]
            })
            .collect();
        assert_eq!(ids, ["chart-tiers", "chart-scores", "chart-funnel"]);
        for svg in charts(&html) {
            assert!(svg.contains("<title id="), "{svg}");
            assert!(svg.contains("<desc id="), "{svg}");
            assert!(drawn(svg) > 0, "{svg}");
        }
        assert!(html.contains("<p class=\"lead\">A &lt;b&gt;bold&lt;/b&gt; profile</p>"));
        // Tier counts in the table fallback.
        assert!(html.contains("<td>Tier 2</td><td>score 4 to below 8</td><td class=\"n\">2</td><td class=\"n\">20%</td>"));
    }

    #[test]
    fn zero_rows_render_every_section_without_bars() {
        let mut d = data([0, 0, 0, 0], &[]);
        d.coverage = Some(vec![TraitCoverage {
            name: "Big".into(),
            weight: 5,
            rows: 0,
            ..Default::default()
        }]);
        d.exclusions = Some(Exclusions {
            by_filter: vec![("100+ employees".into(), 0)],
            unknown: vec![],
        });
        let html = render(&d);
        assert!(!html.contains("NaN") && !html.contains("inf"), "{html}");
        assert!(html.contains("no accounts passed the filters"));
        assert!(html.contains("No accounts passed the filters."));
        assert_eq!(charts(&html).len(), 5);
        assert!(charts(&html).iter().all(|s| drawn(s) == 0));
    }

    #[test]
    fn one_tier_only_and_all_scores_equal() {
        let d = data([0, 0, 7, 0], &[(2, 7)]);
        let html = render(&d);
        let scores = charts(&html)[1];
        assert_eq!(drawn(scores), 1, "one column: {scores}");
        assert!(scores.contains("tier 1 ≥ 8") && scores.contains("tier 2 ≥ 4"));
        let tiers = charts(&html)[0];
        assert_eq!(drawn(tiers), 1);
        assert!(tiers.contains(">7 (100%)</text>"));
    }

    #[test]
    fn huge_counts_and_wide_score_ranges_are_binned() {
        let mut d = data([u64::MAX / 8, 0, 1, 0], &[(-1000, 1), (1000, u64::MAX / 8)]);
        d.profile.score_bounds = (-1000, 1000);
        let (bins, width) = bins(&d);
        assert_eq!(width, 34);
        assert!(bins.len() <= 60);
        assert_eq!(bins.first().unwrap().lo, -1000);
        assert_eq!(bins.last().unwrap().hi, 1000);
        assert_eq!(bins.iter().map(|b| b.count).sum::<u64>(), u64::MAX / 8 + 1);
        let html = render(&d);
        assert!(html.contains("bins of 34 points"));
        assert!(html.contains("2,305,843,009,213,693,951"));
        assert!(!html.contains("NaN"));
    }

    #[test]
    fn extreme_scores_do_not_overflow() {
        let mut d = data([1, 0, 1, 0], &[(i32::MIN, 1), (i32::MAX, 1)]);
        d.profile.score_bounds = (0, 0);
        let (bins, _) = bins(&d);
        assert!(bins.len() <= 60);
        assert_eq!(bins.iter().map(|b| b.count).sum::<u64>(), 2);
        let _ = render(&d);
    }

    #[test]
    fn data_from_the_file_is_escaped_everywhere() {
        let evil = "<script>alert('x')</script>\"&";
        let mut d = data([1, 0, 0, 0], &[(9, 1)]);
        d.profile.name = evil.into();
        d.profile.filters = vec![evil.into()];
        d.input.file = Some(evil.into());
        d.input.skipped = vec![(3, evil.into())];
        d.input.rows_skipped = 1;
        d.notes = vec![format!("a note with `{evil}`")];
        d.top = vec![TopAccount {
            name: Some(evil.into()),
            key: evil.into(),
            score: 9,
            tier: "1".into(),
            reasons: format!("{evil} (+5)"),
            ..Default::default()
        }];
        d.coverage = Some(vec![TraitCoverage {
            name: evil.into(),
            weight: 5,
            rows: 2,
            evaluable: 0,
            fields: vec![(evil.into(), 0)],
            absent: vec![evil.into()],
            ..Default::default()
        }]);
        d.exclusions = Some(Exclusions {
            by_filter: vec![(evil.into(), 1)],
            unknown: vec![(evil.into(), 1)],
        });
        let html = render(&d);
        assert!(!html.contains("<script"), "unescaped markup");
        assert!(!html.contains("alert('x')"), "unescaped quote");
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;"));
    }

    #[test]
    fn data_gaps_name_the_fields_to_provide() {
        let mut d = data([2, 0, 0, 0], &[(9, 2)]);
        d.coverage = Some(vec![
            TraitCoverage {
                name: "Manual workflows".into(),
                weight: 5,
                evaluable: 0,
                fired: 0,
                rows: 4,
                fields: vec![("workflow_automation".into(), 0)],
                absent: vec!["workflow_automation".into()],
            },
            TraitCoverage {
                name: "Big".into(),
                weight: 3,
                evaluable: 4,
                fired: 2,
                rows: 4,
                fields: vec![("employees".into(), 4)],
                absent: vec![],
            },
        ]);
        let html = render(&d);
        assert!(html.contains("<li><b>Manual workflows</b> (+5): evaluable for 0%; a source should provide <code>workflow_automation</code> (the input has no column for <code>workflow_automation</code>).</li>"), "{html}");
        assert!(html.contains("data gap: workflow_automation"));
        assert!(!html.contains("<b>Big</b>"));
        let cov = charts(&html)[3];
        assert!(cov.contains("id=\"chart-coverage\""));
        assert!(cov.contains("url(#chart-coverage-gap)"));
        assert!(cov.contains("class=\"reference\""));
    }

    #[test]
    fn member_reports_show_community_health() {
        let mut d = data([1, 1, 1, 1], &[(12, 1), (7, 1), (1, 1)]);
        d.profile.members = true;
        d.community = Some(Community {
            members: 4,
            fit: 2,
            active_days: 30,
            groups: [
                Engagement {
                    label: "ICMP fit (tier 1-2)".into(),
                    members: 2,
                    means: [Some(8.0), Some(27.5), Some(5.0), Some(2.0)],
                    last_active_known: 2,
                    active: 2,
                    median_days_since_active: Some(3),
                },
                Engagement {
                    label: "others (tier 3, excluded)".into(),
                    members: 2,
                    means: [Some(14.0), Some(0.0), None, None],
                    last_active_known: 2,
                    active: 1,
                    median_days_since_active: Some(200),
                },
            ],
            cohorts: vec![
                CohortRow {
                    label: "2025-Q1".into(),
                    members: 2,
                    fit: 2,
                    active: 2,
                    fit_active: 2,
                },
                CohortRow {
                    label: "2026-Q2".into(),
                    members: 2,
                    fit: 0,
                    active: 1,
                    fit_active: 0,
                },
            ],
            grain: "quarter".into(),
            missing_columns: vec![],
        });
        d.top = vec![TopAccount {
            name: Some("ada".into()),
            key: "ada@example.org".into(),
            score: 12,
            tier: "1".into(),
            ..Default::default()
        }];
        let html = render(&d);
        assert!(html.contains("<title>ICMP report: genai</title>"));
        assert!(html.contains("<section class=\"major\" id=\"community\""));
        assert!(html.contains("<th>Member</th>") && html.contains("E-mail or handle"));
        let ids: Vec<&str> = charts(&html)
            .iter()
            .filter(|s| {
                s.contains("chart-engagement")
                    || s.contains("chart-retention")
                    || s.contains("chart-growth")
            })
            .copied()
            .collect();
        assert_eq!(ids.len(), 3);
        for svg in ids {
            assert!(drawn(svg) > 0, "{svg}");
        }
        assert!(html.contains("<td>2025-Q1</td><td class=\"n\">2</td><td class=\"n\">2 (100%)</td><td class=\"n\">100%</td><td class=\"n\">100%</td>"));
        assert!(html.contains("<td class=\"n\">27.5</td>"));
    }

    #[test]
    fn funnel_shows_value_when_known() {
        let mut d = data([2, 3, 10, 100], &[(9, 2), (5, 3), (0, 10)]);
        let table = icp_analytics::size::AcvTable::parse("1=50000,2=20000,3=5000").unwrap();
        let acv = icp_analytics::size::Acv::PerTier(table);
        let mut sizer = icp_analytics::size::Sizer::new(Some(&acv));
        for (t, n) in icp_core::Tier::ALL.into_iter().zip(d.counts.tiers) {
            for _ in 0..n {
                sizer.add(t, table.for_tier(t));
            }
        }
        d.market = Some(sizer.finish());
        let html = render(&d);
        assert!(html.contains("$100k per year"));
        assert!(html.contains("<td>SOM</td><td>tier 1: winnable now</td><td class=\"n\">2</td><td class=\"n\">2%</td><td class=\"n\">$100k</td>"), "{html}");
        let d = data([2, 3, 10, 100], &[]);
        assert!(render(&d).contains("No annual contract value is known"));
        let _ = BTreeMap::<i32, u64>::new();
    }
}
