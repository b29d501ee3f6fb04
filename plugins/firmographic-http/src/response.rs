//! Turning one performed request into outcomes per account.
//!
//! The host has already handled 429, 5xx and timeouts (retries) and 401,
//! 402 and 403 (stop the source); this sees every other answer. Order of
//! decisions:
//! 1. an error message in the body saying the credits are gone: stop;
//! 2. a `queued_status` (202): every covered account is queued;
//! 3. a `no_data_status` (404, 422): the provider does not know them;
//! 4. a 2xx: read the company object(s): found, or no data when the object
//!    is empty or holds none of the mapped fields;
//! 5. anything else: those accounts fail with the status and a short reason.

use std::collections::{BTreeMap, BTreeSet};

use icp_plugin_sdk::{Outcome, ParseResult, PlannedRequest, Response, SourceError};
use serde_json::Value;

use crate::settings::{Bulk, Config};
use crate::values::{extract, push_log};

/// Parse the answer to a single lookup (`bulk` = `None`) or a bulk call.
pub fn parse(
    cfg: &Config,
    bulk: Option<&Bulk>,
    req: &PlannedRequest,
    resp: &Response,
) -> Result<ParseResult, SourceError> {
    let mut out = ParseResult::default();
    let status = resp.status;
    let text = resp.body.trim_start_matches('\u{feff}').trim();
    let json: Option<Result<Value, serde_json::Error>> =
        (!text.is_empty()).then(|| serde_json::from_str(text));
    let parsed = json.as_ref().and_then(|r| r.as_ref().ok());
    let label = &cfg.label;

    if !cfg.queued.contains(&status)
        && let Some(reason) = parsed.and_then(|v| stop_reason(v, &cfg.stop_messages))
    {
        return Err(SourceError::Stopped(format!(
            "{label}: the credits are used up (HTTP {status}: {reason})"
        )));
    }
    let reason = || {
        parsed
            .and_then(error_reason)
            .unwrap_or_else(|| reason_phrase(status).to_string())
    };
    if matches!(status, 401..=403) {
        return Err(SourceError::Stopped(format!(
            "{label}: HTTP {status}: {}",
            reason()
        )));
    }
    if cfg.queued.contains(&status) {
        return Ok(all(req, out, || Outcome::Queued));
    }
    if cfg.no_data.contains(&status) {
        if status != 404 {
            push_log(
                &mut out.logs,
                format!(
                    "{label}: HTTP {status} ({}) read as no data for {}",
                    reason(),
                    keys_text(&req.keys)
                ),
            );
        }
        return Ok(all(req, out, || Outcome::NoData));
    }
    if !(200..=299).contains(&status) {
        let message = format!("{label}: HTTP {status}: {}", reason());
        return Ok(all(req, out, || Outcome::Failed {
            message: message.clone(),
        }));
    }

    // A 2xx.
    let body = match json {
        // A bulk answer must carry its list: an empty body answers nothing.
        None if bulk.is_some() => {
            return Err(SourceError::Malformed(format!(
                "{label}: the bulk answer is empty (HTTP {status})"
            )));
        }
        None => return Ok(all(req, out, || Outcome::NoData)),
        Some(Err(e)) => {
            return Err(SourceError::Malformed(format!(
                "{label}: the body is not JSON ({})",
                short(&e.to_string())
            )));
        }
        Some(Ok(v)) => v,
    };
    match bulk {
        None => {
            let company = walk(&body, &cfg.root)
                .map_err(|e| SourceError::Malformed(format!("{label}: {e}")))?;
            let outcome = company_outcome(cfg, company, &cfg.root, &mut out.logs)
                .map_err(|e| SourceError::Malformed(format!("{label}: {e}")))?;
            Ok(all(req, out, || outcome.clone()))
        }
        Some(b) => parse_bulk(cfg, b, req, &body, out),
    }
}

