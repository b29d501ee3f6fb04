//! A delimited file cut into blocks of whole records, so that several
//! threads can parse it at once.
//!
//! Finding where a record ends needs only the quoting state, not a full
//! parse: [`CsvChunks`] follows it with SIMD searches for quotes and line
//! breaks (a few hundred instructions per row instead of a parse), and cuts
//! after a line break outside quotes. Each block then parses on its own
//! with [`ChunkParser`], from the same start state as the sequential reader
//! would be in there, so rows, values, line numbers and errors are exactly
//! those of [`super::TableReader::read_row`].

use std::fs::File;

use super::delimited::{Decode, fill_values, misshapen, quoting_problem, record_bytes};
use super::sniff::read_full;
use super::{Row, RowError};

/// Bytes read from the file at a time; a block holds the whole records
/// among them (about a thousand typical CRM rows).
const BLOCK: usize = 256 * 1024;

/// Cuts a delimited file into blocks that end at record boundaries.
pub struct CsvChunks {
    file: File,
    delimiter: u8,
    /// Bytes read after the last block handed out (part of a record).
    carry: Vec<u8>,
    /// Quoting state at the end of `carry`, and how much of it is scanned.
    scan: Scan,
    /// Line of the first byte of `carry` (1-based).
    line: u64,
    eof: bool,
    block: usize,
}

/// Where the boundary search stands in the bytes not handed out yet.
#[derive(Clone, Copy, Default)]
struct Scan {
    /// Bytes before this have been scanned.
    pos: usize,
    in_quotes: bool,
}

impl CsvChunks {
    /// `file` is positioned at the first byte after the header record;
    /// `line` is the line that byte is on.
    pub(crate) fn new(file: File, delimiter: u8, line: u64) -> CsvChunks {
        CsvChunks {
            file,
            delimiter,
            carry: Vec::new(),
            scan: Scan::default(),
            line,
            eof: false,
            block: BLOCK,
        }
    }

    /// The line the next block starts on.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Reads the next block of whole records into `data` (cleared first)
    /// and returns the line of its first byte, or `None` at the end of the
    /// file.
    pub fn next_chunk(&mut self, data: &mut Vec<u8>) -> std::io::Result<Option<u64>> {
        data.clear();
        data.append(&mut self.carry);
        loop {
            if !self.eof {
                let old = data.len();
                data.resize(old + self.block, 0);
                let n = read_full(&mut self.file, &mut data[old..])?;
                data.truncate(old + n);
                self.eof = n == 0;
            }
            let end = match self.find_boundary(data) {
                Some(end) => end,
                None if self.eof => data.len(),
                // A record longer than a block (or an open quote): read on.
                None => continue,
            };
            if end == 0 {
                return Ok(None);
            }
            self.carry.extend_from_slice(&data[end..]);
            data.truncate(end);
            self.scan.pos -= end;
            let first = self.line;
            self.line += memchr::memchr_iter(b'\n', data).count() as u64;
            return Ok(Some(first));
        }
    }

    /// The end of the last complete record in `data` (after its line
    /// break), continuing the scan where it stopped; `None` if no record
    /// ends there.
    ///
    /// Follows the quoting rules of the `csv` crate's defaults: a quote
    /// opens a quoted field only at the start of a field, `""` inside one
    /// is a quote, and anywhere else a quote is an ordinary character; a
    /// record ends at `\n`, `\r` or `\r\n` outside quotes.
    fn find_boundary(&mut self, data: &[u8]) -> Option<usize> {
        let mut last = None;
        let Scan {
            mut pos,
            mut in_quotes,
        } = self.scan;
        while pos < data.len() {
            if in_quotes {
                let Some(q) = memchr::memchr(b'"', &data[pos..]) else {
                    pos = data.len();
                    break;
                };
                let q = pos + q;
                match data.get(q + 1) {
                    Some(b'"') => pos = q + 2,
                    Some(_) => {
                        in_quotes = false;
                        pos = q + 1;
                    }
                    // Closing or escaped: the next byte decides.
                    None if !self.eof => {
                        pos = q;
                        break;
                    }
                    None => pos = q + 1,
                }
                continue;
            }
            let Some(i) = memchr::memchr3(b'"', b'\n', b'\r', &data[pos..]) else {
                pos = data.len();
                break;
            };
            let p = pos + i;
            match data[p] {
                b'"' => {
                    let field_start = p == 0
                        || matches!(data[p - 1], b'\n' | b'\r')
                        || data[p - 1] == self.delimiter;
                    in_quotes = field_start;
                    pos = p + 1;
                }
                b'\n' => {
                    pos = p + 1;
                    last = Some(pos);
                }
                _ => match data.get(p + 1) {
                    Some(b'\n') => {
                        pos = p + 2;
                        last = Some(pos);
                    }
                    Some(_) => {
                        pos = p + 1;
                        last = Some(pos);
                    }
                    // A CR at the end: wait for the byte after it.
                    None if !self.eof => {
                        pos = p;
                        break;
                    }
                    None => {
                        pos = p + 1;
                        last = Some(pos);
                    }
                },
            }
        }
        self.scan = Scan { pos, in_quotes };
        last
    }

