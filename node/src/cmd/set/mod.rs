//! Set commands (Redis's `set` group), and the helpers they share: type checks, key lookups
//! that count keyspace hits and misses, storing a computed set (the `*STORE` commands), and
//! replies listing members.
//!
//! Each command has its own file; commands that Redis implements with one generic function
//! share it from the file of the first of them, as `t_set.c` does: the intersection behind
//! SINTER, SINTERCARD, SINTERSTORE and SMEMBERS lives in `sinter.rs`, union and difference
//! (SUNION, SDIFF and their STORE forms) in `sunion.rs`.
//!
//! The type itself (intset or hashtable, order, ranks, cursors) is `store::Set`.

pub mod sadd;
pub mod scard;
pub mod sdiff;
pub mod sdiffstore;
pub mod sinter;
pub mod sintercard;
pub mod sinterstore;
pub mod sismember;
pub mod smembers;
pub mod smismember;
pub mod smove;
pub mod spop;
pub mod srandmember;
pub mod srem;
pub mod sscan;
pub mod sunion;
pub mod sunionstore;

#[cfg(test)]
mod model;

use std::sync::Arc;

use bytes::Bytes;

use super::{ApplyCtx, CmdError, ReadCtx, Spec, args};
use crate::resp::Reply;
use crate::store::{Db, Entry, Set, SetMember, Store, Value};

/// This group's rows of the command table.
pub const COMMANDS: &[&Spec] = &[
    &sadd::SPEC,
    &scard::SPEC,
    &sdiff::SPEC,
    &sdiffstore::SPEC,
    &sinter::SPEC,
    &sintercard::SPEC,
    &sinterstore::SPEC,
    &sismember::SPEC,
    &smembers::SPEC,
    &smismember::SPEC,
    &smove::SPEC,
    &spop::SPEC,
    &srandmember::SPEC,
    &srem::SPEC,
    &sscan::SPEC,
    &sunion::SPEC,
    &sunionstore::SPEC,
];

/// The set held by `entry`, or WRONGTYPE.
pub fn as_set(entry: &Entry) -> Result<&Arc<Set>, CmdError> {
    match &entry.value {
        Value::Set(s) => Ok(s),
        _ => Err(CmdError::WrongType),
    }
}

/// The set held by `entry` for a change, or WRONGTYPE. Change it through `Arc::make_mut`,
/// which copies it first only while a snapshot or a COPY shares it.
pub fn as_set_mut(entry: &mut Entry) -> Result<&mut Arc<Set>, CmdError> {
    match &mut entry.value {
        Value::Set(s) => Ok(s),
        _ => Err(CmdError::WrongType),
    }
}

/// Looks `key` up for a read, counting a keyspace hit or miss as Redis's `lookupKeyRead`
/// (a key of another type is a hit, then WRONGTYPE).
pub fn read_set<'a>(ctx: &mut ReadCtx<'a>, key: &Bytes) -> Result<Option<&'a Set>, CmdError> {
    let store: &'a Store = ctx.store;
    match store.db(ctx.db).get(key, ctx.now_ms) {
        Some(entry) => {
            ctx.hits += 1;
            as_set(entry).map(|s| Some(&**s))
        }
        None => {
            ctx.misses += 1;
            Ok(None)
        }
    }
}

/// Looks every key up for a read, as SINTER, SUNION and SDIFF do in Redis 7.0: a missing key
/// is an empty set, and any key of another type is WRONGTYPE even after a missing one.
pub fn read_sets<'a>(
    ctx: &mut ReadCtx<'a>,
    keys: &[Bytes],
) -> Result<Vec<Option<&'a Set>>, CmdError> {
    keys.iter().map(|k| read_set(ctx, k)).collect()
}

/// [`read_sets`] on the write path (no keyspace statistics, as Redis's `lookupKeyWrite`).
pub fn write_sets<'a>(
    db: &'a Db,
    keys: &[Bytes],
    now_ms: u64,
) -> Result<Vec<Option<&'a Set>>, CmdError> {
    keys.iter()
        .map(|k| match db.get(k, now_ms) {
            Some(entry) => as_set(entry).map(|s| Some(&**s)),
            None => Ok(None),
        })
        .collect()
}

/// Stores `result` under `dst` as the `*STORE` commands do: replacing any value of any type
/// and its TTL, or deleting `dst` when the result is empty. Answers the result's size.
pub fn store_result(ctx: &mut ApplyCtx<'_>, dst: &Bytes, result: Set) -> Reply {
    let len = result.len();
    let index = ctx.index;
    let db = ctx.db();
    if result.is_empty() {
        db.remove(dst);
    } else {
        db.set(dst, Value::Set(Arc::new(result)), index);
    }
    Reply::Int(i64::try_from(len).unwrap_or(i64::MAX))
}

/// The RESP3 set reply listing `members` (an array in RESP2).
pub fn members_reply<'a>(members: impl Iterator<Item = SetMember<'a>>) -> Reply {
    Reply::Set(members.map(|m| Reply::Bulk(m.to_bytes())).collect())
}

/// The canonical argv of a write whose arguments need no rewriting: its name, then its
/// arguments as given.
pub fn canonical(name: &'static str, argv: &[Bytes]) -> Vec<Bytes> {
    std::iter::once(args::word(name))
        .chain(argv.iter().skip(1).cloned())
        .collect()
}

/// The unit tests' driver and reply builders for this group.
#[cfg(test)]
pub(crate) mod testkit {
    use bytes::Bytes;

    use crate::resp::Reply;

    pub use crate::cmd::keyspace::testkit::{Kit, argv, bulks, err};

    /// A RESP3 set reply of `members` in this order.
    pub fn set_reply(members: &[&str]) -> Reply {
        Reply::Set(
            members
                .iter()
                .map(|s| Reply::Bulk(Bytes::copy_from_slice(s.as_bytes())))
                .collect(),
        )
    }

    /// The members of an array or set reply, sorted (for replies in unspecified order).
    #[track_caller]
    pub fn sorted(reply: Reply) -> Vec<String> {
        let (Reply::Set(items) | Reply::Array(items)) = reply else {
            panic!("not a collection: {reply:?}")
        };
        let mut out: Vec<String> = items
            .into_iter()
            .map(|r| match r {
                Reply::Bulk(b) => String::from_utf8_lossy(&b).into_owned(),
                other => panic!("not a bulk string: {other:?}"),
            })
            .collect();
        out.sort();
        out
    }

    /// OBJECT ENCODING of `key` in db 0.
    pub fn encoding(k: &mut Kit, key: &str) -> Reply {
        k.run(100, &["object", "encoding", key])
    }

    /// The wrong-type error reply.
    pub fn wrongtype() -> Reply {
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    }
}
