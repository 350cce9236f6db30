//! PERSIST: remove the expiration from a key.
//!
//! # Format
//! ```text
//! PERSIST key
//! ```
//! Answers 1 when a TTL was removed, 0 when the key does not exist or has no TTL.

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "persist",
    arity: 2,
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

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    Ok(argv.to_vec())
}

/// No key, or a key without a TTL.
fn unchanged(ctx: &ReadCtx<'_>, argv: &[Bytes]) -> Option<Reply> {
    let entry = ctx.db().get_untouched(argv.get(1)?, ctx.now_ms)?;
    entry
        .is_none_or(|e| e.expire_at().is_none())
        .then_some(Reply::Int(0))
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let (now, index, key) = (ctx.now_ms, ctx.index, &argv[1]);
    let db = ctx.db();
    let volatile = db
        .get_mut(key, now)
        .is_some_and(|entry| entry.expire_at().is_some());
    if volatile {
        db.set_expire(key, None, index);
    }
    Ok(Reply::Int(i64::from(volatile)))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::Kit;
    use crate::resp::Reply;

    #[test]
    fn removes_the_ttl() {
        let mut k = Kit::new();
        k.check(100, &["persist", "nokey"], Reply::Int(0));
        k.run(100, &["set", "a", "1"]);
        k.check(100, &["persist", "a"], Reply::Int(0));
        assert_eq!(k.version(0, "a", 100), Some(2), "unchanged");
        k.run(100, &["set", "a", "1", "px", "100"]);
        k.check(150, &["persist", "a"], Reply::Int(1));
        assert_eq!(k.version(0, "a", 100), Some(5));
        k.check(150, &["ttl", "a"], Reply::Int(-1));
        assert_eq!(k.store().db(0).volatile_len(), 0);
        k.check(1000, &["get", "a"], Reply::text("1"));
        k.run(1000, &["set", "t", "1", "px", "10"]);
        k.check(1100, &["persist", "t"], Reply::Int(0));
        assert_eq!(k.store().db(0).len(), 1);
    }
}
