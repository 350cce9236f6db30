//! QUIT: closes the connection after replying OK.
//!
//! # Format
//! ```text
//! QUIT
//! ```

use bytes::Bytes;

use crate::cmd::{CmdResult, Run, Session, Spec, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "quit",
    arity: -1,
    flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST | flags::NO_AUTH,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Session(run),
};

fn run(session: &mut dyn Session, _argv: &[Bytes]) -> CmdResult {
    session.client().close_after_reply = true;
    Ok(Reply::OK)
}
