//! EXPIRE: set a key's time to live in seconds.
//!
//! # Format
//! ```text
//! EXPIRE key seconds [NX | XX | GT | LT]
//! ```
//! NX: only when the key has no TTL; XX: only when it has one; GT / LT: only when the new
//! expiry is greater / less than the current one, a key without TTL counting as an infinite
//! TTL (so GT never applies to it and LT always does). XX combines with GT or LT. An expiry
//! at or before now deletes the key (and answers 1).
//!
//! The log holds `expire key unix-time-milliseconds [NX] [XX] [GT] [LT]` (the same for
//! PEXPIRE, EXPIREAT and PEXPIREAT under their own names): the expiry is made absolute, in
//! milliseconds, when the command is proposed. This file holds the generic code of the four
//! commands (Redis's `expireGenericCommand`).

use bytes::Bytes;

use crate::cmd::args::{self, is, word};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "expire",
    arity: -3,
    flags: flags::WRITE | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Write {
        prepare,
        apply: apply_expire,
        unchanged: Some(unchanged),
    },
};

/// How a command of the family gives its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unit {
    /// Relative seconds (EXPIRE).
    Seconds,
    /// Relative milliseconds (PEXPIRE).
    Millis,
    /// Absolute unix seconds (EXPIREAT).
    UnixSeconds,
    /// Absolute unix milliseconds (PEXPIREAT).
    UnixMillis,
}

/// The NX, XX, GT and LT options.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Conditions {
    pub nx: bool,
    pub xx: bool,
    pub gt: bool,
    pub lt: bool,
}

impl Conditions {
    /// Redis's `parseExtendedExpireArgumentsOrReply`: any of the four words, repeated or
    /// not, in any case; then the incompatible combinations.
    pub fn parse(options: &[Bytes]) -> Result<Conditions, CmdError> {
        let mut c = Conditions::default();
        for opt in options {
            if is(opt, "NX") {
                c.nx = true;
            } else if is(opt, "XX") {
                c.xx = true;
            } else if is(opt, "GT") {
                c.gt = true;
            } else if is(opt, "LT") {
                c.lt = true;
            } else {
                let text =
                    String::from_utf8_lossy(opt.split(|&b| b == 0).next().unwrap_or_default())
                        .replace(['\r', '\n'], " ");
                return Err(CmdError::other(format!("ERR Unsupported option {text}")));
            }
        }
        if c.nx && (c.xx || c.gt || c.lt) {
            return Err(CmdError::other(
                "ERR NX and XX, GT or LT options at the same time are not compatible",
            ));
        }
        if c.gt && c.lt {
            return Err(CmdError::other(
                "ERR GT and LT options at the same time are not compatible",
            ));
        }
        Ok(c)
    }

    fn words(self) -> impl Iterator<Item = Bytes> {
        [
            (self.nx, "NX"),
            (self.xx, "XX"),
            (self.gt, "GT"),
            (self.lt, "LT"),
        ]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, w)| word(w))
    }

    /// Whether a key whose current expiry is `current` (None: no TTL) takes the expiry
    /// `when`.
    pub fn allow(self, current: Option<i64>, when: i64) -> bool {
        if self.nx && current.is_some() {
            return false;
        }
        if self.xx && current.is_none() {
            return false;
        }
        if self.gt && current.is_none_or(|cur| when <= cur) {
            return false;
        }
        if self.lt && current.is_some_and(|cur| when >= cur) {
            return false;
        }
        true
    }
}

/// Checks the options and the time of a command of the family (in Redis's order: options,
/// then the integer, then overflow) and returns its canonical argv
/// `name key unix-ms [NX] [XX] [GT] [LT]`.
pub(super) fn prepare_generic(
    argv: &[Bytes],
    now_ms: u64,
    unit: Unit,
    name: &'static str,
) -> Result<Vec<Bytes>, CmdError> {
    let (conditions, when) = parse_generic(argv, now_ms, unit, name)?;
    let mut canon = vec![word(name), argv[1].clone(), args::int_arg(when)];
    canon.extend(conditions.words());
    Ok(canon)
}

/// The options and the absolute expiry (unix ms) of a command of the family.
fn parse_generic(
    argv: &[Bytes],
    now_ms: u64,
    unit: Unit,
    name: &'static str,
) -> Result<(Conditions, i64), CmdError> {
    let conditions = Conditions::parse(&argv[3..])?;
    let n = args::parse_i64(&argv[2])?;
    let invalid = CmdError::InvalidExpireTime(name);
    let ms = match unit {
        Unit::Seconds | Unit::UnixSeconds => n.checked_mul(1000).ok_or(invalid.clone())?,
        Unit::Millis | Unit::UnixMillis => n,
    };
    let base = match unit {
        Unit::Seconds | Unit::Millis => i64::try_from(now_ms).map_err(|_| invalid.clone())?,
        Unit::UnixSeconds | Unit::UnixMillis => 0,
    };
    let when = ms.checked_add(base).ok_or(invalid)?;
    Ok((conditions, when))
}

