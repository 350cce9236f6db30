//! Membership changes, WAIT and the cluster status, for the RAFT.*, WAIT, ROLE and INFO
//! commands. Admin operations run on the leader; any other node forwards the command there.

use std::collections::BTreeSet;
use std::time::Duration;

use bytes::Bytes;
use openraft::{ChangeMembers, ServerState};

use super::Node;
use super::grpc::ForwardError;
use super::types::NodeInfo;
use crate::cmd::cluster_view::{AdminOp, AdminReply, AdminResult, ClusterStatus, Member, Role};
use crate::resp::Reply;

/// How long to wait for a node being added to answer.
const STATUS_TIMEOUT: Duration = Duration::from_secs(2);

impl Node {
    /// The cluster as this node sees it now.
    pub fn cluster_status(&self) -> ClusterStatus {
        let m = self.raft.metrics().borrow().clone();
        let membership = m.membership_config.membership();
        let voters: BTreeSet<u64> = membership.voter_ids().collect();
        let in_cluster = membership.get_node(&self.id).is_some();
        let role = match m.state {
            ServerState::Leader => Role::Leader,
            ServerState::Candidate => Role::Candidate,
            ServerState::Follower if voters.contains(&self.id) => Role::Follower,
            ServerState::Follower | ServerState::Learner if in_cluster => Role::Learner,
            _ => Role::Joining,
        };
        let replication = m.replication.as_ref();
        let members = membership
            .nodes()
            .map(|(&id, node)| Member {
                id,
                raft_addr: node.raft_addr.clone(),
                client_addr: node.client_addr.clone(),
                voter: voters.contains(&id),
                matched: replication
                    .and_then(|r| r.get(&id))
                    .map(|matched| matched.map_or(0, |l| l.index)),
                heartbeat_age_ms: None,
            })
            .collect();
        ClusterStatus {
            node_id: self.id,
            role,
            term: m.current_term,
            leader_id: m.current_leader,
            leader_client_addr: m
                .current_leader
                .and_then(|id| membership.get_node(&id))
                .map(|n| n.client_addr.clone()),
            last_log_index: m.last_log_index.unwrap_or(0),
            committed: self.committed_index(),
            applied: m.last_applied.map_or(0, |l| l.index),
            leader_age_ms: if role == Role::Leader {
                m.millis_since_quorum_ack
            } else {
                self.leader_heard_age_ms()
            },
            members,
            snapshot_index: m.snapshot.map(|l| l.index),
            purged_index: m.purged.map(|l| l.index),
        }
    }

    /// Milliseconds since the leader was last heard from, if ever.
    fn leader_heard_age_ms(&self) -> Option<u64> {
        self.age_ms(&self.leader_heard_ms)
    }

    /// Milliseconds since this node last accepted a leader's AppendEntries or granted a vote,
    /// if ever.
    pub(super) fn quiet_ms(&self) -> Option<u64> {
        self.age_ms(&self.quiet_since_ms)
    }

    /// The committed index as this node's log records it.
    fn committed_index(&self) -> u64 {
        self.log.committed().ok().flatten().map_or(0, |l| l.index)
    }

    /// Runs an admin command (`argv`, parsed as `op`) on the leader: here when this node
    /// leads, else forwarded.
    pub async fn admin(&self, op: AdminOp, argv: &[Bytes]) -> AdminResult {
        // These run on the node that receives them.
        match op {
            AdminOp::Snapshot => return self.snapshot_now().await,
            AdminOp::Save => return self.save().await,
            AdminOp::BgSave => return self.bgsave().await,
            AdminOp::LastSave => return self.lastsave(),
            AdminOp::Restore { path } => return self.restore_file(&path).await,
            _ => {}
        }
        if self.is_leader() {
            return self.admin_local(op).await;
        }
        self.admin_on_leader(&op, argv).await
    }

    /// Forwards an admin command (`argv`, parsed as `op`) to the leader.
    pub(super) async fn admin_on_leader(&self, op: &AdminOp, argv: &[Bytes]) -> AdminResult {
        let Some(super::Route::Leader(addr)) = self.route().await else {
            return Err("TRYAGAIN no Raft leader is available; retry".to_string());
        };
        let request = super::Forwarded {
            db: 0,
            write: false,
            commands: vec![argv.to_vec()],
            transaction: None,
            block_ms: None,
        };
        match self.peers.forward(&addr, request, admin_timeout(op)).await {
            Ok(replies) => match replies.into_iter().next() {
                Some(Reply::Int(n)) => Ok(AdminReply::Count(n.max(0) as u64)),
                Some(Reply::Simple(s)) if &s[..] != b"OK" => {
                    Ok(AdminReply::Status(String::from_utf8_lossy(&s).into_owned()))
                }
                Some(Reply::Error(e)) => Err(String::from_utf8_lossy(&e).into_owned()),
                Some(_) => Ok(AdminReply::Ok),
                None => Err("ERR the leader sent no reply".to_string()),
            },
            Err(ForwardError::Unknown(why)) => Err(format!(
                "UNKNOWN the operation's outcome is unknown ({why}); check RAFT.INFO"
            )),
            Err(e) => Err(format!("TRYAGAIN {e}")),
        }
    }

