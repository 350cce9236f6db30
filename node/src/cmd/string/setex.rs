//! SETEX: sets the string value and expiration time (in seconds) of a key.
//!
//! # Format
//! ```text
//! SETEX key seconds value
//! ```
//! The log holds `set key value PXAT <unix ms>`, applied by SET, as Redis propagates SETEX:
//! the relative time is made absolute when the command is proposed.

use bytes::Bytes;

use crate::cmd::args::{self, word};
use crate::cmd::{CmdError, Prepare, Run, Spec, flags};

use super::set::{self, Expiry};

pub const SPEC: Spec = Spec {
    name: "setex",
    arity: 4,
    flags: flags::WRITE | flags::DENYOOM,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Write {
        prepare,
        apply: set::apply,
        unchanged: None,
    },
};

fn prepare(argv: &[Bytes], p: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    prepare_timed(argv, p, Expiry::Ex, "setex")
}

/// SETEX and PSETEX: `<command> key time value` as `set key value PXAT <unix ms>`, with
/// Redis's errors (a non-integer time, then "invalid expire time in '<command>' command" for
/// a time that is not positive or overflows once made absolute).
pub(crate) fn prepare_timed(
    argv: &[Bytes],
    p: &Prepare,
    expiry: fn(i64) -> Expiry,
    command: &'static str,
) -> Result<Vec<Bytes>, CmdError> {
    let time = args::parse_i64(&argv[2])?;
    let at = expiry(time)
        .absolute(p.now_ms, command)?
        .ok_or(CmdError::InvalidExpireTime(command))?;
    Ok(vec![
        word("set"),
        argv[1].clone(),
        argv[3].clone(),
        word("PXAT"),
        args::int_arg(at as i64),
    ])
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::machine::Machine;
    use crate::resp::Reply;

    #[test]
    fn logs_an_absolute_set() {
        assert_eq!(
            prep(&["SETEX", "k", "10", "v"], 1000).unwrap(),
            argv(&["set", "k", "v", "PXAT", "11000"])
        );
    }

    #[test]
    fn errors_match_redis() {
        assert_eq!(
            prep_err(&["setex", "k", "abc", "v"]),
            "ERR value is not an integer or out of range"
        );
        for bad in ["0", "-1", "9223372036854775807", "9223372036854775"] {
            assert_eq!(
                prep_err(&["SETEX", "k", bad, "v"]),
                "ERR invalid expire time in 'setex' command",
                "{bad}"
            );
        }
    }

    #[test]
    fn sets_value_and_ttl() {
        let mut m = Machine::new(16);
        assert_eq!(run(&mut m, 100, &["set", "k", "old", "px", "5"]), Reply::OK);
        assert_eq!(run(&mut m, 100, &["setex", "k", "10", "v"]), Reply::OK);
        assert_eq!(value(&m, "k", 100).as_deref(), Some(&b"v"[..]));
        assert_eq!(expire_at(&m, "k", 100), Some(10_100));
        assert_eq!(value(&m, "k", 10_101), None);
    }
}
