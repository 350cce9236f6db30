//! Pub/Sub commands (Redis's `pubsub` group). Each parses its arguments into a [`PubSubOp`];
//! the connection runs it with its own subscriptions (the server layer), and PUBLISH reaches
//! the other nodes through the replication layer. Subscriptions belong to a connection and
//! messages never enter the log: see `crate::pubsub`.

pub mod psubscribe;
pub mod publish;
#[allow(clippy::module_inception)]
pub mod pubsub;
pub mod punsubscribe;
pub mod spublish;
pub mod ssubscribe;
pub mod subscribe;
pub mod sunsubscribe;
pub mod unsubscribe;

use bytes::Bytes;

use super::Spec;
use crate::pubsub::Kind;
use crate::resp::Reply;

/// This group's rows of the command table.
pub const COMMANDS: &[&Spec] = &[
    &psubscribe::SPEC,
    &publish::SPEC,
    &pubsub::SPEC,
    &punsubscribe::SPEC,
    &spublish::SPEC,
    &ssubscribe::SPEC,
    &subscribe::SPEC,
    &sunsubscribe::SPEC,
    &unsubscribe::SPEC,
];

/// A Pub/Sub command, parsed.
#[derive(Debug, Clone, PartialEq)]
pub enum PubSubOp {
    /// (P|S)SUBSCRIBE: one confirmation per name.
    Subscribe(Kind, Vec<Bytes>),
    /// (P|S)UNSUBSCRIBE: one confirmation per name; no names means every one of that kind.
    Unsubscribe(Kind, Vec<Bytes>),
    /// (S)PUBLISH: answers how many received the message, on every node.
    Publish {
        shard: bool,
        channel: Bytes,
        message: Bytes,
    },
    /// PUBSUB CHANNELS / SHARDCHANNELS [pattern].
    Channels { shard: bool, pattern: Option<Bytes> },
    /// PUBSUB NUMSUB / SHARDNUMSUB [channel ...].
    NumSub { shard: bool, channels: Vec<Bytes> },
    /// PUBSUB NUMPAT.
    NumPat,
    /// A reply that needs nothing (PUBSUB HELP).
    Reply(Reply),
}

/// Whether a RESP2 connection in Pub/Sub mode may run `spec`: Redis 7.0 allows only these
/// (RESP3 connections may run anything, pushes being told apart from replies).
pub fn allowed_when_subscribed(spec: &Spec) -> bool {
    matches!(
        spec.name,
        "subscribe"
            | "psubscribe"
            | "ssubscribe"
            | "unsubscribe"
            | "punsubscribe"
            | "sunsubscribe"
            | "ping"
            | "quit"
            | "reset"
    )
}

#[cfg(test)]
mod parse_tests {
    use bytes::Bytes;

    use super::*;
    use crate::cmd::Run;
    use crate::pubsub::Kind;

    fn parse(spec: &Spec, args: &[&str]) -> PubSubOp {
        let argv: Vec<Bytes> = args
            .iter()
            .map(|s| Bytes::copy_from_slice(s.as_bytes()))
            .collect();
        let Run::PubSub(parse) = spec.run else {
            panic!("{} is not a Pub/Sub command", spec.name)
        };
        parse(&argv).expect("parses")
    }

    #[test]
    fn each_command_names_its_operation() {
        let names = || vec![Bytes::from_static(b"a"), Bytes::from_static(b"b")];
        for (spec, op) in [
            (
                &subscribe::SPEC,
                PubSubOp::Subscribe(Kind::Channel, names()),
            ),
            (
                &psubscribe::SPEC,
                PubSubOp::Subscribe(Kind::Pattern, names()),
            ),
            (&ssubscribe::SPEC, PubSubOp::Subscribe(Kind::Shard, names())),
            (
                &unsubscribe::SPEC,
                PubSubOp::Unsubscribe(Kind::Channel, names()),
            ),
            (
                &punsubscribe::SPEC,
                PubSubOp::Unsubscribe(Kind::Pattern, names()),
            ),
            (
                &sunsubscribe::SPEC,
                PubSubOp::Unsubscribe(Kind::Shard, names()),
            ),
        ] {
            assert_eq!(parse(spec, &[spec.name, "a", "b"]), op, "{}", spec.name);
        }
        for (spec, shard) in [(&publish::SPEC, false), (&spublish::SPEC, true)] {
            assert_eq!(
                parse(spec, &[spec.name, "ch", "hi"]),
                PubSubOp::Publish {
                    shard,
                    channel: Bytes::from_static(b"ch"),
                    message: Bytes::from_static(b"hi"),
                }
            );
        }
    }
}
