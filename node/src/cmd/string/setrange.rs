//! SETRANGE: overwrites a part of a string value with another by an offset, creating the key
//! when it does not exist.
//!
//! # Format
//! ```text
//! SETRANGE key offset value
//! ```
//! Answers the new length. Bytes between the old end and `offset` are zeros; the key keeps its
//! TTL. An empty value changes nothing and answers the current length (0 for a missing key,
//! which is not created).
//!
//! The size check (`offset` + value length within `proto-max-bulk-len`) is made when the
//! command is proposed, so no entry in the log can ask for a larger allocation. Deviation that
//! follows: Redis checks the key's type first, so on a key of another type an oversized
//! SETRANGE answers WRONGTYPE there and the size error here.

use bytes::Bytes;

use crate::cmd::args::{self, word};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;
use crate::store::{Str, Value};

use super::as_str_mut;

pub const SPEC: Spec = Spec {
    name: "setrange",
    arity: 4,
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

/// The offset, checked as Redis does: an integer, not negative.
fn parse_offset(arg: &[u8]) -> Result<usize, CmdError> {
    let offset = args::parse_i64(arg)?;
    usize::try_from(offset).map_err(|_| CmdError::OffsetOutOfRange)
}

fn prepare(argv: &[Bytes], p: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    let offset = parse_offset(&argv[2])?;
    let value = &argv[3];
    if !value.is_empty() {
        offset
            .checked_add(value.len())
            .filter(|&end| end <= p.max_bulk_len)
            .ok_or(CmdError::StringTooLong)?;
    }
    Ok(vec![
        word("setrange"),
        argv[1].clone(),
        argv[2].clone(),
        argv[3].clone(),
    ])
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let offset = parse_offset(&argv[2])?;
    let (key, patch) = (&argv[1], &argv[3]);
    let end = offset
        .checked_add(patch.len())
        .ok_or(CmdError::StringTooLong)?;
    let (now, index) = (ctx.now_ms, ctx.index);
    let db = ctx.db();
    let Some(entry) = db.get_mut(key, now) else {
        if patch.is_empty() {
            return Ok(Reply::Int(0));
        }
        let mut value = Str::new(b"");
        let buf = value.make_mut();
        buf.resize(end, 0);
        buf[offset..].copy_from_slice(patch);
        db.set(key, Value::Str(value), index);
        return Ok(Reply::Int(end as i64));
    };
    let value = as_str_mut(entry)?;
    if patch.is_empty() {
        return Ok(Reply::Int(value.len() as i64));
    }
    let buf = value.make_mut();
    if buf.len() < end {
        buf.resize(end, 0);
    }
    buf[offset..end].copy_from_slice(patch);
    let len = buf.len();
    entry.version = index;
    Ok(Reply::Int(len as i64))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::machine::Machine;

    #[test]
    fn errors_match_redis() {
        assert_eq!(
            prep_err(&["setrange", "k", "-1", "x"]),
            "ERR offset is out of range"
        );
        assert_eq!(
            prep_err(&["setrange", "k", "x", "y"]),
            "ERR value is not an integer or out of range"
        );
        assert_eq!(
            prep_err(&["setrange", "k", "536870911", "ab"]),
            "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
        );
        assert_eq!(
            prep_err(&["setrange", "k", "9223372036854775807", "x"]),
            "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
        );
        // Exactly at the limit is fine, and an empty value never checks the size.
        assert!(prep(&["setrange", "k", "536870910", "ab"], 1).is_ok());
        assert!(prep(&["setrange", "k", "999999999999", ""], 1).is_ok());
        assert_eq!(
            prep_err(&["setrange", "k", "-1", ""]),
            "ERR offset is out of range"
        );
    }

    #[test]
    fn pads_with_zeros_and_keeps_ttl() {
        let mut m = Machine::new(16);
        assert_eq!(run(&mut m, 1, &["setrange", "k", "5", "ab"]), int(7));
        assert_eq!(value(&m, "k", 1).as_deref(), Some(&b"\0\0\0\0\0ab"[..]));
        assert_eq!(run(&mut m, 1, &["setrange", "k", "1", "XY"]), int(7));
        assert_eq!(value(&m, "k", 1).as_deref(), Some(&b"\0XY\0\0ab"[..]));
        assert_eq!(run(&mut m, 1, &["setrange", "k", "9", "!"]), int(10));
        assert_eq!(value(&m, "k", 1).as_deref(), Some(&b"\0XY\0\0ab\0\0!"[..]));
        run(&mut m, 1, &["set", "t", "hello", "px", "100"]);
        assert_eq!(run(&mut m, 50, &["setrange", "t", "0", "J"]), int(5));
        assert_eq!(value(&m, "t", 50).as_deref(), Some(&b"Jello"[..]));
        assert_eq!(expire_at(&m, "t", 50), Some(101));
    }

    #[test]
    fn empty_value_changes_nothing() {
        let mut m = Machine::new(16);
        assert_eq!(run(&mut m, 1, &["setrange", "k", "536870912", ""]), int(0));
        assert_eq!(run(&mut m, 1, &["setrange", "k", "0", ""]), int(0));
        assert_eq!(m.store().db(0).len(), 0);
        run(&mut m, 1, &["set", "e", "abc"]);
        let before = version(&m, "e", 1);
        assert_eq!(
            run(&mut m, 1, &["setrange", "e", "999999999999", ""]),
            int(3)
        );
        assert_eq!(version(&m, "e", 1), before);
    }

    #[test]
    fn respects_a_configured_limit() {
        let mut m = Machine::new(16);
        assert_eq!(run_with(&mut m, 1, &["setrange", "k", "7", "x"], 8), int(8));
        assert_eq!(
            run_with(&mut m, 1, &["setrange", "k", "7", "xy"], 8),
            err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
        );
    }
}
