//! HEXISTS: determines if a hash field exists.
//!
//! # Format
//! ```text
//! HEXISTS key field
//! ```
//! Answers 1 or 0.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::read_hash;

pub const SPEC: Spec = Spec {
    name: "hexists",
    arity: 3,
    flags: flags::READONLY | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let found = read_hash(ctx, &argv[1])?.is_some_and(|h| h.contains(&argv[2]));
    Ok(Reply::Int(i64::from(found)))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn one_or_zero() {
        let mut k = Kit::new();
        k.check(1, &["hexists", "h", "a"], int(0));
        k.run(1, &["hset", "h", "a", ""]);
        k.check(1, &["hexists", "h", "a"], int(1));
        k.check(1, &["hexists", "h", "b"], int(0));
    }
}
