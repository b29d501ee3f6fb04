//! Delimited text (CSV, TSV, semicolon files) with sniffed encoding and
//! delimiter.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use encoding_rs::{Encoding, UTF_8};
use encoding_rs_io::{DecodeReaderBytes, DecodeReaderBytesBuilder};

use super::chunks::{ChunkParser, CsvChunks};
use super::sniff;
use super::{OpenError, ReadOptions, Row, RowError, reset_values};

enum Input {
    File(File),
    Transcoded(DecodeReaderBytes<File, Vec<u8>>),
}

/// Remembers where the line breaks are in the bytes handed to the CSV
/// parser, so that a record's first line can be found exactly: csv skips
/// blank lines (and the LF of a CRLF) before a record without counting
/// them in its position.
struct LineTracker {
    inner: Input,
    /// Stream offset of the next byte read.
    offset: u64,
    /// Offsets of the `\n` and `\r` bytes read and not yet released, with
    /// whether each is a `\n`.
    breaks: VecDeque<(u64, bool)>,
    /// The bytes read and not yet released (from the start of the record
    /// being read), for checking its quoting.
    raw: Vec<u8>,
    /// Stream offset of `raw[0]`.
    raw_start: u64,
}

impl Read for LineTracker {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let chunk = buf.get(..n).unwrap_or_default();
        self.breaks.extend(
            memchr::memchr2_iter(b'\n', b'\r', chunk)
                .map(|i| (self.offset + i as u64, chunk[i] == b'\n')),
        );
        self.raw.extend_from_slice(chunk);
        self.offset += n as u64;
        Ok(n)
    }
}

impl LineTracker {
    /// Forgets line breaks before `offset`.
    fn release(&mut self, offset: u64) {
        while self.breaks.front().is_some_and(|&(o, _)| o < offset) {
            self.breaks.pop_front();
        }
        let done = usize::try_from(offset.saturating_sub(self.raw_start))
            .unwrap_or(usize::MAX)
            .min(self.raw.len());
        self.raw.drain(..done);
        self.raw_start += done as u64;
    }

    /// The bytes from `from` to `to` (stream offsets), if still held.
    fn bytes(&self, from: u64, to: u64) -> &[u8] {
        let at = |o: u64| usize::try_from(o.saturating_sub(self.raw_start)).unwrap_or(usize::MAX);
        self.raw.get(at(from)..at(to)).unwrap_or_default()
    }

    /// The `\n` bytes in the run of line breaks starting at `offset`
    /// (released up to there).
    fn newlines_in_run(&self, offset: u64) -> u64 {
        let mut n = 0;
        for (at, &(o, lf)) in (offset..).zip(&self.breaks) {
            if o != at {
                break;
            }
            n += u64::from(lf);
        }
        n
    }
}

impl Read for Input {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Input::File(f) => f.read(buf),
            Input::Transcoded(t) => t.read(buf),
        }
    }
}

