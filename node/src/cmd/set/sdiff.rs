//! SDIFF: subtract multiple sets.
//!
//! # Format
//! ```text
//! SDIFF key [key ...]
//! ```
//! A RESP3 set (an array in RESP2) of the members of the first set that are in none of the
//! others (missing keys are empty sets), in the order of the result built as a new set:
//! ascending when it is an intset, as Redis. Every key is type-checked, even when the first
//! is missing.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};

use super::sunion::{Op, combine};
use super::{members_reply, read_sets};

pub const SPEC: Spec = Spec {
    name: "sdiff",
    arity: -2,
    flags: flags::READONLY,
    first_key: 1,
    last_key: -1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let sets = read_sets(ctx, &argv[1..])?;
    Ok(members_reply(combine(&sets, Op::Diff).iter()))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Kit, set_reply, sorted, wrongtype};

    #[test]
    fn differences() {
        let mut k = Kit::new();
        k.run(100, &["sadd", "a", "1", "2", "3", "4", "x"]);
        k.run(100, &["sadd", "b", "2", "x"]);
        k.run(100, &["sadd", "c", "4", "9"]);
        k.check(100, &["sdiff", "a", "b", "c"], set_reply(&["1", "3"]));
        k.check(
            100,
            &["sdiff", "a", "missing", "b", "c"],
            set_reply(&["1", "3"]),
        );
        assert_eq!(
            sorted(k.run(100, &["sdiff", "a", "c"])),
            ["1", "2", "3", "x"]
        );
        k.check(100, &["sdiff", "a", "a"], set_reply(&[]));
        k.check(100, &["sdiff", "missing", "a"], set_reply(&[]));
        let b = k.run(100, &["smembers", "b"]);
        k.check(100, &["sdiff", "b"], b);
        k.run(100, &["set", "str", "x"]);
        k.check(100, &["sdiff", "missing", "str"], wrongtype());
        k.check(100, &["sdiff", "a", "str"], wrongtype());
    }
}
