//! ZUNION: returns the union of multiple sorted sets.
//!
//! # Format
//! ```text
//! ZUNION numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM | MIN | MAX] [WITHSCORES]
//! ```
//! Missing keys are empty sets. WITHSCORES pairs are nested in RESP3. Plain set keys count
//! too, each member scoring 1, as in Redis.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};

use super::setop::{self, Op};

pub const SPEC: Spec = Spec {
    name: "zunion",
    arity: -3,
    flags: flags::READONLY,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    setop::read(ctx, argv, Op::Union, "zunion")
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    pub fn ab() -> Kit {
        let mut k = with("a", &[("x", 1.0), ("y", 2.0), ("z", 3.0)]);
        add(&mut k, "b", &[("y", 10.0), ("z", 20.0), ("w", 30.0)]);
        k.run(100, &["set", "str", "v"]);
        k
    }

    #[test]
    fn unions() {
        let mut k = ab();
        k.check(
            100,
            &["zunion", "2", "a", "b", "withscores"],
            pairs(&[("x", 1.0), ("y", 12.0), ("z", 23.0), ("w", 30.0)]),
        );
        k.check(
            100,
            &["zunion", "2", "a", "b"],
            bulks(&["x", "y", "z", "w"]),
        );
        k.check(
            100,
            &["zunion", "2", "a", "b", "weights", "2", "3", "withscores"],
            pairs(&[("x", 2.0), ("y", 34.0), ("z", 66.0), ("w", 90.0)]),
        );
        k.check(
            100,
            &["zunion", "2", "a", "b", "aggregate", "min", "withscores"],
            pairs(&[("x", 1.0), ("y", 2.0), ("z", 3.0), ("w", 30.0)]),
        );
        k.check(
            100,
            &["zunion", "2", "a", "b", "aggregate", "max", "withscores"],
            pairs(&[("x", 1.0), ("y", 10.0), ("z", 20.0), ("w", 30.0)]),
        );
        k.check(
            100,
            &["zunion", "2", "a", "a", "withscores"],
            pairs(&[("x", 2.0), ("y", 4.0), ("z", 6.0)]),
        );
        k.check(
            100,
            &["zunion", "2", "a", "nokey", "withscores"],
            pairs(&[("x", 1.0), ("y", 2.0), ("z", 3.0)]),
        );
        // inf × weight and inf + -inf follow Redis's NaN-to-zero rule.
        k.check(
            100,
            &[
                "zunion",
                "2",
                "a",
                "b",
                "weights",
                "inf",
                "-inf",
                "withscores",
            ],
            pairs(&[
                ("w", f64::NEG_INFINITY),
                ("y", 0.0),
                ("z", 0.0),
                ("x", f64::INFINITY),
            ]),
        );
        k.check(
            100,
            &[
                "zunion",
                "2",
                "a",
                "b",
                "WITHSCORES",
                "aggregate",
                "max",
                "weights",
                "0",
                "0",
            ],
            pairs(&[("w", 0.0), ("x", 0.0), ("y", 0.0), ("z", 0.0)]),
        );
        k.check(
            100,
            &["zunion", "1", "a", "withscores", "withscores"],
            pairs(&[("x", 1.0), ("y", 2.0), ("z", 3.0)]),
        );
    }

    #[test]
    fn errors_in_redis_order() {
        let mut k = ab();
        let wrongtype = "WRONGTYPE Operation against a key holding the wrong kind of value";
        for (a, e) in [
            (
                &["zunion", "0", "a"][..],
                "ERR at least 1 input key is needed for 'zunion' command",
            ),
            (
                &["zunion", "-1", "a"],
                "ERR at least 1 input key is needed for 'zunion' command",
            ),
            (
                &["zunion", "x", "a"],
                "ERR value is not an integer or out of range",
            ),
            (&["zunion", "3", "a", "b"], "ERR syntax error"),
            (&["zunion", "1", "a", "b"], "ERR syntax error"),
            (
                &["zunion", "2", "a", "b", "weights", "2"],
                "ERR syntax error",
            ),
            (
                &["zunion", "2", "a", "b", "weights", "2", "withscores"],
                "ERR weight value is not a float",
            ),
            (
                &["zunion", "2", "a", "b", "weights", "1e400", "1"],
                "ERR weight value is not a float",
            ),
            (
                &["zunion", "2", "a", "b", "aggregate", "foo"],
                "ERR syntax error",
            ),
            (&["zunion", "2", "a", "b", "limit", "1"], "ERR syntax error"),
            (&["zunion", "2", "a", "str"], wrongtype),
            // The types are checked before the options.
            (&["zunion", "2", "a", "str", "weights", "x"], wrongtype),
        ] {
            k.check(100, a, err(e));
        }
    }
}
