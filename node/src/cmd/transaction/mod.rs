//! Transactions (Redis's `transactions` group): MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//!
//! The connection queues commands between MULTI and EXEC ([`Multi`]); EXEC proposes the
//! queued data commands and the watched keys as one log entry, checked and applied there
//! (`machine::Transaction`), so a transaction is atomic on every replica and WATCH gives the
//! same verdict everywhere.

pub mod discard;
pub mod exec;
pub mod multi;
pub mod observe;
pub mod unwatch;
pub mod watch;

use bytes::Bytes;

use super::Spec;

/// This group's rows of the command table.
pub const COMMANDS: &[&Spec] = &[
    &discard::SPEC,
    &exec::SPEC,
    &multi::SPEC,
    &observe::SPEC,
    &unwatch::SPEC,
    &watch::SPEC,
];

/// The transaction commands the connection runs itself ([`super::Run::Transaction`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tx {
    Exec,
    Watch,
}

/// A connection's transaction being queued (between MULTI and EXEC).
#[derive(Debug, Clone, Default)]
pub struct Multi {
    /// The queued commands, as the client sent them.
    pub queued: Vec<Vec<Bytes>>,
    /// A command was refused while queuing (unknown, wrong arity, not allowed): EXEC
    /// answers EXECABORT and runs nothing.
    pub failed: bool,
}

/// Whether a command runs at once inside MULTI instead of being queued (Redis's
/// `processCommand` list).
pub fn runs_inside_multi(spec: &Spec) -> bool {
    matches!(
        spec.name,
        "exec" | "discard" | "multi" | "watch" | "quit" | "reset"
    )
}
