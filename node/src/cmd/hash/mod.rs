//! Hash commands (Redis's `hash` group), and the helpers they share: the type check, the
//! lookup for reads and the create-or-update for writes (Redis's
//! `hashTypeLookupWriteOrCreate`, with an emptied hash deleting its key).
//!
//! The hash itself (its compact `listpack` and full `hashtable` encodings) is
//! [`crate::store::Hash`]; the files here parse argv and build replies.

pub mod hdel;
pub mod hexists;
pub mod hget;
pub mod hgetall;
pub mod hincrby;
pub mod hincrbyfloat;
pub mod hkeys;
pub mod hlen;
pub mod hmget;
pub mod hmset;
pub mod hrandfield;
pub mod hscan;
pub mod hset;
pub mod hsetnx;
pub mod hstrlen;
pub mod hvals;

#[cfg(test)]
mod model;

use bytes::Bytes;

use super::{ApplyCtx, CmdError, ReadCtx, Spec};
use crate::resp::Reply;
use crate::store::{Entry, Hash, Value};

/// This group's rows of the command table.
pub const COMMANDS: &[&Spec] = &[
    &hdel::SPEC,
    &hexists::SPEC,
    &hget::SPEC,
    &hgetall::SPEC,
    &hincrby::SPEC,
    &hincrbyfloat::SPEC,
    &hkeys::SPEC,
    &hlen::SPEC,
    &hmget::SPEC,
    &hmset::SPEC,
    &hrandfield::SPEC,
    &hscan::SPEC,
    &hset::SPEC,
    &hsetnx::SPEC,
    &hstrlen::SPEC,
    &hvals::SPEC,
];

/// The hash held by `entry`, or WRONGTYPE.
pub fn as_hash(entry: &Entry) -> Result<&Hash, CmdError> {
    match &entry.value {
        Value::Hash(h) => Ok(h),
        _ => Err(CmdError::WrongType),
    }
}

/// The hash at `key` for a read: None when the key is absent (a keyspace miss), WRONGTYPE
/// when it holds another type (still a hit: Redis counts the lookup before the type check).
pub fn read_hash<'a>(ctx: &mut ReadCtx<'a>, key: &Bytes) -> Result<Option<&'a Hash>, CmdError> {
    let store = ctx.store;
    match store.db(ctx.db).get(key, ctx.now_ms) {
        Some(entry) => {
            ctx.hits += 1;
            as_hash(entry).map(Some)
        }
        None => {
            ctx.misses += 1;
            Ok(None)
        }
    }
}

/// Runs `change` on the hash at `key`, an empty one when the key is absent, and stores the
/// outcome: a changed hash is stamped with the entry's index (its TTL kept), an emptied one
/// deletes its key, a new one is stored only when something was set. `change` answers its
/// reply and whether it changed anything; an error leaves the key as it was.
pub fn update<T>(
    ctx: &mut ApplyCtx<'_>,
    key: &Bytes,
    change: impl FnOnce(&mut Hash) -> Result<(T, bool), CmdError>,
) -> Result<T, CmdError> {
    let (now, index) = (ctx.now_ms, ctx.index);
    let db = ctx.db();
    let emptied = match db.get_mut(key, now) {
        Some(entry) => {
            let Value::Hash(hash) = &mut entry.value else {
                return Err(CmdError::WrongType);
            };
            let (out, changed) = change(hash)?;
            if !changed {
                return Ok(out);
            }
            if !hash.is_empty() {
                entry.version = index;
                return Ok(out);
            }
            out
        }
        None => {
            let mut hash = Hash::new();
            let (out, changed) = change(&mut hash)?;
            if changed && !hash.is_empty() {
                db.set(key, Value::Hash(hash), index);
            }
            return Ok(out);
        }
    };
    db.remove(key);
    Ok(emptied)
}

/// A bulk string copied out of the hash (a reply must not borrow the store).
pub fn copy_bulk(bytes: &[u8]) -> Reply {
    Reply::Bulk(Bytes::copy_from_slice(bytes))
}

