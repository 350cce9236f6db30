//! ZRANDMEMBER: returns one or more random members from a sorted set.
//!
//! # Format
//! ```text
//! ZRANDMEMBER key [count [WITHSCORES]]
//! ```
//! A positive count answers distinct members (the whole set, from the highest score down, when
//! the count reaches its size, as Redis 7.0); a negative one answers that many picks that may
//! repeat. WITHSCORES pairs are nested in RESP3. Picks come from the read's seeded generator.
//!
//! Deviation: Redis streams any number of repeated picks (`-9223372036854775807` ties the
//! server up for good); here a negative count beyond 4194304 picks answers
//! "ERR value is out of range" rather than building an unbounded reply.

use bytes::Bytes;
use rand::Rng;

use crate::cmd::args::{is, strict_i64};
use crate::cmd::{CmdError, CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;
use crate::store::{PACK_MAX_ENTRIES, ZSet};

use super::{elements_reply, lookup, member_reply};

pub const SPEC: Spec = Spec {
    name: "zrandmember",
    arity: -2,
    flags: flags::READONLY,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

/// The most repeated picks one reply may hold.
const MAX_PICKS: u64 = 1 << 22;

/// Parses `[count [WITHSCORES]]`.
fn parse(argv: &[Bytes]) -> Result<Option<(i64, bool)>, CmdError> {
    let Some(arg) = argv.get(2) else {
        return Ok(None);
    };
    let count = strict_i64(arg).ok_or(CmdError::NotInteger)?;
    if count == i64::MIN {
        return Err(CmdError::other(
            "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
        ));
    }
    let withscores = match argv.get(3) {
        None => false,
        Some(w) if argv.len() == 4 && is(w, "WITHSCORES") => true,
        Some(_) => return Err(CmdError::Syntax),
    };
    if withscores && !(-i64::MAX / 2..=i64::MAX / 2).contains(&count) {
        return Err(CmdError::other("ERR value is out of range"));
    }
    Ok(Some((count, withscores)))
}

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let parsed = parse(argv)?;
    let z = lookup(ctx, &argv[1])?;
    let mut rng = ctx.rng();
    let Some((count, withscores)) = parsed else {
        return Ok(match z {
            Some(z) if !z.is_empty() => {
                let rank = rng.random_range(0..z.len());
                z.get(rank).map_or(Reply::Nil, |(m, _)| member_reply(m))
            }
            _ => Reply::Nil,
        });
    };
    let Some(z) = z else {
        return Ok(Reply::Array(Vec::new()));
    };
    let size = z.len();
    let picks = count.unsigned_abs();
    if picks == 0 || size == 0 {
        return Ok(Reply::Array(Vec::new()));
    }
    // A listpack is walked once; a skiplist finds each rank in O(log n).
    let packed: Option<Vec<(&[u8], f64)>> = (size <= PACK_MAX_ENTRIES).then(|| z.iter().collect());
    let at = |rank: usize| -> (&[u8], f64) {
        match &packed {
            Some(items) => items[rank],
            None => z.get(rank).unwrap_or((&[], 0.0)),
        }
    };
    if count < 0 || picks == 1 {
        if picks > MAX_PICKS {
            return Err(CmdError::other("ERR value is out of range"));
        }
        let chosen: Vec<(&[u8], f64)> = (0..picks).map(|_| at(rng.random_range(0..size))).collect();
        return Ok(elements_reply(chosen, withscores));
    }
    if picks >= size as u64 {
        return Ok(elements_reply(z.range(0, size, true), withscores));
    }
    Ok(elements_reply(
        distinct(z, picks as usize, &mut rng, at),
        withscores,
    ))
}

/// `count` distinct random elements of `z` (count < size), in random order.
fn distinct<'z>(
    z: &'z ZSet,
    count: usize,
    rng: &mut impl Rng,
    at: impl Fn(usize) -> (&'z [u8], f64),
) -> Vec<(&'z [u8], f64)> {
    let size = z.len();
    if count * 3 > size {
        // Most of the set: a partial Fisher-Yates shuffle of the ranks.
        let mut ranks: Vec<usize> = (0..size).collect();
        for i in 0..count {
            let j = rng.random_range(i..size);
            ranks.swap(i, j);
        }
        ranks[..count].iter().map(|&r| at(r)).collect()
    } else {
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            let r = rng.random_range(0..size);
            if seen.insert(r) {
                out.push(at(r));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::super::testutil::*;
    use crate::resp::Reply;

    fn names(reply: &Reply) -> Vec<String> {
        let Reply::Array(items) = reply else {
            panic!("{reply:?}")
        };
        items
            .iter()
            .map(|r| match r {
                Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn counts() {
        let items = [
            ("a", 1.0),
            ("b", 2.0),
            ("c", 3.0),
            ("d", 4.0),
            ("e", 5.0),
            ("f", 6.0),
            ("g", 7.0),
        ];
        let mut k = with("z", &items);
        // The whole set, highest first, once the count reaches the size.
        k.check(
            100,
            &["zrandmember", "z", "100"],
            bulks(&["g", "f", "e", "d", "c", "b", "a"]),
        );
        k.check(
            100,
            &["zrandmember", "z", "7", "withscores"],
            pairs(&[
                ("g", 7.0),
                ("f", 6.0),
                ("e", 5.0),
                ("d", 4.0),
                ("c", 3.0),
                ("b", 2.0),
                ("a", 1.0),
            ]),
        );
        for seed in 0..20 {
            let r = k.run_seeded(100, seed, &["zrandmember", "z", "3"]);
            let got = names(&r);
            assert_eq!(got.len(), 3);
            assert_eq!(got.iter().collect::<BTreeSet<_>>().len(), 3);
            let r = k.run_seeded(100, seed, &["zrandmember", "z", "6"]);
            assert_eq!(names(&r).iter().collect::<BTreeSet<_>>().len(), 6);
            let r = k.run_seeded(100, seed, &["zrandmember", "z", "-20"]);
            assert_eq!(names(&r).len(), 20);
        }
        // The same seed draws the same members.
        assert_eq!(
            k.run_seeded(100, 7, &["zrandmember", "z", "-5", "withscores"]),
            k.run_seeded(100, 7, &["zrandmember", "z", "-5", "withscores"])
        );
        let Reply::Pairs(p) = k.run_seeded(100, 3, &["zrandmember", "z", "-4", "withscores"])
        else {
            panic!()
        };
        assert_eq!(p.len(), 4);
        k.check(100, &["zrandmember", "z", "0"], bulks(&[]));
        let one = k.run(100, &["zrandmember", "z"]);
        assert!(matches!(one, Reply::Bulk(_)));
    }

    #[test]
    fn on_a_skiplist() {
        let names_: Vec<String> = (0..300).map(|i| format!("m{i}")).collect();
        let many: Vec<(&str, f64)> = names_.iter().map(|n| (n.as_str(), 1.0)).collect();
        let mut k = with("z", &many);
        for count in ["5", "150", "299"] {
            let got = names(&k.run_seeded(100, 1, &["zrandmember", "z", count]));
            assert_eq!(got.iter().collect::<BTreeSet<_>>().len(), got.len());
            assert_eq!(got.len().to_string(), count);
        }
        assert_eq!(names(&k.run(100, &["zrandmember", "z", "1000"])).len(), 300);
    }

    #[test]
    fn missing_key_and_errors() {
        let mut k = Kit::new();
        k.check(100, &["zrandmember", "nokey"], Reply::Nil);
        k.check(100, &["zrandmember", "nokey", "5"], bulks(&[]));
        k.check(
            100,
            &["zrandmember", "nokey", "5", "withscores"],
            bulks(&[]),
        );
        k.run(100, &["set", "s", "v"]);
        k.run(100, &["zadd", "z", "1", "a"]);
        let range = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
        for (a, e) in [
            (
                &["zrandmember", "nokey", "x"][..],
                "ERR value is not an integer or out of range",
            ),
            (
                &["zrandmember", "s", "x"],
                "ERR value is not an integer or out of range",
            ),
            (&["zrandmember", "z", "-9223372036854775808"], range),
            (
                &["zrandmember", "z", "-9223372036854775807", "withscores"],
                "ERR value is out of range",
            ),
            (
                &["zrandmember", "z", "4611686018427387904", "withscores"],
                "ERR value is out of range",
            ),
            (&["zrandmember", "z", "1", "foo"], "ERR syntax error"),
            (
                &["zrandmember", "z", "1", "withscores", "x"],
                "ERR syntax error",
            ),
            (
                &["zrandmember", "s"],
                "WRONGTYPE Operation against a key holding the wrong kind of value",
            ),
            (
                &["zrandmember", "s", "0"],
                "WRONGTYPE Operation against a key holding the wrong kind of value",
            ),
            (
                &["zrandmember", "z", "-9223372036854775807"],
                "ERR value is out of range",
            ),
        ] {
            k.check(100, a, err(e));
        }
        k.check(
            100,
            &["zrandmember", "z", "9223372036854775807"],
            bulks(&["a"]),
        );
        k.check(
            100,
            &["zrandmember", "z", "4611686018427387903", "withscores"],
            pairs(&[("a", 1.0)]),
        );
    }
}
