//! SSCAN: incrementally iterate set elements.
//!
//! # Format
//! ```text
//! SSCAN key cursor [MATCH pattern] [COUNT count]
//! ```
//! An intset answers all its members at once with cursor 0, as Redis does for compact
//! encodings. A hashtable's cursor is a position in the hash order of its members (a u64, as
//! SCAN's), so it stays valid across changes and on every node: every member present for the
//! whole iteration is returned. A step visits about COUNT members (10 by default) and MATCH
//! filters them, so a page may be empty while the cursor is not 0. The reply is
//! `[next-cursor as a bulk string, [members...]]`.
//!
//! Checks run in Redis's order: the cursor, then the key (a missing key answers an empty
//! scan without looking at the options), its type, then the options.

use bytes::Bytes;

use crate::cmd::glob;
use crate::cmd::keyspace::scan::{ScanOptions, parse_cursor};
use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::read_set;

pub const SPEC: Spec = Spec {
    name: "sscan",
    arity: -3,
    flags: flags::READONLY,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn scan_reply(cursor: u64, members: Vec<Bytes>) -> Reply {
    Reply::Array(vec![
        Reply::Bulk(Bytes::copy_from_slice(
            itoa::Buffer::new().format(cursor).as_bytes(),
        )),
        Reply::Array(members.into_iter().map(Reply::Bulk).collect()),
    ])
}

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let cursor = parse_cursor(&argv[2])?;
    let Some(set) = read_set(ctx, &argv[1])? else {
        return Ok(scan_reply(0, Vec::new()));
    };
    let options = ScanOptions::parse(&argv[3..])?;
    let (next, members) = set.scan(cursor, options.count, |m| {
        options
            .pattern
            .as_ref()
            .is_none_or(|p| glob::matches(p, m, false))
    });
    Ok(scan_reply(next, members))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::super::testkit::{Kit, argv, bulks, err, wrongtype};
    use super::*;

    fn page(cursor: &str, members: &[&str]) -> Reply {
        Reply::Array(vec![
            Reply::Bulk(Bytes::copy_from_slice(cursor.as_bytes())),
            bulks(members),
        ])
    }

    #[test]
    fn options() {
        let parse = |a: &[&str]| ScanOptions::parse(&argv(a)).map_err(|e| e.to_string());
        assert_eq!(
            parse(&["match", "a*", "COUNT", "3", "count", "5"]),
            Ok(ScanOptions {
                pattern: Some(Bytes::from_static(b"a*")),
                count: 5
            })
        );
        assert_eq!(parse(&["match", "*"]).map(|o| o.pattern), Ok(None));
        let syntax = Err("ERR syntax error".to_string());
        assert_eq!(parse(&["count", "0"]), syntax);
        assert_eq!(parse(&["match"]), syntax);
        assert_eq!(parse(&["type", "string"]), syntax);
        assert_eq!(
            parse(&["count", "x"]),
            Err("ERR value is not an integer or out of range".to_string())
        );
    }

    #[test]
    fn intset_all_at_once_and_check_order() {
        let mut k = Kit::new();
        k.run(100, &["sadd", "s", "5", "1", "3", "10"]);
        k.check(100, &["sscan", "s", "0"], page("0", &["1", "3", "5", "10"]));
        k.check(
            100,
            &["sscan", "s", "7", "count", "1"],
            page("0", &["1", "3", "5", "10"]),
        );
        k.check(
            100,
            &["sscan", "s", "0", "match", "1*"],
            page("0", &["1", "10"]),
        );
        k.check(100, &["sscan", "s", "x"], err("ERR invalid cursor"));
        k.check(
            100,
            &["sscan", "s", "0", "count", "0"],
            err("ERR syntax error"),
        );
        // A missing key answers before the options are looked at.
        k.check(100, &["sscan", "missing", "0", "foo"], page("0", &[]));
        assert_eq!((k.hits, k.misses), (0, 1));
        k.check(100, &["sscan", "missing", "x"], err("ERR invalid cursor"));
        k.run(100, &["set", "str", "x"]);
        k.check(100, &["sscan", "str", "0", "foo"], wrongtype());
        k.check(100, &["sscan", "str", "-"], err("ERR invalid cursor"));
    }

    fn scan_all(k: &mut Kit, extra: &[&str]) -> (Vec<String>, usize) {
        let mut seen = Vec::new();
        let mut cursor = "0".to_string();
        let mut calls = 0;
        loop {
            let mut a = vec!["sscan", "h", cursor.as_str()];
            a.extend_from_slice(extra);
            let reply = k.run(100, &a);
            calls += 1;
            let Reply::Array(parts) = reply else {
                panic!("{reply:?}")
            };
            let [Reply::Bulk(next), Reply::Array(members)] = &parts[..] else {
                panic!("{parts:?}")
            };
            for m in members {
                let Reply::Bulk(m) = m else { panic!("{m:?}") };
                seen.push(String::from_utf8_lossy(m).into_owned());
            }
            cursor = String::from_utf8_lossy(next).into_owned();
            if cursor == "0" {
                return (seen, calls);
            }
        }
    }

    #[test]
    fn hashtable_iterates_by_cursor() {
        let mut k = Kit::new();
        for i in 0..300 {
            k.run(100, &["sadd", "h", &format!("m:{i}")]);
        }
        for i in 0..20 {
            k.run(100, &["sadd", "h", &format!("other:{i}")]);
        }
        let (all, calls) = scan_all(&mut k, &[]);
        assert_eq!(all.len(), 320);
        assert_eq!(all.iter().collect::<HashSet<_>>().len(), 320);
        assert!(calls >= 32, "COUNT 10 by default: {calls} calls");
        let (matched, _) = scan_all(&mut k, &["match", "other:*", "count", "7"]);
        assert_eq!(matched.len(), 20);
        let (one_call, calls) = scan_all(&mut k, &["count", "1000"]);
        assert_eq!((one_call.len(), calls), (320, 1));
    }
}
