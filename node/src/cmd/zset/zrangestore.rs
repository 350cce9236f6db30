//! ZRANGESTORE: stores a range of members from a sorted set in a key.
//!
//! # Format
//! ```text
//! ZRANGESTORE dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]
//! ```
//! Answers the number of members stored; an empty result deletes `dst`. `dst` is replaced
//! whatever its type, and takes the encoding the result's size calls for. Logged as the
//! client's argv.

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::store::ZSet;

use super::range::{Direction, Kind, Query};
use super::{as_zset, store_result};

pub const SPEC: Spec = Spec {
    name: "zrangestore",
    arity: -5,
    flags: flags::WRITE | flags::DENYOOM,
    first_key: 1,
    last_key: 2,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

fn parse(argv: &[Bytes]) -> Result<Query, CmdError> {
    Query::parse(argv, 2, true, Kind::Auto, Direction::Auto)
}

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    parse(argv)?;
    Ok(argv.to_vec())
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let query = parse(argv)?;
    let now = ctx.now_ms;
    let result = match ctx.db().get(&query.key, now) {
        None => ZSet::new(),
        Some(entry) => {
            let mut items = query.select(as_zset(entry)?);
            if query.reverse {
                items.reverse();
            }
            ZSet::from_sorted(items)
        }
    };
    Ok(store_result(ctx, &argv[1], result))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::resp::Reply;

    #[test]
    fn stores_ranges() {
        let mut k = with("src", &[("a", 1.0), ("b", 2.0), ("c", 3.0), ("d", 4.0)]);
        k.check(100, &["zrangestore", "dst", "src", "1", "2"], Reply::Int(2));
        k.check(
            100,
            &["zrange", "dst", "0", "-1", "withscores"],
            pairs(&[("b", 2.0), ("c", 3.0)]),
        );
        k.check(
            100,
            &[
                "zrangestore",
                "dst",
                "src",
                "+inf",
                "(2",
                "byscore",
                "rev",
                "limit",
                "0",
                "1",
            ],
            Reply::Int(1),
        );
        k.check(100, &["zrange", "dst", "0", "-1"], bulks(&["d"]));
        k.check(
            100,
            &["zrangestore", "dst", "src", "[b", "+", "bylex"],
            Reply::Int(3),
        );
        k.check(
            100,
            &["zrangestore", "dst", "nokey", "0", "-1"],
            Reply::Int(0),
        );
        k.check(100, &["exists", "dst"], Reply::Int(0));
        // The destination is replaced whatever its type, and loses its TTL.
        k.run(100, &["set", "s", "v", "px", "1000"]);
        k.check(100, &["zrangestore", "s", "src", "0", "0"], Reply::Int(1));
        k.check(100, &["type", "s"], Reply::Simple("zset".into()));
        assert_eq!(k.expire_at(0, "s", 100), None);
        k.check(
            100,
            &["zrangestore", "dst", "s", "0", "-1", "withscores"],
            err("ERR syntax error"),
        );
        k.run(100, &["set", "str", "v"]);
        k.check(
            100,
            &["zrangestore", "dst", "str", "0", "-1"],
            err("WRONGTYPE Operation against a key holding the wrong kind of value"),
        );
        // Storing into the source itself.
        k.check(100, &["zrangestore", "src", "src", "0", "1"], Reply::Int(2));
        k.check(100, &["zrange", "src", "0", "-1"], bulks(&["a", "b"]));
    }

    #[test]
    fn result_encoding_follows_its_size() {
        let names: Vec<String> = (0..200).map(|i| format!("m{i:03}")).collect();
        let many: Vec<(&str, f64)> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i as f64))
            .collect();
        let mut k = with("big", &many);
        k.run(100, &["zrangestore", "small", "big", "0", "5"]);
        assert_eq!(encoding(&mut k, "small"), Reply::text("listpack"));
        k.run(
            100,
            &["zrangestore", "all", "big", "-inf", "+inf", "byscore"],
        );
        assert_eq!(encoding(&mut k, "all"), Reply::text("skiplist"));
    }
}
