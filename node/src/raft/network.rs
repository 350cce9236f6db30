//! The gRPC client side: openraft's network ([`Network`], one [`PeerClient`] per target) and
//! a handle for forwarding and administration calls to any node ([`Peers`]).
//!
//! Channels are lazy (nothing connects until the first call), one per address and cached, so
//! every replication stream to a peer shares one HTTP/2 connection and a peer whose address
//! changes gets a fresh one. Every call is bounded by a timeout, and each peer has its own
//! connection, so a dead peer never blocks the others.
//!
//! Connections are made by our own connector, whose failures carry a marker: a call that
//! fails with it was never written to any connection. That is how "certainly not sent"
//! (openraft's `Unreachable`, a forward the caller may retry) is told apart from "sent, then
//! lost" (a forwarded write whose outcome is unknown).

// `RPCError` is openraft's error type, imposed by `RaftNetwork`; its size is theirs.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use openraft::error::{
    InstallSnapshotError, NetworkError, PayloadTooLarge, RPCError, RaftError, RemoteError, Timeout,
    Unreachable,
};
use openraft::network::{RPCOption, RPCTypes, RaftNetwork, RaftNetworkFactory};
use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest, InstallSnapshotResponse,
    VoteRequest, VoteResponse,
};
use openraft::{AnyError, Membership};
use parking_lot::Mutex;
use redraft_proto::v1 as pb;
use redraft_proto::v1::admin_client::AdminClient;
use redraft_proto::v1::forward_client::ForwardClient;
use redraft_proto::v1::pub_sub_client::PubSubClient;
use redraft_proto::v1::raft_client::RaftClient;
use tonic::transport::{Channel, Endpoint, Uri};
use tonic::{Code, Status};

use super::convert;
use super::grpc::{
    ForwardError, Forwarded, KEEPALIVE_INTERVAL, KEEPALIVE_TIMEOUT, MAX_MESSAGE_SIZE, NodeStatus,
};
use super::types::{LogId, NodeId, NodeInfo, TypeConfig};
use crate::resp::Reply;

/// How long establishing a TCP connection may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// The most bytes of entries one AppendEntries carries (a single larger entry goes alone):
/// openraft sends as many entries as it has (up to `max_payload_entries`) and bounds each
/// call by the heartbeat interval, so a follower catching up on entries that batch a thousand
/// 1 KB writes each would get hundreds of megabytes per call, time out every time, and never
/// catch up. Above this size the call answers `PayloadTooLarge` with the number of entries
/// that fit, and openraft sends that many.
const APPEND_BUDGET: usize = 4 * 1024 * 1024;

/// The least time an AppendEntries that carries entries may take: the follower flushes them
/// to its log before it answers, which on a busy disk takes longer than a heartbeat interval.
/// (A heartbeat keeps openraft's bound.)
const APPEND_MIN_TIMEOUT: Duration = Duration::from_secs(1);

/// The start of the message of every connection failure of our connector.
const NOT_CONNECTED: &str = "redraft: no connection to ";

/// A connection that could not be established: nothing was sent.
#[derive(Debug, thiserror::Error)]
#[error("{NOT_CONNECTED}{addr}: {cause}")]
struct NotConnected {
    addr: String,
    cause: String,
}

/// Whether a failed call was never sent: its connection could not be established.
fn never_sent(status: &Status) -> bool {
    status.code() == Code::Unavailable && status.message().starts_with(NOT_CONNECTED)
}

/// Opens a TCP connection to the URI's `host:port` (resolving names), within
/// [`CONNECT_TIMEOUT`], with Nagle's algorithm off.
async fn connect(uri: Uri) -> Result<TokioIo<tokio::net::TcpStream>, NotConnected> {
    let addr = uri.authority().map(|a| a.to_string()).unwrap_or_default();
    let failed = |cause: String| NotConnected {
        addr: addr.clone(),
        cause,
    };
    let stream = tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect(&addr))
        .await
        .map_err(|_| failed(format!("connect timed out after {CONNECT_TIMEOUT:?}")))?
        .map_err(|e| failed(e.to_string()))?;
    // Small RPCs (heartbeats, votes) must not wait for more bytes.
    let _ = stream.set_nodelay(true);
    Ok(TokioIo::new(stream))
}

