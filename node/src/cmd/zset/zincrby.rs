//! ZINCRBY: increments the score of a member in a sorted set.
//!
//! # Format
//! ```text
//! ZINCRBY key increment member
//! ```
//! Answers the new score; a member that was absent starts from 0. An increment that makes the
//! score NaN (inf + -inf) is refused. Logged as the client's argv.

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};

use super::zadd::ZAdd;

pub const SPEC: Spec = Spec {
    name: "zincrby",
    arity: 4,
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
    ZAdd::parse(argv, true)?;
    Ok(argv.to_vec())
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    ZAdd::parse(argv, true)?.run(ctx)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::resp::Reply;

    #[test]
    fn increments_and_creates() {
        let mut k = Kit::new();
        k.check(100, &["zincrby", "z", "2", "a"], d(2.0));
        k.check(100, &["zincrby", "z", "-0.5", "a"], d(1.5));
        k.check(100, &["zincrby", "z", "inf", "a"], d(f64::INFINITY));
        k.check(
            100,
            &["zincrby", "z", "-inf", "a"],
            err("ERR resulting score is not a number (NaN)"),
        );
        k.check(
            100,
            &["zincrby", "z", "x", "a"],
            err("ERR value is not a valid float"),
        );
        k.check(
            100,
            &["zincrby", "z", "1"],
            err("ERR wrong number of arguments for 'zincrby' command"),
        );
        k.run(100, &["set", "s", "v"]);
        k.check(
            100,
            &["zincrby", "s", "1", "a"],
            err("WRONGTYPE Operation against a key holding the wrong kind of value"),
        );
        // The member is taken literally, even when it reads like an option.
        k.check(100, &["zincrby", "z", "1", "nx"], d(1.0));
        k.check(100, &["zcard", "z"], Reply::Int(2));
    }
}
