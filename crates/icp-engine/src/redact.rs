//! Keep secrets out of logs, errors and output files.

/// Query parameters that carry keys in the URLs of common APIs.
const SECRET_PARAMS: [&str; 9] = [
    "key",
    "api_key",
    "apikey",
    "api-key",
    "token",
    "access_token",
    "secret",
    "password",
    "auth",
];

/// Replaces known secret values, and the values of key-like query
/// parameters, with `[redacted]`.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    pub fn new<I: IntoIterator<Item = String>>(secrets: I) -> Redactor {
        let mut secrets: Vec<String> = secrets.into_iter().filter(|s| s.len() >= 4).collect();
        // Longest first, so a secret containing another is removed whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Redactor { secrets }
    }

    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), "[redacted]");
            }
        }
        scrub_query(&out)
    }
}

/// `...?api_key=abc&domain=x` -> `...?api_key=[redacted]&domain=x`.
fn scrub_query(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['?', '&']) {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        let end = rest
            .find(|c: char| c == '&' || c == '#' || c.is_whitespace() || c == '"' || c == '\'')
            .unwrap_or(rest.len());
        let pair = &rest[..end];
        match pair.split_once('=') {
            Some((name, value))
                if !value.is_empty()
                    && value != "[redacted]"
                    && SECRET_PARAMS.contains(&name.to_ascii_lowercase().as_str()) =>
            {
                out.push_str(name);
                out.push_str("=[redacted]");
            }
            _ => out.push_str(pair),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_key_params_go() {
        let r = Redactor::new(["sk_live_123456".to_string()]);
        assert_eq!(
            r.redact("GET https://x.io/v1?domain=a.com&api_key=zzz9 failed: Bearer sk_live_123456"),
            "GET https://x.io/v1?domain=a.com&api_key=[redacted] failed: Bearer [redacted]"
        );
        assert_eq!(r.redact("no secrets here"), "no secrets here");
        assert_eq!(r.redact("?key=abc"), "?key=[redacted]");
    }

    #[test]
    fn short_values_are_not_treated_as_secrets() {
        let r = Redactor::new(["ab".to_string()]);
        assert_eq!(r.redact("about"), "about");
    }
}
