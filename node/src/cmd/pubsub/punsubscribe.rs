//! PUNSUBSCRIBE: Stops listening for messages posted to channels matching the given patterns.
//!
//! # Format
//! ```text
//! PUNSUBSCRIBE [pattern [pattern ...]]
//! ```
//! Answers one confirmation per name, `punsubscribe <name> <count>` (a push in RESP3); without
//! arguments, one per subscription of this kind, or `punsubscribe nil 0` when there is none.

use bytes::Bytes;

use crate::cmd::pubsub::PubSubOp;
use crate::cmd::{CmdError, Run, Spec, flags};
use crate::pubsub::Kind;

pub const SPEC: Spec = Spec {
    name: "punsubscribe",
    arity: -1,
    flags: flags::PUBSUB | flags::NOSCRIPT | flags::LOADING | flags::STALE,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::PubSub(parse),
};

fn parse(argv: &[Bytes]) -> Result<PubSubOp, CmdError> {
    Ok(PubSubOp::Unsubscribe(Kind::Pattern, argv[1..].to_vec()))
}
