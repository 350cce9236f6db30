//! The set commands through the real binary: the users' flow with the `redis` crate, replies
//! byte for byte as Redis 7.0.15 sends them in RESP2 and RESP3 (recorded from a real
//! redis-server), WRONGTYPE and argument errors, the intset/hashtable encodings, and SSCAN
//! cursors over a changing set.

use std::collections::HashSet;
use std::io::Read;

use redis::{Connection, RedisResult};
use redraft_tests::{Raw, Server, resp};

/// Sends one command given as words and asserts the exact reply.
fn check(raw: &mut Raw, args: &[&str], expected: &str) {
    let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    raw.roundtrip(&resp(&args), expected);
}

/// Switches a raw connection to RESP3 and reads past HELLO's reply (up to a PING's `+PONG`).
fn hello3(raw: &mut Raw) {
    raw.send(&resp(&[b"HELLO", b"3"]));
    raw.send(&resp(&[b"PING"]));
    let mut got = Vec::new();
    let mut byte = [0u8; 1];
    while !got.ends_with(b"+PONG\r\n") {
        match raw.stream.read(&mut byte) {
            Ok(1) => got.push(byte[0]),
            _ => panic!("no PONG after HELLO 3: {:?}", String::from_utf8_lossy(&got)),
        }
    }
}

fn cmd<T: redis::FromRedisValue>(con: &mut Connection, args: &[&str]) -> RedisResult<T> {
    let mut c = redis::cmd(args[0]);
    for a in &args[1..] {
        c.arg(*a);
    }
    c.query(con)
}

fn int(con: &mut Connection, args: &[&str]) -> i64 {
    cmd(con, args).unwrap()
}

fn members(con: &mut Connection, args: &[&str]) -> HashSet<String> {
    cmd(con, args).unwrap()
}

fn encoding(con: &mut Connection, key: &str) -> String {
    cmd(con, &["OBJECT", "ENCODING", key]).unwrap()
}

#[test]
fn users_flow() {
    let server = Server::start();
    let mut con = server.conn();
    assert_eq!(int(&mut con, &["SADD", "myset", "member1"]), 1);
    assert_eq!(int(&mut con, &["SADD", "myset", "member2"]), 1);
    assert_eq!(int(&mut con, &["SADD", "myset", "member1"]), 0);
    let all = members(&mut con, &["SMEMBERS", "myset"]);
    assert_eq!(
        all,
        HashSet::from(["member1".to_string(), "member2".to_string()])
    );
    assert_eq!(int(&mut con, &["SCARD", "myset"]), 2);
    assert_eq!(int(&mut con, &["SISMEMBER", "myset", "member2"]), 1);
    let flags: Vec<i64> = cmd(&mut con, &["SMISMEMBER", "myset", "member1", "x"]).unwrap();
    assert_eq!(flags, [1, 0]);
    assert_eq!(int(&mut con, &["SREM", "myset", "member1", "member2"]), 2);
    assert_eq!(int(&mut con, &["EXISTS", "myset"]), 0);
    assert!(members(&mut con, &["SMEMBERS", "myset"]).is_empty());
}

#[test]
fn wrongtype_against_a_string() {
    let server = Server::start();
    let mut con = server.conn();
    let () = cmd(&mut con, &["SET", "greeting", "hello"]).unwrap();
    for args in [
        &["SADD", "greeting", "a"][..],
        &["SMEMBERS", "greeting"],
        &["SCARD", "greeting"],
        &["SPOP", "greeting"],
        &["SINTER", "missing", "greeting"],
    ] {
        let err = cmd::<redis::Value>(&mut con, args).unwrap_err();
        assert_eq!(err.code(), Some("WRONGTYPE"), "{args:?}: {err}");
    }
    // The string is untouched.
    let value: String = cmd(&mut con, &["GET", "greeting"]).unwrap();
    assert_eq!(value, "hello");
    // A *STORE destination of another type is replaced.
    assert_eq!(int(&mut con, &["SADD", "s", "1"]), 1);
    assert_eq!(int(&mut con, &["SUNIONSTORE", "greeting", "s"]), 1);
    let kind: String = cmd(&mut con, &["TYPE", "greeting"]).unwrap();
    assert_eq!(kind, "set");
}

