//! SREM: remove one or more members from a set.
//!
//! # Format
//! ```text
//! SREM key member [member ...]
//! ```
//! Answers how many members were removed; a set left empty is deleted.

use std::sync::Arc;

use bytes::Bytes;

use crate::cmd::{
    ApplyCtx, CmdError, CmdResult, Prepare, ReadCtx, Run, Spec, flags, removes_nothing,
};
use crate::resp::Reply;
use crate::store::Value;

use super::{as_set_mut, canonical};

pub const SPEC: Spec = Spec {
    name: "srem",
    arity: -3,
    flags: flags::WRITE | flags::FAST,
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
    Ok(canonical("srem", argv))
}

/// No key, or none of the members in its set.
fn unchanged(ctx: &ReadCtx<'_>, argv: &[Bytes]) -> Option<Reply> {
    removes_nothing(ctx, argv, |value, member| match value {
        Value::Set(set) => Some(set.contains(member)),
        _ => None,
    })
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let (key, members) = (&argv[1], &argv[2..]);
    let (now, index) = (ctx.now_ms, ctx.index);
    let db = ctx.db();
    let Some(entry) = db.get_mut(key, now) else {
        return Ok(Reply::Int(0));
    };
    let set = as_set_mut(entry)?;
    if Arc::get_mut(set).is_none() && !members.iter().any(|m| set.contains(m)) {
        // Nothing to remove: do not copy a set a snapshot or a COPY shares.
        return Ok(Reply::Int(0));
    }
    let set = Arc::make_mut(set);
    let mut removed = 0;
    for m in members {
        if set.remove(m) {
            removed += 1;
            if set.is_empty() {
                break;
            }
        }
    }
    let emptied = set.is_empty();
    if removed > 0 {
        entry.version = index;
    }
    if emptied {
        db.remove(key);
    }
    Ok(Reply::Int(removed))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Kit, encoding, set_reply, sorted, wrongtype};
    use crate::resp::Reply;

    #[test]
    fn removes_and_deletes_when_empty() {
        let mut k = Kit::new();
        k.check(100, &["srem", "s", "a"], Reply::Int(0));
        k.run(100, &["sadd", "s", "a", "b", "1"]);
        k.check(100, &["srem", "s", "a", "a", "x"], Reply::Int(1));
        assert_eq!(sorted(k.run(100, &["smembers", "s"])), ["1", "b"]);
        k.check(100, &["scard", "s"], Reply::Int(2));
        // The encoding stays hashtable, as in Redis.
        k.check(100, &["srem", "s", "b"], Reply::Int(1));
        assert_eq!(encoding(&mut k, "s"), Reply::text("hashtable"));
        k.check(100, &["smembers", "s"], set_reply(&["1"]));
        k.check(100, &["srem", "s", "1", "2"], Reply::Int(1));
        k.check(100, &["exists", "s"], Reply::Int(0));
        k.run(100, &["sadd", "i", "1", "2", "3"]);
        k.check(100, &["srem", "i", "3", "01", "-0"], Reply::Int(1));
        k.check(100, &["smembers", "i"], set_reply(&["1", "2"]));
        k.run(100, &["set", "str", "x"]);
        k.check(100, &["srem", "str", "x"], wrongtype());
    }

    #[test]
    fn version_only_on_change() {
        let mut k = Kit::new();
        k.run(100, &["sadd", "s", "a", "b"]);
        let v = k.version(0, "s", 100);
        k.check(100, &["srem", "s", "zz"], Reply::Int(0));
        assert_eq!(k.version(0, "s", 100), v);
        k.check(100, &["srem", "s", "a"], Reply::Int(1));
        assert!(k.version(0, "s", 100) > v);
    }
}
