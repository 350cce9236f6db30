//! When this node campaigns: randomized timeouts drawn anew for every attempt, and a pre-vote
//! before each campaign.
//!
//! openraft 0.9 draws a node's election timeout once, when the process starts, checks it on a
//! tick of 1.5 heartbeats, and has no pre-vote. Two nodes that time out together keep colliding
//! (each votes for itself in the same term), and a follower whose log is a few entries behind
//! (the usual case under load) campaigns in vain, and its term makes the up-to-date follower's
//! first campaign fail too: each costs another election timeout. Chaos runs that killed the
//! leader under load saw 3.5 s without a leader.
//!
//! So openraft's own elections are turned off and this task starts them (`trigger().elect()`),
//! as Raft's pre-vote describes (Ongaro's thesis, 9.6): once this node has heard from no leader
//! (and granted no vote) for the leader lease plus a random part of the election timeout, it
//! asks every voter for its status, and campaigns only if a majority, itself included, would
//! grant the vote: their logs are not ahead of its own and their leader lease ran out. Safety
//! does not depend on any of this (openraft's vote rules decide who wins); only how soon a
//! leader is elected does.

use std::sync::Weak;
use std::sync::atomic::Ordering;
use std::time::Duration;

use openraft::ServerState;
use rand::Rng;
use tokio::task::JoinSet;
use tracing::{debug, info};

use super::Node;
use super::types::LogId;

/// How long a pre-vote waits for a voter's answer.
const ASK_TIMEOUT: Duration = Duration::from_millis(200);

/// What one voter told a would-be candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    /// The voter leads: it is alive, nobody else may campaign.
    pub leads: bool,
    pub last_log_id: Option<LogId>,
    /// Milliseconds since it last heard from a leader or granted a vote (`None`: never).
    pub quiet_ms: Option<u64>,
}

/// Whether a voter that gave `answer` would grant a vote to a candidate whose last log id is
/// `mine`, given the leader lease `lease_ms`: the checks openraft's vote handler makes.
pub fn would_grant(answer: &Answer, mine: Option<LogId>, lease_ms: u64) -> bool {
    !answer.leads && mine >= answer.last_log_id && answer.quiet_ms.is_none_or(|q| q > lease_ms)
}

/// Whether `grants` voters other than this one, out of `voters` in all, make a majority with
/// this node's own vote.
pub fn majority(grants: usize, voters: usize) -> bool {
    (grants + 1) * 2 > voters
}

/// Runs `node`'s elections until the node is dropped.
pub(super) async fn campaign(node: Weak<Node>) {
    let Some(n) = node.upgrade() else { return };
    n.raft.runtime_config().elect(false);
    let heartbeat = n.config.heartbeat_ms.max(1);
    let (timeout_ms, lease_ms) = n.config.election_timeout_ms;
    drop(n);
    let tick = Duration::from_millis((heartbeat / 2).clamp(5, 50));
    // The next attempt: not before `due` (ms since the node started), nor before the node has
    // been quiet for the lease plus `jitter`.
    let mut due = 0u64;
    let mut jitter = draw(timeout_ms);
    let mut reset_seen = 0u64;
    loop {
        tokio::time::sleep(tick).await;
        let Some(n) = node.upgrade() else { return };
        let voters = {
            let metrics = n.raft.metrics();
            let m = metrics.borrow();
            if m.state == ServerState::Leader {
                continue;
            }
            super::voter_addrs(&m)
        };
        if !voters.iter().any(|(id, _)| *id == n.id) {
            continue;
        }
        let now = n.now_ms();
        let quiet_since = n.quiet_since_ms.load(Ordering::Relaxed);
        if quiet_since != reset_seen {
            // A leader spoke or this node voted: a new random wait from there.
            reset_seen = quiet_since;
            jitter = draw(timeout_ms);
        }
        if now < due || now < quiet_since + lease_ms + jitter {
            continue;
        }
        let others: Vec<(u64, String)> = voters.into_iter().filter(|(id, _)| *id != n.id).collect();
        let voter_count = others.len() + 1;
        let mine = match n.log.last_log_id() {
            Ok(id) => id,
            Err(e) => {
                debug!(error = %e, "pre-vote: cannot read the last log id");
                due = now + draw(timeout_ms);
                continue;
            }
        };
        let grants = if others.is_empty() {
            0
        } else {
            pre_vote(&n, others, mine, lease_ms, voter_count).await
        };
        if majority(grants, voter_count) {
            info!(
                grants,
                voters = voter_count,
                "no leader heard for the lease and a majority would vote for this node: campaigning"
            );
            let _ = n.raft.trigger().elect().await;
            // Give the campaign an election timeout before the next one.
            due = now + timeout_ms + draw(timeout_ms);
        } else {
            debug!(
                grants,
                voters = voter_count,
                "pre-vote lost: not campaigning"
            );
            due = now + timeout_ms / 2 + draw(timeout_ms);
        }
        jitter = draw(timeout_ms);
    }
}

