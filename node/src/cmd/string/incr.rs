//! INCR: increments the integer value of a key by one, from 0 when the key does not exist.
//!
//! # Format
//! ```text
//! INCR key
//! ```
//! Answers the new value. The key keeps its TTL.

use bytes::Bytes;

use crate::cmd::args::word;
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};

use super::incr_by;

pub const SPEC: Spec = Spec {
    name: "incr",
    arity: 2,
    flags: flags::WRITE | flags::DENYOOM | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    Ok(vec![word("incr"), argv[1].clone()])
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    incr_by(ctx, &argv[1], 1)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::machine::Machine;

    #[test]
    fn counts_and_keeps_ttl() {
        let mut m = Machine::new(16);
        assert_eq!(run(&mut m, 1, &["incr", "k"]), int(1));
        assert_eq!(run(&mut m, 1, &["INCR", "k"]), int(2));
        assert_eq!(value(&m, "k", 1).as_deref(), Some(&b"2"[..]));
        run(&mut m, 1, &["set", "t", "5", "px", "100"]);
        assert_eq!(run(&mut m, 50, &["incr", "t"]), int(6));
        assert_eq!(expire_at(&m, "t", 50), Some(101));
        assert_eq!(version(&m, "t", 50), Some(m.last_applied()));
    }

    #[test]
    fn refuses_non_integers_and_overflow() {
        let mut m = Machine::new(16);
        for bad in [
            "abc",
            " 1",
            "1 ",
            "01",
            "-0",
            "+1",
            "1.5",
            "",
            "99999999999999999999",
        ] {
            run(&mut m, 1, &["set", "k", bad]);
            assert_eq!(
                run(&mut m, 1, &["incr", "k"]),
                err("ERR value is not an integer or out of range"),
                "{bad:?}"
            );
        }
        run(&mut m, 1, &["set", "k", "9223372036854775807"]);
        assert_eq!(
            run(&mut m, 1, &["incr", "k"]),
            err("ERR increment or decrement would overflow")
        );
        assert_eq!(
            value(&m, "k", 1).as_deref(),
            Some(&b"9223372036854775807"[..])
        );
    }
}
