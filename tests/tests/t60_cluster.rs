//! Replication end to end: three (or more) real `redraft` processes on loopback.
//!
//! Every acknowledged write must be on every node afterwards; nodes are checked with
//! READONLY connections, which read each node's own state.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use redraft_tests::cluster::{Cluster, ClusterNode};

/// Reads `key` from `node`'s own state.
fn local_get(node: &ClusterNode, key: &str) -> Option<String> {
    let mut conn = node.conn();
    let _: () = redis::cmd("READONLY").query(&mut conn).expect("READONLY");
    redis::cmd("GET").arg(key).query(&mut conn).expect("GET")
}

#[test]
fn writes_through_any_node_are_read_through_every_other() {
    let cluster = Cluster::start(3);
    for node in &cluster.nodes {
        let mut conn = node.conn();
        let _: () = redis::cmd("SET")
            .arg(format!("k{}", node.id))
            .arg(format!("v{}", node.id))
            .query(&mut conn)
            .expect("SET through any node");
        let n: i64 = redis::cmd("INCR")
            .arg("counter")
            .query(&mut conn)
            .expect("INCR");
        assert!(n >= 1);
    }
    for writer in &cluster.nodes {
        for reader in &cluster.nodes {
            let mut conn = reader.conn();
            // Linearizable reads: a write acknowledged before is seen, on any node.
            let got: Option<String> = redis::cmd("GET")
                .arg(format!("k{}", writer.id))
                .query(&mut conn)
                .expect("GET");
            assert_eq!(got, Some(format!("v{}", writer.id)));
        }
        let mut conn = writer.conn();
        let n: i64 = redis::cmd("GET")
            .arg("counter")
            .query(&mut conn)
            .expect("GET");
        assert_eq!(n, 3);
    }
    // Within one connection, pipelined reads see the connection's earlier writes, and not
    // its later ones (reads and writes pipelined together are one log entry).
    for (n, node) in cluster.nodes.iter().enumerate() {
        let mut conn = node.conn();
        let (a, b): (i64, i64) = redis::pipe()
            .cmd("INCR")
            .arg("p")
            .cmd("GET")
            .arg("p")
            .query(&mut conn)
            .expect("pipeline");
        assert_eq!(a, b);
        let q = format!("q{n}");
        let replies: (Option<String>, (), String, String, i64, String, i64) = redis::pipe()
            .cmd("GET")
            .arg(&q)
            .cmd("SET")
            .arg(&q)
            .arg("v1")
            .cmd("GET")
            .arg(&q)
            .cmd("TYPE")
            .arg(&q)
            .cmd("APPEND")
            .arg(&q)
            .arg("2")
            .cmd("GET")
            .arg(&q)
            .cmd("STRLEN")
            .arg(&q)
            .query(&mut conn)
            .expect("mixed pipeline");
        assert_eq!(
            replies,
            (None, (), "v1".into(), "string".into(), 3, "v12".into(), 3)
        );
    }
    // A write that changes nothing takes no log entry, through whichever node it comes.
    let leader = cluster.wait_leader(Duration::from_secs(10));
    let added: i64 = redis::cmd("SADD")
        .arg("members")
        .arg("a")
        .query(&mut cluster.node(leader).conn())
        .expect("SADD");
    assert_eq!(added, 1);
    let before = cluster.raft_field(leader, "raft_last_log_index");
    for node in &cluster.nodes {
        let (again, gone): (i64, i64) = redis::pipe()
            .cmd("SADD")
            .arg("members")
            .arg("a")
            .cmd("DEL")
            .arg("no-such-key")
            .query(&mut node.conn())
            .expect("unchanged writes");
        assert_eq!((again, gone), (0, 0), "through node {}", node.id);
    }
    assert_eq!(cluster.raft_field(leader, "raft_last_log_index"), before);
    // ROLE and INFO replication speak Redis.
    let mut conn = cluster.node(leader).conn();
    // WAIT: both followers hold the writes so far.
    let _: () = redis::cmd("SET")
        .arg("w")
        .arg("1")
        .query(&mut conn)
        .expect("SET");
    let held: i64 = redis::cmd("WAIT")
        .arg(2)
        .arg(5000)
        .query(&mut conn)
        .expect("WAIT");
    assert_eq!(held, 2);
    let role: redis::Value = redis::cmd("ROLE").query(&mut conn).expect("ROLE");
    let redis::Value::Array(items) = role else {
        panic!("ROLE: {role:?}")
    };
    assert_eq!(items[0], redis::Value::BulkString(b"master".to_vec()));
    let follower = cluster
        .nodes
        .iter()
        .find(|n| n.id != leader)
        .expect("follower");
    let info: String = redis::cmd("INFO")
        .arg("replication")
        .query(&mut follower.conn())
        .expect("INFO");
    assert!(info.contains("role:slave"), "{info}");
    assert!(
        info.contains(&format!("master_port:{}", cluster.node(leader).port)),
        "{info}"
    );
    let acked: BTreeMap<String, String> = (1..=3)
        .map(|i| (format!("k{i}"), format!("v{i}")))
        .collect();
    cluster.assert_everywhere(&acked);
}

