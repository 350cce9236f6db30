//! LLEN: get the length of a list.
//!
//! # Format
//! ```text
//! LLEN key
//! ```
//! 0 when the key does not exist. O(1): the list keeps its length.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::read_list;

pub const SPEC: Spec = Spec {
    name: "llen",
    arity: 2,
    flags: flags::READONLY | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let len = read_list(ctx, &argv[1])?.map_or(0, |l| l.len());
    Ok(Reply::Int(len as i64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::string::testing::*;
    use crate::machine::Machine;

    #[test]
    fn length_and_lookup_stats() {
        let mut m = Machine::new(16);
        assert_eq!(run(&mut m, 1, &["llen", "k"]), int(0));
        run(&mut m, 1, &["rpush", "k", "a", "b"]);
        assert_eq!(run(&mut m, 1, &["LLEN", "k"]), int(2));
        let (_, hits, misses) = m.read(read, 0, &argv(&["llen", "k"]), 1, 0);
        assert_eq!((hits, misses), (1, 0));
        let (_, hits, misses) = m.read(read, 0, &argv(&["llen", "x"]), 1, 0);
        assert_eq!((hits, misses), (0, 1));
    }
}
