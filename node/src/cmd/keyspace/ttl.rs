//! TTL: get the time to live for a key in seconds.
//!
//! # Format
//! ```text
//! TTL key
//! ```
//! -2 when the key does not exist, -1 when it has no TTL; otherwise the remaining time rounded
//! to the nearest second (`(ms + 500) / 1000`, as Redis). This file holds the generic code of
//! TTL, PTTL, EXPIRETIME and PEXPIRETIME (Redis's `ttlGenericCommand`).

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "ttl",
    arity: 2,
    flags: flags::READONLY | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, &argv[1], false, false)
}

/// The remaining time (or, with `absolute`, the expiry time) of `key` in milliseconds or
/// seconds.
pub(super) fn ttl_generic(
    ctx: &mut ReadCtx<'_>,
    key: &Bytes,
    millis: bool,
    absolute: bool,
) -> CmdResult {
    let store = ctx.store;
    let Some(entry) = store.db(ctx.db).get(key, ctx.now_ms) else {
        ctx.misses += 1;
        return Ok(Reply::Int(-2));
    };
    ctx.hits += 1;
    let Some(at) = entry.expire_at() else {
        return Ok(Reply::Int(-1));
    };
    let ms = if absolute {
        at
    } else {
        at.saturating_sub(ctx.now_ms)
    };
    let ms = i64::try_from(ms).unwrap_or(i64::MAX);
    Ok(Reply::Int(if millis {
        ms
    } else {
        ms.saturating_add(500) / 1000
    }))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::Kit;
    use crate::resp::Reply;

    #[test]
    fn missing_persistent_and_rounding() {
        let mut k = Kit::new();
        k.check(1000, &["ttl", "nokey"], Reply::Int(-2));
        assert_eq!((k.hits, k.misses), (0, 1));
        k.run(1000, &["set", "p", "1"]);
        k.check(1000, &["ttl", "p"], Reply::Int(-1));
        assert_eq!((k.hits, k.misses), (1, 0));
        k.run(1000, &["set", "a", "1", "px", "1499"]);
        k.check(1000, &["ttl", "a"], Reply::Int(1));
        k.run(1000, &["set", "a", "1", "px", "1500"]);
        k.check(1000, &["ttl", "a"], Reply::Int(2));
        k.check(1001, &["ttl", "a"], Reply::Int(1));
        k.check(2000, &["ttl", "a"], Reply::Int(1));
        k.check(2001, &["ttl", "a"], Reply::Int(0));
        k.check(2500, &["ttl", "a"], Reply::Int(0));
        k.check(2501, &["ttl", "a"], Reply::Int(-2));
        k.run(1000, &["set", "b", "1", "ex", "100"]);
        k.check(1000, &["ttl", "b"], Reply::Int(100));
    }
}
