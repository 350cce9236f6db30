//! EVAL_RO: runs a read-only Lua script.
//!
//! # Format
//! ```text
//! EVAL_RO script numkeys [key [key ...]] [arg [arg ...]]
//! ```
//!
//! Takes the read path (linearizable like any read); a write command inside is refused.

use bytes::Bytes;

use super::run_read;
use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};

pub const SPEC: Spec = Spec {
    name: "eval_ro",
    arity: -3,
    flags: flags::READONLY | flags::NOSCRIPT | flags::STALE,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let body = argv[1].clone();
    run_read(ctx, &body, argv)
}
