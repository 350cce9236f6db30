//! Sorted sets through the real binary: the users' leaderboard flow with the `redis` crate,
//! replies byte for byte in RESP2 and RESP3 (raw sockets), WRONGTYPE, encodings and their
//! conversion, the STORE commands, ZSCAN over a large set, and expiry.

use std::thread::sleep;
use std::time::Duration;

use redis::Connection;
use redraft_tests::{Raw, Server, resp};

/// Sends one command given as words and asserts the exact reply.
fn check(raw: &mut Raw, args: &[&str], expected: &str) {
    let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    raw.roundtrip(&resp(&args), expected);
}

/// Switches a raw connection to RESP3, reading HELLO's whole reply (it ends with the empty
/// `modules` array).
fn resp3(raw: &mut Raw) {
    raw.send(&resp(&[b"HELLO", b"3"]));
    let mut got = String::new();
    while !got.ends_with("$7\r\nmodules\r\n*0\r\n") {
        let byte = raw.read_n(1);
        assert!(!byte.is_empty(), "HELLO 3 reply cut short: {got:?}");
        got.push_str(&byte);
    }
}

fn zrange_withscores(con: &mut Connection, key: &str) -> Vec<String> {
    redis::cmd("ZRANGE")
        .arg(key)
        .arg(0)
        .arg(-1)
        .arg("WITHSCORES")
        .query(con)
        .unwrap()
}

#[test]
fn leaderboard_flow() {
    let server = Server::start();
    let mut con = server.conn();
    let added: i64 = redis::cmd("ZADD")
        .arg("leaderboard")
        .arg(100)
        .arg("player1")
        .query(&mut con)
        .unwrap();
    assert_eq!(added, 1);
    assert_eq!(
        zrange_withscores(&mut con, "leaderboard"),
        vec!["player1", "100"]
    );
    let added: i64 = redis::cmd("ZADD")
        .arg("leaderboard")
        .arg(250)
        .arg("player2")
        .arg(75)
        .arg("player3")
        .query(&mut con)
        .unwrap();
    assert_eq!(added, 2);
    let score: f64 = redis::cmd("ZINCRBY")
        .arg("leaderboard")
        .arg(200)
        .arg("player1")
        .query(&mut con)
        .unwrap();
    assert_eq!(score, 300.0);
    let top: Vec<(String, f64)> = redis::cmd("ZREVRANGE")
        .arg("leaderboard")
        .arg(0)
        .arg(1)
        .arg("WITHSCORES")
        .query(&mut con)
        .unwrap();
    assert_eq!(
        top,
        vec![
            ("player1".to_string(), 300.0),
            ("player2".to_string(), 250.0)
        ]
    );
    let rank: Option<i64> = redis::cmd("ZREVRANK")
        .arg("leaderboard")
        .arg("player3")
        .query(&mut con)
        .unwrap();
    assert_eq!(rank, Some(2));
    let score: Option<f64> = redis::cmd("ZSCORE")
        .arg("leaderboard")
        .arg("player2")
        .query(&mut con)
        .unwrap();
    assert_eq!(score, Some(250.0));
    let missing: Option<f64> = redis::cmd("ZSCORE")
        .arg("leaderboard")
        .arg("nobody")
        .query(&mut con)
        .unwrap();
    assert_eq!(missing, None);
    let card: i64 = redis::cmd("ZCARD")
        .arg("leaderboard")
        .query(&mut con)
        .unwrap();
    assert_eq!(card, 3);
    let between: Vec<String> = redis::cmd("ZRANGEBYSCORE")
        .arg("leaderboard")
        .arg("(75")
        .arg("+inf")
        .query(&mut con)
        .unwrap();
    assert_eq!(between, vec!["player2", "player1"]);
}

