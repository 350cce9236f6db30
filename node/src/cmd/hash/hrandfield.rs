//! HRANDFIELD: get one or multiple random fields from a hash.
//!
//! # Format
//! ```text
//! HRANDFIELD key [count [WITHVALUES]]
//! ```
//! Without count: a field, or nil for a missing key. With a positive count: up to `count`
//! distinct fields (the whole hash, in its order, when `count` reaches its size). With a
//! negative count: `-count` fields drawn independently, so possibly repeated. WITHVALUES
//! pairs each field with its value: a flat array in RESP2, an array of [field, value] pairs
//! in RESP3, as Redis. Draws come from the read's PRNG: uniform over a compact hash, close to
//! uniform over a table (see [`crate::store::Hash::pick`]).
//!
//! Deviation from Redis: a negative count asking for more than 4194304 fields is refused
//! with an error (Redis streams any number of them), so one command cannot make the server
//! build an unbounded reply.

use std::collections::BTreeSet;

use bytes::Bytes;
use rand::Rng as _;

use crate::cmd::args::{is, strict_i64};
use crate::cmd::{CmdError, CmdResult, ReadCtx, Rng, Run, Spec, flags};
use crate::resp::Reply;
use crate::store::Hash;

use super::{copy_bulk, read_hash};

pub const SPEC: Spec = Spec {
    name: "hrandfield",
    arity: -2,
    flags: flags::READONLY,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

/// The most fields a negative count may ask for.
pub const MAX_REPEATED: u64 = 1 << 22;

/// A parsed HRANDFIELD.
#[derive(Debug, PartialEq, Eq)]
pub struct HRandField<'a> {
    pub key: &'a Bytes,
    pub count: Option<Count>,
    pub with_values: bool,
}

/// What a count asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// Up to this many distinct fields.
    Distinct(u64),
    /// Exactly this many independent draws.
    Repeated(u64),
}

impl<'a> HRandField<'a> {
    /// Parses the count and option in Redis's order: the count as an integer within
    /// [-LONG_MAX, LONG_MAX], then the option, then (WITHVALUES only) the count within
    /// ±LONG_MAX/2 — all before the key is looked up.
    pub fn parse(argv: &'a [Bytes]) -> Result<HRandField<'a>, CmdError> {
        let mut cmd = HRandField {
            key: &argv[1],
            count: None,
            with_values: false,
        };
        let Some(count) = argv.get(2) else {
            return Ok(cmd);
        };
        let n = strict_i64(count).ok_or(CmdError::NotInteger)?;
        if n == i64::MIN {
            return Err(CmdError::other(
                "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
            ));
        }
        match &argv[3..] {
            [] => {}
            [opt] if is(opt, "WITHVALUES") => {
                cmd.with_values = true;
                if !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&n) {
                    return Err(CmdError::other("ERR value is out of range"));
                }
            }
            _ => return Err(CmdError::Syntax),
        }
        cmd.count = Some(if n >= 0 {
            Count::Distinct(n.unsigned_abs())
        } else {
            Count::Repeated(n.unsigned_abs())
        });
        Ok(cmd)
    }
}

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let cmd = HRandField::parse(argv)?;
    let hash = read_hash(ctx, cmd.key)?;
    let mut rng = ctx.rng();
    let Some(hash) = hash.filter(|h| !h.is_empty()) else {
        return Ok(match cmd.count {
            None => Reply::Nil,
            Some(_) => Reply::Array(Vec::new()),
        });
    };
    let picked = match cmd.count {
        None => {
            let field = hash.pick(rng.random()).map(|(f, _)| f);
            return Ok(field.map_or(Reply::Nil, copy_bulk));
        }
        Some(Count::Distinct(0) | Count::Repeated(0)) => Vec::new(),
        Some(Count::Repeated(n)) => {
            if n > MAX_REPEATED {
                return Err(CmdError::other(format!(
                    "ERR count is out of range, HRANDFIELD returns at most {MAX_REPEATED} fields"
                )));
            }
            repeated(hash, n as usize, &mut rng)
        }
        Some(Count::Distinct(n)) => distinct(hash, n, &mut rng),
    };
    Ok(if cmd.with_values {
        Reply::Pairs(
            picked
                .into_iter()
                .map(|(f, v)| (copy_bulk(f), copy_bulk(v)))
                .collect(),
        )
    } else {
        Reply::Array(picked.into_iter().map(|(f, _)| copy_bulk(f)).collect())
    })
}

