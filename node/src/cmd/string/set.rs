//! SET: sets the string value of a key, ignoring its type, with optional expiry and
//! conditions.
//!
//! # Format
//! ```text
//! SET key value [NX | XX] [GET] [EX seconds | PX milliseconds |
//!   EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]
//! ```
//! The log holds `set key value [NX|XX] [GET] [PXAT ms | KEEPTTL]`: relative expiries are made
//! absolute when the command is proposed.

use bytes::Bytes;

use crate::cmd::args::{self, is, word};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;
use crate::store::{Entry, Str, Value};

use super::as_str;

pub const SPEC: Spec = Spec {
    name: "set",
    arity: -3,
    flags: flags::WRITE | flags::DENYOOM,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: Some(unchanged),
    },
};

/// Only set when the key does not exist (NX) or does (XX).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    Always,
    Nx,
    Xx,
}

/// An expiry as given by the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// EX seconds.
    Ex(i64),
    /// PX milliseconds.
    Px(i64),
    /// EXAT unix seconds.
    ExAt(i64),
    /// PXAT unix milliseconds.
    PxAt(i64),
    KeepTtl,
}

impl Expiry {
    /// The absolute expiry in unix milliseconds at `now_ms`, or Redis's "invalid expire time"
    /// error for `command` when the value is not positive or overflows.
    pub fn absolute(self, now_ms: u64, command: &'static str) -> Result<Option<u64>, CmdError> {
        let invalid = CmdError::InvalidExpireTime(command);
        let (n, unit, relative) = match self {
            Expiry::KeepTtl => return Ok(None),
            Expiry::Ex(n) => (n, 1000, true),
            Expiry::Px(n) => (n, 1, true),
            Expiry::ExAt(n) => (n, 1000, false),
            Expiry::PxAt(n) => (n, 1, false),
        };
        if n <= 0 {
            return Err(invalid);
        }
        let ms = n.checked_mul(unit).ok_or(invalid.clone())?;
        let ms = if relative {
            ms.checked_add(now_ms as i64).ok_or(invalid)?
        } else {
            ms
        };
        Ok(Some(ms as u64))
    }
}

/// A parsed SET.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Set<'a> {
    pub key: &'a Bytes,
    pub value: &'a Bytes,
    pub condition: Condition,
    pub get: bool,
    pub expiry: Option<Expiry>,
}

