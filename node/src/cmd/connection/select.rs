//! SELECT: changes the selected database of the connection.
//!
//! # Format
//! ```text
//! SELECT index
//! ```

use bytes::Bytes;

use crate::cmd::{CmdError, CmdResult, Run, Session, Spec, args, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "select",
    arity: 2,
    flags: flags::LOADING | flags::STALE | flags::FAST,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Session(run),
};

/// Parses a database index, as SELECT, MOVE and COPY ... DB do.
pub fn parse_db(arg: &[u8], databases: usize) -> Result<usize, CmdError> {
    let n = args::parse_i64(arg)?;
    usize::try_from(n)
        .ok()
        .filter(|&n| n < databases)
        .ok_or(CmdError::DbIndexOutOfRange)
}

fn run(session: &mut dyn Session, argv: &[Bytes]) -> CmdResult {
    let databases = session.config().read().databases;
    let db = parse_db(&argv[1], databases)?;
    session.client().db = db;
    Ok(Reply::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes() {
        assert_eq!(parse_db(b"15", 16), Ok(15));
        assert_eq!(parse_db(b"16", 16), Err(CmdError::DbIndexOutOfRange));
        assert_eq!(parse_db(b"-1", 16), Err(CmdError::DbIndexOutOfRange));
        assert_eq!(parse_db(b"x", 16), Err(CmdError::NotInteger));
    }
}
