//! ZINTERSTORE: stores the intersect of multiple sorted sets in a key.
//!
//! # Format
//! ```text
//! ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM | MIN | MAX]
//! ```
//! Answers the size of the result, stored in `destination` whatever its type (an empty result
//! deletes it). Deviation: argument errors are raised before the keys are looked at, so a
//! syntax error wins over WRONGTYPE where Redis answers WRONGTYPE. Plain set keys count
//! too, each member scoring 1, as in Redis.

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};

use super::setop::{self, Op};

pub const SPEC: Spec = Spec {
    name: "zinterstore",
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
    setop::parse_store(argv, Op::Inter, "zinterstore")?;
    Ok(argv.to_vec())
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    setop::apply_store(ctx, argv, Op::Inter, "zinterstore")
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::resp::Reply;

    #[test]
    fn stores_intersections() {
        let mut k = with("a", &[("x", 1.0), ("y", 2.0), ("z", 3.0)]);
        add(&mut k, "b", &[("y", 10.0), ("z", 20.0), ("w", 30.0)]);
        k.check(100, &["zinterstore", "d", "2", "a", "b"], Reply::Int(2));
        k.check(
            100,
            &["zrange", "d", "0", "-1", "withscores"],
            pairs(&[("y", 12.0), ("z", 23.0)]),
        );
        k.check(100, &["zinterstore", "d", "2", "a", "nokey"], Reply::Int(0));
        k.check(100, &["exists", "d"], Reply::Int(0));
    }
}
