//! EXEC: runs the queued transaction.
//!
//! The connection runs it ([`crate::cmd::Run::Transaction`]): its data commands and watched keys go
//! through the log as one entry; connection commands queued with them (PING, ECHO, CLIENT...)
//! run on the connection once the entry is applied, their replies in their places.
//!
//! # Format
//! ```text
//! EXEC
//! ```

use super::Tx;
use crate::cmd::{Run, Spec, flags};

pub const SPEC: Spec = Spec {
    name: "exec",
    arity: 1,
    flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SKIP_SLOWLOG,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Transaction(Tx::Exec),
};
