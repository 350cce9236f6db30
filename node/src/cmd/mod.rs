//! The command table: one declaration per command, its parser, and its effect.
//!
//! Every command lives in `cmd/<group>/<name>.rs` with its [`Spec`] (name, arity, flags, key
//! positions, and how it runs), a `parse` from argv that checks syntax only, and then either
//! - a **read** over the keyspace at a given time ([`Run::Read`]),
//! - a **write**: `prepare` turns the client's argv into the canonical argv put in the log
//!   (relative times made absolute), and `apply` runs it over the keyspace with the entry's
//!   time ([`Run::Write`]); the state machine re-dispatches logged argv through this same
//!   table, so adding a command touches its file and its row here, never `raft/`,
//! - a **session** command that works on the connection or the server ([`Run::Session`]),
//! - or a **Pub/Sub** command, parsed here into a [`pubsub::PubSubOp`] that the connection
//!   runs with its subscriptions and the replication layer ([`Run::PubSub`]).
//!
//! This module does not depend on `server/` (which implements [`Session`]) nor on the
//! network.

pub mod args;
pub mod blocking;
pub mod cluster_view;
pub mod errors;
pub mod glob;
pub mod session;

pub mod cluster;
pub mod connection;
pub mod hash;
pub mod keyspace;
pub mod list;
pub mod pubsub;
pub mod scripting;
pub mod server;
pub mod set;
pub mod string;
pub mod transaction;
pub mod zset;

use std::collections::HashMap;
use std::sync::OnceLock;

use bytes::Bytes;

use crate::resp::Reply;
use crate::store::{Db, Store};

pub use errors::CmdError;
pub use session::{ClientState, KillFilter, ServerStats, Session, UnblockMode};

/// What a command answers.
pub type CmdResult = Result<Reply, CmdError>;

/// Redis command flags this server acts on (the full list Redis reports comes from the
/// reference table in COMMAND INFO).
pub mod flags {
    pub const WRITE: u32 = 1;
    pub const READONLY: u32 = 1 << 1;
    pub const DENYOOM: u32 = 1 << 2;
    pub const ADMIN: u32 = 1 << 3;
    pub const NOSCRIPT: u32 = 1 << 4;
    /// Allowed before AUTH (AUTH, HELLO, QUIT, RESET's `no_auth` in Redis).
    pub const NO_AUTH: u32 = 1 << 5;
    pub const FAST: u32 = 1 << 6;
    pub const LOADING: u32 = 1 << 7;
    pub const STALE: u32 = 1 << 8;
    pub const PUBSUB: u32 = 1 << 9;
    /// Not logged in SLOWLOG (EXEC, AUTH...).
    pub const SKIP_SLOWLOG: u32 = 1 << 10;
    /// Refused inside MULTI (`no_multi`: SHUTDOWN, SAVE...).
    pub const NO_MULTI: u32 = 1 << 11;
    /// May block the client (`blocking`): BLPOP and the like wait for a key to fill,
    /// unless inside MULTI or a script (see [`super::blocking`]).
    pub const BLOCKING: u32 = 1 << 12;
    /// redraft's own command (RAFT.*): not in Redis's table.
    pub const EXTENSION: u32 = 1 << 30;
    /// Internal command: in the table so the state machine can apply it, never accepted from
    /// a client and not listed by COMMAND.
    pub const INTERNAL: u32 = 1 << 31;
}

