//! Streaming readers for CSV, JSON lines and spreadsheet files.
//!
//! ```no_run
//! use icp_io::read::{ReadOptions, Row, TableReader};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut reader = TableReader::open("accounts.csv".as_ref(), &ReadOptions::default())?;
//! let mut row = Row::default();
//! loop {
//!     match reader.read_row(&mut row) {
//!         Ok(true) => { /* use row.line and row.values */ }
//!         Ok(false) => break,
//!         Err(e) if e.fatal => return Err(e.into()),
//!         Err(e) => { /* reject: row.values still holds what was read */ let _ = e; }
//!     }
//! }
//! # Ok(()) }
//! ```

mod chunks;
mod delimited;
mod jsonl;
mod sniff;
mod xlsx;

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use encoding_rs::Encoding;

pub use chunks::{Cells, ChunkParser, ChunkRecord, CsvChunks};

/// The kind of a tabular file, chosen from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Delimited text: `.csv`, `.tsv`, `.txt`.
    Csv,
    /// One JSON object per line: `.jsonl`, `.ndjson`, `.json` (a `.json` file
    /// holding one array of objects is accepted too).
    Jsonl,
    /// A spreadsheet read with calamine: `.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`.
    Xlsx,
}

/// Human-readable list of the supported input extensions.
pub const SUPPORTED_EXTENSIONS: &str = ".csv, .tsv, .txt (delimited text), .jsonl, .ndjson, .json (JSON lines), .xlsx, .xlsm, .xlsb, .xls, .ods (spreadsheets)";

impl Format {
    /// The format for a file extension (without the dot, any case).
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "csv" | "tsv" | "txt" => Some(Format::Csv),
            "jsonl" | "ndjson" | "json" => Some(Format::Jsonl),
            "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => Some(Format::Xlsx),
            _ => None,
        }
    }

    /// The format for a path, from its extension.
    pub fn from_path(path: &Path) -> Result<Format, OpenError> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        Format::from_extension(ext).ok_or_else(|| OpenError::UnsupportedFormat {
            path: path.to_path_buf(),
            extension: ext.to_string(),
        })
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
            Format::Xlsx => "xlsx",
        })
    }
}

/// Overrides for what is otherwise sniffed. `Default` sniffs everything.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// CSV delimiter; default: sniffed among `,` `;` tab `|` (tab for `.tsv`).
    pub delimiter: Option<u8>,
    /// CSV encoding (a byte order mark in the file still wins). Default: the
    /// BOM's (UTF-8, UTF-16), else UTF-8 if the file's first non-ASCII text
    /// is mostly valid UTF-8, else Windows-1252. Ignored for JSONL (always
    /// UTF-8) and spreadsheets.
    pub encoding: Option<&'static Encoding>,
    /// Spreadsheet sheet name; default: the first sheet.
    pub sheet: Option<String>,
}

/// One data row. Reuse one `Row` across calls to avoid allocation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    /// Physical line where the record starts (header = line 1 when it is the
    /// first line); the sheet row number for spreadsheets.
    pub line: u64,
    /// One value per header, in header order; missing cells are empty strings.
    /// After a "too many fields" [`RowError`] it holds every field read, so
    /// it can be longer than the header list.
    pub values: Vec<String>,
}

/// A problem with one row. Unless `fatal`, reading can continue with the
/// next row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct RowError {
    /// The line (or sheet row) of the record.
    pub line: u64,
    /// What is wrong, for people.
    pub reason: String,
    /// The rest of the file cannot be read (an I/O error, or a JSON array
    /// that is broken); further `read_row` calls return `Ok(false)`.
    pub fatal: bool,
}

impl RowError {
    pub(crate) fn new(line: u64, reason: impl Into<String>) -> RowError {
        RowError {
            line,
            reason: reason.into(),
            fatal: false,
        }
    }
    pub(crate) fn fatal(line: u64, reason: impl Into<String>) -> RowError {
        RowError {
            line,
            reason: reason.into(),
            fatal: true,
        }
    }
}

