//! Connection commands (Redis's `connection` group): authentication, protocol, database
//! selection and client management.

pub mod auth;
pub mod client;
pub mod echo;
pub mod hello;
pub mod ping;
pub mod quit;
pub mod reset;
pub mod select;

use super::Spec;

/// This group's rows of the command table.
pub const COMMANDS: &[&Spec] = &[
    &auth::SPEC,
    &client::SPEC,
    &echo::SPEC,
    &hello::SPEC,
    &ping::SPEC,
    &quit::SPEC,
    &reset::SPEC,
    &select::SPEC,
];
