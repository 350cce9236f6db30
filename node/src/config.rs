//! Configuration: a redis.conf-style file, then `REDIS_PASSWORD` from the environment, then
//! `--directive value` flags, with Redis's directive names. Unknown directives are an error
//! naming the line, never ignored.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// Every setting of a node.
#[derive(Debug, Clone)]
pub struct Config {
    pub port: u16,
    pub bind: Vec<String>,
    /// `requirepass`: empty means no password.
    pub requirepass: String,
    pub dir: PathBuf,
    pub dbfilename: String,
    pub databases: usize,
    /// `rename-command OLD NEW` pairs; an empty NEW disables the command.
    pub rename_commands: Vec<(String, String)>,
    /// Microseconds; negative disables the slow log, 0 logs every command.
    pub slowlog_log_slower_than: i64,
    pub slowlog_max_len: usize,
    pub maxclients: usize,
    /// Idle seconds before a client is closed; 0 never.
    pub timeout: u64,
    /// Seconds between TCP keepalive probes; 0 off.
    pub tcp_keepalive: u64,
    pub loglevel: String,
    /// Empty for standard output.
    pub logfile: String,
    pub proto_max_bulk_len: usize,
    /// Threads serving connections (Redis's `io-threads`).
    pub io_threads: usize,
    /// The file this configuration was read from (INFO `config_file`).
    pub config_file: Option<PathBuf>,
    /// This node's Raft id (`node-id`).
    pub node_id: u64,
    /// The port of the Raft (gRPC) listener, on the first `bind` address; 0 takes the port of
    /// this node's `peers` entry, or runs without a listener when there are no peers.
    pub raft_port: u16,
    /// `peers 1=host:port,2=host:port,...`: every member's id and Raft address, this node
    /// included. Empty: a one-node cluster.
    pub peers: std::collections::BTreeMap<u64, String>,
    /// `stale-reads yes`: answer reads from this node's state without confirming leadership.
    pub stale_reads: bool,
    pub raft_heartbeat_ms: u64,
    pub raft_election_timeout_ms: u64,
    /// Commands applied since the last snapshot that trigger a new one.
    pub raft_snapshot_entries: u64,
    /// How long a request waits for a leader before `-TRYAGAIN`.
    pub raft_leader_wait_ms: u64,
    /// How long a proposed write waits for its commit before its outcome is unknown.
    pub raft_write_timeout_ms: u64,
    /// `max-clock-skew-ms`: how far a leader's clock may run from the time a majority of the
    /// cluster's clocks agree on (raft/clock.rs). Keys' expiry is exact to within it.
    pub max_clock_skew_ms: u64,
    /// `save <seconds> <changes> ...`: snapshot points, as Redis's (empty: none).
    pub save: Vec<(u64, u64)>,
    /// Whether a config file or command line `save` line was read yet: the first one
    /// replaces the defaults, later ones add to it (Redis's `setConfigSaveOption`).
    pub save_loaded: bool,
    /// `--restore FILE` (start-up only): once the cluster has a leader, make FILE its data.
    pub restore: Option<PathBuf>,
    /// `debug-clock-offset-ms N` (start-up only, UNSAFE, for the chaos harness): this node's
    /// wall clock reads N milliseconds ahead (negative: behind), to inject a clock jump. Keys'
    /// expiry follows the leader's clock, so a moved leader clock expires keys early or late.
    pub debug_clock_offset_ms: i64,
}

/// Redis's default save points: after 3600 s with 1 change, 300 s with 100, 60 s with 10000.
pub const DEFAULT_SAVE: &[(u64, u64)] = &[(3600, 1), (300, 100), (60, 10000)];

impl Default for Config {
    fn default() -> Self {
        Config {
            port: 6379,
            bind: vec!["127.0.0.1".to_string()],
            requirepass: String::new(),
            dir: PathBuf::from("."),
            dbfilename: "dump.rdb".to_string(),
            databases: 16,
            rename_commands: Vec::new(),
            slowlog_log_slower_than: 10_000,
            slowlog_max_len: 128,
            maxclients: 10_000,
            timeout: 0,
            tcp_keepalive: 300,
            loglevel: "notice".to_string(),
            logfile: String::new(),
            proto_max_bulk_len: 512 * 1024 * 1024,
            io_threads: 1,
            config_file: None,
            node_id: 1,
            raft_port: 0,
            peers: std::collections::BTreeMap::new(),
            stale_reads: false,
            raft_heartbeat_ms: 100,
            raft_election_timeout_ms: 300,
            raft_snapshot_entries: 20_000,
            raft_leader_wait_ms: 3_000,
            raft_write_timeout_ms: 10_000,
            max_clock_skew_ms: 100,
            save: DEFAULT_SAVE.to_vec(),
            save_loaded: false,
            restore: None,
            debug_clock_offset_ms: 0,
        }
    }
}

