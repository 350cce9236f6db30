//! STRLEN: returns the length of a string value.
//!
//! # Format
//! ```text
//! STRLEN key
//! ```
//! 0 when the key does not exist.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::as_str;

pub const SPEC: Spec = Spec {
    name: "strlen",
    arity: 2,
    flags: flags::READONLY | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    match ctx.db().get(&argv[1], ctx.now_ms) {
        Some(entry) => {
            let len = as_str(entry)?.len();
            ctx.hits += 1;
            Ok(Reply::Int(len as i64))
        }
        None => {
            ctx.misses += 1;
            Ok(Reply::Int(0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::machine::Machine;

    #[test]
    fn lengths() {
        let mut m = Machine::new(16);
        assert_eq!(run(&mut m, 1, &["strlen", "k"]), int(0));
        run(&mut m, 1, &["set", "k", "hello"]);
        assert_eq!(run(&mut m, 1, &["STRLEN", "k"]), int(5));
        run(&mut m, 1, &["set", "n", "-12345"]);
        assert_eq!(run(&mut m, 1, &["strlen", "n"]), int(6));
    }
}
