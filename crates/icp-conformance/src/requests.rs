//! Checks of one planned request: where it goes (an http(s) URL, sane
//! headers, a DNS name) and how it carries secrets (only as
//! `${secret:NAME}` references to declared secrets, never a literal value).

use icp_plugin_sdk::{PlannedRequest, Request};
use serde_json::Value;

use crate::short;

const REF_OPEN: &str = "${secret:";

/// A setting whose value looks like a secret: where it is (for messages;
/// the value itself is never printed) and the value.
#[derive(Clone, Debug)]
pub(crate) struct Literal {
    pub path: String,
    pub value: String,
}

/// Setting names whose values are secrets when written literally.
fn secret_like_setting(name: &str) -> bool {
    let n = name.to_ascii_lowercase().replace('-', "_");
    [
        "api_key",
        "apikey",
        "access_key",
        "secret_key",
        "private_key",
        "license_key",
        "token",
        "secret",
        "password",
        "passwd",
        "credential",
        "credentials",
        "authorization",
    ]
    .iter()
    .any(|s| n.ends_with(s))
}

/// Header names that carry credentials.
fn secret_like_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase().replace('_', "-");
    if n == "idempotency-key" {
        return false;
    }
    matches!(
        n.as_str(),
        "authorization" | "proxy-authorization" | "cookie" | "key"
    ) || n.ends_with("-key")
        || n.contains("apikey")
        || n.contains("token")
        || n.contains("secret")
        || n.contains("password")
}

/// Query parameter and JSON body member names that carry credentials.
fn secret_like_param(name: &str) -> bool {
    let n = name.to_ascii_lowercase().replace('-', "_");
    matches!(
        n.as_str(),
        "api_key"
            | "apikey"
            | "token"
            | "access_token"
            | "auth_token"
            | "secret"
            | "client_secret"
            | "password"
            | "passwd"
    )
}

