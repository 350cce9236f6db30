//! The workloads: what each client does in a loop until the run ends, recording every
//! operation in the history.

use std::sync::Arc;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use redraft_client::{Cmd, Value};

use crate::client::{Client, as_i64, as_string, cmd};
use crate::history::{Call, Op, Outcome, Recorder, Reply};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
pub enum Workload {
    Register,
    Counter,
    Set,
    Queue,
    Session,
}

/// Keys per workload: few, so clients contend.
pub const KEYS: usize = 3;

/// Register and counter keys are renamed every epoch (Jepsen's "independent" keys): the
/// linearizability search is exponential in the number of concurrent unknown outcomes, so
/// each key's history is kept short.
pub const EPOCH_NS: u64 = 1_000_000_000;

pub fn key(w: Workload, k: usize) -> String {
    match w {
        Workload::Register => format!("reg:{k}"),
        Workload::Counter => format!("ctr:{k}"),
        Workload::Set => format!("set:{k}"),
        Workload::Queue => format!("queue:{k}"),
        Workload::Session => format!("sess:{k}"),
    }
}

/// One client's loop.
pub struct Worker {
    pub id: usize,
    pub node: u64,
    pub client: Client,
    pub rec: Arc<Recorder>,
    pub rng: Xoshiro256PlusPlus,
    seq: i64,
    /// The last value this client saw per register key (what its CAS expects).
    seen: std::collections::HashMap<String, Option<i64>>,
    /// This client's sessions: key, when set (history ns), TTL.
    sessions: Vec<(String, u64)>,
}

impl Worker {
    pub fn new(id: usize, node: u64, addr: String, rec: Arc<Recorder>, seed: u64) -> Worker {
        Worker {
            id,
            node,
            client: Client::new(addr),
            rec,
            rng: Xoshiro256PlusPlus::seed_from_u64(
                seed ^ (id as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15),
            ),
            seq: 0,
            seen: Default::default(),
            sessions: Vec::new(),
        }
    }

    /// A value no other operation writes.
    fn unique(&mut self) -> i64 {
        self.seq += 1;
        self.id as i64 * 1_000_000_000 + self.seq
    }

    pub fn run(&mut self, w: Workload, until: Instant) {
        while Instant::now() < until {
            match w {
                Workload::Register => self.register(),
                Workload::Counter => self.counter(),
                Workload::Set => self.set(),
                Workload::Queue => self.queue(),
                Workload::Session => self.session(),
            }
        }
    }

