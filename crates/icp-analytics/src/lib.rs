//! icp-analytics: validate an ICP with data.
//!
//! - [`dataset`] loads a scored or enriched file into typed columns (the
//!   only I/O here; everything else works on a [`Dataset`] in memory).
//! - [`learn`] measures each candidate trait's lift over an outcome and
//!   proposes a profile, checked against a logistic-regression model.
//! - [`segment`] clusters accounts with k-prototypes (mixed numeric and
//!   categorical fields) and describes each cluster.
//! - [`cohorts`] builds signup-cohort retention tables and PMF indicators.
//! - [`size`] counts and values TAM / SAM / SOM.

pub mod cohorts;
pub mod dataset;
pub mod fmt;
pub mod learn;
pub mod segment;
pub mod size;

pub use dataset::{Column, Dataset, LoadError};
