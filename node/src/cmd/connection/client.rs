//! CLIENT: a container for client connection commands.
//!
//! # Format
//! ```text
//! CLIENT ID
//! CLIENT GETNAME
//! CLIENT SETNAME connection-name
//! CLIENT SETINFO <LIB-NAME libname | LIB-VER libver>
//! CLIENT LIST [TYPE <NORMAL | MASTER | REPLICA | PUBSUB>] [ID client-id [client-id ...]]
//! CLIENT INFO
//! CLIENT KILL ip:port
//! CLIENT KILL <ID client-id | TYPE type | USER username | ADDR ip:port | LADDR ip:port |
//!   SKIPME <YES | NO>> [...]
//! CLIENT NO-EVICT <ON | OFF>
//! CLIENT UNBLOCK client-id [TIMEOUT | ERROR]
//! CLIENT REPLY <ON | OFF | SKIP>
//! CLIENT GETREDIR
//! CLIENT TRACKINGINFO
//! CLIENT HELP
//! ```
//! CLIENT SETINFO is Redis 7.2's (client libraries send it on connect). The only user is
//! `default`, and every client is of type `normal` until replicas and pub/sub exist. Client
//! tracking and CLIENT PAUSE/UNPAUSE are not implemented: GETREDIR and
//! TRACKINGINFO report tracking off. CLIENT LIST reports 0 for the buffer sizes and memory
//! figures this server does not track per client.

use bytes::Bytes;

use crate::cmd::args::{self, is};
use crate::cmd::server::command::{help_reply, subcommand};
use crate::cmd::session::{ClientKind, KillFilter, ReplyMode, UnblockMode};
use crate::cmd::{CmdError, CmdResult, Run, Session, Spec};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "client",
    arity: -2,
    flags: 0,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Session(run),
};

/// CLIENT's subcommands and their arity.
pub const SUBCOMMANDS: &[(&str, i32)] = &[
    ("getname", 2),
    ("getredir", 2),
    ("help", 2),
    ("id", 2),
    ("info", 2),
    ("kill", -3),
    ("list", -2),
    ("no-evict", 3),
    ("reply", 3),
    ("setinfo", 4),
    ("setname", 3),
    ("trackinginfo", 2),
    ("unblock", -3),
];

const HELP: &[&str] = &[
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "SETINFO <option> <value>",
    "    Set client meta attr. Options are:",
    "    * LIB-NAME: the client lib name.",
    "    * LIB-VER: the client lib version.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
];

/// Whether `value` may be a client name or library attribute: empty, or printable ASCII
/// without spaces, so CLIENT LIST stays splittable on spaces (Redis's `validateClientName`).
fn printable(value: &[u8]) -> bool {
    value.iter().all(|&b| (b'!'..=b'~').contains(&b))
}

/// Checks a client name (CLIENT SETNAME, HELLO SETNAME).
pub fn validate_name(name: &[u8]) -> Result<(), CmdError> {
    if printable(name) {
        Ok(())
    } else {
        Err(CmdError::other(
            "ERR Client names cannot contain spaces, newlines or special characters.",
        ))
    }
}

fn run(session: &mut dyn Session, argv: &[Bytes]) -> CmdResult {
    match subcommand("client", SUBCOMMANDS, argv)? {
        "id" => Ok(Reply::Int(session.client().id as i64)),
        "getname" => Ok(Reply::opt_bulk(session.client().name.clone())),
        "setname" => {
            validate_name(&argv[2])?;
            session.client().name = (!argv[2].is_empty()).then(|| Bytes::copy_from_slice(&argv[2]));
            Ok(Reply::OK)
        }
        "setinfo" => set_info(session, &argv[2], &argv[3]),
        "list" => list(session, argv),
        "info" => {
            let mut line = session.client().info_line();
            line.push('\n');
            Ok(Reply::Verbatim("txt", Bytes::from(line)))
        }
        "kill" => kill(session, argv),
        "no-evict" => {
            let on = on_off(&argv[2])?;
            session.client().no_evict = on;
            Ok(Reply::OK)
        }
        "reply" => {
            let client = session.client();
            if is(&argv[2], "ON") {
                client.reply = ReplyMode::On;
            } else if is(&argv[2], "OFF") {
                client.reply = ReplyMode::Off;
            } else if is(&argv[2], "SKIP") {
                if client.reply != ReplyMode::Off {
                    client.reply = ReplyMode::SkipNext;
                }
            } else {
                return Err(CmdError::Syntax);
            }
            // Sent only for ON: OFF and SKIP have already silenced it.
            Ok(Reply::OK)
        }
        "unblock" => unblock(session, argv),
        "getredir" => Ok(Reply::Int(-1)),
        "trackinginfo" => Ok(Reply::Map(vec![
            (Reply::text("flags"), Reply::Set(vec![Reply::text("off")])),
            (Reply::text("redirect"), Reply::Int(-1)),
            (Reply::text("prefixes"), Reply::Array(Vec::new())),
        ])),
        _ => Ok(help_reply("client", HELP)),
    }
}

/// CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 when the client was blocked (its wait ends as if
/// timed out, or with an UNBLOCKED error), 0 otherwise. A client connected to another node
/// is not known here (client ids are per node).
fn unblock(session: &mut dyn Session, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 4 {
        return Err(CmdError::subcommand_syntax(&argv[1], "client"));
    }
    let id = args::parse_i64(&argv[2])?;
    let mode = match argv.get(3) {
        None => UnblockMode::Timeout,
        Some(m) if is(m, "TIMEOUT") => UnblockMode::Timeout,
        Some(m) if is(m, "ERROR") => UnblockMode::Error,
        Some(_) => {
            return Err(CmdError::other(
                "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR",
            ));
        }
    };
    let unblocked = u64::try_from(id).is_ok_and(|id| session.unblock_client(id, mode));
    Ok(Reply::Int(i64::from(unblocked)))
}

fn on_off(arg: &[u8]) -> Result<bool, CmdError> {
    if is(arg, "ON") {
        Ok(true)
    } else if is(arg, "OFF") {
        Ok(false)
    } else {
        Err(CmdError::Syntax)
    }
}

/// CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2).
fn set_info(session: &mut dyn Session, attr: &[u8], value: &Bytes) -> CmdResult {
    let lib_name = if is(attr, "LIB-NAME") {
        true
    } else if is(attr, "LIB-VER") {
        false
    } else {
        return Err(CmdError::other(format!(
            "ERR Unrecognized option '{}'",
            String::from_utf8_lossy(attr)
        )));
    };
    if !printable(value) {
        return Err(CmdError::other(format!(
            "ERR {} cannot contain spaces, newlines or special characters.",
            String::from_utf8_lossy(attr)
        )));
    }
    let value = (!value.is_empty()).then(|| Bytes::copy_from_slice(value));
    let client = session.client();
    if lib_name {
        client.lib_name = value;
    } else {
        client.lib_ver = value;
    }
    Ok(Reply::OK)
}

fn unknown_type(name: &[u8]) -> CmdError {
    CmdError::other(format!(
        "ERR Unknown client type '{}'",
        String::from_utf8_lossy(name)
    ))
}

/// CLIENT LIST [TYPE type] | [ID id ...], as Redis 7.0 parses it: TYPE and ID do not mix,
/// and the IDs are listed in the order given.
fn list(session: &mut dyn Session, argv: &[Bytes]) -> CmdResult {
    let clients = session.clients();
    let mut out = String::new();
    let mut add = |c: &crate::cmd::ClientState| {
        out.push_str(&c.info_line());
        out.push('\n');
    };
    match &argv[2..] {
        [] => clients.iter().for_each(&mut add),
        [by, name] if is(by, "TYPE") => {
            let kind = ClientKind::parse(name).ok_or_else(|| unknown_type(name))?;
            clients.iter().filter(|c| c.kind() == kind).for_each(add);
        }
        [by, ids @ ..] if is(by, "ID") && !ids.is_empty() => {
            let ids = ids
                .iter()
                .map(|id| args::strict_i64(id).ok_or(CmdError::other("ERR Invalid client ID")))
                .collect::<Result<Vec<_>, _>>()?;
            for id in ids {
                if let Some(c) = clients.iter().find(|c| c.id as i64 == id) {
                    add(c);
                }
            }
        }
        _ => return Err(CmdError::Syntax),
    }
    Ok(Reply::Verbatim("txt", Bytes::from(out)))
}