/// Writes unique keys through `node_port` until stopped; records every acknowledged one.
fn writer(
    port: u16,
    prefix: &'static str,
    stop: Arc<AtomicBool>,
    acked: Arc<Mutex<BTreeMap<String, String>>>,
) -> std::thread::JoinHandle<(u64, u64)> {
    std::thread::spawn(move || {
        let (mut ok, mut failed) = (0u64, 0u64);
        let mut conn: Option<redis::Connection> = None;
        let mut i = 0u64;
        while !stop.load(Ordering::Relaxed) {
            i += 1;
            let c = match conn.as_mut() {
                Some(c) => c,
                None => {
                    match redis::Client::open(format!("redis://127.0.0.1:{port}/"))
                        .and_then(|c| c.get_connection_with_timeout(Duration::from_secs(2)))
                    {
                        Ok(c) => {
                            let _ = c.set_read_timeout(Some(Duration::from_secs(15)));
                            conn.insert(c)
                        }
                        Err(_) => {
                            failed += 1;
                            std::thread::sleep(Duration::from_millis(50));
                            continue;
                        }
                    }
                }
            };
            let key = format!("{prefix}:{i}");
            let value = format!("value-{i}");
            match redis::cmd("SET").arg(&key).arg(&value).query::<()>(c) {
                Ok(()) => {
                    ok += 1;
                    acked.lock().expect("lock").insert(key, value);
                }
                Err(e) => {
                    failed += 1;
                    if e.is_io_error() {
                        conn = None;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        }
        (ok, failed)
    })
}

#[test]
fn leader_killed_new_leader_serves_and_old_one_catches_up() {
    let mut cluster = Cluster::start(3);
    let leader = cluster.wait_leader(Duration::from_secs(10));
    let follower = cluster
        .nodes
        .iter()
        .find(|n| n.id != leader)
        .expect("a follower")
        .id;
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Mutex::new(BTreeMap::new()));
    let w = writer(
        cluster.node(follower).port,
        "load",
        stop.clone(),
        acked.clone(),
    );
    std::thread::sleep(Duration::from_millis(500));

    cluster.node_mut(leader).kill();
    let killed = Instant::now();
    // The first write acknowledged after the kill, through a surviving node.
    let mut conn = cluster.node(follower).conn();
    let mut attempts = 0;
    loop {
        attempts += 1;
        match redis::cmd("SET")
            .arg("after-kill")
            .arg("1")
            .query::<()>(&mut conn)
        {
            Ok(()) => break,
            Err(e) => {
                assert!(
                    killed.elapsed() < Duration::from_secs(30),
                    "no write after kill: {e}"
                );
                if e.is_io_error() {
                    conn = cluster.node(follower).conn();
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
    let failover = killed.elapsed();
    println!(
        "failover: kill -9 of the leader to first acknowledged write: {failover:?} ({attempts} attempts)"
    );
    acked
        .lock()
        .expect("lock")
        .insert("after-kill".into(), "1".into());
    let new_leader = cluster.wait_leader(Duration::from_secs(10));
    assert_ne!(new_leader, leader);

    std::thread::sleep(Duration::from_millis(500));
    cluster.start_node(leader);
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::Relaxed);
    let (ok, failed) = w.join().expect("writer");
    println!("writer: {ok} acknowledged, {failed} failed during the failover");
    assert!(ok > 0);
    let acked = acked.lock().expect("lock").clone();
    cluster.assert_everywhere(&acked);
    assert_eq!(
        local_get(cluster.node(leader), "after-kill").as_deref(),
        Some("1")
    );
}

#[test]
fn restart_of_all_nodes_keeps_data_without_reinitializing() {
    let mut cluster = Cluster::start(3);
    let mut conn = cluster.node(1).conn();
    let mut acked = BTreeMap::new();
    for i in 0..200 {
        let _: () = redis::cmd("SET")
            .arg(format!("r{i}"))
            .arg(i)
            .query(&mut conn)
            .expect("SET");
        acked.insert(format!("r{i}"), i.to_string());
        if i == 99 {
            // Half the data in snapshots, half only in the log after them.
            cluster.wait_converged(Duration::from_secs(30));
            for node in &cluster.nodes {
                let _: () = redis::cmd("RAFT.SNAPSHOT")
                    .query(&mut node.conn())
                    .expect("RAFT.SNAPSHOT");
            }
        }
    }
    let term_before: u64 = cluster
        .node(1)
        .raft_info()
        .and_then(|i| i.get("raft_term").and_then(|t| t.parse().ok()))
        .expect("term");
    for id in 1..=3 {
        cluster.node_mut(id).kill();
    }
    for id in 1..=3 {
        cluster.start_node(id);
    }
    cluster.wait_leader(Duration::from_secs(30));
    let info = cluster.node(1).raft_info().expect("info");
    let term_after: u64 = info["raft_term"].parse().expect("term");
    // openraft may resume a committed leadership in its term after a restart.
    assert!(
        term_after >= term_before,
        "terms continue: {term_before} then {term_after}"
    );
    // Same membership, and the cluster was initialized once, before the restart.
    assert_eq!(info["raft_members"], "3");
    let inits: usize = (1..=3)
        .map(|id| {
            let log = std::fs::read_to_string(cluster.root().join(format!("node{id}.log")))
                .unwrap_or_default();
            log.matches("initialized a new cluster").count()
        })
        .sum();
    assert_eq!(inits, 1, "one initialization across the cluster's lives");
    cluster.assert_everywhere(&acked);
}

#[test]
fn learner_joins_is_promoted_and_a_node_is_removed_under_load() {
    let mut cluster = Cluster::start_with_extra(3, 1);
    cluster.start_node(4);
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Mutex::new(BTreeMap::new()));
    let w = writer(cluster.node(2).port, "member", stop.clone(), acked.clone());
    std::thread::sleep(Duration::from_millis(300));
    // A node with no state that finds the cluster waits to be added: it is no member.
    let info = cluster.node(4).raft_info().expect("info");
    assert_eq!(info["raft_role"], "joining", "{info:?}");

    let mut admin = cluster.node(3).conn();
    let _: () = redis::cmd("RAFT.ADDNODE")
        .arg(4)
        .arg(cluster.node(4).raft_addr())
        .query(&mut admin)
        .expect("RAFT.ADDNODE");
    let info = cluster.node(1).raft_info().expect("info");
    assert_eq!(info["raft_members"], "4", "{info:?}");
    assert!(info["raft_member4"].contains("voter=1"), "{info:?}");

    // Remove a follower that is not the one taking writes.
    let leader = cluster.wait_leader(Duration::from_secs(10));
    let victim = [1u64, 3]
        .into_iter()
        .find(|&id| id != leader)
        .expect("victim");
    let _: () = redis::cmd("RAFT.REMOVENODE")
        .arg(victim)
        .query(&mut cluster.node(4).conn())
        .expect("RAFT.REMOVENODE");
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    let (ok, _) = w.join().expect("writer");
    assert!(ok > 0);
    cluster.node_mut(victim).kill();
    let info = cluster.node(4).raft_info().expect("info");
    assert_eq!(info["raft_members"], "3", "{info:?}");
    let acked = acked.lock().expect("lock").clone();
    cluster.assert_everywhere(&acked);
}

#[test]
fn wiped_node_does_not_vote_and_rejoins_only_through_membership() {
    let mut cluster = Cluster::start(3);
    let mut conn = cluster.node(1).conn();
    let mut acked = BTreeMap::new();
    for i in 0..100 {
        let _: () = redis::cmd("SET")
            .arg(format!("w{i}"))
            .arg(i)
            .query(&mut conn)
            .expect("SET");
        acked.insert(format!("w{i}"), i.to_string());
    }
    let leader = cluster.wait_leader(Duration::from_secs(10));
    let wiped = [3u64, 2]
        .into_iter()
        .find(|&id| id != leader)
        .expect("follower");
    cluster.node_mut(wiped).kill();
    cluster.wipe(wiped);
    cluster.start_node(wiped);
    std::thread::sleep(Duration::from_secs(2));
    let info = cluster.node(wiped).raft_info().expect("info");
    assert_eq!(
        info["raft_role"], "joining",
        "the wiped node stays out: {info:?}"
    );
    assert_eq!(info["raft_term"], "0", "it never voted: {info:?}");

    // The cluster keeps working with two nodes, then takes the wiped node back.
    let survivor = (1..=3).find(|&id| id != wiped).expect("survivor");
    let mut conn = cluster.node(survivor).conn();
    let _: () = redis::cmd("SET")
        .arg("during")
        .arg("x")
        .query(&mut conn)
        .expect("SET");
    acked.insert("during".into(), "x".into());
    cluster.readd(&mut conn, wiped);
    cluster.assert_everywhere(&acked);
}

#[test]
fn nodes_that_applied_the_same_log_write_identical_snapshots() {
    let cluster = Cluster::start(3);
    // Every type, TTLs, randomness (SPOP, SRANDMEMBER are seeded by the log index), floats,
    // through different nodes.
    let script: &[&[&str]] = &[
        &["SET", "s", "hello", "EX", "1000"],
        &["INCRBYFLOAT", "f", "10.5"],
        &["RPUSH", "l", "a", "b", "c", "d"],
        &["LPOP", "l"],
        &["SADD", "set", "1", "2", "3", "x", "y", "z", "w"],
        &["SPOP", "set", "2"],
        &["HSET", "h", "a", "1", "b", "2"],
        &["HINCRBY", "h", "a", "5"],
        &["ZADD", "z", "1.5", "a", "2", "b", "-inf", "c"],
        &["ZINCRBY", "z", "3", "a"],
        &["EXPIRE", "l", "500"],
        &["SETRANGE", "s2", "5", "x"],
    ];
    for (i, cmd) in script.iter().enumerate() {
        let node = &cluster.nodes[i % 3];
        let mut c = redis::cmd(cmd[0]);
        for a in &cmd[1..] {
            c.arg(*a);
        }
        let _: redis::Value = c.query(&mut node.conn()).expect("command");
    }
    cluster.wait_converged(Duration::from_secs(30));
    let mut files = Vec::new();
    for node in &cluster.nodes {
        let _: () = redis::cmd("RAFT.SNAPSHOT")
            .query(&mut node.conn())
            .expect("RAFT.SNAPSHOT");
        files.push(std::fs::read(node.dir.join("dump.rdb")).expect("dump.rdb"));
    }
    assert!(files[0].starts_with(b"REDIS0010"));
    assert!(files[0].len() > 100);
    assert_eq!(files[0], files[1], "node 1 and node 2 snapshots differ");
    assert_eq!(files[0], files[2], "node 1 and node 3 snapshots differ");
}

#[test]
fn without_a_majority_writes_are_refused_or_reported_unknown_never_hang() {
    let mut cluster = Cluster::start_full(
        3,
        0,
        &[
            "--raft-leader-wait-ms",
            "1000",
            "--raft-write-timeout-ms",
            "2000",
        ],
    );
    let leader = cluster.wait_leader(Duration::from_secs(10));
    let followers: Vec<u64> = (1..=3).filter(|&id| id != leader).collect();
    let mut conn = cluster.node(followers[0]).conn();
    let _: () = redis::cmd("SET")
        .arg("k")
        .arg("1")
        .query(&mut conn)
        .expect("SET");
    // (A READONLY read below may only see what this node applied.)
    cluster.wait_converged(Duration::from_secs(30));
    // Kill the leader and one follower: the last node can never elect a leader.
    cluster.node_mut(leader).kill();
    cluster.node_mut(followers[1]).kill();
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let err = redis::cmd("SET")
        .arg("k")
        .arg("2")
        .query::<()>(&mut conn)
        .expect_err("no majority");
    let took = started.elapsed();
    // Either it was certainly not applied (TRYAGAIN: sent to a dead leader, or no leader),
    // or it reached a leader that could not commit it (UNKNOWN); it never hangs.
    let code = err.code().unwrap_or_default().to_string();
    assert!(code == "TRYAGAIN" || code == "UNKNOWN", "{err}");
    assert!(took < Duration::from_secs(8), "took {took:?}");
    // A linearizable read cannot be served; a READONLY read answers from the node's state.
    let err = redis::cmd("GET")
        .arg("k")
        .query::<String>(&mut conn)
        .expect_err("no majority");
    assert_eq!(err.code(), Some("TRYAGAIN"), "{err}");
    let _: () = redis::cmd("READONLY").query(&mut conn).expect("READONLY");
    let v: String = redis::cmd("GET")
        .arg("k")
        .query(&mut conn)
        .expect("stale read");
    assert_eq!(v, "1");
}

/// A follower that was down while many clients wrote large values catches up from the log.
/// The leader batches concurrent writes into entries of up to a thousand requests, so the log
/// it sends holds entries of a megabyte each; sending hundreds of them in one AppendEntries
/// timed out at the heartbeat interval on every try and the follower never caught up (found
/// by the benchmark's failover after load, issue 10).
#[test]
fn follower_catches_up_on_a_log_of_large_batched_entries() {
    let mut cluster = Cluster::start_full(3, 0, &["--raft-snapshot-entries", "10000000"]);
    let leader = cluster.wait_leader(Duration::from_secs(30));
    let follower = cluster.other_than(leader);
    cluster.node_mut(follower).kill();
    let value = "v".repeat(1024);
    let writers: Vec<_> = (0..16)
        .map(|w| {
            let mut conn = cluster.node(leader).conn();
            let value = value.clone();
            std::thread::spawn(move || {
                for round in 0..12 {
                    let mut pipe = redis::pipe();
                    for i in 0..500 {
                        pipe.cmd("SET")
                            .arg(format!("k:{w}:{round}:{i}"))
                            .arg(&value)
                            .ignore();
                    }
                    let _: () = pipe.query(&mut conn).expect("pipelined SETs");
                }
            })
        })
        .collect();
    for w in writers {
        w.join().expect("writer");
    }
    let mut conn = cluster.node(leader).conn();
    let size: u64 = redis::cmd("DBSIZE").query(&mut conn).expect("DBSIZE");
    assert_eq!(size, 16 * 12 * 500);
    cluster.start_node(follower);
    cluster.wait_converged(Duration::from_secs(60));
    let mut conn = cluster.node(follower).conn();
    let _: () = redis::cmd("READONLY").query(&mut conn).expect("READONLY");
    let size: u64 = redis::cmd("DBSIZE").query(&mut conn).expect("DBSIZE");
    assert_eq!(size, 16 * 12 * 500, "the follower's own state");
}

fn raft_term(node: &ClusterNode) -> u64 {
    node.raft_info()
        .and_then(|i| i.get("raft_term").and_then(|t| t.parse().ok()))
        .expect("raft_term")
}

fn signal(node: &ClusterNode, sig: &str) {
    let pid = node.pid().expect("running node");
    let ok = std::process::Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .expect("run kill")
        .success();
    assert!(ok, "kill {sig} {pid}");
}

/// Pre-vote: a node whose log is behind does not campaign, so the up-to-date node wins the
/// first election it starts. openraft alone lets the stale node campaign first (its term then
/// makes the other's first campaign fail too): under load after a leader dies, one follower
/// is usually a few entries behind, and each such round cost another election timeout.
#[test]
fn a_node_whose_log_is_behind_does_not_campaign() {
    let mut cluster = Cluster::start(3);
    let leader = cluster.wait_leader(Duration::from_secs(30));
    let behind = cluster.other_than(leader);
    let ahead = [1, 2, 3]
        .into_iter()
        .find(|&id| id != leader && id != behind)
        .expect("a third node");
    signal(cluster.node(behind), "-STOP");
    let mut conn = cluster.node(leader).conn();
    for i in 0..20 {
        let _: () = redis::cmd("SET")
            .arg(format!("k{i}"))
            .arg(i)
            .query(&mut conn)
            .expect("SET with a majority up");
    }
    let term = raft_term(cluster.node(ahead));
    cluster.node_mut(leader).kill();
    cluster.node_mut(ahead).kill();
    signal(cluster.node(behind), "-CONT");
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        raft_term(cluster.node(behind)),
        term,
        "alone, the node that is behind must not campaign"
    );
    cluster.start_node(ahead);
    let elected = cluster.wait_leader(Duration::from_secs(15));
    assert_eq!(elected, ahead, "the node with the longer log leads");
    assert_eq!(
        raft_term(cluster.node(ahead)),
        term + 1,
        "the first election started wins"
    );
    let got: Option<String> = redis::cmd("GET")
        .arg("k19")
        .query(&mut cluster.node(behind).conn())
        .expect("GET through the node that was behind");
    assert_eq!(got.as_deref(), Some("19"));
}