/// How a command runs.
#[derive(Clone, Copy)]
pub enum Run {
    /// Reads the keyspace; never goes through the log.
    Read(fn(&mut ReadCtx<'_>, &[Bytes]) -> CmdResult),
    /// Changes the keyspace through the log.
    Write {
        /// Checks syntax and returns the canonical argv to log.
        prepare: fn(&[Bytes], &Prepare) -> Result<Vec<Bytes>, CmdError>,
        /// Applies a canonical argv at the entry's time.
        apply: fn(&mut ApplyCtx<'_>, &[Bytes]) -> CmdResult,
        /// For writes that often change nothing (SADD of a member already there, DEL of a
        /// missing key): see [`Unchanged`].
        unchanged: Option<Unchanged>,
    },
    /// Works on the connection or the server.
    Session(fn(&mut dyn Session, &[Bytes]) -> CmdResult),
    /// A cluster operation (membership, WAIT): parsed here, run on the leader by the
    /// replication layer, which may take a while.
    Admin(fn(&[Bytes]) -> Result<cluster_view::AdminOp, CmdError>),
    /// EXEC and WATCH: the connection runs them (EXEC proposes its queued transaction,
    /// WATCH reads versions through the read path).
    Transaction(transaction::Tx),
    /// A Pub/Sub operation: parsed here, run by the connection (its subscriptions) and, for
    /// PUBLISH, the replication layer (delivery on every node).
    PubSub(fn(&[Bytes]) -> Result<pubsub::PubSubOp, CmdError>),
}

/// Looks at the keyspace, at the time a read would, to tell whether a write (the client's
/// argv, syntax unchecked) would change nothing at all: then it returns the reply `apply`
/// would give, and the write is answered like a read without going through the log, as Redis
/// neither propagates nor writes to its AOF a command that changed nothing. `None` when it
/// would change something (an expired key it would delete counts), or when unsure; the write
/// is then proposed. It must agree with `apply` exactly: the unit tests' driver checks every
/// `Some` it returns against `apply` run on the same state.
pub type Unchanged = fn(&ReadCtx<'_>, &[Bytes]) -> Option<Reply>;

/// The [`Unchanged`] of a removal (`CMD key item [item ...]`: SREM, ZREM, HDEL): the key is
/// absent, or holds none of the items. `has` tells whether a value holds an item, or None
/// for a value of another type (left to `apply`, which answers WRONGTYPE).
pub fn removes_nothing(
    ctx: &ReadCtx<'_>,
    argv: &[Bytes],
    has: fn(&crate::store::Value, &[u8]) -> Option<bool>,
) -> Option<Reply> {
    let items = argv.get(2..).filter(|items| !items.is_empty())?;
    if let Some(entry) = ctx.db().get_untouched(argv.get(1)?, ctx.now_ms)? {
        for item in items {
            if has(&entry.value, item)? {
                return None;
            }
        }
    }
    Some(Reply::Int(0))
}

/// One command's declaration, as in Redis's command table.
pub struct Spec {
    /// Lower-case name.
    pub name: &'static str,
    /// Argument count including the name; negative means "at least".
    pub arity: i32,
    pub flags: u32,
    /// Legacy key positions: first key, last key (-1 = last argument), step.
    pub first_key: i32,
    pub last_key: i32,
    pub step: i32,
    pub run: Run,
}

impl Spec {
    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    /// Whether `argc` (including the name) satisfies the arity.
    pub fn arity_ok(&self, argc: usize) -> bool {
        let argc = argc as i64;
        let arity = i64::from(self.arity);
        if arity >= 0 {
            argc == arity
        } else {
            argc >= -arity
        }
    }

    pub fn is_write(&self) -> bool {
        matches!(self.run, Run::Write { .. })
    }

    /// The keys of `argv` by the legacy positions.
    pub fn keys<'a>(&self, argv: &'a [Bytes]) -> Vec<&'a Bytes> {
        if self.first_key <= 0 {
            return Vec::new();
        }
        let last = if self.last_key < 0 {
            argv.len() as i64 + i64::from(self.last_key)
        } else {
            i64::from(self.last_key)
        };
        let step = self.step.max(1) as usize;
        (self.first_key as usize..=last.max(0) as usize)
            .step_by(step)
            .filter_map(|i| argv.get(i))
            .collect()
    }
}

/// What `prepare` knows when it canonicalizes a write.
pub struct Prepare {
    /// The time the entry will carry (DESIGN.md: max(leader clock, last applied time)).
    pub now_ms: u64,
    /// Number of databases, to validate indexes before proposing.
    pub databases: usize,
    /// `proto-max-bulk-len`, the largest string a command may build.
    pub max_bulk_len: usize,
    /// The script cache as applied so far (O(1) clone): EVALSHA logs the body it names.
    pub scripts: crate::store::Scripts,
}

/// The context of a write being applied from a log entry.
pub struct ApplyCtx<'a> {
    pub store: &'a mut Store,
    /// The database selected when the entry was proposed.
    pub db: usize,
    /// The entry's time: "now" for every expiry decision.
    pub now_ms: u64,
    /// The entry's log index: the version stamped on every key changed.
    pub index: u64,
    /// The entry's random stream, created on first use (see [`ApplyCtx::rng`]).
    pub rng: Option<Rng>,
    /// Keyspace hits and misses of the reads the entry ran (INFO `keyspace_hits` and
    /// `keyspace_misses` of the node that proposed it).
    pub hits: u64,
    pub misses: u64,
    /// Commands of the entry that may change the keyspace: writes, scripts and the commands of
    /// transactions, not the reads pipelined between them (the snapshot trigger counts these).
    pub writes: u64,
}

/// The PRNG commands draw on (SPOP, SRANDMEMBER, RANDOMKEY...): a fixed algorithm, so a seed
/// gives the same numbers on every node and every version.
pub type Rng = rand_xoshiro::Xoshiro256PlusPlus;

impl ApplyCtx<'_> {
    pub fn db(&mut self) -> &mut Db {
        self.store.db_mut(self.db)
    }