/// A lazy channel to `addr` (`host:port`).
fn channel(addr: &str) -> Result<Channel, String> {
    let endpoint = Endpoint::from_shared(format!("http://{addr}"))
        .map_err(|e| format!("bad address {addr:?}: {e}"))?
        .http2_keep_alive_interval(KEEPALIVE_INTERVAL)
        .keep_alive_timeout(KEEPALIVE_TIMEOUT)
        .keep_alive_while_idle(true)
        .http2_adaptive_window(true);
    Ok(endpoint.connect_with_connector_lazy(tower::service_fn(connect)))
}

/// Channels by address, shared by clones.
#[derive(Clone, Default)]
struct Channels(Arc<Mutex<HashMap<String, Channel>>>);

impl Channels {
    /// The channel to `addr`, made on first use. Clones of a channel share its connection.
    fn get(&self, addr: &str) -> Result<Channel, String> {
        let mut map = self.0.lock();
        if let Some(channel) = map.get(addr) {
            return Ok(channel.clone());
        }
        let channel = channel(addr)?;
        map.insert(addr.to_owned(), channel.clone());
        Ok(channel)
    }
}

// ---- openraft's network ---------------------------------------------------------------------

/// openraft's network factory: makes a [`PeerClient`] per replication target.
#[derive(Clone)]
pub struct Network {
    /// This node's id (named in timeout errors).
    id: NodeId,
    channels: Channels,
}

impl Network {
    /// The network of node `id`.
    pub fn new(id: NodeId) -> Network {
        Network {
            id,
            channels: Channels::default(),
        }
    }
}

impl RaftNetworkFactory<TypeConfig> for Network {
    type Network = PeerClient;

    async fn new_client(&mut self, target: NodeId, node: &NodeInfo) -> PeerClient {
        PeerClient {
            id: self.id,
            target,
            node: node.clone(),
            client: self.channels.get(&node.raft_addr).map(|channel| {
                RaftClient::new(channel)
                    .max_decoding_message_size(MAX_MESSAGE_SIZE)
                    .max_encoding_message_size(MAX_MESSAGE_SIZE)
            }),
        }
    }
}

/// The Raft RPCs to one peer, addressed to the incarnation its membership record names.
pub struct PeerClient {
    id: NodeId,
    target: NodeId,
    node: NodeInfo,
    /// The client, or why there is none (an address that is not one).
    client: Result<RaftClient<Channel>, String>,
}

/// An RPC error with API error `E`.
type RpcError<E = openraft::error::Infallible> = RPCError<NodeId, NodeInfo, RaftError<NodeId, E>>;

impl PeerClient {
    /// Wraps `msg` with the metadata naming the target node and incarnation.
    fn request<T>(&self, msg: T) -> tonic::Request<T> {
        let mut req = tonic::Request::new(msg);
        let meta = req.metadata_mut();
        meta.insert(pb::TARGET_NODE_ID, self.target.into());
        meta.insert(pb::TARGET_INCARNATION, self.node.incarnation.into());
        req
    }

    /// Runs one call within `option.hard_ttl()` and maps transport failures: a connection that
    /// could not be made (or a node that refused the address) is `Unreachable`, so openraft
    /// backs off; anything else is a `Network` error or a `Timeout`.
    async fn call<R, E, F>(
        &self,
        action: RPCTypes,
        option: &RPCOption,
        call: impl FnOnce(RaftClient<Channel>) -> F,
    ) -> Result<R, RpcError<E>>
    where
        E: std::error::Error,
        F: Future<Output = Result<tonic::Response<R>, Status>>,
    {
        let client = match &self.client {
            Ok(client) => client.clone(),
            Err(e) => return Err(RPCError::Unreachable(Unreachable::from(AnyError::error(e)))),
        };
        let ttl = option.hard_ttl();
        match tokio::time::timeout(ttl, call(client)).await {
            Err(_) => Err(RPCError::Timeout(Timeout {
                action,
                id: self.id,
                target: self.target,
                timeout: ttl,
            })),
            Ok(Ok(resp)) => Ok(resp.into_inner()),
            Ok(Err(status)) if never_sent(&status) || status.code() == Code::FailedPrecondition => {
                Err(RPCError::Unreachable(Unreachable::new(&status)))
            }
            Ok(Err(status)) => Err(RPCError::Network(NetworkError::new(&status))),
        }
    }

