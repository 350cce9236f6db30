//! The Raft log on sled (DESIGN.md "Data directory": `<dir>/raft/`).
//!
//! Two trees:
//! - `logs`: one entry per key, keyed by its index as a big-endian `u64` (byte order is index
//!   order, so sled's ordered iteration walks the log);
//! - `meta`: the vote, the committed log id, the last purged log id and the data directory's
//!   incarnation.
//!
//! Entries are stored as the protobuf `Entry` of proto/raft.proto (the form they travel in),
//! metadata as JSON. Appends are written to sled and flushed by a thread of its own (the
//! [`Writer`]), or by the appending thread on a sole voter ([`Inline`]), and acknowledged to openraft (the [`LogFlushed`] callback) only once flushed;
//! meanwhile, and for a while after, readers find them decoded in memory ([`Recent`]). A
//! damaged value is an error naming its tree and key, never a panic.

// `StorageError` is openraft's error type, imposed by the storage traits; its size is theirs.
#![allow(clippy::result_large_err)]

use std::fmt::Debug;
use std::ops::{Bound, RangeBounds};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use openraft::storage::{RaftLogReader, RaftLogStorage};
use openraft::{AnyError, ErrorSubject, ErrorVerb, OptionalSend, RaftLogId};
use parking_lot::Mutex;
use prost::Message;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::convert;
use super::recent::Recent;
use super::types::{
    Entry, LogFlushed, LogId, LogState, NodeId, StorageError, StorageIOError, TypeConfig, Vote,
};

const LOGS_TREE: &str = "logs";
const META_TREE: &str = "meta";
const KEY_VOTE: &[u8] = b"vote";
const KEY_COMMITTED: &[u8] = b"committed";
const KEY_LAST_PURGED: &[u8] = b"last_purged";
const KEY_INCARNATION: &[u8] = b"incarnation";
/// sled's page cache. Its default (1 GiB) let the log of a bulk load stay resident long after
/// it was applied, snapshotted and purged; replication reads back entries just appended, which
/// a small cache holds. At 32 MiB it was a fifth of the resident memory of a node holding a
/// million small keys; a follower further behind reads older entries from disk.
const CACHE_BYTES: u64 = 4 << 20;

/// sled's log segment (and I/O buffer) size for a new log. sled writes a page larger than a
/// quarter of a segment to a file of its own in `blobs/`, synced with its directory before
/// the log buffer that points to it; with the default 512 KiB, a log leaf page (up to 16
/// entries) of batched writes of 1 KB values was often that large, and a flush took three
/// syncs instead of one.
const SEGMENT_BYTES: usize = 4 << 20;

/// The segment size to open the log at `path` with: the one it was created with (sled
/// refuses any other; a log created before [`SEGMENT_BYTES`] changed keeps its own), else
/// [`SEGMENT_BYTES`].
fn segment_size(path: &Path) -> usize {
    let Ok(conf) = std::fs::read(path.join("conf")) else {
        return SEGMENT_BYTES;
    };
    String::from_utf8_lossy(&conf)
        .lines()
        .find_map(|line| line.strip_prefix("segment_size: ")?.trim().parse().ok())
        .unwrap_or(SEGMENT_BYTES)
}

/// The Raft log and its metadata in a sled database. Cloning shares the database.
#[derive(Clone)]
pub struct SledLogStore {
    db: sled::Db,
    logs: sled::Tree,
    meta: sled::Tree,
    writer: Writer,
    /// Whether appends are written and flushed by the caller itself (see [`Inline`]).
    inline: Inline,
    /// The latest entries, decoded, and those not yet in sled (see [`Recent`]).
    recent: Arc<Mutex<Recent>>,
}

/// The log writer: a thread of its own that writes appended entries into sled and flushes
/// them (group commit: one flush for every append queued meanwhile), then calls back. Sled's
/// insert of a large entry rewrites and serializes B-tree leaves of several MiB; on the I/O
/// thread that was a third of a node's time under the session mix (since log leaves are
/// smaller, a sole voter's inline appends measured no slower there: 1 KB SETEX mix, -P 1
/// 60-68k -> 66-68k ops/s, -P 16 252-274k -> 259-272k). Appends return once their
/// entries are in the [`Recent`] cache, which keeps them until they are in sled, so readers
/// never miss one. Truncations and purges go through the same queue, after the appends before
/// them. Each job carries its database handle, so dropping the store closes the database.
#[derive(Clone)]
struct Writer {
    tx: std::sync::mpsc::Sender<Job>,
    /// Jobs sent and not yet done (an append is done once its callback is called).
    queued: Arc<AtomicUsize>,
}

