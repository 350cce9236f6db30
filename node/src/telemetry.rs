//! Logging: tracing to standard output or to `logfile`, at Redis's `loglevel`, which CONFIG
//! SET can change while the server runs.

use std::sync::{Mutex, OnceLock};

use anyhow::{Context, Result};
use tracing_subscriber::{EnvFilter, reload};

/// Replaces the filter of the installed subscriber (set by [`init`]).
type Reload = Box<dyn Fn(EnvFilter) + Send + Sync>;

static RELOAD: OnceLock<Reload> = OnceLock::new();

/// The tracing filter for a Redis `loglevel`.
fn filter(loglevel: &str) -> EnvFilter {
    let level = match loglevel {
        "debug" => "debug",
        "verbose" => "info",
        // openraft narrates every election and snapshot at INFO: its warnings are enough
        // unless the user asks for more.
        "notice" => "info,openraft=warn",
        "warning" => "warn",
        _ => "off",
    };
    EnvFilter::new(level)
}

/// Installs the global subscriber. `RUST_LOG`, when set, overrides `loglevel`.
pub fn init(loglevel: &str, logfile: &str) -> Result<()> {
    use tracing_subscriber::prelude::*;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| filter(loglevel));
    let (filter, handle) = reload::Layer::new(filter);
    let format = tracing_subscriber::fmt::layer().with_target(false);
    let registry = tracing_subscriber::registry().with(filter);
    if logfile.is_empty() {
        // Colours only for a terminal: `docker logs` and log files get plain text.
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
        registry.with(format.with_ansi(ansi)).init();
    } else {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(logfile)
            .with_context(|| format!("cannot open logfile {logfile}"))?;
        registry
            .with(format.with_ansi(false).with_writer(Mutex::new(file)))
            .init();
    }
    let _ = RELOAD.set(Box::new(move |f| {
        let _ = handle.reload(f);
    }));
    Ok(())
}

/// Applies a new `loglevel` (CONFIG SET loglevel); does nothing before [`init`].
pub fn set_level(loglevel: &str) {
    if let Some(reload) = RELOAD.get() {
        reload(filter(loglevel));
    }
}