    /// Maps a decoded remote answer: a malformed answer is a network error, a remote Raft
    /// error is a `RemoteError` naming the target.
    fn answer<T, E: std::error::Error>(
        &self,
        decoded: Result<Result<T, RaftError<NodeId, E>>, convert::ConvertError>,
    ) -> Result<T, RpcError<E>> {
        match decoded {
            Err(e) => Err(RPCError::Network(NetworkError::new(&e))),
            Ok(Ok(resp)) => Ok(resp),
            Ok(Err(e)) => Err(RPCError::RemoteError(RemoteError::new_with_node(
                self.target,
                self.node.clone(),
                e,
            ))),
        }
    }
}

impl RaftNetwork<TypeConfig> for PeerClient {
    async fn append_entries(
        &mut self,
        rpc: AppendEntriesRequest<TypeConfig>,
        option: RPCOption,
    ) -> Result<AppendEntriesResponse<NodeId>, RpcError> {
        let msg = convert::append_request_to_pb(&rpc);
        if let Some(too_large) = too_large(&msg, APPEND_BUDGET) {
            return Err(RPCError::PayloadTooLarge(too_large));
        }
        let option = if msg.entries.is_empty() {
            option
        } else {
            RPCOption::new(option.hard_ttl().max(APPEND_MIN_TIMEOUT))
        };
        let req = self.request(msg);
        let reply = self
            .call(RPCTypes::AppendEntries, &option, |mut c| async move {
                c.append_entries(req).await
            })
            .await?;
        self.answer(convert::append_reply_from_pb(reply))
    }

    async fn install_snapshot(
        &mut self,
        rpc: InstallSnapshotRequest<TypeConfig>,
        option: RPCOption,
    ) -> Result<InstallSnapshotResponse<NodeId>, RpcError<InstallSnapshotError>> {
        let req = self.request(convert::snapshot_request_to_pb(&rpc));
        let reply = self
            .call(RPCTypes::InstallSnapshot, &option, |mut c| async move {
                c.install_snapshot(req).await
            })
            .await?;
        self.answer(convert::snapshot_reply_from_pb(reply))
    }

    async fn vote(
        &mut self,
        rpc: VoteRequest<NodeId>,
        option: RPCOption,
    ) -> Result<VoteResponse<NodeId>, RpcError> {
        let req = self.request(convert::vote_request_to_pb(&rpc));
        let reply = self
            .call(
                RPCTypes::Vote,
                &option,
                |mut c| async move { c.vote(req).await },
            )
            .await?;
        self.answer(convert::vote_reply_from_pb(reply))
    }
}

/// Whether an AppendEntries message exceeds `limit` (what a node accepts); if so, openraft is asked to
/// send fewer entries (in proportion), so a batch of large values never fails for ever. A
/// single entry over the limit is sent anyway and fails as a network error.
fn too_large(msg: &pb::AppendEntriesRequest, limit: usize) -> Option<PayloadTooLarge> {
    use prost::Message;
    let entries = msg.entries.len();
    if entries < 2 {
        return None;
    }
    let len = msg.encoded_len();
    if len <= limit {
        return None;
    }
    let fit = (entries as u128 * limit as u128 / len as u128) as u64;
    Some(PayloadTooLarge::new_entries_hint(fit.max(1)))
}

// ---- forwarding and administration ----------------------------------------------------------

/// Why an Admin call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdminError {
    /// The node is not the leader; it names the leader it knows of.
    #[error("not the leader (leader: {0:?})")]
    NotLeader(Option<NodeId>),
    /// The node could not be reached or did not answer in time.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The node refused or failed the request.
    #[error("{0}")]
    Failed(String),
}

impl From<Status> for AdminError {
    fn from(status: Status) -> AdminError {
        if let Some(leader) = status.metadata().get(pb::LEADER_ID) {
            let leader = leader.to_str().ok().and_then(|s| s.parse().ok());
            return AdminError::NotLeader(leader);
        }
        match status.code() {
            Code::Unavailable | Code::DeadlineExceeded | Code::Cancelled => {
                AdminError::Unavailable(status.message().to_owned())
            }
            _ => AdminError::Failed(status.message().to_owned()),
        }
    }
}

