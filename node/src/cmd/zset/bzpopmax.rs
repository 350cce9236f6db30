//! BZPOPMAX: remove and return the member with the highest score from one or more sorted
//! sets, or block until one is available.
//!
//! # Format
//! ```text
//! BZPOPMAX key [key ...] timeout
//! ```
//! BZPOPMIN from the high end (see [`super::bzpopmin`]). Logged as `bzpopmax key... 0`.

use bytes::Bytes;

use crate::cmd::blocking::{Kind, logged_keys_then_timeout};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};

pub const SPEC: Spec = Spec {
    name: "bzpopmax",
    arity: -3,
    flags: flags::WRITE | flags::NOSCRIPT | flags::BLOCKING | flags::FAST,
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
    logged_keys_then_timeout("bzpopmax", argv, Kind::ZSet)
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    super::bzpopmin::bzpop(ctx, argv, true)
}
