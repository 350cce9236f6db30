//! EXISTS: determine if a key exists.
//!
//! # Format
//! ```text
//! EXISTS key [key ...]
//! ```
//! Answers how many of the keys exist; a key named several times is counted each time.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "exists",
    arity: -2,
    flags: flags::READONLY | flags::FAST,
    first_key: 1,
    last_key: -1,
    step: 1,
    run: Run::Read(read),
};

/// Counts the live keys named (each time it is named), as EXISTS and TOUCH answer.
pub(super) fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let mut count = 0i64;
    for key in &argv[1..] {
        if ctx.db().contains(key, ctx.now_ms) {
            ctx.hits += 1;
            count += 1;
        } else {
            ctx.misses += 1;
        }
    }
    Ok(Reply::Int(count))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::Kit;
    use crate::resp::Reply;

    #[test]
    fn counts_duplicates_and_skips_expired() {
        let mut k = Kit::new();
        k.run(100, &["set", "a", "1"]);
        k.run(100, &["set", "t", "1", "px", "50"]);
        k.check(100, &["exists", "a", "a", "nokey", "t"], Reply::Int(3));
        assert_eq!((k.hits, k.misses), (3, 1));
        k.check(150, &["exists", "t"], Reply::Int(1));
        k.check(151, &["exists", "t"], Reply::Int(0));
        assert_eq!((k.hits, k.misses), (0, 1));
    }
}
