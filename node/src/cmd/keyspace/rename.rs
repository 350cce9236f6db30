//! RENAME: rename a key.
//!
//! # Format
//! ```text
//! RENAME key newkey
//! ```
//! The value and its TTL move to `newkey`, replacing whatever `newkey` held. Renaming a key
//! onto itself answers OK when it exists; a missing key is "ERR no such key".

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;
use crate::store::Entry;

pub const SPEC: Spec = Spec {
    name: "rename",
    arity: 3,
    flags: flags::WRITE,
    first_key: 1,
    last_key: 2,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

/// Both arguments are keys: the client's argv is canonical (shared with RENAMENX).
pub(super) fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    Ok(argv.to_vec())
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    rename(ctx, &argv[1], &argv[2], false)
}

/// Redis's `renameGenericCommand`: with `nx`, answers 0 instead of replacing an existing
/// `newkey` (and 0 when renaming a key onto itself), 1 on success.
pub(super) fn rename(ctx: &mut ApplyCtx<'_>, key: &Bytes, newkey: &Bytes, nx: bool) -> CmdResult {
    let (now, index) = (ctx.now_ms, ctx.index);
    let db = ctx.db();
    if db.get_mut(key, now).is_none() {
        return Err(CmdError::NoSuchKey);
    }
    let done = if nx { Reply::Int(1) } else { Reply::OK };
    if key == newkey {
        return Ok(if nx { Reply::Int(0) } else { Reply::OK });
    }
    if nx && db.get_mut(newkey, now).is_some() {
        return Ok(Reply::Int(0));
    }
    let Some(old) = db.remove(key) else {
        return Err(CmdError::NoSuchKey);
    };
    let expire_at = old.expire_at();
    db.insert(newkey, Entry::with_expire(old.value, expire_at, index));
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Kit, err};
    use crate::resp::Reply;

    #[test]
    fn moves_value_and_ttl() {
        let mut k = Kit::new();
        k.run(100, &["set", "a", "1", "px", "1000"]);
        k.run(100, &["set", "b", "2"]);
        k.check(100, &["rename", "a", "b"], Reply::OK);
        k.check(100, &["get", "b"], Reply::text("1"));
        k.check(100, &["exists", "a"], Reply::Int(0));
        assert_eq!(k.expire_at(0, "b", 100), Some(1100));
        assert_eq!(k.version(0, "b", 100), Some(3));
        // A key without TTL clears the destination's TTL.
        k.run(100, &["set", "c", "3"]);
        k.check(100, &["rename", "c", "b"], Reply::OK);
        assert_eq!(k.expire_at(0, "b", 100), None);
        assert_eq!(k.store().db(0).volatile_len(), 0);
    }

    #[test]
    fn missing_same_and_expired() {
        let mut k = Kit::new();
        k.check(100, &["rename", "nokey", "x"], err("ERR no such key"));
        k.check(100, &["rename", "nokey", "nokey"], err("ERR no such key"));
        k.run(100, &["set", "a", "1", "px", "10"]);
        k.check(100, &["rename", "a", "a"], Reply::OK);
        k.check(100, &["get", "a"], Reply::text("1"));
        k.check(200, &["rename", "a", "z"], err("ERR no such key"));
        assert!(k.store().db(0).is_empty());
        // An expired destination is simply replaced.
        k.run(300, &["set", "d", "old", "px", "10"]);
        k.run(300, &["set", "s", "new"]);
        k.check(400, &["rename", "s", "d"], Reply::OK);
        k.check(400, &["get", "d"], Reply::text("new"));
        assert_eq!(k.expire_at(0, "d", 400), None);
    }
}
