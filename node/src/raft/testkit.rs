//! Test helpers shared by the tests of `raft/`: a small state machine over the real
//! [`Machine`] whose snapshots are the applied log (replayed on install). Good enough for
//! openraft's storage suite and the network tests; the real snapshots are RDB.

use std::io::Cursor;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use openraft::error::{ClientWriteError, RaftError};
use openraft::network::RaftNetworkFactory;
use openraft::storage::{RaftSnapshotBuilder, RaftStateMachine};
use openraft::{AnyError, EntryPayload, OptionalSend, SnapshotMeta};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use crate::machine::{LogEntry, Machine, Request};
use crate::raft::grpc::{ForwardError, Forwarded, Host, NodeStatus, serve};
use crate::raft::log_store::SledLogStore;
use crate::raft::network::Peers;
use crate::raft::types::{
    ApplyResponse, Entry, LogId, NodeId, NodeInfo, Snapshot, StorageError, StorageIOError,
    StoredMembership, TypeConfig,
};
use crate::resp::Reply;

/// What the test state machine's snapshot holds: the applied log, replayed on install.
/// Good enough to exercise openraft's suite; the real snapshots are RDB.
#[derive(Default, Clone, Serialize, Deserialize)]
struct TestSnapshot {
    last_applied: Option<LogId>,
    membership: StoredMembership,
    entries: Vec<(u64, LogEntry)>,
}

struct TestState {
    machine: Machine,
    applied: TestSnapshot,
    current: Option<(SnapshotMeta<u64, crate::raft::types::NodeInfo>, Vec<u8>)>,
    snapshot_seq: u64,
}

/// A minimal state machine over the real [`Machine`], for openraft's storage suite.
#[derive(Clone)]
pub(crate) struct TestStateMachine(Arc<Mutex<TestState>>);

impl TestStateMachine {
    pub(crate) fn new() -> TestStateMachine {
        TestStateMachine(Arc::new(Mutex::new(TestState {
            machine: Machine::new(16),
            applied: TestSnapshot::default(),
            current: None,
            snapshot_seq: 0,
        })))
    }
}

impl RaftSnapshotBuilder<TypeConfig> for TestStateMachine {
    async fn build_snapshot(&mut self) -> Result<Snapshot, StorageError> {
        let mut state = self.0.lock();
        let data = serde_json::to_vec(&state.applied)
            .map_err(|e| StorageIOError::write_state_machine(AnyError::new(&e)))?;
        state.snapshot_seq += 1;
        let meta = SnapshotMeta {
            last_log_id: state.applied.last_applied,
            last_membership: state.applied.membership.clone(),
            snapshot_id: format!("test-{}", state.snapshot_seq),
        };
        state.current = Some((meta.clone(), data.clone()));
        Ok(Snapshot {
            meta,
            snapshot: Box::new(Cursor::new(data)),
        })
    }
}

impl RaftStateMachine<TypeConfig> for TestStateMachine {
    type SnapshotBuilder = TestStateMachine;

    async fn applied_state(&mut self) -> Result<(Option<LogId>, StoredMembership), StorageError> {
        let state = self.0.lock();
        Ok((state.applied.last_applied, state.applied.membership.clone()))
    }

    async fn apply<I>(&mut self, entries: I) -> Result<Vec<ApplyResponse>, StorageError>
    where
        I: IntoIterator<Item = Entry> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        let mut state = self.0.lock();
        let mut responses = Vec::new();
        for entry in entries {
            state.applied.last_applied = Some(entry.log_id);
            let replies = match entry.payload {
                EntryPayload::Blank => Vec::new(),
                EntryPayload::Normal(payload) => {
                    let replies = state.machine.apply(entry.log_id.index, &payload);
                    state.applied.entries.push((entry.log_id.index, payload));
                    replies
                }
                EntryPayload::Membership(membership) => {
                    state.applied.membership =
                        StoredMembership::new(Some(entry.log_id), membership);
                    Vec::new()
                }
            };
            responses.push(ApplyResponse {
                replies,
                ..Default::default()
            });
        }
        Ok(responses)
    }

    async fn get_snapshot_builder(&mut self) -> Self::SnapshotBuilder {
        self.clone()
    }

    async fn begin_receiving_snapshot(&mut self) -> Result<Box<Cursor<Vec<u8>>>, StorageError> {
        Ok(Box::new(Cursor::new(Vec::new())))
    }

    async fn install_snapshot(
        &mut self,
        meta: &SnapshotMeta<u64, crate::raft::types::NodeInfo>,
        snapshot: Box<Cursor<Vec<u8>>>,
    ) -> Result<(), StorageError> {
        let data = snapshot.into_inner();
        let applied: TestSnapshot = serde_json::from_slice(&data).map_err(|e| {
            StorageIOError::read_snapshot(Some(meta.signature()), AnyError::new(&e))
        })?;
        let mut machine = Machine::new(16);
        for (index, entry) in &applied.entries {
            machine.apply(*index, entry);
        }
        let mut state = self.0.lock();
        state.machine = machine;
        state.applied = applied;
        state.current = Some((meta.clone(), data));
        Ok(())
    }

    async fn get_current_snapshot(&mut self) -> Result<Option<Snapshot>, StorageError> {
        let state = self.0.lock();
        Ok(state.current.as_ref().map(|(meta, data)| Snapshot {
            meta: meta.clone(),
            snapshot: Box::new(Cursor::new(data.clone())),
        }))
    }
}

