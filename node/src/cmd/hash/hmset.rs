//! HMSET: sets multiple hash fields to multiple values (deprecated in favour of HSET).
//!
//! # Format
//! ```text
//! HMSET key field value [field value ...]
//! ```
//! Answers OK. The body is HSET's ([`super::hset`]), as in Redis.

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;

use super::hset::{canonical, set_pairs};

pub const SPEC: Spec = Spec {
    name: "hmset",
    arity: -4,
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

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    canonical(argv, "hmset")
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    set_pairs(ctx, argv, "hmset").map(|_| Reply::OK)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::resp::Reply;

    #[test]
    fn answers_ok() {
        let mut k = Kit::new();
        k.check(1, &["hmset", "h", "a", "1", "b", "2"], Reply::OK);
        k.check(1, &["HMSET", "h", "a", "3"], Reply::OK);
        k.check(1, &["hgetall", "h"], map(&[("a", "3"), ("b", "2")]));
        k.check(
            1,
            &["hmset", "h", "a", "1", "b"],
            err("ERR wrong number of arguments for 'hmset' command"),
        );
        k.check(
            1,
            &["hmset", "h", "a"],
            err("ERR wrong number of arguments for 'hmset' command"),
        );
        k.run(1, &["set", "s", "x"]);
        k.check(1, &["hmset", "s", "a", "1"], err(WRONGTYPE));
    }
}
