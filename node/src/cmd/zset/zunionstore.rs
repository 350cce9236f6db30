//! ZUNIONSTORE: stores the union of multiple sorted sets in a key.
//!
//! # Format
//! ```text
//! ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM | MIN | MAX]
//! ```
//! Answers the size of the result, stored in `destination` whatever its type (an empty result
//! deletes it). Deviation: argument errors are raised before the keys are looked at, so a
//! syntax error wins over WRONGTYPE where Redis answers WRONGTYPE. Plain set keys count
//! too, each member scoring 1, as in Redis.

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};

use super::setop::{self, Op};

pub const SPEC: Spec = Spec {
    name: "zunionstore",
    arity: -4,
    flags: flags::WRITE | flags::DENYOOM,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    setop::parse_store(argv, Op::Union, "zunionstore")?;
    Ok(argv.to_vec())
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    setop::apply_store(ctx, argv, Op::Union, "zunionstore")
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::resp::Reply;

    #[test]
    fn stores_unions() {
        let mut k = with("a", &[("x", 1.0), ("y", 2.0), ("z", 3.0)]);
        add(&mut k, "b", &[("y", 10.0), ("z", 20.0), ("w", 30.0)]);
        k.check(
            100,
            &[
                "zunionstore",
                "d",
                "2",
                "a",
                "b",
                "weights",
                "1",
                "1",
                "aggregate",
                "sum",
            ],
            Reply::Int(4),
        );
        k.check(
            100,
            &["zrange", "d", "0", "-1", "withscores"],
            pairs(&[("x", 1.0), ("y", 12.0), ("z", 23.0), ("w", 30.0)]),
        );
        assert_eq!(encoding(&mut k, "d"), Reply::text("listpack"));
        // Into one of its own inputs.
        k.check(100, &["zunionstore", "a", "2", "a", "b"], Reply::Int(4));
        k.check(100, &["zscore", "a", "z"], d(23.0));
        k.check(100, &["zunionstore", "d", "1", "nokey"], Reply::Int(0));
        k.check(100, &["exists", "d"], Reply::Int(0));
        for (a, e) in [
            (
                &["zunionstore", "d", "0", "a"][..],
                "ERR at least 1 input key is needed for 'zunionstore' command",
            ),
            (&["zunionstore", "d", "1", "a", "b"], "ERR syntax error"),
            (
                &["zunionstore", "d", "2", "a", "b", "withscores"],
                "ERR syntax error",
            ),
        ] {
            k.check(100, a, err(e));
        }
        k.run(100, &["set", "str", "v"]);
        k.check(
            100,
            &["zunionstore", "d", "2", "a", "str"],
            err("WRONGTYPE Operation against a key holding the wrong kind of value"),
        );
        // The destination is replaced whatever its type.
        k.check(100, &["zunionstore", "str", "1", "b"], Reply::Int(3));
        k.check(100, &["zcard", "str"], Reply::Int(3));
    }

    #[test]
    fn big_results_are_skiplists() {
        let names: Vec<String> = (0..200).map(|i| format!("m{i}")).collect();
        let many: Vec<(&str, f64)> = names.iter().map(|n| (n.as_str(), 1.0)).collect();
        let mut k = with("big", &many);
        k.check(100, &["zunionstore", "d", "1", "big"], Reply::Int(200));
        assert_eq!(encoding(&mut k, "d"), Reply::text("skiplist"));
    }
}
