//! The server layer: listeners, client connections and their state, and dispatch of each
//! command to the read path, the write path or the session commands.
//!
//! Depends on `resp/` for framing, on `cmd/` for the command table (implementing its
//! [`Session`](crate::cmd::Session) trait) and on `raft/` for reads and writes; never touches
//! `store/` directly.

mod conn;
mod restore;
mod session;
mod stats;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use parking_lot::{Mutex, RwLock};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tracing::{info, warn};

use crate::cmd::Table;
use crate::cmd::server::slowlog::SlowLog;
use crate::cmd::session::{ClientState, UnblockMode};
use crate::config::Config;
use crate::raft::{ClusterConfig, Node};

/// Server-wide counters (INFO stats).
#[derive(Default)]
pub(crate) struct Counters {
    pub connections: AtomicU64,
    pub rejected: AtomicU64,
    pub commands: AtomicU64,
    pub net_in: AtomicU64,
    pub net_out: AtomicU64,
    pub hits: AtomicU64,
    pub misses: AtomicU64,
    pub errors: AtomicU64,
}

impl Counters {
    fn reset(&self) {
        for c in [
            &self.connections,
            &self.rejected,
            &self.commands,
            &self.net_in,
            &self.net_out,
            &self.hits,
            &self.misses,
            &self.errors,
        ] {
            c.store(0, Ordering::Relaxed);
        }
    }
}

/// A connected client as the registry sees it.
pub(crate) struct ClientHandle {
    pub state: Arc<Mutex<ClientState>>,
    pub kill: Arc<Notify>,
    /// While the client waits in a blocking command: how CLIENT UNBLOCK ends the wait.
    pub unblock: Arc<Mutex<Option<tokio::sync::oneshot::Sender<UnblockMode>>>>,
}

/// State shared by every connection of one server.
pub(crate) struct Shared {
    pub config: RwLock<Config>,
    pub table: Table,
    pub node: Arc<Node>,
    pub slowlog: Mutex<SlowLog>,
    pub clients: Mutex<HashMap<u64, ClientHandle>>,
    pub next_client_id: AtomicU64,
    pub counters: Counters,
    pub started: Instant,
    pub run_id: String,
    pub shutdown: Notify,
    pub shutting_down: AtomicBool,
    /// Commands per second over the last sampling period (INFO instantaneous_ops_per_sec).
    pub ops_per_sec: AtomicU64,
    /// Addresses the listeners are bound to (INFO tcp_port uses the first).
    pub port: u16,
    /// INFO commandstats and errorstats.
    pub stats: stats::CommandStats,
    /// Network throughput over the last sampling period, as `f64` bits (INFO
    /// instantaneous_input_kbps / instantaneous_output_kbps).
    pub input_kbps: AtomicU64,
    pub output_kbps: AtomicU64,
    /// `expired_keys` at the last CONFIG RESETSTAT (the count lives in the store).
    pub expired_base: AtomicU64,
    /// Unix seconds at startup.
    pub started_unix: u64,
}

/// Runs a server with `config` until SHUTDOWN.
pub async fn run(config: Config) -> Result<()> {
    let mut listeners = Vec::new();
    for addr in &config.bind {
        // As Redis 7: `-addr` is optional, skipped when it cannot be bound (`bind 127.0.0.1
        // -::1` on a host without IPv6).
        let (optional, addr) = match addr.strip_prefix('-') {
            Some(addr) => (true, addr),
            None => (false, addr.as_str()),
        };
        let addr = if addr.contains(':') && !addr.starts_with('[') {
            format!("[{addr}]:{}", config.port)
        } else {
            format!("{addr}:{}", config.port)
        };
        match TcpListener::bind(&addr).await {
            Ok(listener) => listeners.push(listener),
            Err(e) if optional => warn!(addr, error = %e, "optional bind address skipped"),
            Err(e) => return Err(e).with_context(|| format!("cannot listen on {addr}")),
        }
    }
    if listeners.is_empty() {
        anyhow::bail!("no address to listen on (bind {})", config.bind.join(" "));
    }
    let port = listeners
        .first()
        .and_then(|l| l.local_addr().ok())
        .map_or(config.port, |a| a.port());
    let restore = match &config.restore {
        Some(file) => Some(restore::prepare(&config, file)?),
        None => None,
    };
    let node = Node::start(cluster_config(&config, port)?).await?;
    let table = Table::with_renames(&config.rename_commands);
    let shared = Arc::new(Shared {
        stats: stats::CommandStats::new(&table),
        input_kbps: AtomicU64::new(0),
        output_kbps: AtomicU64::new(0),
        expired_base: AtomicU64::new(0),
        started_unix: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        table,
        node,
        slowlog: Mutex::new(SlowLog::default()),
        clients: Mutex::new(HashMap::new()),
        next_client_id: AtomicU64::new(1),
        counters: Counters::default(),
        started: Instant::now(),
        run_id: run_id(),
        shutdown: Notify::new(),
        shutting_down: AtomicBool::new(false),
        ops_per_sec: AtomicU64::new(0),
        port,
        config: RwLock::new(config),
    });
    info!(
        port,
        pid = std::process::id(),
        version = env!("CARGO_PKG_VERSION"),
        "redraft ready to accept connections"
    );
    for listener in listeners {
        tokio::spawn(accept_loop(shared.clone(), listener));
    }
    tokio::spawn(expire_loop(shared.clone()));
    tokio::spawn(ops_sampler(shared.clone()));
    tokio::spawn(save_points(shared.clone()));
    let (restore_failed_tx, restore_failed) = tokio::sync::oneshot::channel();
    match restore {
        Some(file) => {
            tokio::spawn(restore::run(shared.node.clone(), file, restore_failed_tx));
        }
        None => drop(restore_failed_tx),
    }
    let restore_failed = async {
        match restore_failed.await {
            Ok(e) => e,
            Err(_) => std::future::pending().await,
        }
    };
    crate::cmd::server::info::record_startup_memory();
    // As Redis: SHUTDOWN, SIGTERM and SIGINT all stop the server with exit status 0.
    let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("cannot install the SIGTERM handler")?;
    tokio::select! {
        _ = shared.shutdown.notified() => info!("user requested shutdown..."),
        _ = sigterm.recv() => info!("received SIGTERM scheduling shutdown..."),
        _ = tokio::signal::ctrl_c() => info!("received SIGINT scheduling shutdown..."),
        e = restore_failed => return Err(e),
    }
    info!("redraft is now ready to exit, bye bye...");
    Ok(())
}

