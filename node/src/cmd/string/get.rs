//! GET: returns the string value of a key.
//!
//! # Format
//! ```text
//! GET key
//! ```

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::as_str;

pub const SPEC: Spec = Spec {
    name: "get",
    arity: 2,
    flags: flags::READONLY | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    match ctx.db().get(&argv[1], ctx.now_ms) {
        Some(entry) => {
            let value = as_str(entry)?.to_bytes();
            ctx.hits += 1;
            Ok(Reply::Bulk(value))
        }
        None => {
            ctx.misses += 1;
            Ok(Reply::Nil)
        }
    }
}
