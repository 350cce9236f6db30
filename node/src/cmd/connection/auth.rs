//! AUTH: authenticates the connection.
//!
//! # Format
//! ```text
//! AUTH [username] password
//! ```
//! The only user is `default`, whose password is `requirepass` (no ACLs). Without a
//! `requirepass`, `AUTH password` is an error and `AUTH default anything` succeeds, as Redis's
//! `nopass` default user. A failed AUTH leaves an authenticated connection authenticated.

use bytes::Bytes;

use crate::cmd::{CmdError, CmdResult, Run, Session, Spec, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "auth",
    arity: -2,
    flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST | flags::NO_AUTH,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Session(run),
};

/// A parsed AUTH.
#[derive(Debug, PartialEq, Eq)]
struct Auth<'a> {
    user: Option<&'a [u8]>,
    password: &'a [u8],
}

impl<'a> Auth<'a> {
    fn parse(argv: &'a [Bytes]) -> Result<Auth<'a>, CmdError> {
        match argv {
            [_, password] => Ok(Auth {
                user: None,
                password,
            }),
            [_, user, password] => Ok(Auth {
                user: Some(user),
                password,
            }),
            _ => Err(CmdError::Syntax),
        }
    }
}

fn run(session: &mut dyn Session, argv: &[Bytes]) -> CmdResult {
    let auth = Auth::parse(argv)?;
    session.check_password(auth.user, auth.password)?;
    session.client().authenticated = true;
    Ok(Reply::OK)
}

#[cfg(test)]
mod tests {
    use crate::cmd::session::testing::TestSession;

    #[test]
    fn with_a_password() {
        let mut s = TestSession::with_password("pw");
        assert_eq!(s.wire(&["PING"]), "-NOAUTH Authentication required.\r\n");
        assert_eq!(
            s.wire(&["AUTH", "bad"]),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
        );
        assert_eq!(
            s.wire(&["AUTH", "nobody", "pw"]),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
        );
        assert!(!s.client.authenticated);
        assert_eq!(s.wire(&["AUTH", "pw"]), "+OK\r\n");
        assert!(s.client.authenticated);
        // A failed AUTH does not log an authenticated connection out (Redis 7.0).
        assert_eq!(
            s.wire(&["auth", "default", "bad"]),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
        );
        assert!(s.client.authenticated);
        assert_eq!(s.wire(&["auth", "default", "pw"]), "+OK\r\n");
    }

    #[test]
    fn without_a_password() {
        let mut s = TestSession::new();
        assert_eq!(
            s.wire(&["AUTH", "x"]),
            "-ERR AUTH <password> called without any password configured for the default \
             user. Are you sure your configuration is correct?\r\n"
        );
        assert_eq!(s.wire(&["AUTH", "default", "anything"]), "+OK\r\n");
        assert_eq!(
            s.wire(&["AUTH", "other", "anything"]),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
        );
    }

    #[test]
    fn arity() {
        let mut s = TestSession::new();
        assert_eq!(
            s.wire(&["AUTH"]),
            "-ERR wrong number of arguments for 'auth' command\r\n"
        );
        assert_eq!(s.wire(&["AUTH", "a", "b", "c"]), "-ERR syntax error\r\n");
    }
}
