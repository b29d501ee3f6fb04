//! Loading dynamic plugins: shared libraries that export the C ABI of
//! `icp_plugin_sdk::abi`. A loaded plugin is a [`Plan`] like a built-in
//! network source, so the host's limits, retries, cache, timeouts, size
//! caps and secret injection apply to it the same way.
//!
//! Libraries are never unloaded: a call may be in flight on another task,
//! and a plugin's statics must outlive every buffer it handed out.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use icp_plugin_sdk::abi::{self, Bytes, Owned, PluginTable};
use icp_plugin_sdk::{
    API_VERSION, Account, Manifest, Outcome, ParseResult, Plan, PlannedRequest, Response,
    SourceError,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A plugin loaded from a shared library.
pub struct DynamicPlan {
    table: &'static PluginTable,
    manifest: Manifest,
    path: PathBuf,
    /// The SDK version the plugin was built with.
    pub sdk_version: String,
}

/// Why a library cannot be used as a plugin; every message names the file.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct LoadError {
    pub path: PathBuf,
    pub message: String,
}

/// Tables of the libraries loaded so far, by path: a library is opened
/// once per process and kept.
fn loaded() -> &'static Mutex<HashMap<PathBuf, &'static PluginTable>> {
    static LOADED: OnceLock<Mutex<HashMap<PathBuf, &'static PluginTable>>> = OnceLock::new();
    LOADED.get_or_init(Default::default)
}

impl DynamicPlan {
    /// Load the plugin in `path`, check its ABI and SDK versions and read
    /// its manifest.
    pub fn load(path: &Path) -> Result<DynamicPlan, LoadError> {
        let fail = |message: String| LoadError {
            path: path.to_path_buf(),
            message,
        };
        if !path.is_file() {
            return Err(fail(
                "no such file: build the plugin (cargo build --release -p <crate>) or fix the path"
                    .into(),
            ));
        }
        let key = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        let table = {
            let mut map = loaded().lock().unwrap_or_else(|e| e.into_inner());
            match map.get(&key) {
                Some(t) => *t,
                None => {
                    // The full path: a bare file name would send dlopen
                    // searching the system's library folders.
                    let t = open(&key).map_err(fail)?;
                    map.insert(key, t);
                    t
                }
            }
        };
        DynamicPlan::from_table(table, path)
    }

    /// A plugin from its table: the versions and the manifest checked. The
    /// table must live for the process (a loaded, never unloaded library,
    /// or a plugin linked in, as the boundary benchmark does).
    pub fn from_table(table: &'static PluginTable, path: &Path) -> Result<DynamicPlan, LoadError> {
        let fail = |message: String| LoadError {
            path: path.to_path_buf(),
            message,
        };
        if table.abi_version != abi::ABI_VERSION {
            return Err(fail(format!(
                "built for plugin ABI version {}, but this icp speaks version {}: rebuild it against icp-plugin-sdk {API_VERSION}",
                table.abi_version,
                abi::ABI_VERSION
            )));
        }
        // SAFETY: the table's version string is static data of the library.
        let sdk_version =
            String::from_utf8_lossy(unsafe { table.sdk_version.as_slice() }).into_owned();
        if !compatible(&sdk_version, API_VERSION) {
            return Err(fail(format!(
                "built with icp-plugin-sdk {sdk_version}, which this icp (SDK {API_VERSION}) cannot load: rebuild it against icp-plugin-sdk {API_VERSION}"
            )));
        }
        let mut plugin = DynamicPlan {
            table,
            manifest: placeholder_manifest(),
            path: path.to_path_buf(),
            sdk_version,
        };
        let manifest: Manifest = plugin
            .call("manifest", |out| unsafe { (table.manifest)(out) })
            .map_err(|e| fail(format!("its manifest cannot be read: {e}")))?;
        let problems = manifest.problems();
        if !problems.is_empty() {
            return Err(fail(format!(
                "its manifest is not usable: {}",
                problems.join("; ")
            )));
        }
        plugin.manifest = manifest;
        Ok(plugin)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Call one table function and read its JSON answer; panics and
    /// errors of the plugin become [`SourceError`]s.
    fn call<T: DeserializeOwned>(
        &self,
        what: &str,
        f: impl FnOnce(*mut Owned) -> i32,
    ) -> Result<T, SourceError> {
        let mut out = Owned::EMPTY;
        let code = f(&mut out);
        // SAFETY: the plugin wrote `out` (or left it empty).
        let bytes = unsafe {
            Bytes {
                ptr: out.ptr,
                len: out.len,
            }
            .as_slice()
        }
        .to_vec();
        // SAFETY: `out` came from this plugin and is freed once, here.
        unsafe { (self.table.free)(out) };
        match code {
            abi::OK => serde_json::from_slice(&bytes).map_err(|e| {
                SourceError::Other(format!(
                    "plugin {} returned an unreadable {what}: {e}",
                    self.path.display()
                ))
            }),
            abi::ERROR => Err(serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                SourceError::Other(String::from_utf8_lossy(&bytes).into_owned())
            })),
            abi::PANICKED => Err(SourceError::Other(format!(
                "the plugin panicked in {what}: {}",
                String::from_utf8_lossy(&bytes)
            ))),
            other => Err(SourceError::Other(format!(
                "the plugin answered {what} with unknown status {other}"
            ))),
        }
    }
}

