//! The enrichment waterfall over a run's accounts.
//!
//! Phase "enrich": per category, sources are asked in waterfall order, each
//! only for accounts that still miss a field it provides and something
//! needs (a profile, or the source's `want` list). Fresh cache entries
//! answer first; the rest go to the source in batches of its bulk size,
//! `concurrency` at a time, and every answer is cached as it arrives, so a
//! killed run resumes without paying twice.
//!
//! Phase "read back": per account, the merged fields with their provenance,
//! from the cache (network sources) or the local source itself.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::StreamExt;
use icp_plugin_sdk::{Account, Category, FieldType, FieldValue, Outcome, Source, SourceError};
use icp_store::{CacheEntry, Cached, Store, StoreError};
use tracing::Instrument;

use crate::config::{Config, category_named, resolve_secrets};
use crate::http::{Budget, HttpPolicy, PlanSource};
use crate::limiter::{DEFAULT_MARGIN, Limiter};
use crate::registry::{Built, build, build_configured};
use crate::stats::{SourceReport, SourceStats};

/// Accounts per chunk: bounds memory and store transactions.
const CHUNK: usize = 500;

/// Chunks in the pipeline at once: enough that every source of a waterfall
/// has work while the chunk before it is with the next source.
const CHUNKS_IN_FLIGHT: usize = 6;

/// Fields known for an account, one bit per field of [`Engine::fields`].
pub type FieldMask = u128;

/// One configured source instance.
pub struct Slot {
    pub name: String,
    pub plugin: String,
    pub category: Category,
    /// What the source looks accounts up by (`domain`, `email`, `handle`).
    key: String,
    source: Arc<dyn Source>,
    /// Network sources are cached; local ones are read again when needed.
    pub cached: bool,
    mask: FieldMask,
    want: FieldMask,
    batch: usize,
    concurrency: usize,
    ttl: Duration,
    no_data_ttl: Duration,
    queued_retries: u32,
    queued_wait: Duration,
    /// Credits per account asked: a full call's cost over the accounts it
    /// can carry (a bulk call of fewer domains costs its share).
    cost_per_account: f64,
    /// Calls in flight across chunks (`concurrency`).
    permits: tokio::sync::Semaphore,
    /// One chunk at a time asks this source, in the order chunks arrive
    /// (the lock is fair): the oldest chunk gets all of its concurrency and
    /// moves on to the next source, so the sources of a waterfall work at
    /// once on different chunks instead of taking turns on all of them.
    turn: tokio::sync::Mutex<()>,
    pub stats: Arc<SourceStats>,
}

/// A field value with where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Sourced {
    pub value: FieldValue,
    /// The source instance name.
    pub source: String,
    /// Unix seconds.
    pub fetched_at: i64,
}

/// What a dry run would spend, per source.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Estimate {
    pub accounts: u64,
    pub cache_hits: u64,
    pub calls: u64,
    pub credits: f64,
}

/// Options of the engine that come from the command line.
#[derive(Default)]
pub struct EngineOptions {
    pub max_credits: Option<f64>,
    /// Ignore cached answers (`--refresh`); new answers are still cached.
    pub refresh: bool,
    /// The keys are people (an e-mail, else a handle) scored by a member
    /// profile: member sources get them as they are, company sources get
    /// the e-mail's registrable domain (none for free-mail or a handle).
    pub member_keys: bool,
}

/// The configured sources, in waterfall order, over one store.
pub struct Engine {
    slots: Vec<Slot>,
    /// Per category, indexes into `slots` in waterfall order.
    order: Vec<Vec<usize>>,
    store: Arc<dyn Store>,
    budget: Arc<Budget>,
    /// Every field some source provides; bit i of a [`FieldMask`].
    fields: Vec<String>,
    /// Fields of type events (dated intent events): every source that
    /// provides them is asked, and their events add up.
    events: FieldMask,
    /// Fields some account of this run got a value for.
    seen: std::sync::Mutex<FieldMask>,
    needed: FieldMask,
    refresh: bool,
    member_keys: bool,
}

