//! Compatibility with a real redis-server 7: it loads what we write (and `redis-check-rdb`
//! accepts it), and we load what it writes. Skipped, with a message, when `redis-server` is
//! not installed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::roundtrip::{Spec, store_of, write_vec};
use super::support::entry_text;
use crate::rdb::read;
use crate::store::{Store, Value};

/// A redis-server child, killed when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn installed(bin: &str) -> bool {
    Command::new(bin)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// Starts redis-server loading `dir/dbfilename` and waits until it answers.
fn start(dir: &Path, dbfilename: &str) -> Server {
    let port = free_port();
    let child = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .arg("--dir")
        .arg(dir)
        .args(["--dbfilename", dbfilename, "--logfile", "redis.log"])
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn redis-server");
    let mut server = Server { child, port };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(mut c) = TcpStream::connect(("127.0.0.1", port))
            && call(&mut c, &[b"PING"]) == Reply::Status("PONG".into())
        {
            return server;
        }
        let exited = server.child.try_wait().ok().flatten();
        let log = std::fs::read_to_string(dir.join("redis.log")).unwrap_or_default();
        assert!(exited.is_none(), "redis-server exited: {exited:?}\n{log}");
        assert!(
            Instant::now() < deadline,
            "redis-server did not answer\n{log}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[derive(Debug, PartialEq)]
enum Reply {
    Status(String),
    Error(String),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Vec<Reply>),
}

/// Sends one command and reads its reply (a minimal RESP2 client: binary-safe arguments).
fn call(c: &mut TcpStream, args: &[&[u8]]) -> Reply {
    let mut req = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        req.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        req.extend_from_slice(a);
        req.extend_from_slice(b"\r\n");
    }
    c.write_all(&req).expect("send");
    reply(&mut BufReader::new(c))
}

fn reply(r: &mut BufReader<&mut TcpStream>) -> Reply {
    let mut line = String::new();
    r.read_line(&mut line).expect("read");
    let (kind, rest) = line.trim_end().split_at(1);
    match kind {
        "+" => Reply::Status(rest.into()),
        "-" => Reply::Error(rest.into()),
        ":" => Reply::Int(rest.parse().expect("int")),
        "$" if rest == "-1" => Reply::Bulk(None),
        "$" => {
            let mut buf = vec![0; rest.parse::<usize>().expect("len") + 2];
            r.read_exact(&mut buf).expect("bulk");
            buf.truncate(buf.len() - 2);
            Reply::Bulk(Some(buf))
        }
        "*" => Reply::Array(
            (0..rest.parse::<usize>().expect("n"))
                .map(|_| reply(r))
                .collect(),
        ),
        other => panic!("unexpected reply {other}{rest}"),
    }
}

/// Keys of every type and encoding, with binary data, TTLs and several databases.
fn sample() -> Vec<(usize, Vec<u8>, Spec, Option<u64>)> {
    let mut x = 0x9e37_79b9_u64;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let bin: Vec<u8> = (0..300).map(|_| rnd() as u8).collect();
    let words: Vec<Vec<u8>> = (0..3000)
        .map(|i| format!("w{}", rnd() % (i + 1)).into_bytes())
        .collect();
    let ints: Vec<Vec<u8>> = (0..700)
        .map(|_| ((rnd() as i64) >> (rnd() % 60)).to_string().into_bytes())
        .collect();
    let scores: Vec<(Vec<u8>, f64)> = (0..300)
        .map(|i| {
            (
                format!("m{i}").into_bytes(),
                [f64::INFINITY, -0.5, 1e300, (rnd() % 100) as f64][i % 4],
            )
        })
        .collect();
    vec![
        (0, b"str:int".to_vec(), Spec::Str(b"-123456".to_vec()), None),
        (
            0,
            b"str:big-int".to_vec(),
            Spec::Str(b"9223372036854775807".to_vec()),
            None,
        ),
        (
            0,
            b"str:lzf".to_vec(),
            Spec::Str(b"abc".repeat(1000)),
            Some(4_102_444_800_123),
        ),
        (0, b"str:bin\x00\xff".to_vec(), Spec::Str(bin.clone()), None),
        (0, b"".to_vec(), Spec::Str(Vec::new()), None),
        (0, b"list:big".to_vec(), Spec::List(words.clone()), None),
        (
            0,
            b"list:bin".to_vec(),
            Spec::List(vec![bin.clone(), b"1".to_vec(), b"-70000".to_vec()]),
            None,
        ),
        (
            1,
            b"set:intset".to_vec(),
            Spec::Set(ints[..100].to_vec(), 0),
            Some(4_102_444_800_000),
        ),
        (1, b"set:table".to_vec(), Spec::Set(ints.clone(), 0), None),
        (
            1,
            b"set:shrunk".to_vec(),
            Spec::Set(ints.clone(), 650),
            None,
        ),
        (
            1,
            b"set:words".to_vec(),
            Spec::Set(words[..200].to_vec(), 0),
            None,
        ),
        (
            2,
            b"hash:small".to_vec(),
            Spec::Hash(
                vec![
                    (b"a".to_vec(), b"1".to_vec()),
                    (b"".to_vec(), bin[..10].to_vec()),
                ],
                0,
            ),
            None,
        ),
        (
            2,
            b"hash:big".to_vec(),
            Spec::Hash(
                words[..300]
                    .iter()
                    .map(|w| (w.clone(), w.repeat(2)))
                    .collect(),
                0,
            ),
            None,
        ),
        (
            15,
            b"zset:small".to_vec(),
            Spec::ZSet(scores[..20].to_vec(), 0),
            None,
        ),
        (
            15,
            b"zset:big".to_vec(),
            Spec::ZSet(scores.clone(), 0),
            Some(253_402_300_799_999),
        ),
    ]
}

