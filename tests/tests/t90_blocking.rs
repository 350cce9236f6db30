//! Blocking commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP)
//! on a real three-node cluster: clients blocked on followers woken by pushes on other nodes,
//! served in the order they blocked; timeouts; Redis 7.0's exact replies; MULTI; CLIENT
//! UNBLOCK and the `b` flag; every element popped exactly once under concurrent poppers and
//! pushers; and the leader killed while clients wait on followers.

use std::collections::HashSet;
use std::io::Read;
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use redis::{Connection, Value};
use redraft_tests::cluster::Cluster;
use redraft_tests::{Raw, resp};

fn raw(port: u16) -> Raw {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("set timeout");
    Raw { stream }
}

fn cmd(args: &[&str]) -> Vec<u8> {
    let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    resp(&args)
}

fn expect(raw: &mut Raw, args: &[&str], expected: &str) {
    raw.roundtrip(&cmd(args), expected);
}

/// Reads whatever one reply sends (up to a short pause after the first bytes).
fn read_reply(raw: &mut Raw, wait: Duration) -> String {
    raw.stream.set_read_timeout(Some(wait)).expect("timeout");
    let mut buf = [0u8; 4096];
    let mut got = Vec::new();
    if let Ok(n) = raw.stream.read(&mut buf) {
        got.extend_from_slice(&buf[..n]);
    }
    raw.stream
        .set_read_timeout(Some(Duration::from_millis(100)))
        .expect("timeout");
    while let Ok(n) = raw.stream.read(&mut buf) {
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&got).into_owned()
}

fn run(conn: &mut Connection, args: &[&str]) -> redis::RedisResult<Value> {
    let mut c = redis::cmd(args[0]);
    for a in &args[1..] {
        c.arg(*a);
    }
    c.query(conn)
}

