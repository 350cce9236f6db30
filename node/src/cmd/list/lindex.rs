//! LINDEX: get an element from a list by its index.
//!
//! # Format
//! ```text
//! LINDEX key index
//! ```
//! Negative indexes count from the tail (-1 is the last element). Nil when the key does not
//! exist or the index is out of range. As in Redis the key is looked up before the index is
//! parsed, so a missing key answers nil and another type WRONGTYPE even for a bad index.
//! The element is reached from the nearer end: O(1) for either end.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, args, flags};
use crate::resp::Reply;

use super::{read_list, resolve_index};

pub const SPEC: Spec = Spec {
    name: "lindex",
    arity: 3,
    flags: flags::READONLY,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let Some(list) = read_list(ctx, &argv[1])? else {
        return Ok(Reply::Nil);
    };
    let index = args::parse_i64(&argv[2])?;
    let element = resolve_index(list.len(), index).and_then(|i| list.get(i));
    Ok(Reply::opt_bulk(element.map(Bytes::copy_from_slice)))
}

#[cfg(test)]
mod tests {
    use crate::cmd::string::testing::*;
    use crate::machine::Machine;
    use crate::resp::Reply;

    #[test]
    fn indexes_from_both_ends() {
        let mut m = Machine::new(16);
        assert_eq!(run(&mut m, 1, &["lindex", "k", "abc"]), Reply::Nil);
        run(&mut m, 1, &["rpush", "k", "a", "b", "c"]);
        assert_eq!(run(&mut m, 1, &["lindex", "k", "0"]), bulk("a"));
        assert_eq!(run(&mut m, 1, &["LINDEX", "k", "-1"]), bulk("c"));
        assert_eq!(run(&mut m, 1, &["lindex", "k", "-3"]), bulk("a"));
        for out in ["3", "-4", "9223372036854775807", "-9223372036854775808"] {
            assert_eq!(run(&mut m, 1, &["lindex", "k", out]), Reply::Nil, "{out}");
        }
        assert_eq!(
            run(&mut m, 1, &["lindex", "k", "abc"]),
            err("ERR value is not an integer or out of range")
        );
        run(&mut m, 1, &["set", "s", "v"]);
        assert_eq!(
            run(&mut m, 1, &["lindex", "s", "abc"]),
            err("WRONGTYPE Operation against a key holding the wrong kind of value")
        );
    }
}
