//! `icp enrich` against a local Clearbit-shaped provider: a run killed
//! mid-way resumes without paying twice and ends with the output of an
//! uninterrupted run; keys never reach logs or files.

use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use icp_tests::{icp_command, run};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const KEY: &str = "sk_test_4242424242abcdef";

/// A Clearbit-style company for every domain, after a short delay; the
/// domains asked are recorded.
struct Company {
    asked: Arc<Mutex<Vec<String>>>,
    status: u16,
}

impl Respond for Company {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let domain = req
            .url
            .query_pairs()
            .find(|(k, _)| k == "domain")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        self.asked.lock().unwrap().push(domain.clone());
        if self.status != 200 {
            return ResponseTemplate::new(self.status).set_body_string("{\"error\": \"down\"}");
        }
        let n = domain.len() as u64;
        let body = serde_json::json!({
            "id": format!("id-{domain}"),
            "name": domain.trim_end_matches(".com"),
            "domain": domain,
            "category": { "sector": "Information Technology", "industry": "Internet Software & Services" },
            "metrics": { "employees": 40 * n, "employeesRange": null, "estimatedAnnualRevenue": "$10M-$50M" },
            "geo": { "countryCode": "US", "state": "California", "city": "San Francisco" },
            "foundedYear": 2000 + n,
            "tech": ["google_apps", "segment"]
        });
        ResponseTemplate::new(200)
            .set_body_json(body)
            .set_delay(Duration::from_millis(40))
    }
}

fn write_inputs(dir: &Path, base_url: &str, accounts: usize) {
    let mut csv = String::from("Record ID,Company name,Website URL\n");
    for i in 0..accounts {
        csv.push_str(&format!(
            "{},Company {i},https://www.company{i}.com/about\n",
            5000 + i
        ));
    }
    std::fs::write(dir.join("accounts.csv"), csv).unwrap();
    std::fs::write(
        dir.join("profile.toml"),
        "name = \"t\"\n[[traits]]\nname = \"Big\"\nwhen = \"employees >= 500\"\nweight = 3\n[[traits]]\nname = \"Uses Segment\"\nwhen = 'technologies has \"segment\"'\nweight = 1\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("icp.toml"),
        format!(
            "store = \"store.db\"\nprofile = \"profile.toml\"\n\n[[sources]]\nname = \"clearbit\"\nplugin = \"firmographic-http\"\nsettings = {{ preset = \"clearbit\", base_url = \"{base_url}\" }}\nsecrets = {{ api_key = \"${{ICP_TEST_CLEARBIT_KEY}}\" }}\nlimits = [{{ count = 20, per = \"1s\" }}]\nconcurrency = 2\nretries = 1\nmax_retry_wait = \"1s\"\n"
        ),
    )
    .unwrap();
}

fn enrich(dir: &Path, out: &str) -> std::process::Command {
    let mut c = icp_command();
    c.env("ICP_TEST_CLEARBIT_KEY", KEY)
        .env("ICP_LOG", "debug")
        .args([
            "enrich",
            "accounts.csv",
            "--config",
            "icp.toml",
            "--as-of",
            "2026-11-20",
        ])
        .args(["--out", out, "--summary-json", &format!("{out}.json")])
        .current_dir(dir);
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_run_resumes_without_paying_twice_and_matches_an_uninterrupted_run() {
    let server = MockServer::start().await;
    let asked = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("GET"))
        .and(path("/v2/companies/find"))
        .respond_with(Company {
            asked: asked.clone(),
            status: 200,
        })
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = 40;
    write_inputs(dir.path(), &server.uri(), accounts);

    // Run 1, killed (SIGKILL) once a third of the accounts were asked.
    let mut child = enrich(dir.path(), "out.csv")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while asked.lock().unwrap().len() < accounts / 3 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the first run never got going"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let before = asked.lock().unwrap().len();
    assert!(before < accounts, "killed before the end");
    assert!(
        !dir.path().join("out.csv").exists(),
        "no output from a killed run"
    );

    // Run 2: the same command resumes.
    let dir_path = dir.path().to_path_buf();
    let r = tokio::task::spawn_blocking(move || run(&mut enrich(&dir_path, "out.csv")))
        .await
        .unwrap();
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("resuming run"), "{}", r.stderr);
    let calls = asked.lock().unwrap().clone();
    // Each account paid once; at most the calls in flight at the kill twice.
    let mut distinct = calls.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), accounts);
    assert!(
        calls.len() <= accounts + 2,
        "{} calls for {accounts} accounts",
        calls.len()
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.csv.json")).unwrap())
            .unwrap();
    assert_eq!(summary["resumed"], true);
    assert_eq!(summary["accounts"], accounts);
    assert!(
        summary["sources"]["clearbit"]["cache_hits"]
            .as_u64()
            .unwrap()
            >= before as u64 - 2
    );

    // Run 3: the same job uninterrupted, on a fresh store: the same output.
    std::fs::rename(dir.path().join("store.db"), dir.path().join("old-store.db")).unwrap();
    let dir_path = dir.path().to_path_buf();
    let r = tokio::task::spawn_blocking(move || run(&mut enrich(&dir_path, "again.csv")))
        .await
        .unwrap();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("resuming run"));
    let resumed = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    let uninterrupted = std::fs::read_to_string(dir.path().join("again.csv")).unwrap();
    assert_eq!(resumed, uninterrupted);
    assert!(resumed.lines().count() == accounts + 1);
    assert!(resumed.contains(",company7.com,"), "{resumed}");

    // Run 4: warm cache, zero calls.
    let n = asked.lock().unwrap().len();
    let dir_path = dir.path().to_path_buf();
    let r = tokio::task::spawn_blocking(move || run(&mut enrich(&dir_path, "warm.csv")))
        .await
        .unwrap();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        asked.lock().unwrap().len(),
        n,
        "a warm rerun calls no provider"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_never_reach_logs_errors_or_files_and_a_refused_key_exits_3() {
    let server = MockServer::start().await;
    let asked = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("GET"))
        .and(path("/v2/companies/find"))
        .respond_with(Company {
            asked: asked.clone(),
            status: 401,
        })
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    write_inputs(dir.path(), &server.uri(), 12);
    let dir_path = dir.path().to_path_buf();
    let r = tokio::task::spawn_blocking(move || {
        run(enrich(&dir_path, "out.csv").args(["--log-format", "json"]))
    })
    .await
    .unwrap();
    assert_eq!(
        r.code, 3,
        "a stopped source exits 3\n{}\n{}",
        r.stdout, r.stderr
    );
    assert!(
        r.stderr.contains("clearbit") && r.stderr.contains("401"),
        "{}",
        r.stderr
    );
    assert!(
        asked.lock().unwrap().len() <= 2,
        "a refused key stops the source"
    );
    let mut everything = r.stdout.clone() + &r.stderr;
    for f in std::fs::read_dir(dir.path()).unwrap() {
        let p = f.unwrap().path();
        if p.is_file() {
            everything.push_str(&String::from_utf8_lossy(&std::fs::read(&p).unwrap()));
        }
    }
    assert!(!everything.contains(KEY), "the key leaked");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.csv.json")).unwrap())
            .unwrap();
    // Calls already in flight when the first 401 came back are refused too.
    let refused = summary["sources"]["clearbit"]["errors"]["refused"].as_u64();
    assert!(matches!(refused, Some(1..=2)), "{summary}");
    assert!(
        summary["stopped"]["clearbit"]
            .as_str()
            .unwrap()
            .contains("401")
    );
    // The accounts are still written and scored, with the error recorded.
    let out = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert_eq!(out.lines().count(), 13);
    assert!(out.contains("401"), "{out}");
}

