//! GETRANGE: returns a substring of the string stored at a key.
//!
//! # Format
//! ```text
//! GETRANGE key start end
//! ```
//! Both ends are inclusive; negative indexes count from the end (-1 is the last byte). An
//! empty string when the key does not exist or the range is empty.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, args, flags};
use crate::resp::Reply;

use super::as_str;

pub const SPEC: Spec = Spec {
    name: "getrange",
    arity: 4,
    flags: flags::READONLY,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

/// GETRANGE and SUBSTR.
pub(crate) fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let start = args::parse_i64(&argv[2])?;
    let end = args::parse_i64(&argv[3])?;
    let Some(entry) = ctx.db().get(&argv[1], ctx.now_ms) else {
        ctx.misses += 1;
        return Ok(Reply::Bulk(Bytes::new()));
    };
    let value = as_str(entry)?;
    let reply = match range(value.len(), start, end) {
        Some((from, to)) => Bytes::copy_from_slice(&value[from..=to]),
        None => Bytes::new(),
    };
    ctx.hits += 1;
    Ok(Reply::Bulk(reply))
}

/// The inclusive byte range Redis's `getrangeCommand` returns from a string of `len` bytes,
/// or `None` for an empty reply.
fn range(len: usize, start: i64, end: i64) -> Option<(usize, usize)> {
    if start < 0 && end < 0 && start > end {
        return None;
    }
    let len = len as i128;
    let resolve = |i: i64| {
        let i = i128::from(i);
        if i < 0 { (len + i).max(0) } else { i }
    };
    let start = resolve(start);
    let end = resolve(end).min(len - 1);
    if len == 0 || start > end {
        return None;
    }
    Some((start as usize, end as usize))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::machine::Machine;

    #[test]
    fn ranges_as_redis() {
        let mut m = Machine::new(16);
        run(&mut m, 1, &["set", "s", "Hello World"]);
        let get = |m: &mut Machine, a: &str, b: &str| run(m, 1, &["getrange", "s", a, b]);
        assert_eq!(get(&mut m, "0", "3"), bulk("Hell"));
        assert_eq!(get(&mut m, "-3", "-1"), bulk("rld"));
        assert_eq!(get(&mut m, "0", "-1"), bulk("Hello World"));
        assert_eq!(get(&mut m, "10", "100"), bulk("d"));
        assert_eq!(get(&mut m, "-1", "-5"), bulk(""));
        assert_eq!(get(&mut m, "5", "3"), bulk(""));
        assert_eq!(get(&mut m, "-100", "2"), bulk("Hel"));
        assert_eq!(get(&mut m, "11", "11"), bulk(""));
        assert_eq!(get(&mut m, "-1", "-1"), bulk("d"));
        assert_eq!(get(&mut m, "0", "-9223372036854775808"), bulk("H"));
        assert_eq!(
            get(&mut m, "-9223372036854775808", "9223372036854775807"),
            bulk("Hello World")
        );
        assert_eq!(
            get(&mut m, "x", "1"),
            err("ERR value is not an integer or out of range")
        );
        assert_eq!(run(&mut m, 1, &["getrange", "none", "0", "1"]), bulk(""));
        assert_eq!(
            run(&mut m, 1, &["getrange", "none", "0", "1.5"]),
            err("ERR value is not an integer or out of range")
        );
        run(&mut m, 1, &["set", "e", ""]);
        assert_eq!(run(&mut m, 1, &["getrange", "e", "0", "-1"]), bulk(""));
        assert_eq!(run(&mut m, 1, &["getrange", "e", "0", "0"]), bulk(""));
    }

    #[test]
    fn range_edges() {
        assert_eq!(range(5, 0, 0), Some((0, 0)));
        assert_eq!(range(5, -5, -1), Some((0, 4)));
        assert_eq!(range(5, 5, 10), None);
        assert_eq!(range(0, 0, -1), None);
        // Both ends before the start clamp to the first byte.
        assert_eq!(range(5, i64::MIN, i64::MIN), Some((0, 0)));
        assert_eq!(range(5, -100, -100), Some((0, 0)));
        assert_eq!(range(5, i64::MAX, i64::MAX), None);
    }
}
