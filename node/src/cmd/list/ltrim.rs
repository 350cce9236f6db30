//! LTRIM: trim a list to the specified range.
//!
//! # Format
//! ```text
//! LTRIM key start stop
//! ```
//! Keeps the elements from `start` to `stop` inclusive (negative indexes count from the tail,
//! ends clamped as LRANGE does); an empty range deletes the key. OK even when the key does
//! not exist. Costs the number of elements removed: whole chunks are dropped from each end.

use bytes::Bytes;

use crate::cmd::args::{self, int_arg, word};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;

use super::{as_list, as_list_mut, resolve_range};

pub const SPEC: Spec = Spec {
    name: "ltrim",
    arity: 4,
    flags: flags::WRITE,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    let start = args::parse_i64(&argv[2])?;
    let stop = args::parse_i64(&argv[3])?;
    Ok(vec![
        word("ltrim"),
        argv[1].clone(),
        int_arg(start),
        int_arg(stop),
    ])
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let start = args::parse_i64(&argv[2])?;
    let stop = args::parse_i64(&argv[3])?;
    let (now, version) = (ctx.now_ms, ctx.index);
    let db = ctx.db();
    let Some(entry) = db.get_mut(&argv[1], now) else {
        return Ok(Reply::OK);
    };
    let len = as_list(entry)?.len();
    let (front, back) = match resolve_range(len, start, stop) {
        Some((first, count)) => (first, len - first - count),
        None => (len, 0),
    };
    // Redis signals the key as modified even when nothing is removed.
    entry.version = version;
    if front == len {
        db.remove(&argv[1]);
    } else if front + back > 0 {
        as_list_mut(entry)?.trim(front, back);
    }
    Ok(Reply::OK)
}

#[cfg(test)]
mod tests {
    use crate::cmd::string::testing::*;
    use crate::machine::Machine;
    use crate::resp::Reply;

    fn arr(items: &[&str]) -> Reply {
        Reply::Array(items.iter().map(|s| bulk(s)).collect())
    }

    #[test]
    fn trims_like_lrange() {
        let mut m = Machine::new(16);
        assert_eq!(
            prep_err(&["ltrim", "k", "a", "1"]),
            "ERR value is not an integer or out of range"
        );
        assert_eq!(run(&mut m, 1, &["ltrim", "k", "0", "1"]), Reply::OK);
        run(&mut m, 1, &["rpush", "k", "1", "2", "3", "4", "5"]);
        assert_eq!(
            run(&mut m, 1, &["ltrim", "k", "-9223372036854775808", "-2"]),
            Reply::OK
        );
        assert_eq!(
            run(&mut m, 1, &["lrange", "k", "0", "-1"]),
            arr(&["1", "2", "3", "4"])
        );
        assert_eq!(run(&mut m, 1, &["LTRIM", "k", "1", "100"]), Reply::OK);
        assert_eq!(
            run(&mut m, 1, &["lrange", "k", "0", "-1"]),
            arr(&["2", "3", "4"])
        );
        assert_eq!(run(&mut m, 1, &["ltrim", "k", "0", "-1"]), Reply::OK);
        assert_eq!(version(&m, "k", 1), Some(m.last_applied()));
        assert_eq!(run(&mut m, 1, &["ltrim", "k", "2", "1"]), Reply::OK);
        assert_eq!(m.store().db(0).len(), 0);
    }

    #[test]
    fn capped_list_pattern() {
        let mut m = Machine::new(1);
        for i in 0..3000 {
            run(&mut m, 1, &["lpush", "recent", &format!("event-{i}")]);
            run(&mut m, 1, &["ltrim", "recent", "0", "99"]);
        }
        assert_eq!(run(&mut m, 1, &["llen", "recent"]), int(100));
        assert_eq!(
            run(&mut m, 1, &["lindex", "recent", "0"]),
            bulk("event-2999")
        );
        assert_eq!(
            run(&mut m, 1, &["lindex", "recent", "-1"]),
            bulk("event-2900")
        );
    }
}
