//! redraft: a Redis-compatible key-value server whose nodes replicate writes through Raft.
//!
//! Requests flow top to bottom through one folder per layer (see DESIGN.md):
//!
//! - [`resp`]: the wire protocol (RESP2/RESP3 and inline commands), knowing no commands;
//! - [`server`]: listeners and connections; authenticates, dispatches each command to the
//!   read path or the write path, and keeps per-connection state;
//! - [`cmd`]: the command table, one declaration per command with its parser and effect;
//! - [`raft`]: turns writes into log entries and serves reads;
//! - [`machine`]: applies log entries deterministically, through the command table;
//! - [`store`]: the data model (databases, keys, expiry, values), with no I/O and no clock;
//! - [`rdb`]: RDB files (snapshots, backups): the reader, the writer, CRC64 and LZF;
//! - [`pubsub`]: channel and pattern subscriptions and local delivery (the replication layer
//!   carries messages to the other nodes);
//! - [`scripting`]: Lua 5.1 for EVAL (the sandboxed VM and the Lua/RESP conversions).
//!
//! [`config`] reads redis.conf-style configuration, [`telemetry`] sets up logging.

pub mod cmd;
pub mod config;
pub mod machine;
pub mod pubsub;
pub mod raft;
pub mod rdb;
pub mod resp;
pub mod scripting;
pub mod server;
pub mod store;
pub mod telemetry;

pub use config::Config;
