//! LREM: remove elements from a list.
//!
//! # Format
//! ```text
//! LREM key count element
//! ```
//! Removes the first `count` elements equal to `element` from the head when `count` > 0,
//! the last `-count` from the tail when `count` < 0, and all of them when `count` is 0.
//! Answers how many were removed (0 when the key does not exist). The key is deleted once
//! emptied.

use bytes::Bytes;

use crate::cmd::args::{self, int_arg, word};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;

use super::{as_list, as_list_mut};

pub const SPEC: Spec = Spec {
    name: "lrem",
    arity: 4,
    flags: flags::WRITE,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    let count = args::parse_i64(&argv[2])?;
    Ok(vec![
        word("lrem"),
        argv[1].clone(),
        int_arg(count),
        argv[3].clone(),
    ])
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let count = args::parse_i64(&argv[2])?;
    let (now, version) = (ctx.now_ms, ctx.index);
    let db = ctx.db();
    let Some(entry) = db.get_mut(&argv[1], now) else {
        return Ok(Reply::Int(0));
    };
    // Nothing to remove: no copy of a shared list, no new version (Redis signals the key
    // only when it removed something).
    let list = as_list(entry)?;
    if !list.iter().any(|e| e == &argv[3][..]) {
        return Ok(Reply::Int(0));
    }
    let limit = match count {
        0 => usize::MAX,
        n => usize::try_from(n.unsigned_abs()).unwrap_or(usize::MAX),
    };
    let list = as_list_mut(entry)?;
    let removed = list.remove_matching(&argv[3], limit, count < 0);
    let emptied = list.is_empty();
    entry.version = version;
    if emptied {
        db.remove(&argv[1]);
    }
    Ok(Reply::Int(removed as i64))
}

#[cfg(test)]
mod tests {
    use crate::cmd::string::testing::*;
    use crate::machine::Machine;
    use crate::resp::Reply;

    fn list(m: &mut Machine) -> Reply {
        run(m, 1, &["lrange", "k", "0", "-1"])
    }

    fn arr(items: &[&str]) -> Reply {
        Reply::Array(items.iter().map(|s| bulk(s)).collect())
    }

    #[test]
    fn removes_from_either_end() {
        let mut m = Machine::new(16);
        assert_eq!(
            prep_err(&["lrem", "k", "x", "a"]),
            "ERR value is not an integer or out of range"
        );
        assert_eq!(run(&mut m, 1, &["lrem", "k", "0", "a"]), int(0));
        run(&mut m, 1, &["rpush", "k", "a", "b", "a", "c", "a", "b"]);
        let v = version(&m, "k", 1);
        assert_eq!(run(&mut m, 1, &["lrem", "k", "0", "zz"]), int(0));
        assert_eq!(version(&m, "k", 1), v, "no change, no new version");
        assert_eq!(run(&mut m, 1, &["lrem", "k", "-1", "a"]), int(1));
        assert_eq!(list(&mut m), arr(&["a", "b", "a", "c", "b"]));
        assert_eq!(run(&mut m, 1, &["LREM", "k", "1", "b"]), int(1));
        assert_eq!(list(&mut m), arr(&["a", "a", "c", "b"]));
        assert_eq!(run(&mut m, 1, &["lrem", "k", "0", "a"]), int(2));
        assert_eq!(list(&mut m), arr(&["c", "b"]));
        assert_eq!(
            run(&mut m, 1, &["lrem", "k", "-9223372036854775808", "c"]),
            int(1)
        );
        assert_eq!(run(&mut m, 1, &["lrem", "k", "5", "b"]), int(1));
        assert_eq!(m.store().db(0).len(), 0);
    }

    #[test]
    fn removes_across_chunks() {
        let mut m = Machine::new(1);
        for i in 0..4000 {
            let e = if i % 3 == 0 {
                "target"
            } else {
                "other-element"
            };
            run(&mut m, 1, &["rpush", "k", e]);
        }
        assert_eq!(run(&mut m, 1, &["lrem", "k", "-10", "target"]), int(10));
        assert_eq!(
            run(&mut m, 1, &["lindex", "k", "-1"]),
            bulk("other-element")
        );
        assert_eq!(run(&mut m, 1, &["lrem", "k", "0", "target"]), int(1324));
        assert_eq!(run(&mut m, 1, &["llen", "k"]), int(2666));
        assert_eq!(run(&mut m, 1, &["lpos", "k", "target"]), Reply::Nil);
    }
}
