//! APPEND: appends a string to the value of a key, creating the key when it does not exist.
//!
//! # Format
//! ```text
//! APPEND key value
//! ```
//! Answers the new length. The key keeps its TTL. A result longer than
//! `proto-max-bulk-len` is refused with Redis's error; since that length depends on the
//! stored value, the log holds `append key value <max-len>` with the limit in force when the
//! command was proposed, so every replica enforces the same one.

use bytes::Bytes;

use crate::cmd::args::{self, word};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;
use crate::store::{Str, Value};

use super::as_str_mut;

pub const SPEC: Spec = Spec {
    name: "append",
    arity: 3,
    flags: flags::WRITE | flags::DENYOOM | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

fn prepare(argv: &[Bytes], p: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    Ok(vec![
        word("append"),
        argv[1].clone(),
        argv[2].clone(),
        args::int_arg(i64::try_from(p.max_bulk_len).unwrap_or(i64::MAX)),
    ])
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let [_, key, tail, limit] = argv else {
        return Err(CmdError::wrong_arity("append"));
    };
    let limit = args::parse_usize(limit)?;
    let (now, index) = (ctx.now_ms, ctx.index);
    let db = ctx.db();
    let Some(entry) = db.get_mut(key, now) else {
        // Redis stores the argument as is: no length check when creating.
        db.set(key, Value::Str(Str::new(tail)), index);
        return Ok(Reply::Int(tail.len() as i64));
    };
    let value = as_str_mut(entry)?;
    let total = value
        .len()
        .checked_add(tail.len())
        .filter(|&n| n <= limit)
        .ok_or(CmdError::StringTooLong)?;
    if !tail.is_empty() {
        value.make_mut().extend_from_slice(tail);
    }
    // Even an empty append counts as a change (Redis signals the key modified).
    entry.version = index;
    Ok(Reply::Int(total as i64))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::machine::Machine;

    #[test]
    fn logs_the_size_limit() {
        assert_eq!(
            prep_with(&["APPEND", "k", "v"], 1, 1 << 20).unwrap(),
            argv(&["append", "k", "v", "1048576"])
        );
    }

    #[test]
    fn appends_and_keeps_ttl() {
        let mut m = Machine::new(16);
        assert_eq!(run(&mut m, 100, &["append", "k", "abc"]), int(3));
        assert_eq!(run(&mut m, 100, &["append", "k", "def"]), int(6));
        assert_eq!(run(&mut m, 100, &["append", "k", ""]), int(6));
        assert_eq!(version(&m, "k", 100), Some(m.last_applied()));
        assert_eq!(run(&mut m, 100, &["get", "k"]), bulk("abcdef"));
        run(&mut m, 100, &["set", "t", "x", "px", "100"]);
        assert_eq!(run(&mut m, 150, &["append", "t", "y"]), int(2));
        assert_eq!(expire_at(&m, "t", 150), Some(200));
        // An expired key is replaced, not extended.
        assert_eq!(run(&mut m, 300, &["append", "t", "z"]), int(1));
        assert_eq!(expire_at(&m, "t", 300), None);
    }

    #[test]
    fn many_appends_share_one_growing_buffer() {
        let mut m = Machine::new(1);
        for i in 1..=2000 {
            assert_eq!(run(&mut m, 1, &["append", "k", "x"]), int(i));
        }
        assert_eq!(value(&m, "k", 1).map(|v| v.len()), Some(2000));
    }

    #[test]
    fn refuses_results_over_the_limit() {
        let mut m = Machine::new(16);
        assert_eq!(run_with(&mut m, 1, &["append", "k", "12345"], 8), int(5));
        assert_eq!(run_with(&mut m, 1, &["append", "k", "678"], 8), int(8));
        assert_eq!(
            run_with(&mut m, 1, &["append", "k", "9"], 8),
            err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
        );
        // Even an empty append reports a string already over a lowered limit.
        assert_eq!(
            run_with(&mut m, 1, &["append", "k", ""], 4),
            err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
        );
        assert_eq!(value(&m, "k", 1).as_deref(), Some(&b"12345678"[..]));
    }
}
