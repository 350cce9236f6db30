//! LPOS: return the index of matching elements on a list.
//!
//! # Format
//! ```text
//! LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
//! ```
//! RANK n starts from the n-th match (negative: searching from the tail), COUNT n returns
//! up to n positions as an array (0: all of them), MAXLEN n compares at most n elements.
//! Without COUNT: the position or nil; with COUNT: an array (empty when nothing matches or
//! the key does not exist). Options may repeat, the last one wins.
//!
//! A RANK of -9223372036854775808 behaves as in Redis, whose negation of it in C leaves it
//! negative: the search runs from the tail, starts at the first match, and a COUNT never
//! stops it.

use bytes::Bytes;

use crate::cmd::args::{self, is};
use crate::cmd::{CmdError, CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::read_list;

pub const SPEC: Spec = Spec {
    name: "lpos",
    arity: -3,
    flags: flags::READONLY,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

const RANK_ZERO: &str = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";

/// Parsed LPOS options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LPos {
    /// Never 0; negative searches from the tail.
    pub rank: i64,
    /// None without COUNT; Some(0) for all matches.
    pub count: Option<i64>,
    /// 0 for no limit.
    pub maxlen: i64,
}

impl LPos {
    /// The options after `key element`, checked left to right as Redis does.
    pub fn parse(argv: &[Bytes]) -> Result<LPos, CmdError> {
        let mut lpos = LPos {
            rank: 1,
            count: None,
            maxlen: 0,
        };
        let mut j = 3;
        while j < argv.len() {
            let (opt, value) = (&argv[j], argv.get(j + 1));
            match value {
                Some(v) if is(opt, "RANK") => {
                    lpos.rank = args::parse_i64(v)?;
                    if lpos.rank == 0 {
                        return Err(CmdError::other(RANK_ZERO));
                    }
                }
                Some(v) if is(opt, "COUNT") => {
                    lpos.count = Some(non_negative(v, "ERR COUNT can't be negative")?);
                }
                Some(v) if is(opt, "MAXLEN") => {
                    lpos.maxlen = non_negative(v, "ERR MAXLEN can't be negative")?;
                }
                _ => return Err(CmdError::Syntax),
            }
            j += 2;
        }
        Ok(lpos)
    }
}

/// An integer ≥ 0, or `msg` (Redis answers the same text for a non-integer).
fn non_negative(arg: &[u8], msg: &str) -> Result<i64, CmdError> {
    args::strict_i64(arg)
        .filter(|n| *n >= 0)
        .ok_or_else(|| CmdError::other(msg))
}

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let opts = LPos::parse(argv)?;
    let element = &argv[2][..];
    let Some(list) = read_list(ctx, &argv[1])? else {
        return Ok(match opts.count {
            Some(_) => Reply::Array(Vec::new()),
            None => Reply::Nil,
        });
    };
    // Redis's lposCommand, with its C arithmetic on `long` kept (wrapping) for the corner
    // case of i64::MIN.
    let from_tail = opts.rank < 0;
    let rank = if from_tail {
        opts.rank.wrapping_neg()
    } else {
        opts.rank
    };
    let limit = match usize::try_from(opts.maxlen) {
        Ok(0) | Err(_) => usize::MAX,
        Ok(n) => n,
    };
    let len = list.len();
    let found: Vec<i64> = if from_tail {
        search(list.iter().rev().take(limit), element, rank, opts.count)
            .into_iter()
            .map(|i| (len - 1 - i) as i64)
            .collect()
    } else {
        search(list.iter().take(limit), element, rank, opts.count)
            .into_iter()
            .map(|i| i as i64)
            .collect()
    };
    Ok(match opts.count {
        Some(_) => Reply::Array(found.into_iter().map(Reply::Int).collect()),
        None => found.first().map_or(Reply::Nil, |&i| Reply::Int(i)),
    })
}

