//! WAIT: how many followers hold the writes acknowledged so far.
//!
//! # Format
//! ```text
//! WAIT numreplicas timeout
//! ```
//! Every acknowledged write is already on a majority; WAIT counts the followers (voters and
//! learners) that hold everything in the leader's log when WAIT runs — which includes the
//! client's last write — waiting up to `timeout` milliseconds (0: forever) for `numreplicas`.

use bytes::Bytes;

use crate::cmd::args::parse_i64;
use crate::cmd::cluster_view::AdminOp;
use crate::cmd::{CmdError, Run, Spec, flags};

pub const SPEC: Spec = Spec {
    name: "wait",
    arity: 3,
    flags: flags::NOSCRIPT,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Admin(parse),
};

fn parse(args: &[Bytes]) -> Result<AdminOp, CmdError> {
    let replicas = parse_i64(&args[1])?;
    let timeout = parse_i64(&args[2])
        .map_err(|_| CmdError::other("ERR timeout is not an integer or out of range"))?;
    if timeout < 0 {
        return Err(CmdError::other("ERR timeout is negative"));
    }
    Ok(AdminOp::Wait {
        replicas: replicas.max(0) as u64,
        timeout_ms: timeout as u64,
    })
}
