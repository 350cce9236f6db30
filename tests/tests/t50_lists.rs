//! The list commands through the real binary: the users' queue (LPUSH/RPOP) and list
//! (LPUSH/LRANGE) flows with the `redis` crate, replies byte for byte as Redis 7.0 sends them
//! (raw sockets, RESP2 and RESP3), WRONGTYPE against a string key, long lists spanning many
//! chunks, and lists with a TTL.

use std::thread::sleep;
use std::time::Duration;

use redis::{Connection, cmd};
use redraft_tests::{Raw, Server, resp};

/// Sends one command given as words and asserts the exact reply.
fn check(raw: &mut Raw, args: &[&str], expected: &str) {
    let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    raw.roundtrip(&resp(&args), expected);
}

fn query<T: redis::FromRedisValue>(con: &mut Connection, args: &[&str]) -> T {
    let mut c = cmd(args[0]);
    for a in &args[1..] {
        c.arg(*a);
    }
    c.query(con).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

const WRONGTYPE: &str = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

#[test]
fn users_queue_and_list_flows() {
    let server = Server::start();
    let mut con = server.conn();
    let task = r#"{"task": "process_document", "id": 123}"#;
    let n: i64 = query(&mut con, &["LPUSH", "queue:tasks", task]);
    assert_eq!(n, 1);
    let n: i64 = query(&mut con, &["LPUSH", "queue:tasks", r#"{"task": "next"}"#]);
    assert_eq!(n, 2);
    let next: Option<String> = query(&mut con, &["RPOP", "queue:tasks"]);
    assert_eq!(next.as_deref(), Some(task));
    let next: Option<String> = query(&mut con, &["RPOP", "queue:tasks"]);
    assert_eq!(next.as_deref(), Some(r#"{"task": "next"}"#));
    let next: Option<String> = query(&mut con, &["RPOP", "queue:tasks"]);
    assert_eq!(next, None);
    let exists: i64 = query(&mut con, &["EXISTS", "queue:tasks"]);
    assert_eq!(exists, 0, "an emptied list is deleted");

    let _: i64 = query(&mut con, &["LPUSH", "mylist", "item1"]);
    let _: i64 = query(&mut con, &["LPUSH", "mylist", "item2"]);
    let all: Vec<String> = query(&mut con, &["LRANGE", "mylist", "0", "-1"]);
    assert_eq!(all, ["item2", "item1"]);
    let kind: String = query(&mut con, &["TYPE", "mylist"]);
    assert_eq!(kind, "list");
    let encoding: String = query(&mut con, &["OBJECT", "ENCODING", "mylist"]);
    assert_eq!(encoding, "quicklist");
}

#[test]
fn exact_replies() {
    let server = Server::start();
    let mut raw = server.raw();
    check(
        &mut raw,
        &["RPUSH", "l", "a", "b", "c", "a", "b", "c"],
        ":6\r\n",
    );
    check(&mut raw, &["LPOP", "l", "0"], "*0\r\n");
    check(&mut raw, &["LPOP", "nokey", "0"], "*-1\r\n");
    check(&mut raw, &["RPOP", "nokey", "2"], "*-1\r\n");
    check(&mut raw, &["LPOP", "nokey"], "$-1\r\n");
    check(
        &mut raw,
        &["LPOP", "l", "-1"],
        "-ERR value is out of range, must be positive\r\n",
    );
    check(
        &mut raw,
        &["LPOP", "l", "abc"],
        "-ERR value is out of range, must be positive\r\n",
    );
    check(
        &mut raw,
        &["LPOP", "l", "1", "2"],
        "-ERR wrong number of arguments for 'lpop' command\r\n",
    );
    check(&mut raw, &["LLEN", "l"], ":6\r\n");
    check(&mut raw, &["LLEN", "nokey"], ":0\r\n");
    check(
        &mut raw,
        &["LRANGE", "l", "1", "2"],
        "*2\r\n$1\r\nb\r\n$1\r\nc\r\n",
    );
    check(&mut raw, &["LRANGE", "nokey", "0", "-1"], "*0\r\n");
    check(
        &mut raw,
        &["LRANGE", "nokey", "a", "1"],
        "-ERR value is not an integer or out of range\r\n",
    );
    check(&mut raw, &["LINDEX", "l", "-1"], "$1\r\nc\r\n");
    check(&mut raw, &["LINDEX", "l", "6"], "$-1\r\n");
    check(&mut raw, &["LINDEX", "nokey", "abc"], "$-1\r\n");
    check(
        &mut raw,
        &["LINDEX", "l", "abc"],
        "-ERR value is not an integer or out of range\r\n",
    );
    check(
        &mut raw,
        &["LSET", "nokey", "0", "v"],
        "-ERR no such key\r\n",
    );
    check(
        &mut raw,
        &["LSET", "l", "100", "v"],
        "-ERR index out of range\r\n",
    );
    check(&mut raw, &["LSET", "l", "-6", "A"], "+OK\r\n");
    check(&mut raw, &["LPOS", "l", "b"], ":1\r\n");
    check(&mut raw, &["LPOS", "l", "zz"], "$-1\r\n");
    check(&mut raw, &["LPOS", "l", "zz", "COUNT", "0"], "*0\r\n");
    check(&mut raw, &["LPOS", "nokey", "a", "COUNT", "1"], "*0\r\n");
    check(
        &mut raw,
        &["LPOS", "l", "c", "COUNT", "0"],
        "*2\r\n:2\r\n:5\r\n",
    );
    check(&mut raw, &["LPOS", "l", "c", "RANK", "-1"], ":5\r\n");
    check(
        &mut raw,
        &["LPOS", "l", "c", "RANK", "0"],
        "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n",
    );
    check(
        &mut raw,
        &["LPOS", "l", "c", "COUNT", "-1"],
        "-ERR COUNT can't be negative\r\n",
    );
    check(
        &mut raw,
        &["LPOS", "l", "c", "MAXLEN", "-1"],
        "-ERR MAXLEN can't be negative\r\n",
    );
    check(
        &mut raw,
        &["LPOS", "l", "c", "FOO", "1"],
        "-ERR syntax error\r\n",
    );
    check(&mut raw, &["LINSERT", "l", "BEFORE", "zz", "x"], ":-1\r\n");
    check(
        &mut raw,
        &["LINSERT", "nokey", "BEFORE", "a", "x"],
        ":0\r\n",
    );
    check(&mut raw, &["LINSERT", "l", "AFTER", "A", "x"], ":7\r\n");
    check(
        &mut raw,
        &["LINSERT", "l", "NEAR", "A", "x"],
        "-ERR syntax error\r\n",
    );
    check(&mut raw, &["LREM", "l", "-1", "c"], ":1\r\n");
    check(&mut raw, &["LREM", "nokey", "0", "c"], ":0\r\n");
    check(&mut raw, &["LTRIM", "l", "1", "-1"], "+OK\r\n");
    check(&mut raw, &["LTRIM", "nokey", "1", "-1"], "+OK\r\n");
    check(
        &mut raw,
        &["LRANGE", "l", "0", "-1"],
        "*5\r\n$1\r\nx\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n",
    );
    check(
        &mut raw,
        &["LMOVE", "l", "m", "LEFT", "RIGHT"],
        "$1\r\nx\r\n",
    );
    check(
        &mut raw,
        &["LMOVE", "l", "m", "UP", "RIGHT"],
        "-ERR syntax error\r\n",
    );
    check(
        &mut raw,
        &["LMOVE", "nokey", "m", "LEFT", "LEFT"],
        "$-1\r\n",
    );
    check(&mut raw, &["RPOPLPUSH", "l", "m"], "$1\r\nb\r\n");
    check(
        &mut raw,
        &["LMPOP", "2", "nokey", "m", "LEFT", "COUNT", "10"],
        "*2\r\n$1\r\nm\r\n*2\r\n$1\r\nb\r\n$1\r\nx\r\n",
    );
    check(&mut raw, &["LMPOP", "1", "nokey", "LEFT"], "*-1\r\n");
    check(
        &mut raw,
        &["LMPOP", "0", "l", "LEFT"],
        "-ERR numkeys should be greater than 0\r\n",
    );
    check(
        &mut raw,
        &["LMPOP", "1", "l", "LEFT", "COUNT", "0"],
        "-ERR count should be greater than 0\r\n",
    );
    check(
        &mut raw,
        &["LMPOP", "2", "l", "LEFT"],
        "-ERR syntax error\r\n",
    );
    check(&mut raw, &["LPUSHX", "nokey", "a"], ":0\r\n");
    check(&mut raw, &["RPUSHX", "l", "z"], ":4\r\n");
    check(&mut raw, &["EXISTS", "m", "nokey"], ":0\r\n");
}

#[test]
fn resp3_nulls() {
    let server = Server::start();
    let mut raw = server.raw();
    raw.send(&resp(&[b"HELLO", b"3"]));
    // Skip the HELLO map: wait for it to arrive whole, then read it away.
    sleep(Duration::from_millis(100));
    let mut buf = [0u8; 4096];
    let _ = std::io::Read::read(&mut raw.stream, &mut buf);
    check(&mut raw, &["LPOP", "nokey"], "_\r\n");
    check(&mut raw, &["LPOP", "nokey", "1"], "_\r\n");
    check(&mut raw, &["LMPOP", "1", "nokey", "RIGHT"], "_\r\n");
    check(&mut raw, &["LPOS", "nokey", "a"], "_\r\n");
    check(&mut raw, &["RPUSH", "l", "a"], ":1\r\n");
    check(&mut raw, &["LPOP", "l", "5"], "*1\r\n$1\r\na\r\n");
}

#[test]
fn wrongtype_against_a_string() {
    let server = Server::start();
    let mut raw = server.raw();
    check(&mut raw, &["SET", "s", "text"], "+OK\r\n");
    check(&mut raw, &["RPUSH", "l", "a"], ":1\r\n");
    for args in [
        &["LPUSH", "s", "a"][..],
        &["RPUSH", "s", "a"],
        &["LPUSHX", "s", "a"],
        &["RPUSHX", "s", "a"],
        &["LPOP", "s"],
        &["RPOP", "s", "0"],
        &["LLEN", "s"],
        &["LRANGE", "s", "0", "-1"],
        &["LINDEX", "s", "0"],
        &["LSET", "s", "0", "x"],
        &["LREM", "s", "0", "x"],
        &["LTRIM", "s", "0", "1"],
        &["LINSERT", "s", "BEFORE", "a", "b"],
        &["LPOS", "s", "a"],
        &["LMOVE", "s", "l", "LEFT", "LEFT"],
        &["LMOVE", "l", "s", "LEFT", "LEFT"],
        &["RPOPLPUSH", "l", "s"],
        &["LMPOP", "2", "s", "l", "LEFT"],
    ] {
        check(&mut raw, args, WRONGTYPE);
    }
    check(&mut raw, &["GET", "s"], "$4\r\ntext\r\n");
    check(&mut raw, &["LRANGE", "l", "0", "-1"], "*1\r\n$1\r\na\r\n");
    check(&mut raw, &["GET", "l"], WRONGTYPE);
}

#[test]
fn long_lists_span_many_chunks() {
    let server = Server::start();
    let mut con = server.conn();
    let mut pipe = redis::pipe();
    for i in 0..20_000 {
        pipe.cmd("RPUSH")
            .arg("big")
            .arg(format!("element-{i:06}"))
            .ignore();
    }
    pipe.query::<()>(&mut con).expect("pipeline");
    let len: i64 = query(&mut con, &["LLEN", "big"]);
    assert_eq!(len, 20_000);
    let first: String = query(&mut con, &["LINDEX", "big", "0"]);
    let last: String = query(&mut con, &["LINDEX", "big", "-1"]);
    let middle: String = query(&mut con, &["LINDEX", "big", "12345"]);
    assert_eq!(
        (first.as_str(), last.as_str(), middle.as_str()),
        ("element-000000", "element-019999", "element-012345")
    );
    let tail: Vec<String> = query(&mut con, &["LRANGE", "big", "-3", "-1"]);
    assert_eq!(tail, ["element-019997", "element-019998", "element-019999"]);
    let all: Vec<String> = query(&mut con, &["LRANGE", "big", "0", "-1"]);
    assert_eq!(all.len(), 20_000);
    assert!(
        all.iter()
            .enumerate()
            .all(|(i, e)| *e == format!("element-{i:06}"))
    );
    let removed: i64 = query(&mut con, &["LREM", "big", "0", "element-010000"]);
    assert_eq!(removed, 1);
    let _: () = query(&mut con, &["LTRIM", "big", "100", "-101"]);
    let len: i64 = query(&mut con, &["LLEN", "big"]);
    assert_eq!(len, 19_799);
    let popped: Vec<String> = query(&mut con, &["RPOP", "big", "2"]);
    assert_eq!(popped, ["element-019899", "element-019898"]);
    let pos: i64 = query(&mut con, &["LPOS", "big", "element-015000"]);
    assert_eq!(pos, 14_899);
}

#[test]
fn lists_expire_like_any_key() {
    let server = Server::start();
    let mut raw = server.raw();
    check(&mut raw, &["RPUSH", "l", "a", "b"], ":2\r\n");
    check(&mut raw, &["PEXPIRE", "l", "100"], ":1\r\n");
    check(&mut raw, &["RPUSH", "l", "c"], ":3\r\n");
    sleep(Duration::from_millis(150));
    check(&mut raw, &["LLEN", "l"], ":0\r\n");
    check(&mut raw, &["LPUSHX", "l", "x"], ":0\r\n");
    check(&mut raw, &["RPUSH", "l", "x"], ":1\r\n");
    check(&mut raw, &["PTTL", "l"], ":-1\r\n");
}
