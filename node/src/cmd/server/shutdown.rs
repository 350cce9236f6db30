//! SHUTDOWN: stops the server.
//!
//! # Format
//! ```text
//! SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]
//! ```
//! As in Redis, a successful SHUTDOWN sends no reply: the connection closes and the process
//! exits with status 0. Nothing is waited for (there are no replicas to catch up), so NOW
//! and FORCE change nothing and ABORT always finds no shutdown in progress. Until snapshots
//! exist, SAVE and NOSAVE both stop the server without saving.

use bytes::Bytes;

use crate::cmd::args::is;
use crate::cmd::session::ReplyMode;
use crate::cmd::{CmdError, CmdResult, Run, Session, Spec, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "shutdown",
    arity: -1,
    flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::NO_MULTI,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Session(run),
};

/// A parsed SHUTDOWN.
#[derive(Debug, Default, PartialEq, Eq)]
struct Shutdown {
    /// `Some(true)` for SAVE, `Some(false)` for NOSAVE.
    save: Option<bool>,
    abort: bool,
}

impl Shutdown {
    fn parse(argv: &[Bytes]) -> Result<Shutdown, CmdError> {
        let mut cmd = Shutdown::default();
        let mut other_flags = false;
        let mut nosave = false;
        let mut save = false;
        for arg in &argv[1..] {
            if is(arg, "NOSAVE") {
                nosave = true;
            } else if is(arg, "SAVE") {
                save = true;
            } else if is(arg, "NOW") || is(arg, "FORCE") {
                other_flags = true;
            } else if is(arg, "ABORT") {
                cmd.abort = true;
            } else {
                return Err(CmdError::Syntax);
            }
        }
        if (cmd.abort && (save || nosave || other_flags)) || (save && nosave) {
            return Err(CmdError::Syntax);
        }
        cmd.save = if save {
            Some(true)
        } else if nosave {
            Some(false)
        } else {
            None
        };
        Ok(cmd)
    }
}

fn run(session: &mut dyn Session, argv: &[Bytes]) -> CmdResult {
    let cmd = Shutdown::parse(argv)?;
    if cmd.abort {
        return Err(CmdError::other("ERR No shutdown in progress."));
    }
    session.shutdown(cmd.save)?;
    session.client().reply = ReplyMode::Off;
    Ok(Reply::OK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::session::testing::TestSession;

    #[test]
    fn stops_without_a_reply() {
        let mut s = TestSession::new();
        s.run(&["SHUTDOWN", "NOSAVE", "NOW"]);
        assert_eq!(s.shutdown, Some(Some(false)));
        assert!(s.client.close_after_reply);
        assert_eq!(s.client.reply, ReplyMode::Off);
        let mut s = TestSession::new();
        s.run(&["shutdown"]);
        assert_eq!(s.shutdown, Some(None));
    }

    #[test]
    fn errors_match_redis() {
        let mut s = TestSession::new();
        for (args, err) in [
            (vec!["SHUTDOWN", "foo"], "-ERR syntax error\r\n"),
            (vec!["SHUTDOWN", "NOSAVE", "SAVE"], "-ERR syntax error\r\n"),
            (vec!["SHUTDOWN", "ABORT", "NOSAVE"], "-ERR syntax error\r\n"),
            (vec!["SHUTDOWN", "NOW", "ABORT"], "-ERR syntax error\r\n"),
            (
                vec!["SHUTDOWN", "ABORT"],
                "-ERR No shutdown in progress.\r\n",
            ),
        ] {
            assert_eq!(s.wire(&args), err, "{args:?}");
        }
        assert_eq!(s.shutdown, None);
    }
}
