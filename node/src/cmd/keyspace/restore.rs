//! RESTORE: creates a key from the serialized value DUMP returned.
//!
//! # Format
//! ```text
//! RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
//! ```
//! `ttl` is in milliseconds, 0 for none; with ABSTTL it is a unix time in milliseconds. The
//! payload may come from stock Redis (RDB versions up to 12) or from DUMP here. Errors, in
//! Redis 7.0's order: option syntax, `BUSYKEY` when the key exists without REPLACE, the TTL,
//! then `ERR DUMP payload version or checksum are wrong` and `ERR Bad data format`. A TTL
//! already in the past creates nothing (and deletes the key with REPLACE), answering OK.
//!
//! The log holds `restore key ttl payload [REPLACE] [ABSTTL]`, the TTL made absolute (ABSTTL)
//! when proposed, as EXPIRE is. IDLETIME and FREQ are checked, then dropped: access times
//! and frequencies are not tracked (OBJECT IDLETIME answers 0).

use bytes::Bytes;

use crate::cmd::args::{self, is, word};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::rdb::RdbError;
use crate::resp::Reply;
use crate::store::Entry;

pub const SPEC: Spec = Spec {
    name: "restore",
    arity: -4,
    flags: flags::WRITE | flags::DENYOOM,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

/// The options of a RESTORE, as Redis's `restoreCommand` parses them.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Options {
    pub replace: bool,
    pub absttl: bool,
}

impl Options {
    pub fn parse(options: &[Bytes]) -> Result<Options, CmdError> {
        let mut o = Options::default();
        let (mut idle, mut freq) = (false, false);
        let mut i = 0;
        while i < options.len() {
            let more = i + 1 < options.len();
            let opt = &options[i];
            if is(opt, "REPLACE") {
                o.replace = true;
            } else if is(opt, "ABSTTL") {
                o.absttl = true;
            } else if is(opt, "IDLETIME") && more && !freq {
                if args::parse_i64(&options[i + 1])? < 0 {
                    return Err(CmdError::other("ERR Invalid IDLETIME value, must be >= 0"));
                }
                idle = true;
                i += 1;
            } else if is(opt, "FREQ") && more && !idle {
                if !(0..=255).contains(&args::parse_i64(&options[i + 1])?) {
                    return Err(CmdError::other(
                        "ERR Invalid FREQ value, must be >= 0 and <= 255",
                    ));
                }
                freq = true;
                i += 1;
            } else {
                return Err(CmdError::Syntax);
            }
            i += 1;
        }
        Ok(o)
    }
}

