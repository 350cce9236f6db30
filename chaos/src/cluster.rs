//! Cluster backends. The harness sees a cluster through [`Backend`]: client addresses, and the
//! faults it can inject. [`Local`] runs `redraft` processes on loopback behind fault-injecting
//! proxies; a docker compose backend can implement the same trait.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::proxy::{self, Net};

/// What the harness needs from a cluster.
pub trait Backend: Send {
    /// The ids of every node the cluster was made with.
    fn ids(&self) -> Vec<u64>;
    /// Where clients reach node `id` (through whatever the partitions go through).
    fn client_addr(&self, id: u64) -> String;
    /// Where other nodes reach node `id`'s Raft service (for RAFT.ADDNODE).
    fn raft_addr(&self, id: u64) -> String;
    /// Where the harness itself reaches node `id`, past any partition (to find the leader,
    /// change membership, read the final state).
    fn admin_addr(&self, id: u64) -> String;
    fn is_up(&self, id: u64) -> bool;
    /// `kill -9`.
    fn kill(&mut self, id: u64);
    /// Starts node `id` again with its data, and `extra` flags.
    fn start(&mut self, id: u64, extra: &[String]) -> Result<()>;
    fn pause(&mut self, id: u64);
    fn resume(&mut self, id: u64);
    /// Cuts `ids` off from everything (other nodes and clients), both ways.
    fn isolate(&mut self, ids: &[u64]);
    fn heal(&mut self);
    /// Extra flags every node starts with.
    fn base_args(&self) -> &[String];
}

struct LocalNode {
    id: u64,
    port: u16,
    raft_port: u16,
    client_proxy: u16,
    raft_proxy: u16,
    dir: PathBuf,
    child: Option<Child>,
    paused: bool,
}

/// `redraft` processes on loopback, each behind a client proxy and a Raft proxy; `--peers`
/// names the Raft proxies, so every Raft message and forwarded request crosses them.
pub struct Local {
    bin: PathBuf,
    root: PathBuf,
    peers: String,
    args: Vec<String>,
    nodes: Vec<LocalNode>,
    net: Arc<Net>,
    keep: bool,
}

fn listener() -> Result<(TcpListener, u16)> {
    let l = TcpListener::bind("127.0.0.1:0")?;
    let port = l.local_addr()?.port();
    Ok((l, port))
}

fn free_port() -> Result<u16> {
    Ok(listener()?.1)
}

impl Local {
    /// Starts `n` nodes with `args` and waits until they answer.
    pub fn start(bin: PathBuf, n: u64, args: Vec<String>, keep: bool) -> Result<Local> {
        let root = std::env::temp_dir().join(format!(
            "redraft-chaos-{}-{}",
            std::process::id(),
            free_port()?
        ));
        std::fs::create_dir_all(&root)?;
        let net = Arc::new(Net::default());
        let mut nodes = Vec::new();
        for id in 1..=n {
            let (cl, client_proxy) = listener()?;
            let (rl, raft_proxy) = listener()?;
            let port = free_port()?;
            let raft_port = free_port()?;
            proxy::spawn(net.clone(), id, cl, port);
            proxy::spawn(net.clone(), id, rl, raft_port);
            nodes.push(LocalNode {
                id,
                port,
                raft_port,
                client_proxy,
                raft_proxy,
                dir: root.join(format!("node{id}")),
                child: None,
                paused: false,
            });
        }
        let peers = nodes
            .iter()
            .map(|n| format!("{}=127.0.0.1:{}", n.id, n.raft_proxy))
            .collect::<Vec<_>>()
            .join(",");
        let mut local = Local {
            bin,
            root,
            peers,
            args,
            nodes,
            net,
            keep,
        };
        for id in 1..=n {
            local.spawn(id, &[])?;
        }
        for id in 1..=n {
            local.wait_listening(id)?;
        }
        Ok(local)
    }

    fn node(&mut self, id: u64) -> &mut LocalNode {
        &mut self.nodes[(id - 1) as usize]
    }

    fn spawn(&mut self, id: u64, extra: &[String]) -> Result<()> {
        let bin = self.bin.clone();
        let peers = self.peers.clone();
        let args = self.args.clone();
        let node = self.node(id);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(node.dir.with_extension("log"))?;
        let child = Command::new(&bin)
            .args(["--node-id", &id.to_string()])
            .args(["--port", &node.port.to_string()])
            .args(["--raft-port", &node.raft_port.to_string()])
            .args(["--peers", &peers])
            .args([
                "--raft-heartbeat-ms",
                "100",
                "--raft-election-timeout-ms",
                "300",
            ])
            .args(["--save", ""])
            .args(&args)
            .args(extra)
            .arg("--dir")
            .arg(&node.dir)
            .env_remove("REDIS_PASSWORD")
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        let pid = child.id();
        node.child = Some(child);
        node.paused = false;
        self.net.set_pid(id, Some(pid));
        Ok(())
    }

    fn wait_listening(&mut self, id: u64) -> Result<()> {
        let port = self.node(id).port;
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        bail!(
            "node {id} did not listen on {port} within 20 s (logs in {})",
            self.root.display()
        )
    }

    fn signal(&self, id: u64, sig: &str) {
        if let Some(child) = &self.nodes[(id - 1) as usize].child {
            let _ = Command::new("kill")
                .args([sig, &child.id().to_string()])
                .status();
        }
    }

    /// Where the nodes' data and logs are.
    pub fn root(&self) -> &PathBuf {
        &self.root
    }
}

impl Backend for Local {
    fn ids(&self) -> Vec<u64> {
        self.nodes.iter().map(|n| n.id).collect()
    }

    fn client_addr(&self, id: u64) -> String {
        format!("127.0.0.1:{}", self.nodes[(id - 1) as usize].client_proxy)
    }

    fn raft_addr(&self, id: u64) -> String {
        format!("127.0.0.1:{}", self.nodes[(id - 1) as usize].raft_proxy)
    }

    fn admin_addr(&self, id: u64) -> String {
        format!("127.0.0.1:{}", self.nodes[(id - 1) as usize].port)
    }

    fn is_up(&self, id: u64) -> bool {
        self.nodes[(id - 1) as usize].child.is_some()
    }

    fn kill(&mut self, id: u64) {
        self.resume(id);
        if let Some(mut child) = self.node(id).child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        self.net.set_pid(id, None);
    }

    fn start(&mut self, id: u64, extra: &[String]) -> Result<()> {
        self.kill(id);
        self.spawn(id, extra)?;
        self.wait_listening(id)
    }

    fn pause(&mut self, id: u64) {
        self.signal(id, "-STOP");
        self.node(id).paused = true;
    }

    fn resume(&mut self, id: u64) {
        if self.nodes[(id - 1) as usize].paused {
            self.signal(id, "-CONT");
            self.node(id).paused = false;
        }
    }

    fn isolate(&mut self, ids: &[u64]) {
        self.net.isolate(ids);
    }

    fn heal(&mut self) {
        self.net.heal();
    }

    fn base_args(&self) -> &[String] {
        &self.args
    }
}

impl Drop for Local {
    fn drop(&mut self) {
        self.net.heal();
        for id in self.ids() {
            self.kill(id);
        }
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}
