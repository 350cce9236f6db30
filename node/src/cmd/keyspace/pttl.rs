//! PTTL: Get the time to live for a key in milliseconds.
//!
//! # Format
//! ```text
//! PTTL key
//! ```
//! -2 when the key does not exist, -1 when it has no TTL, else the remaining milliseconds.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};

use super::ttl::ttl_generic;

pub const SPEC: Spec = Spec {
    name: "pttl",
    arity: 2,
    flags: flags::READONLY | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, &argv[1], true, false)
}

#[cfg(test)]
mod tests {
    use super::super::testkit::Kit;
    use crate::resp::Reply;

    #[test]
    fn milliseconds() {
        let mut k = Kit::new();
        k.check(1000, &["pttl", "nokey"], Reply::Int(-2));
        k.run(1000, &["set", "p", "1"]);
        k.check(1000, &["pttl", "p"], Reply::Int(-1));
        k.run(1000, &["set", "a", "1", "px", "1499"]);
        k.check(1000, &["pttl", "a"], Reply::Int(1499));
        k.check(2499, &["pttl", "a"], Reply::Int(0));
        k.check(2500, &["pttl", "a"], Reply::Int(-2));
    }
}