#[test]
fn wrongtype_both_ways() {
    let server = Server::start();
    let mut raw = server.raw();
    let wrongtype = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
    check(&mut raw, &["SET", "s", "v"], "+OK\r\n");
    for cmd in [
        &["ZADD", "s", "1", "a"][..],
        &["ZINCRBY", "s", "1", "a"],
        &["ZRANGE", "s", "0", "-1"],
        &["ZSCORE", "s", "a"],
        &["ZCARD", "s"],
        &["ZPOPMIN", "s"],
        &["ZUNIONSTORE", "d", "1", "s"],
        &["ZSCAN", "s", "0"],
    ] {
        check(&mut raw, cmd, wrongtype);
    }
    check(&mut raw, &["ZADD", "z", "1", "a"], ":1\r\n");
    check(&mut raw, &["GET", "z"], wrongtype);
    check(&mut raw, &["TYPE", "z"], "+zset\r\n");
    // Argument errors come first.
    check(
        &mut raw,
        &["ZADD", "s", "x", "a"],
        "-ERR value is not a valid float\r\n",
    );
}

#[test]
fn replies_in_resp2_and_resp3() {
    let server = Server::start();
    let mut r2 = server.raw();
    let mut r3 = server.raw();
    resp3(&mut r3);
    check(
        &mut r2,
        &["ZADD", "z", "0.1", "c", "1", "a", "2.5", "b"],
        ":3\r\n",
    );
    check(
        &mut r2,
        &["ZRANGE", "z", "0", "-1", "WITHSCORES"],
        "*6\r\n$1\r\nc\r\n$19\r\n0.10000000000000001\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2.5\r\n",
    );
    check(
        &mut r3,
        &["ZRANGE", "z", "0", "-1", "WITHSCORES"],
        "*3\r\n*2\r\n$1\r\nc\r\n,0.10000000000000001\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n",
    );
    check(&mut r2, &["ZSCORE", "z", "b"], "$3\r\n2.5\r\n");
    check(&mut r3, &["ZSCORE", "z", "b"], ",2.5\r\n");
    check(&mut r3, &["ZSCORE", "z", "x"], "_\r\n");
    check(&mut r2, &["ZADD", "big", "1e20", "m"], ":1\r\n");
    check(&mut r2, &["ZSCORE", "big", "m"], "$5\r\n1e+20\r\n");
    check(&mut r3, &["ZINCRBY", "big", "-inf", "m"], ",-inf\r\n");
    check(
        &mut r3,
        &["ZUNION", "1", "z", "WITHSCORES"],
        "*3\r\n*2\r\n$1\r\nc\r\n,0.10000000000000001\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n",
    );
    check(
        &mut r3,
        &["ZPOPMIN", "z"],
        "*2\r\n$1\r\nc\r\n,0.10000000000000001\r\n",
    );
    check(
        &mut r3,
        &["ZPOPMIN", "z", "1"],
        "*1\r\n*2\r\n$1\r\na\r\n,1\r\n",
    );
    check(
        &mut r2,
        &["ZPOPMIN", "z", "1"],
        "*2\r\n$1\r\nb\r\n$3\r\n2.5\r\n",
    );
    check(&mut r2, &["ZPOPMIN", "z", "1"], "*0\r\n");
    check(&mut r2, &["ZADD", "one", "7", "only"], ":1\r\n");
    check(
        &mut r3,
        &["ZRANDMEMBER", "one", "-2", "WITHSCORES"],
        "*2\r\n*2\r\n$4\r\nonly\r\n,7\r\n*2\r\n$4\r\nonly\r\n,7\r\n",
    );
    check(
        &mut r2,
        &["ZRANDMEMBER", "one", "1", "WITHSCORES"],
        "*2\r\n$4\r\nonly\r\n$1\r\n7\r\n",
    );
    check(
        &mut r2,
        &["ZMPOP", "2", "nokey", "one", "MIN"],
        "*2\r\n$3\r\none\r\n*1\r\n*2\r\n$4\r\nonly\r\n$1\r\n7\r\n",
    );
    check(&mut r2, &["ZMPOP", "1", "one", "MIN"], "*-1\r\n");
    check(&mut r3, &["ZMPOP", "1", "one", "MIN"], "_\r\n");
    check(
        &mut r2,
        &["ZADD", "z", "INCR", "NX", "1", "n"],
        "$1\r\n1\r\n",
    );
    check(&mut r2, &["ZADD", "z", "INCR", "NX", "1", "n"], "$-1\r\n");
    check(&mut r3, &["ZADD", "z", "INCR", "NX", "1", "n"], "_\r\n");
}

