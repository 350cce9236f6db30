//! SSUBSCRIBE: Listens for messages published to the given shard channels.
//!
//! # Format
//! ```text
//! SSUBSCRIBE shardchannel [shardchannel ...]
//! ```
//! Answers one confirmation per argument, `ssubscribe <name> <count>` (a push in RESP3), the
//! count being the connection's shard channels after it. A RESP2 connection with any
//! subscription then runs only (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, QUIT and RESET.
//! The whole cluster is one shard: a shard channel reaches every node, as channels do.

use bytes::Bytes;

use crate::cmd::pubsub::PubSubOp;
use crate::cmd::{CmdError, Run, Spec, flags};
use crate::pubsub::Kind;

pub const SPEC: Spec = Spec {
    name: "ssubscribe",
    arity: -2,
    flags: flags::PUBSUB | flags::NOSCRIPT | flags::LOADING | flags::STALE,
    first_key: 1,
    last_key: -1,
    step: 1,
    run: Run::PubSub(parse),
};

fn parse(argv: &[Bytes]) -> Result<PubSubOp, CmdError> {
    Ok(PubSubOp::Subscribe(Kind::Shard, argv[1..].to_vec()))
}
