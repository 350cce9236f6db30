//! INCRBY: increments the integer value of a key by a number, from 0 when the key does not
//! exist.
//!
//! # Format
//! ```text
//! INCRBY key increment
//! ```
//! Answers the new value. The key keeps its TTL.

use bytes::Bytes;

use crate::cmd::args::{self, word};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};

use super::incr_by;

pub const SPEC: Spec = Spec {
    name: "incrby",
    arity: 3,
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
    args::parse_i64(&argv[2])?;
    Ok(vec![word("incrby"), argv[1].clone(), argv[2].clone()])
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let delta = args::parse_i64(&argv[2])?;
    incr_by(ctx, &argv[1], delta)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::machine::Machine;

    #[test]
    fn refuses_non_integer_increments() {
        for bad in ["abc", "1.5", "", " 1", "9223372036854775808"] {
            assert_eq!(
                prep_err(&["incrby", "k", bad]),
                "ERR value is not an integer or out of range",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn adds_with_overflow_checks() {
        let mut m = Machine::new(16);
        assert_eq!(run(&mut m, 1, &["incrby", "k", "10"]), int(10));
        assert_eq!(run(&mut m, 1, &["INCRBY", "k", "-25"]), int(-15));
        assert_eq!(
            run(&mut m, 1, &["incrby", "z", "-9223372036854775808"]),
            int(i64::MIN)
        );
        assert_eq!(
            run(&mut m, 1, &["incrby", "z", "-1"]),
            err("ERR increment or decrement would overflow")
        );
        assert_eq!(
            run(&mut m, 1, &["incrby", "z", "9223372036854775807"]),
            int(-1)
        );
        run(&mut m, 1, &["set", "m", "1"]);
        assert_eq!(
            run(&mut m, 1, &["incrby", "m", "9223372036854775807"]),
            err("ERR increment or decrement would overflow")
        );
    }
}
