//! HSCAN: incrementally iterate hash fields and associated values.
//!
//! # Format
//! ```text
//! HSCAN key cursor [MATCH pattern] [COUNT count]
//! ```
//! The reply is `[next-cursor as a bulk string, [field, value, field, value...]]`. A compact
//! hash answers everything in one call with cursor 0, whatever the cursor and COUNT, as
//! Redis does for a listpack. A table answers about COUNT fields (10 by default) per call, and
//! its cursor is a position in the hash order of its fields (as SCAN's over the keyspace): it
//! stays valid across writes and failovers, and a field present for the whole iteration is
//! returned. MATCH filters the visited fields, so a page may be empty while the cursor is not
//! 0.
//!
//! Checks in Redis's order: the cursor; then a missing key answers an empty scan without
//! looking at the options; then the type; then the options.

use bytes::Bytes;

use crate::cmd::glob;
use crate::cmd::keyspace::scan::{ScanOptions as Options, parse_cursor};
use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::{copy_bulk, read_hash};

pub const SPEC: Spec = Spec {
    name: "hscan",
    arity: -3,
    flags: flags::READONLY,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let cursor = parse_cursor(&argv[2])?;
    let Some(hash) = read_hash(ctx, &argv[1])? else {
        return Ok(page(0, Vec::new()));
    };
    let options = Options::parse(&argv[3..])?;
    let mut items = Vec::new();
    let next = hash.scan(cursor, options.count, |field, value| {
        if let Some(pattern) = &options.pattern
            && !glob::matches(pattern, field, false)
        {
            return;
        }
        items.push(copy_bulk(field));
        items.push(copy_bulk(value));
    });
    Ok(page(next, items))
}

fn page(cursor: u64, items: Vec<Reply>) -> Reply {
    Reply::Array(vec![
        Reply::Bulk(Bytes::copy_from_slice(
            itoa::Buffer::new().format(cursor).as_bytes(),
        )),
        Reply::Array(items),
    ])
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::testing::*;
    use super::*;

    fn scan_page(k: &mut Kit, args: &[&str]) -> (String, Vec<(String, String)>) {
        let reply = k.run(1, args);
        let Reply::Array(parts) = reply else {
            panic!("{reply:?}")
        };
        let [Reply::Bulk(cursor), Reply::Array(items)] = &parts[..] else {
            panic!("{parts:?}")
        };
        let text = |r: &Reply| match r {
            Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
            other => panic!("{other:?}"),
        };
        let pairs = items
            .chunks(2)
            .map(|p| (text(&p[0]), text(&p[1])))
            .collect();
        (String::from_utf8_lossy(cursor).into_owned(), pairs)
    }

    /// A full HSCAN of `h`: every pair seen (with repeats counted) and the number of calls.
    fn scan_all(k: &mut Kit, extra: &[&str]) -> (BTreeMap<String, (String, usize)>, usize) {
        let mut seen: BTreeMap<String, (String, usize)> = BTreeMap::new();
        let mut cursor = "0".to_string();
        let mut calls = 0;
        loop {
            let mut args = vec!["hscan", "h", cursor.as_str()];
            args.extend_from_slice(extra);
            let (next, pairs) = scan_page(k, &args);
            calls += 1;
            for (f, v) in pairs {
                seen.entry(f).or_insert((v, 0)).1 += 1;
            }
            cursor = next;
            if cursor == "0" {
                return (seen, calls);
            }
        }
    }

    #[test]
    fn options_parse_as_redis() {
        let parse = |a: &[&str]| Options::parse(&argv(a)).map_err(|e| e.to_string());
        assert_eq!(
            parse(&["match", "a*", "COUNT", "3", "count", "5"]),
            Ok(Options {
                pattern: Some(Bytes::from_static(b"a*")),
                count: 5
            })
        );
        assert_eq!(parse(&["match", "*"]).map(|o| o.pattern), Ok(None));
        for bad in [
            &["count", "0"][..],
            &["count", "-1"],
            &["match"],
            &["type", "string"],
            &["novalues"],
            &["count", "1", "x"],
        ] {
            assert_eq!(parse(bad), Err("ERR syntax error".to_string()), "{bad:?}");
        }
        assert_eq!(
            parse(&["count", "x"]),
            Err("ERR value is not an integer or out of range".to_string())
        );
    }

    #[test]
    fn compact_answers_at_once() {
        let mut k = Kit::new();
        k.check(
            1,
            &["hscan", "h", "0", "count", "0"],
            Reply::Array(vec![bulk("0"), bulks(&[])]),
        );
        k.check(1, &["hscan", "h", "x"], err("ERR invalid cursor"));
        k.run(1, &["hset", "h", "a", "1", "b", "2", "bb", "3"]);
        k.check(
            1,
            &["hscan", "h", "0", "count", "1"],
            Reply::Array(vec![bulk("0"), bulks(&["a", "1", "b", "2", "bb", "3"])]),
        );
        k.check(
            1,
            &["hscan", "h", "5", "match", "b*"],
            Reply::Array(vec![bulk("0"), bulks(&["b", "2", "bb", "3"])]),
        );
        k.check(
            1,
            &["hscan", "h", "0", "count", "0"],
            err("ERR syntax error"),
        );
        k.check(
            1,
            &["hscan", "h", "0", "type", "hash"],
            err("ERR syntax error"),
        );
    }

    #[test]
    fn a_table_pages_through_everything() {
        let mut k = Kit::new();
        for i in 0..500 {
            k.run(1, &["hset", "h", &format!("f{i}"), &format!("v{i}")]);
        }
        let (seen, calls) = scan_all(&mut k, &[]);
        assert_eq!(seen.len(), 500);
        assert!(seen.values().all(|(_, n)| *n == 1));
        assert!(seen.iter().all(|(f, (v, _))| f[1..] == v[1..]));
        assert!(calls >= 50, "COUNT 10 by default: {calls} calls");
        let (seen, calls) = scan_all(&mut k, &["count", "1000"]);
        assert_eq!((seen.len(), calls), (500, 1));
        let (matched, _) = scan_all(&mut k, &["match", "f1*", "count", "7"]);
        assert_eq!(matched.len(), 111);
    }
}
