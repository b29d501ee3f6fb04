//! A local company-lookup provider for benchmarking `icp enrich`: it
//! answers every domain, after a set latency, and enforces its rate limit
//! strictly (a request past the limit gets 429 with `Retry-After`).
//!
//! ```sh
//! cargo run --release -p icp-tests --example mock_provider -- \
//!     --limit 50/1s --latency-ms 50 --jitter-ms 10 --port 0
//! ```
//!
//! It prints its base URL (`http://127.0.0.1:PORT`) on the first line of
//! stdout, then serves until killed:
//!
//! - `GET [/PREFIX]/v1/company?domain=D`: a JSON company (`employees`,
//!   `industry`, `country`, `technologies`, `revenue`, `founded_year`, ...),
//!   values derived from the domain and the prefix. Each path prefix
//!   (`/firmo`, `/techno`, ...) is a separate provider with its own limit
//!   and counters, so one mock serves several sources.
//! - `GET /stats`: JSON counters: `ok`, `throttled` (429s), `unauthorized`,
//!   first and last arrival (Unix seconds), the achieved rate of the
//!   answered requests over the run, the most answered requests in any
//!   window of the limit (any 1 s without a limit), and the peak number of
//!   requests in flight, the longest pause between answered arrivals; in
//!   total and per prefix. `GET /stats?arrivals=1` adds each prefix's
//!   answered arrival times (ms since the mock started).
//! - `POST /reset`: zero the counters.
//!
//! The limit (`--limit N/DURATION`, e.g. `50/1s`, `600/1m`, `20/500ms`) is a
//! sliding window over the requests it answered: a request is answered only
//! if fewer than N answered requests arrived in the last DURATION; otherwise
//! it gets 429 with `Retry-After` (whole seconds until a slot frees, at
//! least 1) and does not count against the window. Arrival is when the
//! request has been read, before the latency (`--latency-ms`, plus a uniform
//! `--jitter-ms` either way) is spent. With `--key K`, requests must carry
//! `X-Api-Key: K` or `Authorization: Bearer K` (else 401).

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const USAGE: &str = "usage: mock_provider [--port P] [--host H] [--limit N/DUR | none] [--latency-ms MS] [--jitter-ms MS] [--key K] [--seed S]";

struct Options {
    host: String,
    port: u16,
    /// (count, window)
    limit: Option<(usize, Duration)>,
    latency: Duration,
    jitter: Duration,
    key: Option<String>,
    seed: u64,
}

fn parse_duration(s: &str) -> Option<Duration> {
    let split = s.find(|c: char| !c.is_ascii_digit() && c != '.')?;
    let (n, unit) = s.split_at(split);
    let n: f64 = if n.is_empty() { 1.0 } else { n.parse().ok()? };
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return None,
    };
    (secs > 0.0).then(|| Duration::from_secs_f64(secs))
}

