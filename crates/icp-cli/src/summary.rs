//! The end-of-run summary: printed for people, written as JSON for scripts.

use std::collections::BTreeMap;

pub use icp_analytics::fmt::group;
use icp_core::{Profile, Scored, Tier};
use serde::Serialize;

/// Skipped rows kept in the summary; the rejects file has them all.
const MAX_SKIPPED: usize = 1000;

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Skipped {
    pub line: u64,
    pub reason: String,
}

/// Counts for one profile over the accounts scored.
#[derive(Serialize, Default, Debug, Clone)]
pub struct ProfileCounts {
    /// All accounts scored (the total addressable market of this list).
    pub tam: u64,
    /// Accounts passing every filter.
    pub sam: u64,
    /// Tier 1: what can be won now.
    pub som: u64,
    pub tiers: BTreeMap<&'static str, u64>,
    /// Accounts removed per filter name.
    pub excluded_by: BTreeMap<String, u64>,
    /// Accounts kept although a filter could not be evaluated, per filter.
    pub unknown_filters: BTreeMap<String, u64>,
    /// Mean share of trait weight that could be evaluated.
    pub mean_coverage: f64,
    #[serde(skip)]
    coverage_sum: f64,
}

impl ProfileCounts {
    pub fn new() -> Self {
        ProfileCounts {
            tiers: Tier::ALL.iter().map(|t| (t.as_str(), 0)).collect(),
            ..Default::default()
        }
    }

    pub fn add(&mut self, profile: &Profile, s: &Scored) {
        self.tam += 1;
        *self.tiers.entry(s.tier.as_str()).or_default() += 1;
        match profile.excluded_by_name(s) {
            Some(name) => bump(&mut self.excluded_by, name),
            None => self.sam += 1,
        }
        if s.tier == Tier::One {
            self.som += 1;
        }
        for &i in &s.unknown_filters {
            bump(&mut self.unknown_filters, &profile.filters[i].name);
        }
        self.coverage_sum += s.coverage;
        self.mean_coverage = round2(self.coverage_sum / self.tam as f64);
    }
}