#[derive(Clone, Copy)]
pub(crate) enum Decode {
    /// The bytes are meant to be UTF-8; invalid bytes are a row error.
    Utf8,
    /// An ASCII-compatible single-byte (or legacy) encoding, decoded per field.
    Other(&'static Encoding),
}

pub(crate) struct CsvSource {
    rdr: csv::Reader<LineTracker>,
    rec: csv::ByteRecord,
    decode: Decode,
    encoding: &'static Encoding,
    delimiter: u8,
    /// Where the text starts in the file (after a byte order mark).
    start: u64,
}

impl CsvSource {
    pub(crate) fn open(
        path: &Path,
        opts: &ReadOptions,
    ) -> Result<(CsvSource, Vec<String>), OpenError> {
        let io = |e| OpenError::io(path, e);
        let mut file = File::open(path).map_err(io)?;
        let (sample, eof) = sniff::read_sample(&mut file).map_err(io)?;
        let (encoding, bom_len) = match (sniff::bom(&sample), opts.encoding) {
            (Some((enc, len)), _) => (enc, len),
            (None, Some(enc)) => (enc, 0),
            (None, None) => (
                sniff::detect_encoding(&sample, eof, &mut file).map_err(io)?,
                0,
            ),
        };
        let transcode = !encoding.is_ascii_compatible();
        let text = if transcode {
            let (text, _) = encoding.decode_without_bom_handling(&sample[bom_len..]);
            std::borrow::Cow::Owned(text.into_owned().into_bytes())
        } else {
            std::borrow::Cow::Borrowed(&sample[bom_len..])
        };
        let sep_line = sniff::excel_sep(&text);
        let delimiter = match (opts.delimiter, sep_line) {
            (Some(d), _) | (None, Some(d)) => d,
            (None, None) if has_extension(path, "tsv") => b'\t',
            (None, None) => sniff::sniff_delimiter(&text, eof),
        };
        let input = if transcode {
            file.seek(SeekFrom::Start(0)).map_err(io)?;
            let t = DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding))
                .bom_override(true)
                .build(file);
            Input::Transcoded(t)
        } else {
            file.seek(SeekFrom::Start(bom_len as u64)).map_err(io)?;
            Input::File(file)
        };
        let decode = if transcode || encoding == UTF_8 {
            Decode::Utf8
        } else {
            Decode::Other(encoding)
        };
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(64 * 1024)
            .from_reader(LineTracker {
                inner: input,
                offset: 0,
                breaks: VecDeque::new(),
                raw: Vec::new(),
                raw_start: 0,
            });
        let mut rec = csv::ByteRecord::new();
        if sep_line.is_some() {
            // Excel's `sep=;` line is not the header: the next line is.
            read_record(&mut rdr, &mut rec).map_err(|e| io(std::io::Error::other(e)))?;
        }
        match read_record(&mut rdr, &mut rec) {
            Ok(Some(_)) => {}
            Ok(None) => {
                return Err(OpenError::Empty {
                    path: path.to_path_buf(),
                });
            }
            Err(e) => return Err(io(std::io::Error::other(e))),
        }
        let mut headers = Vec::with_capacity(rec.len());
        for field in rec.iter() {
            headers.push(match decode {
                Decode::Utf8 => String::from_utf8_lossy(field).into_owned(),
                Decode::Other(enc) => {
                    let mut s = String::new();
                    decode_into(enc, field, &mut s);
                    s
                }
            });
        }
        let src = CsvSource {
            rdr,
            rec,
            decode,
            encoding,
            delimiter,
            start: if transcode { 0 } else { bom_len as u64 },
        };
        Ok((src, headers))
    }

    pub(crate) fn delimiter(&self) -> u8 {
        self.delimiter
    }

    pub(crate) fn encoding_name(&self) -> &'static str {
        self.encoding.name()
    }

    pub(crate) fn read_row(
        &mut self,
        row: &mut Row,
        n: usize,
        headers: &[String],
    ) -> Result<bool, RowError> {
        loop {
            let before = self.rdr.position().byte();
            match read_record(&mut self.rdr, &mut self.rec) {
                Ok(Some(line)) => row.line = line,
                Ok(None) => return Ok(false),
                Err(e) => {
                    let line = self.rdr.position().line();
                    return Err(RowError::fatal(
                        line,
                        format!("cannot read the rest of the file: {e}"),
                    ));
                }
            }
            // A row whose fields are all empty (",,,,") carries nothing.
            if self.rec.as_slice().is_empty() {
                continue;
            }
            let after = self.rdr.position().byte();
            let raw = self.rdr.get_ref().bytes(before, after);
            let problem = quoting_problem(record_bytes(raw), self.delimiter, row.line);
            return fill_values(
                &self.rec,
                row,
                n,
                headers,
                self.decode,
                self.delimiter,
                problem,
            );
        }
    }

    /// The rest of the file as blocks of whole records for parsing on
    /// several threads, when the file is read without transcoding; else
    /// `self` back.
    pub(crate) fn into_chunks(
        self: Box<Self>,
        path: &Path,
        headers: Vec<String>,
    ) -> Result<(CsvChunks, ChunkParser), Box<CsvSource>> {
        if !matches!(self.rdr.get_ref().inner, Input::File(_)) {
            return Err(self);
        }
        // Go on from where the parser stands: just after the header.
        let pos = self.rdr.position();
        let offset = self.start + pos.byte();
        let file = File::open(path).and_then(|mut f| f.seek(SeekFrom::Start(offset)).map(|_| f));
        match file {
            Ok(file) => Ok((
                CsvChunks::new(file, self.delimiter, pos.line()),
                ChunkParser::new(self.delimiter, self.decode, headers),
            )),
            Err(_) => Err(self),
        }
    }
}