/// Directives CONFIG GET lists, sorted, with whether CONFIG SET may change them at run time.
/// The others need a restart here (Redis can also rebind `port`/`bind` and change
/// `proto-max-bulk-len` live).
pub const PARAMETERS: &[(&str, bool)] = &[
    // Reported so tools that read them (redis-benchmark, GUIs) see this server's truth: no
    // AOF (the Raft log makes writes durable).
    ("appendonly", false),
    ("bind", false),
    ("databases", false),
    ("dbfilename", false),
    ("dir", false),
    ("io-threads", false),
    ("logfile", false),
    ("loglevel", true),
    ("max-clock-skew-ms", false),
    ("maxclients", true),
    ("node-id", false),
    ("peers", false),
    ("port", false),
    ("proto-max-bulk-len", false),
    ("raft-election-timeout-ms", false),
    ("raft-heartbeat-ms", false),
    ("raft-leader-wait-ms", true),
    ("raft-port", false),
    ("raft-snapshot-entries", false),
    ("raft-write-timeout-ms", true),
    ("requirepass", true),
    ("save", true),
    ("slowlog-log-slower-than", true),
    ("slowlog-max-len", true),
    ("stale-reads", true),
    ("tcp-keepalive", true),
    ("timeout", true),
];

/// Parameters Redis 7.0 refuses to change at run time unless `enable-protected-configs` is
/// set (CONFIG SET answers "can't set protected config").
pub const PROTECTED: &[&str] = &["dbfilename", "dir"];

/// Redis's `INT_MAX`, `UINT_MAX`, `LONG_MAX`: the bounds of its integer directives.
const INT_MAX: i64 = i32::MAX as i64;
const UINT_MAX: i64 = u32::MAX as i64;
const LONG_MAX: i64 = i64::MAX;

/// The `loglevel` values of Redis 7.0.
const LOGLEVELS: &[&str] = &["debug", "verbose", "notice", "warning"];

impl Config {
    /// Builds the configuration from the command line (`redraft [FILE] [--name value ...]`)
    /// and the environment: the file first, then `REDIS_PASSWORD`, then the flags.
    pub fn from_args(args: &[String], password_env: Option<String>) -> Result<Config> {
        let mut config = Config::default();
        let mut rest = args;
        if let Some(first) = args.first()
            && !first.starts_with("--")
        {
            let path = PathBuf::from(first);
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read config file {}", path.display()))?;
            config.load_text(&text, &path)?;
            config.config_file = Some(std::fs::canonicalize(&path).unwrap_or(path));
            rest = &args[1..];
        }
        if let Some(password) = password_env.filter(|p| !p.is_empty()) {
            config.requirepass = password;
        }
        // Like redis-server: `--name v1 v2 --other v` makes the lines "name v1 v2", "other v".
        let mut lines: Vec<Vec<String>> = Vec::new();
        for arg in rest {
            if let Some(name) = arg.strip_prefix("--") {
                lines.push(vec![name.to_string()]);
            } else if let Some(line) = lines.last_mut() {
                line.push(arg.clone());
            } else {
                bail!("unexpected argument '{arg}': directives are given as --name value");
            }
        }
        for line in lines {
            config
                .set_directive(&line[0], &line[1..])
                .with_context(|| format!("in command line option --{}", line.join(" ")))?;
        }
        Ok(config)
    }

