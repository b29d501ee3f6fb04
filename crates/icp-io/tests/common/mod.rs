#![allow(dead_code)]

use std::path::{Path, PathBuf};

use icp_io::{OpenError, ReadOptions, Row, RowError, TableReader};

pub fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write fixture");
    path
}

/// Every row (or row error) of a file, with the headers.
pub struct All {
    pub headers: Vec<String>,
    pub rows: Vec<Result<Row, (RowError, Row)>>,
}

impl All {
    pub fn ok(&self) -> Vec<&Row> {
        self.rows.iter().filter_map(|r| r.as_ref().ok()).collect()
    }
    pub fn errors(&self) -> Vec<&(RowError, Row)> {
        self.rows.iter().filter_map(|r| r.as_ref().err()).collect()
    }
    pub fn values(&self) -> Vec<Vec<&str>> {
        self.ok()
            .iter()
            .map(|r| r.values.iter().map(String::as_str).collect())
            .collect()
    }
    pub fn lines(&self) -> Vec<u64> {
        self.ok().iter().map(|r| r.line).collect()
    }
}

pub fn read_with(path: &Path, opts: &ReadOptions) -> Result<All, OpenError> {
    let mut reader = TableReader::open(path, opts)?;
    let headers = reader.headers().to_vec();
    let mut rows = Vec::new();
    // One Row reused throughout, as callers do.
    let mut row = Row::default();
    for _ in 0..1_000_000 {
        match reader.read_row(&mut row) {
            Ok(true) => {
                assert_eq!(row.values.len(), headers.len(), "one value per header");
                rows.push(Ok(row.clone()));
            }
            Ok(false) => return Ok(All { headers, rows }),
            Err(e) => rows.push(Err((e, row.clone()))),
        }
    }
    panic!("reader did not end");
}

pub fn read(path: &Path) -> All {
    read_with(path, &ReadOptions::default()).expect("open")
}

pub fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}