/// A random part of the election timeout, drawn anew for every attempt.
fn draw(timeout_ms: u64) -> u64 {
    rand::rng().random_range(0..timeout_ms.max(1))
}

/// Asks every voter in `others` and counts those that would grant this node's vote; returns
/// as soon as they make a majority.
async fn pre_vote(
    node: &Node,
    others: Vec<(u64, String)>,
    mine: Option<LogId>,
    lease_ms: u64,
    voter_count: usize,
) -> usize {
    let mut asks = JoinSet::new();
    for (id, addr) in others {
        let peers = node.peers.clone();
        asks.spawn(async move {
            let status = peers.status(&addr, ASK_TIMEOUT).await.ok()?;
            (status.node_id == id).then_some(Answer {
                leads: status.leader_id == Some(status.node_id),
                last_log_id: status.last_log_id,
                quiet_ms: status.quiet_ms,
            })
        });
    }
    let mut grants = 0;
    while let Some(answer) = asks.join_next().await {
        if let Ok(Some(answer)) = answer {
            if would_grant(&answer, mine, lease_ms) {
                grants += 1;
                if majority(grants, voter_count) {
                    break;
                }
            } else {
                debug!(?answer, ?mine, "pre-vote refused");
            }
        }
    }
    grants
}

#[cfg(test)]
mod tests {
    use openraft::CommittedLeaderId;

    use super::*;

    fn id(term: u64, node: u64, index: u64) -> Option<LogId> {
        Some(LogId::new(CommittedLeaderId::new(term, node), index))
    }

    fn answer(last: Option<LogId>, quiet_ms: Option<u64>) -> Answer {
        Answer {
            leads: false,
            last_log_id: last,
            quiet_ms,
        }
    }

    #[test]
    fn a_voter_ahead_of_the_candidate_refuses() {
        let voter = answer(id(3, 1, 10637), Some(900));
        assert!(!would_grant(&voter, id(3, 1, 10635), 600));
        assert!(would_grant(&voter, id(3, 1, 10637), 600));
        assert!(would_grant(&voter, id(4, 2, 1), 600));
        assert!(!would_grant(&voter, None, 600));
    }

    #[test]
    fn a_voter_that_heard_a_leader_within_the_lease_refuses() {
        assert!(!would_grant(&answer(None, Some(100)), id(1, 1, 1), 600));
        assert!(!would_grant(&answer(None, Some(600)), id(1, 1, 1), 600));
        assert!(would_grant(&answer(None, Some(601)), id(1, 1, 1), 600));
        assert!(would_grant(&answer(None, None), id(1, 1, 1), 600));
    }

    #[test]
    fn a_leader_refuses() {
        let leader = Answer {
            leads: true,
            last_log_id: None,
            quiet_ms: None,
        };
        assert!(!would_grant(&leader, id(9, 9, 9), 600));
    }

    #[test]
    fn majorities_count_the_candidate() {
        assert!(majority(0, 1));
        assert!(!majority(0, 3));
        assert!(majority(1, 3));
        assert!(!majority(1, 4));
        assert!(majority(2, 5));
    }
}
