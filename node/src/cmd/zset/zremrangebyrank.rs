//! ZREMRANGEBYRANK: removes members in a sorted set within a range of indexes. Deletes the
//! sorted set if all members were removed.
//!
//! # Format
//! ```text
//! ZREMRANGEBYRANK key start stop
//! ```
//! Indexes as ZRANGE's (negative from the end, both inclusive). Answers the number removed.

use bytes::Bytes;

use crate::cmd::args::parse_i64;
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;

use super::modify;
use super::range::rank_window;

pub const SPEC: Spec = Spec {
    name: "zremrangebyrank",
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

fn parse(argv: &[Bytes]) -> Result<(i64, i64), CmdError> {
    Ok((parse_i64(&argv[2])?, parse_i64(&argv[3])?))
}

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    parse(argv)?;
    Ok(argv.to_vec())
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let (start, end) = parse(argv)?;
    let removed = modify(ctx, &argv[1], |z| match rank_window(start, end, z.len()) {
        Some((from, to)) => (z.remove_ranks(from, to + 1), true),
        None => (0, false),
    })?;
    Ok(Reply::Int(removed.unwrap_or(0) as i64))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::resp::Reply;

    #[test]
    fn removes_ranks() {
        let mut k = with("z", &[("a", 1.0), ("b", 2.0), ("c", 3.0)]);
        k.check(100, &["zremrangebyrank", "z", "5", "10"], Reply::Int(0));
        k.check(100, &["zremrangebyrank", "z", "1", "0"], Reply::Int(0));
        k.check(100, &["zremrangebyrank", "z", "-100", "-3"], Reply::Int(1));
        k.check(100, &["zrange", "z", "0", "-1"], bulks(&["b", "c"]));
        k.check(100, &["zremrangebyrank", "z", "0", "-1"], Reply::Int(2));
        k.check(100, &["exists", "z"], Reply::Int(0));
        k.check(100, &["zremrangebyrank", "nokey", "0", "1"], Reply::Int(0));
        k.check(
            100,
            &["zremrangebyrank", "z", "x", "1"],
            err("ERR value is not an integer or out of range"),
        );
        k.run(100, &["set", "s", "v"]);
        k.check(
            100,
            &["zremrangebyrank", "s", "x", "1"],
            err("ERR value is not an integer or out of range"),
        );
        k.check(
            100,
            &["zremrangebyrank", "s", "0", "1"],
            err("WRONGTYPE Operation against a key holding the wrong kind of value"),
        );
    }

    #[test]
    fn on_a_skiplist() {
        let names: Vec<String> = (0..300).map(|i| format!("m{i:03}")).collect();
        let many: Vec<(&str, f64)> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i as f64))
            .collect();
        let mut k = with("z", &many);
        k.check(100, &["zremrangebyrank", "z", "10", "-11"], Reply::Int(280));
        k.check(100, &["zrange", "z", "9", "10"], bulks(&["m009", "m290"]));
    }
}
