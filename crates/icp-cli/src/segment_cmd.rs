//! `icp segment INPUT`: cluster accounts into segments (k-prototypes over
//! mixed numeric and categorical columns) and describe each one, with its
//! win or retention rate when `--outcome` is given; the beachheads first.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;
use icp_analytics::Dataset;
use icp_analytics::dataset::OutcomeRule;
use icp_analytics::segment::describe::human;
use icp_analytics::segment::{self, SegmentOptions, SegmentReport, SegmentSummary};
use icp_io::read::{Format, Row, TableReader};
use icp_io::write::{RejectsWriter, TableWriter, rejects_path_for};

use crate::score_cmd::{check_output, create_parent_dirs, partial_path};
use crate::{Failure, InputArgs, display};

#[derive(Args)]
pub struct SegmentArgs {
    /// Accounts or customers: CSV, JSONL or XLSX (a scored file works too).
    pub input: PathBuf,
    /// Write every input row with a `segment` column (.csv or .jsonl).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write the segments' descriptions as JSON (what `icp report` reads).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Number of segments; when absent, the k in 2..=8 with the highest
    /// mean silhouette on a seeded sample of up to 3,000 rows.
    #[arg(long, short = 'k', value_name = "N")]
    pub k: Option<usize>,
    /// Columns to cluster on, comma-separated (headers or field names);
    /// chosen automatically when absent (docs/analytics.md).
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub fields: Option<Vec<String>>,
    /// Outcome column (yes/no, true/false, won/lost, retained/churned,
    /// 1/0): each segment's rate of good outcomes; never clustered on.
    #[arg(long, value_name = "COLUMN")]
    pub outcome: Option<String>,
    /// The outcome values that count as good (the rest are bad).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "VALUES",
        requires = "outcome",
        conflicts_with = "good_above"
    )]
    pub good: Option<Vec<String>>,
    /// Outcome numbers above N are good.
    #[arg(long, value_name = "N", requires = "outcome")]
    pub good_above: Option<f64>,
    /// Seed of the random starts and the silhouette sample: the same seed
    /// gives the same segments.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Random starts per fit (the lowest cost wins).
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub restarts: usize,
    /// Weight of one categorical mismatch against the squared distance of
    /// the standardised numeric columns (default: the mean numeric variance
    /// over the mean chance that two rows differ in a categorical column,
    /// so both kinds weigh alike).
    #[arg(long, value_name = "G")]
    pub gamma: Option<f64>,
    /// Print the summary table only, not each segment's details.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    #[command(flatten)]
    pub read: InputArgs,
}

pub fn run(args: SegmentArgs) -> Result<u8, Failure> {
    if let Some(out) = &args.out {
        check_output(&args.input, out)?;
    }
    create_parent_dirs([args.out.as_ref(), args.json.as_ref()])?;
    let read = args.read.read_options()?;
    let data = load(&args.input, &read)?;
    let outcome = args.outcome.as_ref().map(|column| {
        let rule = match (&args.good, args.good_above) {
            (Some(values), _) => OutcomeRule::Good(values.clone()),
            (None, Some(t)) => OutcomeRule::GoodAbove(t),
            (None, None) => OutcomeRule::Auto,
        };
        (column.clone(), rule)
    });
    let opts = SegmentOptions {
        k: args.k,
        fields: args.fields.clone(),
        outcome,
        seed: args.seed,
        restarts: args.restarts,
        gamma: args.gamma,
        ..SegmentOptions::default()
    };
    let seg = segment::segment(&data, &opts).map_err(|e| {
        let msg = format!("{}: {e}", display(&args.input));
        match e {
            segment::SegmentError::Empty => Failure::fatal(msg),
            _ => Failure::usage(msg),
        }
    })?;
    let mut rejects = None;
    if let Some(out) = &args.out {
        rejects = write_rows(&args.input, &read, out, &seg.labels)?;
    }
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&seg.report)
            .map_err(|e| Failure::fatal(format!("cannot encode the report: {e}")))?;
        std::fs::write(path, json + "\n")
            .map_err(|e| Failure::fatal(format!("cannot write {}: {e}", display(path))))?;
    }
    print!("{}", render(&seg.report, &data, args.quiet));
    if let Some(out) = &args.out {
        println!(
            "wrote {} ({} rows with a segment column)",
            display(out),
            seg.labels.len()
        );
    }
    if let Some(path) = rejects {
        println!("unreadable rows: {}", display(&path));
    }
    if let Some(path) = &args.json {
        println!("wrote {}", display(path));
    }
    Ok(0)
}

