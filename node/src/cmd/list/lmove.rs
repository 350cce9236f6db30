//! LMOVE: pop an element from a list, push it to another list and return it.
//!
//! # Format
//! ```text
//! LMOVE source destination LEFT|RIGHT LEFT|RIGHT
//! ```
//! Pops from the given end of `source` and pushes at the given end of `destination`
//! (created if needed). Nil when `source` does not exist. WRONGTYPE, with nothing moved, when
//! either key holds another type. With the same key for both, the list rotates.

use bytes::Bytes;

use crate::cmd::args::word;
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};

use super::End;

pub const SPEC: Spec = Spec {
    name: "lmove",
    arity: 5,
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

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    let from = End::parse(&argv[3])?;
    let to = End::parse(&argv[4])?;
    Ok(vec![
        word("lmove"),
        argv[1].clone(),
        argv[2].clone(),
        from.word(),
        to.word(),
    ])
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let from = End::parse(&argv[3])?;
    let to = End::parse(&argv[4])?;
    super::lmove(ctx, &argv[1], &argv[2], from, to)
}

#[cfg(test)]
mod tests {
    use crate::cmd::string::testing::*;
    use crate::machine::Machine;
    use crate::resp::Reply;

    fn arr(items: &[&str]) -> Reply {
        Reply::Array(items.iter().map(|s| bulk(s)).collect())
    }

    #[test]
    fn moves_between_lists() {
        let mut m = Machine::new(16);
        assert_eq!(
            prep(&["LMOVE", "a", "b", "left", "Right"], 1).unwrap(),
            argv(&["lmove", "a", "b", "LEFT", "RIGHT"])
        );
        assert_eq!(
            prep_err(&["lmove", "a", "b", "up", "left"]),
            "ERR syntax error"
        );
        assert_eq!(
            prep_err(&["lmove", "a", "b", "left", "down"]),
            "ERR syntax error"
        );
        assert_eq!(
            run(&mut m, 1, &["lmove", "a", "b", "left", "left"]),
            Reply::Nil
        );
        run(&mut m, 1, &["rpush", "a", "1", "2", "3"]);
        assert_eq!(
            run(&mut m, 1, &["lmove", "a", "b", "left", "right"]),
            bulk("1")
        );
        assert_eq!(
            run(&mut m, 1, &["lmove", "a", "b", "right", "left"]),
            bulk("3")
        );
        assert_eq!(
            run(&mut m, 1, &["lrange", "b", "0", "-1"]),
            arr(&["3", "1"])
        );
        assert_eq!(version(&m, "a", 1), Some(m.last_applied()));
        assert_eq!(version(&m, "b", 1), Some(m.last_applied()));
        assert_eq!(
            run(&mut m, 1, &["lmove", "a", "b", "left", "right"]),
            bulk("2")
        );
        assert_eq!(m.store().db(0).len(), 1, "the emptied source is deleted");
        assert_eq!(
            run(&mut m, 1, &["lrange", "b", "0", "-1"]),
            arr(&["3", "1", "2"])
        );
    }

    #[test]
    fn same_key_rotates() {
        let mut m = Machine::new(16);
        run(&mut m, 1, &["rpush", "k", "a", "b", "c"]);
        assert_eq!(
            run(&mut m, 1, &["lmove", "k", "k", "left", "right"]),
            bulk("a")
        );
        assert_eq!(
            run(&mut m, 1, &["lrange", "k", "0", "-1"]),
            arr(&["b", "c", "a"])
        );
        assert_eq!(
            run(&mut m, 1, &["lmove", "k", "k", "right", "left"]),
            bulk("a")
        );
        assert_eq!(
            run(&mut m, 1, &["lrange", "k", "0", "-1"]),
            arr(&["a", "b", "c"])
        );
        run(&mut m, 1, &["rpush", "one", "x"]);
        assert_eq!(
            run(&mut m, 1, &["lmove", "one", "one", "left", "left"]),
            bulk("x")
        );
        assert_eq!(run(&mut m, 1, &["lrange", "one", "0", "-1"]), arr(&["x"]));
    }

    #[test]
    fn wrong_types_move_nothing() {
        let mut m = Machine::new(16);
        let wrong = err("WRONGTYPE Operation against a key holding the wrong kind of value");
        run(&mut m, 1, &["set", "s", "v"]);
        run(&mut m, 1, &["rpush", "l", "a"]);
        assert_eq!(run(&mut m, 1, &["lmove", "l", "s", "left", "left"]), wrong);
        assert_eq!(run(&mut m, 1, &["lmove", "s", "l", "left", "left"]), wrong);
        assert_eq!(run(&mut m, 1, &["lrange", "l", "0", "-1"]), arr(&["a"]));
        // A missing source answers nil whatever the destination holds.
        assert_eq!(
            run(&mut m, 1, &["lmove", "none", "s", "left", "left"]),
            Reply::Nil
        );
    }
}
