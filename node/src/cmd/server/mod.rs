//! Server commands (Redis's `server` group): database-wide operations, introspection and
//! administration.

pub mod dbsize;
pub mod flushall;
pub mod flushdb;
pub mod slowlog;
pub mod swapdb;

use super::Spec;

/// This group's rows of the command table.
pub const COMMANDS: &[&Spec] = &[
    &dbsize::SPEC,
    &flushall::SPEC,
    &flushdb::SPEC,
    &swapdb::SPEC,
];
