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
}

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
            io_threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            config_file: None,
        }
    }
}

/// Directives CONFIG GET lists and CONFIG SET may change at run time (name, settable).
pub const PARAMETERS: &[(&str, bool)] = &[
    ("bind", false),
    ("databases", false),
    ("dbfilename", false),
    ("dir", false),
    ("io-threads", false),
    ("logfile", false),
    ("loglevel", true),
    ("maxclients", true),
    ("port", false),
    ("proto-max-bulk-len", true),
    ("requirepass", true),
    ("slowlog-log-slower-than", true),
    ("slowlog-max-len", true),
    ("tcp-keepalive", true),
    ("timeout", true),
];

impl Config {
    /// Builds the configuration from the command line (`redraft [FILE] [--name value ...]`)
    /// and the environment.
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
                .with_context(|| format!("in command line option --{}", line[0]))?;
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

    /// Sets one directive from its words.
    pub fn set_directive(&mut self, name: &str, values: &[String]) -> Result<()> {
        let name = name.to_ascii_lowercase();
        let one = || -> Result<&String> {
            match values {
                [v] => Ok(v),
                _ => bail!("'{name}' takes exactly one argument"),
            }
        };
        match name.as_str() {
            "port" => self.port = parse_num(one()?)?,
            "bind" => {
                if values.is_empty() {
                    bail!("'bind' needs at least one address");
                }
                self.bind = values.to_vec();
            }
            "requirepass" => self.requirepass = one()?.clone(),
            "dir" => self.dir = PathBuf::from(one()?),
            "dbfilename" => {
                let v = one()?;
                if v.contains('/') {
                    bail!("dbfilename can't be a path, just a filename");
                }
                self.dbfilename = v.clone();
            }
            "databases" => {
                let n: usize = parse_num(one()?)?;
                if n == 0 {
                    bail!("databases must be at least 1");
                }
                self.databases = n;
            }
            "rename-command" => match values {
                [old, new] => self.rename_commands.push((old.clone(), new.clone())),
                _ => bail!("'rename-command' takes a command name and a new name (or \"\")"),
            },
            "slowlog-log-slower-than" => self.slowlog_log_slower_than = parse_num(one()?)?,
            "slowlog-max-len" => self.slowlog_max_len = parse_num(one()?)?,
            "maxclients" => self.maxclients = parse_num(one()?)?,
            "timeout" => self.timeout = parse_num(one()?)?,
            "tcp-keepalive" => self.tcp_keepalive = parse_num(one()?)?,
            "loglevel" => {
                let v = one()?.to_ascii_lowercase();
                if !["debug", "verbose", "notice", "warning", "nothing"].contains(&v.as_str()) {
                    bail!("loglevel must be one of debug, verbose, notice, warning, nothing");
                }
                self.loglevel = v;
            }
            "logfile" => self.logfile = one()?.clone(),
            "proto-max-bulk-len" => self.proto_max_bulk_len = parse_memory(one()?)? as usize,
            "io-threads" => {
                let n: usize = parse_num(one()?)?;
                if !(1..=128).contains(&n) {
                    bail!("io-threads must be between 1 and 128");
                }
                self.io_threads = n;
            }
            other => bail!("unknown directive '{other}'"),
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
            _ => return None,
        })
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
    fn memory_sizes() {
        assert_eq!(parse_memory("512mb").unwrap(), 512 << 20);
        assert_eq!(parse_memory("1k").unwrap(), 1000);
        assert_eq!(parse_memory("100").unwrap(), 100);
        assert!(parse_memory("x").is_err());
    }
}
