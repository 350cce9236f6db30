//! Cluster formation: a new cluster is initialized exactly once (DESIGN.md "Snapshots are
//! RDB", last paragraph; the Raft issue's "Cluster formation").
//!
//! Only a node with no Raft state runs this. Without peers it initializes a one-node cluster
//! of itself. With peers, only the peer with the lowest id may initialize, and only once every
//! peer has answered that it has no state either: then all of them start together with the
//! incarnations they reported. A node that finds any peer with state belongs to an existing
//! cluster that forgot nothing; it has lost its own state (or never had it), so it waits to be
//! added through a membership change (RAFT.REMOVENODE of its old self, then RAFT.ADDNODE).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tracing::{info, warn};

use super::Node;
use super::types::{NodeId, NodeInfo};

/// How long to wait for each peer's status.
const STATUS_TIMEOUT: Duration = Duration::from_secs(1);
/// Pause between rounds while some peer does not answer.
const RETRY: Duration = Duration::from_millis(500);

/// Forms a new cluster when this node should, or explains why it waits.
pub async fn form(node: Arc<Node>) {
    let peers = node.config().peers.clone();
    if peers.is_empty() {
        let members = BTreeMap::from([(node.id(), node.info())]);
        match node.raft().initialize(members).await {
            Ok(()) => info!(node_id = node.id(), "initialized a one-node cluster"),
            Err(e) => warn!(error = %e, "could not initialize a one-node cluster"),
        }
        return;
    }
    let lowest = peers.keys().next().copied();
    let mut waiting_logged = false;
    loop {
        if node.log.has_state().unwrap_or(true) {
            // A leader reached us: the cluster formed.
            return;
        }
        match survey(&node, &peers).await {
            Survey::Existing(id) => {
                warn!(
                    node_id = node.id(),
                    peer = id,
                    "this node has no raft state but node {id} belongs to a cluster: waiting to \
                     be added back (run RAFT.REMOVENODE {me} then RAFT.ADDNODE {me} {addr} on \
                     any member)",
                    me = node.id(),
                    addr = node.info().raft_addr,
                );
                return;
            }
            Survey::AllNew(members) if lowest == Some(node.id()) => {
                match node.raft().initialize(members).await {
                    Ok(()) => info!(node_id = node.id(), "initialized a new cluster"),
                    Err(e) => warn!(error = %e, "could not initialize the cluster"),
                }
                return;
            }
            Survey::AllNew(_) => {
                if !waiting_logged {
                    info!(
                        node_id = node.id(),
                        "new cluster: waiting for node {} to initialize it",
                        lowest.unwrap_or_default()
                    );
                    waiting_logged = true;
                }
            }
            Survey::Unreachable(id) => {
                if !waiting_logged {
                    info!(
                        node_id = node.id(),
                        peer = id,
                        "waiting for every peer to answer"
                    );
                    waiting_logged = true;
                }
            }
        }
        tokio::time::sleep(RETRY).await;
    }
}

enum Survey {
    /// Some peer has Raft state.
    Existing(NodeId),
    /// Every peer answered without state: the members with their incarnations.
    AllNew(BTreeMap<NodeId, NodeInfo>),
    /// Some peer did not answer.
    Unreachable(NodeId),
}

async fn survey(node: &Node, peers: &BTreeMap<NodeId, String>) -> Survey {
    let mut members = BTreeMap::from([(node.id(), node.info())]);
    let mut unreachable = None;
    for (&id, addr) in peers {
        if id == node.id() {
            continue;
        }
        match node.peers().status(addr, STATUS_TIMEOUT).await {
            Ok(status) if status.node_id != id => {
                warn!(
                    peer = id,
                    addr,
                    answered = status.node_id,
                    "a peer answers with another node id: check --peers"
                );
                unreachable = Some(id);
            }
            Ok(status) if status.has_state => return Survey::Existing(id),
            Ok(status) => {
                members.insert(
                    id,
                    NodeInfo {
                        raft_addr: addr.clone(),
                        client_addr: status.client_addr,
                        incarnation: status.incarnation,
                    },
                );
            }
            Err(_) => unreachable = Some(id),
        }
    }
    match unreachable {
        Some(id) => Survey::Unreachable(id),
        None => Survey::AllNew(members),
    }
}
