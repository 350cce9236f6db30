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
                Run::Write { .. } => {
                    let canon = match prep(a, now) {
                        Ok(c) => c,
                        Err(e) => return Reply::from(e),
                    };
                    let index = self.m.last_applied() + 1;
                    self.m
                        .apply(index, &LogEntry::commands(now, self.db, vec![canon]))
                        .remove(0)
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
    use super::*;

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
