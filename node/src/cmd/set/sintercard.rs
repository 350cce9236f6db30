//! SINTERCARD: intersect multiple sets and return the cardinality of the result.
//!
//! # Format
//! ```text
//! SINTERCARD numkeys key [key ...] [LIMIT limit]
//! ```
//! Counts the members of the intersection, stopping at `limit` when it is positive (0 means
//! no limit). Errors as Redis 7.0: `numkeys` must be a positive integer no greater than the
//! number of arguments after it, `limit` a non-negative integer.

use bytes::Bytes;

use crate::cmd::args::{is, strict_i64};
use crate::cmd::{CmdError, CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::read_sets;
use super::sinter::{all_present, intersection};

pub const SPEC: Spec = Spec {
    name: "sintercard",
    arity: -3,
    flags: flags::READONLY,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Read(read),
};

/// A parsed SINTERCARD.
#[derive(Debug, PartialEq, Eq)]
pub struct Sintercard {
    pub keys: Vec<Bytes>,
    /// 0 for no limit.
    pub limit: u64,
}

impl Sintercard {
    pub fn parse(argv: &[Bytes]) -> Result<Sintercard, CmdError> {
        let numkeys = strict_i64(&argv[1])
            .filter(|&n| n > 0)
            .ok_or_else(|| CmdError::other("ERR numkeys should be greater than 0"))?;
        let after = argv.len() - 2;
        let numkeys = usize::try_from(numkeys)
            .ok()
            .filter(|&n| n <= after)
            .ok_or_else(|| {
                CmdError::other("ERR Number of keys can't be greater than number of args")
            })?;
        let mut limit = 0;
        let mut i = 2 + numkeys;
        while i < argv.len() {
            match argv.get(i + 1) {
                Some(value) if is(&argv[i], "LIMIT") => {
                    limit = strict_i64(value)
                        .and_then(|n| u64::try_from(n).ok())
                        .ok_or_else(|| CmdError::other("ERR LIMIT can't be negative"))?;
                    i += 2;
                }
                _ => return Err(CmdError::Syntax),
            }
        }
        Ok(Sintercard {
            keys: argv[2..2 + numkeys].to_vec(),
            limit,
        })
    }
}

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let cmd = Sintercard::parse(argv)?;
    let sets = read_sets(ctx, &cmd.keys)?;
    let Some(sets) = all_present(sets) else {
        return Ok(Reply::Int(0));
    };
    let limit = if cmd.limit == 0 {
        usize::MAX
    } else {
        usize::try_from(cmd.limit).unwrap_or(usize::MAX)
    };
    let count = intersection(&sets).take(limit).count();
    Ok(Reply::Int(i64::try_from(count).unwrap_or(i64::MAX)))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Kit, err, wrongtype};
    use crate::resp::Reply;

    #[test]
    fn counts_with_limits() {
        let mut k = Kit::new();
        k.run(100, &["sadd", "a", "1", "2", "3", "x"]);
        k.run(100, &["sadd", "b", "2", "3", "4", "x"]);
        k.check(100, &["sintercard", "2", "a", "b"], Reply::Int(3));
        k.check(100, &["sintercard", "1", "a"], Reply::Int(4));
        k.check(
            100,
            &["sintercard", "2", "a", "b", "limit", "2"],
            Reply::Int(2),
        );
        k.check(
            100,
            &["sintercard", "2", "a", "b", "LIMIT", "0"],
            Reply::Int(3),
        );
        k.check(
            100,
            &["sintercard", "2", "a", "b", "limit", "9"],
            Reply::Int(3),
        );
        k.check(
            100,
            &["sintercard", "2", "a", "b", "limit", "5", "limit", "1"],
            Reply::Int(1),
        );
        k.check(100, &["sintercard", "2", "a", "nokey"], Reply::Int(0));
        assert_eq!((k.hits, k.misses), (1, 1));
    }

    #[test]
    fn errors_as_redis() {
        let mut k = Kit::new();
        k.run(100, &["sadd", "a", "1"]);
        k.run(100, &["set", "str", "x"]);
        let numkeys = err("ERR numkeys should be greater than 0");
        for bad in ["0", "-1", "x", "9999999999999999999"] {
            k.check(100, &["sintercard", bad, "a"], numkeys.clone());
        }
        let too_many = err("ERR Number of keys can't be greater than number of args");
        k.check(100, &["sintercard", "3", "a", "b"], too_many.clone());
        k.check(100, &["sintercard", "2147483648", "a"], too_many);
        let negative = err("ERR LIMIT can't be negative");
        k.check(
            100,
            &["sintercard", "1", "a", "limit", "-1"],
            negative.clone(),
        );
        k.check(100, &["sintercard", "1", "a", "limit", "x"], negative);
        let syntax = err("ERR syntax error");
        k.check(100, &["sintercard", "1", "a", "b"], syntax.clone());
        k.check(100, &["sintercard", "1", "a", "limit"], syntax.clone());
        k.check(100, &["sintercard", "1", "a", "foo", "1"], syntax);
        k.check(100, &["sintercard", "2", "nokey", "str"], wrongtype());
        k.check(
            100,
            &["sintercard", "1"],
            err("ERR wrong number of arguments for 'sintercard' command"),
        );
    }
}
