//! The replication layer: turns client writes into Raft log entries, serves reads, and runs
//! the cluster (DESIGN.md "Write path", "Read path").
//!
//! - [`Node::write`] prepares the canonical form of writes and proposes them as one entry
//!   through openraft when this node leads; otherwise it forwards the request to the leader
//!   over gRPC and relays the replies. A write whose outcome is unknown is never re-proposed.
//! - [`Node::read`] confirms leadership with a shared read index ([`reads`]) and reads the
//!   applied state; followers forward reads, unless stale reads were asked for.
//! - [`formation`] initializes a new cluster exactly once.
//! - [`Node::publish`] ([`fanout`]) delivers a Pub/Sub message here and on every other member.
//!
//! The server layer sees only `write`, `read`, `expire_cycle`, `publish`, this node's Pub/Sub
//! hub and the cluster status.

pub mod admin;
pub mod blocking;
pub mod clock;
pub mod convert;
mod election;
pub mod fanout;
pub mod formation;
pub mod grpc;
pub mod log_store;
pub mod network;
mod persist;
pub mod propose;
pub mod reads;
pub mod recent;
mod restore;
pub mod saves;
pub mod snapshot;
pub mod state_machine;
#[cfg(test)]
pub(crate) mod testkit;
pub mod types;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use bytes::Bytes;
use openraft::{Raft, ServerState, StoredMembership};
use parking_lot::{Mutex, MutexGuard};
use tracing::{info, warn};

use crate::cmd::cluster_view::{AdminReply, AdminResult};
use crate::cmd::{self, CmdError, Prepare, Run, Spec, Table};
use crate::machine::{Machine, Request, Transaction, Watched};
use crate::pubsub::Hub;
use crate::resp::Reply;

use self::grpc::{ForwardError, Forwarded, Host, NodeStatus};
use self::log_store::SledLogStore;
use self::network::{Network, Peers};
use self::propose::Proposer;
use self::reads::{ReadBarrier, ReadError};
use self::snapshot::SnapshotFile;
use self::state_machine::{Applied, StateMachine};
use self::types::{NodeId, NodeInfo, TypeConfig};

pub use self::restore::check_file as restore_check;

/// Every voter of `metrics`' membership with its raft address (this node included).
fn voter_addrs(metrics: &openraft::RaftMetrics<NodeId, types::Node>) -> Vec<(NodeId, String)> {
    let membership = metrics.membership_config.membership();
    membership
        .voter_ids()
        .filter_map(|id| membership.get_node(&id).map(|n| (id, n.raft_addr.clone())))
        .collect()
}

/// How a node takes part in its cluster.
#[derive(Debug, Clone)]
pub struct ClusterConfig {
    pub node_id: NodeId,
    /// Every member's id and raft address (`--peers`), this node included; empty for a
    /// one-node cluster.
    pub peers: BTreeMap<NodeId, String>,
    /// This node's advertised addresses.
    pub raft_addr: Option<String>,
    pub client_addr: String,
    /// Where the raft listener binds (`host:port`), when there is one.
    pub raft_listen: Option<String>,
    /// The data directory and the snapshot file name in it.
    pub dir: PathBuf,
    pub dbfilename: String,
    pub databases: usize,
    pub max_bulk_len: usize,
    pub heartbeat_ms: u64,
    pub election_timeout_ms: (u64, u64),
    /// Commands applied since the last snapshot that trigger a new one.
    pub snapshot_entries: u64,
    /// Reads answered from local state without confirming leadership (opt-in).
    pub stale_reads: bool,
    /// How long a request waits for a leader before `-TRYAGAIN`.
    pub leader_wait: Duration,
    /// How long a proposed write waits for its commit before its outcome is unknown.
    pub write_timeout: Duration,
    /// How far the leader's clock may run from the cluster's agreed time ([`clock`]).
    pub max_clock_skew_ms: u64,
}

/// One node's Raft member, state machine and connections to its peers.
pub struct Node {
    id: NodeId,
    incarnation: u64,
    raft: Raft<TypeConfig>,
    applied: Arc<Mutex<Applied>>,
    log: SledLogStore,
    peers: Peers,
    reads: ReadBarrier,
    proposer: Proposer,
    config: ClusterConfig,
    /// When the leader was last heard from (milliseconds since `started`, 0: never).
    leader_heard_ms: std::sync::atomic::AtomicU64,
    /// When this node last accepted a leader's AppendEntries or granted a vote (milliseconds
    /// since `started`, 0: never): what holds back its own campaign ([`election`]).
    quiet_since_ms: std::sync::atomic::AtomicU64,
    started: Instant,
    /// The commit index recorded in the log at startup: stale reads wait until it is
    /// applied, so a restarted node never serves state older than what it had.
    startup_committed: u64,
    /// The last log index at startup: linearizable reads wait until it is applied (see
    /// [`Node::startup_log_applied`]).
    startup_last_log: u64,
    /// This node's Pub/Sub subscriptions.
    pubsub: Arc<Hub>,
    /// Which peers Pub/Sub messages currently reach.
    fanout: Arc<fanout::FanOut>,
    /// Snapshot bookkeeping (SAVE, BGSAVE, LASTSAVE, INFO persistence).
    saves: Arc<saves::Saves>,
    /// Clients blocked in BLPOP and the like, queued here while this node leads.
    waiters: Arc<blocking::Waiters>,
    /// The time this node proposes and reads at while it leads.
    clock: Arc<clock::Clock>,
}

