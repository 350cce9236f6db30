//! MGET: returns the string values of one or more keys.
//!
//! # Format
//! ```text
//! MGET key [key ...]
//! ```
//! Nil for a key that does not exist or holds another type (never WRONGTYPE).

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;
use crate::store::Str;

use super::as_str;

pub const SPEC: Spec = Spec {
    name: "mget",
    arity: -2,
    flags: flags::READONLY | flags::FAST,
    first_key: 1,
    last_key: -1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (mut hits, mut misses) = (0, 0);
    let values = argv[1..]
        .iter()
        .map(|key| match db.get(key, now) {
            Some(entry) => {
                hits += 1;
                Reply::opt_bulk(as_str(entry).ok().map(Str::to_bytes))
            }
            None => {
                misses += 1;
                Reply::Nil
            }
        })
        .collect();
    ctx.hits += hits;
    ctx.misses += misses;
    Ok(Reply::Array(values))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::machine::Machine;

    #[test]
    fn values_in_order_with_nils() {
        let mut m = Machine::new(16);
        run(&mut m, 100, &["mset", "a", "1", "b", "2"]);
        run(&mut m, 100, &["set", "t", "x", "px", "10"]);
        assert_eq!(
            run(&mut m, 200, &["MGET", "a", "nokey", "b", "t", "a"]),
            Reply::Array(vec![
                bulk("1"),
                Reply::Nil,
                bulk("2"),
                Reply::Nil,
                bulk("1")
            ])
        );
        let (_, hits, misses) = m.read(read, 0, &argv(&["mget", "a", "x", "t"]), 200, 0);
        assert_eq!((hits, misses), (1, 2));
    }
}