    #[cfg(test)]
    fn with_block(mut self, block: usize) -> CsvChunks {
        self.block = block;
        self
    }
}

/// Parses blocks from [`CsvChunks`]; one per thread.
#[derive(Clone)]
pub struct ChunkParser {
    delimiter: u8,
    decode: Decode,
    headers: Vec<String>,
    rec: csv::ByteRecord,
}

/// One record of a block.
pub enum ChunkRecord<'a> {
    /// A good record: its cells, and its bytes when they can be copied to a
    /// comma-separated output as they are.
    Row(Cells<'a>),
    /// A bad record, as [`super::TableReader::read_row`] reports it; the row
    /// holds what could be read, for a rejects file.
    Bad(RowError, &'a Row),
}

/// The cells of a good record (one per header; missing ones are empty).
pub struct Cells<'a> {
    pub line: u64,
    inner: Inner<'a>,
    n: usize,
}

enum Inner<'a> {
    /// UTF-8 text: slices of the record, and its bytes in the file when
    /// they can be copied to a comma-separated output as they are.
    Record {
        text: &'a str,
        rec: &'a csv::ByteRecord,
        raw: Option<&'a [u8]>,
    },
    /// Decoded from another encoding.
    Decoded(&'a [String]),
}

impl<'a> Cells<'a> {
    /// The cell of column `i` ("" past the record's end).
    #[inline]
    pub fn get(&self, i: usize) -> &'a str {
        match self.inner {
            Inner::Record { text, rec, .. } => {
                rec.range(i).and_then(|r| text.get(r)).unwrap_or_default()
            }
            Inner::Decoded(values) => values.get(i).map_or("", String::as_str),
        }
    }

    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a str> + '_ {
        (0..self.n).map(|i| self.get(i))
    }

    /// The record's bytes as they are in the file (without its line
    /// break), when they are comma-separated UTF-8 with one field per
    /// header and no quoted field left open: writing them unchanged gives
    /// the same values as writing the cells.
    pub fn raw_csv(&self) -> Option<&'a [u8]> {
        match self.inner {
            Inner::Record { raw, .. } => raw,
            Inner::Decoded(_) => None,
        }
    }
}

impl ChunkParser {
    pub(crate) fn new(delimiter: u8, decode: Decode, headers: Vec<String>) -> ChunkParser {
        ChunkParser {
            delimiter,
            decode,
            headers,
            rec: csv::ByteRecord::new(),
        }
    }

