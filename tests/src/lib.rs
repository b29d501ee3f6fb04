//! Helpers for the workspace's end-to-end tests: they run the real `icp`
//! binary on files written to temporary folders.

pub mod dns;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The `icp` binary that `cargo test --workspace` built beside this test.
pub fn icp_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/<test> -> target/<profile>/icp
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let bin = dir.join(format!("icp{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: run the suite with `cargo test --workspace` (it builds the icp binary) or `cargo build -p icp-cli` first",
        bin.display()
    );
    bin
}

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// A `Command` for `icp`, run from the repository root.
pub fn icp_command() -> Command {
    let mut c = Command::new(icp_bin());
    c.current_dir(repo());
    c
}

/// Run a command and collect its exit code and output.
pub fn run(c: &mut Command) -> Output {
    let o = c.output().expect("icp runs");
    Output {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// Run `icp` with `args` from the repository root.
pub fn icp<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    run(icp_command().args(args))
}

/// Read a CSV output as header names and rows (ragged rows allowed).
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .expect("csv output");
    let headers = r
        .headers()
        .expect("headers")
        .iter()
        .map(String::from)
        .collect();
    let rows = r
        .records()
        .map(|r| r.expect("record").iter().map(String::from).collect())
        .collect();
    (headers, rows)
}

/// The value of `column` in `row`.
pub fn cell<'a>(headers: &[String], row: &'a [String], column: &str) -> &'a str {
    let i = headers
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no column {column}"));
    &row[i]
}
