//! The one HTTP stack every network source goes through.
//!
//! A sans-IO source ([`Plan`]) describes requests; [`PlanSource`] performs
//! them with the source's limiter, circuit breaker, retries with full-jitter
//! backoff, timeout, response-size cap and secret injection, then hands the
//! responses back to the source's `parse`. Errors are sorted as providers
//! mean them: 429, 408, 5xx, timeouts and broken connections are retried;
//! 401, 402 and 403 stop the source for the run; everything else (2xx,
//! 202, 404, 422, other 4xx) is the source's to interpret.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use futures::future::join_all;
use icp_plugin_sdk::{
    Account, HttpMethod, Manifest, Outcome, Plan, PlannedRequest, Request, Response, Source,
    SourceError,
};

use crate::breaker::{Breaker, Gate};
use crate::headers::{budget_wait, retry_after};
use crate::limiter::{Admission, Limiter};
use crate::net::{Dns, GuardedResolver, NetOptions, check_url, redirect_policy, refusal};
use crate::redact::Redactor;
use crate::stats::SourceStats;

/// Whether an error body speaks of spent credits or quota rather than a
/// bad key.
fn mentions_credits(body: &str) -> bool {
    let b = body.to_ascii_lowercase();
    ["credit", "quota", "exhausted"]
        .iter()
        .any(|w| b.contains(w))
}

/// `v` as one URL component: everything but unreserved characters
/// percent-encoded.
fn url_encoded(v: &str) -> String {
    const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(v, COMPONENT).to_string()
}

/// The least a bare 429 (no Retry-After) holds the source: limits are
/// per second or longer, and a retry within milliseconds only meets
/// another 429.
const THROTTLE_FLOOR: Duration = Duration::from_secs(1);

/// How one source's requests are made; from the source's config.
#[derive(Clone, Debug)]
pub struct HttpPolicy {
    /// Per attempt, the whole exchange including the body.
    pub timeout: Duration,
    /// Retries after the first attempt.
    pub retries: u32,
    /// Cap on the backoff one request may spend across its retries.
    pub max_retry_wait: Duration,
    /// A wait longer than this (a Retry-After, a spent daily quota) parks
    /// the source for the run instead of holding it.
    pub max_wait: Duration,
    /// Bodies larger than this are refused.
    pub max_body: usize,
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    pub breaker_threshold: u32,
    pub breaker_cooldown: Duration,
    /// Credits a full call costs (charged for answered calls: 2xx, 404,
    /// 422); a bulk call of fewer accounts than `max_batch` costs its share.
    pub cost_per_call: f64,
}

impl Default for HttpPolicy {
    fn default() -> Self {
        HttpPolicy {
            timeout: Duration::from_secs(15),
            retries: 4,
            max_retry_wait: Duration::from_secs(120),
            max_wait: Duration::from_secs(300),
            max_body: 8 << 20,
            backoff_base: Duration::from_millis(500),
            backoff_cap: Duration::from_secs(30),
            breaker_threshold: 5,
            breaker_cooldown: Duration::from_secs(15),
            cost_per_call: 0.0,
        }
    }
}

/// A credit budget shared by all sources of a run (`--max-credits`).
#[derive(Default)]
pub struct Budget {
    max_milli: Option<u64>,
    spent_milli: AtomicU64,
}

impl Budget {
    pub fn new(max: Option<f64>) -> Budget {
        Budget {
            max_milli: max.map(|m| (m.max(0.0) * 1000.0).round() as u64),
            spent_milli: AtomicU64::new(0),
        }
    }

    /// Reserve `milli` credits; false when that would pass the budget.
    fn reserve(&self, milli: u64) -> bool {
        let Some(max) = self.max_milli else {
            self.spent_milli.fetch_add(milli, Relaxed);
            return true;
        };
        self.spent_milli
            .fetch_update(Relaxed, Relaxed, |s| {
                (s + milli <= max).then_some(s + milli)
            })
            .is_ok()
    }

    fn refund(&self, milli: u64) {
        self.spent_milli.fetch_sub(milli, Relaxed);
    }

    pub fn spent(&self) -> f64 {
        self.spent_milli.load(Relaxed) as f64 / 1000.0
    }

    pub fn max(&self) -> Option<f64> {
        self.max_milli.map(|m| m as f64 / 1000.0)
    }
}

