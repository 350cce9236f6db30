//! RPOP: remove and get the last elements in a list.
//!
//! # Format
//! ```text
//! RPOP key [count]
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
    name: "rpop",
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

/// Logged as `rpop key [count]` with the count in canonical form.
fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    let count = pop_count("rpop", argv)?;
    let mut canon = vec![word("rpop"), argv[1].clone()];
    canon.extend(count.map(|n| int_arg(n as i64)));
    Ok(canon)
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let count = pop_count("rpop", argv)?;
    pop(ctx, &argv[1], End::Right, count)
}

#[cfg(test)]
mod tests {
    use crate::cmd::string::testing::*;
    use crate::machine::Machine;
    use crate::resp::Reply;

    #[test]
    fn pops_from_the_tail() {
        let mut m = Machine::new(16);
        assert_eq!(run(&mut m, 1, &["rpop", "k"]), Reply::Nil);
        assert_eq!(run(&mut m, 1, &["rpop", "k", "1"]), Reply::NilArray);
        assert_eq!(
            run(&mut m, 1, &["rpop", "k", "-1"]),
            err("ERR value is out of range, must be positive")
        );
        run(&mut m, 1, &["rpush", "k", "a", "b", "c"]);
        assert_eq!(run(&mut m, 1, &["rpop", "k"]), bulk("c"));
        assert_eq!(version(&m, "k", 1), Some(m.last_applied()));
        assert_eq!(
            run(&mut m, 1, &["RPOP", "k", "5"]),
            Reply::Array(vec![bulk("b"), bulk("a")])
        );
        assert_eq!(m.store().db(0).len(), 0);
    }

    #[test]
    fn queue_pattern() {
        // LPUSH producers, RPOP consumer: first in, first out.
        let mut m = Machine::new(16);
        let task = r#"{"task": "process_document", "id": 123}"#;
        run(&mut m, 1, &["lpush", "queue:tasks", task]);
        run(&mut m, 1, &["lpush", "queue:tasks", "second"]);
        assert_eq!(run(&mut m, 1, &["rpop", "queue:tasks"]), bulk(task));
        assert_eq!(run(&mut m, 1, &["rpop", "queue:tasks"]), bulk("second"));
        assert_eq!(run(&mut m, 1, &["rpop", "queue:tasks"]), Reply::Nil);
    }
}
