//! SMOVE: move a member from one set to another.
//!
//! # Format
//! ```text
//! SMOVE source destination member
//! ```
//! 1 when the member was in `source` (and is now in `destination`, created if needed), 0
//! otherwise. As Redis: a missing source answers 0 before any type check of the destination;
//! a source that is also the destination only tells whether the member is there.

use std::sync::Arc;

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;
use crate::store::{Set, Value};

use super::{as_set, as_set_mut, canonical};

pub const SPEC: Spec = Spec {
    name: "smove",
    arity: 4,
    flags: flags::WRITE | flags::FAST,
    first_key: 1,
    last_key: 2,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

fn prepare(argv: &[Bytes], _p: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    Ok(canonical("smove", argv))
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let (src, dst, member) = (&argv[1], &argv[2], &argv[3]);
    let (now, index) = (ctx.now_ms, ctx.index);
    let db = ctx.db();
    // Both lookups first, as Redis's lookupKeyWrite: expired keys are deleted here.
    db.remove_if_expired(src, now);
    db.remove_if_expired(dst, now);
    let Some(src_entry) = db.get(src, now) else {
        return Ok(Reply::Int(0));
    };
    let present = as_set(src_entry)?.contains(member);
    if let Some(dst_entry) = db.get(dst, now) {
        as_set(dst_entry)?;
    }
    if src == dst || !present {
        return Ok(Reply::Int(i64::from(present)));
    }
    let Some(src_entry) = db.get_mut(src, now) else {
        return Ok(Reply::Int(0));
    };
    let set = Arc::make_mut(as_set_mut(src_entry)?);
    set.remove(member);
    let emptied = set.is_empty();
    src_entry.version = index;
    if emptied {
        db.remove(src);
    }
    match db.get_mut(dst, now) {
        Some(dst_entry) => {
            let set = as_set_mut(dst_entry)?;
            if !set.contains(member) {
                Arc::make_mut(set).insert(member);
            }
            dst_entry.version = index;
        }
        None => {
            let mut set = Set::new();
            set.insert(member);
            db.set(dst, Value::Set(Arc::new(set)), index);
        }
    }
    Ok(Reply::Int(1))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Kit, encoding, set_reply, wrongtype};
    use crate::resp::Reply;

    #[test]
    fn moves_creates_and_deletes() {
        let mut k = Kit::new();
        k.run(100, &["sadd", "a", "1", "2", "3"]);
        k.run(100, &["sadd", "b", "2", "x"]);
        k.check(100, &["smove", "a", "b", "1"], Reply::Int(1));
        k.check(100, &["smove", "a", "b", "2"], Reply::Int(1));
        k.check(100, &["smove", "a", "b", "9"], Reply::Int(0));
        k.check(100, &["smembers", "a"], set_reply(&["3"]));
        k.check(100, &["scard", "b"], Reply::Int(3));
        k.check(100, &["smove", "a", "new", "3"], Reply::Int(1));
        k.check(100, &["exists", "a"], Reply::Int(0));
        assert_eq!(encoding(&mut k, "new"), Reply::text("intset"));
        k.check(100, &["smove", "b", "new2", "x"], Reply::Int(1));
        assert_eq!(encoding(&mut k, "new2"), Reply::text("hashtable"));
        k.check(100, &["smove", "missing", "b", "x"], Reply::Int(0));
    }

    #[test]
    fn same_key_and_types() {
        let mut k = Kit::new();
        k.run(100, &["sadd", "a", "1"]);
        let v = k.version(0, "a", 100);
        k.check(100, &["smove", "a", "a", "1"], Reply::Int(1));
        k.check(100, &["smove", "a", "a", "2"], Reply::Int(0));
        assert_eq!(k.version(0, "a", 100), v);
        k.run(100, &["set", "str", "x"]);
        k.check(100, &["smove", "missing", "str", "1"], Reply::Int(0));
        k.check(100, &["smove", "a", "str", "9"], wrongtype());
        k.check(100, &["smove", "str", "a", "1"], wrongtype());
        k.check(100, &["smembers", "a"], set_reply(&["1"]));
        // Both keys count as changed, even when the destination had the member.
        k.run(100, &["sadd", "a", "2"]);
        k.run(100, &["sadd", "b", "2"]);
        let vb = k.version(0, "b", 100);
        k.check(100, &["smove", "a", "b", "2"], Reply::Int(1));
        assert!(k.version(0, "b", 100) > vb);
        k.check(100, &["smembers", "b"], set_reply(&["2"]));
    }

    #[test]
    fn expired_source_or_destination() {
        let mut k = Kit::new();
        k.run(100, &["sadd", "a", "1"]);
        k.run(100, &["pexpire", "a", "10"]);
        k.check(200, &["smove", "a", "b", "1"], Reply::Int(0));
        k.run(200, &["sadd", "a", "1"]);
        k.run(200, &["set", "b", "x", "px", "10"]);
        k.check(300, &["smove", "a", "b", "1"], Reply::Int(1));
        k.check(300, &["smembers", "b"], set_reply(&["1"]));
    }
}