async fn accept_loop(shared: Arc<Shared>, listener: TcpListener) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(pair) => pair,
            Err(e) => {
                // Out of file descriptors and the like: back off instead of spinning.
                warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let count = shared.clients.lock().len();
        let maxclients = shared.config.read().maxclients;
        if count >= maxclients {
            shared.counters.rejected.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(conn::reject(stream));
            continue;
        }
        shared.counters.connections.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(conn::serve(shared.clone(), stream, peer));
    }
}

/// The active expire cycle (Redis's `activeExpireCycle`): ten times a second, propose the
/// deletion of keys whose TTL has passed; keep going while batches come back full, within a
/// time budget, so memory is reclaimed without reads.
async fn expire_loop(shared: Arc<Shared>) {
    const PER_DB: usize = 200;
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        let started = Instant::now();
        while shared.node.expire_cycle(PER_DB).await >= PER_DB
            && started.elapsed() < Duration::from_millis(25)
        {}
    }
}

/// Redis's `save` points (checked once a second, as `serverCron` does): a background save
/// when one is due. The points come from the configuration in force (CONFIG SET save).
async fn save_points(shared: Arc<Shared>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        let points = shared.config.read().save.clone();
        if !points.is_empty() && shared.node.save_if_due(&points).await {
            info!("save point reached: background saving started");
        }
    }
}

/// Once a second: commands and network throughput over the last second, and the memory
/// peak (INFO).
async fn ops_sampler(shared: Arc<Shared>) {
    let c = &shared.counters;
    let read = || [&c.commands, &c.net_in, &c.net_out].map(|n| n.load(Ordering::Relaxed));
    let mut last = read();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        let now = read();
        let delta = |i: usize| now[i].saturating_sub(last[i]);
        shared.ops_per_sec.store(delta(0), Ordering::Relaxed);
        let kbps = |bytes: u64| (bytes as f64 / 1024.0).to_bits();
        shared.input_kbps.store(kbps(delta(1)), Ordering::Relaxed);
        shared.output_kbps.store(kbps(delta(2)), Ordering::Relaxed);
        last = now;
        crate::cmd::server::info::sample_memory();
    }
}

/// The replication layer's settings, from the configuration and the port the client
/// listener took.
fn cluster_config(config: &Config, port: u16) -> Result<ClusterConfig> {
    let bind_host = config
        .bind
        .first()
        .map(|b| b.trim_start_matches('-').to_string())
        .unwrap_or_else(|| "127.0.0.1".to_string());
    let own = if config.peers.is_empty() {
        None
    } else {
        Some(config.peers.get(&config.node_id).with_context(|| {
            format!(
                "node-id {} is not among the peers ({})",
                config.node_id,
                config.get("peers").unwrap_or_default()
            )
        })?)
    };
    // Other nodes and clients reach this node by the host of its peers entry, else by the
    // bind address (a wildcard bind is advertised as loopback).
    let host = match own {
        Some(addr) => addr
            .rsplit_once(':')
            .map_or(addr.as_str(), |(h, _)| h)
            .to_string(),
        None if bind_host == "0.0.0.0" || bind_host == "::" || bind_host == "*" => {
            "127.0.0.1".to_string()
        }
        None => bind_host.clone(),
    };
    let raft_port = match (config.raft_port, own) {
        (0, Some(addr)) => addr
            .rsplit_once(':')
            .and_then(|(_, p)| p.parse::<u16>().ok())
            .unwrap_or(0),
        (p, _) => p,
    };
    let with_port = |h: &str, p: u16| {
        if h.contains(':') && !h.starts_with('[') {
            format!("[{h}]:{p}")
        } else {
            format!("{h}:{p}")
        }
    };
    let (raft_addr, raft_listen) = if raft_port == 0 {
        (None, None)
    } else {
        (
            Some(own.cloned().unwrap_or_else(|| with_port(&host, raft_port))),
            Some(with_port(&bind_host, raft_port)),
        )
    };
    Ok(ClusterConfig {
        node_id: config.node_id,
        peers: config.peers.clone(),
        raft_addr,
        client_addr: with_port(&host, port),
        raft_listen,
        dir: config.dir.clone(),
        dbfilename: config.dbfilename.clone(),
        databases: config.databases,
        max_bulk_len: config.proto_max_bulk_len,
        heartbeat_ms: config.raft_heartbeat_ms,
        election_timeout_ms: (
            config.raft_election_timeout_ms,
            config.raft_election_timeout_ms * 2,
        ),
        snapshot_entries: config.raft_snapshot_entries,
        stale_reads: config.stale_reads,
        leader_wait: Duration::from_millis(config.raft_leader_wait_ms),
        max_clock_skew_ms: config.max_clock_skew_ms,
        write_timeout: Duration::from_millis(config.raft_write_timeout_ms),
    })
}

/// A 40-hex-digit run id, as Redis's.
fn run_id() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..40)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
        .collect()
}