/// Whether the data directory `dir` holds Raft state (a vote or log entries): checked before
/// `--restore`, which needs an empty node.
pub fn has_state_at(dir: &std::path::Path) -> anyhow::Result<bool> {
    let raft_dir = dir.join("raft");
    if !raft_dir.exists() {
        return Ok(false);
    }
    let log = SledLogStore::open(&raft_dir)
        .map_err(|e| anyhow::anyhow!("raft log {}: {e}", raft_dir.display()))?;
    log.has_state()
        .map_err(|e| anyhow::anyhow!("raft log {}: {e}", raft_dir.display()))
}

/// The `debug-clock-offset-ms` of this process (0 but in chaos tests).
static CLOCK_OFFSET_MS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// Moves this process's wall clock (`debug-clock-offset-ms`, UNSAFE: a test hook for the
/// chaos harness's clock-jump fault).
pub fn set_debug_clock_offset_ms(ms: i64) {
    CLOCK_OFFSET_MS.store(ms, std::sync::atomic::Ordering::Relaxed);
}

/// Wall-clock time in unix milliseconds (moved by `debug-clock-offset-ms`).
pub fn wall_ms() -> u64 {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    ms.saturating_add_signed(CLOCK_OFFSET_MS.load(std::sync::atomic::Ordering::Relaxed))
}

/// Where a request goes.
enum Route {
    Local,
    Leader(String),
}

/// The reply to every command of a request that could not be run.
fn all(n: usize, reply: Reply) -> Vec<Reply> {
    vec![reply; n]
}

fn tryagain() -> Reply {
    Reply::error("TRYAGAIN no Raft leader is available; the request was not applied, retry it")
}

fn clock_unsettled() -> Reply {
    Reply::error(
        "TRYAGAIN the new leader's clock is not settled yet (no majority of the voters' clocks \
         agrees within max-clock-skew-ms); the request was not applied, retry it",
    )
}

fn unknown(why: &str) -> Reply {
    Reply::error(format!(
        "UNKNOWN the write's outcome is unknown ({why}); check before retrying"
    ))
}

