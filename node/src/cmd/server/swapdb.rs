//! SWAPDB: swaps two databases, so clients connected to one see the other's keys.
//!
//! # Format
//! ```text
//! SWAPDB index1 index2
//! ```

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, args, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "swapdb",
    arity: 3,
    flags: flags::WRITE | flags::FAST,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

struct SwapDb {
    a: usize,
    b: usize,
}

impl SwapDb {
    fn parse(argv: &[Bytes], databases: usize) -> Result<SwapDb, CmdError> {
        let index = |arg: &Bytes, which: &str| -> Result<usize, CmdError> {
            let n = args::strict_i64(arg)
                .ok_or_else(|| CmdError::other(format!("ERR invalid {which} DB index")))?;
            usize::try_from(n)
                .ok()
                .filter(|&n| n < databases)
                .ok_or(CmdError::DbIndexOutOfRange)
        };
        Ok(SwapDb {
            a: index(&argv[1], "first")?,
            b: index(&argv[2], "second")?,
        })
    }
}

fn prepare(argv: &[Bytes], p: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    SwapDb::parse(argv, p.databases)?;
    Ok(argv.to_vec())
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let cmd = SwapDb::parse(argv, ctx.store.db_count())?;
    ctx.store.swap(cmd.a, cmd.b);
    Ok(Reply::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(a: &[&str]) -> Vec<Bytes> {
        a.iter()
            .map(|s| Bytes::copy_from_slice(s.as_bytes()))
            .collect()
    }

    #[test]
    fn errors_match_redis() {
        assert_eq!(
            SwapDb::parse(&argv(&["swapdb", "x", "1"]), 16)
                .err()
                .unwrap()
                .to_string(),
            "ERR invalid first DB index"
        );
        assert_eq!(
            SwapDb::parse(&argv(&["swapdb", "0", "16"]), 16)
                .err()
                .unwrap()
                .to_string(),
            "ERR DB index is out of range"
        );
    }
}
