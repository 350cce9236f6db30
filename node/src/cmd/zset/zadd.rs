//! ZADD: adds one or more members to a sorted set, or updates their scores. Creates the key if
//! it doesn't exist.
//!
//! # Format
//! ```text
//! ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]
//! ```
//! Answers the number of members added (added or updated with CH); with INCR, the member's new
//! score, or nil when a condition stopped it. The logged form is the client's argv: every
//! argument error is raised before proposing, and scores parse the same on every replica.

use bytes::Bytes;

use crate::cmd::args::is;
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;
use crate::store::{Entry, Value, ZSet};

use super::{nan_error, score_arg};

pub const SPEC: Spec = Spec {
    name: "zadd",
    arity: -4,
    flags: flags::WRITE | flags::DENYOOM | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: Some(unchanged),
    },
};

/// A parsed ZADD (or ZINCRBY, which is ZADD with INCR and no options), borrowing its argv.
#[derive(Debug, Clone, PartialEq)]
pub struct ZAdd<'a> {
    pub key: &'a Bytes,
    pub nx: bool,
    pub xx: bool,
    pub gt: bool,
    pub lt: bool,
    pub ch: bool,
    pub incr: bool,
    /// (score, member) pairs in argument order.
    pub pairs: Vec<(f64, &'a [u8])>,
}

impl<'a> ZAdd<'a> {
    /// Parses ZADD's argv; `incr` is set for ZINCRBY, whose pair follows the key directly.
    pub fn parse(argv: &'a [Bytes], incr: bool) -> Result<ZAdd<'a>, CmdError> {
        let mut z = ZAdd {
            key: &argv[1],
            nx: false,
            xx: false,
            gt: false,
            lt: false,
            ch: false,
            incr,
            pairs: Vec::new(),
        };
        let mut at = 2;
        if !incr {
            while let Some(opt) = argv.get(at) {
                if is(opt, "NX") {
                    z.nx = true;
                } else if is(opt, "XX") {
                    z.xx = true;
                } else if is(opt, "GT") {
                    z.gt = true;
                } else if is(opt, "LT") {
                    z.lt = true;
                } else if is(opt, "CH") {
                    z.ch = true;
                } else if is(opt, "INCR") {
                    z.incr = true;
                } else {
                    break;
                }
                at += 1;
            }
        }
        let elements = argv.len() - at;
        if elements == 0 || !elements.is_multiple_of(2) {
            return Err(CmdError::Syntax);
        }
        if z.nx && z.xx {
            return Err(CmdError::other(
                "ERR XX and NX options at the same time are not compatible",
            ));
        }
        if (z.nx && (z.gt || z.lt)) || (z.gt && z.lt) {
            return Err(CmdError::other(
                "ERR GT, LT, and/or NX options at the same time are not compatible",
            ));
        }
        if z.incr && elements > 2 {
            return Err(CmdError::other(
                "ERR INCR option supports a single increment-element pair",
            ));
        }
        z.pairs = argv[at..]
            .chunks_exact(2)
            .map(|pair| Ok((score_arg(&pair[0])?, &pair[1][..])))
            .collect::<Result<_, CmdError>>()?;
        Ok(z)
    }

    /// Redis's zsetAdd for one pair: what happened and the resulting score, or the NaN error.
    /// What adding `member` at `score` does to a set where it has score `current`.
    fn outcome(&self, current: Option<f64>, score: f64) -> Result<Outcome, CmdError> {
        match current {
            Some(current) => {
                if self.nx {
                    return Ok(Outcome::Nop);
                }
                let score = if self.incr {
                    let sum = score + current;
                    if sum.is_nan() {
                        return Err(nan_error());
                    }
                    sum
                } else {
                    score
                };
                if (self.lt && score >= current) || (self.gt && score <= current) {
                    return Ok(Outcome::Nop);
                }
                if score != current {
                    Ok(Outcome::Updated(score))
                } else {
                    Ok(Outcome::Same(score))
                }
            }
            None if !self.xx => Ok(Outcome::Added(score)),
            None => Ok(Outcome::Nop),
        }
    }

    fn add_one(&self, z: &mut ZSet, score: f64, member: &[u8]) -> Result<Outcome, CmdError> {
        let outcome = self.outcome(z.score(member), score)?;
        if let Outcome::Added(score) | Outcome::Updated(score) = outcome {
            z.insert(member, score);
        }
        Ok(outcome)
    }

    /// The reply when adding every pair to `z` (None: no key) changes nothing; None when
    /// something would change or fail.
    fn unchanged(&self, z: Option<&ZSet>) -> Option<Reply> {
        let mut last = None;
        for (score, member) in &self.pairs {
            match self.outcome(z.and_then(|z| z.score(member)), *score).ok()? {
                Outcome::Added(_) | Outcome::Updated(_) => return None,
                Outcome::Same(s) => last = Some(s),
                Outcome::Nop => {}
            }
        }
        Some(self.reply(0, 0, last))
    }

    fn add_all(&self, z: &mut ZSet) -> Result<(i64, i64, Option<f64>), CmdError> {
        let (mut added, mut updated, mut last) = (0, 0, None);
        for (score, member) in &self.pairs {
            match self.add_one(z, *score, member)? {
                Outcome::Added(s) => {
                    added += 1;
                    last = Some(s);
                }
                Outcome::Updated(s) => {
                    updated += 1;
                    last = Some(s);
                }
                Outcome::Same(s) => last = Some(s),
                Outcome::Nop => {}
            }
        }
        Ok((added, updated, last))
    }

    fn reply(&self, added: i64, updated: i64, last: Option<f64>) -> Reply {
        if self.incr {
            last.map_or(Reply::Nil, Reply::Double)
        } else if self.ch {
            Reply::Int(added + updated)
        } else {
            Reply::Int(added)
        }
    }

    /// Runs the parsed command at the entry's time (shared with ZINCRBY).
    pub fn run(&self, ctx: &mut ApplyCtx<'_>) -> CmdResult {
        let (now, index) = (ctx.now_ms, ctx.index);
        let db = ctx.db();
        match db.get_mut(self.key, now) {
            Some(entry) => {
                let Value::ZSet(z) = &mut entry.value else {
                    return Err(CmdError::WrongType);
                };
                let (added, updated, last) = self.add_all(z)?;
                if added + updated > 0 {
                    entry.version = index;
                }
                Ok(self.reply(added, updated, last))
            }
            None if self.xx => Ok(self.reply(0, 0, None)),
            None => {
                let mut z = ZSet::new();
                let (added, updated, last) = self.add_all(&mut z)?;
                if !z.is_empty() {
                    db.insert(self.key, Entry::new(Value::ZSet(z), index));
                }
                Ok(self.reply(added, updated, last))
            }
        }
    }
}

/// What zsetAdd did with one pair.
enum Outcome {
    Added(f64),
    Updated(f64),
    /// Processed with no change (the same score).
    Same(f64),
    /// Skipped by NX, XX, GT or LT.
    Nop,
}

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    ZAdd::parse(argv, false)?;
    Ok(argv.to_vec())
}

