//! SMISMEMBER: returns the membership associated with the given elements for a set.
//!
//! # Format
//! ```text
//! SMISMEMBER key member [member ...]
//! ```
//! An array of 1 or 0, one per member (all 0 for a missing key).

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::read_set;

pub const SPEC: Spec = Spec {
    name: "smismember",
    arity: -3,
    flags: flags::READONLY | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let set = read_set(ctx, &argv[1])?;
    Ok(Reply::Array(
        argv[2..]
            .iter()
            .map(|m| Reply::Int(i64::from(set.is_some_and(|s| s.contains(m)))))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Kit, wrongtype};
    use crate::resp::Reply;

    #[test]
    fn memberships() {
        let mut k = Kit::new();
        k.check(
            100,
            &["smismember", "s", "a", "b"],
            Reply::Array(vec![Reply::Int(0), Reply::Int(0)]),
        );
        k.run(100, &["sadd", "s", "1", "2", "3"]);
        k.check(
            100,
            &["smismember", "s", "1", "9", "3", "1"],
            Reply::Array(vec![
                Reply::Int(1),
                Reply::Int(0),
                Reply::Int(1),
                Reply::Int(1),
            ]),
        );
        k.run(100, &["set", "str", "x"]);
        k.check(100, &["smismember", "str", "x"], wrongtype());
    }
}
