//! ZREVRANK: returns the index of a member in a sorted set ordered by descending scores.
//!
//! # Format
//! ```text
//! ZREVRANK key member
//! ```
//! Answers the 0-based rank, or nil for a missing key or member. O(log n) on a skiplist.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};

use super::rank_read;

pub const SPEC: Spec = Spec {
    name: "zrevrank",
    arity: 3,
    flags: flags::READONLY | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    rank_read(ctx, argv, true)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::resp::Reply;

    #[test]
    fn ranks_from_the_top() {
        let mut k = with("z", &[("a", 1.0), ("b", 2.0), ("c", 3.0)]);
        k.check(100, &["zrevrank", "z", "c"], Reply::Int(0));
        k.check(100, &["zrevrank", "z", "a"], Reply::Int(2));
        k.check(100, &["zrevrank", "z", "x"], Reply::Nil);
        k.check(100, &["zrevrank", "nokey", "x"], Reply::Nil);
    }
}
