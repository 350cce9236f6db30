//! SETNX: sets the string value of a key only when the key does not exist.
//!
//! # Format
//! ```text
//! SETNX key value
//! ```
//! Answers 1 when the key was set, 0 when it already existed. A key whose TTL has passed
//! does not exist.

use bytes::Bytes;

use crate::cmd::args::word;
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;
use crate::store::{Str, Value};

pub const SPEC: Spec = Spec {
    name: "setnx",
    arity: 3,
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

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    Ok(vec![word("setnx"), argv[1].clone(), argv[2].clone()])
}

/// The key exists already (of any type).
fn unchanged(ctx: &ReadCtx<'_>, argv: &[Bytes]) -> Option<Reply> {
    if argv.len() != 3 {
        return None;
    }
    ctx.db()
        .get_untouched(&argv[1], ctx.now_ms)?
        .map(|_| Reply::Int(0))
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let (now, index) = (ctx.now_ms, ctx.index);
    let db = ctx.db();
    if db.get_mut(&argv[1], now).is_some() {
        return Ok(Reply::Int(0));
    }
    db.set(&argv[1], Value::Str(Str::new(&argv[2])), index);
    Ok(Reply::Int(1))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::machine::Machine;

    #[test]
    fn sets_only_absent_keys() {
        let mut m = Machine::new(16);
        assert_eq!(run(&mut m, 100, &["setnx", "k", "a"]), int(1));
        assert_eq!(run(&mut m, 100, &["SETNX", "k", "b"]), int(0));
        assert_eq!(run(&mut m, 100, &["get", "k"]), bulk("a"));
        // An expired key counts as absent.
        run(&mut m, 100, &["set", "t", "old", "px", "10"]);
        assert_eq!(run(&mut m, 111, &["setnx", "t", "new"]), int(1));
        assert_eq!(run(&mut m, 111, &["get", "t"]), bulk("new"));
        assert_eq!(expire_at(&m, "t", 111), None);
    }
}
