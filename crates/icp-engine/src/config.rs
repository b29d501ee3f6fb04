//! The run config (`config/icp.toml`): store, profiles, sources, waterfall.
//!
//! Paths in the file are relative to the file's folder, so a cron job that
//! runs from elsewhere finds the same store and profiles.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use icp_plugin_sdk::{Category, RateLimit};
use serde::Deserialize;

/// A config problem, worded for the person who wrote the file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config {path}: {reason}")]
    Read { path: String, reason: String },
    /// TOML syntax or an unknown/mistyped key; the message carries line and
    /// column.
    #[error("{path}: {message}")]
    Syntax { path: String, message: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The SQLite store (cache and runs); relative to the config's folder.
    /// `--store` or `ICP_STORE` override it.
    #[serde(default = "default_store")]
    pub store: String,
    /// A profile to score with (a shortcut for `profiles = [..]`).
    #[serde(default)]
    pub profile: Option<String>,
    /// Profiles to score with; several give `<profile>__` columns.
    #[serde(default)]
    pub profiles: Vec<String>,
    #[serde(default)]
    pub output: OutputConfig,
    /// A folder of dynamic plugins: a source whose `plugin` is not built in
    /// is looked for there as `lib<plugin>.so` (`.dylib`, `.dll`).
    #[serde(default)]
    pub plugins_dir: Option<String>,
    #[serde(default)]
    pub sources: Vec<SourceConfig>,
    /// Enrichment jobs: `icp run JOB` now, or on their schedule.
    #[serde(default)]
    pub jobs: Vec<JobConfig>,
    /// Source order per category: `firmographic = ["crm", "clearbit"]`.
    /// Sources a category list leaves out follow in file order.
    #[serde(default)]
    pub waterfall: BTreeMap<String, Vec<String>>,
    /// Per field: `"input"` (default: the CRM's value wins) or `"enriched"`.
    #[serde(default)]
    pub fields: BTreeMap<String, FieldPrecedence>,
    /// `icp serve`: the API token and the request size cap.
    #[serde(default)]
    pub serve: ServeConfig,
    /// Where the config file is (set by [`Config::load`]).
    #[serde(skip)]
    pub dir: PathBuf,
    #[serde(skip)]
    pub path: PathBuf,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputConfig {
    /// Add `<field>__source` and `<field>__fetched_at` columns.
    #[serde(default)]
    pub provenance: bool,
}

/// `[serve]`: the HTTP service (`icp serve`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeConfig {
    /// The bearer token, as a `${ENV_VAR}` reference (a literal token is
    /// refused); `ICP_API_TOKEN` in the environment takes precedence.
    #[serde(default)]
    pub token: Option<String>,
    /// The largest request body accepted, in bytes (default 64 KiB).
    #[serde(default = "default_max_body")]
    pub max_body: usize,
    /// `POST /v1/events` appends intent events to this CSV file (relative
    /// to the config's folder); an `intent-events` source reads it.
    #[serde(default)]
    pub events_file: Option<String>,
    /// Where to POST a notice when a run started by `POST /v1/enrich`
    /// finishes.
    #[serde(default)]
    pub webhook_url: Option<String>,
    /// The webhook's HMAC-SHA256 key, as a `${ENV_VAR}` reference.
    #[serde(default)]
    pub webhook_secret: Option<String>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            token: None,
            max_body: default_max_body(),
            events_file: None,
            webhook_url: None,
            webhook_secret: None,
        }
    }
}

fn default_max_body() -> usize {
    64 * 1024
}