/// A sole voter's appends are written and flushed on the thread that appends (openraft's
/// core task, on the I/O thread), as Redis writes and syncs its AOF before it answers: the
/// round of one node's durable writes is then the flush and the work, without the two thread
/// wakes (to the writer and back) that cost 100-200 µs of a 600 µs round here (bpftrace,
/// redis-benchmark -c 50 -P 1: ~32 writes per flush for both Redis and redraft, 2,400 flushes
/// a second for Redis against 1,500). With other voters the writer thread flushes, so the
/// leader's flush overlaps its followers'. Only speed depends on the choice: either way an
/// append is acknowledged once flushed, in order (an append goes inline only when no job is
/// queued for the writer).
#[derive(Clone, Default)]
pub struct Inline(Arc<AtomicBool>);

impl Inline {
    /// Appends go inline from now on when `voters` is this node alone.
    pub fn set_for(&self, own: NodeId, voters: impl IntoIterator<Item = NodeId>) {
        let mut voters = voters.into_iter();
        let sole = voters.next() == Some(own) && voters.next().is_none();
        self.0.store(sole, Ordering::Relaxed);
    }

    fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

enum Job {
    /// Encoded entries to insert into `logs`, the last of them at index `last`.
    Append {
        db: sled::Db,
        logs: sled::Tree,
        entries: Vec<([u8; 8], Vec<u8>)>,
        last: u64,
        callback: LogFlushed,
    },
    /// A change that follows the appends queued before it.
    Run(Box<dyn FnOnce() + Send>),
}

impl Writer {
    /// Starts the thread; it tells `recent` which entries sled holds.
    fn start(recent: Arc<Mutex<Recent>>) -> std::io::Result<Writer> {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let queued = Arc::new(AtomicUsize::new(0));
        let done = queued.clone();
        std::thread::Builder::new()
            .name("raft-log".to_string())
            .spawn(move || Writer::run(&rx, &recent, &done))?;
        Ok(Writer { tx, queued })
    }

    fn send(&self, job: Job) -> Result<(), StorageError> {
        self.queued.fetch_add(1, Ordering::AcqRel);
        self.tx.send(job).map_err(|_| writer_stopped())
    }

    /// Whether every job sent is done.
    fn is_idle(&self) -> bool {
        self.queued.load(Ordering::Acquire) == 0
    }

    fn run(rx: &std::sync::mpsc::Receiver<Job>, recent: &Mutex<Recent>, queued: &AtomicUsize) {
        let mut written: Vec<LogFlushed> = Vec::new();
        let mut db: Option<sled::Db> = None;
        let mut poll = Poll::default();
        while let Some(job) = poll.next_job(rx) {
            let mut jobs = 0;
            // Every job queued by now, then one flush for all their appends.
            for job in std::iter::once(job).chain(rx.try_iter()) {
                jobs += 1;
                match job {
                    Job::Append {
                        db: handle,
                        logs,
                        entries,
                        last,
                        callback,
                    } => match insert(&logs, entries) {
                        Ok(()) => {
                            recent.lock().persisted(last);
                            written.push(callback);
                            db = Some(handle);
                        }
                        Err(e) => callback.log_io_completed(Err(std::io::Error::other(e))),
                    },
                    Job::Run(change) => {
                        if let Some(db) = db.take() {
                            Writer::flush(&db, written.drain(..));
                        }
                        change();
                    }
                }
            }
            if let Some(db) = db.take() {
                Writer::flush(&db, written.drain(..));
            }
            queued.fetch_sub(jobs, Ordering::AcqRel);
        }
    }

    /// Flushes sled and acknowledges the appends written since the last flush.
    fn flush(db: &sled::Db, written: impl IntoIterator<Item = LogFlushed>) {
        let result = db.flush();
        for callback in written {
            callback.log_io_completed(match &result {
                Ok(_) => Ok(()),
                Err(e) => Err(std::io::Error::other(format!(
                    "flushing sled tree `{LOGS_TREE}` after append: {e}"
                ))),
            });
        }
    }

    /// Runs `change` after the appends queued so far, and returns its result.
    async fn run_after_appends<T: Send + 'static>(
        &self,
        change: impl FnOnce() -> Result<T, StorageError> + Send + 'static,
    ) -> Result<T, StorageError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job = Job::Run(Box::new(move || {
            let _ = tx.send(change());
        }));
        self.send(job)?;
        rx.await.map_err(|_| writer_stopped())?
    }
}

