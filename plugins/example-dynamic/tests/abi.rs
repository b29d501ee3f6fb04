//! The exported C table, called in-process through its function pointers
//! as the host calls it after loading the library: versions, manifest,
//! plan, parse, combine and free, with the status codes OK, ERROR and
//! PANICKED.

use icp_example_dynamic::Harbourline;
use icp_plugin_sdk::abi::{self, ABI_VERSION, Bytes, Owned, PluginTable};
use icp_plugin_sdk::{
    API_VERSION, Manifest, Outcome, ParseResult, Plan, PlannedRequest, Response, SourceError,
};
use serde_json::{Value, json};

fn table() -> &'static PluginTable {
    let t = icp_example_dynamic::icp_plugin_entry_v1();
    assert!(!t.is_null());
    // SAFETY: the entry function returns a pointer to a static table.
    unsafe { &*t }
}

/// Take the bytes of an output buffer and hand it back to the plugin.
fn take(t: &PluginTable, out: Owned) -> Vec<u8> {
    assert!(!out.ptr.is_null(), "the plugin wrote no buffer");
    // SAFETY: the plugin wrote `len` bytes at `ptr`.
    let bytes = unsafe { std::slice::from_raw_parts(out.ptr, out.len) }.to_vec();
    // SAFETY: the buffer came from this plugin and is freed once.
    unsafe { (t.free)(out) };
    bytes
}

fn call_plan(t: &PluginTable, accounts: &[u8], settings: &[u8]) -> (i32, Vec<u8>) {
    let mut out = Owned::EMPTY;
    // SAFETY: the inputs live for the call; `out` is writable.
    let code = unsafe {
        (t.plan)(
            Bytes::from_slice(accounts),
            Bytes::from_slice(settings),
            &mut out,
        )
    };
    (code, take(t, out))
}

fn call_parse(t: &PluginTable, request: &[u8], response: &[u8]) -> (i32, Vec<u8>) {
    let mut out = Owned::EMPTY;
    // SAFETY: as above.
    let code = unsafe {
        (t.parse)(
            Bytes::from_slice(request),
            Bytes::from_slice(response),
            &mut out,
        )
    };
    (code, take(t, out))
}

fn plan_ok(t: &PluginTable, keys: &[&str], settings: Value) -> Vec<PlannedRequest> {
    let accounts = json!(keys.iter().map(|k| json!({ "key": k })).collect::<Vec<_>>());
    let (code, out) = call_plan(
        t,
        accounts.to_string().as_bytes(),
        settings.to_string().as_bytes(),
    );
    assert_eq!(code, abi::OK, "{}", String::from_utf8_lossy(&out));
    serde_json::from_slice(&out).unwrap()
}

fn answer(req: &PlannedRequest, status: u16, body: &str) -> Vec<u8> {
    serde_json::to_vec(&Response {
        id: req.id.clone(),
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.into(),
        answers: Vec::new(),
    })
    .unwrap()
}

#[test]
fn versions() {
    let t = table();
    assert_eq!(t.abi_version, ABI_VERSION);
    // SAFETY: a static string.
    let sdk = unsafe { t.sdk_version.as_slice() };
    assert_eq!(std::str::from_utf8(sdk).unwrap(), API_VERSION);
    // The same table every time.
    assert_eq!(
        icp_example_dynamic::icp_plugin_entry_v1(),
        icp_example_dynamic::icp_plugin_entry_v1()
    );
}

#[test]
fn manifest() {
    let t = table();
    let mut out = Owned::EMPTY;
    // SAFETY: `out` is writable.
    let code = unsafe { (t.manifest)(&mut out) };
    assert_eq!(code, abi::OK);
    let m: Manifest = serde_json::from_slice(&take(t, out)).unwrap();
    assert_eq!(&m, Harbourline::new().manifest());
    assert_eq!(m.name, "harbourline");
    assert_eq!(m.version, "0.1.0");
    assert_eq!(m.max_batch, 25);
    assert_eq!(m.secrets, ["api_key"]);
    assert!(m.problems().is_empty(), "{:?}", m.problems());
}