fn prepare(argv: &[Bytes], p: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    prepare_generic(argv, p.now_ms, Unit::Seconds, "expire")
}

fn unchanged(ctx: &ReadCtx<'_>, argv: &[Bytes]) -> Option<Reply> {
    unchanged_generic(ctx, argv, Unit::Seconds, "expire")
}

/// The [`crate::cmd::Unchanged`] of the family: no key, or NX/XX/GT/LT refuse the new expiry
/// (errors are left to `prepare`).
pub(super) fn unchanged_generic(
    ctx: &ReadCtx<'_>,
    argv: &[Bytes],
    unit: Unit,
    name: &'static str,
) -> Option<Reply> {
    if argv.len() < 3 {
        return None;
    }
    let (conditions, when) = parse_generic(argv, ctx.now_ms, unit, name).ok()?;
    let refused = match ctx.db().get_untouched(&argv[1], ctx.now_ms)? {
        None => true,
        Some(entry) => {
            let current = entry
                .expire_at()
                .map(|at| i64::try_from(at).unwrap_or(i64::MAX));
            !conditions.allow(current, when)
        }
    };
    refused.then_some(Reply::Int(0))
}

/// Applies a canonical `name key unix-ms [NX] [XX] [GT] [LT]` of any command of the family.
pub(super) fn apply_expire(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let conditions = Conditions::parse(&argv[3..])?;
    let when = args::parse_i64(&argv[2])?;
    let (now, index, key) = (ctx.now_ms, ctx.index, &argv[1]);
    let db = ctx.db();
    let Some(entry) = db.get_mut(key, now) else {
        return Ok(Reply::Int(0));
    };
    let current = entry
        .expire_at()
        .map(|at| i64::try_from(at).unwrap_or(i64::MAX));
    if !conditions.allow(current, when) {
        return Ok(Reply::Int(0));
    }
    match u64::try_from(when) {
        Ok(at) if at > now => {
            db.set_expire(key, Some(at), index);
        }
        // Already past: Redis deletes the key (and propagates a DEL).
        _ => {
            db.remove(key);
        }
    }
    Ok(Reply::Int(1))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Kit, argv, err, prep};
    use super::*;

    #[test]
    fn canonical_form_is_absolute_milliseconds() {
        assert_eq!(
            prep(&["EXPIRE", "k", "10"], 1000).unwrap(),
            argv(&["expire", "k", "11000"])
        );
        assert_eq!(
            prep(&["expire", "k", "10", "lt", "xx", "LT"], 1000).unwrap(),
            argv(&["expire", "k", "11000", "XX", "LT"])
        );
        assert_eq!(
            prep(&["expire", "k", "-5", "nx", "NX"], 1000).unwrap(),
            argv(&["expire", "k", "-4000", "NX"])
        );
    }

    #[test]
    fn option_errors_in_redis_order() {
        let e = |a: &[&str]| prep(a, 1_700_000_000_000).unwrap_err().to_string();
        let nx = "ERR NX and XX, GT or LT options at the same time are not compatible";
        let gtlt = "ERR GT and LT options at the same time are not compatible";
        assert_eq!(e(&["expire", "k", "10", "nx", "xx"]), nx);
        assert_eq!(e(&["expire", "k", "10", "nx", "gt"]), nx);
        assert_eq!(e(&["expire", "k", "10", "lt", "nx"]), nx);
        assert_eq!(e(&["expire", "k", "10", "nx", "gt", "lt"]), nx);
        assert_eq!(e(&["expire", "k", "10", "gt", "lt"]), gtlt);
        assert_eq!(e(&["expire", "k", "10", "xx", "gt", "lt"]), gtlt);
        assert_eq!(
            e(&["expire", "k", "10", "foo"]),
            "ERR Unsupported option foo"
        );
        assert_eq!(
            e(&["expire", "k", "10", "f\r\no"]),
            "ERR Unsupported option f  o"
        );
        // Options are checked before the number.
        assert_eq!(
            e(&["expire", "k", "x", "foo"]),
            "ERR Unsupported option foo"
        );
        assert_eq!(e(&["expire", "k", "x", "nx", "xx"]), nx);
        assert_eq!(
            e(&["expire", "k", "x"]),
            "ERR value is not an integer or out of range"
        );
        assert_eq!(
            e(&["expire", "k", "1.5"]),
            "ERR value is not an integer or out of range"
        );
    }

    #[test]
    fn overflow_is_an_invalid_expire_time() {
        let e = |a: &[&str]| prep(a, 1_700_000_000_000).map_err(|e| e.to_string());
        let invalid = Err("ERR invalid expire time in 'expire' command".to_string());
        assert_eq!(e(&["expire", "k", "9223372036854775807"]), invalid);
        assert_eq!(e(&["expire", "k", "9223372036854775"]), invalid);
        assert_eq!(e(&["expire", "k", "9223372036854774"]), invalid);
        assert_eq!(e(&["expire", "k", "-9223372036854776"]), invalid);
        assert!(e(&["expire", "k", "-9223372036854775"]).is_ok());
        assert!(e(&["expire", "k", "9223370336854775"]).is_ok());
        assert_eq!(
            prep(&["expire", "k", "9223372036854775808"], 0)
                .unwrap_err()
                .to_string(),
            "ERR value is not an integer or out of range"
        );
    }

    #[test]
    fn sets_and_deletes() {
        let mut k = Kit::new();
        k.check(1000, &["expire", "nokey", "10"], Reply::Int(0));
        k.run(1000, &["set", "a", "1"]);
        k.check(1000, &["expire", "a", "10"], Reply::Int(1));
        assert_eq!(k.expire_at(0, "a", 1000), Some(11_000));
        assert_eq!(k.version(0, "a", 1000), Some(3));
        k.check(11_000, &["get", "a"], Reply::text("1"));
        k.check(11_001, &["get", "a"], Reply::Nil);
        k.check(11_001, &["expire", "a", "10"], Reply::Int(0));
        // Zero or negative: deleted at once.
        k.run(2000, &["set", "b", "1"]);
        k.check(2000, &["expire", "b", "0"], Reply::Int(1));
        k.check(2000, &["exists", "b"], Reply::Int(0));
        k.run(2000, &["set", "b", "1"]);
        k.check(2000, &["expire", "b", "-1"], Reply::Int(1));
        assert!(k.store().db(0).get(&Bytes::from_static(b"b"), 0).is_none());
        assert_eq!(
            k.m.stats().expired_keys,
            1,
            "a only; b was deleted, not expired"
        );
    }

    #[test]
    fn nx_xx_gt_lt() {
        let mut k = Kit::new();
        k.run(1000, &["set", "a", "1"]);
        // No TTL: infinite for GT and LT.
        k.check(1000, &["expire", "a", "100", "xx"], Reply::Int(0));
        k.check(1000, &["expire", "a", "100", "gt"], Reply::Int(0));
        k.check(1000, &["expire", "a", "100", "xx", "lt"], Reply::Int(0));
        k.check(1000, &["expire", "a", "100", "lt"], Reply::Int(1));
        assert_eq!(k.expire_at(0, "a", 1000), Some(101_000));
        k.check(1000, &["expire", "a", "200", "nx"], Reply::Int(0));
        k.check(1000, &["expire", "a", "50", "gt"], Reply::Int(0));
        k.check(1000, &["expire", "a", "100", "gt"], Reply::Int(0));
        k.check(1000, &["expire", "a", "200", "gt"], Reply::Int(1));
        k.check(1000, &["expire", "a", "200", "lt"], Reply::Int(0));
        k.check(1000, &["expire", "a", "150", "xx", "lt"], Reply::Int(1));
        assert_eq!(k.expire_at(0, "a", 1000), Some(151_000));
        k.check(1000, &["expire", "a", "300", "xx"], Reply::Int(1));
        k.check(1000, &["persist", "a"], Reply::Int(1));
        k.check(1000, &["expire", "a", "300", "nx"], Reply::Int(1));
        // LT into the past deletes.
        k.check(1000, &["expire", "a", "-1", "lt"], Reply::Int(1));
        k.check(1000, &["exists", "a"], Reply::Int(0));
        k.check(
            1000,
            &["expire", "a", "1", "gt", "lt"],
            err("ERR GT and LT options at the same time are not compatible"),
        );
    }

    #[test]
    fn apply_is_deterministic_on_entry_time() {
        // The same canonical argv at the same time on two machines gives the same state.
        let canon = prep(&["expire", "a", "5"], 1000).unwrap();
        let run = || {
            let mut k = Kit::new();
            k.run(1000, &["set", "a", "1"]);
            let index = k.m.last_applied() + 1;
            k.m.apply(
                index,
                &crate::machine::LogEntry::commands(7000, 0, vec![canon.clone()]),
            );
            k.expire_at(0, "a", 0)
        };
        // Applied after its absolute time: the key is deleted on both.
        assert_eq!(run(), None);
        assert_eq!(run(), run());
    }
}
