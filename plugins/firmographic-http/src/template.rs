//! URL templates (`{base_url}`, `{domain}`), percent-encoding and JSON body
//! templates.

use serde_json::Value;

/// Percent-encode `s` for a URL path segment or query component: RFC 3986
/// unreserved characters stay, every other byte of the UTF-8 form becomes
/// `%XX`. A punycode domain (`xn--mnchen-3ya.de`) passes unchanged; a
/// Unicode one is encoded byte by byte; `&`, `=`, `#`, `/` and spaces can
/// never break out of the parameter.
pub fn encode_component(s: &str) -> String {
    encode(s, b"")
}

/// Like [`encode_component`] but also keeps `[` and `]`, for query
/// parameter names such as `domains[]`.
pub fn encode_name(s: &str) -> String {
    encode(s, b"[]")
}

fn encode(s: &str, keep: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') || keep.contains(&b)
        {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
    out
}

/// A URL template: literal text and `{name}` placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlTemplate {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    BaseUrl,
    Domain,
}

impl UrlTemplate {
    /// Parse `template`, allowing the placeholders in `allowed`
    /// (`base_url`, `domain`). The error names the offending placeholder.
    pub fn parse(template: &str, allowed: &[&str]) -> Result<UrlTemplate, String> {
        let mut parts = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                return Err(format!("`{template}` has a `{{` without a closing `}}`"));
            };
            let name = &after[..close];
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_string()));
            }
            if !allowed.contains(&name) {
                return Err(format!(
                    "`{template}` uses the placeholder `{{{name}}}`; allowed here: {}",
                    allowed
                        .iter()
                        .map(|a| format!("{{{a}}}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            parts.push(match name {
                "base_url" => Part::BaseUrl,
                _ => Part::Domain,
            });
            rest = &after[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Ok(UrlTemplate { parts })
    }

    pub fn uses_domain(&self) -> bool {
        self.parts.contains(&Part::Domain)
    }

    pub fn uses_base_url(&self) -> bool {
        self.parts.contains(&Part::BaseUrl)
    }

    /// The URL with `base_url` as is and `domain` percent-encoded.
    pub fn render(&self, base_url: &str, domain: &str) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::BaseUrl => out.push_str(base_url),
                Part::Domain => out.push_str(&encode_component(domain)),
            }
        }
        out
    }
}

/// Append `name=value` to the query of `url` (`?` or `&` as needed). `name`
/// is encoded as a parameter name; `value` must already be encoded (or be a
/// `${secret:...}` reference, which the host substitutes).
pub fn append_query(url: &mut String, name: &str, encoded_value: &str) {
    url.push(if url.contains('?') { '&' } else { '?' });
    url.push_str(&encode_name(name));
    url.push('=');
    url.push_str(encoded_value);
}

/// Whether any string in the JSON template contains `needle`.
pub fn json_contains(template: &Value, needle: &str) -> bool {
    match template {
        Value::String(s) => s.contains(needle),
        Value::Array(a) => a.iter().any(|v| json_contains(v, needle)),
        Value::Object(o) => o
            .iter()
            .any(|(k, v)| k.contains(needle) || json_contains(v, needle)),
        _ => false,
    }
}

/// The template with `{domain}` replaced in every string (keys included).
/// The result is a JSON value, so the domain is escaped when serialised.
pub fn fill_domain(template: &Value, domain: &str) -> Value {
    match template {
        Value::String(s) => Value::String(s.replace("{domain}", domain)),
        Value::Array(a) => Value::Array(a.iter().map(|v| fill_domain(v, domain)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.replace("{domain}", domain), fill_domain(v, domain)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The bulk body: the template with the string `"{items}"` replaced by
/// `items`.
pub fn fill_items(template: &Value, items: &Value) -> Value {
    match template {
        Value::String(s) if s == "{items}" => items.clone(),
        Value::Array(a) => Value::Array(a.iter().map(|v| fill_items(v, items)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), fill_items(v, items)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Whether the template holds the string `"{items}"` as a whole value.
pub fn has_items_slot(template: &Value) -> bool {
    match template {
        Value::String(s) => s == "{items}",
        Value::Array(a) => a.iter().any(has_items_slot),
        Value::Object(o) => o.values().any(has_items_slot),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn encodes_components() {
        assert_eq!(encode_component("acme.co.uk"), "acme.co.uk");
        assert_eq!(encode_component("xn--mnchen-3ya.de"), "xn--mnchen-3ya.de");
        assert_eq!(encode_component("münchen.de"), "m%C3%BCnchen.de");
        assert_eq!(
            encode_component("a.com&x=1#y z/"),
            "a.com%26x%3D1%23y%20z%2F"
        );
        assert_eq!(encode_name("domains[]"), "domains[]");
    }

    #[test]
    fn templates() {
        let t =
            UrlTemplate::parse("{base_url}/find?domain={domain}", &["base_url", "domain"]).unwrap();
        assert!(t.uses_domain() && t.uses_base_url());
        assert_eq!(
            t.render("https://x.test", "a b.com"),
            "https://x.test/find?domain=a%20b.com"
        );
        let e = UrlTemplate::parse("{base_url}/{company}", &["base_url", "domain"]).unwrap_err();
        assert!(e.contains("{company}"), "{e}");
        assert!(UrlTemplate::parse("{base_url", &["base_url"]).is_err());
        let mut u = "https://x.test/a".to_string();
        append_query(&mut u, "domains[]", "b.com");
        append_query(&mut u, "domains[]", "c.com");
        assert_eq!(u, "https://x.test/a?domains[]=b.com&domains[]=c.com");
    }

    #[test]
    fn json_templates() {
        let item = json!({"params": {"website": "{domain}"}, "metadata": {"domain": "{domain}"}});
        let filled = fill_domain(&item, "a\"b.com");
        assert_eq!(filled["params"]["website"], "a\"b.com");
        let body = fill_items(
            &json!({"requests": "{items}", "pretty": false}),
            &json!([1, 2]),
        );
        assert_eq!(body, json!({"requests": [1, 2], "pretty": false}));
        assert!(has_items_slot(&json!({"a": ["{items}"]})));
        assert!(!has_items_slot(&json!({"a": "x {items}"})));
        assert!(json_contains(&item, "{domain}"));
    }
}
