//! Sorted set commands (Redis's `sorted_set` group).

use super::Spec;

/// This group's rows of the command table.
pub const COMMANDS: &[&Spec] = &[];