fn json<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

impl Plan for DynamicPlan {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn plan(
        &self,
        accounts: &[Account],
        settings: &serde_json::Value,
    ) -> Result<Vec<PlannedRequest>, SourceError> {
        let (a, s) = (json(&accounts), json(settings));
        self.call("plan", |out| unsafe {
            (self.table.plan)(Bytes::from_slice(&a), Bytes::from_slice(&s), out)
        })
    }

    fn parse(
        &self,
        request: &PlannedRequest,
        response: &Response,
    ) -> Result<ParseResult, SourceError> {
        let (q, r) = (json(request), json(response));
        self.call("parse", |out| unsafe {
            (self.table.parse)(Bytes::from_slice(&q), Bytes::from_slice(&r), out)
        })
    }

    fn combine(&self, key: &str, parts: Vec<(String, Outcome)>) -> Outcome {
        let p = json(&parts);
        self.call("combine", |out| unsafe {
            (self.table.combine)(
                Bytes::from_slice(key.as_bytes()),
                Bytes::from_slice(&p),
                out,
            )
        })
        .unwrap_or_else(|e| Outcome::Failed {
            message: e.to_string(),
        })
    }
}

/// Open a library and find its table; the library is leaked on purpose.
fn open(path: &Path) -> Result<&'static PluginTable, String> {
    // SAFETY: loading runs the library's initialisers; a plugin library is
    // code the user chose to run, as with any executable.
    let lib = unsafe { libloading::Library::new(path) }.map_err(|e| {
        format!("cannot be loaded as a shared library ({e}); is it a plugin built for this system (a .so on Linux, .dylib on macOS, .dll on Windows)?")
    })?;
    let lib: &'static libloading::Library = Box::leak(Box::new(lib));
    // SAFETY: the symbol's type is the ABI's entry function.
    let entry: libloading::Symbol<'static, unsafe extern "C" fn() -> *const PluginTable> =
        unsafe { lib.get(abi::ENTRY_SYMBOL) }.map_err(|_| {
            "is not an icp plugin: it exports no `icp_plugin_entry_v1` function (a Rust plugin ends with icp_plugin_sdk::export_plugin!(...))".to_string()
        })?;
    // SAFETY: calling the entry function has no preconditions.
    let table = unsafe { entry() };
    if table.is_null() {
        return Err("is not a usable icp plugin: its entry function returned no table".into());
    }
    // SAFETY: the table is static data of a library that is never unloaded.
    Ok(unsafe { &*table })
}

/// Semver compatibility of a plugin's SDK with the host's: same major, and
/// the same minor while the major is 0.
fn compatible(plugin: &str, host: &str) -> bool {
    let parts = |v: &str| -> Option<(u64, u64)> {
        let mut it = v.trim().split(['.', '-', '+']);
        Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
    };
    match (parts(plugin), parts(host)) {
        (Some((0, a)), Some((0, b))) => a == b,
        (Some((a, _)), Some((b, _))) => a == b,
        _ => false,
    }
}

fn placeholder_manifest() -> Manifest {
    Manifest {
        name: String::new(),
        version: String::new(),
        category: icp_plugin_sdk::Category::Firmographic,
        key: "domain".into(),
        fields: Vec::new(),
        max_batch: 1,
        limits: Vec::new(),
        cost_per_call: 0.0,
        secrets: Vec::new(),
        untrusted_hosts: false,
    }
}

/// The file name a plugin called `name` has in a plugins folder on this
/// system (`harbour-line` -> `libharbour_line.so`).
pub fn library_file_name(name: &str) -> String {
    let stem = name.replace('-', "_");
    format!(
        "{}{stem}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_versions_are_compatible_by_semver() {
        assert!(compatible("0.1.0", "0.1.7"));
        assert!(!compatible("0.2.0", "0.1.0"));
        assert!(compatible("1.4.0", "1.0.2"));
        assert!(!compatible("2.0.0", "1.9.0"));
        assert!(!compatible("junk", "0.1.0"));
    }

    #[test]
    fn missing_and_non_library_files_are_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let e = DynamicPlan::load(&dir.path().join("nope.so"))
            .err()
            .unwrap();
        assert!(e.to_string().contains("nope.so: no such file"), "{e}");
        let junk = dir.path().join("junk.so");
        std::fs::write(&junk, b"this is not a shared library").unwrap();
        let e = DynamicPlan::load(&junk).err().unwrap();
        assert!(
            e.to_string()
                .contains("junk.so: cannot be loaded as a shared library"),
            "{e}"
        );
    }

    #[test]
    fn plugin_library_names_follow_the_platform() {
        let n = library_file_name("harbour-line");
        assert!(n.contains("harbour_line"), "{n}");
    }
}
