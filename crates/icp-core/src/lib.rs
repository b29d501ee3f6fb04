//! icp-core: profiles, fields, conditions, scoring and explanations.
//!
//! Pure logic with no I/O: readers, sources and stores live at the edges and
//! hand this crate strings and typed values.

pub mod condition;
pub mod diag;
pub mod expr;
pub mod fields;
pub mod intent;
mod lint;
pub mod profile;
pub mod score;
pub mod value;

pub use condition::{Cond, Truth};
pub use diag::{Diagnostic, Severity};
pub use lint::lint_provided;
pub use profile::{Axis, Entity, Loaded, OnMissing, Profile, load};
pub use score::{RecordBuilder, Scored, Tier, Unread};
pub use value::{Kind, Value};

/// Days since 0001-01-01 for a calendar date (the unit of `as_of`).
pub fn day_number(date: chrono::NaiveDate) -> i32 {
    use chrono::Datelike;
    date.num_days_from_ce()
}
