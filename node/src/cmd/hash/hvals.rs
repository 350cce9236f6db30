//! HVALS: gets all the values in a hash.
//!
//! # Format
//! ```text
//! HVALS key
//! ```
//! An array of values in HGETALL's order; empty for a missing key.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::{copy_bulk, read_hash};

pub const SPEC: Spec = Spec {
    name: "hvals",
    arity: 2,
    flags: flags::READONLY,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let values = match read_hash(ctx, &argv[1])? {
        Some(h) => h.iter().map(|(_, v)| copy_bulk(v)).collect(),
        None => Vec::new(),
    };
    Ok(Reply::Array(values))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn values() {
        let mut k = Kit::new();
        k.check(1, &["hvals", "h"], bulks(&[]));
        k.run(1, &["hset", "h", "b", "2", "a", "1", "c", "2"]);
        k.check(1, &["hvals", "h"], bulks(&["2", "1", "2"]));
    }
}