fn parse_bulk(
    cfg: &Config,
    b: &Bulk,
    req: &PlannedRequest,
    body: &Value,
    mut out: ParseResult,
) -> Result<ParseResult, SourceError> {
    let label = &cfg.label;
    let malformed = |e: String| SourceError::Malformed(format!("{label}: {e}"));
    let answers: &[Value] = match walk(body, &b.items).map_err(malformed)? {
        Some(Value::Array(a)) => a,
        Some(Value::Null) if error_reason(body).is_none() => &[],
        // An error or an unexpected object instead of the list (Apollo's
        // `{"error": "..."}` with a 200): not "every domain is unknown".
        None | Some(Value::Null) => {
            return Err(malformed(format!(
                "no list of answers at {}{}",
                at(&b.items),
                error_reason(body).map_or(String::new(), |r| format!(" (the provider says: {r})"))
            )));
        }
        Some(other) => {
            return Err(malformed(format!(
                "expected a list of answers at {}, found {}",
                at(&b.items),
                kind_of(other)
            )));
        }
    };
    // Requested keys by their normalised form.
    let wanted: BTreeMap<String, &String> = req.keys.iter().map(|k| (norm_domain(k), k)).collect();
    let mut outcomes: BTreeMap<String, Outcome> = BTreeMap::new();
    let (mut unusable, mut unmatched, mut repeated) = (0usize, BTreeSet::new(), 0usize);
    for answer in answers {
        if answer.is_null() {
            continue;
        }
        if !answer.is_object() {
            unusable += 1;
            continue;
        }
        let Some(key) = answer_key(answer, &b.key, &wanted) else {
            if let Some(k) = b
                .key
                .iter()
                .find_map(|p| answer.pointer(p).and_then(Value::as_str))
            {
                unmatched.insert(short(k));
            } else {
                unusable += 1;
            }
            continue;
        };
        if outcomes.contains_key(key) {
            repeated += 1;
            continue;
        }
        if let Some(reason) = stop_reason(answer, &cfg.stop_messages) {
            return Err(SourceError::Stopped(format!(
                "{label}: the credits are used up ({reason})"
            )));
        }
        let item_status = b
            .status
            .as_deref()
            .and_then(|p| answer.pointer(p))
            .and_then(as_status);
        let outcome = match item_status {
            Some(s @ 401..=403) => {
                return Err(SourceError::Stopped(format!(
                    "{label}: an answer has status {s}: {}",
                    error_reason(answer).unwrap_or_else(|| reason_phrase(s).to_string())
                )));
            }
            Some(s) if cfg.queued.contains(&s) => Outcome::Queued,
            Some(s) if cfg.no_data.contains(&s) => Outcome::NoData,
            None | Some(200..=299) => {
                let company = walk(answer, &b.root);
                match company.and_then(|c| company_outcome(cfg, c, &b.root, &mut out.logs)) {
                    Ok(o) => o,
                    Err(e) => Outcome::Failed {
                        message: format!("{label}: malformed answer: {e}"),
                    },
                }
            }
            Some(s) => Outcome::Failed {
                message: format!(
                    "{label}: HTTP {s}: {}",
                    error_reason(answer).unwrap_or_else(|| reason_phrase(s).to_string())
                ),
            },
        };
        outcomes.insert(key.clone(), outcome);
    }
    if unusable > 0 && outcomes.is_empty() {
        return Err(malformed(format!(
            "none of the {} answers is a company answer with a key at {}",
            answers.len(),
            b.key.join(" or ")
        )));
    }
    if unusable > 0 {
        push_log(
            &mut out.logs,
            format!("{label}: {unusable} answer(s) of an unexpected shape were skipped"),
        );
    }
    if !unmatched.is_empty() {
        let list: Vec<String> = unmatched.into_iter().take(5).collect();
        push_log(
            &mut out.logs,
            format!(
                "{label}: answer(s) for {} match no requested domain and were skipped",
                list.join(", ")
            ),
        );
    }
    if repeated > 0 {
        push_log(
            &mut out.logs,
            format!("{label}: {repeated} repeated answer(s) skipped (the first one counts)"),
        );
    }
    // Domains the answer leaves out are unknown to the provider.
    let missing = req
        .keys
        .iter()
        .filter(|k| !outcomes.contains_key(*k))
        .count();
    for k in &req.keys {
        outcomes.entry(k.clone()).or_insert(Outcome::NoData);
    }
    let found = outcomes
        .values()
        .filter(|o| matches!(o, Outcome::Found { .. }))
        .count();
    push_log(
        &mut out.logs,
        format!(
            "{label}: bulk answer: {found} of {} domains found, {missing} left out",
            req.keys.len()
        ),
    );
    out.outcomes = outcomes;
    Ok(out)
}