impl<'a> Set<'a> {
    pub fn parse(argv: &'a [Bytes]) -> Result<Set<'a>, CmdError> {
        let mut set = Set {
            key: &argv[1],
            value: &argv[2],
            condition: Condition::Always,
            get: false,
            expiry: None,
        };
        let mut i = 3;
        while i < argv.len() {
            let opt = &argv[i];
            let next = argv.get(i + 1);
            let no_expiry = set.expiry.is_none();
            if is(opt, "NX") && set.condition == Condition::Always {
                set.condition = Condition::Nx;
            } else if is(opt, "XX") && set.condition == Condition::Always {
                set.condition = Condition::Xx;
            } else if is(opt, "GET") && !set.get {
                set.get = true;
            } else if is(opt, "KEEPTTL") && no_expiry {
                set.expiry = Some(Expiry::KeepTtl);
            } else if no_expiry && next.is_some() && expiry_word(opt).is_some() {
                let n = args::parse_i64(next.map_or(&[][..], |b| &b[..]))?;
                set.expiry = expiry_word(opt).map(|make| make(n));
                i += 1;
            } else {
                return Err(CmdError::Syntax);
            }
            i += 1;
        }
        Ok(set)
    }
}

fn expiry_word(opt: &[u8]) -> Option<fn(i64) -> Expiry> {
    if is(opt, "EX") {
        Some(Expiry::Ex)
    } else if is(opt, "PX") {
        Some(Expiry::Px)
    } else if is(opt, "EXAT") {
        Some(Expiry::ExAt)
    } else if is(opt, "PXAT") {
        Some(Expiry::PxAt)
    } else {
        None
    }
}

fn prepare(argv: &[Bytes], p: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    let set = Set::parse(argv)?;
    let mut canon = Vec::with_capacity(argv.len());
    canon.extend([word("set"), set.key.clone(), set.value.clone()]);
    match set.condition {
        Condition::Always => {}
        Condition::Nx => canon.push(word("NX")),
        Condition::Xx => canon.push(word("XX")),
    }
    if set.get {
        canon.push(word("GET"));
    }
    match set.expiry {
        None => {}
        Some(Expiry::KeepTtl) => canon.push(word("KEEPTTL")),
        Some(e) => {
            let at = e.absolute(p.now_ms, "set")?.unwrap_or(0);
            canon.push(word("PXAT"));
            canon.push(args::int_arg(at as i64));
        }
    }
    Ok(canon)
}

/// NX with the key there, or XX without it: nothing is set (errors are left to `prepare`
/// and `apply`).
fn unchanged(ctx: &ReadCtx<'_>, argv: &[Bytes]) -> Option<Reply> {
    if argv.len() < 3 {
        return None;
    }
    let set = Set::parse(argv).ok()?;
    if let Some(e) = set.expiry {
        e.absolute(ctx.now_ms, "set").ok()?;
    }
    let entry = ctx.db().get_untouched(set.key, ctx.now_ms)?;
    let skip = match set.condition {
        Condition::Always => false,
        Condition::Nx => entry.is_some(),
        Condition::Xx => entry.is_none(),
    };
    if !skip {
        return None;
    }
    match entry {
        Some(entry) if set.get => Some(Reply::Bulk(as_str(entry).ok()?.to_bytes())),
        _ => Some(Reply::Nil),
    }
}

pub(crate) fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let set = Set::parse(argv)?;
    let expire_at = match set.expiry {
        Some(Expiry::KeepTtl) | None => None,
        Some(e) => e.absolute(ctx.now_ms, "set")?,
    };
    let (now, index) = (ctx.now_ms, ctx.index);
    let db = ctx.db();
    let old = db.get_mut(set.key, now);
    let found = old.is_some();
    let old_value = match (&old, set.get) {
        (Some(entry), true) => Some(as_str(entry)?.to_bytes()),
        _ => None,
    };
    let keep_ttl = match (&old, set.expiry) {
        (Some(entry), Some(Expiry::KeepTtl)) => entry.expire_at(),
        _ => None,
    };
    let skip = match set.condition {
        Condition::Always => false,
        Condition::Nx => found,
        Condition::Xx => !found,
    };
    if !skip {
        let value = Value::Str(Str::new(set.value));
        db.insert(
            set.key,
            Entry::with_expire(value, expire_at.or(keep_ttl), index),
        );
    }
    Ok(match (set.get, skip) {
        (true, _) => Reply::opt_bulk(old_value),
        (false, true) => Reply::Nil,
        (false, false) => Reply::OK,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::{LogEntry, Machine};

    fn argv(a: &[&str]) -> Vec<Bytes> {
        a.iter()
            .map(|s| Bytes::copy_from_slice(s.as_bytes()))
            .collect()
    }

    fn prep(a: &[&str], now: u64) -> Result<Vec<Bytes>, CmdError> {
        prepare(
            &argv(a),
            &Prepare {
                now_ms: now,
                databases: 16,
                max_bulk_len: 512 << 20,
                scripts: Default::default(),
            },
        )
    }

    fn run(m: &mut Machine, now: u64, a: &[&str]) -> Reply {
        let canon = match prep(a, now) {
            Ok(c) => c,
            Err(e) => return Reply::from(e),
        };
        let index = m.last_applied() + 1;
        m.apply(index, &LogEntry::commands(now, 0, vec![canon]))
            .remove(0)
    }

    #[test]
    fn relative_expiry_becomes_absolute() {
        assert_eq!(
            prep(&["SET", "k", "v", "ex", "10"], 1000).unwrap(),
            argv(&["set", "k", "v", "PXAT", "11000"])
        );
        assert_eq!(
            prep(&["set", "k", "v", "px", "5", "nx", "get"], 1000).unwrap(),
            argv(&["set", "k", "v", "NX", "GET", "PXAT", "1005"])
        );
        assert_eq!(
            prep(&["set", "k", "v", "keepttl", "xx"], 1).unwrap(),
            argv(&["set", "k", "v", "XX", "KEEPTTL"])
        );
    }

    #[test]
    fn syntax_and_expire_errors() {
        let err = |a: &[&str]| prep(a, 1000).unwrap_err().to_string();
        assert_eq!(err(&["set", "k", "v", "nx", "xx"]), "ERR syntax error");
        assert_eq!(
            err(&["set", "k", "v", "ex", "1", "px", "1"]),
            "ERR syntax error"
        );
        assert_eq!(
            err(&["set", "k", "v", "ex", "1", "keepttl"]),
            "ERR syntax error"
        );
        assert_eq!(err(&["set", "k", "v", "ex"]), "ERR syntax error");
        assert_eq!(err(&["set", "k", "v", "foo"]), "ERR syntax error");
        assert_eq!(
            err(&["set", "k", "v", "ex", "x"]),
            "ERR value is not an integer or out of range"
        );
        assert_eq!(
            err(&["set", "k", "v", "ex", "0"]),
            "ERR invalid expire time in 'set' command"
        );
        assert_eq!(
            err(&["set", "k", "v", "ex", "9223372036854775807"]),
            "ERR invalid expire time in 'set' command"
        );
    }

    #[test]
    fn conditions_get_and_keepttl() {
        let mut m = Machine::new(16);
        assert_eq!(run(&mut m, 100, &["set", "k", "a", "xx"]), Reply::Nil);
        assert_eq!(run(&mut m, 100, &["set", "k", "a", "nx"]), Reply::OK);
        assert_eq!(run(&mut m, 100, &["set", "k", "b", "nx"]), Reply::Nil);
        assert_eq!(
            run(&mut m, 100, &["set", "k", "c", "get"]),
            Reply::bulk("a")
        );
        assert_eq!(run(&mut m, 100, &["set", "k", "d", "px", "50"]), Reply::OK);
        assert_eq!(run(&mut m, 110, &["set", "k", "e", "keepttl"]), Reply::OK);
        let db = m.store().db(0);
        let k = Bytes::from_static(b"k");
        assert_eq!(db.get(&k, 120).and_then(|e| e.expire_at()), Some(150));
        assert_eq!(run(&mut m, 120, &["set", "k", "f"]), Reply::OK);
        assert_eq!(
            m.store().db(0).get(&k, 120).and_then(|e| e.expire_at()),
            None
        );
        // An expired key is absent for NX and GET.
        run(&mut m, 200, &["set", "t", "old", "px", "10"]);
        assert_eq!(
            run(&mut m, 300, &["set", "t", "new", "nx", "get"]),
            Reply::Nil
        );
    }
}
