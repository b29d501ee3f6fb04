//! Just enough of URLs for this source: parse an absolute http(s) URL,
//! resolve a reference (a meta refresh target) against it, and the forms
//! the rules match (`host/path?query`) and show.

/// An absolute http(s) URL, split.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Url {
    /// `http` or `https`.
    pub scheme: String,
    /// Host (lower-case) and port, as written: `acme.com`, `127.0.0.1:8080`.
    pub authority: String,
    /// Starts with `/`.
    pub path: String,
    /// Empty, or starts with `?`.
    pub query: String,
}

impl Url {
    /// An absolute `http://` or `https://` URL; the fragment is dropped.
    pub fn parse(text: &str) -> Option<Url> {
        let t = clean(text)?;
        let lower = t.to_ascii_lowercase();
        let (scheme, rest) = if lower.starts_with("https://") {
            ("https", &t[8..])
        } else if lower.starts_with("http://") {
            ("http", &t[7..])
        } else {
            return None;
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = rest[..end].to_ascii_lowercase();
        // No user info: `https://user@host/` is not a site URL we follow.
        if authority.is_empty() || authority.contains('@') || authority.starts_with(':') {
            return None;
        }
        let (path, query) = split_path(&rest[end..]);
        Some(Url {
            scheme: scheme.to_string(),
            authority,
            path: if path.is_empty() {
                "/".to_string()
            } else {
                remove_dot_segments(path)
            },
            query: query.to_string(),
        })
    }

    /// The host without the port.
    pub fn host(&self) -> &str {
        match self.authority.rfind(':') {
            // An IPv6 literal keeps its colons inside brackets.
            Some(i) if !self.authority[i..].contains(']') => &self.authority[..i],
            _ => &self.authority,
        }
    }

    /// Resolve `reference` against this URL (RFC 3986, section 5.2). A
    /// reference to another scheme, or only to a fragment, is `None`.
    pub fn join(&self, reference: &str) -> Option<Url> {
        let r = clean(reference)?;
        if r.starts_with('#') {
            return None;
        }
        if let Some(i) = r.find(':') {
            let scheme = &r[..i];
            if !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && !r[..i].contains('/')
            {
                return Url::parse(&r);
            }
        }
        if let Some(rest) = r.strip_prefix("//") {
            return Url::parse(&format!("{}://{rest}", self.scheme));
        }
        let (path, query) = split_path(&r);
        let (path, query) = if path.is_empty() {
            (
                self.path.clone(),
                if query.is_empty() {
                    self.query.clone()
                } else {
                    query.to_string()
                },
            )
        } else if path.starts_with('/') {
            (remove_dot_segments(path), query.to_string())
        } else {
            let dir = match self.path.rfind('/') {
                Some(i) => &self.path[..=i],
                None => "/",
            };
            (
                remove_dot_segments(&format!("{dir}{path}")),
                query.to_string(),
            )
        };
        Some(Url {
            scheme: self.scheme.clone(),
            authority: self.authority.clone(),
            path,
            query,
        })
    }
}

impl std::fmt::Display for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}://{}{}{}",
            self.scheme, self.authority, self.path, self.query
        )
    }
}

/// Trimmed, without a fragment, spaces percent-encoded; `None` when blank
/// or holding control characters.
fn clean(text: &str) -> Option<String> {
    let t = text.trim();
    if t.starts_with('#') {
        // Only a fragment: the same page.
        return Some("#".to_string());
    }
    let t = t.split('#').next().unwrap_or("");
    if t.is_empty() || t.chars().any(char::is_control) {
        return None;
    }
    Some(t.replace(' ', "%20"))
}

fn split_path(s: &str) -> (&str, &str) {
    let s = s.split('#').next().unwrap_or("");
    match s.find('?') {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    }
}

