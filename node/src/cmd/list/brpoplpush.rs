//! BRPOPLPUSH: pop an element from a list, push it to another list and return it; or block
//! until one is available.
//!
//! # Format
//! ```text
//! BRPOPLPUSH source destination timeout
//! ```
//! BLMOVE source destination RIGHT LEFT timeout (see [`super::blmove`]). Logged as
//! `brpoplpush source destination 0`.

use bytes::Bytes;

use crate::cmd::blocking::{Block, Kind, logged_timeout, parse_timeout};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};

use super::End;

pub const SPEC: Spec = Spec {
    name: "brpoplpush",
    arity: 4,
    flags: flags::WRITE | flags::DENYOOM | flags::NOSCRIPT | flags::BLOCKING,
    first_key: 1,
    last_key: 2,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

pub fn block(argv: &[Bytes]) -> Result<Block, CmdError> {
    Ok(Block {
        timeout_ms: parse_timeout(&argv[3])?,
        keys: vec![argv[1].clone()],
        kind: Kind::List,
    })
}

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    block(argv)?;
    Ok(vec![
        Bytes::from_static(b"brpoplpush"),
        argv[1].clone(),
        argv[2].clone(),
        logged_timeout(),
    ])
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    super::lmove(ctx, &argv[1], &argv[2], End::Right, End::Left)
}
