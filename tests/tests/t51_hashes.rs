//! The hash commands through the real binary: the users' flows (user records with HSET and
//! HGETALL, counters with HINCRBY) through the `redis` crate, replies byte for byte as Redis
//! 7.0 sends them in RESP2 and RESP3 (raw sockets), WRONGTYPE both ways, the compact and full
//! encodings, a complete HSCAN of a large hash, HRANDFIELD, and TTLs kept by hash writes.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::thread::sleep;
use std::time::Duration;

use redis::{Connection, cmd};
use redraft_tests::{Raw, Server, resp};

/// Sends one command given as words and asserts the exact reply.
fn check(raw: &mut Raw, args: &[&str], expected: &str) {
    let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    raw.roundtrip(&resp(&args), expected);
}

/// Switches a raw connection to RESP3, consuming HELLO's reply (a map ending with the empty
/// `modules` array).
fn resp3(raw: &mut Raw) {
    raw.send(&resp(&[b"HELLO", b"3"]));
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    while !got.ends_with(b"$7\r\nmodules\r\n*0\r\n") {
        let n = raw.stream.read(&mut buf).expect("HELLO 3 reply");
        assert!(n > 0, "connection closed during HELLO 3");
        got.extend_from_slice(&buf[..n]);
    }
}

fn query<T: redis::FromRedisValue>(con: &mut Connection, args: &[&str]) -> T {
    let mut c = cmd(args[0]);
    for a in &args[1..] {
        c.arg(*a);
    }
    c.query(con).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

fn query_err(con: &mut Connection, args: &[&str]) -> String {
    let mut c = cmd(args[0]);
    for a in &args[1..] {
        c.arg(*a);
    }
    match c.query::<redis::Value>(con) {
        Ok(v) => panic!("{args:?} answered {v:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn users_flows() {
    let server = Server::start();
    let mut con = server.conn();
    let added: i64 = query(&mut con, &["HSET", "user:1", "name", "Alice"]);
    assert_eq!(added, 1);
    let added: i64 = query(
        &mut con,
        &[
            "HSET",
            "user:1",
            "email",
            "alice@example.com",
            "age",
            "30",
            "name",
            "Alice B.",
        ],
    );
    assert_eq!(added, 2);
    let all: HashMap<String, String> = query(&mut con, &["HGETALL", "user:1"]);
    assert_eq!(
        all,
        HashMap::from([
            ("name".to_string(), "Alice B.".to_string()),
            ("email".to_string(), "alice@example.com".to_string()),
            ("age".to_string(), "30".to_string()),
        ])
    );
    let name: Option<String> = query(&mut con, &["HGET", "user:1", "name"]);
    assert_eq!(name.as_deref(), Some("Alice B."));
    let missing: Option<String> = query(&mut con, &["HGET", "user:1", "phone"]);
    assert_eq!(missing, None);
    let some: Vec<Option<String>> = query(&mut con, &["HMGET", "user:1", "age", "phone", "name"]);
    assert_eq!(
        some,
        vec![Some("30".to_string()), None, Some("Alice B.".to_string())]
    );
    let age: i64 = query(&mut con, &["HINCRBY", "user:1", "age", "1"]);
    assert_eq!(age, 31);

    for expected in 1..=3 {
        let clicks: i64 = query(&mut con, &["HINCRBY", "analytics:user:123", "clicks", "1"]);
        assert_eq!(clicks, expected);
    }
    let score: String = query(
        &mut con,
        &["HINCRBYFLOAT", "analytics:user:123", "score", "0.1"],
    );
    assert_eq!(score, "0.1");
    let score: String = query(
        &mut con,
        &["HINCRBYFLOAT", "analytics:user:123", "score", "0.2"],
    );
    assert_eq!(score, "0.3");

    let len: i64 = query(&mut con, &["HLEN", "user:1"]);
    assert_eq!(len, 3);
    let exists: bool = query(&mut con, &["HEXISTS", "user:1", "email"]);
    assert!(exists);
    let strlen: i64 = query(&mut con, &["HSTRLEN", "user:1", "email"]);
    assert_eq!(strlen, 17);
    let mut keys: Vec<String> = query(&mut con, &["HKEYS", "user:1"]);
    keys.sort();
    assert_eq!(keys, ["age", "email", "name"]);
    let mut vals: Vec<String> = query(&mut con, &["HVALS", "user:1"]);
    vals.sort();
    assert_eq!(vals, ["31", "Alice B.", "alice@example.com"]);
    let set: i64 = query(&mut con, &["HSETNX", "user:1", "name", "Bob"]);
    assert_eq!(set, 0);
    let ok: String = query(&mut con, &["HMSET", "user:2", "name", "Bob", "age", "25"]);
    assert_eq!(ok, "OK");
    let deleted: i64 = query(&mut con, &["HDEL", "user:2", "name", "age", "nope"]);
    assert_eq!(deleted, 2);
    let exists: i64 = query(&mut con, &["EXISTS", "user:2"]);
    assert_eq!(exists, 0);
    let kind: String = query(&mut con, &["TYPE", "user:1"]);
    assert_eq!(kind, "hash");
}

#[test]
fn wrongtype_both_ways() {
    let server = Server::start();
    let mut con = server.conn();
    let _: () = query(&mut con, &["SET", "s", "text"]);
    let _: i64 = query(&mut con, &["HSET", "h", "f", "v"]);
    let wrongtype = "Operation against a key holding the wrong kind of value";
    for args in [
        &["HSET", "s", "f", "v"][..],
        &["HGET", "s", "f"],
        &["HGETALL", "s"],
        &["HINCRBY", "s", "f", "1"],
        &["HSCAN", "s", "0"],
        &["HRANDFIELD", "s", "2"],
        &["GET", "h"],
        &["APPEND", "h", "x"],
        &["INCR", "h"],
    ] {
        assert!(
            query_err(&mut con, args).contains(wrongtype),
            "{args:?}: {}",
            query_err(&mut con, args)
        );
    }
    let mut raw = server.raw();
    check(
        &mut raw,
        &["HSET", "s", "f", "v"],
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    // The string is untouched, the hash too.
    let s: String = query(&mut con, &["GET", "s"]);
    assert_eq!(s, "text");
    let v: String = query(&mut con, &["HGET", "h", "f"]);
    assert_eq!(v, "v");
    // SET replaces a hash whatever its type.
    let _: () = query(&mut con, &["SET", "h", "now a string"]);
    let kind: String = query(&mut con, &["TYPE", "h"]);
    assert_eq!(kind, "string");
}

#[test]
fn error_texts() {
    let server = Server::start();
    let mut raw = server.raw();
    check(
        &mut raw,
        &["HSET", "h", "f", "v", "g"],
        "-ERR wrong number of arguments for 'hset' command\r\n",
    );
    check(
        &mut raw,
        &["HSET", "h", "f"],
        "-ERR wrong number of arguments for 'hset' command\r\n",
    );
    check(
        &mut raw,
        &["HMSET", "h", "f", "v", "g"],
        "-ERR wrong number of arguments for 'hmset' command\r\n",
    );
    check(&mut raw, &["EXISTS", "h"], ":0\r\n");
    check(
        &mut raw,
        &["HSET", "h", "word", "abc", "max", "9223372036854775807"],
        ":2\r\n",
    );
    check(
        &mut raw,
        &["HINCRBY", "h", "word", "1"],
        "-ERR hash value is not an integer\r\n",
    );
    check(
        &mut raw,
        &["HINCRBY", "h", "max", "1"],
        "-ERR increment or decrement would overflow\r\n",
    );
    check(
        &mut raw,
        &["HINCRBY", "h", "max", "1.5"],
        "-ERR value is not an integer or out of range\r\n",
    );
    check(
        &mut raw,
        &["HINCRBYFLOAT", "h", "word", "1"],
        "-ERR hash value is not a float\r\n",
    );
    check(
        &mut raw,
        &["HINCRBYFLOAT", "h", "x", "abc"],
        "-ERR value is not a valid float\r\n",
    );
    check(
        &mut raw,
        &["HINCRBYFLOAT", "h", "x", "inf"],
        "-ERR value is NaN or Infinity\r\n",
    );
    check(&mut raw, &["HSET", "h", "huge", "1e4932"], ":1\r\n");
    check(
        &mut raw,
        &["HINCRBYFLOAT", "h", "huge", "1e4932"],
        "-ERR increment would produce NaN or Infinity\r\n",
    );
    check(
        &mut raw,
        &["HINCRBYFLOAT", "h", "max", "1"],
        "$19\r\n9223372036854775808\r\n",
    );
    check(
        &mut raw,
        &["HRANDFIELD", "h", "1", "x"],
        "-ERR syntax error\r\n",
    );
    check(
        &mut raw,
        &["HRANDFIELD", "h", "x"],
        "-ERR value is not an integer or out of range\r\n",
    );
    check(
        &mut raw,
        &["HRANDFIELD", "h", "-9223372036854775808"],
        "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n",
    );
    check(
        &mut raw,
        &["HRANDFIELD", "h", "9223372036854775807", "WITHVALUES"],
        "-ERR value is out of range\r\n",
    );
    check(&mut raw, &["HSCAN", "h", "x"], "-ERR invalid cursor\r\n");
    check(
        &mut raw,
        &["HSCAN", "h", "0", "COUNT", "0"],
        "-ERR syntax error\r\n",
    );
    check(
        &mut raw,
        &["HSCAN", "h", "0", "TYPE", "hash"],
        "-ERR syntax error\r\n",
    );
    // A missing key answers an empty scan before the options are looked at.
    check(
        &mut raw,
        &["HSCAN", "nokey", "0", "COUNT", "0"],
        "*2\r\n$1\r\n0\r\n*0\r\n",
    );
    check(
        &mut raw,
        &["HGET", "h"],
        "-ERR wrong number of arguments for 'hget' command\r\n",
    );
}

#[test]
fn exact_replies_resp2_and_resp3() {
    let server = Server::start();
    let mut raw = server.raw();
    check(&mut raw, &["HSET", "h", "a", "1", "b", "2"], ":2\r\n");
    check(
        &mut raw,
        &["HGETALL", "h"],
        "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n",
    );
    check(&mut raw, &["HGETALL", "nokey"], "*0\r\n");
    check(&mut raw, &["HGET", "h", "x"], "$-1\r\n");
    check(
        &mut raw,
        &["HMGET", "h", "a", "x"],
        "*2\r\n$1\r\n1\r\n$-1\r\n",
    );
    check(&mut raw, &["HRANDFIELD", "nokey"], "$-1\r\n");
    check(
        &mut raw,
        &["HRANDFIELD", "nokey", "3", "WITHVALUES"],
        "*0\r\n",
    );
    check(
        &mut raw,
        &["HSCAN", "h", "0"],
        "*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n",
    );
    check(&mut raw, &["HDEL", "h", "b"], ":1\r\n");
    check(
        &mut raw,
        &["HRANDFIELD", "h", "5", "WITHVALUES"],
        "*2\r\n$1\r\na\r\n$1\r\n1\r\n",
    );
    check(
        &mut raw,
        &["HRANDFIELD", "h", "-2"],
        "*2\r\n$1\r\na\r\n$1\r\na\r\n",
    );

    resp3(&mut raw);
    check(&mut raw, &["HGETALL", "h"], "%1\r\n$1\r\na\r\n$1\r\n1\r\n");
    check(&mut raw, &["HGETALL", "nokey"], "%0\r\n");
    check(&mut raw, &["HGET", "h", "x"], "_\r\n");
    check(&mut raw, &["HMGET", "h", "x"], "*1\r\n_\r\n");
    check(&mut raw, &["HRANDFIELD", "nokey"], "_\r\n");
    check(
        &mut raw,
        &["HRANDFIELD", "h", "5", "WITHVALUES"],
        "*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n",
    );
    check(
        &mut raw,
        &["HRANDFIELD", "h", "-2", "WITHVALUES"],
        "*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n",
    );
    check(
        &mut raw,
        &["HRANDFIELD", "h", "-2"],
        "*2\r\n$1\r\na\r\n$1\r\na\r\n",
    );
    check(
        &mut raw,
        &["HINCRBYFLOAT", "h", "a", "1.5"],
        "$3\r\n2.5\r\n",
    );
    check(&mut raw, &["HEXISTS", "h", "a"], ":1\r\n");
}

#[test]
fn encodings() {
    let server = Server::start();
    let mut con = server.conn();
    let encoding =
        |con: &mut Connection, key: &str| -> String { query(con, &["OBJECT", "ENCODING", key]) };
    let _: i64 = query(&mut con, &["HSET", "small", "f", &"v".repeat(64)]);
    assert_eq!(encoding(&mut con, "small"), "listpack");
    let _: i64 = query(&mut con, &["HSET", "small", "g", &"v".repeat(65)]);
    assert_eq!(encoding(&mut con, "small"), "hashtable");

    let mut args = vec!["HSET".to_string(), "many".to_string()];
    for i in 0..128 {
        args.push(format!("field:{i}"));
        args.push(i.to_string());
    }
    let args_ref: Vec<&str> = args.iter().map(String::as_str).collect();
    let added: i64 = query(&mut con, &args_ref);
    assert_eq!(added, 128);
    assert_eq!(encoding(&mut con, "many"), "listpack");
    let _: i64 = query(&mut con, &["HSET", "many", "one more", "x"]);
    assert_eq!(encoding(&mut con, "many"), "hashtable");
    let len: i64 = query(&mut con, &["HLEN", "many"]);
    assert_eq!(len, 129);
    // Back to compact only by starting over.
    let _: i64 = query(&mut con, &["DEL", "many"]);
    let _: i64 = query(&mut con, &["HSET", "many", "f", "v"]);
    assert_eq!(encoding(&mut con, "many"), "listpack");
}

#[test]
fn hscan_of_a_large_hash_and_hrandfield() {
    let server = Server::start();
    let mut con = server.conn();
    let mut pipe = redis::pipe();
    for i in 0..1000 {
        pipe.cmd("HSET")
            .arg("big")
            .arg(format!("field:{i}"))
            .arg(format!("value:{i}"))
            .ignore();
    }
    let _: () = pipe.query(&mut con).expect("pipeline");
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut cursor = "0".to_string();
    let mut calls = 0;
    loop {
        let (next, items): (String, Vec<String>) = query(&mut con, &["HSCAN", "big", &cursor]);
        calls += 1;
        for pair in items.chunks(2) {
            assert!(
                seen.insert(pair[0].clone(), pair[1].clone()).is_none(),
                "{} twice",
                pair[0]
            );
        }
        cursor = next;
        if cursor == "0" {
            break;
        }
    }
    assert_eq!(seen.len(), 1000);
    assert!(seen.iter().all(|(f, v)| f[6..] == v[6..]));
    assert!(calls >= 50, "{calls} calls with COUNT 10");

    let mut matched = HashSet::new();
    let mut cursor = "0".to_string();
    loop {
        let (next, items): (String, Vec<String>) = query(
            &mut con,
            &[
                "HSCAN",
                "big",
                &cursor,
                "MATCH",
                "field:99*",
                "COUNT",
                "100",
            ],
        );
        for pair in items.chunks(2) {
            matched.insert(pair[0].clone());
        }
        cursor = next;
        if cursor == "0" {
            break;
        }
    }
    assert_eq!(matched.len(), 11);

    let some: Vec<String> = query(&mut con, &["HRANDFIELD", "big", "10"]);
    assert_eq!(some.iter().collect::<HashSet<_>>().len(), 10);
    assert!(some.iter().all(|f| seen.contains_key(f)));
    let repeated: Vec<String> = query(&mut con, &["HRANDFIELD", "big", "-2000"]);
    assert_eq!(repeated.len(), 2000);
    let pairs: Vec<String> = query(&mut con, &["HRANDFIELD", "big", "3", "WITHVALUES"]);
    assert_eq!(pairs.len(), 6);
    for pair in pairs.chunks(2) {
        assert_eq!(seen.get(&pair[0]), Some(&pair[1]));
    }
    let one: String = query(&mut con, &["HRANDFIELD", "big"]);
    assert!(seen.contains_key(&one));
    let all: Vec<String> = query(&mut con, &["HRANDFIELD", "big", "5000"]);
    assert_eq!(all.len(), 1000);
}

#[test]
fn hash_writes_keep_the_ttl() {
    let server = Server::start();
    let mut con = server.conn();
    let _: i64 = query(&mut con, &["HSET", "session", "user", "1"]);
    let _: i64 = query(&mut con, &["PEXPIRE", "session", "300"]);
    let _: i64 = query(&mut con, &["HSET", "session", "seen", "now"]);
    let _: i64 = query(&mut con, &["HINCRBY", "session", "hits", "1"]);
    let ttl: i64 = query(&mut con, &["PTTL", "session"]);
    assert!(ttl > 0 && ttl <= 300, "{ttl}");
    sleep(Duration::from_millis(400));
    let len: i64 = query(&mut con, &["HLEN", "session"]);
    assert_eq!(len, 0);
    let added: i64 = query(&mut con, &["HSET", "session", "user", "2"]);
    assert_eq!(added, 1);
    let ttl: i64 = query(&mut con, &["PTTL", "session"]);
    assert_eq!(ttl, -1);
}
