//! HSETNX: sets the value of a hash field, only if the field does not exist.
//!
//! # Format
//! ```text
//! HSETNX key field value
//! ```
//! Answers 1 when the field was set, 0 when it already existed (the hash is left untouched).

use bytes::Bytes;

use crate::cmd::args::word;
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;

use super::update;

pub const SPEC: Spec = Spec {
    name: "hsetnx",
    arity: 4,
    flags: flags::WRITE | flags::DENYOOM | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Write { prepare, apply },
};

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    Ok(vec![
        word("hsetnx"),
        argv[1].clone(),
        argv[2].clone(),
        argv[3].clone(),
    ])
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
