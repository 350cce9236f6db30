//! EVALSHA: runs a cached Lua script by its SHA1.
//!
//! # Format
//! ```text
//! EVALSHA sha1 numkeys [key [key ...]] [arg [arg ...]]
//! ```
//!
//! Resolved to the script's body where it is prepared (the leader): the log carries
//! `evalsha <body> numkeys ...`, so the entry applies the same on every node whatever their
//! caches.

use bytes::Bytes;

use super::{keys_and_args, logged_with_body, no_script, run_write};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};

pub const SPEC: Spec = Spec {
    name: "evalsha",
    arity: -3,
    flags: flags::NOSCRIPT | flags::STALE,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

fn prepare(argv: &[Bytes], prepare: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    let body = prepare
        .scripts
        .get(&argv[1])
        .cloned()
        .ok_or_else(no_script)?;
    keys_and_args(argv)?;
    Ok(logged_with_body(body, argv))
}

/// The logged argv carries the body in place of the SHA1 (see `prepare`).
fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let body = argv[1].clone();
    run_write(ctx, &body, argv)
}
