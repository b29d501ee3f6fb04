//! The optional analytics sections: what `icp learn`, `icp segment` and
//! `icp cohorts` wrote with `--json`.

use std::fmt::Write as _;

use icp_analytics::cohorts::{CohortReport, Nps};
use icp_analytics::learn::{LearnReport, RankMetrics};
use icp_analytics::segment::SegmentReport;

use crate::Analytics;
use crate::chart::{Bar, Columns, Fill, Group, HBars, Legend};
use crate::html::{decimal, esc, figure, group, open_section, pct};

/// Section links for the table of contents.
pub(crate) fn links(a: &Analytics) -> Vec<(&'static str, &'static str)> {
    let mut v = Vec::new();
    if a.learn.is_some() {
        v.push(("learn", "Learn"));
    }
    if a.segments.is_some() {
        v.push(("segments", "Segments"));
    }
    if a.cohorts.is_some() {
        v.push(("cohorts", "Cohorts"));
    }
    v
}

pub(crate) fn analytics(out: &mut String, a: &Analytics) {
    if let Some(l) = &a.learn {
        learn(out, l);
    }
    if let Some(s) = &a.segments {
        segments(out, s);
    }
    if let Some(c) = &a.cohorts {
        cohorts(out, c);
    }
}

fn finite(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}

/// `2.3×`.
fn times(x: f64) -> String {
    if x.is_finite() {
        format!("{:.1}×", x)
    } else {
        "–".into()
    }
}

fn source_line(out: &mut String, command: &str, input: Option<&str>) {
    let _ = writeln!(
        out,
        "<p class=\"muted\">From <code>{}</code>{}.</p>",
        esc(command),
        input.map_or(String::new(), |i| format!(
            " on <span class=\"key\">{}</span>",
            esc(i)
        ))
    );
}

