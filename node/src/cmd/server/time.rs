//! TIME: returns the server time.
//!
//! # Format
//! ```text
//! TIME
//! ```
//! The reply is the unix time in seconds and the microseconds elapsed in the current second,
//! both as bulk strings. This is the wall clock of the node that answers, which is never
//! used by the state machine (DESIGN.md "The log entry").

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;

use crate::cmd::{CmdResult, Run, Session, Spec, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "time",
    arity: 1,
    flags: flags::LOADING | flags::STALE | flags::FAST,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Session(run),
};

fn run(_session: &mut dyn Session, _argv: &[Bytes]) -> CmdResult {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Ok(Reply::Array(vec![
        Reply::bulk_int(now.as_secs() as i64),
        Reply::bulk_int(i64::from(now.subsec_micros())),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::session::testing::TestSession;

    #[test]
    fn seconds_and_micros_as_bulk_strings() {
        let mut s = TestSession::new();
        let Reply::Array(parts) = s.run(&["TIME"]) else {
            panic!()
        };
        let [Reply::Bulk(secs), Reply::Bulk(micros)] = &parts[..] else {
            panic!("{parts:?}")
        };
        let secs: u64 = std::str::from_utf8(secs).unwrap().parse().unwrap();
        let micros: u64 = std::str::from_utf8(micros).unwrap().parse().unwrap();
        assert!(secs > 1_700_000_000);
        assert!(micros < 1_000_000);
        assert_eq!(
            s.wire(&["TIME", "x"]),
            "-ERR wrong number of arguments for 'time' command\r\n"
        );
    }
}
