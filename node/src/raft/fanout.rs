//! Pub/Sub across the cluster: a message PUBLISHed on one node is delivered to this node's
//! subscribers and sent to every other member of the membership (voters and learners), each
//! of which delivers it to its own and answers how many received it; PUBLISH answers the sum.
//!
//! Messages never go through the Raft log: like Redis, delivery is at-most-once. A node that
//! cannot be reached loses the message. So that a dead or hung node does not stall every
//! PUBLISH, each call is bounded by [`PUBLISH_WAIT`], and a node whose last call failed is
//! marked down: later messages are not waited for, but one at a time is still sent to it in
//! the background, and its first success marks it up again (its receivers are not counted
//! until then).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use parking_lot::Mutex;
use tokio::task::JoinSet;
use tracing::{info, warn};

use super::Node;
use super::network::Peers;
use super::types::NodeId;
use crate::pubsub::Hub;

/// How long PUBLISH waits for another node to answer before counting it out.
pub const PUBLISH_WAIT: Duration = Duration::from_millis(500);

/// What PUBLISH knows of each peer.
#[derive(Default)]
struct PeerState {
    /// The last call failed: do not wait for this peer.
    down: bool,
    /// A background call to a down peer is under way (at most one at a time).
    probing: bool,
}

/// The state of the fan-out towards each peer.
#[derive(Default)]
pub struct FanOut {
    peers: Mutex<HashMap<NodeId, PeerState>>,
}

impl FanOut {
    /// Whether `id` should be waited for; if not, whether a background call may start now
    /// (it is then recorded as under way).
    fn plan(&self, id: NodeId) -> Plan {
        let mut peers = self.peers.lock();
        let state = peers.entry(id).or_default();
        if !state.down {
            Plan::Wait
        } else if !state.probing {
            state.probing = true;
            Plan::Probe
        } else {
            Plan::Skip
        }
    }

    /// Records the outcome of a call to `id`.
    fn record(&self, id: NodeId, addr: &str, result: &Result<u64, String>) {
        let mut peers = self.peers.lock();
        let state = peers.entry(id).or_default();
        state.probing = false;
        match result {
            Ok(_) if state.down => {
                state.down = false;
                info!(node = id, addr, "pub/sub messages reach this node again");
            }
            Err(e) if !state.down => {
                state.down = true;
                warn!(node = id, addr, error = %e, "pub/sub messages to this node are lost until it answers again");
            }
            _ => {}
        }
    }
}

enum Plan {
    Wait,
    Probe,
    Skip,
}

impl Node {
    /// This node's Pub/Sub subscriptions, for the connections to subscribe in.
    pub fn pubsub(&self) -> &Arc<Hub> {
        &self.pubsub
    }

    /// PUBLISH (SPUBLISH when `shard`): delivers `message` to this node's subscribers of
    /// `channel` and to every other member's; returns how many received it on this node and
    /// on the members that answered within [`PUBLISH_WAIT`].
    pub async fn publish(&self, shard: bool, channel: Bytes, message: Bytes) -> usize {
        let mut receivers = self.pubsub.publish(shard, &channel, &message);
        let targets: Vec<(NodeId, String)> = {
            let m = self.raft.metrics();
            let m = m.borrow();
            m.membership_config
                .membership()
                .nodes()
                .filter(|(id, node)| **id != self.id && !node.raft_addr.is_empty())
                .map(|(id, node)| (*id, node.raft_addr.clone()))
                .collect()
        };
        if targets.is_empty() {
            return receivers;
        }
        let mut waiting = JoinSet::new();
        for (id, addr) in targets {
            let call = send(
                self.peers.clone(),
                self.fanout.clone(),
                id,
                addr,
                shard,
                channel.clone(),
                message.clone(),
            );
            match self.fanout.plan(id) {
                Plan::Wait => {
                    waiting.spawn(call);
                }
                Plan::Probe => {
                    tokio::spawn(call);
                }
                Plan::Skip => {}
            }
        }
        while let Some(done) = waiting.join_next().await {
            if let Ok(Ok(n)) = done {
                receivers += n as usize;
            }
        }
        receivers
    }
}

/// Sends one message to one peer and records the outcome.
async fn send(
    peers: Peers,
    fanout: Arc<FanOut>,
    id: NodeId,
    addr: String,
    shard: bool,
    channel: Bytes,
    message: Bytes,
) -> Result<u64, String> {
    let result = peers
        .publish(&addr, shard, channel, message, PUBLISH_WAIT)
        .await;
    fanout.record(id, &addr, &result);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_down_peer_is_probed_one_call_at_a_time_until_it_answers() {
        let f = FanOut::default();
        assert!(matches!(f.plan(2), Plan::Wait));
        f.record(2, "a", &Err("refused".into()));
        assert!(matches!(f.plan(2), Plan::Probe));
        assert!(matches!(f.plan(2), Plan::Skip), "one probe at a time");
        f.record(2, "a", &Err("refused".into()));
        assert!(matches!(f.plan(2), Plan::Probe));
        f.record(2, "a", &Ok(1));
        assert!(matches!(f.plan(2), Plan::Wait));
        assert!(matches!(f.plan(3), Plan::Wait), "peers are apart");
    }
}
