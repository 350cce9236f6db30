//! ZRANGEBYSCORE: returns members in a sorted set within a range of scores.
//!
//! # Format
//! ```text
//! ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
//! ```
//! Deprecated in Redis 6.2 for ZRANGE ... BYSCORE; the same engine answers it.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};

use super::range::{self, Direction, Kind};

pub const SPEC: Spec = Spec {
    name: "zrangebyscore",
    arity: -4,
    flags: flags::READONLY,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    range::read(ctx, argv, Kind::Score, Direction::Forward)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn scores_with_limits() {
        let mut k = with("z", &[("a", 1.0), ("b", 2.0), ("c", 3.0)]);
        k.check(
            100,
            &[
                "zrangebyscore",
                "z",
                "1",
                "3",
                "withscores",
                "limit",
                "1",
                "-1",
            ],
            pairs(&[("b", 2.0), ("c", 3.0)]),
        );
        k.check(100, &["zrangebyscore", "z", " 1", " 2"], bulks(&["a", "b"]));
        k.check(
            100,
            &["zrangebyscore", "z", "(", "3"],
            bulks(&["a", "b", "c"]),
        );
        k.check(
            100,
            &["zrangebyscore", "z", "1", "3", "rev"],
            err("ERR syntax error"),
        );
        k.check(
            100,
            &["zrangebyscore", "z", "nan", "3"],
            err("ERR min or max is not a float"),
        );
        k.check(
            100,
            &["zrangebyscore", "z", "1", "3", "bylex"],
            err("ERR syntax error"),
        );
    }
}
