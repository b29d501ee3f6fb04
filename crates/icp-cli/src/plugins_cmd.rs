//! `icp plugins list` and `icp plugins check`.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use icp_engine::Config;
use icp_engine::dynamic::DynamicPlan;
use icp_engine::http::{Budget, HttpPolicy, PlanSource};
use icp_engine::limiter::{DEFAULT_MARGIN, Limiter};
use icp_engine::registry::{BUILTIN, Built, build, build_configured};
use icp_engine::stats::SourceStats;
use icp_plugin_sdk::{Account, Manifest, Outcome, Plan, Source};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::{Failure, display};

#[derive(Args)]
pub struct ListArgs {
    /// Also list the sources of this run config and the libraries in its
    /// `plugins_dir`.
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Args)]
pub struct CheckArgs {
    /// The plugin's shared library (.so, .dylib, .dll).
    pub library: PathBuf,
    /// The plugin's settings as JSON, e.g. '{"bulk": false}'; `base_url`
    /// is pointed at a local mock server for the live checks.
    #[arg(long, value_name = "JSON", default_value = "{}")]
    pub settings: String,
    /// The account key the live checks look up.
    #[arg(long, default_value = "example.com")]
    pub key: String,
}

fn describe(m: &Manifest) -> String {
    let fields: Vec<&str> = m.fields.iter().map(|f| f.name.as_str()).collect();
    format!(
        "{} {} ({}, key {}, batch {}): {}",
        m.name,
        m.version,
        format!("{:?}", m.category).to_lowercase(),
        m.key,
        m.max_batch,
        fields.join(", ")
    )
}

pub fn list(args: ListArgs) -> Result<u8, Failure> {
    println!("built in (icp {}):", env!("CARGO_PKG_VERSION"));
    let here = std::env::current_dir().unwrap_or_default();
    for name in BUILTIN {
        // Sources that need settings (a file, a preset) show their fields
        // once configured.
        let manifest = match build(name, &serde_json::json!({}), &here) {
            Ok(Built::Plan(p)) => Some(p.manifest().clone()),
            Ok(Built::Local(s)) => Some(s.manifest().clone()),
            Err(_) => None,
        };
        match manifest {
            Some(m) => println!("  {}", describe(&m)),
            None => println!("  {name} (its fields depend on its settings; see its README)"),
        }
    }
    let Some(path) = &args.config else {
        return Ok(0);
    };
    let cfg = Config::load(path).map_err(|e| Failure::usage(e.to_string()))?;
    if let Some(dir) = &cfg.plugins_dir {
        let dir = cfg.dir.join(dir);
        println!("in {}:", display(&dir));
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| Failure::usage(format!("cannot read plugins_dir {}: {e}", display(&dir))))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension()
                    .is_some_and(|x| x == std::env::consts::DLL_EXTENSION)
            })
            .collect();
        entries.sort();
        for lib in entries {
            match DynamicPlan::load(&lib) {
                Ok(p) => println!(
                    "  {} [sdk {}, {}]",
                    describe(p.manifest()),
                    p.sdk_version,
                    display(&lib)
                ),
                Err(e) => println!("  cannot load {e}"),
            }
        }
    }
    println!("configured in {}:", display(path));
    for sc in cfg.sources.iter().filter(|s| s.enabled) {
        match build_configured(sc, &cfg, build) {
            Ok((_, Built::Plan(p))) => println!("  {}: {}", sc.name, describe(p.manifest())),
            Ok((_, Built::Local(s))) => println!("  {}: {}", sc.name, describe(s.manifest())),
            Err(e) => println!("  {}: {e}", sc.name),
        }
    }
    Ok(0)
}

/// How the live checks' mock provider answers every request.
#[derive(Clone, Copy)]
enum Mock {
    NotFound,
    Malformed,
    Hang,
    Large,
}

