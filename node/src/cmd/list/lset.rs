//! LSET: set the value of an element in a list by its index.
//!
//! # Format
//! ```text
//! LSET key index element
//! ```
//! Negative indexes count from the tail. "ERR no such key" when the key does not exist,
//! "ERR index out of range" when the index is outside the list.
//!
//! Deviation: the index is checked when the command is proposed, so a non-integer index is
//! refused with "value is not an integer or out of range" before the key is looked at;
//! Redis looks the key up first and answers "no such key" (or WRONGTYPE) for a bad index on
//! a missing key (or a key of another type).

use bytes::Bytes;

use crate::cmd::args::{self, int_arg, word};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;

use super::{as_list, as_list_mut, resolve_index};

pub const SPEC: Spec = Spec {
    name: "lset",
    arity: 4,
    flags: flags::WRITE | flags::DENYOOM,
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
    let index = args::parse_i64(&argv[2])?;
    Ok(vec![
        word("lset"),
        argv[1].clone(),
        int_arg(index),
        argv[3].clone(),
    ])
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let (now, version) = (ctx.now_ms, ctx.index);
    let Some(entry) = ctx.db().get_mut(&argv[1], now) else {
        return Err(CmdError::NoSuchKey);
    };
    let len = as_list(entry)?.len();
    let index = args::parse_i64(&argv[2])?;
    let Some(i) = resolve_index(len, index) else {
        return Err(CmdError::other("ERR index out of range"));
    };
    as_list_mut(entry)?.set(i, &argv[3]);
    entry.version = version;
    Ok(Reply::OK)
}

#[cfg(test)]
mod tests {
    use crate::cmd::string::testing::*;
    use crate::machine::Machine;
    use crate::resp::Reply;

    #[test]
    fn sets_by_index() {
        let mut m = Machine::new(16);
        assert_eq!(
            prep(&["LSET", "k", "-1", "v"], 1).unwrap(),
            argv(&["lset", "k", "-1", "v"])
        );
        assert_eq!(
            prep_err(&["lset", "k", "x", "v"]),
            "ERR value is not an integer or out of range"
        );
        assert_eq!(
            run(&mut m, 1, &["lset", "k", "0", "v"]),
            err("ERR no such key")
        );
        run(&mut m, 1, &["rpush", "k", "a", "b", "c"]);
        assert_eq!(run(&mut m, 1, &["lset", "k", "0", "A"]), Reply::OK);
        assert_eq!(run(&mut m, 1, &["lset", "k", "-1", "C"]), Reply::OK);
        assert_eq!(version(&m, "k", 1), Some(m.last_applied()));
        for out in ["3", "-4", "9223372036854775807", "-9223372036854775808"] {
            assert_eq!(
                run(&mut m, 1, &["lset", "k", out, "x"]),
                err("ERR index out of range")
            );
        }
        assert_eq!(
            run(&mut m, 1, &["lrange", "k", "0", "-1"]),
            Reply::Array(vec![bulk("A"), bulk("b"), bulk("C")])
        );
        // A large value in the middle of a long list.
        for _ in 0..2000 {
            run(&mut m, 1, &["rpush", "k", "filler-element"]);
        }
        let big = "z".repeat(10_000);
        assert_eq!(run(&mut m, 1, &["lset", "k", "1000", &big]), Reply::OK);
        assert_eq!(run(&mut m, 1, &["lindex", "k", "1000"]), bulk(&big));
        assert_eq!(
            run(&mut m, 1, &["lindex", "k", "1001"]),
            bulk("filler-element")
        );
        assert_eq!(run(&mut m, 1, &["llen", "k"]), int(2003));
    }
}
