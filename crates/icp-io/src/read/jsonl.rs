//! JSON lines: one object per line. A `.json` file that holds one array of
//! objects is read too (that file is held in memory).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::{OpenError, Row, RowError, reset_values};

const BOM: &[u8] = b"\xef\xbb\xbf";

/// Maps raw keys to column indexes, in order of first appearance.
#[derive(Default)]
struct Columns {
    index: HashMap<String, usize>,
    names: Vec<String>,
}

impl Columns {
    fn add(&mut self, key: &str) -> usize {
        if let Some(&i) = self.index.get(key) {
            return i;
        }
        let i = self.names.len();
        self.index.insert(key.to_string(), i);
        self.names.push(key.to_string());
        i
    }

    /// Adds the `k`-th key of an object, trying the previous object's key at
    /// that position first.
    fn add_at(&mut self, key: &str, k: usize, order: &mut Vec<usize>) {
        if order
            .get(k)
            .is_some_and(|&i| self.names.get(i).is_some_and(|n| n == key))
        {
            return;
        }
        let i = self.add(key);
        order.truncate(k);
        order.push(i);
    }
}

enum Mode {
    Lines {
        rdr: BufReader<File>,
        buf: Vec<u8>,
        line: u64,
    },
    Array {
        data: Vec<u8>,
        pos: usize,
        line: u64,
        line_pos: usize,
        started: bool,
    },
}

pub(crate) struct JsonlSource {
    mode: Mode,
    columns: Columns,
    /// Column indexes in the key order of the previous object: a cheap guess
    /// that avoids hashing when objects share their key order.
    order: Vec<usize>,
}

