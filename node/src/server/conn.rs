//! One client connection: read requests, run them in order, write replies in batches.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use parking_lot::Mutex;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::futures::Notified;
use tokio::sync::{Notify, oneshot};
use tracing::debug;

use crate::cmd::server::command::{check_subcommand, full_name};
use crate::cmd::session::{ClientState, UnblockMode};
use crate::cmd::transaction::{self, Tx, observe};
use crate::cmd::{self, CmdError, Run, Spec, flags};
use crate::pubsub::{Mailbox, Subscriber};
use crate::resp::{Limits, Parsed, Protocol, Reply, parse_request};

use super::session::SessionImpl;
use super::stats::CallTally;
use super::{ClientHandle, Shared};

mod pubsub;

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
    let mut client = ClientState::new(id, peer.to_string(), laddr, authenticated);
    client.fd = i64::from(std::os::fd::AsRawFd::as_raw_fd(&stream));
    let state = Arc::new(Mutex::new(client));
    let kill = Arc::new(Notify::new());
    let unblock = Arc::new(Mutex::new(None));
    shared.clients.lock().insert(
        id,
        ClientHandle {
            state: state.clone(),
            kill: kill.clone(),
            unblock: unblock.clone(),
        },
    );
    // Pub/Sub messages past the output limits close the connection as CLIENT KILL does.
    let mailbox = Arc::new(Mailbox::new(kill.clone()));
    let mut conn = Conn {
        sub: Subscriber::new(id, shared.node.pubsub().clone(), mailbox),
        unwritten: 0,
        shared: shared.clone(),
        state,
        id,
        unblock,
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
    /// Pub/Sub subscriptions and the mailbox of messages to push; dropped (unsubscribing
    /// everything) with the connection.
    sub: Subscriber,
    /// Bytes of messages taken from the mailbox and not yet written to the socket.
    unwritten: usize,
    /// Set while the client waits in a blocking command: CLIENT UNBLOCK sends through it.
    unblock: Arc<Mutex<Option<oneshot::Sender<UnblockMode>>>>,
}

/// The socket and the kill signal, watched while a client is blocked: a client that goes
/// away (or is killed) stops waiting.
struct Io<'a, 'k> {
    stream: &'a mut TcpStream,
    rbuf: &'a mut BytesMut,
    killed: Pin<&'a mut Notified<'k>>,
}

/// Per-batch counters, added to the server's atomics once per batch rather than per command.
#[derive(Default)]
struct Tally {
    commands: u64,
    errors: u64,
    hits: u64,
    misses: u64,
    /// INFO commandstats of the batch.
    calls: CallTally,
}

