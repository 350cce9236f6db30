//! Group commit at the entry level: writes from every connection that arrive while an entry
//! is being committed are proposed together, as one entry per database.
//!
//! openraft 0.9 appends one entry per flush on its own: a command waiting for the previous
//! append's flush holds back the appends queued behind it. Proposing one entry per request
//! would thus cost one disk flush per write. An entry holding several requests applies them
//! one after the other, each answered on its own, which is what concurrent clients of Redis
//! see: requests of different connections never interleave inside one another.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use openraft::Raft;
use openraft::error::{ClientWriteError, RaftError};
use parking_lot::Mutex;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot};

use super::clock::Clock;
use super::state_machine::Applied;
use super::types::TypeConfig;
use crate::machine::{LogEntry, Request};
use crate::resp::Reply;

/// Entries being committed at once. One, as Redis's event loop with `appendfsync always`: every
/// write that arrives while an entry commits goes into the next, so each flush covers all the
/// clients waiting. With two in flight, 50 clients split into two entries of about 25 and one
/// flush each. Measured with redis-benchmark -c 50 SET -P 1 (two rounds each): one node 33k ->
/// 41k ops/s, p50 1.3 -> 1.05 ms; three nodes 15.5k -> 17.1k; -P 16 no worse. Machine noise
/// between those runs was as large (Redis itself 47k and 63k), so the gain is modest at best.
const IN_FLIGHT: usize = 1;
/// The most requests one entry carries.
const MAX_BATCH: usize = 1024;

/// Why a proposed write has no replies: its outcome is unknown.
pub type Unknown = String;

struct Pending {
    db: u32,
    request: Request,
    reply: oneshot::Sender<Result<Vec<Reply>, Unknown>>,
}

/// Batches writes into entries. Cloning shares the batcher.
#[derive(Clone)]
pub struct Proposer {
    tx: mpsc::UnboundedSender<Pending>,
    reads: Arc<ReadCounts>,
}

/// Keyspace hits and misses of the reads that ran inside entries this node proposed.
#[derive(Default)]
struct ReadCounts {
    hits: AtomicU64,
    misses: AtomicU64,
}

impl Proposer {
    /// Starts the batching task over `raft`; entry times come from `clock`, never behind the
    /// last entry `applied`.
    pub fn start(
        raft: Raft<TypeConfig>,
        applied: Arc<Mutex<Applied>>,
        clock: Arc<Clock>,
        timeout: Duration,
    ) -> Proposer {
        let (tx, rx) = mpsc::unbounded_channel();
        let reads = Arc::new(ReadCounts::default());
        tokio::spawn(run(raft, applied, clock, timeout, rx, reads.clone()));
        Proposer { tx, reads }
    }

    /// Keyspace hits and misses of the reads run inside the entries proposed here so far
    /// (INFO adds them to those of the reads connections ran themselves).
    pub fn read_counts(&self) -> (u64, u64) {
        (
            self.reads.hits.load(Ordering::Relaxed),
            self.reads.misses.load(Ordering::Relaxed),
        )
    }

    /// Starts the counts of [`Proposer::read_counts`] again (CONFIG RESETSTAT).
    pub fn reset_read_counts(&self) {
        self.reads.hits.store(0, Ordering::Relaxed);
        self.reads.misses.store(0, Ordering::Relaxed);
    }

    /// Proposes `request` in database `db` and returns its replies once applied (see
    /// [`Request::reply_count`]), or why the outcome is unknown.
    pub async fn propose(&self, db: u32, request: Request) -> Result<Vec<Reply>, Unknown> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Pending { db, request, reply })
            .map_err(|_| "the proposer stopped".to_string())?;
        rx.await
            .unwrap_or_else(|_| Err("the proposer dropped the request".to_string()))
    }
}

async fn run(
    raft: Raft<TypeConfig>,
    applied: Arc<Mutex<Applied>>,
    clock: Arc<Clock>,
    timeout: Duration,
    mut rx: mpsc::UnboundedReceiver<Pending>,
    reads: Arc<ReadCounts>,
) {
    let permits = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut queue: Vec<Pending> = Vec::new();
    loop {
        // Wait for a free slot first, so requests pile up while entries are committing.
        let Ok(permit) = permits.clone().acquire_owned().await else {
            return;
        };
        // Let the connections whose requests arrived meanwhile (most often those the last
        // entry just answered) read them first: tokio runs a yielding task only after polling
        // its sockets, so they join this entry rather than wait a whole round for the next.
        tokio::task::yield_now().await;
        if queue.is_empty() && rx.recv_many(&mut queue, MAX_BATCH).await == 0 {
            return;
        }
        while queue.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(p) => queue.push(p),
                Err(_) => break,
            }
        }
        // One entry per database: the first request's now, the others' next round.
        let db = queue[0].db;
        let (batch, rest): (Vec<Pending>, Vec<Pending>) = queue.drain(..).partition(|p| p.db == db);
        queue = rest;
        let now = clock.now();
        let time_ms = applied.lock().machine.entry_time(now);
        let raft = raft.clone();
        let reads = reads.clone();
        tokio::spawn(async move {
            commit(&raft, time_ms, db, batch, timeout, &reads, permit).await;
        });
    }
}

/// Proposes one entry for `batch` and answers each request. The slot `permit` holds is freed
/// once the answers are handed to their connections, as Redis writes a round's replies before
/// it reads the next requests: freeing it first, so that the next entry was proposed before
/// these answers went out, split 50 clients at -P 1 into two groups that took turns, ~22
/// requests per flush against Redis's ~32 (`perf stat`, fdatasync and sendto counts).
async fn commit(
    raft: &Raft<TypeConfig>,
    time_ms: u64,
    db: u32,
    batch: Vec<Pending>,
    timeout: Duration,
    reads: &ReadCounts,
    permit: OwnedSemaphorePermit,
) {
    let mut counts = Vec::with_capacity(batch.len());
    let mut requests = Vec::with_capacity(batch.len());
    let mut senders = Vec::with_capacity(batch.len());
    for p in batch {
        counts.push(p.request.reply_count());
        requests.push(p.request);
        senders.push(p.reply);
    }
    let entry = LogEntry {
        time_ms,
        db,
        requests: Arc::new(requests),
    };
    let outcome = match tokio::time::timeout(timeout, raft.client_write(entry)).await {
        Ok(Ok(response)) => {
            let (hits, misses) = response.data.reads;
            reads.hits.fetch_add(hits, Ordering::Relaxed);
            reads.misses.fetch_add(misses, Ordering::Relaxed);
            Ok(response.data.replies)
        }
        // openraft answers ForwardToLeader both when it refused the entry and when a
        // proposed entry was truncated by a new leader: the outcome is unknown.
        Ok(Err(RaftError::APIError(ClientWriteError::ForwardToLeader(_)))) => {
            Err("leadership changed".to_string())
        }
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("timed out waiting for the commit".to_string()),
    };
    match outcome {
        Ok(replies) => {
            let mut replies = replies.into_iter();
            for (n, tx) in counts.into_iter().zip(senders) {
                let mine: Vec<Reply> = replies.by_ref().take(n).collect();
                let _ = tx.send(Ok(mine));
            }
        }
        Err(why) => {
            for tx in senders {
                let _ = tx.send(Err(why.clone()));
            }
        }
    }
    drop(permit);
}
