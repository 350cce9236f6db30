//! DBSIZE: the number of keys in the selected database.
//!
//! # Format
//! ```text
//! DBSIZE
//! ```
//! Counts keys whose TTL has passed but that the expire cycle has not deleted yet, as Redis
//! does.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "dbsize",
    arity: 1,
    flags: flags::READONLY | flags::FAST,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, _args: &[Bytes]) -> CmdResult {
    Ok(Reply::Int(ctx.db().len() as i64))
}
