//! Set commands (Redis's `set` group).

use super::Spec;

/// This group's rows of the command table.
pub const COMMANDS: &[&Spec] = &[];
