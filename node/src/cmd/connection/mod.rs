//! Connection commands (Redis's `connection` group): authentication, protocol, database
//! selection and client management.

pub mod echo;
pub mod ping;
pub mod quit;
pub mod select;

use super::Spec;

/// This group's rows of the command table.
pub const COMMANDS: &[&Spec] = &[&echo::SPEC, &ping::SPEC, &quit::SPEC, &select::SPEC];
