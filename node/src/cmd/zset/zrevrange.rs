//! ZREVRANGE: returns members in a sorted set within a range of indexes, in reverse order.
//!
//! # Format
//! ```text
//! ZREVRANGE key start stop [WITHSCORES]
//! ```
//! Deprecated in Redis 6.2 for ZRANGE ... REV; the same engine answers it.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};

use super::range::{self, Direction, Kind};

pub const SPEC: Spec = Spec {
    name: "zrevrange",
    arity: -4,
    flags: flags::READONLY,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    range::read(ctx, argv, Kind::Rank, Direction::Reverse)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn reverse_ranks() {
        let mut k = with("z", &[("a", 1.0), ("b", 2.0), ("c", 3.0)]);
        k.check(
            100,
            &["zrevrange", "z", "0", "1", "withscores"],
            pairs(&[("c", 3.0), ("b", 2.0)]),
        );
        k.check(100, &["zrevrange", "z", "-1", "-1"], bulks(&["a"]));
        k.check(
            100,
            &["zrevrange", "z", "0", "1", "limit", "0", "1"],
            err("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"),
        );
        k.check(
            100,
            &["zrevrange", "z", "0", "1", "byscore"],
            err("ERR syntax error"),
        );
        k.check(
            100,
            &["zrevrange", "z", "0", "1", "rev"],
            err("ERR syntax error"),
        );
    }
}
