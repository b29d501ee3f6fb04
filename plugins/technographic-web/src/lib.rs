//! `technographic-web`: which technologies a company uses, from its own
//! homepage and its DNS.
//!
//! The source is sans-IO ([`Plan`]). For each domain it plans four
//! requests: the homepage (`{domain}#home`, HTTP GET) and three DNS
//! lookups (`{domain}#mx`, `{domain}#txt`, `{domain}#cname` of
//! `www.{domain}`); `parse` may add one follow-up for a same-site
//! `<meta http-equiv="refresh">` (`{domain}#refresh`). The host performs
//! every request (with the SSRF guard of
//! [`Manifest::untrusted_hosts`](icp_plugin_sdk::Manifest)), and
//! [`Plan::combine`] weighs the answers into one outcome.
//!
//! `parse` only reports evidence: each part's `technology_details` lists
//! every pattern that matched in that answer, with its rule and weight.
//! `combine` decides: it adds the evidence of all parts (each pattern
//! counts once), computes confidences, applies `implies` and
//! `min_confidence`, and says what happened to the homepage.
//!
//! The rules (`rules/technologies.toml`, see [`SHIPPED_RULES`]) are in the
//! spirit of the open Wappalyzer rule set plus DNS evidence; the README
//! documents their format. Only markup, scripts, meta tags, cookies,
//! headers and DNS records count: a product named in a page's prose (text,
//! links to vendors, code samples shown as text, alt and title text,
//! JSON-LD, comments) is not evidence that the company uses it.

mod detect;
mod html;
mod rules;
mod settings;
mod url;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use icp_plugin_sdk::{
    Account, Category, DnsRecordType, FieldSpec, FieldType, HttpMethod, Manifest, Outcome,
    ParseResult, Plan, PlannedRequest, Request, Response, SourceError,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use rules::SHIPPED_RULES;
pub use settings::{DEFAULT_MIN_CONFIDENCE, KEYS as SETTINGS};

use detect::{Found, MAX_EVIDENCE, Match};
use rules::Rules;
use settings::Config;
use url::Url;

/// The plugin name used in config (`plugin = "technographic-web"`) and in
/// the manifest.
pub const PLUGIN_NAME: &str = "technographic-web";

/// At most this much of a page is scanned (the host caps bodies anyway).
pub const SCAN_BYTES: usize = 2 << 20;

/// The `Accept` header of page requests.
pub const ACCEPT: &str = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5";

/// Response header the host sets when it cut a body at its cap.
pub const TRUNCATED_HEADER: &str = "x-icp-truncated";
/// Response header the host sets to the URL it ended at after redirects.
pub const FINAL_URL_HEADER: &str = "x-icp-final-url";

/// DNS answers looked at per lookup, and characters per answer.
const MAX_ANSWERS: usize = 200;
const MAX_ANSWER_CHARS: usize = 4096;

/// The parts of one domain's lookup, by request id suffix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Home,
    Refresh,
    Mx,
    Txt,
    Cname,
}

impl Part {
    fn suffix(self) -> &'static str {
        match self {
            Part::Home => "home",
            Part::Refresh => "refresh",
            Part::Mx => "mx",
            Part::Txt => "txt",
            Part::Cname => "cname",
        }
    }

    fn of(id: &str) -> Option<Part> {
        Some(match id.rsplit_once('#')?.1 {
            "home" => Part::Home,
            "refresh" => Part::Refresh,
            "mx" => Part::Mx,
            "txt" => Part::Txt,
            "cname" => Part::Cname,
            _ => return None,
        })
    }

    fn label(self) -> &'static str {
        match self {
            Part::Home => "homepage",
            Part::Refresh => "homepage (meta refresh)",
            Part::Mx => "DNS MX",
            Part::Txt => "DNS TXT",
            Part::Cname => "DNS CNAME",
        }
    }
}

/// One technology in `technology_details`. In a part's answer (from
/// `parse`) it also carries its `matches`, which `combine` adds up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Detail {
    id: String,
    name: String,
    category: String,
    confidence: u32,
    evidence: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    matches: Vec<Match>,
}

/// The technographic web source.
#[derive(Debug, Clone)]
pub struct TechnographicWeb {
    config: Config,
    manifest: Manifest,
}