/// `n` independent uniform draws: by index over the fields gathered once when that is
/// cheaper than `n` picks (a compact hash, or many draws), else by [`Hash::pick`].
fn repeated<'h>(hash: &'h Hash, n: usize, rng: &mut Rng) -> Vec<(&'h [u8], &'h [u8])> {
    let len = hash.len();
    if hash.is_packed() || len <= n.saturating_mul(16) {
        let all: Vec<_> = hash.iter().collect();
        (0..n)
            .map(|_| all[rng.random_range(0..all.len())])
            .collect()
    } else {
        (0..n).filter_map(|_| hash.pick(rng.random())).collect()
    }
}

/// Up to `n` distinct fields, in the hash's order: all of them when `n` reaches the size; a
/// uniform sample of indexes when the hash is compact or `n` is a third of it or more (as
/// Redis's "CASE 3"); else distinct picks (Redis's "CASE 4").
fn distinct<'h>(hash: &'h Hash, n: u64, rng: &mut Rng) -> Vec<(&'h [u8], &'h [u8])> {
    let len = hash.len();
    if n >= len as u64 {
        return hash.iter().collect();
    }
    let n = n as usize;
    if hash.is_packed() || n.saturating_mul(3) > len {
        let mut chosen = rand::seq::index::sample(rng, len, n).into_vec();
        chosen.sort_unstable();
        let mut chosen = chosen.into_iter().peekable();
        return hash
            .iter()
            .enumerate()
            .filter(|(i, _)| chosen.next_if_eq(i).is_some())
            .map(|(_, pair)| pair)
            .collect();
    }
    let mut seen = BTreeSet::new();
    let mut picked = Vec::with_capacity(n);
    // Picks are close to uniform, so this ends after about n × 1.2 draws; the bound only
    // guards the loop.
    for _ in 0..n.saturating_mul(64) {
        if picked.len() == n {
            break;
        }
        if let Some((f, v)) = hash.pick(rng.random())
            && seen.insert(f)
        {
            picked.push((f, v));
        }
    }
    picked
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::super::testing::*;
    use super::*;
    use crate::resp::Protocol;

    #[test]
    fn parse_errors_in_redis_order() {
        let parse = |a: &[&str]| {
            let a = argv(a);
            HRandField::parse(&a)
                .map(|c| (c.count, c.with_values))
                .map_err(|e| e.to_string())
        };
        assert_eq!(parse(&["hrandfield", "k"]), Ok((None, false)));
        assert_eq!(
            parse(&["hrandfield", "k", "-3", "withValues"]),
            Ok((Some(Count::Repeated(3)), true))
        );
        assert_eq!(
            parse(&["hrandfield", "k", "-9223372036854775807"]),
            Ok((Some(Count::Repeated(i64::MAX as u64)), false))
        );
        assert_eq!(
            parse(&["hrandfield", "k", "x"]),
            Err("ERR value is not an integer or out of range".into())
        );
        assert_eq!(
            parse(&["hrandfield", "k", "-9223372036854775808"]),
            Err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807".into())
        );
        assert_eq!(
            parse(&["hrandfield", "k", "1", "foo"]),
            Err("ERR syntax error".into())
        );
        assert_eq!(
            parse(&["hrandfield", "k", "1", "withvalues", "x"]),
            Err("ERR syntax error".into())
        );
        assert_eq!(
            parse(&["hrandfield", "k", "4611686018427387904", "withvalues"]),
            Err("ERR value is out of range".into())
        );
        assert_eq!(
            parse(&["hrandfield", "k", "-4611686018427387904", "withvalues"]),
            Err("ERR value is out of range".into())
        );
        assert_eq!(
            parse(&["hrandfield", "k", "-4611686018427387903", "withvalues"]),
            Ok((Some(Count::Repeated(4611686018427387903)), true))
        );
    }

    #[test]
    fn missing_key_and_zero() {
        let mut k = Kit::new();
        k.check(1, &["hrandfield", "h"], Reply::Nil);
        k.check(1, &["hrandfield", "h", "3"], bulks(&[]));
        k.check(1, &["hrandfield", "h", "-3", "withvalues"], bulks(&[]));
        // The count is checked before the key.
        k.check(1, &["hrandfield", "h", "1", "x"], err("ERR syntax error"));
        k.run(1, &["hset", "h", "a", "1"]);
        k.check(1, &["hrandfield", "h", "0"], bulks(&[]));
        k.check(
            1,
            &["hrandfield", "h", "0", "withvalues"],
            Reply::Pairs(vec![]),
        );
        k.check(1, &["hrandfield", "h"], bulk("a"));
        k.check(
            1,
            &["hrandfield", "h", "-2", "withvalues"],
            Reply::Pairs(vec![(bulk("a"), bulk("1")), (bulk("a"), bulk("1"))]),
        );
        k.check(
            1,
            &["hrandfield", "h", "-5000000"],
            err("ERR count is out of range, HRANDFIELD returns at most 4194304 fields"),
        );
    }

    #[test]
    fn withvalues_shapes() {
        let mut k = Kit::new();
        k.run(1, &["hset", "h", "a", "1"]);
        let reply = k.run(1, &["hrandfield", "h", "1", "withvalues"]);
        assert_eq!(
            &reply.to_bytes(Protocol::Resp2)[..],
            b"*2\r\n$1\r\na\r\n$1\r\n1\r\n"
        );
        assert_eq!(
            &reply.to_bytes(Protocol::Resp3)[..],
            b"*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"
        );
    }

    /// Fields drawn with `seed` for `count`, as (field, value) text.
    fn draw(k: &mut Kit, seed: u64, count: &str) -> Vec<(String, String)> {
        let reply = k.run_seeded(1, seed, &["hrandfield", "h", count, "withvalues"]);
        let Reply::Pairs(pairs) = reply else {
            panic!("{reply:?}")
        };
        pairs
            .into_iter()
            .map(|(f, v)| match (f, v) {
                (Reply::Bulk(f), Reply::Bulk(v)) => (
                    String::from_utf8_lossy(&f).into_owned(),
                    String::from_utf8_lossy(&v).into_owned(),
                ),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    fn fill(k: &mut Kit, n: usize) {
        k.run(1, &["del", "h"]);
        for i in 0..n {
            k.run(1, &["hset", "h", &format!("f{i}"), &format!("v{i}")]);
        }
    }

    #[test]
    fn distinct_and_repeated_over_both_encodings() {
        let mut k = Kit::new();
        for size in [5usize, 100, 1000] {
            fill(&mut k, size);
            for count in [1, 2, size / 3, size / 2, size - 1, size, size + 5] {
                let got = draw(&mut k, count as u64, &count.to_string());
                assert_eq!(got.len(), count.min(size), "size {size} count {count}");
                let fields: BTreeSet<_> = got.iter().map(|(f, _)| f.clone()).collect();
                assert_eq!(fields.len(), got.len(), "distinct");
                for (f, v) in &got {
                    assert_eq!(f[1..], v[1..]);
                }
            }
            // Negative counts repeat, and every field comes up eventually.
            let mut seen = BTreeMap::new();
            for seed in 0..20 {
                for (f, v) in draw(&mut k, seed, &format!("-{}", size * 10)) {
                    assert_eq!(f[1..], v[1..]);
                    *seen.entry(f).or_insert(0) += 1;
                }
            }
            assert_eq!(seen.len(), size, "size {size}");
            let total: usize = seen.values().sum();
            assert_eq!(total, size * 200);
            // Few draws over a big table pick by position.
            let few = draw(&mut k, 7, "-3");
            assert_eq!(few.len(), 3);
        }
    }

    #[test]
    fn deterministic_per_seed() {
        let mut k = Kit::new();
        fill(&mut k, 300);
        assert_eq!(draw(&mut k, 42, "10"), draw(&mut k, 42, "10"));
        assert_eq!(draw(&mut k, 42, "-10"), draw(&mut k, 42, "-10"));
        assert_ne!(draw(&mut k, 1, "-10"), draw(&mut k, 2, "-10"));
    }
}
