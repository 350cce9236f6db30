//! LPUSH: prepend one or multiple elements to a list (creating the key if needed).
//!
//! # Format
//! ```text
//! LPUSH key element [element ...]
//! ```
//! Elements are pushed one after the other, so the last one ends up first. Answers the new
//! length.

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};

use super::{End, logged_as, push};

pub const SPEC: Spec = Spec {
    name: "lpush",
    arity: -3,
    flags: flags::WRITE | flags::DENYOOM | flags::FAST,
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
    Ok(logged_as("lpush", argv))
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    push(ctx, &argv[1], &argv[2..], End::Left, false)
}

#[cfg(test)]
mod tests {
    use crate::cmd::string::testing::*;
    use crate::machine::Machine;
    use crate::resp::Reply;

    #[test]
    fn prepends_in_argument_order() {
        let mut m = Machine::new(16);
        assert_eq!(
            prep(&["LPUSH", "k", "a", "b"], 1).unwrap(),
            argv(&["lpush", "k", "a", "b"])
        );
        assert_eq!(run(&mut m, 1, &["lpush", "k", "a", "b", "c"]), int(3));
        assert_eq!(run(&mut m, 1, &["LPUSH", "k", "d"]), int(4));
        assert_eq!(version(&m, "k", 1), Some(m.last_applied()));
        assert_eq!(
            run(&mut m, 1, &["lrange", "k", "0", "-1"]),
            Reply::Array(vec![bulk("d"), bulk("c"), bulk("b"), bulk("a")])
        );
        assert_eq!(
            run(&mut m, 1, &["lpush", "k"]),
            err("ERR wrong number of arguments for 'lpush' command")
        );
    }

    #[test]
    fn replaces_an_expired_key_and_refuses_other_types() {
        let mut m = Machine::new(16);
        run(&mut m, 1, &["rpush", "k", "old"]);
        run(&mut m, 1, &["pexpire", "k", "10"]);
        assert_eq!(run(&mut m, 100, &["lpush", "k", "new"]), int(1));
        assert_eq!(expire_at(&m, "k", 100), None);
        run(&mut m, 100, &["set", "s", "v"]);
        assert_eq!(
            run(&mut m, 100, &["lpush", "s", "a"]),
            err("WRONGTYPE Operation against a key holding the wrong kind of value")
        );
    }
}
