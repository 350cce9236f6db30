//! One TCP connection to one node: the handshake, sending requests, reading replies.
//!
//! Errors say whether the request left this machine: a failure before any byte of it was
//! written is `Error::Connect` (certainly not applied); after that, `Error::ConnectionLost`.
//! The retry layer (`retry.rs`) decides what that means for the caller. A connection that
//! failed in any way is marked broken and never reused: a late reply would be taken as the
//! answer to the next request.

use std::io;
use std::mem::MaybeUninit;
use std::time::Duration;

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::codec::{decode, encode_command};
use crate::config::{ConnectOptions, Protocol};
use crate::error::{Error, Result, ServerError};
use crate::value::Value;

/// A connection to one node.
///
/// ```no_run
/// # async fn demo() -> redraft_client::Result<()> {
/// use redraft_client::{ConnectOptions, Connection, Value};
///
/// let mut conn = Connection::connect("127.0.0.1:6379", &ConnectOptions::default()).await?;
/// let reply = conn.request(&["SET", "greeting", "hello"]).await?;
/// assert_eq!(reply, Value::Status("OK".into()));
/// let replies = conn.pipeline(&[&["INCR", "n"][..], &["GET", "n"][..]]).await?;
/// assert_eq!(replies.len(), 2);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    addr: String,
    read_buf: BytesMut,
    write_buf: BytesMut,
    protocol: Protocol,
    response_timeout: Duration,
    broken: bool,
    /// Set while a request is between its write and its last reply. Still set afterwards
    /// means the caller dropped the future midway: the connection is out of step.
    in_flight: bool,
}

impl Connection {
    /// Connects to `addr` (`host:port`) and runs the handshake: `HELLO 3` for RESP3, `AUTH`,
    /// `CLIENT SETNAME`, `SELECT`, as `opts` asks. The whole of it is bounded by
    /// `opts.connect_timeout`.
    pub async fn connect(addr: &str, opts: &ConnectOptions) -> Result<Connection> {
        let setup = async {
            let mut conn = Connection::connect_raw(addr, opts.connect_timeout).await?;
            conn.response_timeout = opts.response_timeout;
            conn.handshake(opts).await?;
            Ok(conn)
        };
        match timeout(opts.connect_timeout, setup).await {
            Ok(result) => result,
            Err(_) => Err(connect_error(addr, io::ErrorKind::TimedOut.into())),
        }
    }

