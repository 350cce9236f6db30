//! Blocked clients (BLPOP and the like) and how the leader serves them.
//!
//! The leader owns the wait queues: a client connected to a follower has its blocking command
//! forwarded to the leader ([`super::grpc::Forwarded::block_ms`]), which blocks it here like
//! one of its own. Each key has a FIFO queue of the clients waiting on it, so clients are
//! served in the order they blocked, whichever node they are connected to.
//!
//! A pop is an ordinary log entry (the blocking command's logged form, which only pops): an
//! element is popped once, cluster-wide, whatever happens to the leader. After every change
//! of the applied state, the driver ([`drive`]) looks at each key that has waiters; when the
//! key holds a non-empty value of the awaited type and the head of its queue has no pop in
//! flight, it proposes the pop for that head. The outcome decides:
//! - an element (or an error, WRONGTYPE from BLMOVE's destination): the client is answered
//!   and leaves every queue;
//! - nothing (another client won the race): the client stays at the head of its queues;
//! - unknown (leadership lost mid-commit): the client gets the UNKNOWN error writes get; the
//!   pop is never proposed again.
//!
//! A timeout (or CLIENT UNBLOCK) that fires while a pop for the client is in flight waits for
//! that pop's outcome, so the client gets the element rather than a nil and a lost element.
//! When this node stops leading, every waiter without a pop in flight is answered
//! `-UNBLOCKED` (nothing was popped for it), as Redis answers blocked clients when a primary
//! turns replica.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Weak};
use std::time::Duration;

use bytes::Bytes;
use parking_lot::Mutex;
use tokio::sync::{Notify, oneshot};

use super::Node;
use super::grpc::ForwardError;
use crate::cmd::blocking::{Block, Kind};
use crate::cmd::{Spec, flags};
use crate::machine::Request;
use crate::resp::Reply;
use crate::store::Value;

/// The reply of a blocked client whose wait ended without an element.
pub fn timed_out() -> Reply {
    Reply::NilArray
}

/// The reply of waiters dropped because this node no longer leads.
pub fn leader_changed() -> Reply {
    Reply::error(
        "UNBLOCKED force unblock from blocking operation, instance state changed (this node \
         is no longer the Raft leader); nothing was popped for this client",
    )
}

/// Whether a pop's reply means there was nothing to pop.
pub fn is_empty(reply: &Reply) -> bool {
    matches!(reply, Reply::Nil | Reply::NilArray)
}

/// The wait queues of one node (used while it leads).
#[derive(Default)]
pub struct Waiters {
    inner: Mutex<Inner>,
    /// Wakes the driver: a client blocked, or a pop finished.
    wake: Notify,
}

#[derive(Default)]
struct Inner {
    next_id: u64,
    waiters: HashMap<u64, Waiter>,
    /// Per (database, key), the waiters in the order they blocked.
    queues: HashMap<(usize, Bytes), VecDeque<u64>>,
}

struct Waiter {
    db: usize,
    spec: &'static Spec,
    argv: Vec<Bytes>,
    keys: Vec<Bytes>,
    /// A pop was proposed for this client and its outcome is not known yet.
    in_flight: bool,
    /// The wait ended (timeout, CLIENT UNBLOCK) while a pop was in flight: the reply to
    /// give if that pop finds nothing.
    ended: Option<Reply>,
    tx: Option<oneshot::Sender<Reply>>,
}

/// A pop the driver must propose.
pub struct Due {
    pub id: u64,
    pub db: usize,
    pub spec: &'static Spec,
    pub argv: Vec<Bytes>,
}

/// What ending a wait did.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// The client left the queues: answer it with the reply given.
    Removed,
    /// A pop is in flight (or the client was already answered): wait for the reply.
    Pending,
}

