//! A leader that stops (SIGSTOP: a long GC pause, a frozen VM) must not hold the requests its
//! followers forwarded to it once the cluster has elected another leader. Found by the chaos
//! harness (issue 7): every request through a follower waited the whole write timeout (10 s).

use std::process::Command;
use std::time::{Duration, Instant};

use redraft_tests::cluster::Cluster;

fn signal(pid: u32, sig: &str) {
    let status = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill {sig} {pid}");
}

#[test]
fn requests_forwarded_to_a_paused_leader_fail_over_quickly() {
    let cluster = Cluster::start(3);
    let leader = cluster.wait_leader(Duration::from_secs(30));
    let follower = cluster
        .nodes
        .iter()
        .find(|n| n.id != leader)
        .expect("a follower");
    let mut conn = follower.conn();
    let _: () = redis::cmd("SET")
        .arg("k")
        .arg("before")
        .query(&mut conn)
        .expect("SET before the pause");
    let pid = cluster.node(leader).pid().expect("leader pid");
    signal(pid, "-STOP");

    // Forwarded to the paused leader; answered once the follower sees a new leader.
    let started = Instant::now();
    let r: redis::RedisResult<()> = redis::cmd("SET").arg("k").arg("during").query(&mut conn);
    let took = started.elapsed();
    if let Err(e) = &r {
        let code = e.code().unwrap_or("");
        assert!(
            code == "UNKNOWN" || code == "TRYAGAIN",
            "unexpected error {e}"
        );
    }
    assert!(took < Duration::from_secs(4), "the write waited {took:?}");

    // Reads and writes through the follower work again with the new leader.
    let started = Instant::now();
    let value: String = loop {
        match redis::cmd("GET").arg("k").query::<String>(&mut conn) {
            Ok(v) => break v,
            Err(e) if started.elapsed() < Duration::from_secs(5) => {
                assert_eq!(e.code(), Some("TRYAGAIN"), "{e}");
            }
            Err(e) => panic!("no read within 5 s: {e}"),
        }
    };
    assert!(value == "before" || value == "during", "{value}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the read waited {:?}",
        started.elapsed()
    );
    let _: () = redis::cmd("SET")
        .arg("k")
        .arg("after")
        .query(&mut conn)
        .expect("SET with the new leader");
    signal(pid, "-CONT");
    let v: String = redis::cmd("GET").arg("k").query(&mut conn).expect("GET");
    assert_eq!(v, "after");
}
