//! BZMPOP: remove and return members with scores in a sorted set or block until one is
//! available.
//!
//! # Format
//! ```text
//! BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
//! ```
//! ZMPOP (see [`super::zmpop`]) once one of the keys exists, waiting up to `timeout` seconds
//! for that; a nil array after the timeout. Not refused in scripts (Redis 7.0 runs it there
//! without blocking). Logged as `bzmpop 0 numkeys key... MIN|MAX COUNT n`.

use bytes::Bytes;

use crate::cmd::args::{int_arg, word};
use crate::cmd::blocking::{Block, Kind, logged_timeout, parse_timeout};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};

use super::zmpop::ZMPop;

pub const SPEC: Spec = Spec {
    name: "bzmpop",
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
    let zmpop = ZMPop::parse(&argv[1..])?;
    Ok(Block {
        timeout_ms,
        keys: zmpop.keys,
        kind: Kind::ZSet,
    })
}

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    parse_timeout(&argv[1])?;
    let zmpop = ZMPop::parse(&argv[1..])?;
    let mut canon = Vec::with_capacity(zmpop.keys.len() + 6);
    canon.push(word("bzmpop"));
    canon.push(logged_timeout());
    canon.push(int_arg(zmpop.keys.len() as i64));
    canon.extend(zmpop.keys.iter().cloned());
    canon.push(word(if zmpop.max { "MAX" } else { "MIN" }));
    canon.push(word("COUNT"));
    canon.push(int_arg(i64::try_from(zmpop.count).unwrap_or(i64::MAX)));
    Ok(canon)
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    ZMPop::parse(&argv[1..])?.apply(ctx)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::resp::{Protocol, Reply};

    #[test]
    fn pops_like_zmpop() {
        let mut k = with("z", &[("a", 1.0), ("b", 2.0), ("c", 3.0)]);
        assert_eq!(
            k.run(100, &["bzmpop", "0", "1", "none", "min"]),
            Reply::NilArray
        );
        assert_eq!(
            k.run(
                100,
                &["bzmpop", "1.5", "2", "none", "z", "max", "count", "2"]
            )
            .to_bytes(Protocol::Resp2),
            "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"
        );
        assert_eq!(
            k.run(100, &["bzmpop", "x", "1", "z", "min"]),
            err("ERR timeout is not a float or out of range")
        );
        assert_eq!(
            k.run(100, &["bzmpop", "0", "1", "z", "mid"]),
            err("ERR syntax error")
        );
    }
}