impl Waiters {
    /// Queues a client blocked on `block.keys` in database `db`; `argv` is the blocking
    /// command, proposed as is for each attempt. The receiver gets the client's reply.
    pub fn register(
        &self,
        db: usize,
        spec: &'static Spec,
        argv: &[Bytes],
        block: &Block,
    ) -> (u64, oneshot::Receiver<Reply>) {
        let (tx, rx) = oneshot::channel();
        let mut inner = self.inner.lock();
        inner.next_id += 1;
        let id = inner.next_id;
        let mut keys: Vec<Bytes> = Vec::with_capacity(block.keys.len());
        for key in &block.keys {
            // BLPOP k k: one place in the queue.
            if !keys.contains(key) {
                keys.push(key.clone());
                inner
                    .queues
                    .entry((db, key.clone()))
                    .or_default()
                    .push_back(id);
            }
        }
        inner.waiters.insert(
            id,
            Waiter {
                db,
                spec,
                argv: argv.to_vec(),
                keys,
                in_flight: false,
                ended: None,
                tx: Some(tx),
            },
        );
        drop(inner);
        self.wake.notify_one();
        (id, rx)
    }

    /// Whether a client waits on one of `keys` of database `db`.
    pub fn any_waiting(&self, db: usize, keys: &[Bytes]) -> bool {
        let inner = self.inner.lock();
        keys.iter()
            .any(|k| inner.queues.contains_key(&(db, k.clone())))
    }

    /// How many clients are blocked here.
    pub fn len(&self) -> usize {
        self.inner.lock().waiters.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The pops to propose now: for each key that `ready` says holds something to pop, the
    /// head of its queue, unless a pop for that head is already in flight (then the key waits
    /// for its outcome, keeping the order). Marks them in flight.
    pub fn due(&self, mut ready: impl FnMut(usize, &Bytes, Kind) -> bool) -> Vec<Due> {
        let mut inner = self.inner.lock();
        let Inner {
            waiters, queues, ..
        } = &mut *inner;
        let mut due = Vec::new();
        for ((db, key), queue) in queues.iter() {
            let Some(w) = queue
                .front()
                .and_then(|id| waiters.get_mut(id).map(|w| (id, w)))
            else {
                continue;
            };
            let (id, w) = w;
            if w.in_flight || !ready(*db, key, kind_of(w.spec)) {
                continue;
            }
            w.in_flight = true;
            due.push(Due {
                id: *id,
                db: w.db,
                spec: w.spec,
                argv: w.argv.clone(),
            });
        }
        due
    }

    /// Records the outcome of the pop proposed for `id`: `Ok` with the reply once applied,
    /// `Err` with why its outcome is unknown.
    pub fn finished(&self, id: u64, outcome: Result<Reply, String>) {
        let mut inner = self.inner.lock();
        let Some(w) = inner.waiters.get_mut(&id) else {
            return;
        };
        w.in_flight = false;
        let reply = match outcome {
            Ok(reply) if is_empty(&reply) => match w.ended.take() {
                // Someone else won: keep the place at the head of the queues.
                None => {
                    drop(inner);
                    self.wake.notify_one();
                    return;
                }
                Some(ended) => ended,
            },
            Ok(reply) => reply,
            Err(why) => super::unknown(&why),
        };
        if let Some(tx) = inner.remove(id) {
            let _ = tx.send(reply);
        }
        drop(inner);
        self.wake.notify_one();
    }

    /// Ends the wait of `id` (timeout, CLIENT UNBLOCK) with `reply` unless a pop is in
    /// flight for it, whose outcome then decides.
    pub fn end(&self, id: u64, reply: Reply) -> Ended {
        let mut inner = self.inner.lock();
        match inner.waiters.get_mut(&id) {
            Some(w) if w.in_flight => {
                w.ended = Some(reply);
                Ended::Pending
            }
            Some(_) => {
                inner.remove(id);
                Ended::Removed
            }
            None => Ended::Pending,
        }
    }

    /// Forgets `id` (its client went away).
    pub fn remove(&self, id: u64) {
        self.inner.lock().remove(id);
    }

    /// Answers `reply` to every waiter without a pop in flight (this node no longer leads);
    /// those with one get its outcome.
    pub fn fail_idle(&self, reply: &Reply) {
        let mut inner = self.inner.lock();
        let idle: Vec<u64> = inner
            .waiters
            .iter()
            .filter(|(_, w)| !w.in_flight)
            .map(|(id, _)| *id)
            .collect();
        for id in idle {
            if let Some(tx) = inner.remove(id) {
                let _ = tx.send(reply.clone());
            }
        }
    }
}

impl Inner {
    fn remove(&mut self, id: u64) -> Option<oneshot::Sender<Reply>> {
        let mut w = self.waiters.remove(&id)?;
        for key in &w.keys {
            let slot = (w.db, key.clone());
            if let Some(queue) = self.queues.get_mut(&slot) {
                queue.retain(|other| *other != id);
                if queue.is_empty() {
                    self.queues.remove(&slot);
                }
            }
        }
        w.tx.take()
    }
}

/// The type a blocking command pops.
fn kind_of(spec: &Spec) -> Kind {
    match spec.name {
        "bzpopmin" | "bzpopmax" | "bzmpop" => Kind::ZSet,
        _ => Kind::List,
    }
}

/// Removes its waiter when dropped (the client went away mid-wait).
struct Deregister<'a> {
    waiters: &'a Waiters,
    id: u64,
}

