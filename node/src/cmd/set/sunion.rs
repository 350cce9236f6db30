//! SUNION: add multiple sets.
//!
//! # Format
//! ```text
//! SUNION key [key ...]
//! ```
//! A RESP3 set (an array in RESP2) of the members of any of the sets (missing keys are empty
//! sets), listed in the order of the result built as a new set: ascending when it is an
//! intset, as Redis.
//!
//! This file also holds the union and difference shared by SDIFF, SUNIONSTORE and SDIFFSTORE
//! (Redis's `sunionDiffGenericCommand`).

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::store::Set;

use super::{members_reply, read_sets};

pub const SPEC: Spec = Spec {
    name: "sunion",
    arity: -2,
    flags: flags::READONLY,
    first_key: 1,
    last_key: -1,
    step: 1,
    run: Run::Read(read),
};

/// Which combination of sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Members of any set.
    Union,
    /// Members of the first set in none of the others.
    Diff,
}

/// The union or difference of `sets` (None for a missing key) as a new set, built as Redis
/// builds it: an intset while the members allow it.
pub fn combine(sets: &[Option<&Set>], op: Op) -> Set {
    match op {
        Op::Union => Set::from_members(sets.iter().flatten().flat_map(|s| s.iter())),
        Op::Diff => match sets.split_first() {
            Some((Some(first), others)) => Set::from_members(first.iter().filter(|m| {
                others
                    .iter()
                    .flatten()
                    .all(|other| !other.contains_member(*m))
            })),
            _ => Set::new(),
        },
    }
}

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let sets = read_sets(ctx, &argv[1..])?;
    Ok(members_reply(combine(&sets, Op::Union).iter()))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Kit, set_reply, sorted, wrongtype};

    #[test]
    fn unions() {
        let mut k = Kit::new();
        k.run(100, &["sadd", "a", "3", "1"]);
        k.run(100, &["sadd", "b", "2", "3"]);
        k.check(
            100,
            &["sunion", "a", "b", "missing"],
            set_reply(&["1", "2", "3"]),
        );
        assert_eq!((k.hits, k.misses), (2, 1));
        k.run(100, &["sadd", "c", "x"]);
        assert_eq!(sorted(k.run(100, &["sunion", "a", "c"])), ["1", "3", "x"]);
        k.check(100, &["sunion", "missing"], set_reply(&[]));
        k.run(100, &["set", "str", "x"]);
        k.check(100, &["sunion", "missing", "str"], wrongtype());
    }
}
