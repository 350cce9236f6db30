//! SRANDMEMBER: get one or multiple random members from a set.
//!
//! # Format
//! ```text
//! SRANDMEMBER key [count]
//! ```
//! Without count: a member, or nil for a missing key. With a positive count: an array of up
//! to `count` distinct members (the whole set, in its order, when `count` reaches its size).
//! With a negative count: `-count` members drawn independently, so possibly repeated. Draws
//! are uniform, from the read's PRNG.
//!
//! Deviation from Redis: a negative count asking for more than 4194304 members is refused
//! with an error (Redis streams any number of them), so one command cannot make the server
//! build an unbounded reply.

use bytes::Bytes;
use rand::Rng;

use crate::cmd::args::strict_i64;
use crate::cmd::{CmdError, CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;
use crate::store::SetMember;

use super::read_set;

pub const SPEC: Spec = Spec {
    name: "srandmember",
    arity: -2,
    flags: flags::READONLY,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

/// The most members a negative count may ask for.
pub const MAX_REPEATED: u64 = 1 << 22;

/// A parsed SRANDMEMBER.
#[derive(Debug, PartialEq, Eq)]
pub struct Srandmember {
    pub key: Bytes,
    pub count: Option<Count>,
}

/// What a count asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// Up to this many distinct members.
    Distinct(u64),
    /// Exactly this many independent draws.
    Repeated(u64),
}

impl Srandmember {
    pub fn parse(argv: &[Bytes]) -> Result<Srandmember, CmdError> {
        let count = match argv {
            [_, _] => None,
            [_, _, count] => {
                let n = strict_i64(count).ok_or(CmdError::NotInteger)?;
                if n == i64::MIN {
                    // Redis reads the count within [-LONG_MAX, LONG_MAX] so it can negate it.
                    return Err(CmdError::other(
                        "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
                    ));
                }
                Some(if n >= 0 {
                    Count::Distinct(n.unsigned_abs())
                } else {
                    Count::Repeated(n.unsigned_abs())
                })
            }
            _ => return Err(CmdError::Syntax),
        };
        Ok(Srandmember {
            key: argv[1].clone(),
            count,
        })
    }
}

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let cmd = Srandmember::parse(argv)?;
    let set = read_set(ctx, &cmd.key)?;
    let mut rng = ctx.rng();
    let Some(set) = set.filter(|s| !s.is_empty()) else {
        return Ok(match cmd.count {
            None => Reply::Nil,
            Some(_) => Reply::Array(Vec::new()),
        });
    };
    let len = set.len();
    let pick = |rank: usize| {
        set.get(rank)
            .map_or(Reply::Nil, |m| Reply::Bulk(m.to_bytes()))
    };
    let members = match cmd.count {
        None => return Ok(pick(rng.random_range(0..len))),
        Some(Count::Distinct(0) | Count::Repeated(0)) => Vec::new(),
        Some(Count::Repeated(n)) => {
            if n > MAX_REPEATED {
                return Err(CmdError::other(format!(
                    "ERR count is out of range, SRANDMEMBER returns at most {MAX_REPEATED} members"
                )));
            }
            let n = n as usize;
            if n > len {
                // Each member's bytes built once and shared by its repeats.
                let all: Vec<Bytes> = set.iter().map(SetMember::to_bytes).collect();
                (0..n)
                    .map(|_| Reply::Bulk(all[rng.random_range(0..len)].clone()))
                    .collect()
            } else {
                (0..n).map(|_| pick(rng.random_range(0..len))).collect()
            }
        }
        Some(Count::Distinct(n)) if n >= len as u64 => {
            set.iter().map(|m| Reply::Bulk(m.to_bytes())).collect()
        }
        Some(Count::Distinct(n)) => rand::seq::index::sample(&mut rng, len, n as usize)
            .into_iter()
            .map(pick)
            .collect(),
    };
    Ok(Reply::Array(members))
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashMap};

    use super::super::testkit::{Kit, argv, bulks, err, sorted, wrongtype};
    use super::*;

    #[test]
    fn parse_errors_as_redis() {
        let parse = |a: &[&str]| Srandmember::parse(&argv(a)).map_err(|e| e.to_string());
        assert_eq!(
            parse(&["srandmember", "k", "-9223372036854775807"]).map(|s| s.count),
            Ok(Some(Count::Repeated(i64::MAX as u64)))
        );
        assert_eq!(
            parse(&["srandmember", "k", "-9223372036854775808"]),
            Err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807".to_string())
        );
        assert_eq!(
            parse(&["srandmember", "k", "x"]),
            Err("ERR value is not an integer or out of range".to_string())
        );
        assert_eq!(
            parse(&["srandmember", "k", "1", "2"]),
            Err("ERR syntax error".to_string())
        );
    }

    #[test]
    fn missing_wrong_type_and_zero() {
        let mut k = Kit::new();
        k.check(100, &["srandmember", "s"], Reply::Nil);
        k.check(100, &["srandmember", "s", "5"], bulks(&[]));
        k.check(100, &["srandmember", "s", "-5"], bulks(&[]));
        k.check(
            100,
            &["srandmember", "s", "-9223372036854775807"],
            bulks(&[]),
        );
        assert_eq!(k.misses, 1);
        k.run(100, &["sadd", "s", "a"]);
        k.check(100, &["srandmember", "s", "0"], bulks(&[]));
        k.run(100, &["set", "str", "x"]);
        k.check(100, &["srandmember", "str"], wrongtype());
        k.check(100, &["srandmember", "str", "0"], wrongtype());
        k.check(
            100,
            &["srandmember", "str", "x"],
            err("ERR value is not an integer or out of range"),
        );
        k.check(
            100,
            &["srandmember", "s", "-4194305"],
            err("ERR count is out of range, SRANDMEMBER returns at most 4194304 members"),
        );
    }

    #[test]
    fn positive_counts_are_distinct() {
        let mut k = Kit::new();
        k.run(100, &["sadd", "i", "5", "1", "3", "2", "4"]);
        // The whole set in its order when the count reaches its size.
        k.check(
            100,
            &["srandmember", "i", "5"],
            bulks(&["1", "2", "3", "4", "5"]),
        );
        k.check(
            100,
            &["srandmember", "i", "9223372036854775807"],
            bulks(&["1", "2", "3", "4", "5"]),
        );
        for m in 0..30 {
            k.run(100, &["sadd", "h", &format!("m{m}")]);
        }
        for (seed, count) in [(1, 1usize), (2, 3), (3, 20), (4, 29)] {
            let r = k.run_seeded(100, seed, &["srandmember", "h", &count.to_string()]);
            let Reply::Array(items) = &r else { panic!() };
            assert_eq!(items.len(), count);
            let distinct: BTreeSet<_> = sorted(r).into_iter().collect();
            assert_eq!(distinct.len(), count);
            assert!(distinct.iter().all(|m| m.starts_with('m')));
        }
    }

    #[test]
    fn negative_counts_repeat_and_spread() {
        let mut k = Kit::new();
        k.run(100, &["sadd", "s", "a", "b", "c", "1"]);
        let got = sorted(k.run_seeded(100, 7, &["srandmember", "s", "-1000"]));
        assert_eq!(got.len(), 1000);
        let mut counts: HashMap<String, usize> = HashMap::new();
        for m in got {
            *counts.entry(m).or_default() += 1;
        }
        assert_eq!(counts.len(), 4);
        assert!(
            counts.values().all(|&c| (180..=320).contains(&c)),
            "{counts:?}"
        );
        let two = sorted(k.run_seeded(100, 8, &["srandmember", "s", "-2"]));
        assert_eq!(two.len(), 2);
        // Same seed, same answer.
        assert_eq!(
            k.run_seeded(100, 9, &["srandmember", "s", "-3"]),
            k.run_seeded(100, 9, &["srandmember", "s", "-3"])
        );
    }

    #[test]
    fn single_member_spreads_over_intset() {
        let mut k = Kit::new();
        k.run(100, &["sadd", "s", "1", "2", "3"]);
        let mut seen = BTreeSet::new();
        for seed in 0..100 {
            let Reply::Bulk(m) = k.run_seeded(100, seed, &["srandmember", "s"]) else {
                panic!()
            };
            seen.insert(m);
        }
        assert_eq!(seen.len(), 3);
    }
}
