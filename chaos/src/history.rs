//! The history of a run: every operation a client invoked, when, and how it ended. The
//! checkers read it; the report summarises it.

use std::sync::Mutex;
use std::time::Instant;

use serde::Serialize;

/// How an operation ended, as far as its client can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The server answered and the answer is the effect.
    Ok,
    /// Certainly not applied (`TRYAGAIN`, refused connection, aborted EXEC, an error reply).
    Fail,
    /// Sent, but its fate is unknown (`UNKNOWN ...`, a timeout, a dropped connection): it may
    /// take effect at any time after its invocation, or never.
    Unknown,
}

/// What was asked of the cluster.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "f", rename_all = "lowercase")]
pub enum Call {
    /// GET: the value read (`None`: nil).
    Get,
    Set {
        value: i64,
    },
    /// WATCH/GET/MULTI/SET/EXEC: sets `new` when the value is `expected`.
    Cas {
        expected: Option<i64>,
        new: i64,
    },
    Incr,
    /// SADD of one unique element.
    Add {
        element: String,
    },
    /// LPUSH of one unique item.
    Push {
        item: String,
    },
    /// BRPOP (1 s).
    Pop,
    /// SETEX with a TTL in milliseconds (the command takes seconds).
    SetEx {
        ttl_ms: u64,
    },
}

/// What came back (for `Ok` outcomes; for `Fail`/`Unknown`, the error text).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "r", rename_all = "lowercase")]
pub enum Reply {
    None,
    Value {
        value: Option<i64>,
    },
    /// Whether a compare-and-set applied.
    Applied {
        applied: bool,
    },
    Int {
        value: i64,
    },
    Item {
        item: Option<String>,
    },
    Error {
        text: String,
    },
}

/// One operation of the history.
#[derive(Clone, Debug, Serialize)]
pub struct Op {
    /// Which client ran it (a client runs one operation at a time).
    pub client: usize,
    /// Which node the client talked to.
    pub node: u64,
    pub key: String,
    pub call: Call,
    pub reply: Reply,
    pub outcome: Outcome,
    /// Nanoseconds since the run started.
    pub invoke_ns: u64,
    pub complete_ns: u64,
}

impl Op {
    pub fn latency_ns(&self) -> u64 {
        self.complete_ns.saturating_sub(self.invoke_ns)
    }
}

/// A fault the nemesis injected or healed, on the same clock as the operations.
#[derive(Clone, Debug, Serialize)]
pub struct Event {
    pub at_ns: u64,
    pub what: String,
}

/// The recorder every client and the nemesis write to.
pub struct Recorder {
    start: Instant,
    /// Unix milliseconds at `start`: session checks compare with the nodes' wall clocks.
    start_wall_ms: u64,
    ops: Mutex<Vec<Op>>,
    events: Mutex<Vec<Event>>,
}

impl Default for Recorder {
    fn default() -> Self {
        Recorder::new()
    }
}

impl Recorder {
    pub fn new() -> Recorder {
        let start_wall_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        Recorder {
            start: Instant::now(),
            start_wall_ms,
            ops: Mutex::new(Vec::new()),
            events: Mutex::new(Vec::new()),
        }
    }

    /// Nanoseconds since the run started.
    pub fn now_ns(&self) -> u64 {
        self.start.elapsed().as_nanos() as u64
    }

    /// The wall-clock unix milliseconds of a history time.
    pub fn wall_ms(&self, ns: u64) -> u64 {
        self.start_wall_ms + ns / 1_000_000
    }

    pub fn record(&self, op: Op) {
        if let Ok(mut ops) = self.ops.lock() {
            ops.push(op);
        }
    }

    pub fn event(&self, what: impl Into<String>) {
        let what = what.into();
        eprintln!("[{:8.3}s] {what}", self.now_ns() as f64 / 1e9);
        if let Ok(mut events) = self.events.lock() {
            events.push(Event {
                at_ns: self.now_ns(),
                what,
            });
        }
    }

    /// The history so far, by invocation time.
    pub fn ops(&self) -> Vec<Op> {
        let mut ops = self.ops.lock().map(|o| o.clone()).unwrap_or_default();
        ops.sort_by_key(|o| o.invoke_ns);
        ops
    }

    pub fn events(&self) -> Vec<Event> {
        self.events.lock().map(|e| e.clone()).unwrap_or_default()
    }
}
