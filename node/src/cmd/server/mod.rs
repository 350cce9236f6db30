//! Server commands (Redis's `server` group): database-wide operations, introspection and
//! administration.

pub mod command;
pub mod config;
pub mod dbsize;
pub mod flushall;
pub mod flushdb;
pub mod info;
pub mod shutdown;
pub mod slowlog;
pub mod swapdb;
pub mod time;

use super::Spec;

/// This group's rows of the command table.
pub const COMMANDS: &[&Spec] = &[
    &command::SPEC,
    &config::SPEC,
    &dbsize::SPEC,
    &flushall::SPEC,
    &flushdb::SPEC,
    &info::SPEC,
    &shutdown::SPEC,
    &slowlog::SPEC,
    &swapdb::SPEC,
    &time::SPEC,
];
