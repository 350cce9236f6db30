//! SMEMBERS: get all the members in a set.
//!
//! # Format
//! ```text
//! SMEMBERS key
//! ```
//! A RESP3 set (an array in RESP2): ascending for an intset, in hash order for a hashtable
//! (Redis's order is unspecified; ours is the same on every node). Empty for a missing key.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::{members_reply, read_set};

pub const SPEC: Spec = Spec {
    name: "smembers",
    arity: 2,
    flags: flags::READONLY,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    Ok(match read_set(ctx, &argv[1])? {
        Some(set) => members_reply(set.iter()),
        None => Reply::Set(Vec::new()),
    })
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Kit, set_reply, sorted, wrongtype};

    #[test]
    fn members_missing_and_wrong_type() {
        let mut k = Kit::new();
        k.check(100, &["smembers", "s"], set_reply(&[]));
        assert_eq!((k.hits, k.misses), (0, 1));
        k.run(100, &["sadd", "s", "10", "-5", "7"]);
        k.check(100, &["smembers", "s"], set_reply(&["-5", "7", "10"]));
        assert_eq!((k.hits, k.misses), (1, 0));
        k.run(100, &["sadd", "s", "member1"]);
        assert_eq!(
            sorted(k.run(100, &["smembers", "s"])),
            ["-5", "10", "7", "member1"]
        );
        k.run(100, &["set", "str", "x"]);
        k.check(100, &["smembers", "str"], wrongtype());
        assert_eq!(k.hits, 1);
    }
}
