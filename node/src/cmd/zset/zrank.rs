//! ZRANK: returns the index of a member in a sorted set ordered by ascending scores.
//!
//! # Format
//! ```text
//! ZRANK key member
//! ```
//! Answers the 0-based rank, or nil for a missing key or member. O(log n) on a skiplist.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};

use super::rank_read;

pub const SPEC: Spec = Spec {
    name: "zrank",
    arity: 3,
    flags: flags::READONLY | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    rank_read(ctx, argv, false)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::resp::Reply;

    #[test]
    fn ranks() {
        let mut k = with("z", &[("a", 1.0), ("b", 2.0), ("c", 3.0)]);
        k.check(100, &["zrank", "z", "a"], Reply::Int(0));
        k.check(100, &["zrank", "z", "c"], Reply::Int(2));
        k.check(100, &["zrank", "z", "x"], Reply::Nil);
        k.check(100, &["zrank", "nokey", "x"], Reply::Nil);
        k.run(100, &["set", "s", "v"]);
        k.check(
            100,
            &["zrank", "s", "a"],
            err("WRONGTYPE Operation against a key holding the wrong kind of value"),
        );
        k.check(
            100,
            &["zrank", "z", "a", "withscore"],
            err("ERR wrong number of arguments for 'zrank' command"),
        );
    }
}