#[test]
fn plan_and_parse() {
    let t = table();
    let reqs = plan_ok(
        t,
        &["brightlane.io", "ghost-company.com"],
        json!({ "base_url": "http://127.0.0.1:9" }),
    );
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].keys, ["brightlane.io", "ghost-company.com"]);
    let body = json!({ "results": [
        { "query": "brightlane.io", "company": { "trading_name": "Brightlane", "headcount": 240 } },
        { "query": "ghost-company.com", "company": null }
    ]});
    let (code, out) = call_parse(
        t,
        &serde_json::to_vec(&reqs[0]).unwrap(),
        &answer(&reqs[0], 200, &body.to_string()),
    );
    assert_eq!(code, abi::OK, "{}", String::from_utf8_lossy(&out));
    let r: ParseResult = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        r.outcomes["brightlane.io"],
        Outcome::Found {
            fields: [
                ("employees".to_string(), json!(240)),
                ("name".to_string(), json!("Brightlane"))
            ]
            .into()
        }
    );
    assert_eq!(r.outcomes["ghost-company.com"], Outcome::NoData);
}

#[test]
fn errors_come_back_as_json_source_errors() {
    let t = table();
    // Bad settings.
    let (code, out) = call_plan(t, br#"[{"key": "a.com"}]"#, br#"{"bulk": "yes"}"#);
    assert_eq!(code, abi::ERROR);
    let e: SourceError = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        e,
        SourceError::Settings("harbourline: bulk: expected true or false, not text".into())
    );
    // Accounts that are not JSON.
    let (code, out) = call_plan(t, b"not json", b"{}");
    assert_eq!(code, abi::ERROR);
    assert!(matches!(
        serde_json::from_slice(&out).unwrap(),
        SourceError::Other(_)
    ));
    // Empty inputs are unreadable, not a crash.
    let (code, _) = call_plan(t, b"", b"");
    assert_eq!(code, abi::ERROR);
    // A malformed answer.
    let reqs = plan_ok(t, &["a.com"], json!({}));
    let (code, out) = call_parse(
        t,
        &serde_json::to_vec(&reqs[0]).unwrap(),
        &answer(&reqs[0], 200, "[]"),
    );
    assert_eq!(code, abi::ERROR);
    assert!(matches!(
        serde_json::from_slice(&out).unwrap(),
        SourceError::Malformed(_)
    ));
}

#[test]
fn a_panic_in_parse_comes_back_as_panicked() {
    let t = table();
    let reqs = plan_ok(t, &["a.com"], json!({ "simulate": "panic", "bulk": false }));
    let (code, out) = call_parse(
        t,
        &serde_json::to_vec(&reqs[0]).unwrap(),
        &answer(&reqs[0], 200, r#"{"company": null}"#),
    );
    assert_eq!(code, abi::PANICKED);
    let message = String::from_utf8(out).unwrap();
    assert_eq!(
        message,
        "harbourline: a simulated panic in parse (settings: simulate = \"panic\")"
    );
    // The plugin still works afterwards.
    let reqs = plan_ok(t, &["a.com"], json!({ "bulk": false }));
    let (code, _) = call_parse(
        t,
        &serde_json::to_vec(&reqs[0]).unwrap(),
        &answer(&reqs[0], 404, ""),
    );
    assert_eq!(code, abi::OK);
}

#[test]
fn combine() {
    let t = table();
    let parts = json!([["bulk-0", { "outcome": "no_data" }]]).to_string();
    let mut out = Owned::EMPTY;
    // SAFETY: the inputs live for the call; `out` is writable.
    let code = unsafe {
        (t.combine)(
            Bytes::from_slice(b"a.com"),
            Bytes::from_slice(parts.as_bytes()),
            &mut out,
        )
    };
    assert_eq!(code, abi::OK);
    let o: Outcome = serde_json::from_slice(&take(t, out)).unwrap();
    assert_eq!(o, Outcome::NoData);
}
