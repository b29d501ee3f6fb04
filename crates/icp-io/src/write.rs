//! Writers for CSV and JSONL output, and the lazily created rejects file.
//!
//! Rows are encoded by hand into a reused buffer and written whole, so a
//! row is never half written and no allocation happens per row.

use std::ffi::OsString;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use crate::read::Format;

const BUF_SIZE: usize = 256 * 1024;

/// Why output cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("cannot create {}: {source}; check that the directory exists and is writable", path.display())]
    Create {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "cannot write {}: unsupported output type {}; use .csv or .jsonl (spreadsheet output is not supported: write .csv and open it in Excel)",
        path.display(),
        if extension.is_empty() { "(no extension)".to_string() } else { format!("'.{extension}'") }
    )]
    UnsupportedFormat { path: PathBuf, extension: String },
    #[error("row has {got} values but {} has {expected} columns", path.display())]
    FieldCount {
        path: PathBuf,
        expected: usize,
        got: usize,
    },
}

/// A column's type in JSONL output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColumnKind {
    /// Written as a JSON string (the default).
    #[default]
    Text,
    /// Written as a JSON number when the value is one, `null` when empty,
    /// and as a string otherwise (e.g. a range "51-200").
    Number,
}

#[derive(Clone)]
enum Encoder {
    Csv,
    Jsonl {
        /// `"key":` for each column, escaped.
        keys: Vec<Vec<u8>>,
        kinds: Vec<ColumnKind>,
    },
}

/// Writes rows to a CSV (UTF-8, comma, `\n`) or JSONL file.
pub struct TableWriter {
    path: PathBuf,
    headers: Vec<String>,
    format: Format,
    out: BufWriter<File>,
    buf: Vec<u8>,
    csv: CsvScratch,
    encoder: Encoder,
}

impl std::fmt::Debug for TableWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableWriter")
            .field("path", &self.path)
            .field("format", &self.format)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

