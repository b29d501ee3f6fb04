//! The C ABI of dynamic plugins.
//!
//! A plugin is a shared library (`cdylib`) exporting one function,
//! [`ENTRY_SYMBOL`] (`icp_plugin_entry_v1`), that returns a pointer to a
//! static [`PluginTable`]: the ABI version, the SDK version it was built
//! with, and C functions that exchange JSON in `(ptr, len)` buffers. No
//! Rust type crosses the boundary. Inputs are borrowed from the host for
//! the call; outputs are allocated by the plugin and handed back to its
//! `free`. Each call returns [`OK`] (the output is the JSON result),
//! [`ERROR`] (a JSON [`SourceError`]) or [`PANICKED`] (the panic message,
//! UTF-8): a panic never unwinds into the host.
//!
//! Plugin authors do not write any of this: [`export_plugin!`](crate::export_plugin)
//! turns a [`Plan`] into the table. `include/icp_plugin.h` describes the
//! same ABI for plugins written in other languages.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::{Account, Outcome, Plan, PlannedRequest, Response, SourceError};

/// Bumped when the table's layout or meaning changes; the host refuses
/// any other version.
pub const ABI_VERSION: u32 = 1;

/// The exported entry function's name, NUL-terminated for dlsym.
pub const ENTRY_SYMBOL: &[u8] = b"icp_plugin_entry_v1\0";

/// The call succeeded: the output holds the JSON result.
pub const OK: i32 = 0;
/// The plugin reports an error: the output holds a JSON [`SourceError`].
pub const ERROR: i32 = 1;
/// The plugin panicked: the output holds the message.
pub const PANICKED: i32 = 2;

/// Bytes the caller lends for the duration of a call.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Bytes {
    pub ptr: *const u8,
    pub len: usize,
}

impl Bytes {
    pub const fn from_static(s: &'static str) -> Bytes {
        Bytes {
            ptr: s.as_ptr(),
            len: s.len(),
        }
    }

    pub fn from_slice(s: &[u8]) -> Bytes {
        Bytes {
            ptr: s.as_ptr(),
            len: s.len(),
        }
    }

    /// # Safety
    /// `ptr` must point at `len` readable bytes for the returned lifetime
    /// (or `len` must be 0).
    pub unsafe fn as_slice<'a>(self) -> &'a [u8] {
        if self.len == 0 || self.ptr.is_null() {
            &[]
        } else {
            // SAFETY: the caller guarantees `ptr` and `len`.
            unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
        }
    }
}

/// A buffer the plugin allocated; only the plugin's `free` releases it.
#[repr(C)]
#[derive(Debug)]
pub struct Owned {
    pub ptr: *mut u8,
    pub len: usize,
}

impl Owned {
    pub const EMPTY: Owned = Owned {
        ptr: std::ptr::null_mut(),
        len: 0,
    };

    fn from_vec(v: Vec<u8>) -> Owned {
        let len = v.len();
        let ptr = Box::into_raw(v.into_boxed_slice()) as *mut u8;
        Owned { ptr, len }
    }
}

/// What the entry function returns.
#[repr(C)]
pub struct PluginTable {
    pub abi_version: u32,
    /// The icp-plugin-sdk version the plugin was built with (semver, UTF-8).
    pub sdk_version: Bytes,
    /// Writes the manifest (JSON [`Manifest`](crate::Manifest)).
    pub manifest: unsafe extern "C" fn(out: *mut Owned) -> i32,
    /// Accounts (JSON array of [`Account`]) and settings (JSON) in; JSON
    /// array of [`PlannedRequest`] out.
    pub plan: unsafe extern "C" fn(accounts: Bytes, settings: Bytes, out: *mut Owned) -> i32,
    /// A [`PlannedRequest`] and its [`Response`] in; a
    /// [`ParseResult`](crate::ParseResult) out.
    pub parse: unsafe extern "C" fn(request: Bytes, response: Bytes, out: *mut Owned) -> i32,
    /// An account key (UTF-8) and its parts (JSON array of `[request id,
    /// Outcome]`) in; an [`Outcome`] out.
    pub combine: unsafe extern "C" fn(key: Bytes, parts: Bytes, out: *mut Owned) -> i32,
    /// Releases a buffer this plugin wrote.
    pub free: unsafe extern "C" fn(buffer: Owned),
}

// SAFETY: the table is immutable static data (function pointers and a
// pointer to a static string).
unsafe impl Sync for PluginTable {}

/// The functions [`export_plugin!`](crate::export_plugin) puts in the table.
#[doc(hidden)]
pub mod export {
    use super::*;

