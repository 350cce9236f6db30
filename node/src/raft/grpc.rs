//! The gRPC server of a node: the Raft RPCs, forwarding, administration and Pub/Sub fan-out
//! (proto/raft.proto).
//!
//! The server knows nothing of the node beyond the [`Host`] trait: the Raft instance, the
//! node's identity, a status snapshot, and how to run a forwarded client request. Each RPC
//! decodes its request (a bad message is `INVALID_ARGUMENT`, never a panic), calls the host,
//! and encodes the answer.
//!
//! Raft RPCs are refused with `FAILED_PRECONDITION` unless their metadata names this node's id
//! and incarnation (see `TARGET_NODE_ID` and `TARGET_INCARNATION` in `redraft_proto::v1`): a
//! node whose data directory was wiped has a new incarnation, so it never votes or acknowledges
//! entries with state it has forgotten; it takes part again only once a membership change
//! records its new incarnation.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use openraft::error::{ChangeMembershipError, ClientWriteError, Fatal, RaftError};
use openraft::raft::ClientWriteResponse;
use redraft_proto::v1 as pb;
use redraft_proto::v1::admin_server::{Admin, AdminServer};
use redraft_proto::v1::forward_server::{Forward, ForwardServer};
use redraft_proto::v1::pub_sub_server::{PubSub, PubSubServer};
use redraft_proto::v1::raft_server::{Raft, RaftServer};
use tonic::metadata::MetadataMap;
use tonic::transport::server::TcpIncoming;
use tonic::{Request, Response, Status};

use super::convert::{self, ConvertError};
use super::types::{NodeId, TypeConfig};
use crate::machine::Watched;
use crate::resp::Reply;

/// The largest message a node accepts: room for a batch of entries holding values of
/// Redis's 512 MB bulk limit. Snapshots travel in chunks far below it.
pub const MAX_MESSAGE_SIZE: usize = 768 * 1024 * 1024;

/// How often an idle HTTP/2 connection is pinged, and how long a ping may go unanswered
/// before the connection is dropped (both ends use the same values).
pub const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);
/// See [`KEEPALIVE_INTERVAL`].
pub const KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(5);

/// What the gRPC server needs from the node it serves.
pub trait Host: Send + Sync + 'static {
    /// This node's Raft.
    fn raft(&self) -> &openraft::Raft<TypeConfig>;
    /// This node's id.
    fn node_id(&self) -> NodeId;
    /// The incarnation of this node's data directory (see `NodeInfo::incarnation`).
    fn incarnation(&self) -> u64;
    /// What `Admin.Status` answers.
    fn status(&self) -> NodeStatus;
    /// Called when an AppendEntries (a heartbeat or entries) from the current leader was
    /// accepted (RAFT.INFO reports the time since).
    fn heard_from_leader(&self) {}
    /// Called when this node granted a vote: like a leader's message, it holds back this
    /// node's own campaign.
    fn granted_vote(&self) {}
    /// Runs a client request a follower relayed here: on the leader, proposes the writes (or
    /// serves the reads) and answers one reply per command; elsewhere, says who the leader is.
    fn forward(
        &self,
        req: Forwarded,
    ) -> impl Future<Output = Result<Vec<Reply>, ForwardError>> + Send;
    /// Delivers a message another node published to this node's subscribers; returns how
    /// many received it.
    fn deliver(&self, shard: bool, channel: &Bytes, message: &Bytes) -> u64;
}

/// A node's identity and Raft progress, as `Admin.Status` reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeStatus {
    pub node_id: NodeId,
    pub incarnation: u64,
    pub raft_addr: String,
    pub client_addr: String,
    /// Whether this node has any Raft state: a vote, a log or a snapshot. The cluster
    /// initializes only when no peer has state.
    pub has_state: bool,
    pub leader_id: Option<NodeId>,
    pub term: u64,
    /// Index of the last applied entry.
    pub last_applied: Option<u64>,
    /// Index of the last committed entry.
    pub committed: Option<u64>,
    /// The node's wall clock when it answered (unix milliseconds).
    pub wall_ms: Option<u64>,
    /// The last log id in the node's log (or the last purged one).
    pub last_log_id: Option<super::types::LogId>,
    /// Milliseconds since the node last accepted a leader's AppendEntries or granted a vote.
    pub quiet_ms: Option<u64>,
}

/// A client request relayed to the leader: the raw argv of each command as the client sent
/// it (the leader prepares them with its own time), in database `db`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Forwarded {
    pub db: u32,
    /// True for writes (proposed through the log), false for reads.
    pub write: bool,
    pub commands: Vec<Vec<Bytes>>,
    /// For a MULTI/EXEC transaction (a write answered with one reply): its watched keys.
    pub transaction: Option<Vec<Watched>>,
    /// For a blocking command (the only command): how long the leader may keep the client
    /// in its wait queues, in milliseconds (0: for ever).
    pub block_ms: Option<u64>,
}

