//! READWRITE: turns READONLY off: reads are linearizable again.
//!
//! # Format
//! ```text
//! READWRITE
//! ```

use bytes::Bytes;

use crate::cmd::{CmdResult, Run, Session, Spec, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "readwrite",
    arity: 1,
    flags: flags::LOADING | flags::STALE | flags::FAST,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Session(run),
};

fn run(session: &mut dyn Session, _args: &[Bytes]) -> CmdResult {
    session.client().readonly = false;
    Ok(Reply::OK)
}
