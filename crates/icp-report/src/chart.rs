//! Inline SVG charts: horizontal bars, columns (histograms, cohorts) and
//! the TAM/SAM/SOM funnel.
//!
//! Every chart is one `<svg role="img">` with a `<title>` and `<desc>`,
//! scales with the page (`viewBox`, width 100%), labels every bar with its
//! value and tells series apart by pattern as well as colour, so it reads
//! in black and white. Patterns are defined inside each chart (ids prefixed
//! with the chart's id) so a chart copied out of the page keeps them.

use std::fmt::Write as _;

use crate::html::{clip, esc};

/// Width of every chart in user units.
pub const WIDTH: f64 = 760.0;
const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif";

/// How a bar is painted. Series that appear together differ by pattern,
/// not colour alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fill {
    /// Solid dark.
    Tier1,
    /// Diagonal hatch.
    Tier2,
    /// Dots.
    Tier3,
    /// Light cross-hatch.
    Excluded,
    /// Solid mid blue: trait could be evaluated.
    Evaluable,
    /// Orange stripes: a data gap (evaluable for fewer than half).
    Gap,
    /// Vertical ticks: trait fired.
    Fired,
    /// Solid grey.
    Neutral,
}

impl Fill {
    /// The `fill` attribute value inside chart `id`.
    fn paint(self, id: &str) -> String {
        match self {
            Fill::Tier1 => "#1d3557".into(),
            Fill::Evaluable => "#2a6f97".into(),
            Fill::Neutral => "#6c757d".into(),
            Fill::Tier2 => format!("url(#{id}-hatch)"),
            Fill::Tier3 => format!("url(#{id}-dots)"),
            Fill::Excluded => format!("url(#{id}-cross)"),
            Fill::Gap => format!("url(#{id}-gap)"),
            Fill::Fired => format!("url(#{id}-ticks)"),
        }
    }

    /// The fill for a tier text (`1`, `2`, `3`, `excluded`).
    pub fn for_tier(tier: usize) -> Fill {
        match tier {
            0 => Fill::Tier1,
            1 => Fill::Tier2,
            2 => Fill::Tier3,
            _ => Fill::Excluded,
        }
    }
}

/// The patterns, defined once per chart.
fn defs(id: &str) -> String {
    format!(
        concat!(
            "<defs>",
            "<pattern id=\"{id}-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">",
            "<rect width=\"6\" height=\"6\" fill=\"#457b9d\"/><rect width=\"2\" height=\"6\" fill=\"#ffffff\"/></pattern>",
            "<pattern id=\"{id}-dots\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">",
            "<rect width=\"6\" height=\"6\" fill=\"#cfe3ee\"/><circle cx=\"3\" cy=\"3\" r=\"1.3\" fill=\"#1d3557\"/></pattern>",
            "<pattern id=\"{id}-cross\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">",
            "<rect width=\"6\" height=\"6\" fill=\"#eeeeee\"/><path d=\"M0 0L6 6M6 0L0 6\" stroke=\"#777777\" stroke-width=\"0.8\"/></pattern>",
            "<pattern id=\"{id}-gap\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(-45)\">",
            "<rect width=\"8\" height=\"8\" fill=\"#f4a261\"/><rect width=\"3\" height=\"8\" fill=\"#9c4a1a\"/></pattern>",
            "<pattern id=\"{id}-ticks\" width=\"5\" height=\"5\" patternUnits=\"userSpaceOnUse\">",
            "<rect width=\"5\" height=\"5\" fill=\"#84a98c\"/><rect width=\"1.5\" height=\"5\" fill=\"#2f3e46\"/></pattern>",
            "</defs>"
        ),
        id = id
    )
}

/// The opening of a chart: `<svg>` with its title, description and
/// patterns.
fn open(out: &mut String, id: &str, height: f64, title: &str, desc: &str) {
    let _ = write!(
        out,
        "<svg class=\"chart\" id=\"{id}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" \
         viewBox=\"0 0 {w} {h}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" \
         xmlns=\"http://www.w3.org/2000/svg\" font-family=\"{font}\" font-size=\"12\" fill=\"#222222\">\
         <title id=\"{id}-title\">{t}</title><desc id=\"{id}-desc\">{d}</desc>{defs}",
        w = WIDTH,
        h = num(height),
        font = esc(FONT),
        t = esc(title),
        d = esc(desc),
        defs = defs(id),
    );
}

