//! `icp size`: TAM / SAM / SOM counts and value of an account file.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use icp_analytics::size::{
    Acv, AcvFormula, AcvTable, Market, MarketSize, Sizer, formula_number, money,
};
use icp_core::fields::column_for;
use icp_core::value::{Kind, parse_as};
use icp_core::{Entity, RecordBuilder, Scored};
use icp_io::read::{Row, TableReader};
use icp_key::KeyColumns;

use crate::summary::group;
use crate::{AsOfArg, Failure, InputArgs, display, profile_cmd};

/// How accounts are valued (`icp size`, `icp report`).
#[derive(Args, Clone, Default)]
pub struct AcvArgs {
    /// Annual contract value per tier, e.g. `1=50000,2=20000,3=5000`
    /// (`excluded=` values the accounts outside the SAM; default the tier-3
    /// ACV). Default: the profile's `[acv]` table.
    #[arg(long, value_name = "TIER=VALUE,...", conflicts_with = "acv_formula")]
    pub acv: Option<String>,
    /// Annual contract value from each account's fields instead, e.g.
    /// `employees * 12 * 25` (a seat price); accounts missing a field are
    /// counted as unvalued.
    #[arg(long, value_name = "EXPR")]
    pub acv_formula: Option<String>,
}

impl AcvArgs {
    /// `--acv`, else `--acv-formula`, else the profile's `[acv]` table.
    pub fn resolve(
        &self,
        profile: &icp_core::Profile,
        profile_path: &std::path::Path,
    ) -> Result<Option<Acv>, Failure> {
        if let Some(spec) = &self.acv {
            return AcvTable::parse(spec)
                .map(|t| Some(Acv::PerTier(t)))
                .map_err(|e| Failure::usage(format!("--acv: {e}")));
        }
        if let Some(formula) = &self.acv_formula {
            return AcvFormula::parse(formula)
                .map(|f| Some(Acv::Formula(Box::new(f))))
                .map_err(|e| Failure::usage(format!("--acv-formula: {e}")));
        }
        AcvTable::from_profile(&profile.acv)
            .map(|t| t.map(Acv::PerTier))
            .map_err(|e| Failure::usage(format!("{}: [acv]: {e}", display(profile_path))))
    }
}

#[derive(Args)]
pub struct SizeArgs {
    /// Accounts: CSV, JSONL or XLSX (a CRM export, or the output of
    /// `icp enrich`).
    pub input: PathBuf,
    /// Profile file (TOML): its filters make the SAM, its tier 1 the SOM.
    #[arg(long, short = 'p', value_name = "FILE")]
    pub profile: PathBuf,
    #[command(flatten)]
    pub acv: AcvArgs,
    /// The account key column when it is not one of the usual ones; rows
    /// with one key are counted once.
    #[arg(long, value_name = "HEADER")]
    pub key_column: Option<String>,
    /// Also write the figures as JSON.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    #[command(flatten)]
    pub as_of: AsOfArg,
    #[command(flatten)]
    pub read: InputArgs,
}

/// What `--json` writes.
#[derive(serde::Serialize)]
struct SizeSummary<'a> {
    input: String,
    profile: &'a str,
    as_of: String,
    rows_read: u64,
    rows_skipped: u64,
    duplicates_merged: u64,
    #[serde(flatten)]
    market: &'a MarketSize,
    skipped: &'a [serde_json::Value],
}

const MAX_SKIPPED: usize = 1000;