impl TechnographicWeb {
    /// Build the source from its settings (the `settings` table of its
    /// `[[sources]]` entry, as JSON). `base_dir` is the config file's
    /// folder: relative `rules` paths start there. Rules files are read
    /// here and never again. Bad settings are a [`SourceError::Settings`]
    /// naming the setting (and, for a rules file, the file, line and
    /// column, or the technology and pattern).
    pub fn new(settings: &Value, base_dir: &Path) -> Result<TechnographicWeb, SourceError> {
        let config = Config::from_json(settings, base_dir)?;
        let field = |name: &str, ty, about: &str| FieldSpec {
            name: name.to_string(),
            ty,
            about: about.to_string(),
        };
        let manifest = Manifest {
            name: PLUGIN_NAME.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            category: Category::Technographic,
            key: "domain".to_string(),
            fields: vec![
                field(
                    "technologies",
                    FieldType::List,
                    "ids of the technologies detected (rules/technologies.toml), e.g. hubspot, google-workspace",
                ),
                field(
                    "technology_categories",
                    FieldType::List,
                    "categories of the technologies detected, e.g. crm, email, analytics",
                ),
                field(
                    "technology_details",
                    FieldType::Text,
                    "JSON array: {id, name, category, confidence 0-100, evidence} per technology detected",
                ),
                field(
                    "mail_provider",
                    FieldType::Text,
                    "who receives the domain's mail, from MX: e.g. Google Workspace, Microsoft 365",
                ),
                field(
                    "homepage_status",
                    FieldType::Text,
                    "ok, HTTP 404, not HTML (application/pdf), truncated at N bytes, or failed: <reason>",
                ),
            ],
            max_batch: 1,
            limits: Vec::new(),
            cost_per_call: 0.0,
            secrets: Vec::new(),
            untrusted_hosts: true,
        };
        Ok(TechnographicWeb { config, manifest })
    }

    /// The ids of every technology the rules know (shipped and user), in
    /// rules order.
    pub fn technology_ids(&self) -> Vec<&str> {
        self.config
            .rules
            .techs
            .iter()
            .map(|t| t.id.as_str())
            .collect()
    }

    /// The `min_confidence` in use.
    pub fn min_confidence(&self) -> u32 {
        self.config.min_confidence
    }

    fn rules(&self) -> &Rules {
        &self.config.rules
    }

    /// Headers of a page request (with `Host` in virtual-host test mode).
    fn page_headers(&self, domain: &str, url: &str) -> Vec<(String, String)> {
        let mut h = vec![
            ("Accept".to_string(), ACCEPT.to_string()),
            ("Accept-Language".to_string(), "en".to_string()),
        ];
        if let Some(b) = &self.config.base_url
            && !b.per_domain
            && same_host(&b.url(domain), url)
        {
            h.push(("Host".to_string(), domain.to_string()));
        }
        h
    }

    fn home_url(&self, domain: &str) -> String {
        match &self.config.base_url {
            Some(b) => b.url(domain),
            None => format!("https://{domain}/"),
        }
    }

    fn request(&self, key: &str, domain: &str, part: Part, request: Request) -> PlannedRequest {
        PlannedRequest {
            id: format!("{domain}#{}", part.suffix()),
            keys: vec![key.to_string()],
            request,
        }
    }