pub fn load(path: &Path, read: &icp_io::ReadOptions) -> Result<Dataset, Failure> {
    Dataset::load(path, read).map_err(|e| match e {
        icp_analytics::LoadError::Open(e) => Failure::usage(e.to_string()),
        e => Failure::fatal(e.to_string()),
    })
}

/// Copy the input to `out` with each row's segment (replacing a `segment`
/// column the input may have). Unreadable rows go to the rejects file.
fn write_rows(
    input: &Path,
    read: &icp_io::ReadOptions,
    out: &Path,
    labels: &[usize],
) -> Result<Option<PathBuf>, Failure> {
    let mut reader = TableReader::open(input, read).map_err(|e| Failure::usage(e.to_string()))?;
    let headers = reader.headers().to_vec();
    let existing = headers.iter().position(|h| h.trim() == "segment");
    let mut out_headers = headers.clone();
    if existing.is_none() {
        out_headers.push("segment".into());
    }
    let seg_index = existing.unwrap_or(headers.len());
    let format = Format::from_path(out).map_err(|e| Failure::usage(e.to_string()))?;
    let partial = partial_path(out);
    let mut writer = TableWriter::create_as(&partial, format, &out_headers)
        .map_err(|e| Failure::fatal(e.to_string()))?;
    writer.set_numeric_columns(&[seg_index]);
    let mut rejects = RejectsWriter::new(rejects_path_for(out), &headers);
    let mut row = Row::default();
    let mut i = 0;
    let mut cells: Vec<String> = Vec::with_capacity(out_headers.len());
    let changed = || {
        Failure::fatal(format!(
            "{} changed while it was segmented; run again",
            display(input)
        ))
    };
    loop {
        match reader.read_row(&mut row) {
            Ok(false) => break,
            Ok(true) => {
                let label = labels.get(i).ok_or_else(changed)?;
                i += 1;
                cells.clear();
                cells.extend(row.values.iter().cloned());
                cells.resize(headers.len(), String::new());
                if existing.is_some() {
                    cells[seg_index] = label.to_string();
                } else {
                    cells.push(label.to_string());
                }
                writer
                    .write_row(&cells)
                    .map_err(|e| Failure::fatal(e.to_string()))?;
            }
            Err(e) => {
                rejects
                    .write(e.line, &e.reason, row.values.iter().map(String::as_str))
                    .map_err(|e| Failure::fatal(e.to_string()))?;
                if e.fatal {
                    return Err(Failure::fatal(format!(
                        "{}: line {}: {}",
                        display(input),
                        e.line,
                        e.reason
                    )));
                }
            }
        }
    }
    if i != labels.len() {
        return Err(changed());
    }
    writer.finish().map_err(|e| Failure::fatal(e.to_string()))?;
    std::fs::rename(&partial, out).map_err(|e| {
        Failure::fatal(format!(
            "cannot move {} to {}: {e}",
            display(&partial),
            display(out)
        ))
    })?;
    rejects.finish().map_err(|e| Failure::fatal(e.to_string()))
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// The printed report: how k was chosen, the columns used, a table of the
/// segments (ranked) and each segment in words.
pub fn render(r: &SegmentReport, data: &Dataset, quiet: bool) -> String {
    let mut s = String::new();
    let input = r.input.as_deref().unwrap_or("input");
    let _ = writeln!(
        s,
        "icp segment: {} rows of {input} in {} segments",
        r.rows, r.k
    );
    if r.unreadable_rows > 0 {
        let lines: Vec<String> = data
            .skipped
            .iter()
            .take(5)
            .map(|x| x.line.to_string())
            .collect();
        let _ = writeln!(
            s,
            "  {} unreadable rows left out (lines {}{})",
            r.unreadable_rows,
            lines.join(", "),
            if r.unreadable_rows > 5 { ", ..." } else { "" }
        );
    }
    let _ = writeln!(s, "  number of segments: {}", r.k_choice.explanation);
    if !r.k_choice.scores.is_empty() {
        let scores: Vec<String> = r
            .k_choice
            .scores
            .iter()
            .map(|k| format!("k={} {:.3}", k.k, k.silhouette))
            .collect();
        let _ = writeln!(s, "    silhouette: {}", scores.join(", "));
    }
    let _ = writeln!(
        s,
        "  method: k-prototypes, gamma {:.3} ({}), seed {}, best of {} starts, {}",
        r.method.gamma,
        r.method.gamma_rule,
        r.method.seed,
        r.method.restarts,
        if r.method.converged {
            format!(
                "converged in {} round{}",
                r.method.iterations,
                if r.method.iterations == 1 { "" } else { "s" }
            )
        } else {
            format!("stopped after {} rounds", r.method.iterations)
        }
    );
    let used: Vec<String> = r
        .features
        .iter()
        .map(|f| match f.kind.as_str() {
            "has item" => f.detail.split(" (").next().unwrap_or(&f.detail).to_string(),
            _ => format!("{} ({}, {})", f.column, f.kind, f.detail),
        })
        .collect();
    let _ = writeln!(s, "  clustered on: {}", used.join("; "));
    if !r.ignored_columns.is_empty() {
        // Grouped by reason, in the file's order.
        let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
        for c in &r.ignored_columns {
            match groups.iter_mut().find(|(reason, _)| *reason == c.reason) {
                Some((_, cols)) => cols.push(&c.column),
                None => groups.push((&c.reason, vec![&c.column])),
            }
        }
        let ignored: Vec<String> = groups
            .iter()
            .map(|(reason, cols)| format!("{} ({reason})", cols.join(", ")))
            .collect();
        let _ = writeln!(s, "  not used: {}", ignored.join("; "));
    }
    if let Some(o) = &r.outcome {
        let _ = writeln!(
            s,
            "  outcome: {}; {} good of {} known ({})",
            o.rule,
            o.positives,
            o.known,
            pct(o.rate)
        );
    }
    s.push('\n');
    s.push_str(&table(r));
    if !quiet {
        for seg in &r.segments {
            s.push('\n');
            s.push_str(&details(r, seg));
        }
    }
    s.push('\n');
    match &r.outcome {
        Some(o) => {
            let beach: Vec<String> = r
                .segments
                .iter()
                .filter(|x| x.beachhead)
                .map(|x| format!("segment {}", x.id))
                .collect();
            if beach.is_empty() {
                let _ = writeln!(
                    s,
                    "no segment's {} rate stands out from the overall {} (a beachhead needs 10+ outcomes and a 90% interval above it)",
                    o.column,
                    pct(o.rate)
                );
            } else {
                let _ = writeln!(s, "beachheads: {}", beach.join(", "));
            }
        }
        None => {
            let _ = writeln!(
                s,
                "no outcome given: pass --outcome COLUMN (won/lost, retained/churned) to rank segments by it and find the beachheads"
            );
        }
    }
    s
}

fn table(r: &SegmentReport) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut head = vec![
        "rank".to_string(),
        "segment".into(),
        "rows".into(),
        "share".into(),
    ];
    if let Some(o) = &r.outcome {
        head.push(o.column.clone());
    }
    let scored = r.segments.iter().any(|s| s.score.is_some());
    if scored {
        head.push("mean score".into());
        head.push("tier 1".into());
    }
    head.push("portrait".into());
    rows.push(head);
    for seg in &r.segments {
        let mut row = vec![
            seg.rank.to_string(),
            if seg.beachhead {
                format!("{} beachhead", seg.id)
            } else {
                seg.id.to_string()
            },
            seg.size.to_string(),
            pct(seg.share),
        ];
        if let Some(o) = &seg.outcome {
            row.push(if o.known == 0 {
                "-".into()
            } else {
                format!("{} ({}/{})", pct(o.rate), o.positives, o.known)
            });
        }
        if scored {
            let sc = seg.score.as_ref();
            row.push(
                sc.and_then(|x| x.mean_score)
                    .map_or("-".into(), |m| format!("{m:.1}")),
            );
            row.push(sc.map_or("-".into(), |x| pct(x.tier1_share)));
        }
        row.push(seg.headline.clone());
        rows.push(row);
    }
    align(&rows)
}

