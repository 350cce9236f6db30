//! MULTI: starts queuing a transaction.
//!
//! # Format
//! ```text
//! MULTI
//! ```

use bytes::Bytes;

use super::Multi;
use crate::cmd::{CmdError, CmdResult, Run, Session, Spec, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "multi",
    arity: 1,
    flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Session(run),
};

fn run(session: &mut dyn Session, _argv: &[Bytes]) -> CmdResult {
    let client = session.client();
    if client.multi.is_some() {
        return Err(CmdError::other("ERR MULTI calls can not be nested"));
    }
    client.multi = Some(Multi::default());
    Ok(Reply::OK)
}