    fn http_part(
        &self,
        part: Part,
        key: &str,
        req: &PlannedRequest,
        resp: &Response,
    ) -> Result<ParseResult, SourceError> {
        let Request::Http { url: asked, .. } = &req.request else {
            return Err(SourceError::Malformed(format!(
                "request `{}` should be an HTTP request",
                req.id
            )));
        };
        let mut out = ParseResult::default();
        let mut found = Found::default();
        detect::headers(self.rules(), &resp.headers, &mut found);
        let status = if !(200..300).contains(&resp.status) {
            format!("HTTP {}", resp.status)
        } else {
            let cut = floor_boundary(&resp.body, SCAN_BYTES);
            let body = &resp.body[..cut];
            let ctype = resp
                .header("content-type")
                .map(|t| {
                    t.split(';')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .to_ascii_lowercase()
                })
                .filter(|t| !t.is_empty());
            if let Some(why) = not_html(ctype.as_deref(), body) {
                format!("not HTML ({why})")
            } else {
                let page = html::scan(body);
                detect::page(self.rules(), &page, key, &mut found);
                if part == Part::Home
                    && let Some(target) = &page.refresh
                {
                    let page_url = resp
                        .header(FINAL_URL_HEADER)
                        .map(str::trim)
                        .filter(|u| !u.is_empty())
                        .unwrap_or(asked);
                    match self.refresh(key, &req.id, page_url, target) {
                        Ok(f) => out.follow_ups.push(f),
                        Err(why) => out.logs.push(format!("{key}: {why}")),
                    }
                }
                let read = match resp.header(TRUNCATED_HEADER) {
                    Some(n) => format!(
                        "truncated at {} bytes",
                        n.trim().parse::<u64>().unwrap_or(resp.body.len() as u64)
                    ),
                    None if cut < resp.body.len() => format!("truncated at {SCAN_BYTES} bytes"),
                    None => "ok".to_string(),
                };
                // A homepage that redirects to another site (a rebrand, an
                // acquirer, a parking page) shows that site's stack: say so.
                let elsewhere = resp
                    .header(FINAL_URL_HEADER)
                    .and_then(url::match_form)
                    .filter(|u| !detect::own_url(u, key))
                    .map(|u| {
                        let host = u.split(['/', '?']).next().unwrap_or("").to_string();
                        format!(" (redirected to {host})")
                    })
                    .unwrap_or_default();
                read + &elsewhere
            }
        };
        let mut fields = BTreeMap::new();
        fields.insert("homepage_status".to_string(), Value::String(status));
        fields.insert(
            "technology_details".to_string(),
            Value::String(self.part_details(&found)),
        );
        out.outcomes
            .insert(key.to_string(), Outcome::Found { fields });
        Ok(out)
    }

    /// The follow-up for a meta refresh to `target` on `page_url`, or why
    /// there is none.
    fn refresh(
        &self,
        key: &str,
        id: &str,
        page_url: &str,
        target: &str,
    ) -> Result<PlannedRequest, String> {
        let domain = id.rsplit_once('#').map_or(key, |(d, _)| d);
        let base = Url::parse(page_url).ok_or_else(|| {
            format!("meta refresh not followed: the page URL `{page_url}` is not http(s)")
        })?;
        let to = base.join(target).ok_or_else(|| {
            "meta refresh not followed: its target is not an http(s) URL".to_string()
        })?;
        if to == base {
            return Err("meta refresh to the page itself: nothing to follow".to_string());
        }
        let host = to.host();
        let same_site = host == base.host()
            || (self.config.base_url.is_none()
                && (host == domain || host.ends_with(&format!(".{domain}"))));
        if !same_site {
            return Err(format!(
                "meta refresh to another site ({host}) not followed: only same-site refreshes are"
            ));
        }
        let url = to.to_string();
        Ok(self.request(
            key,
            domain,
            Part::Refresh,
            Request::Http {
                method: HttpMethod::Get,
                headers: self.page_headers(domain, &url),
                url,
                body: None,
            },
        ))
    }

    fn dns_part(
        &self,
        part: Part,
        key: &str,
        req: &PlannedRequest,
        resp: &Response,
    ) -> Result<ParseResult, SourceError> {
        let Request::Dns { name, record_type } = &req.request else {
            return Err(SourceError::Malformed(format!(
                "request `{}` should be a DNS request",
                req.id
            )));
        };
        let kind = match record_type {
            DnsRecordType::Mx => "MX",
            DnsRecordType::Txt => "TXT",
            DnsRecordType::Cname => "CNAME",
            DnsRecordType::A => "A",
            DnsRecordType::Aaaa => "AAAA",
        };
        let outcome = match resp.status {
            0 => {
                let answers: Vec<&str> = resp
                    .answers
                    .iter()
                    .take(MAX_ANSWERS)
                    .map(|a| &a[..floor_boundary(a, MAX_ANSWER_CHARS)])
                    .collect();
                let mut found = Found::default();
                let mut fields = BTreeMap::new();
                match part {
                    Part::Mx => {
                        let hosts = mx_hosts(&answers);
                        detect::mx(self.rules(), &hosts, &mut found);
                        fields.insert(
                            "mail_provider".to_string(),
                            Value::String(self.mail_provider(&hosts)),
                        );
                    }
                    Part::Txt => {
                        let records: Vec<String> = answers.iter().map(|a| unquote(a)).collect();
                        detect::txt(self.rules(), &records, &mut found);
                    }
                    _ => {
                        let targets: Vec<String> = answers
                            .iter()
                            .map(|a| a.trim().trim_end_matches('.').to_ascii_lowercase())
                            .filter(|t| !t.is_empty() && !t.contains(char::is_whitespace))
                            .collect();
                        detect::cname(self.rules(), &targets, &mut found);
                    }
                }
                fields.insert(
                    "technology_details".to_string(),
                    Value::String(self.part_details(&found)),
                );
                Outcome::Found { fields }
            }
            // NXDOMAIN: the name does not exist.
            3 => Outcome::NoData,
            code => Outcome::Failed {
                message: format!("DNS {kind} {name}: {}", rcode(code)),
            },
        };
        Ok(ParseResult {
            outcomes: BTreeMap::from([(key.to_string(), outcome)]),
            ..ParseResult::default()
        })
    }

