//! The rules: which evidence means which technology. Read from TOML (the
//! shipped `rules/technologies.toml`, then the user's files, which replace
//! technologies by id or add new ones), checked, and compiled into one
//! [`RegexSet`] per evidence kind.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use serde::Deserialize;

use crate::settings::settings_error;
use icp_plugin_sdk::SourceError;

/// The shipped rules file.
pub const SHIPPED_RULES: &str = include_str!("../rules/technologies.toml");

/// How the shipped file is named in messages.
const SHIPPED_NAME: &str = "the shipped rules (rules/technologies.toml)";

/// A pattern's weight when the rule does not say.
const FULL: u32 = 100;

/// The evidence kinds, in the order the README lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Kind {
    Scripts,
    Inline,
    Html,
    Meta,
    Cookies,
    Headers,
    Mx,
    Spf,
    Txt,
    Cname,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Scripts => "scripts",
            Kind::Inline => "inline",
            Kind::Html => "html",
            Kind::Meta => "meta",
            Kind::Cookies => "cookies",
            Kind::Headers => "headers",
            Kind::Mx => "mx",
            Kind::Spf => "spf",
            Kind::Txt => "txt",
            Kind::Cname => "cname",
        }
    }
}

// ------------------------------------------------------------ the file

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    technology: Vec<TechSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TechSpec {
    id: toml::Spanned<String>,
    name: String,
    category: String,
    #[serde(default)]
    website: Option<String>,
    #[serde(default)]
    scripts: Patterns,
    #[serde(default)]
    inline: Patterns,
    #[serde(default)]
    html: Patterns,
    #[serde(default)]
    meta: BTreeMap<String, Patterns>,
    #[serde(default)]
    cookies: Patterns,
    #[serde(default)]
    headers: BTreeMap<String, Patterns>,
    #[serde(default)]
    mx: Patterns,
    #[serde(default)]
    spf: Patterns,
    #[serde(default)]
    txt: Patterns,
    #[serde(default)]
    cname: Patterns,
    #[serde(default)]
    implies: Vec<String>,
}

/// One pattern or a list of them.
#[derive(Deserialize, Default)]
#[serde(untagged)]
enum Patterns {
    #[default]
    None,
    One(PatternSpec),
    Many(Vec<PatternSpec>),
}

impl Patterns {
    fn list(&self) -> Vec<&PatternSpec> {
        match self {
            Patterns::None => Vec::new(),
            Patterns::One(p) => vec![p],
            Patterns::Many(v) => v.iter().collect(),
        }
    }
}

/// `'regex'` (weight 100) or `{ pattern = 'regex', confidence = 50 }`.
#[derive(Deserialize)]
#[serde(untagged)]
enum PatternSpec {
    Plain(String),
    Weighted(Weighted),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Weighted {
    pattern: String,
    #[serde(default = "full")]
    confidence: i64,
}

fn full() -> i64 {
    FULL as i64
}

impl PatternSpec {
    fn parts(&self) -> (&str, i64) {
        match self {
            PatternSpec::Plain(p) => (p, FULL as i64),
            PatternSpec::Weighted(w) => (&w.pattern, w.confidence),
        }
    }
}

// -------------------------------------------------------- compiled form

/// A technology as reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Tech {
    pub id: String,
    pub name: String,
    pub category: String,
    pub website: Option<String>,
    pub implies: Vec<String>,
}

/// One compiled pattern: whose it is, its key within the technology (for
/// counting each pattern once, across the page and the DNS answers) and
/// its weight.
#[derive(Clone, Debug)]
pub(crate) struct Pattern {
    pub tech: usize,
    pub rule: String,
    pub confidence: u32,
    pub regex: Regex,
}

/// The patterns of one evidence kind (or of one meta name or header).
#[derive(Clone, Debug)]
pub(crate) struct KindSet {
    set: RegexSet,
    pub patterns: Vec<Pattern>,
}

impl KindSet {
    fn new(patterns: Vec<Pattern>) -> Result<KindSet, String> {
        let set = RegexSetBuilder::new(patterns.iter().map(|p| p.regex.as_str()))
            .case_insensitive(true)
            .size_limit(256 << 20)
            .dfa_size_limit(64 << 20)
            .build()
            .map_err(|e| last_line(&e.to_string()))?;
        Ok(KindSet { set, patterns })
    }

    /// The indexes of the patterns matching `text`.
    pub fn matching(&self, text: &str) -> impl Iterator<Item = usize> + '_ {
        self.set.matches(text).into_iter()
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}

