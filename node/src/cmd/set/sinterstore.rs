//! SINTERSTORE: intersect multiple sets and store the resulting set in a key.
//!
//! # Format
//! ```text
//! SINTERSTORE destination key [key ...]
//! ```
//! Answers the size of the result, stored in `destination` whatever it held before (its TTL
//! dropped); an empty result deletes `destination`. The result is built as a new set: an
//! intset when its members allow it.

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::store::Set;

use super::sinter::{all_present, intersection};
use super::{canonical, store_result, write_sets};

pub const SPEC: Spec = Spec {
    name: "sinterstore",
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
    Ok(canonical("sinterstore", argv))
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let (dst, keys) = (&argv[1], &argv[2..]);
    let now = ctx.now_ms;
    let result = {
        let sets = write_sets(ctx.db(), keys, now)?;
        match all_present(sets) {
            Some(sets) => Set::from_members(intersection(&sets)),
            None => Set::new(),
        }
    };
    Ok(store_result(ctx, dst, result))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Kit, encoding, set_reply, wrongtype};
    use crate::resp::Reply;

    #[test]
    fn stores_replaces_and_deletes() {
        let mut k = Kit::new();
        k.run(100, &["sadd", "a", "1", "2", "3", "x"]);
        k.run(100, &["sadd", "b", "2", "3", "x", "y"]);
        k.run(100, &["set", "dst", "old", "px", "1000"]);
        k.check(100, &["sinterstore", "dst", "a", "b"], Reply::Int(3));
        assert_eq!(k.expire_at(0, "dst", 100), None);
        assert_eq!(encoding(&mut k, "dst"), Reply::text("hashtable"));
        k.run(100, &["srem", "b", "x"]);
        k.check(100, &["sinterstore", "dst", "a", "b"], Reply::Int(2));
        assert_eq!(encoding(&mut k, "dst"), Reply::text("intset"));
        k.check(100, &["smembers", "dst"], set_reply(&["2", "3"]));
        k.check(100, &["sinterstore", "dst", "a", "missing"], Reply::Int(0));
        k.check(100, &["exists", "dst"], Reply::Int(0));
        // The destination may be one of the sources.
        k.check(100, &["sinterstore", "a", "a", "b"], Reply::Int(2));
        k.check(100, &["smembers", "a"], set_reply(&["2", "3"]));
        k.run(100, &["set", "str", "x"]);
        k.check(100, &["sinterstore", "dst", "missing", "str"], wrongtype());
        // A destination of another type is replaced.
        k.check(100, &["sinterstore", "str", "a"], Reply::Int(2));
        k.check(100, &["type", "str"], Reply::simple("set"));
    }
}
