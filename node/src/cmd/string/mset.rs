//! MSET: atomically creates or modifies the string values of one or more keys.
//!
//! # Format
//! ```text
//! MSET key value [key value ...]
//! ```
//! Every key is overwritten whatever its type, and loses its TTL; a key given twice takes
//! its last value.

use bytes::Bytes;

use crate::cmd::args::word;
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;
use crate::store::{Str, Value};

pub const SPEC: Spec = Spec {
    name: "mset",
    arity: -3,
    flags: flags::WRITE | flags::DENYOOM,
    first_key: 1,
    last_key: -1,
    step: 2,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

/// MSET and MSETNX: the arguments after the name must come in pairs, or Redis answers its
/// wrong-arity error for `command`. Returns the canonical argv under that name.
pub(crate) fn prepare_pairs(argv: &[Bytes], command: &'static str) -> Result<Vec<Bytes>, CmdError> {
    if !argv[1..].chunks_exact(2).remainder().is_empty() {
        return Err(CmdError::wrong_arity(command));
    }
    let mut canon = Vec::with_capacity(argv.len());
    canon.push(word(command));
    canon.extend_from_slice(&argv[1..]);
    Ok(canon)
}

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    prepare_pairs(argv, "mset")
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let index = ctx.index;
    let db = ctx.db();
    for pair in argv[1..].chunks_exact(2) {
        db.set(&pair[0], Value::Str(Str::new(&pair[1])), index);
    }
    Ok(Reply::OK)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::machine::Machine;
    use crate::resp::Reply;

    #[test]
    fn odd_arguments_are_an_arity_error() {
        assert_eq!(
            prep_err(&["MSET", "a", "1", "b"]),
            "ERR wrong number of arguments for 'mset' command"
        );
        assert_eq!(
            run(&mut Machine::new(1), 1, &["mset", "a"]),
            err("ERR wrong number of arguments for 'mset' command")
        );
    }

    #[test]
    fn sets_all_and_clears_ttls() {
        let mut m = Machine::new(16);
        run(&mut m, 100, &["set", "e", "old", "px", "1000"]);
        assert_eq!(
            run(
                &mut m,
                100,
                &["mset", "a", "1", "b", "2", "a", "3", "e", "4"]
            ),
            Reply::OK
        );
        assert_eq!(value(&m, "a", 100).as_deref(), Some(&b"3"[..]));
        assert_eq!(value(&m, "b", 100).as_deref(), Some(&b"2"[..]));
        assert_eq!(value(&m, "e", 100).as_deref(), Some(&b"4"[..]));
        assert_eq!(expire_at(&m, "e", 100), None);
    }
}