fn prepare(argv: &[Bytes], p: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    let o = Options::parse(&argv[4..])?;
    let mut ttl = argv[2].clone();
    let mut absttl = o.absttl;
    // A TTL that does not parse is refused when applied, after the BUSYKEY check, as Redis.
    if !o.absttl
        && let Some(n) = args::strict_i64(&argv[2]).filter(|&n| n > 0)
    {
        ttl = args::int_arg(n.saturating_add(p.now_ms as i64));
        absttl = true;
    }
    let mut canon = vec![word("restore"), argv[1].clone(), ttl, argv[3].clone()];
    if o.replace {
        canon.push(word("REPLACE"));
    }
    if absttl {
        canon.push(word("ABSTTL"));
    }
    Ok(canon)
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let o = Options::parse(&argv[4..])?;
    let key = &argv[1];
    let (now, index) = (ctx.now_ms, ctx.index);
    if !o.replace && ctx.db().get(key, now).is_some() {
        return Err(CmdError::BusyKey);
    }
    let ttl = args::parse_i64(&argv[2])?;
    if ttl < 0 {
        return Err(CmdError::other("ERR Invalid TTL value, must be >= 0"));
    }
    let value = crate::rdb::restore(key, &argv[3]).map_err(|e| match e {
        RdbError::Version { .. } | RdbError::Checksum { .. } => CmdError::BadDumpPayload,
        RdbError::Truncated { .. } if argv[3].len() < 10 => CmdError::BadDumpPayload,
        // Redis would hold a stream or module value; redraft says why it cannot.
        RdbError::UnsupportedType { kind, .. } => CmdError::other(format!(
            "ERR Bad data format: the payload holds a {kind}, which redraft does not support"
        )),
        _ => CmdError::BadDataFormat,
    })?;
    let expire_at = match (ttl, o.absttl) {
        (0, _) => None,
        (at, true) => Some(at as u64),
        // Only a client's argv reaches here without ABSTTL when `prepare` kept it relative.
        (rel, false) => Some(now.saturating_add(rel as u64)),
    };
    if expire_at.is_some_and(|at| at <= now) {
        if o.replace {
            ctx.db().remove(key);
        }
        return Ok(Reply::OK);
    }
    ctx.db()
        .insert(key, Entry::with_expire(value, expire_at, index));
    Ok(Reply::OK)
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Kit, argv, err, prep};
    use super::*;

    /// DUMP of `SET k hello` on redis-server 7.0.15.
    const HELLO: &[u8] = b"\x00\x05hello\n\x00cr\xdfve4 \n";

    /// Runs a binary RESTORE (or any write) through `prepare` and the state machine.
    fn run(kit: &mut Kit, now: u64, args: &[&[u8]]) -> Reply {
        let argv: Vec<Bytes> = args.iter().map(|a| Bytes::copy_from_slice(a)).collect();
        let prepared = prepare(
            &argv,
            &Prepare {
                now_ms: now,
                databases: 16,
                max_bulk_len: 512 << 20,
                scripts: Default::default(),
            },
        );
        let canon = match prepared {
            Ok(canon) => canon,
            Err(e) => return Reply::from(e),
        };
        let index = kit.m.last_applied() + 1;
        kit.m
            .apply(
                index,
                &crate::machine::LogEntry::commands(now, 0, vec![canon]),
            )
            .remove(0)
    }

    #[test]
    fn canonical_form_makes_the_ttl_absolute() {
        let p = |a: &[&str]| prep(a, 1000).map_err(|e| e.to_string());
        assert_eq!(
            p(&["RESTORE", "k", "500", "x", "replace", "idletime", "3"]),
            Ok(argv(&["restore", "k", "1500", "x", "REPLACE", "ABSTTL"]))
        );
        assert_eq!(
            p(&["restore", "k", "0", "x"]),
            Ok(argv(&["restore", "k", "0", "x"]))
        );
        assert_eq!(
            p(&["restore", "k", "77", "x", "absttl"]),
            Ok(argv(&["restore", "k", "77", "x", "ABSTTL"]))
        );
        assert_eq!(
            p(&["restore", "k", "x", "x"]),
            Ok(argv(&["restore", "k", "x", "x"]))
        );
        assert_eq!(
            p(&["restore", "k", "0", "x", "idletime", "1", "freq", "2"]),
            Err("ERR syntax error".into())
        );
        assert_eq!(
            p(&["restore", "k", "0", "x", "idletime", "-1"]),
            Err("ERR Invalid IDLETIME value, must be >= 0".into())
        );
        assert_eq!(
            p(&["restore", "k", "0", "x", "freq", "256"]),
            Err("ERR Invalid FREQ value, must be >= 0 and <= 255".into())
        );
        assert_eq!(
            p(&["restore", "k", "0", "x", "idletime"]),
            Err("ERR syntax error".into())
        );
    }

    #[test]
    fn restores_with_redis_errors_in_redis_order() {
        let mut kit = Kit::new();
        let hello = HELLO;
        assert_eq!(
            run(&mut kit, 1000, &[b"restore", b"k", b"0", hello]),
            Reply::OK
        );
        assert_eq!(
            kit.run(1000, &["get", "k"]),
            Reply::Bulk(Bytes::from_static(b"hello"))
        );
        // BUSYKEY comes before the TTL and payload checks.
        assert_eq!(
            run(&mut kit, 1000, &[b"restore", b"k", b"-1", b"junk"]),
            err("BUSYKEY Target key name already exists.")
        );
        assert_eq!(
            run(
                &mut kit,
                1000,
                &[b"restore", b"k", b"-1", b"junk", b"replace"]
            ),
            err("ERR Invalid TTL value, must be >= 0")
        );
        assert_eq!(
            run(&mut kit, 1000, &[b"restore", b"n", b"0", b"junk"]),
            err("ERR DUMP payload version or checksum are wrong")
        );
        let mut bad = hello.to_vec();
        bad[3] ^= 1;
        assert_eq!(
            run(&mut kit, 1000, &[b"restore", b"n", b"0", &bad]),
            err("ERR DUMP payload version or checksum are wrong")
        );
        // A valid footer around a damaged value.
        let mut body = b"\x00\x09hel".to_vec();
        body.extend_from_slice(b"\n\x00");
        let crc = crate::rdb::crc64::crc64(&body);
        body.extend_from_slice(&crc.to_le_bytes());
        assert_eq!(
            run(&mut kit, 1000, &[b"restore", b"n", b"0", &body]),
            err("ERR Bad data format")
        );
        // A relative TTL, made absolute when proposed.
        assert_eq!(
            run(&mut kit, 1000, &[b"restore", b"t", b"5000", hello]),
            Reply::OK
        );
        assert_eq!(kit.run(1000, &["pttl", "t"]), Reply::Int(5000));
        // An absolute TTL in the past creates nothing; with REPLACE it deletes the key.
        assert_eq!(
            run(
                &mut kit,
                1000,
                &[b"restore", b"p", b"999", hello, b"absttl"]
            ),
            Reply::OK
        );
        assert_eq!(kit.run(1000, &["exists", "p"]), Reply::Int(0));
        assert_eq!(
            run(
                &mut kit,
                1000,
                &[b"restore", b"k", b"10", hello, b"absttl", b"replace"]
            ),
            Reply::OK
        );
        assert_eq!(kit.run(1000, &["exists", "k"]), Reply::Int(0));
    }

    #[test]
    fn dump_restore_round_trips_every_type() {
        let mut kit = Kit::new();
        kit.run(1, &["rpush", "l", "a", "1", "b"]);
        kit.run(1, &["sadd", "s", "x", "2"]);
        kit.run(1, &["hset", "h", "f", "v"]);
        kit.run(1, &["zadd", "z", "1.5", "m", "-inf", "n"]);
        kit.run(1, &["set", "i", "12345"]);
        for key in ["l", "s", "h", "z", "i"] {
            let Reply::Bulk(payload) = kit.run(1, &["dump", key]) else {
                panic!("dump {key}")
            };
            let copy = format!("{key}2");
            assert_eq!(
                run(&mut kit, 1, &[b"restore", copy.as_bytes(), b"0", &payload]),
                Reply::OK
            );
            assert_eq!(kit.run(1, &["dump", &copy]), Reply::Bulk(payload));
        }
    }
}