/// A number for an SVG attribute: at most two decimals, no trailing zeros.
pub fn num(x: f64) -> String {
    let x = if x.is_finite() { x } else { 0.0 };
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// A data mark (`class="bar"`) or a legend swatch (`class="swatch"`).
#[allow(clippy::too_many_arguments)]
fn rect(out: &mut String, class: &str, x: f64, y: f64, w: f64, h: f64, fill: &str, tip: &str) {
    let _ = write!(
        out,
        "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"#1d3557\" stroke-width=\"0.6\"><title>{}</title></rect>",
        num(x),
        num(y),
        num(w),
        num(h),
        esc(tip)
    );
}

fn text(out: &mut String, x: f64, y: f64, anchor: &str, extra: &str, s: &str) {
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\"{extra}>{}</text>",
        num(x),
        num(y),
        esc(s)
    );
}

/// A message in place of bars when there is nothing to draw.
fn empty_note(out: &mut String, y: f64, message: &str) {
    text(
        out,
        WIDTH / 2.0,
        y,
        "middle",
        " font-style=\"italic\" fill=\"#555555\"",
        message,
    );
}

/// One bar: its length, the text beside it and its paint.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub value: f64,
    /// Shown beside the bar (`42`, `42%`).
    pub text: String,
    pub fill: Fill,
    /// The series name, for the tooltip and legend (`evaluable`).
    pub series: String,
}

/// A labelled group of bars (one row of a bar chart, one column of a
/// column chart).
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub label: String,
    pub bars: Vec<Bar>,
    /// A second line under the label (e.g. `data gap: provide employees`).
    pub note: Option<String>,
}

/// A legend entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Legend {
    pub label: String,
    pub fill: Fill,
}

fn legend(out: &mut String, id: &str, items: &[Legend], x0: f64, y: f64) {
    let mut x = x0;
    for item in items {
        rect(
            out,
            "swatch",
            x,
            y - 10.0,
            14.0,
            12.0,
            &item.fill.paint(id),
            &item.label,
        );
        text(out, x + 19.0, y, "start", "", &item.label);
        x += 32.0 + 6.5 * item.label.chars().count() as f64;
    }
}

/// A horizontal bar chart: one row per group, bars of a group stacked
/// under each other, lengths scaled to `max` (the largest value when
/// `None`). `reference` draws a dashed line at that value with a label.
pub struct HBars<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub desc: &'a str,
    pub groups: &'a [Group],
    pub max: Option<f64>,
    pub reference: Option<(f64, &'a str)>,
    pub legend: &'a [Legend],
    /// Shown instead of bars when there are no groups.
    pub empty: &'a str,
}

