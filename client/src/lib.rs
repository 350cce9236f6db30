//! redraft-client: an async client for redraft clusters (and any Redis server).
//!
//! A redraft cluster answers on every node, so the client needs no slot map: it keeps a list
//! of node addresses, talks to the one that last answered, and moves on when it fails. What
//! makes it more than a Redis client is how it treats failures of a replicated write:
//!
//! - a request that never left (connect refused) is sent elsewhere;
//! - `-TRYAGAIN` (no leader yet; nothing applied) is retried with backoff;
//! - reads, and writes marked [`Cmd::idempotent`], are retried after a lost connection;
//! - any other write whose connection was lost after sending, or that the server reports as
//!   `UNKNOWN`, fails with [`ErrorKind::OutcomeUnknown`]: it may have been applied, and
//!   repeating it (`INCR`) could apply it twice.
//!
//! Modules, bottom up:
//! - `codec`: RESP2/RESP3 reply decoding and request encoding (pure functions);
//! - `value`: [`Value`], one reply as received; `from_value`: [`FromValue`] conversions;
//! - `connection`: [`Connection`], one TCP connection with handshake and pipelining;
//! - `pool`: connections per node; `retry`: [`RetryPolicy`] and what is safe to retry;
//! - `client`: [`Client`], the node list and the retry loop; `commands`: typed helpers;
//! - `cmd`: [`Cmd`] and [`Pipeline`]; `config`: [`Config`], `redis://` URLs.
//!
//! ```no_run
//! # async fn demo() -> redraft_client::Result<()> {
//! use redraft_client::{Client, Config};
//!
//! let config = Config::new(["node1:6379", "node2:6379", "node3:6379"]).password("secret");
//! let client = Client::connect(config).await?;
//! client.set("greeting", "hello").await?;
//! let n = client.incr("counter").await?;
//! let all = client.cmd(["LRANGE", "queue", "0", "-1"]).await?;
//! # let _ = (n, all); Ok(()) }
//! ```

pub mod codec;

mod client;
mod cmd;
mod commands;
mod config;
mod connection;
mod error;
mod from_value;
mod pool;
mod retry;
mod value;

pub use client::Client;
pub use cmd::{Cmd, Pipeline, ToArg};
pub use config::{Config, ConnectOptions, Protocol, RedisUrl, join_host_port, parse_url};
pub use connection::Connection;
pub use error::{Error, ErrorKind, Result, ServerError};
pub use from_value::{FromValue, pairs};
pub use retry::RetryPolicy;
pub use value::Value;
