//! LMPOP: pop elements from a list.
//!
//! # Format
//! ```text
//! LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
//! ```
//! Pops up to `count` (default 1) elements from the first of the keys that holds a
//! non-empty list, answering `[key, [elements...]]`, or a nil array when none does. A key of
//! another type met before that answers WRONGTYPE. The key is deleted once emptied.
//! The log holds `lmpop numkeys key... LEFT|RIGHT COUNT n`.

use bytes::Bytes;

use crate::cmd::args::{self, int_arg, is, word};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;

use super::{End, bulks, mpop};

pub const SPEC: Spec = Spec {
    name: "lmpop",
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

/// A parsed LMPOP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LmPop<'a> {
    pub keys: &'a [Bytes],
    pub end: End,
    pub count: usize,
}

impl LmPop<'_> {
    /// Parses as Redis's `lmpopGenericCommand`: numkeys ≥ 1, the end right after the keys,
    /// then at most one COUNT ≥ 1.
    pub fn parse(argv: &[Bytes]) -> Result<LmPop<'_>, CmdError> {
        let numkeys = args::strict_i64(&argv[1])
            .filter(|n| *n >= 1)
            .ok_or_else(|| CmdError::other("ERR numkeys should be greater than 0"))?;
        let end_at = usize::try_from(numkeys)
            .ok()
            .and_then(|n| n.checked_add(2))
            .filter(|&i| i < argv.len())
            .ok_or(CmdError::Syntax)?;
        let end = End::parse(&argv[end_at])?;
        let mut count = None;
        let mut j = end_at + 1;
        while j < argv.len() {
            match argv.get(j + 1) {
                Some(n) if count.is_none() && is(&argv[j], "COUNT") => {
                    let n = args::strict_i64(n)
                        .filter(|n| *n >= 1)
                        .and_then(|n| usize::try_from(n).ok())
                        .ok_or_else(|| CmdError::other("ERR count should be greater than 0"))?;
                    count = Some(n);
                }
                _ => return Err(CmdError::Syntax),
            }
            j += 2;
        }
        Ok(LmPop {
            keys: &argv[2..end_at],
            end,
            count: count.unwrap_or(1),
        })
    }
}

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    let lmpop = LmPop::parse(argv)?;
    let mut canon = Vec::with_capacity(lmpop.keys.len() + 5);
    canon.push(word("lmpop"));
    canon.push(int_arg(lmpop.keys.len() as i64));
    canon.extend(lmpop.keys.iter().cloned());
    canon.push(lmpop.end.word());
    canon.push(word("COUNT"));
    canon.push(int_arg(lmpop.count as i64));
    Ok(canon)
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let lmpop = LmPop::parse(argv)?;
    lmpop.apply(ctx)
}

impl LmPop<'_> {
    /// Pops from the first non-empty list: `[key, [elements...]]`, or a nil array (LMPOP,
    /// and BLMPOP's logged form).
    pub fn apply(&self, ctx: &mut ApplyCtx<'_>) -> CmdResult {
        Ok(match mpop(ctx, self.keys, self.end, self.count)? {
            Some((key, popped)) => Reply::Array(vec![Reply::Bulk(key), bulks(popped)]),
            None => Reply::NilArray,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::cmd::string::testing::*;
    use crate::machine::Machine;
    use crate::resp::Reply;

    fn popped(key: &str, items: &[&str]) -> Reply {
        Reply::Array(vec![
            bulk(key),
            Reply::Array(items.iter().map(|s| bulk(s)).collect()),
        ])
    }

    #[test]
    fn syntax() {
        assert_eq!(
            prep(&["LMPOP", "2", "a", "b", "left"], 1).unwrap(),
            argv(&["lmpop", "2", "a", "b", "LEFT", "COUNT", "1"])
        );
        assert_eq!(
            prep(&["lmpop", "1", "a", "RIGHT", "count", "7"], 1).unwrap(),
            argv(&["lmpop", "1", "a", "RIGHT", "COUNT", "7"])
        );
        let cases: &[(&[&str], &str)] = &[
            (&["0", "a", "left"], "ERR numkeys should be greater than 0"),
            (&["-1", "a", "left"], "ERR numkeys should be greater than 0"),
            (
                &["abc", "a", "left"],
                "ERR numkeys should be greater than 0",
            ),
            (&["2", "a", "left"], "ERR syntax error"),
            (&["9223372036854775807", "a", "left"], "ERR syntax error"),
            (&["1", "a", "up"], "ERR syntax error"),
            (&["1", "a", "left", "count"], "ERR syntax error"),
            (&["1", "a", "left", "foo", "1"], "ERR syntax error"),
            (
                &["1", "a", "left", "count", "0"],
                "ERR count should be greater than 0",
            ),
            (
                &["1", "a", "left", "count", "x"],
                "ERR count should be greater than 0",
            ),
            (
                &["1", "a", "left", "count", "1", "count", "1"],
                "ERR syntax error",
            ),
            (&["1", "a", "left", "count", "1", "foo"], "ERR syntax error"),
        ];
        for (args, want) in cases {
            let mut a = vec!["lmpop"];
            a.extend_from_slice(args);
            assert_eq!(prep_err(&a), *want, "{args:?}");
        }
    }

    #[test]
    fn pops_from_the_first_non_empty_list() {
        let mut m = Machine::new(16);
        assert_eq!(
            run(&mut m, 1, &["lmpop", "2", "a", "b", "left"]),
            Reply::NilArray
        );
        run(&mut m, 1, &["rpush", "b", "1", "2", "3"]);
        assert_eq!(
            run(&mut m, 1, &["lmpop", "2", "a", "b", "left"]),
            popped("b", &["1"])
        );
        assert_eq!(
            run(&mut m, 1, &["lmpop", "2", "a", "b", "right", "count", "10"]),
            popped("b", &["3", "2"])
        );
        assert_eq!(m.store().db(0).len(), 0);
        run(&mut m, 1, &["set", "s", "v"]);
        run(&mut m, 1, &["rpush", "l", "x"]);
        assert_eq!(
            run(&mut m, 1, &["lmpop", "2", "s", "l", "left"]),
            err("WRONGTYPE Operation against a key holding the wrong kind of value")
        );
        // Keys after the first non-empty list are not looked at.
        assert_eq!(
            run(&mut m, 1, &["lmpop", "2", "l", "s", "left"]),
            popped("l", &["x"])
        );
    }
}
