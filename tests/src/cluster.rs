//! A local cluster of real `redraft` processes on loopback, for the replication tests: start,
//! kill -9, restart with the same data, wipe, and find the leader.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{free_port, redraft_bin};

/// One member of a [`Cluster`]: its ports and data directory outlive its process.
pub struct ClusterNode {
    pub id: u64,
    pub port: u16,
    pub raft_port: u16,
    pub dir: PathBuf,
    child: Option<Child>,
    peers: String,
    /// Extra `--directive value` flags.
    args: Vec<String>,
}

impl ClusterNode {
    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.with_extension("log"))
            .expect("open node log");
        let err = log.try_clone().expect("clone log handle");
        let child = Command::new(redraft_bin())
            .args(["--node-id", &self.id.to_string()])
            .args(["--port", &self.port.to_string()])
            .args(["--raft-port", &self.raft_port.to_string()])
            .args(["--peers", &self.peers])
            .args(["--raft-heartbeat-ms", "100"])
            .args(["--raft-election-timeout-ms", "300"])
            .args(&self.args)
            .arg("--dir")
            .arg(&self.dir)
            .env_remove("REDIS_PASSWORD")
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(err))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", redraft_bin().display()));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            // Both listeners: the client port, and the Raft port a membership change dials.
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok()
                && TcpStream::connect(("127.0.0.1", self.raft_port)).is_ok()
            {
                return;
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                self.child = None;
                panic!(
                    "node {} exited ({status}) before listening on {}; its log:\n{}",
                    self.id,
                    self.port,
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "node {} did not listen on {} and {} within 20 s; its log:\n{}",
            self.id,
            self.port,
            self.raft_port,
            self.log_tail()
        );
    }

    /// The last lines of the node's log (stdout and stderr), for failure messages.
    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.dir.with_extension("log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// Kills the process (if it runs) and starts it again on its data directory with `args`
    /// in place of the flags it had.
    pub fn restart_with(&mut self, args: &[&str]) {
        self.kill();
        self.args = args.iter().map(|a| a.to_string()).collect();
        self.spawn();
    }

    /// Whether the process runs.
    pub fn is_up(&self) -> bool {
        self.child.is_some()
    }

    /// `kill -9`.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The process id, while it runs (to pause it with SIGSTOP, say).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// A `redis` crate connection.
    pub fn conn(&self) -> redis::Connection {
        let client =
            redis::Client::open(format!("redis://127.0.0.1:{}/", self.port)).expect("client");
        let conn = client
            .get_connection_with_timeout(Duration::from_secs(5))
            .expect("connect");
        conn.set_read_timeout(Some(Duration::from_secs(15)))
            .expect("timeout");
        conn
    }

    /// The `raft_*` fields of RAFT.INFO.
    pub fn raft_info(&self) -> Option<std::collections::HashMap<String, String>> {
        let mut conn = redis::Client::open(format!("redis://127.0.0.1:{}/", self.port))
            .ok()?
            .get_connection_with_timeout(Duration::from_secs(2))
            .ok()?;
        conn.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
        let text: String = redis::cmd("RAFT.INFO").query(&mut conn).ok()?;
        Some(
            text.lines()
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.to_string(), v.trim().to_string()))
                .collect(),
        )
    }

    /// The raft address other nodes reach this one at.
    pub fn raft_addr(&self) -> String {
        format!("127.0.0.1:{}", self.raft_port)
    }
}

/// A cluster of `redraft` processes on loopback, killed and deleted when dropped.
pub struct Cluster {
    pub nodes: Vec<ClusterNode>,
    root: PathBuf,
}

impl Cluster {
    /// Starts `n` nodes (ids 1..=n) that form a new cluster, and waits for a leader.
    pub fn start(n: u64) -> Cluster {
        Cluster::start_with_extra(n, 0)
    }

    /// Starts `n` voters, and prepares `extra` more nodes (ids n+1..) that are not started:
    /// they know the whole cluster as peers, so when started they wait to be added.
    pub fn start_with_extra(n: u64, extra: u64) -> Cluster {
        Cluster::start_full(n, extra, &[])
    }

