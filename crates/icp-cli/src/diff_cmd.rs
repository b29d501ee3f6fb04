//! `icp diff RUN_A RUN_B`: the accounts that changed tier between two runs,
//! and the traits that fired only in one of them.
//!
//! Both runs' results are read page by page in (profile, key) order and
//! merged, so memory holds one page of each plus the changed accounts.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::PathBuf;

use clap::Args;
use icp_io::read::Format;
use icp_io::write::TableWriter;
use icp_store::{RunScore, SqliteStore, Store};

use crate::runs_cmd::{StoreArgs, find_run, runtime};
use crate::summary::group;
use crate::{Failure, display};

#[derive(Args)]
pub struct DiffArgs {
    /// The earlier run's id (see `icp runs`).
    pub run_a: i64,
    /// The later run's id.
    pub run_b: i64,
    /// Compare this profile's results only (default: every profile both
    /// runs scored).
    #[arg(long, short = 'p', value_name = "NAME")]
    pub profile: Option<String>,
    /// Write every change to this file (.csv or .jsonl).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Changes shown in the table, largest score change first.
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub top: usize,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Results read per store call.
const PAGE: usize = 5000;

/// The tiers in matrix order.
const TIERS: [&str; 4] = ["1", "2", "3", "excluded"];

/// One account whose tier changed.
#[derive(Debug)]
struct Change {
    profile: String,
    key: String,
    tier_a: String,
    tier_b: String,
    score_a: i64,
    score_b: i64,
    lost: Vec<String>,
    gained: Vec<String>,
}

/// The names of the traits in a reasons text (`name (+3); name (-5)`).
pub fn trait_names(reasons: &str) -> BTreeSet<String> {
    reasons
        .split("; ")
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| match r.rfind(" (") {
            Some(i) if r.ends_with(')') => r[..i].to_string(),
            _ => r.to_string(),
        })
        .collect()
}

/// A run's results in (profile, key) order, a page at a time.
struct Pages<'a> {
    store: &'a SqliteStore,
    run: i64,
    profile: Option<&'a str>,
    buf: VecDeque<RunScore>,
    after: Option<(String, String)>,
    done: bool,
}

impl<'a> Pages<'a> {
    fn new(store: &'a SqliteStore, run: i64, profile: Option<&'a str>) -> Self {
        Pages {
            store,
            run,
            profile,
            buf: VecDeque::new(),
            after: None,
            done: false,
        }
    }

    async fn peek(&mut self) -> Result<Option<&RunScore>, Failure> {
        if self.buf.is_empty() && !self.done {
            let after = self.after.as_ref().map(|(p, k)| (p.as_str(), k.as_str()));
            let page = self
                .store
                .run_scores(self.run, self.profile, after, PAGE)
                .await
                .map_err(|e| Failure::fatal(e.to_string()))?;
            self.done = page.len() < PAGE;
            if let Some(last) = page.last() {
                self.after = Some((last.profile.clone(), last.key.clone()));
            }
            self.buf.extend(page);
        }
        Ok(self.buf.front())
    }

    fn pop(&mut self) -> Option<RunScore> {
        self.buf.pop_front()
    }
}

#[derive(Default)]
struct Diff {
    both: u64,
    only_a: u64,
    only_b: u64,
    /// (tier in A, tier in B) -> accounts, over accounts in both.
    transitions: BTreeMap<(String, String), u64>,
    changes: Vec<Change>,
    profiles: BTreeSet<String>,
}

