//! ZREMRANGEBYSCORE: removes members in a sorted set within a range of scores. Deletes the
//! sorted set if all members were removed.
//!
//! # Format
//! ```text
//! ZREMRANGEBYSCORE key min max
//! ```
//! Bounds as ZRANGEBYSCORE's. Answers the number removed.

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;

use super::{modify, parse_score_range};

pub const SPEC: Spec = Spec {
    name: "zremrangebyscore",
    arity: 4,
    flags: flags::WRITE,
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
    parse_score_range(&argv[2], &argv[3])?;
    Ok(argv.to_vec())
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let range = parse_score_range(&argv[2], &argv[3])?;
    let removed = modify(ctx, &argv[1], |z| {
        let (lo, hi) = z.score_ranks(&range);
        let n = z.remove_ranks(lo, hi);
        (n, n > 0)
    })?;
    Ok(Reply::Int(removed.unwrap_or(0) as i64))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::resp::Reply;

    #[test]
    fn removes_scores() {
        let mut k = with("z", &[("a", 1.0), ("b", 2.0), ("c", 3.0)]);
        k.check(100, &["zremrangebyscore", "z", "-inf", "(2"], Reply::Int(1));
        k.check(100, &["zremrangebyscore", "z", "(3", "+inf"], Reply::Int(0));
        k.check(
            100,
            &["zremrangebyscore", "z", "x", "1"],
            err("ERR min or max is not a float"),
        );
        k.check(100, &["zremrangebyscore", "z", "2", "3"], Reply::Int(2));
        k.check(100, &["exists", "z"], Reply::Int(0));
    }
}
