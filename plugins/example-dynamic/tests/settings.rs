//! Settings: defaults, and every mistake refused with a message that names
//! the setting (and never echoes its value).

mod common;

use common::{BASE, accounts, plan, settings_error};
use icp_example_dynamic::{DEFAULT_BASE_URL, Harbourline, SETTINGS, Settings, Simulate};
use icp_plugin_sdk::{Plan, SourceError};
use serde_json::{Value, json};

#[test]
fn defaults() {
    for s in [Value::Null, json!({})] {
        assert_eq!(
            Settings::from_json(&s).unwrap(),
            Settings {
                base_url: DEFAULT_BASE_URL.to_string(),
                bulk: true,
                simulate: None,
            }
        );
    }
    assert_eq!(DEFAULT_BASE_URL, "https://api.harbourline.example");
    assert_eq!(SETTINGS, ["base_url", "bulk", "simulate"]);
}

#[test]
fn every_setting_is_read() {
    let s = Settings::from_json(&json!({
        "base_url": " http://127.0.0.1:4010/ ",
        "bulk": false,
        "simulate": "panic"
    }))
    .unwrap();
    assert_eq!(s.base_url, "http://127.0.0.1:4010");
    assert!(!s.bulk);
    assert_eq!(s.simulate, Some(Simulate::Panic));
}

#[test]
fn an_unknown_key_is_named() {
    assert_eq!(
        settings_error(json!({ "base_url": BASE, "batch_size": 10 })),
        "harbourline: unknown setting `batch_size`: expected base_url, bulk, simulate"
    );
    // A key pasted into settings is refused without echoing it.
    let m = settings_error(json!({ "api_key": "hb_live_9f8e7d6c5b4a3f2e1d0c" }));
    assert_eq!(
        m,
        "harbourline: unknown setting `api_key`: expected base_url, bulk, simulate"
    );
    let long = "k".repeat(500);
    let m = settings_error(json!({ long: 1 }));
    assert!(m.len() < 120, "{m}");
}

#[test]
fn wrong_types_are_named() {
    assert_eq!(
        settings_error(json!({ "bulk": "yes" })),
        "harbourline: bulk: expected true or false, not text"
    );
    assert_eq!(
        settings_error(json!({ "base_url": 8080 })),
        "harbourline: base_url: expected text such as \"https://api.harbourline.example\", not a number"
    );
    assert_eq!(
        settings_error(json!(["base_url"])),
        "harbourline: the settings must be a table, not a list"
    );
    assert_eq!(
        settings_error(json!("bulk")),
        "harbourline: the settings must be a table, not text"
    );
}

#[test]
fn base_url_must_be_an_http_address() {
    for (url, why) in [
        (
            "api.harbourline.example",
            "it must start with http:// or https://",
        ),
        (
            "ftp://files.example",
            "it must start with http:// or https://",
        ),
        ("https://", "it has no host"),
        ("https:///v2", "it has no host"),
        ("https://api.harbour line.example", "it contains spaces"),
        (
            "https://api.example/?key=1",
            "it must not have a query or fragment",
        ),
        ("", "it must start with http:// or https://"),
    ] {
        assert_eq!(
            settings_error(json!({ "base_url": url })),
            format!(
                "harbourline: base_url: not a usable API address ({why}), e.g. \"https://api.harbourline.example\""
            ),
            "{url:?}"
        );
    }
}

#[test]
fn simulate_only_knows_panic() {
    for v in [json!("abort"), json!(true), json!(null), json!("PANIC")] {
        assert_eq!(
            settings_error(json!({ "simulate": v })),
            "harbourline: simulate: the only value is \"panic\" (a test switch for the host's panic safety; leave it out in production)",
            "{v}"
        );
    }
}

#[test]
fn an_empty_batch_still_checks_the_settings() {
    let p = Harbourline::new();
    assert!(matches!(
        p.plan(&[], &json!({ "bulk": 1 })),
        Err(SourceError::Settings(_))
    ));
    assert_eq!(p.plan(&[], &json!({ "bulk": true })), Ok(vec![]));
    assert_eq!(p.plan(&accounts(&[]), &Value::Null), Ok(vec![]));
    assert_eq!(plan(&json!({ "bulk": false }), &["a.com"]).len(), 1);
}