    /// Parses `data` (a block from [`CsvChunks::next_chunk`] whose first
    /// byte is on `first_line`), calling `each` for every record; `row` is
    /// scratch space for bad records.
    pub fn parse(
        &mut self,
        data: &[u8],
        first_line: u64,
        row: &mut Row,
        mut each: impl FnMut(ChunkRecord<'_>),
    ) {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(self.delimiter)
            .from_reader(data);
        let n = self.headers.len();
        let (mut line, mut counted) = (first_line, 0usize);
        loop {
            // Line breaks before the record are blank lines (or the LF of
            // a CRLF): its first line is after them.
            let before = rdr.position().byte() as usize;
            let start = before
                + data[before..]
                    .iter()
                    .position(|b| !matches!(b, b'\n' | b'\r'))
                    .unwrap_or(data.len() - before);
            match rdr.read_byte_record(&mut self.rec) {
                Ok(true) => {}
                // Reading from memory cannot fail.
                Ok(false) | Err(_) => return,
            }
            line += memchr::memchr_iter(b'\n', &data[counted..start]).count() as u64;
            counted = start;
            if self.rec.as_slice().is_empty() {
                continue;
            }
            let text = match self.decode {
                Decode::Utf8 => std::str::from_utf8(self.rec.as_slice()).ok(),
                Decode::Other(_) => None,
            };
            let after = rdr.position().byte() as usize;
            let problem = quoting_problem(record_bytes(&data[start..after]), self.delimiter, line);
            match text {
                Some(text) if problem.is_none() && !misshapen(&self.rec, n) => {
                    let ended = after > start && matches!(data[after - 1], b'\n' | b'\r');
                    let raw = &data[start..if ended { after - 1 } else { after }];
                    // No quoting problem: no quoted value is left open.
                    let copyable = self.delimiter == b',' && self.rec.len() == n && !raw.is_empty();
                    each(ChunkRecord::Row(Cells {
                        line,
                        inner: Inner::Record {
                            text,
                            rec: &self.rec,
                            raw: copyable.then_some(raw),
                        },
                        n,
                    }))
                }
                _ => {
                    row.line = line;
                    match fill_values(
                        &self.rec,
                        row,
                        n,
                        &self.headers,
                        self.decode,
                        self.delimiter,
                        problem,
                    ) {
                        Ok(_) => each(ChunkRecord::Row(Cells {
                            line,
                            inner: Inner::Decoded(&row.values),
                            n,
                        })),
                        Err(e) => each(ChunkRecord::Bad(e, row)),
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use proptest::prelude::*;

    use super::*;
    use crate::read::{ReadOptions, TableReader};

    /// A record as a reader reports it: line and cells, or line, reason and
    /// what was read.
    type Seen = Result<(u64, Vec<String>), (u64, String, Vec<String>)>;

    fn sequential(path: &std::path::Path) -> Vec<Seen> {
        let mut reader = TableReader::open(path, &ReadOptions::default()).unwrap();
        let mut row = Row::default();
        let mut out = Vec::new();
        loop {
            match reader.read_row(&mut row) {
                Ok(true) => out.push(Ok((row.line, row.values.clone()))),
                Ok(false) => return out,
                Err(e) => out.push(Err((e.line, e.reason, row.values.clone()))),
            }
        }
    }

    fn chunked(path: &std::path::Path, block: usize) -> Vec<Seen> {
        let reader = TableReader::open(path, &ReadOptions::default()).unwrap();
        let Ok((chunks, mut parser)) = reader.into_csv_chunks() else {
            panic!("not chunked")
        };
        let mut chunks = chunks.with_block(block);
        let (mut data, mut row, mut out) = (Vec::new(), Row::default(), Vec::new());
        while let Some(line) = chunks.next_chunk(&mut data).unwrap() {
            parser.parse(&data, line, &mut row, |r| match r {
                ChunkRecord::Row(cells) => {
                    if let Some(raw) = cells.raw_csv() {
                        // The bytes copied out read back as the same cells.
                        let mut rdr = csv::ReaderBuilder::new()
                            .has_headers(false)
                            .from_reader(raw);
                        let rec = rdr.records().next().unwrap().unwrap();
                        let back: Vec<&str> = rec.iter().collect();
                        assert_eq!(back, cells.iter().collect::<Vec<_>>());
                    }
                    out.push(Ok((cells.line, cells.iter().map(str::to_owned).collect())))
                }
                ChunkRecord::Bad(e, row) => out.push(Err((e.line, e.reason, row.values.clone()))),
            });
        }
        out
    }

    fn file_with(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
        f.write_all(bytes).unwrap();
        f
    }

    #[test]
    fn blocks_read_like_the_sequential_reader() {
        let cases: [&[u8]; 8] = [
            b"a,b,c\n1,2,3\n4,5,6\n",
            b"a,b\r\n1,\"x\r\ny\"\r\n\r\n\r\n2,\"q\"\"uote\"\r\n",
            b"a,b\r1,2\r3,4",
            b"\xef\xbb\xbfname,size\n\"Acme, Inc.\",51-200\n,,\nBeta,5\" monitor\n",
            b"a,b\n1,2,3\n1\n\"open,2\n3,4\n",
            b"a;b\n1;2\n\"x;y\";3\n",
            b"h\n\"\"\n\n\"a\"b\"\n",
            b"a,b\n\xe9t\xe9,caf\xe9\n",
        ];
        for bytes in cases {
            let f = file_with(bytes);
            let want = sequential(f.path());
            for block in [1, 2, 3, 5, 8, 64, 4096] {
                assert_eq!(
                    chunked(f.path(), block),
                    want,
                    "{bytes:?} in blocks of {block}"
                );
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn any_bytes_read_alike(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just(&b"a"[..]), Just(&b"bc"[..]), Just(&b","[..]), Just(&b","[..]),
                    Just(&b"\""[..]), Just(&b"\n"[..]), Just(&b"\r"[..]), Just(&b"\r\n"[..]),
                    Just(&b" "[..]), Just("\u{e9}".as_bytes()), Just(&b"\xff"[..]),
                ],
                1..120,
            ),
            block in 1usize..40,
        ) {
            let mut bytes = b"h1,h2,h3\n".to_vec();
            bytes.extend(parts.concat());
            let f = file_with(&bytes);
            prop_assert_eq!(chunked(f.path(), block), sequential(f.path()));
        }
    }
}
