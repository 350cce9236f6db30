//! EVALSHA_RO: runs a cached read-only Lua script by its SHA1.
//!
//! # Format
//! ```text
//! EVALSHA_RO sha1 numkeys [key [key ...]] [arg [arg ...]]
//! ```

use bytes::Bytes;

use super::{no_script, run_read};
use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};

pub const SPEC: Spec = Spec {
    name: "evalsha_ro",
    arity: -3,
    flags: flags::READONLY | flags::NOSCRIPT | flags::STALE,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let body = ctx
        .store
        .scripts()
        .get(&argv[1])
        .cloned()
        .ok_or_else(no_script)?;
    run_read(ctx, &body, argv)
}
