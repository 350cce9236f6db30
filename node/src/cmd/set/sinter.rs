//! SINTER: intersect multiple sets.
//!
//! # Format
//! ```text
//! SINTER key [key ...]
//! ```
//! A RESP3 set (an array in RESP2) of the members in every set, listed in the order of the
//! smallest set, as Redis iterates the smallest set and probes the others. A missing key is
//! an empty set, so the result is empty; every key is still type-checked, as in Redis 7.0.
//!
//! This file also holds the intersection shared by SMEMBERS' siblings SINTERCARD and
//! SINTERSTORE (Redis's `sinterGenericCommand`).

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;
use crate::store::{Set, SetMember};

use super::{members_reply, read_sets};

pub const SPEC: Spec = Spec {
    name: "sinter",
    arity: -2,
    flags: flags::READONLY,
    first_key: 1,
    last_key: -1,
    step: 1,
    run: Run::Read(read),
};

/// The sets when every key exists, or None when one is missing (an empty intersection).
pub fn all_present(sets: Vec<Option<&Set>>) -> Option<Vec<&Set>> {
    sets.into_iter().collect()
}

/// The members of every one of `sets`, in the order of the smallest (the first of the
/// smallest ones), each probed against the others.
pub fn intersection<'a>(sets: &[&'a Set]) -> impl Iterator<Item = SetMember<'a>> + 'a {
    let mut by_size = sets.to_vec();
    by_size.sort_by_key(|s| s.len());
    let smallest = by_size.first().copied();
    smallest
        .into_iter()
        .flat_map(|s| s.iter())
        .filter(move |m| {
            by_size.iter().skip(1).all(|other| {
                smallest.is_some_and(|s| std::ptr::eq(s, *other)) || other.contains_member(*m)
            })
        })
}

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let sets = read_sets(ctx, &argv[1..])?;
    Ok(match all_present(sets) {
        Some(sets) => members_reply(intersection(&sets)),
        None => Reply::Set(Vec::new()),
    })
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Kit, set_reply, sorted, wrongtype};

    #[test]
    fn intersects_in_smallest_order() {
        let mut k = Kit::new();
        k.run(100, &["sadd", "a", "1", "2", "3", "4", "x"]);
        k.run(100, &["sadd", "b", "4", "3", "2"]);
        k.run(100, &["sadd", "c", "2", "3", "4", "5", "6", "7"]);
        k.check(100, &["sinter", "a", "b", "c"], set_reply(&["2", "3", "4"]));
        k.check(100, &["sinter", "b"], set_reply(&["2", "3", "4"]));
        let all = k.run(100, &["smembers", "a"]);
        k.check(100, &["sinter", "a", "a"], all);
        assert_eq!(sorted(k.run(100, &["sinter", "a", "c"])), ["2", "3", "4"]);
        k.check(100, &["sinter", "a", "missing"], set_reply(&[]));
        assert_eq!((k.hits, k.misses), (1, 1));
    }

    #[test]
    fn every_key_is_type_checked() {
        let mut k = Kit::new();
        k.run(100, &["sadd", "a", "1"]);
        k.run(100, &["set", "str", "x"]);
        k.check(100, &["sinter", "missing", "str"], wrongtype());
        k.check(100, &["sinter", "str", "missing"], wrongtype());
        k.check(100, &["sinter", "a", "str"], wrongtype());
    }
}
