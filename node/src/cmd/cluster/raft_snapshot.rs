//! RAFT.SNAPSHOT: makes this node write a snapshot of its applied state now (`dump.rdb` in
//! its data directory), and replies once it is on disk. Runs on the node that receives it.
//!
//! # Format
//! ```text
//! RAFT.SNAPSHOT
//! ```
//! Two nodes that applied the same log write byte-identical files.

use bytes::Bytes;

use crate::cmd::cluster_view::AdminOp;
use crate::cmd::{CmdError, Run, Spec, flags};

pub const SPEC: Spec = Spec {
    name: "raft.snapshot",
    arity: 1,
    flags: flags::ADMIN | flags::NOSCRIPT | flags::EXTENSION,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Admin(parse),
};

fn parse(_args: &[Bytes]) -> Result<AdminOp, CmdError> {
    Ok(AdminOp::Snapshot)
}
