//! LPUSHX: prepend an element to a list, only if the list exists.
//!
//! # Format
//! ```text
//! LPUSHX key element [element ...]
//! ```
//! Answers the new length, or 0 (and creates nothing) when the key does not exist.

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};

use super::{End, logged_as, push};

pub const SPEC: Spec = Spec {
    name: "lpushx",
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
    Ok(logged_as("lpushx", argv))
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    push(ctx, &argv[1], &argv[2..], End::Left, true)
}

#[cfg(test)]
mod tests {
    use crate::cmd::string::testing::*;
    use crate::machine::Machine;
    use crate::resp::Reply;

    #[test]
    fn only_pushes_onto_an_existing_list() {
        let mut m = Machine::new(16);
        assert_eq!(run(&mut m, 1, &["lpushx", "k", "a"]), int(0));
        assert_eq!(m.store().db(0).len(), 0);
        run(&mut m, 1, &["rpush", "k", "a"]);
        assert_eq!(run(&mut m, 1, &["LPUSHX", "k", "b", "c"]), int(3));
        assert_eq!(
            run(&mut m, 1, &["lrange", "k", "0", "-1"]),
            Reply::Array(vec![bulk("c"), bulk("b"), bulk("a")])
        );
    }
}
