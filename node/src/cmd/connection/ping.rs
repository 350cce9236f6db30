//! PING: returns PONG, or a copy of the argument.
//!
//! # Format
//! ```text
//! PING [message]
//! ```

use bytes::Bytes;

use crate::cmd::{CmdError, CmdResult, Run, Session, Spec, flags};
use crate::resp::{Protocol, Reply};

pub const SPEC: Spec = Spec {
    name: "ping",
    arity: -1,
    flags: flags::FAST,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Session(run),
};

fn run(session: &mut dyn Session, argv: &[Bytes]) -> CmdResult {
    let client = session.client();
    // A RESP2 client in Pub/Sub mode reads every frame as a message, so Redis answers with
    // one: `pong` and the argument (empty without one).
    if client.subscribed() && client.protocol == Protocol::Resp2 {
        let message = match argv {
            [_] => Bytes::new(),
            [_, message] => message.clone(),
            _ => return Err(CmdError::wrong_arity("ping")),
        };
        return Ok(Reply::Array(vec![
            Reply::text("pong"),
            Reply::Bulk(message),
        ]));
    }
    match argv {
        [_] => Ok(Reply::simple("PONG")),
        [_, message] => Ok(Reply::Bulk(message.clone())),
        _ => Err(CmdError::wrong_arity("ping")),
    }
}

#[cfg(test)]
mod tests {
    use crate::cmd::session::testing::TestSession;

    #[test]
    fn pong_or_a_message_shaped_pong_when_subscribed_in_resp2() {
        let mut s = TestSession::new();
        assert_eq!(s.wire(&["PING"]), "+PONG\r\n");
        assert_eq!(s.wire(&["PING", "hi"]), "$2\r\nhi\r\n");
        s.client.subscriptions = [1, 0, 0];
        assert_eq!(s.wire(&["PING"]), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
        assert_eq!(s.wire(&["PING", "hi"]), "*2\r\n$4\r\npong\r\n$2\r\nhi\r\n");
        s.wire(&["HELLO", "3"]);
        assert_eq!(s.wire(&["PING"]), "+PONG\r\n");
    }
}
