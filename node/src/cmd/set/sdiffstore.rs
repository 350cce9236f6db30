//! SDIFFSTORE: subtract multiple sets and store the resulting set in a key.
//!
//! # Format
//! ```text
//! SDIFFSTORE destination key [key ...]
//! ```
//! Answers the size of the difference, stored in `destination` whatever it held before (its
//! TTL dropped); an empty difference deletes `destination`.

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};

use super::canonical;
use super::sunion::Op;
use super::sunionstore::apply_op;

pub const SPEC: Spec = Spec {
    name: "sdiffstore",
    arity: -3,
    flags: flags::WRITE | flags::DENYOOM,
    first_key: 1,
    last_key: -1,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

fn prepare(argv: &[Bytes], _p: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    Ok(canonical("sdiffstore", argv))
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    apply_op(ctx, argv, Op::Diff)
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Kit, encoding, set_reply, wrongtype};
    use crate::resp::Reply;

    #[test]
    fn stores_differences() {
        let mut k = Kit::new();
        k.run(100, &["sadd", "a", "1", "2", "3", "x"]);
        k.run(100, &["sadd", "b", "x"]);
        k.check(100, &["sdiffstore", "dst", "a", "b"], Reply::Int(3));
        // Built as a new set: all integers again, so an intset.
        assert_eq!(encoding(&mut k, "dst"), Reply::text("intset"));
        k.check(100, &["smembers", "dst"], set_reply(&["1", "2", "3"]));
        k.check(100, &["sdiffstore", "dst", "a", "a"], Reply::Int(0));
        k.check(100, &["exists", "dst"], Reply::Int(0));
        k.check(100, &["sdiffstore", "dst", "missing", "a"], Reply::Int(0));
        k.run(100, &["set", "str", "x"]);
        k.check(100, &["sdiffstore", "dst", "missing", "str"], wrongtype());
    }
}