impl HBars<'_> {
    pub fn svg(&self) -> String {
        const LABEL_W: f64 = 262.0;
        const VALUE_W: f64 = 128.0;
        const BAR_H: f64 = 18.0;
        const BAR_GAP: f64 = 3.0;
        const ROW_PAD: f64 = 12.0;
        let area = WIDTH - LABEL_W - VALUE_W;
        let top = if self.legend.is_empty() { 8.0 } else { 30.0 };
        let bottom = if self.reference.is_some() { 22.0 } else { 8.0 };
        let row_h = |g: &Group| {
            let bars = g.bars.len().max(1) as f64;
            let h = bars * BAR_H + (bars - 1.0) * BAR_GAP;
            h.max(if g.note.is_some() { 30.0 } else { 0.0 }) + ROW_PAD
        };
        let body: f64 = if self.groups.is_empty() {
            40.0
        } else {
            self.groups.iter().map(row_h).sum()
        };
        let height = top + body + bottom;
        let max = self
            .max
            .unwrap_or_else(|| {
                self.groups
                    .iter()
                    .flat_map(|g| g.bars.iter().map(|b| b.value))
                    .fold(0.0, f64::max)
            })
            .max(f64::MIN_POSITIVE);
        let mut out = String::new();
        open(&mut out, self.id, height, self.title, self.desc);
        if !self.legend.is_empty() {
            legend(&mut out, self.id, self.legend, LABEL_W, 16.0);
        }
        if self.groups.is_empty() {
            empty_note(&mut out, top + 24.0, self.empty);
            out.push_str("</svg>");
            return out;
        }
        let mut y = top;
        for g in self.groups {
            let h = row_h(g);
            let bars_h = g.bars.len() as f64 * (BAR_H + BAR_GAP) - BAR_GAP;
            let label_y = if g.note.is_some() {
                y + ROW_PAD / 2.0 + 12.0
            } else {
                y + ROW_PAD / 2.0 + bars_h / 2.0 + 4.0
            };
            let _ = write!(out, "<g><title>{}</title>", esc(&g.label));
            text(
                &mut out,
                LABEL_W - 8.0,
                label_y,
                "end",
                "",
                &clip(&g.label, 37),
            );
            out.push_str("</g>");
            if let Some(note) = &g.note {
                text(
                    &mut out,
                    LABEL_W - 8.0,
                    label_y + 14.0,
                    "end",
                    " font-size=\"10.5\" font-weight=\"bold\" fill=\"#7a3410\"",
                    &clip(note, 34),
                );
            }
            let mut by = y + ROW_PAD / 2.0;
            for b in &g.bars {
                let w = bar_len(b.value, max, area);
                if w > 0.0 {
                    let tip = format!("{}: {} {}", g.label, b.series, b.text);
                    rect(
                        &mut out,
                        "bar",
                        LABEL_W,
                        by,
                        w,
                        BAR_H,
                        &b.fill.paint(self.id),
                        tip.trim(),
                    );
                }
                text(
                    &mut out,
                    LABEL_W + w + 5.0,
                    by + BAR_H / 2.0 + 4.0,
                    "start",
                    "",
                    &b.text,
                );
                by += BAR_H + BAR_GAP;
            }
            y += h;
        }
        let _ = write!(
            out,
            "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#222222\" stroke-width=\"1\"/>",
            num(top - 2.0),
            num(y),
            x = num(LABEL_W)
        );
        if let Some((at, label)) = self.reference {
            let x = LABEL_W + bar_len(at, max, area);
            let _ = write!(
                out,
                "<line class=\"reference\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#9c4a1a\" stroke-width=\"1.2\" stroke-dasharray=\"5 3\"/>",
                num(top - 2.0),
                num(y + 4.0),
                x = num(x)
            );
            text(
                &mut out,
                x,
                y + 16.0,
                "middle",
                " font-size=\"10.5\" fill=\"#7a3410\"",
                label,
            );
        }
        out.push_str("</svg>");
        out
    }
}

/// A bar's length: proportional, at least 2 units when the value is above
/// zero so a small count stays visible.
fn bar_len(value: f64, max: f64, area: f64) -> f64 {
    if !value.is_finite() || value <= 0.0 {
        0.0
    } else {
        (value / max * area).clamp(2.0, area)
    }
}

/// A vertical marker on a column chart: `at` in column units (0 = the left
/// edge of the first column).
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    pub at: f64,
    pub label: String,
}

/// A column chart (histogram, cohorts): one column per group, its bars
/// side by side.
pub struct Columns<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub desc: &'a str,
    pub groups: &'a [Group],
    /// The top of the y axis (rounded up to a round number when `None`).
    pub max: Option<f64>,
    /// Formats y-axis ticks.
    pub y_tick: fn(f64) -> String,
    pub x_title: &'a str,
    pub y_title: &'a str,
    pub markers: &'a [Marker],
    pub legend: &'a [Legend],
    pub empty: &'a str,
}

