//! ZSCORE: returns the score of a member in a sorted set.
//!
//! # Format
//! ```text
//! ZSCORE key member
//! ```
//! Answers the score (a RESP3 double), or nil for a missing key or member.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::lookup;

pub const SPEC: Spec = Spec {
    name: "zscore",
    arity: 3,
    flags: flags::READONLY | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    Ok(lookup(ctx, &argv[1])?
        .and_then(|z| z.score(&argv[2]))
        .map_or(Reply::Nil, Reply::Double))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::resp::{Protocol, Reply};

    #[test]
    fn scores_and_nil() {
        let mut k = with("z", &[("a", 0.1), ("b", 1e20), ("c", f64::NEG_INFINITY)]);
        k.check(100, &["zscore", "z", "a"], d(0.1));
        assert_eq!(
            k.run(100, &["zscore", "z", "a"]).to_bytes(Protocol::Resp2),
            "$19\r\n0.10000000000000001\r\n"
        );
        assert_eq!(
            k.run(100, &["zscore", "z", "b"]).to_bytes(Protocol::Resp3),
            ",1e+20\r\n"
        );
        k.check(100, &["zscore", "z", "c"], d(f64::NEG_INFINITY));
        k.check(100, &["zscore", "z", "x"], Reply::Nil);
        k.check(100, &["zscore", "nokey", "x"], Reply::Nil);
        assert_eq!((k.hits, k.misses), (0, 1));
        k.run(100, &["set", "s", "v"]);
        k.check(
            100,
            &["zscore", "s", "a"],
            err("WRONGTYPE Operation against a key holding the wrong kind of value"),
        );
        assert_eq!((k.hits, k.misses), (1, 0));
    }
}
