//! One workload client: a connection to one node, with Redis errors turned into outcomes.

use std::time::Duration;

use redis::{Connection, Value};

use crate::history::Outcome;

/// How long a client waits for an answer before the outcome is unknown: above the nodes'
/// `raft-leader-wait-ms` (3 s), so an election answers `TRYAGAIN` rather than a timeout.
pub const TIMEOUT: Duration = Duration::from_secs(5);

pub struct Client {
    addr: String,
    conn: Option<Connection>,
}

/// A failed request: its outcome (`Fail` or `Unknown`) and why.
pub type Failure = (Outcome, String);

/// Connects to `addr` (`host:port`) within [`TIMEOUT`].
pub fn connect(addr: &str) -> redis::RedisResult<Connection> {
    let client = redis::Client::open(format!("redis://{addr}/"))?;
    let conn = client.get_connection_with_timeout(TIMEOUT)?;
    conn.set_read_timeout(Some(TIMEOUT))?;
    conn.set_write_timeout(Some(TIMEOUT))?;
    Ok(conn)
}

impl Client {
    pub fn new(addr: String) -> Client {
        Client { addr, conn: None }
    }

    /// Runs `cmd`. A write's outcome is unknown when the answer is `UNKNOWN`, another error
    /// that does not promise nothing happened, or no answer; `TRYAGAIN` and refused
    /// connections mean not applied. Reads never have an unknown outcome: they change nothing.
    pub fn run(&mut self, cmd: &redis::Cmd, write: bool) -> Result<Value, Failure> {
        if self.conn.is_none() {
            match connect(&self.addr) {
                Ok(c) => self.conn = Some(c),
                Err(e) => return Err((Outcome::Fail, format!("connect: {e}"))),
            }
        }
        let Some(conn) = self.conn.as_mut() else {
            return Err((Outcome::Fail, "no connection".to_string()));
        };
        match cmd.query::<Value>(conn) {
            Ok(Value::ServerError(e)) => Err(classify_code(e.code(), &format!("{e:?}"), write)),
            Ok(v) => Ok(v),
            Err(e) => {
                if e.code().is_some() && !e.is_io_error() {
                    return Err(classify_code(e.code().unwrap_or(""), &e.to_string(), write));
                }
                // No answer: the connection is in an unknown state, drop it.
                self.conn = None;
                let outcome = if write {
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
        self.conn = None;
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

/// An integer from a reply (bulk string or integer).
pub fn as_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Int(n) => Some(*n),
        Value::BulkString(b) => std::str::from_utf8(b).ok()?.parse().ok(),
        Value::SimpleString(s) => s.parse().ok(),
        _ => None,
    }
}

/// A string from a reply (`None` for nil).
pub fn as_string(v: &Value) -> Option<String> {
    match v {
        Value::BulkString(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Value::SimpleString(s) => Some(s.clone()),
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
