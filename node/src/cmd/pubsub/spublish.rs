//! SPUBLISH: Posts a message to a shard channel.
//!
//! # Format
//! ```text
//! SPUBLISH shardchannel message
//! ```
//! Answers how many received the message, on every node (the whole cluster is one shard);
//! delivery as PUBLISH.

use bytes::Bytes;

use crate::cmd::pubsub::PubSubOp;
use crate::cmd::{CmdError, Run, Spec, flags};

pub const SPEC: Spec = Spec {
    name: "spublish",
    arity: 3,
    flags: flags::PUBSUB | flags::LOADING | flags::STALE | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::PubSub(parse),
};

fn parse(argv: &[Bytes]) -> Result<PubSubOp, CmdError> {
    Ok(PubSubOp::Publish {
        shard: true,
        channel: argv[1].clone(),
        message: argv[2].clone(),
    })
}