/// Every member is there with the score it would get, or skipped by NX, XX, GT or LT.
fn unchanged(ctx: &ReadCtx<'_>, argv: &[Bytes]) -> Option<Reply> {
    if argv.len() < 4 {
        return None;
    }
    let z = ZAdd::parse(argv, false).ok()?;
    match ctx.db().get_untouched(z.key, ctx.now_ms)? {
        None => z.unchanged(None),
        Some(entry) => match &entry.value {
            Value::ZSet(set) => z.unchanged(Some(set)),
            _ => None,
        },
    }
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    ZAdd::parse(argv, false)?.run(ctx)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::resp::Reply;

    #[test]
    fn adds_updates_and_counts() {
        let mut k = Kit::new();
        k.check(100, &["zadd", "z", "1", "a", "2", "b"], Reply::Int(2));
        k.check(
            100,
            &["zadd", "z", "1", "a", "3", "b", "4", "c"],
            Reply::Int(1),
        );
        k.check(
            100,
            &["zadd", "z", "ch", "1", "a", "5", "b", "4", "c"],
            Reply::Int(1),
        );
        k.check(
            100,
            &["zadd", "z", "1", "m", "2", "m", "3", "m"],
            Reply::Int(1),
        );
        k.check(100, &["zscore", "z", "m"], d(3.0));
        k.check(
            100,
            &["zrange", "z", "0", "-1", "withscores"],
            pairs(&[("a", 1.0), ("m", 3.0), ("c", 4.0), ("b", 5.0)]),
        );
        // The leaderboard flow of the users' guide.
        k.check(
            100,
            &["ZADD", "leaderboard", "100", "player1"],
            Reply::Int(1),
        );
        k.check(
            100,
            &["ZRANGE", "leaderboard", "0", "-1", "WITHSCORES"],
            pairs(&[("player1", 100.0)]),
        );
    }

    #[test]
    fn conditions() {
        let mut k = with("z", &[("a", 5.0)]);
        k.check(100, &["zadd", "z", "nx", "1", "a", "1", "b"], Reply::Int(1));
        k.check(100, &["zscore", "z", "a"], d(5.0));
        k.check(100, &["zadd", "z", "xx", "1", "a", "1", "c"], Reply::Int(0));
        k.check(100, &["zscore", "z", "a"], d(1.0));
        k.check(100, &["zscore", "z", "c"], Reply::Nil);
        k.check(
            100,
            &["zadd", "z", "gt", "ch", "0", "a", "9", "b", "7", "d"],
            Reply::Int(2),
        );
        k.check(
            100,
            &["zmscore", "z", "a", "b", "d"],
            Reply::Array(vec![d(1.0), d(9.0), d(7.0)]),
        );
        k.check(
            100,
            &["zadd", "z", "lt", "ch", "5", "a", "3", "b"],
            Reply::Int(1),
        );
        k.check(
            100,
            &["zmscore", "z", "a", "b"],
            Reply::Array(vec![d(1.0), d(3.0)]),
        );
        // XX on a missing key creates nothing.
        k.check(100, &["zadd", "nokey", "xx", "1", "a"], Reply::Int(0));
        k.check(100, &["exists", "nokey"], Reply::Int(0));
        k.check(100, &["zadd", "nokey", "xx", "incr", "1", "a"], Reply::Nil);
    }

    #[test]
    fn incr() {
        let mut k = with("z", &[("a", 5.0)]);
        k.check(100, &["zadd", "z", "incr", "2.5", "a"], d(7.5));
        k.check(100, &["zadd", "z", "incr", "1", "new"], d(1.0));
        k.check(100, &["zadd", "z", "nx", "incr", "1", "a"], Reply::Nil);
        k.check(100, &["zadd", "z", "gt", "incr", "-1", "a"], Reply::Nil);
        k.check(100, &["zadd", "z", "gt", "incr", "1", "a"], d(8.5));
        // Processed without a change: the score still answers.
        k.check(100, &["zadd", "z", "ch", "incr", "0", "a"], d(8.5));
        k.run(100, &["zadd", "z", "inf", "i"]);
        k.check(
            100,
            &["zadd", "z", "incr", "-inf", "i"],
            err("ERR resulting score is not a number (NaN)"),
        );
        k.check(100, &["zscore", "z", "i"], d(f64::INFINITY));
    }

    #[test]
    fn argument_errors() {
        let mut k = Kit::new();
        k.run(100, &["set", "s", "v"]);
        for (a, e) in [
            (
                &["zadd", "z", "nx", "xx", "1", "a"][..],
                "ERR XX and NX options at the same time are not compatible",
            ),
            (
                &["zadd", "z", "gt", "lt", "1", "a"],
                "ERR GT, LT, and/or NX options at the same time are not compatible",
            ),
            (
                &["zadd", "z", "gt", "nx", "1", "a"],
                "ERR GT, LT, and/or NX options at the same time are not compatible",
            ),
            (
                &["zadd", "z", "incr", "1", "a", "2", "b"],
                "ERR INCR option supports a single increment-element pair",
            ),
            (&["zadd", "z", "incr", "1", "a", "xx"], "ERR syntax error"),
            (&["zadd", "z", "nx", "1"], "ERR syntax error"),
            (&["zadd", "z", "1", "a", "2"], "ERR syntax error"),
            (&["zadd", "z", "x", "a"], "ERR value is not a valid float"),
            (&["zadd", "z", "nan", "a"], "ERR value is not a valid float"),
            (
                &["zadd", "z", "1e400", "a"],
                "ERR value is not a valid float",
            ),
            (&["zadd", "z", " 1", "a"], "ERR value is not a valid float"),
            (
                &["zadd", "z", "1"],
                "ERR wrong number of arguments for 'zadd' command",
            ),
            // Argument errors come before the type check.
            (&["zadd", "s", "x", "a"], "ERR value is not a valid float"),
            (
                &["zadd", "s", "1", "a"],
                "WRONGTYPE Operation against a key holding the wrong kind of value",
            ),
        ] {
            k.check(100, a, err(e));
        }
        k.check(100, &["exists", "z"], Reply::Int(0));
    }

    #[test]
    fn hex_and_denormal_scores() {
        let mut k = Kit::new();
        k.check(
            100,
            &["zadd", "z", "0x10", "a", "1e-310", "b"],
            Reply::Int(2),
        );
        k.check(
            100,
            &["zmscore", "z", "a", "b"],
            Reply::Array(vec![d(16.0), d(1e-310)]),
        );
    }

    #[test]
    fn version_moves_only_on_change() {
        let mut k = with("z", &[("a", 1.0)]);
        let v = k.version(0, "z", 100);
        k.run(100, &["zadd", "z", "1", "a"]);
        k.run(100, &["zadd", "z", "nx", "2", "a"]);
        assert_eq!(k.version(0, "z", 100), v);
        k.run(100, &["zadd", "z", "2", "a"]);
        assert!(k.version(0, "z", 100) > v);
    }

    #[test]
    fn keeps_the_ttl_and_converts_at_129() {
        let mut k = with("z", &[("a", 1.0)]);
        k.run(100, &["pexpire", "z", "1000"]);
        k.run(100, &["zadd", "z", "2", "b"]);
        assert_eq!(k.expire_at(0, "z", 100), Some(1100));
        let mut k = Kit::new();
        let names: Vec<String> = (0..128).map(|i| format!("m{i}")).collect();
        let mut a = vec!["zadd", "big"];
        for n in &names {
            a.push("1");
            a.push(n);
        }
        k.check(100, &a, Reply::Int(128));
        assert_eq!(encoding(&mut k, "big"), Reply::text("listpack"));
        k.run(100, &["zadd", "big", "1", "one-more"]);
        assert_eq!(encoding(&mut k, "big"), Reply::text("skiplist"));
        let long = "x".repeat(65);
        k.run(100, &["zadd", "long", "1", &long]);
        assert_eq!(encoding(&mut k, "long"), Reply::text("skiplist"));
    }
}
