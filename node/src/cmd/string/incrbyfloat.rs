//! INCRBYFLOAT: increments the floating point value of a key by a number, from 0 when the key
//! does not exist.
//!
//! # Format
//! ```text
//! INCRBYFLOAT key increment
//! ```
//! Answers the new value as a bulk string, and stores that text. The key keeps its TTL.
//!
//! The arithmetic is Redis's on x86-64: both operands parsed as `long double` (80-bit x87
//! extended precision), added, and printed with `%.17Lf` with trailing zeros trimmed — so
//! `0.1 + 0.2` gives `0.3` and `12345.678` gives `12345.67799999999999994`, as in Redis. It is
//! emulated exactly in integer arithmetic ([`super::long_double`]), so replicas agree bit for
//! bit and the log keeps `incrbyfloat key increment` as given.

use bytes::Bytes;

use crate::cmd::args::word;
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;
use crate::store::{Str, Value};

use super::as_str_mut;
use super::long_double::LongDouble;

pub const SPEC: Spec = Spec {
    name: "incrbyfloat",
    arity: 3,
    flags: flags::WRITE | flags::DENYOOM | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

fn parse_increment(arg: &[u8]) -> Result<LongDouble, CmdError> {
    LongDouble::parse(arg).ok_or(CmdError::NotFloat)
}

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    parse_increment(&argv[2])?;
    Ok(vec![word("incrbyfloat"), argv[1].clone(), argv[2].clone()])
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let increment = parse_increment(&argv[2])?;
    let (now, index) = (ctx.now_ms, ctx.index);
    let db = ctx.db();
    let key = &argv[1];
    let Some(entry) = db.get_mut(key, now) else {
        let text = sum_text(LongDouble::ZERO, increment)?;
        db.set(key, Value::Str(Str::new(&text)), index);
        return Ok(Reply::Bulk(text));
    };
    let value = as_str_mut(entry)?;
    let current = LongDouble::parse(value).ok_or(CmdError::NotFloat)?;
    let text = sum_text(current, increment)?;
    *value = Str::new(&text);
    entry.version = index;
    Ok(Reply::Bulk(text))
}

/// The text Redis stores for `current + increment`, or its NaN/Infinity error.
fn sum_text(current: LongDouble, increment: LongDouble) -> Result<Bytes, CmdError> {
    let sum = current
        .checked_add(increment)
        .ok_or(CmdError::NanOrInfinity)?;
    Ok(Bytes::from(sum.to_human()))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::machine::Machine;

    #[test]
    fn refuses_invalid_increments() {
        for bad in ["abc", "", " 1", "1 ", "nan", "1e5000", "1.5.5", "1e"] {
            assert_eq!(
                prep_err(&["incrbyfloat", "k", bad]),
                "ERR value is not a valid float",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn adds_like_redis() {
        let mut m = Machine::new(16);
        assert_eq!(run(&mut m, 1, &["incrbyfloat", "k", "1"]), bulk("1"));
        assert_eq!(run(&mut m, 1, &["incrbyfloat", "k", "0.25"]), bulk("1.25"));
        run(&mut m, 1, &["set", "k", "10.50"]);
        assert_eq!(run(&mut m, 1, &["INCRBYFLOAT", "k", "0.1"]), bulk("10.6"));
        assert_eq!(run(&mut m, 1, &["incrbyfloat", "k", "-5"]), bulk("5.6"));
        run(&mut m, 1, &["set", "k", "5.0e3"]);
        assert_eq!(run(&mut m, 1, &["incrbyfloat", "k", "2.0e2"]), bulk("5200"));
        run(&mut m, 1, &["set", "z", "0"]);
        for expected in ["0.1", "0.2", "0.3"] {
            assert_eq!(run(&mut m, 1, &["incrbyfloat", "z", "0.1"]), bulk(expected));
        }
        assert_eq!(value(&m, "z", 1).as_deref(), Some(&b"0.3"[..]));
    }

    #[test]
    fn errors_and_ttl() {
        let mut m = Machine::new(16);
        for bad in ["abc", "    11", "11 ", "1.5\0"] {
            run(&mut m, 1, &["set", "k", bad]);
            assert_eq!(
                run(&mut m, 1, &["incrbyfloat", "k", "1"]),
                err("ERR value is not a valid float"),
                "{bad:?}"
            );
        }
        run(&mut m, 1, &["set", "k", "0"]);
        assert_eq!(
            run(&mut m, 1, &["incrbyfloat", "k", "+inf"]),
            err("ERR increment would produce NaN or Infinity")
        );
        run(&mut m, 1, &["set", "k", "inf"]);
        assert_eq!(
            run(&mut m, 1, &["incrbyfloat", "k", "-inf"]),
            err("ERR increment would produce NaN or Infinity")
        );
        assert_eq!(value(&m, "k", 1).as_deref(), Some(&b"inf"[..]));
        assert_eq!(
            run(&mut m, 1, &["incrbyfloat", "none", "inf"]),
            err("ERR increment would produce NaN or Infinity")
        );
        assert_eq!(value(&m, "none", 1), None);
        run(&mut m, 1, &["set", "t", "1.5", "px", "100"]);
        assert_eq!(run(&mut m, 50, &["incrbyfloat", "t", "1.5"]), bulk("3"));
        assert_eq!(expire_at(&m, "t", 50), Some(101));
    }
}
