//! HELLO: handshakes with the server: chooses the protocol, optionally authenticates and
//! names the connection, and reports the server's identity.
//!
//! # Format
//! ```text
//! HELLO [protover [AUTH username password] [SETNAME clientname]]
//! ```
//! The reply presents this server as Redis 7.0.15 in standalone mode, which is what clients
//! check. As in Redis 7.0, options are applied in order: an AUTH that succeeds stays in force
//! even if a later option is refused, and the protocol switches only when every option was
//! accepted. The reply to `HELLO 3` is already RESP3.

use bytes::Bytes;

use crate::cmd::args::is;
use crate::cmd::server::info::REDIS_VERSION;
use crate::cmd::{CmdError, CmdResult, Run, Session, Spec, flags};
use crate::resp::{Protocol, Reply};

use super::client::validate_name;

pub const SPEC: Spec = Spec {
    name: "hello",
    arity: -1,
    flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST | flags::NO_AUTH,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Session(run),
};

const NOAUTH: &str = "NOAUTH HELLO must be called with the client already authenticated, \
                      otherwise the HELLO AUTH <user> <pass> option can be used to \
                      authenticate the client and select the RESP protocol version at the same \
                      time";

/// Parses the protocol version as Redis: an integer, then 2 or 3.
fn parse_protover(arg: &[u8]) -> Result<Protocol, CmdError> {
    match crate::cmd::args::strict_i64(arg) {
        None => Err(CmdError::other(
            "ERR Protocol version is not an integer or out of range",
        )),
        Some(2) => Ok(Protocol::Resp2),
        Some(3) => Ok(Protocol::Resp3),
        Some(_) => Err(CmdError::NoProto),
    }
}

fn run(session: &mut dyn Session, argv: &[Bytes]) -> CmdResult {
    let protocol = match argv.get(1) {
        Some(arg) => Some(parse_protover(arg)?),
        None => None,
    };
    let mut name = None;
    let mut j = 2;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        let opt = &argv[j];
        if is(opt, "AUTH") && more >= 2 {
            session.check_password(Some(&argv[j + 1]), &argv[j + 2])?;
            session.client().authenticated = true;
            j += 3;
        } else if is(opt, "SETNAME") && more >= 1 {
            validate_name(&argv[j + 1])?;
            name = Some(argv[j + 1].clone());
            j += 2;
        } else {
            return Err(CmdError::other(format!(
                "ERR Syntax error in HELLO option '{}'",
                String::from_utf8_lossy(opt)
            )));
        }
    }
    let client = session.client();
    if !client.authenticated {
        return Err(CmdError::other(NOAUTH));
    }
    if let Some(name) = name {
        client.name = (!name.is_empty()).then(|| Bytes::copy_from_slice(&name));
    }
    if let Some(protocol) = protocol {
        client.protocol = protocol;
    }
    Ok(Reply::Map(vec![
        (Reply::text("server"), Reply::text("redis")),
        (Reply::text("version"), Reply::text(REDIS_VERSION)),
        (
            Reply::text("proto"),
            Reply::Int(if client.protocol == Protocol::Resp3 {
                3
            } else {
                2
            }),
        ),
        (Reply::text("id"), Reply::Int(client.id as i64)),
        (Reply::text("mode"), Reply::text("standalone")),
        (Reply::text("role"), Reply::text("master")),
        (Reply::text("modules"), Reply::Array(Vec::new())),
    ]))
}

#[cfg(test)]
mod tests {
    use crate::cmd::session::testing::TestSession;
    use crate::resp::Protocol;

    const MAP2: &str = "*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n\
                        $5\r\nproto\r\n:2\r\n$2\r\nid\r\n:7\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n\
                        $4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n";
    const MAP3: &str = "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n\
                        $5\r\nproto\r\n:3\r\n$2\r\nid\r\n:7\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n\
                        $4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n";

    #[test]
    fn switches_protocol_and_answers_in_it() {
        let mut s = TestSession::new();
        assert_eq!(s.wire(&["HELLO"]), MAP2);
        assert_eq!(s.wire(&["HELLO", "3"]), MAP3);
        assert_eq!(s.client.protocol, Protocol::Resp3);
        // Without protover, HELLO reports the current protocol and changes nothing.
        assert_eq!(s.wire(&["HELLO"]), MAP3);
        assert_eq!(s.wire(&["hello", "2"]), MAP2);
        assert_eq!(s.client.protocol, Protocol::Resp2);
    }

    #[test]
    fn errors_match_redis() {
        let mut s = TestSession::new();
        for (args, err) in [
            (
                vec!["HELLO", "4"],
                "-NOPROTO unsupported protocol version\r\n",
            ),
            (
                vec!["HELLO", "1"],
                "-NOPROTO unsupported protocol version\r\n",
            ),
            (
                vec!["HELLO", "-1"],
                "-NOPROTO unsupported protocol version\r\n",
            ),
            (
                vec!["HELLO", "x"],
                "-ERR Protocol version is not an integer or out of range\r\n",
            ),
            (
                vec!["HELLO", "3", "AUTH"],
                "-ERR Syntax error in HELLO option 'AUTH'\r\n",
            ),
            (
                vec!["HELLO", "3", "auth", "default"],
                "-ERR Syntax error in HELLO option 'auth'\r\n",
            ),
            (
                vec!["HELLO", "3", "foo"],
                "-ERR Syntax error in HELLO option 'foo'\r\n",
            ),
            (
                vec!["HELLO", "3", "SETNAME", "a b"],
                "-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
            ),
            (
                vec!["HELLO", "3", "AUTH", "someone", "pw"],
                "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
            ),
        ] {
            assert_eq!(s.wire(&args), err, "{args:?}");
            assert_eq!(s.client.protocol, Protocol::Resp2, "{args:?}");
        }
    }

    #[test]
    fn auth_and_setname() {
        let mut s = TestSession::with_password("pw");
        let noauth = "-NOAUTH HELLO must be called with the client already authenticated, \
                      otherwise the HELLO AUTH <user> <pass> option can be used to authenticate \
                      the client and select the RESP protocol version at the same time\r\n";
        assert_eq!(s.wire(&["HELLO"]), noauth);
        assert_eq!(s.wire(&["HELLO", "3"]), noauth);
        assert_eq!(
            s.wire(&["HELLO", "3", "AUTH", "default", "bad"]),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
        );
        assert!(!s.client.authenticated);
        assert_eq!(s.client.protocol, Protocol::Resp2);
        assert_eq!(
            s.wire(&["HELLO", "3", "AUTH", "default", "pw", "SETNAME", "app"]),
            MAP3
        );
        assert!(s.client.authenticated);
        assert_eq!(s.client.name.as_deref(), Some(&b"app"[..]));
        // An AUTH that succeeded stays in force when a later option is refused.
        let mut s = TestSession::with_password("pw");
        assert_eq!(
            s.wire(&["HELLO", "3", "AUTH", "default", "pw", "SETNAME"]),
            "-ERR Syntax error in HELLO option 'SETNAME'\r\n"
        );
        assert!(s.client.authenticated);
        assert_eq!(s.client.protocol, Protocol::Resp2);
        // The name is checked before a later AUTH is tried.
        let mut s = TestSession::with_password("pw");
        assert_eq!(
            s.wire(&["HELLO", "3", "SETNAME", "a b", "AUTH", "default", "pw"]),
            "-ERR Client names cannot contain spaces, newlines or special characters.\r\n"
        );
        assert!(!s.client.authenticated);
    }
}
