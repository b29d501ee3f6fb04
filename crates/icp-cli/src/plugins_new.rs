//! `icp plugins new NAME`: a new dynamic plugin crate, copied from
//! plugins/example-dynamic with the names filled in.

use std::path::PathBuf;

use clap::Args;

use crate::{Failure, display};

#[derive(Args)]
pub struct NewArgs {
    /// The plugin's name as configs will say it (`plugin = "acme-data"`):
    /// lower-case letters, digits and dashes.
    pub name: String,
    /// Where to write the crate (default: plugins/NAME when ./plugins
    /// exists, else ./NAME).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Names a crate's library cannot have.
const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type",
    "unsafe", "use", "where", "while", "yield",
];

/// The example plugin's files, built into the binary.
const TEMPLATE: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        include_str!("../../../plugins/example-dynamic/Cargo.toml"),
    ),
    (
        "README.md",
        include_str!("../../../plugins/example-dynamic/README.md"),
    ),
    (
        "src/api.rs",
        include_str!("../../../plugins/example-dynamic/src/api.rs"),
    ),
    (
        "src/lib.rs",
        include_str!("../../../plugins/example-dynamic/src/lib.rs"),
    ),
    (
        "src/settings.rs",
        include_str!("../../../plugins/example-dynamic/src/settings.rs"),
    ),
    (
        "tests/abi.rs",
        include_str!("../../../plugins/example-dynamic/tests/abi.rs"),
    ),
    (
        "tests/common/mod.rs",
        include_str!("../../../plugins/example-dynamic/tests/common/mod.rs"),
    ),
    (
        "tests/conformance.rs",
        include_str!("../../../plugins/example-dynamic/tests/conformance.rs"),
    ),
    (
        "tests/parse.rs",
        include_str!("../../../plugins/example-dynamic/tests/parse.rs"),
    ),
    (
        "tests/plan.rs",
        include_str!("../../../plugins/example-dynamic/tests/plan.rs"),
    ),
    (
        "tests/settings.rs",
        include_str!("../../../plugins/example-dynamic/tests/settings.rs"),
    ),
    (
        "tests/fixtures/bulk/partial.json",
        include_str!("../../../plugins/example-dynamic/tests/fixtures/bulk/partial.json"),
    ),
    (
        "tests/fixtures/bulk/wrong_shape.json",
        include_str!("../../../plugins/example-dynamic/tests/fixtures/bulk/wrong_shape.json"),
    ),
    (
        "tests/fixtures/single/bad_request.json",
        include_str!("../../../plugins/example-dynamic/tests/fixtures/single/bad_request.json"),
    ),
    (
        "tests/fixtures/single/company.json",
        include_str!("../../../plugins/example-dynamic/tests/fixtures/single/company.json"),
    ),
    (
        "tests/fixtures/single/company_sparse.json",
        include_str!("../../../plugins/example-dynamic/tests/fixtures/single/company_sparse.json"),
    ),
    (
        "tests/fixtures/single/empty_company.json",
        include_str!("../../../plugins/example-dynamic/tests/fixtures/single/empty_company.json"),
    ),
    (
        "tests/fixtures/single/invalid_domain.json",
        include_str!("../../../plugins/example-dynamic/tests/fixtures/single/invalid_domain.json"),
    ),
    (
        "tests/fixtures/single/null_company.json",
        include_str!("../../../plugins/example-dynamic/tests/fixtures/single/null_company.json"),
    ),
    (
        "tests/fixtures/single/unknown.json",
        include_str!("../../../plugins/example-dynamic/tests/fixtures/single/unknown.json"),
    ),
    (
        "tests/fixtures/single/wrong_types.json",
        include_str!("../../../plugins/example-dynamic/tests/fixtures/single/wrong_types.json"),
    ),
];

/// Put the name where the example says `harbourline`: as is in text and
/// URLs, in snake_case inside identifiers (`..._harbourline_...`).
fn fill_name(text: &str, name: &str, snake: &str) -> String {
    const OLD: &str = "harbourline";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(OLD) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + OLD.len()..].chars().next();
        let in_ident = |c: Option<char>| c.is_some_and(|c| c == '_' || c.is_ascii_alphanumeric());
        out.push_str(&rest[..i]);
        out.push_str(if in_ident(before) || in_ident(after) {
            snake
        } else {
            name
        });
        rest = &rest[i + OLD.len()..];
    }
    out.push_str(rest);
    out
}

pub fn new(args: NewArgs) -> Result<u8, Failure> {
    let name = args.name.trim();
    let valid = !name.is_empty()
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-')
        && !name.contains("--")
        && !RUST_KEYWORDS.contains(&name.replace('-', "_").as_str());
    if !valid {
        return Err(Failure::usage(format!(
            "`{name}` is not a plugin name: use lower-case letters, digits and single dashes, starting with a letter, and not a Rust keyword (e.g. acme-data)"
        )));
    }
    let dir = args.dir.unwrap_or_else(|| {
        if std::path::Path::new("plugins").is_dir() {
            PathBuf::from("plugins").join(name)
        } else {
            PathBuf::from(name)
        }
    });
    if dir.exists() {
        return Err(Failure::usage(format!(
            "{} already exists: choose another --dir",
            display(&dir)
        )));
    }
    let snake = name.replace('-', "_");
    let camel: String = name
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    let fill = |text: &str| {
        let text = text
            .replace("icp-plugin-example-dynamic", &format!("icp-plugin-{name}"))
            .replace("icp_example_dynamic", &snake)
            .replace("plugins/example-dynamic", &display(&dir))
            .replace("Harbourline", &camel);
        fill_name(&text, name, &snake)
    };
    for (path, text) in TEMPLATE {
        let to = dir.join(path);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Failure::fatal(format!("cannot create {}: {e}", display(parent))))?;
        }
        std::fs::write(&to, fill(text))
            .map_err(|e| Failure::fatal(format!("cannot write {}: {e}", display(&to))))?;
    }
    println!(
        "wrote the plugin crate `icp-plugin-{name}` to {}:\n  \
         1. describe your provider's API in src/api.rs and map its fields in src/lib.rs\n  \
         2. cargo test -p icp-plugin-{name}\n  \
         3. cargo build --release -p icp-plugin-{name}, then icp plugins check target/release/{}{snake}{}\n\
         The guide: docs/plugins.md. Outside the icp workspace, replace the `workspace = true` dependencies as its Cargo.toml says.",
        display(&dir),
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX,
    );
    Ok(0)
}