impl TableWriter {
    /// Creates (or truncates) `path`, choosing CSV or JSONL from its
    /// extension (`.csv`/`.tsv`/`.txt` or `.jsonl`/`.ndjson`/`.json`), and
    /// writes the CSV header line.
    pub fn create(path: &Path, headers: &[String]) -> Result<TableWriter, WriteError> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        match Format::from_extension(ext) {
            Some(f @ (Format::Csv | Format::Jsonl)) => TableWriter::create_as(path, f, headers),
            _ => Err(WriteError::UnsupportedFormat {
                path: path.to_path_buf(),
                extension: ext.to_string(),
            }),
        }
    }

    /// Like [`TableWriter::create`] with an explicit format.
    pub fn create_as(
        path: &Path,
        format: Format,
        headers: &[String],
    ) -> Result<TableWriter, WriteError> {
        let encoder = match format {
            Format::Csv => Encoder::Csv,
            Format::Jsonl => Encoder::Jsonl {
                keys: headers
                    .iter()
                    .map(|h| {
                        let mut k = Vec::with_capacity(h.len() + 3);
                        push_json_str(&mut k, h);
                        k.push(b':');
                        k
                    })
                    .collect(),
                kinds: vec![ColumnKind::Text; headers.len()],
            },
            Format::Xlsx => {
                let extension = path
                    .extension()
                    .and_then(|e| e.to_str())
                    .unwrap_or("")
                    .to_string();
                return Err(WriteError::UnsupportedFormat {
                    path: path.to_path_buf(),
                    extension,
                });
            }
        };
        let file = File::create(path).map_err(|source| WriteError::Create {
            path: path.to_path_buf(),
            source,
        })?;
        let mut w = TableWriter {
            path: path.to_path_buf(),
            headers: headers.to_vec(),
            format,
            out: BufWriter::with_capacity(BUF_SIZE, file),
            buf: Vec::with_capacity(1024),
            csv: CsvScratch::default(),
            encoder,
        };
        if format == Format::Csv {
            encode_csv_row(&mut w.buf, headers);
            w.flush_buf()?;
        }
        Ok(w)
    }

    /// The column names given to `create`.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The output format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The output path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Sets the JSONL kind of each column (missing entries stay `Text`).
    /// No effect on CSV.
    pub fn set_column_kinds(&mut self, column_kinds: &[ColumnKind]) {
        if let Encoder::Jsonl { kinds, .. } = &mut self.encoder {
            for (k, &new) in kinds.iter_mut().zip(column_kinds) {
                *k = new;
            }
        }
    }

    /// Marks the columns at these indexes as numbers in JSONL output
    /// (indexes out of range are ignored). No effect on CSV.
    pub fn set_numeric_columns(&mut self, columns: &[usize]) {
        if let Encoder::Jsonl { kinds, .. } = &mut self.encoder {
            for &i in columns {
                if let Some(k) = kinds.get_mut(i) {
                    *k = ColumnKind::Number;
                }
            }
        }
    }

    /// Writes one row: exactly one value per header, in header order.
    pub fn write_row<I>(&mut self, values: I) -> Result<(), WriteError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.buf.clear();
        let expected = self.headers.len();
        let got = match &self.encoder {
            Encoder::Csv => encode_csv_row_with(&mut self.buf, &mut self.csv, values),
            Encoder::Jsonl { keys, kinds } => encode_jsonl_row(&mut self.buf, keys, kinds, values),
        };
        if got != expected {
            self.buf.clear();
            return Err(WriteError::FieldCount {
                path: self.path.clone(),
                expected,
                got,
            });
        }
        self.flush_buf()
    }

    /// An encoder of this writer's rows, for encoding on other threads:
    /// [`RowEncoder::encode`] appends rows to a buffer that
    /// [`TableWriter::write_encoded`] writes. Take it after setting the
    /// column kinds.
    pub fn row_encoder(&self) -> RowEncoder {
        RowEncoder {
            path: self.path.clone(),
            expected: self.headers.len(),
            encoder: self.encoder.clone(),
            csv: CsvScratch::default(),
        }
    }

    /// Writes rows encoded by [`TableWriter::row_encoder`]'s encoder.
    pub fn write_encoded(&mut self, rows: &[u8]) -> Result<(), WriteError> {
        self.out.write_all(rows).map_err(|source| WriteError::Io {
            path: self.path.clone(),
            source,
        })
    }

    fn flush_buf(&mut self) -> Result<(), WriteError> {
        self.out
            .write_all(&self.buf)
            .map_err(|source| WriteError::Io {
                path: self.path.clone(),
                source,
            })
    }

    /// Flushes everything to the file.
    pub fn finish(mut self) -> Result<(), WriteError> {
        self.out.flush().map_err(|source| WriteError::Io {
            path: self.path.clone(),
            source,
        })
    }
}

/// Encodes rows the way a [`TableWriter`] writes them, into any buffer (see
/// [`TableWriter::row_encoder`]).
#[derive(Clone)]
pub struct RowEncoder {
    path: PathBuf,
    expected: usize,
    encoder: Encoder,
    csv: CsvScratch,
}

impl std::fmt::Debug for RowEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowEncoder")
            .field("path", &self.path)
            .field("expected", &self.expected)
            .finish_non_exhaustive()
    }
}

