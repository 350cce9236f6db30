//! List commands (Redis's `list` group).

use super::Spec;

/// This group's rows of the command table.
pub const COMMANDS: &[&Spec] = &[];
