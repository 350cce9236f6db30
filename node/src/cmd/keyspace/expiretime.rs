//! EXPIRETIME: Get the expiration Unix timestamp for a key.
//!
//! # Format
//! ```text
//! EXPIRETIME key
//! ```
//! -2 when the key does not exist, -1 when it has no TTL, else the expiry as unix seconds, rounded to the nearest second as Redis does.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};

use super::ttl::ttl_generic;

pub const SPEC: Spec = Spec {
    name: "expiretime",
    arity: 2,
    flags: flags::READONLY | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, &argv[1], false, true)
}

#[cfg(test)]
mod tests {
    use super::super::testkit::Kit;
    use crate::resp::Reply;

    #[test]
    fn absolute_seconds() {
        let mut k = Kit::new();
        k.check(1000, &["expiretime", "nokey"], Reply::Int(-2));
        k.run(1000, &["set", "p", "1"]);
        k.check(1000, &["expiretime", "p"], Reply::Int(-1));
        k.run(1000, &["set", "a", "1", "pxat", "99999999999500"]);
        k.check(1000, &["expiretime", "a"], Reply::Int(100_000_000_000));
        k.run(1000, &["pexpireat", "a", "99999999999499"]);
        k.check(1000, &["expiretime", "a"], Reply::Int(99_999_999_999));
        k.run(1000, &["pexpireat", "a", "9223372036854775807"]);
        k.check(
            1000,
            &["expiretime", "a"],
            Reply::Int(9_223_372_036_854_775),
        );
    }
}