impl Engine {
    /// Build the sources of `cfg`. `needed` are the fields the profiles in
    /// use read (`"*"`: every field); `env` resolves `${ENV_VAR}` secrets.
    pub fn new(
        cfg: &Config,
        store: Arc<dyn Store>,
        needed: &[String],
        options: EngineOptions,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Engine, String> {
        Engine::with_plugins(cfg, store, needed, options, env, build)
    }

    /// As [`Engine::new`], with `plugins` building each source from its
    /// plugin name, settings and the config's folder (tests and dynamic
    /// plugins bring their own).
    pub fn with_plugins(
        cfg: &Config,
        store: Arc<dyn Store>,
        needed: &[String],
        options: EngineOptions,
        env: impl Fn(&str) -> Option<String>,
        plugins: impl Fn(&str, &serde_json::Value, &std::path::Path) -> Result<Built, String>,
    ) -> Result<Engine, String> {
        let budget = Arc::new(Budget::new(options.max_credits));
        let mut fields: Vec<String> = Vec::new();
        let mut events: FieldMask = 0;
        let mut slots = Vec::new();
        for sc in cfg.sources.iter().filter(|s| s.enabled) {
            let secrets = resolve_secrets(&sc.name, &sc.secrets, &env)?;
            let (settings, built) = build_configured(sc, cfg, &plugins)?;
            let stats = Arc::new(SourceStats::default());
            let (source, cached, manifest): (Arc<dyn Source>, bool, _) = match built {
                Built::Plan(plan) => {
                    let manifest = plan.manifest().clone();
                    // Planning nothing checks the settings: a bad setting is
                    // a config error now, not an error on every row.
                    if let Err(SourceError::Settings(m)) = plan.plan(&[], &settings) {
                        return Err(format!("source `{}` ({}): {m}", sc.name, sc.plugin));
                    }
                    for s in &manifest.secrets {
                        if !secrets.contains_key(s) {
                            return Err(format!(
                                "source `{}` ({}) needs the secret `{s}`: add secrets = {{ {s} = \"${{YOUR_ENV_VAR}}\" }}",
                                sc.name, sc.plugin
                            ));
                        }
                    }
                    let limits = sc.limits.clone().unwrap_or_else(|| manifest.limits.clone());
                    let policy = HttpPolicy {
                        timeout: sc.timeout,
                        retries: sc
                            .retries
                            .unwrap_or(if manifest.untrusted_hosts { 1 } else { 4 }),
                        max_retry_wait: sc.max_retry_wait,
                        max_wait: sc.max_wait,
                        breaker_threshold: sc.breaker_threshold,
                        breaker_cooldown: sc.breaker_cooldown,
                        cost_per_call: sc.cost_per_call.unwrap_or(manifest.cost_per_call),
                        ..HttpPolicy::default()
                    };
                    let source = PlanSource::new(
                        &sc.name,
                        plan,
                        settings,
                        secrets.into_iter().collect(),
                        Limiter::new(&limits, DEFAULT_MARGIN),
                        policy,
                        stats.clone(),
                        budget.clone(),
                    )
                    .map_err(|e| format!("source `{}` ({}): {e}", sc.name, sc.plugin))?;
                    (Arc::new(source) as Arc<dyn Source>, true, manifest)
                }
                Built::Local(source) => {
                    let manifest = source.manifest().clone();
                    (source, false, manifest)
                }
            };
            let problems = manifest.problems();
            if !problems.is_empty() {
                return Err(format!("source `{}`: {}", sc.name, problems.join("; ")));
            }
            let mut mask = 0;
            for f in &manifest.fields {
                let b = bit(&mut fields, &f.name)?;
                mask |= b;
                if f.ty == FieldType::Events {
                    events |= b;
                }
            }
            let mut want = 0;
            for f in &sc.want {
                want |= bit(&mut fields, f)?;
            }
            let max_batch = manifest.max_batch.max(1) as usize;
            slots.push(Slot {
                name: sc.name.clone(),
                plugin: sc.plugin.clone(),
                category: manifest.category,
                key: manifest.key.clone(),
                source,
                cached,
                mask,
                want,
                batch: sc
                    .batch_size
                    .map_or(max_batch, |b| (b.max(1) as usize).min(max_batch)),
                concurrency: sc.concurrency,
                ttl: sc.ttl,
                no_data_ttl: sc.no_data_ttl,
                queued_retries: sc.queued_retries,
                queued_wait: sc.queued_wait,
                // The credits of a full call, shared by the accounts it can carry.
                cost_per_account: sc.cost_per_call.unwrap_or(manifest.cost_per_call)
                    / max_batch as f64,
                permits: tokio::sync::Semaphore::new(sc.concurrency),
                turn: tokio::sync::Mutex::new(()),
                stats,
            });
        }
        let mut needed_mask = 0;
        if needed.iter().any(|f| f == "*") {
            needed_mask = FieldMask::MAX;
        }
        for f in needed {
            if let Some(i) = fields.iter().position(|x| x == f) {
                needed_mask |= 1 << i;
            }
        }
        // Waterfall order: the category's list first, then file order.
        let mut order = Vec::new();
        for category in [
            Category::Firmographic,
            Category::Technographic,
            Category::Intent,
            Category::Member,
        ] {
            let listed = cfg
                .waterfall
                .iter()
                .filter(|(c, _)| category_named(c) == Some(category))
                .flat_map(|(_, names)| names.iter());
            let mut idx: Vec<usize> = Vec::new();
            for name in listed {
                if let Some(i) = slots.iter().position(|s| &s.name == name) {
                    if slots[i].category != category {
                        return Err(format!(
                            "[waterfall] lists `{name}` under {category:?}, but its plugin provides {:?} data",
                            slots[i].category
                        ));
                    }
                    idx.push(i);
                }
            }
            for (i, s) in slots.iter().enumerate() {
                if s.category == category && !idx.contains(&i) {
                    idx.push(i);
                }
            }
            if !idx.is_empty() {
                order.push(idx);
            }
        }
        Ok(Engine {
            slots,
            order,
            store,
            budget,
            fields,
            needed: needed_mask,
            events,
            seen: std::sync::Mutex::new(0),
            member_keys: options.member_keys,
            refresh: options.refresh,
        })
    }

    /// Every field some source provides.
    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    /// The bit of `field`, if a source provides it.
    pub fn field_bit(&self, field: &str) -> Option<FieldMask> {
        self.fields.iter().position(|f| f == field).map(|i| 1 << i)
    }

    pub fn slots(&self) -> &[Slot] {
        &self.slots
    }

    pub fn reports(&self) -> BTreeMap<String, SourceReport> {
        self.slots
            .iter()
            .map(|s| (s.name.clone(), s.stats.report(&s.plugin)))
            .collect()
    }

    /// What each local source loaded, one line per source.
    pub fn load_summaries(&self) -> BTreeMap<String, String> {
        self.slots
            .iter()
            .filter_map(|s| Some((s.name.clone(), s.source.load_summary()?)))
            .collect()
    }

    pub fn credits_spent(&self) -> f64 {
        self.budget.spent()
    }

    /// Stop asking any source (SIGTERM): requests in flight finish and
    /// their answers are cached; no new request starts.
    pub fn interrupt(&self, why: &str) {
        for slot in &self.slots {
            slot.stats.stop(why);
        }
    }

    /// Sources stopped for the run, with why.
    pub fn stopped(&self) -> Vec<(String, String)> {
        self.slots
            .iter()
            .filter_map(|s| s.stats.stopped().map(|r| (s.name.clone(), r)))
            .collect()
    }

    /// Enrich `keys` (unique account keys); `present[i]` holds the fields
    /// the input already has for account i and gains what sources find.
    /// Returns error lines per account index. With `dry_run`, network
    /// sources are not called and the estimates say what they would cost.
    ///
    /// Accounts flow in chunks through every source, several chunks at a
    /// time, so all sources work at once while each account still meets
    /// its waterfall in order; each source's `concurrency` caps its calls
    /// in flight across chunks.
    pub async fn enrich(
        &self,
        keys: &[String],
        present: &mut [FieldMask],
        dry_run: bool,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<(HashMap<usize, Vec<String>>, BTreeMap<String, Estimate>), StoreError> {
        let estimates: Mutex<BTreeMap<String, Estimate>> = Mutex::new(BTreeMap::new());
        let total = keys.len() as u64;
        let done = AtomicU64::new(0);
        progress(0, total);
        let chunks = keys
            .chunks(CHUNK)
            .zip(present.chunks_mut(CHUNK))
            .enumerate();
        let mut runs = futures::stream::iter(
            chunks
                .map(|(n, (keys, present))| {
                    let (estimates, done) = (&estimates, &done);
                    async move {
                        let mut errors = HashMap::new();
                        for chain in &self.order {
                            for &si in chain {
                                let est = self
                                    .run_slot(&self.slots[si], keys, present, dry_run, &mut errors)
                                    .await?;
                                let mut all = estimates.lock().unwrap_or_else(|e| e.into_inner());
                                all.entry(self.slots[si].name.clone())
                                    .or_default()
                                    .add(&est);
                            }
                        }
                        let so_far = done.fetch_add(keys.len() as u64, Relaxed) + keys.len() as u64;
                        progress(so_far, total);
                        Ok::<_, StoreError>((n * CHUNK, errors))
                    }
                })
                // Collected first: a lazy map of closures over borrowed chunks makes
                // the future lose `Send` (rust-lang/rust#102211), and `icp serve`
                // runs it on a multi-threaded runtime.
                .collect::<Vec<_>>(),
        )
        .buffer_unordered(CHUNKS_IN_FLIGHT.max(self.slots.len() + 2));
        let mut errors: HashMap<usize, Vec<String>> = HashMap::new();
        while let Some(result) = runs.next().await {
            let (offset, local) = result?;
            errors.extend(local.into_iter().map(|(i, e)| (offset + i, e)));
        }
        drop(runs);
        let mut estimates = estimates.into_inner().unwrap_or_else(|e| e.into_inner());
        for slot in &self.slots {
            estimates.entry(slot.name.clone()).or_default();
        }
        Ok((errors, estimates))
    }

    /// One source over one chunk: the accounts that still miss a field it
    /// provides, from the cache or the source.
    async fn run_slot(
        &self,
        slot: &Slot,
        keys: &[String],
        present: &mut [FieldMask],
        dry_run: bool,
        errors: &mut HashMap<usize, Vec<String>>,
    ) -> Result<Estimate, StoreError> {
        let mut wanted = (self.needed | slot.want) & slot.mask;
        if self.keys_mapped(slot) {
            // A person's intent is their own: their company's events are
            // not asked for on a member run.
            wanted &= !self.events;
        }
        let keys = &self.keys_for(slot, keys);
        let todo: Vec<usize> = (0..keys.len())
            .filter(|&i| wanted & !present[i] != 0 && !keys[i].is_empty())
            .collect();
        let mut est = Estimate {
            accounts: todo.len() as u64,
            ..Estimate::default()
        };
        let mut queued: Vec<usize> = Vec::new();
        {
            let _turn = slot.turn.lock().await;
            let misses = self
                .apply_cache(slot, keys, &todo, present, &mut est)
                .await?;
            if dry_run && slot.cached {
                est.calls += misses.len().div_ceil(slot.batch) as u64;
                est.credits += misses.len() as f64 * slot.cost_per_account;
                return Ok(est);
            }
            self.call(slot, keys, &misses, present, errors, &mut queued)
                .await?;
        }
        for _ in 0..slot.queued_retries {
            if queued.is_empty() || dry_run {
                break;
            }
            // Wait without holding the source's turn.
            tokio::time::sleep(slot.queued_wait).await;
            let again = std::mem::take(&mut queued);
            let _turn = slot.turn.lock().await;
            self.call(slot, keys, &again, present, errors, &mut queued)
                .await?;
        }
        for i in queued {
            errors.entry(i).or_default().push(format!(
                "{}: the provider queued the lookup (202); rerun later to collect it",
                slot.name
            ));
        }
        Ok(est)
    }

    /// Apply fresh cache entries; return the accounts still to ask.
    async fn apply_cache(
        &self,
        slot: &Slot,
        keys: &[String],
        chunk: &[usize],
        present: &mut [FieldMask],
        est: &mut Estimate,
    ) -> Result<Vec<usize>, StoreError> {
        if !slot.cached || self.refresh {
            return Ok(chunk.to_vec());
        }
        let chunk_keys: Vec<String> = chunk.iter().map(|&i| keys[i].clone()).collect();
        let cached = self.store.cache_get(&slot.name, &chunk_keys).await?;
        let now = unix_now();
        let mut misses = Vec::new();
        for &i in chunk {
            match cached.get(&keys[i]).filter(|e| slot.fresh(e, now)) {
                Some(entry) => {
                    est.cache_hits += 1;
                    SourceStats::add(&slot.stats.cache_hits, 1);
                    if let Cached::Found(fields) = &entry.value {
                        present[i] |= self.mask_of(fields.keys());
                        self.note_seen(fields.keys());
                    }
                }
                None => misses.push(i),
            }
        }
        Ok(misses)
    }

    /// Ask the source for `accounts` in batches, caching every answer.
    async fn call(
        &self,
        slot: &Slot,
        keys: &[String],
        accounts: &[usize],
        present: &mut [FieldMask],
        errors: &mut HashMap<usize, Vec<String>>,
        queued: &mut Vec<usize>,
    ) -> Result<(), StoreError> {
        let batches = accounts.chunks(slot.batch).map(|b| {
            let batch: Vec<Account> = b
                .iter()
                .map(|&i| Account {
                    key: keys[i].clone(),
                    fields: BTreeMap::new(),
                })
                .collect();
            async move {
                // The semaphore is never closed, so acquiring cannot fail.
                let _permit = slot.permits.acquire().await;
                if let Some(reason) = slot.stats.stopped() {
                    return (b, Err(SourceError::Stopped(reason)));
                }
                if !slot.cached {
                    // Network sources count their HTTP calls; local ones, lookups.
                    SourceStats::add(&slot.stats.calls, 1);
                    SourceStats::add(&slot.stats.records, batch.len() as u64);
                }
                let span = tracing::info_span!(
                    "source_call",
                    source = %slot.name,
                    accounts = %batch.iter().map(|a| a.key.as_str()).collect::<Vec<_>>().join(",")
                );
                (b, slot.source.enrich(&batch).instrument(span).await)
            }
        });
        let mut answers =
            futures::stream::iter(batches.collect::<Vec<_>>()).buffer_unordered(slot.concurrency);
        while let Some((batch, answer)) = answers.next().await {
            let fetched_at = unix_now();
            let mut puts = Vec::new();
            match answer {
                Ok(outcomes) => {
                    for &i in batch {
                        // Several accounts may share a key (member runs).
                        let outcome = outcomes.get(&keys[i]).cloned().unwrap_or(Outcome::NoData);
                        let cached = match outcome {
                            Outcome::Found { fields } => {
                                SourceStats::add(&slot.stats.found, 1);
                                present[i] |= self.mask_of(fields.keys());
                                self.note_seen(fields.keys());
                                Cached::Found(fields)
                            }
                            Outcome::NoData => {
                                SourceStats::add(&slot.stats.no_data, 1);
                                Cached::NoData
                            }
                            Outcome::Queued => {
                                SourceStats::add(&slot.stats.queued, 1);
                                queued.push(i);
                                continue;
                            }
                            Outcome::Failed { message } => {
                                SourceStats::add(&slot.stats.failed, 1);
                                errors
                                    .entry(i)
                                    .or_default()
                                    .push(format!("{}: {message}", slot.name));
                                continue;
                            }
                        };
                        if slot.cached {
                            puts.push((
                                keys[i].clone(),
                                CacheEntry {
                                    value: cached,
                                    fetched_at,
                                },
                            ));
                        }
                    }
                }
                Err(e) => {
                    if let SourceError::Stopped(m) = &e {
                        slot.stats.stop(m);
                    }
                    SourceStats::add(&slot.stats.failed, batch.len() as u64);
                    for &i in batch {
                        errors
                            .entry(i)
                            .or_default()
                            .push(format!("{}: {e}", slot.name));
                    }
                }
            }
            if !puts.is_empty() {
                self.store.cache_put(&slot.name, &puts).await?;
            }
        }
        Ok(())
    }

    /// The merged fields of `keys` with provenance: per category in
    /// waterfall order, the first source with a value wins.
    pub async fn read_back(
        &self,
        keys: &[String],
    ) -> Result<Vec<BTreeMap<String, Sourced>>, StoreError> {
        let mut merged: Vec<BTreeMap<String, Sourced>> = vec![BTreeMap::new(); keys.len()];
        let now = unix_now();
        for chain in &self.order {
            for &si in chain {
                let slot = &self.slots[si];
                let keys = &self.keys_for(slot, keys);
                if slot.cached {
                    let entries = self.store.cache_get(&slot.name, keys).await?;
                    for (i, key) in keys.iter().enumerate() {
                        if let Some(CacheEntry {
                            value: Cached::Found(fields),
                            fetched_at,
                        }) = entries.get(key).filter(|e| slot.fresh(e, now))
                        {
                            self.fill(&mut merged[i], fields, slot, *fetched_at);
                        }
                    }
                } else {
                    for (batch_no, batch) in keys.chunks(slot.batch).enumerate() {
                        let accounts: Vec<Account> = batch
                            .iter()
                            .map(|k| Account {
                                key: k.clone(),
                                fields: BTreeMap::new(),
                            })
                            .collect();
                        let Ok(outcomes) = slot.source.enrich(&accounts).await else {
                            continue;
                        };
                        for (j, key) in batch.iter().enumerate() {
                            if let Some(Outcome::Found { fields }) = outcomes.get(key) {
                                self.fill(
                                    &mut merged[batch_no * slot.batch + j],
                                    fields,
                                    slot,
                                    now,
                                );
                            }
                        }
                    }
                }
            }
        }
        Ok(merged)
    }

    /// The bits of fields now present; events never count as present,
    /// since the next source's events add to them.
    fn mask_of<'a>(&self, names: impl Iterator<Item = &'a String>) -> FieldMask {
        names
            .filter_map(|n| self.field_bit(n))
            .fold(0, |m, b| m | b)
            & !self.events
    }

    /// The keys `slot` knows the accounts by: the accounts' own, except a
    /// company source on a member run, which gets the company domain of
    /// each person's e-mail (blank when there is none: not asked).
    fn keys_for(&self, slot: &Slot, keys: &[String]) -> Vec<String> {
        if !self.keys_mapped(slot) {
            return keys.to_vec();
        }
        keys.iter()
            // `@handle` keys have no company; e-mails have their domain's.
            .map(|k| match k.rsplit_once('@') {
                Some((local, _)) if !local.is_empty() && !k.starts_with('@') => {
                    icp_key::normalize_domain(k)
                        .map(|d| d.name)
                        .unwrap_or_default()
                }
                _ => String::new(),
            })
            .collect()
    }

    fn keys_mapped(&self, slot: &Slot) -> bool {
        self.member_keys && slot.category != Category::Member && slot.key == "domain"
    }

    fn note_seen<'a>(&self, names: impl Iterator<Item = &'a String>) {
        let bits = names
            .filter_map(|n| self.field_bit(n))
            .fold(0, |m, b| m | b);
        *self.seen.lock().unwrap_or_else(|e| e.into_inner()) |= bits;
    }