    /// Connects without any handshake, for callers that log in themselves (the CLI prints
    /// `AUTH failed: ...` and carries on, as redis-cli does). Replies time out after 5 s
    /// until [`set_response_timeout`](Self::set_response_timeout) says otherwise.
    pub async fn connect_raw(addr: &str, connect_timeout: Duration) -> Result<Connection> {
        let stream = match timeout(connect_timeout, TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(e)) => return Err(connect_error(addr, e)),
            Err(_) => return Err(connect_error(addr, io::ErrorKind::TimedOut.into())),
        };
        // Small requests must not wait for Nagle's algorithm.
        stream
            .set_nodelay(true)
            .map_err(|e| connect_error(addr, e))?;
        Ok(Connection {
            stream,
            addr: addr.to_string(),
            read_buf: BytesMut::with_capacity(16 * 1024),
            write_buf: BytesMut::with_capacity(16 * 1024),
            protocol: Protocol::Resp2,
            response_timeout: ConnectOptions::default().response_timeout,
            broken: false,
            in_flight: false,
        })
    }

    async fn handshake(&mut self, opts: &ConnectOptions) -> Result<()> {
        if opts.protocol == Protocol::Resp3 {
            let mut hello: Vec<&str> = vec!["HELLO", "3"];
            if let Some(password) = &opts.password {
                hello.extend([
                    "AUTH",
                    opts.username.as_deref().unwrap_or("default"),
                    password,
                ]);
            }
            if let Some(name) = &opts.client_name {
                hello.extend(["SETNAME", name]);
            }
            self.checked(&hello).await?;
            self.protocol = Protocol::Resp3;
        } else {
            if let Some(password) = &opts.password {
                match &opts.username {
                    Some(user) => self.checked(&["AUTH", user, password]).await?,
                    None => self.checked(&["AUTH", password]).await?,
                };
            }
            if let Some(name) = &opts.client_name {
                self.checked(&["CLIENT", "SETNAME", name]).await?;
            }
        }
        if opts.db != 0 {
            self.checked(&["SELECT", &opts.db.to_string()]).await?;
        }
        Ok(())
    }

    /// A request whose error reply is an `Err`.
    async fn checked(&mut self, args: &[&str]) -> Result<Value> {
        match self.request(args).await? {
            Value::Error(text) => Err(Error::Server(ServerError::new(text))),
            value => Ok(value),
        }
    }

    /// The address this connection was opened to.
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// The protocol negotiated.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// Records the protocol after the caller sent `HELLO` itself.
    pub fn set_protocol(&mut self, protocol: Protocol) {
        self.protocol = protocol;
    }

    /// Sets how long to wait for a reply.
    pub fn set_response_timeout(&mut self, response_timeout: Duration) {
        self.response_timeout = response_timeout;
    }

    /// Whether an error made this connection unusable.
    pub fn is_broken(&self) -> bool {
        self.broken || self.in_flight
    }

    /// Sends one command and reads its reply. An error reply is `Ok(Value::Error)`: only the
    /// connection failing is an `Err`.
    pub async fn request<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Result<Value> {
        self.fail_if_broken()?;
        self.in_flight = true;
        encode_command(args, &mut self.write_buf);
        self.flush().await?;
        let reply = self.read_reply().await?;
        self.in_flight = false;
        Ok(reply)
    }

    /// Sends several commands in one write and reads their replies, in order.
    pub async fn pipeline<A: AsRef<[u8]>>(&mut self, cmds: &[&[A]]) -> Result<Vec<Value>> {
        self.fail_if_broken()?;
        self.in_flight = true;
        for args in cmds {
            encode_command(args, &mut self.write_buf);
        }
        self.flush().await?;
        let mut replies = Vec::with_capacity(cmds.len());
        for _ in cmds {
            replies.push(self.read_reply().await?);
        }
        self.in_flight = false;
        Ok(replies)
    }

    /// Writes the buffered requests. Zero bytes written is `Error::Connect` (nothing left this
    /// machine), a failure after that `Error::ConnectionLost`.
    async fn flush(&mut self) -> Result<()> {
        let mut written = 0;
        while self.write_buf.has_remaining() {
            let step = timeout(self.response_timeout, self.stream.write(&self.write_buf)).await;
            let result = match step {
                Ok(Ok(0)) => Err(io::Error::from(io::ErrorKind::WriteZero)),
                Ok(result) => result,
                Err(_) => Err(io::ErrorKind::TimedOut.into()),
            };
            match result {
                Ok(n) => {
                    self.write_buf.advance(n);
                    written += n;
                }
                Err(e) => {
                    self.broken = true;
                    self.write_buf.clear();
                    return Err(if written == 0 {
                        connect_error(&self.addr, e)
                    } else {
                        self.lost(e)
                    });
                }
            }
        }
        Ok(())
    }

    /// Reads the next reply, skipping RESP3 pushes (out-of-band messages such as client-side
    /// caching invalidations are not answers to requests).
    pub async fn read_reply(&mut self) -> Result<Value> {
        if self.broken {
            return Err(self.lost(io::Error::new(
                io::ErrorKind::NotConnected,
                "connection is broken",
            )));
        }
        loop {
            match self.read_message().await? {
                Value::Push(_) if self.protocol == Protocol::Resp3 => continue,
                value => return Ok(value),
            }
        }
    }

    /// Reads the next value the server sends, pushes included: for subscribers and
    /// `MONITOR`, whose messages come without a request.
    pub async fn read_message(&mut self) -> Result<Value> {
        if self.broken {
            return Err(self.lost(io::Error::new(
                io::ErrorKind::NotConnected,
                "connection is broken",
            )));
        }
        loop {
            match decode(&self.read_buf) {
                Ok(Some((value, used))) => {
                    self.read_buf.advance(used);
                    return Ok(value);
                }
                Ok(None) => {}
                Err(source) => {
                    self.broken = true;
                    return Err(Error::Protocol {
                        addr: self.addr.clone(),
                        source,
                    });
                }
            }
            self.fill().await?;
        }
    }

    async fn fill(&mut self) -> Result<()> {
        let read = timeout(
            self.response_timeout,
            self.stream.read_buf(&mut self.read_buf),
        )
        .await;
        let err = match read {
            Ok(Ok(0)) => {
                io::Error::new(io::ErrorKind::UnexpectedEof, "server closed the connection")
            }
            Ok(Ok(_)) => return Ok(()),
            Ok(Err(e)) => e,
            Err(_) => io::Error::new(io::ErrorKind::TimedOut, "no reply in time"),
        };
        self.broken = true;
        Err(self.lost(err))
    }

    fn fail_if_broken(&self) -> Result<()> {
        if self.is_broken() {
            return Err(connect_error(
                &self.addr,
                io::Error::new(io::ErrorKind::NotConnected, "connection is broken"),
            ));
        }
        Ok(())
    }

    fn lost(&self, source: io::Error) -> Error {
        Error::ConnectionLost {
            addr: self.addr.clone(),
            source,
        }
    }

    /// Whether the peer is still there, checked without blocking: an idle pooled connection
    /// whose server restarted reads as closed here, and is dropped before a request is
    /// written to it (which would otherwise make a write's outcome unknown).
    pub(crate) fn is_alive(&self) -> bool {
        if self.is_broken() || !self.read_buf.is_empty() {
            return false;
        }
        let mut probe = [MaybeUninit::<u8>::uninit(); 1];
        match socket2::SockRef::from(&self.stream).peek(&mut probe) {
            Ok(0) => false,
            // Unsolicited bytes on an idle connection: nothing we can pair with a request.
            Ok(_) => false,
            Err(e) => e.kind() == io::ErrorKind::WouldBlock,
        }
    }
}

fn connect_error(addr: &str, source: io::Error) -> Error {
    Error::Connect {
        addr: addr.to_string(),
        source,
    }
}
