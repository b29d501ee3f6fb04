//! `icp serve`: the HTTP service (crates/icp-server) over a run config.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use icp_engine::Config;
use icp_store::{SqliteStore, Store};

use crate::schedule_cmd::{self, ScheduleArgs};
use crate::score_cmd::load_profiles;
use crate::{AsOfArg, Failure, display};

#[derive(Args)]
pub struct ServeArgs {
    /// The run config (sources, waterfall, store, profiles, [serve]).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: PathBuf,
    /// The address to listen on (port 0: any free port; the address is
    /// printed on start).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Profiles to score with (default: the config's); the first is the
    /// default of `?profile=`.
    #[arg(long = "profile", short = 'p', value_name = "FILE")]
    pub profiles: Vec<PathBuf>,
    /// Serve without a token (only behind something that authenticates).
    #[arg(long)]
    pub no_auth: bool,
    /// Do not run the config's scheduled [[jobs]] in this process (they
    /// run beside the API by default; `icp schedule` is the same without
    /// HTTP).
    #[arg(long)]
    pub no_schedule: bool,
    #[command(flatten)]
    pub as_of: AsOfArg,
}

pub fn run(args: ServeArgs) -> Result<u8, Failure> {
    let cfg = Config::load(&args.config).map_err(|e| Failure::usage(e.to_string()))?;
    let env = |var: &str| std::env::var(var).ok();
    let token = icp_server::resolve_token(&cfg, env).map_err(Failure::usage)?;
    if token.is_none() && !args.no_auth {
        return Err(Failure::usage(format!(
            "no API token: export {}=... or set [serve] token = \"${{MY_TOKEN_VAR}}\" in {}; or pass --no-auth to serve without authentication",
            icp_server::TOKEN_ENV,
            display(&args.config)
        )));
    }
    let paths = if args.profiles.is_empty() {
        cfg.profile_paths()
    } else {
        args.profiles.clone()
    };
    let profiles = load_profiles(&paths, args.as_of.date(), true)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::fatal(format!("cannot start the async runtime: {e}")))?;
    // One store for the engine's cache and the service's runs.
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&cfg.store_path()).map_err(|e| Failure::fatal(e.to_string()))?);
    let engine = if cfg.sources.iter().any(|s| s.enabled) {
        icp_server::build_engine(&cfg, store.clone(), &profiles, env)
            .map_err(|e| Failure::usage(format!("{}: {e}", display(&args.config))))?
    } else {
        None
    };
    let mut state =
        icp_server::AppState::new(&cfg, store, profiles, engine, token).map_err(Failure::usage)?;
    if args.as_of.as_of.is_none() {
        // A long-lived service scores as of each day, not the day it started.
        let sources = paths
            .iter()
            .map(|p| {
                std::fs::read_to_string(p)
                    .map_err(|e| Failure::usage(format!("cannot read profile {}: {e}", display(p))))
            })
            .collect::<Result<Vec<_>, _>>()?;
        state = state.with_rolling_as_of(sources, || chrono::Utc::now().date_naive());
    }
    let app = icp_server::router(Arc::new(state));
    // One daemon: the scheduled jobs run beside the API; SIGTERM stops both.
    let scheduler =
        (!args.no_schedule && cfg.jobs.iter().any(|j| j.schedule.is_some())).then(|| {
            let schedule = ScheduleArgs {
                config: args.config.clone(),
                store: None,
            };
            std::thread::spawn(move || schedule_cmd::run(schedule))
        });
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| Failure::fatal(format!("cannot listen on {}: {e}", args.listen)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Failure::fatal(e.to_string()))?;
        println!("icp serve: listening on http://{addr}");
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown())
            .await
            .map_err(|e| Failure::fatal(format!("the server stopped: {e}")))
    })?;
    if let Some(handle) = scheduler {
        match handle.join() {
            Ok(Err(e)) => eprintln!("icp serve: the scheduler stopped: {}", e.message),
            Err(_) => eprintln!("icp serve: the scheduler stopped unexpectedly"),
            Ok(Ok(_)) => {}
        }
    }
    eprintln!("icp serve: stopped");
    Ok(0)
}

/// Ctrl-C or SIGTERM: stop accepting, finish the requests in flight.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
