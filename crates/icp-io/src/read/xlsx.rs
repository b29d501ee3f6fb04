//! Spreadsheets (xlsx, xlsm, xlsb, xls, ods) through calamine. The chosen
//! sheet is held in memory; rows are handed out one at a time.

use std::fmt::Write as _;
use std::path::Path;

use calamine::{Data, Range, Reader, open_workbook_auto};

use super::{OpenError, ReadOptions, Row, RowError, reset_values};

/// Rows of one value each skipped above a sheet's header, at most.
const TITLE_ROWS_MAX: usize = 10;

pub(crate) struct XlsxSource {
    range: Range<Data>,
    /// Next row to hand out, relative to the range.
    next: usize,
    /// Sheet row number (1-based) of the range's first row.
    first_row: u64,
    ncols: usize,
}

impl XlsxSource {
    pub(crate) fn open(
        path: &Path,
        opts: &ReadOptions,
    ) -> Result<(XlsxSource, Vec<String>), OpenError> {
        std::fs::metadata(path).map_err(|e| OpenError::io(path, e))?;
        let workbook_err = |e: calamine::Error| OpenError::Workbook {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let mut wb = open_workbook_auto(path).map_err(workbook_err)?;
        let names = wb.sheet_names();
        let sheet = match &opts.sheet {
            None => names.first().cloned().ok_or_else(|| OpenError::NoSheets {
                path: path.to_path_buf(),
            })?,
            Some(wanted) => names
                .iter()
                .find(|n| *n == wanted)
                .or_else(|| {
                    names
                        .iter()
                        .find(|n| n.trim().eq_ignore_ascii_case(wanted.trim()))
                })
                .cloned()
                .ok_or_else(|| OpenError::SheetNotFound {
                    path: path.to_path_buf(),
                    sheet: wanted.clone(),
                    available: names.clone(),
                })?,
        };
        let range = wb.worksheet_range(&sheet).map_err(workbook_err)?;
        let first_row = range.start().map_or(1, |(r, _)| u64::from(r) + 1);
        let (height, width) = (range.height(), range.width());
        let is_blank = |r: usize, c: usize| range.get((r, c)).is_none_or(cell_is_blank);
        let filled = |r: usize| (0..width).filter(|&c| !is_blank(r, c)).take(2).count();
        let Some(first) = (0..height).find(|&r| filled(r) > 0) else {
            return Err(OpenError::Empty {
                path: path.to_path_buf(),
            });
        };
        // A report's title and filter lines (one value each, as in
        // Salesforce's formatted exports) sit above the header: the header
        // is the first row with two values or more, among the first rows.
        let header_row = (first..height.min(first + TITLE_ROWS_MAX + 1))
            .find(|&r| filled(r) >= 2)
            .unwrap_or(first);
        // Drop trailing columns with neither a header nor any value.
        let ncols = (0..width)
            .rev()
            .find(|&c| (header_row..height).any(|r| !is_blank(r, c)))
            .map_or(0, |c| c + 1);
        let mut headers = Vec::with_capacity(ncols);
        for c in 0..ncols {
            let mut h = String::new();
            if let Some(cell) = range.get((header_row, c)) {
                cell_text(cell, &mut h);
            }
            headers.push(h);
        }
        Ok((
            XlsxSource {
                range,
                next: header_row + 1,
                first_row,
                ncols,
            },
            headers,
        ))
    }

    pub(crate) fn read_row(&mut self, row: &mut Row, n: usize) -> Result<bool, RowError> {
        while self.next < self.range.height() {
            let r = self.next;
            self.next += 1;
            if (0..self.ncols).all(|c| self.range.get((r, c)).is_none_or(cell_is_blank)) {
                continue;
            }
            row.line = self.first_row + r as u64;
            reset_values(&mut row.values, n);
            for (c, value) in row.values.iter_mut().enumerate().take(self.ncols) {
                if let Some(cell) = self.range.get((r, c)) {
                    cell_text(cell, value);
                }
            }
            return Ok(true);
        }
        Ok(false)
    }
}

fn cell_is_blank(d: &Data) -> bool {
    match d {
        Data::Empty | Data::Error(_) => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// Appends a cell's text: whole floats without ".0", dates as ISO 8601,
/// errors (#N/A, #REF!) as nothing.
pub(crate) fn cell_text(d: &Data, out: &mut String) {
    match d {
        Data::Empty | Data::Error(_) => {}
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => out.push_str(s),
        Data::Int(i) => {
            let _ = write!(out, "{i}");
        }
        // Display gives the shortest text that reads back as the same
        // number, and no ".0" for whole numbers.
        Data::Float(f) => {
            let _ = write!(out, "{f}");
        }
        Data::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Data::DateTime(dt) => {
            let v = dt.as_f64();
            if !v.is_finite() {
                return;
            }
            let (y, mo, d, h, mi, s, _ms) = dt.to_ymd_hms_milli();
            if dt.is_duration() {
                let total = (v * 86_400.0).round();
                let hours = (total / 3600.0).floor();
                let rem = total - hours * 3600.0;
                let _ = write!(
                    out,
                    "{:02}:{:02}:{:02}",
                    hours as i64,
                    (rem / 60.0).floor() as i64,
                    (rem % 60.0) as i64
                );
            } else if (0.0..1.0).contains(&v) {
                // A time of day without a date.
                let _ = write!(out, "{h:02}:{mi:02}:{s:02}");
            } else if h == 0 && mi == 0 && s == 0 {
                let _ = write!(out, "{y:04}-{mo:02}-{d:02}");
            } else {
                let _ = write!(out, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{ExcelDateTime, ExcelDateTimeType};

    fn text(d: Data) -> String {
        let mut s = String::new();
        cell_text(&d, &mut s);
        s
    }

    #[test]
    fn cells() {
        assert_eq!(text(Data::Float(1200.0)), "1200");
        assert_eq!(text(Data::Float(1.5)), "1.5");
        assert_eq!(text(Data::Float(0.1 + 0.2)), "0.30000000000000004");
        assert_eq!(text(Data::Int(-3)), "-3");
        assert_eq!(text(Data::Bool(true)), "true");
        assert_eq!(text(Data::Error(calamine::CellErrorType::NA)), "");
        let date = ExcelDateTime::new(45943.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(text(Data::DateTime(date)), "2025-10-13");
        let dt = ExcelDateTime::new(45943.5, ExcelDateTimeType::DateTime, false);
        assert_eq!(text(Data::DateTime(dt)), "2025-10-13T12:00:00");
        let t = ExcelDateTime::new(0.75, ExcelDateTimeType::DateTime, false);
        assert_eq!(text(Data::DateTime(t)), "18:00:00");
        let dur = ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false);
        assert_eq!(text(Data::DateTime(dur)), "36:00:00");
        let nan = ExcelDateTime::new(f64::NAN, ExcelDateTimeType::DateTime, false);
        assert_eq!(text(Data::DateTime(nan)), "");
    }
}