pub fn run(args: SizeArgs) -> Result<u8, Failure> {
    let as_of = args.as_of.date();
    let (profile, _) = profile_cmd::load(&args.profile, as_of, true)?;
    let acv = args.acv.resolve(&profile, &args.profile)?;
    let mut reader = TableReader::open(&args.input, &args.read.read_options()?)
        .map_err(|e| Failure::usage(e.to_string()))?;
    let headers = reader.headers().to_vec();
    let builder = RecordBuilder::new(&profile, &headers);

    // The formula's fields, by column.
    let formula_columns: Vec<usize> = match &acv {
        Some(Acv::Formula(f)) => f
            .fields()
            .iter()
            .map(|field| {
                column_for(&headers, field).ok_or_else(|| {
                    Failure::usage(format!(
                        "the ACV formula reads `{field}` but {} has no such column (columns: {}); use a column's name in snake_case",
                        display(&args.input),
                        headers.join(", ")
                    ))
                })
            })
            .collect::<Result<_, _>>()?,
        _ => Vec::new(),
    };
    // Accounts are counted once per key; members and key-less files by row.
    let keys = (profile.entity == Entity::Account)
        .then(|| KeyColumns::detect(&headers, args.key_column.as_deref()))
        .filter(|k| k.check().is_ok() || args.key_column.is_some());
    if let Some(k) = &keys {
        k.check()
            .map_err(|e| Failure::usage(format!("{}: {e}", display(&args.input))))?;
    }

    let mut sizer = Sizer::new(acv.as_ref());
    let mut seen: HashSet<String> = HashSet::new();
    let (mut rows_read, mut rows_skipped, mut duplicates) = (0u64, 0u64, 0u64);
    let mut skipped: Vec<serde_json::Value> = Vec::new();
    let mut skip = |line: u64, reason: String| {
        if skipped.len() < MAX_SKIPPED {
            skipped.push(serde_json::json!({ "line": line, "reason": reason }));
        }
    };
    let mut row = Row::default();
    let mut record = Vec::new();
    let mut scored = Scored::default();
    let mut values = vec![None; formula_columns.len()];
    loop {
        match reader.read_row(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                rows_read += 1;
                rows_skipped += 1;
                skip(e.line, e.reason.clone());
                if e.fatal {
                    break;
                }
                continue;
            }
        }
        rows_read += 1;
        if let Some(k) = &keys {
            match k.key_for(&row.values) {
                Ok(d) => {
                    if !seen.insert(d.name) {
                        duplicates += 1;
                        continue;
                    }
                }
                Err(e) if e.is_file_level() => {
                    return Err(Failure::usage(format!("{}: {e}", display(&args.input))));
                }
                // A row without a company key is still a company: counted
                // by itself.
                Err(_) => {}
            }
        }
        builder.build(&row.values, &mut record);
        profile.score_into(&record, &mut scored);
        let value = match &acv {
            None => None,
            Some(Acv::PerTier(table)) => table.for_tier(scored.tier),
            Some(Acv::Formula(f)) => {
                for (slot, &col) in values.iter_mut().zip(&formula_columns) {
                    let cell = row.values.get(col).map_or("", String::as_str);
                    *slot = formula_number(&parse_as(Kind::Number, cell));
                }
                f.eval(&values)
            }
        };
        sizer.add(scored.tier, value);
    }
    let market = sizer.finish();

    print!(
        "{}",
        render(
            &profile.name,
            &args,
            &market,
            rows_read,
            rows_skipped,
            duplicates,
            &skipped
        )
    );
    if let Some(path) = &args.json {
        let summary = SizeSummary {
            input: display(&args.input),
            profile: &profile.name,
            as_of: as_of.to_string(),
            rows_read,
            rows_skipped,
            duplicates_merged: duplicates,
            market: &market,
            skipped: &skipped,
        };
        let text = serde_json::to_string_pretty(&summary).expect("the summary serialises");
        std::fs::write(path, text + "\n")
            .map_err(|e| Failure::fatal(format!("cannot write {}: {e}", display(path))))?;
    }
    Ok(0)
}

fn render(
    profile: &str,
    args: &SizeArgs,
    m: &MarketSize,
    rows_read: u64,
    rows_skipped: u64,
    duplicates: u64,
    skipped: &[serde_json::Value],
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Market size for {profile} ({})", display(&args.input));
    let _ = write!(out, "  {} read", plural(rows_read, "row"));
    if duplicates > 0 {
        let _ = write!(out, ", {} counted once", plural(duplicates, "duplicate"));
    }
    if rows_skipped > 0 {
        let _ = write!(out, ", {} skipped", plural(rows_skipped, "unreadable row"));
    }
    out.push('\n');
    for s in skipped.iter().take(3) {
        let _ = writeln!(
            out,
            "    line {}: {}",
            s["line"],
            s["reason"].as_str().unwrap_or("")
        );
    }
    match &m.acv {
        Some(rule) => {
            let _ = writeln!(out, "  valued at {rule}");
        }
        None => out.push_str(
            "  no ACV: pass --acv 1=50000,2=20000,3=5000 or --acv-formula, or add [acv] to the profile, for values\n",
        ),
    }
    out.push('\n');
    let valued = m.acv.is_some();
    let _ = write!(out, "  {:<24} {:>10}  {:>6}", "", "accounts", "share");
    if valued {
        let _ = write!(out, "  {:>16}", "value");
    }
    out.push('\n');
    let line = |out: &mut String, name: &str, x: &Market| {
        let share = if m.tam.accounts == 0 {
            0.0
        } else {
            100.0 * x.accounts as f64 / m.tam.accounts as f64
        };
        let _ = write!(out, "  {name:<24} {:>10}  {share:>5.1}%", group(x.accounts));
        if valued {
            let _ = write!(out, "  {:>16}", x.value.map_or("-".to_owned(), money));
            if x.unvalued > 0 {
                let _ = write!(
                    out,
                    "  ({} not valued: a formula field is missing)",
                    group(x.unvalued)
                );
            }
        }
        out.push('\n');
    };
    line(&mut out, "TAM (all accounts)", &m.tam);
    line(&mut out, "SAM (pass the filters)", &m.sam);
    line(&mut out, "SOM (tier 1)", &m.som);
    out.push('\n');
    for (key, name) in [
        ("1", "tier 1"),
        ("2", "tier 2"),
        ("3", "tier 3"),
        ("excluded", "excluded"),
    ] {
        if let Some(x) = m.tiers.get(key) {
            line(&mut out, name, x);
        }
    }
    out
}

fn plural(n: u64, what: &str) -> String {
    format!("{} {what}{}", group(n), if n == 1 { "" } else { "s" })
}
