//! Replication and cluster commands: Redis's ROLE and WAIT, which answer from the Raft
//! cluster, and redraft's own RAFT.* commands for membership and status (documented in the
//! README). They see the cluster through [`crate::cmd::cluster_view`].

pub mod raft_addnode;
pub mod raft_info;
pub mod raft_promote;
pub mod raft_readindex;
pub mod raft_removenode;
pub mod raft_restore;
pub mod raft_snapshot;
pub mod readonly;
pub mod readwrite;
pub mod role;
pub mod wait;

use bytes::Bytes;

use super::{CmdError, Spec};

/// This group's rows of the command table.
pub const COMMANDS: &[&Spec] = &[
    &raft_addnode::SPEC,
    &raft_info::SPEC,
    &raft_promote::SPEC,
    &raft_readindex::SPEC,
    &raft_removenode::SPEC,
    &raft_restore::SPEC,
    &raft_snapshot::SPEC,
    &readonly::SPEC,
    &readwrite::SPEC,
    &role::SPEC,
    &wait::SPEC,
];

/// A node id argument: a positive integer.
pub(crate) fn node_id(arg: &Bytes) -> Result<u64, CmdError> {
    std::str::from_utf8(arg)
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|&id| id > 0)
        .ok_or_else(|| CmdError::other("ERR invalid node id: expected a positive integer"))
}
