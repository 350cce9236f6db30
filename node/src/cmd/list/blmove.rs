//! BLMOVE: pop an element from a list, push it to another list and return it; or block until
//! one is available.
//!
//! # Format
//! ```text
//! BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
//! ```
//! LMOVE (see [`super::lmove`]) when `source` holds a list; otherwise waits up to `timeout`
//! seconds for it to fill, then answers a nil array (Redis's timeout reply). Inside MULTI it
//! answers as LMOVE does (a nil bulk). Logged as `blmove source destination FROM TO 0`.

use bytes::Bytes;

use crate::cmd::blocking::{Block, Kind, logged_timeout, parse_timeout};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};

use super::End;

pub const SPEC: Spec = Spec {
    name: "blmove",
    arity: 6,
    flags: flags::WRITE | flags::DENYOOM | flags::NOSCRIPT | flags::BLOCKING,
    first_key: 1,
    last_key: 2,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

/// The source and timeout; the ends are checked first, as Redis does.
pub fn block(argv: &[Bytes]) -> Result<Block, CmdError> {
    End::parse(&argv[3])?;
    End::parse(&argv[4])?;
    Ok(Block {
        timeout_ms: parse_timeout(&argv[5])?,
        keys: vec![argv[1].clone()],
        kind: Kind::List,
    })
}

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    block(argv)?;
    Ok(vec![
        Bytes::from_static(b"blmove"),
        argv[1].clone(),
        argv[2].clone(),
        End::parse(&argv[3])?.word(),
        End::parse(&argv[4])?.word(),
        logged_timeout(),
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

    #[test]
    fn moves_like_lmove() {
        assert_eq!(
            prep(&["BLMOVE", "a", "b", "left", "Right", "0.5"], 1).unwrap(),
            argv(&["blmove", "a", "b", "LEFT", "RIGHT", "0"])
        );
        assert_eq!(
            prep_err(&["blmove", "a", "b", "up", "left", "-1"]),
            "ERR syntax error"
        );
        assert_eq!(
            prep_err(&["blmove", "a", "b", "left", "left", "-1"]),
            "ERR timeout is negative"
        );
        let mut m = Machine::new(16);
        assert_eq!(
            run(&mut m, 1, &["blmove", "a", "b", "left", "left", "0"]),
            Reply::Nil
        );
        run(&mut m, 1, &["rpush", "a", "1", "2"]);
        assert_eq!(
            run(&mut m, 1, &["blmove", "a", "b", "right", "left", "0"]),
            bulk("2")
        );
        assert_eq!(run(&mut m, 1, &["brpoplpush", "a", "b", "0"]), bulk("1"));
        assert_eq!(
            run(&mut m, 1, &["lrange", "b", "0", "-1"]),
            Reply::Array(vec![bulk("1"), bulk("2")])
        );
        assert_eq!(
            prep(&["brpoplpush", "a", "b", "3"], 1).unwrap(),
            argv(&["brpoplpush", "a", "b", "0"])
        );
    }
}
