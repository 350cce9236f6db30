//! READONLY: this connection's reads answer from this node's own state, without
//! confirming with the leader (stale reads). Faster, and available without a leader, but a read
//! may miss recent writes, even the connection's own writes made through another node.
//! (Redis uses READONLY for reads from cluster replicas; redraft gives it the same meaning.)
//!
//! # Format
//! ```text
//! READONLY
//! ```

use bytes::Bytes;

use crate::cmd::{CmdResult, Run, Session, Spec, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "readonly",
    arity: 1,
    flags: flags::LOADING | flags::STALE | flags::FAST,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Session(run),
};

fn run(session: &mut dyn Session, _args: &[Bytes]) -> CmdResult {
    session.client().readonly = true;
    Ok(Reply::OK)
}
