//! TYPE: determine the type stored at key.
//!
//! # Format
//! ```text
//! TYPE key
//! ```
//! Answers the type name as a status (`+string`), or `none` when the key does not exist.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "type",
    arity: 2,
    flags: flags::READONLY | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let store = ctx.store;
    let name = match store.db(ctx.db).get(&argv[1], ctx.now_ms) {
        Some(entry) => {
            ctx.hits += 1;
            entry.value.type_name()
        }
        None => {
            ctx.misses += 1;
            "none"
        }
    };
    Ok(Reply::simple(name))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::Kit;
    use crate::resp::Reply;

    #[test]
    fn type_names() {
        let mut k = Kit::new();
        k.run(100, &["set", "a", "1", "px", "10"]);
        k.check(100, &["type", "a"], Reply::simple("string"));
        assert_eq!((k.hits, k.misses), (1, 0));
        k.check(111, &["type", "a"], Reply::simple("none"));
        k.check(100, &["type", "nokey"], Reply::simple("none"));
        assert_eq!((k.hits, k.misses), (0, 1));
    }
}
