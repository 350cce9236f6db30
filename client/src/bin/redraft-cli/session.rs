//! One CLI session: the connection to one server, logging in as redis-cli does (`AUTH`, then
//! `SELECT`, then `HELLO 3`, each failure reported and not fatal), running commands and
//! printing their replies.

use std::io::{self, Write};
use std::time::Duration;

use redraft_client::{Connection, Error, Protocol, Value, join_host_port};

use crate::args::Options;
use crate::format;

/// Without `-t`, wait as long as redis-cli does: for ever, in practice.
const NO_TIMEOUT: Duration = Duration::from_secs(365 * 24 * 3600);

/// What became of a command.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It ran (its reply may be an error reply).
    Done,
    /// No connection, or the connection failed; the message was printed.
    Failed,
}

pub struct Session {
    opts: Options,
    raw: bool,
    conn: Option<Connection>,
    db: u32,
    resp3: bool,
}

impl Session {
    pub fn new(opts: Options, raw: bool) -> Self {
        let db = opts.db;
        let resp3 = opts.resp3;
        Session {
            opts,
            raw,
            conn: None,
            db,
            resp3,
        }
    }

    /// `host:port`, as redis-cli names the server.
    pub fn addr(&self) -> String {
        join_host_port(&self.opts.host, self.opts.port)
    }

    /// The interactive prompt: `127.0.0.1:6379> `, `127.0.0.1:6379[2]> `, or
    /// `not connected> `.
    pub fn prompt(&self) -> String {
        if self.conn.is_none() {
            return "not connected> ".into();
        }
        match self.db {
            0 => format!("{}> ", self.addr()),
            db => format!("{}[{db}]> ", self.addr()),
        }
    }

    /// Points the session at another server (the `connect` command of the prompt).
    pub fn retarget(&mut self, host: String, port: u16) {
        self.opts.host = host;
        self.opts.port = port;
        self.conn = None;
    }

    /// Connects and logs in; prints redis-cli's message and returns false on failure.
    pub async fn connect(&mut self) -> bool {
        let timeout = self.opts.timeout.unwrap_or(NO_TIMEOUT);
        let mut conn = match Connection::connect_raw(&self.addr(), timeout).await {
            Ok(conn) => conn,
            Err(e) => {
                eprintln!(
                    "Could not connect to Redis at {}: {}",
                    self.addr(),
                    io_text(&e)
                );
                return false;
            }
        };
        conn.set_response_timeout(timeout);
        self.db = self.opts.db;
        match self.login(&mut conn).await {
            Ok(()) => {
                self.conn = Some(conn);
                true
            }
            Err(e) => {
                report(&e);
                false
            }
        }
    }

    async fn login(&mut self, conn: &mut Connection) -> Result<(), Error> {
        if let Some(password) = self.opts.password.clone() {
            let reply = match &self.opts.user {
                Some(user) => conn.request(&["AUTH", user, &password]).await?,
                None => conn.request(&["AUTH", &password]).await?,
            };
            warn_on_error("AUTH failed", &reply);
        }
        if self.db != 0 {
            let reply = conn.request(&["SELECT", &self.db.to_string()]).await?;
            warn_on_error(&format!("SELECT {} failed", self.db), &reply);
            if reply.is_error() {
                self.db = 0;
            }
        }
        if self.resp3 {
            let reply = conn.request(&["HELLO", "3"]).await?;
            warn_on_error("HELLO 3 failed", &reply);
            if !reply.is_error() {
                conn.set_protocol(Protocol::Resp3);
            }
        }
        Ok(())
    }

    /// Runs `argv` `repeat` times (for ever if negative), pausing `interval` after each run.
    pub async fn run(&mut self, argv: &[Vec<u8>], repeat: i64, interval: Duration) -> Outcome {
        let mut left = repeat;
        while left != 0 {
            if self.run_once(argv).await == Outcome::Failed {
                return Outcome::Failed;
            }
            left = left.saturating_sub(1).max(-1);
            if !interval.is_zero() {
                tokio::time::sleep(interval).await;
            }
        }
        Outcome::Done
    }

    async fn run_once(&mut self, argv: &[Vec<u8>]) -> Outcome {
        if self.conn.is_none() && !self.connect().await {
            return Outcome::Failed;
        }
        let Some(conn) = self.conn.as_mut() else {
            return Outcome::Failed;
        };
        let reply = match conn.request(argv).await {
            Ok(reply) => reply,
            Err(e) => return self.lost(&e),
        };
        self.print(&reply);
        self.after(argv, &reply);
        if !reply.is_error() && enters_message_mode(argv) {
            return self.read_messages().await;
        }
        Outcome::Done
    }

