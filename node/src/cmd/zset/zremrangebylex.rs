//! ZREMRANGEBYLEX: removes members in a sorted set within a lexicographical range. Deletes the
//! sorted set if all members were removed.
//!
//! # Format
//! ```text
//! ZREMRANGEBYLEX key min max
//! ```
//! Items as ZRANGEBYLEX's. Removes from the first member in range while members stay in
//! range, as Redis. Answers the number removed.

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;

use super::{modify, parse_lex_range};

pub const SPEC: Spec = Spec {
    name: "zremrangebylex",
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
    parse_lex_range(&argv[2], &argv[3])?;
    Ok(argv.to_vec())
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let range = parse_lex_range(&argv[2], &argv[3])?;
    let removed = modify(ctx, &argv[1], |z| {
        let n = z.remove_lex(&range);
        (n, n > 0)
    })?;
    Ok(Reply::Int(removed.unwrap_or(0) as i64))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::resp::Reply;

    #[test]
    fn removes_lex_ranges() {
        let mut k = with("z", &[("a", 0.0), ("b", 0.0), ("c", 0.0), ("d", 0.0)]);
        k.check(100, &["zremrangebylex", "z", "(a", "[c"], Reply::Int(2));
        k.check(100, &["zrange", "z", "0", "-1"], bulks(&["a", "d"]));
        k.check(
            100,
            &["zremrangebylex", "z", "a", "b"],
            err("ERR min or max not valid string range item"),
        );
        k.run(100, &["set", "s", "v"]);
        k.check(
            100,
            &["zremrangebylex", "s", "a", "b"],
            err("ERR min or max not valid string range item"),
        );
        k.check(
            100,
            &["zremrangebylex", "s", "-", "+"],
            err("WRONGTYPE Operation against a key holding the wrong kind of value"),
        );
        k.check(100, &["zremrangebylex", "z", "-", "+"], Reply::Int(2));
        k.check(100, &["exists", "z"], Reply::Int(0));
    }
}