/// `/a/b/../c/./d` -> `/a/c/d`.
fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    let last = segments.len().saturating_sub(1);
    for (i, seg) in segments.iter().enumerate() {
        match *seg {
            "." => {
                if i == last {
                    out.push("");
                }
            }
            ".." => {
                if out.len() > 1 {
                    out.pop();
                }
                if i == last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    let joined = out.join("/");
    if joined.starts_with('/') {
        joined
    } else {
        format!("/{joined}")
    }
}

/// How a resource URL is matched by `scripts` patterns: `host/path?query`
/// for an absolute or scheme-relative URL (host lower-case, no scheme), or
/// `/path?query` for a relative one. `None` for `data:`, `javascript:` and
/// other non-web URLs.
pub(crate) fn match_form(raw: &str) -> Option<String> {
    let t = raw.trim();
    if t.is_empty() || t.chars().any(|c| c.is_control() && c != '\t') {
        return None;
    }
    let t = t.split('#').next().unwrap_or("");
    if t.is_empty() {
        return None;
    }
    let lower = t.to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &t[8..]
    } else if lower.starts_with("http://") {
        &t[7..]
    } else if let Some(r) = t.strip_prefix("//") {
        r
    } else {
        // Another scheme (data:, javascript:, mailto:, blob:) is no resource.
        if let Some(i) = t.find(':')
            && !t[..i].contains(['/', '?'])
        {
            return None;
        }
        return Some(if t.starts_with('/') {
            t.to_string()
        } else {
            format!("/{t}")
        });
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let host = rest[..end].to_ascii_lowercase();
    if host.is_empty() {
        return None;
    }
    let tail = &rest[end..];
    Some(if tail.starts_with('/') {
        format!("{host}{tail}")
    } else {
        format!("{host}/{tail}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_join() {
        let base = Url::parse("https://Acme.com/en/index.html?x=1#top").unwrap();
        assert_eq!(base.authority, "acme.com");
        assert_eq!(base.to_string(), "https://acme.com/en/index.html?x=1");
        let j = |r: &str| base.join(r).map(|u| u.to_string());
        assert_eq!(j("/de/").as_deref(), Some("https://acme.com/de/"));
        assert_eq!(
            j("start.html").as_deref(),
            Some("https://acme.com/en/start.html")
        );
        assert_eq!(j("../fr/").as_deref(), Some("https://acme.com/fr/"));
        assert_eq!(
            j("//www.acme.com/").as_deref(),
            Some("https://www.acme.com/")
        );
        assert_eq!(j("http://other.com").as_deref(), Some("http://other.com/"));
        assert_eq!(
            j("?lang=de").as_deref(),
            Some("https://acme.com/en/index.html?lang=de")
        );
        assert_eq!(
            j("new page").as_deref(),
            Some("https://acme.com/en/new%20page")
        );
        assert_eq!(j("#x"), None);
        assert_eq!(j("javascript:alert(1)"), None);
        assert_eq!(j("mailto:a@b.c"), None);
        assert_eq!(Url::parse("ftp://x/"), None);
        assert_eq!(Url::parse("https://u@x/"), None);
        assert_eq!(
            Url::parse("http://127.0.0.1:8080/sites/a.com/")
                .unwrap()
                .host(),
            "127.0.0.1"
        );
    }

    #[test]
    fn match_forms() {
        assert_eq!(
            match_form("https://JS.hs-scripts.com/123.js?x#f").as_deref(),
            Some("js.hs-scripts.com/123.js?x")
        );
        assert_eq!(
            match_form("//cdn.shopify.com").as_deref(),
            Some("cdn.shopify.com/")
        );
        assert_eq!(
            match_form("wp-content/themes/a.css").as_deref(),
            Some("/wp-content/themes/a.css")
        );
        assert_eq!(
            match_form("/_next/static/x.js").as_deref(),
            Some("/_next/static/x.js")
        );
        assert_eq!(match_form("data:image/png;base64,xx"), None);
        assert_eq!(match_form("javascript:void(0)"), None);
        assert_eq!(match_form("  "), None);
    }
}
