//! DEL: delete a key.
//!
//! # Format
//! ```text
//! DEL key [key ...]
//! ```
//! Answers the number of keys removed; a key named twice counts once, and a key whose TTL has
//! passed counts as absent (it is deleted all the same, as an expired key).

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "del",
    arity: -2,
    flags: flags::WRITE,
    first_key: 1,
    last_key: -1,
    step: 1,
    run: Run::Write {
        prepare,
        apply: apply_del,
        unchanged: Some(unchanged_del),
    },
};

/// Every argument is a key: the client's argv is already canonical (shared with UNLINK).
pub(super) fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    Ok(argv.to_vec())
}

/// None of the keys is stored (an expired one still stored would be deleted). Shared with
/// UNLINK.
pub(super) fn unchanged_del(ctx: &ReadCtx<'_>, argv: &[Bytes]) -> Option<Reply> {
    let keys = argv.get(1..).filter(|k| !k.is_empty())?;
    let db = ctx.db();
    keys.iter()
        .all(|k| matches!(db.get_untouched(k, ctx.now_ms), Some(None)))
        .then_some(Reply::Int(0))
}

/// Deletes each key of `argv[1..]` that is live at the entry's time (Redis's
/// `delGenericCommand`, shared with UNLINK: freeing memory in the background makes no
/// difference to the reply).
pub(super) fn apply_del(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms;
    let db = ctx.db();
    let mut deleted = 0i64;
    for key in &argv[1..] {
        // An expired key is deleted as expired (INFO expired_keys), like Redis's
        // expireIfNeeded before the delete; it does not count as removed.
        if !db.remove_if_expired(key, now) && db.remove(key).is_some() {
            deleted += 1;
        }
    }
    Ok(Reply::Int(deleted))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::Kit;
    use crate::resp::Reply;

    #[test]
    fn counts_removed_keys_once() {
        let mut k = Kit::new();
        k.run(100, &["set", "a", "1"]);
        k.run(100, &["set", "b", "1"]);
        k.check(100, &["del", "a", "a", "b", "nokey"], Reply::Int(2));
        k.check(100, &["exists", "a", "b"], Reply::Int(0));
        k.check(100, &["del", "a"], Reply::Int(0));
        assert_eq!(
            k.run(100, &["del"]),
            Reply::error("ERR wrong number of arguments for 'del' command")
        );
    }

    #[test]
    fn expired_key_counts_as_absent_but_is_removed() {
        let mut k = Kit::new();
        k.run(100, &["set", "t", "1", "px", "10"]);
        assert_eq!(k.store().db(0).len(), 1);
        k.check(200, &["del", "t"], Reply::Int(0));
        assert_eq!(k.store().db(0).len(), 0);
        assert_eq!(k.m.stats().expired_keys, 1);
    }

    #[test]
    fn works_in_the_selected_db() {
        let mut k = Kit::new();
        k.db = 3;
        k.run(100, &["set", "a", "1"]);
        k.db = 0;
        k.check(100, &["del", "a"], Reply::Int(0));
        k.db = 3;
        k.check(100, &["del", "a"], Reply::Int(1));
    }
}
