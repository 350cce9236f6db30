//! SCAN: incrementally iterate the keys space.
//!
//! # Format
//! ```text
//! SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
//! ```
//! The cursor is a position in the keyspace's hash order (a u64), so it stays valid across
//! inserts, deletes and failovers: every key present for the whole iteration is returned,
//! and the order is the same on every node. A step visits about COUNT keys (10 by default);
//! MATCH and TYPE filter the visited keys, so a page may be empty while the cursor is not 0.
//! Options may repeat (the last one wins), as in Redis. The reply is
//! `[next-cursor as a bulk string, [keys...]]`.

use bytes::Bytes;

use crate::cmd::args::{is, parse_i64};
use crate::cmd::glob;
use crate::cmd::{CmdError, CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "scan",
    arity: -2,
    flags: flags::READONLY,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Read(read),
};

/// A parsed SCAN.
#[derive(Debug, PartialEq, Eq)]
pub struct Scan {
    pub cursor: u64,
    /// None when absent or exactly `*` (which Redis treats as no pattern).
    pub pattern: Option<Bytes>,
    pub count: usize,
    pub type_name: Option<Bytes>,
}

impl Scan {
    pub fn parse(argv: &[Bytes]) -> Result<Scan, CmdError> {
        let mut scan = Scan {
            cursor: parse_cursor(&argv[1])?,
            pattern: None,
            count: 10,
            type_name: None,
        };
        let mut i = 2;
        while i < argv.len() {
            let (opt, value) = match argv.get(i + 1) {
                Some(value) => (&argv[i], value),
                None => return Err(CmdError::Syntax),
            };
            if is(opt, "COUNT") {
                let n = parse_i64(value)?;
                if n < 1 {
                    return Err(CmdError::Syntax);
                }
                scan.count = usize::try_from(n).unwrap_or(usize::MAX);
            } else if is(opt, "MATCH") {
                scan.pattern = (&value[..] != b"*").then(|| value.clone());
            } else if is(opt, "TYPE") {
                scan.type_name = Some(value.clone());
            } else {
                return Err(CmdError::Syntax);
            }
            i += 2;
        }
        Ok(scan)
    }
}

/// Parses a cursor as Redis's `parseScanCursorOrReply` (C `strtoul` in base 10): the text
/// ends at the first NUL byte; after an optional sign come digits, leading zeros allowed;
/// a negative number wraps around modulo 2^64 (`-1` is u64::MAX); empty text is 0; a leading
/// space, any other character or overflow is "invalid cursor".
pub fn parse_cursor(arg: &[u8]) -> Result<u64, CmdError> {
    let text = arg.split(|&b| b == 0).next().unwrap_or_default();
    if text.is_empty() {
        return Ok(0);
    }
    let (negative, digits) = match text[0] {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(CmdError::InvalidCursor);
    }
    let mut n: u64 = 0;
    for &d in digits {
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(d - b'0')))
            .ok_or(CmdError::InvalidCursor)?;
    }
    Ok(if negative { n.wrapping_neg() } else { n })
}

/// The options of HSCAN, SSCAN and ZSCAN: MATCH and COUNT (TYPE is SCAN's only).
#[derive(Debug, PartialEq, Eq)]
pub struct ScanOptions {
    /// None when absent or exactly `*` (which Redis treats as no pattern).
    pub pattern: Option<Bytes>,
    pub count: usize,
}

