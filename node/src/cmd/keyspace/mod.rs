//! Keyspace commands (Redis's `generic` group): keys, expiry and iteration.
//!
//! Each command has its own file; commands that Redis implements with one generic function
//! (DEL/UNLINK, RENAME/RENAMENX, the EXPIRE family, the TTL family) share it from the file of
//! the first of them, as `db.c` and `expire.c` do. Helpers shared by several files live here.

pub mod copy;
pub mod del;
pub mod dump;
pub mod exists;
pub mod expire;
pub mod expire_sweep;
pub mod expireat;
pub mod expiretime;
pub mod keys;
pub mod r#move;
pub mod object;
pub mod persist;
pub mod pexpire;
pub mod pexpireat;
pub mod pexpiretime;
pub mod pttl;
pub mod randomkey;
pub mod rename;
pub mod renamenx;
pub mod restore;
pub mod scan;
pub mod touch;
pub mod ttl;
pub mod r#type;
pub mod unlink;

use super::{CmdError, Spec, args};

/// This group's rows of the command table.
pub const COMMANDS: &[&Spec] = &[
    &expire_sweep::SPEC,
    &copy::SPEC,
    &del::SPEC,
    &dump::SPEC,
    &exists::SPEC,
    &expire::SPEC,
    &expireat::SPEC,
    &expiretime::SPEC,
    &keys::SPEC,
    &r#move::SPEC,
    &object::SPEC,
    &persist::SPEC,
    &pexpire::SPEC,
    &pexpireat::SPEC,
    &pexpiretime::SPEC,
    &pttl::SPEC,
    &randomkey::SPEC,
    &rename::SPEC,
    &renamenx::SPEC,
    &restore::SPEC,
    &scan::SPEC,
    &touch::SPEC,
    &ttl::SPEC,
    &r#type::SPEC,
    &unlink::SPEC,
];

/// Parses a database index as MOVE and COPY ... DB do in Redis 7.0: an integer
/// (`getIntFromObjectOrReply`, so it must fit 32 bits), then a valid database.
pub fn parse_db_index(arg: &[u8], databases: usize) -> Result<usize, CmdError> {
    let n = args::parse_i64(arg)?;
    let n = i32::try_from(n).map_err(|_| {
        CmdError::other("ERR value is out of range, value must between -2147483648 and 2147483647")
    })?;
    usize::try_from(n)
        .ok()
        .filter(|&n| n < databases)
        .ok_or(CmdError::DbIndexOutOfRange)
}

/// Drives commands through the same paths the server uses (the command table, `prepare` and
/// the state machine for writes, `Machine::read` for reads), for the unit tests of this group.
#[cfg(test)]
pub(crate) mod testkit {
    use bytes::Bytes;

    use crate::cmd::{self, Prepare, Run, Table};
    use crate::machine::{LogEntry, Machine};
    use crate::resp::Reply;
    use crate::store::Store;

    pub fn argv(a: &[&str]) -> Vec<Bytes> {
        a.iter()
            .map(|s| Bytes::copy_from_slice(s.as_bytes()))
            .collect()
    }

    pub fn bulks(a: &[&str]) -> Reply {
        Reply::Array(
            a.iter()
                .map(|s| Reply::Bulk(Bytes::copy_from_slice(s.as_bytes())))
                .collect(),
        )
    }

    pub fn err(text: &str) -> Reply {
        Reply::error(text)
    }

    /// The canonical argv a write is logged as, or its error.
    pub fn prep(a: &[&str], now: u64) -> Result<Vec<Bytes>, cmd::CmdError> {
        let argv = argv(a);
        let spec = cmd::lookup(Table::canonical(), &argv)?;
        match spec.run {
            Run::Write { prepare, .. } => {
                let mut canon = prepare(
                    &argv,
                    &Prepare {
                        now_ms: now,
                        databases: 16,
                        max_bulk_len: 512 << 20,
                        scripts: Default::default(),
                    },
                )?;
                canon[0] = Bytes::from_static(spec.name.as_bytes());
                Ok(canon)
            }
            _ => panic!("{} is not a write", spec.name),
        }
    }

    /// Everything a write may change in a store: its RDB image and every key's version.
    pub fn fingerprint(store: &Store) -> (Vec<u8>, Vec<(Vec<u8>, u64)>) {
        let header = crate::rdb::Header {
            ctime: 0,
            used_mem: 0,
            aux: &[],
            compression: false,
        };
        let image = crate::rdb::write(store, &header, Vec::new()).expect("to memory");
        let versions = store
            .dbs()
            .flat_map(|(_, db)| db.iter().map(|(k, e)| (k.to_vec(), e.version)))
            .collect();
        (image, versions)
    }

    /// A state machine with 16 databases and a selected one.
    pub struct Kit {
        pub m: Machine,
        pub db: u32,
        /// Keyspace hits and misses of the last read.
        pub hits: u64,
        pub misses: u64,
    }

