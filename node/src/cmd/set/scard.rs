//! SCARD: get the number of members in a set.
//!
//! # Format
//! ```text
//! SCARD key
//! ```
//! O(1); 0 for a missing key.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::read_set;

pub const SPEC: Spec = Spec {
    name: "scard",
    arity: 2,
    flags: flags::READONLY | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let len = read_set(ctx, &argv[1])?.map_or(0, |s| s.len());
    Ok(Reply::Int(i64::try_from(len).unwrap_or(i64::MAX)))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Kit, wrongtype};
    use crate::resp::Reply;

    #[test]
    fn cardinality() {
        let mut k = Kit::new();
        k.check(100, &["scard", "s"], Reply::Int(0));
        k.run(100, &["sadd", "s", "a", "b", "a"]);
        k.check(100, &["scard", "s"], Reply::Int(2));
        k.run(100, &["pexpire", "s", "10"]);
        k.check(200, &["scard", "s"], Reply::Int(0));
        k.run(100, &["set", "str", "x"]);
        k.check(100, &["scard", "str"], wrongtype());
    }
}
