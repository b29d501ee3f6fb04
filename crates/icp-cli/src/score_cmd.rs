//! `icp score`: stream an input file through one or more profiles.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Args;
use icp_core::value::is_blank;
use icp_core::{Profile, RecordBuilder, Scored, Unread, Value};
use icp_io::read::{ChunkParser, ChunkRecord, CsvChunks, Format, Row, RowError, TableReader};
use icp_io::write::{RejectsWriter, RowEncoder, TableWriter, rejects_path_for};
use icp_key::KeyColumns;

use crate::summary::{ProfileCounts, Summary};
use crate::{AsOfArg, Failure, InputArgs, display, profile_cmd, progress::Progress};

#[derive(Args)]
pub struct ScoreArgs {
    /// Accounts or members: CSV, JSONL or XLSX.
    pub input: PathBuf,
    /// Profile file (TOML); repeat to score against several profiles, whose
    /// columns are then prefixed `<profile>__`.
    #[arg(long = "profile", short = 'p', required = true, value_name = "FILE")]
    pub profiles: Vec<PathBuf>,
    /// Output file: .csv or .jsonl.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: PathBuf,
    /// Also write the summary as JSON.
    #[arg(long, value_name = "FILE")]
    pub summary_json: Option<PathBuf>,
    /// Where to write skipped rows (default: OUT.rejects.csv beside the output).
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// No progress and no warnings about the profile, only errors and the summary.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    #[command(flatten)]
    pub as_of: AsOfArg,
    #[command(flatten)]
    pub read: InputArgs,
}

/// The scoring columns added to every row.
pub const SCORE_COLUMNS: [&str; 8] = [
    "icp_score",
    "icp_fit",
    "icp_intent",
    "icp_tier",
    "icp_excluded_by",
    "icp_coverage",
    "icp_reasons",
    "icp_unknown_filters",
];
const NUMERIC: [&str; 4] = ["icp_score", "icp_fit", "icp_intent", "icp_coverage"];

/// One input row on its way through the stages.
#[derive(Default)]
struct Item {
    /// The row as read, or (for a block) its line and, when bad, what
    /// could be read of it.
    row: Row,
    error: Option<RowError>,
    /// One result per profile, set by a scoring worker.
    scored: Vec<Scored>,
}

/// Rows read together, scored together and written together.
#[derive(Default)]
struct Batch {
    /// Batches are numbered as read and written in that order.
    seq: u64,
    items: Vec<Item>,
    /// A block of whole CSV records that the worker parses itself (then
    /// `items` is filled by the worker), and the line it starts on.
    block: Vec<u8>,
    first_line: u64,
    /// The output rows of the items without error, encoded.
    out: Vec<u8>,
    error: Option<icp_io::WriteError>,
}

const BATCH: usize = 1024;

/// Read rows into batches (spreadsheets, JSON lines, transcoded text).
fn read_rows(
    reader: &mut TableReader,
    full: &std::sync::mpsc::SyncSender<Batch>,
    free: &std::sync::mpsc::Receiver<Batch>,
) {
    for seq in 0.. {
        let Ok(mut batch) = free.recv() else { return };
        batch.seq = seq;
        batch.items.resize_with(BATCH, Item::default);
        let mut n = 0;
        let mut done = false;
        while n < BATCH {
            let item = &mut batch.items[n];
            match reader.read_row(&mut item.row) {
                Ok(false) => {
                    done = true;
                    break;
                }
                Ok(true) => item.error = None,
                Err(e) => {
                    done = e.fatal;
                    item.error = Some(e);
                }
            }
            n += 1;
            if done {
                break;
            }
        }
        batch.items.truncate(n);
        if (!batch.items.is_empty() && full.send(batch).is_err()) || done {
            return;
        }
    }
}

/// Cut a delimited file into blocks of whole records; the workers parse
/// them, so CSV parsing runs on every core.
fn read_blocks(
    chunks: &mut CsvChunks,
    full: &std::sync::mpsc::SyncSender<Batch>,
    free: &std::sync::mpsc::Receiver<Batch>,
) {
    for seq in 0.. {
        let Ok(mut batch) = free.recv() else { return };
        batch.seq = seq;
        let line = chunks.line();
        match chunks.next_chunk(&mut batch.block) {
            Ok(Some(first_line)) => batch.first_line = first_line,
            Ok(None) => return,
            Err(e) => {
                batch.block.clear();
                batch.items.clear();
                batch.items.push(Item {
                    error: Some(RowError {
                        line,
                        reason: format!("cannot read the rest of the file: {e}"),
                        fatal: true,
                    }),
                    ..Item::default()
                });
                let _ = full.send(batch);
                return;
            }
        }
        if full.send(batch).is_err() {
            return;
        }
    }
}

