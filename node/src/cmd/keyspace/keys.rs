//! KEYS: find all keys matching the given pattern.
//!
//! # Format
//! ```text
//! KEYS pattern
//! ```
//! The pattern is a Redis glob (`*`, `?`, `[...]`, `\` escapes). Keys come in keyspace (hash)
//! order, which is the same on every node; keys whose TTL has passed are left out.

use bytes::Bytes;

use crate::cmd::glob;
use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "keys",
    arity: 2,
    flags: flags::READONLY,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let pattern = &argv[1][..];
    // As Redis, "*" matches everything without running the matcher.
    let all = pattern == b"*";
    let keys = ctx
        .db()
        .live_keys(ctx.now_ms)
        .filter(|(k, _)| all || glob::matches(pattern, k, false))
        .map(|(k, _)| Reply::Bulk(Bytes::copy_from_slice(k)))
        .collect();
    Ok(Reply::Array(keys))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Kit, bulks};
    use crate::resp::Reply;

    fn sorted(r: Reply) -> Reply {
        match r {
            Reply::Array(mut items) => {
                items.sort_by_key(|i| format!("{i:?}"));
                Reply::Array(items)
            }
            other => other,
        }
    }

    #[test]
    fn glob_and_expiry() {
        let mut k = Kit::new();
        for key in ["user:1", "user:2", "user:10", "other"] {
            k.run(100, &["set", key, "v"]);
        }
        k.run(100, &["set", "user:3", "v", "px", "10"]);
        assert_eq!(
            sorted(k.run(100, &["keys", "user:?"])),
            bulks(&["user:1", "user:2", "user:3"])
        );
        assert_eq!(
            sorted(k.run(200, &["keys", "user:*"])),
            bulks(&["user:1", "user:10", "user:2"])
        );
        assert_eq!(
            sorted(k.run(200, &["keys", "*"])),
            bulks(&["other", "user:1", "user:10", "user:2"])
        );
        k.check(200, &["keys", "nomatch*"], bulks(&[]));
        k.db = 1;
        k.check(200, &["keys", "*"], bulks(&[]));
    }
}
