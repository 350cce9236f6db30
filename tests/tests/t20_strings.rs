//! The string commands through the real binary: replies byte for byte as Redis 7.0 sends them
//! (raw sockets), everyday use through the `redis` crate, expiry kept or cleared as Redis
//! does, and the size limits of `proto-max-bulk-len`.

use std::thread::sleep;
use std::time::Duration;

use redis::Connection;
use redraft_tests::{Raw, Server, resp};

/// Sends one command given as words and asserts the exact reply.
fn check(raw: &mut Raw, args: &[&str], expected: &str) {
    let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    raw.roundtrip(&resp(&args), expected);
}

fn get(con: &mut Connection, key: &str) -> Option<String> {
    redis::cmd("GET").arg(key).query(con).unwrap()
}

#[test]
fn setex_psetex_setnx_getset_getdel() {
    let server = Server::start();
    let mut raw = server.raw();
    check(&mut raw, &["SETEX", "k", "100", "v"], "+OK\r\n");
    check(&mut raw, &["GET", "k"], "$1\r\nv\r\n");
    for bad in ["0", "-1", "9223372036854775807"] {
        check(
            &mut raw,
            &["SETEX", "k", bad, "v"],
            "-ERR invalid expire time in 'setex' command\r\n",
        );
    }
    check(
        &mut raw,
        &["setex", "k", "abc", "v"],
        "-ERR value is not an integer or out of range\r\n",
    );
    check(
        &mut raw,
        &["PSETEX", "k", "0", "v"],
        "-ERR invalid expire time in 'psetex' command\r\n",
    );
    check(
        &mut raw,
        &["setex", "k", "1"],
        "-ERR wrong number of arguments for 'setex' command\r\n",
    );
    check(&mut raw, &["SETNX", "k", "x"], ":0\r\n");
    check(&mut raw, &["SETNX", "n", "x"], ":1\r\n");
    check(&mut raw, &["GETSET", "k", "w"], "$1\r\nv\r\n");
    check(&mut raw, &["GETSET", "fresh", "z"], "$-1\r\n");
    check(&mut raw, &["GETDEL", "k"], "$1\r\nw\r\n");
    check(&mut raw, &["GETDEL", "k"], "$-1\r\n");
    check(&mut raw, &["GET", "k"], "$-1\r\n");

    // PSETEX expires; GETSET clears the TTL.
    check(&mut raw, &["PSETEX", "p", "100", "v"], "+OK\r\n");
    check(&mut raw, &["PSETEX", "q", "100", "v"], "+OK\r\n");
    check(&mut raw, &["GETSET", "q", "kept"], "$1\r\nv\r\n");
    sleep(Duration::from_millis(150));
    check(&mut raw, &["GET", "p"], "$-1\r\n");
    check(&mut raw, &["GET", "q"], "$4\r\nkept\r\n");
    check(&mut raw, &["SETNX", "p", "again"], ":1\r\n");
}

#[test]
fn getex_options() {
    let server = Server::start();
    let mut raw = server.raw();
    check(&mut raw, &["GETEX", "missing"], "$-1\r\n");
    check(&mut raw, &["SET", "a", "1"], "+OK\r\n");
    check(&mut raw, &["GETEX", "a"], "$1\r\n1\r\n");
    for bad in [
        &["GETEX", "a", "foo"][..],
        &["GETEX", "a", "ex"],
        &["GETEX", "a", "ex", "10", "px", "10"],
        &["GETEX", "a", "persist", "ex", "10"],
    ] {
        check(&mut raw, bad, "-ERR syntax error\r\n");
    }
    check(
        &mut raw,
        &["GETEX", "a", "ex", "0"],
        "-ERR invalid expire time in 'getex' command\r\n",
    );
    check(
        &mut raw,
        &["GETEX", "a", "exat", "9223372036854776"],
        "-ERR invalid expire time in 'getex' command\r\n",
    );
    check(
        &mut raw,
        &["GETEX", "a", "px", "x"],
        "-ERR value is not an integer or out of range\r\n",
    );
    check(
        &mut raw,
        &["GETEX"],
        "-ERR wrong number of arguments for 'getex' command\r\n",
    );
    // PX then PERSIST: the key survives its first TTL.
    check(&mut raw, &["GETEX", "a", "PX", "100"], "$1\r\n1\r\n");
    check(&mut raw, &["GETEX", "a", "PERSIST"], "$1\r\n1\r\n");
    check(&mut raw, &["SET", "b", "2"], "+OK\r\n");
    check(
        &mut raw,
        &["GETEX", "b", "px", "100", "PX", "100"],
        "$1\r\n2\r\n",
    );
    sleep(Duration::from_millis(150));
    check(&mut raw, &["GET", "a"], "$1\r\n1\r\n");
    check(&mut raw, &["GET", "b"], "$-1\r\n");
    // An absolute time in the past answers the value, then deletes the key.
    check(&mut raw, &["GETEX", "a", "PXAT", "1"], "$1\r\n1\r\n");
    check(&mut raw, &["GET", "a"], "$-1\r\n");
    check(&mut raw, &["SET", "c", "3"], "+OK\r\n");
    check(&mut raw, &["GETEX", "c", "EXAT", "1"], "$1\r\n3\r\n");
    check(&mut raw, &["GETEX", "c"], "$-1\r\n");
}

