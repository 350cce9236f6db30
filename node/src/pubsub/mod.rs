//! Pub/Sub on one node: who is subscribed to which channel or pattern ([`Hub`]), what each
//! subscribed connection has yet to receive ([`Mailbox`]), and a connection's own
//! subscriptions ([`Subscriber`]).
//!
//! Messages never go through the Raft log: delivery is at-most-once, as in Redis. The
//! replication layer carries a PUBLISH to the other nodes and hands it to their hubs
//! (`raft::Node::publish`); this module knows nothing of the network, of connections' sockets
//! or of RESP beyond building the push reply of a message.
//!
//! A message's channel and payload are [`Bytes`]: every subscriber's mailbox holds a reference
//! to the same buffers, and bytes are copied once per subscriber only when written to its
//! socket.

mod hub;
mod mailbox;
mod subscriber;

pub use hub::Hub;
pub use mailbox::{HARD_LIMIT, Mailbox, Message, SOFT_LIMIT, SOFT_SECONDS};
pub use subscriber::Subscriber;

/// What a subscription names: a channel (SUBSCRIBE), a glob pattern over channel names
/// (PSUBSCRIBE), or a shard channel (SSUBSCRIBE, Redis 7.0's sharded Pub/Sub: the whole
/// cluster is one shard here, so shard channels reach every node as channels do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Channel,
    Pattern,
    Shard,
}

impl Kind {
    /// Every kind, in the order of [`Kind::index`].
    pub const ALL: [Kind; 3] = [Kind::Channel, Kind::Pattern, Kind::Shard];

    pub(crate) fn index(self) -> usize {
        match self {
            Kind::Channel => 0,
            Kind::Pattern => 1,
            Kind::Shard => 2,
        }
    }

    /// The first element of the confirmation Redis sends for (un)subscribing.
    pub fn subscribe_name(self) -> &'static str {
        match self {
            Kind::Channel => "subscribe",
            Kind::Pattern => "psubscribe",
            Kind::Shard => "ssubscribe",
        }
    }

    /// See [`Kind::subscribe_name`].
    pub fn unsubscribe_name(self) -> &'static str {
        match self {
            Kind::Channel => "unsubscribe",
            Kind::Pattern => "punsubscribe",
            Kind::Shard => "sunsubscribe",
        }
    }
}
