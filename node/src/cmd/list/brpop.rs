//! BRPOP: remove and get the last element in a list, or block until one is available.
//!
//! # Format
//! ```text
//! BRPOP key [key ...] timeout
//! ```
//! BLPOP from the tail (see [`super::blpop`]). Logged as `brpop key... 0`.

use bytes::Bytes;

use crate::cmd::blocking::{Kind, logged_keys_then_timeout};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};

use super::{End, bpop};

pub const SPEC: Spec = Spec {
    name: "brpop",
    arity: -3,
    flags: flags::WRITE | flags::NOSCRIPT | flags::BLOCKING,
    first_key: 1,
    last_key: -2,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    logged_keys_then_timeout("brpop", argv, Kind::List)
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    bpop(ctx, &argv[1..argv.len() - 1], End::Right)
}
