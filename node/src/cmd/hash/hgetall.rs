//! HGETALL: gets all the fields and values in a hash.
//!
//! # Format
//! ```text
//! HGETALL key
//! ```
//! A map (a flat array of fields and values in RESP2); empty for a missing key. Order: as
//! inserted while the hash is compact (as Redis's listpack), hash order once it is a table.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::{copy_bulk, read_hash};

pub const SPEC: Spec = Spec {
    name: "hgetall",
    arity: 2,
    flags: flags::READONLY,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let pairs = match read_hash(ctx, &argv[1])? {
        Some(h) => h
            .iter()
            .map(|(f, v)| (copy_bulk(f), copy_bulk(v)))
            .collect(),
        None => Vec::new(),
    };
    Ok(Reply::Map(pairs))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::resp::{Protocol, Reply};

    #[test]
    fn a_map_in_insertion_order() {
        let mut k = Kit::new();
        k.check(1, &["hgetall", "h"], map(&[]));
        k.run(1, &["hset", "h", "b", "2", "a", "1"]);
        let reply = k.run(1, &["hgetall", "h"]);
        assert_eq!(reply, map(&[("b", "2"), ("a", "1")]));
        assert_eq!(
            &reply.to_bytes(Protocol::Resp3)[..],
            b"%2\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n"
        );
        assert_eq!(
            &reply.to_bytes(Protocol::Resp2)[..],
            b"*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n"
        );
        assert_eq!(&Reply::Map(vec![]).to_bytes(Protocol::Resp3)[..], b"%0\r\n");
    }

    #[test]
    fn a_table_answers_everything() {
        let mut k = Kit::new();
        for i in 0..200 {
            k.run(1, &["hset", "h", &format!("f{i}"), &format!("v{i}")]);
        }
        let Reply::Map(pairs) = k.run(1, &["hgetall", "h"]) else {
            panic!()
        };
        assert_eq!(pairs.len(), 200);
        for (f, v) in pairs {
            let (Reply::Bulk(f), Reply::Bulk(v)) = (f, v) else {
                panic!()
            };
            assert_eq!(f[1..], v[1..]);
        }
    }
}
