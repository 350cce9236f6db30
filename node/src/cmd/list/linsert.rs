//! LINSERT: insert an element before or after another element in a list.
//!
//! # Format
//! ```text
//! LINSERT key BEFORE|AFTER pivot element
//! ```
//! Searches for `pivot` from the head. Answers the new length, -1 when the pivot is not
//! found, 0 when the key does not exist.

use bytes::Bytes;

use crate::cmd::args::{is, word};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;

use super::{as_list, as_list_mut};

pub const SPEC: Spec = Spec {
    name: "linsert",
    arity: 5,
    flags: flags::WRITE | flags::DENYOOM,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

/// Whether the element goes AFTER the pivot (else BEFORE); a syntax error for anything else.
fn parse_after(arg: &[u8]) -> Result<bool, CmdError> {
    if is(arg, "AFTER") {
        Ok(true)
    } else if is(arg, "BEFORE") {
        Ok(false)
    } else {
        Err(CmdError::Syntax)
    }
}

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    let after = parse_after(&argv[2])?;
    Ok(vec![
        word("linsert"),
        argv[1].clone(),
        word(if after { "AFTER" } else { "BEFORE" }),
        argv[3].clone(),
        argv[4].clone(),
    ])
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let after = parse_after(&argv[2])?;
    let (pivot, element) = (&argv[3], &argv[4]);
    let (now, version) = (ctx.now_ms, ctx.index);
    let Some(entry) = ctx.db().get_mut(&argv[1], now) else {
        return Ok(Reply::Int(0));
    };
    // No pivot: no copy of a shared list, no new version.
    if !as_list(entry)?.iter().any(|e| e == &pivot[..]) {
        return Ok(Reply::Int(-1));
    }
    let list = as_list_mut(entry)?;
    list.insert_at_pivot(pivot, after, element);
    let len = list.len();
    entry.version = version;
    Ok(Reply::Int(len as i64))
}

#[cfg(test)]
mod tests {
    use crate::cmd::string::testing::*;
    use crate::machine::Machine;
    use crate::resp::Reply;

    #[test]
    fn inserts_around_the_first_pivot() {
        let mut m = Machine::new(16);
        assert_eq!(
            prep(&["LINSERT", "k", "before", "p", "e"], 1).unwrap(),
            argv(&["linsert", "k", "BEFORE", "p", "e"])
        );
        assert_eq!(
            prep_err(&["linsert", "k", "middle", "p", "e"]),
            "ERR syntax error"
        );
        assert_eq!(
            run(&mut m, 1, &["linsert", "k", "before", "a", "x"]),
            int(0)
        );
        assert_eq!(m.store().db(0).len(), 0);
        run(&mut m, 1, &["rpush", "k", "a", "b", "a"]);
        let v = version(&m, "k", 1);
        assert_eq!(
            run(&mut m, 1, &["linsert", "k", "after", "zz", "x"]),
            int(-1)
        );
        assert_eq!(version(&m, "k", 1), v);
        assert_eq!(
            run(&mut m, 1, &["linsert", "k", "BEFORE", "a", "x"]),
            int(4)
        );
        assert_eq!(run(&mut m, 1, &["linsert", "k", "After", "a", "y"]), int(5));
        assert_eq!(run(&mut m, 1, &["linsert", "k", "after", "a", "z"]), int(6));
        assert_eq!(
            run(&mut m, 1, &["lrange", "k", "0", "-1"]),
            Reply::Array(
                ["x", "a", "z", "y", "b", "a"]
                    .iter()
                    .map(|s| bulk(s))
                    .collect()
            )
        );
    }
}