#[test]
fn mget_mset_msetnx() {
    let server = Server::start();
    let mut raw = server.raw();
    check(&mut raw, &["MSET", "a", "1", "b", "2", "a", "3"], "+OK\r\n");
    check(
        &mut raw,
        &["MGET", "a", "nokey", "b"],
        "*3\r\n$1\r\n3\r\n$-1\r\n$1\r\n2\r\n",
    );
    check(
        &mut raw,
        &["MSET", "a", "1", "b"],
        "-ERR wrong number of arguments for 'mset' command\r\n",
    );
    check(
        &mut raw,
        &["MSET", "a"],
        "-ERR wrong number of arguments for 'mset' command\r\n",
    );
    check(
        &mut raw,
        &["MSETNX", "x", "1", "y"],
        "-ERR wrong number of arguments for 'msetnx' command\r\n",
    );
    check(
        &mut raw,
        &["MGET"],
        "-ERR wrong number of arguments for 'mget' command\r\n",
    );
    check(&mut raw, &["MSETNX", "c", "1", "a", "2"], ":0\r\n");
    check(&mut raw, &["GET", "c"], "$-1\r\n");
    check(&mut raw, &["MSETNX", "c", "1", "d", "2"], ":1\r\n");

    // MSET clears TTLs.
    check(&mut raw, &["PSETEX", "t", "100", "v"], "+OK\r\n");
    check(&mut raw, &["MSET", "t", "w"], "+OK\r\n");
    sleep(Duration::from_millis(150));
    check(&mut raw, &["GET", "t"], "$1\r\nw\r\n");

    let mut con = server.conn();
    let _: () = redis::cmd("MSET")
        .arg(&[("k1", "v1"), ("k2", "v2")])
        .query(&mut con)
        .unwrap();
    let values: Vec<Option<String>> = redis::cmd("MGET")
        .arg(&["k1", "k2", "k3"])
        .query(&mut con)
        .unwrap();
    assert_eq!(values, vec![Some("v1".into()), Some("v2".into()), None]);
}

#[test]
fn append_strlen_getrange_setrange() {
    let server = Server::start();
    let mut raw = server.raw();
    check(&mut raw, &["APPEND", "k", "Hello"], ":5\r\n");
    check(&mut raw, &["APPEND", "k", " World"], ":11\r\n");
    check(&mut raw, &["STRLEN", "k"], ":11\r\n");
    check(&mut raw, &["STRLEN", "none"], ":0\r\n");
    check(&mut raw, &["GETRANGE", "k", "0", "4"], "$5\r\nHello\r\n");
    check(&mut raw, &["GETRANGE", "k", "-5", "-1"], "$5\r\nWorld\r\n");
    check(&mut raw, &["GETRANGE", "k", "5", "3"], "$0\r\n\r\n");
    check(&mut raw, &["GETRANGE", "k", "-100", "1"], "$2\r\nHe\r\n");
    check(&mut raw, &["GETRANGE", "none", "0", "-1"], "$0\r\n\r\n");
    check(&mut raw, &["SUBSTR", "k", "0", "-7"], "$5\r\nHello\r\n");
    check(
        &mut raw,
        &["GETRANGE", "k", "a", "1"],
        "-ERR value is not an integer or out of range\r\n",
    );

    check(&mut raw, &["SETRANGE", "k", "6", "Redis"], ":11\r\n");
    check(&mut raw, &["GET", "k"], "$11\r\nHello Redis\r\n");
    check(&mut raw, &["SETRANGE", "z", "3", "ab"], ":5\r\n");
    raw.roundtrip(&resp(&[b"GET", b"z"]), "$5\r\n\0\0\0ab\r\n");
    check(&mut raw, &["SETRANGE", "empty", "10", ""], ":0\r\n");
    check(&mut raw, &["GET", "empty"], "$-1\r\n");
    check(&mut raw, &["SETRANGE", "k", "99999999999", ""], ":11\r\n");
    check(
        &mut raw,
        &["SETRANGE", "k", "-1", "x"],
        "-ERR offset is out of range\r\n",
    );
    check(
        &mut raw,
        &["SETRANGE", "k", "536870911", "ab"],
        "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n",
    );

    // APPEND and SETRANGE keep the TTL.
    check(&mut raw, &["PSETEX", "t", "150", "a"], "+OK\r\n");
    check(&mut raw, &["APPEND", "t", "b"], ":2\r\n");
    check(&mut raw, &["SETRANGE", "t", "2", "c"], ":3\r\n");
    check(&mut raw, &["GET", "t"], "$3\r\nabc\r\n");
    sleep(Duration::from_millis(200));
    check(&mut raw, &["GET", "t"], "$-1\r\n");
}

