//! One workload client: a connection to one node, with Redis errors turned into outcomes.
//!
//! Built on redraft-client's [`Connection`] (one TCP connection, no failover, no retries: the
//! harness wants to see every fault as it happens), driven from the harness's threads through
//! a small runtime of its own.

use std::time::Duration;

use redraft_client::{Cmd, ConnectOptions, Connection, Error, ErrorKind, Value};
use tokio::runtime::Runtime;

use crate::history::Outcome;

/// How long a client waits for an answer before the outcome is unknown: above the nodes'
/// `raft-leader-wait-ms` (3 s), so an election answers `TRYAGAIN` rather than a timeout.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// A failed request: its outcome (`Fail` or `Unknown`) and why.
pub type Failure = (Outcome, String);

/// A blocking connection to one node.
pub struct Link {
    rt: Runtime,
    conn: Connection,
}

fn runtime() -> Result<Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Connect {
            addr: "(runtime)".to_string(),
            source: e,
        })
}

impl Link {
    /// Connects to `addr` (`host:port`) within [`TIMEOUT`]; replies may take as long.
    pub fn connect(addr: &str) -> Result<Link, Error> {
        let rt = runtime()?;
        let opts = ConnectOptions {
            connect_timeout: TIMEOUT,
            response_timeout: TIMEOUT,
            ..ConnectOptions::default()
        };
        let conn = rt.block_on(Connection::connect(addr, &opts))?;
        Ok(Link { rt, conn })
    }

    /// Sends `cmd` and waits for its reply; an error reply is `Ok(Value::Error)`.
    pub fn request(&mut self, cmd: &Cmd) -> Result<Value, Error> {
        self.rt.block_on(self.conn.request(cmd.argv()))
    }

    /// Sends `cmd`; an error reply is an `Err` with its text.
    pub fn query(&mut self, cmd: &Cmd) -> Result<Value, String> {
        match self.request(cmd) {
            Ok(Value::Error(text)) => Err(String::from_utf8_lossy(&text).into_owned()),
            Ok(v) => Ok(v),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// `Cmd::new(name)`, shorter.
pub fn cmd(name: &str) -> Cmd {
    Cmd::new(name)
}

pub struct Client {
    addr: String,
    link: Option<Link>,
}

impl Client {
    pub fn new(addr: String) -> Client {
        Client { addr, link: None }
    }

    /// Runs `cmd`. A write's outcome is unknown when the answer is `UNKNOWN`, another error
    /// that does not promise nothing happened, or no answer; `TRYAGAIN` and refused
    /// connections mean not applied. Reads never have an unknown outcome: they change nothing.
    pub fn run(&mut self, cmd: &Cmd, write: bool) -> Result<Value, Failure> {
        if self.link.is_none() {
            match Link::connect(&self.addr) {
                Ok(l) => self.link = Some(l),
                Err(e) => return Err((Outcome::Fail, format!("connect: {e}"))),
            }
        }
        let Some(link) = self.link.as_mut() else {
            return Err((Outcome::Fail, "no connection".to_string()));
        };
        match link.request(cmd) {
            Ok(Value::Error(text)) => {
                let text = String::from_utf8_lossy(&text).into_owned();
                let code = text.split(' ').next().unwrap_or("").to_string();
                Err(classify_code(&code, &text, write))
            }
            Ok(v) => Ok(v),
            Err(e) => {
                // No answer: the connection is in an unknown state, drop it.
                self.link = None;
                let outcome = if write && e.kind() != ErrorKind::Connect {
                    Outcome::Unknown
                } else {
                    Outcome::Fail
                };
                Err((outcome, e.to_string()))
            }
        }
    }

    /// Forgets the connection (after a transaction went wrong half-way, say).
    pub fn reset(&mut self) {
        self.link = None;
    }
}

fn classify_code(code: &str, text: &str, write: bool) -> Failure {
    let outcome = match code {
        "TRYAGAIN" => Outcome::Fail,
        _ if !write => Outcome::Fail,
        "EXECABORT" | "WRONGTYPE" => Outcome::Fail,
        _ => Outcome::Unknown,
    };
    (outcome, text.to_string())
}

/// An integer from a reply (bulk string, status or integer).
pub fn as_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Int(n) => Some(*n),
        Value::Bulk(b) | Value::Status(b) => std::str::from_utf8(b).ok()?.parse().ok(),
        _ => None,
    }
}

/// A string from a reply (`None` for nil).
pub fn as_string(v: &Value) -> Option<String> {
    match v {
        Value::Bulk(b) | Value::Status(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Value::Verbatim { text, .. } => Some(String::from_utf8_lossy(text).into_owned()),
        _ => None,
    }
}

/// The strings of an array reply.
pub fn as_strings(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) | Value::Set(items) => items.iter().filter_map(as_string).collect(),
        _ => Vec::new(),
    }
}