#[test]
fn argument_errors() {
    let server = Server::start();
    let mut raw = server.raw();
    check(&mut raw, &["ZADD", "z", "1", "a", "2", "b"], ":2\r\n");
    for (cmd, reply) in [
        (
            &["ZADD", "z", "NX", "XX", "1", "a"][..],
            "-ERR XX and NX options at the same time are not compatible\r\n",
        ),
        (
            &["ZADD", "z", "GT", "LT", "1", "a"],
            "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n",
        ),
        (
            &["ZADD", "z", "INCR", "1", "a", "2", "b"],
            "-ERR INCR option supports a single increment-element pair\r\n",
        ),
        (
            &["ZADD", "z", "nan", "a"],
            "-ERR value is not a valid float\r\n",
        ),
        (
            &["ZRANGE", "z", "0", "-1", "LIMIT", "0", "1"],
            "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n",
        ),
        (
            &["ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"],
            "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n",
        ),
        (
            &["ZRANGEBYSCORE", "z", "x", "1"],
            "-ERR min or max is not a float\r\n",
        ),
        (
            &["ZRANGEBYLEX", "z", "a", "+"],
            "-ERR min or max not valid string range item\r\n",
        ),
        (
            &["ZUNIONSTORE", "d", "0", "z"],
            "-ERR at least 1 input key is needed for 'zunionstore' command\r\n",
        ),
        (
            &["ZINTERCARD", "1", "z", "LIMIT", "-1"],
            "-ERR LIMIT can't be negative\r\n",
        ),
        (
            &["ZPOPMIN", "z", "-1"],
            "-ERR value is out of range, must be positive\r\n",
        ),
        (
            &["ZMPOP", "0", "z", "MIN"],
            "-ERR numkeys should be greater than 0\r\n",
        ),
        (
            &["ZINCRBY", "z", "1"],
            "-ERR wrong number of arguments for 'zincrby' command\r\n",
        ),
    ] {
        check(&mut raw, cmd, reply);
    }
    check(&mut raw, &["ZADD", "z", "inf", "i"], ":1\r\n");
    check(
        &mut raw,
        &["ZINCRBY", "z", "-inf", "i"],
        "-ERR resulting score is not a number (NaN)\r\n",
    );
    check(&mut raw, &["ZCARD", "z"], ":3\r\n");
}

#[test]
fn encodings_stores_and_scan() {
    let server = Server::start();
    let mut con = server.conn();
    let mut raw = server.raw();
    let mut add = redis::cmd("ZADD");
    add.arg("big");
    for i in 0..128 {
        add.arg(i).arg(format!("m{i:04}"));
    }
    let n: i64 = add.query(&mut con).unwrap();
    assert_eq!(n, 128);
    check(
        &mut raw,
        &["OBJECT", "ENCODING", "big"],
        "$8\r\nlistpack\r\n",
    );
    check(&mut raw, &["ZADD", "big", "128", "m0128"], ":1\r\n");
    check(
        &mut raw,
        &["OBJECT", "ENCODING", "big"],
        "$8\r\nskiplist\r\n",
    );
    let mut add = redis::cmd("ZADD");
    add.arg("big");
    for i in 129..1000 {
        add.arg(i).arg(format!("m{i:04}"));
    }
    let n: i64 = add.query(&mut con).unwrap();
    assert_eq!(n, 871);
    check(&mut raw, &["ZRANK", "big", "m0500"], ":500\r\n");
    check(&mut raw, &["ZREVRANK", "big", "m0500"], ":499\r\n");
    check(&mut raw, &["ZCOUNT", "big", "(100", "200"], ":100\r\n");
    check(
        &mut raw,
        &[
            "ZRANGE", "big", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "2", "2",
        ],
        "*2\r\n$5\r\nm0997\r\n$5\r\nm0996\r\n",
    );
    check(
        &mut raw,
        &["ZRANGESTORE", "small", "big", "10", "14"],
        ":5\r\n",
    );
    check(
        &mut raw,
        &["OBJECT", "ENCODING", "small"],
        "$8\r\nlistpack\r\n",
    );
    check(
        &mut raw,
        &["ZUNIONSTORE", "u", "2", "small", "big", "WEIGHTS", "2", "1"],
        ":1000\r\n",
    );
    check(&mut raw, &["ZSCORE", "u", "m0012"], "$2\r\n36\r\n");
    check(
        &mut raw,
        &["ZINTERSTORE", "i", "2", "small", "big"],
        ":5\r\n",
    );
    check(&mut raw, &["OBJECT", "ENCODING", "i"], "$8\r\nlistpack\r\n");
    check(&mut raw, &["ZDIFFSTORE", "d", "2", "big", "u"], ":0\r\n");
    check(&mut raw, &["EXISTS", "d"], ":0\r\n");

    // A full ZSCAN of the skiplist returns every member once.
    let mut seen = std::collections::BTreeMap::new();
    let mut cursor = 0u64;
    let mut calls = 0;
    loop {
        let (next, page): (u64, Vec<(String, String)>) = redis::cmd("ZSCAN")
            .arg("big")
            .arg(cursor)
            .arg("COUNT")
            .arg(50)
            .query(&mut con)
            .unwrap();
        calls += 1;
        for (m, s) in page {
            assert!(seen.insert(m, s).is_none(), "member returned twice");
        }
        if next == 0 {
            break;
        }
        cursor = next;
    }
    assert!(calls > 5);
    assert_eq!(seen.len(), 1000);
    assert_eq!(seen["m0042"], "42");

    // Emptying a set deletes its key.
    check(
        &mut raw,
        &["ZREMRANGEBYRANK", "big", "0", "-1"],
        ":1000\r\n",
    );
    check(&mut raw, &["EXISTS", "big"], ":0\r\n");
}