/// Every technology and every pattern, ready to match.
#[derive(Clone, Debug)]
pub(crate) struct Rules {
    pub techs: Vec<Tech>,
    by_id: HashMap<String, usize>,
    kinds: BTreeMap<Kind, KindSet>,
    /// Meta name (lower-case) -> patterns on the content.
    pub meta: BTreeMap<String, KindSet>,
    /// Header name (lower-case) -> patterns on the value.
    pub headers: BTreeMap<String, KindSet>,
}

impl Rules {
    pub fn index(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// The patterns of a kind without keys (all but meta and headers).
    pub fn kind(&self, kind: Kind) -> Option<&KindSet> {
        self.kinds.get(&kind).filter(|k| !k.is_empty())
    }

    /// The shipped rules, then each `(file name, text)` in order.
    pub fn load(user: &[(String, String)]) -> Result<Rules, SourceError> {
        let mut specs: Vec<(String, TechSpec)> = Vec::new();
        for (origin, text) in std::iter::once((SHIPPED_NAME.to_string(), SHIPPED_RULES.to_string()))
            .chain(user.iter().cloned())
        {
            let file = parse_file(&origin, &text)?;
            let mut ids_here = BTreeSet::new();
            for spec in file.technology {
                let id = spec.id.get_ref().trim().to_string();
                let at = position(&text, spec.id.span());
                if !valid_id(&id) {
                    return Err(settings_error(format!(
                        "rules file `{origin}`, {at}: technology id `{id}` must be lower-case letters, digits, `-`, `_` or `.` (e.g. \"acme-crm\")"
                    )));
                }
                if !ids_here.insert(id.clone()) {
                    return Err(settings_error(format!(
                        "rules file `{origin}`, {at}: technology `{id}` is defined twice in this file; keep one [[technology]] table per id"
                    )));
                }
                if spec.name.trim().is_empty() {
                    return Err(settings_error(format!(
                        "rules file `{origin}`, {at}: technology `{id}` has a blank name"
                    )));
                }
                if !valid_id(spec.category.trim()) {
                    return Err(settings_error(format!(
                        "rules file `{origin}`, {at}: technology `{id}` has category `{}`: use a lower-case id such as \"crm\", \"email\" or \"analytics\"",
                        spec.category
                    )));
                }
                // A user's technology replaces a shipped (or earlier) one
                // with the same id, in place.
                match specs.iter().position(|(_, s)| s.id.get_ref().trim() == id) {
                    Some(i) => specs[i] = (origin.clone(), spec),
                    None => specs.push((origin.clone(), spec)),
                }
            }
        }
        compile(specs)
    }
}

fn compile(specs: Vec<(String, TechSpec)>) -> Result<Rules, SourceError> {
    let mut techs = Vec::with_capacity(specs.len());
    let mut by_id = HashMap::new();
    for (i, (_, s)) in specs.iter().enumerate() {
        let id = s.id.get_ref().trim().to_string();
        by_id.insert(id.clone(), i);
        techs.push(Tech {
            id,
            name: s.name.trim().to_string(),
            category: s.category.trim().to_string(),
            website: s.website.clone().filter(|w| !w.trim().is_empty()),
            implies: s.implies.iter().map(|x| x.trim().to_string()).collect(),
        });
    }
    let mut kinds: BTreeMap<Kind, Vec<Pattern>> = BTreeMap::new();
    let mut meta: BTreeMap<String, Vec<Pattern>> = BTreeMap::new();
    let mut headers: BTreeMap<String, Vec<Pattern>> = BTreeMap::new();
    for (i, (origin, s)) in specs.iter().enumerate() {
        let id = &techs[i].id;
        for imp in &techs[i].implies {
            if !by_id.contains_key(imp) {
                return Err(settings_error(format!(
                    "rules file `{origin}`: technology `{id}` implies `{imp}`, which no rule defines: add a [[technology]] with id = \"{imp}\" or remove it from implies"
                )));
            }
        }
        let plain = [
            (Kind::Scripts, &s.scripts),
            (Kind::Inline, &s.inline),
            (Kind::Html, &s.html),
            (Kind::Cookies, &s.cookies),
            (Kind::Mx, &s.mx),
            (Kind::Spf, &s.spf),
            (Kind::Txt, &s.txt),
            (Kind::Cname, &s.cname),
        ];
        for (kind, pats) in plain {
            for (n, p) in pats.list().into_iter().enumerate() {
                let rule = format!("{}#{n}", kind.name());
                let pattern = build(origin, id, kind.name(), i, rule, p)?;
                kinds.entry(kind).or_default().push(pattern);
            }
        }
        for (kind, table, out) in [
            (Kind::Meta, &s.meta, &mut meta),
            (Kind::Headers, &s.headers, &mut headers),
        ] {
            for (key, pats) in table {
                let key = key.trim().to_ascii_lowercase();
                for (n, p) in pats.list().into_iter().enumerate() {
                    let rule = format!("{}:{key}#{n}", kind.name());
                    let what = format!("{} `{key}`", kind.name());
                    let pattern = build(origin, id, &what, i, rule, p)?;
                    out.entry(key.clone()).or_default().push(pattern);
                }
            }
        }
    }
    let set = |what: &str, v: Vec<Pattern>| -> Result<KindSet, SourceError> {
        KindSet::new(v).map_err(|e| {
            settings_error(format!(
                "the {what} patterns together are too large to compile ({e}): make some of them simpler"
            ))
        })
    };
    let mut compiled = BTreeMap::new();
    for (k, v) in kinds {
        compiled.insert(k, set(k.name(), v)?);
    }
    let mut meta_sets = BTreeMap::new();
    for (k, v) in meta {
        meta_sets.insert(k.clone(), set(&format!("meta `{k}`"), v)?);
    }
    let mut header_sets = BTreeMap::new();
    for (k, v) in headers {
        header_sets.insert(k.clone(), set(&format!("header `{k}`"), v)?);
    }
    Ok(Rules {
        techs,
        by_id,
        kinds: compiled,
        meta: meta_sets,
        headers: header_sets,
    })
}

fn build(
    origin: &str,
    id: &str,
    what: &str,
    tech: usize,
    rule: String,
    spec: &PatternSpec,
) -> Result<Pattern, SourceError> {
    let (pattern, confidence) = spec.parts();
    if !(0..=100).contains(&confidence) {
        return Err(settings_error(format!(
            "rules file `{origin}`: technology `{id}`, {what} pattern `{pattern}` has confidence {confidence}: use 0 to 100"
        )));
    }
    let regex = RegexBuilder::new(pattern)
        .case_insensitive(true)
        .size_limit(4 << 20)
        .build()
        .map_err(|e| {
            settings_error(format!(
                "rules file `{origin}`: technology `{id}`, {what} pattern `{pattern}` is not a valid regular expression: {}",
                last_line(&e.to_string())
            ))
        })?;
    Ok(Pattern {
        tech,
        rule,
        confidence: confidence as u32,
        regex,
    })
}

fn parse_file(origin: &str, text: &str) -> Result<RulesFile, SourceError> {
    toml::from_str::<RulesFile>(text).map_err(|e| {
        let at = e
            .span()
            .map(|s| format!(", {}", position(text, s)))
            .unwrap_or_default();
        let mut msg = one_line(e.message());
        if msg.contains("untagged enum") {
            msg = "expected a pattern: a string such as 'js\\.acme\\.com/' or a table such as { pattern = 'acme', confidence = 50 }, or a list of them".to_string();
        }
        settings_error(format!(
            "rules file `{origin}`{at}: {msg}. Fix the file: each technology is a [[technology]] table with id, name, category and pattern lists (scripts, inline, html, meta, cookies, headers, mx, spf, txt, cname), see the technographic-web README"
        ))
    })
}

/// `line L, column C` (1-based) of a byte offset.
fn position(text: &str, span: Range<usize>) -> String {
    let at = span.start.min(text.len());
    let before = &text[..floor(text, at)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("line {line}, column {col}")
}

fn floor(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The useful line of a multi-line regex error (`error: unclosed group`).
fn last_line(s: &str) -> String {
    let line = s
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(s)
        .trim();
    line.strip_prefix("error: ").unwrap_or(line).to_string()
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        let t = "a\nbc\nd";
        assert_eq!(position(t, 0..1), "line 1, column 1");
        assert_eq!(position(t, 3..4), "line 2, column 2");
        assert_eq!(position(t, 5..6), "line 3, column 1");
    }

    #[test]
    fn regex_errors_keep_their_last_line() {
        let unclosed = ["a", "("].concat();
        let e = Regex::new(&unclosed).unwrap_err().to_string();
        assert_eq!(last_line(&e), "unclosed group");
    }
}