/// The outcome for one company object found at `ptr`.
fn company_outcome(
    cfg: &Config,
    company: Option<&Value>,
    ptr: &str,
    logs: &mut Vec<String>,
) -> Result<Outcome, String> {
    match company {
        None | Some(Value::Null) => Ok(Outcome::NoData),
        Some(Value::Object(o)) if o.is_empty() => Ok(Outcome::NoData),
        Some(c @ Value::Object(_)) => {
            let fields = extract(c, &cfg.fields, logs);
            Ok(if fields.is_empty() {
                Outcome::NoData
            } else {
                Outcome::Found { fields }
            })
        }
        Some(other) => Err(format!(
            "expected a company object at {}, found {}",
            at(ptr),
            kind_of(other)
        )),
    }
}

/// Follow a JSON pointer. A missing member or a `null` on the way is
/// `None`; stepping into text, a number or a boolean is a shape error.
fn walk<'a>(v: &'a Value, ptr: &str) -> Result<Option<&'a Value>, String> {
    if ptr.is_empty() {
        return Ok(Some(v));
    }
    let mut cur = v;
    let mut done = String::new();
    for raw in ptr.split('/').skip(1) {
        let token = raw.replace("~1", "/").replace("~0", "~");
        let next = match cur {
            Value::Null => return Ok(None),
            Value::Object(o) => o.get(&token),
            Value::Array(a) => match token.parse::<usize>() {
                Ok(i) => a.get(i),
                Err(_) => {
                    return Err(format!("expected an object at {}, found a list", at(&done)));
                }
            },
            other => {
                return Err(format!(
                    "expected an object at {}, found {}",
                    at(&done),
                    kind_of(other)
                ));
            }
        };
        done.push('/');
        done.push_str(raw);
        match next {
            Some(n) => cur = n,
            None => return Ok(None),
        }
    }
    Ok(Some(cur))
}

/// The requested key an answer is about, by its key pointers.
fn answer_key<'k>(
    answer: &Value,
    pointers: &[String],
    wanted: &BTreeMap<String, &'k String>,
) -> Option<&'k String> {
    pointers.iter().find_map(|p| {
        let v = answer.pointer(p)?.as_str()?;
        wanted.get(&norm_domain(v)).copied()
    })
}

/// `HTTPS://www.Acme.com:443/about` -> `acme.com`, to match answers to keys.
fn norm_domain(s: &str) -> String {
    let mut t = s.trim().to_lowercase();
    for scheme in ["https://", "http://", "//"] {
        if let Some(rest) = t.strip_prefix(scheme) {
            t = rest.to_string();
            break;
        }
    }
    if let Some(i) = t.find(['/', '?', '#']) {
        t.truncate(i);
    }
    if let Some(i) = t.find('@') {
        t = t[i + 1..].to_string();
    }
    if let Some(i) = t.rfind(':') {
        t.truncate(i);
    }
    let t = t.trim_end_matches('.');
    t.strip_prefix("www.").unwrap_or(t).to_string()
}