/// String settings under secret-like names (`api_key`, `token`,
/// `password`, ...) of 8 characters or more that are not a
/// `${secret:...}` reference or the name of a declared secret: values that
/// must never appear in a request.
pub(crate) fn literal_secrets(settings: &Value, declared: &[String]) -> Vec<Literal> {
    fn walk(v: &Value, path: &str, declared: &[String], out: &mut Vec<Literal>) {
        match v {
            Value::Object(o) => {
                for (k, v) in o {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    if let Value::String(s) = v
                        && secret_like_setting(k)
                        && s.trim().chars().count() >= 8
                        && !s.contains(REF_OPEN)
                        && !declared.iter().any(|d| d == s.trim())
                    {
                        out.push(Literal {
                            path: p.clone(),
                            value: s.trim().to_string(),
                        });
                    }
                    walk(v, &p, declared, out);
                }
            }
            Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    walk(v, &format!("{path}[{i}]"), declared, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(settings, "", declared, &mut out);
    out
}

/// The parts of a request that go on the wire, named for messages.
fn parts(req: &Request) -> Vec<(String, &str)> {
    match req {
        Request::Http {
            url, headers, body, ..
        } => {
            let mut out = vec![("the URL".to_string(), url.as_str())];
            for (n, v) in headers {
                out.push((format!("header `{n}`"), v.as_str()));
            }
            if let Some(b) = body {
                out.push(("the body".to_string(), b.as_str()));
            }
            out
        }
        Request::Dns { name, .. } => vec![("the DNS name".to_string(), name.as_str())],
    }
}

/// `${secret:NAME}` references in `text`: the names, or a problem.
fn secret_refs(text: &str) -> Result<Vec<&str>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(REF_OPEN) {
        let after = &rest[i + REF_OPEN.len()..];
        let Some(end) = after.find('}') else {
            return Err("an unterminated ${secret:...} reference".into());
        };
        let name = &after[..end];
        if name.trim().is_empty() {
            return Err("a ${secret:} reference without a name".into());
        }
        out.push(name);
        rest = &after[end + 1..];
    }
    Ok(out)
}

/// `text` without its `${secret:...}` references.
fn without_refs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(REF_OPEN) {
        out.push_str(&rest[..i]);
        let after = &rest[i + REF_OPEN.len()..];
        match after.find('}') {
            Some(end) => rest = &after[end + 1..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// How `req` carries secrets: only references to declared secrets, no
/// literal values. Returns the problems and records the names referred to
/// in `used`.
pub(crate) fn secret_problems(
    req: &PlannedRequest,
    declared: &[String],
    literals: &[Literal],
    used: &mut Vec<String>,
) -> Vec<String> {
    let mut out = Vec::new();
    let id = &req.id;
    for (part, text) in parts(&req.request) {
        match secret_refs(text) {
            Err(p) => out.push(format!("request `{id}`: {part} has {p}")),
            Ok(names) => {
                for n in names {
                    if !declared.iter().any(|d| d == n) {
                        out.push(format!(
                            "request `{id}`: {part} refers to ${{secret:{n}}}, but the manifest's `secrets` does not declare `{n}` (declared: {})",
                            list_or_none(declared)
                        ));
                    }
                    if !used.iter().any(|u| u == n) {
                        used.push(n.to_string());
                    }
                }
            }
        }
        if text.to_ascii_uppercase().contains("%24%7BSECRET%3A") {
            out.push(format!(
                "request `{id}`: {part} has a percent-encoded ${{secret:...}} reference: the host substitutes only the plain form"
            ));
        }
        let bare = without_refs(text);
        for l in literals {
            if bare.contains(&l.value) {
                out.push(format!(
                    "request `{id}`: {part} carries the literal value of setting `{}`: a plan never sends a secret itself; write ${{secret:NAME}} and declare NAME in the manifest's `secrets`",
                    l.path
                ));
            }
        }
    }
    if let Request::Http {
        url, headers, body, ..
    } = &req.request
    {
        for (n, v) in headers {
            if secret_like_header(n) && !v.trim().is_empty() && !v.contains(REF_OPEN) {
                out.push(format!(
                    "request `{id}`: header `{n}` has a literal value, not a ${{secret:NAME}} reference"
                ));
            }
        }
        if let Some((_, query)) = url.split_once('?') {
            let query = query.split('#').next().unwrap_or(query);
            for pair in query.split('&') {
                let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
                if secret_like_param(n) && !v.is_empty() && !v.contains(REF_OPEN) {
                    out.push(format!(
                        "request `{id}`: query parameter `{n}` has a literal value, not a ${{secret:NAME}} reference"
                    ));
                }
            }
        }
        if let Some(b) = body
            && let Ok(json) = serde_json::from_str::<Value>(b)
        {
            body_members(&json, &mut |n, v| {
                out.push(format!(
                    "request `{id}`: body member `{n}` has a literal value ({v}), not a ${{secret:NAME}} reference"
                ));
            });
        }
    }
    out
}

fn body_members(v: &Value, found: &mut dyn FnMut(&str, &str)) {
    match v {
        Value::Object(o) => {
            for (k, v) in o {
                if let Value::String(s) = v
                    && secret_like_param(k)
                    && !s.trim().is_empty()
                    && !s.contains(REF_OPEN)
                {
                    found(k, "text");
                }
                body_members(v, found);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| body_members(v, found)),
        _ => {}
    }
}

/// Where `req` goes: an http(s) URL with a host, header names that are
/// HTTP tokens, values without line breaks; a DNS name without spaces.
pub(crate) fn target_problems(req: &PlannedRequest) -> Vec<String> {
    let mut out = Vec::new();
    let id = &req.id;
    match &req.request {
        Request::Http { url, headers, .. } => {
            if let Some(p) = url_problem(url) {
                out.push(format!("request `{id}`: {p}"));
            }
            let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
            for (n, v) in headers {
                if n.is_empty() || !n.bytes().all(token) {
                    out.push(format!(
                        "request `{id}`: `{}` is not a valid HTTP header name",
                        short(n, 60)
                    ));
                }
                if v.contains(['\r', '\n', '\0']) {
                    out.push(format!(
                        "request `{id}`: header `{n}` has a line break or NUL in its value"
                    ));
                }
            }
        }
        Request::Dns { name, .. } => {
            let n = name.trim();
            if n.is_empty() || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
                out.push(format!(
                    "request `{id}`: the DNS name {:?} is blank or has spaces",
                    short(name, 60)
                ));
            }
        }
    }
    out
}

fn url_problem(url: &str) -> Option<String> {
    let lower = url.trim_start().to_ascii_lowercase();
    let shown = short(url, 60);
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return Some(format!(
            "`{shown}` is not an http(s) URL: the host performs HTTP and HTTPS requests only"
        ));
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') {
        return Some(format!("`{shown}` has no host"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some(format!(
            "`{shown}` has spaces or control characters: percent-encode them"
        ));
    }
    None
}

pub(crate) fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use icp_plugin_sdk::HttpMethod;
    use serde_json::json;

    fn http(url: &str, headers: &[(&str, &str)], body: Option<&str>) -> PlannedRequest {
        PlannedRequest {
            id: "r".into(),
            keys: vec!["a.com".into()],
            request: Request::Http {
                method: HttpMethod::Get,
                url: url.into(),
                headers: headers
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect(),
                body: body.map(str::to_string),
            },
        }
    }

    #[test]
    fn urls() {
        assert_eq!(url_problem("https://api.example.com/x?d=a.com"), None);
        assert_eq!(url_problem("HTTP://127.0.0.1:9/x"), None);
        for bad in [
            "ftp://x/a.com",
            "api.example.com/a.com",
            "file:///etc/passwd",
        ] {
            assert!(
                url_problem(bad).unwrap().contains("not an http(s) URL"),
                "{bad}"
            );
        }
        assert!(url_problem("https:///x").unwrap().contains("no host"));
        assert!(url_problem("https://x/a b").unwrap().contains("spaces"));
    }

    #[test]
    fn secrets() {
        let declared = vec!["api_key".to_string()];
        let settings = json!({ "auth": { "secret": "api_key" }, "api_key": "sk_live_abcdefgh", "nested": { "token": "${secret:api_key}" } });
        let literals = literal_secrets(&settings, &declared);
        assert_eq!(literals.len(), 1);
        assert_eq!(literals[0].path, "api_key");
        let mut used = Vec::new();
        let ok = http(
            "https://x/?api_key=${secret:api_key}",
            &[("Authorization", "Bearer ${secret:api_key}")],
            None,
        );
        assert!(secret_problems(&ok, &declared, &literals, &mut used).is_empty());
        assert_eq!(used, ["api_key"]);

        let bad = http(
            "https://x/?token=abc&k=sk_live_abcdefgh",
            &[
                ("X-Api-Key", "sk_live_abcdefgh"),
                ("X-Other", "${secret:other}"),
                ("X-Broken", "${secret:api_key"),
            ],
            Some(r#"{"auth": {"password": "hunter2"}}"#),
        );
        let p = secret_problems(&bad, &declared, &literals, &mut used).join("\n");
        for want in [
            "the URL carries the literal value of setting `api_key`",
            "header `X-Api-Key` carries the literal value of setting `api_key`",
            "header `X-Api-Key` has a literal value",
            "query parameter `token` has a literal value",
            "header `X-Other` refers to ${secret:other}, but the manifest's `secrets` does not declare `other` (declared: `api_key`)",
            "body member `password` has a literal value",
            "header `X-Broken` has an unterminated ${secret:...} reference",
        ] {
            assert!(p.contains(want), "{want}\nin\n{p}");
        }
        assert!(
            !p.contains("sk_live_abcdefgh") && !p.contains("hunter2"),
            "{p}"
        );
    }
}