/// Why a forwarded request got no replies. Only [`ForwardError::Unknown`] leaves open whether
/// a write was proposed; every other variant means it certainly was not, so the caller may
/// try again (DESIGN.md "Write path").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForwardError {
    /// The receiver is not the leader; it names the leader it knows of.
    #[error("not the leader (leader: {0:?})")]
    NotLeader(Option<NodeId>),
    /// No leader is known (an election is under way).
    #[error("no leader")]
    NoLeader,
    /// The request never reached the receiver, or was a read (reads change nothing):
    /// safe to retry.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The request may or may not have been proposed.
    #[error("outcome unknown: {0}")]
    Unknown(String),
}

/// Serves the Raft, Forward, Admin and PubSub services on `listener` until `shutdown` completes,
/// then lets open calls finish.
pub async fn serve<H: Host>(
    listener: tokio::net::TcpListener,
    host: Arc<H>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), tonic::transport::Error> {
    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
    tonic::transport::Server::builder()
        .http2_keepalive_interval(Some(KEEPALIVE_INTERVAL))
        .http2_keepalive_timeout(Some(KEEPALIVE_TIMEOUT))
        .http2_adaptive_window(Some(true))
        .add_service(
            RaftServer::new(RaftService(host.clone())).max_decoding_message_size(MAX_MESSAGE_SIZE),
        )
        .add_service(
            ForwardServer::new(ForwardService(host.clone()))
                .max_decoding_message_size(MAX_MESSAGE_SIZE)
                .max_encoding_message_size(MAX_MESSAGE_SIZE),
        )
        .add_service(AdminServer::new(AdminService(host.clone())))
        .add_service(
            PubSubServer::new(PubSubService(host))
                .max_decoding_message_size(MAX_MESSAGE_SIZE)
                .max_encoding_message_size(MAX_MESSAGE_SIZE),
        )
        .serve_with_incoming_shutdown(incoming, shutdown)
        .await
}

fn invalid(e: ConvertError) -> Status {
    Status::invalid_argument(e.to_string())
}

// ---- Raft -----------------------------------------------------------------------------------

/// The Raft RPCs, handed to the host's Raft once addressed to this very node.
pub struct RaftService<H>(Arc<H>);

/// Refuses a Raft RPC meant for another node or another incarnation of this one.
fn check_target<H: Host>(host: &H, metadata: &MetadataMap) -> Result<(), Status> {
    let read = |key: &str| -> Option<u64> { metadata.get(key)?.to_str().ok()?.parse().ok() };
    let (Some(node_id), Some(incarnation)) =
        (read(pb::TARGET_NODE_ID), read(pb::TARGET_INCARNATION))
    else {
        return Err(Status::failed_precondition(
            "raft RPC without a valid target node id and incarnation",
        ));
    };
    if node_id != host.node_id() {
        return Err(Status::failed_precondition(format!(
            "raft RPC for node {node_id} reached node {}",
            host.node_id()
        )));
    }
    if incarnation != host.incarnation() {
        return Err(Status::failed_precondition(format!(
            "raft RPC for incarnation {incarnation:016x} of node {node_id}, but this node is \
             incarnation {:016x} (its data directory was recreated); it must be re-added \
             through a membership change",
            host.incarnation()
        )));
    }
    Ok(())
}

#[tonic::async_trait]
impl<H: Host> Raft for RaftService<H> {
    async fn append_entries(
        &self,
        request: Request<pb::AppendEntriesRequest>,
    ) -> Result<Response<pb::AppendEntriesReply>, Status> {
        check_target(&*self.0, request.metadata())?;
        let req = convert::append_request_from_pb(request.into_inner()).map_err(invalid)?;
        let result = self.0.raft().append_entries(req).await;
        if result.as_ref().is_ok_and(|r| r.is_success()) {
            self.0.heard_from_leader();
        }
        Ok(Response::new(convert::append_reply_to_pb(result)))
    }

    async fn vote(
        &self,
        request: Request<pb::VoteRequest>,
    ) -> Result<Response<pb::VoteReply>, Status> {
        check_target(&*self.0, request.metadata())?;
        let req = convert::vote_request_from_pb(request.into_inner()).map_err(invalid)?;
        let result = self.0.raft().vote(req).await;
        if result.as_ref().is_ok_and(|r| r.vote_granted) {
            self.0.granted_vote();
        }
        Ok(Response::new(convert::vote_reply_to_pb(result)))
    }

