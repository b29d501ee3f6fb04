//! docs/api.md is generated from the OpenAPI document; this test keeps them
//! in step. After changing openapi.json, regenerate with
//! `ICP_BLESS=1 cargo test -p icp-server --test reference`.

use std::path::Path;

#[test]
fn the_api_reference_matches_the_openapi_document() {
    let doc: serde_json::Value =
        serde_json::from_str(icp_server::OPENAPI_JSON).expect("openapi.json is JSON");
    let generated = icp_server::reference::markdown(&doc);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/api.md");
    if std::env::var_os("ICP_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "docs/api.md is not what openapi.json generates: run `ICP_BLESS=1 cargo test -p icp-server --test reference`"
    );
    // Every route of the service is in the reference.
    for (method, path) in icp_server::ROUTES {
        let heading = format!("### {} {path}", method.to_uppercase());
        assert!(generated.contains(&heading), "{heading} missing");
    }
}