/// Asserts `got` holds exactly the keys of `want`, with the same content and expiry.
fn assert_same_content(want: &Store, got: &Store) {
    for (i, db) in want.dbs() {
        assert_eq!(db.len(), got.db(i).len(), "db {i}: key count");
        for (key, e) in db.iter() {
            let other = got
                .db(i)
                .get(&Bytes::copy_from_slice(key), 0)
                .unwrap_or_else(|| panic!("db {i}: {key:?} missing"));
            assert_eq!(
                entry_text(&e.value),
                entry_text(&other.value),
                "db {i}: {key:?}"
            );
            assert_eq!(e.expire_at(), other.expire_at(), "db {i}: {key:?} expiry");
        }
    }
}

/// Makes the server SAVE (over the file it loaded, `name`: `dbfilename` is a protected
/// config in Redis 7) and loads that file with our reader.
fn save_and_read(server: &Server, dir: &Path, name: &str) -> Store {
    let mut c = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    assert_eq!(call(&mut c, &[b"SAVE"]), Reply::Status("OK".into()));
    let data = std::fs::read(dir.join(name)).expect("saved file");
    read(&data, 16, 1).expect("redis's file loads").store
}

#[test]
fn redis_loads_what_we_write_and_we_load_what_it_writes() {
    if !installed("redis-server") {
        println!("SKIPPED: redis-server is not on PATH (apt-get install redis-server)");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let store = store_of(&sample());
    std::fs::write(dir.path().join("ours.rdb"), write_vec(&store, true)).expect("write");
    if installed("redis-check-rdb") {
        let out = Command::new("redis-check-rdb")
            .arg(dir.path().join("ours.rdb"))
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "redis-check-rdb: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    let server = start(dir.path(), "ours.rdb");
    let mut c = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    assert_eq!(
        call(&mut c, &[b"SELECT", b"15"]),
        Reply::Status("OK".into())
    );
    assert_eq!(
        call(&mut c, &[b"PEXPIRETIME", b"zset:big"]),
        Reply::Int(253_402_300_799_999)
    );
    assert_eq!(
        call(&mut c, &[b"ZSCORE", b"zset:big", b"m0"]),
        Reply::Bulk(Some(b"inf".to_vec()))
    );
    assert_eq!(call(&mut c, &[b"SELECT", b"0"]), Reply::Status("OK".into()));
    assert_eq!(
        call(&mut c, &[b"GET", b"str:bin\x00\xff"]),
        Reply::Bulk(Some(store_str(&store, b"str:bin\x00\xff")))
    );
    assert_eq!(call(&mut c, &[b"LLEN", b"list:big"]), Reply::Int(3000));
    let back = save_and_read(&server, dir.path(), "ours.rdb");
    assert_same_content(&store, &back);

    // The reverse: data created by commands in a fresh server, saved by it, read by us.
    assert_eq!(call(&mut c, &[b"FLUSHALL"]), Reply::Status("OK".into()));
    for (db, key, e) in store
        .dbs()
        .flat_map(|(i, db)| db.iter().map(move |(k, e)| (i, k, e)))
    {
        call(&mut c, &[b"SELECT", db.to_string().as_bytes()]);
        for cmd in commands(key, &e.value) {
            let args: Vec<&[u8]> = cmd.iter().map(Vec::as_slice).collect();
            assert!(
                !matches!(call(&mut c, &args), Reply::Error(_)),
                "{:?}",
                cmd[0]
            );
        }
        if let Some(at) = e.expire_at() {
            call(&mut c, &[b"PEXPIREAT", key, at.to_string().as_bytes()]);
        }
    }
    let theirs = save_and_read(&server, dir.path(), "ours.rdb");
    assert_same_content(&store, &theirs);
}

fn store_str(store: &Store, key: &[u8]) -> Vec<u8> {
    match &store
        .db(0)
        .get(&Bytes::copy_from_slice(key), 0)
        .expect("key")
        .value
    {
        Value::Str(s) => s.to_vec(),
        _ => panic!("not a string"),
    }
}

/// Commands that create `value` under `key` in Redis.
fn commands(key: &[u8], value: &Value) -> Vec<Vec<Vec<u8>>> {
    let head = |cmd: &[u8]| vec![cmd.to_vec(), key.to_vec()];
    let mut cmd = match value {
        Value::Str(s) => return vec![vec![b"SET".to_vec(), key.to_vec(), s.to_vec()]],
        Value::List(l) => [head(b"RPUSH"), l.iter().map(<[u8]>::to_vec).collect()].concat(),
        Value::Set(s) => [
            head(b"SADD"),
            s.iter().map(|m| m.to_bytes().to_vec()).collect(),
        ]
        .concat(),
        Value::Hash(h) => [
            head(b"HSET"),
            h.iter()
                .flat_map(|(f, v)| [f.to_vec(), v.to_vec()])
                .collect(),
        ]
        .concat(),
        Value::ZSet(z) => {
            let pairs = z
                .iter()
                .flat_map(|(m, s)| [super::super::encode::score_text(s), m.to_vec()]);
            [head(b"ZADD"), pairs.collect()].concat()
        }
    };
    cmd.shrink_to_fit();
    vec![cmd]
}
