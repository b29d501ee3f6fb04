//! Matching evidence against the rules: each pattern that matches gives
//! one [`Match`] (the first thing it matched is the evidence shown).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::html::Page;
use crate::rules::{Kind, KindSet, Pattern, Rules};

/// Evidence shown per technology, at most.
pub(crate) const MAX_EVIDENCE: usize = 12;

/// One pattern of one technology that matched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Match {
    /// The pattern within its technology (`scripts#0`, `headers:server#0`):
    /// a pattern counts once, however often and wherever it matched.
    pub rule: String,
    pub confidence: u32,
    /// What it matched, e.g. `script js.hs-scripts.com/123.js`.
    pub evidence: String,
}

/// Matches per technology index, in the order found.
#[derive(Debug, Default, Clone)]
pub(crate) struct Found {
    pub by_tech: BTreeMap<usize, Vec<Match>>,
    seen: BTreeSet<(usize, String)>,
}

impl Found {
    pub fn add(&mut self, tech: usize, m: Match) {
        if self.seen.insert((tech, m.rule.clone())) {
            self.by_tech.entry(tech).or_default().push(m);
        }
    }

    /// Match `text` against `set`; `evidence` renders what matched: it is
    /// given the matched part of `text`, and whether the pattern only asks
    /// for presence (`''`, then the value is not worth showing).
    fn scan(&mut self, set: &KindSet, text: &str, evidence: impl Fn(&str, bool) -> String) {
        self.scan_where(set, text, |_| true, evidence);
    }

    /// [`Found::scan`] with only the patterns `keep` accepts.
    fn scan_where(
        &mut self,
        set: &KindSet,
        text: &str,
        keep: impl Fn(&Pattern) -> bool,
        evidence: impl Fn(&str, bool) -> String,
    ) {
        for i in set.matching(text) {
            let p = &set.patterns[i];
            if !keep(p) || self.seen.contains(&(p.tech, p.rule.clone())) {
                continue;
            }
            let hit = p.regex.find(text).map_or("", |m| m.as_str());
            let presence = p.regex.as_str().is_empty();
            self.add(
                p.tech,
                Match {
                    rule: p.rule.clone(),
                    confidence: p.confidence,
                    evidence: one_line(&evidence(hit, presence)),
                },
            );
        }
    }
}

/// Evidence from response headers (any status): `headers` patterns and
/// Set-Cookie names.
pub(crate) fn headers(rules: &Rules, headers: &[(String, String)], found: &mut Found) {
    for (name, value) in headers {
        let name = name.trim().to_ascii_lowercase();
        if let Some(set) = rules.headers.get(&name) {
            found.scan(set, value.trim(), |_, presence| {
                if presence {
                    format!("header {name}")
                } else {
                    format!("header {name}: {}", short(value.trim(), 60))
                }
            });
        }
        if name == "set-cookie"
            && let Some(set) = rules.kind(Kind::Cookies)
        {
            let cookie = value.split(';').next().unwrap_or("");
            let cookie_name = cookie.split('=').next().unwrap_or("").trim();
            if !cookie_name.is_empty() {
                found.scan(set, cookie_name, |_, _| format!("cookie {cookie_name}"));
            }
        }
    }
}

/// Evidence from a page's markup, scripts and meta tags; `site` is the
/// company's domain, which the page belongs to.
pub(crate) fn page(rules: &Rules, page: &Page, site: &str, found: &mut Found) {
    if let Some(set) = rules.kind(Kind::Scripts) {
        // Scripts first, hints (`<link rel=dns-prefetch>`) last: a pattern
        // shows its strongest evidence.
        let mut urls: Vec<&(&str, String)> = page.urls.iter().collect();
        urls.sort_by_key(|(kind, _)| url_rank(kind));
        for (kind, url) in urls {
            let own = own_url(url, site);
            // An image hot-linked from another site (a vendor's logo on an
            // integrations page) says nothing of this site's stack; a
            // tracking pixel has no image file name.
            if !own && matches!(*kind, "img" | "source") && is_image_file(url) {
                continue;
            }
            // A path pattern that names no host (`/wp-content/`,
            // `/_next/static/`) speaks for the site the URL is on.
            found.scan_where(
                set,
                url,
                |p| own || !p.regex.as_str().starts_with("^[^?]*/"),
                |_, _| format!("{kind} {}", display_url(url)),
            );
        }
    }
    if let Some(set) = rules.kind(Kind::Inline) {
        for body in page.inline.iter().filter(|b| !is_framework_data(b)) {
            found.scan(set, body, |hit, _| {
                format!("inline script {}", short(hit, 60))
            });
        }
    }
    if let Some(set) = rules.kind(Kind::Html) {
        for tag in &page.markup {
            found.scan(set, tag, |hit, _| {
                if hit.trim().is_empty() {
                    format!("html {}", short(tag, 60))
                } else {
                    format!("html {}", short(hit, 60))
                }
            });
        }
    }
    for (name, content) in &page.meta {
        if let Some(set) = rules.meta.get(name) {
            found.scan(set, content.trim(), |_, presence| {
                if presence {
                    format!("meta {name}")
                } else {
                    format!("meta {name}: {}", short(content.trim(), 60))
                }
            });
        }
    }
}

/// Whether a URL in match form (`host/path` or `/path`) is on `site` or
/// one of its subdomains, or relative.
pub(crate) fn own_url(url: &str, site: &str) -> bool {
    if url.starts_with('/') {
        return true;
    }
    let host = url.split(['/', '?']).next().unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    let site = site.trim_start_matches("www.");
    host == site
        || host
            .strip_suffix(site)
            .is_some_and(|sub| sub.ends_with('.'))
}

