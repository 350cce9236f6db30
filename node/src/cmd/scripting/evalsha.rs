//! EVALSHA: runs a cached Lua script by its SHA1.
//!
//! # Format
//! ```text
//! EVALSHA sha1 numkeys [key [key ...]] [arg [arg ...]]
//! ```
//!
//! Resolved to the script's body where it is prepared (the leader): the log carries an
//! EVAL, so the entry applies the same on every node whatever their caches.

use bytes::Bytes;

use super::{keys_and_args, logged_eval, no_script, run_write};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};

pub const SPEC: Spec = Spec {
    name: "evalsha",
    arity: -3,
    flags: flags::NOSCRIPT | flags::STALE,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Write { prepare, apply },
};

fn prepare(argv: &[Bytes], prepare: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    let body = prepare
        .scripts
        .get(&argv[1])
        .cloned()
        .ok_or_else(no_script)?;
    keys_and_args(argv)?;
    Ok(logged_eval(body, argv))
}

/// Only reached by an EVALSHA logged as such (prepare logs EVAL): resolved from the cache as
/// applied.
fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let body = ctx
        .store
        .scripts()
        .get(&argv[1])
        .cloned()
        .ok_or_else(no_script)?;
    run_write(ctx, &body, argv)
}
