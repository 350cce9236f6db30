//! LPOP: remove and get the first elements in a list.
//!
//! # Format
//! ```text
//! LPOP key [count]
//! ```
//! Without a count: the element, or nil when the key does not exist. With a count: an array of
//! up to `count` elements in pop order, a nil array when the key does not exist, and an
//! empty array for a count of 0. A count that is not an integer ≥ 0 is refused with
//! "value is out of range, must be positive". The key is deleted once emptied.

use bytes::Bytes;

use crate::cmd::args::{int_arg, word};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};

use super::{End, pop, pop_count};

pub const SPEC: Spec = Spec {
    name: "lpop",
    arity: -2,
    flags: flags::WRITE | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

/// Logged as `lpop key [count]` with the count in canonical form.
fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    let count = pop_count("lpop", argv)?;
    let mut canon = vec![word("lpop"), argv[1].clone()];
    canon.extend(count.map(|n| int_arg(n as i64)));
    Ok(canon)
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let count = pop_count("lpop", argv)?;
    pop(ctx, &argv[1], End::Left, count)
}

#[cfg(test)]
mod tests {
    use crate::cmd::string::testing::*;
    use crate::machine::Machine;
    use crate::resp::Reply;

    #[test]
    fn count_syntax() {
        assert_eq!(prep(&["LPOP", "k"], 1).unwrap(), argv(&["lpop", "k"]));
        assert_eq!(
            prep(&["lpop", "k", "3"], 1).unwrap(),
            argv(&["lpop", "k", "3"])
        );
        for bad in ["-1", "abc", "1.5", "9223372036854775808", " 1"] {
            assert_eq!(
                prep_err(&["lpop", "k", bad]),
                "ERR value is out of range, must be positive"
            );
        }
        assert_eq!(
            prep_err(&["lpop", "k", "1", "2"]),
            "ERR wrong number of arguments for 'lpop' command"
        );
    }

    #[test]
    fn pops_from_the_head() {
        let mut m = Machine::new(16);
        assert_eq!(run(&mut m, 1, &["lpop", "k"]), Reply::Nil);
        assert_eq!(run(&mut m, 1, &["lpop", "k", "0"]), Reply::NilArray);
        assert_eq!(run(&mut m, 1, &["lpop", "k", "2"]), Reply::NilArray);
        run(&mut m, 1, &["rpush", "k", "a", "b", "c", "d"]);
        assert_eq!(run(&mut m, 1, &["lpop", "k"]), bulk("a"));
        assert_eq!(run(&mut m, 1, &["lpop", "k", "0"]), Reply::Array(vec![]));
        assert_eq!(
            run(&mut m, 1, &["lpop", "k", "2"]),
            Reply::Array(vec![bulk("b"), bulk("c")])
        );
        assert_eq!(
            run(&mut m, 1, &["lpop", "k", "9223372036854775807"]),
            Reply::Array(vec![bulk("d")])
        );
        assert_eq!(m.store().db(0).len(), 0);
        run(&mut m, 1, &["rpush", "k", "x"]);
        assert_eq!(run(&mut m, 1, &["lpop", "k"]), bulk("x"));
        assert_eq!(m.store().db(0).len(), 0);
    }
}
