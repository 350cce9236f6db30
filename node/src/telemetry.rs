//! Logging: tracing to standard output or to `logfile`, at Redis's `loglevel`.

use std::sync::Mutex;

use anyhow::{Context, Result};
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. `RUST_LOG`, when set, overrides `loglevel`.
pub fn init(loglevel: &str, logfile: &str) -> Result<()> {
    let level = match loglevel {
        "debug" => "debug",
        "verbose" => "info",
        "notice" => "info",
        "warning" => "warn",
        _ => "off",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    if logfile.is_empty() {
        builder.init();
    } else {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(logfile)
            .with_context(|| format!("cannot open logfile {logfile}"))?;
        builder
            .with_ansi(false)
            .with_writer(Mutex::new(file))
            .init();
    }
    Ok(())
}
