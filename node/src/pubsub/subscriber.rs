//! One connection's subscriptions, kept in step with the [`Hub`].

use std::collections::BTreeSet;
use std::sync::Arc;

use bytes::Bytes;

use super::{Hub, Kind, Mailbox};

/// The subscriptions of one connection and its mailbox. Dropping it (the connection closed)
/// removes every subscription from the hub.
pub struct Subscriber {
    id: u64,
    hub: Arc<Hub>,
    mailbox: Arc<Mailbox>,
    /// Indexed by [`Kind::index`]; ordered sets, so UNSUBSCRIBE without arguments answers in
    /// a stable order.
    names: [BTreeSet<Bytes>; 3],
}

impl Subscriber {
    pub fn new(id: u64, hub: Arc<Hub>, mailbox: Arc<Mailbox>) -> Subscriber {
        Subscriber {
            id,
            hub,
            mailbox,
            names: Default::default(),
        }
    }

    pub fn mailbox(&self) -> &Arc<Mailbox> {
        &self.mailbox
    }

    pub fn hub(&self) -> &Arc<Hub> {
        &self.hub
    }

    /// Subscribes to `name` (again is a no-op) and returns the count Redis answers with.
    pub fn subscribe(&mut self, kind: Kind, name: &Bytes) -> usize {
        if self.names[kind.index()].insert(name.clone()) {
            self.hub.subscribe(kind, name, self.id, &self.mailbox);
        }
        self.count(kind)
    }

    /// Unsubscribes from `name` (not subscribed is a no-op) and returns the count Redis
    /// answers with.
    pub fn unsubscribe(&mut self, kind: Kind, name: &[u8]) -> usize {
        if self.names[kind.index()].remove(name) {
            self.hub.unsubscribe(kind, name, self.id);
        }
        self.count(kind)
    }

    /// The names of `kind` this connection subscribes to.
    pub fn names(&self, kind: Kind) -> Vec<Bytes> {
        self.names[kind.index()].iter().cloned().collect()
    }

    /// What Redis answers after a (un)subscription of `kind`: channels plus patterns, or
    /// shard channels alone (Redis 7.0's `clientSubscriptionsCount` and
    /// `clientShardSubscriptionsCount`).
    pub fn count(&self, kind: Kind) -> usize {
        match kind {
            Kind::Shard => self.names[Kind::Shard.index()].len(),
            _ => self.names[Kind::Channel.index()].len() + self.names[Kind::Pattern.index()].len(),
        }
    }

    /// Subscriptions of each kind: channels, patterns, shard channels (CLIENT LIST `sub=`,
    /// `psub=`, `ssub=`).
    pub fn counts(&self) -> [usize; 3] {
        Kind::ALL.map(|k| self.names[k.index()].len())
    }

    /// Whether the connection is in Pub/Sub mode: subscribed to anything.
    pub fn active(&self) -> bool {
        self.names.iter().any(|s| !s.is_empty())
    }

    /// Drops every subscription (RESET, and the connection closing).
    pub fn clear(&mut self) {
        for kind in Kind::ALL {
            for name in std::mem::take(&mut self.names[kind.index()]) {
                self.hub.unsubscribe(kind, &name, self.id);
            }
        }
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        self.clear();
    }
}

#[cfg(test)]
mod tests {
    use tokio::sync::Notify;

    use super::*;

    #[test]
    fn counts_follow_redis_and_drop_cleans_the_hub() {
        let hub = Arc::new(Hub::new());
        let mailbox = Arc::new(Mailbox::new(Arc::new(Notify::new())));
        let mut sub = Subscriber::new(1, hub.clone(), mailbox);
        let b = |s: &'static str| Bytes::from_static(s.as_bytes());
        assert_eq!(sub.subscribe(Kind::Channel, &b("a")), 1);
        assert_eq!(sub.subscribe(Kind::Channel, &b("a")), 1);
        assert_eq!(sub.subscribe(Kind::Pattern, &b("a*")), 2);
        assert_eq!(sub.subscribe(Kind::Shard, &b("s")), 1);
        assert_eq!(sub.counts(), [1, 1, 1]);
        assert_eq!(sub.unsubscribe(Kind::Channel, b"zz"), 2);
        assert_eq!(sub.unsubscribe(Kind::Channel, b"a"), 1);
        assert!(sub.active());
        assert_eq!(hub.publish(false, &b("ab"), &b("m")), 1);
        drop(sub);
        assert_eq!(hub.count(Kind::Pattern), 0);
        assert_eq!(hub.count(Kind::Shard), 0);
    }
}
