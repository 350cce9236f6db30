//! A fault-injecting TCP proxy in front of each node's Raft and client ports. Partitions are
//! made here, without iptables: a connection is held (nothing read, nothing written, as a
//! network that drops every packet) while its source or destination node is cut off.
//! Nothing is lost: when the partition heals the bytes flow on, as TCP would retransmit them,
//! unless a side gave up on the connection meanwhile.
//!
//! Which node opened a connection is found from `/proc`: the socket's inode, looked up among
//! the file descriptors of the node processes.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// The nodes currently cut off, and the node processes' pids (to name connection sources).
#[derive(Default)]
pub struct Net {
    cut: RwLock<HashSet<u64>>,
    pids: Mutex<Vec<(u64, u32)>>,
}

impl Net {
    pub fn isolate(&self, nodes: &[u64]) {
        if let Ok(mut cut) = self.cut.write() {
            cut.extend(nodes);
        }
    }

    pub fn heal(&self) {
        if let Ok(mut cut) = self.cut.write() {
            cut.clear();
        }
    }

    pub fn set_pid(&self, node: u64, pid: Option<u32>) {
        if let Ok(mut pids) = self.pids.lock() {
            pids.retain(|(n, _)| *n != node);
            if let Some(pid) = pid {
                pids.push((node, pid));
            }
        }
    }

    fn blocked(&self, src: Option<u64>, dst: u64) -> bool {
        self.cut
            .read()
            .map(|c| c.contains(&dst) || src.is_some_and(|s| c.contains(&s)))
            .unwrap_or(false)
    }

    /// The node whose process owns the client end of `stream`, if any.
    fn source(&self, stream: &TcpStream) -> Option<u64> {
        let peer = stream.peer_addr().ok()?.port();
        let local = stream.local_addr().ok()?.port();
        let inode = socket_inode(peer, local)?;
        let target = format!("socket:[{inode}]");
        let pids = self.pids.lock().ok()?.clone();
        for (node, pid) in pids {
            let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
                continue;
            };
            for fd in fds.flatten() {
                if std::fs::read_link(fd.path()).is_ok_and(|l| l.to_string_lossy() == target) {
                    return Some(node);
                }
            }
        }
        None
    }
}

/// The inode of the IPv4 socket whose local port is `local` and remote port `remote`.
fn socket_inode(local: u16, remote: u16) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/net/tcp").ok()?;
    let want_local = format!(":{local:04X}");
    let want_remote = format!(":{remote:04X}");
    text.lines().skip(1).find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        (f.len() > 9 && f[1].ends_with(&want_local) && f[2].ends_with(&want_remote))
            .then(|| f[9].parse().ok())
            .flatten()
    })
}

/// Starts a proxy for node `dst` on `listener`, forwarding to `127.0.0.1:upstream`.
pub fn spawn(net: Arc<Net>, dst: u64, listener: TcpListener, upstream: u16) {
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { continue };
            let net = net.clone();
            std::thread::spawn(move || {
                let src = net.source(&conn);
                while net.blocked(src, dst) {
                    std::thread::sleep(Duration::from_millis(10));
                }
                let Ok(up) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    return;
                };
                let _ = up.set_nodelay(true);
                let _ = conn.set_nodelay(true);
                let (Ok(conn2), Ok(up2)) = (conn.try_clone(), up.try_clone()) else {
                    return;
                };
                let n2 = net.clone();
                std::thread::spawn(move || pump(n2, src, dst, conn2, up2));
                pump(net, src, dst, up, conn);
            });
        }
    });
}

/// Copies `from` to `to`, holding each chunk while the link is cut.
fn pump(net: Arc<Net>, src: Option<u64>, dst: u64, mut from: TcpStream, mut to: TcpStream) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        while net.blocked(src, dst) {
            std::thread::sleep(Duration::from_millis(10));
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
    let _ = from.shutdown(Shutdown::Read);
}