/// A committed membership change: the log id of its entry and the resulting membership.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipChange {
    pub log_id: Option<LogId>,
    pub membership: Option<Membership<NodeId, NodeInfo>>,
}

/// Forwarding and Admin calls to any node by its gRPC address. Cheap to clone; clones share
/// their connections (one per address).
#[derive(Clone, Default)]
pub struct Peers {
    channels: Channels,
}

impl Peers {
    /// A handle with no connection yet.
    pub fn new() -> Peers {
        Peers::default()
    }

    /// Relays a client request to the node at `addr` (meant to be the leader) and returns one
    /// reply per command.
    ///
    /// A request that was certainly not sent (no connection could be made) fails with
    /// [`ForwardError::Unavailable`]. Once sent, a failure or a timeout is
    /// [`ForwardError::Unknown`] for a write (it may have been proposed; never retry it) and
    /// `Unavailable` for a read (reads change nothing). Keep `timeout` above
    /// [`CONNECT_TIMEOUT`], or a connection attempt still under way counts as sent.
    pub async fn forward(
        &self,
        addr: &str,
        req: Forwarded,
        timeout: Duration,
    ) -> Result<Vec<Reply>, ForwardError> {
        let channel = self.channels.get(addr).map_err(ForwardError::Unavailable)?;
        let lost = |why: String| {
            if req.write {
                ForwardError::Unknown(why)
            } else {
                ForwardError::Unavailable(why)
            }
        };
        let mut client = ForwardClient::new(channel)
            .max_decoding_message_size(MAX_MESSAGE_SIZE)
            .max_encoding_message_size(MAX_MESSAGE_SIZE);
        let call = client.forward(super::grpc::forwarded_to_pb(&req));
        match tokio::time::timeout(timeout, call).await {
            Err(_) => Err(lost(format!("no answer from {addr} within {timeout:?}"))),
            Ok(Err(status)) if never_sent(&status) => {
                Err(ForwardError::Unavailable(status.message().to_owned()))
            }
            Ok(Err(status)) => Err(lost(format!("{addr}: {}", status.message()))),
            Ok(Ok(resp)) => super::grpc::forward_response_from_pb(resp.into_inner())
                .unwrap_or_else(|e| Err(lost(format!("bad answer from {addr}: {e}")))),
        }
    }

    /// Hands a published message to the node at `addr`, which delivers it to its own
    /// subscribers, and returns how many received it there. Bounded by `timeout`; a failure
    /// says why as text (the message is then lost for that node: Pub/Sub is at-most-once).
    pub async fn publish(
        &self,
        addr: &str,
        shard: bool,
        channel: bytes::Bytes,
        message: bytes::Bytes,
        timeout: Duration,
    ) -> Result<u64, String> {
        let channel_to = self.channels.get(addr)?;
        let mut client = PubSubClient::new(channel_to)
            .max_decoding_message_size(MAX_MESSAGE_SIZE)
            .max_encoding_message_size(MAX_MESSAGE_SIZE);
        let req = pb::PublishRequest {
            channel,
            message,
            shard,
        };
        match tokio::time::timeout(timeout, client.publish(req)).await {
            Err(_) => Err(format!("no answer from {addr} within {timeout:?}")),
            Ok(Err(status)) => Err(format!("{addr}: {}", status.message())),
            Ok(Ok(resp)) => Ok(resp.into_inner().receivers),
        }
    }

    fn admin(&self, addr: &str) -> Result<AdminClient<Channel>, AdminError> {
        let channel = self.channels.get(addr).map_err(AdminError::Unavailable)?;
        Ok(AdminClient::new(channel))
    }

    /// Runs one Admin call within `timeout`.
    async fn admin_call<R, F>(
        &self,
        addr: &str,
        timeout: Duration,
        call: impl FnOnce(AdminClient<Channel>) -> F,
    ) -> Result<R, AdminError>
    where
        F: Future<Output = Result<tonic::Response<R>, Status>>,
    {
        let client = self.admin(addr)?;
        match tokio::time::timeout(timeout, call(client)).await {
            Err(_) => Err(AdminError::Unavailable(format!(
                "no answer from {addr} within {timeout:?}"
            ))),
            Ok(result) => Ok(result?.into_inner()),
        }
    }

