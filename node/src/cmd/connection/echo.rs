//! ECHO: returns the given string.
//!
//! # Format
//! ```text
//! ECHO message
//! ```

use bytes::Bytes;

use crate::cmd::{CmdResult, Run, Session, Spec, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "echo",
    arity: 2,
    flags: flags::LOADING | flags::STALE | flags::FAST,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Session(run),
};

fn run(_session: &mut dyn Session, argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Bulk(argv[1].clone()))
}