/// What became of one planned request.
enum Performed {
    /// An answer, and the credits (milli) charged for it.
    Answer(Response, u64),
    /// This request's accounts fail; the run goes on.
    Failed(String),
    /// The source is stopped (or parked) for the run.
    Stopped(String),
}

/// Whether an attempt is worth repeating.
enum Attempt {
    Answer(Response),
    Retry {
        kind: &'static str,
        reason: String,
        retry_after: Option<Duration>,
        /// A 429: the provider's limit, not a failure; holds the whole source.
        throttled: bool,
        /// A website's answer (a 5xx page): once the retries are spent the
        /// plugin still reads its headers (a CDN's, say).
        last: Option<Box<Response>>,
    },
    /// (kind, message): kinds are the summary's `errors_by_kind` keys.
    Fail(&'static str, String),
    Stop(&'static str, String),
}

/// The adapter from a sans-IO [`Plan`] to the engine's [`Source`].
pub struct PlanSource {
    name: String,
    plan: Arc<dyn Plan>,
    settings: serde_json::Value,
    client: reqwest::Client,
    secrets: HashMap<String, String>,
    redactor: Redactor,
    limiter: Limiter,
    breaker: Breaker,
    policy: HttpPolicy,
    stats: Arc<SourceStats>,
    budget: Arc<Budget>,
    /// The source fetches companies' own websites (`untrusted_hosts`): the
    /// SSRF guard holds, pages are truncated rather than refused, and one
    /// site's errors say nothing about the source as a whole.
    untrusted: bool,
    net: NetOptions,
    dns: OnceLock<Dns>,
}

/// A website's page is cut here; its head and scripts come first.
const MAX_PAGE: usize = 2 << 20;

/// How deep a chain of follow-up requests may go.
const MAX_FOLLOW_UP_DEPTH: usize = 4;

impl PlanSource {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        name: &str,
        plan: Arc<dyn Plan>,
        settings: serde_json::Value,
        secrets: HashMap<String, String>,
        limiter: Limiter,
        policy: HttpPolicy,
        stats: Arc<SourceStats>,
        budget: Arc<Budget>,
    ) -> Result<PlanSource, String> {
        // A secret goes into URLs percent-encoded: that form is redacted too.
        let redactor = Redactor::new(secrets.values().flat_map(|v| [v.clone(), url_encoded(v)]));
        let untrusted = plan.manifest().untrusted_hosts;
        let net = NetOptions::from_settings(&settings)?;
        let dns = OnceLock::new();
        let client = if untrusted {
            let resolver = Dns::new(net.dns_server, policy.timeout);
            let _ = dns.set(resolver.clone());
            web_client(GuardedResolver {
                dns: resolver,
                allow_private: net.allow_private,
            })?
        } else {
            http_client()
        };
        Ok(PlanSource {
            name: name.to_string(),
            plan,
            settings,
            client,
            secrets,
            redactor,
            limiter,
            breaker: Breaker::new(policy.breaker_threshold, policy.breaker_cooldown),
            policy,
            stats,
            budget,
            untrusted,
            net,
            dns,
        })
    }

    fn dns(&self) -> &Dns {
        self.dns
            .get_or_init(|| Dns::new(self.net.dns_server, self.policy.timeout))
    }

    /// Sleeps for `d`, or less if the source is stopped meanwhile (its
    /// reason then).
    async fn sleep_unless_stopped(&self, d: Duration) -> Option<String> {
        tokio::select! {
            () = tokio::time::sleep(d) => None,
            reason = self.stats.until_stopped() => Some(reason),
        }
    }

    fn stop(&self, reason: &str) -> Performed {
        let reason = self.redactor.redact(reason);
        if self.stats.stopped().is_none() {
            tracing::error!(source = %self.name, reason = %reason, "source stopped for this run");
        }
        self.stats.stop(&reason);
        Performed::Stopped(reason)
    }

    /// Perform one request under every policy of the source.
    async fn perform(&self, req: &PlannedRequest) -> Performed {
        let records = u32::try_from(req.keys.len().max(1)).unwrap_or(u32::MAX);
        // `cost_per_call` is a full call's: a bulk call of fewer domains
        // than the source can send costs its share.
        let full = f64::from(self.plan.manifest().max_batch.max(1));
        let share = f64::from(records).min(full) / full;
        let cost_milli = (self.policy.cost_per_call * share * 1000.0).round() as u64;
        let mut retried = 0u32;
        let mut backoff_spent = Duration::ZERO;
        loop {
            if let Some(reason) = self.stats.stopped() {
                return Performed::Stopped(reason);
            }
            // The breaker, then the limiter: a call that passes both goes.
            let mut breaker_wait = Duration::ZERO;
            while let Gate::Wait(w) = self.breaker.gate() {
                breaker_wait += w;
                if breaker_wait > self.policy.max_wait {
                    // A provider that keeps failing: park it, so the run
                    // says so (exit 3) and the next one resumes.
                    return self.stop(&format!(
                        "parked: failing, the circuit opened after {} failed calls in a row and stayed open past max_wait {}; rerun later to resume",
                        self.policy.breaker_threshold,
                        human(self.policy.max_wait)
                    ));
                }
                if let Some(reason) = self.sleep_unless_stopped(w).await {
                    return Performed::Stopped(reason);
                }
            }
            let admitted = tokio::select! {
                a = self.limiter.acquire(records, self.policy.max_wait) => a,
                reason = self.stats.until_stopped() => return Performed::Stopped(reason),
            };
            match admitted {
                Ok(waited) => SourceStats::add(&self.stats.wait_ms, waited.as_millis() as u64),
                Err(Admission::Wait(w)) => {
                    return self.stop(&format!(
                        "parked: the rate limit needs a wait of {} (more than max_wait {}); rerun later to resume",
                        human(w),
                        human(self.policy.max_wait)
                    ));
                }
                Err(Admission::TooLarge { weight, limit }) => {
                    return Performed::Failed(format!(
                        "a call of {weight} records can never fit the limit {limit}: lower batch_size"
                    ));
                }
            }
            if !self.budget.reserve(cost_milli) {
                return self.stop(&format!(
                    "the credit budget (--max-credits {}) is spent",
                    self.budget.max().unwrap_or_default()
                ));
            }
            SourceStats::add(&self.stats.calls, 1);
            SourceStats::add(&self.stats.records, u64::from(records));
            let attempt = self.attempt(&req.request).await;
            if let Attempt::Answer(r) = &attempt {
                tracing::debug!(source = %self.name, request = %req.id, status = r.status, "answered");
            }
            let charged = matches!(&attempt, Attempt::Answer(r) if r.status < 500);
            if charged {
                SourceStats::add(&self.stats.credits_milli, cost_milli);
            } else {
                self.budget.refund(cost_milli);
            }
            match attempt {
                Attempt::Answer(mut resp) => {
                    self.breaker.success();
                    if self.untrusted {
                        // A website's rate-limit headers are its own, not the source's.
                    } else if let Some(w) = budget_wait(&resp.headers, SystemTime::now()) {
                        self.limiter.block_until(Instant::now() + w);
                    }
                    resp.id = req.id.clone();
                    return Performed::Answer(resp, cost_milli);
                }
                Attempt::Stop(kind, reason) => {
                    self.stats.count_error(kind);
                    return self.stop(&reason);
                }
                Attempt::Fail(kind, reason) => {
                    self.stats.count_error(kind);
                    return Performed::Failed(self.redactor.redact(&reason));
                }
                Attempt::Retry {
                    kind,
                    reason,
                    retry_after,
                    throttled,
                    last,
                } => {
                    // Out of retries, a website's last answer is still read
                    // (its headers count), as an answer with its status.
                    let give_up = move |reason: String| match last {
                        Some(mut resp) => {
                            resp.id = req.id.clone();
                            Performed::Answer(*resp, 0)
                        }
                        None => Performed::Failed(self.redactor.redact(&reason)),
                    };
                    self.stats.count_error(kind);
                    if throttled {
                        SourceStats::add(&self.stats.throttled, 1);
                    } else if !self.untrusted {
                        self.breaker.failure();
                    }
                    if retry_after.is_some_and(|ra| ra > self.policy.max_wait) {
                        if self.untrusted {
                            // One website's Retry-After is not the source's.
                            return Performed::Failed(self.redactor.redact(&format!(
                                "{reason} (asks to wait {}; not waited for)",
                                human(retry_after.unwrap_or_default())
                            )));
                        }
                        return self.stop(&format!(
                            "parked: the provider asks to wait {} (more than max_wait {}); rerun later to resume",
                            human(retry_after.unwrap_or_default()),
                            human(self.policy.max_wait)
                        ));
                    }
                    // The wait the provider asks for (Retry-After up to
                    // max_wait, or at least a second after a bare 429) is
                    // the provider's, not backoff of ours: it is waited for
                    // whatever max_retry_wait says.
                    let asked = retry_after.or(throttled.then_some(THROTTLE_FLOOR));
                    let delay = full_jitter(&self.policy, retried).max(asked.unwrap_or_default());
                    if asked.is_some() && !self.untrusted {
                        // A 429 speaks for the whole key: hold every request
                        // now, before this one decides whether to retry.
                        self.limiter.block_until(Instant::now() + delay);
                    }
                    if retried >= self.policy.retries {
                        return give_up(format!(
                            "gave up after {} attempts: {reason}",
                            retried + 1
                        ));
                    }
                    if (asked.is_none() || self.untrusted)
                        && backoff_spent + delay > self.policy.max_retry_wait
                    {
                        return give_up(format!(
                            "gave up after {} attempts ({} of backoff): {reason}",
                            retried + 1,
                            human(backoff_spent)
                        ));
                    }
                    tracing::warn!(
                        source = %self.name,
                        request = %req.id,
                        attempt = retried + 1,
                        wait_ms = delay.as_millis() as u64,
                        reason = %self.redactor.redact(&reason),
                        "retrying"
                    );
                    retried += 1;
                    backoff_spent += delay;
                    SourceStats::add(&self.stats.retries, 1);
                    if let Some(reason) = self.sleep_unless_stopped(delay).await {
                        return Performed::Stopped(reason);
                    }
                }
            }
        }
    }

    /// One attempt at a request, sorted into the error taxonomy.
    async fn attempt(&self, request: &Request) -> Attempt {
        let (method, url, headers, body) = match request {
            Request::Http {
                method,
                url,
                headers,
                body,
            } => (method, url, headers, body),
            Request::Dns { name, record_type } => {
                return match self.dns().lookup(name, *record_type).await {
                    Ok(answer) => Attempt::Answer(answer),
                    Err(f) if f.kind == "config" => Attempt::Fail("config", f.message),
                    Err(f) => Attempt::Retry {
                        kind: f.kind,
                        reason: format!("DNS {record_type:?} {name}: {}", f.message),
                        retry_after: None,
                        throttled: false,
                        last: None,
                    },
                };
            }
        };
        let url = match self.inject(url, true) {
            Ok(u) => u,
            Err(e) => return Attempt::Fail("config", e),
        };
        if self.untrusted {
            match reqwest::Url::parse(&url) {
                Ok(u) => {
                    if let Err(e) = check_url(&u, self.net.allow_private) {
                        return Attempt::Fail("unsafe_target", e.0);
                    }
                }
                Err(_) => return Attempt::Fail("config", format!("{url}: not a usable URL")),
            }
        }
        let mut rb = match method {
            HttpMethod::Get => self.client.get(&url),
            HttpMethod::Post => self.client.post(&url),
        }
        .timeout(self.policy.timeout);
        for (k, v) in headers {
            match self.inject(v, false) {
                Ok(v) => rb = rb.header(k.as_str(), v),
                Err(e) => return Attempt::Fail("config", e),
            }
        }
        if let Some(b) = body {
            match self.inject(b, false) {
                Ok(b) => rb = rb.body(b),
                Err(e) => return Attempt::Fail("config", e),
            }
        }
        let shown = self.redactor.redact(&url);
        let mut resp = match rb.send().await {
            Ok(r) => r,
            Err(e) => return self.transport_error(&e, &shown),
        };
        let status = resp.status().as_u16();
        let final_url = resp.url().to_string();
        let mut headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        if self.untrusted {
            // The host's own notes to the plugin cannot come from the site.
            headers.retain(|(k, _)| !k.starts_with("x-icp-"));
        }
        if self.untrusted && final_url != url {
            headers.push(("x-icp-final-url".into(), final_url));
        }
        let mut bytes = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) if self.untrusted && bytes.len() + chunk.len() > MAX_PAGE => {
                    // A page, not an API answer: keep its head, say it was cut.
                    bytes.extend_from_slice(&chunk[..MAX_PAGE - bytes.len()]);
                    headers.push(("x-icp-truncated".into(), MAX_PAGE.to_string()));
                    break;
                }
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > self.policy.max_body {
                        return Attempt::Fail(
                            "too_large",
                            format!(
                                "{shown}: response larger than {} bytes, refused",
                                self.policy.max_body
                            ),
                        );
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return self.transport_error(&e, &shown),
            }
        }
        let body = String::from_utf8_lossy(&bytes).into_owned();
        let answer = Response {
            id: String::new(),
            status,
            headers,
            body,
            answers: Vec::new(),
        };
        match status {
            // A website's 401/402/403 is its own business, not a refused key.
            401..=403 if self.untrusted => Attempt::Answer(answer),
            429 | 408 | 500..=599 => Attempt::Retry {
                kind: if status == 429 {
                    "rate_limited"
                } else {
                    "server"
                },
                reason: match status {
                    429 => format!("HTTP 429 Too Many Requests from {shown}"),
                    _ => format!("HTTP {status} from {shown}"),
                },
                retry_after: answer
                    .header("retry-after")
                    .and_then(|v| retry_after(v, SystemTime::now())),
                throttled: status == 429,
                last: self.untrusted.then(|| Box::new(answer)),
            },
            // Some providers say "credits exhausted" with a 403.
            401 | 403 if mentions_credits(&answer.body) => Attempt::Stop(
                "no_credits",
                format!(
                    "HTTP {status} from {shown}: out of credits ({})",
                    snippet(&answer.body)
                ),
            ),
            401 | 403 => Attempt::Stop(
                "refused",
                format!(
                    "HTTP {status} from {shown}: the provider refused the API key ({}); check the source's secrets",
                    snippet(&answer.body)
                ),
            ),
            402 => Attempt::Stop(
                "no_credits",
                format!(
                    "HTTP 402 from {shown}: out of credits ({})",
                    snippet(&answer.body)
                ),
            ),
            _ => Attempt::Answer(answer),
        }
    }

    fn transport_error(&self, e: &reqwest::Error, shown: &str) -> Attempt {
        if e.is_builder() {
            return Attempt::Fail("config", format!("{shown}: not a usable URL"));
        }
        if let Some(why) = refusal(e) {
            return Attempt::Fail("unsafe_target", why);
        }
        if self.untrusted && e.is_connect() {
            // A company's site that does not resolve or listen will not
            // start to within a retry's wait.
            return Attempt::Fail("connect", format!("{shown}: could not connect"));
        }
        let (kind, what) = if e.is_timeout() {
            (
                "timeout",
                format!("timed out after {}", human(self.policy.timeout)),
            )
        } else if e.is_connect() {
            ("connect", "could not connect".to_string())
        } else {
            ("connection", "the connection broke".to_string())
        };
        Attempt::Retry {
            kind,
            reason: format!("{shown}: {what}"),
            retry_after: None,
            throttled: false,
            last: None,
        }
    }

    /// Substitute `${secret:NAME}` references.
    /// `text` with its `${secret:NAME}` references replaced by the values
    /// (percent-encoded in a URL, so a key with `+`, `/` or `&` arrives
    /// as it is).
    fn inject(&self, text: &str, in_url: bool) -> Result<String, String> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(i) = rest.find("${secret:") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 9..];
            let Some(end) = after.find('}') else {
                return Err("a request has an unterminated ${secret:...} reference".into());
            };
            let name = &after[..end];
            match self.secrets.get(name) {
                Some(v) if in_url => out.push_str(&url_encoded(v)),
                Some(v) => out.push_str(v),
                None => {
                    return Err(format!(
                        "the request needs secret `{name}`, which the source's config does not set (secrets = {{ {name} = \"${{ENV_VAR}}\" }})"
                    ));
                }
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

#[async_trait::async_trait]
impl Source for PlanSource {
    fn manifest(&self) -> &Manifest {
        self.plan.manifest()
    }

    async fn enrich(&self, accounts: &[Account]) -> Result<BTreeMap<String, Outcome>, SourceError> {
        // Two accounts with one key (two people at one company) are one
        // lookup: planned, paid and answered once.
        let mut seen = std::collections::HashSet::new();
        let unique: Vec<Account> = accounts
            .iter()
            .filter(|a| seen.insert(a.key.as_str()))
            .cloned()
            .collect();
        let accounts = unique.as_slice();
        let planned = self.plan.plan(accounts, &self.settings)?;
        // Every request's outcome per account, combined by the source at the end.
        let mut parts: BTreeMap<String, Vec<(String, Outcome)>> = BTreeMap::new();
        let mut wave = planned;
        for depth in 0..=MAX_FOLLOW_UP_DEPTH {
            if wave.is_empty() {
                break;
            }
            let performed = join_all(wave.iter().map(|r| self.perform(r))).await;
            let mut next = Vec::new();
            for (req, done) in wave.iter().zip(performed) {
                let result = match done {
                    Performed::Answer(resp, charged) => {
                        let parsed = self.plan.parse(req, &resp);
                        if matches!(parsed, Err(SourceError::Stopped(_))) {
                            // "Credits exhausted" with a 200 was not a paid
                            // answer: give its charge back.
                            self.budget.refund(charged);
                            self.stats
                                .credits_milli
                                .fetch_sub(charged, std::sync::atomic::Ordering::Relaxed);
                        }
                        parsed
                    }
                    Performed::Failed(m) => Err(SourceError::Other(m)),
                    Performed::Stopped(m) => Err(SourceError::Stopped(m)),
                };
                match result {
                    Ok(parsed) => {
                        for line in parsed.logs {
                            tracing::info!(source = %self.name, "{}", self.redactor.redact(&line));
                        }
                        for (key, outcome) in parsed.outcomes {
                            // A plugin's failure message may quote a body
                            // that echoes the key: redact it like our own.
                            let outcome = match outcome {
                                Outcome::Failed { message } => Outcome::Failed {
                                    message: self.redactor.redact(&message),
                                },
                                other => other,
                            };
                            parts
                                .entry(key)
                                .or_default()
                                .push((req.id.clone(), outcome));
                        }
                        if depth < MAX_FOLLOW_UP_DEPTH {
                            next.extend(parsed.follow_ups);
                        }
                    }
                    Err(e) => {
                        match &e {
                            SourceError::Stopped(m) => self.stats.stop(&self.redactor.redact(m)),
                            SourceError::Malformed(_) => self.stats.count_error("malformed"),
                            _ => {}
                        }
                        let message = self.redactor.redact(&e.to_string());
                        for key in &req.keys {
                            parts.entry(key.clone()).or_default().push((
                                req.id.clone(),
                                Outcome::Failed {
                                    message: message.clone(),
                                },
                            ));
                        }
                    }
                }
            }
            wave = next;
        }
        // An account no answer mentioned is one the provider does not know.
        Ok(accounts
            .iter()
            .map(|a| {
                let outcome = match parts.remove(&a.key) {
                    Some(p) => self.plan.combine(&a.key, p),
                    None => Outcome::NoData,
                };
                (a.key.clone(), outcome)
            })
            .collect())
    }
}

/// Full jitter: a uniform wait between zero and the capped exponential.
fn full_jitter(p: &HttpPolicy, retried: u32) -> Duration {
    let ceiling = p
        .backoff_base
        .saturating_mul(1u32 << retried.min(16))
        .min(p.backoff_cap);
    ceiling.mul_f64(fastrand::f64())
}

fn snippet(body: &str) -> String {
    let one_line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.is_empty() {
        return "empty body".into();
    }
    let mut s: String = one_line.chars().take(160).collect();
    if s.len() < one_line.len() {
        s.push('…');
    }
    s
}

pub(crate) fn human(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 1.0 {
        format!("{} ms", d.as_millis())
    } else if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        format!("{:.0} min", s / 60.0)
    } else {
        format!("{:.1} h", s / 3600.0)
    }
}

/// The client for companies' own websites: the guarded resolver, checked
/// redirects, no proxy from the environment.
fn web_client(resolver: GuardedResolver) -> Result<reqwest::Client, String> {
    let allow_private = resolver.allow_private;
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .user_agent(concat!(
            "Mozilla/5.0 (compatible; icp/",
            env!("CARGO_PKG_VERSION"),
            "; technographics)"
        ))
        .dns_resolver(Arc::new(resolver))
        .redirect(redirect_policy(allow_private))
        .no_proxy()
        .connect_timeout(Duration::from_secs(10))
        .build()
        // Never fall back to a client without the guard.
        .map_err(|e| format!("cannot build the guarded web client: {e}"))
}

/// One client per source: its connection pool lives on the runtime that
/// uses it.
fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .user_agent(concat!("icp/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::limited(5))
        .connect_timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}