#[test]
fn expiry_and_recreation() {
    let server = Server::start();
    let mut raw = server.raw();
    check(&mut raw, &["ZADD", "t", "1", "a"], ":1\r\n");
    check(&mut raw, &["PEXPIRE", "t", "100"], ":1\r\n");
    // Changing the set keeps its TTL.
    check(&mut raw, &["ZADD", "t", "2", "b"], ":1\r\n");
    sleep(Duration::from_millis(150));
    check(&mut raw, &["ZCARD", "t"], ":0\r\n");
    check(&mut raw, &["ZADD", "t", "XX", "1", "a"], ":0\r\n");
    check(&mut raw, &["ZADD", "t", "5", "c"], ":1\r\n");
    check(&mut raw, &["ZRANGE", "t", "0", "-1"], "*1\r\n$1\r\nc\r\n");
    check(&mut raw, &["PTTL", "t"], ":-1\r\n");
}

/// ZUNION, ZINTER, ZDIFF and their STORE forms take plain sets too, each member scoring 1
/// (replies recorded from redis-server 7.0.15).
#[test]
fn plain_sets_as_inputs() {
    let server = Server::start();
    let mut con = server.conn();
    let q = |con: &mut Connection, args: &[&str]| -> Vec<String> {
        let mut cmd = redis::cmd(args[0]);
        for a in &args[1..] {
            cmd.arg(*a);
        }
        cmd.query(con).expect("reply")
    };
    let _: i64 = redis::cmd("SADD")
        .arg(&["s", "1", "2", "b"])
        .query(&mut con)
        .unwrap();
    let _: i64 = redis::cmd("ZADD")
        .arg(&["z", "5", "b", "1", "x"])
        .query(&mut con)
        .unwrap();
    assert_eq!(
        q(&mut con, &["ZUNION", "2", "s", "z", "WITHSCORES"]),
        ["1", "1", "2", "1", "x", "1", "b", "6"]
    );
    assert_eq!(
        q(
            &mut con,
            &["ZINTER", "2", "s", "z", "WEIGHTS", "2", "3", "WITHSCORES"]
        ),
        ["b", "17"]
    );
    assert_eq!(q(&mut con, &["ZDIFF", "2", "s", "z"]), ["1", "2"]);
    let stored: i64 = redis::cmd("ZUNIONSTORE")
        .arg(&["d", "2", "s", "z", "AGGREGATE", "MAX"])
        .query(&mut con)
        .unwrap();
    assert_eq!(stored, 4);
    assert_eq!(
        zrange_withscores(&mut con, "d"),
        ["1", "1", "2", "1", "x", "1", "b", "5"]
    );
    let card: i64 = redis::cmd("ZINTERCARD")
        .arg(&["2", "s", "z"])
        .query(&mut con)
        .unwrap();
    assert_eq!(card, 1);
}
