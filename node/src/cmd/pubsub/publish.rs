//! PUBLISH: Posts a message to a channel.
//!
//! # Format
//! ```text
//! PUBLISH channel message
//! ```
//! Answers how many received the message: the subscribers of the channel and of every
//! matching pattern, on this node and on every other member that answered within a bound
//! (a client subscribed to the channel and to a matching pattern counts twice). Messages do
//! not go through the Raft log: a node that cannot be reached misses them (at-most-once, as
//! Redis).

use bytes::Bytes;

use crate::cmd::pubsub::PubSubOp;
use crate::cmd::{CmdError, Run, Spec, flags};

pub const SPEC: Spec = Spec {
    name: "publish",
    arity: 3,
    flags: flags::PUBSUB | flags::LOADING | flags::STALE | flags::FAST,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::PubSub(parse),
};

fn parse(argv: &[Bytes]) -> Result<PubSubOp, CmdError> {
    Ok(PubSubOp::Publish {
        shard: false,
        channel: argv[1].clone(),
        message: argv[2].clone(),
    })
}
