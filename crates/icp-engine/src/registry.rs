//! The built-in sources, each behind a Cargo feature.

use std::path::Path;
use std::sync::Arc;

use icp_plugin_sdk::{Plan, Source};

use crate::dynamic::DynamicPlan;

/// A source as a plugin builds it: network sources are sans-IO plans the
/// engine performs; local sources read their data themselves.
pub enum Built {
    Plan(Arc<dyn Plan>),
    Local(Arc<dyn Source>),
}

/// Names of the plugins compiled into this build.
pub const BUILTIN: &[&str] = &[
    #[cfg(feature = "firmographic-http")]
    "firmographic-http",
    #[cfg(feature = "firmographic-file")]
    "firmographic-file",
    #[cfg(feature = "community-members")]
    "community-members",
    #[cfg(feature = "intent-events")]
    "intent-events",
    #[cfg(feature = "technographic-web")]
    "technographic-web",
];

/// Build plugin `plugin` with its settings; `base_dir` is the config's
/// folder (relative paths in settings start there).
pub fn build(plugin: &str, settings: &serde_json::Value, base_dir: &Path) -> Result<Built, String> {
    let _ = (settings, base_dir);
    match plugin {
        #[cfg(feature = "firmographic-http")]
        "firmographic-http" => icp_source_firmographic_http::FirmographicHttp::new(settings)
            .map(|p| Built::Plan(Arc::new(p)))
            .map_err(|e| e.to_string()),
        #[cfg(feature = "firmographic-file")]
        "firmographic-file" => {
            icp_source_firmographic_file::FirmographicFile::open(settings, base_dir)
                .map(|s| Built::Local(Arc::new(s)))
                .map_err(|e| e.to_string())
        }
        #[cfg(feature = "community-members")]
        "community-members" => {
            let s = icp_source_community_members::CommunityMembers::open(settings, base_dir)
                .map_err(|e| e.to_string())?;
            tracing::info!(plugin = "community-members", "{}", s.load_report());
            Ok(Built::Local(Arc::new(s)))
        }
        #[cfg(feature = "intent-events")]
        "intent-events" => {
            let s = icp_source_intent_events::IntentEvents::open(settings, base_dir)
                .map_err(|e| e.to_string())?;
            tracing::info!(plugin = "intent-events", "{}", s.load_report());
            Ok(Built::Local(Arc::new(s)))
        }
        #[cfg(feature = "technographic-web")]
        "technographic-web" => {
            icp_source_technographic_web::TechnographicWeb::new(settings, base_dir)
                .map(|p| Built::Plan(Arc::new(p)))
                .map_err(|e| e.to_string())
        }
        other => Err(format!(
            "unknown plugin `{other}`: set `library = \"path/to/lib{}.so\"` for a dynamic plugin, or use one built in: {}",
            other.replace('-', "_"),
            BUILTIN.join(", ")
        )),
    }
}

/// Build the source a `[[sources]]` entry describes: from its `library`,
/// else with `plugins` (the built-in ones), else from the config's
/// `plugins_dir`. Returns its settings as JSON too (network sources get
/// them at each plan).
pub fn build_configured(
    sc: &crate::config::SourceConfig,
    cfg: &crate::Config,
    plugins: impl Fn(&str, &serde_json::Value, &Path) -> Result<Built, String>,
) -> Result<(serde_json::Value, Built), String> {
    let settings = serde_json::to_value(&sc.settings)
        .map_err(|e| format!("source `{}`: settings: {e}", sc.name))?;
    let dynamic = |path: std::path::PathBuf| {
        DynamicPlan::load(&path)
            .map(|p| Built::Plan(Arc::new(p)))
            .map_err(|e| e.to_string())
    };
    let in_plugins_dir = cfg.plugins_dir.as_ref().map(|d| {
        cfg.dir
            .join(d)
            .join(crate::dynamic::library_file_name(&sc.plugin))
    });
    let builtin = BUILTIN.contains(&sc.plugin.as_str());
    let built = match (&sc.library, in_plugins_dir) {
        (Some(lib), _) => dynamic(cfg.dir.join(lib)),
        (None, Some(path)) if !builtin && path.exists() => dynamic(path),
        (None, Some(path)) if !builtin => plugins(&sc.plugin, &settings, &cfg.dir)
            .map_err(|e| format!("{e}; no plugin library at {} either", path.display())),
        _ => plugins(&sc.plugin, &settings, &cfg.dir),
    }
    .map_err(|e| format!("source `{}` ({}): {e}", sc.name, sc.plugin))?;
    Ok((settings, built))
}

/// The fields the enabled sources of `cfg` provide (for `icp profile check
/// --config`): each source is built, but nothing is called.
pub fn provided_fields(cfg: &crate::Config) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    for sc in cfg.sources.iter().filter(|s| s.enabled) {
        let manifest = match build_configured(sc, cfg, build)?.1 {
            Built::Plan(p) => p.manifest().clone(),
            Built::Local(s) => s.manifest().clone(),
        };
        for f in manifest.fields {
            if f.ty == icp_plugin_sdk::FieldType::Events && f.name == "intent_events" {
                // Scoring derives these from the dated events.
                fields.extend(
                    [
                        "intent_score",
                        "intent_surge",
                        "intent_last_seen",
                        "intent_topics",
                    ]
                    .map(String::from),
                );
            }
            fields.push(f.name);
        }
    }
    fields.sort();
    fields.dedup();
    Ok(fields)
}
