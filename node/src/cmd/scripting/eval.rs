//! EVAL: runs a Lua script.
//!
//! # Format
//! ```text
//! EVAL script numkeys [key [key ...]] [arg [arg ...]]
//! ```
//!
//! Runs at apply time on every node, inside its log entry; all or nothing (see the module).

use bytes::Bytes;

use super::{keys_and_args, logged_with_body, run_write};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};

pub const SPEC: Spec = Spec {
    name: "eval",
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

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    keys_and_args(argv)?;
    Ok(logged_with_body(argv[1].clone(), argv))
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    run_write(ctx, &argv[1], argv)
}
