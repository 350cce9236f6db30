//! ZREVRANGEBYSCORE: returns members in a sorted set within a range of scores, in reverse order.
//!
//! # Format
//! ```text
//! ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
//! ```
//! Deprecated in Redis 6.2 for ZRANGE ... BYSCORE REV; the same engine answers it.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};

use super::range::{self, Direction, Kind};

pub const SPEC: Spec = Spec {
    name: "zrevrangebyscore",
    arity: -4,
    flags: flags::READONLY,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    range::read(ctx, argv, Kind::Score, Direction::Reverse)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn max_comes_first() {
        let mut k = with("z", &[("a", 1.0), ("b", 2.0), ("c", 3.0)]);
        k.check(
            100,
            &["zrevrangebyscore", "z", "3", "1"],
            bulks(&["c", "b", "a"]),
        );
        k.check(100, &["zrevrangebyscore", "z", "1", "3"], bulks(&[]));
        k.check(
            100,
            &[
                "zrevrangebyscore",
                "z",
                "3",
                "1",
                "withscores",
                "limit",
                "0",
                "1",
            ],
            pairs(&[("c", 3.0)]),
        );
        k.check(
            100,
            &["zrevrangebyscore", "z", "(3", "-inf"],
            bulks(&["b", "a"]),
        );
    }
}
