//! The client's one error type, and the kinds callers branch on.
//!
//! The kinds that matter most for a replicated store: `Connect` (nothing was sent, nothing
//! applied), `OutcomeUnknown` (a write may or may not have been applied: check before
//! repeating it), and `Server` (the server answered with an error).

use std::io;
use std::time::Duration;

use bytes::Bytes;
use thiserror::Error;

use crate::codec::ProtocolError;
use crate::value::error_code;

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, coarse enough to branch on. See [`Error::kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// No connection could be made, or it failed before the request was written: the request
    /// was certainly not applied.
    Connect,
    /// The connection failed, or no reply came in time, after a request was sent. For a write
    /// the client reports [`ErrorKind::OutcomeUnknown`] instead.
    ConnectionLost,
    /// A write may or may not have been applied: the connection was lost after sending it, or
    /// the server said so (`UNKNOWN`, `ERR ... outcome unknown`). Never retried silently.
    OutcomeUnknown,
    /// The server answered with an error reply.
    Server,
    /// The server sent bytes that are not valid RESP.
    Protocol,
    /// The reply had a type the typed helper did not expect.
    Type,
    /// The total retry deadline passed before the request succeeded.
    Deadline,
    /// A configuration or usage mistake (bad address, empty node list, a connection-state
    /// command sent through the pool).
    Config,
}

/// An error from the client.
#[derive(Debug, Error)]
pub enum Error {
    /// See [`ErrorKind::Connect`].
    #[error("could not connect to {addr}: {source}")]
    Connect {
        /// The node address.
        addr: String,
        /// The I/O error (refused, timed out, unresolvable...).
        #[source]
        source: io::Error,
    },
    /// See [`ErrorKind::ConnectionLost`].
    #[error("connection to {addr} lost after sending the request: {source}")]
    ConnectionLost {
        /// The node address.
        addr: String,
        /// The I/O error (reset, closed, timed out).
        #[source]
        source: io::Error,
    },
    /// See [`ErrorKind::OutcomeUnknown`].
    #[error("outcome unknown at {addr}: {reason}")]
    OutcomeUnknown {
        /// The node address.
        addr: String,
        /// Why: the lost connection, or the server's error text.
        reason: String,
    },
    /// See [`ErrorKind::Server`].
    #[error("{0}")]
    Server(ServerError),
    /// See [`ErrorKind::Protocol`].
    #[error("protocol error from {addr}: {source}")]
    Protocol {
        /// The node address.
        addr: String,
        /// What was malformed.
        #[source]
        source: ProtocolError,
    },
    /// See [`ErrorKind::Type`].
    #[error("unexpected reply: expected {expected}, got {got}")]
    Type {
        /// What the caller asked for.
        expected: &'static str,
        /// The reply's type.
        got: &'static str,
    },
    /// See [`ErrorKind::Deadline`].
    #[error("gave up after {attempts} attempts in {elapsed:?}: {last}")]
    Deadline {
        /// How many attempts were made.
        attempts: u32,
        /// Time spent.
        elapsed: Duration,
        /// The error of the last attempt.
        last: Box<Error>,
    },
    /// See [`ErrorKind::Config`].
    #[error("{0}")]
    Config(String),
}

impl Error {
    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Connect { .. } => ErrorKind::Connect,
            Error::ConnectionLost { .. } => ErrorKind::ConnectionLost,
            Error::OutcomeUnknown { .. } => ErrorKind::OutcomeUnknown,
            Error::Server(_) => ErrorKind::Server,
            Error::Protocol { .. } => ErrorKind::Protocol,
            Error::Type { .. } => ErrorKind::Type,
            Error::Deadline { .. } => ErrorKind::Deadline,
            Error::Config(_) => ErrorKind::Config,
        }
    }

    /// Whether a write may have been applied although no success was seen. True for
    /// [`ErrorKind::OutcomeUnknown`], and for a deadline whose last attempt was one.
    pub fn is_outcome_unknown(&self) -> bool {
        match self {
            Error::OutcomeUnknown { .. } => true,
            Error::Deadline { last, .. } => last.is_outcome_unknown(),
            _ => false,
        }
    }

    /// The server's error reply, if this is one.
    pub fn server_error(&self) -> Option<&ServerError> {
        match self {
            Error::Server(e) => Some(e),
            _ => None,
        }
    }
}

/// An error reply: `-WRONGTYPE Operation against a key holding the wrong kind of value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerError {
    text: Bytes,
}

impl ServerError {
    /// Wraps the reply text (without the leading `-`).
    pub fn new(text: Bytes) -> Self {
        ServerError { text }
    }

    /// The whole text, code first.
    pub fn text(&self) -> &[u8] {
        &self.text
    }

    /// The code: the first word (`ERR`, `WRONGTYPE`, `TRYAGAIN`, `NOAUTH`).
    pub fn code(&self) -> &[u8] {
        error_code(&self.text)
    }

    /// `-TRYAGAIN`: redraft sends it only when the write was certainly not applied (no
    /// leader yet), so any command may be sent again.
    pub fn is_try_again(&self) -> bool {
        self.code() == b"TRYAGAIN"
    }

    /// `-LOADING`: the node is not serving yet; nothing was executed.
    pub fn is_loading(&self) -> bool {
        self.code() == b"LOADING"
    }

    /// `-UNKNOWN ...` or `-ERR ... outcome unknown`: the server lost track of a forwarded
    /// write, which may or may not have been applied.
    pub fn is_outcome_unknown(&self) -> bool {
        self.code() == b"UNKNOWN"
            || (self.code() == b"ERR"
                && self
                    .text
                    .to_ascii_lowercase()
                    .windows(b"outcome unknown".len())
                    .any(|w| w == b"outcome unknown"))
    }
}

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(text: &'static str) -> ServerError {
        ServerError::new(Bytes::from_static(text.as_bytes()))
    }

    #[test]
    fn classifies_server_errors() {
        assert!(server("TRYAGAIN no leader").is_try_again());
        assert!(!server("ERR TRYAGAIN").is_try_again());
        assert!(server("LOADING Redis is loading").is_loading());
        assert!(server("UNKNOWN leader lost").is_outcome_unknown());
        assert!(server("ERR write outcome unknown: leader changed").is_outcome_unknown());
        assert!(server("ERR Outcome Unknown").is_outcome_unknown());
        assert!(!server("ERR syntax error").is_outcome_unknown());
        assert!(!server("WRONGTYPE outcome unknown").is_outcome_unknown());
        assert_eq!(server("WRONGTYPE Operation").code(), b"WRONGTYPE");
    }

    #[test]
    fn deadline_keeps_unknown_outcome() {
        let e = Error::Deadline {
            attempts: 3,
            elapsed: Duration::from_secs(1),
            last: Box::new(Error::OutcomeUnknown {
                addr: "a:1".into(),
                reason: "x".into(),
            }),
        };
        assert!(e.is_outcome_unknown());
        assert_eq!(e.kind(), ErrorKind::Deadline);
    }
}
