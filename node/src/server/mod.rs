//! The server layer: listeners, client connections and their state, and dispatch of each
//! command to the read path, the write path or the session commands.
//!
//! Depends on `resp/` for framing, on `cmd/` for the command table (implementing its
//! [`Session`](crate::cmd::Session) trait) and on `raft/` for reads and writes; never touches
//! `store/` directly.

mod conn;
mod session;

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
use crate::cmd::session::ClientState;
use crate::config::Config;
use crate::raft::Node;

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
}

/// State shared by every connection of one server.
pub(crate) struct Shared {
    pub config: RwLock<Config>,
    pub table: Table,
    pub node: Node,
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
}

/// Runs a server with `config` until SHUTDOWN.
pub async fn run(config: Config) -> Result<()> {
    let mut listeners = Vec::new();
    for addr in &config.bind {
        let addr = if addr.contains(':') && !addr.starts_with('[') {
            format!("[{addr}]:{}", config.port)
        } else {
            format!("{addr}:{}", config.port)
        };
        let listener = TcpListener::bind(&addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        listeners.push(listener);
    }
    let port = listeners
        .first()
        .and_then(|l| l.local_addr().ok())
        .map_or(config.port, |a| a.port());
    let shared = Arc::new(Shared {
        table: Table::with_renames(&config.rename_commands),
        node: Node::new(config.databases, config.proto_max_bulk_len),
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
    shared.shutdown.notified().await;
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

async fn ops_sampler(shared: Arc<Shared>) {
    let mut last = shared.counters.commands.load(Ordering::Relaxed);
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        let now = shared.counters.commands.load(Ordering::Relaxed);
        shared
            .ops_per_sec
            .store(now.saturating_sub(last), Ordering::Relaxed);
        last = now;
    }
}

/// A 40-hex-digit run id, as Redis's.
fn run_id() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..40)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
        .collect()
}