/// Helpers for the unit tests of this group.
#[cfg(test)]
pub(crate) mod testing {
    use bytes::Bytes;

    use crate::resp::Reply;

    pub use crate::cmd::keyspace::testkit::{Kit, argv, bulks, err};

    pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";

    pub fn int(n: i64) -> Reply {
        Reply::Int(n)
    }

    pub fn bulk(s: &str) -> Reply {
        Reply::Bulk(Bytes::copy_from_slice(s.as_bytes()))
    }

    /// The map reply of HGETALL for `pairs`, in order.
    pub fn map(pairs: &[(&str, &str)]) -> Reply {
        Reply::Map(pairs.iter().map(|(f, v)| (bulk(f), bulk(v))).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;

    #[test]
    fn wrongtype_everywhere() {
        let mut k = Kit::new();
        k.run(1, &["set", "s", "x"]);
        for cmd in [
            &["hset", "s", "f", "v"][..],
            &["hmset", "s", "f", "v"],
            &["hsetnx", "s", "f", "v"],
            &["hget", "s", "f"],
            &["hmget", "s", "f"],
            &["hgetall", "s"],
            &["hdel", "s", "f"],
            &["hexists", "s", "f"],
            &["hlen", "s"],
            &["hkeys", "s"],
            &["hvals", "s"],
            &["hincrby", "s", "f", "1"],
            &["hincrbyfloat", "s", "f", "1"],
            &["hstrlen", "s", "f"],
            &["hrandfield", "s"],
            &["hrandfield", "s", "0"],
            &["hrandfield", "s", "2", "withvalues"],
            &["hscan", "s", "0"],
        ] {
            k.check(1, cmd, err(WRONGTYPE));
        }
        assert_eq!(k.run(1, &["get", "s"]), bulk("x"));
    }

    #[test]
    fn users_flows() {
        let mut k = Kit::new();
        k.check(1, &["hset", "user:1", "name", "Alice"], int(1));
        k.check(
            1,
            &["hset", "user:1", "email", "a@example.com", "age", "30"],
            int(2),
        );
        k.check(
            1,
            &["hgetall", "user:1"],
            map(&[("name", "Alice"), ("email", "a@example.com"), ("age", "30")]),
        );
        k.check(1, &["hincrby", "analytics:user:123", "clicks", "1"], int(1));
        k.check(1, &["hincrby", "analytics:user:123", "clicks", "1"], int(2));
        k.check(1, &["hget", "analytics:user:123", "clicks"], bulk("2"));
        k.check(
            1,
            &["type", "user:1"],
            Reply::Simple(Bytes::from_static(b"hash")),
        );
        k.check(1, &["object", "encoding", "user:1"], bulk("listpack"));
    }

    #[test]
    fn ttl_kept_version_stamped_emptied_key_deleted() {
        let mut k = Kit::new();
        k.run(1, &["hset", "h", "a", "1", "b", "2"]);
        k.run(1, &["pexpire", "h", "1000"]);
        let before = k.version(0, "h", 1);
        k.run(2, &["hset", "h", "c", "3"]);
        assert_eq!(k.expire_at(0, "h", 2), Some(1001));
        assert!(k.version(0, "h", 2) > before);
        // A change that changes nothing does not stamp the key.
        let v = k.version(0, "h", 2);
        k.check(3, &["hsetnx", "h", "a", "x"], int(0));
        k.check(3, &["hdel", "h", "nope"], int(0));
        assert_eq!(k.version(0, "h", 3), v);
        k.check(3, &["hdel", "h", "a", "b", "c"], int(3));
        k.check(3, &["exists", "h"], int(0));
        // An expired hash is gone for writes too.
        k.run(3, &["hset", "t", "a", "1"]);
        k.run(3, &["pexpire", "t", "10"]);
        k.check(20, &["hsetnx", "t", "a", "2"], int(1));
        k.check(20, &["hgetall", "t"], map(&[("a", "2")]));
        assert_eq!(k.expire_at(0, "t", 20), None);
    }

    use bytes::Bytes;

    use crate::resp::Reply;
}
