//! ZREVRANGEBYLEX: returns members in a sorted set within a lexicographical range, in reverse
//! order.
//!
//! # Format
//! ```text
//! ZREVRANGEBYLEX key max min [LIMIT offset count]
//! ```
//! Deprecated in Redis 6.2 for ZRANGE ... BYLEX REV; the same engine answers it.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};

use super::range::{self, Direction, Kind};

pub const SPEC: Spec = Spec {
    name: "zrevrangebylex",
    arity: -4,
    flags: flags::READONLY,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    range::read(ctx, argv, Kind::Lex, Direction::Reverse)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn max_comes_first() {
        let mut k = with("z", &[("a", 0.0), ("b", 0.0), ("c", 0.0)]);
        k.check(
            100,
            &["zrevrangebylex", "z", "+", "-"],
            bulks(&["c", "b", "a"]),
        );
        k.check(
            100,
            &["zrevrangebylex", "z", "[c", "(a"],
            bulks(&["c", "b"]),
        );
        k.check(100, &["zrevrangebylex", "z", "-", "+"], bulks(&[]));
    }
}
