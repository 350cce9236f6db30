//! HINCRBYFLOAT: increments the floating point value of a hash field by the given amount.
//!
//! # Format
//! ```text
//! HINCRBYFLOAT key field increment
//! ```
//! A missing key or field counts as 0. Answers the new value as a bulk string and stores that
//! text. The arithmetic and formatting are INCRBYFLOAT's: Redis's x87 `long double`, emulated
//! exactly ([`crate::cmd::string::long_double`]), so replicas agree bit for bit and the log
//! keeps the command as given.
//!
//! Errors as Redis 7.0: an increment that does not parse is "ERR value is not a valid
//! float", an infinite one "ERR value is NaN or Infinity"; a stored value that does not parse
//! is "ERR hash value is not a float"; an infinite result "ERR increment would produce NaN or
//! Infinity".

use bytes::Bytes;

use crate::cmd::args::word;
use crate::cmd::string::long_double::LongDouble;
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;

use super::update;

pub const SPEC: Spec = Spec {
    name: "hincrbyfloat",
    arity: 4,
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

/// Redis's reply when the field holds something else than a number.
pub const NOT_FLOAT: &str = "ERR hash value is not a float";

/// A parsed HINCRBYFLOAT.
#[derive(Debug, PartialEq, Eq)]
pub struct HIncrByFloat<'a> {
    pub key: &'a Bytes,
    pub field: &'a Bytes,
    pub increment: LongDouble,
}

impl<'a> HIncrByFloat<'a> {
    pub fn parse(argv: &'a [Bytes]) -> Result<HIncrByFloat<'a>, CmdError> {
        let increment = LongDouble::parse(&argv[3]).ok_or(CmdError::NotFloat)?;
        if increment.is_infinite() {
            return Err(CmdError::other("ERR value is NaN or Infinity"));
        }
        Ok(HIncrByFloat {
            key: &argv[1],
            field: &argv[2],
            increment,
        })
    }
}

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    let cmd = HIncrByFloat::parse(argv)?;
    Ok(vec![
        word("hincrbyfloat"),
        cmd.key.clone(),
        cmd.field.clone(),
        argv[3].clone(),
    ])
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let cmd = HIncrByFloat::parse(argv)?;
    update(ctx, cmd.key, |hash| {
        let current = match hash.get(cmd.field) {
            Some(text) => LongDouble::parse(text).ok_or(CmdError::other(NOT_FLOAT))?,
            None => LongDouble::ZERO,
        };
        let sum = current
            .checked_add(cmd.increment)
            .ok_or(CmdError::NanOrInfinity)?;
        let text = Bytes::from(sum.to_human());
        hash.insert(cmd.field, &text);
        Ok((Reply::Bulk(text), true))
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn adds_like_incrbyfloat() {
        let mut k = Kit::new();
        k.check(1, &["hincrbyfloat", "h", "f", "10.5"], bulk("10.5"));
        k.check(1, &["hincrbyfloat", "h", "f", "0.1"], bulk("10.6"));
        k.check(1, &["hincrbyfloat", "h", "f", "-5"], bulk("5.6"));
        k.check(1, &["hget", "h", "f"], bulk("5.6"));
        k.run(1, &["hset", "h", "e", "5.0e3", "i", "9223372036854775806"]);
        k.check(1, &["hincrbyfloat", "h", "e", "2.0e2"], bulk("5200"));
        k.check(
            1,
            &["hincrbyfloat", "h", "i", "1"],
            bulk("9223372036854775807"),
        );
        k.check(1, &["hincrbyfloat", "h", "x", "0x10"], bulk("16"));
        for expected in ["0.1", "0.2", "0.3"] {
            k.check(1, &["hincrbyfloat", "h", "z", "0.1"], bulk(expected));
        }
        k.check(1, &["hincrbyfloat", "h", "m", "-0"], bulk("0"));
    }

    #[test]
    fn errors_as_redis() {
        let mut k = Kit::new();
        for bad in ["abc", "", " 1", "1 ", "nan", "1e5000", "1.5.5"] {
            k.check(
                1,
                &["hincrbyfloat", "h", "f", bad],
                err("ERR value is not a valid float"),
            );
        }
        for inf in ["inf", "-inf", "+Infinity"] {
            k.check(
                1,
                &["hincrbyfloat", "h", "f", inf],
                err("ERR value is NaN or Infinity"),
            );
        }
        k.check(1, &["exists", "h"], int(0));
        k.run(
            1,
            &[
                "hset", "h", "e", "", "sp", " 1", "w", "abc", "big", "1e4932", "inf", "inf",
            ],
        );
        for field in ["e", "sp", "w"] {
            k.check(
                1,
                &["hincrbyfloat", "h", field, "1"],
                err("ERR hash value is not a float"),
            );
        }
        let nan_inf = err("ERR increment would produce NaN or Infinity");
        k.check(1, &["hincrbyfloat", "h", "big", "1e4932"], nan_inf.clone());
        k.check(1, &["hincrbyfloat", "h", "inf", "1"], nan_inf);
        k.check(1, &["hget", "h", "big"], bulk("1e4932"));
        k.check(1, &["hincrbyfloat", "h", "big", "-1e4932"], bulk("0"));
        // A long result converts the hash, as Redis's hashTypeSet does.
        k.check(1, &["object", "encoding", "h"], bulk("listpack"));
        let Reply::Bulk(text) = k.run(1, &["hincrbyfloat", "h", "n", "1e300"]) else {
            panic!()
        };
        assert_eq!(text.len(), 301);
        k.check(1, &["object", "encoding", "h"], bulk("hashtable"));
    }

    use crate::resp::Reply;
}
