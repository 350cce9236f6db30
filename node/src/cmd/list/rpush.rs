//! RPUSH: append one or multiple elements to a list (creating the key if needed).
//!
//! # Format
//! ```text
//! RPUSH key element [element ...]
//! ```
//! Answers the new length.

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};

use super::{End, logged_as, push};

pub const SPEC: Spec = Spec {
    name: "rpush",
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
    Ok(logged_as("rpush", argv))
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    push(ctx, &argv[1], &argv[2..], End::Right, false)
}

#[cfg(test)]
mod tests {
    use crate::cmd::string::testing::*;
    use crate::machine::Machine;
    use crate::resp::Reply;

    #[test]
    fn appends_and_keeps_ttl() {
        let mut m = Machine::new(16);
        assert_eq!(run(&mut m, 1, &["rpush", "k", "a", "b"]), int(2));
        assert_eq!(run(&mut m, 1, &["RPUSH", "k", "c"]), int(3));
        assert_eq!(
            run(&mut m, 1, &["lrange", "k", "0", "-1"]),
            Reply::Array(vec![bulk("a"), bulk("b"), bulk("c")])
        );
        run(&mut m, 1, &["pexpire", "k", "100"]);
        assert_eq!(run(&mut m, 50, &["rpush", "k", "d"]), int(4));
        assert_eq!(expire_at(&m, "k", 50), Some(101));
    }

    #[test]
    fn grows_past_one_chunk() {
        let mut m = Machine::new(1);
        let big = "x".repeat(1000);
        for i in 1..=50 {
            assert_eq!(run(&mut m, 1, &["rpush", "k", &big, "small"]), int(2 * i));
        }
        assert_eq!(run(&mut m, 1, &["lindex", "k", "-1"]), bulk("small"));
        assert_eq!(run(&mut m, 1, &["lindex", "k", "50"]), bulk(&big));
        assert_eq!(run(&mut m, 1, &["llen", "k"]), int(100));
    }
}