    /// Whether some account of this run got a value for `field` (from a
    /// source or the cache): the output has columns for these.
    pub fn seen(&self, field: &str) -> bool {
        let seen = *self.seen.lock().unwrap_or_else(|e| e.into_inner());
        self.field_bit(field).is_some_and(|b| b & seen != 0)
    }

    fn is_events(&self, field: &str) -> bool {
        self.field_bit(field).is_some_and(|b| b & self.events != 0)
    }
}

impl Engine {
    /// Add one source's fields: the first value of a field wins, except
    /// events, which add up across sources.
    fn fill(
        &self,
        into: &mut BTreeMap<String, Sourced>,
        fields: &BTreeMap<String, FieldValue>,
        slot: &Slot,
        at: i64,
    ) {
        let source = slot.name.as_str();
        // On a member run, a company's intent is not the person's.
        let company_of_member = self.member_keys && self.keys_mapped(slot);
        for (k, v) in fields {
            if v.is_null() || (company_of_member && self.is_events(k)) {
                continue;
            }
            match into.get_mut(k) {
                None => {
                    into.insert(
                        k.clone(),
                        Sourced {
                            value: v.clone(),
                            source: source.to_string(),
                            fetched_at: at,
                        },
                    );
                }
                Some(have) if self.is_events(k) => {
                    if let (FieldValue::Array(all), FieldValue::Array(more)) = (&mut have.value, v)
                    {
                        all.extend(more.iter().cloned());
                        have.source = format!("{}+{source}", have.source);
                        have.fetched_at = have.fetched_at.max(at);
                    }
                }
                Some(_) => {}
            }
        }
    }
}

