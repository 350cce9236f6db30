//! SLOWLOG: a container for slow log commands, and the slow log itself.
//!
//! # Format
//! ```text
//! SLOWLOG GET [count]
//! SLOWLOG LEN
//! SLOWLOG RESET
//! SLOWLOG HELP
//! ```
//! Commands slower than `slowlog-log-slower-than` microseconds are remembered, newest first,
//! up to `slowlog-max-len` entries, with at most 32 arguments of at most 128 bytes each
//! (Redis's `SLOWLOG_ENTRY_MAX_ARGC` / `SLOWLOG_ENTRY_MAX_STRING`). Passwords are never kept:
//! AUTH, HELLO ... AUTH and CONFIG SET requirepass are logged with `(redacted)` in their
//! place, as Redis does. An entry is `[id, unix time, microseconds, [args], client address,
//! client name]`.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;

use crate::cmd::args::{self, is};
use crate::cmd::{CmdError, CmdResult, Run, Session, Spec};
use crate::resp::Reply;

use super::command::{help_reply, subcommand};

pub const SPEC: Spec = Spec {
    name: "slowlog",
    arity: -2,
    flags: 0,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Session(run),
};

/// SLOWLOG's subcommands and their arity.
pub const SUBCOMMANDS: &[(&str, i32)] = &[("get", -2), ("help", 2), ("len", 2), ("reset", 2)];

const HELP: &[&str] = &[
    "GET [<count>]",
    "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
    "    Entries are made of:",
    "    id, timestamp, time in microseconds, arguments array, client IP and port,",
    "    client name",
    "LEN",
    "    Return the length of the slowlog.",
    "RESET",
    "    Reset the slowlog.",
];

fn run(session: &mut dyn Session, argv: &[Bytes]) -> CmdResult {
    match subcommand("slowlog", SUBCOMMANDS, argv)? {
        "get" => {
            let count = match argv {
                [_, _] => 10,
                [_, _, count] => {
                    args::strict_i64(count)
                        .filter(|&n| n >= -1)
                        .ok_or(CmdError::other(
                            "ERR count should be greater than or equal to -1",
                        ))?
                }
                _ => {
                    return Err(CmdError::other(format!(
                        "ERR unknown subcommand or wrong number of arguments for '{}'. Try \
                         SLOWLOG HELP.",
                        String::from_utf8_lossy(&argv[1])
                    )));
                }
            };
            let count = usize::try_from(count).unwrap_or(usize::MAX);
            let log = session.slowlog().lock();
            Ok(Reply::Array(
                log.newest(count).map(SlowEntry::reply).collect(),
            ))
        }
        "len" => Ok(Reply::Int(session.slowlog().lock().len() as i64)),
        "reset" => {
            session.slowlog().lock().reset();
            Ok(Reply::OK)
        }
        _ => Ok(help_reply("slowlog", HELP)),
    }
}

/// `argv` with its passwords replaced by `(redacted)` (Redis's
/// `redactClientCommandArgument` calls in AUTH, HELLO and CONFIG SET).
fn redacted(argv: &[Bytes]) -> Cow<'_, [Bytes]> {
    const REDACTED: Bytes = Bytes::from_static(b"(redacted)");
    let Some(name) = argv.first() else {
        return Cow::Borrowed(argv);
    };
    let mut out = argv.to_vec();
    if is(name, "AUTH") {
        out.iter_mut().skip(1).for_each(|a| *a = REDACTED);
    } else if is(name, "HELLO") {
        let mut i = 2;
        while i < out.len() {
            if is(&out[i], "AUTH") && i + 2 < out.len() {
                out[i + 1] = REDACTED;
                out[i + 2] = REDACTED;
                i += 3;
            } else {
                i += 1;
            }
        }
    } else if is(name, "CONFIG") && out.get(1).is_some_and(|s| is(s, "SET")) {
        let mut i = 2;
        while i + 1 < out.len() {
            if is(&out[i], "requirepass") {
                out[i + 1] = REDACTED;
            }
            i += 2;
        }
    } else {
        return Cow::Borrowed(argv);
    }
    Cow::Owned(out)
}