impl Columns<'_> {
    pub fn svg(&self) -> String {
        const HEIGHT: f64 = 320.0;
        const LEFT: f64 = 64.0;
        const RIGHT: f64 = 12.0;
        const TOP: f64 = 46.0;
        const BOTTOM: f64 = 56.0;
        let plot_w = WIDTH - LEFT - RIGHT;
        let plot_h = HEIGHT - TOP - BOTTOM;
        let base = TOP + plot_h;
        let mut out = String::new();
        open(&mut out, self.id, HEIGHT, self.title, self.desc);
        if !self.legend.is_empty() {
            legend(&mut out, self.id, self.legend, LEFT, 14.0);
        }
        let data_max = self
            .groups
            .iter()
            .flat_map(|g| g.bars.iter().map(|b| b.value))
            .fold(0.0, f64::max);
        // Counts get whole-number ticks at a round step; a given top (1.0
        // for shares) gets quarters.
        let (max, ticks) = match self.max {
            Some(m) if m > 0.0 => (m, 4u32),
            _ => {
                let step = nice_ceil(data_max / 5.0);
                let n = (data_max / step).ceil().clamp(1.0, 10.0);
                (step * n, n as u32)
            }
        };
        // Grid and y ticks.
        for k in 0..=ticks {
            let v = max * f64::from(k) / f64::from(ticks);
            let y = base - plot_h * f64::from(k) / f64::from(ticks);
            let _ = write!(
                out,
                "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#cccccc\" stroke-width=\"0.6\"/>",
                num(LEFT),
                num(WIDTH - RIGHT),
                y = num(y)
            );
            text(
                &mut out,
                LEFT - 6.0,
                y + 4.0,
                "end",
                " font-size=\"11\"",
                &(self.y_tick)(v),
            );
        }
        let _ = write!(
            out,
            "<text transform=\"translate(14 {}) rotate(-90)\" text-anchor=\"middle\" font-size=\"11\">{}</text>",
            num(TOP + plot_h / 2.0),
            esc(self.y_title)
        );
        text(
            &mut out,
            LEFT + plot_w / 2.0,
            HEIGHT - 8.0,
            "middle",
            " font-size=\"11\"",
            self.x_title,
        );
        if self.groups.is_empty() {
            empty_note(&mut out, TOP + plot_h / 2.0, self.empty);
        }
        let n = self.groups.len().max(1) as f64;
        let col_w = plot_w / n;
        let label_every = (self.groups.len() as f64 / 24.0).ceil().max(1.0) as usize;
        let show_values = self.groups.len() <= 30;
        for (i, g) in self.groups.iter().enumerate() {
            let x0 = LEFT + col_w * i as f64;
            let inner = col_w * 0.8;
            let k = g.bars.len().max(1) as f64;
            let bw = inner / k;
            for (j, b) in g.bars.iter().enumerate() {
                let h = bar_len(b.value, max, plot_h);
                let bx = x0 + col_w * 0.1 + bw * j as f64;
                if h > 0.0 {
                    let tip = format!("{}: {} {}", g.label, b.series, b.text);
                    rect(
                        &mut out,
                        "bar",
                        bx,
                        base - h,
                        bw,
                        h,
                        &b.fill.paint(self.id),
                        tip.trim(),
                    );
                }
                if show_values && !b.text.is_empty() {
                    text(
                        &mut out,
                        bx + bw / 2.0,
                        base - h - 4.0,
                        "middle",
                        " font-size=\"10\"",
                        &b.text,
                    );
                }
            }
            if i % label_every == 0 {
                text(
                    &mut out,
                    x0 + col_w / 2.0,
                    base + 16.0,
                    "middle",
                    " font-size=\"11\"",
                    &clip(
                        &g.label,
                        ((col_w * label_every as f64) / 6.5).max(3.0) as usize,
                    ),
                );
            }
        }
        let _ = write!(
            out,
            "<line x1=\"{l}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"#222222\" stroke-width=\"1\"/>",
            l = num(LEFT),
            r = num(WIDTH - RIGHT),
            b = num(base)
        );
        for (k, m) in self.markers.iter().enumerate() {
            let x = LEFT + col_w * m.at.clamp(0.0, n);
            let label_y = TOP - 8.0 - 13.0 * (k % 2) as f64;
            let anchor = if x > WIDTH - 120.0 { "end" } else { "start" };
            let dx = if anchor == "end" { -4.0 } else { 4.0 };
            let _ = write!(
                out,
                "<line class=\"marker\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#9c4a1a\" stroke-width=\"1.4\" stroke-dasharray=\"6 3\"/>",
                num(label_y + 3.0),
                num(base),
                x = num(x)
            );
            text(
                &mut out,
                x + dx,
                label_y,
                anchor,
                " font-size=\"11\" font-weight=\"bold\" fill=\"#7a3410\"",
                &m.label,
            );
        }
        out.push_str("</svg>");
        out
    }
}

/// The smallest 1, 2 or 5 times a power of ten at or above `x` (1 for 0).
pub fn nice_ceil(x: f64) -> f64 {
    if !x.is_finite() || x <= 1.0 {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * p >= x {
            return m * p;
        }
    }
    10.0 * p
}

/// One funnel stage.
#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    /// `TAM`.
    pub name: String,
    /// `all accounts scored`.
    pub about: String,
    pub count: u64,
    /// `23 accounts`.
    pub count_text: String,
    /// `$1.2M` when known.
    pub value_text: Option<String>,
    pub fill: Fill,
}