impl RowEncoder {
    /// Appends one row (exactly one value per header, in header order) to
    /// `out`; on a wrong number of values `out` is left as it was.
    pub fn encode<I>(&mut self, out: &mut Vec<u8>, values: I) -> Result<(), WriteError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let start = out.len();
        let got = match &self.encoder {
            Encoder::Csv => encode_csv_row_with(out, &mut self.csv, values),
            Encoder::Jsonl { keys, kinds } => encode_jsonl_row(out, keys, kinds, values),
        };
        self.check_count(out, start, got)
    }

    /// A row of the wrong width is taken back out of `out`.
    fn check_count(&self, out: &mut Vec<u8>, start: usize, got: usize) -> Result<(), WriteError> {
        if got != self.expected {
            out.truncate(start);
            return Err(WriteError::FieldCount {
                path: self.path.clone(),
                expected: self.expected,
                got,
            });
        }
        Ok(())
    }

    /// Like [`RowEncoder::encode`], with the first `leading` values given
    /// as `raw`: the bytes of a comma-separated record holding them (from
    /// [`crate::read::Cells::raw_csv`]), copied as they are. Only for CSV
    /// output; `false` (and nothing written) otherwise.
    pub fn encode_after_raw<I>(
        &mut self,
        out: &mut Vec<u8>,
        raw: &[u8],
        leading: usize,
        rest: I,
    ) -> Result<bool, WriteError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        if !matches!(self.encoder, Encoder::Csv) {
            return Ok(false);
        }
        let start = out.len();
        out.extend_from_slice(raw);
        out.push(b',');
        let got = leading + encode_csv_row_with(out, &mut self.csv, rest);
        self.check_count(out, start, got)?;
        Ok(true)
    }
}

/// Encodes a CSV record (with `\n`) and returns the number of fields.
fn encode_csv_row<I>(buf: &mut Vec<u8>, values: I) -> usize
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    encode_csv_row_with(buf, &mut CsvScratch::default(), values)
}

/// What [`encode_csv_row_with`] reuses between rows.
#[derive(Default, Clone)]
struct CsvScratch {
    /// Where each field ends in the row (relative to its start).
    ends: Vec<usize>,
    /// The fields that need quotes.
    dirty: Vec<bool>,
    /// The unquoted row, when some fields need quotes.
    copy: Vec<u8>,
}

/// [`encode_csv_row`]: the fields are copied as they are with a NUL byte as
/// a placeholder separator, the whole row is searched (SIMD, via memchr)
/// for the bytes that need quoting, which finds none in most rows, then the
/// separators become commas and the fields holding such bytes are quoted.
fn encode_csv_row_with<I>(buf: &mut Vec<u8>, scratch: &mut CsvScratch, values: I) -> usize
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    let start = buf.len();
    scratch.ends.clear();
    for v in values {
        if !scratch.ends.is_empty() {
            buf.push(0);
        }
        buf.extend_from_slice(v.as_ref().as_bytes());
        scratch.ends.push(buf.len() - start);
    }
    let n = scratch.ends.len();
    let CsvScratch { ends, dirty, .. } = &mut *scratch;
    let row = &mut buf[start..];
    dirty.clear();
    dirty.resize(n, false);
    let mut any = false;
    // Each hit is inside a field (the separators are NUL bytes for now):
    // mark the field and go on after it.
    let mut pos = 0;
    let mut k = 0;
    while let Some(i) = row
        .get(pos..)
        .and_then(|rest| memchr::memchr3(b',', b'"', b'\n', rest))
    {
        let p = pos + i;
        while ends[k] <= p {
            k += 1;
        }
        dirty[k] = true;
        any = true;
        pos = ends[k] + 1;
    }
    if memchr::memchr(b'\r', row).is_some() {
        let mut from = 0;
        for (k, &end) in ends.iter().enumerate() {
            if row[from..end].contains(&b'\r') {
                dirty[k] = true;
                any = true;
            }
            from = end + 1;
        }
    }
    for &end in &ends[..n.saturating_sub(1)] {
        row[end] = b',';
    }
    if any {
        quote_dirty_fields(buf, start, scratch);
    }
    if n == 1 && scratch.ends[0] == 0 {
        // A lone empty field would make a blank line, which readers skip.
        buf.extend_from_slice(b"\"\"");
    }
    buf.push(b'\n');
    n
}
/// Rewrites the row at `buf[start..]` (fields joined by commas, unquoted)
/// with the fields marked dirty quoted.
fn quote_dirty_fields(buf: &mut Vec<u8>, start: usize, scratch: &mut CsvScratch) {
    let CsvScratch { ends, dirty, copy } = scratch;
    copy.clear();
    copy.extend_from_slice(&buf[start..]);
    buf.truncate(start);
    let mut from = 0;
    let mut clean_from = 0;
    for (k, &end) in ends.iter().enumerate() {
        if dirty[k] {
            // The clean fields before this one (and their separators), at once.
            buf.extend_from_slice(&copy[clean_from..from]);
            push_quoted(buf, &copy[from..end]);
            clean_from = end;
        }
        from = end + 1;
    }
    buf.extend_from_slice(&copy[clean_from..]);
}

