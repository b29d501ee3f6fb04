//! A file of accounts (or members, or customers) loaded into typed columns.
//!
//! Columns are typed once: canonical fields (`employees`, `industry`,
//! `technologies`, ...) by icp-core's schema and normalisers, CRM headers
//! through their canonical names ("Number of Employees" is `employees`),
//! other columns by what most of their values parse as. Rows that cannot be
//! read are kept in `skipped` with their line and reason, never dropped
//! silently.

use std::path::{Path, PathBuf};

use icp_core::fields::{self, canonical, canonical_for_header, snake_case};
use icp_core::value::{Kind, Value, fold_text, is_blank, parse_date, parse_number};
use icp_io::{ReadOptions, Row, TableReader};

/// One column: its header, the field name conditions use, its type and one
/// parsed value per row.
#[derive(Debug, Clone)]
pub struct Column {
    /// The header as written in the file.
    pub header: String,
    /// The canonical field, else the header in snake_case.
    pub field: String,
    pub kind: Kind,
    pub values: Vec<Value>,
    /// The trimmed text of each cell for text columns (names, ids, labels as
    /// the user wrote them, for display); empty for other kinds.
    pub raw: Vec<Box<str>>,
}

impl Column {
    /// The number of rows with a value.
    pub fn present(&self) -> usize {
        self.values.iter().filter(|v| !v.is_missing()).count()
    }

    /// A row's value as a number (a range's midpoint, a date's day number).
    pub fn number(&self, row: usize) -> Option<f64> {
        match &self.values[row] {
            Value::Num(n) => Some(*n),
            Value::Range(lo, hi) if hi.is_finite() => Some((lo + hi) / 2.0),
            Value::Range(lo, _) => Some(*lo),
            Value::Date(d) => Some(f64::from(*d)),
            _ => None,
        }
    }

    /// A row's value as folded text (text columns only).
    pub fn text(&self, row: usize) -> Option<&str> {
        match &self.values[row] {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    /// A row's cell as written (text columns), else its folded text.
    pub fn display(&self, row: usize) -> Option<&str> {
        match self.raw.get(row) {
            Some(r) if !r.is_empty() => Some(r),
            _ => self.text(row),
        }
    }

    /// A row's list items (list columns).
    pub fn items(&self, row: usize) -> &[icp_core::value::Str] {
        match &self.values[row] {
            Value::List(items) => items,
            _ => &[],
        }
    }

    /// A row's date as days since 0001-01-01.
    pub fn date(&self, row: usize) -> Option<i32> {
        match &self.values[row] {
            Value::Date(d) => Some(*d),
            _ => None,
        }
    }
}

/// A row the reader could not use.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Skipped {
    pub line: u64,
    pub reason: String,
}

/// A whole file in memory, column by column.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    pub path: Option<PathBuf>,
    pub columns: Vec<Column>,
    /// The physical line (sheet row) of each row.
    pub lines: Vec<u64>,
    pub skipped: Vec<Skipped>,
}

/// Why a file could not be loaded at all.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Open(#[from] icp_io::OpenError),
    #[error("{path}: line {line}: {reason}")]
    Fatal {
        path: String,
        line: u64,
        reason: String,
    },
}

/// Why an outcome column cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OutcomeError {
    #[error("there is no column `{column}` (columns: {available})")]
    NoColumn { column: String, available: String },
    #[error(
        "column `{column}` has values icp cannot read as an outcome ({examples}): \
         pass --good VALUES (e.g. --good won,retained) or --good-above N"
    )]
    Unrecognised { column: String, examples: String },
    #[error("column `{column}` has no outcome values")]
    Empty { column: String },
}

/// How outcome values are told good from bad.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum OutcomeRule {
    /// yes/no, true/false, won/lost, retained/churned, 1/0, ...; a numeric
    /// column (NPS, lifetime value) is good at or above its median.
    #[default]
    Auto,
    /// These values (folded) are good, every other value is bad.
    Good(Vec<String>),
    /// Numbers above this are good.
    GoodAbove(f64),
}

/// One boolean outcome per row (`None` where the cell is blank or unread).
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub column: String,
    pub good: Vec<Option<bool>>,
    /// How good was decided, for people ("won, closed won = good",
    /// "nps >= 8 (median)").
    pub rule: String,
}