/// The TAM/SAM/SOM funnel: centred bars whose widths are each stage's share
/// of the first.
pub fn funnel(id: &str, title: &str, desc: &str, stages: &[Stage]) -> String {
    const LABEL_W: f64 = 190.0;
    const TEXT_W: f64 = 170.0;
    const ROW: f64 = 62.0;
    const BAR_H: f64 = 44.0;
    let area = WIDTH - LABEL_W - TEXT_W;
    let centre = LABEL_W + area / 2.0;
    let height = 10.0 + ROW * stages.len().max(1) as f64;
    let first = stages.first().map_or(0, |s| s.count);
    let mut out = String::new();
    open(&mut out, id, height, title, desc);
    let mut y = 10.0;
    for s in stages {
        let share = crate::share(s.count, first);
        let w = bar_len(share, 1.0, area);
        if w > 0.0 {
            let tip = format!("{}: {} ({})", s.name, s.count_text, crate::html::pct(share));
            rect(
                &mut out,
                "bar",
                centre - w / 2.0,
                y,
                w,
                BAR_H,
                &s.fill.paint(id),
                &tip,
            );
        } else {
            let _ = write!(
                out,
                "<line x1=\"{l}\" y1=\"{m}\" x2=\"{r}\" y2=\"{m}\" stroke=\"#777777\" stroke-dasharray=\"3 3\"/>",
                l = num(centre - area / 2.0),
                r = num(centre + area / 2.0),
                m = num(y + BAR_H / 2.0)
            );
        }
        text(
            &mut out,
            LABEL_W - 10.0,
            y + 18.0,
            "end",
            " font-size=\"15\" font-weight=\"bold\"",
            &s.name,
        );
        text(
            &mut out,
            LABEL_W - 10.0,
            y + 35.0,
            "end",
            " font-size=\"11\" fill=\"#444444\"",
            &clip(&s.about, 30),
        );
        let right = LABEL_W + area + 10.0;
        text(
            &mut out,
            right,
            y + 18.0,
            "start",
            " font-weight=\"bold\"",
            &format!("{} · {}", s.count_text, crate::html::pct(share)),
        );
        if let Some(v) = &s.value_text {
            text(&mut out, right, y + 35.0, "start", " fill=\"#444444\"", v);
        }
        y += ROW;
    }
    if stages.is_empty() {
        empty_note(&mut out, 36.0, "nothing to show");
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn bars(values: &[f64]) -> Vec<Group> {
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| Group {
                label: format!("row {i}"),
                bars: vec![Bar {
                    value: v,
                    text: format!("{v}"),
                    fill: Fill::Tier1,
                    series: String::new(),
                }],
                note: None,
            })
            .collect()
    }

    /// (x, y, width, height) of every bar (`<rect class="bar">`).
    pub(crate) fn drawn_rects(svg: &str) -> Vec<(f64, f64, f64, f64)> {
        let body = svg;
        body.match_indices("<rect class=\"bar\" ")
            .map(|(i, _)| {
                let tag = &body[i..i + body[i..].find('>').unwrap()];
                let attr = |name: &str| -> f64 {
                    let key = format!(" {name}=\"");
                    let s = &tag[tag.find(&key).unwrap() + key.len()..];
                    s[..s.find('"').unwrap()].parse().unwrap()
                };
                (attr("x"), attr("y"), attr("width"), attr("height"))
            })
            .collect()
    }

    fn hbars(groups: &[Group]) -> String {
        HBars {
            id: "c",
            title: "T",
            desc: "D",
            groups,
            max: None,
            reference: None,
            legend: &[],
            empty: "no data",
        }
        .svg()
    }

    #[test]
    fn bars_scale_to_the_largest_and_keep_small_ones_visible() {
        let svg = hbars(&bars(&[100.0, 50.0, 0.01, 0.0]));
        let r = drawn_rects(&svg);
        assert_eq!(r.len(), 3, "a zero value draws no bar: {svg}");
        assert!((r[0].2 - 2.0 * r[1].2).abs() < 0.02, "{r:?}");
        assert_eq!(r[2].2, 2.0, "a tiny value stays visible");
        assert!(svg.contains(">0</text>"), "the zero is still labelled");
        assert!(svg.starts_with("<svg class=\"chart\" id=\"c\" role=\"img\""));
        assert!(svg.contains("<title id=\"c-title\">T</title><desc id=\"c-desc\">D</desc>"));
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn huge_counts_stay_within_the_chart() {
        let svg = hbars(&bars(&[u64::MAX as f64, 1.0]));
        for (x, _, w, _) in drawn_rects(&svg) {
            assert!(x + w <= WIDTH, "{svg}");
        }
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    }

    #[test]
    fn an_empty_chart_says_so() {
        let svg = hbars(&[]);
        assert!(drawn_rects(&svg).is_empty());
        assert!(svg.contains(">no data</text>"));
        let svg = Columns {
            id: "h",
            title: "T",
            desc: "D",
            groups: &[],
            max: None,
            y_tick: |v| format!("{v}"),
            x_title: "score",
            y_title: "accounts",
            markers: &[],
            legend: &[],
            empty: "no accounts",
        }
        .svg();
        assert!(drawn_rects(&svg).is_empty());
        assert!(svg.contains(">no accounts</text>"));
        assert!(!svg.contains("NaN"));
    }

    #[test]
    fn columns_share_the_plot_and_markers_sit_between_columns() {
        let groups = bars(&[1.0, 4.0, 2.0, 0.0]);
        let markers = [Marker {
            at: 2.0,
            label: "tier 1 ≥ 12".into(),
        }];
        let svg = Columns {
            id: "h",
            title: "T",
            desc: "D",
            groups: &groups,
            max: None,
            y_tick: |v| format!("{v}"),
            x_title: "score",
            y_title: "accounts",
            markers: &markers,
            legend: &[],
            empty: "",
        }
        .svg();
        let r = drawn_rects(&svg);
        assert_eq!(r.len(), 3);
        // Max 4 is the axis top: the tallest column fills the plot.
        assert!((r[1].3 - 218.0).abs() < 0.01, "{r:?}");
        assert!((r[0].3 * 4.0 - r[1].3).abs() < 0.02);
        // Bases line up.
        assert!((r[0].1 + r[0].3 - (r[1].1 + r[1].3)).abs() < 0.02);
        // The marker is at the left edge of the third column.
        let col_w = (WIDTH - 64.0 - 12.0) / 4.0;
        assert!(
            svg.contains(&format!("x1=\"{}\"", num(64.0 + 2.0 * col_w))),
            "{svg}"
        );
        assert!(svg.contains("tier 1 ≥ 12</text>"));
    }

    #[test]
    fn funnel_widths_are_shares_of_the_first_stage() {
        let stage = |name: &str, count: u64, fill| Stage {
            name: name.into(),
            about: String::new(),
            count,
            count_text: count.to_string(),
            value_text: None,
            fill,
        };
        let svg = funnel(
            "f",
            "T",
            "D",
            &[
                stage("TAM", 200, Fill::Excluded),
                stage("SAM", 100, Fill::Tier2),
                stage("SOM", 0, Fill::Tier1),
            ],
        );
        let r = drawn_rects(&svg);
        assert_eq!(r.len(), 2, "an empty SOM draws a dashed line, no bar");
        assert!((r[0].2 - 2.0 * r[1].2).abs() < 0.02);
        // Centred.
        assert!(((r[0].0 + r[0].2 / 2.0) - (r[1].0 + r[1].2 / 2.0)).abs() < 0.02);
        assert!(svg.contains("stroke-dasharray=\"3 3\""));
        assert!(svg.contains(">0 · 0%</text>"));
        // An empty TAM: nothing divides by zero.
        let svg = funnel("f", "T", "D", &[stage("TAM", 0, Fill::Excluded)]);
        assert!(!svg.contains("NaN"));
    }

    #[test]
    fn labels_are_escaped_and_clipped() {
        let mut g = bars(&[1.0]);
        g[0].label = "<script>alert(1)</script> and a very long company name that goes on".into();
        let svg = hbars(&g);
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; and a very long company name that goes on</title>"));
        assert!(svg.contains("…</text>"));
    }

    #[test]
    fn nice_ceilings() {
        assert_eq!(nice_ceil(0.0), 1.0);
        assert_eq!(nice_ceil(3.0), 5.0);
        assert_eq!(nice_ceil(7.0), 10.0);
        assert_eq!(nice_ceil(10.0), 10.0);
        assert_eq!(nice_ceil(11.0), 20.0);
        assert_eq!(nice_ceil(1234.0), 2000.0);
        assert_eq!(num(2.0), "2");
        assert_eq!(num(2.50), "2.5");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(f64::NAN), "0");
    }
}
