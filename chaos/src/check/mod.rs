//! Checkers: linearizability per key for registers and counters, exact accounting for the
//! set, queue and session workloads.

pub mod accounts;
pub mod linear;
pub mod models;
