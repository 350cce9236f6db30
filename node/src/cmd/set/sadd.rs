//! SADD: add one or more members to a set.
//!
//! # Format
//! ```text
//! SADD key member [member ...]
//! ```
//! Answers how many members were new. A new key starts as an intset and becomes a hashtable
//! on its first non-integer member or past 512 members, as in Redis 7.0.

use std::sync::Arc;

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;
use crate::store::{Set, Value};

use super::{as_set_mut, canonical};

pub const SPEC: Spec = Spec {
    name: "sadd",
    arity: -3,
    flags: flags::WRITE | flags::DENYOOM | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: Some(unchanged),
    },
};

fn prepare(argv: &[Bytes], _p: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    Ok(canonical("sadd", argv))
}

/// Every member is in the set already.
fn unchanged(ctx: &ReadCtx<'_>, argv: &[Bytes]) -> Option<Reply> {
    let members = argv.get(2..).filter(|m| !m.is_empty())?;
    let Value::Set(set) = &ctx.db().get_untouched(argv.get(1)?, ctx.now_ms)??.value else {
        return None;
    };
    members
        .iter()
        .all(|m| set.contains(m))
        .then_some(Reply::Int(0))
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let (key, members) = (&argv[1], &argv[2..]);
    let (now, index) = (ctx.now_ms, ctx.index);
    let db = ctx.db();
    let added = match db.get_mut(key, now) {
        Some(entry) => {
            let set = as_set_mut(entry)?;
            if Arc::get_mut(set).is_none() && members.iter().all(|m| set.contains(m)) {
                // Nothing to add: do not copy a set a snapshot or a COPY shares.
                return Ok(Reply::Int(0));
            }
            let set = Arc::make_mut(set);
            let added = members.iter().filter(|m| set.insert(m)).count();
            if added > 0 {
                entry.version = index;
            }
            added
        }
        None => {
            let mut set = Set::new();
            let added = members.iter().filter(|m| set.insert(m)).count();
            db.set(key, Value::Set(Arc::new(set)), index);
            added
        }
    };
    Ok(Reply::Int(added as i64))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Kit, encoding, set_reply, wrongtype};
    use crate::resp::Reply;

    #[test]
    fn adds_counts_and_encodes() {
        let mut k = Kit::new();
        k.check(100, &["sadd", "s", "3", "1", "2", "1"], Reply::Int(3));
        k.check(100, &["sadd", "s", "2", "4"], Reply::Int(1));
        assert_eq!(encoding(&mut k, "s"), Reply::text("intset"));
        k.check(100, &["smembers", "s"], set_reply(&["1", "2", "3", "4"]));
        // "-0", "01" and "+5" are strings, not integers.
        k.check(100, &["sadd", "s", "01"], Reply::Int(1));
        assert_eq!(encoding(&mut k, "s"), Reply::text("hashtable"));
        k.check(100, &["scard", "s"], Reply::Int(5));
        k.check(100, &["sadd", "t", "x", "1"], Reply::Int(2));
        assert_eq!(encoding(&mut k, "t"), Reply::text("hashtable"));
    }

    #[test]
    fn a_copy_is_copied_on_write() {
        let mut k = Kit::new();
        k.run(100, &["sadd", "s", "a", "b"]);
        k.check(100, &["copy", "s", "t"], Reply::Int(1));
        k.check(100, &["sadd", "t", "c"], Reply::Int(1));
        k.check(100, &["sadd", "s", "a"], Reply::Int(0));
        k.check(100, &["scard", "s"], Reply::Int(2));
        k.check(100, &["scard", "t"], Reply::Int(3));
        k.check(100, &["srem", "s", "a"], Reply::Int(1));
        k.check(100, &["sismember", "t", "a"], Reply::Int(1));
    }

    #[test]
    fn converts_past_512_integers() {
        let mut k = Kit::new();
        let mut a = vec!["sadd".to_string(), "s".to_string()];
        a.extend((0..512).map(|i| i.to_string()));
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        k.check(100, &a, Reply::Int(512));
        assert_eq!(encoding(&mut k, "s"), Reply::text("intset"));
        k.check(100, &["sadd", "s", "0"], Reply::Int(0));
        assert_eq!(encoding(&mut k, "s"), Reply::text("intset"));
        k.check(100, &["sadd", "s", "-1"], Reply::Int(1));
        assert_eq!(encoding(&mut k, "s"), Reply::text("hashtable"));
        k.check(100, &["scard", "s"], Reply::Int(513));
    }

    #[test]
    fn versions_ttl_and_types() {
        let mut k = Kit::new();
        k.run(100, &["sadd", "s", "a"]);
        let v1 = k.version(0, "s", 100);
        k.check(100, &["sadd", "s", "a"], Reply::Int(0));
        assert_eq!(k.version(0, "s", 100), v1);
        k.run(100, &["pexpire", "s", "1000"]);
        k.check(100, &["sadd", "s", "b"], Reply::Int(1));
        assert!(k.version(0, "s", 100) > v1);
        assert_eq!(k.expire_at(0, "s", 100), Some(1100));
        // An expired set is gone: SADD starts a new one without TTL.
        k.check(2000, &["sadd", "s", "c"], Reply::Int(1));
        k.check(2000, &["smembers", "s"], set_reply(&["c"]));
        assert_eq!(k.expire_at(0, "s", 2000), None);
        k.run(100, &["set", "str", "x"]);
        k.check(100, &["sadd", "str", "a"], wrongtype());
        k.check(
            100,
            &["sadd", "s"],
            super::super::testkit::err("ERR wrong number of arguments for 'sadd' command"),
        );
    }
}
