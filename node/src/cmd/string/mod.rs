//! String commands (Redis's `string` group), and the helpers they share: type checks, the
//! integer increment behind INCR/DECR/INCRBY/DECRBY, and Redis's `long double` arithmetic
//! for INCRBYFLOAT ([`long_double`]).

pub mod append;
pub mod decr;
pub mod decrby;
pub mod get;
pub mod getdel;
pub mod getex;
pub mod getrange;
pub mod getset;
pub mod incr;
pub mod incrby;
pub mod incrbyfloat;
pub mod long_double;
pub mod mget;
pub mod mset;
pub mod msetnx;
pub mod psetex;
pub mod set;
pub mod setex;
pub mod setnx;
pub mod setrange;
pub mod strlen;
pub mod substr;

use bytes::Bytes;

use super::{ApplyCtx, CmdError, CmdResult, Spec, args};
use crate::resp::Reply;
use crate::store::{Entry, Str, Value};

/// This group's rows of the command table.
pub const COMMANDS: &[&Spec] = &[
    &append::SPEC,
    &decr::SPEC,
    &decrby::SPEC,
    &get::SPEC,
    &getdel::SPEC,
    &getex::SPEC,
    &getrange::SPEC,
    &getset::SPEC,
    &incr::SPEC,
    &incrby::SPEC,
    &incrbyfloat::SPEC,
    &mget::SPEC,
    &mset::SPEC,
    &msetnx::SPEC,
    &psetex::SPEC,
    &set::SPEC,
    &setex::SPEC,
    &setnx::SPEC,
    &setrange::SPEC,
    &strlen::SPEC,
    &substr::SPEC,
];

/// The string held by `entry`, or WRONGTYPE.
pub fn as_str(entry: &Entry) -> Result<&Str, CmdError> {
    match &entry.value {
        Value::Str(s) => Ok(s),
        _ => Err(CmdError::WrongType),
    }
}

/// The string held by `entry` for an in-place change, or WRONGTYPE.
pub fn as_str_mut(entry: &mut Entry) -> Result<&mut Str, CmdError> {
    match &mut entry.value {
        Value::Str(s) => Ok(s),
        _ => Err(CmdError::WrongType),
    }
}

/// Adds `delta` to the integer held by `key` (0 when absent), keeping its TTL: the shared body
/// of INCR, DECR, INCRBY and DECRBY (Redis's `incrDecrCommand`).
fn incr_by(ctx: &mut ApplyCtx<'_>, key: &Bytes, delta: i64) -> CmdResult {
    let (now, index) = (ctx.now_ms, ctx.index);
    let db = ctx.db();
    let Some(entry) = db.get_mut(key, now) else {
        db.set(key, Value::Str(Str::new(&args::int_arg(delta))), index);
        return Ok(Reply::Int(delta));
    };
    let text = as_str_mut(entry)?;
    let old = args::strict_i64(text).ok_or(CmdError::NotInteger)?;
    let value = old.checked_add(delta).ok_or(CmdError::Overflow)?;
    *text = Str::new(&args::int_arg(value));
    entry.version = index;
    Ok(Reply::Int(value))
}

/// Helpers for the unit tests of this group: client argv run through `prepare` and the state
/// machine exactly as the write path does, and reads through the machine's read path.
#[cfg(test)]
pub(crate) mod testing {
    use bytes::Bytes;

    use crate::cmd::{CmdError, Prepare, Run, Table};
    use crate::machine::{LogEntry, Machine};
    use crate::resp::Reply;

    pub const MAX_BULK: usize = 512 << 20;

    pub fn argv(a: &[&str]) -> Vec<Bytes> {
        a.iter()
            .map(|s| Bytes::copy_from_slice(s.as_bytes()))
            .collect()
    }

    /// The canonical argv `prepare` logs for client argv `a` at `now`.
    pub fn prep_with(a: &[&str], now: u64, max_bulk_len: usize) -> Result<Vec<Bytes>, CmdError> {
        let argv = argv(a);
        let spec = crate::cmd::lookup(Table::canonical(), &argv)?;
        match spec.run {
            Run::Write { prepare, .. } => prepare(
                &argv,
                &Prepare {
                    now_ms: now,
                    databases: 16,
                    max_bulk_len,
                    scripts: Default::default(),
                },
            ),
            _ => panic!("{} is not a write", spec.name),
        }
    }

    pub fn prep(a: &[&str], now: u64) -> Result<Vec<Bytes>, CmdError> {
        prep_with(a, now, MAX_BULK)
    }

    /// The error text `prepare` answers to `a`.
    pub fn prep_err(a: &[&str]) -> String {
        match prep(a, 1000) {
            Ok(canon) => panic!("{a:?} prepared as {canon:?}"),
            Err(e) => e.to_string(),
        }
    }

    /// Runs client argv `a` at `now` in database 0: a write through prepare and a log entry
    /// applied by `m`, a read through the read path.
    pub fn run_with(m: &mut Machine, now: u64, a: &[&str], max_bulk_len: usize) -> Reply {
        let argv = argv(a);
        let spec = match crate::cmd::lookup(Table::canonical(), &argv) {
            Ok(spec) => spec,
            Err(e) => return Reply::from(e),
        };
        match spec.run {
            Run::Read(read) => m
                .read(read, 0, &argv, now, 0)
                .0
                .map_or_else(Reply::from, Reply::expanded),
            Run::Write { .. } => {
                let canon = match prep_with(a, now, max_bulk_len) {
                    Ok(c) => c,
                    Err(e) => return Reply::from(e),
                };
                let index = m.last_applied() + 1;
                let entry = LogEntry::commands(now, 0, vec![canon]);
                m.apply(index, &entry).remove(0)
            }
            Run::Session(_) | Run::Admin(_) | Run::Transaction(_) | Run::PubSub(_) => {
                panic!("{} is not a keyspace command", spec.name)
            }
        }
    }

    pub fn run(m: &mut Machine, now: u64, a: &[&str]) -> Reply {
        run_with(m, now, a, MAX_BULK)
    }

    /// The value of `key` in database 0 at `now`, if it holds a string.
    pub fn value(m: &Machine, key: &str, now: u64) -> Option<Bytes> {
        let key = Bytes::copy_from_slice(key.as_bytes());
        m.store()
            .db(0)
            .get(&key, now)
            .and_then(|e| super::as_str(e).ok().map(crate::store::Str::to_bytes))
    }

    /// The absolute expiry of `key` in database 0 at `now`.
    pub fn expire_at(m: &Machine, key: &str, now: u64) -> Option<u64> {
        let key = Bytes::copy_from_slice(key.as_bytes());
        m.store().db(0).get(&key, now).and_then(|e| e.expire_at())
    }

    /// The version (log index of the last change) of `key`.
    pub fn version(m: &Machine, key: &str, now: u64) -> Option<u64> {
        let key = Bytes::copy_from_slice(key.as_bytes());
        m.store().db(0).get(&key, now).map(|e| e.version)
    }

    pub fn err(text: &str) -> Reply {
        Reply::error(text)
    }

    pub fn int(n: i64) -> Reply {
        Reply::Int(n)
    }

    pub fn bulk(s: &str) -> Reply {
        Reply::Bulk(Bytes::copy_from_slice(s.as_bytes()))
    }
}