/// How long the writer polls for the next append before it sleeps, when appends are coming
/// that fast. Waking a sleeping thread took 16-64 µs here (bpftrace, futex wake to return), on
/// a round of 300-500 µs (one flush, then the answers, then the next batch): polling catches
/// the next append at once. redis-benchmark -c 50 SET, alternated runs against the build
/// before: three nodes -P 1 30.6-31.0k -> 34.4-35.6k, -P 16 287-289k -> 298k (one node, which
/// used the writer then: -P 1 66.2k -> 71.1k; it now flushes inline, see [`Inline`]). Windows
/// of 250 and 500 µs measured within the noise of this one on three nodes. It costs a share of a core while writes keep coming, none when they stop:
/// see [`Poll`].
const POLL: std::time::Duration = std::time::Duration::from_micros(1000);

/// The writer's wait for its next job: it polls (yielding the CPU to any thread that wants
/// it) for up to [`POLL`] while the last wait was shorter than that, and sleeps on the queue
/// otherwise, so an idle or lightly written node does not spin.
#[derive(Default)]
struct Poll {
    /// Whether the last job came within `POLL` of the wait starting.
    busy: bool,
}

impl Poll {
    fn next_job(&mut self, rx: &std::sync::mpsc::Receiver<Job>) -> Option<Job> {
        use std::sync::mpsc::TryRecvError;
        let started = std::time::Instant::now();
        if self.busy {
            loop {
                match rx.try_recv() {
                    Ok(job) => return Some(job),
                    Err(TryRecvError::Disconnected) => return None,
                    Err(TryRecvError::Empty) if started.elapsed() < POLL => {
                        std::thread::yield_now();
                    }
                    Err(TryRecvError::Empty) => break,
                }
            }
        }
        let job = rx.recv().ok();
        self.busy = started.elapsed() < POLL;
        job
    }
}

/// Writes encoded entries into the logs tree (not flushed). One entry is one sled record,
/// atomic on its own. Several go in a sled batch, so a crash keeps all or none of them; but a
/// batch costs sled two extra buffer writes, each with its own sync, before the flush (it seals
/// the current I/O buffer around the batch), which tripled the syncs per write of a single node.
fn insert(logs: &sled::Tree, mut entries: Vec<([u8; 8], Vec<u8>)>) -> Result<(), String> {
    let written = if let [(key, value)] = entries.as_mut_slice() {
        logs.insert(*key, std::mem::take(value)).map(|_| ())
    } else {
        let mut batch = sled::Batch::default();
        for (key, value) in entries {
            batch.insert(&key, value);
        }
        logs.apply_batch(batch)
    };
    written.map_err(|e| format!("writing entries to sled tree `{LOGS_TREE}`: {e}"))
}

impl Debug for SledLogStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SledLogStore").finish_non_exhaustive()
    }
}

fn io_err(subject: ErrorSubject<u64>, verb: ErrorVerb, msg: String) -> StorageError {
    StorageIOError::new(subject, verb, AnyError::error(msg)).into()
}

fn flushed(result: sled::Result<usize>, subject: ErrorSubject<u64>) -> Result<(), StorageError> {
    result
        .map(|_| ())
        .map_err(|e| io_err(subject, ErrorVerb::Write, format!("flushing sled: {e}")))
}

fn writer_stopped() -> StorageError {
    io_err(
        ErrorSubject::Logs,
        ErrorVerb::Write,
        "the raft log writer has stopped".to_string(),
    )
}

fn index_key(index: u64) -> [u8; 8] {
    index.to_be_bytes()
}

impl SledLogStore {
    /// Opens (or creates) the log in the sled database at `path`.
    pub fn open(path: &Path) -> Result<SledLogStore, StorageError> {
        let db = sled::Config::new()
            .path(path)
            .cache_capacity(CACHE_BYTES)
            .segment_size(segment_size(path))
            .open()
            .map_err(|e| {
                io_err(
                    ErrorSubject::Store,
                    ErrorVerb::Read,
                    format!("opening sled database {}: {e}", path.display()),
                )
            })?;
        SledLogStore::new(db)
    }

    /// Uses the trees of an already open sled database.
    pub fn new(db: sled::Db) -> Result<SledLogStore, StorageError> {
        let tree = |name: &str| {
            db.open_tree(name).map_err(|e| {
                io_err(
                    ErrorSubject::Store,
                    ErrorVerb::Read,
                    format!("opening sled tree `{name}`: {e}"),
                )
            })
        };
        let logs = tree(LOGS_TREE)?;
        let meta = tree(META_TREE)?;
        let recent = Arc::new(Mutex::new(Recent::default()));
        let writer = Writer::start(recent.clone()).map_err(|e| {
            io_err(
                ErrorSubject::Store,
                ErrorVerb::Write,
                format!("starting the raft log writer thread: {e}"),
            )
        })?;
        Ok(SledLogStore {
            db,
            logs,
            meta,
            writer,
            inline: Inline::default(),
            recent,
        })
    }

