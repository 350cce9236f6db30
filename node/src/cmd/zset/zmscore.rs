//! ZMSCORE: returns the score of one or more members in a sorted set.
//!
//! # Format
//! ```text
//! ZMSCORE key member [member ...]
//! ```
//! Answers one score or nil per member (all nil for a missing key).

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::lookup;

pub const SPEC: Spec = Spec {
    name: "zmscore",
    arity: -3,
    flags: flags::READONLY | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let z = lookup(ctx, &argv[1])?;
    Ok(Reply::Array(
        argv[2..]
            .iter()
            .map(|m| z.and_then(|z| z.score(m)).map_or(Reply::Nil, Reply::Double))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::resp::Reply;

    #[test]
    fn one_answer_per_member() {
        let mut k = with("z", &[("a", 1.0), ("c", 3.0)]);
        k.check(
            100,
            &["zmscore", "z", "a", "x", "c"],
            Reply::Array(vec![d(1.0), Reply::Nil, d(3.0)]),
        );
        k.check(
            100,
            &["zmscore", "nokey", "a", "b"],
            Reply::Array(vec![Reply::Nil, Reply::Nil]),
        );
        k.check(
            100,
            &["zmscore", "z"],
            err("ERR wrong number of arguments for 'zmscore' command"),
        );
        k.run(100, &["set", "s", "v"]);
        k.check(
            100,
            &["zmscore", "s", "a"],
            err("WRONGTYPE Operation against a key holding the wrong kind of value"),
        );
    }
}