#[test]
fn errors_byte_for_byte() {
    let server = Server::start();
    let mut raw = server.raw();
    check(&mut raw, &["set", "str", "v"], "+OK\r\n");
    check(
        &mut raw,
        &["sadd", "str", "a"],
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    check(
        &mut raw,
        &["smembers", "str"],
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    check(
        &mut raw,
        &["sinter", "nokey", "str"],
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    check(
        &mut raw,
        &["sdiff", "nokey", "str"],
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    check(
        &mut raw,
        &["sintercard", "2", "nokey", "str"],
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    check(&mut raw, &["smove", "nokey", "str", "a"], ":0\r\n");
    check(
        &mut raw,
        &["smove", "str", "nokey", "a"],
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    check(
        &mut raw,
        &["spop", "str", "0"],
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    check(
        &mut raw,
        &["srandmember", "str", "0"],
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    check(
        &mut raw,
        &["sscan", "str", "0", "foo"],
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    check(&mut raw, &["sscan", "str", "x"], "-ERR invalid cursor\r\n");
    check(
        &mut raw,
        &["spop", "s", "-1"],
        "-ERR value is out of range, must be positive\r\n",
    );
    check(
        &mut raw,
        &["spop", "s", "x"],
        "-ERR value is out of range, must be positive\r\n",
    );
    check(&mut raw, &["spop", "s", "1", "2"], "-ERR syntax error\r\n");
    check(
        &mut raw,
        &["srandmember", "s", "x"],
        "-ERR value is not an integer or out of range\r\n",
    );
    check(
        &mut raw,
        &["srandmember", "s", "-9223372036854775808"],
        "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n",
    );
    check(
        &mut raw,
        &["srandmember", "s", "1", "2"],
        "-ERR syntax error\r\n",
    );
    check(
        &mut raw,
        &["sintercard", "0", "s"],
        "-ERR numkeys should be greater than 0\r\n",
    );
    check(
        &mut raw,
        &["sintercard", "x", "s"],
        "-ERR numkeys should be greater than 0\r\n",
    );
    check(
        &mut raw,
        &["sintercard", "3", "s", "t"],
        "-ERR Number of keys can't be greater than number of args\r\n",
    );
    check(
        &mut raw,
        &["sintercard", "1", "s", "limit", "-1"],
        "-ERR LIMIT can't be negative\r\n",
    );
    check(
        &mut raw,
        &["sintercard", "1", "s", "limit"],
        "-ERR syntax error\r\n",
    );
    check(
        &mut raw,
        &["sintercard", "1", "s", "t"],
        "-ERR syntax error\r\n",
    );
    check(
        &mut raw,
        &["sscan", "s", "0", "count", "0"],
        "*2\r\n$1\r\n0\r\n*0\r\n",
    );
    check(
        &mut raw,
        &["sscan", "s", "0", "count", "x"],
        "*2\r\n$1\r\n0\r\n*0\r\n",
    );
    check(
        &mut raw,
        &["sscan", "s", "0", "type", "string"],
        "*2\r\n$1\r\n0\r\n*0\r\n",
    );
    check(
        &mut raw,
        &["sscan", "s", "0", "match"],
        "*2\r\n$1\r\n0\r\n*0\r\n",
    );
    check(
        &mut raw,
        &["sadd", "s"],
        "-ERR wrong number of arguments for 'sadd' command\r\n",
    );
    check(
        &mut raw,
        &["spop"],
        "-ERR wrong number of arguments for 'spop' command\r\n",
    );
    check(
        &mut raw,
        &["sinterstore", "dst"],
        "-ERR wrong number of arguments for 'sinterstore' command\r\n",
    );
}

#[test]
fn replies_byte_for_byte_resp2() {
    let server = Server::start();
    let mut raw = server.raw();
    check(
        &mut raw,
        &["sadd", "s", "3", "1", "2", "-7", "70000"],
        ":5\r\n",
    );
    check(
        &mut raw,
        &["smembers", "s"],
        "*5\r\n$2\r\n-7\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$5\r\n70000\r\n",
    );
    check(&mut raw, &["sadd", "s", "2", "4"], ":1\r\n");
    check(&mut raw, &["scard", "s"], ":6\r\n");
    check(&mut raw, &["sismember", "s", "4"], ":1\r\n");
    check(
        &mut raw,
        &["smismember", "s", "1", "9", "-7"],
        "*3\r\n:1\r\n:0\r\n:1\r\n",
    );
    check(&mut raw, &["srem", "s", "4", "9"], ":1\r\n");
    check(&mut raw, &["sinter", "s", "nokey"], "*0\r\n");
    check(
        &mut raw,
        &["sunion", "s", "nokey"],
        "*5\r\n$2\r\n-7\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$5\r\n70000\r\n",
    );
    check(
        &mut raw,
        &["sdiff", "s", "nokey"],
        "*5\r\n$2\r\n-7\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$5\r\n70000\r\n",
    );
    check(&mut raw, &["sintercard", "1", "s", "limit", "3"], ":3\r\n");
    check(&mut raw, &["spop", "nokey"], "$-1\r\n");
    check(&mut raw, &["spop", "nokey", "2"], "*0\r\n");
    check(&mut raw, &["spop", "s", "0"], "*0\r\n");
    check(&mut raw, &["srandmember", "nokey"], "$-1\r\n");
    check(&mut raw, &["srandmember", "nokey", "-2"], "*0\r\n");
    check(&mut raw, &["srandmember", "s", "0"], "*0\r\n");
    check(
        &mut raw,
        &["srandmember", "s", "10"],
        "*5\r\n$2\r\n-7\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$5\r\n70000\r\n",
    );
    check(
        &mut raw,
        &["sscan", "s", "0"],
        "*2\r\n$1\r\n0\r\n*5\r\n$2\r\n-7\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$5\r\n70000\r\n",
    );
    check(
        &mut raw,
        &["sscan", "s", "5", "match", "7*", "count", "1"],
        "*2\r\n$1\r\n0\r\n*1\r\n$5\r\n70000\r\n",
    );
    check(
        &mut raw,
        &["sscan", "nokey", "0"],
        "*2\r\n$1\r\n0\r\n*0\r\n",
    );
    check(&mut raw, &["smove", "s", "t", "70000"], ":1\r\n");
    check(&mut raw, &["smembers", "t"], "*1\r\n$5\r\n70000\r\n");
    check(&mut raw, &["smove", "s", "s", "1"], ":1\r\n");
    check(&mut raw, &["sinterstore", "u", "s", "nokey"], ":0\r\n");
    check(&mut raw, &["sunionstore", "u", "s", "t"], ":5\r\n");
    check(
        &mut raw,
        &["smembers", "u"],
        "*5\r\n$2\r\n-7\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$5\r\n70000\r\n",
    );
    check(&mut raw, &["sdiffstore", "u", "u", "s"], ":1\r\n");
    check(&mut raw, &["smembers", "u"], "*1\r\n$5\r\n70000\r\n");
    check(&mut raw, &["spop", "t", "10"], "*1\r\n$5\r\n70000\r\n");
    check(&mut raw, &["exists", "t"], ":0\r\n");
}

#[test]
fn replies_byte_for_byte_resp3() {
    let server = Server::start();
    let mut raw = server.raw();
    hello3(&mut raw);
    check(
        &mut raw,
        &["sadd", "s", "3", "1", "2", "-7", "70000"],
        ":5\r\n",
    );
    check(
        &mut raw,
        &["smembers", "s"],
        "~5\r\n$2\r\n-7\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$5\r\n70000\r\n",
    );
    check(&mut raw, &["sadd", "s", "2", "4"], ":1\r\n");
    check(&mut raw, &["scard", "s"], ":6\r\n");
    check(&mut raw, &["sismember", "s", "4"], ":1\r\n");
    check(
        &mut raw,
        &["smismember", "s", "1", "9", "-7"],
        "*3\r\n:1\r\n:0\r\n:1\r\n",
    );
    check(&mut raw, &["srem", "s", "4", "9"], ":1\r\n");
    check(&mut raw, &["sinter", "s", "nokey"], "~0\r\n");
    check(
        &mut raw,
        &["sunion", "s", "nokey"],
        "~5\r\n$2\r\n-7\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$5\r\n70000\r\n",
    );
    check(
        &mut raw,
        &["sdiff", "s", "nokey"],
        "~5\r\n$2\r\n-7\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$5\r\n70000\r\n",
    );
    check(&mut raw, &["sintercard", "1", "s", "limit", "3"], ":3\r\n");
    check(&mut raw, &["spop", "nokey"], "_\r\n");
    check(&mut raw, &["spop", "nokey", "2"], "~0\r\n");
    check(&mut raw, &["spop", "s", "0"], "~0\r\n");
    check(&mut raw, &["srandmember", "nokey"], "_\r\n");
    check(&mut raw, &["srandmember", "nokey", "-2"], "*0\r\n");
    check(&mut raw, &["srandmember", "s", "0"], "*0\r\n");
    check(
        &mut raw,
        &["srandmember", "s", "10"],
        "*5\r\n$2\r\n-7\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$5\r\n70000\r\n",
    );
    check(
        &mut raw,
        &["sscan", "s", "0"],
        "*2\r\n$1\r\n0\r\n*5\r\n$2\r\n-7\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$5\r\n70000\r\n",
    );
    check(
        &mut raw,
        &["sscan", "s", "5", "match", "7*", "count", "1"],
        "*2\r\n$1\r\n0\r\n*1\r\n$5\r\n70000\r\n",
    );
    check(
        &mut raw,
        &["sscan", "nokey", "0"],
        "*2\r\n$1\r\n0\r\n*0\r\n",
    );
    check(&mut raw, &["smove", "s", "t", "70000"], ":1\r\n");
    check(&mut raw, &["smembers", "t"], "~1\r\n$5\r\n70000\r\n");
    check(&mut raw, &["smove", "s", "s", "1"], ":1\r\n");
    check(&mut raw, &["sinterstore", "u", "s", "nokey"], ":0\r\n");
    check(&mut raw, &["sunionstore", "u", "s", "t"], ":5\r\n");
    check(
        &mut raw,
        &["smembers", "u"],
        "~5\r\n$2\r\n-7\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$5\r\n70000\r\n",
    );
    check(&mut raw, &["sdiffstore", "u", "u", "s"], ":1\r\n");
    check(&mut raw, &["smembers", "u"], "~1\r\n$5\r\n70000\r\n");
    check(&mut raw, &["spop", "t", "10"], "~1\r\n$5\r\n70000\r\n");
    check(&mut raw, &["exists", "t"], ":0\r\n");
}

#[test]
fn encodings_follow_redis() {
    let server = Server::start();
    let mut con = server.conn();
    let ints: Vec<String> = (0..512).map(|i| (i * 3 - 700).to_string()).collect();
    let mut args = vec!["SADD", "s"];
    args.extend(ints.iter().map(String::as_str));
    assert_eq!(int(&mut con, &args), 512);
    assert_eq!(encoding(&mut con, "s"), "intset");
    // An intset lists its members in ascending order.
    let listed: Vec<String> = cmd(&mut con, &["SMEMBERS", "s"]).unwrap();
    assert_eq!(listed, ints);
    assert_eq!(int(&mut con, &["SADD", "s", "100000"]), 1);
    assert_eq!(encoding(&mut con, "s"), "hashtable");
    assert_eq!(int(&mut con, &["SREM", "s", "100000"]), 1);
    assert_eq!(encoding(&mut con, "s"), "hashtable");
    assert_eq!(int(&mut con, &["SADD", "t", "1", "-0"]), 2);
    assert_eq!(encoding(&mut con, "t"), "hashtable");
    // A computed set is built anew: an intset again when its members allow it.
    assert_eq!(int(&mut con, &["SDIFFSTORE", "u", "t", "x"]), 2);
    assert_eq!(int(&mut con, &["SINTERSTORE", "v", "s", "s"]), 512);
    assert_eq!(encoding(&mut con, "v"), "intset");
}

#[test]
fn random_members() {
    let server = Server::start();
    let mut con = server.conn();
    let all: HashSet<String> = (0..50).map(|i| format!("m{i}")).collect();
    let mut args = vec!["SADD", "s"];
    args.extend(all.iter().map(String::as_str));
    assert_eq!(int(&mut con, &args), 50);
    let one: String = cmd(&mut con, &["SRANDMEMBER", "s"]).unwrap();
    assert!(all.contains(&one));
    let ten: Vec<String> = cmd(&mut con, &["SRANDMEMBER", "s", "10"]).unwrap();
    assert_eq!(ten.iter().collect::<HashSet<_>>().len(), 10);
    let many: Vec<String> = cmd(&mut con, &["SRANDMEMBER", "s", "-200"]).unwrap();
    assert_eq!(many.len(), 200);
    assert!(many.iter().all(|m| all.contains(m)));
    let popped: Vec<String> = cmd(&mut con, &["SPOP", "s", "20"]).unwrap();
    assert_eq!(popped.iter().collect::<HashSet<_>>().len(), 20);
    let rest = members(&mut con, &["SMEMBERS", "s"]);
    assert_eq!(rest.len(), 30);
    assert!(popped.iter().all(|m| all.contains(m) && !rest.contains(m)));
    let last: Vec<String> = cmd(&mut con, &["SPOP", "s", "100"]).unwrap();
    assert_eq!(last.len(), 30);
    assert_eq!(int(&mut con, &["EXISTS", "s"]), 0);
}

#[test]
fn sscan_cursor_survives_changes() {
    let server = Server::start();
    let mut con = server.conn();
    let all: Vec<String> = (0..1000).map(|i| format!("member:{i}")).collect();
    for chunk in all.chunks(100) {
        let mut args = vec!["SADD", "s"];
        args.extend(chunk.iter().map(String::as_str));
        int(&mut con, &args);
    }
    let mut seen = HashSet::new();
    let mut cursor = "0".to_string();
    let mut round = 0;
    loop {
        let (next, page): (String, Vec<String>) =
            cmd(&mut con, &["SSCAN", "s", &cursor, "COUNT", "25"]).unwrap();
        seen.extend(page);
        // Churn between calls: members come and go.
        let tmp = format!("tmp:{round}");
        int(&mut con, &["SADD", "s", &tmp]);
        if round > 0 {
            int(&mut con, &["SREM", "s", &format!("tmp:{}", round - 1)]);
        }
        round += 1;
        cursor = next;
        if cursor == "0" {
            break;
        }
    }
    assert!(round > 10, "COUNT 25 over 1000 members: {round} calls");
    for m in &all {
        assert!(seen.contains(m), "{m} missed");
    }
    let (next, page): (String, Vec<String>) = cmd(
        &mut con,
        &["SSCAN", "s", "0", "MATCH", "member:99*", "COUNT", "5000"],
    )
    .unwrap();
    assert_eq!(next, "0");
    assert_eq!(page.len(), 11);
}

/// The last log index of a one-node server, from RAFT.INFO.
fn last_log_index(con: &mut Connection) -> u64 {
    let info: String = cmd(con, &["RAFT.INFO"]).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix("raft_last_log_index:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("RAFT.INFO has raft_last_log_index")
}

/// As Redis neither propagates nor flushes to its AOF a write that changed nothing, such
/// writes take no log entry: SADD of members already there, SREM/ZREM/HDEL of what is not
/// there, ZADD of the same scores, SETNX/HSETNX/SET NX of what exists, DEL/EXPIRE of missing
/// keys, PERSIST of a key without a TTL. They
/// answer as the write would, a WATCH on their keys still holds, and a run mixing them with
/// a write that changes something is logged whole.
#[test]
fn writes_that_change_nothing_take_no_log_entry() {
    let server = Server::start();
    let mut con = server.conn();
    let mut other = server.conn();
    assert_eq!(int(&mut con, &["SADD", "s", "a", "b"]), 2);
    assert_eq!(int(&mut con, &["ZADD", "z", "1", "a", "2", "b"]), 2);
    assert_eq!(int(&mut con, &["HSET", "h", "f", "v"]), 1);
    let _: () = cmd(&mut con, &["SET", "k", "v"]).unwrap();
    let before = last_log_index(&mut con);

    let mut pipe = redis::pipe();
    pipe.cmd("SADD").arg("s").arg("a").arg("b");
    pipe.cmd("SREM").arg("s").arg("c");
    pipe.cmd("SREM").arg("nokey").arg("c");
    pipe.cmd("ZADD")
        .arg("z")
        .arg("1")
        .arg("a")
        .arg("2")
        .arg("b");
    pipe.cmd("ZADD").arg("z").arg("NX").arg("5").arg("a");
    pipe.cmd("ZADD")
        .arg("z")
        .arg("GT")
        .arg("CH")
        .arg("0")
        .arg("b");
    pipe.cmd("ZADD").arg("nokey").arg("XX").arg("1").arg("a");
    pipe.cmd("ZREM").arg("z").arg("c");
    pipe.cmd("HDEL").arg("h").arg("g");
    pipe.cmd("HSETNX").arg("h").arg("f").arg("other");
    pipe.cmd("SETNX").arg("k").arg("other");
    pipe.cmd("DEL").arg("nokey").arg("nokey2");
    pipe.cmd("UNLINK").arg("nokey");
    pipe.cmd("EXPIRE").arg("nokey").arg("10");
    pipe.cmd("PERSIST").arg("k");
    pipe.cmd("SCARD").arg("s");
    let replies: Vec<i64> = pipe.query(&mut con).unwrap();
    assert_eq!(
        replies,
        vec![0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]
    );
    let lock: Option<String> = cmd(&mut con, &["SET", "k", "other", "NX", "PX", "1000"]).unwrap();
    assert_eq!(lock, None);
    let plain: Option<f64> = cmd(&mut con, &["ZADD", "z", "XX", "INCR", "0", "c"]).unwrap();
    assert_eq!(plain, None);
    assert_eq!(
        last_log_index(&mut con),
        before,
        "no entry for writes that changed nothing"
    );

    // The data is as it was.
    assert_eq!(members(&mut con, &["SMEMBERS", "s"]).len(), 2);
    let z: Vec<(String, f64)> = cmd(&mut con, &["ZRANGE", "z", "0", "-1", "WITHSCORES"]).unwrap();
    assert_eq!(z, vec![("a".into(), 1.0), ("b".into(), 2.0)]);
    let v: String = cmd(&mut con, &["HGET", "h", "f"]).unwrap();
    assert_eq!(v, "v");
    let v: String = cmd(&mut con, &["GET", "k"]).unwrap();
    assert_eq!(v, "v");

    // A WATCH survives another client's write that changed nothing, as in Redis.
    let _: () = cmd(&mut con, &["WATCH", "s"]).unwrap();
    assert_eq!(int(&mut other, &["SADD", "s", "a"]), 0);
    let _: () = cmd(&mut con, &["MULTI"]).unwrap();
    let _: () = cmd(&mut con, &["SADD", "s", "c"]).unwrap();
    let exec: Option<Vec<i64>> = cmd(&mut con, &["EXEC"]).unwrap();
    assert_eq!(exec, Some(vec![1]));
    let after_exec = last_log_index(&mut con);
    assert!(after_exec > before);

    // One write that changes something in the run: the run is logged, its replies exact.
    let mut pipe = redis::pipe();
    pipe.cmd("SADD").arg("s").arg("a");
    pipe.cmd("SADD").arg("s").arg("d");
    pipe.cmd("SADD").arg("s").arg("d");
    pipe.cmd("SCARD").arg("s");
    let replies: Vec<i64> = pipe.query(&mut con).unwrap();
    assert_eq!(replies, vec![0, 1, 0, 4]);
    assert!(last_log_index(&mut con) > after_exec);

    // Errors are the write's own.
    let e = cmd::<i64>(&mut con, &["SADD", "k", "a"]).unwrap_err();
    assert_eq!(e.code(), Some("WRONGTYPE"));
    let e = cmd::<i64>(&mut con, &["ZADD", "z", "NX", "XX", "1", "a"]).unwrap_err();
    assert!(e.to_string().contains("not compatible"), "{e}");
}