    /// The switch between flushing appends inline and on the writer thread.
    pub fn inline(&self) -> Inline {
        self.inline.clone()
    }

    fn read_meta<T: DeserializeOwned>(
        &self,
        key: &[u8],
        subject: ErrorSubject<u64>,
    ) -> Result<Option<T>, StorageError> {
        let name = String::from_utf8_lossy(key);
        let Some(raw) = self.meta.get(key).map_err(|e| {
            io_err(
                subject.clone(),
                ErrorVerb::Read,
                format!("reading `{name}` from sled tree `{META_TREE}`: {e}"),
            )
        })?
        else {
            return Ok(None);
        };
        serde_json::from_slice(&raw).map(Some).map_err(|e| {
            io_err(
                subject,
                ErrorVerb::Read,
                format!("damaged `{name}` in sled tree `{META_TREE}`: {e}"),
            )
        })
    }

    /// Writes a metadata value and flushes it to disk.
    async fn write_meta<T: Serialize>(
        &self,
        key: &[u8],
        value: &T,
        subject: ErrorSubject<u64>,
    ) -> Result<(), StorageError> {
        self.put_meta(key, value, subject.clone())?;
        self.flush(subject).await
    }

    /// Writes a metadata value without flushing it.
    fn put_meta<T: Serialize>(
        &self,
        key: &[u8],
        value: &T,
        subject: ErrorSubject<u64>,
    ) -> Result<(), StorageError> {
        let name = String::from_utf8_lossy(key);
        let raw = serde_json::to_vec(value).map_err(|e| {
            io_err(
                subject.clone(),
                ErrorVerb::Write,
                format!("encoding `{name}` for sled tree `{META_TREE}`: {e}"),
            )
        })?;
        self.meta.insert(key, raw).map_err(|e| {
            io_err(
                subject,
                ErrorVerb::Write,
                format!("writing `{name}` to sled tree `{META_TREE}`: {e}"),
            )
        })?;
        Ok(())
    }

    /// This data directory's incarnation (see [`super::types::NodeInfo::incarnation`]): read
    /// back, or chosen at random and made durable the first time the log is opened.
    pub async fn incarnation(&self) -> Result<u64, StorageError> {
        if let Some(n) = self.read_meta::<u64>(KEY_INCARNATION, ErrorSubject::Store)? {
            return Ok(n);
        }
        let n = rand::random::<u64>() | 1;
        self.write_meta(KEY_INCARNATION, &n, ErrorSubject::Store)
            .await?;
        Ok(n)
    }

    /// The committed log id last recorded.
    pub fn committed(&self) -> Result<Option<LogId>, StorageError> {
        Ok(self
            .read_meta::<Option<LogId>>(KEY_COMMITTED, ErrorSubject::Store)?
            .flatten())
    }

    /// The id of the last entry in the log, or the last purged one when none is left.
    pub fn last_log_id(&self) -> Result<Option<LogId>, StorageError> {
        match self.last_stored_id()? {
            Some(id) => Ok(Some(id)),
            None => self.last_purged(),
        }
    }

    /// The index of the last entry in the log (0: none).
    pub fn last_index(&self) -> Result<u64, StorageError> {
        Ok(self.last_stored_id()?.map_or(0, |id| id.index))
    }

    /// The last purged log id.
    pub fn last_purged(&self) -> Result<Option<LogId>, StorageError> {
        self.read_meta(KEY_LAST_PURGED, ErrorSubject::Logs)
    }