    async fn install_snapshot(
        &self,
        request: Request<pb::InstallSnapshotRequest>,
    ) -> Result<Response<pb::InstallSnapshotReply>, Status> {
        check_target(&*self.0, request.metadata())?;
        let req = convert::snapshot_request_from_pb(request.into_inner()).map_err(invalid)?;
        let result = self.0.raft().install_snapshot(req).await;
        Ok(Response::new(convert::snapshot_reply_to_pb(result)))
    }
}

// ---- Forward --------------------------------------------------------------------------------

/// Client requests relayed by followers.
pub struct ForwardService<H>(Arc<H>);

#[tonic::async_trait]
impl<H: Host> Forward for ForwardService<H> {
    async fn forward(
        &self,
        request: Request<pb::ForwardRequest>,
    ) -> Result<Response<pb::ForwardResponse>, Status> {
        let req = forwarded_from_pb(request.into_inner());
        let result = self.0.forward(req).await;
        Ok(Response::new(forward_response_to_pb(&result)))
    }
}

/// Encodes a forwarded request.
pub fn forwarded_to_pb(req: &Forwarded) -> pb::ForwardRequest {
    pb::ForwardRequest {
        db: req.db,
        write: req.write,
        commands: req
            .commands
            .iter()
            .map(|argv| convert::command_to_pb(argv))
            .collect(),
        transaction: req.transaction.is_some(),
        watch: req
            .transaction
            .as_deref()
            .map(convert::watch_to_pb)
            .unwrap_or_default(),
        block_ms: req.block_ms,
    }
}

/// Decodes a forwarded request.
pub fn forwarded_from_pb(req: pb::ForwardRequest) -> Forwarded {
    Forwarded {
        db: req.db,
        write: req.write,
        commands: req.commands.into_iter().map(|c| c.args).collect(),
        transaction: req.transaction.then(|| convert::watch_from_pb(req.watch)),
        block_ms: req.block_ms,
    }
}

/// Encodes the answer to a forwarded request.
pub fn forward_response_to_pb(result: &Result<Vec<Reply>, ForwardError>) -> pb::ForwardResponse {
    use pb::forward_response::Result as R;
    let result = match result {
        Ok(replies) => R::Replies(pb::Replies {
            replies: replies.iter().map(convert::reply_to_pb).collect(),
        }),
        Err(e) => R::Error(forward_error_to_pb(e)),
    };
    pb::ForwardResponse {
        result: Some(result),
    }
}

fn forward_error_to_pb(err: &ForwardError) -> pb::ForwardError {
    use pb::ForwardErrorKind as K;
    let (kind, leader_id) = match err {
        ForwardError::NotLeader(leader) => (K::NotLeader, *leader),
        ForwardError::NoLeader => (K::NoLeader, None),
        ForwardError::Unavailable(_) => (K::Unavailable, None),
        ForwardError::Unknown(_) => (K::Unknown, None),
    };
    let message = match err {
        ForwardError::Unavailable(m) | ForwardError::Unknown(m) => m.clone(),
        _ => String::new(),
    };
    pb::ForwardError {
        kind: kind as i32,
        leader_id,
        message,
    }
}

/// Decodes the answer to a forwarded request. An error kind this node does not know is read
/// as "outcome unknown", the only safe reading.
pub fn forward_response_from_pb(
    resp: pb::ForwardResponse,
) -> Result<Result<Vec<Reply>, ForwardError>, ConvertError> {
    use pb::ForwardErrorKind as K;
    use pb::forward_response::Result as R;
    let result = resp
        .result
        .ok_or(ConvertError::Missing("forward_response.result"))?;
    Ok(match result {
        R::Replies(r) => Ok(r
            .replies
            .into_iter()
            .map(convert::reply_from_pb)
            .collect::<Result<_, _>>()?),
        R::Error(e) => Err(match K::try_from(e.kind).unwrap_or(K::Unknown) {
            K::NotLeader => ForwardError::NotLeader(e.leader_id),
            K::NoLeader => ForwardError::NoLeader,
            K::Unavailable => ForwardError::Unavailable(e.message),
            K::Unknown => ForwardError::Unknown(e.message),
        }),
    })
}

// ---- PubSub --------------------------------------------------------------------------------

/// Messages published on other nodes, for this node's subscribers.
pub struct PubSubService<H>(Arc<H>);

#[tonic::async_trait]
impl<H: Host> PubSub for PubSubService<H> {
    async fn publish(
        &self,
        request: Request<pb::PublishRequest>,
    ) -> Result<Response<pb::PublishReply>, Status> {
        let req = request.into_inner();
        let receivers = self.0.deliver(req.shard, &req.channel, &req.message);
        Ok(Response::new(pb::PublishReply { receivers }))
    }
}

// ---- Admin ----------------------------------------------------------------------------------

/// Status, membership changes and metrics.
pub struct AdminService<H>(Arc<H>);

