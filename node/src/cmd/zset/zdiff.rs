//! ZDIFF: returns the difference between multiple sorted sets.
//!
//! # Format
//! ```text
//! ZDIFF numkeys key [key ...] [WITHSCORES]
//! ```
//! Members of the first set found in no other, with their scores. Plain set keys count
//! too, each member scoring 1, as in Redis.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};

use super::setop::{self, Op};

pub const SPEC: Spec = Spec {
    name: "zdiff",
    arity: -3,
    flags: flags::READONLY,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    setop::read(ctx, argv, Op::Diff, "zdiff")
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn differences() {
        let mut k = with("a", &[("x", 1.0), ("y", 2.0), ("z", 3.0)]);
        add(&mut k, "b", &[("y", 10.0), ("w", 30.0)]);
        k.check(
            100,
            &["zdiff", "2", "a", "b", "withscores"],
            pairs(&[("x", 1.0), ("z", 3.0)]),
        );
        k.check(100, &["zdiff", "2", "b", "a"], bulks(&["w"]));
        k.check(100, &["zdiff", "2", "nokey", "a"], bulks(&[]));
        k.check(100, &["zdiff", "1", "a"], bulks(&["x", "y", "z"]));
        k.check(
            100,
            &["zdiff", "2", "a", "b", "weights", "1", "1"],
            err("ERR syntax error"),
        );
        k.check(
            100,
            &["zdiff", "2", "a", "b", "aggregate", "sum"],
            err("ERR syntax error"),
        );
        k.check(
            100,
            &["zdiff", "2", "a", "b", "withscores", "foo"],
            err("ERR syntax error"),
        );
    }
}