/// A provider stricter than the config says (5 calls per second, bare 429s
/// past it, no Retry-After, no rate headers): the run backs off and still
/// gets every account.
struct Strict {
    arrivals: Arc<Mutex<Vec<Instant>>>,
    throttled: Arc<Mutex<u32>>,
}

impl Respond for Strict {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let now = Instant::now();
        let mut a = self.arrivals.lock().unwrap();
        let recent = a
            .iter()
            .filter(|t| now.duration_since(**t) < Duration::from_secs(1))
            .count();
        if recent >= 5 {
            *self.throttled.lock().unwrap() += 1;
            return ResponseTemplate::new(429).set_body_string("{\"error\": \"rate limit\"}");
        }
        a.push(now);
        Company {
            asked: Arc::new(Mutex::new(Vec::new())),
            status: 200,
        }
        .respond(req)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_stricter_than_the_config_still_answers_every_account() {
    let server = MockServer::start().await;
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    let throttled = Arc::new(Mutex::new(0));
    Mock::given(method("GET"))
        .and(path("/v2/companies/find"))
        .respond_with(Strict {
            arrivals: arrivals.clone(),
            throttled: throttled.clone(),
        })
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    write_inputs(dir.path(), &server.uri(), 20);
    // No limits configured at all, four calls at a time; retries generous
    // enough that a busy test machine cannot starve one account.
    let cfg = std::fs::read_to_string(dir.path().join("icp.toml"))
        .unwrap()
        .replace("limits = [{ count = 20, per = \"1s\" }]", "limits = []")
        .replace("concurrency = 2", "concurrency = 4")
        .replace("retries = 1\nmax_retry_wait = \"1s\"\n", "retries = 8\n");
    std::fs::write(dir.path().join("icp.toml"), cfg).unwrap();
    let dir_path = dir.path().to_path_buf();
    let r = tokio::task::spawn_blocking(move || run(&mut enrich(&dir_path, "out.csv")))
        .await
        .unwrap();
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.csv.json")).unwrap())
            .unwrap();
    let s = &summary["sources"]["clearbit"];
    assert_eq!(s["found"], 20, "{summary}");
    assert_eq!(s["failed"], 0, "{summary}");
    assert_eq!(
        s["throttled"].as_u64(),
        Some(u64::from(*throttled.lock().unwrap()))
    );
}

/// A provider that answers 200 with "insufficient credits" stops the
/// source (exit 3), and that answer is not counted as credits spent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_credits_exhausted_answer_stops_the_source_and_costs_nothing() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/companies/find"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(r#"{"error": "Insufficient credits"}"#),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    write_inputs(dir.path(), &server.uri(), 5);
    let r = run(&mut enrich(dir.path(), "out.csv"));
    assert_eq!(r.code, 3, "{}", r.stderr);
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.csv.json")).unwrap())
            .unwrap();
    assert!(
        s["stopped"]["clearbit"]
            .as_str()
            .unwrap()
            .contains("credits"),
        "{s}"
    );
    assert_eq!(s["sources"]["clearbit"]["credits"], 0.0, "{s}");
    assert_eq!(s["credits_spent"], 0.0, "{s}");
}
