//! GETDEL: returns the string value of a key after deleting the key.
//!
//! # Format
//! ```text
//! GETDEL key
//! ```
//! Nil when the key does not exist; WRONGTYPE (and nothing deleted) when it holds another
//! type.

use bytes::Bytes;

use crate::cmd::args::word;
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;

use super::as_str;

pub const SPEC: Spec = Spec {
    name: "getdel",
    arity: 2,
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

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    Ok(vec![word("getdel"), argv[1].clone()])
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms;
    let db = ctx.db();
    let Some(entry) = db.get_mut(&argv[1], now) else {
        return Ok(Reply::Nil);
    };
    let value = as_str(entry)?.to_bytes();
    db.remove(&argv[1]);
    Ok(Reply::Bulk(value))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::machine::Machine;
    use crate::resp::Reply;

    #[test]
    fn returns_and_deletes() {
        let mut m = Machine::new(16);
        assert_eq!(run(&mut m, 100, &["getdel", "k"]), Reply::Nil);
        run(&mut m, 100, &["set", "k", "v"]);
        assert_eq!(run(&mut m, 100, &["GETDEL", "k"]), bulk("v"));
        assert_eq!(value(&m, "k", 100), None);
        assert_eq!(run(&mut m, 100, &["getdel", "k"]), Reply::Nil);
        run(&mut m, 100, &["set", "t", "v", "px", "10"]);
        assert_eq!(run(&mut m, 111, &["getdel", "t"]), Reply::Nil);
        assert_eq!(m.store().db(0).len(), 0);
    }
}
