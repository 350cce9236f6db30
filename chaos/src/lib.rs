//! redraft-chaos: a Jepsen-style harness for redraft clusters.
//!
//! - [`cluster`]: the [`cluster::Backend`] trait and its local implementation (processes
//!   behind [`proxy`] proxies that make partitions); [`compose`]: the docker compose cluster;
//! - [`workload`]: the clients (register, counter, set, queue, session) and [`client`], which
//!   turns Redis errors into outcomes;
//! - [`nemesis`]: faults on a seeded schedule;
//! - [`history`]: the recorder; [`check`]: the linearizability checker and the accounting;
//! - [`report`]: JSON and Markdown; [`run`]: one run from start to report.

pub mod check;
pub mod client;
pub mod cluster;
pub mod compose;
pub mod history;
pub mod nemesis;
pub mod proxy;
pub mod report;
pub mod run;
pub mod workload;
