//! GETSET: returns the old string value of a key after setting it to a new value.
//!
//! # Format
//! ```text
//! GETSET key value
//! ```
//! Same as `SET key value GET`, which is what the log holds (applied by SET): the old value
//! or nil, WRONGTYPE without setting when the key holds another type, and any TTL removed.

use bytes::Bytes;

use crate::cmd::args::word;
use crate::cmd::{CmdError, Prepare, Run, Spec, flags};

use super::set;

pub const SPEC: Spec = Spec {
    name: "getset",
    arity: 3,
    flags: flags::WRITE | flags::DENYOOM | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Write {
        prepare,
        apply: set::apply,
        unchanged: None,
    },
};

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    Ok(vec![
        word("set"),
        argv[1].clone(),
        argv[2].clone(),
        word("GET"),
    ])
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::machine::Machine;
    use crate::resp::Reply;

    #[test]
    fn logs_set_get() {
        assert_eq!(
            prep(&["GETSET", "k", "v"], 5).unwrap(),
            argv(&["set", "k", "v", "GET"])
        );
    }

    #[test]
    fn returns_old_value_and_clears_ttl() {
        let mut m = Machine::new(16);
        assert_eq!(run(&mut m, 100, &["getset", "k", "a"]), Reply::Nil);
        assert_eq!(run(&mut m, 100, &["psetex", "k", "1000", "b"]), Reply::OK);
        assert_eq!(run(&mut m, 100, &["getset", "k", "c"]), bulk("b"));
        assert_eq!(expire_at(&m, "k", 100), None);
        assert_eq!(run(&mut m, 100, &["get", "k"]), bulk("c"));
    }
}
