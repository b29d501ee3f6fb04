//! `icp schedule`: a missed fire with on_missed = "run_once" runs at
//! start-up, SIGTERM stops the daemon cleanly with its state saved; a
//! config without a scheduled job is refused.

use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use icp_tests::{icp, icp_command, read_csv, repo};

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

/// `YYYY-MM-DDTHH:MM:SSZ` for a time `ago` before now: fixed width, so
/// these strings sort as the times do.
fn rfc3339_ago(ago: Duration) -> String {
    let secs = (SystemTime::now() - ago)
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[test]
fn a_missed_fire_runs_once_and_sigterm_stops_the_daemon() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cfg = config(
        d,
        &format!(
            "[[jobs]]\nname = \"minutely\"\ninput = {:?}\noutput = \"out/scores-{{date}}.csv\"\nschedule = \"* * * * *\"\non_missed = \"run_once\"\n",
            repo().join("examples/accounts.csv")
        ),
    );
    let an_hour_ago = rfc3339_ago(Duration::from_secs(3600));
    let state = d.join("store.db.schedule.json");
    std::fs::write(
        &state,
        format!("{{\"jobs\": {{\"minutely\": {{\"last_fire\": \"{an_hour_ago}\"}}}}}}"),
    )
    .unwrap();
    let started_at = rfc3339_ago(Duration::from_secs(1));
    let log = d.join("schedule.log");
    let mut child = icp_command()
        .args(["schedule", "--config", &cfg])
        .env_remove("ICP_STORE")
        .stdout(File::create(d.join("schedule.out")).unwrap())
        .stderr(File::create(&log).unwrap())
        .spawn()
        .unwrap();

    let started = Instant::now();
    loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains("job minutely: finished with exit code 0") {
            break;
        }
        if started.elapsed() > Duration::from_secs(30) || child.try_wait().unwrap().is_some() {
            let _ = child.kill();
            panic!("the missed run did not finish:\n{text}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let outputs: Vec<_> = std::fs::read_dir(d.join("out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.to_string_lossy().ends_with(".rejects.csv"))
        .collect();
    assert_eq!(outputs.len(), 1, "one output file: {outputs:?}");
    let (_, rows) = read_csv(&outputs[0]);
    assert_eq!(rows.len(), 20);

    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let stopping = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if stopping.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("icp schedule did not stop on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(status.code(), Some(0), "{text}");
    assert!(text.contains("on_missed = \"run_once\""), "{text}");
    assert!(text.contains("stopped"), "{text}");
    let out = std::fs::read_to_string(d.join("schedule.out")).unwrap();
    assert!(out.contains("job minutely: next fire "), "{out}");
    assert!(out.contains(" UTC)"), "{out}");

    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    let last = v["jobs"]["minutely"]["last_fire"].as_str().unwrap();
    assert!(
        last >= started_at.as_str() && last > an_hour_ago.as_str(),
        "last fire {last}, started {started_at}"
    );
}

#[test]
fn a_config_without_a_scheduled_job_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        "[[jobs]]\nname = \"manual\"\ninput = \"in.csv\"\noutput = \"out.csv\"\n",
    );
    let r = icp(["schedule", "--config", &cfg]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("has no job with a schedule"),
        "{}",
        r.stderr
    );
}
