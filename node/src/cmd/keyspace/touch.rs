//! TOUCH: alters the last access time of a key(s). Returns the number of existing keys
//! specified.
//!
//! # Format
//! ```text
//! TOUCH key [key ...]
//! ```
//! Access times are not tracked (see OBJECT IDLETIME), so TOUCH only counts the keys that
//! exist, a key named several times counting each time, as Redis.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "touch",
    arity: -2,
    flags: flags::READONLY | flags::FAST,
    first_key: 1,
    last_key: -1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let mut count = 0i64;
    for key in &argv[1..] {
        if ctx.db().contains(key, ctx.now_ms) {
            ctx.hits += 1;
            count += 1;
        } else {
            ctx.misses += 1;
        }
    }
    Ok(Reply::Int(count))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::Kit;
    use crate::resp::Reply;

    #[test]
    fn counts_existing_keys() {
        let mut k = Kit::new();
        k.run(100, &["set", "a", "1"]);
        k.run(100, &["set", "t", "1", "px", "10"]);
        k.check(100, &["touch", "a", "a", "nokey", "t"], Reply::Int(3));
        assert_eq!((k.hits, k.misses), (3, 1));
        k.check(200, &["touch", "t"], Reply::Int(0));
    }
}
