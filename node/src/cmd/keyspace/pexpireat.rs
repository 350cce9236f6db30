//! PEXPIREAT: Set the expiration for a key as a UNIX timestamp specified in milliseconds.
//!
//! # Format
//! ```text
//! PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT]
//! ```
//! Options and the deletion of a key given an expiry in the past as EXPIRE (see
//! [`super::expire`], which holds the code of the family). The log holds
//! `pexpireat key unix-time-milliseconds [NX] [XX] [GT] [LT]`.

use bytes::Bytes;

use crate::cmd::{CmdError, Prepare, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::expire::{self, Unit};

pub const SPEC: Spec = Spec {
    name: "pexpireat",
    arity: -3,
    flags: flags::WRITE | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Write {
        prepare,
        apply: expire::apply_expire,
        unchanged: Some(unchanged),
    },
};

fn prepare(argv: &[Bytes], p: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    expire::prepare_generic(argv, p.now_ms, Unit::UnixMillis, "pexpireat")
}

fn unchanged(ctx: &ReadCtx<'_>, argv: &[Bytes]) -> Option<Reply> {
    expire::unchanged_generic(ctx, argv, Unit::UnixMillis, "pexpireat")
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Kit, argv, prep};
    use crate::resp::Reply;

    #[test]
    fn unix_milliseconds() {
        assert_eq!(
            prep(&["pexpireat", "k", "9223372036854775807", "lt"], 5).unwrap(),
            argv(&["pexpireat", "k", "9223372036854775807", "LT"])
        );
        assert_eq!(
            prep(&["pexpireat", "k", "-9223372036854775808"], 5).unwrap(),
            argv(&["pexpireat", "k", "-9223372036854775808"])
        );
        let mut k = Kit::new();
        k.run(1000, &["set", "a", "1"]);
        k.check(
            1000,
            &["pexpireat", "a", "9223372036854775807"],
            Reply::Int(1),
        );
        k.check(
            1000,
            &["pttl", "a"],
            Reply::Int(9_223_372_036_854_775_807 - 1000),
        );
        // At exactly now: already expired, deleted.
        k.check(1000, &["pexpireat", "a", "1000"], Reply::Int(1));
        k.check(1000, &["exists", "a"], Reply::Int(0));
        k.run(1000, &["set", "a", "1"]);
        k.check(
            1000,
            &["pexpireat", "a", "-9223372036854775808"],
            Reply::Int(1),
        );
        k.check(1000, &["exists", "a"], Reply::Int(0));
    }
}
