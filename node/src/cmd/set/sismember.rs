//! SISMEMBER: determine if a given value is a member of a set.
//!
//! # Format
//! ```text
//! SISMEMBER key member
//! ```
//! 1 or 0 (an integer in RESP3 too, as Redis 7.0).

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::read_set;

pub const SPEC: Spec = Spec {
    name: "sismember",
    arity: 3,
    flags: flags::READONLY | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let set = read_set(ctx, &argv[1])?;
    Ok(Reply::Int(i64::from(
        set.is_some_and(|s| s.contains(&argv[2])),
    )))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Kit, wrongtype};
    use crate::resp::Reply;

    #[test]
    fn membership() {
        let mut k = Kit::new();
        k.check(100, &["sismember", "s", "a"], Reply::Int(0));
        k.run(100, &["sadd", "s", "a", "1"]);
        k.check(100, &["sismember", "s", "a"], Reply::Int(1));
        k.check(100, &["sismember", "s", "1"], Reply::Int(1));
        k.check(100, &["sismember", "s", "01"], Reply::Int(0));
        k.run(100, &["sadd", "i", "1"]);
        k.check(100, &["sismember", "i", "1"], Reply::Int(1));
        k.check(100, &["sismember", "i", "+1"], Reply::Int(0));
        k.check(100, &["sismember", "i", "x"], Reply::Int(0));
        k.run(100, &["set", "str", "x"]);
        k.check(100, &["sismember", "str", "x"], wrongtype());
    }
}
