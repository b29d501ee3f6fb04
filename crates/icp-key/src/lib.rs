//! The account key of a row: the registrable company domain.
//!
//! Pure logic, no I/O. [`normalize_domain`] turns a URL, a bare host or an
//! e-mail address into the registrable domain (public-suffix aware, IDN as
//! punycode) or says, in words fit for a "skipped" reason, why the value is
//! no company key. [`KeyColumns`] finds the key columns of a header by the
//! precedence in DECISIONS.md and picks the key of each row.

mod columns;
mod lists;

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

pub use columns::{ACCEPTED_HEADERS, KeyColumns, id_column};

/// A registrable domain (lowercase ASCII, IDN as punycode), e.g. `example.co.uk`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Domain {
    /// The registrable domain.
    pub name: String,
    /// True when the domain was taken from an e-mail address.
    pub from_email: bool,
}

impl Domain {
    /// The domain as text.
    pub fn as_str(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl AsRef<str> for Domain {
    fn as_ref(&self) -> &str {
        &self.name
    }
}

/// Why a value (or a file) has no usable company key. The `Display` text is
/// the human reason written to the rejects file and the summary's `skipped`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Nothing in the key column(s).
    #[error("no company domain (the key column is blank)")]
    Blank,
    /// A placeholder such as `n/a`, `-`, `none`, `unknown`.
    #[error("no company domain (placeholder \"{0}\")")]
    Placeholder(String),
    /// `localhost` or a name under it.
    #[error("\"{0}\" is localhost, not a company domain")]
    Localhost(String),
    /// An IPv4 or IPv6 address.
    #[error("\"{0}\" is an IP address, not a company domain")]
    IpAddress(String),
    /// A host without a dot, e.g. `intranet`.
    #[error("\"{0}\" is a single-label host name, not a company domain")]
    SingleLabel(String),
    /// A private-network name such as `*.local`, `*.internal`, `*.lan`.
    #[error("\"{0}\" is a local network name, not a company domain")]
    LocalNetwork(String),
    /// Text that is no host name, URL or e-mail address.
    #[error("\"{0}\" is not a domain, URL or e-mail address")]
    NotAHost(String),
    /// A host whose suffix is not in the public suffix list.
    #[error("\"{host}\" does not end in a known public suffix (\".{suffix}\")")]
    UnknownSuffix { host: String, suffix: String },
    /// A host that is itself a public suffix, e.g. `co.uk`, `github.io`.
    #[error("\"{0}\" is a public suffix, not a company domain")]
    PublicSuffix(String),
    /// A free-mail domain: a person's address, not a company's.
    #[error("{domain} is a free-mail domain (a person's address, not a company's)")]
    FreeMail { domain: String, from_email: bool },
    /// A social-network, profile or link-shortener host.
    #[error("{what} link, not the company's site")]
    ProfileLink {
        /// E.g. "a LinkedIn profile", "a bit.ly short".
        what: &'static str,
        host: String,
    },
    /// File level: no column of the header is a key column.
    #[error(
        "no key column: the header has none of {} (or name one with --key-column)",
        columns::accepted_list()
    )]
    NoKeyColumn { headers: Vec<String> },
    /// File level: the column named with `--key-column` is not in the header.
    #[error("key column \"{name}\" is not in the header (columns: {})", headers.join(", "))]
    KeyColumnNotFound { name: String, headers: Vec<String> },
}

impl KeyError {
    /// True for errors about the file (its header), not one row.
    pub fn is_file_level(&self) -> bool {
        matches!(
            self,
            KeyError::NoKeyColumn { .. } | KeyError::KeyColumnNotFound { .. }
        )
    }

    /// True when the value is a real domain that is no company key (free-mail
    /// or a profile link): another key column of the row may still hold one.
    pub fn falls_through(&self) -> bool {
        matches!(
            self,
            KeyError::FreeMail { .. } | KeyError::ProfileLink { .. }
        )
    }
}

