//! ZREM: removes one or more members from a sorted set. Deletes the sorted set if all members
//! were removed.
//!
//! # Format
//! ```text
//! ZREM key member [member ...]
//! ```
//! Answers the number of members removed (a member named twice counts once).

use bytes::Bytes;

use crate::cmd::{
    ApplyCtx, CmdError, CmdResult, Prepare, ReadCtx, Run, Spec, flags, removes_nothing,
};
use crate::resp::Reply;
use crate::store::Value;

use super::modify;

pub const SPEC: Spec = Spec {
    name: "zrem",
    arity: -3,
    flags: flags::WRITE | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: Some(unchanged),
    },
};

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    Ok(argv.to_vec())
}

/// No key, or none of the members in its sorted set.
fn unchanged(ctx: &ReadCtx<'_>, argv: &[Bytes]) -> Option<Reply> {
    removes_nothing(ctx, argv, |value, member| match value {
        Value::ZSet(z) => Some(z.score(member).is_some()),
        _ => None,
    })
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let removed = modify(ctx, &argv[1], |z| {
        let n = argv[2..].iter().filter(|m| z.remove(m).is_some()).count();
        (n, n > 0)
    })?;
    Ok(Reply::Int(removed.unwrap_or(0) as i64))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::resp::Reply;

    #[test]
    fn removes_and_deletes_the_emptied_key() {
        let mut k = with("z", &[("a", 1.0), ("b", 2.0), ("c", 3.0)]);
        k.check(100, &["zrem", "z", "b", "x", "b"], Reply::Int(1));
        k.check(100, &["zrange", "z", "0", "-1"], bulks(&["a", "c"]));
        k.check(100, &["zrem", "z", "a", "c"], Reply::Int(2));
        k.check(100, &["exists", "z"], Reply::Int(0));
        k.check(100, &["zrem", "nokey", "a"], Reply::Int(0));
        k.run(100, &["set", "s", "v"]);
        k.check(
            100,
            &["zrem", "s", "a"],
            err("WRONGTYPE Operation against a key holding the wrong kind of value"),
        );
        k.check(
            100,
            &["zrem", "z"],
            err("ERR wrong number of arguments for 'zrem' command"),
        );
    }

    #[test]
    fn removes_from_a_skiplist() {
        let names: Vec<String> = (0..300).map(|i| format!("m{i}")).collect();
        let many: Vec<(&str, f64)> = names.iter().map(|n| (n.as_str(), 1.0)).collect();
        let mut k = with("z", &many);
        let mut a = vec!["zrem", "z"];
        a.extend(names.iter().take(299).map(String::as_str));
        k.check(100, &a, Reply::Int(299));
        k.check(100, &["zcard", "z"], Reply::Int(1));
        k.check(100, &["zrange", "z", "0", "-1"], bulks(&["m299"]));
        assert_eq!(encoding(&mut k, "z"), Reply::text("skiplist"));
    }
}
