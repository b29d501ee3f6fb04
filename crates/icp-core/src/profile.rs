//! Profile files (TOML): filters, traits with -5..+5 weights on the fit or
//! intent axis, tier thresholds and the intent half-life; compiled once per
//! run into slot-indexed conditions.

use std::collections::HashMap;

use serde::Deserialize;
use toml::Spanned;

use crate::condition::{ANSWER_BITS, Cond, NO_BIT, compile_condition};
use crate::diag::Diagnostic;
use crate::expr;
use crate::value::Kind;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    name: Spanned<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    entity: Option<Spanned<String>>,
    #[serde(default)]
    intent_half_life: Option<Spanned<String>>,
    #[serde(default)]
    tiers: Option<Spanned<RawTiers>>,
    #[serde(default)]
    filters: Vec<RawFilter>,
    #[serde(default)]
    traits: Vec<RawTrait>,
    /// Annual contract value per tier, for market sizing.
    #[serde(default)]
    acv: Option<Spanned<HashMap<String, f64>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTiers {
    tier1: Spanned<f64>,
    tier2: Spanned<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFilter {
    name: Spanned<String>,
    when: Spanned<String>,
    #[serde(default)]
    on_missing: Option<Spanned<String>>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTrait {
    name: Spanned<String>,
    when: Spanned<String>,
    weight: Spanned<i64>,
    #[serde(default)]
    axis: Option<Spanned<String>>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entity {
    Account,
    Member,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axis {
    Fit,
    Intent,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnMissing {
    Keep,
    Exclude,
}

/// A field the profile reads, at a slot of the record.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldSlot {
    pub name: String,
    pub kind: Kind,
    /// Where the profile first uses the field, for diagnostics.
    pub first_use: std::ops::Range<usize>,
}

#[derive(Debug)]
pub struct Filter {
    pub name: String,
    pub cond: Cond,
    pub on_missing: OnMissing,
    pub note: Option<String>,
    pub(crate) span: std::ops::Range<usize>,
}

#[derive(Debug)]
pub struct Trait {
    pub name: String,
    pub cond: Cond,
    pub weight: i8,
    pub axis: Axis,
    pub note: Option<String>,
    pub(crate) span: std::ops::Range<usize>,
    pub(crate) weight_span: std::ops::Range<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tiers {
    pub tier1: f64,
    pub tier2: f64,
}

/// A compiled profile: conditions refer to record slots, nothing is parsed
/// per row.
#[derive(Debug)]
pub struct Profile {
    pub name: String,
    pub description: Option<String>,
    pub entity: Entity,
    pub intent_half_life_days: f64,
    pub tiers: Tiers,
    pub filters: Vec<Filter>,
    pub traits: Vec<Trait>,
    pub fields: Vec<FieldSlot>,
    pub acv: HashMap<String, f64>,
    /// The run's reference date (days since 0001-01-01) that `within` and
    /// `company_age` are computed against.
    pub as_of: i32,
    pub(crate) tiers_span: Option<std::ops::Range<usize>>,
}

pub struct Loaded {
    pub profile: Option<Profile>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Default tiers for a profile without a `[tiers]` table.
pub const DEFAULT_TIERS: Tiers = Tiers {
    tier1: 8.0,
    tier2: 4.0,
};
pub const DEFAULT_HALF_LIFE_DAYS: f64 = 30.0;

/// Parse and compile a profile. `as_of` fixes the run's date. Returns the
/// profile when there is no error, and every error and warning found.
pub fn load(src: &str, as_of: i32) -> Loaded {
    let raw: RawProfile = match toml::from_str(src) {
        Ok(r) => r,
        Err(e) => {
            let msg = e.message().to_string();
            // A weight that is not a whole number (`weight = 2.5`, `"3"`).
            let key = e
                .span()
                .and_then(|s| src.get(..s.start))
                .and_then(|before| before.rsplit('\n').next())
                .map(|line| line.trim_start().split(['=', ' ']).next().unwrap_or(""));
            let d = if key == Some("weight") && msg.contains("expected i64") {
                Diagnostic::error("a weight is a whole number from -5 to +5", e.span())
                    .label("not a whole number")
                    .help("write it without quotes or decimals, e.g. `weight = 3`")
            } else {
                Diagnostic::error(msg, e.span()).label("here").help(
                    "a profile has `name`, optional `entity`, `intent_half_life`, `[tiers]`, `[[filters]]` (name, when, on_missing) and `[[traits]]` (name, when, weight, axis)",
                )
            };
            return Loaded {
                profile: None,
                diagnostics: vec![d],
            };
        }
    };
    let mut cx = Compiler {
        src,
        fields: Vec::new(),
        diags: Vec::new(),
        as_of,
        presence_only: Vec::new(),
        tests_per_slot: Vec::new(),
    };

    let entity = match raw
        .entity
        .as_ref()
        .map(|e| (e.get_ref().as_str(), e.span()))
    {
        None | Some(("account", _)) => Entity::Account,
        Some(("member", _)) => Entity::Member,
        Some((other, span)) => {
            cx.diags.push(
                Diagnostic::error(format!("unknown entity `{other}`"), Some(span))
                    .label("expected `account` or `member`"),
            );
            Entity::Account
        }
    };
    let intent_half_life_days = match &raw.intent_half_life {
        None => DEFAULT_HALF_LIFE_DAYS,
        Some(h) => match parse_duration_days(h.get_ref()) {
            Some(d) if d > 0.0 => d,
            _ => {
                cx.diags.push(
                    Diagnostic::error(
                        format!("`{}` is not a duration", h.get_ref()),
                        Some(h.span()),
                    )
                    .label("expected e.g. \"30d\", \"6w\", \"3mo\"")
                    .help("the intent half-life is how long until an intent event counts half"),
                );
                DEFAULT_HALF_LIFE_DAYS
            }
        },
    };

    let mut filters = Vec::new();
    for f in &raw.filters {
        let on_missing = match f
            .on_missing
            .as_ref()
            .map(|o| (o.get_ref().as_str(), o.span()))
        {
            None | Some(("keep", _)) => OnMissing::Keep,
            Some(("exclude", _)) => OnMissing::Exclude,
            Some((other, span)) => {
                cx.diags.push(
                    Diagnostic::error(format!("unknown on_missing `{other}`"), Some(span))
                        .label("expected `keep` or `exclude`"),
                );
                OnMissing::Keep
            }
        };
        if let Some(cond) = cx.condition(&f.when) {
            filters.push(Filter {
                name: f.name.get_ref().clone(),
                cond,
                on_missing,
                note: f.note.clone(),
                span: f.when.span(),
            });
        }
    }

    let mut traits = Vec::new();
    for t in &raw.traits {
        let w = *t.weight.get_ref();
        if !(-5..=5).contains(&w) {
            cx.diags.push(
                Diagnostic::error(format!("weight {w} is outside -5..+5"), Some(t.weight.span()))
                    .label("weights run from -5 to +5")
                    .help("use +5/+3/+1 for traits that mark a good fit and -1/-3/-5 for traits that drain resources"),
            );
        }
        let axis = match t.axis.as_ref().map(|a| (a.get_ref().as_str(), a.span())) {
            None | Some(("fit", _)) => Axis::Fit,
            Some(("intent", _)) => Axis::Intent,
            Some((other, span)) => {
                cx.diags.push(
                    Diagnostic::error(format!("unknown axis `{other}`"), Some(span))
                        .label("expected `fit` or `intent`"),
                );
                Axis::Fit
            }
        };
        if let Some(cond) = cx.condition(&t.when) {
            traits.push(Trait {
                name: t.name.get_ref().clone(),
                cond,
                weight: w.clamp(-5, 5) as i8,
                axis,
                note: t.note.clone(),
                span: t.when.span(),
                weight_span: t.weight.span(),
            });
        }
    }

    let (tiers, tiers_span) = match &raw.tiers {
        Some(t) => (
            Tiers {
                tier1: *t.get_ref().tier1.get_ref(),
                tier2: *t.get_ref().tier2.get_ref(),
            },
            Some(t.span()),
        ),
        None => (DEFAULT_TIERS, None),
    };

    if let Some(acv) = &raw.acv {
        for (key, value) in acv.get_ref() {
            let tier = matches!(key.as_str(), "1" | "2" | "3" | "excluded");
            if !tier || *value < 0.0 || !value.is_finite() {
                cx.diags.push(
                    Diagnostic::error(
                        format!("`{key} = {value}` is not an annual contract value per tier"),
                        Some(acv.span()),
                    )
                    .label("in this table")
                    .help("keys are \"1\", \"2\", \"3\" and \"excluded\", values amounts >= 0, e.g. \"1\" = 50000"),
                );
            }
        }
    }

    let mut names = std::collections::HashSet::new();
    for t in &raw.traits {
        if !names.insert(t.name.get_ref()) {
            cx.diags.push(
                Diagnostic::warning(
                    format!("two traits are named `{}`", t.name.get_ref()),
                    Some(t.name.span()),
                )
                .label("duplicate name")
                .help("reasons name traits; give each a distinct name"),
            );
        }
    }

    let has_error = cx.diags.iter().any(Diagnostic::is_error);
    let profile = Profile {
        name: raw.name.into_inner(),
        description: raw.description,
        entity,
        intent_half_life_days,
        tiers,
        filters,
        traits,
        fields: cx.fields,
        acv: raw.acv.map(Spanned::into_inner).unwrap_or_default(),
        as_of,
        tiers_span,
    };
    let mut diagnostics = cx.diags;
    if !has_error {
        diagnostics.extend(crate::lint::lint(&profile));
    }
    diagnostics.sort_by_key(|d| {
        (
            d.span.as_ref().map_or(0, |s| s.start),
            std::cmp::Reverse(d.severity),
        )
    });
    Loaded {
        profile: (!has_error).then_some(profile),
        diagnostics,
    }
}

/// "30d", "6w", "3mo", "1y" or a bare number of days.
pub fn parse_duration_days(s: &str) -> Option<f64> {
    let t = s.trim();
    let split = t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: f64 = n.trim().parse().ok()?;
    let per = match unit.trim() {
        "" | "d" | "day" | "days" => 1.0,
        "w" | "week" | "weeks" => 7.0,
        "mo" | "month" | "months" => 30.4375,
        "y" | "year" | "years" => 365.25,
        _ => return None,
    };
    Some(n * per)
}

pub(crate) struct Compiler<'a> {
    pub src: &'a str,
    pub fields: Vec<FieldSlot>,
    pub diags: Vec<Diagnostic>,
    pub as_of: i32,
    /// Slots of non-canonical fields seen only in presence tests so far: their
    /// kind is a guess that the first typed use replaces.
    pub presence_only: Vec<usize>,
    /// Text and list tests compiled so far, per slot.
    pub tests_per_slot: Vec<usize>,
}

impl Compiler<'_> {
    /// The answer bit of the next text or list test on `slot`: tests are
    /// numbered per slot in profile order, and those past
    /// [`ANSWER_BITS`] get [`NO_BIT`].
    pub fn answer_bit(&mut self, slot: usize) -> u8 {
        if self.tests_per_slot.len() <= slot {
            self.tests_per_slot.resize(slot + 1, 0);
        }
        let n = self.tests_per_slot[slot];
        self.tests_per_slot[slot] += 1;
        if n < ANSWER_BITS { n as u8 } else { NO_BIT }
    }

    /// Parse and compile a `when` string, reporting errors at their place in
    /// the file.
    fn condition(&mut self, when: &Spanned<String>) -> Option<Cond> {
        let map = string_body_map(self.src, when);
        let to_file = |s: &expr::Span| match &map {
            Some(m) => {
                let at = |i: usize| {
                    m.get(i)
                        .copied()
                        .unwrap_or_else(|| m[m.len() - 1] + (i + 1 - m.len()))
                };
                at(s.start)..at(s.end)
            }
            None => when.span(),
        };
        match expr::parse(when.get_ref()) {
            Ok(e) => compile_condition(self, &e, &to_file),
            Err(e) => {
                let mut d = Diagnostic::error(e.message, Some(to_file(&e.span))).label("here");
                d.help = e.help;
                self.diags.push(d);
                None
            }
        }
    }

    /// The slot of `name` as `kind`, adding it on first use; a field used as
    /// two kinds is an error.
    pub fn slot(&mut self, name: &str, kind: Kind, span: std::ops::Range<usize>) -> Option<usize> {
        if let Some(i) = self.fields.iter().position(|f| f.name == name) {
            if let Some(k) = self.presence_only.iter().position(|&s| s == i) {
                self.presence_only.swap_remove(k);
                self.fields[i].kind = kind;
                return Some(i);
            }
            let f = &self.fields[i];
            if f.kind != kind {
                let (line, _) = Diagnostic::error("", Some(f.first_use.clone()))
                    .line_col(self.src)
                    .unwrap_or((0, 0));
                self.diags.push(
                    Diagnostic::error(
                        format!(
                            "`{name}` is used as {} here but as {} on line {line}",
                            kind.name(),
                            f.kind.name()
                        ),
                        Some(span),
                    )
                    .label(format!("{} condition", kind.name())),
                );
                return None;
            }
            return Some(i);
        }
        self.fields.push(FieldSlot {
            name: name.to_string(),
            kind,
            first_use: span,
        });
        Some(self.fields.len() - 1)
    }

    /// The slot of a non-canonical field for `present(x)` / `x is missing`,
    /// which work on any kind: a presence test does not fix the field's kind
    /// (`present(arr)` in a filter and `arr > 10000` in a trait is fine).
    pub fn presence_slot(&mut self, name: &str, span: std::ops::Range<usize>) -> usize {
        if let Some(i) = self.fields.iter().position(|f| f.name == name) {
            return i;
        }
        self.fields.push(FieldSlot {
            name: name.to_string(),
            kind: Kind::Text,
            first_use: span,
        });
        self.presence_only.push(self.fields.len() - 1);
        self.fields.len() - 1
    }
}

/// For each byte of a TOML string's value, its byte offset in the file (plus
/// one entry for the end of the value), so expression spans map onto the file
/// even when the value has escapes (`\"`), CRLF line ends or a trimmed first
/// newline. `None` when the raw text does not decode to the value; the whole
/// string is underlined then.
fn string_body_map(src: &str, s: &Spanned<String>) -> Option<Vec<usize>> {
    let span = s.span();
    let raw = src.get(span.clone())?;
    let value = s.get_ref().as_str();
    let q = ["\"\"\"", "'''", "\"", "'"]
        .into_iter()
        .find(|q| raw.starts_with(q) && raw.ends_with(q) && raw.len() >= 2 * q.len())?;
    let (basic, multi) = (q.starts_with('"'), q.len() == 3);
    let mut body = &raw[q.len()..raw.len() - q.len()];
    let mut base = span.start + q.len();
    if multi {
        // A newline right after an opening triple quote is trimmed by TOML.
        let nl = if body.starts_with("\r\n") {
            2
        } else {
            usize::from(body.starts_with('\n'))
        };
        body = &body[nl..];
        base += nl;
    }
    let mut map = Vec::with_capacity(value.len() + 1);
    let (mut i, mut j) = (0, 0);
    while i < body.len() {
        let (rest, want) = (&body[i..], &value[j..]);
        if basic && rest.starts_with('\\') {
            let e = rest[1..].chars().next()?;
            let (decoded, len) = match e {
                'b' => ('\u{8}', 2),
                't' => ('\t', 2),
                'n' => ('\n', 2),
                'f' => ('\u{c}', 2),
                'r' => ('\r', 2),
                'e' => ('\u{1b}', 2),
                '"' => ('"', 2),
                '\\' => ('\\', 2),
                'x' | 'u' | 'U' => {
                    let n = match e {
                        'x' => 2,
                        'u' => 4,
                        _ => 8,
                    };
                    let hex = rest.get(2..2 + n)?;
                    (char::from_u32(u32::from_str_radix(hex, 16).ok()?)?, 2 + n)
                }
                c if multi && c.is_whitespace() => {
                    // A line-ending backslash drops the line end and the
                    // whitespace after it.
                    i += rest[1..]
                        .find(|c: char| !c.is_whitespace())
                        .map_or(rest.len(), |k| k + 1);
                    continue;
                }
                _ => return None,
            };
            if !want.starts_with(decoded) {
                return None;
            }
            map.extend(std::iter::repeat_n(base + i, decoded.len_utf8()));
            i += len;
            j += decoded.len_utf8();
        } else if multi
            && rest.starts_with("\r\n")
            && want.starts_with('\n')
            && !want.starts_with("\r\n")
        {
            map.push(base + i);
            i += 2;
            j += 1;
        } else {
            let c = rest.chars().next()?;
            if !want.starts_with(c) {
                return None;
            }
            map.extend((0..c.len_utf8()).map(|k| base + i + k));
            i += c.len_utf8();
            j += c.len_utf8();
        }
    }
    (j == value.len()).then(|| {
        map.push(base + i);
        map
    })
}