fn parse_limit(s: &str) -> Result<Option<(usize, Duration)>, String> {
    if s == "none" || s == "0" {
        return Ok(None);
    }
    let bad = || format!("--limit {s}: expected N/DURATION such as 50/1s, 600/1m or none");
    let (n, per) = s.split_once('/').ok_or_else(bad)?;
    let n: usize = n.parse().map_err(|_| bad())?;
    let per = parse_duration(per).ok_or_else(bad)?;
    if n == 0 {
        return Err(bad());
    }
    Ok(Some((n, per)))
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        host: "127.0.0.1".into(),
        port: 0,
        limit: None,
        latency: Duration::from_millis(50),
        jitter: Duration::ZERO,
        key: None,
        seed: 42,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let ms = |v: &str| -> Result<Duration, String> {
            v.parse::<u64>()
                .map(Duration::from_millis)
                .map_err(|_| format!("{flag} {v}: expected milliseconds"))
        };
        match flag.as_str() {
            "--port" => o.port = value.parse().map_err(|_| format!("--port {value}"))?,
            "--host" => o.host = value,
            "--limit" => o.limit = parse_limit(&value)?,
            "--latency-ms" => o.latency = ms(&value)?,
            "--jitter-ms" => o.jitter = ms(&value)?,
            "--key" => o.key = Some(value),
            "--seed" => o.seed = value.parse().map_err(|_| format!("--seed {value}"))?,
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    if o.jitter > o.latency {
        return Err("--jitter-ms must not exceed --latency-ms".into());
    }
    Ok(o)
}

/// splitmix64: a tiny deterministic mixer for jitter and made-up values.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// Counters of one provider (one path prefix).
#[derive(Default)]
struct Provider {
    /// Arrivals of answered requests still inside the limit's window.
    window: VecDeque<Instant>,
    ok: u64,
    throttled: u64,
    unauthorized: u64,
    bad_request: u64,
    /// Every arrival (answered or not), in order.
    first: Option<Instant>,
    last: Option<Instant>,
    /// (arrival, arrival + latency) of the answered requests.
    answered: Vec<(Instant, Instant)>,
}

struct State {
    started: Instant,
    started_unix: f64,
    providers: BTreeMap<String, Provider>,
}

struct Mocked {
    opts: Arc<Options>,
    state: Arc<Mutex<State>>,
    draws: AtomicU64,
}

impl Mocked {
    fn delay(&self) -> Duration {
        if self.opts.jitter.is_zero() {
            return self.opts.latency;
        }
        let r = mix(self.draws.fetch_add(1, Ordering::Relaxed) ^ self.opts.seed);
        let unit = (r >> 11) as f64 / (1u64 << 53) as f64; // [0, 1)
        let j = self.opts.jitter.as_secs_f64();
        Duration::from_secs_f64((self.opts.latency.as_secs_f64() + (2.0 * unit - 1.0) * j).max(0.0))
    }

    fn authorized(&self, req: &Request) -> bool {
        let Some(key) = &self.opts.key else {
            return true;
        };
        let header = |name: &str| req.headers.get(name).and_then(|v| v.to_str().ok());
        header("x-api-key") == Some(key.as_str())
            || header("authorization").and_then(|v| v.strip_prefix("Bearer ")) == Some(key.as_str())
    }
}

fn company(source: &str, domain: &str) -> Value {
    let h = mix(hash(source) ^ hash(domain).rotate_left(17));
    const INDUSTRIES: [&str; 6] = [
        "Software",
        "Financial Services",
        "Healthcare",
        "Retail",
        "Manufacturing",
        "Education",
    ];
    const COUNTRIES: [&str; 5] = ["US", "GB", "DE", "FR", "AU"];
    const TECH: [&str; 8] = [
        "segment",
        "stripe",
        "snowflake",
        "hubspot",
        "salesforce",
        "google_apps",
        "aws",
        "openai",
    ];
    // At least one technology, so every source of a run finds every account.
    let technologies: Vec<&str> = (0..TECH.len())
        .filter(|&i| (h >> (i + 20)) & 1 == 1 || i == (h % 8) as usize)
        .map(|i| TECH[i])
        .collect();
    const STAGES: [&str; 4] = ["Seed", "Series A", "Series B", "Series C"];
    json!({
        "domain": domain,
        "source": source,
        "name": domain.split('.').next().unwrap_or(domain),
        "employees": 5 + h % 20_000,
        "industry": INDUSTRIES[(h % 6) as usize],
        "country": COUNTRIES[((h >> 8) % 5) as usize],
        "technologies": technologies,
        "revenue": 100_000 * (1 + (h >> 32) % 50_000),
        "founded_year": 1950 + (h >> 40) % 75,
        "funding_stage": STAGES[((h >> 48) % 4) as usize],
    })
}

impl Respond for Mocked {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let now = Instant::now();
        let prefix = req
            .url
            .path()
            .trim_end_matches("/v1/company")
            .trim_matches('/');
        let source = if prefix.is_empty() { "default" } else { prefix };
        let domain = req
            .url
            .query_pairs()
            .find(|(k, _)| k == "domain")
            .map(|(_, v)| v.into_owned());
        let authorized = self.authorized(req);
        let delay = self.delay();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let p = state.providers.entry(source.to_string()).or_default();
        p.first.get_or_insert(now);
        p.last = Some(now);
        if !authorized {
            p.unauthorized += 1;
            return ResponseTemplate::new(401)
                .set_body_json(json!({"error": {"message": "invalid api key"}}));
        }
        let Some(domain) = domain.filter(|d| !d.is_empty()) else {
            p.bad_request += 1;
            return ResponseTemplate::new(400)
                .set_body_json(json!({"error": {"message": "domain is required"}}));
        };
        if let Some((count, per)) = self.opts.limit {
            while p
                .window
                .front()
                .is_some_and(|&t| now.duration_since(t) >= per)
            {
                p.window.pop_front();
            }
            if p.window.len() >= count {
                p.throttled += 1;
                let frees_in = (p.window[0] + per).saturating_duration_since(now);
                let retry_after = frees_in.as_secs_f64().ceil().max(1.0) as u64;
                return ResponseTemplate::new(429)
                    .insert_header("Retry-After", retry_after.to_string().as_str())
                    .set_body_json(json!({"error": {"message": "rate limit exceeded"}}));
            }
            p.window.push_back(now);
        }
        p.ok += 1;
        p.answered.push((now, now + delay));
        drop(state);
        ResponseTemplate::new(200)
            .set_body_json(company(source, &domain))
            .set_delay(delay)
    }
}

