//! The RESP frame layer: requests in (RESP2 multibulk and inline commands), replies out (RESP2
//! or RESP3, chosen per connection).
//!
//! Knows nothing of commands, the keyspace or the network: `parse` turns bytes into argv and
//! `Reply::encode` turns a reply into bytes. Protocol limits and error texts are Redis 7.0's
//! (`networking.c`), so a malformed request gets the same `-ERR Protocol error: ...` reply, after
//! which the connection is closed.

mod parse;
mod reply;

pub use parse::{Limits, Parsed, ProtocolError, parse_request, split_args};
pub(crate) use reply::format_g;
pub use reply::{Bulks, Protocol, Reply, format_double};