    /// The random stream of this entry, seeded with its log index: replicas applying the
    /// same entry draw the same numbers (DESIGN.md "The log entry").
    pub fn rng(&mut self) -> &mut Rng {
        let index = self.index;
        self.rng
            .get_or_insert_with(|| rand::SeedableRng::seed_from_u64(index))
    }
}

/// The context of a read.
pub struct ReadCtx<'a> {
    pub store: &'a Store,
    pub db: usize,
    /// max(wall clock, last applied entry time).
    pub now_ms: u64,
    /// Seed for commands that pick at random (RANDOMKEY).
    pub seed: u64,
    /// The last log index applied to the state read (what WATCH records of an absent key).
    pub applied: u64,
    /// Filled by the read: whether a key lookup hit or missed (INFO keyspace_hits/misses).
    pub hits: u64,
    pub misses: u64,
}

impl ReadCtx<'_> {
    pub fn db(&self) -> &Db {
        self.store.db(self.db)
    }

    /// A random stream for this read, from its seed.
    pub fn rng(&self) -> Rng {
        rand::SeedableRng::seed_from_u64(self.seed)
    }
}

/// Every command of this server, in one list built from each group's rows.
pub(crate) fn all_specs() -> impl Iterator<Item = &'static Spec> {
    connection::COMMANDS
        .iter()
        .chain(server::COMMANDS)
        .chain(cluster::COMMANDS)
        .chain(string::COMMANDS)
        .chain(keyspace::COMMANDS)
        .chain(list::COMMANDS)
        .chain(hash::COMMANDS)
        .chain(set::COMMANDS)
        .chain(zset::COMMANDS)
        .chain(transaction::COMMANDS)
        .chain(pubsub::COMMANDS)
        .chain(scripting::COMMANDS)
        .copied()
}

/// A name → spec lookup. The server builds its own with `rename-command` applied; the state
/// machine uses [`Table::canonical`], since logged argv always carries canonical names.
pub struct Table {
    by_name: HashMap<Vec<u8>, &'static Spec, rustc_hash::FxBuildHasher>,
}

impl Table {
    /// The table with every command under its own name.
    pub fn canonical() -> &'static Table {
        static TABLE: OnceLock<Table> = OnceLock::new();
        TABLE.get_or_init(|| Table::with_renames(&[]))
    }

    /// The table with `renames` applied: (old, new) pairs, an empty new name disabling the
    /// command (`rename-command`).
    pub fn with_renames(renames: &[(String, String)]) -> Table {
        let mut by_name: HashMap<Vec<u8>, &'static Spec, rustc_hash::FxBuildHasher> = all_specs()
            .map(|s| (s.name.as_bytes().to_vec(), s))
            .collect();
        for (old, new) in renames {
            if let Some(spec) = by_name.remove(old.to_ascii_lowercase().as_bytes())
                && !new.is_empty()
            {
                by_name.insert(new.to_ascii_lowercase().into_bytes(), spec);
            }
        }
        Table { by_name }
    }

    /// Looks a command up by name, case-insensitively.
    pub fn get(&self, name: &[u8]) -> Option<&'static Spec> {
        let mut buf = [0u8; 32];
        if name.len() <= buf.len() {
            let lower = &mut buf[..name.len()];
            lower.copy_from_slice(name);
            lower.make_ascii_lowercase();
            self.by_name.get(&lower[..]).copied()
        } else {
            self.by_name.get(&name.to_ascii_lowercase()).copied()
        }
    }

    /// The specs clients can call, sorted by name (COMMAND, COMMAND LIST).
    pub fn visible(&self) -> Vec<&'static Spec> {
        let mut specs: Vec<_> = self
            .by_name
            .values()
            .copied()
            .filter(|s| !s.has(flags::INTERNAL))
            .collect();
        specs.sort_by_key(|s| s.name);
        specs.dedup_by_key(|s| s.name);
        specs
    }
}