/// What one scoring worker keeps between rows.
struct Worker<'a> {
    profiles: &'a [Profile],
    /// When a profile reads `domain` and the input has key columns
    /// (website, URL, e-mail): those columns, the column the builders read
    /// `domain` from (one past the input's when it has no domain column)
    /// and the row's registrable domain, used where that cell is blank.
    derived_domain: Option<(&'a KeyColumns, usize, String)>,
    builders: Vec<RecordBuilder>,
    records: Vec<Vec<Value>>,
    /// The scoring columns of the current row.
    extra: Vec<String>,
    encoder: RowEncoder,
    parser: Option<ChunkParser>,
    bad: Row,
}

impl Worker<'_> {
    /// Score one good row (cells by column) into `scored` and encode it
    /// onto `out`; `raw` is the row's CSV bytes when they can be copied.
    fn score<'c>(
        &mut self,
        cell: impl Fn(usize) -> &'c str,
        n: usize,
        raw: Option<&[u8]>,
        scored: &mut Vec<Scored>,
        out: &mut Vec<u8>,
    ) -> Result<(), icp_io::WriteError> {
        scored.resize_with(self.profiles.len(), Scored::default);
        // The domain column's cell, or where it is blank (HubSpot's
        // "Company Domain Name" often is) the domain of the row's key.
        let mut target = usize::MAX;
        if let Some((keys, col, domain)) = &mut self.derived_domain
            && (*col >= n || is_blank(cell(*col)))
        {
            target = *col;
            domain.clear();
            if let Ok(d) = keys.key_for_cells(|i| (i < n).then(|| cell(i))) {
                domain.push_str(d.as_str());
            }
        }
        let derived = self
            .derived_domain
            .as_ref()
            .map_or("", |(_, _, d)| d.as_str());
        let cell = |i: usize| {
            if i == target {
                derived
            } else if i < n {
                cell(i)
            } else {
                ""
            }
        };
        for (k, p) in self.profiles.iter().enumerate() {
            self.builders[k].build_with(cell, &mut self.records[k]);
            p.score_into(&self.records[k], &mut scored[k]);
            fill_columns(p, &scored[k], &mut self.extra[k * SCORE_COLUMNS.len()..]);
        }
        let extra = self.extra.iter().map(String::as_str);
        if let Some(raw) = raw
            && self.encoder.encode_after_raw(out, raw, n, extra.clone())?
        {
            return Ok(());
        }
        let cells = (0..n).map(|i| -> &str { cell(i) });
        self.encoder.encode(out, cells.chain(extra))
    }

    /// Parse (for a block), score and encode a batch.
    fn run(&mut self, batch: &mut Batch) {
        batch.out.clear();
        batch.error = None;
        let Batch {
            items,
            block,
            first_line,
            out,
            error,
            ..
        } = batch;
        if !block.is_empty()
            && let Some(mut parser) = self.parser.take()
        {
            let mut bad = std::mem::take(&mut self.bad);
            // Items (and their allocations) are reused from batch to batch.
            let mut n = 0;
            parser.parse(block, *first_line, &mut bad, |record| {
                if n == items.len() {
                    items.push(Item::default());
                }
                let item = &mut items[n];
                n += 1;
                item.error = None;
                match record {
                    ChunkRecord::Row(cells) => {
                        item.row.line = cells.line;
                        let res = self.score(
                            |i| cells.get(i),
                            cells.len(),
                            cells.raw_csv(),
                            &mut item.scored,
                            out,
                        );
                        if let Err(e) = res {
                            error.get_or_insert(e);
                        }
                    }
                    ChunkRecord::Bad(e, row) => {
                        item.row.clone_from(row);
                        item.error = Some(e);
                    }
                }
            });
            items.truncate(n);
            self.bad = bad;
            self.parser = Some(parser);
            return;
        }
        for item in items.iter_mut() {
            if item.error.is_some() {
                continue;
            }
            let values = &item.row.values;
            let res = self.score(
                |i| values.get(i).map_or("", String::as_str),
                values.len(),
                None,
                &mut item.scored,
                out,
            );
            if let Err(e) = res {
                error.get_or_insert(e);
            }
        }
    }
}