impl Drop for Deregister<'_> {
    fn drop(&mut self) {
        self.waiters.remove(self.id);
    }
}

impl Node {
    /// Proposes the pop `argv` (a blocking command, whose logged form never waits) as its own
    /// entry and returns its reply, or why its outcome is unknown.
    async fn pop_once(
        &self,
        db: usize,
        spec: &'static Spec,
        argv: &[Bytes],
    ) -> Result<Reply, String> {
        let mut prepare = match self.prepare_now().await {
            Ok(prepare) => prepare,
            Err(reply) => return Ok(reply),
        };
        let canon = match super::canonical(spec, argv, &mut prepare) {
            Ok(canon) => canon,
            Err(e) => return Ok(Reply::from(e)),
        };
        let mut replies = self
            .proposer
            .propose(db as u32, Request::Commands(vec![canon]))
            .await?;
        Ok(replies
            .pop()
            .unwrap_or_else(|| Reply::error("ERR missing reply")))
    }

    /// Runs a blocking command on this node, which believes it leads: pops at once when there
    /// is something to pop, else waits in the queues until an element comes, `timeout` passes
    /// (`None`: never) or `unblock` resolves (CLIENT UNBLOCK, with the reply to give).
    pub(super) async fn block_local(
        &self,
        db: usize,
        spec: &'static Spec,
        argv: &[Bytes],
        block: &Block,
        timeout: Option<Duration>,
        unblock: impl Future<Output = Reply>,
    ) -> Reply {
        let deadline = timeout.map(|t| tokio::time::Instant::now() + t);
        // Clients already waiting on one of the keys go first: this one joins the queues
        // without trying, in the order it came.
        if !self.waiters.any_waiting(db, &block.keys) {
            match self.pop_once(db, spec, argv).await {
                Ok(reply) if !is_empty(&reply) => return reply,
                Ok(_) => {}
                Err(why) => return super::unknown(&why),
            }
        }
        let (id, mut rx) = self.waiters.register(db, spec, argv, block);
        let _guard = Deregister {
            waiters: &self.waiters,
            id,
        };
        let expired = async {
            match deadline {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        let ended = tokio::select! {
            reply = &mut rx => return reply.unwrap_or_else(|_| leader_changed()),
            () = expired => timed_out(),
            reply = unblock => reply,
        };
        match self.waiters.end(id, ended.clone()) {
            Ended::Removed => ended,
            Ended::Pending => rx.await.unwrap_or_else(|_| leader_changed()),
        }
    }

    /// How many clients are blocked on this node's queues (those forwarded here included).
    pub fn blocked_here(&self) -> usize {
        self.waiters.len()
    }

    /// Runs the blocking command `argv` (looked up as `spec`) for a client of this node:
    /// here when this node leads, else on the leader, which owns the wait queues. `unblock`
    /// resolves with the reply to give when CLIENT UNBLOCK ends the wait. Waiting for a
    /// leader and forwarding follow [`Node::write`]; a leader change while the client waits
    /// on another node ends the wait with an error (UNKNOWN: a pop may have been in flight).
    pub async fn block(
        &self,
        db: usize,
        spec: &'static Spec,
        argv: &[Bytes],
        unblock: impl Future<Output = Reply>,
    ) -> Reply {
        let block = match crate::cmd::blocking::block(spec, argv) {
            Some(Ok(block)) => block,
            Some(Err(e)) => return Reply::from(e),
            None => {
                return self
                    .write(db, &[(spec, argv)])
                    .await
                    .pop()
                    .unwrap_or_else(|| Reply::error("ERR missing reply"));
            }
        };
        let started = std::time::Instant::now();
        let timeout = block.timeout_ms.map(Duration::from_millis);
        tokio::pin!(unblock);
        loop {
            // What is left of the timeout after waiting for a leader (0 would mean forever).
            let left = timeout.map(|t| {
                t.saturating_sub(started.elapsed())
                    .max(Duration::from_millis(1))
            });
            match self.route().await {
                None => return super::tryagain(),
                Some(super::Route::Local) => {
                    return self
                        .block_local(db, spec, argv, &block, left, unblock)
                        .await;
                }
                Some(super::Route::Leader(addr)) => {
                    let mut request = super::forwarded(db, true, &[(spec, argv)]);
                    request.block_ms = Some(left.map_or(0, |t| t.as_millis() as u64));
                    let forwarded = self.forward_to_leader(&addr, request);
                    // The client was unblocked here: stop waiting for the leader, which drops
                    // the client from its queues when the call is cancelled.
                    let result = tokio::select! {
                        result = forwarded => result,
                        reply = &mut unblock => return reply,
                    };
                    match result {
                        Ok(mut replies) => {
                            return replies
                                .pop()
                                .unwrap_or_else(|| Reply::error("ERR missing reply"));
                        }
                        Err(ForwardError::Unknown(why)) => return super::unknown(&why),
                        Err(
                            ForwardError::NotLeader(_)
                            | ForwardError::NoLeader
                            | ForwardError::Unavailable(_),
                        ) => {
                            if started.elapsed() > self.config.leader_wait {
                                return super::tryagain();
                            }
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    }
                }
            }
        }
    }
}

/// Whether `key` in database `db` holds something a client waiting for `kind` can pop.
fn ready(node: &Node, db: usize, key: &Bytes, kind: Kind) -> bool {
    let now = node.clock.now();
    let a = node.applied.lock();
    let store = a.machine.store();
    let db = db.min(store.db_count().saturating_sub(1));
    let now = a.machine.read_time(now);
    match store.db(db).get(key, now).map(|e| &e.value) {
        Some(Value::List(l)) => kind == Kind::List && !l.is_empty(),
        Some(Value::ZSet(z)) => kind == Kind::ZSet && !z.is_empty(),
        _ => false,
    }
}

/// Serves the wait queues of `node` for as long as it lives: after every change of its Raft
/// state (an entry applied, leadership) and whenever a client blocks or a pop finishes,
/// proposes the pops that are due; when the node does not lead, answers the idle waiters.
pub async fn drive(node: Weak<Node>, waiters: Arc<Waiters>) {
    let Some(mut metrics) = node.upgrade().map(|n| n.raft.metrics()) else {
        return;
    };
    loop {
        tokio::select! {
            changed = metrics.changed() => if changed.is_err() { return },
            () = waiters.wake.notified() => {}
        }
        let Some(node) = node.upgrade() else {
            return;
        };
        if waiters.is_empty() {
            continue;
        }
        if !node.is_leader() {
            waiters.fail_idle(&leader_changed());
            continue;
        }
        for due in waiters.due(|db, key, kind| ready(&node, db, key, kind)) {
            let node = node.clone();
            let waiters = waiters.clone();
            tokio::spawn(async move {
                let outcome = node.pop_once(due.db, due.spec, &due.argv).await;
                waiters.finished(due.id, outcome);
            });
        }
    }
}

/// Whether `spec` blocks when run outside a transaction.
pub fn blocks(spec: &Spec) -> bool {
    spec.has(flags::BLOCKING)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::Table;

    fn b(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    fn blpop(keys: &[&str]) -> (&'static Spec, Vec<Bytes>, Block) {
        let spec = Table::canonical().get(b"blpop").unwrap();
        let mut argv = vec![b("blpop")];
        argv.extend(keys.iter().map(|k| b(k)));
        argv.push(b("0"));
        let block = crate::cmd::blocking::block(spec, &argv).unwrap().unwrap();
        (spec, argv, block)
    }

    fn register(w: &Waiters, keys: &[&str]) -> (u64, oneshot::Receiver<Reply>) {
        let (spec, argv, block) = blpop(keys);
        w.register(0, spec, &argv, &block)
    }

    #[test]
    fn serves_in_the_order_clients_blocked() {
        let w = Waiters::default();
        let (a, mut ra) = register(&w, &["k"]);
        let (b_, mut rb) = register(&w, &["other", "k"]);
        let (c, _rc) = register(&w, &["k"]);
        // Nothing ready: nothing due.
        assert!(w.due(|_, _, _| false).is_empty());
        // k fills: only its head is due, and not twice while in flight.
        let due = w.due(|_, key, _| key == "k");
        assert_eq!(due.iter().map(|d| d.id).collect::<Vec<_>>(), vec![a]);
        assert!(w.due(|_, key, _| key == "k").is_empty());
        // Another client won the element: a stays at the head.
        w.finished(a, Ok(Reply::NilArray));
        assert!(ra.try_recv().is_err());
        let due = w.due(|_, key, _| key == "k");
        assert_eq!(due[0].id, a);
        w.finished(
            a,
            Ok(Reply::Array(vec![Reply::Bulk(b("k")), Reply::Bulk(b("1"))])),
        );
        assert!(matches!(ra.try_recv(), Ok(Reply::Array(_))));
        // Then b (blocked second, on two keys), then c.
        let due = w.due(|_, key, _| key == "k");
        assert_eq!(due.iter().map(|d| d.id).collect::<Vec<_>>(), vec![b_]);
        w.finished(b_, Ok(Reply::error("WRONGTYPE x")));
        assert_eq!(rb.try_recv().unwrap(), Reply::error("WRONGTYPE x"));
        assert_eq!(w.due(|_, key, _| key == "k")[0].id, c);
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn a_timeout_while_a_pop_is_in_flight_waits_for_its_outcome() {
        let w = Waiters::default();
        let (a, mut ra) = register(&w, &["k"]);
        let (b_, _rb) = register(&w, &["k"]);
        assert_eq!(w.due(|_, _, _| true)[0].id, a);
        // The timeout fires: the pop is in flight, so the client waits for it.
        assert_eq!(w.end(a, timed_out()), Ended::Pending);
        w.finished(a, Ok(Reply::Bulk(b("item"))));
        assert_eq!(ra.try_recv().unwrap(), Reply::Bulk(b("item")));
        // The same, when the pop found nothing: the timeout reply.
        assert_eq!(w.due(|_, _, _| true)[0].id, b_);
        assert_eq!(w.end(b_, timed_out()), Ended::Pending);
        let (c, mut rc) = register(&w, &["k"]);
        w.finished(b_, Ok(Reply::NilArray));
        assert_eq!(w.len(), 1);
        // Without a pop in flight, the wait ends at once.
        assert_eq!(w.end(c, timed_out()), Ended::Removed);
        assert!(rc.try_recv().is_err());
        assert!(w.is_empty());
    }

    #[test]
    fn unknown_outcomes_and_leader_loss() {
        let w = Waiters::default();
        let (a, mut ra) = register(&w, &["k"]);
        let (_b, mut rb) = register(&w, &["j"]);
        assert_eq!(w.due(|_, key, _| key == "k")[0].id, a);
        w.fail_idle(&leader_changed());
        assert_eq!(rb.try_recv().unwrap(), leader_changed());
        // a's pop is in flight: it gets that pop's outcome, never a second proposal.
        assert!(ra.try_recv().is_err());
        w.finished(a, Err("leadership changed".into()));
        let Ok(Reply::Error(text)) = ra.try_recv() else {
            panic!("no error")
        };
        assert!(text.starts_with(b"UNKNOWN"));
        assert!(w.is_empty());
    }

    #[test]
    fn a_client_that_leaves_leaves_every_queue() {
        let w = Waiters::default();
        let (a, _ra) = register(&w, &["k", "j", "k"]);
        let (b_, _rb) = register(&w, &["j"]);
        w.remove(a);
        assert_eq!(
            w.due(|_, _, _| true)
                .iter()
                .map(|d| d.id)
                .collect::<Vec<_>>(),
            vec![b_]
        );
        assert!(w.inner.lock().queues.len() == 1);
    }
}
