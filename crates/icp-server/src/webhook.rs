//! The run-completion webhook: a signed POST, retried with exponential
//! backoff and jitter on connection errors and 5xx answers.
//!
//! `X-Icp-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`.

use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Where and how to notify. The secret is never logged (no `Debug`).
pub(crate) struct Webhook {
    pub(crate) url: String,
    pub(crate) secret: Option<String>,
    /// The first retry delay; doubled each attempt, plus up to 100% jitter.
    pub(crate) backoff: Duration,
    pub(crate) attempts: u32,
}

/// The header name.
pub const SIGNATURE_HEADER: &str = "X-Icp-Signature";

/// The signature header value for `body` at unix second `t`.
pub fn sign(secret: &str, t: i64, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let tag = mac.finalize().into_bytes();
    let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={t},v1={hex}")
}

/// POST `payload`; true when an attempt got a 2xx answer. Client errors
/// (4xx) are not retried.
pub(crate) async fn deliver(hook: &Webhook, payload: &serde_json::Value) -> bool {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("webhook: cannot build the HTTP client: {e}");
            return false;
        }
    };
    let body = serde_json::to_vec(payload).unwrap_or_default();
    let mut delay = hook.backoff;
    for attempt in 1..=hook.attempts {
        let mut req = client
            .post(&hook.url)
            .header("content-type", "application/json")
            .body(body.clone());
        if let Some(secret) = &hook.secret {
            req = req.header(
                SIGNATURE_HEADER,
                sign(secret, icp_engine::unix_now(), &body),
            );
        }
        let retry = match req.send().await {
            Ok(r) if r.status().is_success() => return true,
            Ok(r) if r.status().is_server_error() => {
                tracing::warn!(
                    attempt,
                    status = r.status().as_u16(),
                    "webhook answered 5xx"
                );
                true
            }
            Ok(r) => {
                tracing::warn!(
                    attempt,
                    status = r.status().as_u16(),
                    "webhook refused; not retried"
                );
                false
            }
            Err(e) => {
                tracing::warn!(attempt, "webhook: cannot deliver: {}", e.without_url());
                true
            }
        };
        if !retry || attempt == hook.attempts {
            break;
        }
        let jitter = delay.mul_f64(fastrand::f64());
        tokio::time::sleep(delay + jitter).await;
        delay *= 2;
    }
    false
}
