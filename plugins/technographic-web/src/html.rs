//! What a page says about its own stack, read with a WHATWG tokenizer
//! (html5gum): resource URLs, inline JavaScript, start tags as markup, and
//! meta tags. Text nodes, comments, `<a href>` links, prose-like
//! attributes and non-JavaScript script bodies (JSON-LD, templates) are
//! left out on purpose: a product named in a page's prose is not evidence
//! that the company uses it.

use html5gum::{State, Token, Tokenizer};

use crate::url::match_form;

/// Attributes that hold prose (or markup shown as text), never matched by
/// `html` patterns.
const PROSE_ATTRIBUTES: &[&str] = &[
    "alt",
    "title",
    "placeholder",
    "value",
    "label",
    "summary",
    "srcdoc",
    "download",
];

/// At most this many start tags are looked at (a page of tag soup cannot
/// make the scan unbounded; 2 MiB of HTML rarely has 30,000 tags).
const MAX_TAGS: usize = 50_000;

/// What a page says about its stack.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Page {
    /// `(kind, URL in match form)`: `script`, `link`, `iframe`, `img`,
    /// `source`, `embed`, `form`.
    pub urls: Vec<(&'static str, String)>,
    /// Bodies of inline scripts that hold JavaScript.
    pub inline: Vec<String>,
    /// Start tags as `<tag name="value" ...>`, prose-like attributes left out.
    pub markup: Vec<String>,
    /// `(name, content)` of `<meta name|property|http-equiv content>`.
    pub meta: Vec<(String, String)>,
    /// The target of the first `<meta http-equiv="refresh">` outside
    /// `<noscript>`, as written (`/en/`).
    pub refresh: Option<String>,
}

/// Scan `html` (tag soup is fine; this never panics on input).
pub(crate) fn scan(html: &str) -> Page {
    let mut page = Page::default();
    let mut tok = Tokenizer::new(html);
    // Some(true): inside an inline script that holds JavaScript.
    let mut script: Option<bool> = None;
    let mut script_text = String::new();
    let mut noscript = 0usize;
    let mut tags = 0usize;
    while let Some(Ok(token)) = tok.next() {
        match token {
            Token::StartTag(tag) => {
                tags += 1;
                if tags > MAX_TAGS {
                    break;
                }
                let name = String::from_utf8_lossy(&tag.name).to_ascii_lowercase();
                let attrs: Vec<(String, String)> = tag
                    .attributes
                    .iter()
                    .map(|(k, v)| {
                        (
                            String::from_utf8_lossy(k).to_ascii_lowercase(),
                            String::from_utf8_lossy(&v.value).into_owned(),
                        )
                    })
                    .collect();
                let get = |n: &str| attrs.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
                page.markup.push(markup(&name, &attrs));
                let url_attr = match name.as_str() {
                    "script" => Some(("script", "src")),
                    "link" => Some(("link", "href")),
                    "iframe" => Some(("iframe", "src")),
                    "img" => Some(("img", "src")),
                    "source" => Some(("source", "src")),
                    "embed" => Some(("embed", "src")),
                    "form" => Some(("form", "action")),
                    _ => None,
                };
                if let Some((kind, attr)) = url_attr
                    && let Some(u) = get(attr).and_then(match_form)
                {
                    page.urls.push((kind, u));
                }
                if name == "meta" {
                    let key = get("name")
                        .or_else(|| get("property"))
                        .or_else(|| get("http-equiv"))
                        .map(|k| k.trim().to_ascii_lowercase());
                    if let (Some(key), Some(content)) = (key, get("content")) {
                        if key == "refresh"
                            && get("http-equiv").is_some()
                            && noscript == 0
                            && page.refresh.is_none()
                        {
                            page.refresh = refresh_target(content);
                        }
                        page.meta.push((key, content.to_string()));
                    }
                }
                match name.as_str() {
                    "script" => {
                        // A script with src runs the file, not its body.
                        script = Some(get("src").is_none() && is_javascript(get("type")));
                        script_text.clear();
                        tok.set_state(State::ScriptData);
                    }
                    "style" | "xmp" | "iframe" | "noembed" | "noframes" => {
                        tok.set_state(State::RawText)
                    }
                    "textarea" | "title" => tok.set_state(State::RcData),
                    "plaintext" => tok.set_state(State::PlainText),
                    // Read as markup (scripting off): a tracking pixel in
                    // <noscript> is evidence.
                    "noscript" => noscript += 1,
                    _ => {}
                }
            }
            Token::EndTag(tag) => match tag.name.as_slice() {
                b"script" => {
                    if script == Some(true) && !script_text.trim().is_empty() {
                        page.inline.push(std::mem::take(&mut script_text));
                    }
                    script = None;
                    script_text.clear();
                }
                b"noscript" => noscript = noscript.saturating_sub(1),
                _ => {}
            },
            Token::String(s) if script == Some(true) => {
                script_text.push_str(&String::from_utf8_lossy(&s.value));
            }
            // Comments, doctypes and parse errors say nothing.
            _ => {}
        }
    }
    // An unterminated script at the end of a (truncated) page still ran.
    if script == Some(true) && !script_text.trim().is_empty() {
        page.inline.push(script_text);
    }
    page
}

