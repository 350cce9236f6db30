//! SAVE: synchronously saves the database to disk.
//!
//! # Format
//! ```text
//! SAVE
//! ```
//! Writes `<dir>/<dbfilename>`, the same file Raft snapshots go to, on the node that
//! receives it (never forwarded), and answers once the file is durable (temporary file,
//! fsync, rename, directory fsync). The file covers every write acknowledged before SAVE, on
//! a follower too: it first catches up with the leader's commit as of the call. Other
//! clients keep being served meanwhile (unlike Redis, which blocks). While a snapshot is
//! being written, SAVE answers Redis's `ERR Background save already in progress`.

use bytes::Bytes;

use crate::cmd::cluster_view::AdminOp;
use crate::cmd::{CmdError, Run, Spec, flags};

pub const SPEC: Spec = Spec {
    name: "save",
    arity: 1,
    flags: flags::ADMIN | flags::NOSCRIPT,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Admin(parse),
};

fn parse(_args: &[Bytes]) -> Result<AdminOp, CmdError> {
    Ok(AdminOp::Save)
}