    /// Who receives the domain's mail: the mailbox provider a rule knows
    /// for the most preferred MX host (a mailbox provider beats a security
    /// gateway or a delivery service), else the primary MX host itself;
    /// `none` without MX records (or with a null MX).
    fn mail_provider(&self, hosts: &[String]) -> String {
        if hosts.is_empty() {
            return "none".to_string();
        }
        let rules = self.rules();
        let Some(set) = rules.kind(rules::Kind::Mx) else {
            return hosts[0].clone();
        };
        let techs_of =
            |h: &String| -> Vec<usize> { set.matching(h).map(|i| set.patterns[i].tech).collect() };
        for h in hosts {
            if let Some(t) = techs_of(h)
                .into_iter()
                .find(|t| rules.techs[*t].category == "email")
            {
                return rules.techs[t].name.clone();
            }
        }
        for h in hosts {
            if let Some(t) = techs_of(h).into_iter().next() {
                return rules.techs[t].name.clone();
            }
        }
        hosts[0].clone()
    }

    /// A part's `technology_details`: every technology with a match in this
    /// answer (whatever its confidence), with its matches.
    fn part_details(&self, found: &Found) -> String {
        let mut out: Vec<Detail> = found
            .by_tech
            .iter()
            .map(|(t, ms)| {
                let tech = &self.rules().techs[*t];
                Detail {
                    id: tech.id.clone(),
                    name: tech.name.clone(),
                    category: tech.category.clone(),
                    confidence: sum(ms),
                    evidence: evidence_list(ms, &[]),
                    matches: ms.clone(),
                }
            })
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        serde_json::to_string(&out).unwrap_or_else(|_| "[]".to_string())
    }

    /// The technologies to report from all evidence: confidence = the sum
    /// of distinct matched patterns (at most 100), `implies` applied, those
    /// under `min_confidence` dropped; sorted by id.
    fn decide(&self, found: &Found) -> Vec<Detail> {
        let rules = self.rules();
        let min = self.config.min_confidence.max(1);
        // Per technology: confidence and `implied by ...` lines.
        let mut conf: BTreeMap<usize, (u32, Vec<String>)> = found
            .by_tech
            .iter()
            .map(|(t, ms)| (*t, (sum(ms), Vec::new())))
            .collect();
        let mut reported: BTreeSet<usize> = conf
            .iter()
            .filter(|(_, (c, _))| *c >= min)
            .map(|(t, _)| *t)
            .collect();
        let mut queue: Vec<usize> = reported.iter().copied().collect();
        while let Some(t) = queue.pop() {
            let c = conf.get(&t).map_or(0, |x| x.0);
            let by = rules.techs[t].id.clone();
            for imp in &rules.techs[t].implies {
                let Some(j) = rules.index(imp) else { continue };
                let entry = conf.entry(j).or_insert((0, Vec::new()));
                let raised = entry.0 < c;
                if raised {
                    entry.0 = c;
                }
                let ev = format!("implied by {by}");
                if !entry.1.contains(&ev) {
                    entry.1.push(ev);
                }
                if entry.0 >= min && (reported.insert(j) || raised) {
                    queue.push(j);
                }
            }
        }
        let none = Vec::new();
        let mut out: Vec<Detail> = reported
            .into_iter()
            .map(|t| {
                let tech = &rules.techs[t];
                let (c, mut implied) = conf.remove(&t).unwrap_or_default();
                implied.sort();
                Detail {
                    id: tech.id.clone(),
                    name: tech.name.clone(),
                    category: tech.category.clone(),
                    confidence: c,
                    evidence: evidence_list(found.by_tech.get(&t).unwrap_or(&none), &implied),
                    matches: Vec::new(),
                }
            })
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }
}