    /// The status of the node at `addr`.
    pub async fn status(&self, addr: &str, timeout: Duration) -> Result<NodeStatus, AdminError> {
        let status = self
            .admin_call(addr, timeout, |mut c| async move {
                c.status(pb::StatusRequest {}).await
            })
            .await?;
        Ok(super::grpc::status_from_pb(status))
    }

    /// Asks the leader at `addr` to add node `node_id` as a learner; `blocking` waits until
    /// the learner has caught up (bounded by `timeout`).
    pub async fn add_learner(
        &self,
        addr: &str,
        node_id: NodeId,
        node: &NodeInfo,
        blocking: bool,
        timeout: Duration,
    ) -> Result<MembershipChange, AdminError> {
        let req = pb::AddLearnerRequest {
            node_id,
            node: Some(convert::node_to_pb(node)),
            blocking,
        };
        let reply = self
            .admin_call(
                addr,
                timeout,
                |mut c| async move { c.add_learner(req).await },
            )
            .await?;
        membership_change_from_pb(reply)
    }

    /// Asks the leader at `addr` to make `voters` the voter set; `retain` keeps removed voters
    /// as learners.
    pub async fn change_membership(
        &self,
        addr: &str,
        voters: &BTreeSet<NodeId>,
        retain: bool,
        timeout: Duration,
    ) -> Result<MembershipChange, AdminError> {
        let req = pb::ChangeMembershipRequest {
            voters: voters.iter().copied().collect(),
            retain,
        };
        let reply = self
            .admin_call(addr, timeout, |mut c| async move {
                c.change_membership(req).await
            })
            .await?;
        membership_change_from_pb(reply)
    }

    /// openraft's metrics of the node at `addr`, as JSON.
    pub async fn metrics(&self, addr: &str, timeout: Duration) -> Result<String, AdminError> {
        let reply = self
            .admin_call(addr, timeout, |mut c| async move {
                c.metrics(pb::MetricsRequest {}).await
            })
            .await?;
        Ok(reply.json)
    }
}

