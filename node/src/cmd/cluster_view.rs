//! What cluster commands (ROLE, WAIT, INFO replication, RAFT.*) see of the replication layer:
//! plain data and operations, which the server implements over `raft/`, so these commands
//! live in `cmd/` with the others without depending on Raft.

use std::future::Future;
use std::pin::Pin;

/// A node's part in the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Leader,
    Follower,
    Candidate,
    Learner,
    /// Not yet part of a cluster (waiting for formation or to be added).
    Joining,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Leader => "leader",
            Role::Follower => "follower",
            Role::Candidate => "candidate",
            Role::Learner => "learner",
            Role::Joining => "joining",
        }
    }
}

/// One member of the cluster as this node knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: u64,
    pub raft_addr: String,
    pub client_addr: String,
    pub voter: bool,
    /// On the leader: the last log index known replicated to this member.
    pub matched: Option<u64>,
    /// On the leader: milliseconds since this member last acknowledged a heartbeat.
    pub heartbeat_age_ms: Option<u64>,
}

/// The cluster as this node sees it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterStatus {
    pub node_id: u64,
    pub role: Role,
    pub term: u64,
    pub leader_id: Option<u64>,
    /// The leader's client address (`host:port`), when known.
    pub leader_client_addr: Option<String>,
    pub last_log_index: u64,
    pub committed: u64,
    pub applied: u64,
    /// On a follower: milliseconds since the leader was last heard from.
    pub leader_age_ms: Option<u64>,
    pub members: Vec<Member>,
    /// Log entries applied since the last snapshot, and the snapshot's index.
    pub snapshot_index: Option<u64>,
    /// The last log index purged from this node's log (covered by its snapshot).
    pub purged_index: Option<u64>,
}

/// A membership or replication operation, run on the leader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminOp {
    /// Adds a node as a learner and, with `promote`, then makes it a voter.
    AddNode {
        id: u64,
        raft_addr: String,
        promote: bool,
    },
    /// Makes a learner a voter.
    Promote { id: u64 },
    /// Removes a node (voter or learner) from the cluster.
    RemoveNode { id: u64 },
    /// WAIT: how many followers hold everything logged so far, waiting up to `timeout_ms`
    /// (0 = forever) for `replicas` of them.
    Wait { replicas: u64, timeout_ms: u64 },
    /// Writes a snapshot of this node's applied state now (runs on the receiving node).
    Snapshot,
    /// SAVE: a snapshot covering every write acknowledged before, on disk before the reply
    /// (runs on the receiving node).
    Save,
    /// BGSAVE [SCHEDULE]: the same, in the background.
    BgSave,
    /// LASTSAVE: when this node last wrote its snapshot.
    LastSave,
    /// The leader's applied index once it has confirmed it still leads (a follower's read
    /// barrier before SAVE); internal.
    ReadIndex,
    /// RAFT.RESTORE: makes the RDB file at `path` (on the receiving node) the data of the
    /// whole cluster.
    Restore { path: String },
}

/// The figures of `INFO persistence` (Redis's names).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersistenceInfo {
    pub changes_since_last_save: u64,
    pub bgsave_in_progress: bool,
    /// Unix seconds.
    pub last_save_time: u64,
    pub last_bgsave_ok: bool,
    /// -1 before the first save.
    pub last_bgsave_time_sec: i64,
    /// -1 when none runs.
    pub current_bgsave_time_sec: i64,
    pub saves: u64,
}

/// What an admin operation answers: a status line, a count, or an error text.
pub type AdminResult = Result<AdminReply, String>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminReply {
    Ok,
    Count(u64),
    /// A status line other than OK (`+Background saving started`).
    Status(String),
}

pub type AdminFuture<'a> = Pin<Box<dyn Future<Output = AdminResult> + Send + 'a>>;
