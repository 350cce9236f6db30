//! FLUSHDB: removes all keys from the selected database.
//!
//! # Format
//! ```text
//! FLUSHDB [ASYNC | SYNC]
//! ```

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;

use super::flushall::parse_mode;

pub const SPEC: Spec = Spec {
    name: "flushdb",
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

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    parse_mode(argv)?;
    Ok(vec![argv[0].clone()])
}

fn apply(ctx: &mut ApplyCtx<'_>, _argv: &[Bytes]) -> CmdResult {
    ctx.db().flush();
    Ok(Reply::OK)
}