/// Checks the command name and arity of `argv` against `table`, as Redis's `processCommand`
/// does before running anything.
pub fn lookup(table: &Table, argv: &[Bytes]) -> Result<&'static Spec, CmdError> {
    let name = &argv[0];
    match table.get(name) {
        Some(spec) if !spec.has(flags::INTERNAL) => {
            if spec.arity_ok(argv.len()) {
                Ok(resolve(spec, argv))
            } else {
                Err(CmdError::wrong_arity(spec.name))
            }
        }
        _ => Err(CmdError::unknown_command(name, &argv[1..])),
    }
}

/// The spec that runs `argv` when a command's subcommands take different paths (SCRIPT
/// EXISTS is a read, SCRIPT LOAD a write); the server and forwarded requests resolve alike.
pub fn resolve(spec: &'static Spec, argv: &[Bytes]) -> &'static Spec {
    if spec.name == "script" {
        return scripting::script::resolve(argv);
    }
    spec
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_is_case_insensitive_and_checks_arity() {
        let table = Table::canonical();
        let get = |args: &[&str]| {
            let argv: Vec<Bytes> = args
                .iter()
                .map(|a| Bytes::copy_from_slice(a.as_bytes()))
                .collect();
            lookup(table, &argv).map(|s| s.name)
        };
        assert_eq!(get(&["gEt", "k"]), Ok("get"));
        assert_eq!(
            get(&["GET"]).unwrap_err().to_string(),
            "ERR wrong number of arguments for 'get' command"
        );
        assert_eq!(
            get(&["nosuch", "a"]).unwrap_err().to_string(),
            "ERR unknown command 'nosuch', with args beginning with: 'a' "
        );
    }

    #[test]
    fn renames_apply() {
        let table = Table::with_renames(&[
            ("flushall".into(), "".into()),
            ("get".into(), "fetch".into()),
        ]);
        assert!(table.get(b"FLUSHALL").is_none());
        assert!(table.get(b"GET").is_none());
        assert_eq!(table.get(b"fetch").map(|s| s.name), Some("get"));
    }

    /// Every declaration matches Redis 7.0's table (../shared/reference/commands-7.0.json) in
    /// arity, key positions and the flags this server acts on.
    #[test]
    fn specs_match_redis_reference() {
        let reference = server::command::reference();
        for spec in all_specs().filter(|s| !s.has(flags::INTERNAL | flags::EXTENSION)) {
            let Some(r) = reference.get(spec.name) else {
                panic!("{} is not a Redis 7.0 command", spec.name)
            };
            assert_eq!(spec.arity, r.arity, "{} arity", spec.name);
            assert_eq!(
                (spec.first_key, spec.last_key, spec.step),
                (r.first_key, r.last_key, r.step),
                "{} key positions",
                spec.name
            );
            for (flag, name) in [
                (flags::WRITE, "write"),
                (flags::READONLY, "readonly"),
                (flags::DENYOOM, "denyoom"),
                (flags::ADMIN, "admin"),
                (flags::NOSCRIPT, "noscript"),
                (flags::NO_AUTH, "no_auth"),
                (flags::FAST, "fast"),
                (flags::LOADING, "loading"),
                (flags::STALE, "stale"),
                (flags::PUBSUB, "pubsub"),
                (flags::BLOCKING, "blocking"),
            ] {
                assert_eq!(
                    spec.has(flag),
                    r.flags.iter().any(|f| f == name),
                    "{} flag {name}",
                    spec.name
                );
            }
        }
    }
}