impl Estimate {
    fn add(&mut self, other: &Estimate) {
        self.accounts += other.accounts;
        self.cache_hits += other.cache_hits;
        self.calls += other.calls;
        self.credits += other.credits;
    }
}

impl Slot {
    fn fresh(&self, e: &CacheEntry, now: i64) -> bool {
        let ttl = match e.value {
            Cached::Found(_) => self.ttl,
            Cached::NoData => self.no_data_ttl,
        };
        now.saturating_sub(e.fetched_at) < ttl.as_secs() as i64
    }
}

fn bit(fields: &mut Vec<String>, name: &str) -> Result<FieldMask, String> {
    let i = match fields.iter().position(|f| f == name) {
        Some(i) => i,
        None => {
            if fields.len() == FieldMask::BITS as usize {
                return Err(format!(
                    "the sources provide more than {} distinct fields; `{name}` is one too many",
                    FieldMask::BITS
                ));
            }
            fields.push(name.to_string());
            fields.len() - 1
        }
    };
    Ok(1 << i)
}

pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod send_check {
    use super::*;

    #[allow(dead_code)]
    fn enrich_is_send(engine: &Engine, keys: &[String], present: &mut [FieldMask]) {
        fn assert_send<T: Send>(_: T) {}
        assert_send(engine.enrich(keys, present, false, &|_, _| {}));
        assert_send(engine.read_back(keys));
    }
}
