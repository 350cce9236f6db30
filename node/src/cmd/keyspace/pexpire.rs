//! PEXPIRE: Set a key's time to live in milliseconds.
//!
//! # Format
//! ```text
//! PEXPIRE key milliseconds [NX | XX | GT | LT]
//! ```
//! Options and the deletion of a key given an expiry in the past as EXPIRE (see
//! [`super::expire`], which holds the code of the family). The log holds
//! `pexpire key unix-time-milliseconds [NX] [XX] [GT] [LT]`.

use bytes::Bytes;

use crate::cmd::{CmdError, Prepare, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::expire::{self, Unit};

pub const SPEC: Spec = Spec {
    name: "pexpire",
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
    expire::prepare_generic(argv, p.now_ms, Unit::Millis, "pexpire")
}

fn unchanged(ctx: &ReadCtx<'_>, argv: &[Bytes]) -> Option<Reply> {
    expire::unchanged_generic(ctx, argv, Unit::Millis, "pexpire")
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Kit, argv, prep};
    use crate::resp::Reply;

    #[test]
    fn milliseconds_made_absolute() {
        assert_eq!(
            prep(&["PEXPIRE", "k", "1500", "gt"], 1000).unwrap(),
            argv(&["pexpire", "k", "2500", "GT"])
        );
        assert_eq!(
            prep(&["pexpire", "k", "9223372036854775000"], 1_700_000_000_000)
                .unwrap_err()
                .to_string(),
            "ERR invalid expire time in 'pexpire' command"
        );
        assert_eq!(
            prep(&["pexpire", "k", "10", "nx", "lt"], 0)
                .unwrap_err()
                .to_string(),
            "ERR NX and XX, GT or LT options at the same time are not compatible"
        );
        let mut k = Kit::new();
        k.run(1000, &["set", "a", "1"]);
        k.check(1000, &["pexpire", "a", "50"], Reply::Int(1));
        k.check(1000, &["pttl", "a"], Reply::Int(50));
        k.check(1051, &["exists", "a"], Reply::Int(0));
        k.run(2000, &["set", "a", "1"]);
        k.check(2000, &["pexpire", "a", "0"], Reply::Int(1));
        k.check(2000, &["exists", "a"], Reply::Int(0));
    }
}
