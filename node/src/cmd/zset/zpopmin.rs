//! ZPOPMIN: returns the lowest-scoring members from a sorted set after removing them. Deletes
//! the sorted set if the last member was popped.
//!
//! # Format
//! ```text
//! ZPOPMIN key [count]
//! ```
//! Without a count, answers one flat [member, score]; with one, [member, score] pairs (nested
//! in RESP3), as Redis 7.0. A count of 0, or a missing key, answers an empty array.

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};

use super::{zpop_apply, zpop_count};

pub const SPEC: Spec = Spec {
    name: "zpopmin",
    arity: -2,
    flags: flags::WRITE | flags::FAST,
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
    zpop_count(argv)?;
    Ok(argv.to_vec())
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    zpop_apply(ctx, argv, false)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::resp::{Protocol, Reply};

    #[test]
    fn pops_from_the_bottom() {
        let mut k = with("z", &[("a", 1.0), ("b", 2.0), ("c", 3.0)]);
        let one = k.run(100, &["zpopmin", "z"]);
        assert_eq!(one, Reply::Array(vec![Reply::text("a"), d(1.0)]));
        assert_eq!(one.to_bytes(Protocol::Resp3), "*2\r\n$1\r\na\r\n,1\r\n");
        let counted = k.run(100, &["zpopmin", "z", "1"]);
        assert_eq!(counted, pairs(&[("b", 2.0)]));
        assert_eq!(
            counted.to_bytes(Protocol::Resp3),
            "*1\r\n*2\r\n$1\r\nb\r\n,2\r\n"
        );
        assert_eq!(
            counted.to_bytes(Protocol::Resp2),
            "*2\r\n$1\r\nb\r\n$1\r\n2\r\n"
        );
        k.check(100, &["zpopmin", "z", "0"], pairs(&[]));
        k.check(100, &["zpopmin", "z", "10"], pairs(&[("c", 3.0)]));
        k.check(100, &["exists", "z"], Reply::Int(0));
        k.check(100, &["zpopmin", "z"], Reply::Array(vec![]));
        k.check(100, &["zpopmin", "z", "2"], pairs(&[]));
    }

    #[test]
    fn errors() {
        let mut k = Kit::new();
        k.run(100, &["set", "s", "v"]);
        let wrongtype = "WRONGTYPE Operation against a key holding the wrong kind of value";
        for (a, e) in [
            (
                &["zpopmin", "z", "-1"][..],
                "ERR value is out of range, must be positive",
            ),
            (
                &["zpopmin", "z", "x"],
                "ERR value is out of range, must be positive",
            ),
            (
                &["zpopmin", "s", "-1"],
                "ERR value is out of range, must be positive",
            ),
            (&["zpopmin", "z", "1", "2"], "ERR syntax error"),
            (&["zpopmin", "s"], wrongtype),
            // The type is checked before a zero count answers.
            (&["zpopmin", "s", "0"], wrongtype),
        ] {
            k.check(100, a, err(e));
        }
    }
}