/// The offsets, in iteration order, of the matches of `element` from the `rank`-th one on:
/// up to `count` of them (0: all), or only the first without a count.
fn search<'a>(
    elements: impl Iterator<Item = &'a [u8]>,
    element: &[u8],
    rank: i64,
    count: Option<i64>,
) -> Vec<usize> {
    let mut matches: i64 = 0;
    let mut found = Vec::new();
    for (i, e) in elements.enumerate() {
        if e != element {
            continue;
        }
        matches += 1;
        if matches < rank {
            continue;
        }
        found.push(i);
        let done = match count {
            None => true,
            Some(count) => count != 0 && matches.wrapping_sub(rank).wrapping_add(1) >= count,
        };
        if done {
            break;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::string::testing::*;
    use crate::machine::Machine;

    fn ints(items: &[i64]) -> Reply {
        Reply::Array(items.iter().map(|&n| int(n)).collect())
    }

    #[test]
    fn option_errors() {
        let mut m = Machine::new(16);
        run(&mut m, 1, &["rpush", "k", "a"]);
        let cases: &[(&[&str], &str)] = &[
            (&["rank", "0"], RANK_ZERO),
            (
                &["rank", "x"],
                "ERR value is not an integer or out of range",
            ),
            (&["count", "-1"], "ERR COUNT can't be negative"),
            (&["count", "x"], "ERR COUNT can't be negative"),
            (&["maxlen", "-1"], "ERR MAXLEN can't be negative"),
            (&["maxlen", "1.0"], "ERR MAXLEN can't be negative"),
            (&["rank"], "ERR syntax error"),
            (&["foo", "1"], "ERR syntax error"),
            (&["count", "1", "rank"], "ERR syntax error"),
            // Errors are found left to right.
            (&["count", "-1", "rank", "0"], "ERR COUNT can't be negative"),
        ];
        for (opts, want) in cases {
            let mut a = vec!["lpos", "k", "a"];
            a.extend_from_slice(opts);
            assert_eq!(run(&mut m, 1, &a), err(want), "{opts:?}");
            // Options are checked before the key is looked up.
            a[1] = "missing";
            assert_eq!(run(&mut m, 1, &a), err(want), "{opts:?}");
        }
        assert_eq!(
            RANK_ZERO,
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
        );
    }

    #[test]
    fn finds_positions() {
        let mut m = Machine::new(16);
        assert_eq!(run(&mut m, 1, &["lpos", "k", "a"]), Reply::Nil);
        assert_eq!(run(&mut m, 1, &["lpos", "k", "a", "count", "1"]), ints(&[]));
        run(&mut m, 1, &["rpush", "k", "a", "b", "c", "a", "b", "c"]);
        let cases: &[(&[&str], Reply)] = &[
            (&["a"], int(0)),
            (&["c"], int(2)),
            (&["zz"], Reply::Nil),
            (&["zz", "count", "0"], ints(&[])),
            (&["a", "count", "0"], ints(&[0, 3])),
            (&["a", "rank", "2"], int(3)),
            (&["a", "rank", "3"], Reply::Nil),
            (&["a", "rank", "-1"], int(3)),
            (&["a", "rank", "-1", "count", "1"], ints(&[3])),
            (&["a", "rank", "-2", "count", "0"], ints(&[0])),
            (&["a", "maxlen", "1"], int(0)),
            (&["a", "maxlen", "3"], int(0)),
            (&["a", "maxlen", "1", "count", "0"], ints(&[0])),
            (&["c", "maxlen", "2"], Reply::Nil),
            (&["c", "rank", "-1", "maxlen", "1"], int(5)),
            (&["b", "rank", "2", "count", "1", "maxlen", "5"], ints(&[4])),
            (
                &["b", "RANK", "1", "COUNT", "5", "MAXLEN", "0"],
                ints(&[1, 4]),
            ),
            (&["a", "count", "1", "count", "0"], ints(&[0, 3])),
            (&["a", "rank", "-9223372036854775808"], int(3)),
            (
                &["a", "rank", "-9223372036854775808", "count", "1"],
                ints(&[3, 0]),
            ),
            (&["a", "rank", "9223372036854775807"], Reply::Nil),
        ];
        for (args, want) in cases {
            let mut a = vec!["lpos", "k"];
            a.extend_from_slice(args);
            assert_eq!(run(&mut m, 1, &a), *want, "{args:?}");
        }
    }
}