    impl Kit {
        pub fn new() -> Kit {
            Kit {
                m: Machine::new(16),
                db: 0,
                hits: 0,
                misses: 0,
            }
        }

        pub fn store(&self) -> &Store {
            self.m.store()
        }

        /// Runs one command at `now` as the server would, with read seed 0.
        pub fn run(&mut self, now: u64, a: &[&str]) -> Reply {
            self.run_seeded(now, 0, a)
        }

        pub fn run_seeded(&mut self, now: u64, seed: u64, a: &[&str]) -> Reply {
            let args = argv(a);
            let spec = match cmd::lookup(Table::canonical(), &args) {
                Ok(spec) => spec,
                Err(e) => return Reply::from(e),
            };
            match spec.run {
                Run::Read(read) => {
                    let (result, hits, misses) =
                        self.m.read(read, self.db as usize, &args, now, seed);
                    self.hits = hits;
                    self.misses = misses;
                    result.unwrap_or_else(Reply::from)
                }
                Run::Write { unchanged, .. } => {
                    // A write that says it changes nothing is applied all the same, to check
                    // that it does change nothing and replies what it said.
                    let said = unchanged.and_then(|f| {
                        let reply = self.m.unchanged(f, self.db as usize, &args, now)?;
                        Some((reply, fingerprint(self.m.store())))
                    });
                    let canon = match prep(a, now) {
                        Ok(c) => c,
                        Err(e) => {
                            assert!(said.is_none(), "{a:?}: unchanged, yet refused: {e}");
                            return Reply::from(e);
                        }
                    };
                    let index = self.m.last_applied() + 1;
                    let reply = self
                        .m
                        .apply(index, &LogEntry::commands(now, self.db, vec![canon]))
                        .remove(0);
                    if let Some((said, before)) = said {
                        assert_eq!(said, reply, "{a:?}: the reply it said when unchanged");
                        assert!(
                            before == fingerprint(self.m.store()),
                            "{a:?} said it changed nothing, yet it changed the store"
                        );
                    }
                    reply
                }
                Run::Session(_) | Run::Admin(_) | Run::Transaction(_) | Run::PubSub(_) => {
                    panic!("{} is not a keyspace command", spec.name)
                }
            }
        }

        /// Runs `a` and asserts its reply.
        #[track_caller]
        pub fn check(&mut self, now: u64, a: &[&str], expected: Reply) {
            assert_eq!(self.run(now, a), expected, "{a:?}");
        }

        /// What the write `a` says at `now` about changing nothing (see [`cmd::Unchanged`]).
        pub fn unchanged(&self, now: u64, a: &[&str]) -> Option<Reply> {
            let args = argv(a);
            match cmd::lookup(Table::canonical(), &args).ok()?.run {
                Run::Write {
                    unchanged: Some(f), ..
                } => self.m.unchanged(f, self.db as usize, &args, now),
                _ => None,
            }
        }

        /// The version (log index of the last change) of a live key.
        pub fn version(&self, db: usize, key: &str, now: u64) -> Option<u64> {
            self.m
                .store()
                .db(db)
                .get(&Bytes::copy_from_slice(key.as_bytes()), now)
                .map(|e| e.version)
        }

