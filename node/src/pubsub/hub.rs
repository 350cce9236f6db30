//! Every subscription of this node's connections, and local delivery.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use bytes::Bytes;
use parking_lot::RwLock;

use super::{Kind, Mailbox, Message};
use crate::cmd::glob;

/// Subscribers of one name, by connection id.
type Subscribers = BTreeMap<u64, Arc<Mailbox>>;

/// This node's channels, patterns and shard channels, each with its subscribers.
#[derive(Default)]
pub struct Hub {
    /// Indexed by [`Kind::index`].
    names: RwLock<[HashMap<Bytes, Subscribers>; 3]>,
}

impl Hub {
    pub fn new() -> Hub {
        Hub::default()
    }

    /// Adds connection `id` to the subscribers of `name`.
    pub fn subscribe(&self, kind: Kind, name: &Bytes, id: u64, mailbox: &Arc<Mailbox>) {
        self.names.write()[kind.index()]
            .entry(name.clone())
            .or_default()
            .insert(id, mailbox.clone());
    }

    /// Removes connection `id` from the subscribers of `name`; a name left without
    /// subscribers is forgotten (PUBSUB CHANNELS lists only active channels).
    pub fn unsubscribe(&self, kind: Kind, name: &[u8], id: u64) {
        let mut names = self.names.write();
        let map = &mut names[kind.index()];
        if let Some(subs) = map.get_mut(name) {
            subs.remove(&id);
            if subs.is_empty() {
                map.remove(name);
            }
        }
    }

    /// Delivers a message published on this node's side to `channel` (a shard channel when
    /// `shard`) and returns how many receptions it made, counted as Redis counts them: a
    /// connection subscribed to the channel and to two matching patterns receives it three
    /// times and counts three times.
    pub fn publish(&self, shard: bool, channel: &Bytes, payload: &Bytes) -> usize {
        let names = self.names.read();
        let mut receivers = 0;
        if shard {
            if let Some(subs) = names[Kind::Shard.index()].get(channel) {
                for mailbox in subs.values() {
                    mailbox.push(Message::SMessage {
                        channel: channel.clone(),
                        payload: payload.clone(),
                    });
                }
                receivers += subs.len();
            }
            return receivers;
        }
        if let Some(subs) = names[Kind::Channel.index()].get(channel) {
            for mailbox in subs.values() {
                mailbox.push(Message::Message {
                    channel: channel.clone(),
                    payload: payload.clone(),
                });
            }
            receivers += subs.len();
        }
        for (pattern, subs) in &names[Kind::Pattern.index()] {
            if !glob::matches(pattern, channel, false) {
                continue;
            }
            for mailbox in subs.values() {
                mailbox.push(Message::PMessage {
                    pattern: pattern.clone(),
                    channel: channel.clone(),
                    payload: payload.clone(),
                });
            }
            receivers += subs.len();
        }
        receivers
    }

    /// The active channels (or shard channels), those matching `pattern` when given, sorted
    /// (PUBSUB CHANNELS / SHARDCHANNELS).
    pub fn channels(&self, kind: Kind, pattern: Option<&[u8]>) -> Vec<Bytes> {
        let names = self.names.read();
        let mut list: Vec<Bytes> = names[kind.index()]
            .keys()
            .filter(|name| pattern.is_none_or(|p| glob::matches(p, name, false)))
            .cloned()
            .collect();
        list.sort();
        list
    }

    /// How many connections subscribe to `name` (PUBSUB NUMSUB / SHARDNUMSUB).
    pub fn subscribers(&self, kind: Kind, name: &[u8]) -> usize {
        self.names.read()[kind.index()]
            .get(name)
            .map_or(0, BTreeMap::len)
    }

    /// How many distinct names of `kind` have subscribers (PUBSUB NUMPAT for patterns, INFO
    /// `pubsub_channels`, `pubsub_patterns`, `pubsubshard_channels`).
    pub fn count(&self, kind: Kind) -> usize {
        self.names.read()[kind.index()].len()
    }
}

#[cfg(test)]
mod tests {
    use tokio::sync::Notify;

    use super::*;

    fn b(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    fn mailbox() -> Arc<Mailbox> {
        Arc::new(Mailbox::new(Arc::new(Notify::new())))
    }

    fn taken(mb: &Mailbox) -> Vec<Message> {
        mb.take().into()
    }

    #[test]
    fn a_channel_and_a_matching_pattern_count_twice() {
        let hub = Hub::new();
        let (one, two) = (mailbox(), mailbox());
        hub.subscribe(Kind::Channel, &b("news"), 1, &one);
        hub.subscribe(Kind::Pattern, &b("n*"), 1, &one);
        hub.subscribe(Kind::Pattern, &b("x*"), 2, &two);
        assert_eq!(hub.publish(false, &b("news"), &b("hi")), 2);
        assert_eq!(
            taken(&one),
            vec![
                Message::Message {
                    channel: b("news"),
                    payload: b("hi")
                },
                Message::PMessage {
                    pattern: b("n*"),
                    channel: b("news"),
                    payload: b("hi")
                },
            ]
        );
        assert!(taken(&two).is_empty());
        // Shard channels are apart: a plain PUBLISH never reaches them, nor SPUBLISH patterns.
        hub.subscribe(Kind::Shard, &b("news"), 2, &two);
        assert_eq!(hub.publish(true, &b("news"), &b("s")), 1);
        assert_eq!(hub.publish(false, &b("other"), &b("s")), 0);
        assert_eq!(taken(&one), vec![]);
        assert_eq!(taken(&two).len(), 1);
    }

    #[test]
    fn listing_and_counting() {
        let hub = Hub::new();
        let mb = mailbox();
        hub.subscribe(Kind::Channel, &b("b"), 1, &mb);
        hub.subscribe(Kind::Channel, &b("a"), 1, &mb);
        hub.subscribe(Kind::Channel, &b("a"), 2, &mb);
        hub.subscribe(Kind::Pattern, &b("a*"), 1, &mb);
        hub.subscribe(Kind::Pattern, &b("a*"), 2, &mb);
        assert_eq!(hub.channels(Kind::Channel, None), vec![b("a"), b("b")]);
        assert_eq!(hub.channels(Kind::Channel, Some(b"b*")), vec![b("b")]);
        assert_eq!(hub.subscribers(Kind::Channel, b"a"), 2);
        assert_eq!(hub.subscribers(Kind::Channel, b"zz"), 0);
        assert_eq!(
            hub.count(Kind::Pattern),
            1,
            "NUMPAT counts distinct patterns"
        );
        hub.unsubscribe(Kind::Channel, b"b", 1);
        hub.unsubscribe(Kind::Channel, b"a", 1);
        assert_eq!(hub.channels(Kind::Channel, None), vec![b("a")]);
        hub.unsubscribe(Kind::Channel, b"a", 2);
        assert_eq!(hub.count(Kind::Channel), 0);
    }
}