/// Why a lone value on a row of `n` columns is not an account.
pub(crate) fn lone_value_reason(n: usize) -> String {
    format!(
        "a lone value on a line of a file of {n} columns: a report title or footer (such as \"Grand Totals (12 records)\"), not an account"
    )
}

/// Why a file cannot be opened for reading.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("input file {} not found; check the path", path.display())]
    NotFound { path: PathBuf },
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{}: unsupported file type {}; supported: {SUPPORTED_EXTENSIONS}",
        path.display(),
        if extension.is_empty() { "(no extension)".to_string() } else { format!("'.{extension}'") }
    )]
    UnsupportedFormat { path: PathBuf, extension: String },
    #[error("{} is empty: expected a header row (column names) on the first line", path.display())]
    Empty { path: PathBuf },
    #[error("{} holds no JSON object ({first_problem}); expected one JSON object per line", path.display())]
    NoJsonObjects {
        path: PathBuf,
        first_problem: String,
    },
    #[error(
        "{} is not a readable spreadsheet: {message}; re-save it as .xlsx, or export it as CSV (if it is already CSV text, rename it to .csv)",
        path.display()
    )]
    Workbook { path: PathBuf, message: String },
    #[error("{} has no sheet named '{sheet}'; its sheets are: {}", path.display(), quote_list(available))]
    SheetNotFound {
        path: PathBuf,
        sheet: String,
        available: Vec<String>,
    },
    #[error("{} has no worksheets", path.display())]
    NoSheets { path: PathBuf },
}

fn quote_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl OpenError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> OpenError {
        if source.kind() == std::io::ErrorKind::NotFound {
            OpenError::NotFound {
                path: path.to_path_buf(),
            }
        } else {
            OpenError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    }
}

enum Inner {
    Csv(Box<delimited::CsvSource>),
    Jsonl(jsonl::JsonlSource),
    Xlsx(xlsx::XlsxSource),
}

/// A streaming reader over one tabular file.
pub struct TableReader {
    path: PathBuf,
    format: Format,
    headers: Vec<String>,
    inner: Inner,
    done: bool,
}

impl fmt::Debug for TableReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TableReader")
            .field("path", &self.path)
            .field("format", &self.format)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

impl TableReader {
    /// Opens `path`, choosing the format from its extension, and reads the
    /// header.
    pub fn open(path: &Path, opts: &ReadOptions) -> Result<TableReader, OpenError> {
        let format = Format::from_path(path)?;
        TableReader::open_as(path, format, opts)
    }

    /// Opens `path` as the given format, whatever its extension.
    pub fn open_as(
        path: &Path,
        format: Format,
        opts: &ReadOptions,
    ) -> Result<TableReader, OpenError> {
        let (inner, raw_headers) = match format {
            Format::Csv => {
                let (src, h) = delimited::CsvSource::open(path, opts)?;
                (Inner::Csv(Box::new(src)), h)
            }
            Format::Jsonl => {
                let (src, h) = jsonl::JsonlSource::open(path)?;
                (Inner::Jsonl(src), h)
            }
            Format::Xlsx => {
                let (src, h) = xlsx::XlsxSource::open(path, opts)?;
                (Inner::Xlsx(src), h)
            }
        };
        Ok(TableReader {
            path: path.to_path_buf(),
            format,
            headers: normalize_headers(raw_headers),
            inner,
            done: false,
        })
    }

    /// Column names: trimmed, blank ones named `column_N` (1-based), repeated
    /// ones suffixed `_2`, `_3`, ...
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The file's format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The path given to `open`.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The CSV delimiter in use (`None` for other formats).
    pub fn delimiter(&self) -> Option<u8> {
        match &self.inner {
            Inner::Csv(c) => Some(c.delimiter()),
            _ => None,
        }
    }

