//! UNWATCH: forgets the watched keys.
//!
//! # Format
//! ```text
//! UNWATCH
//! ```

use bytes::Bytes;

use crate::cmd::{CmdResult, Run, Session, Spec, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "unwatch",
    arity: 1,
    flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Session(run),
};

fn run(session: &mut dyn Session, _argv: &[Bytes]) -> CmdResult {
    session.client().watched.clear();
    Ok(Reply::OK)
}
