//! The ZRANGE family's engine, Redis's `zrangeGenericCommand`: one parser for ZRANGE,
//! ZRANGESTORE, ZREVRANGE, Z[REV]RANGEBYSCORE and Z[REV]RANGEBYLEX (each fixes some of the
//! choices ZRANGE leaves to options), and one selection over a [`ZSet`].

use bytes::Bytes;

use crate::cmd::args::{is, parse_i64};
use crate::cmd::{CmdError, CmdResult, ReadCtx};
use crate::store::{LexRange, ScoreRange, ZSet};

use super::{elements_reply, lookup, parse_lex_range, parse_score_range};

/// What a command fixes of the range type (`Auto` lets BYSCORE/BYLEX choose).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Auto,
    Rank,
    Score,
    Lex,
}

/// What a command fixes of the direction (`Auto` lets REV choose).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Auto,
    Forward,
    Reverse,
}

/// The range itself.
#[derive(Clone, Debug, PartialEq)]
pub enum By {
    /// Start and end indexes, negative from the end, both inclusive.
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange),
}

/// A parsed range request.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// The source key.
    pub key: Bytes,
    pub by: By,
    pub reverse: bool,
    pub withscores: bool,
    /// LIMIT offset and count (count < 0: no limit).
    pub offset: i64,
    pub limit: i64,
}

impl Query {
    /// Parses `argv` as Redis does: `argv[src]` is the source key, followed by the two range
    /// arguments and the options. `store` (ZRANGESTORE) refuses WITHSCORES.
    pub fn parse(
        argv: &[Bytes],
        src: usize,
        store: bool,
        mut kind: Kind,
        mut direction: Direction,
    ) -> Result<Query, CmdError> {
        let (mut min_at, mut max_at) = (src + 1, src + 2);
        let mut withscores = false;
        let (mut offset, mut limit) = (0i64, -1i64);
        let mut j = src + 3;
        while j < argv.len() {
            let left = argv.len() - j - 1;
            let opt = &argv[j];
            if !store && is(opt, "WITHSCORES") {
                withscores = true;
            } else if is(opt, "LIMIT") && left >= 2 {
                offset = parse_i64(&argv[j + 1])?;
                limit = parse_i64(&argv[j + 2])?;
                j += 2;
            } else if direction == Direction::Auto && is(opt, "REV") {
                direction = Direction::Reverse;
            } else if kind == Kind::Auto && is(opt, "BYLEX") {
                kind = Kind::Lex;
            } else if kind == Kind::Auto && is(opt, "BYSCORE") {
                kind = Kind::Score;
            } else {
                return Err(CmdError::Syntax);
            }
            j += 1;
        }
        let reverse = direction == Direction::Reverse;
        if kind == Kind::Auto {
            kind = Kind::Rank;
        }
        if limit != -1 && kind == Kind::Rank {
            return Err(CmdError::other(
                "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
            ));
        }
        if withscores && kind == Kind::Lex {
            return Err(CmdError::other(
                "ERR syntax error, WITHSCORES not supported in combination with BYLEX",
            ));
        }
        // The reverse forms take the range as max, min.
        if reverse && kind != Kind::Rank {
            std::mem::swap(&mut min_at, &mut max_at);
        }
        let by = match kind {
            Kind::Score => By::Score(parse_score_range(&argv[min_at], &argv[max_at])?),
            Kind::Lex => By::Lex(parse_lex_range(&argv[min_at], &argv[max_at])?),
            Kind::Rank | Kind::Auto => {
                By::Rank(parse_i64(&argv[min_at])?, parse_i64(&argv[max_at])?)
            }
        };
        Ok(Query {
            key: argv[src].clone(),
            by,
            reverse,
            withscores,
            offset,
            limit,
        })
    }

    /// The elements selected from `z`, in reply order.
    pub fn select<'z>(&self, z: &'z ZSet) -> Vec<(&'z [u8], f64)> {
        let len = z.len();
        // LIMIT count: negative means all.
        let take = usize::try_from(self.limit).unwrap_or(usize::MAX);
        match &self.by {
            By::Rank(start, end) => {
                let Some((from, to)) = rank_window(*start, *end, len) else {
                    return Vec::new();
                };
                if self.reverse {
                    z.range(len - 1 - to, len - from, true).collect()
                } else {
                    z.range(from, to + 1, false).collect()
                }
            }
            By::Score(range) => {
                // A negative offset skips everything, as Redis's `while (offset--)`.
                let Ok(offset) = usize::try_from(self.offset) else {
                    return Vec::new();
                };
                let (lo, hi) = z.score_ranks(range);
                if self.reverse {
                    let to = hi.saturating_sub(offset);
                    if to <= lo {
                        return Vec::new();
                    }
                    let from = lo.max(to.saturating_sub(take));
                    z.range(from, to, true).collect()
                } else {
                    let from = lo.saturating_add(offset);
                    let to = hi.min(from.saturating_add(take));
                    z.range(from, to, false).collect()
                }
            }
            By::Lex(range) => {
                let Ok(offset) = usize::try_from(self.offset) else {
                    return Vec::new();
                };
                // Redis skips the offset without checking the range, then emits while the
                // elements stay inside it.
                if self.reverse {
                    let Some(last) = z.lex_last(range) else {
                        return Vec::new();
                    };
                    let Some(to) = (last + 1).checked_sub(offset) else {
                        return Vec::new();
                    };
                    z.range(0, to, true)
                        .take_while(|(m, _)| range.gte_min(m))
                        .take(take)
                        .collect()
                } else {
                    let Some(first) = z.lex_first(range) else {
                        return Vec::new();
                    };
                    z.range(first.saturating_add(offset), len, false)
                        .take_while(|(m, _)| range.lte_max(m))
                        .take(take)
                        .collect()
                }
            }
        }
    }
}

/// Redis's index sanitizing for rank ranges: negative indexes count from the end, the start
/// is clamped to 0 and the end to the last element. None when the range is empty.
pub fn rank_window(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let llen = i64::try_from(len).unwrap_or(i64::MAX);
    let mut start = if start < 0 { start + llen } else { start };
    let end = if end < 0 { end + llen } else { end };
    if start < 0 {
        start = 0;
    }
    if start > end || start >= llen {
        return None;
    }
    let end = end.min(llen - 1);
    Some((start as usize, end as usize))
}

/// The read behind ZRANGE, ZREVRANGE and the BYSCORE/BYLEX forms: parse, then answer the
/// selection (an empty array for a missing key).
pub fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes], kind: Kind, direction: Direction) -> CmdResult {
    let query = Query::parse(argv, 1, false, kind, direction)?;
    let Some(z) = lookup(ctx, &query.key)? else {
        return Ok(crate::resp::Reply::Array(Vec::new()));
    };
    Ok(elements_reply(query.select(z), query.withscores))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_windows_as_redis() {
        assert_eq!(rank_window(0, -1, 5), Some((0, 4)));
        assert_eq!(rank_window(-100, 100, 5), Some((0, 4)));
        assert_eq!(rank_window(3, 1, 5), None);
        assert_eq!(rank_window(5, 10, 5), None);
        assert_eq!(rank_window(i64::MIN, i64::MAX, 5), Some((0, 4)));
        assert_eq!(rank_window(i64::MAX, i64::MIN, 5), None);
        assert_eq!(rank_window(0, -1, 0), None);
        assert_eq!(rank_window(-2, -2, 5), Some((3, 3)));
    }
}
