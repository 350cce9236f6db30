//! HSETNX: sets the value of a hash field, only if the field does not exist.
//!
//! # Format
//! ```text
//! HSETNX key field value
//! ```
//! Answers 1 when the field was set, 0 when it already existed (the hash is left untouched).

use bytes::Bytes;

use crate::cmd::args::word;
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;
use crate::store::Value;

use super::update;

pub const SPEC: Spec = Spec {
    name: "hsetnx",
    arity: 4,
    flags: flags::WRITE | flags::DENYOOM | flags::FAST,
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
    Ok(vec![
        word("hsetnx"),
        argv[1].clone(),
        argv[2].clone(),
        argv[3].clone(),
    ])
}

/// The field is set already.
fn unchanged(ctx: &ReadCtx<'_>, argv: &[Bytes]) -> Option<Reply> {
    if argv.len() != 4 {
        return None;
    }
    let Value::Hash(hash) = &ctx.db().get_untouched(&argv[1], ctx.now_ms)??.value else {
        return None;
    };
    hash.contains(&argv[2]).then_some(Reply::Int(0))
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let (field, value) = (&argv[2], &argv[3]);
    update(ctx, &argv[1], |hash| {
        if hash.contains(field) {
            return Ok((Reply::Int(0), false));
        }
        hash.insert(field, value);
        Ok((Reply::Int(1), true))
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn sets_only_new_fields() {
        let mut k = Kit::new();
        k.check(1, &["hsetnx", "h", "a", "1"], int(1));
        k.check(1, &["hsetnx", "h", "a", "2"], int(0));
        k.check(1, &["hget", "h", "a"], bulk("1"));
        // A long value for an existing field is not set, so the hash stays compact.
        let long = "v".repeat(100);
        k.check(1, &["hsetnx", "h", "a", &long], int(0));
        k.check(1, &["object", "encoding", "h"], bulk("listpack"));
        k.check(1, &["hsetnx", "h", "b", &long], int(1));
        k.check(1, &["object", "encoding", "h"], bulk("hashtable"));
        k.check(
            1,
            &["hsetnx", "h", "a"],
            err("ERR wrong number of arguments for 'hsetnx' command"),
        );
    }
}
