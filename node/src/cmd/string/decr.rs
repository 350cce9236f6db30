//! DECR: decrements the integer value of a key by one, from 0 when the key does not exist.
//!
//! # Format
//! ```text
//! DECR key
//! ```
//! Answers the new value. The key keeps its TTL.

use bytes::Bytes;

use crate::cmd::args::word;
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};

use super::incr_by;

pub const SPEC: Spec = Spec {
    name: "decr",
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
    Ok(vec![word("decr"), argv[1].clone()])
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    incr_by(ctx, &argv[1], -1)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::machine::Machine;

    #[test]
    fn counts_down() {
        let mut m = Machine::new(16);
        assert_eq!(run(&mut m, 1, &["decr", "k"]), int(-1));
        assert_eq!(run(&mut m, 1, &["DECR", "k"]), int(-2));
        run(&mut m, 1, &["set", "k", "-9223372036854775808"]);
        assert_eq!(
            run(&mut m, 1, &["decr", "k"]),
            err("ERR increment or decrement would overflow")
        );
        run(&mut m, 1, &["set", "s", "x"]);
        assert_eq!(
            run(&mut m, 1, &["decr", "s"]),
            err("ERR value is not an integer or out of range")
        );
    }
}
