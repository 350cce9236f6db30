//! Hash commands (Redis's `hash` group).

use super::Spec;

/// This group's rows of the command table.
pub const COMMANDS: &[&Spec] = &[];