async fn compare(
    store: &SqliteStore,
    a: i64,
    b: i64,
    profile: Option<&str>,
) -> Result<Diff, Failure> {
    let mut pa = Pages::new(store, a, profile);
    let mut pb = Pages::new(store, b, profile);
    let mut d = Diff::default();
    loop {
        let ka = pa.peek().await?.map(|s| (s.profile.clone(), s.key.clone()));
        let kb = pb.peek().await?.map(|s| (s.profile.clone(), s.key.clone()));
        match (ka, kb) {
            (None, None) => break,
            (Some(_), None) => {
                pa.pop();
                d.only_a += 1;
            }
            (None, Some(_)) => {
                pb.pop();
                d.only_b += 1;
            }
            (Some(x), Some(y)) if x < y => {
                pa.pop();
                d.only_a += 1;
            }
            (Some(x), Some(y)) if x > y => {
                pb.pop();
                d.only_b += 1;
            }
            (Some(_), Some(_)) => {
                let (Some(sa), Some(sb)) = (pa.pop(), pb.pop()) else {
                    break;
                };
                d.both += 1;
                d.profiles.insert(sa.profile.clone());
                *d.transitions
                    .entry((sa.tier.clone(), sb.tier.clone()))
                    .or_default() += 1;
                if sa.tier != sb.tier {
                    let ta = trait_names(&sa.reasons);
                    let tb = trait_names(&sb.reasons);
                    d.changes.push(Change {
                        lost: ta.difference(&tb).cloned().collect(),
                        gained: tb.difference(&ta).cloned().collect(),
                        profile: sa.profile,
                        key: sa.key,
                        tier_a: sa.tier,
                        tier_b: sb.tier,
                        score_a: sa.score,
                        score_b: sb.score,
                    });
                }
            }
        }
    }
    // Largest score change first; ties by account.
    d.changes.sort_by(|x, y| {
        (y.score_b - y.score_a)
            .abs()
            .cmp(&(x.score_b - x.score_a).abs())
            .then_with(|| (&x.profile, &x.key).cmp(&(&y.profile, &y.key)))
    });
    Ok(d)
}

pub fn run(args: DiffArgs) -> Result<u8, Failure> {
    let store = args.store.open()?;
    let rt = runtime()?;
    let ra = find_run(&rt, &store, args.run_a)?;
    let rb = find_run(&rt, &store, args.run_b)?;
    let profile = args.profile.as_deref();
    for id in [ra.id, rb.id] {
        let any = rt
            .block_on(store.run_scores(id, None, None, 1))
            .map_err(|e| Failure::fatal(e.to_string()))?;
        if any.is_empty() {
            return Err(Failure::usage(format!(
                "run {id} has no stored scores: it ran before icp recorded results per account, was a dry run, or did not finish; run `icp enrich` again to compare"
            )));
        }
        if let Some(p) = profile {
            let some = rt
                .block_on(store.run_scores(id, Some(p), None, 1))
                .map_err(|e| Failure::fatal(e.to_string()))?;
            if some.is_empty() {
                return Err(Failure::usage(format!(
                    "run {id} has no scores for profile `{p}` (it scored `{}`)",
                    any[0].profile
                )));
            }
        }
    }
    let d = rt.block_on(compare(&store, ra.id, rb.id, profile))?;
    if let Some(out) = &args.out {
        write_changes(out, &d.changes)?;
    }
    print!(
        "{}",
        render(&d, &ra, &rb, args.top, args.out.as_deref().map(display))
    );
    Ok(0)
}