impl Outcome {
    pub fn known(&self) -> usize {
        self.good.iter().filter(|g| g.is_some()).count()
    }
    pub fn positives(&self) -> usize {
        self.good.iter().filter(|g| **g == Some(true)).count()
    }
}

const GOOD_WORDS: &[&str] = &[
    "yes",
    "y",
    "true",
    "t",
    "1",
    "won",
    "closed won",
    "win",
    "retained",
    "renewed",
    "active",
    "customer",
    "good",
    "success",
    "converted",
    "expanded",
];
const BAD_WORDS: &[&str] = &[
    "no",
    "n",
    "false",
    "f",
    "0",
    "lost",
    "closed lost",
    "loss",
    "churned",
    "churn",
    "cancelled",
    "canceled",
    "inactive",
    "bad",
    "failed",
    "not converted",
];

impl Dataset {
    /// Read a CSV, JSONL or XLSX file. Unreadable rows go to `skipped`.
    pub fn load(path: &Path, opts: &ReadOptions) -> Result<Dataset, LoadError> {
        let mut reader = TableReader::open(path, opts)?;
        let headers = reader.headers().to_vec();
        let mut rows = Vec::new();
        let mut skipped = Vec::new();
        let mut row = Row::default();
        loop {
            match reader.read_row(&mut row) {
                Ok(true) => rows.push((row.line, std::mem::take(&mut row.values))),
                Ok(false) => break,
                Err(e) if e.fatal => {
                    return Err(LoadError::Fatal {
                        path: path.display().to_string(),
                        line: e.line,
                        reason: e.reason,
                    });
                }
                Err(e) => skipped.push(Skipped {
                    line: e.line,
                    reason: e.reason,
                }),
            }
        }
        let mut data = Dataset::from_rows(&headers, rows);
        data.path = Some(path.to_path_buf());
        data.skipped = skipped;
        Ok(data)
    }

