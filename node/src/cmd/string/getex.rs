//! GETEX: returns the string value of a key after setting its expiration time.
//!
//! # Format
//! ```text
//! GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds |
//!   PXAT unix-time-milliseconds | PERSIST]
//! ```
//! The log holds `getex key [PXAT <unix ms> | PERSIST]`: relative times are made absolute when
//! the command is proposed. An absolute time already past deletes the key after answering
//! its value, as in Redis.
//!
//! Deviation: Redis checks the expire value only once it found the key, so `GETEX missing EX
//! abc` answers nil there; here every argument error is raised before the command is logged,
//! so it answers the error whether or not the key exists.

use bytes::Bytes;

use crate::cmd::args::{self, is, word};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;

use super::as_str;
use super::set::Expiry;

pub const SPEC: Spec = Spec {
    name: "getex",
    arity: -2,
    flags: flags::WRITE | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

/// What GETEX does to the TTL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Keep,
    /// Expire at this unix time in ms (deleting the key when already past).
    At(u64),
    Persist,
}

/// Parses the options as Redis does: each option may be repeated (the last value wins), but
/// two different ones are a syntax error; `at_ms` is "now" for relative times.
fn parse(argv: &[Bytes], at_ms: u64) -> Result<Change, CmdError> {
    let mut expiry: Option<(&[u8], &Bytes)> = None;
    let mut persist = false;
    let mut i = 2;
    while i < argv.len() {
        let opt = &argv[i][..];
        let next = argv.get(i + 1);
        let timed = ["EX", "PX", "EXAT", "PXAT"].iter().any(|w| is(opt, w));
        match next {
            Some(value) if timed => {
                if expiry.is_some_and(|(o, _)| !o.eq_ignore_ascii_case(opt)) {
                    return Err(CmdError::Syntax);
                }
                expiry = Some((opt, value));
                i += 2;
            }
            _ if is(opt, "PERSIST") => {
                persist = true;
                i += 1;
            }
            _ => return Err(CmdError::Syntax),
        }
    }
    match (expiry, persist) {
        (Some(_), true) => Err(CmdError::Syntax),
        (None, true) => Ok(Change::Persist),
        (None, false) => Ok(Change::Keep),
        (Some((opt, value)), false) => {
            let n = args::parse_i64(value)?;
            let expiry = if is(opt, "EX") {
                Expiry::Ex(n)
            } else if is(opt, "PX") {
                Expiry::Px(n)
            } else if is(opt, "EXAT") {
                Expiry::ExAt(n)
            } else {
                Expiry::PxAt(n)
            };
            let at = expiry
                .absolute(at_ms, "getex")?
                .ok_or(CmdError::InvalidExpireTime("getex"))?;
            Ok(Change::At(at))
        }
    }
}

fn prepare(argv: &[Bytes], p: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    let mut canon = vec![word("getex"), argv[1].clone()];
    match parse(argv, p.now_ms)? {
        Change::Keep => {}
        Change::Persist => canon.push(word("PERSIST")),
        Change::At(at) => {
            canon.push(word("PXAT"));
            canon.push(args::int_arg(at as i64));
        }
    }
    Ok(canon)
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let change = parse(argv, ctx.now_ms)?;
    let (now, index) = (ctx.now_ms, ctx.index);
    let db = ctx.db();
    let key = &argv[1];
    let Some(entry) = db.get_mut(key, now) else {
        return Ok(Reply::Nil);
    };
    let value = as_str(entry)?.to_bytes();
    let had_ttl = entry.expire_at().is_some();
    match change {
        Change::Keep => {}
        // Redis deletes the key when an absolute time is not in the future.
        Change::At(at) if at <= now => {
            db.remove(key);
        }
        Change::At(at) => {
            db.set_expire(key, Some(at), index);
        }
        Change::Persist if had_ttl => {
            db.set_expire(key, None, index);
        }
        Change::Persist => {}
    }
    Ok(Reply::Bulk(value))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::machine::Machine;
    use crate::resp::Reply;

    #[test]
    fn relative_times_become_absolute() {
        assert_eq!(
            prep(&["GETEX", "k", "ex", "10"], 1000).unwrap(),
            argv(&["getex", "k", "PXAT", "11000"])
        );
        assert_eq!(
            prep(&["getex", "k", "px", "10"], 1000).unwrap(),
            argv(&["getex", "k", "PXAT", "1010"])
        );
        assert_eq!(
            prep(&["getex", "k", "exat", "5"], 1000).unwrap(),
            argv(&["getex", "k", "PXAT", "5000"])
        );
        assert_eq!(
            prep(&["getex", "k", "pxat", "5"], 1000).unwrap(),
            argv(&["getex", "k", "PXAT", "5"])
        );
        assert_eq!(
            prep(&["getex", "k", "persist", "PERSIST"], 1000).unwrap(),
            argv(&["getex", "k", "PERSIST"])
        );
        assert_eq!(prep(&["getex", "k"], 1000).unwrap(), argv(&["getex", "k"]));
        // The same option twice: the last value wins, as in Redis.
        assert_eq!(
            prep(&["getex", "k", "ex", "10", "EX", "20"], 1000).unwrap(),
            argv(&["getex", "k", "PXAT", "21000"])
        );
    }

    #[test]
    fn errors_match_redis() {
        for bad in [
            &["getex", "k", "foo"][..],
            &["getex", "k", "ex"],
            &["getex", "k", "ex", "10", "px", "10"],
            &["getex", "k", "persist", "ex", "10"],
            &["getex", "k", "ex", "10", "persist"],
            &["getex", "k", "exat", "1", "pxat", "1"],
        ] {
            assert_eq!(prep_err(bad), "ERR syntax error", "{bad:?}");
        }
        assert_eq!(
            prep_err(&["getex", "k", "ex", "abc"]),
            "ERR value is not an integer or out of range"
        );
        for bad in [
            &["getex", "k", "ex", "0"][..],
            &["getex", "k", "px", "-1"],
            &["getex", "k", "exat", "9223372036854776"],
            &["getex", "k", "ex", "9223372036854775"],
            &["getex", "k", "pxat", "0"],
        ] {
            assert_eq!(
                prep_err(bad),
                "ERR invalid expire time in 'getex' command",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn changes_the_ttl() {
        let mut m = Machine::new(16);
        assert_eq!(run(&mut m, 100, &["getex", "k", "ex", "10"]), Reply::Nil);
        assert_eq!(value(&m, "k", 100), None);
        run(&mut m, 100, &["set", "k", "v"]);
        let before = version(&m, "k", 100);
        assert_eq!(run(&mut m, 100, &["getex", "k"]), bulk("v"));
        assert_eq!(version(&m, "k", 100), before, "plain GETEX changes nothing");
        assert_eq!(run(&mut m, 100, &["getex", "k", "px", "50"]), bulk("v"));
        assert_eq!(expire_at(&m, "k", 100), Some(150));
        assert_eq!(run(&mut m, 120, &["getex", "k", "persist"]), bulk("v"));
        assert_eq!(expire_at(&m, "k", 120), None);
        assert_eq!(run(&mut m, 120, &["getex", "k", "exat", "100"]), bulk("v"));
        assert_eq!(expire_at(&m, "k", 120), Some(100_000));
        // An absolute time not in the future deletes the key after answering.
        assert_eq!(run(&mut m, 130, &["getex", "k", "pxat", "130"]), bulk("v"));
        assert_eq!(m.store().db(0).len(), 0);
        assert_eq!(run(&mut m, 130, &["getex", "k"]), Reply::Nil);
    }
}
