//! Server commands (Redis's `server` group): database-wide operations, introspection and
//! administration.

pub mod bgsave;
pub mod command;
pub mod config;
pub mod dbsize;
pub mod flushall;
pub mod flushdb;
pub mod info;
pub mod lastsave;
pub mod memory;
pub mod save;
pub mod shutdown;
pub mod slowlog;
pub mod swapdb;
pub mod time;

use super::Spec;

/// This group's rows of the command table.
pub const COMMANDS: &[&Spec] = &[
    &bgsave::SPEC,
    &command::SPEC,
    &config::SPEC,
    &dbsize::SPEC,
    &flushall::SPEC,
    &flushdb::SPEC,
    &info::SPEC,
    &lastsave::SPEC,
    &memory::SPEC,
    &save::SPEC,
    &shutdown::SPEC,
    &slowlog::SPEC,
    &swapdb::SPEC,
    &time::SPEC,
];