/// What a command needs, looked up and authorized.
enum Ready {
    Run(&'static Spec),
    /// Refused before running, with the command when it exists (wrong arity, NOAUTH).
    Rejected(CmdError, Option<&'static Spec>),
}

impl Conn {
    async fn run(&mut self, mut stream: TcpStream, kill: &Notify) -> std::io::Result<()> {
        let limits = Limits {
            max_bulk_len: self.shared.config.read().proto_max_bulk_len,
            ..Limits::default()
        };
        let mut rbuf = BytesMut::with_capacity(16 * 1024);
        let mut wbuf = BytesMut::with_capacity(16 * 1024);
        let mut batch: Vec<Vec<Bytes>> = Vec::new();
        // One registration with the kill signal for the connection's whole life, rather than
        // one per read.
        let killed = kill.notified();
        tokio::pin!(killed);
        loop {
            // Take every complete request in the buffer, run them in order, then write all
            // replies with one syscall.
            let mut bad_protocol = None;
            loop {
                match parse_request(&mut rbuf, &limits) {
                    Ok(Parsed::Request(argv)) => {
                        if !argv.is_empty() {
                            batch.push(argv);
                        }
                    }
                    Ok(Parsed::Incomplete { need }) => {
                        rbuf.reserve(need.saturating_sub(rbuf.len()).min(1 << 20));
                        break;
                    }
                    Err(e) => {
                        bad_protocol = Some(e);
                        break;
                    }
                }
            }
            let quit = {
                let mut io = Io {
                    stream: &mut stream,
                    rbuf: &mut rbuf,
                    killed: killed.as_mut(),
                };
                self.run_batch(&batch, &mut wbuf, &mut io).await
            };
            batch.clear();
            self.take_pushes(&mut wbuf);
            if let Some(e) = &bad_protocol
                && !quit
            {
                Reply::error(e.reply_text()).encode(self.protocol(), &mut wbuf);
                self.shared.counters.errors.fetch_add(1, Ordering::Relaxed);
            }
            if !wbuf.is_empty() {
                self.shared
                    .counters
                    .net_out
                    .fetch_add(wbuf.len() as u64, Ordering::Relaxed);
                // A client that reads nothing must not hold the connection forever: CLIENT KILL
                // and a Pub/Sub overflow close it even mid-write.
                tokio::select! {
                    written = stream.write_all(&wbuf) => written?,
                    _ = &mut killed => return Ok(()),
                }
                wbuf.clear();
                self.sub
                    .mailbox()
                    .release(std::mem::take(&mut self.unwritten));
                if wbuf.capacity() > 1 << 20 {
                    // Do not keep a huge reply buffer around for an idle client.
                    wbuf = BytesMut::with_capacity(16 * 1024);
                }
            }
            if quit || bad_protocol.is_some() {
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
                _ = &mut killed => return Ok(()),
                // Pub/Sub messages arrived: go round to write them.
                _ = self.sub.mailbox().wait() => continue,
                _ = idle_timer(idle, self.sub.active()) => return Ok(()),
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

    fn protocol(&self) -> Protocol {
        self.state.lock().protocol
    }

    /// Looks a command up (unknown command and arity first, as Redis's `processCommand`), then
    /// checks authentication, then, for a RESP2 connection in Pub/Sub mode (`pubsub_only`),
    /// that the command is one it may run.
    fn ready(&self, argv: &[Bytes], authenticated: bool, pubsub_only: bool) -> Ready {
        match cmd::lookup(&self.shared.table, argv) {
            Ok(spec) if !authenticated && !spec.has(flags::NO_AUTH) => {
                // Redis checks subcommands (and their arity) before authentication.
                let e = check_subcommand(spec, argv)
                    .err()
                    .unwrap_or(CmdError::NoAuth);
                Ready::Rejected(e, Some(spec))
            }
            Ok(spec) if pubsub_only && !cmd::pubsub::allowed_when_subscribed(spec) => {
                let e = CmdError::PubSubContext(full_name(spec, argv).into_owned());
                Ready::Rejected(e, Some(spec))
            }
            Ok(spec) => Ready::Run(spec),
            Err(e) => Ready::Rejected(e, self.shared.table.get(&argv[0])),
        }
    }

    /// Runs a batch of pipelined commands in order, appending each reply to `out`. Runs of
    /// consecutive reads share one state-machine lock; a run of reads and writes is one log
    /// entry, its reads answered in order when it applies (as Redis runs a client's whole
    /// pipeline in one pass of its event loop, with one `appendfsync always` flush), rather
    /// than one commit to wait for per group of writes; session commands run one at a time,
    /// since they may change the connection (database, protocol, authentication). Returns
    /// true when the connection must close.
    async fn run_batch(
        &mut self,
        batch: &[Vec<Bytes>],
        out: &mut BytesMut,
        io: &mut Io<'_, '_>,
    ) -> bool {
        let shared = self.shared.clone();
        let mut tally = Tally::default();
        let slow_threshold = shared.config.read().slowlog_log_slower_than;
        let mut quit = false;
        let mut i = 0;
        while i < batch.len() && !quit {
            let (authenticated, db, protocol, mut reply_mode, stale, queuing) = {
                let s = self.state.lock();
                (
                    s.authenticated,
                    s.db,
                    s.protocol,
                    s.reply,
                    s.readonly,
                    s.multi.is_some(),
                )
            };
            let pubsub_only = protocol == Protocol::Resp2 && self.sub.active();
            let spec = match self.ready(&batch[i], authenticated, pubsub_only) {
                Ready::Run(spec) => spec,
                Ready::Rejected(e, spec) => {
                    debug!(client = self.id, error = %e, "command rejected");
                    tally.commands += 1;
                    tally.errors += 1;
                    let reply = Reply::from(e);
                    if let Reply::Error(text) = &reply {
                        shared.stats.error(text);
                    }
                    let mut s = self.state.lock();
                    if let Some(multi) = s.multi.as_mut() {
                        // Redis's flagTransaction: EXEC will answer EXECABORT.
                        multi.failed = true;
                    }
                    if let Some(spec) = spec {
                        // Redis records a refused command as the client's last one too.
                        let name = full_name(spec, &batch[i]);
                        shared.stats.rejected(&name);
                        s.last_cmd = name.into_owned();
                    }
                    if s.reply.after_command() {
                        reply.encode(protocol, out);
                    }
                    i += 1;
                    continue;
                }
            };
            if queuing && !transaction::runs_inside_multi(spec) {
                let reply = self.queue(spec, &batch[i]);
                tally.commands += 1;
                tally.errors += u64::from(reply.is_error());
                if let Reply::Error(text) = &reply {
                    shared.stats.error(text);
                }
                let mut s = self.state.lock();
                if s.reply.after_command() {
                    reply.encode(protocol, out);
                }
                s.last_cmd = full_name(spec, &batch[i]).into_owned();
                s.last_interaction = Instant::now();
                i += 1;
                continue;
            }
            // The run starting at i: the data commands (reads and writes) that follow one
            // another. With a write among them, the whole run is one log entry, whose reads
            // are answered in their place when it applies; otherwise it is a run of reads.
            let mut run: Vec<(&'static Spec, &[Bytes])> = vec![(spec, &batch[i][..])];
            let mut spec = spec;
            if is_data(spec) {
                while let Some(next) = batch.get(i + run.len()) {
                    match self.ready(next, authenticated, pubsub_only) {
                        Ready::Run(s) if is_data(s) => {
                            if matches!(s.run, Run::Write { .. })
                                && matches!(spec.run, Run::Read(_))
                            {
                                spec = s;
                            }
                            run.push((s, &next[..]))
                        }
                        _ => break,
                    }
                }
            }
            i += run.len();
            tally.commands += run.len() as u64;
            let started = Instant::now();
            match spec.run {
                Run::Read(_) => {
                    let seed = shared.counters.commands.load(Ordering::Relaxed);
                    let mut k = 0;
                    let mut last = started;
                    shared
                        .node
                        .read(db, &run, stale, seed, |result, hits, misses| {
                            tally.hits += hits;
                            tally.misses += misses;
                            let reply = result.unwrap_or_else(Reply::from);
                            tally.errors += u64::from(reply.is_error());
                            if reply_mode.after_command() {
                                reply.encode(protocol, out);
                            }
                            let now = Instant::now();
                            self.account(
                                slow_threshold,
                                run[k],
                                now - last,
                                &reply,
                                &mut tally.calls,
                            );
                            last = now;
                            k += 1;
                        })
                        .await;
                    self.state.lock().reply = reply_mode;
                }
                Run::Write { .. } if spec.has(flags::BLOCKING) => {
                    let Some(reply) = self.block(db, run[0], io).await else {
                        // The client went away or was killed while it waited.
                        quit = true;
                        continue;
                    };
                    tally.errors += u64::from(reply.is_error());
                    if reply_mode.after_command() {
                        reply.encode(protocol, out);
                    }
                    self.state.lock().reply = reply_mode;
                    self.account(
                        slow_threshold,
                        run[0],
                        started.elapsed(),
                        &reply,
                        &mut tally.calls,
                    );
                }
                Run::Write { .. } => {
                    let seed = shared.counters.commands.load(Ordering::Relaxed);
                    // A run none of whose writes changes anything is answered like reads;
                    // otherwise it is proposed.
                    let replies = match shared.node.unchanged(db, &run, seed).await {
                        Some(results) => results
                            .into_iter()
                            .map(|(result, hits, misses)| {
                                tally.hits += hits;
                                tally.misses += misses;
                                result.unwrap_or_else(Reply::from)
                            })
                            .collect(),
                        None => shared.node.write(db, &run).await,
                    };
                    let elapsed = started.elapsed() / run.len() as u32;
                    for (reply, cmd) in replies.iter().zip(&run) {
                        tally.errors += u64::from(reply.is_error());
                        if reply_mode.after_command() {
                            reply.encode(protocol, out);
                        }
                        self.account(slow_threshold, *cmd, elapsed, reply, &mut tally.calls);
                    }
                    self.state.lock().reply = reply_mode;
                }
                Run::Admin(_) | Run::Transaction(_) => {
                    let reply = match spec.run {
                        Run::Admin(parse) => match parse(run[0].1) {
                            Ok(op) => {
                                crate::raft::admin_reply(shared.node.admin(op, run[0].1).await)
                            }
                            Err(e) => Reply::from(e),
                        },
                        Run::Transaction(Tx::Watch) => self.watch(run[0].1, stale).await,
                        _ => self.exec(out).await,
                    };
                    tally.errors += u64::from(reply.is_error());
                    // EXEC may have run a HELLO: its reply is in the protocol in force after.
                    let protocol = self.protocol();
                    if reply_mode.after_command() {
                        reply.encode(protocol, out);
                    }
                    self.state.lock().reply = reply_mode;
                    self.account(
                        slow_threshold,
                        run[0],
                        started.elapsed(),
                        &reply,
                        &mut tally.calls,
                    );
                }
                Run::PubSub(parse) => {
                    let reply = self
                        .run_pubsub(parse, run[0].1, protocol, reply_mode.after_command(), out)
                        .await;
                    tally.errors += u64::from(reply.is_error());
                    {
                        let mut s = self.state.lock();
                        s.reply = reply_mode;
                        s.subscriptions = self.sub.counts();
                    }
                    self.account(
                        slow_threshold,
                        run[0],
                        started.elapsed(),
                        &reply,
                        &mut tally.calls,
                    );
                }
                Run::Session(f) => {
                    let mut client = self.state.lock().clone();
                    // Redis records the command before running it (CLIENT LIST shows
                    // `cmd=client|list` for the caller).
                    client.last_cmd = full_name(spec, run[0].1).into_owned();
                    let mut session = SessionImpl::new(&shared, client);
                    let reply = f(&mut session, &batch[i - 1]).unwrap_or_else(Reply::from);
                    let mut client = session.into_client();
                    // A reply is encoded in the protocol in force after the command (HELLO 3
                    // answers in RESP3), unless CLIENT REPLY (or SHUTDOWN) silenced it.
                    tally.errors += u64::from(reply.is_error());
                    if client.reply.after_command() {
                        reply.encode(client.protocol, out);
                    }
                    quit = client.close_after_reply;
                    if !client.subscribed() && self.sub.active() {
                        // RESET left every subscription.
                        self.sub.clear();
                    }
                    *self.state.lock() = client;
                    self.account(
                        slow_threshold,
                        run[0],
                        started.elapsed(),
                        &reply,
                        &mut tally.calls,
                    );
                }
            }
            let mut s = self.state.lock();
            s.last_interaction = Instant::now();
            let (spec, argv) = run[run.len() - 1];
            let last = full_name(spec, argv);
            if s.last_cmd != last {
                s.last_cmd = last.into_owned();
            }
        }
        let c = &shared.counters;
        c.commands.fetch_add(tally.commands, Ordering::Relaxed);
        shared.stats.merge(&tally.calls);
        for (counter, n) in [
            (&c.errors, tally.errors),
            (&c.hits, tally.hits),
            (&c.misses, tally.misses),
        ] {
            if n > 0 {
                counter.fetch_add(n, Ordering::Relaxed);
            }
        }
        quit
    }

    /// Runs a blocking command (outside MULTI) until it answers, watching the socket
    /// meanwhile: `None` when the client closed the connection or was killed, which ends
    /// its wait (the replication layer drops it from the queues).
    async fn block(
        &mut self,
        db: usize,
        (spec, argv): (&'static Spec, &[Bytes]),
        io: &mut Io<'_, '_>,
    ) -> Option<Reply> {
        let (tx, rx) = oneshot::channel();
        *self.unblock.lock() = Some(tx);
        self.state.lock().blocked = true;
        let unblock = async move {
            match rx.await {
                Ok(mode) => mode.reply(),
                // No CLIENT UNBLOCK will come.
                Err(_) => std::future::pending().await,
            }
        };
        let shared = self.shared.clone();
        let Io {
            stream,
            rbuf,
            killed,
        } = io;
        // Requests sent meanwhile are buffered, as Redis does for a blocked client; only the
        // end of the stream matters now.
        let gone = async {
            loop {
                match stream.read_buf(&mut **rbuf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => {
                        shared
                            .counters
                            .net_in
                            .fetch_add(n as u64, Ordering::Relaxed);
                    }
                }
            }
        };
        let reply = tokio::select! {
            reply = shared.node.block(db, spec, argv, unblock) => Some(reply),
            () = gone => None,
            () = killed.as_mut() => None,
        };
        *self.unblock.lock() = None;
        self.state.lock().blocked = false;
        reply
    }

    /// Queues a command inside MULTI: `+QUEUED`, or an error that makes EXEC abort.
    fn queue(&self, spec: &'static Spec, argv: &[Bytes]) -> Reply {
        let mut s = self.state.lock();
        let Some(multi) = s.multi.as_mut() else {
            return Reply::error("ERR EXEC without MULTI");
        };
        if spec.has(flags::NO_MULTI) || matches!(spec.run, Run::Admin(_)) {
            multi.failed = true;
            return Reply::error("ERR Command not allowed inside a transaction");
        }
        multi.queued.push(argv.to_vec());
        Reply::simple("QUEUED")
    }

    /// WATCH: reads the keys' versions through the read path (linearizable, or this node's
    /// own state with READONLY) and remembers them for EXEC.
    async fn watch(&mut self, argv: &[Bytes], stale: bool) -> Reply {
        let db = {
            let s = self.state.lock();
            if s.multi.is_some() {
                return Reply::error("ERR WATCH inside MULTI is not allowed");
            }
            s.db
        };
        let keys = &argv[1..];
        let mut request = Vec::with_capacity(argv.len());
        request.push(Bytes::from_static(observe::NAME.as_bytes()));
        request.extend_from_slice(keys);
        let mut observed = Reply::NilArray;
        self.shared
            .node
            .read(
                db,
                &[(&observe::SPEC, &request[..])],
                stale,
                0,
                |r, _, _| {
                    observed = r.unwrap_or_else(Reply::from);
                },
            )
            .await;
        let seen = match observe::decode(db, keys, observed) {
            Ok(seen) => seen,
            Err(reply) => return reply,
        };
        let mut s = self.state.lock();
        for w in seen {
            // Watching a key twice keeps the first observation, as Redis does.
            if !s.watched.iter().any(|o| o.db == w.db && o.key == w.key) {
                s.watched.push(w);
            }
        }
        Reply::OK
    }

    /// EXEC: the queued data commands and the watched keys go through the log as one entry;
    /// connection and Pub/Sub commands queued with them (PUBLISH) run here once it is
    /// applied, their replies put in their places. A SELECT inside the transaction is applied there and, when it
    /// succeeded, selects the database here too.
    async fn exec(&mut self, out: &mut BytesMut) -> Reply {
        let (multi, watched, db) = {
            let mut s = self.state.lock();
            let Some(multi) = s.multi.take() else {
                return Reply::error("ERR EXEC without MULTI");
            };
            (multi, std::mem::take(&mut s.watched), s.db)
        };
        if multi.failed {
            return Reply::error("EXECABORT Transaction discarded because of previous errors.");
        }
        let shared = self.shared.clone();
        // Each queued command: logged (its place among the logged ones) or run here.
        let mut logged: Vec<(&'static Spec, &[Bytes])> = Vec::new();
        let mut plan: Vec<Option<&'static Spec>> = Vec::with_capacity(multi.queued.len());
        for argv in &multi.queued {
            let Some(spec) = shared.table.get(&argv[0]) else {
                plan.push(None);
                continue;
            };
            match spec.run {
                Run::Write { .. } | Run::Read(_) => logged.push((spec, &argv[..])),
                Run::Session(_) if spec.name == "select" => logged.push((spec, &argv[..])),
                _ => {}
            }
            plan.push(Some(spec));
        }
        let mut applied = if logged.is_empty() && watched.is_empty() {
            Vec::new().into_iter()
        } else {
            match shared.node.exec(db, watched, &logged).await {
                Reply::Array(items) => items.into_iter(),
                other => return other,
            }
        };
        let mut replies = Vec::with_capacity(plan.len());
        for (argv, spec) in multi.queued.iter().zip(plan) {
            let reply = match spec.map(|s| (s, s.run)) {
                Some((s, Run::Session(_))) if s.name == "select" => {
                    let reply = applied.next().unwrap_or(Reply::NilArray);
                    if reply == Reply::OK
                        && let Ok(index) = cmd::connection::select::parse_db(
                            &argv[1],
                            shared.config.read().databases,
                        )
                    {
                        self.state.lock().db = index;
                    }
                    reply
                }
                Some((_, Run::Write { .. } | Run::Read(_))) => {
                    applied.next().unwrap_or(Reply::NilArray)
                }
                Some((_, Run::PubSub(parse))) => {
                    // Messages waiting go out before EXEC's reply; this command's own reply
                    // is its element.
                    let protocol = self.protocol();
                    self.run_pubsub(parse, argv, protocol, false, out).await
                }
                Some((_, Run::Session(f))) => {
                    let client = self.state.lock().clone();
                    let mut session = SessionImpl::new(&shared, client);
                    let reply = f(&mut session, argv).unwrap_or_else(Reply::from);
                    *self.state.lock() = session.into_client();
                    reply
                }
                _ => Reply::error("ERR Command not allowed inside a transaction"),
            };
            replies.push(reply);
        }
        self.state.lock().subscriptions = self.sub.counts();
        Reply::Array(replies)
    }

    /// Accounts for a command that ran: INFO commandstats and errorstats, and the slow log.
    fn account(
        &self,
        threshold: i64,
        cmd: (&'static Spec, &[Bytes]),
        took: Duration,
        reply: &Reply,
        calls: &mut CallTally,
    ) {
        if let Reply::Error(text) = reply {
            self.shared.stats.error(text);
        }
        calls.add(
            full_name(cmd.0, cmd.1),
            took.as_micros() as u64,
            reply.is_error(),
        );
        self.slowlog(threshold, cmd, took);
    }

    /// Records a command in the slow log when it took at least the threshold.
    fn slowlog(&self, threshold: i64, (spec, argv): (&'static Spec, &[Bytes]), took: Duration) {
        if threshold < 0 || (took.as_micros() as i64) < threshold || spec.has(flags::SKIP_SLOWLOG) {
            return;
        }
        let (addr, name) = {
            let s = self.state.lock();
            (s.addr.clone(), s.name.clone())
        };
        let max_len = self.shared.config.read().slowlog_max_len;
        self.shared
            .slowlog
            .lock()
            .push(argv, took, addr, name, max_len);
    }
}

/// Whether `spec` reads or writes data without blocking: such commands pipelined together run
/// as one run.
fn is_data(spec: &Spec) -> bool {
    matches!(spec.run, Run::Read(_) | Run::Write { .. }) && !spec.has(flags::BLOCKING)
}

/// Resolves after `secs` seconds of idleness (never when 0, nor for a Pub/Sub subscriber,
/// which Redis's `timeout` spares too).
async fn idle_timer(secs: u64, subscribed: bool) {
    if secs == 0 || subscribed {
        std::future::pending::<()>().await;
    } else {
        tokio::time::sleep(Duration::from_secs(secs)).await;
    }
}
