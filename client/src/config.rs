//! Configuration: which nodes, how to log in, timeouts, pool size and retry policy; and the
//! `redis://` URL form that redis-cli's `-u` accepts.

use std::time::Duration;

use crate::error::{Error, Result};
use crate::retry::RetryPolicy;

/// The protocol a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// RESP2, the default of every Redis server.
    #[default]
    Resp2,
    /// RESP3, negotiated with `HELLO 3`: maps, sets, doubles, booleans.
    Resp3,
}

/// How each connection is set up: credentials, name, database, protocol and timeouts.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// ACL user name; `None` logs in as the default user.
    pub username: Option<String>,
    /// Password; `None` sends no `AUTH`.
    pub password: Option<String>,
    /// Sent with `CLIENT SETNAME` (or `HELLO ... SETNAME`).
    pub client_name: Option<String>,
    /// Database selected after connecting (`SELECT`), when not 0.
    pub db: u32,
    /// RESP2 or RESP3.
    pub protocol: Protocol,
    /// Longest wait for the TCP connection and the handshake.
    pub connect_timeout: Duration,
    /// Longest wait for a reply once a request is sent. Blocking commands (`BLPOP`) need a
    /// longer one than their own timeout.
    pub response_timeout: Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            username: None,
            password: None,
            client_name: None,
            db: 0,
            protocol: Protocol::Resp2,
            connect_timeout: Duration::from_secs(2),
            response_timeout: Duration::from_secs(5),
        }
    }
}

/// Everything a [`Client`](crate::Client) needs.
///
/// ```
/// use std::time::Duration;
/// use redraft_client::{Config, Protocol};
///
/// let config = Config::new(["10.0.0.1:6379", "10.0.0.2:6379", "10.0.0.3:6379"])
///     .password("secret")
///     .client_name("sessions")
///     .db(2)
///     .protocol(Protocol::Resp3)
///     .response_timeout(Duration::from_secs(2))
///     .pool_size(8);
/// assert_eq!(config.nodes.len(), 3);
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    /// Node addresses, `host:port`, tried in order.
    pub nodes: Vec<String>,
    /// Per-connection settings.
    pub connect: ConnectOptions,
    /// Most connections kept open to one node at once.
    pub pool_size: usize,
    /// When and how long to retry.
    pub retry: RetryPolicy,
}

impl Config {
    /// A configuration for these nodes, with defaults for the rest.
    pub fn new<I, S>(nodes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Config {
            nodes: nodes.into_iter().map(Into::into).collect(),
            connect: ConnectOptions::default(),
            pool_size: 8,
            retry: RetryPolicy::default(),
        }
    }

    /// A configuration from a `redis://[user:pass@]host[:port][/db]` URL; several hosts may
    /// be given separated by commas (`redis://a:6379,b:6379/0`).
    ///
    /// ```
    /// let config = redraft_client::Config::from_url("redis://app:pw@n1:7000,n2:7001/3").unwrap();
    /// assert_eq!(config.nodes, ["n1:7000", "n2:7001"]);
    /// assert_eq!(config.connect.username.as_deref(), Some("app"));
    /// assert_eq!(config.connect.db, 3);
    /// ```
    pub fn from_url(url: &str) -> Result<Self> {
        let parsed = parse_url(url)?;
        let mut config = Config::new(parsed.hosts.iter().map(|(h, p)| join_host_port(h, *p)));
        config.connect.username = parsed.username;
        config.connect.password = parsed.password;
        config.connect.db = parsed.db.unwrap_or(0);
        Ok(config)
    }

    /// Sets the ACL user name.
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.connect.username = Some(username.into());
        self
    }

    /// Sets the password.
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.connect.password = Some(password.into());
        self
    }

    /// Sets the client name shown by `CLIENT LIST`.
    pub fn client_name(mut self, name: impl Into<String>) -> Self {
        self.connect.client_name = Some(name.into());
        self
    }

    /// Sets the database.
    pub fn db(mut self, db: u32) -> Self {
        self.connect.db = db;
        self
    }

    /// Sets the protocol.
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.connect.protocol = protocol;
        self
    }

    /// Sets the connect (and handshake) timeout.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect.connect_timeout = timeout;
        self
    }

    /// Sets the reply timeout.
    pub fn response_timeout(mut self, timeout: Duration) -> Self {
        self.connect.response_timeout = timeout;
        self
    }

    /// Sets the most connections per node.
    pub fn pool_size(mut self, size: usize) -> Self {
        self.pool_size = size;
        self
    }

    /// Sets the retry policy.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.nodes.is_empty() {
            return Err(Error::Config("no node addresses given".into()));
        }
        if self.pool_size == 0 {
            return Err(Error::Config("pool size must be at least 1".into()));
        }
        Ok(())
    }
}

