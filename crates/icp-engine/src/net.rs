//! DNS lookups and the guard for fetching hosts named by account data.
//!
//! A source whose manifest says `untrusted_hosts` (a company's own website)
//! gets an HTTP client whose resolver refuses private, loopback, link-local
//! and other non-public addresses *after* resolution (a name that resolves
//! to 10.0.0.5 is refused as surely as the literal), and whose redirect
//! policy checks every hop. `allow_private = true` in the source's settings
//! lifts the guard (tests serve sites on 127.0.0.1); `dns_server =
//! "ip:port"` sends every lookup to that server instead of the system's
//! resolver (/etc/resolv.conf).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::ProtoErrorKind;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::proto::xfer::Protocol;
use hickory_resolver::{ResolveError, TokioResolver};
use icp_plugin_sdk::{DnsRecordType, Response};

/// Redirect hops followed for a website.
pub const MAX_REDIRECTS: usize = 5;

/// How a source reaches hosts: its DNS server and whether the guard holds.
#[derive(Clone, Debug, Default)]
pub struct NetOptions {
    pub dns_server: Option<SocketAddr>,
    pub allow_private: bool,
}

impl NetOptions {
    /// The host-level settings of a source: `dns_server`, `allow_private`.
    pub fn from_settings(settings: &serde_json::Value) -> Result<NetOptions, String> {
        let dns_server = match settings.get("dns_server") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => Some(s.parse().map_err(|_| {
                format!("settings.dns_server = {s:?} is not an address: write it as \"ip:port\", e.g. \"127.0.0.1:5353\"")
            })?),
            Some(other) => {
                return Err(format!(
                    "settings.dns_server must be text such as \"127.0.0.1:5353\", not {other}"
                ));
            }
        };
        let allow_private = match settings.get("allow_private") {
            None | Some(serde_json::Value::Null) => false,
            Some(serde_json::Value::Bool(b)) => *b,
            Some(other) => {
                return Err(format!(
                    "settings.allow_private must be true or false, not {other}"
                ));
            }
        };
        Ok(NetOptions {
            dns_server,
            allow_private,
        })
    }
}

/// Why a target was refused: the guard's verdict, told apart from network
/// errors so it is never retried.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// A DNS resolver: the system's, or the configured server's. Without a
/// usable system configuration every lookup fails with what to do, so a
/// run without DNS still enriches from its other sources.
#[derive(Clone)]
pub struct Dns {
    resolver: Result<Arc<TokioResolver>, String>,
}

impl Dns {
    pub fn new(server: Option<SocketAddr>, timeout: Duration) -> Dns {
        Dns {
            resolver: Dns::build(server, timeout).map(Arc::new),
        }
    }

    fn build(server: Option<SocketAddr>, timeout: Duration) -> Result<TokioResolver, String> {
        let builder = match server {
            Some(addr) => {
                let mut config = ResolverConfig::new();
                config.add_name_server(NameServerConfig::new(addr, Protocol::Udp));
                config.add_name_server(NameServerConfig::new(addr, Protocol::Tcp));
                TokioResolver::builder_with_config(config, TokioConnectionProvider::default())
            }
            None => TokioResolver::builder_tokio().map_err(|e| {
                format!(
                    "cannot read the system's DNS configuration (/etc/resolv.conf): {e}; set dns_server = \"ip:port\" in the source's settings"
                )
            })?,
        };
        let mut opts = ResolverOpts::default();
        opts.timeout = timeout.clamp(Duration::from_secs(1), Duration::from_secs(10));
        opts.attempts = 2;
        // Account domains are absolute: never try the search list.
        opts.ndots = 0;
        Ok(builder.with_options(opts).build())
    }

    fn resolver(&self) -> Result<&TokioResolver, String> {
        self.resolver.as_deref().map_err(Clone::clone)
    }