    /// Starts `n` voters and prepares `extra` more, every node with the flags `args`.
    pub fn start_full(n: u64, extra: u64, args: &[&str]) -> Cluster {
        let root = std::env::temp_dir().join(format!(
            "redraft-cluster-{}-{}",
            std::process::id(),
            free_port()
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).expect("create cluster dir");
        let ports: Vec<(u64, u16, u16)> = (1..=n + extra)
            .map(|id| (id, free_port(), free_port()))
            .collect();
        let peers = |upto: u64| {
            ports
                .iter()
                .filter(|(id, _, _)| *id <= upto)
                .map(|(id, _, raft)| format!("{id}=127.0.0.1:{raft}"))
                .collect::<Vec<_>>()
                .join(",")
        };
        let mut nodes: Vec<ClusterNode> = ports
            .iter()
            .map(|&(id, port, raft_port)| ClusterNode {
                id,
                port,
                raft_port,
                dir: root.join(format!("node{id}")),
                child: None,
                peers: if id <= n { peers(n) } else { peers(n + extra) },
                args: args.iter().map(|a| a.to_string()).collect(),
            })
            .collect();
        for node in nodes.iter_mut().take(n as usize) {
            node.spawn();
        }
        let cluster = Cluster { nodes, root };
        cluster.wait_leader(Duration::from_secs(30));
        cluster
    }

    pub fn node(&self, id: u64) -> &ClusterNode {
        &self.nodes[(id - 1) as usize]
    }

    pub fn node_mut(&mut self, id: u64) -> &mut ClusterNode {
        &mut self.nodes[(id - 1) as usize]
    }

    /// Starts (or restarts) node `id` with its data directory.
    pub fn start_node(&mut self, id: u64) {
        self.node_mut(id).spawn();
    }

    /// The id of the first node other than `id` (a follower, given the leader's id).
    pub fn other_than(&self, id: u64) -> u64 {
        self.nodes
            .iter()
            .map(|n| n.id)
            .find(|&other| other != id)
            .expect("a cluster of more than one node")
    }

    /// Deletes node `id`'s data directory (the node must be down).
    pub fn wipe(&mut self, id: u64) {
        let node = self.node_mut(id);
        assert!(!node.is_up(), "wipe a running node");
        let _ = std::fs::remove_dir_all(&node.dir);
    }

    /// The id of the node every running node agrees leads, if any.
    pub fn leader(&self) -> Option<u64> {
        let mut leader = None;
        for node in self.nodes.iter().filter(|n| n.is_up()) {
            let info = node.raft_info()?;
            if info.get("raft_role").map(String::as_str) == Some("leader") {
                leader = Some(node.id);
            }
        }
        leader
    }

    /// Waits for a leader; panics after `timeout`.
    pub fn wait_leader(&self, timeout: Duration) -> u64 {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(id) = self.leader() {
                return id;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "no leader within {timeout:?}; logs in {}",
            self.root.display()
        );
    }

    /// Waits until every running node has applied everything in the longest log.
    pub fn wait_converged(&self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        let field = |info: &std::collections::HashMap<String, String>, name: &str| {
            info.get(name).and_then(|v| v.parse::<u64>().ok())
        };
        while Instant::now() < deadline {
            let infos: Option<Vec<_>> = self
                .nodes
                .iter()
                .filter(|n| n.is_up())
                .map(|n| n.raft_info())
                .collect();
            if let Some(infos) = infos {
                let last = infos
                    .iter()
                    .filter_map(|i| field(i, "raft_last_log_index"))
                    .max();
                if infos.iter().all(|i| {
                    field(i, "raft_applied_index").is_some()
                        && field(i, "raft_applied_index") == last
                }) {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("nodes did not converge within {timeout:?}");
    }

    /// Waits for the running nodes to converge, then checks that every key of `expected` holds
    /// its value in each one's own state (a READONLY connection reads the node's own state).
    pub fn assert_everywhere(&self, expected: &std::collections::BTreeMap<String, String>) {
        self.wait_converged(Duration::from_secs(30));
        for node in self.nodes.iter().filter(|n| n.is_up()) {
            let mut conn = node.conn();
            let _: () = redis::cmd("READONLY").query(&mut conn).expect("READONLY");
            for (k, v) in expected {
                let got: Option<String> = redis::cmd("GET").arg(k).query(&mut conn).expect("GET");
                assert_eq!(got.as_ref(), Some(v), "node {} key {k}", node.id);
            }
        }
    }

    /// Takes node `id` out of the membership and adds it back (RAFT.REMOVENODE, then
    /// RAFT.ADDNODE with its Raft address), through `conn`.
    pub fn readd(&self, conn: &mut redis::Connection, id: u64) {
        let _: () = redis::cmd("RAFT.REMOVENODE")
            .arg(id)
            .query(conn)
            .expect("RAFT.REMOVENODE");
        let _: () = redis::cmd("RAFT.ADDNODE")
            .arg(id)
            .arg(self.node(id).raft_addr())
            .query(conn)
            .expect("RAFT.ADDNODE");
    }

    /// A numeric RAFT.INFO field of node `id` (None: absent, `none`, or the node is down).
    pub fn raft_field(&self, id: u64, name: &str) -> Option<u64> {
        self.node(id)
            .raft_info()?
            .get(name)
            .and_then(|v| v.parse().ok())
    }

    /// Where the nodes' logs are.
    pub fn root(&self) -> &PathBuf {
        &self.root
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            node.kill();
        }
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}