/// One slow command.
#[derive(Debug, Clone)]
pub struct SlowEntry {
    pub id: u64,
    /// Unix seconds when it ran.
    pub time: u64,
    pub duration_us: u64,
    pub args: Vec<Bytes>,
    pub addr: String,
    pub name: Option<Bytes>,
}

impl SlowEntry {
    fn reply(&self) -> Reply {
        Reply::Array(vec![
            Reply::Int(self.id as i64),
            Reply::Int(self.time as i64),
            Reply::Int(self.duration_us as i64),
            Reply::Array(self.args.iter().cloned().map(Reply::Bulk).collect()),
            Reply::bulk(self.addr.clone()),
            Reply::Bulk(self.name.clone().unwrap_or_default()),
        ])
    }
}

/// The slow log, newest entry first.
#[derive(Debug, Default)]
pub struct SlowLog {
    entries: VecDeque<SlowEntry>,
    next_id: u64,
}

const MAX_ARGC: usize = 32;
const MAX_STRING: usize = 128;

impl SlowLog {
    /// Records a command that took `elapsed`, trimming the log to `max_len` entries.
    pub fn push(
        &mut self,
        argv: &[Bytes],
        elapsed: Duration,
        addr: String,
        name: Option<Bytes>,
        max_len: usize,
    ) {
        let argv = redacted(argv);
        let mut args: Vec<Bytes> = Vec::with_capacity(argv.len().min(MAX_ARGC));
        for (i, arg) in argv.iter().enumerate() {
            if i == MAX_ARGC - 1 && argv.len() > MAX_ARGC {
                let more = argv.len() - MAX_ARGC + 1;
                args.push(Bytes::from(format!("... ({more} more arguments)")));
                break;
            }
            if arg.len() > MAX_STRING {
                let mut s = arg[..MAX_STRING].to_vec();
                s.extend_from_slice(
                    format!("... ({} more bytes)", arg.len() - MAX_STRING).as_bytes(),
                );
                args.push(Bytes::from(s));
            } else {
                args.push(Bytes::copy_from_slice(arg));
            }
        }
        let time = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        self.entries.push_front(SlowEntry {
            id: self.next_id,
            time,
            duration_us: elapsed.as_micros() as u64,
            args,
            addr,
            name,
        });
        self.next_id += 1;
        self.entries.truncate(max_len);
    }