    /// One lookup as the protocol's [`Response`]: `status` is the DNS
    /// response code (0 no error, 3 no such domain), `answers` the records
    /// as text. `Err` for failures worth retrying (timeouts, no server).
    pub async fn lookup(&self, name: &str, kind: DnsRecordType) -> Result<Response, DnsFailure> {
        let rtype = match kind {
            DnsRecordType::A => RecordType::A,
            DnsRecordType::Aaaa => RecordType::AAAA,
            DnsRecordType::Mx => RecordType::MX,
            DnsRecordType::Txt => RecordType::TXT,
            DnsRecordType::Cname => RecordType::CNAME,
        };
        let fqdn = format!("{}.", name.trim_end_matches('.'));
        let answer = |status: u16, answers: Vec<String>| Response {
            status,
            answers,
            ..Response::default()
        };
        let resolver = self.resolver().map_err(|message| DnsFailure {
            kind: "config",
            message,
        })?;
        match resolver.lookup(fqdn.as_str(), rtype).await {
            Ok(lookup) => Ok(answer(
                0,
                lookup
                    .record_iter()
                    .filter(|r| r.record_type() == rtype)
                    .map(|r| record_text(r.data()))
                    .collect(),
            )),
            Err(e) if e.is_nx_domain() => Ok(answer(3, Vec::new())),
            Err(e) if e.is_no_records_found() => Ok(answer(0, Vec::new())),
            Err(e) => Err(DnsFailure::from(&e)),
        }
    }

    /// The addresses of `host`, refusing non-public ones unless allowed.
    pub async fn resolve_guarded(
        &self,
        host: &str,
        allow_private: bool,
    ) -> Result<Vec<IpAddr>, Box<dyn std::error::Error + Send + Sync>> {
        let ips: Vec<IpAddr> = match host.parse::<IpAddr>() {
            Ok(ip) => vec![ip],
            Err(_) => self
                .resolver()?
                .lookup_ip(format!("{}.", host.trim_end_matches('.')))
                .await?
                .iter()
                .collect(),
        };
        if allow_private {
            return Ok(ips);
        }
        let (public, private): (Vec<IpAddr>, Vec<IpAddr>) =
            ips.into_iter().partition(|ip| is_public(*ip));
        if public.is_empty() {
            let shown = private
                .first()
                .map(|ip| format!("{ip}, {}", address_kind(*ip)))
                .unwrap_or_else(|| "no address".into());
            return Err(Box::new(Refused(format!(
                "refused: {host} resolves to {shown}; icp does not fetch private, loopback or link-local targets (allow_private = true lifts this for tests)"
            ))));
        }
        Ok(public)
    }
}

/// A lookup that did not get an answer.
#[derive(Debug)]
pub struct DnsFailure {
    /// `timeout` and `dns` are worth a retry; `config` is not.
    pub kind: &'static str,
    pub message: String,
}

impl From<&ResolveError> for DnsFailure {
    fn from(e: &ResolveError) -> DnsFailure {
        let timeout = e
            .proto()
            .is_some_and(|p| matches!(p.kind(), ProtoErrorKind::Timeout));
        DnsFailure {
            kind: if timeout { "timeout" } else { "dns" },
            message: e.to_string(),
        }
    }
}

fn record_text(data: &RData) -> String {
    match data {
        RData::MX(mx) => format!("{} {}", mx.preference(), mx.exchange()),
        RData::TXT(txt) => txt
            .txt_data()
            .iter()
            .map(|part| String::from_utf8_lossy(part))
            .collect(),
        RData::CNAME(name) => name.0.to_string(),
        other => other.to_string(),
    }
}

/// reqwest's resolver for untrusted hosts: hickory plus the guard.
pub struct GuardedResolver {
    pub dns: Dns,
    pub allow_private: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let dns = self.dns.clone();
        let allow = self.allow_private;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let ips = dns.resolve_guarded(&host, allow).await?;
            let addrs: reqwest::dns::Addrs =
                Box::new(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

/// Checks a URL's scheme and, for an address literal, the guard (names are
/// checked when resolved).
pub fn check_url(url: &reqwest::Url, allow_private: bool) -> Result<(), Refused> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Refused(format!("refused: {url} is not an http(s) URL")));
    }
    let Some(host) = url.host_str() else {
        return Err(Refused(format!("refused: {url} has no host")));
    };
    let Ok(ip) = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    else {
        return Ok(());
    };
    if allow_private || is_public(ip) {
        Ok(())
    } else {
        Err(Refused(format!(
            "refused: {url} points at {ip}, {}; icp does not fetch private, loopback or link-local targets (allow_private = true lifts this for tests)",
            address_kind(ip)
        )))
    }
}

/// A redirect policy that follows at most [`MAX_REDIRECTS`] hops and
/// checks each target.
pub fn redirect_policy(allow_private: bool) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        // `previous` holds the first URL too: more than MAX_REDIRECTS of
        // them means MAX_REDIRECTS hops were followed already.
        if attempt.previous().len() > MAX_REDIRECTS {
            let e = Refused(format!(
                "gave up after {MAX_REDIRECTS} redirects (last to {})",
                attempt.url()
            ));
            return attempt.error(e);
        }
        match check_url(attempt.url(), allow_private) {
            Ok(()) => attempt.follow(),
            Err(e) => attempt.error(e),
        }
    })
}

