//! HSTRLEN: gets the length of the value of a hash field.
//!
//! # Format
//! ```text
//! HSTRLEN key field
//! ```
//! Answers 0 when the key or the field does not exist.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::read_hash;

pub const SPEC: Spec = Spec {
    name: "hstrlen",
    arity: 3,
    flags: flags::READONLY | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let len = read_hash(ctx, &argv[1])?
        .and_then(|h| h.get(&argv[2]))
        .map_or(0, <[u8]>::len);
    Ok(Reply::Int(len as i64))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn lengths() {
        let mut k = Kit::new();
        k.check(1, &["hstrlen", "h", "a"], int(0));
        k.run(1, &["hset", "h", "a", "hello", "n", "-12", "e", ""]);
        k.check(1, &["hstrlen", "h", "a"], int(5));
        k.check(1, &["hstrlen", "h", "n"], int(3));
        k.check(1, &["hstrlen", "h", "e"], int(0));
        k.check(1, &["hstrlen", "h", "x"], int(0));
        let long = "z".repeat(1000);
        k.run(1, &["hset", "h", "l", &long]);
        k.check(1, &["hstrlen", "h", "l"], int(1000));
    }
}
