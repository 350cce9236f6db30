//! SUBSCRIBE: Listens for messages published to the given channels.
//!
//! # Format
//! ```text
//! SUBSCRIBE channel [channel ...]
//! ```
//! Answers one confirmation per argument, `subscribe <name> <count>` (a push in RESP3), the
//! count being the connection's channels plus patterns after it. A RESP2 connection with any
//! subscription then runs only (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, QUIT and RESET.

use bytes::Bytes;

use crate::cmd::pubsub::PubSubOp;
use crate::cmd::{CmdError, Run, Spec, flags};
use crate::pubsub::Kind;

pub const SPEC: Spec = Spec {
    name: "subscribe",
    arity: -2,
    flags: flags::PUBSUB | flags::NOSCRIPT | flags::LOADING | flags::STALE,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::PubSub(parse),
};

fn parse(argv: &[Bytes]) -> Result<PubSubOp, CmdError> {
    Ok(PubSubOp::Subscribe(Kind::Channel, argv[1..].to_vec()))
}