/// `counts[name] += 1`, allocating the key only the first time.
fn bump(counts: &mut BTreeMap<String, u64>, name: &str) {
    match counts.get_mut(name) {
        Some(n) => *n += 1,
        None => {
            counts.insert(name.to_string(), 1);
        }
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[derive(Serialize, Debug)]
pub struct Summary {
    pub input: String,
    pub output: String,
    pub as_of: String,
    pub rows_read: u64,
    pub rows_skipped: u64,
    #[serde(flatten)]
    pub first: ProfileCounts,
    pub skipped: Vec<Skipped>,
    pub skipped_truncated: bool,
    /// Where the skipped rows were written, if any were.
    pub rejects: Option<String>,
    /// Per profile when several were scored (the top-level counts are the
    /// first profile's).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub profiles: BTreeMap<String, ProfileCounts>,
    /// Columns with cells that could not be read as the number or date
    /// their field needs (missing for scoring).
    pub unread: Vec<UnreadColumn>,
    pub seconds: f64,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct UnreadColumn {
    pub field: String,
    pub column: String,
    /// `number` or `date`.
    pub expected: &'static str,
    pub count: u64,
    /// One such cell (the smallest, so runs agree whatever thread read it).
    pub example: String,
}

impl Summary {
    pub fn new(input: String, output: String, as_of: String) -> Summary {
        Summary {
            input,
            output,
            as_of,
            rows_read: 0,
            rows_skipped: 0,
            first: ProfileCounts::new(),
            skipped: Vec::new(),
            skipped_truncated: false,
            rejects: None,
            profiles: BTreeMap::new(),
            unread: Vec::new(),
            seconds: 0.0,
        }
    }

    /// Sets `unread` from each worker's unread cells per profile: a
    /// column's counts add up over workers; over profiles, which read the
    /// same cells, the largest count is kept.
    pub fn set_unread(&mut self, workers: Vec<Vec<Vec<icp_core::Unread>>>) {
        type Key<'a> = (&'a str, &'a str, &'static str);
        let mut per: BTreeMap<(usize, Key), (u64, &str)> = BTreeMap::new();
        for profiles in &workers {
            for (k, list) in profiles.iter().enumerate() {
                for u in list {
                    let key = (u.field.as_str(), u.column.as_str(), u.kind.name());
                    let e = per.entry((k, key)).or_insert((0, u.example.as_str()));
                    e.0 += u.count;
                    e.1 = e.1.min(u.example.as_str());
                }
            }
        }
        let mut merged: BTreeMap<Key, (u64, &str)> = BTreeMap::new();
        for ((_, key), (count, example)) in per {
            let e = merged.entry(key).or_insert((0, example));
            e.0 = e.0.max(count);
            e.1 = e.1.min(example);
        }
        self.unread = merged
            .into_iter()
            .map(
                |((field, column, expected), (count, example))| UnreadColumn {
                    field: field.to_string(),
                    column: column.to_string(),
                    expected,
                    count,
                    example: example.to_string(),
                },
            )
            .collect();
    }

    pub fn skip(&mut self, line: u64, reason: &str) {
        self.rows_skipped += 1;
        if self.skipped.len() < MAX_SKIPPED {
            self.skipped.push(Skipped {
                line,
                reason: reason.to_string(),
            });
        } else {
            self.skipped_truncated = true;
        }
    }

    /// The summary as people read it.
    pub fn render(&self, profile_names: &[String]) -> String {
        let mut out = String::new();
        let n = |x: u64| group(x);
        let line = |out: &mut String, label: &str, value: String, note: &str| {
            out.push_str(format!("  {label:<16}{value:>12}  {note}").trim_end());
            out.push('\n');
        };
        out.push_str(&format!(
            "{} -> {} (as of {})\n",
            self.input, self.output, self.as_of
        ));
        line(&mut out, "rows read", n(self.rows_read), "");
        let skipped_note = match &self.rejects {
            Some(r) => format!("see {r}"),
            None => String::new(),
        };
        line(
            &mut out,
            "rows skipped",
            n(self.rows_skipped),
            &skipped_note,
        );
        let sections: Vec<(&str, &ProfileCounts)> = if self.profiles.is_empty() {
            vec![(
                profile_names.first().map_or("", String::as_str),
                &self.first,
            )]
        } else {
            profile_names
                .iter()
                .filter_map(|p| self.profiles.get(p).map(|c| (p.as_str(), c)))
                .collect()
        };
        for (name, c) in sections {
            out.push_str(&format!("profile {name}\n"));
            line(&mut out, "TAM", n(c.tam), "all accounts scored");
            line(&mut out, "SAM", n(c.sam), "passing the filters");
            for t in ["1", "2", "3", "excluded"] {
                let note = if t == "1" { "SOM" } else { "" };
                let label = if t == "excluded" {
                    "excluded".to_string()
                } else {
                    format!("tier {t}")
                };
                line(
                    &mut out,
                    &label,
                    n(c.tiers.get(t).copied().unwrap_or(0)),
                    note,
                );
            }
            line(
                &mut out,
                "mean coverage",
                format!("{:.2}", c.mean_coverage),
                "share of trait weight with data",
            );
            if !c.excluded_by.is_empty() {
                out.push_str("  excluded by\n");
                let mut v: Vec<_> = c.excluded_by.iter().collect();
                v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                for (f, k) in v {
                    out.push_str(&format!("    {:>10}  {f}\n", n(*k)));
                }
            }
            if !c.unknown_filters.is_empty() {
                out.push_str("  kept although a filter lacked data\n");
                for (f, k) in &c.unknown_filters {
                    out.push_str(&format!("    {:>10}  {f}\n", n(*k)));
                }
            }
        }
        if !self.unread.is_empty() {
            out.push_str("values not read (missing for scoring)\n");
            for u in &self.unread {
                out.push_str(&format!(
                    "  {:>10}  {} in column '{}', e.g. {:?}: not a {}\n",
                    n(u.count),
                    u.field,
                    u.column,
                    u.example,
                    u.expected
                ));
            }
        }
        if !self.skipped.is_empty() {
            out.push_str("skipped rows\n");
            for s in self.skipped.iter().take(10) {
                out.push_str(&format!("  line {}: {}\n", s.line, s.reason));
            }
            if self.rows_skipped > 10 {
                out.push_str(&format!("  ... and {} more\n", n(self.rows_skipped - 10)));
            }
        }
        out
    }
}