/// Characters stripped from both ends of a value.
fn is_wrapper(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '"' | '\''
                | '`'
                | '<'
                | '>'
                | '('
                | ')'
                | '['
                | ']'
                | '{'
                | '}'
                | '\u{feff}'
                | '\u{200b}'
                | '\u{201c}'
                | '\u{201d}'
                | '\u{2018}'
                | '\u{2019}'
                | '\u{ab}'
                | '\u{bb}'
        )
}

/// Trailing punctuation dropped after a value (`acme.com,` `acme.com.`).
fn is_trailing_punct(c: char) -> bool {
    matches!(c, ',' | ';' | '.' | '!' | '|')
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// The address inside `Name <addr>`, if the value has that shape.
fn bracketed(s: &str) -> Option<&str> {
    let open = s.rfind('<')?;
    let rest = &s[open + 1..];
    let close = rest.find('>')?;
    let inner = rest[..close].trim();
    (!inner.is_empty()).then_some(inner)
}

/// Normalise a URL, bare host or e-mail address to its registrable domain.
///
/// `https://WWW.Example.co.uk/about` -> `example.co.uk`,
/// `Jane <jane@Acme.io>` -> `acme.io` (with `from_email`),
/// `münchen.de` -> `xn--mnchen-3ya.de`.
pub fn normalize_domain(raw: &str) -> Result<Domain, KeyError> {
    let mut s = raw.trim_matches(is_wrapper);
    if s.is_empty() {
        return Err(KeyError::Blank);
    }
    if lists::is_placeholder(s) {
        return Err(KeyError::Placeholder(s.to_string()));
    }
    if let Some(inner) = bracketed(s) {
        s = inner.trim_matches(is_wrapper);
    }
    let mut is_mailto = false;
    if let Some(rest) = strip_prefix_ci(s, "mailto:") {
        s = rest.trim_matches(is_wrapper);
        is_mailto = true;
    }
    // `Jane Doe jane@acme.io`: take the token that holds the address.
    if s.contains(char::is_whitespace)
        && s.contains('@')
        && let Some(tok) = s.split_whitespace().find(|t| t.contains('@'))
    {
        s = tok.trim_matches(is_wrapper);
    }
    let s = s.trim_end_matches(|c| is_trailing_punct(c) || is_wrapper(c));
    if s.is_empty() {
        return Err(KeyError::NotAHost(raw.trim().to_string()));
    }

    // Split off a scheme (`https://`, `//`), then the authority.
    let (rest, has_scheme) = match s.find("://") {
        Some(i)
            if i > 0
                && s[..i]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) =>
        {
            (&s[i + 3..], true)
        }
        _ => match s.strip_prefix("//") {
            Some(r) => (r, true),
            None => (s, false),
        },
    };
    let authority = match rest.find(['/', '?', '#', '\\']) {
        Some(i) => &rest[..i],
        None => rest,
    };
    let (host_port, from_email) = match authority.rfind('@') {
        // URL user info (`http://user@example.com`).
        Some(i) if has_scheme => (&authority[i + 1..], false),
        Some(i) => (&authority[i + 1..], true),
        None => (authority, is_mailto),
    };
    let host = strip_port(host_port)?;
    let host = host.trim_matches('.');
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(KeyError::NotAHost(raw.trim().to_string()));
    }
    if host.parse::<Ipv4Addr>().is_ok() || host.parse::<Ipv6Addr>().is_ok() {
        return Err(KeyError::IpAddress(host.to_string()));
    }
    let ascii =
        idna::domain_to_ascii(host).map_err(|_| KeyError::NotAHost(raw.trim().to_string()))?;
    let ascii = ascii.trim_matches('.');
    if !is_valid_ascii_host(ascii) {
        return Err(KeyError::NotAHost(raw.trim().to_string()));
    }
    classify_host(ascii, from_email)
}

