//! ZRANGEBYLEX: returns members in a sorted set within a lexicographical range.
//!
//! # Format
//! ```text
//! ZRANGEBYLEX key min max [LIMIT offset count]
//! ```
//! Deprecated in Redis 6.2 for ZRANGE ... BYLEX; the same engine answers it.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};

use super::range::{self, Direction, Kind};

pub const SPEC: Spec = Spec {
    name: "zrangebylex",
    arity: -4,
    flags: flags::READONLY,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    range::read(ctx, argv, Kind::Lex, Direction::Forward)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn lex_ranges() {
        let mut k = with("z", &[("a", 0.0), ("b", 0.0), ("c", 0.0)]);
        k.check(
            100,
            &["zrangebylex", "z", "-", "+", "limit", "1", "1"],
            bulks(&["b"]),
        );
        k.check(100, &["zrangebylex", "z", "(a", "+"], bulks(&["b", "c"]));
        k.check(
            100,
            &["zrangebylex", "z", "[a", "[c", "withscores"],
            err("ERR syntax error, WITHSCORES not supported in combination with BYLEX"),
        );
        k.check(
            100,
            &["zrangebylex", "z", "+x", "-"],
            err("ERR min or max not valid string range item"),
        );
        k.check(
            100,
            &["zrangebylex", "z", "", "+"],
            err("ERR min or max not valid string range item"),
        );
    }
}