/// The guard's verdict inside a reqwest error, if that is what it is.
pub fn refusal(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<Refused>() {
            return Some(r.0.clone());
        }
        cur = err.source();
    }
    None
}

/// Whether an address is on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // Carrier-grade NAT, benchmarking, reserved.
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (18..20).contains(&b))
        || a >= 240
        || (a == 192 && b == 0 && ip.octets()[2] == 0))
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let seg = ip.segments();
    let first = seg[0];
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    // IPv4-compatible (::a.b.c.d) and 6to4 (2002:AABB:CCDD::) carry an
    // IPv4 address that decides.
    if seg[..6] == [0; 6] && !ip.is_loopback() && !ip.is_unspecified() {
        return is_public_v4(embedded(seg[6], seg[7]));
    }
    if first == 0x2002 && !is_public_v4(embedded(seg[1], seg[2])) {
        return false;
    }
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // Unique local fc00::/7, link-local fe80::/10, site-local fec0::/10,
        // local-use NAT64 64:ff9b:1::/48, documentation 2001:db8::/32.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first & 0xffc0) == 0xfec0
        || (first == 0x0064 && seg[1] == 0xff9b && seg[2] == 0x0001)
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        // NAT64 of a v4 address is judged by that address.
        || (first == 0x0064
            && ip.segments()[1] == 0xff9b
            && !is_public_v4(Ipv4Addr::from(
                (u32::from(ip.segments()[6]) << 16) | u32::from(ip.segments()[7]),
            ))))
}

fn address_kind(ip: IpAddr) -> &'static str {
    let v4 = match ip {
        IpAddr::V4(v4) => Some(v4),
        IpAddr::V6(v6) => v6.to_ipv4_mapped(),
    };
    match (ip, v4) {
        (_, Some(v4)) if v4.is_loopback() => "a loopback address",
        (_, Some(v4)) if v4.is_private() => "a private address",
        (_, Some(v4)) if v4.is_link_local() => "a link-local address (cloud metadata lives here)",
        (IpAddr::V6(v6), None) if v6.is_loopback() => "a loopback address",
        (IpAddr::V6(v6), None) if (v6.segments()[0] & 0xffc0) == 0xfe80 => "a link-local address",
        (IpAddr::V6(v6), None) if (v6.segments()[0] & 0xfe00) == 0xfc00 => {
            "a private (unique local) address"
        }
        _ => "not a public address",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_pass() {
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "::10.0.0.1",
            "2002:a00:1::1",
            "fec0::1",
            "64:ff9b:1::1",
        ] {
            assert!(!is_public(bad.parse().unwrap()), "{bad}");
        }
        for good in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "64:ff9b::808:808",
        ] {
            assert!(is_public(good.parse().unwrap()), "{good}");
        }
    }

    #[test]
    fn literal_urls_are_checked() {
        let url = |s: &str| reqwest::Url::parse(s).unwrap();
        assert!(check_url(&url("http://169.254.169.254/latest/meta-data/"), false).is_err());
        assert!(check_url(&url("http://[::1]:8080/"), false).is_err());
        assert!(check_url(&url("file:///etc/passwd"), true).is_err());
        assert!(check_url(&url("http://127.0.0.1/"), true).is_ok());
        assert!(check_url(&url("https://acme.com/"), false).is_ok());
        let e = check_url(&url("http://10.0.0.5/"), false).unwrap_err();
        assert!(e.0.contains("10.0.0.5, a private address"), "{e}");
    }

    #[test]
    fn host_settings_are_read_and_checked() {
        let o = NetOptions::from_settings(
            &serde_json::json!({"dns_server": "127.0.0.1:5353", "allow_private": true}),
        )
        .unwrap();
        assert_eq!(o.dns_server, Some("127.0.0.1:5353".parse().unwrap()));
        assert!(o.allow_private);
        let e =
            NetOptions::from_settings(&serde_json::json!({"dns_server": "localhost"})).unwrap_err();
        assert!(e.contains("ip:port"), "{e}");
        assert!(NetOptions::from_settings(&serde_json::json!({"allow_private": "yes"})).is_err());
    }
}