impl Node {
    /// Opens the data directory (log and snapshot), rebuilds the state machine from the
    /// latest snapshot plus the log after it, starts Raft, the raft listener and, for a new
    /// cluster, its formation.
    pub async fn start(config: ClusterConfig) -> anyhow::Result<Arc<Node>> {
        std::fs::create_dir_all(&config.dir)
            .with_context(|| format!("cannot create data directory {}", config.dir.display()))?;
        let raft_dir = config.dir.join("raft");
        let log = SledLogStore::open(&raft_dir)
            .map_err(|e| anyhow::anyhow!("raft log {}: {e}", raft_dir.display()))?;
        let incarnation = log
            .incarnation()
            .await
            .map_err(|e| anyhow::anyhow!("raft log {}: {e}", raft_dir.display()))?;
        let has_state = log
            .has_state()
            .map_err(|e| anyhow::anyhow!("raft log {}: {e}", raft_dir.display()))?;
        let snapshot_path = config.dir.join(&config.dbfilename);
        if !has_state && snapshot_path.exists() {
            anyhow::bail!(
                "{file} exists but the raft log in {raft} is empty: refusing to start from a \
                 file that the cluster's log does not know (it would not be replicated). To \
                 make it the data of the whole cluster, start this node with the same options \
                 plus `--restore {file}` (it is checked, moved aside, and loaded through Raft \
                 once the cluster has a leader), or move it out of {dir}, start the node, and \
                 run `redis-cli -p {port} RAFT.RESTORE /new/path/of/the/file` (README: backup \
                 and restore)",
                dir = config.dir.display(),
                file = std::fs::canonicalize(&snapshot_path)
                    .unwrap_or_else(|_| snapshot_path.clone())
                    .display(),
                raft = raft_dir.display(),
                port = config
                    .client_addr
                    .rsplit_once(':')
                    .map_or("6379", |(_, p)| p),
            );
        }
        let (snapshots, loaded) = SnapshotFile::open(&snapshot_path, config.databases)?;
        let applied = match loaded {
            Some(loaded) => {
                check_snapshot_covers_log(&log, &loaded.meta, &snapshot_path)?;
                info!(
                    file = %snapshot_path.display(),
                    last_log_id = ?loaded.meta.last_log_id,
                    keys = loaded.machine.store().key_count(),
                    "loaded the latest snapshot"
                );
                Applied::new(
                    loaded.machine,
                    loaded.meta.last_log_id,
                    loaded.meta.last_membership,
                )
            }
            None => Applied::new(
                Machine::new(config.databases),
                None,
                StoredMembership::default(),
            ),
        };
        let startup_committed = log
            .committed()
            .map_err(|e| anyhow::anyhow!("raft log {}: {e}", raft_dir.display()))?
            .map_or(0, |id| id.index);
        let startup_last_log = log
            .last_index()
            .map_err(|e| anyhow::anyhow!("raft log {}: {e}", raft_dir.display()))?;
        let applied = Arc::new(Mutex::new(applied));
        let snapshots = Arc::new(snapshots);
        let raft_config = openraft::Config {
            cluster_name: "redraft".to_string(),
            heartbeat_interval: config.heartbeat_ms,
            election_timeout_min: config.election_timeout_ms.0,
            election_timeout_max: config.election_timeout_ms.1,
            // Snapshot chunks are sent one RPC each; the 200 ms default is too short for a
            // large chunk on a busy machine.
            install_snapshot_timeout: 10_000,
            // Snapshots are triggered by `snapshot_trigger`, which counts commands, not entries.
            snapshot_policy: openraft::SnapshotPolicy::Never,
            // Entries kept after a snapshot, for a follower slightly behind to catch up from
            // the log rather than a snapshot. Entries batch many writes (up to 1024 each), so
            // a thousand could hold the whole dataset again.
            max_in_snapshot_log_to_keep: 100,
            ..Default::default()
        }
        .validate()
        .context("invalid raft configuration")?;
        let peers = Peers::new();
        let saves = Arc::new(saves::Saves::default());
        let mut sm = StateMachine::new(
            config.node_id,
            applied.clone(),
            snapshots,
            saves.clone(),
            log.inline(),
        );
        // A sole voter acknowledges only what it flushed itself: restored as leader (openraft
        // does so at once), it has lost nothing. Any other leader is made to stand again.
        let voters: Vec<NodeId> = openraft::storage::StorageHelper::new(&mut log.clone(), &mut sm)
            .get_membership()
            .await
            .map_err(|e| anyhow::anyhow!("raft log {}: {e}", raft_dir.display()))?
            .effective()
            .voter_ids()
            .collect();
        log.inline().set_for(config.node_id, voters.iter().copied());
        if voters != [config.node_id]
            && log
                .forget_own_leadership(config.node_id)
                .await
                .map_err(|e| anyhow::anyhow!("raft log {}: {e}", raft_dir.display()))?
        {
            info!("was the leader when it stopped: starts as a follower, for a new election");
        }
        let raft = Raft::new(
            config.node_id,
            Arc::new(raft_config),
            Network::new(config.node_id),
            log.clone(),
            sm,
        )
        .await
        .context("cannot start raft")?;
        let clock = Arc::new(clock::Clock::new(config.max_clock_skew_ms));
        let node = Arc::new(Node {
            id: config.node_id,
            incarnation,
            proposer: Proposer::start(
                raft.clone(),
                applied.clone(),
                clock.clone(),
                config.write_timeout,
            ),
            raft,
            applied,
            log,
            peers,
            reads: ReadBarrier::default(),
            config,
            leader_heard_ms: std::sync::atomic::AtomicU64::new(0),
            quiet_since_ms: std::sync::atomic::AtomicU64::new(0),
            started: Instant::now(),
            startup_committed,
            startup_last_log,
            pubsub: Arc::new(Hub::new()),
            fanout: Arc::default(),
            saves,
            waiters: Arc::default(),
            clock,
        });
        tokio::spawn(clock::keep(Arc::downgrade(&node)));
        tokio::spawn(election::campaign(Arc::downgrade(&node)));
        tokio::spawn(blocking::drive(Arc::downgrade(&node), node.waiters.clone()));
        if let Some(listen) = node.config.raft_listen.clone() {
            let listener = tokio::net::TcpListener::bind(&listen)
                .await
                .with_context(|| format!("cannot listen for raft on {listen}"))?;
            let host = node.clone();
            tokio::spawn(async move {
                if let Err(e) = grpc::serve(listener, host, std::future::pending()).await {
                    warn!(error = %e, "raft listener stopped");
                }
            });
        }
        if !has_state {
            tokio::spawn(formation::form(node.clone()));
        }
        tokio::spawn(snapshot_trigger(node.clone()));
        Ok(node)
    }

    pub fn id(&self) -> NodeId {
        self.id
    }

    /// Milliseconds since the node started (at least 1: 0 means "never" in the stamps).
    fn now_ms(&self) -> u64 {
        (self.started.elapsed().as_millis() as u64).max(1)
    }

    /// Records now in `at` (see [`Node::now_ms`]).
    fn stamp(&self, at: &std::sync::atomic::AtomicU64) {
        at.store(self.now_ms(), std::sync::atomic::Ordering::Relaxed);
    }

    /// Milliseconds since the time recorded in `at`, or `None` if it never was.
    fn age_ms(&self, at: &std::sync::atomic::AtomicU64) -> Option<u64> {
        match at.load(std::sync::atomic::Ordering::Relaxed) {
            0 => None,
            at => Some(self.now_ms().saturating_sub(at)),
        }
    }

