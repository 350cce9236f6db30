//! Keyspace commands (Redis's `generic` group): keys, expiry and iteration.

pub mod expire_sweep;

use super::Spec;

/// This group's rows of the command table.
pub const COMMANDS: &[&Spec] = &[&expire_sweep::SPEC];