/// Whether a URL's path names an image file.
fn is_image_file(url: &str) -> bool {
    let path = url.split('?').next().unwrap_or(url).to_ascii_lowercase();
    [
        ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".ico", ".bmp",
    ]
    .iter()
    .any(|e| path.ends_with(e))
}

/// Inline scripts that carry a framework's page data, not code that runs a
/// tool: Next.js's flight payload (`self.__next_f.push(...)`) and the state
/// Nuxt, Remix and others serialise. Text in them (a tutorial's code
/// sample) is content.
fn is_framework_data(body: &str) -> bool {
    const MARKERS: [&str; 8] = [
        "self.__next_f",
        "(self.__next_f",
        "window.__NUXT__",
        "window.__remixContext",
        "window.__APOLLO_STATE__",
        "window.__INITIAL_STATE__",
        "window.__PRELOADED_STATE__",
        "window.__staticRouterHydrationData",
    ];
    let t = body.trim_start();
    MARKERS.iter().any(|m| t.starts_with(m))
}

fn url_rank(kind: &str) -> u8 {
    match kind {
        "script" => 0,
        "iframe" => 1,
        "form" => 2,
        "embed" => 3,
        "img" | "source" => 4,
        _ => 5,
    }
}

/// Where a match's evidence goes in a list: DNS first, then what the
/// server said, then the page; by pattern within a kind.
pub(crate) fn evidence_rank(rule: &str) -> (u8, &str) {
    let kind = rule.split([':', '#']).next().unwrap_or("");
    let rank = match kind {
        "mx" => 0,
        "spf" => 1,
        "txt" => 2,
        "cname" => 3,
        "headers" => 4,
        "cookies" => 5,
        "meta" => 6,
        "scripts" => 7,
        "inline" => 8,
        "html" => 9,
        _ => 10,
    };
    (rank, rule)
}

/// Evidence from MX hosts (lower-case, no trailing dot).
pub(crate) fn mx(rules: &Rules, hosts: &[String], found: &mut Found) {
    if let Some(set) = rules.kind(Kind::Mx) {
        for h in hosts {
            found.scan(set, h, |_, _| format!("mx {h}"));
        }
    }
}

/// Evidence from TXT records: SPF includes and redirects, and the others.
pub(crate) fn txt(rules: &Rules, records: &[String], found: &mut Found) {
    for r in records {
        match spf_hosts(r) {
            Some(hosts) => {
                if let Some(set) = rules.kind(Kind::Spf) {
                    for h in hosts {
                        found.scan(set, &h, |_, _| format!("spf {h}"));
                    }
                }
            }
            None => {
                if let Some(set) = rules.kind(Kind::Txt) {
                    found.scan(set, r.trim(), |_, _| format!("txt {}", txt_label(r.trim())));
                }
            }
        }
    }
}

/// Evidence from the CNAME targets of www.
pub(crate) fn cname(rules: &Rules, targets: &[String], found: &mut Found) {
    if let Some(set) = rules.kind(Kind::Cname) {
        for t in targets {
            found.scan(set, t, |_, _| format!("cname {t}"));
        }
    }
}

/// The hosts of `include:` and `redirect=` in a `v=spf1` record, or `None`
/// when the record is not SPF.
pub(crate) fn spf_hosts(record: &str) -> Option<Vec<String>> {
    let mut words = record.split_whitespace();
    if !words.next()?.eq_ignore_ascii_case("v=spf1") {
        return None;
    }
    let mut out = Vec::new();
    for w in words {
        let w = w.trim_start_matches(['+', '-', '~', '?']);
        let lower = w.to_ascii_lowercase();
        let host = lower
            .strip_prefix("include:")
            .or_else(|| lower.strip_prefix("redirect="));
        if let Some(h) = host {
            let h = h.trim_end_matches('.');
            if !h.is_empty() && !out.iter().any(|o: &String| o == h) {
                out.push(h.to_string());
            }
        }
    }
    Some(out)
}

/// A TXT record as shown: up to its `=` or `:` (the token is nobody's
/// business), else its first 40 characters.
fn txt_label(record: &str) -> String {
    match record.find(['=', ':']) {
        Some(i) if i < 64 => record[..=i].to_string(),
        _ => short(record, 40),
    }
}

/// A URL as shown: no query, at most 100 characters.
fn display_url(url: &str) -> String {
    short(url.split('?').next().unwrap_or(url), 100)
}

pub(crate) fn short(s: &str, max: usize) -> String {
    if s.chars().count() > max {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    } else {
        s.to_string()
    }
}

fn one_line(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spf() {
        assert_eq!(
            spf_hosts(
                "v=spf1 ip4:1.2.3.4 include:_spf.google.com ~include:sendgrid.net. redirect=_spf.acme.com -all"
            ),
            Some(vec![
                "_spf.google.com".to_string(),
                "sendgrid.net".to_string(),
                "_spf.acme.com".to_string()
            ])
        );
        assert_eq!(spf_hosts("google-site-verification=x"), None);
        assert_eq!(spf_hosts("v=spf10 include:x"), None);
        assert_eq!(spf_hosts(""), None);
    }

    #[test]
    fn txt_labels_hide_tokens() {
        assert_eq!(txt_label("docusign=1b2c3d"), "docusign=");
        assert_eq!(txt_label("MS=ms1234"), "MS=");
        assert_eq!(txt_label("amazonses:abc"), "amazonses:");
        assert_eq!(txt_label("plain words"), "plain words");
    }
}
