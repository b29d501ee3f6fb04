//! `icp run JOB`: a configured job runs like `icp enrich` with its input,
//! profiles and dated output; globs give one run per file; a running job
//! is not started twice; bad schedules and time zones are config errors.

use std::fs::File;
use std::path::Path;

use icp_tests::{icp, read_csv, repo};

fn config(dir: &Path, job: &str) -> String {
    let examples = repo().join("examples");
    let text = format!(
        "store = \"store.db\"\nprofile = {:?}\n\n[[sources]]\nname = \"list\"\nplugin = \"firmographic-file\"\nsettings = {{ path = {:?}, columns = {{ employees = \"Headcount\", country = \"HQ Country\" }} }}\n\n{job}",
        repo().join("config/profiles/genai-enterprise.toml"),
        examples.join("companies.csv"),
    );
    let path = dir.join("icp.toml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn a_job_runs_now_with_its_dated_output() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        &format!(
            "[[jobs]]\nname = \"weekly\"\ninput = {:?}\noutput = \"out/scores-{{date}}.csv\"\nschedule = \"0 6 * * MON\"\ntimezone = \"Europe/Berlin\"\nprovenance = true\n",
            repo().join("examples/accounts.csv")
        ),
    );
    let r = icp(["run", "weekly", "--config", &cfg, "--as-of", "2026-11-20"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let out = dir.path().join("out/scores-2026-11-20.csv");
    let (h, rows) = read_csv(&out);
    assert_eq!(rows.len(), 20);
    assert!(
        h.iter().any(|c| c == "funding_stage__source"),
        "provenance on"
    );
    assert!(r.stdout.contains("tier 1"), "{}", r.stdout);

    let r = icp(["run", "nightly", "--config", &cfg]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no job `nightly`; its jobs: weekly"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_glob_input_is_one_run_per_file_and_a_running_job_is_not_started_twice() {
    let dir = tempfile::tempdir().unwrap();
    let exports = dir.path().join("exports");
    std::fs::create_dir(&exports).unwrap();
    std::fs::write(exports.join("emea.csv"), "Website\nnorthwindcapital.com\n").unwrap();
    std::fs::write(
        exports.join("amer.csv"),
        "Website\nhelixhealth.org\natlasmutual.com\n",
    )
    .unwrap();
    let cfg = config(
        dir.path(),
        "[[jobs]]\nname = \"regions\"\ninput = \"exports/*.csv\"\noutput = \"out/{input}-{date}.csv\"\n",
    );
    let r = icp([
        "run",
        "regions",
        "--config",
        &cfg,
        "--as-of",
        "2026-11-20",
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        read_csv(&dir.path().join("out/emea-2026-11-20.csv"))
            .1
            .len(),
        1
    );
    assert_eq!(
        read_csv(&dir.path().join("out/amer-2026-11-20.csv"))
            .1
            .len(),
        2
    );

    // Another run of the job holds its lock.
    let lock = File::create(dir.path().join("store.db.job-regions.lock")).unwrap();
    lock.lock().unwrap();
    let r = icp(["run", "regions", "--config", &cfg, "-q"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("job `regions` is already running"),
        "{}",
        r.stderr
    );
    drop(lock);
    let r = icp([
        "run",
        "regions",
        "--config",
        &cfg,
        "--as-of",
        "2026-11-21",
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn bad_schedules_and_time_zones_are_config_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (job, said) in [
        ("schedule = \"every monday\"", "is not a cron pattern"),
        (
            "schedule = \"0 6 * * MON\"\ntimezone = \"Mars/Olympus\"",
            "is not an IANA time zone",
        ),
        ("on_missed = \"sometimes\"", "on_missed"),
    ] {
        let cfg = config(
            dir.path(),
            &format!("[[jobs]]\nname = \"j\"\ninput = \"a.csv\"\noutput = \"o.csv\"\n{job}\n"),
        );
        let r = icp(["run", "j", "--config", &cfg]);
        assert_eq!(r.code, 2, "{job}: {}", r.stderr);
        assert!(r.stderr.contains(said), "{job}: {}", r.stderr);
    }
}

#[test]
fn a_job_can_read_the_accounts_already_in_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        &format!(
            "[[jobs]]\nname = \"import\"\ninput = {:?}\noutput = \"out/import.csv\"\n\n[[jobs]]\nname = \"refresh\"\ninput = \"store\"\noutput = \"out/{{input}}-{{date}}.csv\"\nprovenance = true\n",
            repo().join("examples/accounts.csv")
        ),
    );
    let r = icp(["run", "refresh", "--config", &cfg, "-q"]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("which has none yet"), "{}", r.stderr);

    let r = icp([
        "run",
        "import",
        "--config",
        &cfg,
        "-q",
        "--as-of",
        "2026-11-20",
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let (_, imported) = read_csv(&dir.path().join("out/import.csv"));

    let r = icp([
        "run",
        "refresh",
        "--config",
        &cfg,
        "-q",
        "--as-of",
        "2026-11-21",
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let (h, rows) = read_csv(&dir.path().join("out/store-2026-11-21.csv"));
    assert_eq!(rows.len(), imported.len());
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let mut domains: Vec<&str> = rows.iter().map(|r| r[col("domain")].as_str()).collect();
    domains.sort_unstable();
    assert!(domains.contains(&"northwindcapital.com"), "{domains:?}");
    let northwind = rows
        .iter()
        .find(|r| r[col("domain")] == "northwindcapital.com")
        .unwrap();
    // The CRM's own cells came back from the store...
    assert_eq!(northwind[col("Record ID")], "1001");
    // ...and enriched values were enriched again, not taken for CRM values.
    assert_eq!(northwind[col("ownership")], "private");
    assert_eq!(northwind[col("ownership__source")], "list");
}
