//! A leader whose wall clock is wrong must not expire keys early or keep them past their TTL:
//! a new leader anchors its time to what a majority of the voters' clocks agree on. Found by
//! the chaos harness's clock nemesis (issue 7): a leader restarted with its clock a minute
//! ahead expired every session at once; one a minute behind kept them alive.

use std::time::{Duration, Instant};

use redraft_tests::cluster::Cluster;

/// Restarts node `id` with its clock moved by `offset_ms`, and makes it the leader: kills
/// whichever other node leads until `id` wins an election, restarting each (with a right
/// clock) once another has taken over. (A leader restarted at once keeps leading.)
fn lead_with_clock(cluster: &mut Cluster, id: u64, offset_ms: i64) {
    let offset = offset_ms.to_string();
    cluster
        .node_mut(id)
        .restart_with(&["--debug-clock-offset-ms", &offset]);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let leader = cluster.wait_leader(Duration::from_secs(30));
        if leader == id {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "node {id} never won an election; logs in {}",
            cluster.root().display()
        );
        cluster.node_mut(leader).kill();
        let next = cluster.wait_leader(Duration::from_secs(30));
        assert_ne!(next, leader);
        cluster.node_mut(leader).restart_with(&[]);
    }
}

/// Runs `query` on node `node`, retrying for up to 10 s while it answers `-TRYAGAIN` (an
/// election, or a new leader settling its clock).
fn retry<T: redis::FromRedisValue>(
    cluster: &Cluster,
    node: u64,
    what: &str,
    query: &redis::Cmd,
) -> T {
    let mut conn = cluster.node(node).conn();
    let started = Instant::now();
    loop {
        match query.query::<T>(&mut conn) {
            Ok(v) => return v,
            Err(e) if started.elapsed() < Duration::from_secs(10) => {
                assert_eq!(e.code(), Some("TRYAGAIN"), "{what} on node {node}: {e}");
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => panic!("{what} on node {node}: {e}"),
        }
    }
}

fn get(cluster: &Cluster, node: u64, key: &str) -> Option<String> {
    retry(
        cluster,
        node,
        &format!("GET {key}"),
        redis::cmd("GET").arg(key),
    )
}

fn set_px(cluster: &Cluster, node: u64, key: &str, px: u64) {
    retry::<()>(
        cluster,
        node,
        &format!("SET {key}"),
        redis::cmd("SET").arg(key).arg("v").arg("PX").arg(px),
    );
}

#[test]
fn a_leader_with_its_clock_two_minutes_ahead_expires_nothing_early() {
    let mut cluster = Cluster::start(3);
    let first = cluster.wait_leader(Duration::from_secs(30));
    set_px(&cluster, first, "session", 60_000);
    let bad = cluster.other_than(first);
    lead_with_clock(&mut cluster, bad, 120_000);
    for node in 1..=3 {
        assert_eq!(
            get(&cluster, node, "session").as_deref(),
            Some("v"),
            "a 60 s session vanished through node {node} once a leader's clock ran two \
             minutes ahead"
        );
    }
    // Keys it sets live their TTL, and no longer.
    set_px(&cluster, bad, "short", 1500);
    assert_eq!(get(&cluster, bad, "short").as_deref(), Some("v"));
    std::thread::sleep(Duration::from_millis(1700));
    assert_eq!(get(&cluster, bad, "short"), None);
    assert_eq!(get(&cluster, bad, "session").as_deref(), Some("v"));
}

#[test]
fn a_leader_with_its_clock_a_minute_behind_keeps_nothing_late() {
    let mut cluster = Cluster::start(3);
    let first = cluster.wait_leader(Duration::from_secs(30));
    let bad = cluster.other_than(first);
    // An entry stamped with the right time: a clock behind it cannot move time back.
    set_px(&cluster, first, "stamp", 600_000);
    lead_with_clock(&mut cluster, bad, -60_000);
    let follower = cluster.other_than(bad);
    set_px(&cluster, bad, "short", 1_000);
    set_px(&cluster, follower, "other", 1_000);
    assert_eq!(get(&cluster, follower, "short").as_deref(), Some("v"));
    std::thread::sleep(Duration::from_millis(1_300));

    for node in 1..=3 {
        for key in ["short", "other"] {
            assert_eq!(
                get(&cluster, node, key),
                None,
                "a 1 s key outlived its TTL through node {node} under a leader whose clock is \
                 a minute behind"
            );
        }
    }
}
