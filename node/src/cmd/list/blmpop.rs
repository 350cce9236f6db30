//! BLMPOP: pop elements from a list, or block until one is available.
//!
//! # Format
//! ```text
//! BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
//! ```
//! LMPOP (see [`super::lmpop`]) once one of the keys holds a non-empty list, waiting up to
//! `timeout` seconds for that; a nil array after the timeout. Not refused in scripts (Redis
//! 7.0 runs it there without blocking). Logged as `blmpop 0 numkeys key... END COUNT n`.

use bytes::Bytes;

use crate::cmd::args::{int_arg, word};
use crate::cmd::blocking::{Block, Kind, logged_timeout, parse_timeout};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};

use super::lmpop::LmPop;

pub const SPEC: Spec = Spec {
    name: "blmpop",
    arity: -5,
    flags: flags::WRITE | flags::BLOCKING,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

/// The timeout (checked first, as Redis does) and the keys.
pub fn block(argv: &[Bytes]) -> Result<Block, CmdError> {
    let timeout_ms = parse_timeout(&argv[1])?;
    let lmpop = LmPop::parse(&argv[1..])?;
    Ok(Block {
        timeout_ms,
        keys: lmpop.keys.to_vec(),
        kind: Kind::List,
    })
}

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    parse_timeout(&argv[1])?;
    let lmpop = LmPop::parse(&argv[1..])?;
    let mut canon = Vec::with_capacity(lmpop.keys.len() + 6);
    canon.push(word("blmpop"));
    canon.push(logged_timeout());
    canon.push(int_arg(lmpop.keys.len() as i64));
    canon.extend(lmpop.keys.iter().cloned());
    canon.push(lmpop.end.word());
    canon.push(word("COUNT"));
    canon.push(int_arg(lmpop.count as i64));
    Ok(canon)
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    LmPop::parse(&argv[1..])?.apply(ctx)
}

#[cfg(test)]
mod tests {
    use crate::cmd::string::testing::*;
    use crate::machine::Machine;
    use crate::resp::Reply;

    #[test]
    fn pops_like_lmpop() {
        assert_eq!(
            prep(&["BLMPOP", "0.1", "2", "a", "b", "left"], 1).unwrap(),
            argv(&["blmpop", "0", "2", "a", "b", "LEFT", "COUNT", "1"])
        );
        assert_eq!(
            prep_err(&["blmpop", "-1", "0", "a", "left"]),
            "ERR timeout is negative"
        );
        assert_eq!(
            prep_err(&["blmpop", "1", "0", "a", "left"]),
            "ERR numkeys should be greater than 0"
        );
        let mut m = Machine::new(16);
        assert_eq!(
            run(&mut m, 1, &["blmpop", "0", "1", "a", "left"]),
            Reply::NilArray
        );
        run(&mut m, 1, &["rpush", "a", "1", "2", "3"]);
        assert_eq!(
            run(&mut m, 1, &["blmpop", "0", "1", "a", "right", "count", "2"]),
            Reply::Array(vec![bulk("a"), Reply::Array(vec![bulk("3"), bulk("2")])])
        );
    }
}
