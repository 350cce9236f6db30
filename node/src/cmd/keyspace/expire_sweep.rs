//! The leader's active expiry, as a logged command: deletes each key that is expired at the
//! entry's time.
//!
//! # Format
//! ```text
//! redraft.expire key [key ...]
//! ```
//! Internal: proposed by the leader's expire cycle, never accepted from clients. A key
//! rewritten between the leader's sample and this entry's apply is no longer expired and
//! survives (DESIGN.md "Expiry").

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;

/// The command's name in the log.
pub const NAME: &str = "redraft.expire";

pub const SPEC: Spec = Spec {
    name: NAME,
    arity: -2,
    flags: flags::WRITE | flags::INTERNAL,
    first_key: 1,
    last_key: -1,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    Ok(argv.to_vec())
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms;
    let mut deleted = 0;
    let db = ctx.db();
    for key in &argv[1..] {
        if db.remove_if_expired(key, now) {
            deleted += 1;
        }
    }
    Ok(Reply::Int(deleted as i64))
}
