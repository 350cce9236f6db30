//! ZCARD: returns the number of members in a sorted set.
//!
//! # Format
//! ```text
//! ZCARD key
//! ```
//! O(1); 0 for a missing key.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::lookup;

pub const SPEC: Spec = Spec {
    name: "zcard",
    arity: 2,
    flags: flags::READONLY | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Int(
        lookup(ctx, &argv[1])?.map_or(0, |z| z.len() as i64),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::resp::Reply;

    #[test]
    fn counts() {
        let mut k = with("z", &[("a", 1.0), ("b", 2.0)]);
        k.check(100, &["zcard", "z"], Reply::Int(2));
        k.check(100, &["zcard", "nokey"], Reply::Int(0));
        k.run(100, &["set", "s", "v"]);
        k.check(
            100,
            &["zcard", "s"],
            err("WRONGTYPE Operation against a key holding the wrong kind of value"),
        );
    }
}