impl JsonlSource {
    pub(crate) fn open(path: &Path) -> Result<(JsonlSource, Vec<String>), OpenError> {
        let io = |e| OpenError::io(path, e);
        let file = File::open(path).map_err(io)?;
        let mut rdr = BufReader::with_capacity(64 * 1024, file);
        let first = {
            let buf = rdr.fill_buf().map_err(io)?;
            let buf = buf.strip_prefix(BOM).unwrap_or(buf);
            buf.iter().copied().find(|b| !b.is_ascii_whitespace())
        };
        let Some(first) = first else {
            return Err(OpenError::Empty {
                path: path.to_path_buf(),
            });
        };
        let mut columns = Columns::default();
        let mut order = Vec::new();
        let mut first_problem: Option<String> = None;
        let mode = if first == b'[' {
            let mut data = Vec::new();
            rdr.read_to_end(&mut data).map_err(io)?;
            let mut scan = ArrayScan::new(&data);
            loop {
                match scan.next() {
                    Ok(Some((line, obj))) => {
                        if let Err(e) = collect_keys(obj, &mut columns, &mut order) {
                            first_problem.get_or_insert_with(|| format!("line {line}: {e}"));
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        first_problem.get_or_insert_with(|| e.to_string());
                        break;
                    }
                }
            }
            let pos = if data.starts_with(BOM) { BOM.len() } else { 0 };
            Mode::Array {
                data,
                pos,
                line: 1,
                line_pos: 0,
                started: false,
            }
        } else {
            let mut buf = Vec::new();
            let mut line = 0u64;
            loop {
                buf.clear();
                if rdr.read_until(b'\n', &mut buf).map_err(io)? == 0 {
                    break;
                }
                line += 1;
                let text = trim_line(&buf, line);
                if text.is_empty() {
                    continue;
                }
                if let Err(reason) = collect_keys(text, &mut columns, &mut order) {
                    first_problem.get_or_insert_with(|| format!("line {line}: {reason}"));
                }
            }
            rdr.seek(SeekFrom::Start(0)).map_err(io)?;
            Mode::Lines { rdr, buf, line: 0 }
        };
        if columns.names.is_empty() {
            return Err(match first_problem {
                Some(first_problem) => OpenError::NoJsonObjects {
                    path: path.to_path_buf(),
                    first_problem,
                },
                // Only empty objects: nothing to read.
                None => OpenError::Empty {
                    path: path.to_path_buf(),
                },
            });
        }
        let headers = columns.names.clone();
        Ok((
            JsonlSource {
                mode,
                columns,
                order: Vec::new(),
            },
            headers,
        ))
    }

    pub(crate) fn read_row(&mut self, row: &mut Row, n: usize) -> Result<bool, RowError> {
        match &mut self.mode {
            Mode::Lines { rdr, buf, line } => loop {
                buf.clear();
                match rdr.read_until(b'\n', buf) {
                    Ok(0) => return Ok(false),
                    Ok(_) => {}
                    Err(e) => {
                        return Err(RowError::fatal(
                            *line + 1,
                            format!("cannot read the rest of the file: {e}"),
                        ));
                    }
                }
                *line += 1;
                let text = trim_line(buf, *line);
                if text.is_empty() {
                    continue;
                }
                row.line = *line;
                reset_values(&mut row.values, n);
                fill_row(text, &self.columns, &mut self.order, &mut row.values)
                    .map_err(|reason| RowError::new(*line, reason))?;
                if row.values.iter().all(|v| v.is_empty()) {
                    continue;
                }
                return Ok(true);
            },
            Mode::Array {
                data,
                pos,
                line,
                line_pos,
                started,
            } => loop {
                let mut scan = ArrayScan {
                    data,
                    pos: *pos,
                    line: *line,
                    line_pos: *line_pos,
                    started: *started,
                };
                let next = scan.next();
                *pos = scan.pos;
                *line = scan.line;
                *line_pos = scan.line_pos;
                *started = scan.started;
                match next {
                    Ok(None) => return Ok(false),
                    Err(e) => return Err(RowError::fatal(e.line, e.reason)),
                    Ok(Some((obj_line, obj))) => {
                        row.line = obj_line;
                        reset_values(&mut row.values, n);
                        fill_row(obj, &self.columns, &mut self.order, &mut row.values)
                            .map_err(|reason| RowError::new(obj_line, reason))?;
                        if row.values.iter().all(|v| v.is_empty()) {
                            continue;
                        }
                        return Ok(true);
                    }
                }
            },
        }
    }
}

/// Strips the line end, a BOM on line 1 and surrounding whitespace.
fn trim_line(buf: &[u8], line: u64) -> &[u8] {
    let mut t = buf;
    if line == 1 {
        t = t.strip_prefix(BOM).unwrap_or(t);
    }
    t.trim_ascii()
}

/// serde_json's message without its " at line L column C" suffix, and the
/// column on its own.
fn json_message(e: &serde_json::Error) -> (String, usize) {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let msg = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
    (msg, e.column())
}

/// Why `text` (a non-object or invalid JSON value) is not a row.
fn not_an_object(text: &[u8]) -> String {
    let kind = match text.first() {
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    };
    match serde_json::from_slice::<IgnoredAny>(text) {
        Ok(_) => format!("expected a JSON object, found {kind}"),
        Err(e) => {
            let (msg, col) = json_message(&e);
            format!("{msg} at column {col}")
        }
    }
}

/// Adds the top-level keys of an object to `columns`. A quick scan, not a
/// parse: values are skipped by tracking strings and nesting only (faster
/// than serde_json, which validates what it skips). Whether the line is
/// valid JSON is checked when the row is read.
fn collect_keys(text: &[u8], columns: &mut Columns, order: &mut Vec<usize>) -> Result<(), String> {
    if text.first() != Some(&b'{') {
        return Err(not_an_object(text));
    }
    let mut depth = 0usize;
    let mut expect_key = false;
    let mut k = 0usize;
    let mut i = 0usize;
    while let Some(&b) = text.get(i) {
        match b {
            b'"' => {
                let start = i + 1;
                let mut j = start;
                let end = loop {
                    match text.get(j) {
                        Some(b'"') => break j,
                        Some(b'\\') => j += 2,
                        Some(_) => j += 1,
                        // Not terminated: the read pass reports it.
                        None => return Ok(()),
                    }
                };
                if depth == 1 && expect_key {
                    let raw = text.get(start..end).unwrap_or_default();
                    let key: Option<Cow<'_, str>> = if raw.contains(&b'\\') {
                        text.get(i..=end)
                            .and_then(|q| serde_json::from_slice::<String>(q).ok())
                            .map(Cow::Owned)
                    } else {
                        std::str::from_utf8(raw).ok().map(Cow::Borrowed)
                    };
                    if let Some(key) = key {
                        columns.add_at(&key, k, order);
                    }
                    k += 1;
                    expect_key = false;
                }
                i = end + 1;
                continue;
            }
            b'{' | b'[' => {
                depth += 1;
                expect_key = depth == 1;
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
            b',' if depth == 1 => expect_key = true,
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

fn fill_row(
    text: &[u8],
    columns: &Columns,
    order: &mut Vec<usize>,
    values: &mut [String],
) -> Result<(), String> {
    if text.first() != Some(&b'{') {
        return Err(not_an_object(text));
    }
    let mut de = serde_json::Deserializer::from_slice(text);
    let seed = RowSeed {
        columns,
        order,
        values,
    };
    let res = seed.deserialize(&mut de).and_then(|()| de.end());
    res.map_err(|e| {
        let (msg, col) = json_message(&e);
        format!("{msg} at column {col}")
    })
}

/// A map key, borrowed from the input when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

struct RowSeed<'a> {
    columns: &'a Columns,
    order: &'a mut Vec<usize>,
    values: &'a mut [String],
}

impl<'de> DeserializeSeed<'de> for RowSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut k = 0usize;
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let guess = self
                .order
                .get(k)
                .copied()
                .filter(|&i| self.columns.names.get(i).map(String::as_str) == Some(&*key.0));
            let idx = guess.or_else(|| self.columns.index.get(&*key.0).copied());
            match idx.and_then(|i| self.values.get_mut(i).map(|v| (i, v))) {
                Some((i, value)) => {
                    value.clear();
                    map.next_value_seed(ValueSeed(value))?;
                    if guess.is_none() {
                        self.order.truncate(k);
                        self.order.push(i);
                    }
                }
                // Not seen in the first pass (the file changed): ignore.
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            k += 1;
        }
        Ok(())
    }
}

/// Writes one JSON value as cell text into a `String`.
struct ValueSeed<'a>(&'a mut String);

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.0.push_str(v);
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.0.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        let _ = write!(self.0, "{v}");
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        let _ = write!(self.0, "{v}");
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        // Shortest text that reads back as the same number: 1.5 -> "1.5",
        // 1200.0 -> "1200".
        let _ = write!(self.0, "{v}");
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut items: Vec<Value> = Vec::new();
        while let Some(v) = seq.next_element::<Value>()? {
            items.push(v);
        }
        if items.iter().any(|v| v.is_array() || v.is_object()) {
            let _ = write!(self.0, "{}", Value::Array(items));
            return Ok(());
        }
        let mut first = true;
        for v in &items {
            let start = self.0.len();
            if !first {
                self.0.push_str("; ");
            }
            let before = self.0.len();
            scalar_text(v, self.0);
            if self.0.len() == before {
                // null or "": leave it out of the list.
                self.0.truncate(start);
            } else {
                first = false;
            }
        }
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let v: Value = de::Deserialize::deserialize(de::value::MapAccessDeserializer::new(map))?;
        let _ = write!(self.0, "{v}");
        Ok(())
    }
}