/// `<tag a="1" b="2">` without prose-like attributes, `content` outside
/// `<meta>`, and `href` of links (`<a>`, `<area>`).
fn markup(name: &str, attrs: &[(String, String)]) -> String {
    let mut out = String::with_capacity(16 + attrs.len() * 24);
    out.push('<');
    out.push_str(name);
    for (k, v) in attrs {
        let prose = PROSE_ATTRIBUTES.contains(&k.as_str())
            || k.starts_with("aria-")
            || (k == "content" && name != "meta")
            || (k == "href" && matches!(name, "a" | "area"));
        if prose {
            continue;
        }
        out.push(' ');
        out.push_str(k);
        out.push_str("=\"");
        for c in v.chars() {
            match c {
                '"' => out.push_str("&quot;"),
                c if c.is_control() => out.push(' '),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    out.push('>');
    out
}

/// Whether a script `type` holds JavaScript (absent, empty, a JavaScript
/// MIME type, `module`, or Cloudflare Rocket Loader's `<hash>-text/javascript`).
fn is_javascript(ty: Option<&str>) -> bool {
    let Some(t) = ty else { return true };
    let t = t
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    t.is_empty()
        || matches!(
            t.as_str(),
            "text/javascript"
                | "application/javascript"
                | "application/x-javascript"
                | "text/ecmascript"
                | "application/ecmascript"
                | "text/jscript"
                | "text/livescript"
                | "module"
        )
        || t.ends_with("-text/javascript")
}

/// The URL of a refresh `content` (`0; url=/en/`, `5;URL='https://x/'`),
/// or `None` for a plain reload.
fn refresh_target(content: &str) -> Option<String> {
    let (_, rest) = content.split_once([';', ','])?;
    let rest = rest.trim_start();
    let lower = rest.to_ascii_lowercase();
    let rest = if lower.starts_with("url") {
        rest[3..].trim_start().strip_prefix('=')?.trim_start()
    } else {
        rest
    };
    let url = match rest.chars().next() {
        Some(q @ ('\'' | '"')) => rest[1..].split(q).next().unwrap_or(""),
        _ => rest,
    };
    let url = url.trim();
    (!url.is_empty()).then(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_script_data_not_markup() {
        let p = scan(
            r#"<html><head><script>var s = "<a href='x'>"; document.write('<img src="https://js.driftt.com/x.png">');</script>
            <script type="application/ld+json">{"brand": "<script src='https://js.hs-scripts.com/1.js'>"}</script>
            <script src="https://js.stripe.com/v3/">ignored body</script>
            </head><body><p>Use <b>HubSpot</b></p><!-- <script src="https://widget.intercom.io/widget/x"></script> --></body></html>"#,
        );
        assert_eq!(p.urls, vec![("script", "js.stripe.com/v3/".to_string())]);
        assert_eq!(p.inline.len(), 1);
        assert!(p.inline[0].contains("document.write"));
        assert!(
            p.markup.iter().all(|m| !m.contains("hs-scripts")),
            "{:?}",
            p.markup
        );
        assert!(!p.markup.iter().any(|m| m.starts_with("<img")));
    }

    #[test]
    fn prose_attributes_and_links_are_left_out() {
        let p = scan(
            r#"<a href="https://www.salesforce.com" class="partner" title="Salesforce">x</a>
            <img src="/badge.png" alt="Salesforce partner badge" aria-label="HubSpot">
            <div content="Intercom" data-wf-page="1">"#,
        );
        assert_eq!(p.markup[0], r#"<a class="partner">"#);
        assert_eq!(p.markup[1], r#"<img src="/badge.png">"#);
        assert_eq!(p.markup[2], r#"<div data-wf-page="1">"#);
        assert_eq!(p.urls, vec![("img", "/badge.png".to_string())]);
    }

    #[test]
    fn noscript_is_markup_and_textarea_is_text() {
        let p = scan(
            r#"<noscript><img src="https://px.ads.linkedin.com/collect/?pid=1"><meta http-equiv="refresh" content="0; url=/nojs"></noscript>
            <textarea><script src="https://js.driftt.com/include/x.js"></script></textarea>
            <meta http-equiv="Refresh" content="0; URL='/en/'">"#,
        );
        assert_eq!(
            p.urls,
            vec![("img", "px.ads.linkedin.com/collect/?pid=1".to_string())]
        );
        assert_eq!(p.refresh.as_deref(), Some("/en/"));
    }

    #[test]
    fn refresh_targets() {
        assert_eq!(refresh_target("0; url=/en/").as_deref(), Some("/en/"));
        assert_eq!(
            refresh_target("0;URL=\"https://a.com/x\"").as_deref(),
            Some("https://a.com/x")
        );
        assert_eq!(
            refresh_target("5, https://a.com/").as_deref(),
            Some("https://a.com/")
        );
        assert_eq!(refresh_target("30"), None);
        assert_eq!(refresh_target("0; url="), None);
    }

    #[test]
    fn script_types() {
        for js in [
            None,
            Some(""),
            Some("text/javascript"),
            Some("module"),
            Some("4a1b-text/javascript"),
        ] {
            assert!(is_javascript(js), "{js:?}");
        }
        for not in [
            Some("application/ld+json"),
            Some("application/json"),
            Some("text/template"),
            Some("text/plain"),
        ] {
            assert!(!is_javascript(not), "{not:?}");
        }
    }

    #[test]
    fn tag_soup_does_not_panic() {
        for s in [
            "<",
            "<<<>>>",
            "<script",
            "<script>",
            "</script>",
            "<a href=\"",
            "<meta content",
            "\u{0}\u{1}<\u{0}x",
            "<svg><![CDATA[x]]></svg>",
        ] {
            scan(s);
        }
    }
}
