//! RAFT.RESTORE: makes an RDB file the data of the whole cluster.
//!
//! # Format
//! ```text
//! RAFT.RESTORE path
//! ```
//! `path` is on the filesystem of the node that receives the command (a `dump.rdb` from
//! redraft or from stock Redis). The node reads and checks the whole file first: a damaged
//! or unsupported file is refused with its path, the offset and the problem, and nothing
//! changes. Then it replaces all data through Raft: a FLUSHALL, then the keys in entries of
//! a few megabytes, and answers `+OK` once all are committed. Not atomic: clients may see
//! the data half loaded meanwhile, and a failure midway leaves it so; running the command
//! again starts over with the flush. See the README (backup and restore).

use bytes::Bytes;

use crate::cmd::cluster_view::AdminOp;
use crate::cmd::{CmdError, Run, Spec, flags};

pub const SPEC: Spec = Spec {
    name: "raft.restore",
    arity: 2,
    flags: flags::ADMIN | flags::NOSCRIPT | flags::EXTENSION,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Admin(parse),
};

fn parse(args: &[Bytes]) -> Result<AdminOp, CmdError> {
    let path = std::str::from_utf8(&args[1])
        .ok()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| CmdError::other("ERR invalid path: expected a file name in UTF-8"))?;
    Ok(AdminOp::Restore {
        path: path.to_string(),
    })
}