fn as_status(v: &Value) -> Option<u16> {
    match v {
        Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The texts of a body's error fields (never its company data).
fn error_texts(v: &Value) -> Vec<String> {
    let Value::Object(o) = v else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut push = |v: Option<&Value>| match v {
        Some(Value::String(s)) if !s.trim().is_empty() => out.push(s.trim().to_string()),
        _ => {}
    };
    match o.get("error") {
        Some(Value::Object(e)) => {
            push(e.get("message"));
            push(e.get("type"));
            push(e.get("code"));
        }
        other => push(other),
    }
    if let Some(Value::Array(errors)) = o.get("errors") {
        for e in errors.iter().take(3) {
            match e {
                Value::Object(e) => {
                    push(e.get("message"));
                    push(e.get("type"));
                    push(e.get("code"));
                }
                s => push(Some(s)),
            }
        }
    }
    for k in ["message", "error_message", "detail", "error_code"] {
        push(o.get(k));
    }
    out
}

/// A short reason from a body's error fields.
fn error_reason(v: &Value) -> Option<String> {
    error_texts(v).first().map(|t| short(t))
}

/// The reason to stop, if the body's error fields say the credits are gone.
fn stop_reason(v: &Value, patterns: &[String]) -> Option<String> {
    let texts = error_texts(v);
    let hit = texts.iter().any(|t| {
        let t = t.to_lowercase();
        patterns.iter().any(|p| t.contains(p.as_str()))
    });
    hit.then(|| short(&texts[0]))
}

/// One line, at most 160 characters, and no token-like words (an echoed
/// key must never reach a log).
fn short(s: &str) -> String {
    let mut out = String::new();
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        let tokenish = word.len() >= 24
            && word
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            && word.bytes().any(|b| b.is_ascii_digit());
        out.push_str(if tokenish { "[...]" } else { word });
        if out.chars().count() > 160 {
            out = out.chars().take(157).collect::<String>() + "...";
            break;
        }
    }
    out
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "bad request",
        401 => "unauthorized",
        402 => "payment required",
        403 => "forbidden",
        404 => "not found",
        405 => "method not allowed",
        406 => "not acceptable",
        409 => "conflict",
        410 => "gone",
        413 => "payload too large",
        414 => "URI too long",
        415 => "unsupported media type",
        422 => "unprocessable entity",
        429 => "too many requests",
        500..=599 => "server error",
        300..=399 => "a redirect the host did not follow",
        _ => "unexpected status",
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn at(ptr: &str) -> String {
    if ptr.is_empty() {
        "the top level".to_string()
    } else {
        ptr.to_string()
    }
}

fn keys_text(keys: &[String]) -> String {
    match keys {
        [one] => one.clone(),
        many => format!("{} domains", many.len()),
    }
}

fn all(req: &PlannedRequest, mut out: ParseResult, outcome: impl Fn() -> Outcome) -> ParseResult {
    for k in &req.keys {
        out.outcomes.insert(k.clone(), outcome());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn normalises_domains() {
        for s in [
            "acme.com",
            "ACME.com.",
            "https://www.acme.com/about?x=1",
            "http://acme.com:8080",
            "//www.acme.com",
        ] {
            assert_eq!(norm_domain(s), "acme.com", "{s}");
        }
    }

    #[test]
    fn walks_pointers() {
        let v = json!({"a": {"b": [1, {"c": null}]}, "s": "x"});
        assert_eq!(walk(&v, "/a/b/0").unwrap(), Some(&json!(1)));
        assert_eq!(walk(&v, "/a/b/1/c/d").unwrap(), None);
        assert_eq!(walk(&v, "/zz/y").unwrap(), None);
        assert!(walk(&v, "/s/t").unwrap_err().contains("found text"));
        assert!(walk(&v, "/a/b/x").unwrap_err().contains("found a list"));
    }

    #[test]
    fn reasons_are_short_and_redacted() {
        let r = short("Invalid key sk_live_4eC39HqLyjWDarjtT1zdp7dc for this\nrequest");
        assert_eq!(r, "Invalid key [...] for this request");
        assert!(short(&"word ".repeat(100)).chars().count() <= 160);
        let body = json!({"error": {"type": "payment_required", "message": "You have hit your account maximum"}});
        let p: Vec<String> = vec!["account maximum".into()];
        assert_eq!(
            stop_reason(&body, &p).as_deref(),
            Some("You have hit your account maximum")
        );
        let company =
            json!({"description": "We sell credits; insufficient credits are our business"});
        assert_eq!(stop_reason(&company, &["insufficient credit".into()]), None);
    }
}
