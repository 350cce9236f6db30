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
}

openraft::declare_raft_types!(
    /// redraft's Raft types: entries carry a [`LogEntry`], node ids are `u64`.
    pub TypeConfig:
        D = LogEntry,
        R = ApplyResponse,
        NodeId = u64,
        Node = openraft::BasicNode,
        Entry = openraft::Entry<TypeConfig>,
        SnapshotData = Cursor<Vec<u8>>,
        AsyncRuntime = openraft::TokioRuntime,
);

pub type NodeId = u64;
pub type Node = openraft::BasicNode;
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
