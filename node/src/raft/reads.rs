//! Linearizable reads: one leadership confirmation (openraft's read index,
//! `ensure_linearizable`) shared by every read waiting when it starts.
//!
//! A read that arrives while a confirmation is in flight waits for the next one, which starts
//! after it arrived: a confirmation begun earlier could predate a write the read must see.

use std::sync::Arc;

use openraft::Raft;
use openraft::error::{CheckIsLeaderError, RaftError};
use parking_lot::Mutex;
use tokio::sync::oneshot;

use super::types::{NodeId, TypeConfig};

/// Why a read could not be confirmed here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// This node is not the leader; the leader, when known.
    NotLeader(Option<NodeId>),
    /// The leader could not reach a quorum, or Raft stopped.
    Unavailable(String),
}

#[derive(Default)]
struct State {
    waiting: Vec<oneshot::Sender<Result<(), ReadError>>>,
    running: bool,
}

/// Shares leadership confirmations among concurrent reads.
#[derive(Default, Clone)]
pub struct ReadBarrier {
    state: Arc<Mutex<State>>,
}

impl ReadBarrier {
    /// Returns once this node has confirmed, after the call began, that it is still the
    /// leader, and has applied everything committed before.
    pub async fn confirm(&self, raft: &Raft<TypeConfig>) -> Result<(), ReadError> {
        let (tx, rx) = oneshot::channel();
        let start = {
            let mut s = self.state.lock();
            s.waiting.push(tx);
            !std::mem::replace(&mut s.running, true)
        };
        if start {
            tokio::spawn(rounds(raft.clone(), self.state.clone()));
        }
        rx.await
            .unwrap_or_else(|_| Err(ReadError::Unavailable("raft stopped".to_string())))
    }
}

/// Runs confirmations while reads are waiting.
async fn rounds(raft: Raft<TypeConfig>, state: Arc<Mutex<State>>) {
    loop {
        // Let the connections whose requests arrived meanwhile (most often those the last
        // confirmation just answered) read them first: tokio runs a yielding task only after
        // polling its sockets. Taking the batch at once split 50 clients at -P 1 into two
        // groups that took turns, each waiting a whole confirmation for the other's.
        tokio::task::yield_now().await;
        let batch = {
            let mut s = state.lock();
            if s.waiting.is_empty() {
                s.running = false;
                return;
            }
            std::mem::take(&mut s.waiting)
        };
        let result = match raft.ensure_linearizable().await {
            Ok(_) => Ok(()),
            Err(RaftError::APIError(CheckIsLeaderError::ForwardToLeader(f))) => {
                Err(ReadError::NotLeader(f.leader_id))
            }
            Err(e) => Err(ReadError::Unavailable(e.to_string())),
        };
        for tx in batch {
            let _ = tx.send(result.clone());
        }
    }
}