/// Columns padded to their widest cell; numbers right-aligned.
pub fn align(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|x| x.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut s = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let pad = widths[c].saturating_sub(cell.chars().count());
            let numeric = cell
                .chars()
                .next()
                .is_some_and(|ch| ch.is_ascii_digit() || ch == '-' || ch == '+')
                && c + 1 < row.len();
            if c > 0 {
                line.push_str("  ");
            }
            if numeric {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                if c + 1 < row.len() {
                    line.push_str(&" ".repeat(pad));
                }
            }
        }
        s.push_str(line.trim_end());
        s.push('\n');
    }
    s
}

fn shares(list: &[icp_analytics::segment::Share], with_overall: bool) -> String {
    list.iter()
        .map(|x| {
            if with_overall {
                format!("{} {} ({} overall)", x.value, pct(x.share), pct(x.overall))
            } else {
                format!("{} {}", x.value, pct(x.share))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn details(r: &SegmentReport, seg: &SegmentSummary) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "segment {} ({} rows, {}){}",
        seg.id,
        seg.size,
        pct(seg.share),
        if seg.beachhead { ": beachhead" } else { "" }
    );
    let _ = writeln!(s, "  {}", seg.headline);
    if !seg.industries.is_empty() {
        let _ = writeln!(s, "  industry:     {}", shares(&seg.industries, false));
    }
    if let Some(e) = &seg.employees {
        let n = &e.numbers;
        let _ = writeln!(
            s,
            "  size:         {}: median {} employees, middle half {}-{}, range {}-{}",
            e.band,
            human(n.median),
            human(n.p25),
            human(n.p75),
            human(n.min),
            human(n.max)
        );
    }
    if let Some(rv) = &seg.revenue {
        let _ = writeln!(
            s,
            "  revenue:      median ${}, middle half ${}-${}",
            human(rv.median),
            human(rv.p25),
            human(rv.p75)
        );
    }
    if !seg.countries.is_empty() {
        let _ = writeln!(s, "  countries:    {}", shares(&seg.countries, false));
    }
    if !seg.technologies.is_empty() {
        let _ = writeln!(s, "  technologies: {}", shares(&seg.technologies, true));
    }
    for t in &seg.traits {
        let _ = writeln!(
            s,
            "  {}: {} {} ({} overall)",
            t.column,
            t.top.value,
            pct(t.top.share),
            pct(t.top.overall)
        );
    }
    for n in &seg.numbers {
        let _ = writeln!(
            s,
            "  {}: median {}, middle half {}-{}",
            n.column,
            human(n.median),
            human(n.p25),
            human(n.p75)
        );
    }
    if let (Some(o), Some(all)) = (&seg.outcome, &r.outcome) {
        if o.known == 0 {
            let _ = writeln!(s, "  {}: no outcomes in this segment", all.column);
        } else {
            let _ = writeln!(
                s,
                "  {}: {} of {} good ({}; 90% interval {}-{}) vs {} overall{}",
                all.column,
                o.positives,
                o.known,
                pct(o.rate),
                pct(o.low),
                pct(o.high),
                pct(all.rate),
                if o.known < 10 {
                    ": too few outcomes to judge"
                } else {
                    ""
                }
            );
        }
    }
    if let Some(sc) = &seg.score {
        let _ = writeln!(
            s,
            "  scores:       mean {}, tier 1 {} ({} rows)",
            sc.mean_score.map_or("-".into(), |m| format!("{m:.1}")),
            pct(sc.tier1_share),
            sc.tier1
        );
    }
    s
}
