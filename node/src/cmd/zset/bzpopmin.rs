//! BZPOPMIN: remove and return the member with the lowest score from one or more sorted sets,
//! or block until one is available.
//!
//! # Format
//! ```text
//! BZPOPMIN key [key ...] timeout
//! ```
//! Pops the lowest-scoring member of the first of the keys that exists, answering
//! `[key, member, score]`; when none exists, waits up to `timeout` seconds (a float, 0 for
//! ever) for one, clients being served in the order they blocked, then answers a nil array.
//! Logged as `bzpopmin key... 0`.

use bytes::Bytes;

use crate::cmd::blocking::{Kind, logged_keys_then_timeout};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;

use super::zmpop::mpop;

pub const SPEC: Spec = Spec {
    name: "bzpopmin",
    arity: -3,
    flags: flags::WRITE | flags::NOSCRIPT | flags::BLOCKING | flags::FAST,
    first_key: 1,
    last_key: -2,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

/// BZPOPMIN and BZPOPMAX's logged form: `[key, member, score]` or a nil array.
pub(super) fn bzpop(ctx: &mut ApplyCtx<'_>, argv: &[Bytes], max: bool) -> CmdResult {
    Ok(match mpop(ctx, &argv[1..argv.len() - 1], max, 1)? {
        Some((key, popped)) => {
            let mut reply = vec![Reply::Bulk(key)];
            for (member, score) in popped {
                reply.push(Reply::Bulk(member));
                reply.push(Reply::Double(score));
            }
            Reply::Array(reply)
        }
        None => Reply::NilArray,
    })
}

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    logged_keys_then_timeout("bzpopmin", argv, Kind::ZSet)
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    bzpop(ctx, argv, false)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::resp::{Protocol, Reply};

    #[test]
    fn pops_from_the_first_existing_key() {
        let mut k = with("z", &[("a", 1.0), ("b", 2.5)]);
        assert_eq!(k.run(100, &["bzpopmin", "none", "0"]), Reply::NilArray);
        assert_eq!(
            k.run(100, &["bzpopmin", "none", "z", "0"])
                .to_bytes(Protocol::Resp2),
            "*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n"
        );
        assert_eq!(
            k.run(100, &["bzpopmax", "z", "1"])
                .to_bytes(Protocol::Resp3),
            "*3\r\n$1\r\nz\r\n$1\r\nb\r\n,2.5\r\n"
        );
        assert_eq!(k.run(100, &["bzpopmax", "z", "0"]), Reply::NilArray);
        assert_eq!(
            k.run(100, &["bzpopmin", "z", "-2"]),
            err("ERR timeout is negative")
        );
        k.run(100, &["set", "s", "v"]);
        assert_eq!(
            k.run(100, &["bzpopmin", "s", "0"]),
            err("WRONGTYPE Operation against a key holding the wrong kind of value")
        );
    }
}