fn learn(out: &mut String, r: &LearnReport) {
    open_section(out, "learn", "What predicts a good customer");
    source_line(out, "icp learn --json", r.input.as_deref());
    let o = &r.outcome;
    let _ = writeln!(
        out,
        "<p>Outcome <b>{}</b> ({}): {} of {} rows have one, {} good: a base rate of {}. Traits were measured on {} training rows and checked on {} held out.</p>",
        esc(&o.column),
        esc(&o.rule),
        group(o.with_outcome as u64),
        group(o.rows as u64),
        group(o.good as u64),
        pct(finite(o.base_rate)),
        group(r.split.train_rows as u64),
        group(r.split.holdout_rows as u64),
    );
    if !r.verdict.is_empty() {
        let _ = writeln!(
            out,
            "<div class=\"note\" role=\"note\"><p>{}</p></div>",
            esc(&r.verdict)
        );
    }
    if r.traits.is_empty() {
        out.push_str("<p>No trait showed a lift strong enough to propose.</p>\n");
    } else {
        let max = r.traits.iter().map(|t| finite(t.lift)).fold(1.5, f64::max);
        let groups: Vec<Group> = r
            .traits
            .iter()
            .map(|t| Group {
                label: format!("{} ({:+})", t.name, t.weight),
                bars: vec![Bar {
                    value: finite(t.lift),
                    text: format!(
                        "{} ({}–{})",
                        times(t.lift),
                        decimal(finite(t.lift_lo)),
                        decimal(finite(t.lift_hi))
                    ),
                    fill: if t.weight < 0 {
                        Fill::Excluded
                    } else {
                        Fill::Tier1
                    },
                    series: "lift".into(),
                }],
                note: None,
            })
            .collect();
        let svg = HBars {
            id: "chart-learn",
            title: "Lift of the proposed traits",
            desc: &format!(
                "Good-outcome rate among rows with each trait, over the base rate of {}; 1.0 is no lift.",
                pct(finite(o.base_rate))
            ),
            groups: &groups,
            max: Some(max),
            reference: Some((1.0, "no lift")),
            legend: &[
                Legend {
                    label: "raises the score".into(),
                    fill: Fill::Tier1,
                },
                Legend {
                    label: "lowers the score".into(),
                    fill: Fill::Excluded,
                },
            ],
            empty: "",
        }
        .svg();
        figure(
            out,
            &svg,
            "Lift: how many times the base rate of good outcomes a trait's rows have (95% interval in brackets). The dashed line is no lift.",
        );
        out.push_str("<table><caption>Proposed traits</caption><thead><tr><th>Trait</th><th>Condition</th><th class=\"n\">Weight</th><th class=\"n\">Rows</th><th class=\"n\">Good rate</th><th class=\"n\">Lift</th><th>Why</th></tr></thead><tbody>\n");
        for t in &r.traits {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td><code>{}</code></td><td class=\"n\">{:+}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{} ({}–{})</td><td>{}</td></tr>",
                esc(&t.name),
                esc(&t.when),
                t.weight,
                group(t.support as u64),
                pct(finite(t.good_rate)),
                times(t.lift),
                decimal(finite(t.lift_lo)),
                decimal(finite(t.lift_hi)),
                esc(&t.why)
            );
        }
        out.push_str("</tbody></table>\n");
    }
    if !r.filters.is_empty() {
        out.push_str("<table><caption>Proposed filters</caption><thead><tr><th>Filter</th><th>Condition</th><th>Leaves out</th><th class=\"n\">Rows left out</th><th class=\"n\">Good among them</th><th>Why</th></tr></thead><tbody>\n");
        for f in &r.filters {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{} (expected {})</td><td>{}</td></tr>",
                esc(&f.name),
                esc(&f.when),
                esc(&f.values.join(", ")),
                group(f.excluded as u64),
                group(f.excluded_good as u64),
                decimal(finite(f.expected_good)),
                esc(&f.why)
            );
        }
        out.push_str("</tbody></table>\n");
    }
    let metrics: Vec<(&str, &RankMetrics)> = [
        ("held out", r.metrics.holdout.as_ref()),
        ("training (optimistic)", r.metrics.train.as_ref()),
    ]
    .into_iter()
    .filter_map(|(n, m)| m.map(|m| (n, m)))
    .collect();
    if !metrics.is_empty() {
        out.push_str("<table><caption>How well the profile ranks customers</caption><thead><tr><th>Rows</th><th class=\"n\">Count</th><th class=\"n\">Good</th><th class=\"n\">AUC, profile</th><th class=\"n\">AUC, model</th><th class=\"n\">Top-10% lift, profile</th><th class=\"n\">Top-10% lift, model</th></tr></thead><tbody>\n");
        for (name, m) in metrics {
            let auc = |x: &icp_analytics::learn::Ranking| {
                format!(
                    "{:.2} ({:.2}–{:.2})",
                    finite(x.auc),
                    finite(x.auc_lo),
                    finite(x.auc_hi)
                )
            };
            let _ = writeln!(
                out,
                "<tr><td>{name}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                group(m.rows as u64),
                group(m.good as u64),
                auc(&m.profile),
                m.model.as_ref().map_or("–".into(), auc),
                times(m.profile.top_decile_lift),
                m.model
                    .as_ref()
                    .map_or("–".into(), |x| times(x.top_decile_lift))
            );
        }
        out.push_str("</tbody></table>\n<p class=\"muted\">AUC: the chance a good customer ranks above a poor one (0.5 is a coin toss). The model is a logistic regression over the same candidates, as a yardstick.</p>\n");
    }
    warnings(out, &r.warnings);
    out.push_str("</section>\n");
}

fn warnings(out: &mut String, items: &[String]) {
    if items.is_empty() {
        return;
    }
    out.push_str("<div class=\"note\" role=\"note\"><ul>\n");
    for w in items {
        let _ = writeln!(out, "<li>{}</li>", esc(w));
    }
    out.push_str("</ul></div>\n");
}

