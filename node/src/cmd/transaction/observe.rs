//! `redraft.observe`: what WATCH records of its keys, as a read (internal, never accepted
//! from a client): for each key, its version (the log index of its last change, 0 when it
//! does not exist) and the last log index applied to the state read.
//!
//! # Format
//! ```text
//! REDRAFT.OBSERVE key [key ...]
//! ```

use bytes::Bytes;

use crate::cmd::{CmdError, CmdResult, ReadCtx, Run, Spec, flags};
use crate::machine::Watched;
use crate::resp::Reply;

pub const NAME: &str = "redraft.observe";

pub const SPEC: Spec = Spec {
    name: NAME,
    arity: -2,
    flags: flags::READONLY | flags::INTERNAL,
    first_key: 1,
    last_key: -1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let db = ctx.db();
    Ok(Reply::Array(
        argv[1..]
            .iter()
            .map(|key| {
                let version = db.get(key, ctx.now_ms).map_or(0, |e| e.version);
                Reply::Array(vec![
                    Reply::Int(version as i64),
                    Reply::Int(ctx.applied as i64),
                ])
            })
            .collect(),
    ))
}

/// Decodes the reply of `redraft.observe` for `keys` of database `db`.
pub fn decode(db: usize, keys: &[Bytes], reply: Reply) -> Result<Vec<Watched>, Reply> {
    let odd = || Reply::from(CmdError::other("ERR unexpected reply while watching keys"));
    let items = match reply {
        Reply::Array(items) if items.len() == keys.len() => items,
        e @ Reply::Error(_) => return Err(e),
        _ => return Err(odd()),
    };
    keys.iter()
        .zip(items)
        .map(|(key, item)| match item {
            Reply::Array(pair) => match pair[..] {
                [Reply::Int(version), Reply::Int(seen_at)] => Ok(Watched {
                    db: db as u32,
                    key: key.clone(),
                    version: version as u64,
                    seen_at: seen_at as u64,
                }),
                _ => Err(odd()),
            },
            _ => Err(odd()),
        })
        .collect()
}