fn membership_change_from_pb(reply: pb::MembershipReply) -> Result<MembershipChange, AdminError> {
    let membership = reply
        .membership
        .map(convert::membership_from_pb)
        .transpose()
        .map_err(|e| AdminError::Failed(format!("bad membership in answer: {e}")))?;
    Ok(MembershipChange {
        log_id: reply.log_id.map(convert::log_id_from_pb),
        membership,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use bytes::Bytes;
    use openraft::{Config, SnapshotPolicy};

    use super::*;
    use crate::machine::LogEntry;
    use crate::raft::testkit::{Running, TestNode, incarnation, start_node};

    /// Generous: the test machine is small and shared.
    const WAIT: Duration = Duration::from_secs(60);

    fn config(snapshot_chunk: u64) -> Arc<Config> {
        let config = Config {
            cluster_name: "net-test".into(),
            heartbeat_interval: 150,
            election_timeout_min: 1500,
            election_timeout_max: 3000,
            install_snapshot_timeout: 5000,
            snapshot_max_chunk_size: snapshot_chunk,
            snapshot_policy: SnapshotPolicy::Never,
            max_in_snapshot_log_to_keep: 0,
            purge_batch_size: 1,
            ..Default::default()
        };
        Arc::new(config.validate().expect("valid config"))
    }

    fn argv(items: &[&str]) -> Vec<Bytes> {
        items
            .iter()
            .map(|s| Bytes::copy_from_slice(s.as_bytes()))
            .collect()
    }

    fn entry(commands: &[&[&str]]) -> LogEntry {
        LogEntry::commands(0, 0, commands.iter().map(|c| argv(c)).collect())
    }

    /// openraft's network wrapped to count the InstallSnapshot RPCs (chunks) it sends.
    #[derive(Clone)]
    struct Counting {
        inner: Network,
        chunks: Arc<AtomicUsize>,
    }

    struct CountingPeer {
        inner: PeerClient,
        chunks: Arc<AtomicUsize>,
    }

    impl RaftNetworkFactory<TypeConfig> for Counting {
        type Network = CountingPeer;

        async fn new_client(&mut self, target: NodeId, node: &NodeInfo) -> CountingPeer {
            CountingPeer {
                inner: self.inner.new_client(target, node).await,
                chunks: self.chunks.clone(),
            }
        }
    }

    impl RaftNetwork<TypeConfig> for CountingPeer {
        async fn append_entries(
            &mut self,
            rpc: AppendEntriesRequest<TypeConfig>,
            option: RPCOption,
        ) -> Result<AppendEntriesResponse<NodeId>, RpcError> {
            self.inner.append_entries(rpc, option).await
        }

        async fn install_snapshot(
            &mut self,
            rpc: InstallSnapshotRequest<TypeConfig>,
            option: RPCOption,
        ) -> Result<InstallSnapshotResponse<NodeId>, RpcError<InstallSnapshotError>> {
            self.chunks.fetch_add(1, Ordering::SeqCst);
            self.inner.install_snapshot(rpc, option).await
        }

        async fn vote(
            &mut self,
            rpc: VoteRequest<NodeId>,
            option: RPCOption,
        ) -> Result<VoteResponse<NodeId>, RpcError> {
            self.inner.vote(rpc, option).await
        }
    }

    /// Starts nodes `1..=n` (uninitialized), all counting snapshot chunks into `chunks`.
    async fn start(n: u64, chunk: u64, chunks: &Arc<AtomicUsize>) -> Vec<Running> {
        let mut nodes = Vec::new();
        for id in 1..=n {
            let network = Counting {
                inner: Network::new(id),
                chunks: chunks.clone(),
            };
            nodes.push(start_node(id, config(chunk), network).await);
        }
        nodes
    }

    /// Initializes the cluster of `nodes` through the first and returns the leader's index.
    async fn initialize(nodes: &[Running]) -> usize {
        let members: BTreeMap<NodeId, NodeInfo> = nodes
            .iter()
            .map(|r| (r.node.id, r.node.info.clone()))
            .collect();
        nodes[0]
            .node
            .raft
            .initialize(members)
            .await
            .expect("initialize");
        let metrics = nodes[0]
            .node
            .raft
            .wait(Some(WAIT))
            .metrics(|m| m.current_leader.is_some(), "a leader")
            .await
            .expect("leader elected");
        let leader = metrics.current_leader.expect("leader");
        nodes
            .iter()
            .position(|r| r.node.id == leader)
            .expect("leader is a member")
    }

    async fn wait_applied(node: &TestNode, index: u64) {
        node.raft
            .wait(Some(WAIT))
            .applied_index_at_least(Some(index), "entry applied")
            .await
            .unwrap_or_else(|e| panic!("node {} did not apply {index}: {e}", node.id));
    }

    async fn stop_all(nodes: Vec<Running>) {
        for node in nodes {
            node.stop().await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn three_nodes_replicate_and_forward_through_a_follower() {
        let chunks = Arc::new(AtomicUsize::new(0));
        let mut nodes = start(3, 3 * 1024 * 1024, &chunks).await;
        let leader = nodes[initialize(&nodes).await].node.clone();

        let resp = leader
            .raft
            .client_write(entry(&[&["set", "k", "v"], &["incr", "n"]]))
            .await
            .expect("client_write");
        assert_eq!(resp.data.replies, vec![Reply::OK, Reply::Int(1)]);
        for r in &nodes {
            wait_applied(&r.node, resp.log_id.index).await;
            assert_eq!(
                r.node.sm.applied_commands(),
                vec![argv(&["set", "k", "v"]), argv(&["incr", "n"])]
            );
        }

        // A write sent to a follower is relayed to the leader and answered.
        let follower = nodes
            .iter()
            .find(|r| r.node.id != leader.id)
            .map(|r| r.node.clone())
            .expect("a follower");
        let peers = Peers::new();
        let req = Forwarded {
            db: 0,
            write: true,
            commands: vec![argv(&["incr", "n"]), argv(&["del", "k"])],
            transaction: None,
            block_ms: None,
        };
        let replies = peers
            .forward(&follower.info.raft_addr, req, WAIT)
            .await
            .expect("forwarded");
        assert_eq!(replies, vec![Reply::Int(2), Reply::Int(1)]);
        let last = leader.sm.last_applied().expect("applied").index;
        for r in &nodes {
            wait_applied(&r.node, last).await;
            assert_eq!(r.node.sm.applied_commands().len(), 4);
        }

        // Admin: status, metrics, and a membership change sent to a follower.
        let status = peers
            .status(&follower.info.raft_addr, WAIT)
            .await
            .expect("status");
        assert_eq!(status.node_id, follower.id);
        assert_eq!(status.incarnation, incarnation(follower.id));
        assert_eq!(status.leader_id, Some(leader.id));
        assert!(status.has_state);
        let metrics = peers
            .metrics(&leader.info.raft_addr, WAIT)
            .await
            .expect("metrics");
        assert!(metrics.contains("current_leader"), "{metrics}");
        let refused = peers
            .change_membership(
                &follower.info.raft_addr,
                &BTreeSet::from([1, 2]),
                true,
                WAIT,
            )
            .await;
        assert_eq!(refused, Err(AdminError::NotLeader(Some(leader.id))));
        assert_eq!(chunks.load(Ordering::SeqCst), 0);

        // A dead follower blocks nobody: the other two still commit, promptly.
        let dead = nodes
            .iter()
            .position(|r| r.node.id != leader.id)
            .expect("a follower");
        nodes.remove(dead).stop().await;
        let write = leader.raft.client_write(entry(&[&["incr", "n"]]));
        let resp = tokio::time::timeout(Duration::from_secs(20), write)
            .await
            .expect("committed without the dead follower")
            .expect("client_write");
        assert_eq!(resp.data.replies, vec![Reply::Int(3)]);
        stop_all(nodes).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn raft_rpcs_for_another_incarnation_or_node_are_refused() {
        let chunks = Arc::new(AtomicUsize::new(0));
        let nodes = start(3, 3 * 1024 * 1024, &chunks).await;
        initialize(&nodes).await;
        let target = &nodes[1].node;
        let term_before = target.raft.metrics().borrow().current_term;
        let vote = VoteRequest::new(openraft::Vote::new(term_before + 100, 9), None);
        let option = RPCOption::new(Duration::from_secs(20));

        let mut network = Network::new(9);
        let mut wiped = target.info.clone();
        wiped.incarnation ^= 1;
        let err = network
            .new_client(target.id, &wiped)
            .await
            .vote(vote.clone(), option.clone())
            .await
            .expect_err("wrong incarnation refused");
        assert!(matches!(err, RPCError::Unreachable(_)), "{err:?}");
        assert!(err.to_string().contains("incarnation"), "{err}");

        let err = network
            .new_client(target.id + 10, &target.info)
            .await
            .vote(vote.clone(), option.clone())
            .await
            .expect_err("wrong node id refused");
        assert!(matches!(err, RPCError::Unreachable(_)), "{err:?}");

        // Without the metadata at all.
        let mut raw = RaftClient::new(channel(&target.info.raft_addr).expect("channel"));
        let status = raw
            .vote(convert::vote_request_to_pb(&vote))
            .await
            .expect_err("no target refused");
        assert_eq!(status.code(), Code::FailedPrecondition);

        // Nothing reached the node's Raft: its term did not jump.
        assert!(target.raft.metrics().borrow().current_term < term_before + 100);

        // The right incarnation is served.
        let resp = network
            .new_client(target.id, &target.info)
            .await
            .vote(VoteRequest::new(openraft::Vote::new(0, 9), None), option)
            .await
            .expect("vote answered");
        assert!(!resp.vote_granted);
        stop_all(nodes).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_new_learner_receives_the_snapshot_in_chunks() {
        let chunks = Arc::new(AtomicUsize::new(0));
        let mut nodes = start(3, 64, &chunks).await;
        let leader = nodes[initialize(&nodes).await].node.clone();
        for i in 0..5 {
            let value = format!("value-{i}-{}", "x".repeat(100));
            leader
                .raft
                .client_write(entry(&[&["set", &format!("key{i}"), &value]]))
                .await
                .expect("client_write");
        }
        let last = leader.sm.last_applied().expect("applied");

        // Snapshot and purge the log, so a new node can only catch up from the snapshot.
        leader.raft.trigger().snapshot().await.expect("snapshot");
        leader
            .raft
            .wait(Some(WAIT))
            .snapshot(last, "snapshot built")
            .await
            .expect("snapshot built");
        leader
            .raft
            .trigger()
            .purge_log(last.index)
            .await
            .expect("purge");
        leader
            .raft
            .wait(Some(WAIT))
            .purged(Some(last), "log purged")
            .await
            .expect("log purged");

        let learner = start_node(
            4,
            config(64),
            Counting {
                inner: Network::new(4),
                chunks: chunks.clone(),
            },
        )
        .await;
        let peers = Peers::new();
        let added = peers
            .add_learner(&leader.info.raft_addr, 4, &learner.node.info, true, WAIT)
            .await
            .expect("learner added");
        let log_id = added.log_id.expect("membership log id");
        wait_applied(&learner.node, log_id.index).await;
        assert_eq!(
            learner.node.sm.applied_commands(),
            leader.sm.applied_commands()
        );
        let snapshot = learner.node.raft.metrics().borrow().snapshot;
        assert_eq!(snapshot, Some(last), "the learner installed the snapshot");
        let sent = chunks.load(Ordering::SeqCst);
        assert!(sent > 3, "snapshot sent in {sent} chunks");

        // Promote it: a four-voter cluster still commits.
        let change = peers
            .change_membership(
                &leader.info.raft_addr,
                &BTreeSet::from([1, 2, 3, 4]),
                false,
                WAIT,
            )
            .await
            .expect("promoted");
        let voters: Vec<NodeId> = change.membership.expect("membership").voter_ids().collect();
        assert_eq!(voters, vec![1, 2, 3, 4]);
        nodes.push(learner);
        stop_all(nodes).await;
    }

    #[test]
    fn too_many_large_entries_ask_openraft_for_fewer() {
        let big = |index| crate::raft::types::Entry {
            log_id: LogId::new(openraft::CommittedLeaderId::new(1, 1), index),
            payload: openraft::EntryPayload::Normal(entry(&[&["set", "k", &"x".repeat(1000)]])),
        };
        let rpc = AppendEntriesRequest::<TypeConfig> {
            vote: openraft::Vote::new_committed(1, 1),
            prev_log_id: None,
            entries: (1..=10).map(big).collect(),
            leader_commit: None,
        };
        let msg = convert::append_request_to_pb(&rpc);
        assert_eq!(too_large(&msg, 1 << 20), None);
        let hint = too_large(&msg, 3500).expect("too large");
        assert!(hint.to_string().contains("entries:3"), "{hint}");
        let one = pb::AppendEntriesRequest {
            entries: msg.entries[..1].to_vec(),
            ..msg
        };
        assert_eq!(too_large(&one, 10), None, "a single entry cannot be split");
    }

    #[tokio::test]
    async fn a_sent_write_without_answer_has_an_unknown_outcome() {
        // Accepts connections and never answers (not even the HTTP/2 handshake).
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        let silent = tokio::spawn(async move {
            let mut open = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                open.push(socket);
            }
        });
        let peers = Peers::new();
        let mut req = Forwarded {
            db: 0,
            write: true,
            commands: vec![argv(&["incr", "n"])],
            transaction: None,
            block_ms: None,
        };
        let err = peers
            .forward(&addr, req.clone(), Duration::from_millis(1500))
            .await
            .expect_err("no answer");
        assert!(matches!(err, ForwardError::Unknown(_)), "{err:?}");
        req.write = false;
        let err = peers
            .forward(&addr, req, Duration::from_millis(1500))
            .await
            .expect_err("no answer");
        assert!(matches!(err, ForwardError::Unavailable(_)), "{err:?}");
        silent.abort();
    }

    #[tokio::test]
    async fn a_forward_that_cannot_connect_was_never_sent() {
        // A port nothing listens on: bind, then close.
        let addr = {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            listener.local_addr().expect("addr").to_string()
        };
        let peers = Peers::new();
        let req = Forwarded {
            db: 0,
            write: true,
            commands: vec![argv(&["incr", "n"])],
            transaction: None,
            block_ms: None,
        };
        for _ in 0..2 {
            let err = peers
                .forward(&addr, req.clone(), WAIT)
                .await
                .expect_err("nothing listens");
            assert!(matches!(err, ForwardError::Unavailable(_)), "{err:?}");
        }
        let err = peers
            .forward("not an address", req, WAIT)
            .await
            .expect_err("bad address");
        assert!(matches!(err, ForwardError::Unavailable(_)), "{err:?}");
        let err = peers
            .status(&addr, WAIT)
            .await
            .expect_err("nothing listens");
        assert!(matches!(err, AdminError::Unavailable(_)), "{err:?}");
    }
}