    /// Turns this node's own committed vote (it was the leader) back into a plain vote for
    /// itself in the same term; answers whether it did. openraft 0.9 restores a node whose
    /// saved vote is its own committed one as leader at once, in that same term
    /// (`Engine::startup`). But a leader sends entries to its followers before its own flush,
    /// so it can crash having had entries acknowledged (flushed by a majority without it) that
    /// its restarted self no longer holds: back as leader of the same term it took reads at a
    /// commit index below what it had acknowledged (the chaos self-check
    /// `a_leader_restarted_at_once_serves_no_stale_reads` caught a stale read), and its next
    /// entries would reuse the log ids of the lost ones. As a follower with the same vote it
    /// changes nothing it promised, and the next leader is elected in a new term. (A sole
    /// voter has lost nothing it acknowledged; `Node::start` does not call this for one.)
    pub async fn forget_own_leadership(&self, id: NodeId) -> Result<bool, StorageError> {
        let vote: Option<Vote> = self.read_meta(KEY_VOTE, ErrorSubject::Vote)?;
        match vote {
            Some(v) if v.committed && v.leader_id.voted_for() == Some(id) => {
                let plain = Vote::new(v.leader_id.term, id);
                self.write_meta(KEY_VOTE, &plain, ErrorSubject::Vote)
                    .await?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Whether this log holds any Raft state: a vote, or entries (kept or purged).
    pub fn has_state(&self) -> Result<bool, StorageError> {
        let vote: Option<Vote> = self.read_meta(KEY_VOTE, ErrorSubject::Vote)?;
        let purged: Option<LogId> = self.read_meta(KEY_LAST_PURGED, ErrorSubject::Logs)?;
        Ok(vote.is_some() || purged.is_some() || self.last_stored_id()?.is_some())
    }

    async fn flush(&self, subject: ErrorSubject<u64>) -> Result<(), StorageError> {
        flushed(self.db.flush_async().await, subject)
    }

    /// Flushes sled from the calling thread (the writer's).
    fn flush_now(&self, subject: ErrorSubject<u64>) -> Result<(), StorageError> {
        flushed(self.db.flush(), subject)
    }

    /// Decodes the entry stored under `key`, checking it is the entry for that index.
    fn decode_entry(key: &[u8], value: &[u8]) -> Result<Entry, StorageError> {
        let index = match <[u8; 8]>::try_from(key) {
            Ok(k) => u64::from_be_bytes(k),
            Err(_) => {
                return Err(io_err(
                    ErrorSubject::Logs,
                    ErrorVerb::Read,
                    format!("damaged key {key:?} in sled tree `{LOGS_TREE}`: not a u64 index"),
                ));
            }
        };
        let damaged = |e: &dyn std::fmt::Display| {
            io_err(
                ErrorSubject::LogIndex(index),
                ErrorVerb::Read,
                format!("damaged entry at index {index} in sled tree `{LOGS_TREE}`: {e}"),
            )
        };
        let pb = redraft_proto::v1::Entry::decode(value).map_err(|e| damaged(&e))?;
        let entry = convert::entry_from_pb(pb).map_err(|e| damaged(&e))?;
        if entry.get_log_id().index != index {
            return Err(io_err(
                ErrorSubject::LogIndex(index),
                ErrorVerb::Read,
                format!(
                    "damaged entry at index {index} in sled tree `{LOGS_TREE}`: it holds index {}",
                    entry.get_log_id().index
                ),
            ));
        }
        Ok(entry)
    }

    /// The id of the last entry in the log (the cache's last, else sled's).
    fn last_stored_id(&self) -> Result<Option<LogId>, StorageError> {
        if let Some(last) = self.recent.lock().last_log_id() {
            return Ok(Some(last));
        }
        let last = self.logs.last().map_err(|e| {
            io_err(
                ErrorSubject::Logs,
                ErrorVerb::Read,
                format!("reading the last entry of sled tree `{LOGS_TREE}`: {e}"),
            )
        })?;
        Ok(last
            .map(|(k, v)| Self::decode_entry(&k, &v))
            .transpose()?
            .map(|entry| entry.log_id))
    }

    /// Removes the entries with index in `range` from the logs tree (not flushed).
    fn remove_range(
        &self,
        range: impl RangeBounds<[u8; 8]>,
        subject: ErrorSubject<u64>,
    ) -> Result<(), StorageError> {
        let mut batch = sled::Batch::default();
        for item in self.logs.range(range) {
            let (key, _) = item.map_err(|e| {
                io_err(
                    subject.clone(),
                    ErrorVerb::Read,
                    format!("scanning sled tree `{LOGS_TREE}`: {e}"),
                )
            })?;
            batch.remove(key);
        }
        self.logs.apply_batch(batch).map_err(|e| {
            io_err(
                subject,
                ErrorVerb::Delete,
                format!("removing entries from sled tree `{LOGS_TREE}`: {e}"),
            )
        })
    }
}

impl RaftLogReader<TypeConfig> for SledLogStore {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + OptionalSend>(
        &mut self,
        range: RB,
    ) -> Result<Vec<Entry>, StorageError> {
        let start = match range.start_bound() {
            Bound::Included(&i) => Some(i),
            Bound::Excluded(&i) => i.checked_add(1),
            Bound::Unbounded => Some(0),
        };
        let Some(start) = start else {
            return Ok(Vec::new());
        };
        // Exclusive; `None`: to the end of the log (an inclusive u64::MAX has nothing after).
        let end = match range.end_bound() {
            Bound::Included(&i) => i.checked_add(1),
            Bound::Excluded(&i) => Some(i),
            Bound::Unbounded => None,
        };
        // The cache's part of the range, from the index where it starts: sled holds the rest.
        let (sled_end, cached) = match self.recent.lock().get(start, end) {
            Some((from, cached)) => (Some(from), cached),
            None => (end, Vec::new()),
        };
        let mut entries = Vec::new();
        if sled_end.is_none_or(|end| end > start) {
            let sled_end = sled_end.map_or(Bound::Unbounded, |end| Bound::Excluded(index_key(end)));
            for item in self
                .logs
                .range((Bound::Included(index_key(start)), sled_end))
            {
                let (key, value) = item.map_err(|e| {
                    io_err(
                        ErrorSubject::Logs,
                        ErrorVerb::Read,
                        format!("reading entries {range:?} from sled tree `{LOGS_TREE}`: {e}"),
                    )
                })?;
                entries.push(Self::decode_entry(&key, &value)?);
            }
        }
        entries.extend(cached);
        Ok(entries)
    }
}

impl RaftLogStorage<TypeConfig> for SledLogStore {
    type LogReader = SledLogStore;

    async fn get_log_state(&mut self) -> Result<LogState, StorageError> {
        Ok(LogState {
            last_purged_log_id: self.last_purged()?,
            last_log_id: self.last_log_id()?,
        })
    }

    async fn get_log_reader(&mut self) -> Self::LogReader {
        self.clone()
    }

    async fn save_vote(&mut self, vote: &Vote) -> Result<(), StorageError> {
        self.write_meta(KEY_VOTE, vote, ErrorSubject::Vote).await
    }

    async fn read_vote(&mut self) -> Result<Option<Vote>, StorageError> {
        self.read_meta(KEY_VOTE, ErrorSubject::Vote)
    }

    /// Records the committed log id without a flush of its own: losing the latest value in a
    /// crash only means re-learning it from the leader, and the next append's flush makes it
    /// durable.
    async fn save_committed(&mut self, committed: Option<LogId>) -> Result<(), StorageError> {
        self.put_meta(KEY_COMMITTED, &committed, ErrorSubject::Store)
    }

    async fn read_committed(&mut self) -> Result<Option<LogId>, StorageError> {
        self.committed()
    }

    async fn append<I>(&mut self, entries: I, callback: LogFlushed) -> Result<(), StorageError>
    where
        I: IntoIterator<Item = Entry> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        let entries: Vec<Entry> = entries.into_iter().collect();
        let Some(last) = entries.last().map(|e| e.log_id.index) else {
            callback.log_io_completed(Ok(()));
            return Ok(());
        };
        let encoded: Vec<([u8; 8], Vec<u8>)> = entries
            .iter()
            .map(|entry| {
                let key = index_key(entry.get_log_id().index);
                (key, convert::encode_entry(entry))
            })
            .collect();
        // Readable from the cache at once, written and flushed here or by the writer thread,
        // and acknowledged only once durable.
        {
            let mut recent = self.recent.lock();
            for (entry, (_, value)) in entries.into_iter().zip(&encoded) {
                recent.push(entry, value.len());
            }
        }
        if self.inline.get() && self.writer.is_idle() {
            match insert(&self.logs, encoded) {
                Ok(()) => {
                    self.recent.lock().persisted(last);
                    Writer::flush(&self.db, [callback]);
                }
                Err(e) => callback.log_io_completed(Err(std::io::Error::other(e))),
            }
            return Ok(());
        }
        let job = Job::Append {
            db: self.db.clone(),
            logs: self.logs.clone(),
            entries: encoded,
            last,
            callback,
        };
        self.writer.send(job)
    }

    async fn truncate(&mut self, log_id: LogId) -> Result<(), StorageError> {
        // Removes every entry at or after `log_id.index`, once those queued are written.
        self.recent.lock().truncate(log_id.index);
        let store = self.clone();
        self.writer
            .run_after_appends(move || {
                store.remove_range(index_key(log_id.index).., ErrorSubject::Logs)?;
                store.flush_now(ErrorSubject::Logs)
            })
            .await
    }

    async fn purge(&mut self, log_id: LogId) -> Result<(), StorageError> {
        self.recent.lock().purge(log_id.index);
        let store = self.clone();
        self.writer
            .run_after_appends(move || {
                // Record the purge point first: a crash between the two steps leaves entries
                // that are already marked purged, which is harmless, never a gap openraft does
                // not know about.
                store.put_meta(KEY_LAST_PURGED, &log_id, ErrorSubject::Logs)?;
                store.flush_now(ErrorSubject::Logs)?;
                store.remove_range(..=index_key(log_id.index), ErrorSubject::Logs)?;
                store.flush_now(ErrorSubject::Logs)
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use openraft::storage::RaftLogStorageExt;
    use openraft::testing::{StoreBuilder, Suite};
    use openraft::{CommittedLeaderId, EntryPayload};

    use super::*;
    use crate::machine::{LogEntry, Machine};
    use crate::raft::testkit::TestStateMachine;

    struct Builder;

    impl StoreBuilder<TypeConfig, SledLogStore, TestStateMachine, tempfile::TempDir> for Builder {
        async fn build(
            &self,
        ) -> Result<(tempfile::TempDir, SledLogStore, TestStateMachine), StorageError> {
            let dir = tempfile::tempdir().map_err(|e| StorageIOError::write(AnyError::new(&e)))?;
            let store = SledLogStore::open(&dir.path().join("raft"))?;
            Ok((dir, store, TestStateMachine::new()))
        }
    }

    #[test]
    fn openraft_storage_suite() {
        Suite::test_all(Builder).expect("openraft storage suite");
    }

    /// A sole voter's store: appends are flushed by the caller.
    struct InlineBuilder;

    impl StoreBuilder<TypeConfig, SledLogStore, TestStateMachine, tempfile::TempDir> for InlineBuilder {
        async fn build(
            &self,
        ) -> Result<(tempfile::TempDir, SledLogStore, TestStateMachine), StorageError> {
            let (dir, store, sm) = Builder.build().await?;
            store.inline().set_for(1, [1]);
            Ok((dir, store, sm))
        }
    }

    #[test]
    fn openraft_storage_suite_flushing_inline() {
        Suite::test_all(InlineBuilder).expect("openraft storage suite, inline flushes");
    }

    #[test]
    fn only_a_sole_voter_flushes_inline() {
        let inline = Inline::default();
        assert!(!inline.get());
        inline.set_for(1, [1]);
        assert!(inline.get());
        inline.set_for(1, [1, 2, 3]);
        assert!(!inline.get());
        inline.set_for(1, [2]);
        assert!(!inline.get());
        inline.set_for(1, [1]);
        inline.set_for(1, []);
        assert!(!inline.get());
    }

    #[tokio::test]
    async fn inline_appends_wait_for_the_writers_queue_and_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("raft");
        let entries: Vec<Entry> = (1..=40)
            .map(|i| normal(1, i, vec![argv(&["incr", "n"])]))
            .collect();
        {
            let mut store = SledLogStore::open(&path).unwrap();
            // Through the writer, then inline: the first inline append waits for the writer
            // to be done with the others, and later ones leave it idle.
            for (i, entry) in entries.iter().enumerate() {
                if i == 20 {
                    store.inline().set_for(1, [1]);
                }
                append(&mut store, vec![entry.clone()]).await;
                if i == 20 {
                    for _ in 0..1000 {
                        if store.writer.is_idle() {
                            break;
                        }
                        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                    }
                }
                if i >= 20 {
                    assert!(store.writer.is_idle(), "append {i} went to the writer");
                }
            }
            assert_eq!(store.last_index().unwrap(), 40);
        }
        let mut store = open_when_unlocked(&path);
        assert_eq!(store.try_get_log_entries(1..=40).await.unwrap(), entries);
    }

    /// Opens the log at `path`, waiting (up to 10 s) while a database just dropped still holds
    /// its lock: sled's background threads release it shortly after the last handle goes.
    fn open_when_unlocked(path: &Path) -> SledLogStore {
        let mut tries = 0;
        loop {
            match SledLogStore::open(path) {
                Ok(store) => return store,
                Err(e) if e.to_string().contains("could not acquire lock") && tries < 200 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                Err(e) => panic!("opening {}: {e}", path.display()),
            }
        }
    }

    #[tokio::test]
    async fn a_new_log_gets_large_segments_and_an_old_one_keeps_its_own() {
        let dir = tempfile::tempdir().expect("tempdir");
        let new = dir.path().join("new");
        drop(open_when_unlocked(&new));
        assert_eq!(segment_size(&new), SEGMENT_BYTES);
        drop(open_when_unlocked(&new));

        // A log made with sled's default segment size, as before SEGMENT_BYTES: it opens with
        // its own (sled refuses any other).
        let old = dir.path().join("old");
        drop(
            sled::Config::new()
                .path(&old)
                .segment_size(512 * 1024)
                .open()
                .expect("sled"),
        );
        assert_eq!(segment_size(&old), 512 * 1024);
        drop(open_when_unlocked(&old));
    }

    fn argv(items: &[&str]) -> Vec<Bytes> {
        items
            .iter()
            .map(|s| Bytes::copy_from_slice(s.as_bytes()))
            .collect()
    }

    fn normal(term: u64, index: u64, commands: Vec<Vec<Bytes>>) -> Entry {
        Entry {
            log_id: LogId::new(CommittedLeaderId::new(term, 1), index),
            payload: EntryPayload::Normal(LogEntry::commands(
                1_700_000_000_000 + index,
                0,
                commands,
            )),
        }
    }

    async fn append(store: &mut SledLogStore, entries: Vec<Entry>) {
        // Returns once the store has called the flush callback.
        store.blocking_append(entries).await.expect("append");
    }

    #[tokio::test]
    async fn a_leader_forgets_its_leadership_but_not_its_vote_and_others_keep_theirs() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SledLogStore::open(&dir.path().join("raft")).unwrap();
        assert!(!store.forget_own_leadership(1).await.unwrap());
        store.save_vote(&Vote::new_committed(4, 2)).await.unwrap();
        assert!(!store.forget_own_leadership(1).await.unwrap());
        assert_eq!(
            store.read_vote().await.unwrap(),
            Some(Vote::new_committed(4, 2))
        );
        store.save_vote(&Vote::new(5, 1)).await.unwrap();
        assert!(!store.forget_own_leadership(1).await.unwrap());
        store.save_vote(&Vote::new_committed(5, 1)).await.unwrap();
        assert!(store.forget_own_leadership(1).await.unwrap());
        assert_eq!(store.read_vote().await.unwrap(), Some(Vote::new(5, 1)));
    }

    #[tokio::test]
    async fn entries_survive_reopen_and_replay_into_the_machine() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("raft");
        let entries = vec![
            normal(1, 1, vec![argv(&["set", "k", "v"])]),
            normal(1, 2, vec![argv(&["incr", "n"]), argv(&["incr", "n"])]),
        ];
        {
            let mut store = SledLogStore::open(&path).unwrap();
            append(&mut store, entries.clone()).await;
            let vote = Vote::new(3, 1);
            store.save_vote(&vote).await.unwrap();
            store.save_committed(Some(entries[1].log_id)).await.unwrap();
        }
        let mut store = SledLogStore::open(&path).unwrap();
        assert_eq!(store.read_vote().await.unwrap(), Some(Vote::new(3, 1)));
        assert_eq!(
            store.read_committed().await.unwrap(),
            Some(entries[1].log_id)
        );
        let read = store.try_get_log_entries(1..=2).await.unwrap();
        assert_eq!(read, entries);
        let mut machine = Machine::new(16);
        let mut replies = Vec::new();
        for entry in &read {
            if let EntryPayload::Normal(payload) = &entry.payload {
                replies.extend(machine.apply(entry.log_id.index, payload));
            }
        }
        assert_eq!(replies.last(), Some(&crate::resp::Reply::Int(2)));
    }

    #[tokio::test]
    async fn damaged_entry_is_an_error_naming_tree_and_index() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SledLogStore::open(&dir.path().join("raft")).unwrap();
        append(
            &mut store,
            vec![normal(1, 1, vec![argv(&["set", "k", "v"])])],
        )
        .await;
        store.logs.insert(index_key(2), &b"{not json"[..]).unwrap();
        // An entry stored under the wrong index is damage too.
        let moved = store.logs.get(index_key(1)).unwrap().unwrap();
        store.logs.insert(index_key(3), moved).unwrap();
        store.logs.flush().unwrap();
        // Found on disk when the log is opened again (this store's cache holds entry 1 and
        // knows of nothing after it).
        drop(store);
        let mut store = open_when_unlocked(&dir.path().join("raft"));

        let err = store.try_get_log_entries(2..3).await.unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("index 2") && text.contains("`logs`"),
            "{text}"
        );
        let err = store.try_get_log_entries(3..4).await.unwrap_err();
        assert!(err.to_string().contains("holds index 1"), "{err}");
        assert!(store.get_log_state().await.is_err());
    }
}