/// Whether a record has more fields than the header, some not empty.
pub(crate) fn too_many_fields(rec: &csv::ByteRecord, n: usize) -> bool {
    rec.len() > n && rec.iter().skip(n).any(|f| !f.is_empty())
}

/// Whether a record is a lone value on a line of a file of three or more
/// columns: a report's title or footer (Salesforce ends its exports with
/// "Grand Totals (12 records)" and copyright lines), not an account.
pub(crate) fn lone_value(rec: &csv::ByteRecord, n: usize) -> bool {
    n >= 3 && rec.len() == 1
}

/// Whether a record must go through [`fill_values`], which reports it.
pub(crate) fn misshapen(rec: &csv::ByteRecord, n: usize) -> bool {
    too_many_fields(rec, n) || lone_value(rec, n)
}

/// A record's bytes without the blank lines before it and the line
/// breaks after it.
pub(crate) fn record_bytes(raw: &[u8]) -> &[u8] {
    let is_break = |b: &u8| matches!(b, b'\n' | b'\r');
    let start = raw.iter().position(|b| !is_break(b)).unwrap_or(raw.len());
    let end = raw
        .iter()
        .rposition(|b| !is_break(b))
        .map_or(start, |i| i + 1);
    &raw[start..end.max(start)]
}

/// What is wrong with the quoting of a record (its bytes in the file,
/// starting on `line`): a quoted value that closes and goes on (`"Acme"
/// Labs`, or a stray quote that took the next lines in), or one that never
/// closes. Both mean a quote is missing or stray, and the record's values
/// are not what the file meant.
pub(crate) fn quoting_problem(raw: &[u8], delimiter: u8, line: u64) -> Option<String> {
    let place = |at: usize| {
        let before = &raw[..at];
        let l = line + memchr::memchr_iter(b'\n', before).count() as u64;
        let col = at - memchr::memrchr(b'\n', before).map_or(0, |i| i + 1) + 1;
        (l, col)
    };
    let (mut pos, mut open) = (0, None);
    while let Some(i) = memchr::memchr(b'"', &raw[pos..]) {
        let q = pos + i;
        pos = q + 1;
        let Some(start) = open else {
            // A quote opens a value only at its start.
            if q == 0 || raw[q - 1] == delimiter || matches!(raw[q - 1], b'\n' | b'\r') {
                open = Some(q);
            }
            continue;
        };
        match raw.get(q + 1) {
            Some(b'"') => pos = q + 2,
            Some(&b) if b != delimiter && !matches!(b, b'\n' | b'\r') => {
                let ((l0, c0), (l1, _)) = (place(start), place(q));
                let lines = if l1 > l0 {
                    format!(" (lines {l0} to {l1} were read into it)")
                } else {
                    String::new()
                };
                return Some(format!(
                    "the quoted value opened at line {l0}, column {c0} closes and goes on{lines}: a quote is missing or stray; quote the whole value and double the quotes inside it (\"\")"
                ));
            }
            _ => open = None,
        }
    }
    open.map(|start| {
        let (l0, c0) = place(start);
        format!(
            "the quoted value opened at line {l0}, column {c0} never closes: the rest of the file was read into it; add the closing quote"
        )
    })
}

