//! `icp serve` as shipped: start the binary on a free port, score one
//! account over HTTP, stop it with SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Stdio;
use std::time::{Duration, Instant};

use icp_tests::icp_command;

/// One HTTP/1.1 request over a fresh connection; (status, body).
fn request(addr: &str, head: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "{head}\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text[9..12].parse().unwrap();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap();
    (status, body)
}

#[test]
fn serve_scores_an_account_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("companies.csv"),
        "Domain,Headcount,Industry\nacme.com,400,Software\n",
    )
    .unwrap();
    std::fs::write(
        d.join("p.toml"),
        "name = \"e2e\"\n[[traits]]\nname = \"Software\"\nwhen = 'industry in [\"Software\"]'\nweight = 3\n[[traits]]\nname = \"Big\"\nwhen = \"employees >= 100\"\nweight = 2\n",
    )
    .unwrap();
    std::fs::write(
        d.join("icp.toml"),
        "store = \"store.db\"\nprofile = \"p.toml\"\n[serve]\ntoken = \"${E2E_TOKEN}\"\n[[sources]]\nname = \"list\"\nplugin = \"firmographic-file\"\nsettings = { path = \"companies.csv\", columns = { employees = \"Headcount\" } }\n",
    )
    .unwrap();

    // No token at all: refused, and the error says how to go on.
    let r = icp_tests::run(
        icp_command()
            .args(["serve", "--listen", "127.0.0.1:0", "--config"])
            .arg(d.join("icp.toml"))
            .env_remove("ICP_API_TOKEN")
            .env_remove("E2E_TOKEN"),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("E2E_TOKEN") && r.stderr.contains("ICP_API_TOKEN"),
        "{}",
        r.stderr
    );

    let mut child = icp_command()
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(d.join("icp.toml"))
        .env_remove("ICP_API_TOKEN")
        .env("E2E_TOKEN", "e2e-secret")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .rsplit_once("http://")
        .map(|(_, a)| a.to_string())
        .unwrap_or_else(|| panic!("no address in {line:?}"));

    let (status, body) = request(&addr, "GET /healthz HTTP/1.1", "");
    assert_eq!(status, 200, "{body}");
    let (status, body) = request(
        &addr,
        "POST /v1/score HTTP/1.1",
        r#"{"domain": "acme.com"}"#,
    );
    assert_eq!(status, 401, "{body}");
    let (status, body) = request(
        &addr,
        "POST /v1/score HTTP/1.1\r\nAuthorization: Bearer e2e-secret",
        r#"{"website": "www.acme.com", "industry": "Software"}"#,
    );
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["profile"], "e2e");
    assert_eq!(v["domain"], "acme.com");
    assert_eq!(v["score"], 5);
    assert_eq!(v["fields"]["employees"]["source"], "list");
    assert_eq!(v["fields"]["industry"]["source"], "input");

    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "icp serve did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("e2e-secret"), "{stderr}");
}
