//! BLPOP: remove and get the first element in a list, or block until one is available.
//!
//! # Format
//! ```text
//! BLPOP key [key ...] timeout
//! ```
//! Pops the head of the first of the keys holding a non-empty list and answers
//! `[key, element]`; when all are empty, waits up to `timeout` seconds (a float, 0 for ever)
//! for one to fill, clients being served in the order they blocked, then answers a nil array.
//! Inside MULTI it never waits. Logged as `blpop key... 0`: the log form only pops (see
//! [`crate::cmd::blocking`]).

use bytes::Bytes;

use crate::cmd::blocking::{Kind, logged_keys_then_timeout};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};

use super::{End, bpop};

pub const SPEC: Spec = Spec {
    name: "blpop",
    arity: -3,
    flags: flags::WRITE | flags::NOSCRIPT | flags::BLOCKING,
    first_key: 1,
    last_key: -2,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    logged_keys_then_timeout("blpop", argv, Kind::List)
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    bpop(ctx, &argv[1..argv.len() - 1], End::Left)
}

#[cfg(test)]
mod tests {
    use crate::cmd::string::testing::*;
    use crate::machine::Machine;
    use crate::resp::Reply;

    #[test]
    fn pops_like_lpop_and_never_waits_in_the_log() {
        assert_eq!(
            prep(&["BLPOP", "a", "b", "1.5"], 1).unwrap(),
            argv(&["blpop", "a", "b", "0"])
        );
        assert_eq!(prep_err(&["blpop", "a", "-1"]), "ERR timeout is negative");
        assert_eq!(
            prep_err(&["blpop", "a", "x"]),
            "ERR timeout is not a float or out of range"
        );
        let mut m = Machine::new(16);
        assert_eq!(run(&mut m, 1, &["blpop", "a", "b", "0"]), Reply::NilArray);
        run(&mut m, 1, &["rpush", "b", "1", "2"]);
        assert_eq!(
            run(&mut m, 1, &["blpop", "a", "b", "0"]),
            Reply::Array(vec![bulk("b"), bulk("1")])
        );
        assert_eq!(
            run(&mut m, 1, &["brpop", "a", "b", "0"]),
            Reply::Array(vec![bulk("b"), bulk("2")])
        );
        assert_eq!(m.store().db(0).len(), 0);
        run(&mut m, 1, &["set", "s", "v"]);
        run(&mut m, 1, &["rpush", "l", "x"]);
        assert_eq!(
            run(&mut m, 1, &["blpop", "s", "l", "0"]),
            err("WRONGTYPE Operation against a key holding the wrong kind of value")
        );
        assert_eq!(
            run(&mut m, 1, &["blpop", "l", "s", "0"]),
            Reply::Array(vec![bulk("l"), bulk("x")])
        );
    }
}
