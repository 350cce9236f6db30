//! ZINTERCARD: returns the number of members of the intersect of multiple sorted sets.
//!
//! # Format
//! ```text
//! ZINTERCARD numkeys key [key ...] [LIMIT limit]
//! ```
//! LIMIT stops counting once reached (0: no limit). Plain set keys count
//! too, each member scoring 1, as in Redis.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::setop::{Op, Options, inputs_read, inter_card, keys_end};

pub const SPEC: Spec = Spec {
    name: "zintercard",
    arity: -3,
    flags: flags::READONLY,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let end = keys_end(argv, 1, "zintercard")?;
    let inputs = inputs_read(ctx, &argv[2..end])?;
    let opts = Options::parse(argv, end, end - 2, Op::Inter, false, true)?;
    Ok(Reply::Int(inter_card(&inputs, opts.limit) as i64))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::resp::Reply;

    #[test]
    fn counts_with_limit() {
        let mut k = with("a", &[("x", 1.0), ("y", 2.0), ("z", 3.0)]);
        add(&mut k, "b", &[("y", 10.0), ("z", 20.0), ("w", 30.0)]);
        k.run(100, &["set", "s", "v"]);
        k.check(100, &["zintercard", "2", "a", "b"], Reply::Int(2));
        k.check(
            100,
            &["zintercard", "2", "a", "b", "limit", "1"],
            Reply::Int(1),
        );
        k.check(
            100,
            &["zintercard", "2", "a", "b", "limit", "0"],
            Reply::Int(2),
        );
        k.check(
            100,
            &["zintercard", "2", "a", "b", "limit", "1", "limit", "2"],
            Reply::Int(2),
        );
        k.check(100, &["zintercard", "2", "a", "nokey"], Reply::Int(0));
        k.check(100, &["zintercard", "1", "a"], Reply::Int(3));
        for (a, e) in [
            (
                &["zintercard", "2", "a", "b", "limit", "-1"][..],
                "ERR LIMIT can't be negative",
            ),
            (
                &["zintercard", "2", "a", "b", "limit", "x"],
                "ERR LIMIT can't be negative",
            ),
            (
                &["zintercard", "0", "a"],
                "ERR at least 1 input key is needed for 'zintercard' command",
            ),
            (&["zintercard", "2", "a"], "ERR syntax error"),
            (&["zintercard", "1", "a", "foo", "1"], "ERR syntax error"),
            (
                &["zintercard", "2", "a", "b", "withscores"],
                "ERR syntax error",
            ),
            (&["zintercard", "2", "a", "b", "limit"], "ERR syntax error"),
            (
                &["zintercard", "1", "s"],
                "WRONGTYPE Operation against a key holding the wrong kind of value",
            ),
            (
                &["zintercard", "1", "s", "limit", "x"],
                "WRONGTYPE Operation against a key holding the wrong kind of value",
            ),
        ] {
            k.check(100, a, err(e));
        }
    }
}
