//! RPOPLPUSH: remove the last element in a list, prepend it to another list and return it.
//!
//! # Format
//! ```text
//! RPOPLPUSH source destination
//! ```
//! The same as `LMOVE source destination RIGHT LEFT`.

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};

use super::{End, logged_as};

pub const SPEC: Spec = Spec {
    name: "rpoplpush",
    arity: 3,
    flags: flags::WRITE | flags::DENYOOM,
    first_key: 1,
    last_key: 2,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    Ok(logged_as("rpoplpush", argv))
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    super::lmove(ctx, &argv[1], &argv[2], End::Right, End::Left)
}

#[cfg(test)]
mod tests {
    use crate::cmd::string::testing::*;
    use crate::machine::Machine;
    use crate::resp::Reply;

    #[test]
    fn moves_tail_to_head() {
        let mut m = Machine::new(16);
        assert_eq!(run(&mut m, 1, &["rpoplpush", "a", "b"]), Reply::Nil);
        run(&mut m, 1, &["rpush", "a", "1", "2"]);
        run(&mut m, 1, &["rpush", "b", "x"]);
        assert_eq!(run(&mut m, 1, &["RPOPLPUSH", "a", "b"]), bulk("2"));
        assert_eq!(
            run(&mut m, 1, &["lrange", "b", "0", "-1"]),
            Reply::Array(vec![bulk("2"), bulk("x")])
        );
        // Rotation of one list.
        assert_eq!(run(&mut m, 1, &["rpoplpush", "b", "b"]), bulk("x"));
        assert_eq!(
            run(&mut m, 1, &["lrange", "b", "0", "-1"]),
            Reply::Array(vec![bulk("x"), bulk("2")])
        );
    }
}
