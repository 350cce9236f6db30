//! RAFT.INFO: the `# Raft` section of INFO, on its own.
//!
//! # Format
//! ```text
//! RAFT.INFO
//! ```
//! Fields: node id, role, term, leader id and client address, last log, commit and applied
//! index, snapshot index, and one line per member with its addresses, whether it votes, and
//! (on the leader) its replicated index and last heartbeat age.

use bytes::Bytes;

use crate::cmd::cluster_view::ClusterStatus;
use crate::cmd::server::info::Lines;
use crate::cmd::{CmdResult, Run, Session, Spec, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "raft.info",
    arity: 1,
    flags: flags::LOADING | flags::STALE | flags::EXTENSION,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Session(run),
};

fn run(session: &mut dyn Session, _args: &[Bytes]) -> CmdResult {
    let mut out = String::from("# Raft\r\n");
    raft_section(&session.cluster(), &mut Lines(&mut out));
    Ok(Reply::Verbatim("txt", Bytes::from(out)))
}

/// The `# Raft` section's fields.
pub fn raft_section(status: &ClusterStatus, lines: &mut Lines<'_>) {
    let opt = |v: Option<u64>| v.map_or_else(|| "none".to_string(), |v| v.to_string());
    lines.add("raft_node_id", status.node_id);
    lines.add("raft_role", status.role.name());
    lines.add("raft_term", status.term);
    lines.add("raft_leader_id", opt(status.leader_id));
    lines.add(
        "raft_leader_addr",
        status.leader_client_addr.clone().unwrap_or_default(),
    );
    lines.add("raft_last_log_index", status.last_log_index);
    lines.add("raft_commit_index", status.committed);
    lines.add("raft_applied_index", status.applied);
    lines.add("raft_snapshot_index", opt(status.snapshot_index));
    lines.add("raft_purged_index", opt(status.purged_index));
    lines.add("raft_leader_heartbeat_age_ms", opt(status.leader_age_ms));
    lines.add("raft_members", status.members.len());
    for m in &status.members {
        lines.add(
            &format!("raft_member{}", m.id),
            format!(
                "raft_addr={},client_addr={},voter={},matched={},heartbeat_age_ms={}",
                m.raft_addr,
                m.client_addr,
                u8::from(m.voter),
                opt(m.matched),
                opt(m.heartbeat_age_ms),
            ),
        );
    }
}
