//! Progress for long runs: a bar on a terminal, log lines otherwise.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    last_log: Instant,
    quiet: bool,
}

impl Progress {
    pub fn new(what: &str, quiet: bool) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let b = ProgressBar::new_spinner();
            b.set_style(
                ProgressStyle::with_template(
                    "{spinner} {prefix} {human_pos} rows ({per_sec}) {elapsed_precise} {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            b.set_prefix(what.to_string());
            b.enable_steady_tick(Duration::from_millis(120));
            b
        });
        let now = Instant::now();
        Progress {
            bar,
            started: now,
            last_log: now,
            quiet,
        }
    }

    /// Call every few thousand rows.
    pub fn update(&mut self, rows: u64, skipped: u64) {
        if let Some(b) = &self.bar {
            b.set_position(rows);
            if skipped > 0 {
                b.set_message(format!("{skipped} skipped"));
            }
        } else if !self.quiet && self.last_log.elapsed() >= Duration::from_secs(5) {
            self.last_log = Instant::now();
            let secs = self.started.elapsed().as_secs_f64();
            eprintln!(
                "progress: {rows} rows, {skipped} skipped, {:.0} rows/s",
                rows as f64 / secs.max(1e-9)
            );
        }
    }

    pub fn finish(self) -> f64 {
        if let Some(b) = self.bar {
            b.finish_and_clear();
        }
        self.started.elapsed().as_secs_f64()
    }
}