fn ok(conn: &mut Connection, args: &[&str]) -> Value {
    run(conn, args).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

fn followers(cluster: &Cluster) -> (u64, u64, u64) {
    let leader = cluster.wait_leader(Duration::from_secs(10));
    let others: Vec<u64> = (1..=3).filter(|&id| id != leader).collect();
    (leader, others[0], others[1])
}

/// The id of a connection, for CLIENT UNBLOCK.
fn client_id(raw: &mut Raw) -> String {
    raw.send(&cmd(&["CLIENT", "ID"]));
    let reply = read_reply(raw, Duration::from_secs(5));
    reply.trim_start_matches(':').trim().to_string()
}

/// Waits until `port` reports `n` blocked clients (INFO clients).
fn wait_blocked(port: u16, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut c = raw(port);
    loop {
        c.send(&cmd(&["INFO", "clients"]));
        let info = read_reply(&mut c, Duration::from_secs(5));
        if info.contains(&format!("blocked_clients:{n}\r\n")) {
            // The leader registers a forwarded client a moment after the follower marks it.
            thread::sleep(Duration::from_millis(150));
            return;
        }
        assert!(Instant::now() < deadline, "{n} blocked clients: {info}");
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn blocking_commands_across_the_cluster() {
    let cluster = Cluster::start(3);
    let (leader, f1, f2) = followers(&cluster);
    let (lp, p1, p2) = (
        cluster.node(leader).port,
        cluster.node(f1).port,
        cluster.node(f2).port,
    );

    // Redis's errors.
    let mut c = raw(p1);
    expect(
        &mut c,
        &["BLPOP", "k", "-1"],
        "-ERR timeout is negative\r\n",
    );
    expect(
        &mut c,
        &["BLPOP", "k", "abc"],
        "-ERR timeout is not a float or out of range\r\n",
    );
    expect(
        &mut c,
        &["BLMPOP", "0", "0", "k", "LEFT"],
        "-ERR numkeys should be greater than 0\r\n",
    );
    expect(
        &mut c,
        &["BLMOVE", "a", "b", "up", "left", "0"],
        "-ERR syntax error\r\n",
    );

    // A BLPOP on a follower, woken by an RPUSH on the other follower.
    let mut blocked = raw(p1);
    blocked.send(&cmd(&["BLPOP", "wake", "0"]));
    wait_blocked(p1, 1);
    // CLIENT LIST shows the `b` flag; INFO counts it.
    let mut other = raw(p1);
    other.send(&cmd(&["CLIENT", "LIST"]));
    assert!(read_reply(&mut other, Duration::from_secs(5)).contains(" flags=b "));
    expect(&mut raw(p2), &["RPUSH", "wake", "hello"], ":1\r\n");
    assert_eq!(
        read_reply(&mut blocked, Duration::from_secs(5)),
        "*2\r\n$4\r\nwake\r\n$5\r\nhello\r\n"
    );
    wait_blocked(p1, 0);

    // Data already there: answered at once, like the non-blocking form.
    expect(&mut c, &["RPUSH", "now", "x"], ":1\r\n");
    expect(
        &mut c,
        &["BRPOP", "none", "now", "0"],
        "*2\r\n$3\r\nnow\r\n$1\r\nx\r\n",
    );

    // FIFO: three clients on two followers and the leader, served in the order they blocked.
    let mut waiting: Vec<Raw> = Vec::new();
    for port in [p1, p2, lp] {
        let mut w = raw(port);
        w.send(&cmd(&["BLPOP", "fifo", "0"]));
        wait_blocked(port, 1);
        waiting.push(w);
    }
    expect(&mut raw(p2), &["RPUSH", "fifo", "1", "2", "3"], ":3\r\n");
    for (i, w) in waiting.iter_mut().enumerate() {
        assert_eq!(
            read_reply(w, Duration::from_secs(5)),
            format!("*2\r\n$4\r\nfifo\r\n$1\r\n{}\r\n", i + 1),
            "client {i}"
        );
    }

    // Timeouts: a nil array after about the timeout, float timeouts included, on a
    // follower and on the leader.
    for port in [p1, lp] {
        let mut t = raw(port);
        let started = Instant::now();
        expect(&mut t, &["BLPOP", "nothing", "0.3"], "*-1\r\n");
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(290) && took < Duration::from_secs(3),
            "{took:?}"
        );
        expect(
            &mut t,
            &["BLMOVE", "nothing", "d", "LEFT", "RIGHT", "0.1"],
            "*-1\r\n",
        );
        expect(&mut t, &["BZPOPMIN", "nothing", ".1"], "*-1\r\n");
    }

    // The other commands' replies, at once and woken.
    let mut r = raw(p2);
    expect(&mut r, &["RPUSH", "src", "a", "b", "c"], ":3\r\n");
    expect(
        &mut r,
        &["BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"],
        "$1\r\na\r\n",
    );
    expect(&mut r, &["BRPOPLPUSH", "src", "dst", "0"], "$1\r\nc\r\n");
    expect(
        &mut r,
        &["LRANGE", "dst", "0", "-1"],
        "*2\r\n$1\r\nc\r\n$1\r\na\r\n",
    );
    expect(
        &mut r,
        &["BLMPOP", "0", "2", "none", "src", "RIGHT", "COUNT", "5"],
        "*2\r\n$3\r\nsrc\r\n*1\r\n$1\r\nb\r\n",
    );
    expect(
        &mut r,
        &["ZADD", "z", "1", "a", "2.5", "b", "3", "c"],
        ":3\r\n",
    );
    expect(
        &mut r,
        &["BZPOPMIN", "z", "0"],
        "*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n",
    );
    expect(
        &mut r,
        &["BZPOPMAX", "z", "0"],
        "*3\r\n$1\r\nz\r\n$1\r\nc\r\n$1\r\n3\r\n",
    );
    expect(
        &mut r,
        &["BZMPOP", "0", "1", "z", "MIN", "COUNT", "3"],
        "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nb\r\n$3\r\n2.5\r\n",
    );
    let mut w = raw(p1);
    w.send(&cmd(&["BLMOVE", "src2", "dst2", "RIGHT", "LEFT", "0"]));
    let mut z = raw(p2);
    z.send(&cmd(&["BZMPOP", "0", "2", "z1", "z2", "MAX"]));
    let mut m = raw(lp);
    m.send(&cmd(&["BLMPOP", "0", "1", "l2", "LEFT", "COUNT", "2"]));
    wait_blocked(p1, 1);
    wait_blocked(p2, 1);
    wait_blocked(lp, 1);
    expect(&mut r, &["RPUSH", "src2", "x"], ":1\r\n");
    expect(&mut r, &["ZADD", "z2", "7", "m"], ":1\r\n");
    expect(&mut r, &["RPUSH", "l2", "1", "2", "3"], ":3\r\n");
    assert_eq!(read_reply(&mut w, Duration::from_secs(5)), "$1\r\nx\r\n");
    assert_eq!(
        read_reply(&mut z, Duration::from_secs(5)),
        "*2\r\n$2\r\nz2\r\n*1\r\n*2\r\n$1\r\nm\r\n$1\r\n7\r\n"
    );
    assert_eq!(
        read_reply(&mut m, Duration::from_secs(5)),
        "*2\r\n$2\r\nl2\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n"
    );
    expect(&mut r, &["LRANGE", "dst2", "0", "-1"], "*1\r\n$1\r\nx\r\n");

    // Inside MULTI they never block: the non-blocking form's nil.
    expect(&mut r, &["MULTI"], "+OK\r\n");
    expect(&mut r, &["BLPOP", "none", "0"], "+QUEUED\r\n");
    expect(
        &mut r,
        &["BLMOVE", "none", "d", "LEFT", "LEFT", "0"],
        "+QUEUED\r\n",
    );
    expect(&mut r, &["BZPOPMIN", "none", "0"], "+QUEUED\r\n");
    expect(&mut r, &["RPUSH", "l3", "v"], "+QUEUED\r\n");
    expect(&mut r, &["BLPOP", "l3", "0"], "+QUEUED\r\n");
    expect(
        &mut r,
        &["EXEC"],
        "*5\r\n*-1\r\n$-1\r\n*-1\r\n:1\r\n*2\r\n$2\r\nl3\r\n$1\r\nv\r\n",
    );
    // In scripts: refused like Redis 7.0 (BLPOP is `noscript`), BLMPOP runs without blocking.
    expect(
        &mut r,
        &[
            "EVAL",
            "return redis.call('blmpop', 0, 1, 'none', 'left')",
            "0",
        ],
        "$-1\r\n",
    );

    // CLIENT UNBLOCK, on a follower's client and on the leader's.
    for port in [p1, lp] {
        let mut b = raw(port);
        let id = client_id(&mut b);
        b.send(&cmd(&["BLPOP", "never", "0"]));
        wait_blocked(port, 1);
        let mut admin = raw(port);
        expect(&mut admin, &["CLIENT", "UNBLOCK", &id], ":1\r\n");
        assert_eq!(read_reply(&mut b, Duration::from_secs(5)), "*-1\r\n");
        expect(&mut admin, &["CLIENT", "UNBLOCK", &id], ":0\r\n");
        b.send(&cmd(&["BZPOPMAX", "never", "0"]));
        wait_blocked(port, 1);
        expect(&mut admin, &["CLIENT", "UNBLOCK", &id, "ERROR"], ":1\r\n");
        assert_eq!(
            read_reply(&mut b, Duration::from_secs(5)),
            "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
        );
        expect(
            &mut admin,
            &["CLIENT", "UNBLOCK", &id, "MAYBE"],
            "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n",
        );
        // The connection still works.
        expect(&mut b, &["PING"], "+PONG\r\n");
    }

    // A client that disconnects while blocked leaves the queue: the next one gets the item.
    let mut gone = raw(p1);
    gone.send(&cmd(&["BLPOP", "leave", "0"]));
    wait_blocked(p1, 1);
    let mut stays = raw(p2);
    stays.send(&cmd(&["BLPOP", "leave", "0"]));
    wait_blocked(p2, 1);
    drop(gone);
    wait_blocked(p1, 0);
    thread::sleep(Duration::from_millis(300));
    expect(&mut r, &["RPUSH", "leave", "only"], ":1\r\n");
    assert_eq!(
        read_reply(&mut stays, Duration::from_secs(5)),
        "*2\r\n$5\r\nleave\r\n$4\r\nonly\r\n"
    );
}

#[test]
fn every_element_is_popped_exactly_once() {
    const PUSHERS: usize = 3;
    const PER_PUSHER: usize = 60;
    let cluster = Cluster::start(3);
    let ports: Vec<u16> = (1..=3).map(|id| cluster.node(id).port).collect();
    let total = PUSHERS * PER_PUSHER;
    let popped = Arc::new(Mutex::new(Vec::<String>::new()));
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut handles = Vec::new();
    for i in 0..6 {
        let port = ports[i % 3];
        let popped = popped.clone();
        handles.push(thread::spawn(move || {
            let mut conn = redis::Client::open(format!("redis://127.0.0.1:{port}/"))
                .expect("client")
                .get_connection()
                .expect("connect");
            while popped.lock().expect("lock").len() < total && Instant::now() < deadline {
                let keys = if i % 2 == 0 { "q1" } else { "q2" };
                let reply = if i % 3 == 0 {
                    run(&mut conn, &["BLMPOP", "0.5", "2", keys, "q1", "LEFT"])
                } else {
                    run(&mut conn, &["BRPOP", keys, "q2", "0.5"])
                };
                match reply {
                    Ok(Value::Nil) => {}
                    Ok(Value::Array(items)) => {
                        let item = match &items[..] {
                            [_, Value::BulkString(v)] => v.clone(),
                            [_, Value::Array(list)] => match &list[..] {
                                [Value::BulkString(v)] => v.clone(),
                                other => panic!("{other:?}"),
                            },
                            other => panic!("{other:?}"),
                        };
                        popped
                            .lock()
                            .expect("lock")
                            .push(String::from_utf8(item).expect("utf8"));
                    }
                    other => panic!("{other:?}"),
                }
            }
        }));
    }
    let mut pushers = Vec::new();
    for p in 0..PUSHERS {
        let port = ports[(p + 1) % 3];
        pushers.push(thread::spawn(move || {
            let mut conn = redis::Client::open(format!("redis://127.0.0.1:{port}/"))
                .expect("client")
                .get_connection()
                .expect("connect");
            for n in 0..PER_PUSHER {
                let key = if n % 2 == 0 { "q1" } else { "q2" };
                ok(&mut conn, &["LPUSH", key, &format!("{p}-{n}")]);
                if n % 10 == 0 {
                    thread::sleep(Duration::from_millis(20));
                }
            }
        }));
    }
    for h in pushers.into_iter().chain(handles) {
        h.join().expect("thread");
    }
    let popped = popped.lock().expect("lock").clone();
    let unique: HashSet<&String> = popped.iter().collect();
    assert_eq!(unique.len(), popped.len(), "an element was popped twice");
    assert_eq!(popped.len(), total, "every element was popped");
}

#[test]
fn leader_killed_while_clients_block_on_followers() {
    let mut cluster = Cluster::start(3);
    let (leader, f1, f2) = followers(&cluster);
    let (p1, p2) = (cluster.node(f1).port, cluster.node(f2).port);
    let mut waiting = Vec::new();
    for (i, port) in [p1, p2, p1, p2].into_iter().enumerate() {
        let mut w = raw(port);
        w.send(&cmd(&["BLPOP", "fail", "0"]));
        wait_blocked(port, i / 2 + 1);
        waiting.push(w);
    }
    // Two are served, then the leader dies under the other two.
    expect(&mut raw(p1), &["RPUSH", "fail", "a", "b"], ":2\r\n");
    let mut got = Vec::new();
    for w in waiting.iter_mut().take(2) {
        got.push(read_reply(w, Duration::from_secs(5)));
    }
    assert_eq!(
        got,
        vec![
            "*2\r\n$4\r\nfail\r\n$1\r\na\r\n".to_string(),
            "*2\r\n$4\r\nfail\r\n$1\r\nb\r\n".to_string()
        ]
    );
    cluster.node_mut(leader).kill();
    let started = Instant::now();
    for w in waiting.iter_mut().skip(2) {
        let reply = read_reply(w, Duration::from_secs(10));
        assert!(
            reply.starts_with('-'),
            "a client blocked when the leader died got {reply:?}"
        );
    }
    assert!(started.elapsed() < Duration::from_secs(10));
    // The cluster goes on: a new leader serves new blocked clients; nothing was popped twice
    // (the list is empty, its two elements went to the two served clients).
    cluster.wait_leader(Duration::from_secs(15));
    let mut c = cluster.node(f1).conn();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match run(&mut c, &["LLEN", "fail"]) {
            Ok(Value::Int(0)) => break,
            other if Instant::now() > deadline => panic!("{other:?}"),
            _ => thread::sleep(Duration::from_millis(100)),
        }
    }
    let mut w = raw(p2);
    w.send(&cmd(&["BLPOP", "after", "0"]));
    wait_blocked(p2, 1);
    expect(&mut raw(p1), &["RPUSH", "after", "z"], ":1\r\n");
    assert_eq!(
        read_reply(&mut w, Duration::from_secs(5)),
        "*2\r\n$5\r\nafter\r\n$1\r\nz\r\n"
    );
}