fn write_changes(path: &std::path::Path, changes: &[Change]) -> Result<(), Failure> {
    let headers: Vec<String> = [
        "profile",
        "key",
        "tier_before",
        "tier_after",
        "score_before",
        "score_after",
        "score_change",
        "traits_lost",
        "traits_gained",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let format = Format::from_path(path).map_err(|e| Failure::usage(e.to_string()))?;
    let mut w = TableWriter::create_as(path, format, &headers)
        .map_err(|e| Failure::fatal(e.to_string()))?;
    w.set_numeric_columns(&[4, 5, 6]);
    for c in changes {
        let cells = [
            c.profile.clone(),
            c.key.clone(),
            c.tier_a.clone(),
            c.tier_b.clone(),
            c.score_a.to_string(),
            c.score_b.to_string(),
            (c.score_b - c.score_a).to_string(),
            c.lost.join("; "),
            c.gained.join("; "),
        ];
        w.write_row(cells.iter().map(String::as_str))
            .map_err(|e| Failure::fatal(e.to_string()))?;
    }
    w.finish().map_err(|e| Failure::fatal(e.to_string()))
}

fn render(
    d: &Diff,
    ra: &icp_store::RunRecord,
    rb: &icp_store::RunRecord,
    top: usize,
    out: Option<String>,
) -> String {
    let mut s = format!(
        "run {} (as of {}) -> run {} (as of {})\n",
        ra.id, ra.as_of, rb.id, rb.as_of
    );
    let line = |s: &mut String, label: &str, v: u64| {
        s.push_str(&format!("  {label:<20}{:>10}\n", group(v)));
    };
    line(&mut s, "in both", d.both);
    line(&mut s, "changed tier", d.changes.len() as u64);
    line(&mut s, &format!("only in run {}", ra.id), d.only_a);
    line(&mut s, &format!("only in run {}", rb.id), d.only_b);
    // The matrix: rows are run A's tiers, columns run B's.
    let mut tiers: Vec<&str> = TIERS.to_vec();
    for (a, b) in d.transitions.keys() {
        for t in [a, b] {
            if !tiers.contains(&t.as_str()) {
                tiers.push(t);
            }
        }
    }
    s.push_str(&format!(
        "tier transitions (rows: run {}, columns: run {})\n  {:<10}",
        ra.id, rb.id, ""
    ));
    for t in &tiers {
        s.push_str(&format!("{t:>9}"));
    }
    s.push('\n');
    for a in &tiers {
        s.push_str(&format!("  {a:<10}"));
        for b in &tiers {
            let n = d
                .transitions
                .get(&(a.to_string(), b.to_string()))
                .copied()
                .unwrap_or(0);
            s.push_str(&format!("{:>9}", group(n)));
        }
        s.push('\n');
    }
    if d.changes.is_empty() {
        s.push_str("no account changed tier\n");
        return s;
    }
    let several = d.profiles.len() > 1;
    let shown = d.changes.len().min(top);
    s.push_str(&format!(
        "changed tier ({shown} of {}, largest score change first)\n",
        d.changes.len()
    ));
    let key_width = d
        .changes
        .iter()
        .take(shown)
        .map(|c| c.key.chars().count())
        .max()
        .unwrap_or(0)
        .max(7);
    s.push_str(&format!(
        "  {}{:<key_width$}  {:<16}  {:<12}  {}\n",
        if several { "profile  " } else { "" },
        "account",
        "tier",
        "score",
        "lost | gained"
    ));
    for c in d.changes.iter().take(shown) {
        let fmt = |v: &[String], sign: char| {
            v.iter()
                .map(|n| format!("{sign}{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let traits = [fmt(&c.lost, '-'), fmt(&c.gained, '+')]
            .into_iter()
            .filter(|x| !x.is_empty())
            .collect::<Vec<_>>()
            .join(" | ");
        s.push_str(
            format!(
                "  {}{:<key_width$}  {:<16}  {:<12}  {}",
                if several {
                    format!("{}  ", c.profile)
                } else {
                    String::new()
                },
                c.key,
                format!("{} -> {}", c.tier_a, c.tier_b),
                format!("{} -> {}", c.score_a, c.score_b),
                traits
            )
            .trim_end(),
        );
        s.push('\n');
    }
    if let Some(out) = out {
        s.push_str(&format!("every change written to {out}\n"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::trait_names;

    #[test]
    fn trait_names_come_from_reasons_text() {
        let names = trait_names("Enterprise size (+30); Recent intent (+12); Tiny (-5)");
        let v: Vec<&str> = names.iter().map(String::as_str).collect();
        assert_eq!(v, ["Enterprise size", "Recent intent", "Tiny"]);
        assert!(trait_names("").is_empty());
        // A name with parentheses of its own keeps them.
        let n = trait_names("Uses AI (LLM) (+5)");
        assert!(n.contains("Uses AI (LLM)"), "{n:?}");
    }
}
