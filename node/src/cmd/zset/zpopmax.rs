//! ZPOPMAX: returns the highest-scoring members from a sorted set after removing them. Deletes
//! the sorted set if the last member was popped.
//!
//! # Format
//! ```text
//! ZPOPMAX key [count]
//! ```
//! Without a count, answers one flat [member, score]; with one, [member, score] pairs (nested
//! in RESP3), as Redis 7.0. A count of 0, or a missing key, answers an empty array.

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};

use super::{zpop_apply, zpop_count};

pub const SPEC: Spec = Spec {
    name: "zpopmax",
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
    zpop_apply(ctx, argv, true)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::resp::Reply;

    #[test]
    fn pops_from_the_top() {
        let mut k = with("z", &[("a", 1.0), ("b", 2.0), ("c", 3.0)]);
        k.check(
            100,
            &["zpopmax", "z"],
            Reply::Array(vec![Reply::text("c"), d(3.0)]),
        );
        k.check(
            100,
            &["zpopmax", "z", "5"],
            pairs(&[("b", 2.0), ("a", 1.0)]),
        );
        k.check(100, &["exists", "z"], Reply::Int(0));
    }
}
