//! `raft.readindex` (internal): run on the leader for a follower's SAVE or BGSAVE, confirms
//! leadership (the shared read index) and answers the leader's applied index, which covers
//! every write acknowledged so far. Never accepted from a client.

use bytes::Bytes;

use crate::cmd::cluster_view::AdminOp;
use crate::cmd::{CmdError, Run, Spec, flags};

pub const SPEC: Spec = Spec {
    name: "raft.readindex",
    arity: 1,
    flags: flags::ADMIN | flags::EXTENSION | flags::INTERNAL,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Admin(parse),
};

fn parse(_args: &[Bytes]) -> Result<AdminOp, CmdError> {
    Ok(AdminOp::ReadIndex)
}
