//! DECRBY: decrements the integer value of a key by a number, from 0 when the key does not
//! exist.
//!
//! # Format
//! ```text
//! DECRBY key decrement
//! ```
//! Answers the new value. The key keeps its TTL. A decrement of -9223372036854775808 cannot
//! be negated and is refused with Redis's "decrement would overflow".

use bytes::Bytes;

use crate::cmd::args::{self, word};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};

use super::incr_by;

pub const SPEC: Spec = Spec {
    name: "decrby",
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

/// The increment DECRBY applies: the negated argument.
fn delta(arg: &[u8]) -> Result<i64, CmdError> {
    args::parse_i64(arg)?
        .checked_neg()
        .ok_or_else(|| CmdError::other("ERR decrement would overflow"))
}

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    delta(&argv[2])?;
    Ok(vec![word("decrby"), argv[1].clone(), argv[2].clone()])
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let delta = delta(&argv[2])?;
    incr_by(ctx, &argv[1], delta)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::machine::Machine;

    #[test]
    fn errors_match_redis() {
        assert_eq!(
            prep_err(&["decrby", "k", "-9223372036854775808"]),
            "ERR decrement would overflow"
        );
        assert_eq!(
            prep_err(&["decrby", "k", "x"]),
            "ERR value is not an integer or out of range"
        );
    }

    #[test]
    fn subtracts() {
        let mut m = Machine::new(16);
        assert_eq!(run(&mut m, 1, &["decrby", "k", "3"]), int(-3));
        assert_eq!(run(&mut m, 1, &["DECRBY", "k", "-10"]), int(7));
        assert_eq!(
            run(&mut m, 1, &["decrby", "k", "9223372036854775807"]),
            int(7 - i64::MAX)
        );
        assert_eq!(
            run(&mut m, 1, &["decrby", "k", "9223372036854775807"]),
            err("ERR increment or decrement would overflow")
        );
    }
}