/// Parse, score and encode whole batches; several workers run at once.
/// Returns, per profile, the cells the worker could not read.
fn score_stage(
    mut worker: Worker<'_>,
    work: &std::sync::Mutex<std::sync::mpsc::Receiver<Batch>>,
    done: &std::sync::mpsc::Sender<Batch>,
) -> Vec<Vec<Unread>> {
    loop {
        // The lock is held while waiting, so one idle worker waits at a time.
        let next = match work.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => break,
        };
        let Ok(mut batch) = next else { break };
        worker.run(&mut batch);
        if done.send(batch).is_err() {
            break;
        }
    }
    worker.builders.iter().map(RecordBuilder::unread).collect()
}

pub fn run(args: ScoreArgs) -> Result<u8, Failure> {
    let as_of = args.as_of.date();
    check_output(&args.input, &args.out)?;
    let profiles = load_profiles(&args.profiles, as_of, args.quiet)?;
    let reader = TableReader::open(&args.input, &args.read.read_options()?)
        .map_err(|e| Failure::usage(e.to_string()))?;
    let headers = reader.headers().to_vec();
    // Delimited text is cut into blocks that the workers parse; other
    // inputs are read row by row on one thread.
    let source = match reader.into_csv_chunks() {
        Ok((chunks, parser)) => Source::Blocks(chunks, parser),
        Err(reader) => Source::Rows(reader),
    };

    let several = profiles.len() > 1;
    let mut out_headers = headers.clone();
    push_score_headers(&mut out_headers, &profiles);
    // `domain` by the key rules of `icp enrich` (website, URL or e-mail)
    // where the input's domain cell is blank, or the input has no domain
    // column (a Salesforce or Pipedrive export: the headers the builders
    // see then gain one column).
    let keys = KeyColumns::detect(&headers, None);
    let derive_domain = keys.check().is_ok()
        && profiles
            .iter()
            .any(|p| p.fields.iter().any(|f| f.name == "domain"));
    let domain_col = icp_core::fields::column_for(&headers, "domain");
    let mut build_headers = headers.clone();
    if derive_domain && domain_col.is_none() {
        build_headers.push("domain".to_string());
    }
    let domain_col = domain_col.unwrap_or(headers.len());
    if !args.quiet {
        for profile in &profiles {
            warn_absent(
                profile,
                &RecordBuilder::new(profile, &build_headers),
                &args.input,
            );
        }
    }
    let mut counts: Vec<ProfileCounts> = profiles.iter().map(|_| ProfileCounts::new()).collect();
    let names: Vec<String> = profiles.iter().map(|p| p.name.clone()).collect();

    create_parent_dirs([
        Some(&args.out),
        args.summary_json.as_ref(),
        args.rejects.as_ref(),
    ])?;
    let partial = partial_path(&args.out);
    let out_format = Format::from_path(&args.out).map_err(|e| Failure::usage(e.to_string()))?;
    let mut writer = TableWriter::create_as(&partial, out_format, &out_headers)
        .map_err(|e| Failure::fatal(e.to_string()))?;
    writer.set_numeric_columns(&score_numeric_columns(&out_headers, headers.len()));
    let rejects_path = args
        .rejects
        .clone()
        .unwrap_or_else(|| rejects_path_for(&args.out));
    let mut rejects = RejectsWriter::new(rejects_path, &headers);

    let mut summary = Summary::new(display(&args.input), display(&args.out), as_of.to_string());
    let mut progress = Progress::new("scoring", args.quiet);
    // Stages: one thread cuts the file into blocks of records (or reads
    // rows, for other formats); workers (one per core, up to eight) parse,
    // score and encode whole batches; this thread writes them in order,
    // with the summary and the rejects. A fixed set of batches goes
    // round, so memory stays flat.
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 8));
    let pool = 2 * workers + 4;
    let mut fatal = None;
    let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Batch>(pool);
    let work = std::sync::Mutex::new(full_rx);
    std::thread::scope(|scope| -> Result<(), Failure> {
        // Made here so that an early return closes them and every stage
        // stops: the reader when no batch comes back, then the workers.
        let (done_tx, done_rx) = std::sync::mpsc::channel::<Batch>();
        let (free_tx, free_rx) = std::sync::mpsc::channel::<Batch>();
        for _ in 0..pool {
            let _ = free_tx.send(Batch::default());
        }
        let parser = match source {
            Source::Blocks(mut chunks, parser) => {
                scope.spawn(move || read_blocks(&mut chunks, &full_tx, &free_rx));
                Some(parser)
            }
            Source::Rows(mut reader) => {
                scope.spawn(move || read_rows(&mut reader, &full_tx, &free_rx));
                None
            }
        };
        let (profiles, work, keys) = (&profiles, &work, &keys);
        let headers = &build_headers;
        let mut stages = Vec::new();
        for _ in 0..workers {
            let done_tx = done_tx.clone();
            let worker = Worker {
                profiles,
                derived_domain: derive_domain.then(|| (keys, domain_col, String::new())),
                builders: profiles
                    .iter()
                    .map(|p| RecordBuilder::new(p, headers))
                    .collect(),
                records: vec![Vec::new(); profiles.len()],
                extra: vec![String::new(); SCORE_COLUMNS.len() * profiles.len()],
                encoder: writer.row_encoder(),
                parser: parser.clone(),
                bad: Row::default(),
            };
            stages.push(scope.spawn(move || score_stage(worker, work, &done_tx)));
        }
        drop(done_tx);
        let mut next = 0;
        let mut waiting: BTreeMap<u64, Batch> = BTreeMap::new();
        for batch in done_rx {
            waiting.insert(batch.seq, batch);
            while let Some(mut batch) = waiting.remove(&next) {
                next += 1;
                for item in &mut batch.items {
                    summary.rows_read += 1;
                    if let Some(e) = item.error.take() {
                        summary.skip(e.line, &e.reason);
                        rejects
                            .write(
                                e.line,
                                &e.reason,
                                item.row.values.iter().map(String::as_str),
                            )
                            .map_err(|e| Failure::fatal(e.to_string()))?;
                        if e.fatal {
                            fatal = Some(e);
                        }
                        continue;
                    }
                    for ((p, c), s) in profiles.iter().zip(&mut counts).zip(&item.scored) {
                        c.add(p, s);
                    }
                }
                if let Some(e) = batch.error.take() {
                    return Err(Failure::fatal(e.to_string()));
                }
                writer
                    .write_encoded(&batch.out)
                    .map_err(|e| Failure::fatal(e.to_string()))?;
                progress.update(summary.rows_read, summary.rows_skipped);
                // The reader may have finished; a closed channel only means no reuse.
                let _ = free_tx.send(batch);
            }
        }
        summary.set_unread(stages.into_iter().filter_map(|s| s.join().ok()).collect());
        Ok(())
    })?;
    summary.seconds = (progress.finish() * 1000.0).round() / 1000.0;
    writer.finish().map_err(|e| Failure::fatal(e.to_string()))?;
    summary.rejects = rejects
        .finish()
        .map_err(|e| Failure::fatal(e.to_string()))?
        .map(|p| display(&p));
    if let Some(e) = fatal {
        let _ = std::fs::remove_file(&partial);
        return Err(Failure::fatal(format!(
            "{}: reading stopped at {e}; nothing was written to {}",
            display(&args.input),
            display(&args.out)
        )));
    }
    move_into_place(&partial, &args.out)?;

    let mut counts: BTreeMap<String, ProfileCounts> = names.iter().cloned().zip(counts).collect();
    summary.first = counts.get(&names[0]).cloned().unwrap_or_default();
    if several {
        summary.profiles = std::mem::take(&mut counts);
    }
    print!("{}", summary.render(&names));
    if let Some(path) = &args.summary_json {
        let json =
            serde_json::to_string_pretty(&summary).map_err(|e| Failure::fatal(e.to_string()))?;
        std::fs::write(path, json + "\n").map_err(|e| {
            Failure::fatal(format!(
                "cannot write the summary to {}: {e}",
                display(path)
            ))
        })?;
    }
    Ok(0)
}

