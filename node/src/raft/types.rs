//! The openraft type configuration, declared once; the rest of `raft/` uses these aliases.

use std::io::Cursor;

use serde::{Deserialize, Serialize};

use crate::machine::LogEntry;
use crate::resp::Reply;

/// What applying one entry answers: one reply per logged command, in order.
///
/// The replies only travel from the state machine to the local proposer (openraft hands them
/// to the responder of `client_write`), never over the network or to disk, so they are left
/// out of the serialized form openraft's `serde` feature asks for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ApplyResponse {
    #[serde(skip)]
    pub replies: Vec<Reply>,
    /// Keyspace hits and misses of the entry's reads, counted by the node that proposed it.
    #[serde(skip)]
    pub reads: (u64, u64),
}

/// What the membership records of each node (openraft's `Node`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeInfo {
    /// `host:port` of the node's gRPC listener (Raft RPCs, forwarding, admin).
    pub raft_addr: String,
    /// `host:port` clients reach the node's RESP listener at (INFO replication's
    /// master_host/master_port on followers).
    pub client_addr: String,
    /// Random number chosen when the node's data directory was created. Raft RPCs name the
    /// incarnation they are meant for and a node refuses any other, so a node whose data was
    /// wiped (a new incarnation) never votes or acknowledges entries with forgotten state; it
    /// takes part again only once a membership change re-adds it with its new incarnation.
    pub incarnation: u64,
}

impl std::fmt::Display for NodeInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "raft={} client={} incarnation={:016x}",
            self.raft_addr, self.client_addr, self.incarnation
        )
    }
}

openraft::declare_raft_types!(
    /// redraft's Raft types: entries carry a [`LogEntry`], node ids are `u64`, membership
    /// records a [`NodeInfo`] per node.
    pub TypeConfig:
        D = LogEntry,
        R = ApplyResponse,
        NodeId = u64,
        Node = NodeInfo,
        Entry = openraft::Entry<TypeConfig>,
        SnapshotData = Cursor<Vec<u8>>,
        AsyncRuntime = openraft::TokioRuntime,
);

pub type NodeId = u64;
pub type Node = NodeInfo;
pub type Entry = openraft::Entry<TypeConfig>;
pub type LogId = openraft::LogId<NodeId>;
pub type Vote = openraft::Vote<NodeId>;
pub type LogState = openraft::storage::LogState<TypeConfig>;
pub type StorageError = openraft::StorageError<NodeId>;
pub type StorageIOError = openraft::StorageIOError<NodeId>;
pub type LogFlushed = openraft::storage::LogFlushed<TypeConfig>;
pub type Snapshot = openraft::storage::Snapshot<TypeConfig>;
pub type SnapshotMeta = openraft::SnapshotMeta<NodeId, Node>;
pub type StoredMembership = openraft::StoredMembership<NodeId, Node>;