fn scalar_text(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => out.push_str(s),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                let _ = write!(out, "{i}");
            } else if let Some(u) = n.as_u64() {
                let _ = write!(out, "{u}");
            } else if let Some(f) = n.as_f64() {
                let _ = write!(out, "{f}");
            }
        }
        Value::Null | Value::Array(_) | Value::Object(_) => {}
    }
}

/// A fatal problem in a JSON array file.
struct ScanError {
    line: u64,
    reason: String,
}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// Walks the elements of a top-level JSON array, keeping line numbers.
struct ArrayScan<'a> {
    data: &'a [u8],
    pos: usize,
    line: u64,
    /// Position up to which newlines were counted into `line`.
    line_pos: usize,
    started: bool,
}

impl<'a> ArrayScan<'a> {
    fn new(data: &'a [u8]) -> ArrayScan<'a> {
        let pos = if data.starts_with(BOM) { BOM.len() } else { 0 };
        ArrayScan {
            data,
            pos,
            line: 1,
            line_pos: 0,
            started: false,
        }
    }

    fn line_at(&mut self, pos: usize) -> u64 {
        if pos > self.line_pos {
            let end = pos.min(self.data.len());
            let start = self.line_pos.min(end);
            self.line += self.data[start..end]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            self.line_pos = end;
        }
        self.line
    }

    fn skip_ws(&mut self) {
        while self
            .data
            .get(self.pos)
            .is_some_and(|b| b.is_ascii_whitespace())
        {
            self.pos += 1;
        }
    }

    fn err(&mut self, reason: &str) -> ScanError {
        let line = self.line_at(self.pos);
        ScanError {
            line,
            reason: reason.to_string(),
        }
    }

    /// The next element (its line and its text), or `None` after `]`.
    fn next(&mut self) -> Result<Option<(u64, &'a [u8])>, ScanError> {
        self.skip_ws();
        if !self.started {
            if self.data.get(self.pos) != Some(&b'[') {
                return Err(self.err("expected a JSON array of objects"));
            }
            self.pos += 1;
            self.started = true;
            self.skip_ws();
            if self.data.get(self.pos) == Some(&b']') {
                self.pos = self.data.len();
                return Ok(None);
            }
        } else {
            match self.data.get(self.pos) {
                None => return Ok(None),
                Some(b']') => {
                    self.pos = self.data.len();
                    return Ok(None);
                }
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                }
                Some(_) => return Err(self.err("expected `,` or `]` between array elements")),
            }
        }
        let start = self.pos;
        let line = self.line_at(start);
        let rest = &self.data[start..];
        let mut stream = serde_json::Deserializer::from_slice(rest).into_iter::<IgnoredAny>();
        match stream.next() {
            Some(Ok(_)) => {
                let end = start + stream.byte_offset();
                self.pos = end;
                Ok(Some((line, &self.data[start..end])))
            }
            Some(Err(e)) => {
                let (msg, col) = json_message(&e);
                let line = line + (e.line() as u64).saturating_sub(1);
                Err(ScanError {
                    line,
                    reason: format!("{msg} at column {col}; the rest of the file cannot be read"),
                })
            }
            None => Err(ScanError {
                line,
                reason: "the JSON array is not closed with `]`".to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_scan_skips_nested_values_and_unescapes() {
        let mut c = Columns::default();
        let mut order = Vec::new();
        let line = br#"{"a\"b":1,"n":{"inner":{"deep":1},"x":[1,{"y":2}]},"arr":[{"z":1},"s,\"t"],"c":"}{][:,","d\\":true,"caf\u00e9":null}"#;
        collect_keys(line, &mut c, &mut order).unwrap();
        assert_eq!(c.names, ["a\"b", "n", "arr", "c", "d\\", "café"]);
        // Another order, and a new key.
        collect_keys(br#"{"c":1,"new":2,"n":3}"#, &mut c, &mut order).unwrap();
        assert_eq!(c.names, ["a\"b", "n", "arr", "c", "d\\", "café", "new"]);
        // The row pass finds the same keys.
        let mut values = vec![String::new(); c.names.len()];
        fill_row(line, &c, &mut order, &mut values).unwrap();
        assert_eq!(values[0], "1");
        assert_eq!(values[3], "}{][:,");
        assert_eq!(values[4], "true");
        assert_eq!(values[2], r#"[{"z":1},"s,\"t"]"#);
        assert!(collect_keys(b"[1]", &mut c, &mut order).is_err());
        // Unterminated input: no panic, no error (the row pass reports it).
        assert!(collect_keys(br#"{"a":"x"#, &mut c, &mut order).is_ok());
        assert!(collect_keys(br#"{"a\"#, &mut c, &mut order).is_ok());
    }
}