impl Plan for TechnographicWeb {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Per domain: the homepage, and (unless `dns = false`) MX and TXT of
    /// the domain and CNAME of `www.`. Blank and repeated keys are
    /// skipped; a key that is not a domain name is an error. The settings
    /// were read at [`TechnographicWeb::new`]; the `settings` argument is
    /// not read again.
    fn plan(
        &self,
        accounts: &[Account],
        _settings: &Value,
    ) -> Result<Vec<PlannedRequest>, SourceError> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        for a in accounts {
            if a.key.trim().is_empty() || !seen.insert(a.key.clone()) {
                continue;
            }
            let domain = normalize_domain(&a.key).ok_or_else(|| {
                SourceError::Other(format!(
                    "{PLUGIN_NAME}: `{}` is not a domain name (expected e.g. acme.com)",
                    detect::short(&a.key, 80)
                ))
            })?;
            let url = self.home_url(&domain);
            out.push(self.request(
                &a.key,
                &domain,
                Part::Home,
                Request::Http {
                    method: HttpMethod::Get,
                    headers: self.page_headers(&domain, &url),
                    url,
                    body: None,
                },
            ));
            if self.config.dns {
                for (part, name, record_type) in [
                    (Part::Mx, domain.clone(), DnsRecordType::Mx),
                    (Part::Txt, domain.clone(), DnsRecordType::Txt),
                    (Part::Cname, format!("www.{domain}"), DnsRecordType::Cname),
                ] {
                    out.push(self.request(
                        &a.key,
                        &domain,
                        part,
                        Request::Dns { name, record_type },
                    ));
                }
            }
        }
        Ok(out)
    }

    /// One part's evidence. The homepage (and its refresh follow-up):
    /// `homepage_status` and the technologies its headers, cookies and
    /// (for an HTML page with a 2xx status) markup show. MX: the evidence
    /// and `mail_provider`. TXT and CNAME: the evidence. NXDOMAIN is
    /// `NoData`; another DNS error (SERVFAIL, REFUSED) is `Failed`.
    fn parse(
        &self,
        request: &PlannedRequest,
        response: &Response,
    ) -> Result<ParseResult, SourceError> {
        let Some(key) = request.keys.first() else {
            return Ok(ParseResult::default());
        };
        let part = Part::of(&request.id).ok_or_else(|| {
            SourceError::Malformed(format!(
                "request id `{}` is not one this source plans ({{domain}}#home, #refresh, #mx, #txt, #cname)",
                detect::short(&request.id, 80)
            ))
        })?;
        match part {
            Part::Home | Part::Refresh => self.http_part(part, key, request, response),
            Part::Mx | Part::Txt | Part::Cname => self.dns_part(part, key, request, response),
        }
    }

    /// Weigh the parts: evidence of every answered part adds up (each
    /// pattern counts once), `implies` and `min_confidence` apply. `Found`
    /// with `technology_details` and `homepage_status` (and the lists when
    /// not empty, `mail_provider` when MX answered) as soon as one part was
    /// answered; `NoData` when the domain does not exist (NXDOMAIN) and the
    /// homepage gave nothing; `Failed` naming what failed when every part
    /// failed.
    fn combine(&self, _key: &str, parts: Vec<(String, Outcome)>) -> Outcome {
        if parts.is_empty() {
            return Outcome::NoData;
        }
        let rules = self.rules();
        let mut found = Found::default();
        let mut answered = false;
        let mut nxdomain = false;
        let mut home_answered = false;
        let mut home_status: Option<String> = None;
        let mut refresh_status: Option<String> = None;
        let mut mail: Option<String> = None;
        let mut failures: Vec<(Part, String)> = Vec::new();
        for (id, outcome) in parts {
            let Some(part) = Part::of(&id) else { continue };
            match outcome {
                Outcome::Found { fields } => {
                    answered = true;
                    if let Some(Value::String(d)) = fields.get("technology_details")
                        && let Ok(details) = serde_json::from_str::<Vec<Detail>>(d)
                    {
                        for d in details {
                            if let Some(t) = rules.index(&d.id) {
                                for m in d.matches {
                                    found.add(t, m);
                                }
                            }
                        }
                    }
                    let status = fields
                        .get("homepage_status")
                        .and_then(Value::as_str)
                        .map(str::to_string);
                    match part {
                        Part::Home => {
                            home_answered = true;
                            home_status = status.or(Some("ok".to_string()));
                        }
                        Part::Refresh => refresh_status = status,
                        Part::Mx => {
                            mail = fields
                                .get("mail_provider")
                                .and_then(Value::as_str)
                                .map(str::to_string)
                        }
                        _ => {}
                    }
                }
                Outcome::NoData => match part {
                    Part::Mx | Part::Txt => nxdomain = true,
                    Part::Cname => answered = true,
                    Part::Home => {
                        home_answered = true;
                        home_status = Some("ok".to_string());
                        answered = true;
                    }
                    Part::Refresh => {}
                },
                Outcome::Failed { message } => failures.push((part, message)),
                Outcome::Queued => failures.push((part, "queued by the host".to_string())),
            }
        }
        if nxdomain && !home_answered {
            return Outcome::NoData;
        }
        if !answered {
            return Outcome::Failed {
                message: failure_message(&failures),
            };
        }
        let home_status = refresh_status
            .or(home_status)
            .or_else(|| {
                failures
                    .iter()
                    .find(|(p, _)| *p == Part::Home)
                    .map(|(_, m)| format!("failed: {m}"))
            })
            .unwrap_or_else(|| "failed: no answer".to_string());
        let details = self.decide(&found);

        let mut fields = BTreeMap::new();
        let ids: Vec<Value> = details
            .iter()
            .map(|d| Value::String(d.id.clone()))
            .collect();
        if !ids.is_empty() {
            fields.insert("technologies".to_string(), Value::Array(ids));
            let cats: BTreeSet<&str> = details.iter().map(|d| d.category.as_str()).collect();
            fields.insert(
                "technology_categories".to_string(),
                Value::Array(
                    cats.into_iter()
                        .map(|c| Value::String(c.to_string()))
                        .collect(),
                ),
            );
        }
        if let Some(m) = mail {
            fields.insert(
                "mail_provider".to_string(),
                Value::String(self.look_through(m, &details)),
            );
        }
        fields.insert(
            "technology_details".to_string(),
            Value::String(serde_json::to_string(&details).unwrap_or_else(|_| "[]".to_string())),
        );
        fields.insert("homepage_status".to_string(), Value::String(home_status));
        Outcome::Found { fields }
    }
}

