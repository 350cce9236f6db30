//! HKEYS: gets all the fields in a hash.
//!
//! # Format
//! ```text
//! HKEYS key
//! ```
//! An array of fields in HGETALL's order; empty for a missing key.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::{copy_bulk, read_hash};

pub const SPEC: Spec = Spec {
    name: "hkeys",
    arity: 2,
    flags: flags::READONLY,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let fields = match read_hash(ctx, &argv[1])? {
        Some(h) => h.iter().map(|(f, _)| copy_bulk(f)).collect(),
        None => Vec::new(),
    };
    Ok(Reply::Array(fields))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn fields() {
        let mut k = Kit::new();
        k.check(1, &["hkeys", "h"], bulks(&[]));
        k.run(1, &["hset", "h", "b", "2", "a", "1"]);
        k.check(1, &["hkeys", "h"], bulks(&["b", "a"]));
    }
}
