//! MSETNX: atomically modifies the string values of one or more keys only when none of the
//! keys exist.
//!
//! # Format
//! ```text
//! MSETNX key value [key value ...]
//! ```
//! Answers 1 when every key was set, 0 (and nothing set) when any of them exists.

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;
use crate::store::{Str, Value};

use super::mset::prepare_pairs;

pub const SPEC: Spec = Spec {
    name: "msetnx",
    arity: -3,
    flags: flags::WRITE | flags::DENYOOM,
    first_key: 1,
    last_key: -1,
    step: 2,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    prepare_pairs(argv, "msetnx")
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let (now, index) = (ctx.now_ms, ctx.index);
    let db = ctx.db();
    // As Redis, stop at the first existing key (expired keys met on the way are deleted).
    for pair in argv[1..].chunks_exact(2) {
        if db.get_mut(&pair[0], now).is_some() {
            return Ok(Reply::Int(0));
        }
    }
    for pair in argv[1..].chunks_exact(2) {
        db.set(&pair[0], Value::Str(Str::new(&pair[1])), index);
    }
    Ok(Reply::Int(1))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::machine::Machine;

    #[test]
    fn odd_arguments_are_an_arity_error() {
        assert_eq!(
            prep_err(&["msetnx", "a", "1", "b"]),
            "ERR wrong number of arguments for 'msetnx' command"
        );
    }

    #[test]
    fn all_or_nothing() {
        let mut m = Machine::new(16);
        assert_eq!(run(&mut m, 100, &["msetnx", "a", "1", "b", "2"]), int(1));
        assert_eq!(run(&mut m, 100, &["msetnx", "c", "3", "a", "9"]), int(0));
        assert_eq!(value(&m, "c", 100), None);
        assert_eq!(value(&m, "a", 100).as_deref(), Some(&b"1"[..]));
        // A key given twice takes its last value; an expired key counts as absent.
        run(&mut m, 100, &["set", "t", "old", "px", "10"]);
        assert_eq!(
            run(&mut m, 200, &["msetnx", "x", "1", "t", "2", "x", "3"]),
            int(1)
        );
        assert_eq!(value(&m, "x", 200).as_deref(), Some(&b"3"[..]));
        assert_eq!(value(&m, "t", 200).as_deref(), Some(&b"2"[..]));
    }
}
