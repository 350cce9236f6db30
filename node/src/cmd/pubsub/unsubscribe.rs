//! UNSUBSCRIBE: Stops listening for messages posted to the given channels.
//!
//! # Format
//! ```text
//! UNSUBSCRIBE [channel [channel ...]]
//! ```
//! Answers one confirmation per name, `unsubscribe <name> <count>` (a push in RESP3); without
//! arguments, one per subscription of this kind, or `unsubscribe nil 0` when there is none.

use bytes::Bytes;

use crate::cmd::pubsub::PubSubOp;
use crate::cmd::{CmdError, Run, Spec, flags};
use crate::pubsub::Kind;

pub const SPEC: Spec = Spec {
    name: "unsubscribe",
    arity: -1,
    flags: flags::PUBSUB | flags::NOSCRIPT | flags::LOADING | flags::STALE,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::PubSub(parse),
};

fn parse(argv: &[Bytes]) -> Result<PubSubOp, CmdError> {
    Ok(PubSubOp::Unsubscribe(Kind::Channel, argv[1..].to_vec()))
}
