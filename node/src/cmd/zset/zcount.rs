//! ZCOUNT: returns the count of members in a sorted set that have scores within a range.
//!
//! # Format
//! ```text
//! ZCOUNT key min max
//! ```
//! `(` makes a bound exclusive; `-inf` and `+inf` are accepted. O(log n) on a skiplist (two
//! rank lookups, as Redis).

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::{lookup, parse_score_range};

pub const SPEC: Spec = Spec {
    name: "zcount",
    arity: 4,
    flags: flags::READONLY | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let range = parse_score_range(&argv[2], &argv[3])?;
    let Some(z) = lookup(ctx, &argv[1])? else {
        return Ok(Reply::Int(0));
    };
    let (lo, hi) = z.score_ranks(&range);
    Ok(Reply::Int((hi - lo) as i64))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::resp::Reply;

    #[test]
    fn counts_ranges() {
        let items = [("a", 1.0), ("b", 2.0), ("c", 3.0), ("d", 4.0), ("e", 5.0)];
        let mut k = with("z", &items);
        k.check(100, &["zcount", "z", "-inf", "+inf"], Reply::Int(5));
        k.check(100, &["zcount", "z", "(1", "(5"], Reply::Int(3));
        k.check(100, &["zcount", "z", "2", "2"], Reply::Int(1));
        k.check(100, &["zcount", "z", "(2", "2"], Reply::Int(0));
        k.check(100, &["zcount", "z", "3", "1"], Reply::Int(0));
        k.check(100, &["zcount", "nokey", "0", "1"], Reply::Int(0));
        k.check(
            100,
            &["zcount", "z", "x", "1"],
            err("ERR min or max is not a float"),
        );
        k.run(100, &["set", "s", "v"]);
        // The range is checked before the key.
        k.check(
            100,
            &["zcount", "s", "x", "1"],
            err("ERR min or max is not a float"),
        );
        k.check(
            100,
            &["zcount", "s", "0", "1"],
            err("WRONGTYPE Operation against a key holding the wrong kind of value"),
        );
        // The same on a skiplist.
        let names: Vec<String> = (0..200).map(|i| format!("m{i:03}")).collect();
        let many: Vec<(&str, f64)> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i as f64))
            .collect();
        let mut k = with("big", &many);
        k.check(100, &["zcount", "big", "(10", "20"], Reply::Int(10));
        k.check(100, &["zcount", "big", "-inf", "(0"], Reply::Int(0));
        k.check(100, &["zcount", "big", "199", "1e400"], Reply::Int(1));
    }
}