#[tonic::async_trait]
impl<H: Host> Admin for AdminService<H> {
    async fn status(
        &self,
        _request: Request<pb::StatusRequest>,
    ) -> Result<Response<pb::NodeStatus>, Status> {
        Ok(Response::new(status_to_pb(&self.0.status())))
    }

    async fn add_learner(
        &self,
        request: Request<pb::AddLearnerRequest>,
    ) -> Result<Response<pb::MembershipReply>, Status> {
        let req = request.into_inner();
        let node = req
            .node
            .ok_or_else(|| Status::invalid_argument("missing field `node`"))?;
        let result = self
            .0
            .raft()
            .add_learner(req.node_id, convert::node_from_pb(node), req.blocking)
            .await;
        membership_reply(result)
    }

    async fn change_membership(
        &self,
        request: Request<pb::ChangeMembershipRequest>,
    ) -> Result<Response<pb::MembershipReply>, Status> {
        let req = request.into_inner();
        let voters: std::collections::BTreeSet<NodeId> = req.voters.into_iter().collect();
        let result = self.0.raft().change_membership(voters, req.retain).await;
        membership_reply(result)
    }

    async fn metrics(
        &self,
        _request: Request<pb::MetricsRequest>,
    ) -> Result<Response<pb::MetricsReply>, Status> {
        let metrics = self.0.raft().metrics().borrow().clone();
        let json = serde_json::to_string_pretty(&metrics)
            .map_err(|e| Status::internal(format!("encoding metrics: {e}")))?;
        Ok(Response::new(pb::MetricsReply { json }))
    }
}

/// Encodes a node status.
pub fn status_to_pb(status: &NodeStatus) -> pb::NodeStatus {
    pb::NodeStatus {
        node_id: status.node_id,
        incarnation: status.incarnation,
        raft_addr: status.raft_addr.clone(),
        client_addr: status.client_addr.clone(),
        has_state: status.has_state,
        leader_id: status.leader_id,
        term: status.term,
        last_applied: status.last_applied,
        committed: status.committed,
        wall_ms: status.wall_ms,
        last_log_id: status.last_log_id.as_ref().map(convert::log_id_to_pb),
        quiet_ms: status.quiet_ms,
    }
}

/// Decodes a node status.
pub fn status_from_pb(status: pb::NodeStatus) -> NodeStatus {
    NodeStatus {
        node_id: status.node_id,
        incarnation: status.incarnation,
        raft_addr: status.raft_addr,
        client_addr: status.client_addr,
        has_state: status.has_state,
        leader_id: status.leader_id,
        term: status.term,
        last_applied: status.last_applied,
        committed: status.committed,
        wall_ms: status.wall_ms,
        last_log_id: status.last_log_id.map(convert::log_id_from_pb),
        quiet_ms: status.quiet_ms,
    }
}

type MembershipResult = Result<
    ClientWriteResponse<TypeConfig>,
    RaftError<NodeId, ClientWriteError<NodeId, super::types::Node>>,
>;

fn membership_reply(result: MembershipResult) -> Result<Response<pb::MembershipReply>, Status> {
    let resp = result.map_err(membership_error_status)?;
    Ok(Response::new(pb::MembershipReply {
        log_id: Some(convert::log_id_to_pb(&resp.log_id)),
        membership: resp.membership.as_ref().map(convert::membership_to_pb),
    }))
}

/// Maps a failed membership change to a status. "Not the leader" is FAILED_PRECONDITION with
/// metadata `LEADER_ID` (the leader's id, or empty when none is known); a change already in
/// progress is UNAVAILABLE (retry later); a change that can never be made is INVALID_ARGUMENT.
fn membership_error_status(
    err: RaftError<NodeId, ClientWriteError<NodeId, super::types::Node>>,
) -> Status {
    match err {
        RaftError::APIError(ClientWriteError::ForwardToLeader(f)) => {
            let mut status = Status::failed_precondition(match (&f.leader_id, &f.leader_node) {
                (Some(id), Some(node)) => format!("not the leader; leader is node {id} ({node})"),
                (Some(id), None) => format!("not the leader; leader is node {id}"),
                _ => "not the leader; no leader is known".to_owned(),
            });
            let value = f.leader_id.map(|id| id.to_string()).unwrap_or_default();
            if let Ok(value) = value.parse() {
                status.metadata_mut().insert(pb::LEADER_ID, value);
            }
            status
        }
        RaftError::APIError(ClientWriteError::ChangeMembershipError(e)) => match e {
            ChangeMembershipError::InProgress(_) => Status::unavailable(e.to_string()),
            _ => Status::invalid_argument(e.to_string()),
        },
        RaftError::Fatal(Fatal::Stopped) => Status::unavailable("raft stopped"),
        RaftError::Fatal(e) => Status::internal(e.to_string()),
    }
}