/// The most answered requests in any window of length `per`, the most in
/// flight at once, and the longest pause between two answered arrivals.
fn peaks(answered: &[(Instant, Instant)], per: Duration) -> (usize, usize, Duration) {
    let mut arrivals: Vec<Instant> = answered.iter().map(|a| a.0).collect();
    arrivals.sort_unstable();
    let max_gap = arrivals
        .windows(2)
        .map(|w| w[1].duration_since(w[0]))
        .max()
        .unwrap_or_default();
    let mut most = 0;
    let mut lo = 0;
    for hi in 0..arrivals.len() {
        while arrivals[hi].duration_since(arrivals[lo]) >= per {
            lo += 1;
        }
        most = most.max(hi - lo + 1);
    }
    // +1 at each arrival, -1 at each end; ends sort before starts at a tie.
    let mut events: Vec<(Instant, i64)> = answered
        .iter()
        .flat_map(|&(a, b)| [(a, 1), (b, -1)])
        .collect();
    events.sort_unstable();
    let (mut now, mut in_flight) = (0i64, 0i64);
    for (_, d) in events {
        now += d;
        in_flight = in_flight.max(now);
    }
    (most, in_flight as usize, max_gap)
}

fn report(
    opts: &Options,
    state: &State,
    providers: &[&Provider],
    per: Duration,
) -> serde_json::Map<String, Value> {
    let unix = |t: Option<Instant>| {
        t.map(|t| state.started_unix + t.duration_since(state.started).as_secs_f64())
    };
    let ok: u64 = providers.iter().map(|p| p.ok).sum();
    let throttled: u64 = providers.iter().map(|p| p.throttled).sum();
    let unauthorized: u64 = providers.iter().map(|p| p.unauthorized).sum();
    let bad_request: u64 = providers.iter().map(|p| p.bad_request).sum();
    let first = providers.iter().filter_map(|p| p.first).min();
    let last = providers.iter().filter_map(|p| p.last).max();
    let answered: Vec<(Instant, Instant)> = providers
        .iter()
        .flat_map(|p| p.answered.iter().copied())
        .collect();
    let first_ok = answered.iter().map(|a| a.0).min();
    let last_ok = answered.iter().map(|a| a.0).max();
    let ok_span = match (first_ok, last_ok) {
        (Some(a), Some(b)) => b.duration_since(a).as_secs_f64(),
        _ => 0.0,
    };
    // n answered arrivals span n - 1 intervals.
    let achieved = (ok >= 2 && ok_span > 0.0).then(|| (ok - 1) as f64 / ok_span);
    let configured = opts
        .limit
        .map(|(n, per)| n as f64 / per.as_secs_f64() * providers.len().max(1) as f64);
    let (max_in_window, peak_in_flight, max_gap) = peaks(&answered, per);
    let mut m = serde_json::Map::new();
    m.insert(
        "requests".into(),
        json!(ok + throttled + unauthorized + bad_request),
    );
    m.insert("ok".into(), json!(ok));
    m.insert("throttled".into(), json!(throttled));
    m.insert("unauthorized".into(), json!(unauthorized));
    m.insert("bad_request".into(), json!(bad_request));
    m.insert("first_arrival".into(), json!(unix(first)));
    m.insert("last_arrival".into(), json!(unix(last)));
    m.insert("ok_seconds".into(), json!(ok_span));
    m.insert("achieved_rate".into(), json!(achieved));
    m.insert("configured_rate".into(), json!(configured));
    m.insert(
        "achieved_over_configured".into(),
        json!(achieved.zip(configured).map(|(a, c)| a / c)),
    );
    m.insert("window_seconds".into(), json!(per.as_secs_f64()));
    m.insert("max_in_window".into(), json!(max_in_window));
    m.insert("peak_in_flight".into(), json!(peak_in_flight));
    m.insert("max_gap_ms".into(), json!(max_gap.as_secs_f64() * 1000.0));
    m
}

