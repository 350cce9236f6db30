//! The state machine: applies log entries to the store and answers reads.
//!
//! `apply` is a pure function of the entries: "now" is the entry's time, versions are log
//! indexes, and nothing here reads a clock or per-process random state, so two processes fed
//! the same entries hold byte-identical data (DESIGN.md "The log entry"). Each logged command
//! is re-dispatched through the canonical command table ([`crate::cmd::Table::canonical`]).
//!
//! Depends on `cmd/` and `store/`; knows nothing of the network or of Raft, which feeds it.

pub(crate) mod dispatch;
mod transaction;

use bytes::Bytes;

use crate::cmd::{self, ApplyCtx, CmdError, ReadCtx, Run, Table};
use crate::resp::Reply;
use crate::store::Store;

pub use transaction::{Transaction, Watched};

/// One log entry's application payload: the requests of one or more clients, each applied as
/// a whole, one after the other (the proposer batches concurrent requests into one entry).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LogEntry {
    /// The proposer's time: max(its wall clock, the last applied entry's time).
    pub time_ms: u64,
    /// The database selected by the clients.
    pub db: u32,
    /// Shared: the log store keeps recent entries and hands out copies (to apply them, to
    /// replicate them), each a reference count rather than a copy of every argument.
    pub requests: std::sync::Arc<Vec<Request>>,
}

/// What one client asked for in one go.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Request {
    /// Canonical argv of pipelined writes, applied in order and answered one by one.
    Commands(Vec<Vec<Bytes>>),
    /// A MULTI/EXEC transaction, applied as a whole and answered with one reply.
    Transaction(Transaction),
}

impl Request {
    /// How many replies applying it gives.
    pub fn reply_count(&self) -> usize {
        match self {
            Request::Commands(commands) => commands.len(),
            Request::Transaction(_) => 1,
        }
    }
}

impl LogEntry {
    /// An entry of plain commands.
    pub fn commands(time_ms: u64, db: u32, commands: Vec<Vec<Bytes>>) -> LogEntry {
        LogEntry {
            time_ms,
            db,
            requests: std::sync::Arc::new(vec![Request::Commands(commands)]),
        }
    }
}

/// Counters kept while applying (INFO stats).
#[derive(Debug, Default, Clone, Copy)]
pub struct ApplyStats {
    pub expired_keys: u64,
}

/// The in-memory state machine.
pub struct Machine {
    store: Store,
    last_applied: u64,
    last_time_ms: u64,
    /// Keyspace hits and misses of the reads the last applied entry ran.
    last_reads: (u64, u64),
    /// Commands of the last applied entry that may have changed the keyspace.
    last_writes: u64,
}

impl Machine {
    pub fn new(databases: usize) -> Machine {
        Machine {
            store: Store::new(databases),
            last_applied: 0,
            last_time_ms: 0,
            last_reads: (0, 0),
            last_writes: 0,
        }
    }