    /// Type and parse rows of text cells (line number, one cell per header).
    pub fn from_rows(headers: &[String], mut rows: Vec<(u64, Vec<String>)>) -> Dataset {
        let lines = rows.iter().map(|(line, _)| *line).collect();
        let mut taken_fields: Vec<String> = Vec::new();
        let columns = headers
            .iter()
            .enumerate()
            .map(|(i, header)| {
                // Each column's cells are moved out as it is typed, so the
                // text rows shrink while the typed columns grow.
                let cells: Vec<String> = rows
                    .iter_mut()
                    .map(|(_, cells)| cells.get_mut(i).map(std::mem::take).unwrap_or_default())
                    .collect();
                let mut field = canonical_for_header(header)
                    .map(str::to_owned)
                    .unwrap_or_else(|| snake_case(header));
                // Two headers for one field (Domain and Website): the first
                // keeps the name, the second its own.
                if taken_fields.contains(&field) {
                    field = snake_case(header);
                }
                taken_fields.push(field.clone());
                Column::parse(header, &field, cells)
            })
            .collect();
        Dataset {
            path: None,
            columns,
            lines,
            skipped: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The column for a field or header (its canonical name, its snake_case
    /// name, or the header as written).
    pub fn column(&self, name: &str) -> Option<&Column> {
        let snake = snake_case(name);
        let canon = canonical_for_header(name);
        self.columns
            .iter()
            .find(|c| c.field == name || c.header == name)
            .or_else(|| self.columns.iter().find(|c| c.field == snake))
            .or_else(|| canon.and_then(|f| self.columns.iter().find(|c| c.field == f)))
    }

    /// The first column among `names` that exists (for commands that find
    /// the usual columns by name: `signup_date`, `created_at`, ...).
    pub fn first_column(&self, names: &[&str]) -> Option<&Column> {
        names.iter().find_map(|n| self.column(n))
    }

    /// Header names, for error messages.
    pub fn header_list(&self) -> String {
        let names: Vec<&str> = self.columns.iter().map(|c| c.header.as_str()).collect();
        names.join(", ")
    }

    /// Read an outcome column by `rule`.
    pub fn outcome(&self, column: &str, rule: &OutcomeRule) -> Result<Outcome, OutcomeError> {
        let col = self.column(column).ok_or_else(|| OutcomeError::NoColumn {
            column: column.to_owned(),
            available: self.header_list(),
        })?;
        let name = col.header.clone();
        let outcome = match rule {
            OutcomeRule::GoodAbove(t) => Outcome {
                good: (0..self.len())
                    .map(|r| outcome_number(col, r).map(|n| n > *t))
                    .collect(),
                rule: format!("{name} > {t}"),
                column: name,
            },
            OutcomeRule::Good(values) => {
                let good: Vec<String> = values.iter().map(|v| fold_text(v)).collect();
                Outcome {
                    good: (0..self.len())
                        .map(|r| outcome_text(col, r).map(|t| good.contains(&t)))
                        .collect(),
                    rule: format!("{name} in ({}) = good", values.join(", ")),
                    column: name,
                }
            }
            OutcomeRule::Auto => auto_outcome(col, self.len())?,
        };
        if outcome.known() == 0 {
            return Err(OutcomeError::Empty {
                column: column.to_owned(),
            });
        }
        Ok(outcome)
    }
}

fn outcome_text(col: &Column, row: usize) -> Option<String> {
    match &col.values[row] {
        Value::Missing => None,
        Value::Num(n) => Some(format!("{n}")),
        Value::Text(t) => Some(t.to_string()),
        Value::List(items) => Some(items.join(", ")),
        _ => col.display(row).map(fold_text),
    }
}

fn outcome_number(col: &Column, row: usize) -> Option<f64> {
    col.number(row).or_else(|| {
        col.text(row).and_then(parse_number).and_then(|v| match v {
            Value::Num(n) => Some(n),
            _ => None,
        })
    })
}

fn auto_outcome(col: &Column, rows: usize) -> Result<Outcome, OutcomeError> {
    let name = col.header.clone();
    let texts: Vec<Option<String>> = (0..rows).map(|r| outcome_text(col, r)).collect();
    let word = |t: &str| {
        if GOOD_WORDS.contains(&t) {
            Some(true)
        } else if BAD_WORDS.contains(&t) {
            Some(false)
        } else {
            None
        }
    };
    let unread: Vec<&str> = texts
        .iter()
        .flatten()
        .filter(|t| word(t).is_none())
        .map(String::as_str)
        .collect();
    if unread.is_empty() {
        let mut good_seen: Vec<&str> = texts
            .iter()
            .flatten()
            .filter(|t| word(t) == Some(true))
            .map(String::as_str)
            .collect();
        good_seen.sort_unstable();
        good_seen.dedup();
        return Ok(Outcome {
            good: texts.iter().map(|t| t.as_deref().and_then(word)).collect(),
            rule: format!("{name}: {} = good", good_seen.join(", ")),
            column: name,
        });
    }
    // A numeric outcome (NPS, lifetime value): good at or above the median.
    let numbers: Vec<Option<f64>> = (0..rows).map(|r| outcome_number(col, r)).collect();
    let mut known: Vec<f64> = numbers.iter().flatten().copied().collect();
    let unparsed = texts.iter().flatten().count() - known.len();
    if !known.is_empty() && unparsed == 0 {
        known.sort_by(f64::total_cmp);
        let median = known[known.len() / 2];
        return Ok(Outcome {
            good: numbers.iter().map(|n| n.map(|n| n >= median)).collect(),
            rule: format!("{name} >= {median} (the median)"),
            column: name,
        });
    }
    let mut examples: Vec<&str> = unread;
    examples.sort_unstable();
    examples.dedup();
    examples.truncate(5);
    Err(OutcomeError::Unrecognised {
        column: name,
        examples: examples.join(", "),
    })
}

impl Column {
    /// Type a column: the canonical field's kind, else what 90% of its
    /// non-blank cells parse as (number, date, else text).
    fn parse(header: &str, field: &str, cells: Vec<String>) -> Column {
        let kind = canonical(field)
            .map(|c| c.kind)
            .unwrap_or_else(|| infer_kind(cells.iter().map(String::as_str)));
        let values: Vec<Value> = cells
            .iter()
            .map(|c| fields::parse_field(field, kind, c))
            .collect();
        let raw = if kind == Kind::Text {
            cells
                .into_iter()
                .map(|c| match c.trim() {
                    t if t.len() == c.len() => c.into_boxed_str(),
                    t => t.into(),
                })
                .collect()
        } else {
            Vec::new()
        };
        Column {
            header: header.to_owned(),
            field: field.to_owned(),
            kind,
            values,
            raw,
        }
    }
}

fn infer_kind<'a>(cells: impl Iterator<Item = &'a str>) -> Kind {
    let (mut filled, mut numbers, mut dates) = (0usize, 0usize, 0usize);
    for cell in cells.filter(|c| !is_blank(c)) {
        filled += 1;
        if parse_number(cell).is_some() {
            numbers += 1;
        } else if parse_date(cell).is_some() {
            dates += 1;
        }
    }
    if filled == 0 {
        return Kind::Text;
    }
    let most = |n: usize| n * 10 >= filled * 9;
    if most(numbers) {
        Kind::Number
    } else if most(dates + numbers) && dates > 0 {
        Kind::Date
    } else {
        Kind::Text
    }
}

#[cfg(test)]
impl Dataset {
    /// A dataset from CSV text without quoting (header on line 1), for
    /// unit tests.
    pub(crate) fn from_test_csv(csv: &str) -> Dataset {
        let mut lines = csv.lines();
        let headers: Vec<String> = lines
            .next()
            .unwrap_or_default()
            .split(',')
            .map(str::to_owned)
            .collect();
        let rows = lines
            .enumerate()
            .map(|(i, l)| (i as u64 + 2, l.split(',').map(str::to_owned).collect()))
            .collect();
        Dataset::from_rows(&headers, rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(csv: &str) -> Dataset {
        Dataset::from_test_csv(csv)
    }

    #[test]
    fn types_canonical_crm_and_other_columns() {
        let d = data(
            "Company name,Number of Employees,Industry,Technologies,Create Date,Seats,Plan\n\
             Acme,51-200,COMPUTER_SOFTWARE,HubSpot; Stripe,2024-03-01,12,Pro\n\
             Beta,1.2k,Banking,,03/05/2024,n/a,Free",
        );
        assert_eq!(d.len(), 2);
        assert_eq!(d.column("Number of Employees").unwrap().field, "employees");
        let emp = d.column("employees").unwrap();
        assert_eq!(emp.number(0), Some(125.5));
        assert_eq!(emp.number(1), Some(1200.0));
        assert_eq!(d.column("industry").unwrap().text(0), Some("software"));
        assert_eq!(d.column("technologies").unwrap().items(0).len(), 2);
        assert_eq!(d.column("create_date").unwrap().kind, Kind::Date);
        let seats = d.column("Seats").unwrap();
        assert_eq!(seats.kind, Kind::Number);
        assert!(seats.values[1].is_missing());
        let plan = d.column("plan").unwrap();
        assert_eq!(plan.kind, Kind::Text);
        assert_eq!(plan.display(0), Some("Pro"));
        assert_eq!(d.column("Company name").unwrap().display(1), Some("Beta"));
        assert!(d.column("nope").is_none());
    }

    #[test]
    fn outcome_words_numbers_and_overrides() {
        let d =
            data("Deal Stage,NPS,Plan\nClosed Won,9,Pro\nclosed lost,3,Free\n,10,Pro\nwon,7,Team");
        let o = d.outcome("Deal Stage", &OutcomeRule::Auto).unwrap();
        assert_eq!(o.good, vec![Some(true), Some(false), None, Some(true)]);
        assert_eq!((o.known(), o.positives()), (3, 2));
        let nps = d.outcome("nps", &OutcomeRule::Auto).unwrap();
        assert_eq!(
            nps.good,
            vec![Some(true), Some(false), Some(true), Some(false)]
        );
        assert!(nps.rule.contains("median"));
        let above = d.outcome("NPS", &OutcomeRule::GoodAbove(8.0)).unwrap();
        assert_eq!(
            above.good,
            vec![Some(true), Some(false), Some(true), Some(false)]
        );
        let plan = d
            .outcome(
                "Plan",
                &OutcomeRule::Good(vec!["pro".into(), "Team".into()]),
            )
            .unwrap();
        assert_eq!(
            plan.good,
            vec![Some(true), Some(false), Some(true), Some(true)]
        );
        let err = d.outcome("Plan", &OutcomeRule::Auto).unwrap_err();
        assert!(err.to_string().contains("--good"), "{err}");
        let err = d.outcome("Stage", &OutcomeRule::Auto).unwrap_err();
        assert!(err.to_string().contains("Deal Stage"), "{err}");
    }
}
