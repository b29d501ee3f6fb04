//! `icp schedule`: a missed fire with on_missed = "run_once" runs at
//! start-up, SIGTERM stops the daemon cleanly with its state saved (also
//! in the middle of a run, which the next run resumes without paying
//! twice); a config without a scheduled job is refused.

use std::fs::File;
use std::path::Path;
use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

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
    (chrono::Utc::now() - ago)
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// Wait until `log` says `needle`; the child must keep running meanwhile.
fn wait_for_log(child: &mut Child, log: &Path, needle: &str, what: &str) {
    let started = Instant::now();
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if text.contains(needle) {
            return;
        }
        if started.elapsed() > Duration::from_secs(30) || child.try_wait().unwrap().is_some() {
            let _ = child.kill();
            panic!("{what}:\n{text}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Send SIGTERM and wait for the exit, at the latest by `deadline`.
fn sigterm_and_wait(child: &mut Child, deadline: Instant, what: &str) -> ExitStatus {
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{what} did not stop on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
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

    wait_for_log(
        &mut child,
        &log,
        "job minutely: finished with exit code 0",
        "the missed run did not finish",
    );
    let outputs: Vec<_> = std::fs::read_dir(d.join("out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.to_string_lossy().ends_with(".rejects.csv"))
        .collect();
    assert_eq!(outputs.len(), 1, "one output file: {outputs:?}");
    let (_, rows) = read_csv(&outputs[0]);
    assert_eq!(rows.len(), 20);

    let status = sigterm_and_wait(
        &mut child,
        Instant::now() + Duration::from_secs(20),
        "icp schedule",
    );
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

/// A provider that takes a while per company, so SIGTERM lands mid-run.
#[tokio::test]
async fn sigterm_during_a_run_stops_it_and_the_next_run_resumes() {
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"name": "Acme", "employees": 300}))
                .set_delay(Duration::from_millis(400)),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut accounts = String::from("Website\n");
    for i in 0..12 {
        accounts.push_str(&format!("company{i}.com\n"));
    }
    std::fs::write(d.join("accounts.csv"), accounts).unwrap();
    let cfg = d.join("icp.toml");
    std::fs::write(
        &cfg,
        format!(
            "store = \"store.db\"\n\n[[sources]]\nname = \"slow\"\nplugin = \"firmographic-http\"\nconcurrency = 1\n[sources.settings]\nbase_url = \"{}\"\nurl = \"{{base_url}}/c/{{domain}}\"\nfields = {{ name = \"/name\", employees = \"/employees\" }}\n\n[[jobs]]\nname = \"slow\"\ninput = \"accounts.csv\"\noutput = \"out.csv\"\nschedule = \"* * * * *\"\non_missed = \"run_once\"\n",
            server.uri()
        ),
    )
    .unwrap();
    let ago = rfc3339_ago(Duration::from_secs(3600));
    std::fs::write(
        d.join("store.db.schedule.json"),
        format!("{{\"jobs\": {{\"slow\": {{\"last_fire\": \"{ago}\"}}}}}}"),
    )
    .unwrap();
    let log = d.join("schedule.log");
    let mut child = icp_command()
        .args(["schedule", "--config", cfg.to_str().unwrap()])
        .env_remove("ICP_STORE")
        .stdout(File::create(d.join("schedule.out")).unwrap())
        .stderr(File::create(&log).unwrap())
        .spawn()
        .unwrap();
    // Wait for the run to be paying for answers, then stop the daemon.
    let started = Instant::now();
    while server.received_requests().await.unwrap().len() < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the run did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "icp schedule did not stop"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(status.code(), Some(0), "{text}");
    assert!(text.contains("1 running job(s) asked to stop"), "{text}");
    assert!(
        !d.join("out.csv").exists(),
        "the run was stopped before writing"
    );
    let paid = server.received_requests().await.unwrap().len();
    assert!(paid < 12, "{paid}");

    // The next run resumes: every company is paid for once in all.
    let r = icp(["run", "slow", "--config", cfg.to_str().unwrap(), "-q"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(read_csv(&d.join("out.csv")).1.len(), 12);
    assert_eq!(server.received_requests().await.unwrap().len(), 12);
}

/// One daemon: `icp serve` runs the scheduled jobs too, and SIGTERM stops
/// both.
#[test]
fn icp_serve_runs_the_scheduled_jobs_beside_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cfg = config(
        d,
        &format!(
            "[[jobs]]\nname = \"minutely\"\ninput = {:?}\noutput = \"out/scores-{{date}}.csv\"\nschedule = \"* * * * *\"\non_missed = \"run_once\"\n",
            repo().join("examples/accounts.csv")
        ),
    );
    let ago = rfc3339_ago(Duration::from_secs(3600));
    std::fs::write(
        d.join("store.db.schedule.json"),
        format!("{{\"jobs\": {{\"minutely\": {{\"last_fire\": \"{ago}\"}}}}}}"),
    )
    .unwrap();
    let log = d.join("serve.log");
    let mut child = icp_command()
        .args([
            "serve",
            "--config",
            &cfg,
            "--listen",
            "127.0.0.1:0",
            "--no-auth",
        ])
        .env_remove("ICP_STORE")
        .env_remove("ICP_API_TOKEN")
        .stdout(File::create(d.join("serve.out")).unwrap())
        .stderr(File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    wait_for_log(
        &mut child,
        &log,
        "job minutely: finished with exit code 0",
        "the scheduled job did not run under icp serve",
    );
    let out = std::fs::read_to_string(d.join("serve.out")).unwrap();
    assert!(
        out.contains("icp serve: listening on http://127.0.0.1:"),
        "{out}"
    );
    let status = sigterm_and_wait(&mut child, started + Duration::from_secs(60), "icp serve");
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(status.code(), Some(0), "{text}");
    assert!(text.contains("icp serve: stopped"), "{text}");
}
