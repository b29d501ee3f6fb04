//! A plugin whose constructor panics: the panic is caught at the boundary
//! (it would abort the host if it unwound across `extern "C"`).

use icp_plugin_sdk::abi::{self, Owned};
use icp_plugin_sdk::{Account, Manifest, ParseResult, Plan, PlannedRequest, Response, SourceError};

struct NeedsAKey;

impl NeedsAKey {
    fn new() -> NeedsAKey {
        panic!("HARBOUR_REGION is not set")
    }
}

impl Plan for NeedsAKey {
    fn manifest(&self) -> &Manifest {
        unreachable!()
    }
    fn plan(
        &self,
        _: &[Account],
        _: &serde_json::Value,
    ) -> Result<Vec<PlannedRequest>, SourceError> {
        unreachable!()
    }
    fn parse(&self, _: &PlannedRequest, _: &Response) -> Result<ParseResult, SourceError> {
        unreachable!()
    }
}

icp_plugin_sdk::export_plugin!(NeedsAKey::new());

#[test]
fn a_panicking_constructor_comes_back_as_panicked() {
    // SAFETY: the entry function returns a static table.
    let table = unsafe { &*icp_plugin_entry_v1() };
    let mut out = Owned::EMPTY;
    // SAFETY: a valid output pointer.
    let code = unsafe { (table.manifest)(&mut out) };
    assert_eq!(code, abi::PANICKED);
    // SAFETY: the plugin wrote `out`.
    let msg = unsafe {
        abi::Bytes {
            ptr: out.ptr,
            len: out.len,
        }
        .as_slice()
    }
    .to_vec();
    assert!(String::from_utf8_lossy(&msg).contains("HARBOUR_REGION is not set"));
    // SAFETY: freed once, by the plugin that wrote it.
    unsafe { (table.free)(out) };
}
