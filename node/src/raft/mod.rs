//! The replication layer: turns client writes into log entries, and serves reads.
//!
//! For now this is a single-node log: an entry is applied as soon as it is proposed, in
//! proposal order, with the next index. The Raft issue replaces the inside of [`Node`] with
//! openraft (a sled log, gRPC to peers, forwarding to the leader, read-index reads) without
//! changing what the server sees: `write` proposes canonical commands and returns their
//! replies once applied, `read` runs a read against applied state.

pub mod convert;
pub mod grpc;
pub mod log_store;
pub mod network;
#[cfg(test)]
pub(crate) mod testkit;
pub mod types;

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use parking_lot::Mutex;

use crate::cmd::{self, CmdError, Prepare, ReadCtx, Run, Spec};
use crate::machine::{LogEntry, Machine};
use crate::resp::Reply;

/// One node's log and state machine.
pub struct Node {
    machine: Mutex<Machine>,
    max_bulk_len: usize,
}

/// Wall-clock time in unix milliseconds.
pub fn wall_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl Node {
    pub fn new(databases: usize, max_bulk_len: usize) -> Node {
        Node {
            machine: Mutex::new(Machine::new(databases)),
            max_bulk_len,
        }
    }

    pub fn machine(&self) -> &Mutex<Machine> {
        &self.machine
    }

    /// Proposes `commands` (argv with the spec each was looked up as) as one entry in
    /// database `db` and returns one reply per command, in order. A command whose syntax is
    /// wrong is answered with its error and left out of the entry. Pipelined writes of one
    /// connection share an entry: they are applied one by one, each answered, as Redis runs
    /// a pipeline (not atomically, but nothing else interleaves).
    pub async fn write(&self, db: usize, commands: &[(&'static Spec, &[Bytes])]) -> Vec<Reply> {
        let mut machine = self.machine.lock();
        let prepare = Prepare {
            now_ms: machine.entry_time(wall_ms()),
            databases: machine.store().db_count(),
            max_bulk_len: self.max_bulk_len,
        };
        let mut replies: Vec<Option<Reply>> = Vec::with_capacity(commands.len());
        let mut logged = Vec::with_capacity(commands.len());
        for (spec, argv) in commands {
            match canonical(spec, argv, &prepare) {
                Ok(canon) => {
                    logged.push(canon);
                    replies.push(None);
                }
                Err(e) => replies.push(Some(Reply::from(e))),
            }
        }
        if logged.is_empty() {
            return replies.into_iter().flatten().collect();
        }
        let entry = LogEntry {
            time_ms: prepare.now_ms,
            db: db as u32,
            commands: logged,
        };
        let index = machine.last_applied() + 1;
        let mut applied = machine.apply(index, &entry).into_iter();
        replies
            .into_iter()
            .map(|r| {
                r.or_else(|| applied.next())
                    .unwrap_or_else(|| Reply::error("ERR missing reply"))
            })
            .collect()
    }

    /// Runs reads against applied state at the current time, in order, under one lock.
    /// `each` receives every result with the keyspace hits and misses it made.
    pub async fn read(
        &self,
        db: usize,
        reads: &[(ReadFn, &[Bytes])],
        seed: u64,
        mut each: impl FnMut(cmd::CmdResult, u64, u64),
    ) {
        let machine = self.machine.lock();
        let now = machine.read_time(wall_ms());
        for (i, (read, argv)) in reads.iter().enumerate() {
            let (result, hits, misses) =
                machine.read(*read, db, argv, now, seed.wrapping_add(i as u64));
            each(result, hits, misses);
        }
    }

    /// The leader's active expire cycle: proposes deletion of keys whose TTL has passed, in
    /// entries that delete each key only if it is still expired at the entry's time.
    /// Returns how many keys were proposed.
    pub async fn expire_cycle(&self, per_db: usize) -> usize {
        let batches: Vec<(usize, Vec<Bytes>)> = {
            let machine = self.machine.lock();
            let now = machine.read_time(wall_ms());
            machine
                .store()
                .dbs()
                .map(|(i, db)| (i, db.expired_keys(now, per_db)))
                .filter(|(_, keys)| !keys.is_empty())
                .collect()
        };
        let mut proposed = 0;
        for (db, keys) in batches {
            proposed += keys.len();
            let mut argv = Vec::with_capacity(keys.len() + 1);
            argv.push(Bytes::from_static(
                cmd::keyspace::expire_sweep::NAME.as_bytes(),
            ));
            argv.extend(keys);
            self.write(db, &[(&cmd::keyspace::expire_sweep::SPEC, &argv[..])])
                .await;
        }
        proposed
    }
}

/// A read command's function.
pub type ReadFn = fn(&mut ReadCtx<'_>, &[Bytes]) -> cmd::CmdResult;

/// Prepares the logged form of a write.
fn canonical(spec: &Spec, argv: &[Bytes], prepare: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    match spec.run {
        Run::Write { prepare: f, .. } => {
            let mut canon = f(argv, prepare)?;
            // The log always names commands canonically (lower case, never renamed).
            if let Some(name) = canon.first_mut() {
                *name = Bytes::from_static(spec.name.as_bytes());
            }
            Ok(canon)
        }
        _ => Err(CmdError::other(format!(
            "ERR '{}' is not a write command",
            spec.name
        ))),
    }
}