struct Stats {
    opts: Arc<Options>,
    state: Arc<Mutex<State>>,
}

impl Respond for Stats {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if req.method.as_str() == "POST" {
            state.providers.clear();
            return ResponseTemplate::new(200).set_body_json(json!({"reset": true}));
        }
        let per = self.opts.limit.map_or(Duration::from_secs(1), |l| l.1);
        let all: Vec<&Provider> = state.providers.values().collect();
        let mut body = report(&self.opts, &state, &all, per);
        let with_arrivals = req.url.query_pairs().any(|(k, _)| k == "arrivals");
        let sources: serde_json::Map<String, Value> = state
            .providers
            .iter()
            .map(|(name, p)| {
                let mut r = report(&self.opts, &state, &[p], per);
                if with_arrivals {
                    // Milliseconds since the mock started, answered requests only.
                    let ms: Vec<f64> = p
                        .answered
                        .iter()
                        .map(|a| {
                            (a.0.duration_since(state.started).as_secs_f64() * 1e6).round() / 1e3
                        })
                        .collect();
                    r.insert("arrivals_ms".into(), json!(ms));
                }
                (name.clone(), Value::Object(r))
            })
            .collect();
        body.insert(
            "limit".into(),
            json!(
                self.opts
                    .limit
                    .map(|(n, per)| format!("{n}/{}s", per.as_secs_f64()))
            ),
        );
        body.insert(
            "latency_ms".into(),
            json!(self.opts.latency.as_millis() as u64),
        );
        body.insert(
            "jitter_ms".into(),
            json!(self.opts.jitter.as_millis() as u64),
        );
        body.insert("sources".into(), Value::Object(sources));
        ResponseTemplate::new(200).set_body_json(Value::Object(body))
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let opts = match parse_args() {
        Ok(o) => Arc::new(o),
        Err(e) => {
            eprintln!("mock_provider: {e}");
            std::process::exit(2);
        }
    };
    let listener = match std::net::TcpListener::bind((opts.host.as_str(), opts.port)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "mock_provider: cannot listen on {}:{}: {e}",
                opts.host, opts.port
            );
            std::process::exit(1);
        }
    };
    let state = Arc::new(Mutex::new(State {
        started: Instant::now(),
        started_unix: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64()),
        providers: BTreeMap::new(),
    }));
    let server = MockServer::builder()
        .listener(listener)
        .disable_request_recording()
        .start()
        .await;
    Mock::given(path("/stats"))
        .respond_with(Stats {
            opts: opts.clone(),
            state: state.clone(),
        })
        .mount(&server)
        .await;
    Mock::given(path("/reset"))
        .and(method("POST"))
        .respond_with(Stats {
            opts: opts.clone(),
            state: state.clone(),
        })
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(r"(^|/)v1/company$"))
        .respond_with(Mocked {
            opts: opts.clone(),
            state,
            draws: AtomicU64::new(0),
        })
        .mount(&server)
        .await;
    println!("{}", server.uri());
    eprintln!(
        "mock_provider: serving GET [/PREFIX]/v1/company?domain=D, GET /stats, POST /reset; limit {}, latency {} ms +- {} ms",
        opts.limit
            .map_or("none".to_string(), |(n, per)| format!("{n} per {per:?}")),
        opts.latency.as_millis(),
        opts.jitter.as_millis()
    );
    let _ = tokio::signal::ctrl_c().await;
}
