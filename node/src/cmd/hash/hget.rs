//! HGET: gets the value of a hash field.
//!
//! # Format
//! ```text
//! HGET key field
//! ```
//! Answers nil when the key or the field does not exist.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::{copy_bulk, read_hash};

pub const SPEC: Spec = Spec {
    name: "hget",
    arity: 3,
    flags: flags::READONLY | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let value = read_hash(ctx, &argv[1])?.and_then(|h| h.get(&argv[2]));
    Ok(value.map_or(Reply::Nil, copy_bulk))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::resp::Reply;

    #[test]
    fn values_and_nils() {
        let mut k = Kit::new();
        k.check(1, &["hget", "h", "a"], Reply::Nil);
        assert_eq!((k.hits, k.misses), (0, 1));
        k.run(1, &["hset", "h", "a", "1"]);
        k.check(1, &["hget", "h", "a"], bulk("1"));
        assert_eq!((k.hits, k.misses), (1, 0));
        k.check(1, &["hget", "h", "b"], Reply::Nil);
        k.check(
            1,
            &["hget", "h"],
            err("ERR wrong number of arguments for 'hget' command"),
        );
    }
}