fn segments(out: &mut String, r: &SegmentReport) {
    open_section(out, "segments", "Segments and beachheads");
    source_line(out, "icp segment --json", r.input.as_deref());
    let _ = writeln!(
        out,
        "<p>{} rows. Number of segments: {}</p>",
        group(r.rows as u64),
        esc(&r.k_choice.explanation)
    );
    if let Some(o) = &r.outcome {
        let _ = writeln!(
            out,
            "<p>Outcome <b>{}</b> ({}): {} good of {} known, an overall rate of {}. A beachhead is a segment whose rate is credibly above it.</p>",
            esc(&o.column),
            esc(&o.rule),
            group(o.positives as u64),
            group(o.known as u64),
            pct(finite(o.rate))
        );
    }
    let with_outcome = r.segments.iter().any(|s| s.outcome.is_some());
    let groups: Vec<Group> = r
        .segments
        .iter()
        .map(|s| {
            let mut bars = vec![Bar {
                value: finite(s.share),
                text: format!(
                    "{} of rows ({})",
                    pct(finite(s.share)),
                    group(s.size as u64)
                ),
                fill: Fill::Tier2,
                series: "share of rows".into(),
            }];
            if let Some(o) = &s.outcome {
                bars.push(Bar {
                    value: finite(o.rate),
                    text: format!("{} good", pct(finite(o.rate))),
                    fill: Fill::Tier1,
                    series: "good-outcome rate".into(),
                });
            }
            Group {
                label: format!("#{} segment {}", s.rank, s.id),
                bars,
                note: s.beachhead.then(|| "beachhead".to_string()),
            }
        })
        .collect();
    let mut legend = vec![Legend {
        label: "share of rows".into(),
        fill: Fill::Tier2,
    }];
    if with_outcome {
        legend.push(Legend {
            label: "good-outcome rate".into(),
            fill: Fill::Tier1,
        });
    }
    let overall = r.outcome.as_ref().map(|o| finite(o.rate));
    let svg = HBars {
        id: "chart-segments",
        title: "Segments",
        desc: &format!(
            "{} segments ranked best first, with each one's share of the rows{}.",
            r.segments.len(),
            if with_outcome {
                " and its rate of good outcomes"
            } else {
                ""
            }
        ),
        groups: &groups,
        max: Some(1.0),
        reference: overall.map(|o| (o, "overall rate")),
        legend: &legend,
        empty: "no segments",
    }
    .svg();
    figure(
        out,
        &svg,
        "Segments in rank order (beachheads first). The portrait of each is in the table.",
    );
    let scored = r.segments.iter().any(|s| s.score.is_some());
    let _ = writeln!(
        out,
        "<table><caption>Segments</caption><thead><tr><th class=\"n\">Rank</th><th class=\"n\">Segment</th><th class=\"n\">Rows</th><th>Portrait</th>{}{}</tr></thead><tbody>",
        if with_outcome {
            "<th class=\"n\">Good rate (lift)</th>"
        } else {
            ""
        },
        if scored {
            "<th class=\"n\">Tier 1</th>"
        } else {
            ""
        }
    );
    for s in &r.segments {
        let _ = write!(
            out,
            "<tr><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{} ({})</td><td>{}{}</td>",
            s.rank,
            s.id,
            group(s.size as u64),
            pct(finite(s.share)),
            if s.beachhead {
                "<b>Beachhead.</b> "
            } else {
                ""
            },
            esc(&s.headline)
        );
        if with_outcome {
            let _ = write!(
                out,
                "<td class=\"n\">{}</td>",
                s.outcome.as_ref().map_or("–".into(), |o| format!(
                    "{} ({})",
                    pct(finite(o.rate)),
                    times(o.lift)
                ))
            );
        }
        if scored {
            let _ = write!(
                out,
                "<td class=\"n\">{}</td>",
                s.score
                    .as_ref()
                    .map_or("–".into(), |x| pct(finite(x.tier1_share)))
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n</section>\n");
}

fn nps_text(n: Option<&Nps>) -> String {
    n.map_or("–".into(), |n| {
        format!(
            "{:+.0} ({} answers)",
            finite(n.score),
            group(n.responses as u64)
        )
    })
}

fn cohorts(out: &mut String, r: &CohortReport) {
    open_section(out, "cohorts", "Signup cohorts and product-market fit");
    source_line(out, "icp cohorts --json", r.input.as_deref());
    let _ = writeln!(
        out,
        "<p>{} customers by <b>{}</b>, one cohort per {}, as of {}. Goal: {}.</p>",
        group(r.rows as u64),
        esc(&r.signup_column),
        esc(&r.period),
        esc(&r.as_of),
        r.goal
            .as_ref()
            .map_or("none given".into(), |g| esc(&g.rule))
    );
    let fill = |status: &str| match status {
        "complete" => Fill::Tier1,
        "partial" => Fill::Tier2,
        _ => Fill::Tier3,
    };
    let groups: Vec<Group> = r
        .cohorts
        .iter()
        .map(|c| Group {
            label: c.cohort.clone(),
            bars: vec![Bar {
                value: c.share.map_or(0.0, finite),
                text: c.share.map_or(String::new(), |s| pct(finite(s))),
                fill: fill(&c.status),
                series: format!("reached the goal ({})", c.status),
            }],
            note: None,
        })
        .collect();
    let svg = Columns {
        id: "chart-cohorts",
        title: "Share of each signup cohort reaching the goal",
        desc: &format!(
            "{} cohorts; all dated customers together: {}.",
            r.cohorts.len(),
            r.total.share.map_or("no share".into(), |s| pct(finite(s)))
        ),
        groups: &groups,
        max: Some(1.0),
        y_tick: pct,
        x_title: &format!("signup {}", r.period),
        y_title: "reached the goal",
        markers: &[],
        legend: &[
            Legend {
                label: "complete".into(),
                fill: Fill::Tier1,
            },
            Legend {
                label: "partial (some still inside the window)".into(),
                fill: Fill::Tier2,
            },
        ],
        empty: "no cohorts",
    }
    .svg();
    figure(
        out,
        &svg,
        "Each cohort's share of customers that reached the retention goal; only new customers of each cohort count, never cumulative.",
    );
    out.push_str("<table><caption>Cohorts</caption><thead><tr><th>Cohort</th><th class=\"n\">Customers</th><th class=\"n\">Reached</th><th class=\"n\">Not</th><th class=\"n\">Pending</th><th class=\"n\">Share</th><th>Status</th></tr></thead><tbody>\n");
    for c in r.cohorts.iter().chain(std::iter::once(&r.total)) {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            esc(&c.cohort),
            group(c.customers as u64),
            group(c.reached as u64),
            group(c.not_reached as u64),
            group(c.pending as u64),
            c.share.map_or("–".into(), |s| pct(finite(s))),
            esc(&c.status)
        );
    }
    out.push_str("</tbody></table>\n");
    if r.undated.count > 0 {
        let _ = writeln!(
            out,
            "<p class=\"muted\">{} rows have no signup date and are in no cohort.</p>",
            group(r.undated.count as u64)
        );
    }
    out.push_str("<h3>Product-market fit</h3>\n<ul>\n");
    match &r.referral {
        Some(f) => {
            let _ = writeln!(
                out,
                "<li>Referral share: <b>{}</b> of the {} customers with a known source came by referral ({}). About {} or more suggests product-market fit within a segment: {}.</li>",
                pct(finite(f.share)),
                group(f.with_source as u64),
                group(f.referred as u64),
                pct(finite(f.threshold)),
                if f.flag {
                    "<b>reached</b>"
                } else {
                    "not reached"
                }
            );
        }
        None => out.push_str("<li>Referral share: no source column.</li>\n"),
    }
    match &r.nps {
        Some(n) => {
            let _ = writeln!(
                out,
                "<li>NPS: all {}; referred customers {}; the others {}.</li>",
                nps_text(n.all.as_ref()),
                nps_text(n.referred.as_ref()),
                nps_text(n.others.as_ref())
            );
        }
        None => out.push_str("<li>NPS: no NPS column.</li>\n"),
    }
    out.push_str("</ul>\n");
    if let Some(t) = &r.segments {
        let _ = writeln!(
            out,
            "<table><caption>Retention by {}</caption><thead><tr><th>{}</th><th class=\"n\">Customers</th><th class=\"n\">Reached</th><th class=\"n\">Referral share</th><th class=\"n\">NPS</th></tr></thead><tbody>",
            esc(&t.column),
            esc(&t.column)
        );
        for s in &t.rows {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                esc(&s.value),
                group(s.customers as u64),
                s.share.map_or("–".into(), |x| pct(finite(x))),
                s.referral_share.map_or("–".into(), |x| pct(finite(x))),
                nps_text(s.nps.as_ref())
            );
        }
        out.push_str("</tbody></table>\n");
    }
    warnings(out, &r.notes);
    out.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn learn_json() -> &'static str {
        r#"{
  "input": "customers.csv", "profile": "learned", "entity": "account",
  "outcome": {"column": "Deal Stage", "rule": "closed won = good", "rows": 200, "with_outcome": 180, "good": 60, "base_rate": 0.3333},
  "split": {"seed": 7, "holdout_share": 0.25, "train_rows": 135, "train_good": 45, "holdout_rows": 45, "holdout_good": 15},
  "settings": {"min_support": 10, "confidence": 0.95, "max_traits": 8, "candidates_tested": 40, "z": 3.0, "min_filter_support": 20},
  "filters": [{"name": "Not B2C", "when": "business_model != \"b2c\"", "field": "business_model", "values": ["b2c"], "excluded": 25, "excluded_good": 0, "expected_good": 8.3, "why": "no B2C account was won"}],
  "traits": [
    {"name": "<Financial services>", "when": "industry = \"financial services\"", "weight": 5, "field": "industry", "kind": "value", "support": 30, "good": 22, "good_rate": 0.733, "lift": 2.2, "lift_lo": 1.6, "lift_hi": 2.9, "unknown": 0, "why": "strong lift"},
    {"name": "Tiny", "when": "employees < 10", "weight": -3, "field": "employees", "kind": "band", "support": 20, "good": 1, "good_rate": 0.05, "lift": 0.15, "lift_lo": 0.02, "lift_hi": 0.9, "unknown": 3, "why": "rarely won"}
  ],
  "tiers": {"tier1": 8, "tier2": 4, "share_tier1": 0.2, "share_tier2": 0.4, "min_score": -3, "max_score": 5},
  "metrics": {"train": null, "holdout": {"rows": 45, "good": 15, "base_rate": 0.33, "profile": {"auc": 0.78, "auc_lo": 0.64, "auc_hi": 0.92, "top_decile_lift": 2.5}, "model": null}},
  "verdict": "The profile ranks held-out customers nearly as well as the model.",
  "model": null, "candidates": [], "skipped_columns": [], "warnings": ["Only 45 rows held out."]
}"#
    }

    #[test]
    fn learn_section_charts_the_lift_of_each_trait() {
        let l: LearnReport = serde_json::from_str(learn_json()).unwrap();
        let mut out = String::new();
        learn(&mut out, &l);
        assert!(out.contains("<section class=\"major\" id=\"learn\""));
        assert!(out.contains("id=\"chart-learn\""));
        assert!(out.contains("&lt;Financial services&gt; (+5)"));
        assert!(!out.contains("<Financial"));
        assert!(out.contains("2.2× (1.6–2.9)"));
        assert!(out.contains("0.78 (0.64–0.92)"));
        assert!(out.contains("Only 45 rows held out."));
        assert!(out.contains("no B2C account was won"));
        assert!(crate::chart::tests::drawn_rects(&out).len() >= 2);
    }

    #[test]
    fn segments_and_cohorts_sections_read_the_commands_json() {
        let s: SegmentReport = serde_json::from_str(
            r#"{"input": "a.csv", "rows": 10, "unreadable_rows": 0, "k": 2,
            "k_choice": {"criterion": "fixed", "explanation": "2 segments as asked", "requested": 2, "sample": 10, "scores": []},
            "method": {"algorithm": "k-prototypes", "gamma": 1.0, "gamma_rule": "", "seed": 42, "restarts": 4, "max_iter": 100, "cost": 1.0, "iterations": 3, "converged": true},
            "features": [], "ignored_columns": [],
            "outcome": {"column": "Won", "rule": "yes = good", "known": 10, "positives": 4, "rate": 0.4},
            "segments": [
              {"id": 2, "rank": 1, "size": 4, "share": 0.4, "headline": "Software <mid-market>", "beachhead": true, "industry": null, "industries": [], "employees": null, "revenue": null, "countries": [], "technologies": [], "traits": [], "numbers": [],
               "outcome": {"known": 4, "positives": 3, "rate": 0.75, "lift": 1.9, "low": 0.4, "high": 0.95}, "score": null},
              {"id": 1, "rank": 2, "size": 6, "share": 0.6, "headline": "Retail, small", "beachhead": false, "industry": null, "industries": [], "employees": null, "revenue": null, "countries": [], "technologies": [], "traits": [], "numbers": [],
               "outcome": {"known": 6, "positives": 1, "rate": 0.1667, "lift": 0.4, "low": 0.0, "high": 0.5}, "score": null}
            ]}"#,
        )
        .unwrap();
        let mut out = String::new();
        segments(&mut out, &s);
        assert!(out.contains("id=\"chart-segments\""));
        assert!(out.contains("<b>Beachhead.</b> Software &lt;mid-market&gt;"));
        assert!(out.contains(">beachhead</text>"));
        assert!(out.contains("75% (1.9×)"));
        assert_eq!(crate::chart::tests::drawn_rects(&out).len(), 4);

        let c: CohortReport = serde_json::from_str(
            r#"{"input": null, "as_of": "2026-11-20", "rows": 3, "unreadable_rows": 0, "signup_column": "Create Date", "period": "month",
            "goal": {"kind": "column", "column": "Retained", "rule": "Retained: yes = reached", "within_days": null},
            "cohorts": [
              {"cohort": "2025-01", "start": "2025-01-01", "customers": 2, "eligible": 2, "reached": 1, "not_reached": 1, "unknown": 0, "pending": 0, "pending_reached": 0, "share": 0.5, "status": "complete"},
              {"cohort": "2025-02", "start": "2025-02-01", "customers": 0, "eligible": 0, "reached": 0, "not_reached": 0, "unknown": 0, "pending": 0, "pending_reached": 0, "share": null, "status": "empty"}
            ],
            "total": {"cohort": "all", "start": "", "customers": 2, "eligible": 2, "reached": 1, "not_reached": 1, "unknown": 0, "pending": 0, "pending_reached": 0, "share": 0.5, "status": "complete"},
            "undated": {"count": 1, "lines": [4]},
            "referral": {"column": "source", "values": ["referral"], "with_source": 2, "referred": 1, "share": 0.5, "threshold": 0.3, "flag": true, "sources": []},
            "nps": null, "segments": null, "notes": ["one row has no date"]}"#,
        )
        .unwrap();
        let mut out = String::new();
        cohorts(&mut out, &c);
        assert!(out.contains("id=\"chart-cohorts\""));
        assert_eq!(crate::chart::tests::drawn_rects(&out).len(), 1);
        assert!(
            out.contains("<b>50%</b> of the 2 customers with a known source came by referral (1)")
        );
        assert!(out.contains("<b>reached</b>"));
        assert!(out.contains("<td>all</td>"));
        assert!(out.contains("one row has no date"));
    }
}
