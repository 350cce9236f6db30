//! HMGET: gets the values of all the given hash fields.
//!
//! # Format
//! ```text
//! HMGET key field [field ...]
//! ```
//! Answers one value per field, nil for a missing field (every one nil for a missing key).

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::{copy_bulk, read_hash};

pub const SPEC: Spec = Spec {
    name: "hmget",
    arity: -3,
    flags: flags::READONLY | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let hash = read_hash(ctx, &argv[1])?;
    let values = argv[2..]
        .iter()
        .map(|field| {
            hash.and_then(|h| h.get(field))
                .map_or(Reply::Nil, copy_bulk)
        })
        .collect();
    Ok(Reply::Array(values))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::resp::Reply;

    #[test]
    fn values_in_order() {
        let mut k = Kit::new();
        k.check(
            1,
            &["hmget", "h", "a", "b"],
            Reply::Array(vec![Reply::Nil, Reply::Nil]),
        );
        k.run(1, &["hset", "h", "a", "1", "b", "2"]);
        k.check(
            1,
            &["hmget", "h", "b", "x", "a", "b"],
            Reply::Array(vec![bulk("2"), Reply::Nil, bulk("1"), bulk("2")]),
        );
    }
}