    fn lost(&mut self, err: &Error) -> Outcome {
        self.conn = None;
        report(err);
        Outcome::Failed
    }

    /// Keeps the prompt and protocol in step with `SELECT` and `HELLO`, as redis-cli does.
    fn after(&mut self, argv: &[Vec<u8>], reply: &Value) {
        if reply.is_error() {
            return;
        }
        let name = argv
            .first()
            .map(|n| n.to_ascii_lowercase())
            .unwrap_or_default();
        let number = argv
            .get(1)
            .and_then(|a| std::str::from_utf8(a).ok())
            .and_then(|a| a.parse::<u32>().ok());
        match (name.as_slice(), number) {
            (b"select", Some(db)) => self.db = db,
            (b"hello", Some(proto)) => {
                self.resp3 = proto == 3;
                if let Some(conn) = self.conn.as_mut() {
                    conn.set_protocol(if proto == 3 {
                        Protocol::Resp3
                    } else {
                        Protocol::Resp2
                    });
                }
            }
            _ => {}
        }
    }

    /// After `SUBSCRIBE` or `MONITOR`: print what arrives until the connection ends.
    async fn read_messages(&mut self) -> Outcome {
        if !self.raw {
            println!("Reading messages... (press Ctrl-C to quit)");
        }
        loop {
            let Some(conn) = self.conn.as_mut() else {
                return Outcome::Failed;
            };
            match conn.read_message().await {
                Ok(message) => self.print(&message),
                Err(e) => return self.lost(&e),
            }
        }
    }

    fn print(&self, reply: &Value) {
        let out = if self.raw {
            format::raw(reply)
        } else {
            format::standard(reply)
        };
        let mut stdout = io::stdout().lock();
        // A closed stdout (`| head`) is not worth a panic; the next write fails the same way.
        let _ = stdout.write_all(&out).and_then(|()| stdout.flush());
    }
}

fn enters_message_mode(argv: &[Vec<u8>]) -> bool {
    let name = argv
        .first()
        .map(|n| n.to_ascii_lowercase())
        .unwrap_or_default();
    matches!(
        name.as_slice(),
        b"subscribe" | b"psubscribe" | b"ssubscribe" | b"monitor"
    )
}

fn warn_on_error(what: &str, reply: &Value) {
    if let Value::Error(text) = reply {
        eprintln!("{what}: {}", String::from_utf8_lossy(text));
    }
}

/// Prints a failed connection as redis-cli does.
fn report(err: &Error) {
    match err {
        Error::ConnectionLost { source, .. } if source.kind() == io::ErrorKind::UnexpectedEof => {
            eprintln!("Error: Server closed the connection");
        }
        _ => eprintln!("Error: {}", io_text(err)),
    }
}

/// The system's words for an I/O failure, without Rust's decorations: `Connection refused`
/// rather than `Connection refused (os error 111)`.
pub fn io_text(err: &Error) -> String {
    let source = match err {
        Error::Connect { source, .. } | Error::ConnectionLost { source, .. } => source,
        other => return other.to_string(),
    };
    let text = source.to_string();
    let text = text
        .strip_prefix("failed to lookup address information: ")
        .unwrap_or(&text);
    match text.find(" (os error ") {
        Some(at) => text[..at].to_string(),
        None if source.kind() == io::ErrorKind::TimedOut => "Connection timed out".into(),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_shows_db() {
        let mut s = Session::new(Options::default(), false);
        assert_eq!(s.prompt(), "not connected> ");
        s.opts.port = 7000;
        assert_eq!(s.addr(), "127.0.0.1:7000");
    }

    #[test]
    fn io_text_is_bare() {
        let e = Error::Connect {
            addr: "x".into(),
            source: io::Error::from_raw_os_error(111),
        };
        assert_eq!(io_text(&e), "Connection refused");
        let e = Error::Connect {
            addr: "x".into(),
            source: io::Error::from(io::ErrorKind::TimedOut),
        };
        assert_eq!(io_text(&e), "Connection timed out");
    }

    #[test]
    fn message_mode_commands() {
        assert!(enters_message_mode(&[b"SUBSCRIBE".to_vec(), b"c".to_vec()]));
        assert!(!enters_message_mode(&[b"GET".to_vec()]));
    }
}