impl TechnographicWeb {
    /// A security gateway in MX (Proofpoint, Mimecast) hides the mailbox
    /// provider; SPF or TXT evidence of one (Microsoft 365 via
    /// spf.protection.outlook.com) names it instead.
    fn look_through(&self, provider: String, details: &[Detail]) -> String {
        let rules = self.rules();
        let gateway = rules
            .techs
            .iter()
            .any(|t| t.name == provider && t.category == "email-security");
        if !gateway {
            return provider;
        }
        details
            .iter()
            .find(|d| {
                d.category == "email"
                    && d.evidence
                        .iter()
                        .any(|e| e.starts_with("spf ") || e.starts_with("txt "))
            })
            .map_or(provider, |d| d.name.clone())
    }
}

/// "homepage: ...; DNS: ..." (DNS failures with one message are named once).
fn failure_message(failures: &[(Part, String)]) -> String {
    if failures.is_empty() {
        return "no answer".to_string();
    }
    let mut out: Vec<String> = Vec::new();
    for (p, m) in failures {
        if matches!(p, Part::Home | Part::Refresh) {
            out.push(format!("{}: {m}", p.label()));
        }
    }
    let dns: Vec<&(Part, String)> = failures
        .iter()
        .filter(|(p, _)| matches!(p, Part::Mx | Part::Txt | Part::Cname))
        .collect();
    if dns.len() > 1 && dns.iter().all(|(_, m)| *m == dns[0].1) {
        out.push(format!("DNS: {}", dns[0].1));
    } else {
        for (p, m) in dns {
            out.push(format!("{}: {m}", p.label()));
        }
    }
    detect::short(&out.join("; "), 900)
}

fn sum(ms: &[Match]) -> u32 {
    ms.iter().map(|m| m.confidence).sum::<u32>().min(100)
}

/// The evidence of `ms` as shown: DNS, then headers and cookies, then the
/// page (see [`detect::evidence_rank`]), then `implied by ...`; each
/// once, at most [`MAX_EVIDENCE`].
fn evidence_list(ms: &[Match], implied: &[String]) -> Vec<String> {
    let mut sorted: Vec<&Match> = ms.iter().collect();
    sorted.sort_by(|a, b| detect::evidence_rank(&a.rule).cmp(&detect::evidence_rank(&b.rule)));
    let mut out: Vec<String> = Vec::new();
    for e in sorted
        .into_iter()
        .map(|m| &m.evidence)
        .chain(implied.iter())
    {
        if !out.contains(e) {
            out.push(e.clone());
        }
    }
    out.truncate(MAX_EVIDENCE);
    out
}