    /// Runs an admin operation on this node, the leader.
    pub(super) async fn admin_local(&self, op: AdminOp) -> AdminResult {
        match op {
            AdminOp::AddNode {
                id,
                raft_addr,
                promote,
            } => self.add_node(id, raft_addr, promote).await,
            AdminOp::Promote { id } => self
                .change(ChangeMembers::AddVoterIds(BTreeSet::from([id])))
                .await
                .map(|_| AdminReply::Ok),
            AdminOp::RemoveNode { id } => {
                let membership = self.raft.metrics().borrow().membership_config.clone();
                let membership = membership.membership();
                if membership.get_node(&id).is_none() {
                    return Err(format!("ERR node {id} is not a member"));
                }
                if membership.voter_ids().any(|v| v == id) {
                    self.change(ChangeMembers::RemoveVoters(BTreeSet::from([id])))
                        .await?;
                }
                self.change(ChangeMembers::RemoveNodes(BTreeSet::from([id])))
                    .await
                    .map(|_| AdminReply::Ok)
            }
            AdminOp::Wait {
                replicas,
                timeout_ms,
            } => Ok(AdminReply::Count(
                self.wait_replicas(replicas, timeout_ms).await,
            )),
            AdminOp::Snapshot => self.snapshot_now().await,
            AdminOp::ReadIndex => self.confirmed_index().await.map(AdminReply::Count),
            AdminOp::Save => self.save().await,
            AdminOp::BgSave => self.bgsave().await,
            AdminOp::LastSave => self.lastsave(),
            AdminOp::Restore { path } => self.restore_file(&path).await,
        }
    }

    /// Builds a snapshot of everything applied so far and waits until it is on disk.
    async fn snapshot_now(&self) -> AdminResult {
        let applied = self.raft.metrics().borrow().last_applied;
        self.raft
            .trigger()
            .snapshot()
            .await
            .map_err(|e| format!("ERR cannot start a snapshot: {e}"))?;
        self.raft
            .wait(Some(Duration::from_secs(600)))
            .metrics(|m| m.snapshot >= applied, "snapshot written")
            .await
            .map(|_| AdminReply::Ok)
            .map_err(|e| format!("ERR the snapshot did not complete: {e}"))
    }

    async fn add_node(&self, id: u64, raft_addr: String, promote: bool) -> AdminResult {
        {
            let m = self.raft.metrics().borrow().clone();
            if m.membership_config.membership().get_node(&id).is_some() {
                return Err(format!(
                    "ERR node {id} is already a member; remove it first (RAFT.REMOVENODE {id})"
                ));
            }
        }
        let status = self
            .peers
            .status(&raft_addr, STATUS_TIMEOUT)
            .await
            .map_err(|e| format!("ERR node {id} at {raft_addr} does not answer: {e}"))?;
        if status.node_id != id {
            return Err(format!(
                "ERR the node at {raft_addr} is node {}, not {id}",
                status.node_id
            ));
        }
        let info = NodeInfo {
            raft_addr,
            client_addr: status.client_addr,
            incarnation: status.incarnation,
        };
        self.raft
            .add_learner(id, info, true)
            .await
            .map_err(|e| format!("ERR adding node {id} as a learner: {e}"))?;
        if promote {
            self.change(ChangeMembers::AddVoterIds(BTreeSet::from([id])))
                .await?;
        }
        Ok(AdminReply::Ok)
    }

    async fn change(&self, change: ChangeMembers<u64, NodeInfo>) -> Result<(), String> {
        self.raft
            .change_membership(change, false)
            .await
            .map(|_| ())
            .map_err(|e| format!("ERR membership change failed: {e}"))
    }

    /// How many followers hold everything in the log now, waiting up to `timeout_ms` (0:
    /// forever) for `wanted` of them.
    async fn wait_replicas(&self, wanted: u64, timeout_ms: u64) -> u64 {
        let mut metrics = self.raft.metrics();
        let target = metrics.borrow().last_log_index.unwrap_or(0);
        let count = |m: &openraft::RaftMetrics<u64, NodeInfo>| {
            m.replication.as_ref().map_or(0, |r| {
                r.iter()
                    .filter(|(id, matched)| {
                        **id != self.id && matched.is_some_and(|l| l.index >= target)
                    })
                    .count() as u64
            })
        };
        let deadline = (timeout_ms > 0)
            .then(|| tokio::time::Instant::now() + Duration::from_millis(timeout_ms));
        loop {
            let n = count(&metrics.borrow_and_update());
            if n >= wanted {
                return n;
            }
            let changed = metrics.changed();
            match deadline {
                Some(d) => match tokio::time::timeout_at(d, changed).await {
                    Ok(Ok(())) => {}
                    _ => return count(&metrics.borrow()),
                },
                None => {
                    if changed.await.is_err() {
                        return n;
                    }
                }
            }
        }
    }
}

/// How long a forwarded admin operation may take.
fn admin_timeout(op: &AdminOp) -> Duration {
    match op {
        AdminOp::Wait { timeout_ms: 0, .. } => Duration::from_secs(24 * 3600),
        AdminOp::Wait { timeout_ms, .. } => Duration::from_millis(*timeout_ms + 1000),
        // Adding a learner waits for it to catch up, which may take a snapshot transfer.
        _ => Duration::from_secs(300),
    }
}