    /// Reads a redis.conf-style text.
    pub fn load_text(&mut self, text: &str, path: &Path) -> Result<()> {
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let words = crate::resp::split_args(line.as_bytes())
                .with_context(|| format!("{}:{}: unbalanced quotes", path.display(), n + 1))?;
            let words: Vec<String> = words
                .into_iter()
                .map(|w| String::from_utf8_lossy(&w).into_owned())
                .collect();
            let Some((name, values)) = words.split_first() else {
                continue;
            };
            self.set_directive(name, values)
                .with_context(|| format!("{}:{}: bad directive '{line}'", path.display(), n + 1))?;
        }
        Ok(())
    }

    /// Sets one directive from its words (a config file line or a command line flag).
    pub fn set_directive(&mut self, name: &str, values: &[String]) -> Result<()> {
        let name = name.to_ascii_lowercase();
        match name.as_str() {
            "bind" => {
                if values.is_empty() {
                    bail!("'bind' needs at least one address");
                }
                self.bind = values.to_vec();
            }
            // Every word is a value (`save 3600 1 300 100`, `--save ""`); the first line read
            // replaces the defaults and later ones add to it, as in Redis.
            "save" => {
                let points = parse_save(&values.join(" ")).map_err(anyhow::Error::msg)?;
                if !self.save_loaded {
                    self.save_loaded = true;
                    self.save.clear();
                }
                self.save.extend(points);
            }
            "restore" => match values {
                [file] if !file.is_empty() => self.restore = Some(PathBuf::from(file)),
                _ => bail!("'restore' takes the path of an RDB file"),
            },
            // Not a CONFIG parameter: a test hook, never listed or settable at run time.
            "debug-clock-offset-ms" => match values {
                [ms] => {
                    self.debug_clock_offset_ms = ms
                        .parse()
                        .map_err(|_| anyhow::anyhow!("'debug-clock-offset-ms' takes an integer"))?;
                }
                _ => bail!("'debug-clock-offset-ms' takes one integer"),
            },
            "rename-command" => match values {
                [old, new] => self.rename_commands.push((old.clone(), new.clone())),
                _ => bail!("'rename-command' takes a command name and a new name (or \"\")"),
            },
            _ => {
                if Config::is_settable(&name).is_none() {
                    bail!("unknown directive '{name}'");
                }
                let [value] = values else {
                    bail!("'{name}' takes exactly one argument");
                };
                self.set(&name, value).map_err(anyhow::Error::msg)?;
            }
        }
        Ok(())
    }

    /// Whether CONFIG SET may change `name` (lower case); `None` for an unknown parameter.
    pub fn is_settable(name: &str) -> Option<bool> {
        PARAMETERS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, settable)| *settable)
    }

    /// Sets the one-value parameter `name` (lower case), validated as Redis 7.0 does; the
    /// error is Redis's reason text (`argument must be between 0 and 2147483647 inclusive`).
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        match name {
            "port" => self.port = int(value, 0, 65535)? as u16,
            "bind" => self.bind = value.split_whitespace().map(str::to_string).collect(),
            "requirepass" => self.requirepass = value.to_string(),
            "save" => self.save = parse_save(value)?,
            "appendonly" if value.eq_ignore_ascii_case("no") => {}
            "appendonly" => {
                return Err(
                    "there is no append-only file: writes are made durable by the log".to_string(),
                );
            }
            "dir" => self.dir = PathBuf::from(value),
            "dbfilename" => {
                if value.contains('/') {
                    return Err("dbfilename can't be a path, just a filename".to_string());
                }
                self.dbfilename = value.to_string();
            }
            "databases" => self.databases = int(value, 1, INT_MAX)? as usize,
            "slowlog-log-slower-than" => self.slowlog_log_slower_than = int(value, -1, LONG_MAX)?,
            "slowlog-max-len" => self.slowlog_max_len = int(value, 0, LONG_MAX)? as usize,
            "maxclients" => self.maxclients = int(value, 1, UINT_MAX)? as usize,
            "timeout" => self.timeout = int(value, 0, INT_MAX)? as u64,
            "tcp-keepalive" => self.tcp_keepalive = int(value, 0, INT_MAX)? as u64,
            "loglevel" => {
                let v = value.to_ascii_lowercase();
                if !LOGLEVELS.contains(&v.as_str()) {
                    return Err(format!(
                        "argument(s) must be one of the following: {}",
                        LOGLEVELS.join(", ")
                    ));
                }
                self.loglevel = v;
            }
            "logfile" => self.logfile = value.to_string(),
            "proto-max-bulk-len" => {
                let n = parse_memory(value)
                    .ok()
                    .and_then(|n| i64::try_from(n).ok())
                    .ok_or("argument must be a memory value")?;
                self.proto_max_bulk_len = bounded(n, 1024 * 1024, LONG_MAX)? as usize;
            }
            "io-threads" => self.io_threads = int(value, 1, 128)? as usize,
            "node-id" => self.node_id = int(value, 1, LONG_MAX)? as u64,
            "raft-port" => self.raft_port = int(value, 0, 65535)? as u16,
            "peers" => self.peers = parse_peers(value)?,
            "stale-reads" => self.stale_reads = yes_no(value)?,
            "raft-heartbeat-ms" => self.raft_heartbeat_ms = int(value, 10, 60_000)? as u64,
            "raft-election-timeout-ms" => {
                self.raft_election_timeout_ms = int(value, 50, 600_000)? as u64;
            }
            "raft-snapshot-entries" => {
                self.raft_snapshot_entries = int(value, 1, LONG_MAX)? as u64;
            }
            "raft-leader-wait-ms" => self.raft_leader_wait_ms = int(value, 0, INT_MAX)? as u64,
            "raft-write-timeout-ms" => {
                self.raft_write_timeout_ms = int(value, 1, INT_MAX)? as u64;
            }
            "max-clock-skew-ms" => self.max_clock_skew_ms = int(value, 1, 600_000)? as u64,
            other => return Err(format!("unknown parameter '{other}'")),
        }
        Ok(())
    }

    /// The value CONFIG GET shows for a parameter.
    pub fn get(&self, name: &str) -> Option<String> {
        Some(match name {
            "port" => self.port.to_string(),
            "bind" => self.bind.join(" "),
            "requirepass" => self.requirepass.clone(),
            "dir" => std::fs::canonicalize(&self.dir)
                .unwrap_or_else(|_| self.dir.clone())
                .display()
                .to_string(),
            "dbfilename" => self.dbfilename.clone(),
            "databases" => self.databases.to_string(),
            "slowlog-log-slower-than" => self.slowlog_log_slower_than.to_string(),
            "slowlog-max-len" => self.slowlog_max_len.to_string(),
            "maxclients" => self.maxclients.to_string(),
            "timeout" => self.timeout.to_string(),
            "tcp-keepalive" => self.tcp_keepalive.to_string(),
            "loglevel" => self.loglevel.clone(),
            "logfile" => self.logfile.clone(),
            "proto-max-bulk-len" => self.proto_max_bulk_len.to_string(),
            "io-threads" => self.io_threads.to_string(),
            "node-id" => self.node_id.to_string(),
            "raft-port" => self.raft_port.to_string(),
            "peers" => self
                .peers
                .iter()
                .map(|(id, addr)| format!("{id}={addr}"))
                .collect::<Vec<_>>()
                .join(","),
            "stale-reads" => if self.stale_reads { "yes" } else { "no" }.to_string(),
            "raft-heartbeat-ms" => self.raft_heartbeat_ms.to_string(),
            "raft-election-timeout-ms" => self.raft_election_timeout_ms.to_string(),
            "raft-snapshot-entries" => self.raft_snapshot_entries.to_string(),
            "raft-leader-wait-ms" => self.raft_leader_wait_ms.to_string(),
            "raft-write-timeout-ms" => self.raft_write_timeout_ms.to_string(),
            "max-clock-skew-ms" => self.max_clock_skew_ms.to_string(),
            "save" => self
                .save
                .iter()
                .map(|(s, c)| format!("{s} {c}"))
                .collect::<Vec<_>>()
                .join(" "),
            "appendonly" => "no".to_string(),
            _ => return None,
        })
    }
}