    /// For a delimited file read without transcoding, the rest of it as
    /// blocks of whole records that several threads can parse at once
    /// (same rows, values, lines and errors as [`TableReader::read_row`]);
    /// otherwise `self` back.
    pub fn into_csv_chunks(self) -> Result<(CsvChunks, ChunkParser), Box<TableReader>> {
        let TableReader {
            path,
            format,
            headers,
            inner,
            done,
        } = self;
        match inner {
            Inner::Csv(c) if !done => match c.into_chunks(&path, headers.clone()) {
                Ok(chunks) => Ok(chunks),
                Err(c) => Err(Box::new(TableReader {
                    path,
                    format,
                    headers,
                    inner: Inner::Csv(c),
                    done,
                })),
            },
            inner => Err(Box::new(TableReader {
                path,
                format,
                headers,
                inner,
                done,
            })),
        }
    }

    /// The name of the text encoding in use (e.g. `UTF-8`, `windows-1252`).
    pub fn encoding_name(&self) -> &'static str {
        match &self.inner {
            Inner::Csv(c) => c.encoding_name(),
            _ => "UTF-8",
        }
    }

    /// Reads the next row into `row`, reusing its buffers.
    ///
    /// `Ok(true)`: a row was read. `Ok(false)`: end of file. `Err(e)`: this
    /// row is bad; `row.line` is `e.line` and `row.values` holds what could
    /// be read (for a rejects file; empty values after a fatal error), and
    /// the next call continues with the next row, unless `e.fatal`. Rows
    /// whose cells are all empty are skipped.
    pub fn read_row(&mut self, row: &mut Row) -> Result<bool, RowError> {
        if self.done {
            return Ok(false);
        }
        let n = self.headers.len();
        let res = match &mut self.inner {
            Inner::Csv(c) => c.read_row(row, n, &self.headers),
            Inner::Jsonl(j) => j.read_row(row, n),
            Inner::Xlsx(x) => x.read_row(row, n),
        };
        match &res {
            Ok(false) => self.done = true,
            Err(e) => {
                row.line = e.line;
                if e.fatal {
                    // Nothing of this row was read: do not leave the previous
                    // row's values behind.
                    reset_values(&mut row.values, n);
                    self.done = true;
                }
            }
            Ok(true) => {}
        }
        res
    }
}

/// Sets `values` to exactly `n` empty strings, keeping their allocations.
pub(crate) fn reset_values(values: &mut Vec<String>, n: usize) {
    values.truncate(n);
    for v in values.iter_mut() {
        v.clear();
    }
    values.resize_with(n, String::new);
}

/// Trims header names, names blank ones `column_N` and makes repeated ones
/// unique with `_2`, `_3`, ...
pub fn normalize_headers(raw: Vec<String>) -> Vec<String> {
    let trimmed: Vec<String> = raw
        .into_iter()
        .enumerate()
        .map(|(i, h)| {
            let t = h.trim_start_matches('\u{feff}').trim();
            if t.is_empty() {
                format!("column_{}", i + 1)
            } else {
                t.to_string()
            }
        })
        .collect();
    let mut seen: HashSet<String> = HashSet::with_capacity(trimmed.len());
    let mut out = Vec::with_capacity(trimmed.len());
    for name in trimmed {
        if seen.insert(name.clone()) {
            out.push(name);
            continue;
        }
        let mut k = 2u64;
        loop {
            let candidate = format!("{name}_{k}");
            if seen.insert(candidate.clone()) {
                out.push(candidate);
                break;
            }
            k += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_normalization() {
        let h = normalize_headers(
            ["\u{feff}Name", " City ", "", "Name", "Name", "Name_2", " "]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        );
        assert_eq!(
            h,
            [
                "Name", "City", "column_3", "Name_2", "Name_3", "Name_2_2", "column_7"
            ]
        );
    }

    #[test]
    fn formats() {
        assert_eq!(
            Format::from_path(Path::new("a.TSV")).ok(),
            Some(Format::Csv)
        );
        assert_eq!(
            Format::from_path(Path::new("a.ndjson")).ok(),
            Some(Format::Jsonl)
        );
        assert_eq!(
            Format::from_path(Path::new("a.xlsm")).ok(),
            Some(Format::Xlsx)
        );
        let e = Format::from_path(Path::new("a.parquet"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("'.parquet'") && e.contains(".csv") && e.contains(".jsonl"),
            "{e}"
        );
    }
}