/// One field, quoted if it holds a comma, quote or line break.
fn push_csv_field(buf: &mut Vec<u8>, v: &str) {
    let bytes = v.as_bytes();
    if bytes
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        push_quoted(buf, bytes);
    } else {
        buf.extend_from_slice(bytes);
    }
}

fn push_quoted(buf: &mut Vec<u8>, bytes: &[u8]) {
    buf.push(b'"');
    let mut start = 0;
    for i in memchr::memchr_iter(b'"', bytes) {
        buf.extend_from_slice(&bytes[start..=i]);
        buf.push(b'"');
        start = i + 1;
    }
    buf.extend_from_slice(&bytes[start..]);
    buf.push(b'"');
}

fn encode_jsonl_row<I>(
    buf: &mut Vec<u8>,
    keys: &[Vec<u8>],
    kinds: &[ColumnKind],
    values: I,
) -> usize
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    buf.push(b'{');
    let mut n = 0;
    for v in values {
        let (Some(key), Some(kind)) = (keys.get(n), kinds.get(n)) else {
            n += 1;
            continue;
        };
        if n > 0 {
            buf.push(b',');
        }
        buf.extend_from_slice(key);
        let v = v.as_ref();
        match kind {
            ColumnKind::Number if v.trim().is_empty() => buf.extend_from_slice(b"null"),
            ColumnKind::Number if is_json_number(v.trim().as_bytes()) => {
                buf.extend_from_slice(v.trim().as_bytes())
            }
            _ => push_json_str(buf, v),
        }
        n += 1;
    }
    buf.extend_from_slice(b"}\n");
    n
}

/// Appends `s` as a JSON string literal.
pub(crate) fn push_json_str(buf: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    buf.push(b'"');
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => b"",
            _ => continue,
        };
        buf.extend_from_slice(&bytes[start..i]);
        if short.is_empty() {
            buf.extend_from_slice(b"\\u00");
            buf.push(HEX[usize::from(b >> 4)]);
            buf.push(HEX[usize::from(b & 0xf)]);
        } else {
            buf.extend_from_slice(short);
        }
        start = i + 1;
    }
    buf.extend_from_slice(&bytes[start..]);
    buf.push(b'"');
}

/// Whether `s` is a number in JSON's grammar.
fn is_json_number(s: &[u8]) -> bool {
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while s.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    if s.get(i) == Some(&b'-') {
        i += 1;
    }
    match s.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if s.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(s.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == s.len()
}

/// `OUT.rejects.csv` beside `out`: `scored.csv` and `scored.jsonl` both give
/// `scored.rejects.csv`.
pub fn rejects_path_for(out: &Path) -> PathBuf {
    let mut name: OsString = out
        .file_stem()
        .map_or_else(|| OsString::from("output"), |s| s.to_os_string());
    name.push(".rejects.csv");
    out.with_file_name(name)
}

/// Writes rejected rows to a CSV file with the original columns plus
/// `line`, `reason` and `extra` (values past the original columns, as one
/// CSV text, so every row has the header's columns). The file is created
/// on the first rejected row only.
pub struct RejectsWriter {
    path: PathBuf,
    /// The original columns.
    ncols: usize,
    header_line: Vec<u8>,
    out: Option<BufWriter<File>>,
    buf: Vec<u8>,
    /// The values past the original columns, as CSV.
    extra: Vec<u8>,
    count: u64,
}

impl std::fmt::Debug for RejectsWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RejectsWriter")
            .field("path", &self.path)
            .field("count", &self.count)
            .finish_non_exhaustive()
    }
}

