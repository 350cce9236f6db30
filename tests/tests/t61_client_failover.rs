//! redraft-client against a real three-node cluster: reads and idempotent writes keep working
//! while the node the client talks to is killed (issue 9).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use redraft_client::{Client, Cmd, Config, RetryPolicy};
use redraft_tests::cluster::Cluster;

#[test]
fn client_keeps_working_when_its_node_is_killed() {
    let mut cluster = Cluster::start(3);
    let addrs: Vec<String> = cluster
        .nodes
        .iter()
        .map(|n| format!("127.0.0.1:{}", n.port))
        .collect();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let config = Config::new(addrs.clone())
            .response_timeout(Duration::from_secs(5))
            .retry(RetryPolicy {
                initial_backoff: Duration::from_millis(25),
                max_backoff: Duration::from_millis(500),
                deadline: Duration::from_secs(15),
            });
        let client = Client::connect(config).await.expect("connect");
        let mut written = BTreeMap::new();
        let (mut failed, mut longest) = (0u32, Duration::ZERO);
        let started = Instant::now();
        let mut killed = None;
        let mut i = 0u64;
        while started.elapsed() < Duration::from_secs(4) {
            i += 1;
            if killed.is_none() && started.elapsed() > Duration::from_millis(500) {
                // Kill the node the client is talking to.
                let current = client.current_node().to_string();
                let id = cluster
                    .nodes
                    .iter()
                    .find(|n| current.ends_with(&format!(":{}", n.port)))
                    .expect("current node is a member")
                    .id;
                cluster.node_mut(id).kill();
                killed = Some(id);
            }
            let key = format!("c:{i}");
            let call = Instant::now();
            let set = Cmd::new("SET").arg(key.as_str()).arg(i).idempotent();
            match client.query::<()>(&set).await {
                Ok(()) => {
                    written.insert(key.clone(), i.to_string());
                }
                Err(e) => {
                    failed += 1;
                    eprintln!("SET {key}: {e}");
                }
            }
            match client.get(key.as_str()).await {
                Ok(_) => {}
                Err(e) => {
                    failed += 1;
                    eprintln!("GET {key}: {e}");
                }
            }
            longest = longest.max(call.elapsed());
        }
        println!(
            "client through a kill -9 of its node: {} calls, {failed} failed, longest stall {longest:?}",
            2 * i
        );
        assert!(killed.is_some());
        assert_eq!(failed, 0, "reads and idempotent writes are retried elsewhere");
        assert_eq!(written.len() as u64, i);
        // Every acknowledged write is there.
        for (k, v) in &written {
            let got = client.get(k.as_str()).await.expect("GET");
            assert_eq!(got.as_deref(), Some(v.as_bytes()), "{k}");
        }
        // The node it moved to is another one.
        let now = client.current_node().to_string();
        let id = killed.unwrap_or_default();
        assert!(!now.ends_with(&format!(":{}", cluster.node(id).port)));
    });
}
