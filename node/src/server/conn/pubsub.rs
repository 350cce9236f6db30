//! A connection's Pub/Sub: running (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH and PUBSUB, and
//! writing the messages its mailbox received.

use bytes::{Bytes, BytesMut};

use crate::cmd::CmdError;
use crate::cmd::pubsub::PubSubOp;
use crate::pubsub::Kind;
use crate::resp::{Protocol, Reply};

use super::Conn;

impl Conn {
    /// Moves the messages waiting in the mailbox into `out`, in the protocol in force
    /// (RESP3 push frames, RESP2 arrays). Their bytes stay counted against the output limits
    /// until written.
    pub(super) fn take_pushes(&mut self, out: &mut BytesMut) {
        let messages = self.sub.mailbox().take();
        if messages.is_empty() {
            return;
        }
        let protocol = self.protocol();
        for message in messages {
            self.unwritten += message.size();
            message.reply().encode(protocol, out);
        }
    }

    /// Runs a Pub/Sub command, writing its reply (replies, for subscriptions: one per name)
    /// to `out` unless `send` is false (CLIENT REPLY), and returns the reply to account for.
    pub(super) async fn run_pubsub(
        &mut self,
        parse: fn(&[Bytes]) -> Result<PubSubOp, CmdError>,
        argv: &[Bytes],
        protocol: Protocol,
        send: bool,
        out: &mut BytesMut,
    ) -> Reply {
        let op = match parse(argv) {
            Ok(op) => op,
            Err(e) => {
                let reply = Reply::from(e);
                if send {
                    reply.encode(protocol, out);
                }
                return reply;
            }
        };
        // Messages that arrived before this command go out before its replies, as Redis had
        // already written them.
        self.take_pushes(out);
        let emit = |reply: Reply, out: &mut BytesMut| {
            if send {
                reply.encode(protocol, out);
            }
            reply
        };
        match op {
            PubSubOp::Subscribe(kind, names) => {
                let mut last = Reply::Nil;
                for name in names {
                    let count = self.sub.subscribe(kind, &name);
                    last = emit(confirmation(kind.subscribe_name(), Some(name), count), out);
                }
                last
            }
            PubSubOp::Unsubscribe(kind, mut names) => {
                if names.is_empty() {
                    names = self.sub.names(kind);
                }
                if names.is_empty() {
                    let count = self.sub.count(kind);
                    return emit(confirmation(kind.unsubscribe_name(), None, count), out);
                }
                let mut last = Reply::Nil;
                for name in names {
                    let count = self.sub.unsubscribe(kind, &name);
                    last = emit(
                        confirmation(kind.unsubscribe_name(), Some(name), count),
                        out,
                    );
                }
                last
            }
            PubSubOp::Publish {
                shard,
                channel,
                message,
            } => {
                let receivers = self.shared.node.publish(shard, channel, message).await;
                // A message this connection sent to itself arrives before the count, as in
                // Redis.
                self.take_pushes(out);
                emit(Reply::Int(receivers as i64), out)
            }
            PubSubOp::Channels { shard, pattern } => {
                let kind = if shard { Kind::Shard } else { Kind::Channel };
                let names = self.sub.hub().channels(kind, pattern.as_deref());
                emit(
                    Reply::Array(names.into_iter().map(Reply::Bulk).collect()),
                    out,
                )
            }
            PubSubOp::NumSub { shard, channels } => {
                let kind = if shard { Kind::Shard } else { Kind::Channel };
                let hub = self.sub.hub();
                let mut counts = Vec::with_capacity(channels.len() * 2);
                for c in channels {
                    let n = hub.subscribers(kind, &c) as i64;
                    counts.push(Reply::Bulk(c));
                    counts.push(Reply::Int(n));
                }
                // A flat array in RESP3 too, as Redis answers.
                emit(Reply::Array(counts), out)
            }
            PubSubOp::NumPat => emit(Reply::Int(self.sub.hub().count(Kind::Pattern) as i64), out),
            PubSubOp::Reply(reply) => emit(reply, out),
        }
    }
}

/// `[subscribe, channel, count]`: a push in RESP3, an array in RESP2; `nil` for the name
/// when unsubscribing from nothing.
fn confirmation(what: &'static str, name: Option<Bytes>, count: usize) -> Reply {
    Reply::Push(vec![
        Reply::text(what),
        name.map_or(Reply::Nil, Reply::Bulk),
        Reply::Int(count as i64),
    ])
}
