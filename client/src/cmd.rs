//! Building requests: `Cmd` (one command and whether it is safe to repeat) and `Pipeline`.
//!
//! A command is safe to repeat when it only reads (known from its name, in the table below)
//! or when the caller marks it idempotent (`SET k v`, `DEL k` are; `INCR k`, `LPUSH` are not).

use bytes::Bytes;

/// Something that can be one argument of a command.
pub trait ToArg {
    /// The argument's bytes.
    fn to_arg(&self) -> Bytes;
}

impl ToArg for str {
    fn to_arg(&self) -> Bytes {
        Bytes::copy_from_slice(self.as_bytes())
    }
}

impl ToArg for String {
    fn to_arg(&self) -> Bytes {
        Bytes::copy_from_slice(self.as_bytes())
    }
}

impl ToArg for [u8] {
    fn to_arg(&self) -> Bytes {
        Bytes::copy_from_slice(self)
    }
}

impl<const N: usize> ToArg for [u8; N] {
    fn to_arg(&self) -> Bytes {
        Bytes::copy_from_slice(self)
    }
}

impl ToArg for Vec<u8> {
    fn to_arg(&self) -> Bytes {
        Bytes::copy_from_slice(self)
    }
}

impl ToArg for Bytes {
    fn to_arg(&self) -> Bytes {
        self.clone()
    }
}

impl<T: ToArg + ?Sized> ToArg for &T {
    fn to_arg(&self) -> Bytes {
        (**self).to_arg()
    }
}

macro_rules! number_args {
    ($($t:ty),*) => {$(
        impl ToArg for $t {
            fn to_arg(&self) -> Bytes {
                Bytes::from(self.to_string())
            }
        }
    )*};
}

number_args!(i32, i64, u32, u64, usize, isize, f64);

/// One command: its arguments (name first) and whether it may be sent twice.
///
/// ```
/// use redraft_client::Cmd;
///
/// let get = Cmd::new("GET").arg("k");
/// assert!(get.is_retry_safe());
///
/// let incr = Cmd::new("INCR").arg("k");
/// assert!(!incr.is_retry_safe());
///
/// let set = Cmd::new("SET").arg("k").arg(42).idempotent();
/// assert!(set.is_retry_safe());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Cmd {
    args: Vec<Bytes>,
    idempotent: bool,
}

impl Cmd {
    /// A command with its name and no arguments yet.
    pub fn new(name: impl ToArg) -> Self {
        Cmd {
            args: vec![name.to_arg()],
            idempotent: false,
        }
    }

    /// A command from its whole argv (`["SET", "k", "v"]`).
    pub fn from_args<I>(args: I) -> Self
    where
        I: IntoIterator,
        I::Item: ToArg,
    {
        Cmd {
            args: args.into_iter().map(|a| a.to_arg()).collect(),
            idempotent: false,
        }
    }

    /// Adds one argument.
    pub fn arg(mut self, arg: impl ToArg) -> Self {
        self.args.push(arg.to_arg());
        self
    }

    /// Adds several arguments.
    pub fn args<I>(mut self, args: I) -> Self
    where
        I: IntoIterator,
        I::Item: ToArg,
    {
        self.args.extend(args.into_iter().map(|a| a.to_arg()));
        self
    }

    /// Marks the command as safe to apply twice, so the client may resend it after a lost
    /// connection instead of reporting an unknown outcome.
    pub fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }

    /// The arguments, name first.
    pub fn argv(&self) -> &[Bytes] {
        &self.args
    }

    /// The command name, upper-cased.
    pub fn name(&self) -> String {
        self.args
            .first()
            .map(|n| String::from_utf8_lossy(n).to_ascii_uppercase())
            .unwrap_or_default()
    }

    /// Whether the command only reads (by name, from Redis's `readonly` flag).
    pub fn is_read_only(&self) -> bool {
        READ_ONLY.binary_search(&self.name().as_str()).is_ok()
    }

    /// Whether the client may send the command again after a failure: it only reads, or it
    /// was marked [`idempotent`](Cmd::idempotent).
    pub fn is_retry_safe(&self) -> bool {
        self.idempotent || self.is_read_only()
    }

    /// Whether the command changes the connection's state (`SELECT`, `AUTH`, `SUBSCRIBE`...),
    /// which a pooled connection must not carry to its next user.
    pub(crate) fn changes_connection_state(&self) -> bool {
        CONNECTION_STATE
            .binary_search(&self.name().as_str())
            .is_ok()
    }
}

/// Commands sent together, written in one go and answered in order.
///
/// ```
/// use redraft_client::{Cmd, Pipeline};
///
/// let mut pipe = Pipeline::new();
/// pipe.add(Cmd::new("SET").arg("a").arg(1).idempotent())
///     .add(Cmd::new("GET").arg("a"));
/// assert_eq!(pipe.len(), 2);
/// assert!(pipe.is_retry_safe());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Pipeline {
    cmds: Vec<Cmd>,
}

