//! Keyspace commands through the real binary: DEL/UNLINK/EXISTS/TYPE/TOUCH, KEYS, SCAN,
//! RENAME/RENAMENX, RANDOMKEY, COPY/MOVE across databases, the EXPIRE and TTL families,
//! PERSIST, OBJECT; keys becoming invisible when their TTL passes, the active expire cycle
//! deleting them without reads, and SWAPDB.

use std::collections::HashSet;
use std::thread::sleep;
use std::time::{Duration, Instant};

use redis::{Connection, cmd};
use redraft_tests::{Server, resp};

fn set(con: &mut Connection, key: &str, value: &str) {
    cmd("SET")
        .arg(key)
        .arg(value)
        .query::<()>(con)
        .expect("SET");
}

fn int(con: &mut Connection, args: &[&str]) -> i64 {
    let mut c = cmd(args[0]);
    for a in &args[1..] {
        c.arg(*a);
    }
    c.query(con).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

fn opt(con: &mut Connection, args: &[&str]) -> Option<String> {
    let mut c = cmd(args[0]);
    for a in &args[1..] {
        c.arg(*a);
    }
    c.query(con).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

fn select(con: &mut Connection, db: i64) {
    cmd("SELECT").arg(db).query::<()>(con).expect("SELECT");
}

/// Sends one command on a raw socket and asserts the exact reply bytes.
fn exact(server: &Server, args: &[&str], expected: &str) {
    let mut raw = server.raw();
    let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    raw.roundtrip(&resp(&args), expected);
}

#[test]
fn del_unlink_exists_type_touch() {
    let server = Server::start();
    let mut con = server.conn();
    set(&mut con, "a", "1");
    set(&mut con, "b", "2");
    set(&mut con, "c", "3");
    assert_eq!(int(&mut con, &["EXISTS", "a", "a", "nokey", "b"]), 3);
    assert_eq!(int(&mut con, &["TOUCH", "a", "a", "nokey"]), 2);
    exact(&server, &["TYPE", "a"], "+string\r\n");
    exact(&server, &["TYPE", "nokey"], "+none\r\n");
    assert_eq!(int(&mut con, &["DEL", "a", "a", "nokey"]), 1);
    assert_eq!(int(&mut con, &["UNLINK", "b", "c", "b"]), 2);
    assert_eq!(int(&mut con, &["EXISTS", "a", "b", "c"]), 0);
    assert_eq!(int(&mut con, &["DBSIZE"]), 0);
    exact(
        &server,
        &["DEL"],
        "-ERR wrong number of arguments for 'del' command\r\n",
    );
    exact(
        &server,
        &["EXISTS"],
        "-ERR wrong number of arguments for 'exists' command\r\n",
    );
}

#[test]
fn keys_and_randomkey() {
    let server = Server::start();
    let mut con = server.conn();
    exact(&server, &["RANDOMKEY"], "$-1\r\n");
    exact(&server, &["KEYS", "*"], "*0\r\n");
    for k in ["user:1", "user:2", "user:10", "other"] {
        set(&mut con, k, "v");
    }
    let mut keys: Vec<String> = cmd("KEYS").arg("user:?").query(&mut con).unwrap();
    keys.sort();
    assert_eq!(keys, ["user:1", "user:2"]);
    let keys: HashSet<String> = cmd("KEYS").arg("*").query(&mut con).unwrap();
    assert_eq!(keys.len(), 4);
    let keys: Vec<String> = cmd("KEYS").arg("h[ae]llo").query(&mut con).unwrap();
    assert!(keys.is_empty());
    let mut picked = HashSet::new();
    for _ in 0..50 {
        let k: String = cmd("RANDOMKEY").query(&mut con).unwrap();
        assert!(["user:1", "user:2", "user:10", "other"].contains(&k.as_str()));
        picked.insert(k);
    }
    assert!(picked.len() >= 2, "RANDOMKEY always answered {picked:?}");
}

#[test]
fn rename_and_renamenx() {
    let server = Server::start();
    let mut con = server.conn();
    exact(&server, &["RENAME", "nokey", "x"], "-ERR no such key\r\n");
    exact(&server, &["RENAMENX", "nokey", "x"], "-ERR no such key\r\n");
    set(&mut con, "a", "1");
    assert_eq!(int(&mut con, &["PEXPIRE", "a", "100000"]), 1);
    exact(&server, &["RENAME", "a", "a"], "+OK\r\n");
    exact(&server, &["RENAMENX", "a", "a"], ":0\r\n");
    exact(&server, &["RENAME", "a", "b"], "+OK\r\n");
    assert_eq!(opt(&mut con, &["GET", "b"]).as_deref(), Some("1"));
    assert_eq!(int(&mut con, &["EXISTS", "a"]), 0);
    let pttl = int(&mut con, &["PTTL", "b"]);
    assert!(
        pttl > 90_000 && pttl <= 100_000,
        "RENAME keeps the TTL: {pttl}"
    );
    set(&mut con, "c", "3");
    assert_eq!(int(&mut con, &["RENAMENX", "b", "c"]), 0);
    assert_eq!(int(&mut con, &["RENAMENX", "b", "d"]), 1);
    assert_eq!(opt(&mut con, &["GET", "d"]).as_deref(), Some("1"));
    exact(&server, &["RENAME", "c", "d"], "+OK\r\n");
    assert_eq!(opt(&mut con, &["GET", "d"]).as_deref(), Some("3"));
    assert_eq!(int(&mut con, &["TTL", "d"]), -1);
}

#[test]
fn copy_and_move_across_databases() {
    let server = Server::start();
    let mut con = server.conn();
    set(&mut con, "a", "1");
    assert_eq!(int(&mut con, &["EXPIRE", "a", "100"]), 1);
    exact(
        &server,
        &["COPY", "a", "a"],
        "-ERR source and destination objects are the same\r\n",
    );
    exact(
        &server,
        &["COPY", "a", "a", "DB", "0"],
        "-ERR source and destination objects are the same\r\n",
    );
    exact(
        &server,
        &["COPY", "a", "b", "DB", "16"],
        "-ERR DB index is out of range\r\n",
    );
    exact(
        &server,
        &["COPY", "a", "b", "DB", "99999999999"],
        "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n",
    );
    exact(&server, &["COPY", "a", "b", "DB"], "-ERR syntax error\r\n");
    exact(&server, &["COPY", "a", "b", "FOO"], "-ERR syntax error\r\n");
    assert_eq!(int(&mut con, &["COPY", "nokey", "b"]), 0);
    assert_eq!(int(&mut con, &["COPY", "a", "b"]), 1);
    assert!((99..=100).contains(&int(&mut con, &["TTL", "b"])));
    set(&mut con, "c", "other");
    assert_eq!(int(&mut con, &["COPY", "c", "b"]), 0);
    assert_eq!(int(&mut con, &["COPY", "c", "b", "REPLACE"]), 1);
    assert_eq!(opt(&mut con, &["GET", "b"]).as_deref(), Some("other"));
    assert_eq!(int(&mut con, &["TTL", "b"]), -1);
    assert_eq!(int(&mut con, &["COPY", "a", "a", "DB", "2"]), 1);

    exact(
        &server,
        &["MOVE", "a", "0"],
        "-ERR source and destination objects are the same\r\n",
    );
    exact(
        &server,
        &["MOVE", "a", "16"],
        "-ERR DB index is out of range\r\n",
    );
    exact(
        &server,
        &["MOVE", "a", "x"],
        "-ERR value is not an integer or out of range\r\n",
    );
    assert_eq!(int(&mut con, &["MOVE", "nokey", "1"]), 0);
    assert_eq!(int(&mut con, &["MOVE", "a", "1"]), 1);
    assert_eq!(int(&mut con, &["EXISTS", "a"]), 0);
    set(&mut con, "c", "again");
    assert_eq!(int(&mut con, &["MOVE", "c", "2"]), 1);

    select(&mut con, 1);
    assert_eq!(opt(&mut con, &["GET", "a"]).as_deref(), Some("1"));
    let ttl = int(&mut con, &["TTL", "a"]);
    assert!((99..=100).contains(&ttl), "MOVE keeps the TTL: {ttl}");
    set(&mut con, "c", "in db 1");
    // The raw socket is in db 0, where "c" no longer is.
    exact(&server, &["MOVE", "c", "1"], ":0\r\n");
    // db 2 already holds the "c" moved there from db 0.
    assert_eq!(int(&mut con, &["MOVE", "c", "2"]), 0);
    assert_eq!(int(&mut con, &["COPY", "c", "c", "DB", "2"]), 0);
    assert_eq!(int(&mut con, &["COPY", "c", "c", "DB", "2", "REPLACE"]), 1);
    select(&mut con, 2);
    assert_eq!(opt(&mut con, &["GET", "a"]).as_deref(), Some("1"));
    assert_eq!(opt(&mut con, &["GET", "c"]).as_deref(), Some("in db 1"));
    assert_eq!(int(&mut con, &["MOVE", "c", "0"]), 1);
    assert_eq!(int(&mut con, &["EXISTS", "c"]), 0);
}

#[test]
fn expire_family_and_ttls() {
    let server = Server::start();
    let mut con = server.conn();
    assert_eq!(int(&mut con, &["EXPIRE", "nokey", "10"]), 0);
    assert_eq!(int(&mut con, &["TTL", "nokey"]), -2);
    assert_eq!(int(&mut con, &["PTTL", "nokey"]), -2);
    assert_eq!(int(&mut con, &["EXPIRETIME", "nokey"]), -2);
    assert_eq!(int(&mut con, &["PEXPIRETIME", "nokey"]), -2);
    set(&mut con, "a", "1");
    assert_eq!(int(&mut con, &["TTL", "a"]), -1);
    assert_eq!(int(&mut con, &["PTTL", "a"]), -1);
    assert_eq!(int(&mut con, &["EXPIRETIME", "a"]), -1);
    assert_eq!(int(&mut con, &["PEXPIRETIME", "a"]), -1);
    // GT/LT treat "no TTL" as infinite.
    assert_eq!(int(&mut con, &["EXPIRE", "a", "100", "GT"]), 0);
    assert_eq!(int(&mut con, &["EXPIRE", "a", "100", "XX"]), 0);
    assert_eq!(int(&mut con, &["EXPIRE", "a", "100", "LT"]), 1);
    assert!((99..=100).contains(&int(&mut con, &["TTL", "a"])));
    assert_eq!(int(&mut con, &["EXPIRE", "a", "200", "NX"]), 0);
    assert_eq!(int(&mut con, &["EXPIRE", "a", "50", "GT"]), 0);
    assert_eq!(int(&mut con, &["EXPIRE", "a", "200", "gt"]), 1);
    assert_eq!(int(&mut con, &["PEXPIRE", "a", "150000", "xx", "lt"]), 1);
    let pttl = int(&mut con, &["PTTL", "a"]);
    assert!(pttl > 149_000 && pttl <= 150_000, "{pttl}");
    assert_eq!(int(&mut con, &["EXPIREAT", "a", "99999999999"]), 1);
    assert_eq!(int(&mut con, &["EXPIRETIME", "a"]), 99_999_999_999);
    assert_eq!(int(&mut con, &["PEXPIRETIME", "a"]), 99_999_999_999_000);
    assert_eq!(int(&mut con, &["PEXPIREAT", "a", "99999999999500"]), 1);
    assert_eq!(int(&mut con, &["EXPIRETIME", "a"]), 100_000_000_000);
    assert_eq!(int(&mut con, &["PERSIST", "a"]), 1);
    assert_eq!(int(&mut con, &["PERSIST", "a"]), 0);
    assert_eq!(int(&mut con, &["PERSIST", "nokey"]), 0);
    assert_eq!(int(&mut con, &["TTL", "a"]), -1);
    // An expiry in the past deletes the key and answers 1.
    assert_eq!(int(&mut con, &["EXPIRE", "a", "-1"]), 1);
    assert_eq!(int(&mut con, &["EXISTS", "a"]), 0);
    set(&mut con, "a", "1");
    assert_eq!(int(&mut con, &["PEXPIREAT", "a", "1"]), 1);
    assert_eq!(int(&mut con, &["DBSIZE"]), 0);

    let nx = "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n";
    exact(&server, &["EXPIRE", "a", "10", "NX", "XX"], nx);
    exact(&server, &["PEXPIRE", "a", "10", "nx", "gt"], nx);
    exact(
        &server,
        &["EXPIREAT", "a", "10", "GT", "LT"],
        "-ERR GT and LT options at the same time are not compatible\r\n",
    );
    exact(
        &server,
        &["EXPIRE", "a", "10", "FOO"],
        "-ERR Unsupported option FOO\r\n",
    );
    exact(
        &server,
        &["EXPIRE", "a", "ten"],
        "-ERR value is not an integer or out of range\r\n",
    );
    exact(
        &server,
        &["EXPIRE", "a", "9223372036854775807"],
        "-ERR invalid expire time in 'expire' command\r\n",
    );
    exact(
        &server,
        &["PEXPIRE", "a", "9223372036854775000"],
        "-ERR invalid expire time in 'pexpire' command\r\n",
    );
    exact(
        &server,
        &["EXPIREAT", "a", "9223372036854776"],
        "-ERR invalid expire time in 'expireat' command\r\n",
    );
    exact(
        &server,
        &["EXPIRE", "a"],
        "-ERR wrong number of arguments for 'expire' command\r\n",
    );
}

#[test]
fn expired_keys_become_invisible() {
    let server = Server::start();
    let mut con = server.conn();
    cmd("SET")
        .arg("t")
        .arg("v")
        .arg("PX")
        .arg(50)
        .query::<()>(&mut con)
        .unwrap();
    set(&mut con, "p", "v");
    assert_eq!(int(&mut con, &["PEXPIRE", "p2", "50"]), 0);
    set(&mut con, "p2", "v");
    assert_eq!(int(&mut con, &["PEXPIRE", "p2", "50"]), 1);
    assert_eq!(int(&mut con, &["EXISTS", "t", "p2"]), 2);
    sleep(Duration::from_millis(100));
    assert_eq!(opt(&mut con, &["GET", "t"]), None);
    assert_eq!(int(&mut con, &["EXISTS", "t", "p2"]), 0);
    assert_eq!(int(&mut con, &["TTL", "t"]), -2);
    exact(&server, &["TYPE", "t"], "+none\r\n");
    exact(&server, &["OBJECT", "ENCODING", "t"], "$-1\r\n");
    let keys: Vec<String> = cmd("KEYS").arg("*").query(&mut con).unwrap();
    assert_eq!(keys, ["p"]);
    let (cursor, keys): (String, Vec<String>) = cmd("SCAN")
        .arg(0)
        .arg("COUNT")
        .arg(100)
        .query(&mut con)
        .unwrap();
    assert_eq!((cursor.as_str(), keys), ("0", vec!["p".to_string()]));
    for _ in 0..10 {
        assert_eq!(opt(&mut con, &["RANDOMKEY"]).as_deref(), Some("p"));
    }
    assert_eq!(int(&mut con, &["RENAMENX", "p", "t"]), 1);
}

#[test]
fn active_expiry_deletes_without_reads() {
    let server = Server::start();
    let mut con = server.conn();
    let mut pipe = redis::pipe();
    for i in 0..500 {
        pipe.cmd("SET")
            .arg(format!("e{i}"))
            .arg("v")
            .arg("PX")
            .arg(50)
            .ignore();
    }
    pipe.cmd("SET").arg("keep").arg("v").ignore();
    pipe.query::<()>(&mut con).unwrap();
    assert_eq!(int(&mut con, &["DBSIZE"]), 501);
    // Only DBSIZE from now on: it counts expired keys until they are deleted, as Redis.
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut size = 501;
    while Instant::now() < deadline {
        sleep(Duration::from_millis(50));
        size = int(&mut con, &["DBSIZE"]);
        if size == 1 {
            break;
        }
    }
    assert_eq!(size, 1, "the expire cycle left {} keys", size - 1);
    assert_eq!(opt(&mut con, &["GET", "keep"]).as_deref(), Some("v"));
}

#[test]
fn scan_returns_every_key() {
    let server = Server::start();
    let mut con = server.conn();
    let mut pipe = redis::pipe();
    let mut all = HashSet::new();
    for i in 0..3000 {
        let key = format!("key:{i}");
        pipe.cmd("SET").arg(&key).arg(i).ignore();
        all.insert(key);
    }
    pipe.query::<()>(&mut con).unwrap();

    let scan = |con: &mut Connection, extra: &[&str]| -> (Vec<String>, usize) {
        let mut cursor = "0".to_string();
        let mut seen = Vec::new();
        let mut calls = 0;
        loop {
            let mut c = cmd("SCAN");
            c.arg(&cursor);
            for a in extra {
                c.arg(*a);
            }
            let (next, keys): (String, Vec<String>) = c.query(con).unwrap();
            calls += 1;
            seen.extend(keys);
            cursor = next;
            if cursor == "0" {
                return (seen, calls);
            }
            // Churn between pages must not make SCAN miss keys present all along.
            cmd("SET")
                .arg(format!("churn:{calls}"))
                .arg(1)
                .query::<()>(con)
                .unwrap();
            cmd("DEL")
                .arg(format!("churn:{}", calls - 1))
                .query::<()>(con)
                .unwrap();
        }
    };
    let (seen, calls) = scan(&mut con, &[]);
    let unique: HashSet<String> = seen.iter().cloned().collect();
    assert!(all.is_subset(&unique), "SCAN missed keys");
    assert!(calls > 100, "COUNT defaults to 10: {calls} calls");
    let (seen, _) = scan(&mut con, &["COUNT", "500", "MATCH", "key:1*"]);
    let expected: HashSet<&String> = all.iter().filter(|k| k.starts_with("key:1")).collect();
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique, expected);
    let (seen, _) = scan(
        &mut con,
        &["TYPE", "string", "COUNT", "1000", "MATCH", "key:*"],
    );
    assert_eq!(seen.len(), 3000);
    let (seen, _) = scan(&mut con, &["TYPE", "hash", "COUNT", "1000"]);
    assert!(seen.is_empty());

    exact(&server, &["SCAN", "x"], "-ERR invalid cursor\r\n");
    exact(
        &server,
        &["SCAN", "0", "COUNT", "0"],
        "-ERR syntax error\r\n",
    );
    exact(&server, &["SCAN", "0", "MATCH"], "-ERR syntax error\r\n");
    exact(
        &server,
        &["SCAN", "0", "COUNT", "x"],
        "-ERR value is not an integer or out of range\r\n",
    );
    // The reply: [cursor as a bulk string, [keys]].
    let mut raw = server.raw();
    raw.roundtrip(&resp(&[b"SELECT", b"9"]), "+OK\r\n");
    raw.roundtrip(&resp(&[b"SET", b"only", b"1"]), "+OK\r\n");
    raw.roundtrip(
        &resp(&[b"SCAN", b"0"]),
        "*2\r\n$1\r\n0\r\n*1\r\n$4\r\nonly\r\n",
    );
}

#[test]
fn swapdb_swaps_what_clients_see() {
    let server = Server::start();
    let mut c0 = server.conn();
    let mut c1 = server.conn();
    select(&mut c1, 1);
    set(&mut c0, "zero", "0");
    cmd("SET")
        .arg("one")
        .arg("1")
        .arg("EX")
        .arg(100)
        .query::<()>(&mut c1)
        .unwrap();
    cmd("SWAPDB").arg(0).arg(1).query::<()>(&mut c0).unwrap();
    assert_eq!(opt(&mut c0, &["GET", "one"]).as_deref(), Some("1"));
    assert!((99..=100).contains(&int(&mut c0, &["TTL", "one"])));
    assert_eq!(int(&mut c0, &["EXISTS", "zero"]), 0);
    assert_eq!(opt(&mut c1, &["GET", "zero"]).as_deref(), Some("0"));
    let keys: Vec<String> = cmd("KEYS").arg("*").query(&mut c1).unwrap();
    assert_eq!(keys, ["zero"]);
    // MOVE and COPY go by database number, after the swap.
    assert_eq!(int(&mut c0, &["MOVE", "one", "1"]), 1);
    assert!((99..=100).contains(&int(&mut c1, &["TTL", "one"])));
    assert_eq!(int(&mut c1, &["COPY", "zero", "zero", "DB", "0"]), 1);
    assert_eq!(opt(&mut c0, &["GET", "zero"]).as_deref(), Some("0"));
}

#[test]
fn object_subcommands() {
    let server = Server::start();
    let mut con = server.conn();
    set(&mut con, "i", "12345");
    set(&mut con, "s", "1");
    set(&mut con, "e", "hello");
    set(&mut con, "r", &"x".repeat(45));
    exact(&server, &["OBJECT", "ENCODING", "i"], "$3\r\nint\r\n");
    exact(&server, &["object", "encoding", "e"], "$6\r\nembstr\r\n");
    exact(&server, &["OBJECT", "ENCODING", "r"], "$3\r\nraw\r\n");
    exact(&server, &["OBJECT", "ENCODING", "nokey"], "$-1\r\n");
    exact(&server, &["OBJECT", "REFCOUNT", "e"], ":1\r\n");
    exact(&server, &["OBJECT", "REFCOUNT", "s"], ":2147483647\r\n");
    exact(&server, &["OBJECT", "IDLETIME", "e"], ":0\r\n");
    exact(&server, &["OBJECT", "FREQ", "nokey"], "$-1\r\n");
    exact(
        &server,
        &["OBJECT", "FREQ", "e"],
        "-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n",
    );
    exact(
        &server,
        &["OBJECT", "foo"],
        "-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n",
    );
    exact(
        &server,
        &["OBJECT", "ENCODING"],
        "-ERR wrong number of arguments for 'object|encoding' command\r\n",
    );
    exact(
        &server,
        &["OBJECT"],
        "-ERR wrong number of arguments for 'object' command\r\n",
    );
    let help: Vec<String> = cmd("OBJECT").arg("HELP").query(&mut con).unwrap();
    assert_eq!(help.len(), 15);
    assert_eq!(help[14], "    Prints this help.");
}