        /// The absolute expiry of a live key.
        pub fn expire_at(&self, db: usize, key: &str, now: u64) -> Option<u64> {
            self.m
                .store()
                .db(db)
                .get(&Bytes::copy_from_slice(key.as_bytes()), now)
                .and_then(|e| e.expire_at())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testkit::Kit;
    use super::*;
    use crate::resp::Reply;

    /// Which writes say they change nothing, and when; `Kit::run` then applies each one all
    /// the same and checks that it changed nothing and replied what it said.
    #[test]
    fn writes_that_change_nothing_say_so() {
        let setup = [
            &["sadd", "s", "a", "b"][..],
            &["zadd", "z", "1", "a", "2", "b"],
            &["hset", "h", "f", "v"],
            &["set", "k", "v"],
            &["set", "gone", "v", "px", "10"],
            &["sadd", "sgone", "a"],
            &["pexpire", "sgone", "10"],
            &["set", "vol", "v", "px", "100000"],
        ];
        let int = |n| Some(Reply::Int(n));
        let bulk = |v: &'static str| Reply::Bulk(bytes::Bytes::from_static(v.as_bytes()));
        let cases: &[(&[&str], Option<Reply>)] = &[
            (&["sadd", "s", "a", "b", "a"], int(0)),
            (&["sadd", "s", "a", "c"], None),
            (&["sadd", "nokey", "a"], None),
            (&["sadd", "k", "a"], None),     // WRONGTYPE: left to apply
            (&["sadd", "sgone", "a"], None), // expired: apply deletes it first
            (&["srem", "s", "c", "d"], int(0)),
            (&["srem", "nokey", "c"], int(0)),
            (&["srem", "s", "c", "a"], None),
            (&["srem", "sgone", "x"], None),
            (&["zadd", "z", "1", "a", "2", "b"], int(0)),
            (&["zadd", "z", "ch", "1", "a"], int(0)),
            (&["zadd", "z", "1.5", "a"], None),
            (&["zadd", "z", "nx", "9", "a"], int(0)),
            (&["zadd", "z", "nx", "9", "c"], None),
            (&["zadd", "z", "xx", "9", "c"], int(0)),
            (&["zadd", "nokey", "xx", "9", "c"], int(0)),
            (&["zadd", "z", "gt", "0", "b"], int(0)),
            (&["zadd", "z", "lt", "5", "b"], int(0)),
            (&["zadd", "z", "lt", "0", "b"], None),
            (&["zadd", "z", "incr", "0", "a"], Some(Reply::Double(1.0))),
            (&["zadd", "z", "xx", "incr", "1", "c"], Some(Reply::Nil)),
            (&["zadd", "z", "incr", "1", "a"], None),
            (&["zadd", "z", "nx", "xx", "1", "a"], None), // syntax: left to prepare
            (&["zadd", "z", "1", "a", "nan", "b"], None),
            (&["zrem", "z", "c"], int(0)),
            (&["zrem", "z", "a"], None),
            (&["hdel", "h", "g"], int(0)),
            (&["hdel", "h", "g", "f"], None),
            (&["hsetnx", "h", "f", "w"], int(0)),
            (&["hsetnx", "h", "g", "w"], None),
            (&["setnx", "k", "w"], int(0)),
            (&["setnx", "s", "w"], int(0)), // any type counts
            (&["setnx", "nokey", "w"], None),
            (&["setnx", "gone", "w"], None),
            (&["del", "nokey", "nokey2"], int(0)),
            (&["del", "nokey", "k"], None),
            (&["del", "gone"], None), // expired but stored: deleted as expired
            (&["unlink", "nokey"], int(0)),
            (&["set", "k", "v"], None), // SET always writes, as in Redis
            (&["set", "k", "w", "nx"], Some(Reply::Nil)),
            (&["set", "k", "w", "nx", "get", "px", "5"], Some(bulk("v"))),
            (&["set", "s", "w", "nx"], Some(Reply::Nil)),
            (&["set", "s", "w", "nx", "get"], None), // WRONGTYPE: left to apply
            (&["set", "k", "w", "nx", "ex", "0"], None), // invalid expire time
            (&["set", "nokey", "w", "xx"], Some(Reply::Nil)),
            (&["set", "nokey", "w", "xx", "get"], Some(Reply::Nil)),
            (&["set", "nokey", "w", "nx"], None),
            (&["set", "gone", "w", "nx"], None),
            (&["set", "k", "w", "xx"], None),
            (&["set", "k", "w", "nx", "nx"], None), // syntax error
            (&["expire", "nokey", "10"], int(0)),
            (&["pexpire", "nokey", "10", "xx"], int(0)),
            (&["expireat", "nokey", "10"], int(0)),
            (&["pexpireat", "nokey", "10"], int(0)),
            (&["expire", "k", "10", "xx"], int(0)), // no TTL to replace
            (&["expire", "k", "10"], None),
            (&["expire", "k", "10", "gt"], int(0)), // GT: no TTL counts as infinite
            (&["expire", "k", "10", "lt"], None),
            (&["pexpire", "sgone", "10", "nx"], None), // expired: apply deletes it
            (&["expire", "nokey", "10", "nx", "xx"], None), // incompatible options
            (&["expire", "nokey", "abc"], None),
            (&["persist", "k"], int(0)),
            (&["persist", "nokey"], int(0)),
            (&["persist", "sgone"], None),
            (&["persist", "vol"], None),
            (&["expire", "vol", "1", "nx"], int(0)),
            (&["expire", "vol", "1", "gt"], int(0)),
            (&["expire", "vol", "1000", "gt"], None),
        ];
        for (cmd, said) in cases {
            let mut k = Kit::new();
            for a in setup {
                k.run(100, a);
            }
            assert_eq!(k.unchanged(200, cmd), *said, "{cmd:?}");
            k.run(200, cmd);
        }
    }

    #[test]
    fn db_index_as_redis() {
        assert_eq!(parse_db_index(b"15", 16), Ok(15));
        assert_eq!(parse_db_index(b"0", 16), Ok(0));
        assert_eq!(
            parse_db_index(b"16", 16).unwrap_err().to_string(),
            "ERR DB index is out of range"
        );
        assert_eq!(
            parse_db_index(b"-1", 16).unwrap_err().to_string(),
            "ERR DB index is out of range"
        );
        assert_eq!(
            parse_db_index(b"x", 16).unwrap_err().to_string(),
            "ERR value is not an integer or out of range"
        );
        assert_eq!(
            parse_db_index(b"99999999999", 16).unwrap_err().to_string(),
            "ERR value is out of range, value must between -2147483648 and 2147483647"
        );
        assert_eq!(
            parse_db_index(b"-2147483649", 16).unwrap_err().to_string(),
            "ERR value is out of range, value must between -2147483648 and 2147483647"
        );
    }
}
