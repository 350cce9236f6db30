//! Pub/Sub through the real binary: Redis 7.0's exact replies on one node (subscription
//! confirmations and counts, patterns, shard channels, RESP3 pushes, the commands a RESP2
//! subscriber may run, PUBSUB introspection, RESET and disconnection, the output limit), and
//! messages crossing a three-node cluster in RESP2 and RESP3, with PUBLISH counting receivers
//! on every node and answering promptly when a node is dead or hung.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use redraft_tests::cluster::Cluster;
use redraft_tests::{Raw, Server, resp};

/// A raw connection to `port` on loopback.
fn raw(port: u16) -> Raw {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("set timeout");
    Raw { stream }
}

fn cmd(args: &[&str]) -> Vec<u8> {
    let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    resp(&args)
}

/// Sends `args` and asserts the reply bytes are exactly `expected`.
fn expect(raw: &mut Raw, args: &[&str], expected: &str) {
    raw.roundtrip(&cmd(args), expected);
}

/// Switches a raw connection to RESP3 (HELLO's reply is not checked here).
fn hello3(raw: &mut Raw) {
    hello(raw, "3", b"%");
}

/// Sends HELLO `version` and reads its whole reply, which starts with `first`.
fn hello(raw: &mut Raw, version: &str, first: &[u8]) {
    raw.send(&cmd(&["HELLO", version]));
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut got = Vec::new();
    // HELLO's map ends with `modules` and its empty array.
    while !got.ends_with(b"*0\r\n") && Instant::now() < deadline {
        match raw.stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    assert!(
        got.starts_with(first),
        "HELLO: {:?}",
        String::from_utf8_lossy(&got)
    );
}

/// Whether nothing arrives on `raw` within `wait`.
fn silent(raw: &mut Raw, wait: Duration) -> bool {
    raw.stream.set_read_timeout(Some(wait)).expect("timeout");
    let mut buf = [0u8; 256];
    let quiet = raw.stream.read(&mut buf).is_err();
    raw.stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    quiet
}

const RESTRICTED: &str =
    "only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context";

#[test]
fn resp2_subscriptions_answer_as_redis() {
    let server = Server::start();
    let mut sub = server.raw();
    expect(
        &mut sub,
        &["UNSUBSCRIBE"],
        "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n",
    );
    expect(
        &mut sub,
        &["PUNSUBSCRIBE"],
        "*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n",
    );
    expect(
        &mut sub,
        &["SUNSUBSCRIBE"],
        "*3\r\n$12\r\nsunsubscribe\r\n$-1\r\n:0\r\n",
    );
    expect(
        &mut sub,
        &["SUBSCRIBE", "a", "b", "a"],
        "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n\
         *3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:2\r\n",
    );
    expect(
        &mut sub,
        &["GET", "k"],
        &format!("-ERR Can't execute 'get': {RESTRICTED}\r\n"),
    );
    expect(
        &mut sub,
        &["CLIENT", "LIST"],
        &format!("-ERR Can't execute 'client|list': {RESTRICTED}\r\n"),
    );
    expect(&mut sub, &["PING"], "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    expect(&mut sub, &["PING", "x"], "*2\r\n$4\r\npong\r\n$1\r\nx\r\n");
    expect(
        &mut sub,
        &["SSUBSCRIBE", "s1"],
        "*3\r\n$10\r\nssubscribe\r\n$2\r\ns1\r\n:1\r\n",
    );
    expect(
        &mut sub,
        &["PSUBSCRIBE", "p*"],
        "*3\r\n$10\r\npsubscribe\r\n$2\r\np*\r\n:3\r\n",
    );

    // Messages: a channel, a pattern, a shard channel; PUBLISH counts each reception.
    let mut publisher = server.raw();
    expect(&mut publisher, &["PUBLISH", "a", "hello"], ":1\r\n");
    sub.roundtrip(b"", "*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$5\r\nhello\r\n");
    expect(&mut publisher, &["PUBLISH", "px", "m"], ":1\r\n");
    sub.roundtrip(
        b"",
        "*4\r\n$8\r\npmessage\r\n$2\r\np*\r\n$2\r\npx\r\n$1\r\nm\r\n",
    );
    expect(&mut publisher, &["SPUBLISH", "s1", "s"], ":1\r\n");
    sub.roundtrip(b"", "*3\r\n$8\r\nsmessage\r\n$2\r\ns1\r\n$1\r\ns\r\n");
    expect(
        &mut publisher,
        &["PUBLISH", "s1", "not a shard message"],
        ":0\r\n",
    );
    expect(&mut publisher, &["PUBLISH", "nobody", "x"], ":0\r\n");

    expect(
        &mut sub,
        &["UNSUBSCRIBE"],
        "*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:2\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:1\r\n",
    );
    expect(
        &mut sub,
        &["PUNSUBSCRIBE"],
        "*3\r\n$12\r\npunsubscribe\r\n$2\r\np*\r\n:0\r\n",
    );
    // Still subscribed to a shard channel: still restricted.
    expect(
        &mut sub,
        &["GET", "k"],
        &format!("-ERR Can't execute 'get': {RESTRICTED}\r\n"),
    );
    expect(
        &mut sub,
        &["SUNSUBSCRIBE"],
        "*3\r\n$12\r\nsunsubscribe\r\n$2\r\ns1\r\n:0\r\n",
    );
    expect(&mut sub, &["GET", "k"], "$-1\r\n");
    expect(&mut sub, &["PING"], "+PONG\r\n");
    expect(
        &mut sub,
        &["SUBSCRIBE"],
        "-ERR wrong number of arguments for 'subscribe' command\r\n",
    );
}

#[test]
fn resp3_pushes_and_allows_every_command() {
    let server = Server::start();
    let mut sub = server.raw();
    hello3(&mut sub);
    expect(
        &mut sub,
        &["UNSUBSCRIBE"],
        ">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n",
    );
    expect(
        &mut sub,
        &["SUBSCRIBE", "a"],
        ">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n",
    );
    expect(&mut sub, &["GET", "k"], "_\r\n");
    expect(&mut sub, &["PING"], "+PONG\r\n");
    // Publishing to itself: the push comes before PUBLISH's count, as in Redis.
    expect(
        &mut sub,
        &["PUBLISH", "a", "m"],
        ">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nm\r\n:1\r\n",
    );
    expect(
        &mut sub,
        &["PSUBSCRIBE", "a*"],
        ">3\r\n$10\r\npsubscribe\r\n$2\r\na*\r\n:2\r\n",
    );
    expect(
        &mut sub,
        &["PUBLISH", "a", "m2"],
        ">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$2\r\nm2\r\n>4\r\n$8\r\npmessage\r\n$2\r\na*\r\n$1\r\na\r\n$2\r\nm2\r\n:2\r\n",
    );
    expect(
        &mut sub,
        &["UNSUBSCRIBE", "zz"],
        ">3\r\n$11\r\nunsubscribe\r\n$2\r\nzz\r\n:2\r\n",
    );
    // A message from another connection arrives between replies.
    let mut publisher = server.raw();
    expect(&mut publisher, &["PUBLISH", "abc", "x"], ":1\r\n");
    sub.roundtrip(
        b"",
        ">4\r\n$8\r\npmessage\r\n$2\r\na*\r\n$3\r\nabc\r\n$1\r\nx\r\n",
    );
    // Back to RESP2 while subscribed: restricted again.
    hello(&mut sub, "2", b"*14\r\n");
    expect(
        &mut sub,
        &["SET", "k", "v"],
        &format!("-ERR Can't execute 'set': {RESTRICTED}\r\n"),
    );
}

#[test]
fn introspection_reset_and_disconnection() {
    let server = Server::start();
    let mut one = server.raw();
    let mut two = server.raw();
    let mut admin = server.raw();
    expect(
        &mut one,
        &["SUBSCRIBE", "news", "sport"],
        "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$5\r\nsport\r\n:2\r\n",
    );
    expect(
        &mut one,
        &["PSUBSCRIBE", "n*"],
        "*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:3\r\n",
    );
    expect(
        &mut two,
        &["SUBSCRIBE", "news"],
        "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n",
    );
    expect(
        &mut two,
        &["PSUBSCRIBE", "n*"],
        "*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:2\r\n",
    );
    expect(
        &mut two,
        &["SSUBSCRIBE", "shard"],
        "*3\r\n$10\r\nssubscribe\r\n$5\r\nshard\r\n:1\r\n",
    );

    expect(
        &mut admin,
        &["PUBSUB", "CHANNELS"],
        "*2\r\n$4\r\nnews\r\n$5\r\nsport\r\n",
    );
    expect(
        &mut admin,
        &["PUBSUB", "CHANNELS", "s*"],
        "*1\r\n$5\r\nsport\r\n",
    );
    expect(
        &mut admin,
        &["PUBSUB", "NUMSUB", "news", "sport", "none"],
        "*6\r\n$4\r\nnews\r\n:2\r\n$5\r\nsport\r\n:1\r\n$4\r\nnone\r\n:0\r\n",
    );
    expect(&mut admin, &["PUBSUB", "NUMPAT"], ":1\r\n");
    expect(
        &mut admin,
        &["PUBSUB", "SHARDCHANNELS"],
        "*1\r\n$5\r\nshard\r\n",
    );
    expect(
        &mut admin,
        &["PUBSUB", "SHARDNUMSUB", "shard"],
        "*2\r\n$5\r\nshard\r\n:1\r\n",
    );
    expect(
        &mut admin,
        &["PUBSUB", "CHANNELS", "a", "b"],
        "-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.\r\n",
    );
    expect(
        &mut admin,
        &["PUBSUB", "NUMPAT", "x"],
        "-ERR wrong number of arguments for 'pubsub|numpat' command\r\n",
    );
    // Two connections, each on the channel and a matching pattern: four receptions.
    expect(&mut admin, &["PUBLISH", "news", "x"], ":4\r\n");

    // CLIENT LIST shows the counts and the P flag; TYPE pubsub selects subscribers.
    let mut conn = server.conn();
    let list: String = redis::cmd("CLIENT")
        .arg("LIST")
        .query(&mut conn)
        .expect("CLIENT LIST");
    assert!(
        list.lines()
            .any(|l| l.contains(" flags=P ") && l.contains(" sub=2 psub=1 ssub=0 ")),
        "{list}"
    );
    assert!(
        list.lines()
            .any(|l| l.contains(" flags=P ") && l.contains(" sub=1 psub=1 ssub=1 ")),
        "{list}"
    );
    let pubsub_clients: String = redis::cmd("CLIENT")
        .arg("LIST")
        .arg("TYPE")
        .arg("pubsub")
        .query(&mut conn)
        .expect("CLIENT LIST TYPE pubsub");
    assert_eq!(pubsub_clients.lines().count(), 2, "{pubsub_clients}");
    let info: String = redis::cmd("INFO")
        .arg("stats")
        .query(&mut conn)
        .expect("INFO");
    for field in [
        "pubsub_channels:2",
        "pubsub_patterns:1",
        "pubsubshard_channels:1",
    ] {
        assert!(info.contains(field), "{field} in {info}");
    }

    // RESET leaves every subscription; closing the connection too.
    one.roundtrip(
        b"",
        "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$1\r\nx\r\n\
         *4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$1\r\nx\r\n",
    );
    expect(&mut one, &["RESET"], "+RESET\r\n");
    expect(&mut one, &["GET", "k"], "$-1\r\n");
    expect(
        &mut admin,
        &["PUBSUB", "NUMSUB", "news", "sport"],
        "*4\r\n$4\r\nnews\r\n:1\r\n$5\r\nsport\r\n:0\r\n",
    );
    drop(two);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        admin.send(&cmd(&["PUBSUB", "NUMPAT"]));
        if admin.read_n(4) == ":0\r\n" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the closed subscriber's pattern stayed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    expect(&mut admin, &["PUBSUB", "CHANNELS"], "*0\r\n");
    expect(&mut admin, &["PUBSUB", "SHARDCHANNELS"], "*0\r\n");
}

/// A subscriber that never reads is disconnected once more than 32 MB wait for it, as Redis's
/// `client-output-buffer-limit pubsub 32mb`; the server's memory does not follow the backlog.
#[test]
fn a_subscriber_that_never_reads_is_disconnected() {
    let server = Server::start();
    let mut sub = server.raw();
    expect(
        &mut sub,
        &["SUBSCRIBE", "flood"],
        "*3\r\n$9\r\nsubscribe\r\n$5\r\nflood\r\n:1\r\n",
    );
    let mut publisher = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    publisher
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let payload = vec![b'x'; 1024 * 1024];
    let request = resp(&[b"PUBLISH", b"flood", &payload]);
    let mut gone = false;
    for _ in 0..80 {
        publisher.write_all(&request).expect("publish");
        let mut reply = [0u8; 4];
        publisher.read_exact(&mut reply).expect("PUBLISH reply");
        if &reply == b":0\r\n" {
            gone = true;
            break;
        }
    }
    assert!(gone, "the subscriber was still counted after 80 MB unread");
    let mut admin = server.raw();
    expect(
        &mut admin,
        &["PUBSUB", "NUMSUB", "flood"],
        "*2\r\n$5\r\nflood\r\n:0\r\n",
    );
    // Its socket is closed: reading drains what was sent, then ends.
    sub.stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut buf = vec![0u8; 1 << 20];
    let ended = loop {
        match sub.stream.read(&mut buf) {
            Ok(0) => break true,
            Ok(_) => continue,
            Err(e) => break e.kind() == std::io::ErrorKind::ConnectionReset,
        }
    };
    assert!(ended, "the subscriber's connection stayed open");
}

#[test]
fn messages_cross_the_cluster_in_resp2_and_resp3() {
    let mut cluster = Cluster::start(3);
    cluster.wait_converged(Duration::from_secs(30));
    let port = |c: &Cluster, id: u64| c.node(id).port;
    let mut sub2 = raw(port(&cluster, 3));
    let mut sub3 = raw(port(&cluster, 3));
    hello3(&mut sub3);
    let mut psub = raw(port(&cluster, 2));
    expect(
        &mut sub2,
        &["SUBSCRIBE", "room"],
        "*3\r\n$9\r\nsubscribe\r\n$4\r\nroom\r\n:1\r\n",
    );
    expect(
        &mut sub3,
        &["SUBSCRIBE", "room"],
        ">3\r\n$9\r\nsubscribe\r\n$4\r\nroom\r\n:1\r\n",
    );
    expect(
        &mut psub,
        &["PSUBSCRIBE", "ro*"],
        "*3\r\n$10\r\npsubscribe\r\n$3\r\nro*\r\n:1\r\n",
    );

    for from in [1, 2, 3] {
        let message = format!("from-{from}");
        let mut publisher = raw(port(&cluster, from));
        // Two subscribers on node 3, a pattern on node 2: three receptions, wherever sent.
        expect(&mut publisher, &["PUBLISH", "room", &message], ":3\r\n");
        sub2.roundtrip(
            b"",
            &format!("*3\r\n$7\r\nmessage\r\n$4\r\nroom\r\n$6\r\n{message}\r\n"),
        );
        sub3.roundtrip(
            b"",
            &format!(">3\r\n$7\r\nmessage\r\n$4\r\nroom\r\n$6\r\n{message}\r\n"),
        );
        psub.roundtrip(
            b"",
            &format!("*4\r\n$8\r\npmessage\r\n$3\r\nro*\r\n$4\r\nroom\r\n$6\r\n{message}\r\n"),
        );
    }
    // Shard channels cross nodes too (the cluster is one shard).
    expect(
        &mut sub3,
        &["SSUBSCRIBE", "s"],
        ">3\r\n$10\r\nssubscribe\r\n$1\r\ns\r\n:1\r\n",
    );
    let mut publisher = raw(port(&cluster, 1));
    expect(&mut publisher, &["SPUBLISH", "s", "x"], ":1\r\n");
    sub3.roundtrip(b"", ">3\r\n$8\r\nsmessage\r\n$1\r\ns\r\n$1\r\nx\r\n");
    // Introspection is per node, as in Redis Cluster.
    expect(
        &mut publisher,
        &["PUBSUB", "NUMSUB", "room"],
        "*2\r\n$4\r\nroom\r\n:0\r\n",
    );
    let mut on3 = raw(port(&cluster, 3));
    expect(
        &mut on3,
        &["PUBSUB", "NUMSUB", "room"],
        "*2\r\n$4\r\nroom\r\n:2\r\n",
    );

    // Node 2 dies: PUBLISH on node 1 still answers promptly, counting node 3's subscribers,
    // and node 3's subscribers still receive.
    cluster.node_mut(2).kill();
    for round in 0..5 {
        let started = Instant::now();
        expect(&mut publisher, &["PUBLISH", "room", "after"], ":2\r\n");
        let took = started.elapsed();
        println!("PUBLISH {round} with node 2 dead took {took:?}");
        assert!(took < Duration::from_millis(1500), "PUBLISH took {took:?}");
        sub2.roundtrip(b"", "*3\r\n$7\r\nmessage\r\n$4\r\nroom\r\n$5\r\nafter\r\n");
        sub3.roundtrip(b"", ">3\r\n$7\r\nmessage\r\n$4\r\nroom\r\n$5\r\nafter\r\n");
    }
    assert!(
        silent(&mut sub2, Duration::from_millis(200)),
        "no duplicate"
    );

    // Back up, node 2's new subscribers are counted again.
    cluster.start_node(2);
    let mut psub = raw(port(&cluster, 2));
    expect(
        &mut psub,
        &["PSUBSCRIBE", "ro*"],
        "*3\r\n$10\r\npsubscribe\r\n$3\r\nro*\r\n:1\r\n",
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        publisher.send(&cmd(&["PUBLISH", "room", "again"]));
        let got = publisher.read_n(4);
        let _ = sub2.read_n("*3\r\n$7\r\nmessage\r\n$4\r\nroom\r\n$5\r\nagain\r\n".len());
        let _ = sub3.read_n(">3\r\n$7\r\nmessage\r\n$4\r\nroom\r\n$5\r\nagain\r\n".len());
        if got == ":3\r\n" {
            break;
        }
        assert_eq!(got, ":2\r\n");
        assert!(Instant::now() < deadline, "node 2 was not counted again");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Sends a signal to a node's process.
fn signal(pid: u32, sig: &str) {
    let ok = std::process::Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "kill {sig} {pid}");
}

/// A node that accepts connections but never answers (SIGSTOP) costs PUBLISH one bounded
/// wait; later messages do not wait for it, until it answers again.
#[test]
fn a_hung_node_costs_publish_one_bounded_wait() {
    let cluster = Cluster::start(3);
    cluster.wait_converged(Duration::from_secs(30));
    let mut sub = raw(cluster.node(3).port);
    expect(
        &mut sub,
        &["SUBSCRIBE", "room"],
        "*3\r\n$9\r\nsubscribe\r\n$4\r\nroom\r\n:1\r\n",
    );
    let mut publisher = raw(cluster.node(1).port);
    expect(&mut publisher, &["PUBLISH", "room", "warm"], ":1\r\n");
    sub.roundtrip(b"", "*3\r\n$7\r\nmessage\r\n$4\r\nroom\r\n$4\r\nwarm\r\n");
    let pid = cluster.node(2).pid().expect("node 2 runs");
    signal(pid, "-STOP");
    let mut later = Duration::ZERO;
    for round in 0..5 {
        let started = Instant::now();
        expect(&mut publisher, &["PUBLISH", "room", "m"], ":1\r\n");
        let took = started.elapsed();
        println!("PUBLISH {round} with node 2 hung took {took:?}");
        assert!(took < Duration::from_millis(1500), "PUBLISH took {took:?}");
        if round > 0 {
            later += took;
        }
        sub.roundtrip(b"", "*3\r\n$7\r\nmessage\r\n$4\r\nroom\r\n$1\r\nm\r\n");
    }
    // Waiting for the hung node each time would take 4 x 500 ms.
    assert!(
        later < Duration::from_millis(1000),
        "later PUBLISHes took {later:?}"
    );
    signal(pid, "-CONT");
}
