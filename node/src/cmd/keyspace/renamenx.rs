//! RENAMENX: rename a key, only if the new key does not exist.
//!
//! # Format
//! ```text
//! RENAMENX key newkey
//! ```
//! Answers 1 when renamed, 0 when `newkey` exists (or is `key` itself); the TTL moves with the
//! value. A missing key is "ERR no such key".

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdResult, Run, Spec, flags};

use super::rename;

pub const SPEC: Spec = Spec {
    name: "renamenx",
    arity: 3,
    flags: flags::WRITE | flags::FAST,
    first_key: 1,
    last_key: 2,
    step: 1,
    run: Run::Write {
        prepare: rename::prepare,
        apply,
        unchanged: None,
    },
};

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    rename::rename(ctx, &argv[1], &argv[2], true)
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Kit, err};
    use crate::resp::Reply;

    #[test]
    fn only_when_newkey_is_absent() {
        let mut k = Kit::new();
        k.run(100, &["set", "a", "1", "px", "500"]);
        k.run(100, &["set", "b", "2"]);
        k.check(100, &["renamenx", "a", "b"], Reply::Int(0));
        k.check(100, &["get", "b"], Reply::text("2"));
        k.check(100, &["renamenx", "a", "a"], Reply::Int(0));
        k.check(100, &["renamenx", "a", "c"], Reply::Int(1));
        k.check(100, &["get", "c"], Reply::text("1"));
        assert_eq!(k.expire_at(0, "c", 100), Some(600));
        k.check(100, &["renamenx", "a", "c"], err("ERR no such key"));
        k.check(100, &["renamenx", "nokey", "nokey"], err("ERR no such key"));
        // An expired destination does not block the rename.
        k.run(100, &["set", "e", "x", "px", "5"]);
        k.check(200, &["renamenx", "b", "e"], Reply::Int(1));
        k.check(200, &["get", "e"], Reply::text("2"));
    }
}