/// Where the rows come from.
enum Source {
    Blocks(CsvChunks, ChunkParser),
    Rows(Box<TableReader>),
}

/// Refuse an output that is not CSV or JSONL, or that is the input itself.
pub fn check_output(input: &Path, out: &Path) -> Result<(), Failure> {
    if !matches!(Format::from_path(out), Ok(Format::Csv | Format::Jsonl)) {
        return Err(Failure::usage(format!(
            "cannot write {}: the output must end in .csv or .jsonl",
            display(out)
        )));
    }
    if same_file(input, out) {
        return Err(Failure::usage(format!(
            "the output {} is the input file; choose another --out so the input is kept",
            display(out)
        )));
    }
    if out.is_dir() {
        return Err(Failure::usage(format!(
            "the output {} is a folder; give a file name, e.g. {}",
            display(out),
            display(&out.join("scored.csv"))
        )));
    }
    Ok(())
}

/// Moves the finished `partial` file to `out`; if that fails, says where
/// the rows are instead of losing them.
pub fn move_into_place(partial: &Path, out: &Path) -> Result<(), Failure> {
    std::fs::rename(partial, out).map_err(|e| {
        Failure::fatal(format!(
            "cannot move the output into place at {}: {e}; the rows are in {}: move it there yourself, or run again with another --out",
            display(out),
            display(partial)
        ))
    })
}