impl TestStateMachine {
    /// Every command applied so far (from normal entries), in log order, including those a
    /// snapshot installed.
    pub(crate) fn applied_commands(&self) -> Vec<Vec<Bytes>> {
        let state = self.0.lock();
        state
            .applied
            .entries
            .iter()
            .flat_map(|(_, entry)| entry.requests.iter())
            .flat_map(|request| match request {
                Request::Commands(commands) => commands.clone(),
                Request::Transaction(tx) => tx.commands.clone(),
            })
            .collect()
    }

    /// The id of the last applied entry.
    pub(crate) fn last_applied(&self) -> Option<LogId> {
        self.0.lock().applied.last_applied
    }
}

/// One in-process node for the network tests: a Raft on a sled log in a temporary directory,
/// the [`TestStateMachine`], and the gRPC server on a loopback port.
pub(crate) struct TestNode {
    pub(crate) id: NodeId,
    pub(crate) info: NodeInfo,
    pub(crate) raft: openraft::Raft<TypeConfig>,
    pub(crate) sm: TestStateMachine,
    peers: Peers,
    _dir: tempfile::TempDir,
}

/// A running [`TestNode`] and its server; `stop` shuts both down.
pub(crate) struct Running {
    pub(crate) node: Arc<TestNode>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<Result<(), tonic::transport::Error>>,
}

/// The incarnation test node `id` runs as.
pub(crate) fn incarnation(id: NodeId) -> u64 {
    0x5eed_0000 + id
}

/// Starts node `id` with `config` and openraft network `network`, serving gRPC on a free
/// loopback port.
pub(crate) async fn start_node<N: RaftNetworkFactory<TypeConfig>>(
    id: NodeId,
    config: Arc<openraft::Config>,
    network: N,
) -> Running {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SledLogStore::open(&dir.path().join("raft")).expect("open log");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("local addr").to_string();
    let sm = TestStateMachine::new();
    let raft = openraft::Raft::new(id, config, network, store, sm.clone())
        .await
        .expect("raft");
    let node = Arc::new(TestNode {
        id,
        info: NodeInfo {
            raft_addr: addr.clone(),
            client_addr: addr,
            incarnation: incarnation(id),
        },
        raft,
        sm,
        peers: Peers::new(),
        _dir: dir,
    });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, node.clone(), async move {
        let _ = stopped.await;
    }));
    Running {
        node,
        stop: Some(stop),
        server,
    }
}

impl Running {
    /// Shuts the Raft and the server down.
    pub(crate) async fn stop(mut self) {
        let _ = self.node.raft.shutdown().await;
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = tokio::time::timeout(Duration::from_secs(10), &mut self.server).await;
    }
}

impl Host for TestNode {
    fn raft(&self) -> &openraft::Raft<TypeConfig> {
        &self.raft
    }

    fn node_id(&self) -> NodeId {
        self.id
    }

    fn incarnation(&self) -> u64 {
        self.info.incarnation
    }

    fn status(&self) -> NodeStatus {
        let m = self.raft.metrics().borrow().clone();
        NodeStatus {
            node_id: self.id,
            incarnation: self.info.incarnation,
            raft_addr: self.info.raft_addr.clone(),
            client_addr: self.info.client_addr.clone(),
            has_state: m.vote != Default::default()
                || m.last_log_index.is_some()
                || m.snapshot.is_some(),
            leader_id: m.current_leader,
            term: m.current_term,
            last_applied: m.last_applied.map(|l| l.index),
            committed: m.last_applied.map(|l| l.index),
            wall_ms: Some(crate::raft::wall_ms()),
            last_log_id: None,
            quiet_ms: None,
        }
    }

    /// Test nodes have no subscribers.
    fn deliver(&self, _shard: bool, _channel: &Bytes, _message: &Bytes) -> u64 {
        0
    }

    /// Writes only: proposes the raw commands on the leader, relays them to the leader
    /// elsewhere.
    async fn forward(&self, req: Forwarded) -> Result<Vec<Reply>, ForwardError> {
        if !req.write {
            return Err(ForwardError::Unavailable("test host: writes only".into()));
        }
        let leader = self.raft.current_leader().await;
        match leader {
            None => Err(ForwardError::NoLeader),
            Some(leader) if leader == self.id => {
                let entry = LogEntry::commands(0, req.db, req.commands);
                match self.raft.client_write(entry).await {
                    Ok(resp) => Ok(resp.data.replies),
                    Err(RaftError::APIError(ClientWriteError::ForwardToLeader(f))) => {
                        Err(ForwardError::NotLeader(f.leader_id))
                    }
                    Err(e) => Err(ForwardError::Unknown(e.to_string())),
                }
            }
            Some(leader) => {
                let membership = self.raft.metrics().borrow().membership_config.clone();
                let Some(node) = membership.membership().get_node(&leader) else {
                    return Err(ForwardError::NotLeader(Some(leader)));
                };
                let addr = node.raft_addr.clone();
                self.peers
                    .forward(&addr, req, Duration::from_secs(20))
                    .await
            }
        }
    }
}
