//! HLEN: gets the number of fields in a hash.
//!
//! # Format
//! ```text
//! HLEN key
//! ```
//! Answers 0 for a missing key. O(1) in both encodings.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::read_hash;

pub const SPEC: Spec = Spec {
    name: "hlen",
    arity: 2,
    flags: flags::READONLY | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let len = read_hash(ctx, &argv[1])?.map_or(0, |h| h.len());
    Ok(Reply::Int(len as i64))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn counts_fields() {
        let mut k = Kit::new();
        k.check(1, &["hlen", "h"], int(0));
        k.run(1, &["hset", "h", "a", "1", "b", "2"]);
        k.check(1, &["hlen", "h"], int(2));
        for i in 0..300 {
            k.run(1, &["hset", "h", &format!("f{i}"), "v"]);
        }
        k.check(1, &["hlen", "h"], int(302));
    }
}
