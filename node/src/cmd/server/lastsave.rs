//! LASTSAVE: returns the Unix timestamp of the last successful save to disk.
//!
//! # Format
//! ```text
//! LASTSAVE
//! ```
//! On the node that receives it: the last time it wrote its snapshot file, whoever asked
//! (SAVE, BGSAVE, a `save` point, the log-length trigger, or a snapshot installed from the
//! leader); the server's start time before that, as Redis.

use bytes::Bytes;

use crate::cmd::cluster_view::AdminOp;
use crate::cmd::{CmdError, Run, Spec, flags};

pub const SPEC: Spec = Spec {
    name: "lastsave",
    arity: 1,
    flags: flags::LOADING | flags::STALE | flags::FAST,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Admin(parse),
};

fn parse(_args: &[Bytes]) -> Result<AdminOp, CmdError> {
    Ok(AdminOp::LastSave)
}