    fn record(&self, key: &str, call: Call, t0: u64, result: Result<Reply, (Outcome, String)>) {
        let (reply, outcome) = match result {
            Ok(r) => (r, Outcome::Ok),
            Err((o, text)) => (Reply::Error { text }, o),
        };
        let complete_ns = self.rec.now_ns();
        self.rec.record(Op {
            client: self.id,
            node: self.node,
            key: key.to_string(),
            call,
            reply,
            outcome,
            invoke_ns: t0,
            complete_ns,
        });
        if outcome != Outcome::Ok {
            // A node that is down refuses at once: back off rather than fill the history with
            // thousands of refusals.
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    fn one(&mut self, key: &str, call: Call, cmd: Cmd, write: bool, f: impl Fn(&Value) -> Reply) {
        let t0 = self.rec.now_ns();
        let r = self.client.run(&cmd, write).map(|v| f(&v));
        self.record(key, call, t0, r);
    }

    fn register(&mut self) {
        let k = self.rng.random_range(0..KEYS);
        let key = format!(
            "{}:{}",
            key(Workload::Register, k),
            self.rec.now_ns() / EPOCH_NS
        );
        let k = key.clone();
        match self.rng.random_range(0..10) {
            0..4 => {
                let t0 = self.rec.now_ns();
                let r = self.client.run(&cmd("GET").arg(&key), false);
                if let Ok(v) = &r {
                    self.seen.insert(k, as_i64(v));
                }
                let r = r.map(|v| Reply::Value { value: as_i64(&v) });
                self.record(&key, Call::Get, t0, r);
            }
            4..7 => {
                let value = self.unique();
                self.one(
                    &key,
                    Call::Set { value },
                    cmd("SET").arg(&key).arg(value),
                    true,
                    |_| Reply::None,
                );
            }
            _ => self.cas(k, &key.clone()),
        }
    }

    /// WATCH k, GET k: when it holds the expected value, MULTI SET k new EXEC (nil: aborted
    /// by a concurrent write, no effect); otherwise UNWATCH, a failed compare.
    fn cas(&mut self, k: String, key: &str) {
        let expected = self.seen.get(&k).copied().flatten();
        let new = self.unique();
        let call = Call::Cas { expected, new };
        let t0 = self.rec.now_ns();
        let pre = (|| {
            self.client.run(&cmd("WATCH").arg(key), false)?;
            self.client.run(&cmd("GET").arg(key), false)
        })();
        let current = match pre {
            Ok(v) => as_i64(&v),
            Err(e) => {
                self.client.reset();
                return self.record(key, call, t0, Err((Outcome::Fail, e.1)));
            }
        };
        self.seen.insert(k.clone(), current);
        if current != expected {
            let _ = self.client.run(&cmd("UNWATCH"), false);
            return self.record(key, call, t0, Ok(Reply::Applied { applied: false }));
        }
        let queued = (|| {
            self.client.run(&cmd("MULTI"), false)?;
            self.client.run(&cmd("SET").arg(key).arg(new), false)
        })();
        if let Err(e) = queued {
            self.client.reset();
            return self.record(key, call, t0, Err((Outcome::Fail, e.1)));
        }
        match self.client.run(&cmd("EXEC"), true) {
            Ok(Value::Nil) => self.record(
                key,
                call,
                t0,
                Err((Outcome::Fail, "EXEC aborted".to_string())),
            ),
            Ok(Value::Array(_)) => {
                self.seen.insert(k, Some(new));
                self.record(key, call, t0, Ok(Reply::Applied { applied: true }))
            }
            Ok(other) => {
                self.client.reset();
                self.record(
                    key,
                    call,
                    t0,
                    Err((Outcome::Unknown, format!("EXEC answered {other:?}"))),
                )
            }
            Err(e) => {
                self.client.reset();
                self.record(key, call, t0, Err(e))
            }
        }
    }

    fn counter(&mut self) {
        let key = format!(
            "{}:{}",
            key(Workload::Counter, self.rng.random_range(0..KEYS)),
            self.rec.now_ns() / EPOCH_NS
        );
        if self.rng.random_range(0..10) < 7 {
            self.one(&key, Call::Incr, cmd("INCR").arg(&key), true, |v| {
                Reply::Int {
                    value: as_i64(v).unwrap_or(i64::MIN),
                }
            });
        } else {
            self.one(&key, Call::Get, cmd("GET").arg(&key), false, |v| {
                Reply::Value { value: as_i64(v) }
            });
        }
    }

    fn set(&mut self) {
        let key = key(Workload::Set, self.rng.random_range(0..KEYS));
        let element = format!("e{}", self.unique());
        let cmd = cmd("SADD").arg(&key).arg(&element);
        self.one(&key, Call::Add { element }, cmd, true, |_| Reply::None);
    }

    fn queue(&mut self) {
        let key = key(Workload::Queue, self.rng.random_range(0..KEYS));
        if self.rng.random_bool(0.5) {
            let item = format!("i{}", self.unique());
            let cmd = cmd("LPUSH").arg(&key).arg(&item);
            self.one(&key, Call::Push { item }, cmd, true, |_| Reply::None);
        } else {
            // BRPOP waits up to 1 s for an item: the pop goes through the leader's wait
            // queue and the log, answered [key, item] or nil.
            self.one(&key, Call::Pop, cmd("BRPOP").arg(&key).arg(1), true, |v| {
                Reply::Item {
                    item: match v {
                        Value::Array(pair) => pair.get(1).and_then(as_string),
                        _ => None,
                    },
                }
            });
        }
    }

    fn session(&mut self) {
        let now = self.rec.now_ns();
        self.sessions
            .retain(|(_, at)| now.saturating_sub(*at) < 10_000_000_000);
        if self.sessions.is_empty() || self.rng.random_bool(0.3) {
            let n = self.unique();
            let key = format!("sess:{}:{n}", self.id);
            let ttl_s = self.rng.random_range(1..=3u64);
            let cmd = cmd("SETEX").arg(&key).arg(ttl_s).arg(1);
            self.one(
                &key,
                Call::SetEx {
                    ttl_ms: ttl_s * 1000,
                },
                cmd,
                true,
                |_| Reply::None,
            );
            self.sessions.push((key, now));
        } else {
            let i = self.rng.random_range(0..self.sessions.len());
            let key = self.sessions[i].0.clone();
            self.one(&key, Call::Get, cmd("GET").arg(&key), false, |v| {
                Reply::Value { value: as_i64(v) }
            });
        }
    }
}
