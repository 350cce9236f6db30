//! PEXPIRETIME: Get the expiration Unix timestamp for a key in milliseconds.
//!
//! # Format
//! ```text
//! PEXPIRETIME key
//! ```
//! -2 when the key does not exist, -1 when it has no TTL, else the expiry as unix milliseconds.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};

use super::ttl::ttl_generic;

pub const SPEC: Spec = Spec {
    name: "pexpiretime",
    arity: 2,
    flags: flags::READONLY | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, &argv[1], true, true)
}

#[cfg(test)]
mod tests {
    use super::super::testkit::Kit;
    use crate::resp::Reply;

    #[test]
    fn absolute_milliseconds() {
        let mut k = Kit::new();
        k.check(1000, &["pexpiretime", "nokey"], Reply::Int(-2));
        k.run(1000, &["set", "p", "1"]);
        k.check(1000, &["pexpiretime", "p"], Reply::Int(-1));
        k.run(1000, &["set", "a", "1", "px", "1234"]);
        k.check(2000, &["pexpiretime", "a"], Reply::Int(2234));
        k.check(2235, &["pexpiretime", "a"], Reply::Int(-2));
    }
}
