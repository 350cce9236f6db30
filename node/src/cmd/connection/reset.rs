//! RESET: resets the connection to the state of a new one.
//!
//! # Format
//! ```text
//! RESET
//! ```
//! Selects database 0, goes back to RESP2, clears the client name, turns CLIENT NO-EVICT off
//! and CLIENT REPLY on, leaves every Pub/Sub subscription, and logs the connection out when
//! a password is set. The library name
//! and version (CLIENT SETINFO) stay, as in Redis 7.2.

use bytes::Bytes;

use crate::cmd::session::ReplyMode;
use crate::cmd::{CmdResult, Run, Session, Spec, flags};
use crate::resp::{Protocol, Reply};

pub const SPEC: Spec = Spec {
    name: "reset",
    arity: 1,
    flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST | flags::NO_AUTH,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Session(run),
};

fn run(session: &mut dyn Session, _argv: &[Bytes]) -> CmdResult {
    let password_set = !session.config().read().requirepass.is_empty();
    let client = session.client();
    client.db = 0;
    client.protocol = Protocol::Resp2;
    client.name = None;
    client.no_evict = false;
    client.readonly = false;
    client.reply = ReplyMode::On;
    // The connection drops the subscriptions themselves when it sees these zeroed.
    client.subscriptions = [0; 3];
    client.authenticated = !password_set;
    client.multi = None;
    client.watched.clear();
    Ok(Reply::simple("RESET"))
}

#[cfg(test)]
mod tests {
    use crate::cmd::session::testing::TestSession;
    use crate::resp::Protocol;

    #[test]
    fn back_to_a_new_connection() {
        let mut s = TestSession::with_password("pw");
        assert_eq!(s.wire(&["AUTH", "pw"]), "+OK\r\n");
        s.wire(&["HELLO", "3", "SETNAME", "x"]);
        s.wire(&["SELECT", "3"]);
        s.wire(&["CLIENT", "SETINFO", "LIB-NAME", "lib"]);
        s.client.subscriptions = [1, 2, 0];
        assert_eq!(s.wire(&["RESET"]), "+RESET\r\n");
        assert_eq!(s.client.db, 0);
        assert_eq!(s.client.protocol, Protocol::Resp2);
        assert_eq!(s.client.name, None);
        assert!(!s.client.subscribed());
        assert_eq!(s.client.lib_name.as_deref(), Some(&b"lib"[..]));
        assert!(!s.client.authenticated);
        assert_eq!(s.wire(&["PING"]), "-NOAUTH Authentication required.\r\n");
        assert_eq!(
            s.wire(&["RESET", "x"]),
            "-ERR wrong number of arguments for 'reset' command\r\n"
        );
        let mut s = TestSession::new();
        assert_eq!(s.wire(&["RESET"]), "+RESET\r\n");
        assert!(s.client.authenticated);
    }
}