impl Config {
    /// Refuses a node that would accept clients from other machines without a password
    /// unless `allow` (the `REDRAFT_ALLOW_NO_PASSWORD=1` environment variable) says that is
    /// intended. Redis 7.0 starts in that case and answers every non-loopback client with
    /// `-DENIED` (protected mode); a container always binds beyond loopback, so there a
    /// forgotten `.env` would leave every node open or useless: failing at start, with the
    /// reason in the log, is the safer of the two.
    pub fn check_exposed_without_password(&self, allow: bool) -> Result<()> {
        if !self.requirepass.is_empty() || allow {
            return Ok(());
        }
        let exposed: Vec<&str> = self
            .bind
            .iter()
            .map(|b| b.trim_start_matches('-'))
            .filter(|b| !is_loopback(b))
            .collect();
        if exposed.is_empty() {
            return Ok(());
        }
        bail!(
            "refusing to listen on {} without a password: set REDIS_PASSWORD (or \
             requirepass), or set REDRAFT_ALLOW_NO_PASSWORD=1 to run without one",
            exposed.join(" ")
        )
    }
}

/// Whether a `bind` address only accepts connections from this machine.
fn is_loopback(addr: &str) -> bool {
    addr == "localhost"
        || addr
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Whether `REDRAFT_ALLOW_NO_PASSWORD` allows a node exposed without a password: `1` or
/// `yes`, as documented; anything else (unset, empty, `0`) does not.
pub fn allow_no_password(value: Option<&str>) -> bool {
    matches!(value.map(str::trim), Some("1" | "yes" | "true"))
}

/// `1=host:port,2=host:port`: ids and Raft addresses.
fn parse_peers(value: &str) -> Result<std::collections::BTreeMap<u64, String>, String> {
    let mut peers = std::collections::BTreeMap::new();
    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let bad = || format!("bad peer '{item}': expected id=host:port");
        let (id, addr) = item.split_once('=').ok_or_else(bad)?;
        let id: u64 = id
            .trim()
            .parse()
            .ok()
            .filter(|&id| id > 0)
            .ok_or_else(bad)?;
        let (host, port) = addr.rsplit_once(':').ok_or_else(bad)?;
        if host.is_empty() || port.parse::<u16>().is_err() {
            return Err(bad());
        }
        if peers.insert(id, addr.trim().to_string()).is_some() {
            return Err(format!("peer id {id} appears twice"));
        }
    }
    Ok(peers)
}