impl ScanOptions {
    /// Parses the options after the cursor; they may repeat (the last one wins). TYPE is
    /// SCAN's only: a syntax error here, as in Redis.
    pub fn parse(args: &[Bytes]) -> Result<ScanOptions, CmdError> {
        let mut options = ScanOptions {
            pattern: None,
            count: 10,
        };
        for pair in args.chunks(2) {
            let [opt, value] = pair else {
                return Err(CmdError::Syntax);
            };
            if is(opt, "COUNT") {
                let n = parse_i64(value)?;
                if n < 1 {
                    return Err(CmdError::Syntax);
                }
                options.count = usize::try_from(n).unwrap_or(usize::MAX);
            } else if is(opt, "MATCH") {
                options.pattern = (&value[..] != b"*").then(|| value.clone());
            } else {
                return Err(CmdError::Syntax);
            }
        }
        Ok(options)
    }
}

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let scan = Scan::parse(argv)?;
    let (mut hits, now) = (0u64, ctx.now_ms);
    let page = ctx.db().scan(scan.cursor, scan.count, now, |key, entry| {
        if let Some(pattern) = &scan.pattern
            && !glob::matches(pattern, key, false)
        {
            return false;
        }
        match &scan.type_name {
            Some(wanted) => {
                // Redis 7.0 looks each remaining key up to learn its type (a keyspace hit).
                hits += 1;
                wanted.eq_ignore_ascii_case(entry.value.type_name().as_bytes())
            }
            None => true,
        }
    });
    ctx.hits += hits;
    let keys = page.keys.into_iter().map(Reply::Bulk).collect();
    Ok(Reply::Array(vec![
        Reply::Bulk(Bytes::copy_from_slice(
            itoa::Buffer::new().format(page.cursor).as_bytes(),
        )),
        Reply::Array(keys),
    ]))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::super::testkit::{Kit, argv, err};
    use super::*;

    #[test]
    fn cursors_parse_like_strtoul() {
        let ok = |s: &[u8]| parse_cursor(s);
        assert_eq!(ok(b"0"), Ok(0));
        assert_eq!(ok(b""), Ok(0));
        assert_eq!(ok(b"00"), Ok(0));
        assert_eq!(ok(b"-0"), Ok(0));
        assert_eq!(ok(b"+5"), Ok(5));
        assert_eq!(ok(b"-1"), Ok(u64::MAX));
        assert_eq!(ok(b"-18446744073709551615"), Ok(1));
        assert_eq!(ok(b"18446744073709551615"), Ok(u64::MAX));
        assert_eq!(ok(b"12\0junk"), Ok(12));
        for bad in [
            &b"18446744073709551616"[..],
            b"-18446744073709551616",
            b" 1",
            b"1 ",
            b"0x1",
            b"-",
            b"+",
            b"abc",
            b"1.5",
        ] {
            assert_eq!(
                ok(bad).map_err(|e| e.to_string()),
                Err("ERR invalid cursor".to_string()),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn options() {
        let parse = |a: &[&str]| Scan::parse(&argv(a)).map_err(|e| e.to_string());
        assert_eq!(
            parse(&["scan", "7", "match", "a*", "count", "3", "type", "string"]),
            Ok(Scan {
                cursor: 7,
                pattern: Some(Bytes::from_static(b"a*")),
                count: 3,
                type_name: Some(Bytes::from_static(b"string")),
            })
        );
        assert_eq!(
            parse(&["scan", "0", "MATCH", "*", "COUNT", "1", "COUNT", "9"]),
            Ok(Scan {
                cursor: 0,
                pattern: None,
                count: 9,
                type_name: None,
            })
        );
        let syntax = Err("ERR syntax error".to_string());
        assert_eq!(parse(&["scan", "0", "count", "0"]), syntax);
        assert_eq!(parse(&["scan", "0", "count", "-1"]), syntax);
        assert_eq!(parse(&["scan", "0", "match"]), syntax);
        assert_eq!(parse(&["scan", "0", "foo", "bar"]), syntax);
        assert_eq!(parse(&["scan", "0", "type", "string", "type"]), syntax);
        assert_eq!(
            parse(&["scan", "0", "count", "x"]),
            Err("ERR value is not an integer or out of range".to_string())
        );
        // The cursor is checked before the options.
        assert_eq!(
            parse(&["scan", "x", "foo"]),
            Err("ERR invalid cursor".to_string())
        );
        assert_eq!(
            parse(&["scan", "0", "count", "9223372036854775807"]).map(|s| s.count),
            Ok(i64::MAX as usize)
        );
    }

    fn scan_all(k: &mut Kit, now: u64, extra: &[&str]) -> (Vec<String>, usize) {
        let mut seen = Vec::new();
        let mut cursor = "0".to_string();
        let mut calls = 0;
        loop {
            let mut a = vec!["scan", cursor.as_str()];
            a.extend_from_slice(extra);
            let reply = k.run(now, &a);
            calls += 1;
            let Reply::Array(parts) = reply else {
                panic!("{reply:?}")
            };
            let [Reply::Bulk(next), Reply::Array(keys)] = &parts[..] else {
                panic!("{parts:?}")
            };
            for key in keys {
                let Reply::Bulk(key) = key else {
                    panic!("{key:?}")
                };
                seen.push(String::from_utf8_lossy(key).into_owned());
            }
            cursor = String::from_utf8_lossy(next).into_owned();
            if cursor == "0" {
                return (seen, calls);
            }
        }
    }

    #[test]
    fn full_iteration_match_type_and_expiry() {
        let mut k = Kit::new();
        for i in 0..300 {
            k.run(100, &["set", &format!("key:{i}"), "v"]);
        }
        for i in 0..20 {
            k.run(100, &["set", &format!("tmp:{i}"), "v", "px", "10"]);
        }
        let (all, calls) = scan_all(&mut k, 100, &[]);
        assert_eq!(all.len(), 320);
        assert_eq!(all.iter().collect::<HashSet<_>>().len(), 320);
        assert!(calls >= 32, "COUNT 10 by default: {calls} calls");
        let (live, _) = scan_all(&mut k, 200, &["count", "1000"]);
        assert_eq!(live.len(), 300);
        let (matched, _) = scan_all(&mut k, 100, &["match", "tmp:*", "count", "7"]);
        assert_eq!(matched.len(), 20);
        let (strings, _) = scan_all(&mut k, 200, &["type", "STRING", "count", "50"]);
        assert_eq!(strings.len(), 300);
        let (none, _) = scan_all(&mut k, 200, &["type", "list"]);
        assert!(none.is_empty());
    }

    #[test]
    fn reply_shape_and_errors() {
        let mut k = Kit::new();
        k.check(
            100,
            &["scan", "0"],
            Reply::Array(vec![Reply::text("0"), Reply::Array(vec![])]),
        );
        k.run(100, &["set", "a", "1"]);
        k.check(
            100,
            &["scan", "0", "count", "5"],
            Reply::Array(vec![Reply::text("0"), Reply::Array(vec![Reply::text("a")])]),
        );
        k.check(100, &["scan", "-"], err("ERR invalid cursor"));
        k.check(100, &["scan", "0", "count", "0"], err("ERR syntax error"));
        k.check(
            100,
            &["scan", "0", "type", "string"],
            Reply::Array(vec![Reply::text("0"), Reply::Array(vec![Reply::text("a")])]),
        );
        assert_eq!(k.hits, 1);
        k.check(
            100,
            &["scan"],
            err("ERR wrong number of arguments for 'scan' command"),
        );
    }
}