pub fn check(args: CheckArgs) -> Result<u8, Failure> {
    let plan = DynamicPlan::load(&args.library).map_err(|e| Failure::usage(e.to_string()))?;
    let settings: serde_json::Value = serde_json::from_str(&args.settings)
        .map_err(|e| Failure::usage(format!("--settings is not JSON: {e}")))?;
    println!(
        "{} [built with icp-plugin-sdk {}]",
        describe(plan.manifest()),
        plan.sdk_version
    );
    let report = icp_conformance::check_plan(&plan, &settings, &icp_conformance::PlanCases::new());
    print!("{report}");
    let mut ok = report.is_ok();

    let plan: Arc<dyn Plan> = Arc::new(plan);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::fatal(format!("cannot start the async runtime: {e}")))?;
    println!(
        "live checks against a local mock provider (key {}):",
        args.key
    );
    for (name, mock) in [
        ("unknown company (404) is no data", Mock::NotFound),
        (
            "a malformed answer fails the row, not the run",
            Mock::Malformed,
        ),
        ("a provider that hangs times out", Mock::Hang),
        ("an answer over the size cap is refused", Mock::Large),
    ] {
        let outcome = rt.block_on(live(plan.clone(), &settings, &args.key, mock));
        let verdict = match (mock, &outcome) {
            (Mock::NotFound, Ok(Outcome::NoData)) => Ok(()),
            (Mock::Malformed, Ok(Outcome::Failed { message })) if !message.contains("panicked") => {
                Ok(())
            }
            (Mock::Malformed, Ok(Outcome::NoData)) => Ok(()),
            (Mock::Hang, Ok(Outcome::Failed { message })) if message.contains("timed out") => {
                Ok(())
            }
            (Mock::Large, Ok(Outcome::Failed { message })) if message.contains("larger than") => {
                Ok(())
            }
            // A website source gets a page cut at 2 MiB, not a refusal.
            (Mock::Large, Ok(o)) if plan.manifest().untrusted_hosts => match o {
                Outcome::Failed { message } if message.contains("panicked") => {
                    Err(format!("got {o:?}"))
                }
                _ => Ok(()),
            },
            (_, other) => Err(format!("got {other:?}")),
        };
        match verdict {
            Ok(()) => println!("  ok    {name}"),
            Err(why) => {
                ok = false;
                println!("  FAIL  {name}: {why}");
            }
        }
    }
    if ok {
        println!("{} passes", display(&args.library));
        Ok(0)
    } else {
        println!("{} fails the checks above", display(&args.library));
        Ok(1)
    }
}

/// One lookup through the host's HTTP stack against a mock that answers
/// every request the same way.
async fn live(
    plan: Arc<dyn Plan>,
    settings: &serde_json::Value,
    key: &str,
    mock: Mock,
) -> Result<Outcome, String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("cannot start the mock provider: {e}"))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot start the mock provider: {e}"))?;
    let server = tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                let _ = conn.read(&mut buf).await;
                let (status, body) = match mock {
                    Mock::NotFound => ("404 Not Found", b"{\"error\": \"not found\"}".to_vec()),
                    Mock::Malformed => ("200 OK", b"{\"company\": {\"name\": \"Acme".to_vec()),
                    Mock::Hang => {
                        tokio::time::sleep(Duration::from_secs(600)).await;
                        return;
                    }
                    Mock::Large => ("200 OK", vec![b' '; 9 << 20]),
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = conn.write_all(head.as_bytes()).await;
                let _ = conn.write_all(&body).await;
            });
        }
    });
    let mut settings = settings.clone();
    if let Some(obj) = settings.as_object_mut() {
        obj.insert("base_url".into(), format!("http://{addr}").into());
        if plan.manifest().untrusted_hosts {
            // The mock is on 127.0.0.1, which the website guard refuses.
            obj.insert("allow_private".into(), true.into());
        }
    }
    let secrets: HashMap<String, String> = plan
        .manifest()
        .secrets
        .iter()
        .map(|s| (s.clone(), "icp-check-secret".to_string()))
        .collect();
    let policy = HttpPolicy {
        timeout: Duration::from_secs(2),
        retries: 0,
        ..HttpPolicy::default()
    };
    let source = PlanSource::new(
        "check",
        plan,
        settings,
        secrets,
        Limiter::new(&[], DEFAULT_MARGIN),
        policy,
        Arc::new(SourceStats::default()),
        Arc::new(Budget::new(None)),
    )?;
    let out: Result<BTreeMap<String, Outcome>, _> = source
        .enrich(&[Account {
            key: key.to_string(),
            fields: BTreeMap::new(),
        }])
        .await;
    server.abort();
    match out {
        Ok(mut m) => Ok(m.remove(key).unwrap_or(Outcome::NoData)),
        Err(e) => Ok(Outcome::Failed {
            message: e.to_string(),
        }),
    }
}
