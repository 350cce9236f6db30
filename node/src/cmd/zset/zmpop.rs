//! ZMPOP: returns the highest- or lowest-scoring members from one or more sorted sets after
//! removing them. Deletes the sorted set if the last member was popped.
//!
//! # Format
//! ```text
//! ZMPOP numkeys key [key ...] MIN | MAX [COUNT count]
//! ```
//! Pops from the first key that exists (a key of another type is an error). Answers
//! [key, [[member, score], ...]], or a nil array when no key exists. Logged as the client's
//! argv.

use bytes::Bytes;

use crate::cmd::args::{is, parse_i64};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;

use super::{as_zset, modify, pop};

pub const SPEC: Spec = Spec {
    name: "zmpop",
    arity: -4,
    flags: flags::WRITE,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

/// A parsed ZMPOP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZMPop {
    pub keys: Vec<Bytes>,
    pub max: bool,
    pub count: usize,
}

impl ZMPop {
    pub fn parse(argv: &[Bytes]) -> Result<ZMPop, CmdError> {
        let numkeys = parse_i64(&argv[1])
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| CmdError::other("ERR numkeys should be greater than 0"))?;
        let where_at = usize::try_from(numkeys)
            .ok()
            .and_then(|n| n.checked_add(2))
            .filter(|&at| at < argv.len())
            .ok_or(CmdError::Syntax)?;
        let max = if is(&argv[where_at], "MIN") {
            false
        } else if is(&argv[where_at], "MAX") {
            true
        } else {
            return Err(CmdError::Syntax);
        };
        let mut count = None;
        let mut j = where_at + 1;
        while j < argv.len() {
            if count.is_none() && is(&argv[j], "COUNT") && j + 1 < argv.len() {
                let n = parse_i64(&argv[j + 1])
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or_else(|| CmdError::other("ERR count should be greater than 0"))?;
                count = Some(usize::try_from(n).unwrap_or(usize::MAX));
                j += 2;
            } else {
                return Err(CmdError::Syntax);
            }
        }
        Ok(ZMPop {
            keys: argv[2..where_at].to_vec(),
            max,
            count: count.unwrap_or(1),
        })
    }
}

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    ZMPop::parse(argv)?;
    Ok(argv.to_vec())
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    ZMPop::parse(argv)?.apply(ctx)
}

impl ZMPop {
    /// Pops from the first key that exists: `[key, [[member, score], ...]]`, or a nil array
    /// (ZMPOP, and BZMPOP's logged form).
    pub fn apply(&self, ctx: &mut ApplyCtx<'_>) -> CmdResult {
        Ok(match mpop(ctx, &self.keys, self.max, self.count)? {
            Some((key, popped)) => {
                let items = popped
                    .into_iter()
                    .map(|(m, s)| Reply::Array(vec![Reply::Bulk(m), Reply::Double(s)]))
                    .collect();
                Reply::Array(vec![Reply::Bulk(key), Reply::Array(items)])
            }
            None => Reply::NilArray,
        })
    }
}

/// The key popped from and its members with their scores, in pop order.
pub(super) type Popped = (Bytes, Vec<(Bytes, f64)>);

/// Pops up to `count` members from the low end (high end when `max`) of the first of `keys`
/// that exists: the key and the members with their scores, or `None` when none exists. A key
/// of another type met first is WRONGTYPE.
pub(super) fn mpop(
    ctx: &mut ApplyCtx<'_>,
    keys: &[Bytes],
    max: bool,
    count: usize,
) -> Result<Option<Popped>, CmdError> {
    let now = ctx.now_ms;
    for key in keys {
        let Some(entry) = ctx.db().get_mut(key, now) else {
            continue;
        };
        as_zset(entry)?;
        let popped = modify(ctx, key, |z| {
            let items = pop(z, max, count);
            let changed = !items.is_empty();
            (items, changed)
        })?
        .unwrap_or_default();
        return Ok(Some((key.clone(), popped)));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::resp::{Protocol, Reply};

    #[test]
    fn pops_from_the_first_existing_key() {
        let mut k = with("z", &[("a", 1.0), ("b", 2.0), ("c", 3.0)]);
        let reply = k.run(100, &["zmpop", "2", "nokey", "z", "min"]);
        assert_eq!(
            reply.to_bytes(Protocol::Resp2),
            "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"
        );
        assert_eq!(
            reply.to_bytes(Protocol::Resp3),
            "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n,1\r\n"
        );
        let reply = k.run(100, &["zmpop", "1", "z", "MAX", "COUNT", "5"]);
        assert_eq!(
            reply,
            Reply::Array(vec![
                Reply::text("z"),
                Reply::Array(vec![
                    Reply::Array(vec![Reply::text("c"), d(3.0)]),
                    Reply::Array(vec![Reply::text("b"), d(2.0)]),
                ]),
            ])
        );
        k.check(100, &["exists", "z"], Reply::Int(0));
        k.check(100, &["zmpop", "1", "z", "min"], Reply::NilArray);
        assert_eq!(Reply::NilArray.to_bytes(Protocol::Resp3), "_\r\n");
    }

    #[test]
    fn errors() {
        let mut k = with("z", &[("a", 1.0)]);
        k.run(100, &["set", "s", "v"]);
        for (a, e) in [
            (
                &["zmpop", "0", "z", "min"][..],
                "ERR numkeys should be greater than 0",
            ),
            (
                &["zmpop", "-1", "z", "min"],
                "ERR numkeys should be greater than 0",
            ),
            (
                &["zmpop", "x", "z", "min"],
                "ERR numkeys should be greater than 0",
            ),
            (&["zmpop", "1", "z", "foo"], "ERR syntax error"),
            (&["zmpop", "2", "z", "min"], "ERR syntax error"),
            (
                &["zmpop", "9223372036854775807", "z", "min"],
                "ERR syntax error",
            ),
            (
                &["zmpop", "1", "z", "min", "count", "0"],
                "ERR count should be greater than 0",
            ),
            (
                &["zmpop", "1", "z", "min", "count", "-1"],
                "ERR count should be greater than 0",
            ),
            (
                &["zmpop", "1", "z", "min", "count", "x"],
                "ERR count should be greater than 0",
            ),
            (
                &["zmpop", "1", "z", "min", "count", "1", "count", "2"],
                "ERR syntax error",
            ),
            (&["zmpop", "1", "z", "min", "count"], "ERR syntax error"),
            (&["zmpop", "1", "z", "min", "foo", "2"], "ERR syntax error"),
            (
                &["zmpop", "2", "nokey", "s", "min"],
                "WRONGTYPE Operation against a key holding the wrong kind of value",
            ),
        ] {
            k.check(100, a, err(e));
        }
        k.check(100, &["zcard", "z"], Reply::Int(1));
    }
}
