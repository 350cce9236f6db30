//! The `redraft` binary: `redraft [CONFIG_FILE] [--directive value ...]`, like redis-server.

use anyhow::Result;
use clap::Parser;

#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read when it starts. Background threads return freed pages to the
/// system as they age, also while the server is idle (without them, pages freed by a burst of
/// writes stay resident until the next allocations); Redis turns them on too
/// (`jemalloc-bg-thread yes`).
#[allow(non_upper_case_globals)]
#[unsafe(export_name = "_rjem_malloc_conf")]
pub static malloc_conf: &[u8] = b"background_thread:true\0";

/// A Redis-compatible key-value server replicated with Raft.
///
/// Options are Redis's directives, given after an optional config file as
/// `--name value ...` (for example `--port 6380 --requirepass secret`). The password may also
/// come from the REDIS_PASSWORD environment variable.
#[derive(Parser)]
#[command(
    name = "redraft",
    version,
    about,
    long_about = None,
    after_help = "Directives are Redis's, given after an optional config file as --name value \
                  (for example: redraft /etc/redraft.conf --port 6380 --requirepass secret). \
                  Command line directives override the file.\n\n\
                  Directives: port, bind, requirepass, dir, dbfilename, databases, \
                  rename-command, slowlog-log-slower-than, slowlog-max-len, maxclients, timeout, \
                  tcp-keepalive, loglevel, logfile, proto-max-bulk-len, io-threads.\n\n\
                  Environment: REDIS_PASSWORD sets requirepass (a --requirepass flag wins). \
                  A node bound beyond loopback (e.g. --bind 0.0.0.0) refuses to start \
                  without a password unless REDRAFT_ALLOW_NO_PASSWORD=1."
)]
struct Cli {
    /// [CONFIG_FILE] [--directive value ...]
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "ARGS"
    )]
    args: Vec<String>,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let config = redraft::Config::from_args(&cli.args, std::env::var("REDIS_PASSWORD").ok())?;
    let allow = std::env::var("REDRAFT_ALLOW_NO_PASSWORD").ok();
    config.check_exposed_without_password(redraft::config::allow_no_password(allow.as_deref()))?;
    redraft::telemetry::init(&config.loglevel, &config.logfile)?;
    if config.debug_clock_offset_ms != 0 {
        redraft::raft::set_debug_clock_offset_ms(config.debug_clock_offset_ms);
        tracing::warn!(
            offset_ms = config.debug_clock_offset_ms,
            "debug-clock-offset-ms: this node's clock is moved (unsafe, for tests only)"
        );
    }
    // One I/O thread runs everything on the current thread, as Redis does: no work stealing,
    // no cross-thread wakeups. More threads use tokio's work-stealing scheduler.
    let mut builder = if config.io_threads == 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(config.io_threads);
        b
    };
    let runtime = builder.thread_name("redraft-io").enable_all().build()?;
    runtime.block_on(redraft::server::run(config))
}