/// Save points `seconds changes [seconds changes ...]`, checked as Redis's
/// `setConfigSaveOption` (seconds >= 1, changes >= 0); empty or `""` for none.
fn parse_save(value: &str) -> Result<Vec<(u64, u64)>, String> {
    let invalid = || "Invalid save parameters".to_string();
    let words: Vec<&str> = value.split_whitespace().filter(|w| *w != "\"\"").collect();
    if words.len() % 2 == 1 {
        return Err(invalid());
    }
    words
        .chunks_exact(2)
        .map(|pair| {
            let seconds = pair[0].parse::<i64>().ok().filter(|&s| s >= 1);
            let changes = pair[1].parse::<i64>().ok().filter(|&c| c >= 0);
            match (seconds, changes) {
                (Some(s), Some(c)) => Ok((s as u64, c as u64)),
                _ => Err(invalid()),
            }
        })
        .collect()
}

/// `yes` or `no`, as Redis's boolean directives.
fn yes_no(value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err("argument must be 'yes' or 'no'".to_string()),
    }
}

/// An integer directive, parsed as Redis's `string2ll` and checked against its bounds.
fn int(value: &str, min: i64, max: i64) -> Result<i64, String> {
    let n = crate::cmd::args::strict_i64(value.as_bytes())
        .ok_or("argument couldn't be parsed into an integer")?;
    bounded(n, min, max)
}

fn bounded(n: i64, min: i64, max: i64) -> Result<i64, String> {
    if (min..=max).contains(&n) {
        Ok(n)
    } else {
        Err(format!(
            "argument must be between {min} and {max} inclusive"
        ))
    }
}

fn parse_num<T: std::str::FromStr>(v: &str) -> Result<T> {
    v.parse()
        .map_err(|_| anyhow::anyhow!("argument couldn't be parsed into an integer: '{v}'"))
}

