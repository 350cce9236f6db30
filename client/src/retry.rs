//! When to retry, and how long to wait: jittered exponential backoff under a total deadline.
//!
//! What is safe to retry is decided here, in one place:
//! - a request that was never sent (connect failed): always;
//! - `-TRYAGAIN` and `-LOADING`: always, the server executed nothing;
//! - a lost connection, a reply timeout, or an `UNKNOWN` outcome: only for reads and writes
//!   the caller marked idempotent; any other write gets `ErrorKind::OutcomeUnknown`.

use std::time::Duration;

use crate::error::Error;

/// Backoff and deadline for retries.
///
/// ```
/// use std::time::Duration;
/// use redraft_client::RetryPolicy;
///
/// let policy = RetryPolicy {
///     deadline: Duration::from_secs(30),
///     ..RetryPolicy::default()
/// };
/// assert!(policy.backoff(10) <= policy.max_backoff);
/// ```
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// The wait before the first retry (before jitter); doubled for each further one.
    pub initial_backoff: Duration,
    /// The longest wait between two attempts.
    pub max_backoff: Duration,
    /// Total time for one call, all attempts and waits included.
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            initial_backoff: Duration::from_millis(25),
            max_backoff: Duration::from_secs(1),
            deadline: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// No retries at all: the first failure is returned.
    pub fn none() -> Self {
        RetryPolicy {
            deadline: Duration::ZERO,
            ..RetryPolicy::default()
        }
    }

    /// The wait before retry number `retry` (1 for the first): exponential, capped, and
    /// jittered to between half and all of it, so clients that failed together spread out.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = retry.saturating_sub(1).min(20);
        let full = self
            .initial_backoff
            .saturating_mul(1 << exp)
            .min(self.max_backoff);
        let half = full / 2;
        let jitter_ns = full.saturating_sub(half).as_nanos() as u64;
        half + Duration::from_nanos(rand::random_range(0..=jitter_ns))
    }
}

/// What to do after a failed attempt.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Try again; `switch_node` when this node looks dead.
    Retry { switch_node: bool },
    /// Give up with this error.
    Fail,
}

/// Decides from the error of one attempt and whether the request is safe to repeat.
pub(crate) fn decide(err: &Error, retry_safe: bool) -> Decision {
    match err {
        Error::Connect { .. } => Decision::Retry { switch_node: true },
        Error::ConnectionLost { .. } | Error::Protocol { .. } if retry_safe => {
            Decision::Retry { switch_node: true }
        }
        Error::Server(e) if e.is_try_again() => Decision::Retry { switch_node: false },
        Error::Server(e) if e.is_loading() => Decision::Retry { switch_node: true },
        Error::Server(e) if e.is_outcome_unknown() && retry_safe => {
            Decision::Retry { switch_node: false }
        }
        _ => Decision::Fail,
    }
}

/// Turns the final error of a request that is not safe to repeat into `OutcomeUnknown` where
/// the request may have been applied.
pub(crate) fn classify_final(err: Error, retry_safe: bool, addr: &str) -> Error {
    if retry_safe {
        return err;
    }
    match err {
        Error::ConnectionLost { addr, source } => Error::OutcomeUnknown {
            addr,
            reason: format!("connection lost after sending: {source}"),
        },
        Error::Protocol { addr, source } => Error::OutcomeUnknown {
            addr,
            reason: format!("malformed reply: {source}"),
        },
        Error::Server(e) if e.is_outcome_unknown() => Error::OutcomeUnknown {
            addr: addr.to_string(),
            reason: e.to_string(),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ErrorKind, ServerError};
    use bytes::Bytes;
    use std::io;

    fn lost() -> Error {
        Error::ConnectionLost {
            addr: "a:1".into(),
            source: io::Error::from(io::ErrorKind::ConnectionReset),
        }
    }

    fn server(text: &'static str) -> Error {
        Error::Server(ServerError::new(Bytes::from_static(text.as_bytes())))
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let p = RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(800),
            deadline: Duration::from_secs(5),
        };
        for _ in 0..50 {
            let b1 = p.backoff(1);
            assert!(b1 >= Duration::from_millis(50) && b1 <= Duration::from_millis(100));
            let b3 = p.backoff(3);
            assert!(b3 >= Duration::from_millis(200) && b3 <= Duration::from_millis(400));
            let b30 = p.backoff(30);
            assert!(b30 >= Duration::from_millis(400) && b30 <= Duration::from_millis(800));
        }
    }

    #[test]
    fn unsent_requests_always_retry() {
        let e = Error::Connect {
            addr: "a:1".into(),
            source: io::Error::from(io::ErrorKind::ConnectionRefused),
        };
        assert_eq!(decide(&e, false), Decision::Retry { switch_node: true });
        assert_eq!(
            decide(&server("TRYAGAIN x"), false),
            Decision::Retry { switch_node: false }
        );
    }

    #[test]
    fn lost_writes_are_never_retried() {
        assert_eq!(decide(&lost(), false), Decision::Fail);
        assert_eq!(decide(&lost(), true), Decision::Retry { switch_node: true });
        assert_eq!(
            classify_final(lost(), false, "a:1").kind(),
            ErrorKind::OutcomeUnknown
        );
        assert_eq!(
            classify_final(lost(), true, "a:1").kind(),
            ErrorKind::ConnectionLost
        );
    }

    #[test]
    fn server_unknown_outcome() {
        let e = server("UNKNOWN leader lost");
        assert_eq!(decide(&e, false), Decision::Fail);
        assert_eq!(decide(&e, true), Decision::Retry { switch_node: false });
        assert!(classify_final(e, false, "a:1").is_outcome_unknown());
        assert_eq!(decide(&server("ERR syntax error"), true), Decision::Fail);
    }
}
