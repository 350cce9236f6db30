//! PSETEX: sets the string value and expiration time (in milliseconds) of a key.
//!
//! # Format
//! ```text
//! PSETEX key milliseconds value
//! ```
//! The log holds `set key value PXAT <unix ms>`, applied by SET, as Redis propagates PSETEX.

use bytes::Bytes;

use crate::cmd::{CmdError, Prepare, Run, Spec, flags};

use super::set::{self, Expiry};
use super::setex::prepare_timed;

pub const SPEC: Spec = Spec {
    name: "psetex",
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
    prepare_timed(argv, p, Expiry::Px, "psetex")
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::machine::Machine;
    use crate::resp::Reply;

    #[test]
    fn logs_an_absolute_set() {
        assert_eq!(
            prep(&["psetex", "k", "1500", "v"], 1000).unwrap(),
            argv(&["set", "k", "v", "PXAT", "2500"])
        );
    }

    #[test]
    fn errors_match_redis() {
        assert_eq!(
            prep_err(&["psetex", "k", "1.5", "v"]),
            "ERR value is not an integer or out of range"
        );
        for bad in ["0", "-5", "9223372036854775807", "9223372036854775000"] {
            assert_eq!(
                prep_err(&["PSETEX", "k", bad, "v"]),
                "ERR invalid expire time in 'psetex' command",
                "{bad}"
            );
        }
    }

    #[test]
    fn sets_value_and_ttl() {
        let mut m = Machine::new(16);
        assert_eq!(run(&mut m, 100, &["psetex", "k", "50", "v"]), Reply::OK);
        assert_eq!(expire_at(&m, "k", 100), Some(150));
        assert_eq!(run(&mut m, 150, &["get", "k"]), bulk("v"));
        assert_eq!(run(&mut m, 151, &["get", "k"]), Reply::Nil);
    }
}
