//! SUNIONSTORE: add multiple sets and store the resulting set in a key.
//!
//! # Format
//! ```text
//! SUNIONSTORE destination key [key ...]
//! ```
//! Answers the size of the union, stored in `destination` whatever it held before (its TTL
//! dropped); an empty union deletes `destination`.

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};

use super::sunion::{Op, combine};
use super::{canonical, store_result, write_sets};

pub const SPEC: Spec = Spec {
    name: "sunionstore",
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
    Ok(canonical("sunionstore", argv))
}

/// Applies SUNIONSTORE or SDIFFSTORE.
pub(super) fn apply_op(ctx: &mut ApplyCtx<'_>, argv: &[Bytes], op: Op) -> CmdResult {
    let (dst, keys) = (&argv[1], &argv[2..]);
    let now = ctx.now_ms;
    let result = combine(&write_sets(ctx.db(), keys, now)?, op);
    Ok(store_result(ctx, dst, result))
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    apply_op(ctx, argv, Op::Union)
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Kit, encoding, set_reply, wrongtype};
    use crate::resp::Reply;

    #[test]
    fn stores_unions() {
        let mut k = Kit::new();
        k.run(100, &["sadd", "a", "1", "2"]);
        k.run(100, &["sadd", "b", "2", "3"]);
        k.check(
            100,
            &["sunionstore", "dst", "a", "b", "missing"],
            Reply::Int(3),
        );
        k.check(100, &["smembers", "dst"], set_reply(&["1", "2", "3"]));
        assert_eq!(encoding(&mut k, "dst"), Reply::text("intset"));
        k.check(100, &["sunionstore", "dst", "missing"], Reply::Int(0));
        k.check(100, &["exists", "dst"], Reply::Int(0));
        k.check(100, &["sunionstore", "a", "a", "b"], Reply::Int(3));
        k.run(100, &["set", "str", "x"]);
        k.check(100, &["sunionstore", "dst", "a", "str"], wrongtype());
        k.check(100, &["exists", "dst"], Reply::Int(0));
    }
}