    pub fn raft(&self) -> &Raft<TypeConfig> {
        &self.raft
    }

    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }

    pub fn peers(&self) -> &Peers {
        &self.peers
    }

    /// This node as the membership records it.
    pub fn info(&self) -> NodeInfo {
        NodeInfo {
            raft_addr: self.config.raft_addr.clone().unwrap_or_default(),
            client_addr: self.config.client_addr.clone(),
            incarnation: self.incarnation,
        }
    }

    /// Keyspace hits and misses of the reads that ran inside entries this node proposed
    /// (pipelined between writes, queued in MULTI, called by scripts).
    pub fn logged_read_counts(&self) -> (u64, u64) {
        self.proposer.read_counts()
    }

    /// Starts [`Node::logged_read_counts`] again (CONFIG RESETSTAT).
    pub fn reset_logged_read_counts(&self) {
        self.proposer.reset_read_counts();
    }

    /// The applied state machine (held locked: keep it short).
    pub fn machine(&self) -> parking_lot::MappedMutexGuard<'_, Machine> {
        MutexGuard::map(self.applied.lock(), |a| &mut a.machine)
    }

    /// Waits (up to the configured bound) until a leader is known, and says where requests go.
    /// Forwards `request` to the leader at `addr`, and stops waiting for its answer as soon
    /// as this node learns of another leader: a leader that was paused or cut off would
    /// otherwise hold the request for the whole write timeout after the cluster has moved on.
    /// A write given up that way may still be committed by the new leader (its outcome is
    /// unknown); a read is simply retried.
    async fn forward_to_leader(
        &self,
        addr: &str,
        request: Forwarded,
    ) -> Result<Vec<Reply>, ForwardError> {
        let write = request.write;
        // A blocked client may wait for as long as its timeout, then for its last pop.
        let timeout = match request.block_ms {
            None => self.config.write_timeout,
            Some(0) => Duration::MAX,
            Some(ms) => Duration::from_millis(ms)
                .saturating_add(self.config.write_timeout)
                .saturating_add(Duration::from_secs(1)),
        };
        let mut metrics = self.raft.metrics();
        let leader = metrics.borrow_and_update().current_leader;
        let moved = async {
            loop {
                if metrics.changed().await.is_err() {
                    return std::future::pending::<()>().await;
                }
                let now = metrics.borrow_and_update().current_leader;
                if now.is_some() && now != leader {
                    return;
                }
            }
        };
        tokio::select! {
            result = self.peers.forward(addr, request, timeout) => result,
            () = moved => {
                let why = format!("the leader changed while the request was at {addr}");
                Err(if write {
                    ForwardError::Unknown(why)
                } else {
                    ForwardError::Unavailable(why)
                })
            }
        }
    }

    async fn route(&self) -> Option<Route> {
        let mut metrics = self.raft.metrics();
        // The deadline is set only when there is no leader to wait for (not per request).
        let mut deadline = None;
        loop {
            if let Some(route) = self.known_route(&metrics.borrow_and_update()) {
                return Some(route);
            }
            let until = *deadline
                .get_or_insert_with(|| tokio::time::Instant::now() + self.config.leader_wait);
            match tokio::time::timeout_at(until, metrics.changed()).await {
                Ok(Ok(())) => {}
                _ => return None,
            }
        }
    }

    /// Where requests go according to `m`, when a leader is known.
    fn known_route(&self, m: &openraft::RaftMetrics<NodeId, NodeInfo>) -> Option<Route> {
        match m.current_leader {
            Some(id) if id == self.id && m.state == ServerState::Leader => Some(Route::Local),
            Some(id) if id != self.id => m
                .membership_config
                .membership()
                .get_node(&id)
                .map(|node| Route::Leader(node.raft_addr.clone())),
            _ => None,
        }
    }

    /// Proposes `commands` (argv with the spec each was looked up as) as one entry in
    /// database `db` and returns one reply per command, in order. A command whose syntax is
    /// wrong is answered with its error and left out of the entry. Pipelined writes of one
    /// connection share an entry: they are applied one by one, each answered, as Redis runs
    /// a pipeline (not atomically, but nothing else interleaves).
    pub async fn write(&self, db: usize, commands: &[(&'static Spec, &[Bytes])]) -> Vec<Reply> {
        let started = Instant::now();
        loop {
            match self.route().await {
                None => return all(commands.len(), tryagain()),
                Some(Route::Local) => return self.write_local(db, commands).await,
                Some(Route::Leader(addr)) => {
                    let request = forwarded(db, true, commands);
                    match self.forward_to_leader(&addr, request).await {
                        Ok(replies) => return replies,
                        Err(ForwardError::Unknown(why)) => {
                            return all(commands.len(), unknown(&why));
                        }
                        // Certainly not proposed: the leader moved or was not reached; try
                        // again, with whoever leads by then.
                        Err(
                            ForwardError::NotLeader(_)
                            | ForwardError::NoLeader
                            | ForwardError::Unavailable(_),
                        ) => {
                            if started.elapsed() > self.config.leader_wait {
                                return all(commands.len(), tryagain());
                            }
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    }
                }
            }
        }
    }

    /// Runs a MULTI/EXEC transaction: its queued data commands (writes, reads, SELECT) with
    /// the keys the client watched, as one log entry. Answers the array of replies, the null
    /// array when a watched key changed, or one error for the whole when it could not run.
    pub async fn exec(
        &self,
        db: usize,
        watch: Vec<Watched>,
        commands: &[(&'static Spec, &[Bytes])],
    ) -> Reply {
        let started = Instant::now();
        loop {
            match self.route().await {
                None => return tryagain(),
                Some(Route::Local) => return self.exec_local(db, watch, commands).await,
                Some(Route::Leader(addr)) => {
                    let mut request = forwarded(db, true, commands);
                    request.transaction = Some(watch.clone());
                    match self.forward_to_leader(&addr, request).await {
                        Ok(mut replies) if replies.len() == 1 => {
                            return replies.pop().unwrap_or(Reply::NilArray);
                        }
                        Ok(_) => return unknown("the leader answered a transaction oddly"),
                        Err(ForwardError::Unknown(why)) => return unknown(&why),
                        Err(
                            ForwardError::NotLeader(_)
                            | ForwardError::NoLeader
                            | ForwardError::Unavailable(_),
                        ) => {
                            if started.elapsed() > self.config.leader_wait {
                                return tryagain();
                            }
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    }
                }
            }
        }
    }

    /// Proposes a transaction on this node, which believes it leads. Writes are prepared
    /// here, as plain writes are; one whose syntax is wrong is answered with its error in its
    /// place and left out, as Redis reports such errors inside EXEC's reply.
    async fn exec_local(
        &self,
        db: usize,
        watch: Vec<Watched>,
        commands: &[(&'static Spec, &[Bytes])],
    ) -> Reply {
        let mut prepare = match self.prepare_now().await {
            Ok(prepare) => prepare,
            Err(reply) => return reply,
        };
        let mut refused: Vec<Option<Reply>> = Vec::with_capacity(commands.len());
        let mut logged = Vec::with_capacity(commands.len());
        for (spec, argv) in commands {
            let canon = match spec.run {
                Run::Write { .. } | Run::Read(_) => canonical(spec, argv, &mut prepare),
                Run::Session(_) if spec.name == "select" => {
                    Ok(named_canonically(spec, argv.to_vec()))
                }
                _ => Err(CmdError::other(
                    "ERR Command not allowed inside a transaction",
                )),
            };
            match canon {
                Ok(canon) => {
                    logged.push(canon);
                    refused.push(None);
                }
                Err(e) => refused.push(Some(Reply::from(e))),
            }
        }
        let applied = if logged.is_empty() && watch.is_empty() {
            Vec::new()
        } else {
            let request = Request::Transaction(Transaction {
                watch,
                commands: logged,
            });
            match self.proposer.propose(db as u32, request).await {
                Ok(mut replies) => match replies.pop() {
                    Some(Reply::Array(items)) => items,
                    Some(other) => return other,
                    None => return Reply::error("ERR missing reply"),
                },
                Err(why) => return unknown(&why),
            }
        };
        let mut applied = applied.into_iter();
        Reply::Array(
            refused
                .into_iter()
                .map(|r| {
                    r.or_else(|| applied.next())
                        .unwrap_or_else(|| Reply::error("ERR missing reply"))
                })
                .collect(),
        )
    }

    /// What `prepare` knows on this node now; `-TRYAGAIN` when this leader's clock is not
    /// anchored yet (see [`clock`]) within the leader wait.
    async fn prepare_now(&self) -> Result<Prepare, Reply> {
        if !self.clock.ready(self.config.leader_wait).await {
            return Err(clock_unsettled());
        }
        let now = self.clock.now();
        let a = self.applied.lock();
        Ok(Prepare {
            now_ms: a.machine.entry_time(now),
            databases: a.machine.store().db_count(),
            max_bulk_len: self.config.max_bulk_len,
            scripts: a.machine.store().scripts().clone(),
        })
    }

    /// Proposes writes on this node, which believes it leads.
    async fn write_local(&self, db: usize, commands: &[(&'static Spec, &[Bytes])]) -> Vec<Reply> {
        let mut prepare = match self.prepare_now().await {
            Ok(prepare) => prepare,
            Err(reply) => return all(commands.len(), reply),
        };
        let mut replies: Vec<Option<Reply>> = Vec::with_capacity(commands.len());
        let mut logged = Vec::with_capacity(commands.len());
        for (spec, argv) in commands {
            match canonical(spec, argv, &mut prepare) {
                Ok(canon) => {
                    logged.push(canon);
                    replies.push(None);
                }
                Err(e) => replies.push(Some(Reply::from(e))),
            }
        }
        if logged.is_empty() {
            return replies.into_iter().flatten().collect();
        }
        let request = Request::Commands(logged);
        let mut applied = match self.proposer.propose(db as u32, request).await {
            Ok(replies) => replies.into_iter(),
            Err(why) => return all(commands.len(), unknown(&why)),
        };
        replies
            .into_iter()
            .map(|r| {
                r.or_else(|| applied.next())
                    .unwrap_or_else(|| Reply::error("ERR missing reply"))
            })
            .collect()
    }

    /// Runs reads at the current time, in order, after confirming (unless stale reads were
    /// asked for, by the connection with `stale` or by configuration) that this node leads and has applied everything committed; on a follower
    /// they run on the leader. `each` receives every result with the keyspace hits and misses
    /// it made.
    pub async fn read(
        &self,
        db: usize,
        reads: &[(&'static Spec, &[Bytes])],
        stale: bool,
        seed: u64,
        mut each: impl FnMut(cmd::CmdResult, u64, u64),
    ) {
        if !(stale || self.config.stale_reads) {
            let started = Instant::now();
            loop {
                match self.confirm_read().await {
                    Ok(None) => break,
                    Ok(Some(addr)) => {
                        let request = forwarded(db, false, reads);
                        let replies = match self.forward_to_leader(&addr, request).await {
                            Ok(replies) => replies,
                            // The leader moved or was not reached: ask whoever leads now
                            // (a read changes nothing, so it is safe to send again).
                            Err(
                                ForwardError::Unavailable(_)
                                | ForwardError::NotLeader(_)
                                | ForwardError::NoLeader,
                            ) if started.elapsed() < self.config.leader_wait => {
                                tokio::time::sleep(Duration::from_millis(20)).await;
                                continue;
                            }
                            Err(e) => all(reads.len(), read_failed(&e.to_string())),
                        };
                        for reply in replies {
                            each(Ok(reply), 0, 0);
                        }
                        return;
                    }
                    Err(reply) => {
                        for _ in reads {
                            each(Ok(reply.clone()), 0, 0);
                        }
                        return;
                    }
                }
            }
        } else if !self.caught_up().await {
            for _ in reads {
                each(
                    Ok(Reply::error(
                        "TRYAGAIN this node is still replaying its log after a restart",
                    )),
                    0,
                    0,
                );
            }
            return;
        }
        self.read_local(db, reads, seed, each);
    }

    /// Answers a run of pipelined reads and writes like a run of reads when none of its
    /// writes would change anything (SADD of members already there...; see
    /// [`cmd::Unchanged`]): Redis neither propagates nor writes to its AOF such a command, so
    /// it costs no flush there either. Only on the leader, after the read index confirmation
    /// every linearizable read takes (whatever the connection's stale mode: these are
    /// writes). Returns each command's result with its keyspace hits and misses, or None
    /// when a write would change something, cannot tell, or this node does not lead: the
    /// run is then proposed as usual.
    pub async fn unchanged(
        &self,
        db: usize,
        run: &[(&'static Spec, &[Bytes])],
        seed: u64,
    ) -> Option<Vec<(cmd::CmdResult, u64, u64)>> {
        // Most writes (SET, INCR...) cannot tell: no lock for them.
        let can_tell = run.iter().all(|(spec, _)| {
            matches!(
                spec.run,
                Run::Read(_)
                    | Run::Write {
                        unchanged: Some(_),
                        ..
                    }
            )
        });
        if !can_tell || !self.is_leader() {
            return None;
        }
        // A first look at the writes alone, so that a write that changes something is
        // proposed without waiting for a confirmation.
        let writes_unchanged = {
            let now = self.clock.now();
            let a = self.applied.lock();
            let now = a.machine.read_time(now);
            run.iter().all(|(spec, argv)| match spec.run {
                Run::Write {
                    unchanged: Some(unchanged),
                    ..
                } => a.machine.unchanged(unchanged, db, argv, now).is_some(),
                _ => true,
            })
        };
        if !writes_unchanged {
            return None;
        }
        match self.confirm_read().await {
            Ok(None) => self.run_unchanged(db, run, seed),
            Ok(Some(_)) | Err(_) => None,
        }
    }

    fn run_unchanged(
        &self,
        db: usize,
        run: &[(&'static Spec, &[Bytes])],
        seed: u64,
    ) -> Option<Vec<(cmd::CmdResult, u64, u64)>> {
        let now = self.clock.now();
        let a = self.applied.lock();
        let now = a.machine.read_time(now);
        run.iter()
            .enumerate()
            .map(|(i, (spec, argv))| match spec.run {
                Run::Read(read) => {
                    Some(
                        a.machine
                            .read(read, db, argv, now, seed.wrapping_add(i as u64)),
                    )
                }
                Run::Write {
                    unchanged: Some(unchanged),
                    ..
                } => Some((Ok(a.machine.unchanged(unchanged, db, argv, now)?), 0, 0)),
                _ => None,
            })
            .collect()
    }

    /// Waits (bounded) until this node has applied what its log had committed at startup.
    async fn caught_up(&self) -> bool {
        if self.startup_committed == 0 {
            return true;
        }
        self.raft
            .wait(Some(self.config.leader_wait))
            .applied_index_at_least(Some(self.startup_committed), "stale read")
            .await
            .is_ok()
    }

    /// Waits (bounded) until this node has applied its whole log as it was at startup.
    /// openraft keeps a node that led before a restart leading in the same term, and its
    /// read index is then the commit index it recorded, which is not flushed with every
    /// write: after a kill -9 it can lag behind writes this node acknowledged before dying,
    /// and a read would miss them. Those writes are in the log it started with.
    async fn startup_log_applied(&self) -> bool {
        if self.startup_last_log == 0 {
            return true;
        }
        self.raft
            .wait(Some(self.config.leader_wait))
            .applied_index_at_least(Some(self.startup_last_log), "startup log")
            .await
            .is_ok()
    }

    /// Confirms a linearizable read can run here (`None`), or names the leader's address.
    async fn confirm_read(&self) -> Result<Option<String>, Reply> {
        let started = Instant::now();
        loop {
            match self.route().await {
                None => return Err(tryagain()),
                Some(Route::Leader(addr)) => return Ok(Some(addr)),
                Some(Route::Local) => match self.reads.confirm(&self.raft).await {
                    Ok(()) if !self.clock.ready(self.config.leader_wait).await => {
                        return Err(clock_unsettled());
                    }
                    Ok(()) if self.startup_log_applied().await => return Ok(None),
                    Ok(()) => {
                        return Err(read_failed(
                            "the log this node restarted with is not applied yet",
                        ));
                    }
                    Err(ReadError::NotLeader(_)) | Err(ReadError::Unavailable(_))
                        if started.elapsed() < self.config.leader_wait =>
                    {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    Err(e) => return Err(read_failed(&format!("{e:?}"))),
                },
            }
        }
    }

    fn read_local(
        &self,
        db: usize,
        reads: &[(&'static Spec, &[Bytes])],
        seed: u64,
        mut each: impl FnMut(cmd::CmdResult, u64, u64),
    ) {
        let now = self.clock.now();
        let a = self.applied.lock();
        let now = a.machine.read_time(now);
        for (i, (spec, argv)) in reads.iter().enumerate() {
            let Run::Read(read) = spec.run else {
                each(
                    Err(CmdError::other(format!(
                        "ERR '{}' is not a read command",
                        spec.name
                    ))),
                    0,
                    0,
                );
                continue;
            };
            let (result, hits, misses) =
                a.machine
                    .read(read, db, argv, now, seed.wrapping_add(i as u64));
            each(result, hits, misses);
        }
    }

    /// The leader's active expire cycle: proposes deletion of keys whose TTL has passed, in
    /// entries that delete each key only if it is still expired at the entry's time.
    /// Returns how many keys were proposed. Followers propose nothing.
    pub async fn expire_cycle(&self, per_db: usize) -> usize {
        if !self.is_leader() {
            return 0;
        }
        if !self.clock.is_anchored() {
            return 0;
        }
        let batches: Vec<(usize, Vec<Bytes>)> = {
            let now = self.clock.now();
            let a = self.applied.lock();
            let now = a.machine.read_time(now);
            a.machine
                .store()
                .dbs()
                .map(|(i, db)| (i, db.expired_keys(now, per_db)))
                .filter(|(_, keys)| !keys.is_empty())
                .collect()
        };
        let mut proposed = 0;
        for (db, keys) in batches {
            proposed += keys.len();
            let mut argv = Vec::with_capacity(keys.len() + 1);
            argv.push(Bytes::from_static(
                cmd::keyspace::expire_sweep::NAME.as_bytes(),
            ));
            argv.extend(keys);
            self.write_local(db, &[(&cmd::keyspace::expire_sweep::SPEC, &argv[..])])
                .await;
        }
        proposed
    }

    /// Whether this node currently leads.
    pub fn is_leader(&self) -> bool {
        let m = self.raft.metrics();
        let m = m.borrow();
        m.state == ServerState::Leader && m.current_leader == Some(self.id)
    }

    /// Runs a request forwarded by a follower: writes are proposed here (never forwarded
    /// again), reads confirmed here.
    async fn serve_forwarded(&self, request: Forwarded) -> Result<Vec<Reply>, ForwardError> {
        let table = Table::canonical();
        let mut specs = Vec::with_capacity(request.commands.len());
        for argv in &request.commands {
            let spec = argv
                .first()
                .and_then(|name| table.get(name))
                .ok_or_else(|| {
                    ForwardError::Unknown("a forwarded command is not in the table".to_string())
                })?;
            specs.push(cmd::resolve(spec, argv));
        }
        let run: Vec<(&'static Spec, &[Bytes])> = specs
            .into_iter()
            .zip(&request.commands)
            .map(|(s, argv)| (s, &argv[..]))
            .collect();
        let db = request.db as usize;
        if let [(spec, argv)] = run[..]
            && let Run::Admin(parse) = spec.run
        {
            let reply = match parse(argv) {
                Ok(op) => admin_reply(self.admin_local(op).await),
                Err(e) => Reply::from(e),
            };
            return Ok(vec![reply]);
        }
        if !self.is_leader() {
            return Err(ForwardError::NotLeader(
                self.raft.metrics().borrow().current_leader,
            ));
        }
        if let Some(watch) = request.transaction {
            return Ok(vec![self.exec_local(db, watch, &run).await]);
        }
        if let Some(block_ms) = request.block_ms
            && let [(spec, argv)] = run[..]
        {
            let reply = match cmd::blocking::block(spec, argv) {
                Some(Ok(block)) => {
                    let timeout = (block_ms > 0).then(|| Duration::from_millis(block_ms));
                    self.block_local(db, spec, argv, &block, timeout, std::future::pending())
                        .await
                }
                Some(Err(e)) => Reply::from(e),
                None => Reply::error("ERR a forwarded blocking request holds no blocking command"),
            };
            return Ok(vec![reply]);
        }
        if request.write {
            if let Some(results) = self.unchanged(db, &run, wall_ms()).await {
                return Ok(results
                    .into_iter()
                    .map(|(result, _, _)| result.unwrap_or_else(Reply::from))
                    .collect());
            }
            return Ok(self.write_local(db, &run).await);
        }
        match self.reads.confirm(&self.raft).await {
            Ok(()) if !self.clock.ready(self.config.leader_wait).await => {
                return Err(ForwardError::NoLeader);
            }
            Ok(()) if self.startup_log_applied().await => {}
            Ok(()) => return Err(ForwardError::NoLeader),
            Err(ReadError::NotLeader(hint)) => return Err(ForwardError::NotLeader(hint)),
            Err(ReadError::Unavailable(_)) => return Err(ForwardError::NoLeader),
        }
        let mut replies = Vec::with_capacity(run.len());
        self.read_local(db, &run, wall_ms(), |result, _, _| {
            replies.push(result.unwrap_or_else(Reply::from));
        });
        Ok(replies)
    }
}

/// Triggers a snapshot once `snapshot_entries` commands, and at least as many as the last
/// snapshot held keys, were applied since the last one ([`Applied::snapshot_due`]). openraft's
/// own policy counts log entries, and an entry batches many commands: counting commands keeps
/// the log (and sled's disk use) bounded by the amount of writing. Stops when the node is
/// dropped.
async fn snapshot_trigger(node: Arc<Node>) {
    let node = Arc::downgrade(&node);
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        let Some(node) = node.upgrade() else {
            return;
        };
        let due = node
            .applied
            .lock()
            .snapshot_due(node.config.snapshot_entries);
        if due && let Err(e) = node.raft.trigger().snapshot().await {
            warn!(error = %e, "could not trigger a snapshot");
        }
    }
}

/// The reply to an admin operation.
pub fn admin_reply(result: AdminResult) -> Reply {
    match result {
        Ok(AdminReply::Ok) => Reply::OK,
        Ok(AdminReply::Count(n)) => Reply::Int(n as i64),
        Ok(AdminReply::Status(s)) => Reply::Simple(Bytes::from(s)),
        Err(text) => Reply::error(text),
    }
}

fn read_failed(why: &str) -> Reply {
    Reply::error(format!(
        "TRYAGAIN the read could not be confirmed ({why}); retry it"
    ))
}

/// A request as forwarded to the leader: commands named canonically (renames are a
/// per-node matter of the connection layer).
fn forwarded(db: usize, write: bool, commands: &[(&'static Spec, &[Bytes])]) -> Forwarded {
    Forwarded {
        db: db as u32,
        write,
        commands: commands
            .iter()
            .map(|(spec, argv)| named_canonically(spec, argv.to_vec()))
            .collect(),
        transaction: None,
        block_ms: None,
    }
}

/// Refuses a snapshot that does not cover the log's purged prefix (another file was put in
/// place): the entries between them are gone.
fn check_snapshot_covers_log(
    log: &SledLogStore,
    meta: &types::SnapshotMeta,
    path: &std::path::Path,
) -> anyhow::Result<()> {
    let purged = log
        .last_purged()
        .map_err(|e| anyhow::anyhow!("raft log: {e}"))?;
    if let Some(purged) = purged
        && meta.last_log_id.is_none_or(|id| id.index < purged.index)
    {
        anyhow::bail!(
            "{} does not match the raft log: it ends at {:?} but the log was purged up to {}; \
             it is not this node's latest snapshot. Put the right file back, or wipe this \
             node's data directory and let it rejoin the cluster (see the README)",
            path.display(),
            meta.last_log_id,
            purged
        );
    }
    Ok(())
}

impl Host for Node {
    fn raft(&self) -> &Raft<TypeConfig> {
        &self.raft
    }

    fn node_id(&self) -> NodeId {
        self.id
    }

    fn incarnation(&self) -> u64 {
        self.incarnation
    }

    fn status(&self) -> NodeStatus {
        let m = self.raft.metrics().borrow().clone();
        NodeStatus {
            node_id: self.id,
            incarnation: self.incarnation,
            raft_addr: self.config.raft_addr.clone().unwrap_or_default(),
            client_addr: self.config.client_addr.clone(),
            has_state: self.log.has_state().unwrap_or(true),
            leader_id: m.current_leader,
            term: m.current_term,
            last_applied: m.last_applied.map(|id| id.index),
            committed: self.log.committed().ok().flatten().map(|id| id.index),
            wall_ms: Some(wall_ms()),
            last_log_id: self.log.last_log_id().ok().flatten(),
            quiet_ms: self.quiet_ms(),
        }
    }

    fn heard_from_leader(&self) {
        self.stamp(&self.leader_heard_ms);
        self.stamp(&self.quiet_since_ms);
    }

    fn granted_vote(&self) {
        self.stamp(&self.quiet_since_ms);
    }

    fn forward(
        &self,
        request: Forwarded,
    ) -> impl std::future::Future<Output = Result<Vec<Reply>, ForwardError>> + Send {
        self.serve_forwarded(request)
    }

    fn deliver(&self, shard: bool, channel: &Bytes, message: &Bytes) -> u64 {
        self.pubsub.publish(shard, channel, message) as u64
    }
}

/// `argv` with the command named as the table declares it (lower case, never renamed), as
/// the log and forwarded requests name commands.
fn named_canonically(spec: &Spec, mut argv: Vec<Bytes>) -> Vec<Bytes> {
    if let Some(name) = argv.first_mut() {
        *name = Bytes::from_static(spec.name.as_bytes());
    }
    argv
}

/// The logged form of a write, prepared after the ones before it in the same batch (whose
/// script cache changes `prepare` follows), or of a read pipelined between writes (which
/// the entry answers in its place in the order).
fn canonical(spec: &Spec, argv: &[Bytes], prepare: &mut Prepare) -> Result<Vec<Bytes>, CmdError> {
    let logged = match spec.run {
        Run::Write { prepare: f, .. } => named_canonically(spec, f(argv, prepare)?),
        Run::Read(_) => named_canonically(spec, argv.to_vec()),
        _ => {
            return Err(CmdError::other(format!(
                "ERR '{}' is not a write command",
                spec.name
            )));
        }
    };
    cmd::scripting::track(&mut prepare.scripts, &logged);
    Ok(logged)
}
