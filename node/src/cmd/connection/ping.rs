//! PING: returns PONG, or a copy of the argument.
//!
//! # Format
//! ```text
//! PING [message]
//! ```

use bytes::Bytes;

use crate::cmd::{CmdError, CmdResult, Run, Session, Spec, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "ping",
    arity: -1,
    flags: flags::FAST,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Session(run),
};

fn run(_session: &mut dyn Session, argv: &[Bytes]) -> CmdResult {
    match argv {
        [_] => Ok(Reply::simple("PONG")),
        [_, message] => Ok(Reply::Bulk(message.clone())),
        _ => Err(CmdError::wrong_arity("ping")),
    }
}
