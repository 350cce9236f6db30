//! RAFT.PROMOTE: makes a learner a voter.
//!
//! # Format
//! ```text
//! RAFT.PROMOTE id
//! ```

use bytes::Bytes;

use super::node_id;
use crate::cmd::cluster_view::AdminOp;
use crate::cmd::{CmdError, Run, Spec, flags};

pub const SPEC: Spec = Spec {
    name: "raft.promote",
    arity: 2,
    flags: flags::ADMIN | flags::NOSCRIPT | flags::EXTENSION,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Admin(parse),
};

fn parse(args: &[Bytes]) -> Result<AdminOp, CmdError> {
    Ok(AdminOp::Promote {
        id: node_id(&args[1])?,
    })
}
