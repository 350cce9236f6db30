//! HDEL: deletes one or more hash fields.
//!
//! # Format
//! ```text
//! HDEL key field [field ...]
//! ```
//! Answers how many fields were deleted (a field named twice counts once). Deleting the last
//! field deletes the key.

use bytes::Bytes;

use crate::cmd::args::word;
use crate::cmd::{
    ApplyCtx, CmdError, CmdResult, Prepare, ReadCtx, Run, Spec, flags, removes_nothing,
};
use crate::resp::Reply;
use crate::store::Value;

use super::update;

pub const SPEC: Spec = Spec {
    name: "hdel",
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
    let mut canon = argv.to_vec();
    canon[0] = word("hdel");
    Ok(canon)
}

/// No key, or none of the fields in its hash.
fn unchanged(ctx: &ReadCtx<'_>, argv: &[Bytes]) -> Option<Reply> {
    removes_nothing(ctx, argv, |value, field| match value {
        Value::Hash(hash) => Some(hash.contains(field)),
        _ => None,
    })
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let fields = &argv[2..];
    update(ctx, &argv[1], |hash| {
        if !fields.iter().any(|f| hash.contains(f)) {
            return Ok((Reply::Int(0), false));
        }
        let hash = &mut *hash;
        let deleted = fields.iter().filter(|f| hash.remove(f)).count();
        Ok((Reply::Int(deleted as i64), true))
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn deletes_and_counts() {
        let mut k = Kit::new();
        k.check(1, &["hdel", "h", "a"], int(0));
        k.check(1, &["exists", "h"], int(0));
        k.run(1, &["hset", "h", "a", "1", "b", "2", "c", "3"]);
        k.check(1, &["hdel", "h", "a", "a", "x"], int(1));
        k.check(1, &["hgetall", "h"], map(&[("b", "2"), ("c", "3")]));
        k.check(1, &["hdel", "h", "c", "b"], int(2));
        k.check(1, &["exists", "h"], int(0));
        k.check(
            1,
            &["hdel", "h"],
            err("ERR wrong number of arguments for 'hdel' command"),
        );
    }

    #[test]
    fn a_table_emptied_is_deleted() {
        let mut k = Kit::new();
        for i in 0..130 {
            k.run(1, &["hset", "h", &format!("f{i}"), "v"]);
        }
        k.check(1, &["object", "encoding", "h"], bulk("hashtable"));
        for i in 0..129 {
            k.check(1, &["hdel", "h", &format!("f{i}")], int(1));
        }
        k.check(1, &["object", "encoding", "h"], bulk("hashtable"));
        k.check(1, &["hdel", "h", "f129"], int(1));
        k.check(1, &["exists", "h"], int(0));
        k.run(1, &["hset", "h", "a", "1"]);
        k.check(1, &["object", "encoding", "h"], bulk("listpack"));
    }
}
