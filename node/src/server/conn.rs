//! One client connection: read requests, run them in order, write replies in batches.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use parking_lot::Mutex;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tracing::debug;

use crate::cmd::session::ClientState;
use crate::cmd::{self, CmdError, Run, flags};
use crate::resp::{Limits, Parsed, Reply, parse_request};

use super::session::SessionImpl;
use super::{ClientHandle, Shared};

/// Replies to a connection refused by `maxclients`.
pub(crate) async fn reject(mut stream: TcpStream) {
    let _ = stream
        .write_all(b"-ERR max number of clients reached\r\n")
        .await;
}

/// Serves one connection until it closes, is killed, or sends bad protocol.
pub(crate) async fn serve(shared: Arc<Shared>, stream: TcpStream, peer: SocketAddr) {
    let _ = stream.set_nodelay(true);
    let keepalive = shared.config.read().tcp_keepalive;
    if keepalive > 0 {
        let sock = socket2::SockRef::from(&stream);
        let params = socket2::TcpKeepalive::new().with_time(Duration::from_secs(keepalive));
        let _ = sock.set_tcp_keepalive(&params);
    }
    let laddr = stream
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let id = shared.next_client_id.fetch_add(1, Ordering::Relaxed);
    let authenticated = shared.config.read().requirepass.is_empty();
    let state = Arc::new(Mutex::new(ClientState::new(
        id,
        peer.to_string(),
        laddr,
        authenticated,
    )));
    let kill = Arc::new(Notify::new());
    shared.clients.lock().insert(
        id,
        ClientHandle {
            state: state.clone(),
            kill: kill.clone(),
        },
    );
    let mut conn = Conn {
        shared: shared.clone(),
        state,
        id,
    };
    if let Err(e) = conn.run(stream, &kill).await {
        debug!(client = id, error = %e, "connection closed");
    }
    shared.clients.lock().remove(&id);
}

struct Conn {
    shared: Arc<Shared>,
    state: Arc<Mutex<ClientState>>,
    id: u64,
}

impl Conn {
    async fn run(&mut self, mut stream: TcpStream, kill: &Notify) -> std::io::Result<()> {
        let limits = Limits {
            max_bulk_len: self.shared.config.read().proto_max_bulk_len,
            ..Limits::default()
        };
        let mut rbuf = BytesMut::with_capacity(16 * 1024);
        let mut wbuf = BytesMut::with_capacity(16 * 1024);
        loop {
            // Run every complete request in the buffer, then write all replies at once.
            let mut close = false;
            loop {
                match parse_request(&mut rbuf, &limits) {
                    Ok(Parsed::Request(argv)) => {
                        if argv.is_empty() {
                            continue;
                        }
                        let reply = self.execute(argv).await;
                        let (protocol, quit) = {
                            let s = self.state.lock();
                            (s.protocol, s.close_after_reply)
                        };
                        reply.encode(protocol, &mut wbuf);
                        if quit {
                            close = true;
                            break;
                        }
                    }
                    Ok(Parsed::Incomplete { need }) => {
                        rbuf.reserve(need.saturating_sub(rbuf.len()).min(1 << 20));
                        break;
                    }
                    Err(e) => {
                        Reply::error(e.reply_text()).encode(self.protocol(), &mut wbuf);
                        self.shared.counters.errors.fetch_add(1, Ordering::Relaxed);
                        close = true;
                        break;
                    }
                }
            }
            if !wbuf.is_empty() {
                self.shared
                    .counters
                    .net_out
                    .fetch_add(wbuf.len() as u64, Ordering::Relaxed);
                stream.write_all(&wbuf).await?;
                wbuf.clear();
            }
            if close {
                let _ = stream.shutdown().await;
                return Ok(());
            }
            if rbuf.capacity() - rbuf.len() < 4096 {
                rbuf.reserve(16 * 1024);
            }
            let idle = self.shared.config.read().timeout;
            let read = stream.read_buf(&mut rbuf);
            let n = tokio::select! {
                n = read => n?,
                _ = kill.notified() => return Ok(()),
                _ = idle_timer(idle) => return Ok(()),
            };
            if n == 0 {
                return Ok(());
            }
            self.shared
                .counters
                .net_in
                .fetch_add(n as u64, Ordering::Relaxed);
        }
    }

    fn protocol(&self) -> crate::resp::Protocol {
        self.state.lock().protocol
    }

    /// Runs one command: lookup and arity, authentication, then the read path, the write
    /// path or a session command; records statistics and the slow log.
    async fn execute(&mut self, argv: Vec<Bytes>) -> Reply {
        let shared = self.shared.clone();
        shared.counters.commands.fetch_add(1, Ordering::Relaxed);
        let spec = match cmd::lookup(&shared.table, &argv) {
            Ok(spec) => spec,
            Err(e) => return self.error(e),
        };
        let (authenticated, db) = {
            let s = self.state.lock();
            (s.authenticated, s.db)
        };
        if !authenticated && !spec.has(flags::NO_AUTH) {
            return self.error(CmdError::NoAuth);
        }
        let started = Instant::now();
        let reply = match spec.run {
            Run::Read(read) => {
                let seed = shared.counters.commands.load(Ordering::Relaxed);
                let (result, hits, misses) = shared.node.read(read, db, &argv, seed).await;
                if hits > 0 {
                    shared.counters.hits.fetch_add(hits, Ordering::Relaxed);
                }
                if misses > 0 {
                    shared.counters.misses.fetch_add(misses, Ordering::Relaxed);
                }
                result.unwrap_or_else(Reply::from)
            }
            Run::Write { .. } => shared
                .node
                .write(db, &[&argv[..]])
                .await
                .pop()
                .unwrap_or_else(|| Reply::error("ERR no reply")),
            Run::Session(run) => {
                let client = self.state.lock().clone();
                let mut session = SessionImpl::new(&shared, client);
                let reply = run(&mut session, &argv).unwrap_or_else(Reply::from);
                let client = session.into_client();
                *self.state.lock() = client;
                reply
            }
        };
        let elapsed = started.elapsed();
        if reply.is_error() {
            shared.counters.errors.fetch_add(1, Ordering::Relaxed);
        }
        {
            let mut s = self.state.lock();
            s.last_interaction = Instant::now();
            if s.last_cmd != spec.name {
                s.last_cmd = spec.name.to_string();
            }
        }
        if !spec.has(flags::SKIP_SLOWLOG) {
            let threshold = shared.config.read().slowlog_log_slower_than;
            if threshold >= 0 && elapsed.as_micros() as i64 >= threshold {
                let (addr, name) = {
                    let s = self.state.lock();
                    (s.addr.clone(), s.name.clone())
                };
                let max_len = shared.config.read().slowlog_max_len;
                shared
                    .slowlog
                    .lock()
                    .push(&argv, elapsed, addr, name, max_len);
            }
        }
        reply
    }

    fn error(&self, e: CmdError) -> Reply {
        debug!(client = self.id, error = %e, "command rejected");
        self.shared.counters.errors.fetch_add(1, Ordering::Relaxed);
        Reply::from(e)
    }
}

/// Resolves after `secs` seconds of idleness (never when 0).
async fn idle_timer(secs: u64) {
    if secs == 0 {
        std::future::pending::<()>().await;
    } else {
        tokio::time::sleep(Duration::from_secs(secs)).await;
    }
}