/// Why a 2xx body gives no HTML evidence, or `None` when it is HTML.
fn not_html(content_type: Option<&str>, body: &str) -> Option<String> {
    if let Some(t) = content_type
        && !matches!(t, "text/html" | "application/xhtml+xml")
    {
        return Some(t.to_string());
    }
    if body.contains('\0') {
        return Some("binary content".to_string());
    }
    if content_type.is_none() {
        let start = body.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
        if !start.is_empty() && !start.starts_with('<') {
            return Some("no content type".to_string());
        }
    }
    None
}

/// MX answers (`10 aspmx.l.google.com.`) as hosts, most preferred first;
/// a null MX (`0 .`) and junk are left out.
fn mx_hosts(answers: &[&str]) -> Vec<String> {
    let mut mx: Vec<(u32, String)> = answers
        .iter()
        .filter_map(|a| {
            let mut w = a.split_whitespace();
            let pref: u32 = w.next()?.parse().ok()?;
            let host = w.next()?.trim_end_matches('.').to_ascii_lowercase();
            (w.next().is_none() && !host.is_empty()).then_some((pref, host))
        })
        .collect();
    mx.sort_by_key(|(p, _)| *p);
    let mut out: Vec<String> = Vec::new();
    for (_, h) in mx {
        if !out.contains(&h) {
            out.push(h);
        }
    }
    out
}

/// A TXT answer without surrounding quotes (if the host kept them).
fn unquote(a: &str) -> String {
    let t = a.trim();
    if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') {
        t[1..t.len() - 1].replace("\" \"", "").replace("\"\"", "")
    } else {
        t.to_string()
    }
}

fn rcode(code: u16) -> String {
    match code {
        1 => "format error (FORMERR)".to_string(),
        2 => "server failure (SERVFAIL)".to_string(),
        4 => "not implemented (NOTIMP)".to_string(),
        5 => "refused (REFUSED)".to_string(),
        n => format!("DNS response code {n}"),
    }
}

/// The account key as a DNS name: lower-case, no trailing dot, ASCII
/// labels (IDNs arrive as punycode).
fn normalize_domain(key: &str) -> Option<String> {
    let d = key.trim().trim_end_matches('.').to_ascii_lowercase();
    let ok = !d.is_empty()
        && d.len() <= 253
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_')
                })
        });
    ok.then_some(d)
}

fn same_host(a: &str, b: &str) -> bool {
    match (Url::parse(a), Url::parse(b)) {
        (Some(x), Some(y)) => x.authority == y.authority,
        _ => false,
    }
}

/// The largest char boundary at or below `max`.
fn floor_boundary(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    let mut i = max;
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mx_answers() {
        assert_eq!(
            mx_hosts(&[
                "20 ALT1.aspmx.l.google.com.",
                "10 aspmx.l.google.com.",
                "junk",
                "0 .",
                "10"
            ]),
            vec![
                "aspmx.l.google.com".to_string(),
                "alt1.aspmx.l.google.com".to_string()
            ]
        );
    }

    #[test]
    fn domains() {
        assert_eq!(normalize_domain(" Acme.COM. ").as_deref(), Some("acme.com"));
        assert_eq!(
            normalize_domain("xn--mnchen-3ya.de").as_deref(),
            Some("xn--mnchen-3ya.de")
        );
        for bad in [
            "",
            "a b.com",
            "münchen.de",
            "a..com",
            "acme.com/x",
            "http://acme.com",
        ] {
            assert_eq!(normalize_domain(bad), None, "{bad}");
        }
    }

    #[test]
    fn html_or_not() {
        assert_eq!(not_html(Some("text/html"), "<html>"), None);
        assert_eq!(not_html(None, "  <!doctype html>"), None);
        assert_eq!(
            not_html(Some("application/pdf"), "%PDF"),
            Some("application/pdf".into())
        );
        assert_eq!(
            not_html(Some("text/html"), "\u{89}PNG\0\0"),
            Some("binary content".into())
        );
        assert_eq!(not_html(None, "{\"a\": 1}"), Some("no content type".into()));
    }
}
