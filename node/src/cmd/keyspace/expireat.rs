//! EXPIREAT: Set the expiration for a key as a UNIX timestamp.
//!
//! # Format
//! ```text
//! EXPIREAT key unix-time-seconds [NX | XX | GT | LT]
//! ```
//! Options and the deletion of a key given an expiry in the past as EXPIRE (see
//! [`super::expire`], which holds the code of the family). The log holds
//! `expireat key unix-time-milliseconds [NX] [XX] [GT] [LT]`.

use bytes::Bytes;

use crate::cmd::{CmdError, Prepare, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::expire::{self, Unit};

pub const SPEC: Spec = Spec {
    name: "expireat",
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
    expire::prepare_generic(argv, p.now_ms, Unit::UnixSeconds, "expireat")
}

fn unchanged(ctx: &ReadCtx<'_>, argv: &[Bytes]) -> Option<Reply> {
    expire::unchanged_generic(ctx, argv, Unit::UnixSeconds, "expireat")
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Kit, argv, prep};
    use crate::resp::Reply;

    #[test]
    fn unix_seconds() {
        assert_eq!(
            prep(&["expireat", "k", "1700000000", "xx"], 5).unwrap(),
            argv(&["expireat", "k", "1700000000000", "XX"])
        );
        assert_eq!(
            prep(&["expireat", "k", "9223372036854776"], 0)
                .unwrap_err()
                .to_string(),
            "ERR invalid expire time in 'expireat' command"
        );
        // The largest absolute time in seconds that fits is accepted.
        assert!(prep(&["expireat", "k", "9223372036854775"], 1_700_000_000_000).is_ok());
        let mut k = Kit::new();
        k.run(1000, &["set", "a", "1"]);
        k.check(1000, &["expireat", "a", "10"], Reply::Int(1));
        k.check(1000, &["ttl", "a"], Reply::Int(9));
        k.check(1000, &["expireat", "a", "1"], Reply::Int(1));
        k.check(1000, &["exists", "a"], Reply::Int(0));
        k.run(1000, &["set", "a", "1"]);
        k.check(1000, &["expireat", "a", "0", "gt"], Reply::Int(0));
        k.check(1000, &["exists", "a"], Reply::Int(1));
    }
}
