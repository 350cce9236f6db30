//! RAFT.REMOVENODE: removes a node (voter or learner) from the cluster.
//!
//! # Format
//! ```text
//! RAFT.REMOVENODE id
//! ```
//! A node whose data directory was wiped is removed this way, then added back with
//! RAFT.ADDNODE under its new incarnation.

use bytes::Bytes;

use super::node_id;
use crate::cmd::cluster_view::AdminOp;
use crate::cmd::{CmdError, Run, Spec, flags};

pub const SPEC: Spec = Spec {
    name: "raft.removenode",
    arity: 2,
    flags: flags::ADMIN | flags::NOSCRIPT | flags::EXTENSION,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Admin(parse),
};

fn parse(args: &[Bytes]) -> Result<AdminOp, CmdError> {
    Ok(AdminOp::RemoveNode {
        id: node_id(&args[1])?,
    })
}