#[test]
fn size_limit_follows_proto_max_bulk_len() {
    let server = Server::start_with(&["--proto-max-bulk-len", "1mb"], None);
    let mut raw = server.raw();
    check(&mut raw, &["SETRANGE", "k", "1048575", "x"], ":1048576\r\n");
    check(
        &mut raw,
        &["SETRANGE", "k", "1048575", "xy"],
        "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n",
    );
    check(
        &mut raw,
        &["APPEND", "k", "y"],
        "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n",
    );
    check(&mut raw, &["APPEND", "k", ""], ":1048576\r\n");
    check(&mut raw, &["STRLEN", "k"], ":1048576\r\n");
}

#[test]
fn integer_counters() {
    let server = Server::start();
    let mut raw = server.raw();
    check(&mut raw, &["INCR", "n"], ":1\r\n");
    check(&mut raw, &["INCRBY", "n", "10"], ":11\r\n");
    check(&mut raw, &["DECR", "n"], ":10\r\n");
    check(&mut raw, &["DECRBY", "n", "20"], ":-10\r\n");
    check(&mut raw, &["GET", "n"], "$3\r\n-10\r\n");
    check(
        &mut raw,
        &["INCRBY", "n", "1.5"],
        "-ERR value is not an integer or out of range\r\n",
    );
    check(
        &mut raw,
        &["DECRBY", "n", "-9223372036854775808"],
        "-ERR decrement would overflow\r\n",
    );
    check(&mut raw, &["SET", "n", "9223372036854775807"], "+OK\r\n");
    check(
        &mut raw,
        &["INCR", "n"],
        "-ERR increment or decrement would overflow\r\n",
    );
    check(&mut raw, &["SET", "s", " 1"], "+OK\r\n");
    check(
        &mut raw,
        &["INCR", "s"],
        "-ERR value is not an integer or out of range\r\n",
    );
    check(
        &mut raw,
        &["INCR"],
        "-ERR wrong number of arguments for 'incr' command\r\n",
    );

    // The TTL survives INCR.
    check(&mut raw, &["PSETEX", "t", "150", "5"], "+OK\r\n");
    check(&mut raw, &["INCR", "t"], ":6\r\n");
    sleep(Duration::from_millis(200));
    check(&mut raw, &["GET", "t"], "$-1\r\n");

    let mut con = server.conn();
    let v: i64 = redis::cmd("INCRBY")
        .arg("c")
        .arg(5)
        .query(&mut con)
        .unwrap();
    assert_eq!(v, 5);
    let v: i64 = redis::cmd("DECRBY")
        .arg("c")
        .arg(7)
        .query(&mut con)
        .unwrap();
    assert_eq!(v, -2);
    assert_eq!(get(&mut con, "c").as_deref(), Some("-2"));
}

#[test]
fn float_counter_formats_like_redis() {
    let server = Server::start();
    let mut raw = server.raw();
    check(&mut raw, &["SET", "f", "10.50"], "+OK\r\n");
    check(&mut raw, &["INCRBYFLOAT", "f", "0.1"], "$4\r\n10.6\r\n");
    check(&mut raw, &["INCRBYFLOAT", "g", "3.0e3"], "$4\r\n3000\r\n");
    check(
        &mut raw,
        &["INCRBYFLOAT", "h", "12345.678"],
        "$23\r\n12345.67799999999999994\r\n",
    );
    for expected in ["0.1", "0.2", "0.3"] {
        let reply = format!("${}\r\n{expected}\r\n", expected.len());
        check(&mut raw, &["INCRBYFLOAT", "z", "0.1"], &reply);
    }
    check(
        &mut raw,
        &["INCRBYFLOAT", "f", "abc"],
        "-ERR value is not a valid float\r\n",
    );
    check(&mut raw, &["SET", "bad", "1.5x"], "+OK\r\n");
    check(
        &mut raw,
        &["INCRBYFLOAT", "bad", "1"],
        "-ERR value is not a valid float\r\n",
    );
    check(
        &mut raw,
        &["INCRBYFLOAT", "f", "+inf"],
        "-ERR increment would produce NaN or Infinity\r\n",
    );
    check(&mut raw, &["GET", "f"], "$4\r\n10.6\r\n");

    // The TTL survives INCRBYFLOAT.
    check(&mut raw, &["PSETEX", "t", "150", "1.5"], "+OK\r\n");
    check(&mut raw, &["INCRBYFLOAT", "t", "1.5"], "$1\r\n3\r\n");
    sleep(Duration::from_millis(200));
    check(&mut raw, &["GET", "t"], "$-1\r\n");

    let mut con = server.conn();
    let v: String = redis::cmd("INCRBYFLOAT")
        .arg("r")
        .arg("2.5")
        .query(&mut con)
        .unwrap();
    assert_eq!(v, "2.5");
}
