//! MULTI/EXEC/WATCH end to end: Redis's replies on one node, and WATCH's compare-and-set
//! across a three-node cluster, where EXEC is one log entry checked where it is applied.

use std::thread;
use std::time::Duration;

use redis::{Connection, Value};
use redraft_tests::cluster::Cluster;
use redraft_tests::{Server, resp};

fn cmd(conn: &mut Connection, args: &[&str]) -> redis::RedisResult<Value> {
    let mut c = redis::cmd(args[0]);
    for a in &args[1..] {
        c.arg(*a);
    }
    c.query(conn)
}

fn ok(conn: &mut Connection, args: &[&str]) -> Value {
    cmd(conn, args).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

fn err(conn: &mut Connection, args: &[&str]) -> String {
    match cmd(conn, args) {
        Ok(v) => panic!("{args:?} answered {v:?}, an error was expected"),
        Err(e) => e.to_string(),
    }
}

fn bulk(s: &str) -> Value {
    Value::BulkString(s.as_bytes().to_vec())
}

fn okay() -> Value {
    Value::Okay
}

#[test]
fn exec_answers_each_command_and_applies_despite_runtime_errors() {
    let server = Server::start();
    let mut raw = server.raw();
    raw.roundtrip(&resp(&[b"MULTI"]), "+OK\r\n");
    for q in [
        &[&b"SET"[..], b"a", b"1"][..],
        &[b"INCR", b"a"],
        &[b"GET", b"a"],
        &[b"LPUSH", b"a", b"x"],
        &[b"PING"],
        &[b"SET", b"k", b"v", b"EX", b"notanumber"],
    ] {
        raw.roundtrip(&resp(q), "+QUEUED\r\n");
    }
    // Redis's own replies, byte for byte: a runtime error is one element, the rest apply.
    raw.roundtrip(
        &resp(&[b"EXEC"]),
        "*6\r\n+OK\r\n:2\r\n$1\r\n2\r\n\
         -WRONGTYPE Operation against a key holding the wrong kind of value\r\n+PONG\r\n\
         -ERR value is not an integer or out of range\r\n",
    );
    raw.roundtrip(&resp(&[b"GET", b"a"]), "$1\r\n2\r\n");
}

#[test]
fn queuing_errors_and_misuse_answer_as_redis() {
    let server = Server::start();
    let mut c = server.conn();
    assert!(err(&mut c, &["EXEC"]).contains("EXEC without MULTI"));
    assert!(err(&mut c, &["DISCARD"]).contains("DISCARD without MULTI"));
    ok(&mut c, &["MULTI"]);
    assert!(err(&mut c, &["MULTI"]).contains("MULTI calls can not be nested"));
    assert!(err(&mut c, &["WATCH", "x"]).contains("WATCH inside MULTI is not allowed"));
    ok(&mut c, &["SET", "b", "2"]);
    assert!(err(&mut c, &["FOOBAR"]).contains("unknown command"));
    assert!(err(&mut c, &["GET"]).contains("wrong number of arguments"));
    let e = err(&mut c, &["EXEC"]);
    assert!(
        e.contains("Transaction discarded because of previous errors"),
        "{e}"
    );
    assert_eq!(
        ok(&mut c, &["GET", "b"]),
        Value::Nil,
        "an aborted transaction applies nothing"
    );
    ok(&mut c, &["MULTI"]);
    assert!(err(&mut c, &["SHUTDOWN"]).contains("Command not allowed inside a transaction"));
    assert!(err(&mut c, &["EXEC"]).contains("Transaction discarded"));
    ok(&mut c, &["MULTI"]);
    ok(&mut c, &["SET", "b", "3"]);
    assert_eq!(ok(&mut c, &["DISCARD"]), okay());
    assert_eq!(ok(&mut c, &["GET", "b"]), Value::Nil);
    ok(&mut c, &["MULTI"]);
    assert_eq!(ok(&mut c, &["EXEC"]), Value::Array(vec![]));
}

#[test]
fn watch_aborts_when_another_client_changes_the_key() {
    let server = Server::start();
    let mut c = server.conn();
    let mut other = server.conn();
    ok(&mut c, &["SET", "w", "1"]);
    // Untouched: runs.
    ok(&mut c, &["WATCH", "w"]);
    ok(&mut c, &["MULTI"]);
    ok(&mut c, &["SET", "w", "2"]);
    assert_eq!(ok(&mut c, &["EXEC"]), Value::Array(vec![okay()]));
    // Touched by another client (even rewriting the same value): aborted, nil.
    ok(&mut c, &["WATCH", "w"]);
    ok(&mut other, &["SET", "w", "2"]);
    ok(&mut c, &["MULTI"]);
    ok(&mut c, &["SET", "w", "mine"]);
    assert_eq!(ok(&mut c, &["EXEC"]), Value::Nil);
    assert_eq!(ok(&mut c, &["GET", "w"]), bulk("2"));
    // EXEC unwatches: the next transaction runs.
    ok(&mut other, &["SET", "w", "3"]);
    ok(&mut c, &["MULTI"]);
    ok(&mut c, &["SET", "w", "mine"]);
    assert_eq!(ok(&mut c, &["EXEC"]), Value::Array(vec![okay()]));
    // UNWATCH forgets.
    ok(&mut c, &["WATCH", "w"]);
    ok(&mut other, &["DEL", "w"]);
    ok(&mut c, &["UNWATCH"]);
    ok(&mut c, &["MULTI"]);
    ok(&mut c, &["INCR", "w"]);
    assert_eq!(ok(&mut c, &["EXEC"]), Value::Array(vec![Value::Int(1)]));
    // A missing key created by someone else: aborted.
    ok(&mut c, &["WATCH", "fresh"]);
    ok(&mut other, &["SET", "fresh", "x"]);
    ok(&mut c, &["MULTI"]);
    ok(&mut c, &["SET", "fresh", "mine"]);
    assert_eq!(ok(&mut c, &["EXEC"]), Value::Nil);
    // A watched key that expires before EXEC: aborted (Redis 7).
    ok(&mut c, &["SET", "t", "1", "PX", "100"]);
    ok(&mut c, &["WATCH", "t"]);
    thread::sleep(Duration::from_millis(250));
    ok(&mut c, &["MULTI"]);
    ok(&mut c, &["SET", "other", "1"]);
    assert_eq!(ok(&mut c, &["EXEC"]), Value::Nil);
}

#[test]
fn select_inside_multi_and_resp3_null_reply() {
    let server = Server::start();
    let mut raw = server.raw();
    raw.roundtrip(b"*1\r\n$5\r\nMULTI\r\n", "+OK\r\n");
    raw.roundtrip(b"*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n", "+QUEUED\r\n");
    raw.roundtrip(b"*3\r\n$3\r\nSET\r\n$1\r\ns\r\n$1\r\n1\r\n", "+QUEUED\r\n");
    raw.roundtrip(b"*1\r\n$4\r\nEXEC\r\n", "*2\r\n+OK\r\n+OK\r\n");
    // The connection stays in database 3 afterwards, as in Redis.
    raw.roundtrip(b"*2\r\n$3\r\nGET\r\n$1\r\ns\r\n", "$1\r\n1\r\n");
    raw.roundtrip(b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n", "+OK\r\n");
    raw.roundtrip(b"*2\r\n$3\r\nGET\r\n$1\r\ns\r\n", "$-1\r\n");
    // An aborted EXEC is the null array: *-1 in RESP2, _ in RESP3.
    let mut other = server.conn();
    raw.roundtrip(b"*2\r\n$5\r\nWATCH\r\n$1\r\nz\r\n", "+OK\r\n");
    ok(&mut other, &["SET", "z", "1"]);
    raw.roundtrip(b"*1\r\n$5\r\nMULTI\r\n", "+OK\r\n");
    raw.roundtrip(b"*1\r\n$4\r\nEXEC\r\n", "*-1\r\n");
    raw.send(b"*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n");
    thread::sleep(Duration::from_millis(200));
    let mut buf = [0u8; 4096];
    let _ = std::io::Read::read(&mut raw.stream, &mut buf);
    raw.roundtrip(b"*2\r\n$5\r\nWATCH\r\n$1\r\nz\r\n", "+OK\r\n");
    ok(&mut other, &["SET", "z", "2"]);
    raw.roundtrip(b"*1\r\n$5\r\nMULTI\r\n", "+OK\r\n");
    raw.roundtrip(b"*1\r\n$4\r\nEXEC\r\n", "_\r\n");
}

/// Increments `key` with WATCH/GET/MULTI/SET/EXEC through `conn` until one EXEC succeeds;
/// returns how many attempts were aborted.
fn cas_increment(conn: &mut Connection, key: &str) -> u64 {
    let mut aborted = 0;
    loop {
        ok(conn, &["WATCH", key]);
        let current: Option<i64> = redis::cmd("GET").arg(key).query(conn).expect("GET");
        let next = current.unwrap_or(0) + 1;
        ok(conn, &["MULTI"]);
        ok(conn, &["SET", key, &next.to_string()]);
        match ok(conn, &["EXEC"]) {
            Value::Nil => aborted += 1,
            Value::Array(items) if items == vec![okay()] => return aborted,
            other => panic!("EXEC answered {other:?}"),
        }
    }
}

#[test]
fn compare_and_set_through_every_node_loses_no_increment() {
    let cluster = Cluster::start(3);
    const PER_CLIENT: u64 = 25;
    let handles: Vec<_> = cluster
        .nodes
        .iter()
        .flat_map(|node| [node.port, node.port])
        .map(|port| {
            thread::spawn(move || {
                let client =
                    redis::Client::open(format!("redis://127.0.0.1:{port}/")).expect("client");
                let mut conn = client.get_connection().expect("connect");
                (0..PER_CLIENT)
                    .map(|_| cas_increment(&mut conn, "cas"))
                    .sum::<u64>()
            })
        })
        .collect();
    let clients = handles.len() as u64;
    let aborted: u64 = handles.into_iter().map(|h| h.join().expect("client")).sum();
    println!("{clients} clients x {PER_CLIENT} increments: {aborted} EXECs aborted by WATCH");
    cluster.wait_converged(Duration::from_secs(30));
    for node in &cluster.nodes {
        let mut conn = node.conn();
        ok(&mut conn, &["READONLY"]);
        let got: i64 = redis::cmd("GET").arg("cas").query(&mut conn).expect("GET");
        assert_eq!(
            got as u64,
            clients * PER_CLIENT,
            "node {}: every successful EXEC counted once",
            node.id
        );
    }
}

#[test]
fn watch_on_a_follower_sees_a_write_through_another_node() {
    let cluster = Cluster::start(3);
    let leader = cluster.wait_leader(Duration::from_secs(30));
    let follower = cluster
        .nodes
        .iter()
        .find(|n| n.id != leader)
        .expect("follower");
    let other = cluster
        .nodes
        .iter()
        .find(|n| n.id != leader && n.id != follower.id)
        .expect("another follower");
    let mut f = follower.conn();
    let mut o = other.conn();
    ok(&mut o, &["SET", "acct", "100"]);
    // Through the follower, untouched: applied, on every node.
    ok(&mut f, &["WATCH", "acct"]);
    ok(&mut f, &["MULTI"]);
    ok(&mut f, &["DECRBY", "acct", "30"]);
    ok(&mut f, &["GET", "acct"]);
    assert_eq!(
        ok(&mut f, &["EXEC"]),
        Value::Array(vec![Value::Int(70), bulk("70")])
    );
    // Touched through another node between WATCH and EXEC: aborted.
    ok(&mut f, &["WATCH", "acct"]);
    ok(&mut o, &["INCRBY", "acct", "5"]);
    ok(&mut f, &["MULTI"]);
    ok(&mut f, &["DECRBY", "acct", "30"]);
    assert_eq!(ok(&mut f, &["EXEC"]), Value::Nil);
    cluster.wait_converged(Duration::from_secs(30));
    for node in &cluster.nodes {
        let mut conn = node.conn();
        ok(&mut conn, &["READONLY"]);
        assert_eq!(
            ok(&mut conn, &["GET", "acct"]),
            bulk("75"),
            "node {}",
            node.id
        );
    }
}
