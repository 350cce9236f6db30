//! HINCRBY: increments the integer value of a hash field by the given number.
//!
//! # Format
//! ```text
//! HINCRBY key field increment
//! ```
//! A missing key or field counts as 0. Answers the new value, stored as its decimal text.
//! The value must be an integer as Redis's `string2ll` reads it ("ERR hash value is not an
//! integer"), and the sum must fit 64 bits ("ERR increment or decrement would overflow").

use bytes::Bytes;

use crate::cmd::args::{self, word};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;

use super::update;

pub const SPEC: Spec = Spec {
    name: "hincrby",
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

/// Redis's reply when the field holds something else than an integer.
pub const NOT_INTEGER: &str = "ERR hash value is not an integer";

/// A parsed HINCRBY.
#[derive(Debug, PartialEq, Eq)]
pub struct HIncrBy<'a> {
    pub key: &'a Bytes,
    pub field: &'a Bytes,
    pub increment: i64,
}

impl<'a> HIncrBy<'a> {
    pub fn parse(argv: &'a [Bytes]) -> Result<HIncrBy<'a>, CmdError> {
        Ok(HIncrBy {
            key: &argv[1],
            field: &argv[2],
            increment: args::parse_i64(&argv[3])?,
        })
    }
}

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    let cmd = HIncrBy::parse(argv)?;
    Ok(vec![
        word("hincrby"),
        cmd.key.clone(),
        cmd.field.clone(),
        args::int_arg(cmd.increment),
    ])
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let cmd = HIncrBy::parse(argv)?;
    update(ctx, cmd.key, |hash| {
        let old = match hash.get(cmd.field) {
            Some(text) => args::strict_i64(text).ok_or(CmdError::other(NOT_INTEGER))?,
            None => 0,
        };
        let value = old.checked_add(cmd.increment).ok_or(CmdError::Overflow)?;
        hash.insert(cmd.field, itoa::Buffer::new().format(value).as_bytes());
        Ok((Reply::Int(value), true))
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn increments() {
        let mut k = Kit::new();
        k.check(1, &["hincrby", "h", "n", "5"], int(5));
        k.check(1, &["hincrby", "h", "n", "-7"], int(-2));
        k.check(1, &["hget", "h", "n"], bulk("-2"));
        k.check(1, &["hincrby", "h", "m", "0"], int(0));
        k.check(1, &["hset", "h", "big", "9223372036854775806"], int(1));
        k.check(1, &["hincrby", "h", "big", "1"], int(i64::MAX));
        k.check(
            1,
            &["hgetall", "h"],
            map(&[("n", "-2"), ("m", "0"), ("big", "9223372036854775807")]),
        );
    }

    #[test]
    fn errors_as_redis() {
        let mut k = Kit::new();
        for bad in ["x", "1.5", "01", " 1", "9223372036854775808", ""] {
            k.check(
                1,
                &["hincrby", "h", "f", bad],
                err("ERR value is not an integer or out of range"),
            );
        }
        k.check(1, &["exists", "h"], int(0));
        k.run(
            1,
            &[
                "hset",
                "h",
                "e",
                "",
                "sp",
                " 1",
                "f",
                "1.5",
                "max",
                "9223372036854775807",
            ],
        );
        k.run(1, &["hset", "h", "min", "-9223372036854775808"]);
        for field in ["e", "sp", "f"] {
            k.check(
                1,
                &["hincrby", "h", field, "1"],
                err("ERR hash value is not an integer"),
            );
        }
        let overflow = err("ERR increment or decrement would overflow");
        k.check(1, &["hincrby", "h", "max", "1"], overflow.clone());
        k.check(1, &["hincrby", "h", "min", "-1"], overflow);
        k.check(1, &["hincrby", "h", "max", "-1"], int(i64::MAX - 1));
        // A failed increment leaves the value alone.
        k.check(1, &["hget", "h", "min"], bulk("-9223372036854775808"));
        // A long field converts the hash, as Redis's hashTypeSet does.
        let long = "f".repeat(70);
        k.check(1, &["hincrby", "h", &long, "1"], int(1));
        k.check(1, &["object", "encoding", "h"], bulk("hashtable"));
    }
}
