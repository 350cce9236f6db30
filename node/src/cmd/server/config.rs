//! CONFIG: a container for server configuration commands.
//!
//! # Format
//! ```text
//! CONFIG GET parameter [parameter ...]
//! CONFIG SET parameter value [parameter value ...]
//! CONFIG RESETSTAT
//! CONFIG REWRITE
//! CONFIG HELP
//! ```
//! The parameters are those of [`crate::config::PARAMETERS`]; GET matches each pattern as a
//! case-insensitive glob and answers a map in parameter-name order. SET changes all its
//! parameters or none, with Redis 7.0's errors; `port`, `bind`, `dir`, `databases`,
//! `logfile` and `proto-max-bulk-len` are fixed at startup here. CONFIG REWRITE is not
//! supported: it answers an error.

use bytes::Bytes;

use crate::cmd::args;
use crate::cmd::{CmdError, CmdResult, Run, Session, Spec, glob};
use crate::config::{Config, PARAMETERS};
use crate::resp::Reply;

use super::command::{help_reply, subcommand};

pub const SPEC: Spec = Spec {
    name: "config",
    arity: -2,
    flags: 0,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Session(run),
};

/// CONFIG's subcommands and their arity.
pub const SUBCOMMANDS: &[(&str, i32)] = &[
    ("get", -3),
    ("help", 2),
    ("resetstat", 2),
    ("rewrite", 2),
    ("set", -4),
];

const HELP: &[&str] = &[
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
];

fn run(session: &mut dyn Session, argv: &[Bytes]) -> CmdResult {
    match subcommand("config", SUBCOMMANDS, argv)? {
        "get" => {
            let config = session.config().read();
            let pairs = PARAMETERS
                .iter()
                .filter(|(name, _)| {
                    argv[2..]
                        .iter()
                        .any(|p| glob::matches(p, name.as_bytes(), true))
                })
                .filter_map(|(name, _)| {
                    let value = config.get(name)?;
                    Some((Reply::text(name), Reply::bulk(value)))
                })
                .collect();
            Ok(Reply::Map(pairs))
        }
        "set" => set(session, &argv[2..]),
        "resetstat" => {
            session.reset_stats();
            Ok(Reply::OK)
        }
        "rewrite" => {
            if session.config().read().config_file.is_none() {
                Err(CmdError::other(
                    "ERR The server is running without a config file",
                ))
            } else {
                Err(CmdError::other(
                    "ERR CONFIG REWRITE is not supported by this server: edit the config file",
                ))
            }
        }
        _ => Ok(help_reply("config", HELP)),
    }
}

fn failed(name: &[u8], why: &str) -> CmdError {
    CmdError::other(format!(
        "ERR CONFIG SET failed (possibly related to argument '{}') - {why}",
        String::from_utf8_lossy(name)
    ))
}

/// CONFIG SET name value [name value ...], as Redis 7.0's `configSetCommand`: the first
/// unknown, immutable or repeated name is refused before anything changes, then the values
/// are applied to a copy that replaces the configuration only if all of them are valid.
fn set(session: &mut dyn Session, pairs: &[Bytes]) -> CmdResult {
    if pairs.len() % 2 == 1 {
        return Err(CmdError::Syntax);
    }
    let mut seen: Vec<String> = Vec::with_capacity(pairs.len() / 2);
    for pair in pairs.chunks_exact(2) {
        let name = args::lower(&pair[0]);
        match Config::is_settable(&name) {
            None => {
                return Err(CmdError::other(format!(
                    "ERR Unknown option or number of arguments for CONFIG SET - '{}'",
                    String::from_utf8_lossy(&pair[0])
                )));
            }
            Some(false) => return Err(failed(&pair[0], "can't set immutable config")),
            Some(true) if seen.contains(&name) => {
                return Err(failed(&pair[0], "duplicate parameter"));
            }
            Some(true) => seen.push(name),
        }
    }
    let mut config = session.config().write();
    let mut updated = config.clone();
    for (pair, name) in pairs.chunks_exact(2).zip(&seen) {
        let value = String::from_utf8_lossy(&pair[1]);
        updated
            .set(name, &value)
            .map_err(|why| failed(&pair[0], &why))?;
    }
    if updated.loglevel != config.loglevel {
        crate::telemetry::set_level(&updated.loglevel);
    }
    *config = updated;
    Ok(Reply::OK)
}

#[cfg(test)]
mod tests {
    use crate::cmd::session::testing::TestSession;
    use crate::resp::Protocol;

    #[test]
    fn get_matches_globs_and_answers_a_map() {
        let mut s = TestSession::new();
        assert_eq!(
            s.wire(&["CONFIG", "GET", "timeout"]),
            "*2\r\n$7\r\ntimeout\r\n$1\r\n0\r\n"
        );
        assert_eq!(
            s.wire(&["CONFIG", "GET", "TIMEOUT", "port", "timeout"]),
            "*4\r\n$4\r\nport\r\n$4\r\n6379\r\n$7\r\ntimeout\r\n$1\r\n0\r\n"
        );
        assert_eq!(
            s.wire(&["CONFIG", "GET", "slowlog-*"]),
            "*4\r\n$23\r\nslowlog-log-slower-than\r\n$5\r\n10000\r\n$15\r\n\
             slowlog-max-len\r\n$3\r\n128\r\n"
        );
        assert_eq!(s.wire(&["CONFIG", "GET", "nosuch"]), "*0\r\n");
        s.client.protocol = Protocol::Resp3;
        assert_eq!(
            s.wire(&["CONFIG", "GET", "maxclients"]),
            "%1\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n"
        );
        assert_eq!(
            s.wire(&["CONFIG", "GET"]),
            "-ERR wrong number of arguments for 'config|get' command\r\n"
        );
    }