/// The parts of a `redis://` URL.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RedisUrl {
    /// User name, if the URL has `user:pass@` with a non-empty user.
    pub username: Option<String>,
    /// Password, from `user:pass@`, `:pass@` or `pass@`.
    pub password: Option<String>,
    /// Hosts and ports (port 6379 when absent).
    pub hosts: Vec<(String, u16)>,
    /// Database, from the path.
    pub db: Option<u32>,
}

/// Parses `redis://[[user]:pass@]host[:port][,host[:port]...][/db]`, percent-decoding the
/// user and password as redis-cli does. `rediss://` (TLS) is refused: not supported yet.
pub fn parse_url(url: &str) -> Result<RedisUrl> {
    let bad = |why: &str| Error::Config(format!("invalid URI {url:?}: {why}"));
    let rest = if let Some(rest) = url.strip_prefix("redis://") {
        rest
    } else if url.starts_with("rediss://") {
        return Err(bad("TLS (rediss://) is not supported"));
    } else {
        return Err(bad("scheme must be redis://"));
    };
    let mut parsed = RedisUrl::default();
    let rest = match rest.rfind('@') {
        Some(at) => {
            let userinfo = &rest[..at];
            match userinfo.split_once(':') {
                Some((user, pass)) => {
                    parsed.username = Some(percent_decode(user)).filter(|u| !u.is_empty());
                    parsed.password = Some(percent_decode(pass));
                }
                None => parsed.password = Some(percent_decode(userinfo)),
            }
            &rest[at + 1..]
        }
        None => rest,
    };
    let (hosts, path) = rest.split_once('/').unwrap_or((rest, ""));
    for host in hosts.split(',').filter(|h| !h.is_empty()) {
        parsed
            .hosts
            .push(parse_host_port(host).ok_or_else(|| bad("bad host:port"))?);
    }
    if parsed.hosts.is_empty() {
        parsed.hosts.push(("127.0.0.1".into(), 6379));
    }
    if !path.is_empty() {
        parsed.db = Some(path.parse().map_err(|_| bad("bad database number"))?);
    }
    Ok(parsed)
}

/// `host:port`, with brackets around an IPv6 host.
pub fn join_host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

fn parse_host_port(text: &str) -> Option<(String, u16)> {
    match text.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') || host.ends_with(']') => {
            let port = port.parse().ok()?;
            Some((
                host.trim_start_matches('[').trim_end_matches(']').into(),
                port,
            ))
        }
        _ => Some((text.into(), 6379)),
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_forms() {
        let u = parse_url("redis://user:p%40ss@h:7000/2").unwrap();
        assert_eq!(u.username.as_deref(), Some("user"));
        assert_eq!(u.password.as_deref(), Some("p@ss"));
        assert_eq!(u.hosts, [("h".to_string(), 7000)]);
        assert_eq!(u.db, Some(2));

        let u = parse_url("redis://:pw@localhost").unwrap();
        assert_eq!((u.username, u.password.as_deref()), (None, Some("pw")));
        assert_eq!(u.hosts, [("localhost".to_string(), 6379)]);
        assert_eq!(u.db, None);

        let u = parse_url("redis://secret@h:1").unwrap();
        assert_eq!(u.password.as_deref(), Some("secret"));

        let u = parse_url("redis://").unwrap();
        assert_eq!(u.hosts, [("127.0.0.1".to_string(), 6379)]);

        let u = parse_url("redis://[::1]:6380").unwrap();
        assert_eq!(u.hosts, [("::1".to_string(), 6380)]);
    }

    #[test]
    fn bad_urls() {
        for url in ["http://h", "rediss://h", "redis://h:port", "redis://h/x"] {
            assert!(parse_url(url).is_err(), "{url}");
        }
    }

    #[test]
    fn validate_rejects_empty() {
        let empty: [&str; 0] = [];
        assert!(Config::new(empty).validate().is_err());
        assert!(Config::new(["a:1"]).pool_size(0).validate().is_err());
    }
}
