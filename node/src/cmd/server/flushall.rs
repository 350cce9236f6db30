//! FLUSHALL: removes all keys from all databases.
//!
//! # Format
//! ```text
//! FLUSHALL [ASYNC | SYNC]
//! ```
//! ASYNC and SYNC both free memory before replying: the keyspace is a persistent map, so
//! dropping it is cheap, and the log entry is applied identically everywhere.

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, args, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "flushall",
    arity: -1,
    flags: flags::WRITE,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

/// Checks the optional ASYNC|SYNC flag (shared with FLUSHDB).
pub(crate) fn parse_mode(argv: &[Bytes]) -> Result<(), CmdError> {
    match argv {
        [_] => Ok(()),
        [_, mode] if args::is(mode, "ASYNC") || args::is(mode, "SYNC") => Ok(()),
        _ => Err(CmdError::Syntax),
    }
}

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    parse_mode(argv)?;
    Ok(vec![argv[0].clone()])
}

fn apply(ctx: &mut ApplyCtx<'_>, _argv: &[Bytes]) -> CmdResult {
    ctx.store.flush_all();
    Ok(Reply::OK)
}
