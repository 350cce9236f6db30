//! SPOP: remove and return one or multiple random members from a set.
//!
//! # Format
//! ```text
//! SPOP key [count]
//! ```
//! Without count: the member, or nil for a missing key. With count: a RESP3 set of up to
//! `count` distinct members (empty for a missing key or a count of 0). A set left empty is
//! deleted. Members are drawn uniformly from the log entry's PRNG (seeded by its index), so
//! every replica pops the same ones.
//!
//! As Redis 7.0, popping most of a set (leaving at most a fifth of the count) rebuilds the
//! remaining members into a new set, which becomes an intset again when they are all
//! integers.

use std::sync::Arc;

use bytes::Bytes;
use rand::Rng;

use crate::cmd::args::strict_i64;
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;
use crate::store::Value;

use super::{as_set_mut, canonical, members_reply};

pub const SPEC: Spec = Spec {
    name: "spop",
    arity: -2,
    flags: flags::WRITE | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

/// Redis's SPOP_MOVE_STRATEGY_MUL: popping leaves `remaining * 5 <= count` members rebuilt.
const MOVE_STRATEGY_MUL: usize = 5;

/// A parsed SPOP.
#[derive(Debug, PartialEq, Eq)]
pub struct Spop {
    pub key: Bytes,
    pub count: Option<usize>,
}

impl Spop {
    pub fn parse(argv: &[Bytes]) -> Result<Spop, CmdError> {
        let count = match argv {
            [_, _] => None,
            [_, _, count] => {
                // Redis: any non-integer or negative count is this one error.
                let n = strict_i64(count)
                    .filter(|&n| n >= 0)
                    .ok_or(CmdError::NotPositive)?;
                Some(usize::try_from(n).unwrap_or(usize::MAX))
            }
            _ => return Err(CmdError::Syntax),
        };
        Ok(Spop {
            key: argv[1].clone(),
            count,
        })
    }
}

fn prepare(argv: &[Bytes], _p: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    Spop::parse(argv)?;
    Ok(canonical("spop", argv))
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let spop = Spop::parse(argv)?;
    let (now, index) = (ctx.now_ms, ctx.index);
    let mut rng = ctx.rng().clone();
    let db = ctx.db();
    let Some(entry) = db.get_mut(&spop.key, now) else {
        return Ok(match spop.count {
            None => Reply::Nil,
            Some(_) => Reply::Set(Vec::new()),
        });
    };
    let shared = as_set_mut(entry)?;
    let len = shared.len();
    let reply = match spop.count {
        Some(0) => return Ok(Reply::Set(Vec::new())),
        Some(count) if count >= len => {
            // The whole set: answered in its own order, and the key deleted.
            let all = members_reply(shared.iter());
            db.remove(&spop.key);
            return Ok(all);
        }
        None if len == 0 => return Ok(Reply::Nil),
        None => {
            let set = Arc::make_mut(shared);
            Reply::opt_bulk(set.pop(rng.random_range(0..len)))
        }
        Some(count) => {
            let set = Arc::make_mut(shared);
            let mut popped = Vec::with_capacity(count);
            for remaining in (len - count..len).rev() {
                // `remaining + 1` members are left before this draw.
                if let Some(m) = set.pop(rng.random_range(0..=remaining)) {
                    popped.push(Reply::Bulk(m));
                }
            }
            if set.len().saturating_mul(MOVE_STRATEGY_MUL) <= count {
                *set = set.rebuilt();
            }
            Reply::Set(popped)
        }
    };
    let emptied = matches!(&entry.value, Value::Set(s) if s.is_empty());
    entry.version = index;
    if emptied {
        db.remove(&spop.key);
    }
    ctx.rng = Some(rng);
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::super::testkit::{Kit, encoding, err, set_reply, sorted, wrongtype};
    use super::*;
    use crate::cmd::keyspace::testkit::argv;

    #[test]
    fn parse_errors_as_redis() {
        let parse = |a: &[&str]| Spop::parse(&argv(a)).map_err(|e| e.to_string());
        assert_eq!(
            parse(&["spop", "k", "3"]),
            Ok(Spop {
                key: Bytes::from_static(b"k"),
                count: Some(3)
            })
        );
        let positive = Err("ERR value is out of range, must be positive".to_string());
        assert_eq!(parse(&["spop", "k", "-1"]), positive);
        assert_eq!(parse(&["spop", "k", "x"]), positive);
        assert_eq!(parse(&["spop", "k", "1.5"]), positive);
        assert_eq!(
            parse(&["spop", "k", "1", "2"]),
            Err("ERR syntax error".to_string())
        );
    }

    #[test]
    fn single_pops_until_deleted() {
        let mut k = Kit::new();
        k.check(100, &["spop", "s"], Reply::Nil);
        k.run(100, &["sadd", "s", "a", "b", "c"]);
        let mut popped = BTreeSet::new();
        for _ in 0..3 {
            let Reply::Bulk(m) = k.run(100, &["spop", "s"]) else {
                panic!()
            };
            assert!(popped.insert(m));
        }
        assert_eq!(popped.len(), 3);
        k.check(100, &["exists", "s"], Reply::Int(0));
        k.check(100, &["spop", "s"], Reply::Nil);
    }

    #[test]
    fn counts() {
        let mut k = Kit::new();
        k.check(100, &["spop", "s", "3"], set_reply(&[]));
        k.run(100, &["sadd", "s", "1", "2", "3", "4", "5"]);
        let v = k.version(0, "s", 100);
        k.check(100, &["spop", "s", "0"], set_reply(&[]));
        assert_eq!(k.version(0, "s", 100), v);
        let two = sorted(k.run(100, &["spop", "s", "2"]));
        assert_eq!(two.len(), 2);
        let rest = sorted(k.run(100, &["smembers", "s"]));
        assert_eq!(rest.len(), 3);
        assert!(two.iter().all(|m| !rest.contains(m)));
        // A count at least the size answers everything in order and deletes the key.
        let Reply::Set(all) = k.run(100, &["spop", "s", "10"]) else {
            panic!()
        };
        assert_eq!(all.len(), 3);
        k.check(100, &["exists", "s"], Reply::Int(0));
        k.run(100, &["set", "str", "x"]);
        k.check(100, &["spop", "str"], wrongtype());
        k.check(100, &["spop", "str", "0"], wrongtype());
        k.check(
            100,
            &["spop", "str", "-1"],
            err("ERR value is out of range, must be positive"),
        );
        k.check(100, &["spop", "s", "9223372036854775807"], set_reply(&[]));
    }

    #[test]
    fn popping_most_members_rebuilds_the_set() {
        let mut k = Kit::new();
        k.run(100, &["sadd", "s", "a", "1", "2", "3", "4", "5", "6"]);
        // 7 members, pop 6: one left, 1 * 5 <= 6, rebuilt; an integer left is an intset.
        let popped = sorted(k.run(100, &["spop", "s", "6"]));
        let left = sorted(k.run(100, &["smembers", "s"]));
        assert_eq!(left.len(), 1);
        assert!(!popped.contains(&left[0]));
        let expected = if left[0] == "a" {
            "hashtable"
        } else {
            "intset"
        };
        assert_eq!(encoding(&mut k, "s"), Reply::text(expected));
        // Popping fewer keeps the hashtable.
        k.run(100, &["del", "s"]);
        k.run(100, &["sadd", "s", "a", "1", "2", "3", "4", "5", "6"]);
        k.run(100, &["spop", "s", "1"]);
        assert_eq!(encoding(&mut k, "s"), Reply::text("hashtable"));
    }

    #[test]
    fn deterministic_for_an_entry_index() {
        let run = || {
            let mut k = Kit::new();
            for i in 0..50 {
                k.run(100, &["sadd", "s", &format!("m{i}"), &i.to_string()]);
            }
            let a = k.run(100, &["spop", "s", "7"]);
            let b = k.run(100, &["spop", "s"]);
            (a, b, k.run(100, &["smembers", "s"]))
        };
        assert_eq!(run(), run());
    }

    #[test]
    fn uniform_over_members() {
        // Each member of a hashtable set is popped first about equally often.
        let mut counts = std::collections::HashMap::new();
        let mut k = Kit::new();
        for _ in 0..2000 {
            k.run(100, &["sadd", "s", "a", "b", "c", "d"]);
            let Reply::Bulk(m) = k.run(100, &["spop", "s"]) else {
                panic!()
            };
            *counts.entry(m).or_insert(0) += 1;
            k.run(100, &["del", "s"]);
        }
        assert_eq!(counts.len(), 4);
        assert!(
            counts.values().all(|&c| (380..=620).contains(&c)),
            "{counts:?}"
        );
    }
}