/// Copies `rec` into `row.values` (exactly `n` values unless it has too
/// many fields); a bad record (or one with a `quoting` problem) is an error
/// for `row.line`, with what could be read left in `row`.
pub(crate) fn fill_values(
    rec: &csv::ByteRecord,
    row: &mut Row,
    n: usize,
    headers: &[String],
    decode: Decode,
    delimiter: u8,
    quoting: Option<String>,
) -> Result<bool, RowError> {
    let nf = rec.len();
    // Extra fields that are all empty (a trailing delimiter) lose nothing.
    let too_many = too_many_fields(rec, n);
    let target = if too_many { nf } else { n };
    let k = nf.min(target);
    reset_values(&mut row.values, target);
    let mut bad_column: Option<usize> = None;
    match decode {
        Decode::Utf8 => {
            let whole = std::str::from_utf8(rec.as_slice()).ok();
            for (i, value) in row.values.iter_mut().enumerate().take(k) {
                let text = whole.and_then(|w| rec.range(i).and_then(|r| w.get(r)));
                match text {
                    Some(s) => value.push_str(s),
                    None => {
                        let field = rec.get(i).unwrap_or_default();
                        match std::str::from_utf8(field) {
                            Ok(s) => value.push_str(s),
                            Err(_) => {
                                value.push_str(&String::from_utf8_lossy(field));
                                bad_column.get_or_insert(i);
                            }
                        }
                    }
                }
            }
        }
        Decode::Other(enc) => {
            for (value, field) in row.values.iter_mut().zip(rec.iter()) {
                decode_into(enc, field, value);
            }
        }
    }
    let mut reasons: Vec<String> = quoting.into_iter().collect();
    if lone_value(rec, n) {
        reasons.push(super::lone_value_reason(n));
    }
    if too_many {
        reasons.push(format!(
            "row has {nf} fields but the header has {n}; check for an unquoted delimiter ({}) in a value",
            delimiter_name(delimiter)
        ));
    }
    if let Some(i) = bad_column {
        let column = headers
            .get(i)
            .map_or_else(|| format!("column {}", i + 1), |h| format!("column '{h}'"));
        reasons.push(format!(
            "invalid UTF-8 in {column}; the file was read as UTF-8: fix this value, or give the file's encoding (e.g. windows-1252) if it is not UTF-8"
        ));
    }
    if reasons.is_empty() {
        Ok(true)
    } else {
        Err(RowError::new(row.line, reasons.join("; ")))
    }
}

/// Reads one record; returns the physical line where it starts.
fn read_record(
    rdr: &mut csv::Reader<LineTracker>,
    rec: &mut csv::ByteRecord,
) -> csv::Result<Option<u64>> {
    let before = rdr.position().clone();
    rdr.get_mut().release(before.byte());
    if !rdr.read_byte_record(rec)? {
        return Ok(None);
    }
    // The record starts after the line breaks at `before`, which csv
    // skipped as blank lines.
    Ok(Some(
        before.line() + rdr.get_ref().newlines_in_run(before.byte()),
    ))
}

/// Windows-1252 bytes 0x80..=0x9f (the rest is Latin-1), as encoding_rs
/// (WHATWG) maps them.
const WINDOWS_1252_80_9F: [char; 32] = [
    '\u{20ac}', '\u{81}', '\u{201a}', '\u{192}', '\u{201e}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{2c6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8d}', '\u{17d}', '\u{8f}',
    '\u{90}', '\u{2018}', '\u{2019}', '\u{201c}', '\u{201d}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{2dc}', '\u{2122}', '\u{161}', '\u{203a}', '\u{153}', '\u{9d}', '\u{17e}', '\u{178}',
];

/// Decodes `field` (an ASCII-compatible encoding) onto the end of `out`
/// without allocating.
fn decode_into(enc: &'static Encoding, field: &[u8], out: &mut String) {
    if field.is_ascii()
        && let Ok(s) = std::str::from_utf8(field)
    {
        out.push_str(s);
        return;
    }
    if enc == encoding_rs::WINDOWS_1252 {
        out.reserve(field.len() * 2);
        for &b in field {
            out.push(match b {
                0x80..=0x9f => WINDOWS_1252_80_9F[usize::from(b - 0x80)],
                _ => char::from(b),
            });
        }
        return;
    }
    let mut decoder = enc.new_decoder_without_bom_handling();
    out.reserve(
        decoder
            .max_utf8_buffer_length(field.len())
            .unwrap_or(field.len() * 3),
    );
    let (_, _, _) = decoder.decode_to_string(field, out, true);
}

fn has_extension(path: &Path, ext: &str) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

fn delimiter_name(d: u8) -> String {
    match d {
        b'\t' => "tab".to_string(),
        b',' => "','".to_string(),
        b';' => "';'".to_string(),
        b'|' => "'|'".to_string(),
        d if d.is_ascii_graphic() => format!("'{}'", d as char),
        d => format!("byte 0x{d:02x}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_table_matches_encoding_rs() {
        let all: Vec<u8> = (0..=255).collect();
        let mut ours = String::new();
        decode_into(encoding_rs::WINDOWS_1252, &all, &mut ours);
        let (theirs, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&all);
        assert_eq!(ours, theirs);
        // Another single-byte encoding goes through encoding_rs.
        let mut latin2 = String::new();
        decode_into(encoding_rs::ISO_8859_2, b"\xa3\xf3d\xbc", &mut latin2);
        assert_eq!(latin2, "Łódź");
    }
}
