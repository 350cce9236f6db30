//! ZINTER: returns the intersect of multiple sorted sets.
//!
//! # Format
//! ```text
//! ZINTER numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM | MIN | MAX] [WITHSCORES]
//! ```
//! Missing keys are empty sets. WITHSCORES pairs are nested in RESP3. Plain set keys count
//! too, each member scoring 1, as in Redis.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};

use super::setop::{self, Op};

pub const SPEC: Spec = Spec {
    name: "zinter",
    arity: -3,
    flags: flags::READONLY,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    setop::read(ctx, argv, Op::Inter, "zinter")
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn intersections() {
        let mut k = with("a", &[("x", 1.0), ("y", 2.0), ("z", 3.0)]);
        add(&mut k, "b", &[("y", 10.0), ("z", 20.0), ("w", 30.0)]);
        k.check(
            100,
            &["zinter", "2", "a", "b", "withscores"],
            pairs(&[("y", 12.0), ("z", 23.0)]),
        );
        k.check(
            100,
            &["zinter", "2", "a", "b", "aggregate", "max"],
            bulks(&["y", "z"]),
        );
        k.check(
            100,
            &[
                "zinter",
                "2",
                "a",
                "b",
                "weights",
                "inf",
                "-inf",
                "withscores",
            ],
            pairs(&[("y", 0.0), ("z", 0.0)]),
        );
        k.check(100, &["zinter", "2", "a", "nokey"], bulks(&[]));
        k.check(
            100,
            &["zinter", "0", "a"],
            err("ERR at least 1 input key is needed for 'zinter' command"),
        );
    }
}