/// Drop a `:port`; a bracketed or bare IPv6 address is reported as such.
fn strip_port(host_port: &str) -> Result<&str, KeyError> {
    if let Some(rest) = host_port.strip_prefix('[') {
        let inner = rest.split(']').next().unwrap_or("");
        return Err(KeyError::IpAddress(inner.to_string()));
    }
    match host_port.rfind(':') {
        None => Ok(host_port),
        Some(i) => {
            let port = &host_port[i + 1..];
            if port.chars().all(|c| c.is_ascii_digit()) && !host_port[..i].contains(':') {
                Ok(&host_port[..i])
            } else if host_port.parse::<Ipv6Addr>().is_ok() {
                Err(KeyError::IpAddress(host_port.to_string()))
            } else {
                Err(KeyError::NotAHost(host_port.to_string()))
            }
        }
    }
}

/// LDH labels of 1..=63 characters, not starting or ending with a hyphen.
fn is_valid_ascii_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

fn classify_host(host: &str, from_email: bool) -> Result<Domain, KeyError> {
    let last = host.rsplit('.').next().unwrap_or(host);
    if host == "localhost" || last == "localhost" || host == "localhost.localdomain" {
        return Err(KeyError::Localhost(host.to_string()));
    }
    if last.bytes().all(|b| b.is_ascii_digit()) {
        // `127.1`, `10.0.0` and other numeric forms.
        return Err(KeyError::IpAddress(host.to_string()));
    }
    if !host.contains('.') {
        return Err(KeyError::SingleLabel(host.to_string()));
    }
    if lists::is_local_network(host) {
        return Err(KeyError::LocalNetwork(host.to_string()));
    }
    let Some(reg) = psl::domain(host.as_bytes()) else {
        return Err(KeyError::PublicSuffix(host.to_string()));
    };
    let suffix = reg.suffix();
    if !suffix.is_known() {
        let suffix = String::from_utf8_lossy(suffix.as_bytes()).into_owned();
        return Err(KeyError::UnknownSuffix {
            host: host.to_string(),
            suffix,
        });
    }
    let name = String::from_utf8_lossy(reg.as_bytes()).into_owned();
    let label = name
        .strip_suffix(std::str::from_utf8(suffix.as_bytes()).unwrap_or(""))
        .unwrap_or(&name)
        .trim_end_matches('.');
    if let Some(what) = lists::profile_site(host) {
        return Err(KeyError::ProfileLink {
            what,
            host: host.to_string(),
        });
    }
    if lists::is_free_mail(&name, label, from_email) {
        return Err(KeyError::FreeMail {
            domain: name,
            from_email,
        });
    }
    Ok(Domain { name, from_email })
}

/// The key of a person (a community member, a contact) for member
/// profiles: the e-mail, trimmed and lower-cased, else the handle,
/// lower-cased and written `@handle` so it is never taken for an e-mail
/// (`@alice@mastodon.social` stays a handle). Free-mail addresses are fine
/// here: they only keep a person from rolling up to a company.
pub fn member_key(email: Option<&str>, handle: Option<&str>) -> Result<String, MemberKeyError> {
    let email = email
        .map(str::trim)
        .filter(|e| !lists::is_placeholder(e) && !e.is_empty());
    if let Some(e) = email {
        match e.rsplit_once('@') {
            Some((local, domain))
                if !local.is_empty()
                    && domain.contains('.')
                    && !e.contains(char::is_whitespace) =>
            {
                return Ok(e.to_lowercase());
            }
            _ => {
                if handle.is_none_or(|h| h.trim().is_empty()) {
                    return Err(MemberKeyError::BadEmail(e.to_string()));
                }
            }
        }
    }
    let handle = handle
        .map(|h| h.trim().trim_start_matches('@').trim())
        .filter(|h| !h.is_empty() && !lists::is_placeholder(h));
    handle
        .map(|h| format!("@{}", h.to_lowercase()))
        .ok_or(MemberKeyError::Blank)
}

/// Why a row has no member key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemberKeyError {
    #[error("no e-mail or handle (both are blank)")]
    Blank,
    #[error("\"{0}\" is not an e-mail address and the row has no handle")]
    BadEmail(String),
}

#[cfg(test)]
mod tests;