/// `--out out/scored.csv` on a fresh checkout: make the folders.
pub fn create_parent_dirs<'a>(
    paths: impl IntoIterator<Item = Option<&'a PathBuf>>,
) -> Result<(), Failure> {
    for path in paths.into_iter().flatten() {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                Failure::fatal(format!("cannot create the folder {}: {e}", display(dir)))
            })?;
        }
    }
    Ok(())
}

/// Load every profile, refusing two with one name (their columns would
/// collide).
pub fn load_profiles(
    paths: &[PathBuf],
    as_of: chrono::NaiveDate,
    quiet: bool,
) -> Result<Vec<Profile>, Failure> {
    let mut profiles: Vec<Profile> = Vec::new();
    for p in paths {
        let profile = profile_cmd::load(p, as_of, quiet)?.0;
        if profiles.iter().any(|q| q.name == profile.name) {
            return Err(Failure::usage(format!(
                "two profiles are named `{}` ({}): output columns are prefixed by profile name, so give each a distinct `name`",
                profile.name,
                display(p)
            )));
        }
        profiles.push(profile);
    }
    Ok(profiles)
}

/// The scoring columns of each profile, prefixed `<profile>__` when there
/// are several.
pub fn push_score_headers(out_headers: &mut Vec<String>, profiles: &[Profile]) {
    let several = profiles.len() > 1;
    for p in profiles {
        for c in SCORE_COLUMNS {
            out_headers.push(if several {
                format!("{}__{c}", p.name)
            } else {
                c.to_string()
            });
        }
    }
}

/// The numeric scoring columns among `out_headers[from..]`.
pub fn score_numeric_columns(out_headers: &[String], from: usize) -> Vec<usize> {
    (from..out_headers.len())
        .filter(|&i| NUMERIC.iter().any(|n| out_headers[i].ends_with(n)))
        .collect()
}

pub fn fill_columns(p: &Profile, s: &Scored, out: &mut [String]) {
    for v in out.iter_mut().take(SCORE_COLUMNS.len()) {
        v.clear();
    }
    push_int(&mut out[0], s.score);
    push_int(&mut out[1], s.fit);
    push_int(&mut out[2], s.intent);
    out[3].push_str(s.tier.as_str());
    if let Some(name) = p.excluded_by_name(s) {
        out[4].push_str(name);
    }
    // Two decimals by integer maths: float formatting was ~8% of a run.
    let hundredths = (s.coverage.clamp(0.0, 1.0) * 100.0).round() as u32;
    let (units, cents) = (hundredths / 100, hundredths % 100);
    push_int(&mut out[5], units as i32);
    out[5].push('.');
    out[5].push(char::from(b'0' + (cents / 10) as u8));
    out[5].push(char::from(b'0' + (cents % 10) as u8));
    p.write_reasons(s, &mut out[6]);
    for (n, &i) in s.unknown_filters.iter().enumerate() {
        if n > 0 {
            out[7].push_str("; ");
        }
        out[7].push_str(&p.filters[i].name);
    }
}

/// `write!(out, "{v}")` without the formatting machinery.
fn push_int(out: &mut String, v: i32) {
    if v < 0 {
        out.push('-');
    }
    let mut digits = [0u8; 10];
    let mut n = v.unsigned_abs();
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(char::from(d));
    }
}

/// Tell the user which profile fields the input lacks: traits over them
/// stay unknown and lower coverage.
fn warn_absent(p: &Profile, b: &RecordBuilder, input: &Path) {
    let absent = b.absent_fields();
    if !absent.is_empty() {
        eprintln!(
            "note: {} has no column for {} (profile `{}`): conditions over {} stay unknown and lower coverage",
            display(input),
            absent
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", "),
            p.name,
            if absent.len() == 1 { "it" } else { "them" }
        );
    }
}

pub fn partial_path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    out.with_file_name(format!(".{name}.partial"))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