    /// The newest `count` entries.
    pub fn newest(&self, count: usize) -> impl Iterator<Item = &SlowEntry> {
        self.entries.iter().take(count)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn reset(&mut self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::session::testing::TestSession;

    fn argv(a: &[&str]) -> Vec<Bytes> {
        a.iter()
            .map(|s| Bytes::copy_from_slice(s.as_bytes()))
            .collect()
    }

    #[test]
    fn get_len_reset() {
        let mut s = TestSession::new();
        assert_eq!(s.wire(&["SLOWLOG", "GET"]), "*0\r\n");
        for i in 0..12 {
            s.slowlog.lock().push(
                &argv(&["SET", "k", &i.to_string()]),
                Duration::from_micros(15),
                "127.0.0.1:1".into(),
                (i == 11).then(|| Bytes::from_static(b"app")),
                128,
            );
        }
        assert_eq!(s.wire(&["SLOWLOG", "LEN"]), ":12\r\n");
        let Reply::Array(all) = s.run(&["SLOWLOG", "GET"]) else {
            panic!()
        };
        assert_eq!(all.len(), 10);
        let Reply::Array(newest) = &all[0] else {
            panic!()
        };
        assert_eq!(newest[0], Reply::Int(11));
        assert_eq!(newest[2], Reply::Int(15));
        assert_eq!(
            newest[3],
            Reply::Array(vec![
                Reply::text("SET"),
                Reply::text("k"),
                Reply::text("11")
            ])
        );
        assert_eq!(newest[4], Reply::text("127.0.0.1:1"));
        assert_eq!(newest[5], Reply::text("app"));
        let Reply::Array(older) = &all[1] else {
            panic!()
        };
        assert_eq!(older[5], Reply::text(""));
        let Reply::Array(all) = s.run(&["SLOWLOG", "GET", "-1"]) else {
            panic!()
        };
        assert_eq!(all.len(), 12);
        assert_eq!(s.wire(&["SLOWLOG", "GET", "0"]), "*0\r\n");
        assert_eq!(s.wire(&["SLOWLOG", "RESET"]), "+OK\r\n");
        assert_eq!(s.wire(&["SLOWLOG", "LEN"]), ":0\r\n");
    }

    #[test]
    fn errors_match_redis() {
        let mut s = TestSession::new();
        for (args, err) in [
            (
                vec!["SLOWLOG"],
                "-ERR wrong number of arguments for 'slowlog' command\r\n",
            ),
            (
                vec!["SLOWLOG", "foo"],
                "-ERR unknown subcommand 'foo'. Try SLOWLOG HELP.\r\n",
            ),
            (
                vec!["SLOWLOG", "GET", "x"],
                "-ERR count should be greater than or equal to -1\r\n",
            ),
            (
                vec!["SLOWLOG", "GET", "-2"],
                "-ERR count should be greater than or equal to -1\r\n",
            ),
            (
                vec!["SLOWLOG", "get", "1", "2"],
                "-ERR unknown subcommand or wrong number of arguments for 'get'. Try SLOWLOG \
                 HELP.\r\n",
            ),
            (
                vec!["SLOWLOG", "LEN", "x"],
                "-ERR wrong number of arguments for 'slowlog|len' command\r\n",
            ),
            (
                vec!["SLOWLOG", "RESET", "x"],
                "-ERR wrong number of arguments for 'slowlog|reset' command\r\n",
            ),
        ] {
            assert_eq!(s.wire(&args), err, "{args:?}");
        }
        let help = s.wire(&["SLOWLOG", "HELP"]);
        assert!(help.starts_with("*12\r\n+SLOWLOG <subcommand> [<arg> [value] [opt] ...]."));
    }

    #[test]
    fn passwords_are_redacted() {
        let mut log = SlowLog::default();
        for a in [
            &["AUTH", "pw"][..],
            &["auth", "default", "pw"],
            &["HELLO", "3", "AUTH", "default", "pw", "SETNAME", "x"],
            &["CONFIG", "SET", "timeout", "1", "requirepass", "pw"],
        ] {
            log.push(&argv(a), Duration::ZERO, String::new(), None, 10);
        }
        let logged: Vec<Vec<Bytes>> = log.newest(10).map(|e| e.args.clone()).collect();
        assert_eq!(
            logged,
            vec![
                argv(&["CONFIG", "SET", "timeout", "1", "requirepass", "(redacted)"]),
                argv(&[
                    "HELLO",
                    "3",
                    "AUTH",
                    "(redacted)",
                    "(redacted)",
                    "SETNAME",
                    "x"
                ]),
                argv(&["auth", "(redacted)", "(redacted)"]),
                argv(&["AUTH", "(redacted)"]),
            ]
        );
    }

    #[test]
    fn trims_and_truncates_like_redis() {
        let mut log = SlowLog::default();
        let argv: Vec<Bytes> = (0..40).map(|i| Bytes::from(format!("a{i}"))).collect();
        log.push(&argv, Duration::from_micros(5), "1.2.3.4:5".into(), None, 2);
        let e = log.newest(1).next().unwrap();
        assert_eq!(e.args.len(), 32);
        assert_eq!(&e.args[31][..], b"... (9 more arguments)");
        let long = vec![Bytes::from(vec![b'x'; 200])];
        log.push(&long, Duration::ZERO, String::new(), None, 2);
        log.push(&long, Duration::ZERO, String::new(), None, 2);
        assert_eq!(log.len(), 2);
        let e = log.newest(1).next().unwrap();
        assert_eq!(e.id, 2);
        assert!(e.args[0].ends_with(b"... (72 more bytes)"));
    }
}