/// CLIENT KILL: the old form with one address (OK or "No such client", the caller may be
/// killed), or the filter form (the number killed, the caller spared unless SKIPME no).
fn kill(session: &mut dyn Session, argv: &[Bytes]) -> CmdResult {
    if argv.len() == 3 {
        let filter = KillFilter {
            addr: Some(String::from_utf8_lossy(&argv[2]).into_owned()),
            skip_me: false,
            ..KillFilter::default()
        };
        return if session.kill_clients(&filter) == 0 {
            Err(CmdError::other("ERR No such client"))
        } else {
            Ok(Reply::OK)
        };
    }
    let mut filter = KillFilter {
        skip_me: true,
        ..KillFilter::default()
    };
    let mut i = 2;
    while i < argv.len() {
        let (opt, value) = match (argv.get(i), argv.get(i + 1)) {
            (Some(opt), Some(value)) => (opt, value),
            _ => return Err(CmdError::Syntax),
        };
        let text = || String::from_utf8_lossy(value).into_owned();
        if is(opt, "ID") {
            let id = args::strict_i64(value)
                .filter(|&id| id > 0)
                .ok_or(CmdError::other("ERR client-id should be greater than 0"))?;
            filter.id = Some(id as u64);
        } else if is(opt, "TYPE") {
            filter.kind = Some(ClientKind::parse(value).ok_or_else(|| unknown_type(value))?);
        } else if is(opt, "ADDR") {
            filter.addr = Some(text());
        } else if is(opt, "LADDR") {
            filter.laddr = Some(text());
        } else if is(opt, "USER") {
            if &value[..] != b"default" {
                return Err(CmdError::other(format!("ERR No such user '{}'", text())));
            }
        } else if is(opt, "SKIPME") {
            filter.skip_me = on_yes_no(value)?;
        } else {
            return Err(CmdError::Syntax);
        }
        i += 2;
    }
    Ok(Reply::Int(session.kill_clients(&filter) as i64))
}

