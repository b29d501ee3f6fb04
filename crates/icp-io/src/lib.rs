//! Reading and writing tabular account files (CSV, JSON lines, spreadsheets),
//! streaming and with reused buffers.
//!
//! - [`read::TableReader`] opens a CSV/TSV, JSONL or XLSX file, sniffs its
//!   encoding and delimiter, and yields one [`read::Row`] at a time.
//! - [`write::TableWriter`] writes CSV or JSONL output; [`write::RejectsWriter`]
//!   writes skipped rows, lazily, to `OUT.rejects.csv`.
//!
//! This crate does no printing and never panics on input data.

pub mod read;
pub mod write;

pub use read::{Format, OpenError, ReadOptions, Row, RowError, TableReader};
pub use write::{ColumnKind, RejectsWriter, RowEncoder, TableWriter, WriteError, rejects_path_for};
