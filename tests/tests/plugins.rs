//! Dynamic plugins in the real binary: the example plugin (built here as a
//! cdylib) enriches through the host's HTTP stack and limits; a plugin
//! that panics fails its rows, not the run; libraries with the wrong ABI,
//! without the entry symbol, or that are not libraries at all are refused
//! with a message naming the file.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use icp_tests::{cell, icp, icp_bin, icp_command, read_csv, repo, run};
use wiremock::matchers::{header, method, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const KEY: &str = "hb_live_5f3e9a7c2b1d";

/// Build the example plugin once per test run; its library lands beside
/// the icp binary.
fn example_library() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let status = Command::new(cargo)
                .current_dir(repo())
                .args(["build", "--quiet", "-p", "icp-plugin-example-dynamic"])
                .status()
                .expect("cargo runs");
            assert!(status.success(), "building the example plugin failed");
            let lib = icp_bin().parent().unwrap().join(format!(
                "{}icp_example_dynamic{}",
                std::env::consts::DLL_PREFIX,
                std::env::consts::DLL_SUFFIX
            ));
            assert!(lib.exists(), "{} was not built", lib.display());
            lib
        })
        .clone()
}

/// Compile a C shared library for the refusal tests (CI has a C compiler:
/// the bundled SQLite needs one).
fn c_library(dir: &Path, name: &str, source: &str) -> PathBuf {
    let src = dir.join(format!("{name}.c"));
    std::fs::write(&src, source).unwrap();
    let lib = dir.join(format!("lib{name}{}", std::env::consts::DLL_SUFFIX));
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let include = repo().join("crates/icp-plugin-sdk/include");
    let out = Command::new(&cc)
        .args(["-shared", "-fPIC", "-o"])
        .arg(&lib)
        .arg("-I")
        .arg(&include)
        .arg(&src)
        .output()
        .unwrap_or_else(|e| panic!("the C compiler `{cc}` is needed for this test: {e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    lib
}

fn write_config(dir: &Path, library: &Path, settings: &str, extra: &str) {
    std::fs::write(
        dir.join("icp.toml"),
        format!(
            "store = \"store.db\"\n\n[[sources]]\nname = \"harbourline\"\nplugin = \"harbourline\"\nlibrary = {:?}\nsecrets = {{ api_key = \"${{ICP_TEST_HARBOUR_KEY}}\" }}\nsettings = {{ {settings} }}\n{extra}",
            library.display().to_string()
        ),
    )
    .unwrap();
}

fn enrich(dir: &Path, accounts: &str) -> icp_tests::Output {
    std::fs::write(dir.join("accounts.csv"), accounts).unwrap();
    run(icp_command().env("ICP_TEST_HARBOUR_KEY", KEY).args([
        "enrich",
        dir.join("accounts.csv").to_str().unwrap(),
        "--config",
        dir.join("icp.toml").to_str().unwrap(),
        "--out",
        dir.join("out.csv").to_str().unwrap(),
    ]))
}

#[test]
fn a_library_with_the_wrong_abi_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let lib = c_library(
        dir.path(),
        "future",
        r#"#include "icp_plugin.h"
static const IcpPluginTable TABLE = { 99, { (const uint8_t *)"9.0.0", 5 }, 0, 0, 0, 0, 0 };
const IcpPluginTable *icp_plugin_entry_v1(void) { return &TABLE; }
"#,
    );
    write_config(dir.path(), &lib, "", "");
    let r = enrich(dir.path(), "Website\nacme.com\n");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("libfuture") && r.stderr.contains("plugin ABI version 99"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_library_without_the_entry_symbol_or_not_a_library_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let lib = c_library(
        dir.path(),
        "other",
        "int add(int a, int b) { return a + b; }\n",
    );
    write_config(dir.path(), &lib, "", "");
    let r = enrich(dir.path(), "Website\nacme.com\n");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("libother") && r.stderr.contains("is not an icp plugin"),
        "{}",
        r.stderr
    );

    let junk = dir.path().join("libjunk.so");
    std::fs::write(&junk, "#!/bin/sh\necho not a library\n").unwrap();
    write_config(dir.path(), &junk, "", "");
    let r = enrich(dir.path(), "Website\nacme.com\n");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("libjunk.so: cannot be loaded as a shared library"),
        "{}",
        r.stderr
    );
    let r = icp(["plugins", "check", junk.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

/// A Harbourline-shaped provider: single GETs answer a company for every
/// domain but `unknown.com`; the times of the calls are recorded.
struct Harbourline {
    calls: Arc<Mutex<Vec<Instant>>>,
}

impl Respond for Harbourline {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        self.calls.lock().unwrap().push(Instant::now());
        let domain = req
            .url
            .path()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        if domain == "unknown.com" {
            return ResponseTemplate::new(404).set_body_string("{\"error\": \"not_found\"}");
        }
        ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "company": {
                "domain": domain,
                "trading_name": format!("Company {domain}"),
                "headcount": 240,
                "industry": { "primary": "Software" },
                "hq": { "country_iso": "DE", "city": "Berlin" },
                "founded": 2012,
                "stack": [{ "name": "Salesforce" }, { "name": "Segment" }],
                "funding": { "stage": "Series B", "last_round_on": "2025-06-01" }
            }
        }))
    }
}