/// Parses a memory size as Redis does: `1024`, `1k`, `1kb`, `1m`, `1mb`, `1g`, `1gb`.
pub fn parse_memory(v: &str) -> Result<u64> {
    let lower = v.to_ascii_lowercase();
    let (digits, mul) = [
        ("gb", 1u64 << 30),
        ("g", 1_000_000_000),
        ("mb", 1 << 20),
        ("m", 1_000_000),
        ("kb", 1 << 10),
        ("k", 1000),
        ("b", 1),
    ]
    .iter()
    .find_map(|(suffix, mul)| lower.strip_suffix(suffix).map(|d| (d, *mul)))
    .unwrap_or((lower.as_str(), 1));
    let n: u64 = parse_num(digits)?;
    n.checked_mul(mul)
        .ok_or_else(|| anyhow::anyhow!("memory size out of range: '{v}'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flags_override_file_and_env() {
        let dir = std::env::temp_dir().join(format!("redraft-conf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("redis.conf");
        std::fs::write(
            &path,
            "# comment\nport 7000\nrequirepass \"from file\"\nrename-command FLUSHALL \"\"\n",
        )
        .unwrap();
        let c = Config::from_args(
            &args(&[path.to_str().unwrap(), "--port", "7001"]),
            Some("from-env".into()),
        )
        .unwrap();
        assert_eq!(c.port, 7001);
        assert_eq!(c.requirepass, "from-env");
        assert_eq!(
            c.rename_commands,
            vec![("FLUSHALL".to_string(), String::new())]
        );
        let c = Config::from_args(&args(&["--requirepass", "flag"]), Some("env".into())).unwrap();
        assert_eq!(c.requirepass, "flag");
    }

    #[test]
    fn unknown_directive_names_the_line() {
        let mut c = Config::default();
        let err = c
            .load_text("port 1\nnosuch 2\n", Path::new("x.conf"))
            .unwrap_err();
        let text = format!("{err:#}");
        assert!(text.contains("x.conf:2"), "{text}");
        assert!(text.contains("unknown directive 'nosuch'"), "{text}");
    }

    #[test]
    fn values_are_checked_as_redis_does() {
        let mut c = Config::default();
        let err = |r: Result<(), String>| r.unwrap_err();
        assert_eq!(
            err(c.set("timeout", "x")),
            "argument couldn't be parsed into an integer"
        );
        assert_eq!(
            err(c.set("timeout", "010")),
            "argument couldn't be parsed into an integer"
        );
        assert_eq!(
            err(c.set("timeout", "-1")),
            "argument must be between 0 and 2147483647 inclusive"
        );
        assert_eq!(
            err(c.set("port", "65536")),
            "argument must be between 0 and 65535 inclusive"
        );
        assert_eq!(
            err(c.set("maxclients", "0")),
            "argument must be between 1 and 4294967295 inclusive"
        );
        assert_eq!(
            err(c.set("databases", "0")),
            "argument must be between 1 and 2147483647 inclusive"
        );
        assert_eq!(
            err(c.set("slowlog-log-slower-than", "-2")),
            "argument must be between -1 and 9223372036854775807 inclusive"
        );
        assert_eq!(
            err(c.set("proto-max-bulk-len", "1kb")),
            "argument must be between 1048576 and 9223372036854775807 inclusive"
        );
        assert_eq!(
            err(c.set("proto-max-bulk-len", "1x")),
            "argument must be a memory value"
        );
        assert_eq!(
            err(c.set("loglevel", "nothing")),
            "argument(s) must be one of the following: debug, verbose, notice, warning"
        );
        assert_eq!(
            err(c.set("dbfilename", "dir/dump.rdb")),
            "dbfilename can't be a path, just a filename"
        );
        c.set("proto-max-bulk-len", "2mb").unwrap();
        assert_eq!(c.proto_max_bulk_len, 2 << 20);
        c.set("loglevel", "WARNING").unwrap();
        assert_eq!(c.get("loglevel").as_deref(), Some("warning"));
        c.set("slowlog-log-slower-than", "-1").unwrap();
        assert_eq!(c.slowlog_log_slower_than, -1);
    }

    #[test]
    fn directive_shapes() {
        let mut c = Config::default();
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(c.set_directive("timeout", &words(&["1", "2"])).is_err());
        assert!(c.set_directive("rename-command", &words(&["get"])).is_err());
        c.set_directive("BIND", &words(&["127.0.0.1", "-::1"]))
            .unwrap();
        assert_eq!(c.get("bind").as_deref(), Some("127.0.0.1 -::1"));
        c.set_directive("Timeout", &words(&["5"])).unwrap();
        assert_eq!(c.timeout, 5);
        let err = Config::from_args(&words(&["--maxclients", "x"]), None).unwrap_err();
        let text = format!("{err:#}");
        assert!(text.contains("--maxclients x"), "{text}");
        assert!(
            text.contains("couldn't be parsed into an integer"),
            "{text}"
        );
        let err = Config::from_args(&words(&["--nosuch", "1"]), None).unwrap_err();
        assert!(format!("{err:#}").contains("unknown directive 'nosuch'"));
        // Every listed parameter has a value and is accepted by `set` with that value.
        for (name, _) in PARAMETERS {
            let value = c.get(name).unwrap_or_else(|| panic!("{name}"));
            let mut copy = c.clone();
            assert_eq!(copy.set(name, &value), Ok(()), "{name}");
        }
    }

    #[test]
    fn save_points_as_redis() {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut c = Config::default();
        assert_eq!(c.get("save").as_deref(), Some("3600 1 300 100 60 10000"));
        // The first line replaces the defaults, the next ones add.
        c.set_directive("save", &words(&["900", "1"])).unwrap();
        c.set_directive("save", &words(&["60", "5"])).unwrap();
        assert_eq!(c.save, vec![(900, 1), (60, 5)]);
        // CONFIG SET replaces; "" disables.
        c.set("save", "10 2 20 3").unwrap();
        assert_eq!(c.save, vec![(10, 2), (20, 3)]);
        c.set("save", "").unwrap();
        assert_eq!(c.get("save").as_deref(), Some(""));
        let mut d = Config::default();
        d.set_directive("save", &words(&[""])).unwrap();
        assert!(d.save.is_empty());
        for bad in ["1", "0 1", "1 -1", "x 1", "1 1 2"] {
            assert_eq!(
                c.set("save", bad),
                Err("Invalid save parameters".into()),
                "{bad}"
            );
        }
        let c = Config::from_args(
            &words(&["--save", "30", "7", "--restore", "/tmp/x.rdb"]),
            None,
        )
        .unwrap();
        assert_eq!(c.save, vec![(30, 7)]);
        assert_eq!(c.restore, Some(PathBuf::from("/tmp/x.rdb")));
    }

    #[test]
    fn an_exposed_node_needs_a_password() {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let loopback = Config::from_args(&words(&["--bind", "127.0.0.1", "-::1"]), None).unwrap();
        assert!(loopback.check_exposed_without_password(false).is_ok());
        let exposed = Config::from_args(&words(&["--bind", "0.0.0.0"]), None).unwrap();
        let err = exposed.check_exposed_without_password(false).unwrap_err();
        assert!(
            err.to_string().contains("REDRAFT_ALLOW_NO_PASSWORD=1"),
            "{err}"
        );
        assert!(exposed.check_exposed_without_password(true).is_ok());
        let with_env =
            Config::from_args(&words(&["--bind", "0.0.0.0"]), Some("pw".into())).unwrap();
        assert!(with_env.check_exposed_without_password(false).is_ok());
        // An empty REDIS_PASSWORD is no password.
        let empty =
            Config::from_args(&words(&["--bind", "10.0.0.5"]), Some(String::new())).unwrap();
        assert!(empty.check_exposed_without_password(false).is_err());
        assert!(allow_no_password(Some("1")));
        assert!(allow_no_password(Some("yes")));
        assert!(!allow_no_password(Some("")));
        assert!(!allow_no_password(Some("0")));
        assert!(!allow_no_password(None));
    }

    #[test]
    fn debug_clock_offset_is_a_start_up_flag_only() {
        let c = Config::from_args(&args(&["--debug-clock-offset-ms", "-5000"]), None).unwrap();
        assert_eq!(c.debug_clock_offset_ms, -5000);
        assert_eq!(Config::default().debug_clock_offset_ms, 0);
        assert!(Config::from_args(&args(&["--debug-clock-offset-ms", "soon"]), None).is_err());
        // Not a CONFIG parameter: CONFIG GET/SET never see it.
        assert_eq!(Config::is_settable("debug-clock-offset-ms"), None);
    }

    #[test]
    fn memory_sizes() {
        assert_eq!(parse_memory("512mb").unwrap(), 512 << 20);
        assert_eq!(parse_memory("1k").unwrap(), 1000);
        assert_eq!(parse_memory("100").unwrap(), 100);
        assert!(parse_memory("x").is_err());
    }
}