impl Pipeline {
    /// An empty pipeline.
    pub fn new() -> Self {
        Pipeline::default()
    }

    /// Appends a command.
    pub fn add(&mut self, cmd: Cmd) -> &mut Self {
        self.cmds.push(cmd);
        self
    }

    /// The commands.
    pub fn cmds(&self) -> &[Cmd] {
        &self.cmds
    }

    /// How many commands.
    pub fn len(&self) -> usize {
        self.cmds.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.cmds.is_empty()
    }

    /// Whether the whole pipeline may be sent again: every command is retry-safe.
    pub fn is_retry_safe(&self) -> bool {
        self.cmds.iter().all(Cmd::is_retry_safe)
    }
}

/// Read-only commands (Redis 7.0's `readonly` flag), sorted for binary search.
const READ_ONLY: &[&str] = &[
    "BITCOUNT",
    "BITFIELD_RO",
    "BITPOS",
    "DBSIZE",
    "DUMP",
    "ECHO",
    "EXISTS",
    "EXPIRETIME",
    "GEODIST",
    "GEOHASH",
    "GEOPOS",
    "GEOSEARCH",
    "GET",
    "GETBIT",
    "GETRANGE",
    "HEXISTS",
    "HGET",
    "HGETALL",
    "HKEYS",
    "HLEN",
    "HMGET",
    "HRANDFIELD",
    "HSCAN",
    "HSTRLEN",
    "HVALS",
    "KEYS",
    "LCS",
    "LINDEX",
    "LLEN",
    "LOLWUT",
    "LPOS",
    "LRANGE",
    "MGET",
    "PEXPIRETIME",
    "PFCOUNT",
    "PING",
    "PTTL",
    "RANDOMKEY",
    "SCAN",
    "SCARD",
    "SDIFF",
    "SINTER",
    "SINTERCARD",
    "SISMEMBER",
    "SMEMBERS",
    "SMISMEMBER",
    "SRANDMEMBER",
    "SSCAN",
    "STRLEN",
    "SUBSTR",
    "SUNION",
    "TIME",
    "TOUCH",
    "TTL",
    "TYPE",
    "XLEN",
    "XPENDING",
    "XRANGE",
    "XREVRANGE",
    "ZCARD",
    "ZCOUNT",
    "ZDIFF",
    "ZINTER",
    "ZINTERCARD",
    "ZLEXCOUNT",
    "ZMSCORE",
    "ZRANDMEMBER",
    "ZRANGE",
    "ZRANGEBYLEX",
    "ZRANGEBYSCORE",
    "ZRANK",
    "ZREVRANGE",
    "ZREVRANGEBYLEX",
    "ZREVRANGEBYSCORE",
    "ZREVRANK",
    "ZSCAN",
    "ZSCORE",
    "ZUNION",
];

/// Commands that change per-connection state, refused by the pooled client.
const CONNECTION_STATE: &[&str] = &[
    "AUTH",
    "HELLO",
    "MONITOR",
    "PSUBSCRIBE",
    "QUIT",
    "RESET",
    "SELECT",
    "SSUBSCRIBE",
    "SUBSCRIBE",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted() {
        assert!(READ_ONLY.windows(2).all(|w| w[0] < w[1]));
        assert!(CONNECTION_STATE.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn read_only_by_name_any_case() {
        assert!(Cmd::new("get").arg("k").is_read_only());
        assert!(Cmd::new("HGetAll").is_read_only());
        assert!(!Cmd::new("SET").is_read_only());
        assert!(!Cmd::new("EVAL").is_read_only());
        assert!(!Cmd::from_args(Vec::<String>::new()).is_read_only());
    }

    #[test]
    fn args_of_many_types() {
        let c = Cmd::new("X")
            .arg(1i64)
            .arg(2.5)
            .arg(&b"raw"[..])
            .arg(String::from("s"));
        let want: Vec<&[u8]> = vec![b"X", b"1", b"2.5", b"raw", b"s"];
        assert_eq!(c.argv().iter().map(|b| &b[..]).collect::<Vec<_>>(), want);
    }

    #[test]
    fn pipeline_safety_is_all_or_nothing() {
        let mut p = Pipeline::new();
        p.add(Cmd::new("GET").arg("a"));
        assert!(p.is_retry_safe());
        p.add(Cmd::new("INCR").arg("a"));
        assert!(!p.is_retry_safe());
    }

    #[test]
    fn connection_state_commands() {
        assert!(Cmd::new("select").arg(1).changes_connection_state());
        assert!(!Cmd::new("GET").changes_connection_state());
    }
}
