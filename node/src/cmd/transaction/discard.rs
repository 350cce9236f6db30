//! DISCARD: drops the queued transaction and forgets the watched keys.
//!
//! # Format
//! ```text
//! DISCARD
//! ```

use bytes::Bytes;

use crate::cmd::{CmdError, CmdResult, Run, Session, Spec, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "discard",
    arity: 1,
    flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Session(run),
};

fn run(session: &mut dyn Session, _argv: &[Bytes]) -> CmdResult {
    let client = session.client();
    if client.multi.take().is_none() {
        return Err(CmdError::other("ERR DISCARD without MULTI"));
    }
    client.watched.clear();
    Ok(Reply::OK)
}
