//! BGSAVE: asynchronously saves the database to disk.
//!
//! # Format
//! ```text
//! BGSAVE [SCHEDULE]
//! ```
//! Answers `+Background saving started` once the snapshot has begun (after the same read
//! barrier as SAVE, so the file covers every write acknowledged before); LASTSAVE and
//! `INFO persistence` tell when it is done. `ERR Background save already in progress` while
//! one runs, with or without SCHEDULE (Redis schedules only behind an AOF rewrite, which
//! redraft does not have).

use bytes::Bytes;

use crate::cmd::cluster_view::AdminOp;
use crate::cmd::{CmdError, Run, Spec, args, flags};

pub const SPEC: Spec = Spec {
    name: "bgsave",
    arity: -1,
    flags: flags::ADMIN | flags::NOSCRIPT,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Admin(parse),
};

fn parse(argv: &[Bytes]) -> Result<AdminOp, CmdError> {
    match argv {
        [_] => Ok(AdminOp::BgSave),
        [_, s] if args::is(s, "SCHEDULE") => Ok(AdminOp::BgSave),
        _ => Err(CmdError::Syntax),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_is_the_only_option() {
        let argv = |a: &[&'static str]| {
            a.iter()
                .map(|s| Bytes::from_static(s.as_bytes()))
                .collect::<Vec<_>>()
        };
        assert_eq!(parse(&argv(&["bgsave"])), Ok(AdminOp::BgSave));
        assert_eq!(parse(&argv(&["bgsave", "schedule"])), Ok(AdminOp::BgSave));
        assert_eq!(parse(&argv(&["bgsave", "x"])), Err(CmdError::Syntax));
        assert_eq!(
            parse(&argv(&["bgsave", "schedule", "schedule"])),
            Err(CmdError::Syntax)
        );
    }
}