fn on_yes_no(arg: &[u8]) -> Result<bool, CmdError> {
    if is(arg, "YES") {
        Ok(true)
    } else if is(arg, "NO") {
        Ok(false)
    } else {
        Err(CmdError::Syntax)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::ClientState;
    use crate::cmd::session::testing::TestSession;
    use crate::resp::Protocol;

    fn other(id: u64, addr: &str) -> ClientState {
        ClientState::new(id, addr.into(), "127.0.0.1:6379".into(), true)
    }

    #[test]
    fn id_and_names() {
        let mut s = TestSession::new();
        assert_eq!(s.wire(&["CLIENT", "ID"]), ":7\r\n");
        assert_eq!(s.wire(&["client", "getname"]), "$-1\r\n");
        assert_eq!(s.wire(&["CLIENT", "SETNAME", "app-1"]), "+OK\r\n");
        assert_eq!(s.wire(&["CLIENT", "GETNAME"]), "$5\r\napp-1\r\n");
        for bad in ["a b", "a\nb", "é", "\x7f"] {
            assert_eq!(
                s.wire(&["CLIENT", "SETNAME", bad]),
                "-ERR Client names cannot contain spaces, newlines or special characters.\r\n"
            );
        }
        assert_eq!(s.wire(&["CLIENT", "SETNAME", ""]), "+OK\r\n");
        assert_eq!(s.wire(&["CLIENT", "GETNAME"]), "$-1\r\n");
    }

    #[test]
    fn setinfo() {
        let mut s = TestSession::new();
        assert_eq!(
            s.wire(&["CLIENT", "SETINFO", "LIB-NAME", "node-redis"]),
            "+OK\r\n"
        );
        assert_eq!(
            s.wire(&["client", "SETINFO", "lib-ver", "6.3.1"]),
            "+OK\r\n"
        );
        assert_eq!(s.client.lib_name.as_deref(), Some(&b"node-redis"[..]));
        assert_eq!(s.client.lib_ver.as_deref(), Some(&b"6.3.1"[..]));
        assert_eq!(
            s.wire(&["CLIENT", "SETINFO", "foo", "x"]),
            "-ERR Unrecognized option 'foo'\r\n"
        );
        assert_eq!(
            s.wire(&["CLIENT", "SETINFO", "LIB-NAME", "a b"]),
            "-ERR LIB-NAME cannot contain spaces, newlines or special characters.\r\n"
        );
        assert_eq!(
            s.wire(&["CLIENT", "SETINFO", "LIB-NAME"]),
            "-ERR wrong number of arguments for 'client|setinfo' command\r\n"
        );
    }

    #[test]
    fn list_and_info() {
        let mut s = TestSession::new();
        s.client.last_cmd = "client|list".into();
        s.others.push(other(3, "10.0.0.1:1000"));
        let line = s.client.info_line();
        assert!(line.starts_with(
            "id=7 addr=127.0.0.1:50000 laddr=127.0.0.1:6379 fd=9 name= age=0 idle=0 flags=N \
             db=0 sub=0 psub=0 ssub=0 multi=-1 "
        ));
        assert!(line.ends_with(
            " events=r cmd=client|list user=default redir=-1 resp=2 lib-name= lib-ver="
        ));
        let Reply::Verbatim("txt", text) = s.run(&["CLIENT", "LIST"]) else {
            panic!()
        };
        let text = String::from_utf8(text.to_vec()).unwrap();
        let lines: Vec<&str> = text.split_terminator('\n').collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("id=3 addr=10.0.0.1:1000 "));
        assert!(text.ends_with('\n'));
        let wire = s.wire(&["CLIENT", "LIST", "ID", "7", "99", "-1", "7"]);
        assert_eq!(
            wire,
            format!("${}\r\n{line}\n{line}\n\r\n", 2 * (line.len() + 1))
        );
        assert_eq!(s.wire(&["CLIENT", "LIST", "TYPE", "pubsub"]), "$0\r\n\r\n");
        assert!(
            s.wire(&["CLIENT", "LIST", "TYPE", "NORMAL"])
                .contains("id=3 ")
        );
        for (args, err) in [
            (
                vec!["CLIENT", "LIST", "TYPE", "foo"],
                "-ERR Unknown client type 'foo'\r\n",
            ),
            (vec!["CLIENT", "LIST", "ID"], "-ERR syntax error\r\n"),
            (vec!["CLIENT", "LIST", "foo"], "-ERR syntax error\r\n"),
            (
                vec!["CLIENT", "LIST", "ID", "1", "x"],
                "-ERR Invalid client ID\r\n",
            ),
            (
                vec!["CLIENT", "LIST", "ID", "01"],
                "-ERR Invalid client ID\r\n",
            ),
            (
                vec!["CLIENT", "LIST", "TYPE", "normal", "ID", "1"],
                "-ERR syntax error\r\n",
            ),
        ] {
            assert_eq!(s.wire(&args), err, "{args:?}");
        }
        // RESP3: a verbatim string.
        s.client.protocol = Protocol::Resp3;
        let info = s.wire(&["CLIENT", "INFO"]);
        assert!(info.starts_with("="), "{info}");
        assert!(info.contains("txt:id=7 "), "{info}");
        assert!(info.ends_with("resp=3 lib-name= lib-ver=\n\r\n"), "{info}");
    }

    #[test]
    fn kill_old_and_new_forms() {
        let mut s = TestSession::new();
        s.others.push(other(3, "10.0.0.1:1000"));
        s.others.push(other(4, "10.0.0.2:2000"));
        s.others.push(other(5, "10.0.0.3:3000"));
        assert_eq!(
            s.wire(&["CLIENT", "KILL", "1.2.3.4:5"]),
            "-ERR No such client\r\n"
        );
        assert_eq!(s.wire(&["CLIENT", "KILL", "10.0.0.1:1000"]), "+OK\r\n");
        assert_eq!(s.killed, vec![3]);
        assert_eq!(s.wire(&["CLIENT", "KILL", "ID", "4"]), ":1\r\n");
        assert_eq!(s.wire(&["CLIENT", "KILL", "ID", "4"]), ":0\r\n");
        assert_eq!(
            s.wire(&["CLIENT", "KILL", "ADDR", "10.0.0.3:3000", "SKIPME", "yes"]),
            ":1\r\n"
        );
        // Only the caller is left: SKIPME yes (the default) spares it.
        assert_eq!(s.wire(&["CLIENT", "KILL", "TYPE", "normal"]), ":0\r\n");
        assert_eq!(
            s.wire(&["CLIENT", "KILL", "USER", "default", "SKIPME", "no"]),
            ":1\r\n"
        );
        assert!(s.client.close_after_reply);
        for (args, err) in [
            (
                vec!["CLIENT", "KILL"],
                "-ERR wrong number of arguments for 'client|kill' command\r\n",
            ),
            (
                vec!["CLIENT", "KILL", "ID", "x"],
                "-ERR client-id should be greater than 0\r\n",
            ),
            (
                vec!["CLIENT", "KILL", "ID", "0"],
                "-ERR client-id should be greater than 0\r\n",
            ),
            (
                vec!["CLIENT", "KILL", "ID", "1", "ID"],
                "-ERR syntax error\r\n",
            ),
            (
                vec!["CLIENT", "KILL", "SKIPME", "maybe"],
                "-ERR syntax error\r\n",
            ),
            (
                vec!["CLIENT", "KILL", "foo", "bar"],
                "-ERR syntax error\r\n",
            ),
            (
                vec!["CLIENT", "KILL", "TYPE", "foo"],
                "-ERR Unknown client type 'foo'\r\n",
            ),
            (
                vec!["CLIENT", "KILL", "USER", "bob"],
                "-ERR No such user 'bob'\r\n",
            ),
            (
                vec!["CLIENT", "KILL", "MAXAGE", "1"],
                "-ERR syntax error\r\n",
            ),
        ] {
            assert_eq!(s.wire(&args), err, "{args:?}");
        }
    }

    #[test]
    fn flags_reply_and_tracking() {
        let mut s = TestSession::new();
        assert_eq!(s.wire(&["CLIENT", "NO-EVICT", "on"]), "+OK\r\n");
        assert!(s.client.info_line().contains(" flags=e "));
        assert_eq!(s.wire(&["CLIENT", "NO-EVICT", "OFF"]), "+OK\r\n");
        assert_eq!(
            s.wire(&["CLIENT", "NO-EVICT", "maybe"]),
            "-ERR syntax error\r\n"
        );
        assert_eq!(
            s.wire(&["CLIENT", "REPLY", "maybe"]),
            "-ERR syntax error\r\n"
        );
        s.run(&["CLIENT", "REPLY", "SKIP"]);
        assert_eq!(s.client.reply, ReplyMode::SkipNext);
        s.run(&["CLIENT", "REPLY", "OFF"]);
        s.run(&["CLIENT", "REPLY", "SKIP"]);
        assert_eq!(s.client.reply, ReplyMode::Off);
        s.run(&["CLIENT", "REPLY", "ON"]);
        assert_eq!(s.client.reply, ReplyMode::On);
        assert_eq!(s.wire(&["CLIENT", "GETREDIR"]), ":-1\r\n");
        assert_eq!(
            s.wire(&["CLIENT", "TRACKINGINFO"]),
            "*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\n\
             prefixes\r\n*0\r\n"
        );
    }

    #[test]
    fn reply_modes_follow_redis() {
        // What the server does after each command: CLIENT REPLY SKIP silences itself and the
        // next command, OFF everything until ON.
        let mut mode = ReplyMode::SkipNext;
        assert!(!mode.after_command());
        assert!(!mode.after_command());
        assert!(mode.after_command());
        let mut mode = ReplyMode::Off;
        assert!(!mode.after_command());
        assert!(!mode.after_command());
    }

    #[test]
    fn subcommand_errors_and_help() {
        let mut s = TestSession::new();
        assert_eq!(
            s.wire(&["CLIENT"]),
            "-ERR wrong number of arguments for 'client' command\r\n"
        );
        assert_eq!(
            s.wire(&["CLIENT", "foo"]),
            "-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n"
        );
        assert_eq!(
            s.wire(&["CLIENT", "ID", "x"]),
            "-ERR wrong number of arguments for 'client|id' command\r\n"
        );
        assert_eq!(
            s.wire(&["CLIENT", "SETNAME"]),
            "-ERR wrong number of arguments for 'client|setname' command\r\n"
        );
        let Reply::Array(help) = s.run(&["CLIENT", "HELP"]) else {
            panic!()
        };
        assert_eq!(
            help[0],
            Reply::simple("CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
        );
        assert_eq!(help.last(), Some(&Reply::simple("    Prints this help.")));
    }
}