impl RejectsWriter {
    /// A writer for `path` and the input's `headers`. Nothing is created yet.
    /// The added columns are named `line`, `reason` and `extra` (`line_2`,
    /// ... if the input has such columns already).
    pub fn new(path: impl Into<PathBuf>, headers: &[String]) -> RejectsWriter {
        let mut all: Vec<String> = headers.to_vec();
        all.extend(["line", "reason", "extra"].map(String::from));
        let all = crate::read::normalize_headers(all);
        let mut header_line = Vec::new();
        encode_csv_row(&mut header_line, &all);
        RejectsWriter {
            path: path.into(),
            ncols: headers.len(),
            header_line,
            out: None,
            buf: Vec::new(),
            extra: Vec::new(),
            count: 0,
        }
    }

    /// A writer for [`rejects_path_for`]`(output)`.
    pub fn for_output(output: &Path, headers: &[String]) -> RejectsWriter {
        RejectsWriter::new(rejects_path_for(output), headers)
    }

    /// Where the rejects go.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Rows written so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Writes one rejected row: its original values (padded with empty ones
    /// if short), its line, the reason, and the values beyond the original
    /// columns (as one CSV text in `extra`, so nothing is lost).
    pub fn write<I>(&mut self, line: u64, reason: &str, values: I) -> Result<(), WriteError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        if self.out.is_none() {
            let file = File::create(&self.path).map_err(|source| WriteError::Create {
                path: self.path.clone(),
                source,
            })?;
            let mut out = BufWriter::with_capacity(64 * 1024, file);
            out.write_all(&self.header_line)
                .map_err(|source| WriteError::Io {
                    path: self.path.clone(),
                    source,
                })?;
            self.out = Some(out);
        }
        let mut line_buf = [0u8; 20];
        let line_text = format_u64(line, &mut line_buf);
        let (buf, extra) = (&mut self.buf, &mut self.extra);
        buf.clear();
        extra.clear();
        let mut n = 0;
        for v in values {
            let (to, first) = if n < self.ncols {
                (&mut *buf, n == 0)
            } else {
                (&mut *extra, n == self.ncols)
            };
            if !first {
                to.push(b',');
            }
            push_csv_field(to, v.as_ref());
            n += 1;
        }
        for k in n..self.ncols {
            if k > 0 {
                buf.push(b',');
            }
        }
        if self.ncols > 0 {
            buf.push(b',');
        }
        buf.extend_from_slice(line_text);
        buf.push(b',');
        push_csv_field(buf, reason);
        buf.push(b',');
        // The extra values' CSV is valid UTF-8: it was made from strings.
        push_csv_field(buf, std::str::from_utf8(extra).unwrap_or_default());
        buf.push(b'\n');
        self.count += 1;
        match &mut self.out {
            Some(out) => out.write_all(buf).map_err(|source| WriteError::Io {
                path: self.path.clone(),
                source,
            }),
            None => Ok(()),
        }
    }

    /// Flushes the file. Returns its path if any row was rejected. When none
    /// was, no file is created, and a rejects file left at the same path by
    /// an earlier run over the same columns is removed.
    pub fn finish(self) -> Result<Option<PathBuf>, WriteError> {
        match self.out {
            Some(mut out) => {
                out.flush().map_err(|source| WriteError::Io {
                    path: self.path.clone(),
                    source,
                })?;
                Ok(Some(self.path))
            }
            None => {
                if is_stale_rejects(&self.path, &self.header_line) {
                    std::fs::remove_file(&self.path).map_err(|source| WriteError::Io {
                        path: self.path.clone(),
                        source,
                    })?;
                }
                Ok(None)
            }
        }
    }
}

