//! The README's demo command keeps working: it is read from the README and
//! run with the built binary (output redirected to a temporary folder).

use icp_tests::{icp, repo};

#[test]
fn the_readme_demo_command_runs_and_prints_what_the_readme_shows() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let line = readme
        .lines()
        .find(|l| l.starts_with("cargo run --release -p icp-cli -- "))
        .expect("the README has a `cargo run --release -p icp-cli -- ...` demo command");
    let mut args: Vec<String> = line["cargo run --release -p icp-cli -- ".len()..]
        .split_whitespace()
        .map(String::from)
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let out_at = args
        .iter()
        .position(|a| a == "--out")
        .expect("--out in the demo")
        + 1;
    let shown_out = args[out_at].clone();
    args[out_at] = dir.path().join("enriched.csv").display().to_string();

    // Keep the store out of the repository.
    if args.first().map(String::as_str) == Some("enrich") {
        args.push("--store".into());
        args.push(dir.path().join("store.db").display().to_string());
    }
    let r = icp(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The summary the README shows, line for line (but the output path).
    let shown: Vec<&str> = readme
        .split("```\n")
        .find(|block| block.contains("rows read"))
        .expect("the README shows a summary")
        .lines()
        .skip(1)
        .collect();
    let printed: Vec<&str> = r.stdout.lines().skip(1).collect();
    // Compare file names, not the folders they were written to.
    let shown_dir = format!(
        "{}/",
        std::path::Path::new(&shown_out).parent().unwrap().display()
    );
    let temp_dir = format!("{}/", dir.path().display());
    // The run's own line ("run 1, 0.1 s") carries a timing.
    let normalise = |l: &str| {
        let l = l.replace(&temp_dir, "").replace(&shown_dir, "");
        if l.starts_with("run ") {
            "run".to_string()
        } else {
            l
        }
    };
    assert_eq!(
        printed.iter().map(|l| normalise(l)).collect::<Vec<_>>(),
        shown.iter().map(|l| normalise(l)).collect::<Vec<_>>(),
        "the README's sample output is out of date"
    );
}