#[tokio::test]
async fn the_example_plugin_enriches_through_the_host_under_its_limits() {
    let lib = example_library();
    let server = MockServer::start().await;
    let calls = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("GET"))
        .and(path_regex("^/v2/companies/[^/]+$"))
        .and(header("x-harbour-key", KEY))
        .respond_with(Harbourline {
            calls: calls.clone(),
        })
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    write_config(
        dir.path(),
        &lib,
        &format!("base_url = \"{}\", bulk = false", server.uri()),
        "limits = [{ count = 4, per = \"1s\" }]\nconcurrency = 8\n",
    );
    let mut accounts = String::from("Website\nunknown.com\n");
    for i in 0..11 {
        accounts.push_str(&format!("https://www.company{i}.com/\n"));
    }
    let started = Instant::now();
    let r = enrich(dir.path(), &accounts);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let (h, rows) = read_csv(&dir.path().join("out.csv"));
    assert_eq!(rows.len(), 12);
    assert_eq!(cell(&h, &rows[1], "employees"), "240");
    assert_eq!(cell(&h, &rows[1], "technologies"), "Salesforce; Segment");
    assert_eq!(cell(&h, &rows[1], "funding_stage"), "Series B");
    assert_eq!(
        cell(&h, &rows[0], "employees"),
        "",
        "unknown.com has no data"
    );
    // The host's limit holds for the plugin: 12 calls at 4 a second.
    let times = calls.lock().unwrap().clone();
    assert_eq!(times.len(), 12);
    for w in times.windows(5) {
        assert!(
            w[4] - w[0] >= Duration::from_millis(950),
            "5 calls within {:?}",
            w[4] - w[0]
        );
    }
    assert!(started.elapsed() >= Duration::from_secs(2));
    // The key went to the provider in the header, never to the output.
    let out = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert!(!out.contains(KEY) && !r.stdout.contains(KEY) && !r.stderr.contains(KEY));
    // A warm rerun answers from the cache.
    let r = enrich(dir.path(), &accounts);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(calls.lock().unwrap().len(), 12);
}

#[tokio::test]
async fn a_plugin_that_panics_fails_its_rows_not_the_run() {
    let lib = example_library();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    write_config(
        dir.path(),
        &lib,
        &format!(
            "base_url = \"{}\", bulk = false, simulate = \"panic\"",
            server.uri()
        ),
        "",
    );
    let r = enrich(dir.path(), "Website\nacme.com\nglobex.com\n");
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let (h, rows) = read_csv(&dir.path().join("out.csv"));
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert!(
            cell(&h, row, "icp_errors").contains("the plugin panicked in parse"),
            "{row:?}"
        );
    }
}

#[test]
fn plugins_check_and_list_load_the_example() {
    let lib = example_library();
    let r = icp(["plugins", "check", lib.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("harbourline 0.1.0"), "{}", r.stdout);
    assert!(
        r.stdout.contains("ok    a provider that hangs times out"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("passes"), "{}", r.stdout);

    // plugins_dir: the library named after the source's plugin.
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("plugins");
    std::fs::create_dir(&plugins).unwrap();
    let name = format!(
        "{}harbourline{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    std::fs::copy(&lib, plugins.join(&name)).unwrap();
    std::fs::write(
        dir.path().join("icp.toml"),
        "plugins_dir = \"plugins\"\n\n[[sources]]\nname = \"hl\"\nplugin = \"harbourline\"\nsecrets = { api_key = \"${ICP_TEST_HARBOUR_KEY}\" }\n",
    )
    .unwrap();
    let r = icp([
        "plugins",
        "list",
        "--config",
        dir.path().join("icp.toml").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("technographic-web"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("hl: harbourline 0.1.0 (firmographic, key domain, batch 25)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains(&name), "{}", r.stdout);
}

#[test]
fn plugins_new_writes_a_crate_with_the_names_filled_in() {
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("acme-data");
    let r = icp(["plugins", "new", "acme-data", "--dir", to.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let cargo = std::fs::read_to_string(to.join("Cargo.toml")).unwrap();
    assert!(cargo.contains("name = \"icp-plugin-acme-data\""), "{cargo}");
    assert!(cargo.contains("name = \"acme_data\""), "{cargo}");
    assert!(
        cargo.contains("crate-type = [\"cdylib\", \"rlib\"]"),
        "{cargo}"
    );
    let lib = std::fs::read_to_string(to.join("src/lib.rs")).unwrap();
    assert!(
        lib.contains("export_plugin!(AcmeData::new())"),
        "the export line"
    );
    assert!(lib.contains("\"acme-data\""), "the plugin name");
    assert!(!lib.contains("arbourline"));
    assert!(to.join("tests/conformance.rs").exists());
    // Not over an existing crate, and only sensible names.
    let r = icp(["plugins", "new", "acme-data", "--dir", to.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("already exists"), "{}", r.stderr);
    let r = icp(["plugins", "new", "Acme Data!"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}