impl ServeConfig {
    /// The token from the `${ENV_VAR}` reference, if one is configured.
    /// The error names the variable, never a value.
    pub fn resolve_token(
        &self,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<String>, String> {
        let Some(reference) = &self.token else {
            return Ok(None);
        };
        let var = reference.trim_start_matches("${").trim_end_matches('}');
        match env(var) {
            Some(v) if !v.is_empty() => Ok(Some(v)),
            _ => Err(format!(
                "[serve] token comes from the environment variable {var}, which is not set; export {var}=... (or ICP_API_TOKEN) before starting the server"
            )),
        }
    }

    /// The webhook secret from its `${ENV_VAR}` reference, if one is
    /// configured. The error names the variable, never a value.
    pub fn resolve_webhook_secret(
        &self,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<String>, String> {
        let Some(reference) = &self.webhook_secret else {
            return Ok(None);
        };
        let var = reference.trim_start_matches("${").trim_end_matches('}');
        match env(var) {
            Some(v) if !v.is_empty() => Ok(Some(v)),
            _ => Err(format!(
                "[serve] webhook_secret comes from the environment variable {var}, which is not set; export {var}=... before starting the server"
            )),
        }
    }

    /// The events file, resolved against the config's folder `dir`.
    pub fn events_path(&self, dir: &Path) -> Option<PathBuf> {
        self.events_file.as_ref().map(|f| dir.join(f))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldPrecedence {
    Input,
    Enriched,
}

/// One enrichment job: what to read, score and write, and when.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobConfig {
    pub name: String,
    /// An account file, or a glob (`exports/*.csv`: one run per file),
    /// relative to the config file.
    pub input: String,
    /// Profiles to score with (default: the config's).
    #[serde(default)]
    pub profiles: Vec<String>,
    /// Where to write: `{date}` becomes the run's date, `{input}` the input
    /// file's name without extension; relative to the config file.
    pub output: String,
    /// A cron schedule (`"0 6 * * MON"`: minute, hour, day, month,
    /// weekday), checked when the config loads.
    #[serde(default)]
    pub schedule: Option<String>,
    /// The schedule's IANA time zone (default UTC).
    #[serde(default = "default_timezone")]
    pub timezone: String,
    /// After downtime: `"skip"` missed runs (default) or `"run_once"`.
    #[serde(default)]
    pub on_missed: OnMissed,
    /// `"ttl"` (default): only accounts whose cached data is older than the
    /// source's TTL are fetched again; `"all"`: every account is.
    #[serde(default)]
    pub refresh: RefreshPolicy,
    /// Add `<field>__source` and `<field>__fetched_at` columns.
    #[serde(default)]
    pub provenance: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnMissed {
    #[default]
    Skip,
    RunOnce,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefreshPolicy {
    #[default]
    Ttl,
    All,
}

fn default_timezone() -> String {
    "UTC".into()
}

impl JobConfig {
    /// The schedule and its time zone, checked.
    pub fn schedule(&self) -> Result<Option<(croner::Cron, chrono_tz::Tz)>, String> {
        let tz: chrono_tz::Tz = self.timezone.parse().map_err(|_| {
            format!(
                "job `{}`: timezone {:?} is not an IANA time zone (e.g. \"Europe/Berlin\", \"America/New_York\", \"UTC\")",
                self.name, self.timezone
            )
        })?;
        let Some(pattern) = &self.schedule else {
            return Ok(None);
        };
        let cron: croner::Cron = pattern.parse().map_err(|e| {
            format!(
                "job `{}`: schedule {pattern:?} is not a cron pattern ({e}); write minute hour day month weekday, e.g. \"0 6 * * MON\"",
                self.name
            )
        })?;
        Ok(Some((cron, tz)))
    }
}

/// One source instance.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// The instance name (in the output's provenance and the summary).
    pub name: String,
    /// A built-in plugin, e.g. `firmographic-http`, `firmographic-file`.
    pub plugin: String,
    /// Plugin settings (see each plugin's README).
    #[serde(default = "empty_table")]
    pub settings: toml::Value,
    /// A dynamic plugin's shared library, relative to the config file.
    #[serde(default)]
    pub library: Option<String>,
    /// Secrets as `${ENV_VAR}` references; the plugin refers to them by
    /// name and never sees the values.
    #[serde(default)]
    pub secrets: BTreeMap<String, String>,
    /// Replace the provider's published limits (the plugin's defaults).
    #[serde(default)]
    pub limits: Option<Vec<RateLimit>>,
    /// Requests in flight at once.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    #[serde(default = "default_timeout", with = "humantime_serde_compat")]
    pub timeout: Duration,
    /// Retries after the first attempt (429, 5xx, timeouts); by default 4
    /// for a provider's API, 1 for companies' own websites.
    #[serde(default)]
    pub retries: Option<u32>,
    /// Backoff one request may spend across its retries.
    #[serde(default = "default_max_retry_wait", with = "humantime_serde_compat")]
    pub max_retry_wait: Duration,
    /// Waits longer than this (a long Retry-After, a spent daily quota)
    /// park the source for the run; rerun later to resume.
    #[serde(default = "default_max_wait", with = "humantime_serde_compat")]
    pub max_wait: Duration,
    /// Failed calls in a row (5xx, timeouts) that open the circuit.
    #[serde(default = "default_breaker_threshold")]
    pub breaker_threshold: u32,
    /// How long an open circuit rests before one probe call (doubling
    /// while the probe fails).
    #[serde(default = "default_breaker_cooldown", with = "humantime_serde_compat")]
    pub breaker_cooldown: Duration,
    /// How long found data stays fresh in the cache.
    #[serde(default = "default_ttl", with = "humantime_serde_compat")]
    pub ttl: Duration,
    /// How long a "no data" answer stays fresh.
    #[serde(default = "default_no_data_ttl", with = "humantime_serde_compat")]
    pub no_data_ttl: Duration,
    /// Credits per call (overrides the plugin's).
    #[serde(default)]
    pub cost_per_call: Option<f64>,
    /// Fields to fetch even if no profile needs them.
    #[serde(default)]
    pub want: Vec<String>,
    /// Accounts per call for bulk endpoints (at most the plugin's).
    #[serde(default)]
    pub batch_size: Option<u32>,
    /// A 202 "queued" answer is asked again this many times in the run.
    #[serde(default = "default_queued_retries")]
    pub queued_retries: u32,
    #[serde(default = "default_queued_wait", with = "humantime_serde_compat")]
    pub queued_wait: Duration,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn default_store() -> String {
    ".icp/store.db".into()
}
fn empty_table() -> toml::Value {
    toml::Value::Table(Default::default())
}
fn default_concurrency() -> usize {
    4
}
fn default_timeout() -> Duration {
    Duration::from_secs(15)
}
fn default_max_retry_wait() -> Duration {
    Duration::from_secs(120)
}
fn default_max_wait() -> Duration {
    Duration::from_secs(300)
}
fn default_breaker_threshold() -> u32 {
    5
}
fn default_breaker_cooldown() -> Duration {
    Duration::from_secs(15)
}
fn default_ttl() -> Duration {
    Duration::from_secs(30 * 86_400)
}
fn default_no_data_ttl() -> Duration {
    Duration::from_secs(7 * 86_400)
}
fn default_queued_retries() -> u32 {
    2
}
fn default_queued_wait() -> Duration {
    Duration::from_secs(5)
}
fn yes() -> bool {
    true
}

/// Durations as people write them: `"10s"`, `"5m"`, `"30d"`, `"1h 30m"`.
mod humantime_serde_compat {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let s = String::deserialize(d)?;
        humantime::parse_duration(s.trim()).map_err(|e| {
            serde::de::Error::custom(format!(
                "\"{s}\" is not a duration ({e}); write e.g. \"10s\", \"5m\", \"30d\""
            ))
        })
    }
}

impl Config {
    /// Read and check a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        let mut cfg = Config::parse(&text, &shown)?;
        cfg.path = path.to_path_buf();
        cfg.dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        Ok(cfg)
    }

    /// Parse and check config text; `shown` names it in errors.
    pub fn parse(text: &str, shown: &str) -> Result<Config, ConfigError> {
        let cfg: Config = toml::from_str(text).map_err(|e| ConfigError::Syntax {
            path: shown.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let invalid = |message: String| ConfigError::Invalid {
            path: shown.to_string(),
            message,
        };
        let mut jobs = std::collections::HashSet::new();
        for j in &cfg.jobs {
            if j.name.trim().is_empty() || !jobs.insert(j.name.as_str()) {
                return Err(invalid(format!(
                    "job names must be unique and not blank (`{}`)",
                    j.name
                )));
            }
            j.schedule().map_err(invalid)?;
        }
        let mut seen = std::collections::HashSet::new();
        for s in &cfg.sources {
            if s.name.trim().is_empty() {
                return Err(invalid("a [[sources]] entry has an empty name".into()));
            }
            if !seen.insert(s.name.as_str()) {
                return Err(invalid(format!(
                    "two sources are named `{}`: give each [[sources]] entry its own name",
                    s.name
                )));
            }
            if s.concurrency == 0 {
                return Err(invalid(format!(
                    "source `{}`: concurrency must be at least 1",
                    s.name
                )));
            }
            for l in s.limits.iter().flatten() {
                if l.count == 0 || l.per_seconds().is_none() {
                    return Err(invalid(format!(
                        "source `{}`: limit {{ count = {}, per = \"{}\" }} is unusable: count must be > 0 and per one of \"1s\", \"10s\", \"1m\", \"1h\", \"1d\"",
                        s.name, l.count, l.per
                    )));
                }
            }
            for (name, value) in &s.secrets {
                if !(value.starts_with("${") && value.ends_with('}')) {
                    return Err(invalid(format!(
                        "source `{}`: secret `{name}` must be a reference such as \"${{MY_API_KEY}}\" (an environment variable), not the key itself: keys do not belong in config files",
                        s.name
                    )));
                }
            }
        }
        if let Some(t) = &cfg.serve.token
            && !(t.starts_with("${") && t.ends_with('}') && t.len() > 3)
        {
            return Err(invalid(
                "[serve] token must be a reference such as \"${ICP_API_TOKEN}\" (an environment variable), not the token itself: tokens do not belong in config files".into(),
            ));
        }
        if let Some(t) = &cfg.serve.webhook_secret
            && !(t.starts_with("${") && t.ends_with('}') && t.len() > 3)
        {
            return Err(invalid(
                "[serve] webhook_secret must be a reference such as \"${ICP_WEBHOOK_SECRET}\" (an environment variable), not the secret itself: secrets do not belong in config files".into(),
            ));
        }
        if let Some(u) = &cfg.serve.webhook_url
            && !(u.starts_with("http://") || u.starts_with("https://"))
        {
            return Err(invalid(format!(
                "[serve] webhook_url must be an http:// or https:// URL; got \"{u}\""
            )));
        }
        if cfg
            .serve
            .events_file
            .as_deref()
            .is_some_and(|f| f.trim().is_empty())
        {
            return Err(invalid(
                "[serve] events_file must name a file (relative to the config's folder)".into(),
            ));
        }
        if cfg.serve.max_body == 0 {
            return Err(invalid(
                "[serve] max_body must be at least 1 (bytes)".into(),
            ));
        }
        for (category, names) in &cfg.waterfall {
            if category_named(category).is_none() {
                return Err(invalid(format!(
                    "[waterfall] has an unknown category `{category}`: use firmographic, technographic, intent or member"
                )));
            }
            for n in names {
                if !cfg.sources.iter().any(|s| &s.name == n) {
                    return Err(invalid(format!(
                        "[waterfall] {category} names `{n}`, which no [[sources]] entry defines"
                    )));
                }
            }
        }
        Ok(cfg)
    }

    /// Profile paths, resolved against the config's folder.
    pub fn profile_paths(&self) -> Vec<PathBuf> {
        self.profile
            .iter()
            .chain(&self.profiles)
            .map(|p| self.dir.join(p))
            .collect()
    }

    /// The store path, resolved against the config's folder.
    pub fn store_path(&self) -> PathBuf {
        self.dir.join(&self.store)
    }

    /// Whether the CRM's value of `field` wins over an enriched one.
    pub fn input_wins(&self, field: &str) -> bool {
        self.fields.get(field).copied() != Some(FieldPrecedence::Enriched)
    }
}

pub fn category_named(name: &str) -> Option<Category> {
    match name {
        "firmographic" => Some(Category::Firmographic),
        "technographic" => Some(Category::Technographic),
        "intent" => Some(Category::Intent),
        "member" => Some(Category::Member),
        _ => None,
    }
}

/// Resolve `${ENV_VAR}` secret references. The error names the variable,
/// never a value.
pub fn resolve_secrets(
    source: &str,
    secrets: &BTreeMap<String, String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<BTreeMap<String, String>, String> {
    secrets
        .iter()
        .map(|(name, reference)| {
            let var = reference.trim_start_matches("${").trim_end_matches('}');
            match env(var) {
                Some(v) if !v.is_empty() => Ok((name.clone(), v)),
                _ => Err(format!(
                    "source `{source}`: secret `{name}` comes from the environment variable {var}, which is not set; export {var}=... before the run"
                )),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_config_parses() {
        let cfg = Config::parse(
            r#"
store = "state/icp.db"
profile = "profiles/genai.toml"

[[sources]]
name = "clearbit"
plugin = "firmographic-http"
settings = { preset = "clearbit" }
secrets = { api_key = "${CLEARBIT_API_KEY}" }
limits = [{ count = 600, per = "1m" }, { count = 10000, per = "1d", window = "fixed" }]
concurrency = 8
timeout = "10s"
ttl = "30d"

[waterfall]
firmographic = ["clearbit"]

[fields]
employees = "enriched"
"#,
            "icp.toml",
        )
        .unwrap();
        assert_eq!(cfg.sources[0].timeout, Duration::from_secs(10));
        assert_eq!(cfg.sources[0].limits.as_ref().unwrap().len(), 2);
        assert!(!cfg.input_wins("employees"));
        assert!(cfg.input_wins("industry"));
    }

    #[test]
    fn errors_say_where_and_what() {
        let e = Config::parse(
            "[[sources]]\nname = \"a\"\nplugin = \"x\"\ntimeout = \"soon\"\n",
            "c.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("c.toml") && e.contains("line 4") && e.contains("not a duration"),
            "{e}"
        );
        let e = Config::parse(
            "[[sources]]\nname = \"a\"\nplugin = \"x\"\nsecrets = { api_key = \"sk_live_1\" }\n",
            "c.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("not the key itself") && !e.contains("sk_live_1"),
            "{e}"
        );
        let e = Config::parse("[waterfall]\nfirmographic = [\"nope\"]\n", "c.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("`nope`"), "{e}");
        let e = Config::parse("stroe = \"x\"\n", "c.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("stroe"), "{e}");
    }

    #[test]
    fn the_serve_table_takes_a_token_reference_only() {
        let cfg =
            Config::parse("[serve]\ntoken = \"${API_T}\"\nmax_body = 1024\n", "c.toml").unwrap();
        assert_eq!(cfg.serve.max_body, 1024);
        assert_eq!(
            cfg.serve
                .resolve_token(|v| (v == "API_T").then(|| "t-1".into())),
            Ok(Some("t-1".into()))
        );
        let e = cfg.serve.resolve_token(|_| None).unwrap_err();
        assert!(e.contains("API_T"), "{e}");
        assert_eq!(Config::parse("", "c.toml").unwrap().serve.max_body, 65536);
        let e = Config::parse("[serve]\ntoken = \"hunter2\"\n", "c.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("not the token itself") && !e.contains("hunter2"),
            "{e}"
        );
        let e = Config::parse("[serve]\ntokne = \"${X}\"\n", "c.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("tokne"), "{e}");
    }

    #[test]
    fn secrets_resolve_from_the_environment_without_leaking() {
        let secrets = BTreeMap::from([("api_key".to_string(), "${MY_KEY}".to_string())]);
        let ok =
            resolve_secrets("s", &secrets, |v| (v == "MY_KEY").then(|| "k-123".into())).unwrap();
        assert_eq!(ok["api_key"], "k-123");
        let e = resolve_secrets("s", &secrets, |_| None).unwrap_err();
        assert!(e.contains("MY_KEY"), "{e}");
    }
}
