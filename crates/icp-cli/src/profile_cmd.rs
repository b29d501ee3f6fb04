//! `icp profile check`.

use std::path::PathBuf;

use clap::Args;
use icp_core::{Profile, RecordBuilder};

use crate::{AsOfArg, Failure, InputArgs, diagnostics, display};

#[derive(Args)]
pub struct CheckArgs {
    /// The profile file (TOML).
    pub file: PathBuf,
    /// Also warn on fields that no column of this input file provides.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Also warn on fields that no source of this run config provides
    /// (with `--input`, the file's columns count too).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Exit with code 2 when there are warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    #[command(flatten)]
    pub read: InputArgs,
}

/// Read and compile a profile, printing its diagnostics; errors fail with
/// exit code 2.
pub fn load(
    path: &std::path::Path,
    as_of: chrono::NaiveDate,
    quiet_warnings: bool,
) -> Result<(Profile, usize), Failure> {
    let src = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("cannot read profile {}: {e}", display(path))))?;
    let loaded = icp_core::load(&src, icp_core::day_number(as_of));
    let shown: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error() || !quiet_warnings)
        .cloned()
        .collect();
    diagnostics::emit(&display(path), &src, &shown);
    let warnings = loaded.diagnostics.iter().filter(|d| !d.is_error()).count();
    match loaded.profile {
        Some(p) => Ok((p, warnings)),
        None => {
            let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
            Err(Failure::usage(format!(
                "profile {} has {errors} error{}; fix {} and run again (`icp profile check {}`)",
                display(path),
                if errors == 1 { "" } else { "s" },
                if errors == 1 { "it" } else { "them" },
                display(path)
            )))
        }
    }
}

pub fn check(args: CheckArgs) -> Result<u8, Failure> {
    let as_of = AsOfArg { as_of: None }.date();
    let (profile, mut warnings) = load(&args.file, as_of, false)?;
    if args.input.is_some() || args.config.is_some() {
        let mut provided: Vec<String> = Vec::new();
        if let Some(input) = &args.input {
            let reader = icp_io::read::TableReader::open(input, &args.read.read_options()?)
                .map_err(|e| Failure::usage(e.to_string()))?;
            let builder = RecordBuilder::new(&profile, reader.headers());
            let absent = builder.absent_fields();
            provided.extend(
                profile
                    .fields
                    .iter()
                    .map(|f| f.name.clone())
                    .filter(|f| !absent.contains(&f.as_str())),
            );
            // The columns by the names conditions use: candidates for a typo.
            provided.extend(
                reader
                    .headers()
                    .iter()
                    .map(|h| icp_core::fields::snake_case(h)),
            );
        }
        if let Some(config) = &args.config {
            let cfg =
                icp_engine::Config::load(config).map_err(|e| Failure::usage(e.to_string()))?;
            provided.extend(
                icp_engine::registry::provided_fields(&cfg)
                    .map_err(|e| Failure::usage(format!("{}: {e}", display(config))))?,
            );
        }
        let checked = match (&args.input, &args.config) {
            (Some(input), Some(_)) => {
                format!("column of {} and no configured source", display(input))
            }
            (Some(input), None) => format!("column of {}", display(input)),
            _ => "configured source".to_string(),
        };
        let diags = icp_core::lint_provided(&profile, &provided, &checked);
        let src = std::fs::read_to_string(&args.file).unwrap_or_default();
        diagnostics::emit(&display(&args.file), &src, &diags);
        warnings += diags.len();
    }
    let (min, max) = profile.score_bounds();
    let fit = profile
        .traits
        .iter()
        .filter(|t| t.axis == icp_core::Axis::Fit)
        .count();
    println!(
        "{}: profile `{}` ({}) is valid: {} filter{}, {} trait{} ({fit} fit, {} intent), scores {min}..{max}, tier 1 at {} and tier 2 at {}; {warnings} warning{}",
        display(&args.file),
        profile.name,
        if profile.entity == icp_core::Entity::Member {
            "member"
        } else {
            "account"
        },
        profile.filters.len(),
        plural(profile.filters.len()),
        profile.traits.len(),
        plural(profile.traits.len()),
        profile.traits.len() - fit,
        profile.tiers.tier1,
        profile.tiers.tier2,
        plural(warnings),
    );
    Ok(if args.deny_warnings && warnings > 0 {
        2
    } else {
        0
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
