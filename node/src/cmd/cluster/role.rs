//! ROLE: this node's role in Redis's replication terms.
//!
//! # Format
//! ```text
//! ROLE
//! ```
//! The Raft leader answers as a master (`master`, its log index, and each follower's client
//! host, port and replicated index); any other node as a replica of the leader (`slave`,
//! the leader's client host and port, `connected` or `connect` when no leader is known, and
//! its applied index).

use bytes::Bytes;

use crate::cmd::cluster_view::{ClusterStatus, Role};
use crate::cmd::{CmdResult, Run, Session, Spec, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "role",
    arity: 1,
    flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Session(run),
};

fn run(session: &mut dyn Session, _args: &[Bytes]) -> CmdResult {
    Ok(role_reply(&session.cluster()))
}

/// Splits `host:port` (IPv6 hosts in brackets).
pub(crate) fn split_addr(addr: &str) -> (String, u16) {
    match addr.rsplit_once(':') {
        Some((host, port)) => (
            host.trim_start_matches('[')
                .trim_end_matches(']')
                .to_string(),
            port.parse().unwrap_or(0),
        ),
        None => (addr.to_string(), 0),
    }
}

fn role_reply(status: &ClusterStatus) -> Reply {
    if status.role == Role::Leader {
        let replicas = status
            .members
            .iter()
            .filter(|m| m.id != status.node_id)
            .map(|m| {
                let (host, port) = split_addr(&m.client_addr);
                Reply::Array(vec![
                    Reply::bulk(host),
                    Reply::bulk(port.to_string()),
                    Reply::bulk(m.matched.unwrap_or(0).to_string()),
                ])
            })
            .collect();
        return Reply::Array(vec![
            Reply::bulk("master"),
            Reply::Int(status.last_log_index as i64),
            Reply::Array(replicas),
        ]);
    }
    let (host, port) = status
        .leader_client_addr
        .as_deref()
        .map_or((String::new(), 0), split_addr);
    let state = if status.leader_id.is_some() {
        "connected"
    } else {
        "connect"
    };
    Reply::Array(vec![
        Reply::bulk("slave"),
        Reply::bulk(host),
        Reply::Int(i64::from(port)),
        Reply::bulk(state),
        Reply::Int(status.applied as i64),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::cluster_view::Member;

    fn status(role: Role) -> ClusterStatus {
        ClusterStatus {
            node_id: 1,
            role,
            term: 3,
            leader_id: Some(1),
            leader_client_addr: Some("10.0.0.1:6379".into()),
            last_log_index: 42,
            committed: 42,
            applied: 40,
            leader_age_ms: None,
            members: vec![
                Member {
                    id: 1,
                    raft_addr: "10.0.0.1:7379".into(),
                    client_addr: "10.0.0.1:6379".into(),
                    voter: true,
                    matched: Some(42),
                    heartbeat_age_ms: None,
                },
                Member {
                    id: 2,
                    raft_addr: "10.0.0.2:7379".into(),
                    client_addr: "10.0.0.2:6380".into(),
                    voter: true,
                    matched: Some(41),
                    heartbeat_age_ms: Some(5),
                },
            ],
            snapshot_index: None,
            purged_index: None,
        }
    }

    #[test]
    fn leader_is_master_with_its_followers() {
        let r = role_reply(&status(Role::Leader));
        assert_eq!(
            r,
            Reply::Array(vec![
                Reply::bulk("master"),
                Reply::Int(42),
                Reply::Array(vec![Reply::Array(vec![
                    Reply::bulk("10.0.0.2"),
                    Reply::bulk("6380"),
                    Reply::bulk("41"),
                ])]),
            ])
        );
    }

    #[test]
    fn follower_is_replica_of_the_leader() {
        let r = role_reply(&status(Role::Follower));
        assert_eq!(
            r,
            Reply::Array(vec![
                Reply::bulk("slave"),
                Reply::bulk("10.0.0.1"),
                Reply::Int(6379),
                Reply::bulk("connected"),
                Reply::Int(40),
            ])
        );
    }
}