    /// A state machine restored from a snapshot: `store` as of log index `last_applied`,
    /// whose last entry carried `last_time_ms`.
    pub fn restore(store: Store, last_applied: u64, last_time_ms: u64) -> Machine {
        Machine {
            store,
            last_applied,
            last_time_ms,
            last_reads: (0, 0),
            last_writes: 0,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The time of the last applied entry.
    pub fn last_time_ms(&self) -> u64 {
        self.last_time_ms
    }

    /// Records that the log entry at `index` was applied without changing the keyspace (a
    /// Raft entry of its own: a new leader's blank entry, a membership change).
    pub fn set_last_applied(&mut self, index: u64) {
        self.last_applied = index;
    }

    /// Index of the last applied entry.
    pub fn last_applied(&self) -> u64 {
        self.last_applied
    }

    pub fn stats(&self) -> ApplyStats {
        ApplyStats {
            expired_keys: self.store.dbs().map(|(_, db)| db.expired_count()).sum(),
        }
    }

    /// The time a new entry proposed now carries: time never runs backwards, even when a
    /// new leader's clock lags the previous one's.
    pub fn entry_time(&self, wall_ms: u64) -> u64 {
        wall_ms.max(self.last_time_ms)
    }

    /// Applies the entry at `index`, returning the replies of its requests in order (see
    /// [`Request::reply_count`]).
    pub fn apply(&mut self, index: u64, entry: &LogEntry) -> Vec<Reply> {
        self.apply_entry(index, entry, true)
    }

    /// Applies the entry at `index` where no client waits for its replies: a node's copy of
    /// an entry another node proposed. The reads pipelined between its writes are skipped
    /// (their replies are nil): they change nothing, and the node that proposed the entry
    /// answers them. Writes, transactions and scripts run as [`Machine::apply`] runs them,
    /// so the state is the same.
    pub fn apply_unanswered(&mut self, index: u64, entry: &LogEntry) {
        self.apply_entry(index, entry, false);
    }

    fn apply_entry(&mut self, index: u64, entry: &LogEntry, answered: bool) -> Vec<Reply> {
        self.last_applied = index;
        self.last_time_ms = self.last_time_ms.max(entry.time_ms);
        self.store.begin_apply(index);
        let db = (entry.db as usize).min(self.store.db_count() - 1);
        let mut replies = Vec::with_capacity(entry.requests.iter().map(Request::reply_count).sum());
        let mut ctx = ApplyCtx {
            store: &mut self.store,
            db,
            now_ms: entry.time_ms,
            index,
            rng: None,
            hits: 0,
            misses: 0,
            writes: 0,
        };
        for request in entry.requests.iter() {
            match request {
                Request::Commands(commands) => {
                    for argv in commands {
                        let position = replies.len() as u64;
                        replies.push(apply_one(&mut ctx, position, argv, answered));
                    }
                }
                Request::Transaction(tx) => {
                    ctx.writes += tx.commands.len() as u64;
                    replies.push(tx.apply(&mut ctx));
                }
            }
        }
        self.last_reads = (ctx.hits, ctx.misses);
        self.last_writes = ctx.writes;
        replies
    }

    /// Keyspace hits and misses of the reads the last applied entry ran (pipelined between
    /// writes, queued in MULTI, or called by a script).
    pub fn last_reads(&self) -> (u64, u64) {
        self.last_reads
    }

    /// Commands of the last applied entry that may have changed the keyspace (see
    /// `ApplyCtx::writes`): what the snapshot trigger counts, since reads change nothing and
    /// a node that replays the log skips them.
    pub fn last_writes(&self) -> u64 {
        self.last_writes
    }

    /// What WATCH records of `key` in database `db`, observed at `now_ms` (see
    /// [`Watched`]; the server reads it through `cmd::transaction::observe`).
    #[cfg(test)]
    pub fn watch(&self, db: usize, key: &Bytes, now_ms: u64) -> Watched {
        let db_index = db.min(self.store.db_count() - 1);
        Watched {
            db: db_index as u32,
            key: key.clone(),
            version: self
                .store
                .db(db_index)
                .get(key, now_ms)
                .map_or(0, |e| e.version),
            seen_at: self.last_applied,
        }
    }

    /// Runs a read command at `now_ms` (already max'ed with the last applied time by
    /// [`Machine::read_time`]).
    pub fn read(
        &self,
        read: fn(&mut ReadCtx<'_>, &[Bytes]) -> cmd::CmdResult,
        db: usize,
        argv: &[Bytes],
        now_ms: u64,
        seed: u64,
    ) -> (cmd::CmdResult, u64, u64) {
        let mut ctx = ReadCtx {
            store: &self.store,
            db,
            now_ms,
            seed,
            applied: self.last_applied,
            hits: 0,
            misses: 0,
        };
        let result = read(&mut ctx, argv);
        (result, ctx.hits, ctx.misses)
    }

    /// The reply of a write that would change nothing at `now_ms`, or None (see
    /// [`cmd::Unchanged`]).
    pub fn unchanged(
        &self,
        unchanged: cmd::Unchanged,
        db: usize,
        argv: &[Bytes],
        now_ms: u64,
    ) -> Option<Reply> {
        let ctx = ReadCtx {
            store: &self.store,
            db,
            now_ms,
            seed: 0,
            applied: self.last_applied,
            hits: 0,
            misses: 0,
        };
        unchanged(&ctx, argv)
    }

    /// The time reads check expiry against: max(wall clock, last applied entry time).
    pub fn read_time(&self, wall_ms: u64) -> u64 {
        wall_ms.max(self.last_time_ms)
    }
}

/// Applies one command of a [`Request::Commands`]: a write, or a read that a client pipelined
/// between writes (answered from the state it finds here, unless not `answered`; `position`
/// tells reads of one entry apart for their random seed).
fn apply_one(ctx: &mut ApplyCtx<'_>, position: u64, argv: &[Bytes], answered: bool) -> Reply {
    let Some(name) = argv.first() else {
        return Reply::from(CmdError::other("ERR empty command in log entry"));
    };
    match Table::canonical().get(name) {
        // Logged argv was checked when it was proposed, and a canonical form only ever adds
        // arguments (APPEND logs its size limit), so at least the command's minimum count must
        // be there: a damaged entry never reaches a command's argument indexing.
        Some(spec) if argv.len() < spec.arity.unsigned_abs() as usize => {
            Reply::from(CmdError::wrong_arity(spec.name))
        }
        Some(spec) => match spec.run {
            Run::Write { apply, .. } => {
                ctx.writes += 1;
                apply(ctx, argv).unwrap_or_else(Reply::from)
            }
            Run::Read(_) if !answered => Reply::Nil,
            Run::Read(read) => {
                dispatch::read_at_apply(ctx, position, read, argv).unwrap_or_else(Reply::from)
            }
            _ => Reply::from(CmdError::unknown_command(name, &argv[1..])),
        },
        None => Reply::from(CmdError::unknown_command(name, &argv[1..])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(items: &[&str]) -> Vec<Bytes> {
        items
            .iter()
            .map(|s| Bytes::copy_from_slice(s.as_bytes()))
            .collect()
    }

    #[test]
    fn same_entries_same_state() {
        let entries = [
            LogEntry::commands(
                1000,
                0,
                vec![argv(&["set", "a", "1"]), argv(&["set", "b", "2"])],
            ),
            LogEntry::commands(1001, 3, vec![argv(&["set", "c", "x", "pxat", "5000"])]),
        ];
        let run = || {
            let mut m = Machine::new(16);
            for (i, e) in entries.iter().enumerate() {
                m.apply(i as u64 + 1, e);
            }
            m
        };
        let (a, b) = (run(), run());
        for (db, _) in a.store().dbs() {
            let ka: Vec<_> = a
                .store()
                .db(db)
                .live_keys(0)
                .map(|(k, _)| k.to_vec())
                .collect();
            let kb: Vec<_> = b
                .store()
                .db(db)
                .live_keys(0)
                .map(|(k, _)| k.to_vec())
                .collect();
            assert_eq!(ka, kb);
        }
        assert_eq!(a.store().key_count(), 3);
        assert_eq!(a.last_applied(), 2);
    }

    #[test]
    fn an_unanswered_entry_skips_its_reads_and_leaves_the_same_state() {
        let entry = LogEntry::commands(
            1000,
            0,
            vec![
                argv(&["set", "a", "1"]),
                argv(&["get", "a"]),
                argv(&["incr", "a"]),
                argv(&["srandmember", "s"]),
                argv(&["sadd", "s", "x", "y"]),
                argv(&["get", "a"]),
                argv(&["lpush", "l", "v"]),
            ],
        );
        let mut answered = Machine::new(16);
        let replies = answered.apply(7, &entry);
        assert_eq!(replies[1], Reply::Bulk(Bytes::from_static(b"1")));
        assert_eq!(replies[5], Reply::Bulk(Bytes::from_static(b"2")));
        assert_eq!(answered.last_reads(), (2, 1));
        assert_eq!(
            answered.last_writes(),
            4,
            "set, incr, sadd, lpush: not the reads"
        );
        let mut unanswered = Machine::new(16);
        unanswered.apply_unanswered(7, &entry);
        assert_eq!(unanswered.last_reads(), (0, 0), "reads were run");
        assert_eq!(unanswered.last_writes(), 4);
        assert_eq!(unanswered.last_applied(), 7);
        let dump = |m: &Machine| -> Vec<(Vec<u8>, String)> {
            m.store()
                .db(0)
                .live_keys(0)
                .map(|(k, e)| (k.to_vec(), format!("{:?}", e.value)))
                .collect()
        };
        assert_eq!(dump(&answered), dump(&unanswered));
        assert_eq!(dump(&answered).len(), 3);
    }

    #[test]
    fn a_damaged_entry_is_answered_not_applied() {
        let mut m = Machine::new(1);
        let replies = m.apply(
            1,
            &LogEntry::commands(
                1,
                0,
                vec![argv(&["set", "k"]), argv(&["hello", "3"]), vec![]],
            ),
        );
        assert_eq!(
            replies,
            vec![
                Reply::error("ERR wrong number of arguments for 'set' command"),
                Reply::error("ERR unknown command 'hello', with args beginning with: '3' "),
                Reply::error("ERR empty command in log entry"),
            ]
        );
        assert_eq!(m.store().key_count(), 0);
    }

    #[test]
    fn reads_pipelined_between_writes_see_the_writes_before_them() {
        let mut m = Machine::new(1);
        let replies = m.apply(
            1,
            &LogEntry::commands(
                1000,
                0,
                vec![
                    argv(&["get", "k"]),
                    argv(&["set", "k", "1"]),
                    argv(&["get", "k"]),
                    argv(&["incr", "k"]),
                    argv(&["strlen", "k"]),
                    argv(&["pttl", "k"]),
                ],
            ),
        );
        assert_eq!(
            replies,
            vec![
                Reply::Nil,
                Reply::OK,
                Reply::Bulk(Bytes::from_static(b"1")),
                Reply::Int(2),
                Reply::Int(1),
                Reply::Int(-1),
            ]
        );
    }

    #[test]
    fn time_never_runs_backwards() {
        let mut m = Machine::new(1);
        m.apply(1, &LogEntry::commands(5000, 0, vec![]));
        assert_eq!(m.entry_time(4000), 5000);
        assert_eq!(m.entry_time(6000), 6000);
        assert_eq!(m.read_time(10), 5000);
    }
}
