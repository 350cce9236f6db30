//! DUMP: returns a serialized representation of the value stored at a key.
//!
//! # Format
//! ```text
//! DUMP key
//! ```
//! The payload is Redis 7.0's: the value in RDB form, the RDB version (10) and a CRC64, so
//! RESTORE on a stock Redis accepts it (and a Redis payload RESTOREs here). Nil when the key
//! does not exist. The TTL is not part of the payload, as in Redis.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "dump",
    arity: 2,
    flags: flags::READONLY,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms;
    let payload = ctx
        .db()
        .get(&argv[1], now)
        .map(|entry| crate::rdb::dump(&entry.value));
    match payload {
        Some(payload) => {
            ctx.hits += 1;
            Ok(Reply::Bulk(Bytes::from(payload)))
        }
        None => {
            ctx.misses += 1;
            Ok(Reply::Nil)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::Kit;
    use super::*;

    #[test]
    fn dumps_redis_payloads() {
        let mut kit = Kit::new();
        kit.run(1, &["set", "k", "hello"]);
        // DUMP on redis-server 7.0.15 after `SET k hello`.
        assert_eq!(
            kit.run(1, &["dump", "k"]),
            Reply::Bulk(Bytes::from_static(b"\x00\x05hello\n\x00cr\xdfve4 \n"))
        );
        assert_eq!(kit.run(1, &["dump", "missing"]), Reply::Nil);
    }
}