/// Appends the `line` and `reason` fields after `n` fields.
fn is_stale_rejects(path: &Path, header_line: &[u8]) -> bool {
    let Ok(file) = File::open(path) else {
        return false;
    };
    let mut first = Vec::new();
    let mut rdr = BufReader::new(file).take(header_line.len() as u64 + 1);
    match rdr.read_until(b'\n', &mut first) {
        Ok(_) => first == header_line,
        Err(_) => false,
    }
}

fn format_u64(mut v: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    &buf[i..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_numbers() {
        for ok in ["0", "-1", "1200", "1.5", "1e3", "-0.5E-2"] {
            assert!(is_json_number(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "", "-", "01", "1.", ".5", "1e", "NaN", "inf", "1,200", "51-200", "+1", " 1",
        ] {
            assert!(!is_json_number(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn json_strings() {
        let mut b = Vec::new();
        push_json_str(&mut b, "a\"b\\c\nd\u{1}é");
        assert_eq!(String::from_utf8(b).unwrap(), r#""a\"b\\c\nd\u0001é""#);
    }

    #[test]
    fn csv_fields() {
        let mut b = Vec::new();
        encode_csv_row(&mut b, ["a", "b,c", "say \"hi\"", "x\ny", ""]);
        assert_eq!(b, b"a,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\",\n");
        b.clear();
        encode_csv_row(&mut b, [""]);
        assert_eq!(b, b"\"\"\n");
    }

    /// The row-at-once encoder quotes exactly the fields a field-by-field
    /// encoder quotes, wherever the special bytes are.
    #[test]
    fn quoting_found_at_every_position() {
        fn naive(values: &[String]) -> Vec<u8> {
            let mut out = Vec::new();
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                if v.contains([',', '"', '\n', '\r']) {
                    out.push(b'"');
                    out.extend_from_slice(v.replace('"', "\"\"").as_bytes());
                    out.push(b'"');
                } else {
                    out.extend_from_slice(v.as_bytes());
                }
            }
            if values.len() == 1 && values[0].is_empty() {
                out.extend_from_slice(b"\"\"");
            }
            out.push(b'\n');
            out
        }
        let mut scratch = CsvScratch::default();
        let mut buf = b"prefix".to_vec();
        for len in 0..40 {
            for at in 0..len {
                for special in [",", "\"", "\n", "\r", ",,", "\"\"", "é"] {
                    for fields in 1..4 {
                        let mut v: Vec<String> =
                            (0..fields).map(|f| "ab".repeat(f + len / 2)).collect();
                        let f = at % fields;
                        let cut = at.min(v[f].len());
                        v[f].insert_str(cut, special);
                        if len % 3 == 0 {
                            v.push(String::new());
                        }
                        buf.truncate(6);
                        let n = encode_csv_row_with(&mut buf, &mut scratch, &v);
                        assert_eq!(n, v.len());
                        assert_eq!(&buf[..6], b"prefix");
                        assert_eq!(buf[6..], naive(&v)[..], "{v:?}");
                    }
                }
            }
        }
        for v in [
            vec![String::new()],
            vec![String::new(), String::new()],
            vec![",".to_string()],
        ] {
            buf.clear();
            encode_csv_row_with(&mut buf, &mut scratch, &v);
            assert_eq!(buf, naive(&v), "{v:?}");
        }
    }

    #[test]
    fn numbers_formatted() {
        let mut b = [0u8; 20];
        assert_eq!(format_u64(0, &mut b), b"0");
        assert_eq!(format_u64(u64::MAX, &mut b), b"18446744073709551615");
    }

    #[test]
    fn rejects_paths() {
        assert_eq!(
            rejects_path_for(Path::new("out/scored.csv")),
            Path::new("out/scored.rejects.csv")
        );
        assert_eq!(
            rejects_path_for(Path::new("scored.jsonl")),
            Path::new("scored.rejects.csv")
        );
        assert_eq!(
            rejects_path_for(Path::new("scored")),
            Path::new("scored.rejects.csv")
        );
    }
}
