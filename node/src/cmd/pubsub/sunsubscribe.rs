//! SUNSUBSCRIBE: Stops listening for messages posted to the given shard channels.
//!
//! # Format
//! ```text
//! SUNSUBSCRIBE [shardchannel [shardchannel ...]]
//! ```
//! Answers one confirmation per name, `sunsubscribe <name> <count>` (a push in RESP3); without
//! arguments, one per subscription of this kind, or `sunsubscribe nil 0` when there is none.
//! The whole cluster is one shard: a shard channel reaches every node, as channels do.

use bytes::Bytes;

use crate::cmd::pubsub::PubSubOp;
use crate::cmd::{CmdError, Run, Spec, flags};
use crate::pubsub::Kind;

pub const SPEC: Spec = Spec {
    name: "sunsubscribe",
    arity: -1,
    flags: flags::PUBSUB | flags::NOSCRIPT | flags::LOADING | flags::STALE,
    first_key: 1,
    last_key: -1,
    step: 1,
    run: Run::PubSub(parse),
};

fn parse(argv: &[Bytes]) -> Result<PubSubOp, CmdError> {
    Ok(PubSubOp::Unsubscribe(Kind::Shard, argv[1..].to_vec()))
}
