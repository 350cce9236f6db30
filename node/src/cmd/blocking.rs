//! What the blocking commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX,
//! BZMPOP) share: their timeout argument, and how the server learns what a blocked client
//! waits for.
//!
//! Each blocking command is an ordinary write in the table ([`super::flags::BLOCKING`] set):
//! its logged form applies the non-blocking pop and answers a nil (array) when there was
//! nothing to pop. That is all MULTI and scripts see, as in Redis, where a blocking command
//! that cannot block behaves like its non-blocking form. Outside a transaction the
//! connection asks [`block`] for the keys and the timeout, and the replication layer
//! (`raft::blocking`) waits for one of the keys to fill, proposing the same logged form for
//! each attempt.
//!
//! Depends on nothing outside `cmd/`.

use bytes::Bytes;

use super::zset::{is_space, strtod};
use super::{CmdError, Spec, list, zset};

/// The type of value a blocked client waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    List,
    ZSet,
}

/// What a blocking command waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// How long to wait; `None` is forever (a timeout of 0).
    pub timeout_ms: Option<u64>,
    /// The keys whose filling wakes the client, in the command's order.
    pub keys: Vec<Bytes>,
    pub kind: Kind,
}

/// The keys and timeout of the blocking command `argv` (looked up as `spec`), after the
/// command's syntax checks in Redis's order; `None` when `spec` is not a blocking command.
pub fn block(spec: &Spec, argv: &[Bytes]) -> Option<Result<Block, CmdError>> {
    Some(match spec.name {
        "blpop" | "brpop" => keys_then_timeout(argv, Kind::List),
        "blmove" => list::blmove::block(argv),
        "brpoplpush" => list::brpoplpush::block(argv),
        "blmpop" => list::blmpop::block(argv),
        "bzpopmin" | "bzpopmax" => keys_then_timeout(argv, Kind::ZSet),
        "bzmpop" => zset::bzmpop::block(argv),
        _ => return None,
    })
}

/// Parses a timeout in seconds as Redis 7.0's `getTimeoutFromObjectOrReply` does: a float
/// (`strtold`'s syntax: no leading space, hexadecimal accepted, NaN refused) turned into
/// milliseconds rounded up. Answers `None` for 0 (wait forever). Below zero is "timeout is
/// negative"; so is a value beyond the 64-bit range of milliseconds (Redis 7.0 converts it to
/// a negative number).
pub fn parse_timeout(arg: &[u8]) -> Result<Option<u64>, CmdError> {
    if arg.first().is_none_or(|&c| is_space(c)) {
        return Err(CmdError::TimeoutNotFloat);
    }
    let (secs, used, erange) = strtod(arg);
    if used != arg.len() || secs.is_nan() || (erange && secs == 0.0) {
        return Err(CmdError::TimeoutNotFloat);
    }
    let ms = (secs * 1000.0).ceil();
    // `i64::MAX as f64` rounds up to 2^63, itself out of range.
    if ms < 0.0 || ms >= i64::MAX as f64 {
        return Err(CmdError::TimeoutNegative);
    }
    Ok((ms > 0.0).then_some(ms as u64))
}

/// A timeout of 0 as logged: the log form of a blocking command never waits, so its timeout
/// is normalised.
/// The keys and timeout of the commands written `key [key ...] timeout` (BLPOP, BRPOP,
/// BZPOPMIN, BZPOPMAX).
pub fn keys_then_timeout(argv: &[Bytes], kind: Kind) -> Result<Block, CmdError> {
    let (timeout, keys) = argv[1..].split_last().ok_or(CmdError::Syntax)?;
    Ok(Block {
        timeout_ms: parse_timeout(timeout)?,
        keys: keys.to_vec(),
        kind,
    })
}

/// Their log form: `name key... 0`.
pub fn logged_keys_then_timeout(
    name: &'static str,
    argv: &[Bytes],
    kind: Kind,
) -> Result<Vec<Bytes>, CmdError> {
    let b = keys_then_timeout(argv, kind)?;
    let mut canon = Vec::with_capacity(b.keys.len() + 2);
    canon.push(Bytes::from_static(name.as_bytes()));
    canon.extend(b.keys);
    canon.push(logged_timeout());
    Ok(canon)
}

pub fn logged_timeout() -> Bytes {
    Bytes::from_static(b"0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_parse_as_redis() {
        let ok = |s: &str| parse_timeout(s.as_bytes()).unwrap();
        let err = |s: &str| parse_timeout(s.as_bytes()).unwrap_err().to_string();
        assert_eq!(ok("0"), None);
        assert_eq!(ok("-0"), None);
        assert_eq!(ok("-1e-300"), None);
        assert_eq!(ok("1e-300"), Some(1));
        assert_eq!(ok("0.0001"), Some(1));
        assert_eq!(ok(".5"), Some(500));
        assert_eq!(ok("1."), Some(1000));
        assert_eq!(ok("+0.1"), Some(100));
        assert_eq!(ok("0x1"), Some(1000));
        assert_eq!(ok("2"), Some(2000));
        assert_eq!(ok("9.2e15"), Some(9_200_000_000_000_000_000));
        for bad in ["abc", " 1", "1e", "nan", "", "1 "] {
            assert_eq!(
                err(bad),
                "ERR timeout is not a float or out of range",
                "{bad}"
            );
        }
        for negative in ["-1", "-0.001", "inf", "1e30", "9.3e15", "1e300"] {
            assert_eq!(err(negative), "ERR timeout is negative", "{negative}");
        }
    }
}
