//! ZSCAN: iterates over members and scores of a sorted set.
//!
//! # Format
//! ```text
//! ZSCAN key cursor [MATCH pattern] [COUNT count]
//! ```
//! A listpack-encoded set answers everything at once with cursor 0, as Redis. A skiplist is
//! walked in the order of its members' fixed hash: the cursor is a position in hash space, so
//! it stays valid across changes and on every replica (like SCAN's), and a member present
//! for the whole iteration comes back once. Scores are shown as Redis 7.0 shows them here:
//! as stored in the listpack, or in `%.17Lf` "human" form for a skiplist.

use bytes::Bytes;

use crate::cmd::glob;
use crate::cmd::keyspace::scan::{ScanOptions, parse_cursor};
use crate::cmd::{CmdResult, ReadCtx, Run, Spec, flags};
use crate::resp::Reply;

use super::{lookup, score_text_human, score_text_packed};

pub const SPEC: Spec = Spec {
    name: "zscan",
    arity: -3,
    flags: flags::READONLY,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn scan_reply(cursor: u64, items: Vec<Reply>) -> Reply {
    Reply::Array(vec![
        Reply::Bulk(Bytes::copy_from_slice(
            itoa::Buffer::new().format(cursor).as_bytes(),
        )),
        Reply::Array(items),
    ])
}

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let cursor = parse_cursor(&argv[2])?;
    // As Redis: a missing key answers an empty scan before the options are read.
    let Some(z) = lookup(ctx, &argv[1])? else {
        return Ok(scan_reply(0, Vec::new()));
    };
    let ScanOptions { pattern, count } = ScanOptions::parse(&argv[3..])?;
    let packed = z.encoding() == "listpack";
    let (next, found) = z.scan(cursor, count);
    let mut items = Vec::with_capacity(found.len() * 2);
    for (member, score) in found {
        if let Some(p) = &pattern
            && !glob::matches(p, member, false)
        {
            continue;
        }
        let text = if packed {
            score_text_packed(score)
        } else {
            score_text_human(score)
        };
        items.push(Reply::Bulk(Bytes::copy_from_slice(member)));
        items.push(Reply::Bulk(Bytes::from(text)));
    }
    Ok(scan_reply(next, items))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::testutil::*;
    use crate::resp::Reply;

    fn page(reply: Reply) -> (String, Vec<String>) {
        let Reply::Array(parts) = reply else {
            panic!("{reply:?}")
        };
        let [Reply::Bulk(cursor), Reply::Array(items)] = &parts[..] else {
            panic!("{parts:?}")
        };
        let items = items
            .iter()
            .map(|r| match r {
                Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
                other => panic!("{other:?}"),
            })
            .collect();
        (String::from_utf8_lossy(cursor).into_owned(), items)
    }

    #[test]
    fn listpack_answers_at_once() {
        let mut k = with("z", &[("a", 1.0), ("b", 2.5), ("c", 1e20), ("d", 0.1)]);
        assert_eq!(
            page(k.run(100, &["zscan", "z", "0"])),
            (
                "0".into(),
                [
                    "d",
                    "0.10000000000000001",
                    "a",
                    "1",
                    "b",
                    "2.5",
                    "c",
                    "1e+20"
                ]
                .map(String::from)
                .to_vec()
            )
        );
        assert_eq!(
            page(k.run(100, &["zscan", "z", "5", "match", "a*"])),
            ("0".into(), vec!["a".into(), "1".into()])
        );
        assert_eq!(
            page(k.run(
                100,
                &[
                    "zscan", "z", "0", "count", "1", "count", "2", "match", "b", "match", "c"
                ]
            )),
            ("0".into(), vec!["c".into(), "1e+20".into()])
        );
    }

    #[test]
    fn skiplist_by_cursor_with_human_scores() {
        let names: Vec<String> = (0..300).map(|i| format!("m{i}")).collect();
        let mut items: Vec<(&str, f64)> = names.iter().map(|n| (n.as_str(), 1.0)).collect();
        items.push(("big", 1e20));
        items.push(("tiny", 1e-5));
        let mut k = with("z", &items);
        let mut seen = BTreeMap::new();
        let mut cursor = "0".to_string();
        let mut calls = 0;
        loop {
            let (next, found) = page(k.run(100, &["zscan", "z", &cursor, "count", "20"]));
            calls += 1;
            for pair in found.chunks(2) {
                assert!(seen.insert(pair[0].clone(), pair[1].clone()).is_none());
            }
            if next == "0" {
                break;
            }
            cursor = next;
        }
        assert!(calls > 10);
        assert_eq!(seen.len(), 302);
        assert_eq!(seen["big"], "100000000000000000000");
        assert_eq!(seen["tiny"], "0.00001");
        assert_eq!(seen["m7"], "1");
    }

    #[test]
    fn errors_and_missing_key() {
        let mut k = with("z", &[("a", 1.0)]);
        k.run(100, &["set", "s", "v"]);
        for (a, e) in [
            (&["zscan", "z", "0", "count", "0"][..], "ERR syntax error"),
            (&["zscan", "z", "0", "count", "-1"], "ERR syntax error"),
            (
                &["zscan", "z", "0", "count", "x"],
                "ERR value is not an integer or out of range",
            ),
            (&["zscan", "z", "0", "foo"], "ERR syntax error"),
            (&["zscan", "z", "0", "match"], "ERR syntax error"),
            (&["zscan", "z", "0", "type", "zset"], "ERR syntax error"),
            (&["zscan", "z", "0", "novalues"], "ERR syntax error"),
            (&["zscan", "z", "x"], "ERR invalid cursor"),
            (&["zscan", "s", "x"], "ERR invalid cursor"),
            (
                &["zscan", "s", "0", "foo"],
                "WRONGTYPE Operation against a key holding the wrong kind of value",
            ),
        ] {
            k.check(100, a, err(e));
        }
        assert_eq!(
            page(k.run(100, &["zscan", "nokey", "0", "foo"])),
            ("0".into(), vec![])
        );
        assert_eq!(
            page(k.run(100, &["zscan", "z", "-1"])),
            ("0".into(), vec!["a".into(), "1".into()])
        );
    }
}
