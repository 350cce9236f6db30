//! ZLEXCOUNT: returns the number of members in a sorted set within a lexicographical range.
//!
//! # Format
//! ```text
//! ZLEXCOUNT key min max
//! ```
//! Items are `-`, `+`, `[member` (inclusive) or `(member` (exclusive). Meant for sets whose
//! members all have the same score; with mixed scores the answer follows Redis's walk.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::{lookup, parse_lex_range};

pub const SPEC: Spec = Spec {
    name: "zlexcount",
    arity: 4,
    flags: flags::READONLY | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let range = parse_lex_range(&argv[2], &argv[3])?;
    let Some(z) = lookup(ctx, &argv[1])? else {
        return Ok(Reply::Int(0));
    };
    Ok(Reply::Int(z.lex_count(&range) as i64))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::resp::Reply;

    #[test]
    fn counts_lex_ranges() {
        let items = [("a", 0.0), ("b", 0.0), ("c", 0.0), ("d", 0.0), ("e", 0.0)];
        let mut k = with("z", &items);
        k.check(100, &["zlexcount", "z", "-", "+"], Reply::Int(5));
        k.check(100, &["zlexcount", "z", "(a", "[c"], Reply::Int(2));
        k.check(100, &["zlexcount", "z", "[c", "[a"], Reply::Int(0));
        k.check(100, &["zlexcount", "z", "+", "-"], Reply::Int(0));
        k.check(100, &["zlexcount", "nokey", "-", "+"], Reply::Int(0));
        k.check(
            100,
            &["zlexcount", "z", "x", "+"],
            err("ERR min or max not valid string range item"),
        );
        let names: Vec<String> = (0..300).map(|i| format!("m{i:03}")).collect();
        let many: Vec<(&str, f64)> = names.iter().map(|n| (n.as_str(), 0.0)).collect();
        let mut k = with("big", &many);
        k.check(
            100,
            &["zlexcount", "big", "[m100", "(m200"],
            Reply::Int(100),
        );
        k.check(100, &["zlexcount", "big", "-", "+"], Reply::Int(300));
        k.check(100, &["zlexcount", "big", "(m299", "+"], Reply::Int(0));
    }
}