    /// Run `f`, catching panics, and write its JSON result or error.
    fn guard(out: *mut Owned, f: impl FnOnce() -> Result<Vec<u8>, SourceError>) -> i32 {
        let (code, bytes) = match catch_unwind(AssertUnwindSafe(f)) {
            Ok(Ok(json)) => (OK, json),
            Ok(Err(e)) => (ERROR, serde_json::to_vec(&e).unwrap_or_default()),
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic without a message".into());
                (PANICKED, msg.into_bytes())
            }
        };
        if !out.is_null() {
            // SAFETY: the host passes a valid pointer to write the result to.
            unsafe { out.write(Owned::from_vec(bytes)) };
        }
        code
    }

    fn json<T: serde::de::DeserializeOwned>(b: Bytes, what: &str) -> Result<T, SourceError> {
        // SAFETY: the host lends `b` for the duration of the call.
        serde_json::from_slice(unsafe { b.as_slice() })
            .map_err(|e| SourceError::Other(format!("the host sent unreadable {what}: {e}")))
    }

    fn to_json<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, SourceError> {
        serde_json::to_vec(v).map_err(|e| SourceError::Other(e.to_string()))
    }

    /// The plugin value, built on first use inside `guard`: a panic in the
    /// plugin's constructor is caught like any other.
    pub type Get = fn() -> &'static dyn Plan;

    pub fn manifest(p: Get, out: *mut Owned) -> i32 {
        guard(out, || to_json(p().manifest()))
    }

    pub fn plan(p: Get, accounts: Bytes, settings: Bytes, out: *mut Owned) -> i32 {
        guard(out, || {
            let p = p();
            let accounts: Vec<Account> = json(accounts, "accounts")?;
            let settings: serde_json::Value = json(settings, "settings")?;
            to_json(&p.plan(&accounts, &settings)?)
        })
    }

    pub fn parse(p: Get, request: Bytes, response: Bytes, out: *mut Owned) -> i32 {
        guard(out, || {
            let p = p();
            let request: PlannedRequest = json(request, "a request")?;
            let response: Response = json(response, "a response")?;
            to_json(&p.parse(&request, &response)?)
        })
    }

    pub fn combine(p: Get, key: Bytes, parts: Bytes, out: *mut Owned) -> i32 {
        guard(out, || {
            let p = p();
            // SAFETY: the host lends `key` for the duration of the call.
            let key = String::from_utf8_lossy(unsafe { key.as_slice() }).into_owned();
            let parts: Vec<(String, Outcome)> = json(parts, "outcomes")?;
            to_json(&p.combine(&key, parts))
        })
    }

    /// # Safety
    /// `buffer` must come from this plugin's output and be freed once.
    pub unsafe fn free(buffer: Owned) {
        if !buffer.ptr.is_null() {
            let slice = std::ptr::slice_from_raw_parts_mut(buffer.ptr, buffer.len);
            // SAFETY: written by `Owned::from_vec` from a boxed slice.
            drop(unsafe { Box::from_raw(slice) });
        }
    }
}

/// Export a [`Plan`] as a dynamic icp plugin: builds the [`PluginTable`]
/// and the `icp_plugin_entry_v1` entry function. The expression builds the
/// plugin once, on first use. The crate must be built with
/// `crate-type = ["cdylib", "rlib"]` and `panic = "unwind"` (the default).
///
/// ```ignore
/// icp_plugin_sdk::export_plugin!(Harbourline::new());
/// ```
#[macro_export]
macro_rules! export_plugin {
    ($plugin:expr) => {
        #[doc(hidden)]
        fn __icp_plugin() -> &'static dyn $crate::Plan {
            static PLUGIN: ::std::sync::OnceLock<::std::boxed::Box<dyn $crate::Plan>> =
                ::std::sync::OnceLock::new();
            PLUGIN
                .get_or_init(|| ::std::boxed::Box::new($plugin))
                .as_ref()
        }

        #[doc(hidden)]
        unsafe extern "C" fn __icp_manifest(out: *mut $crate::abi::Owned) -> i32 {
            $crate::abi::export::manifest(__icp_plugin, out)
        }

        #[doc(hidden)]
        unsafe extern "C" fn __icp_plan(
            accounts: $crate::abi::Bytes,
            settings: $crate::abi::Bytes,
            out: *mut $crate::abi::Owned,
        ) -> i32 {
            $crate::abi::export::plan(__icp_plugin, accounts, settings, out)
        }

        #[doc(hidden)]
        unsafe extern "C" fn __icp_parse(
            request: $crate::abi::Bytes,
            response: $crate::abi::Bytes,
            out: *mut $crate::abi::Owned,
        ) -> i32 {
            $crate::abi::export::parse(__icp_plugin, request, response, out)
        }

        #[doc(hidden)]
        unsafe extern "C" fn __icp_combine(
            key: $crate::abi::Bytes,
            parts: $crate::abi::Bytes,
            out: *mut $crate::abi::Owned,
        ) -> i32 {
            $crate::abi::export::combine(__icp_plugin, key, parts, out)
        }

        #[doc(hidden)]
        unsafe extern "C" fn __icp_free(buffer: $crate::abi::Owned) {
            unsafe { $crate::abi::export::free(buffer) }
        }

        /// The entry point the icp host looks up.
        #[unsafe(no_mangle)]
        pub extern "C" fn icp_plugin_entry_v1() -> *const $crate::abi::PluginTable {
            static TABLE: $crate::abi::PluginTable = $crate::abi::PluginTable {
                abi_version: $crate::abi::ABI_VERSION,
                sdk_version: $crate::abi::Bytes::from_static($crate::API_VERSION),
                manifest: __icp_manifest,
                plan: __icp_plan,
                parse: __icp_parse,
                combine: __icp_combine,
                free: __icp_free,
            };
            &TABLE
        }
    };
}
