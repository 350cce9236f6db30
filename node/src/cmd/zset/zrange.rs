//! ZRANGE: returns members in a sorted set within a range of indexes, scores or members.
//!
//! # Format
//! ```text
//! ZRANGE key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
//! ```
//! WITHSCORES answers [member, score] pairs in RESP3 and a flat list in RESP2, as Redis 7.
//! LIMIT needs BYSCORE or BYLEX, and BYLEX refuses WITHSCORES, with Redis's errors.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};

use super::range::{self, Direction, Kind};

pub const SPEC: Spec = Spec {
    name: "zrange",
    arity: -4,
    flags: flags::READONLY,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    range::read(ctx, argv, Kind::Auto, Direction::Auto)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::resp::{Protocol, Reply};

    const ITEMS: [(&str, f64); 5] = [("a", 1.0), ("b", 2.0), ("c", 3.0), ("d", 4.0), ("e", 5.0)];

    /// The same checks on a listpack and on a skiplist (made so by a long member at the end).
    fn both(check: impl Fn(&mut Kit, &str)) {
        let mut k = with("z", &ITEMS);
        check(&mut k, "z");
        let long = "~".repeat(80);
        let mut k = with("z", &ITEMS);
        add(&mut k, "z", &[(&long, 1e300)]);
        k.run(100, &["zrem", "z", &long]);
        assert_eq!(encoding(&mut k, "z"), Reply::text("skiplist"));
        check(&mut k, "z");
    }

    #[test]
    fn by_rank() {
        both(|k, z| {
            k.check(
                100,
                &["zrange", z, "0", "-1"],
                bulks(&["a", "b", "c", "d", "e"]),
            );
            k.check(
                100,
                &["zrange", z, "1", "2", "withscores"],
                pairs(&[("b", 2.0), ("c", 3.0)]),
            );
            k.check(100, &["zrange", z, "-2", "100"], bulks(&["d", "e"]));
            k.check(100, &["zrange", z, "0", "1", "rev"], bulks(&["e", "d"]));
            k.check(100, &["zrange", z, "-100", "-4", "REV"], bulks(&["e", "d"]));
            k.check(100, &["zrange", z, "3", "1"], bulks(&[]));
            k.check(
                100,
                &["zrange", z, "9223372036854775807", "-9223372036854775808"],
                bulks(&[]),
            );
            k.check(
                100,
                &["zrange", z, "-9223372036854775808", "9223372036854775807"],
                bulks(&["a", "b", "c", "d", "e"]),
            );
        });
    }

    #[test]
    fn by_score() {
        both(|k, z| {
            k.check(100, &["zrange", z, "(1", "(3", "byscore"], bulks(&["b"]));
            k.check(
                100,
                &["zrange", z, "(3", "(1", "byscore", "rev"],
                bulks(&["b"]),
            );
            k.check(
                100,
                &[
                    "zrange",
                    z,
                    "3",
                    "1",
                    "byscore",
                    "rev",
                    "withscores",
                    "limit",
                    "1",
                    "1",
                ],
                pairs(&[("b", 2.0)]),
            );
            k.check(
                100,
                &["zrange", z, "-inf", "+inf", "byscore", "limit", "1", "2"],
                bulks(&["b", "c"]),
            );
            k.check(
                100,
                &["zrange", z, "-inf", "+inf", "byscore", "limit", "3", "-1"],
                bulks(&["d", "e"]),
            );
            k.check(
                100,
                &["zrange", z, "-inf", "+inf", "byscore", "limit", "-1", "2"],
                bulks(&[]),
            );
            k.check(
                100,
                &["zrange", z, "-inf", "+inf", "byscore", "limit", "0", "0"],
                bulks(&[]),
            );
            k.check(
                100,
                &["zrange", z, "-inf", "+inf", "byscore", "limit", "5", "1"],
                bulks(&[]),
            );
            k.check(
                100,
                &[
                    "zrange", z, "+inf", "-inf", "byscore", "rev", "limit", "3", "10",
                ],
                bulks(&["b", "a"]),
            );
            k.check(100, &["zrange", z, "", "1", "byscore"], bulks(&["a"]));
            k.check(
                100,
                &["zrange", z, "1e400", "-1e400", "byscore"],
                bulks(&[]),
            );
        });
    }

    #[test]
    fn by_lex() {
        both(|k, z| {
            // Scores differ here, but are in the same order as the members.
            k.check(
                100,
                &["zrange", z, "[a", "[c", "bylex"],
                bulks(&["a", "b", "c"]),
            );
            k.check(
                100,
                &["zrange", z, "-", "+", "bylex", "limit", "1", "2"],
                bulks(&["b", "c"]),
            );
            k.check(
                100,
                &["zrange", z, "+", "-", "bylex", "rev", "limit", "0", "-1"],
                bulks(&["e", "d", "c", "b", "a"]),
            );
            k.check(
                100,
                &["zrange", z, "(c", "+", "bylex", "limit", "1", "5"],
                bulks(&["e"]),
            );
            k.check(
                100,
                &["zrange", z, "[c", "-", "bylex", "rev", "limit", "1", "1"],
                bulks(&["b"]),
            );
        });
    }

    #[test]
    fn option_errors_as_redis() {
        let mut k = with("z", &ITEMS);
        k.run(100, &["set", "s", "v"]);
        let limit =
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
        let lexscores = "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
        for (a, e) in [
            (&["zrange", "z", "0", "-1", "limit", "0", "1"][..], limit),
            (
                &["zrange", "z", "0", "-1", "bylex", "withscores"],
                lexscores,
            ),
            (
                &["zrange", "s", "0", "-1", "bylex", "withscores"],
                lexscores,
            ),
            (
                &["zrange", "z", "0", "-1", "byscore", "bylex"],
                "ERR syntax error",
            ),
            (
                &["zrange", "z", "0", "-1", "rev", "rev"],
                "ERR syntax error",
            ),
            (
                &["zrange", "z", "0", "-1", "limit", "0"],
                "ERR syntax error",
            ),
            (
                &["zrange", "z", "0", "-1", "limit", "x", "1", "foo"],
                "ERR value is not an integer or out of range",
            ),
            (
                &["zrange", "z", "0", "-1", "foo", "limit", "x", "1"],
                "ERR syntax error",
            ),
            (&["zrange", "nokey", "0", "-1", "foo"], "ERR syntax error"),
            (
                &["zrange", "z", "x", "1"],
                "ERR value is not an integer or out of range",
            ),
            (
                &["zrange", "s", "x", "1"],
                "ERR value is not an integer or out of range",
            ),
            (
                &["zrange", "z", "x", "1", "byscore"],
                "ERR min or max is not a float",
            ),
            (
                &["zrange", "z", "a", "c", "bylex"],
                "ERR min or max not valid string range item",
            ),
            (
                &["zrange", "s", "0", "-1"],
                "WRONGTYPE Operation against a key holding the wrong kind of value",
            ),
            (
                &["zrange", "z", "0"],
                "ERR wrong number of arguments for 'zrange' command",
            ),
        ] {
            k.check(100, a, err(e));
        }
        // Repeated WITHSCORES is fine.
        k.check(
            100,
            &["zrange", "z", "0", "0", "withscores", "withscores"],
            pairs(&[("a", 1.0)]),
        );
        k.check(100, &["zrange", "nokey", "0", "-1"], bulks(&[]));
    }

    #[test]
    fn withscores_wire_forms() {
        let mut k = with("z", &[("c", 0.1), ("a", 1.0)]);
        let reply = k.run(100, &["zrange", "z", "0", "-1", "withscores"]);
        assert_eq!(
            reply.to_bytes(Protocol::Resp2),
            "*4\r\n$1\r\nc\r\n$19\r\n0.10000000000000001\r\n$1\r\na\r\n$1\r\n1\r\n"
        );
        assert_eq!(
            reply.to_bytes(Protocol::Resp3),
            "*2\r\n*2\r\n$1\r\nc\r\n,0.10000000000000001\r\n*2\r\n$1\r\na\r\n,1\r\n"
        );
    }
}