    #[test]
    fn set_changes_all_or_nothing() {
        let mut s = TestSession::new();
        assert_eq!(
            s.wire(&["CONFIG", "SET", "timeout", "10", "slowlog-max-len", "5"]),
            "+OK\r\n"
        );
        assert_eq!(s.config.read().timeout, 10);
        assert_eq!(s.config.read().slowlog_max_len, 5);
        assert_eq!(
            s.wire(&["CONFIG", "SET", "timeout", "20", "maxclients", "0"]),
            "-ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument \
             must be between 1 and 4294967295 inclusive\r\n"
        );
        assert_eq!(s.config.read().timeout, 10);
        assert_eq!(s.wire(&["CONFIG", "SET", "requirepass", "pw"]), "+OK\r\n");
        assert_eq!(s.config.read().requirepass, "pw");
        assert_eq!(s.wire(&["config", "set", "LOGLEVEL", "Warning"]), "+OK\r\n");
        assert_eq!(s.config.read().loglevel, "warning");
    }

    #[test]
    fn set_errors_match_redis() {
        let mut s = TestSession::new();
        let failed = |name: &str, why: &str| {
            format!("-ERR CONFIG SET failed (possibly related to argument '{name}') - {why}\r\n")
        };
        for (args, err) in [
            (
                vec!["CONFIG", "SET", "timeout"],
                "-ERR wrong number of arguments for 'config|set' command\r\n".to_string(),
            ),
            (
                vec!["CONFIG", "SET", "timeout", "5", "slowlog-max-len"],
                "-ERR syntax error\r\n".to_string(),
            ),
            (
                vec!["CONFIG", "SET", "foo", "1"],
                "-ERR Unknown option or number of arguments for CONFIG SET - 'foo'\r\n".into(),
            ),
            (
                vec!["CONFIG", "SET", "timeout", "10", "Foo", "1"],
                "-ERR Unknown option or number of arguments for CONFIG SET - 'Foo'\r\n".into(),
            ),
            (
                vec!["CONFIG", "SET", "timeout", "x"],
                failed("timeout", "argument couldn't be parsed into an integer"),
            ),
            (
                vec!["CONFIG", "SET", "timeout", "99999999999999999999"],
                failed("timeout", "argument couldn't be parsed into an integer"),
            ),
            (
                vec!["CONFIG", "SET", "timeout", "-1"],
                failed(
                    "timeout",
                    "argument must be between 0 and 2147483647 inclusive",
                ),
            ),
            (
                vec!["CONFIG", "SET", "timeout", "1", "TIMEOUT", "2"],
                failed("TIMEOUT", "duplicate parameter"),
            ),
            (
                vec!["CONFIG", "SET", "databases", "3"],
                failed("databases", "can't set immutable config"),
            ),
            (
                vec!["CONFIG", "SET", "slowlog-log-slower-than", "-5"],
                failed(
                    "slowlog-log-slower-than",
                    "argument must be between -1 and 9223372036854775807 inclusive",
                ),
            ),
            (
                vec!["CONFIG", "SET", "loglevel", "foo"],
                failed(
                    "loglevel",
                    "argument(s) must be one of the following: debug, verbose, notice, warning",
                ),
            ),
            (
                vec!["CONFIG", "SET", "dbfilename", "a/b.rdb"],
                failed("dbfilename", "dbfilename can't be a path, just a filename"),
            ),
        ] {
            assert_eq!(s.wire(&args), err, "{args:?}");
        }
        assert_eq!(s.config.read().timeout, 0);
    }

    #[test]
    fn other_subcommands() {
        let mut s = TestSession::new();
        assert_eq!(s.wire(&["CONFIG", "RESETSTAT"]), "+OK\r\n");
        assert_eq!(
            s.wire(&["CONFIG", "RESETSTAT", "x"]),
            "-ERR wrong number of arguments for 'config|resetstat' command\r\n"
        );
        assert_eq!(
            s.wire(&["CONFIG", "REWRITE"]),
            "-ERR The server is running without a config file\r\n"
        );
        assert_eq!(
            s.wire(&["CONFIG", "foo"]),
            "-ERR unknown subcommand 'foo'. Try CONFIG HELP.\r\n"
        );
        assert_eq!(
            s.wire(&["CONFIG", "HELP"]),
            "*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n\
             +GET <pattern>\r\n\
             +    Return parameters matching the glob-like <pattern> and their values.\r\n\
             +SET <directive> <value>\r\n+    Set the configuration <directive> to <value>.\r\n\
             +RESETSTAT\r\n+    Reset statistics reported by the INFO command.\r\n\
             +REWRITE\r\n+    Rewrite the configuration file.\r\n\
             +HELP\r\n+    Prints this help.\r\n"
        );
    }
}
