//! Connection and server commands through the real binary: AUTH and HELLO flows (with
//! `requirepass`, REDIS_PASSWORD and RESP3), `rename-command` from a config file, CLIENT,
//! INFO, SLOWLOG, CONFIG, COMMAND, SHUTDOWN, and the command line (`--help`, `--version`,
//! config file errors).

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use redis::{Connection, Value, cmd};
use redraft_tests::{Raw, Server, redraft_bin, resp};

/// Reads `n` RESP2/RESP3 replies from a raw connection and returns their wire texts.
fn read_replies(raw: &mut Raw, n: usize) -> Vec<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let mut ends = Vec::new();
        let mut at = 0;
        while ends.len() < n {
            match reply_end(&buf, at) {
                Some(end) => {
                    ends.push(end);
                    at = end;
                }
                None => break,
            }
        }
        if ends.len() == n {
            assert_eq!(at, buf.len(), "more than {n} replies: {:?}", text(&buf));
            let mut start = 0;
            return ends
                .into_iter()
                .map(|end| {
                    let reply = text(&buf[start..end]);
                    start = end;
                    reply
                })
                .collect();
        }
        match raw.stream.read(&mut chunk) {
            Ok(0) => panic!("connection closed after {:?}", text(&buf)),
            Ok(k) => buf.extend_from_slice(&chunk[..k]),
            Err(e) => panic!("read failed after {:?}: {e}", text(&buf)),
        }
    }
}

/// Reads exactly one reply.
fn read_reply(raw: &mut Raw) -> String {
    read_replies(raw, 1).remove(0)
}

fn text(buf: &[u8]) -> String {
    String::from_utf8_lossy(buf).into_owned()
}

/// Where the reply starting at `pos` ends, if it is complete.
fn reply_end(buf: &[u8], pos: usize) -> Option<usize> {
    let line_end = pos + buf.get(pos..)?.windows(2).position(|w| w == b"\r\n")?;
    let head = std::str::from_utf8(&buf[pos + 1..line_end]).ok()?;
    let next = line_end + 2;
    match *buf.get(pos)? {
        b'+' | b'-' | b':' | b'_' | b',' | b'#' => Some(next),
        b'$' | b'=' => {
            let n: i64 = head.parse().ok()?;
            if n < 0 {
                return Some(next);
            }
            let end = next + n as usize + 2;
            (buf.len() >= end).then_some(end)
        }
        b'*' | b'~' | b'>' | b'%' => {
            let n: i64 = head.parse().ok()?;
            let items = if buf[pos] == b'%' { 2 * n } else { n.max(0) };
            let mut at = next;
            for _ in 0..items {
                at = reply_end(buf, at)?;
            }
            Some(at)
        }
        other => panic!("unexpected reply type {:?}", other as char),
    }
}

fn request(raw: &mut Raw, args: &[&str]) -> String {
    let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    raw.send(&resp(&args));
    read_reply(raw)
}

fn query(con: &mut Connection, args: &[&str]) -> Value {
    let mut c = cmd(args[0]);
    for a in &args[1..] {
        c.arg(*a);
    }
    c.query(con).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

fn query_string(con: &mut Connection, args: &[&str]) -> String {
    let mut c = cmd(args[0]);
    for a in &args[1..] {
        c.arg(*a);
    }
    c.query(con).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

fn query_err(con: &mut Connection, args: &[&str]) -> String {
    let mut c = cmd(args[0]);
    for a in &args[1..] {
        c.arg(*a);
    }
    match c.query::<Value>(con) {
        Ok(v) => panic!("{args:?} succeeded: {v:?}"),
        Err(e) => format!("{} {}", e.code().unwrap_or("?"), e.detail().unwrap_or("")),
    }
}

const NOAUTH: &str = "-NOAUTH Authentication required.\r\n";
const WRONGPASS: &str = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";

/// The HELLO reply up to the client id, and after it.
fn hello_reply(proto: u8) -> (String, &'static str) {
    let head = if proto == 3 { "%7" } else { "*14" };
    (
        format!(
            "{head}\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\n\
             proto\r\n:{proto}\r\n$2\r\nid\r\n:"
        ),
        "\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n\
         *0\r\n",
    )
}

fn assert_hello(reply: &str, proto: u8) {
    let (head, tail) = hello_reply(proto);
    assert!(reply.starts_with(&head), "{reply:?}");
    assert!(reply.ends_with(tail), "{reply:?}");
}

#[test]
fn auth_flows_with_requirepass() {
    let server = Server::start_with(&[], Some("s3cret"));
    let mut raw = server.raw();
    raw.roundtrip(&resp(&[b"PING"]), NOAUTH);
    raw.roundtrip(&resp(&[b"GET", b"k"]), NOAUTH);
    raw.roundtrip(&resp(&[b"CLIENT", b"ID"]), NOAUTH);
    // As Redis, subcommands are checked before authentication.
    raw.roundtrip(
        &resp(&[b"CLIENT", b"FOO"]),
        "-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n",
    );
    raw.roundtrip(&resp(&[b"AUTH", b"wrong"]), WRONGPASS);
    raw.roundtrip(&resp(&[b"AUTH", b"other", b"s3cret"]), WRONGPASS);
    raw.roundtrip(
        &resp(&[b"AUTH"]),
        "-ERR wrong number of arguments for 'auth' command\r\n",
    );
    raw.roundtrip(
        &resp(&[b"HELLO", b"3"]),
        "-NOAUTH HELLO must be called with the client already authenticated, otherwise the \
         HELLO AUTH <user> <pass> option can be used to authenticate the client and select \
         the RESP protocol version at the same time\r\n",
    );
    raw.roundtrip(
        &resp(&[b"HELLO", b"3", b"AUTH", b"default", b"bad"]),
        WRONGPASS,
    );
    raw.roundtrip(&resp(&[b"PING"]), NOAUTH);
    raw.roundtrip(&resp(&[b"AUTH", b"s3cret"]), "+OK\r\n");
    raw.roundtrip(&resp(&[b"PING"]), "+PONG\r\n");
    // RESET logs out again when a password is set.
    raw.roundtrip(&resp(&[b"RESET"]), "+RESET\r\n");
    raw.roundtrip(&resp(&[b"PING"]), NOAUTH);
    raw.roundtrip(&resp(&[b"AUTH", b"default", b"s3cret"]), "+OK\r\n");
    raw.roundtrip(&resp(&[b"SET", b"k", b"v"]), "+OK\r\n");
    // QUIT is allowed before AUTH.
    let mut other = server.raw();
    other.roundtrip(&resp(&[b"QUIT"]), "+OK\r\n");
    assert!(other.is_closed());
}

#[test]
fn hello_3_auth_switches_to_resp3() {
    let server = Server::start_with(&[], Some("pw"));
    let mut raw = server.raw();
    let reply = request(
        &mut raw,
        &["HELLO", "3", "AUTH", "default", "pw", "SETNAME", "app"],
    );
    assert_hello(&reply, 3);
    raw.roundtrip(&resp(&[b"GET", b"missing"]), "_\r\n");
    raw.roundtrip(&resp(&[b"CLIENT", b"GETNAME"]), "$3\r\napp\r\n");
    let info = request(&mut raw, &["INFO", "server"]);
    assert!(info.starts_with("="), "{info:?}");
    assert!(
        info.contains("txt:# Server\r\nredis_version:7.0.15\r\n"),
        "{info:?}"
    );
    let config = request(&mut raw, &["CONFIG", "GET", "timeout"]);
    assert_eq!(config, "%1\r\n$7\r\ntimeout\r\n$1\r\n0\r\n");
    assert_hello(&request(&mut raw, &["HELLO", "2"]), 2);
    raw.roundtrip(&resp(&[b"GET", b"missing"]), "$-1\r\n");
    raw.roundtrip(
        &resp(&[b"HELLO", b"4"]),
        "-NOPROTO unsupported protocol version\r\n",
    );
}

/// What node-redis sends on connect, in one write: the replies come back in order.
#[test]
fn node_redis_handshake() {
    let server = Server::start_with(&[], Some("pw"));
    let mut raw = server.raw();
    let mut batch = resp(&[b"HELLO", b"3", b"AUTH", b"default", b"pw"]);
    batch.extend(resp(&[b"CLIENT", b"SETINFO", b"LIB-VER", b"6.3.1"]));
    batch.extend(resp(&[b"CLIENT", b"SETINFO", b"LIB-NAME", b"node-redis"]));
    batch.extend(resp(&[
        b"CLIENT",
        b"MAINT_NOTIFICATIONS",
        b"ON",
        b"moving-endpoint-type",
        b"external-ip",
    ]));
    raw.send(&batch);
    let replies = read_replies(&mut raw, 4);
    assert_hello(&replies[0], 3);
    assert_eq!(replies[1], "+OK\r\n");
    assert_eq!(replies[2], "+OK\r\n");
    assert_eq!(
        replies[3],
        "-ERR unknown subcommand 'MAINT_NOTIFICATIONS'. Try CLIENT HELP.\r\n"
    );
    let info = request(&mut raw, &["CLIENT", "INFO"]);
    assert!(
        info.ends_with(" resp=3 lib-name=node-redis lib-ver=6.3.1\n\r\n"),
        "{info:?}"
    );
}

#[test]
fn redis_password_from_the_environment() {
    let server = Server::start_full(None, &[], None, &[("REDIS_PASSWORD", "from-env")]);
    let mut raw = server.raw();
    raw.roundtrip(&resp(&[b"PING"]), NOAUTH);
    raw.roundtrip(&resp(&[b"AUTH", b"nope"]), WRONGPASS);
    raw.roundtrip(&resp(&[b"AUTH", b"from-env"]), "+OK\r\n");
    raw.roundtrip(&resp(&[b"PING"]), "+PONG\r\n");
}

#[test]
fn no_password_configured() {
    let server = Server::start();
    let mut raw = server.raw();
    raw.roundtrip(
        &resp(&[b"AUTH", b"x"]),
        "-ERR AUTH <password> called without any password configured for the default user. \
         Are you sure your configuration is correct?\r\n",
    );
    raw.roundtrip(&resp(&[b"AUTH", b"default", b"anything"]), "+OK\r\n");
    assert_hello(&request(&mut raw, &["HELLO"]), 2);
}

/// `rename-command` from a config file disables FLUSHALL and renames GET; the port in the
/// file is overridden by the `--port` flag the harness passes.
#[test]
fn rename_command_from_config_file() {
    let server = Server::start_full(
        Some("# test config\nport 1\nrename-command FLUSHALL \"\"\nrename-command GET fetch\n"),
        &[],
        None,
        &[],
    );
    let mut raw = server.raw();
    raw.roundtrip(
        &resp(&[b"FLUSHALL"]),
        "-ERR unknown command 'FLUSHALL', with args beginning with: \r\n",
    );
    raw.roundtrip(
        &resp(&[b"GET", b"k"]),
        "-ERR unknown command 'GET', with args beginning with: 'k' \r\n",
    );
    raw.roundtrip(&resp(&[b"SET", b"k", b"v"]), "+OK\r\n");
    raw.roundtrip(&resp(&[b"FETCH", b"k"]), "$1\r\nv\r\n");
    raw.roundtrip(
        &resp(&[b"COMMAND", b"INFO", b"flushall", b"get"]),
        "*2\r\n$-1\r\n$-1\r\n",
    );
    let fetch = request(&mut raw, &["COMMAND", "INFO", "fetch"]);
    assert!(
        fetch.starts_with("*1\r\n*10\r\n$3\r\nget\r\n:2\r\n"),
        "{fetch:?}"
    );
    let mut con = server.conn();
    let config_file = query_string(&mut con, &["INFO", "server"]);
    assert!(config_file.contains("redraft.conf\r\n"), "{config_file}");
}

#[test]
fn client_names_list_and_kill() {
    let server = Server::start();
    let mut me = server.conn();
    let mut other = server.raw();
    other.roundtrip(&resp(&[b"CLIENT", b"SETNAME", b"victim"]), "+OK\r\n");
    assert_eq!(query(&mut me, &["CLIENT", "GETNAME"]), Value::Nil);
    assert_eq!(
        query_err(&mut me, &["CLIENT", "SETNAME", "has space"]),
        "ERR Client names cannot contain spaces, newlines or special characters."
    );
    query(&mut me, &["CLIENT", "SETNAME", "killer"]);
    assert_eq!(query_string(&mut me, &["CLIENT", "GETNAME"]), "killer");
    let list = query_string(&mut me, &["CLIENT", "LIST"]);
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    let victim = lines
        .iter()
        .find(|l| l.contains(" name=victim "))
        .expect("victim listed");
    let mine = lines
        .iter()
        .find(|l| l.contains(" name=killer "))
        .expect("caller listed");
    assert!(mine.contains(" cmd=client|list "), "{mine}");
    assert!(victim.contains(" cmd=client|setname "), "{victim}");
    let field = |line: &str, name: &str| {
        line.split(' ')
            .find_map(|f| f.strip_prefix(&format!("{name}=")))
            .unwrap()
            .to_string()
    };
    for name in [
        "id",
        "addr",
        "laddr",
        "fd",
        "name",
        "age",
        "idle",
        "flags",
        "db",
        "sub",
        "psub",
        "ssub",
        "multi",
        "qbuf",
        "qbuf-free",
        "argv-mem",
        "multi-mem",
        "rbs",
        "rbp",
        "obl",
        "oll",
        "omem",
        "tot-mem",
        "events",
        "cmd",
        "user",
        "redir",
        "resp",
    ] {
        field(mine, name);
    }
    let victim_id = field(victim, "id");
    let my_id = query(&mut me, &["CLIENT", "ID"]);
    assert_eq!(Value::Int(field(mine, "id").parse().unwrap()), my_id);
    let only = query_string(&mut me, &["CLIENT", "LIST", "ID", &victim_id]);
    assert!(only.contains(" name=victim "), "{only}");
    assert_eq!(only.lines().count(), 1);
    // New form: a count; the victim's connection is closed.
    assert_eq!(
        query(&mut me, &["CLIENT", "KILL", "ID", &victim_id]),
        Value::Int(1)
    );
    assert!(other.is_closed());
    assert_eq!(
        query(&mut me, &["CLIENT", "KILL", "ID", &victim_id]),
        Value::Int(0)
    );
    // Old form: OK or an error.
    let mut third = server.raw();
    third.roundtrip(&resp(&[b"CLIENT", b"SETNAME", b"third"]), "+OK\r\n");
    let list = query_string(&mut me, &["CLIENT", "LIST"]);
    let third_line = list.lines().find(|l| l.contains(" name=third ")).unwrap();
    let addr = field(third_line, "addr");
    assert_eq!(query(&mut me, &["CLIENT", "KILL", &addr]), Value::Okay);
    assert!(third.is_closed());
    assert_eq!(
        query_err(&mut me, &["CLIENT", "KILL", &addr]),
        "ERR No such client"
    );
    // SKIPME no: the caller gets its reply, then is disconnected.
    let mut last = server.raw();
    let killed = request(
        &mut last,
        &["CLIENT", "KILL", "USER", "default", "SKIPME", "no"],
    );
    assert!(killed == ":2\r\n" || killed == ":3\r\n", "{killed:?}");
    assert!(last.is_closed());
}

#[test]
fn client_reply_modes() {
    let server = Server::start();
    let mut raw = server.raw();
    let mut batch = resp(&[b"CLIENT", b"REPLY", b"SKIP"]);
    batch.extend(resp(&[b"ECHO", b"skipped"]));
    batch.extend(resp(&[b"ECHO", b"one"]));
    batch.extend(resp(&[b"CLIENT", b"REPLY", b"OFF"]));
    batch.extend(resp(&[b"SET", b"k", b"v"]));
    batch.extend(resp(&[b"GET", b"k"]));
    batch.extend(resp(&[b"CLIENT", b"REPLY", b"ON"]));
    batch.extend(resp(&[b"GET", b"k"]));
    raw.roundtrip(&batch, "$3\r\none\r\n+OK\r\n$1\r\nv\r\n");
}

fn info(con: &mut Connection, sections: &[&str]) -> String {
    let mut args = vec!["INFO"];
    args.extend_from_slice(sections);
    query_string(con, &args)
}

fn headers(info: &str) -> Vec<&str> {
    info.lines().filter_map(|l| l.strip_prefix("# ")).collect()
}

#[test]
fn info_sections() {
    let server = Server::start();
    let mut con = server.conn();
    assert_eq!(
        headers(&info(&mut con, &[])),
        [
            "Server",
            "Clients",
            "Memory",
            "Persistence",
            "Stats",
            "Replication",
            "CPU",
            "Modules",
            "Errorstats",
            "Cluster",
            "Keyspace"
        ]
    );
    let all = info(&mut con, &["all"]);
    assert!(headers(&all).contains(&"Commandstats"));
    assert!(headers(&all).contains(&"Latencystats"));
    assert_eq!(
        headers(&info(&mut con, &["cpu", "server"])),
        ["Server", "CPU"]
    );
    let server_section = info(&mut con, &["server"]);
    assert!(server_section.starts_with("# Server\r\nredis_version:7.0.15\r\n"));
    assert!(server_section.contains(&format!("\r\ntcp_port:{}\r\n", server.port)));
    assert!(server_section.contains("\r\nredraft_version:"));
    assert!(info(&mut con, &["persistence"]).contains("\r\nloading:0\r\n"));
    let memory = info(&mut con, &["memory"]);
    let used: u64 = memory
        .lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .unwrap()
        .parse()
        .unwrap();
    assert!(used > 100_000, "{memory}");
    assert!(memory.contains("\r\nmem_allocator:jemalloc-"));
    let stats = info(&mut con, &["stats"]);
    let connections: u64 = stats
        .lines()
        .find_map(|l| l.strip_prefix("total_connections_received:"))
        .unwrap()
        .parse()
        .unwrap();
    assert!(connections >= 1, "{stats}");
    let _ = query_err(&mut con, &["NOSUCHCOMMAND"]);
    assert!(info(&mut con, &["errorstats"]).contains("errorstat_ERR:count=1\r\n"));
    let commands = info(&mut con, &["commandstats"]);
    assert!(commands.contains("\r\ncmdstat_info:calls="), "{commands}");
    // CONFIG RESETSTAT clears them.
    query(&mut con, &["CONFIG", "RESETSTAT"]);
    assert_eq!(info(&mut con, &["errorstats"]), "# Errorstats\r\n");
}

#[test]
fn memory_malloc_stats_is_jemallocs_report_and_purge_returns_pages() {
    let server = Server::start();
    let mut con = server.conn();
    for i in 0..2000 {
        query(&mut con, &["SET", &format!("key:{i}"), &"x".repeat(100)]);
    }
    // As redis-server built with jemalloc answers: the allocator's own text.
    let report = query_string(&mut con, &["MEMORY", "MALLOC-STATS"]);
    assert!(
        report.contains("___ Begin jemalloc statistics ___"),
        "{report}"
    );
    assert!(report.contains("Allocated: "), "{report}");
    assert!(report.contains("bins:"), "{report}");
    query(&mut con, &["FLUSHALL"]);
    assert_eq!(query_string(&mut con, &["MEMORY", "PURGE"]), "OK");
    assert_eq!(query_string(&mut con, &["DBSIZE"]), "0");
}

#[test]
fn info_keyspace_counts_keys() {
    let server = Server::start();
    let mut con = server.conn();
    assert_eq!(info(&mut con, &["keyspace"]), "# Keyspace\r\n");
    query(&mut con, &["SET", "a", "1"]);
    query(&mut con, &["SET", "b", "2", "EX", "100"]);
    query(&mut con, &["SELECT", "2"]);
    query(&mut con, &["SET", "c", "3"]);
    assert_eq!(
        info(&mut con, &["keyspace"]),
        "# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\ndb2:keys=1,expires=0,avg_ttl=0\r\n"
    );
}

#[test]
fn keyspace_hits_count_reads_run_inside_log_entries() {
    let server = Server::start();
    let mut con = server.conn();
    let stat = |con: &mut Connection, name: &str| -> u64 {
        let text = info(con, &["stats"]);
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}:")[..]))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {name} in INFO stats: {text}"))
    };
    query(&mut con, &["SET", "a", "1"]);
    query(&mut con, &["CONFIG", "RESETSTAT"]);
    // A pipeline of reads and writes is one log entry; its reads count where it was proposed.
    let _: () = redis::pipe()
        .cmd("GET")
        .arg("a")
        .cmd("SET")
        .arg("b")
        .arg("2")
        .cmd("GET")
        .arg("missing")
        .cmd("GET")
        .arg("b")
        .cmd("INCR")
        .arg("c")
        .query(&mut con)
        .expect("mixed pipeline");
    assert_eq!(
        (
            stat(&mut con, "keyspace_hits"),
            stat(&mut con, "keyspace_misses")
        ),
        (2, 1)
    );
    // So do the reads of MULTI/EXEC; plain reads count as before.
    let _: () = redis::pipe()
        .atomic()
        .cmd("GET")
        .arg("a")
        .cmd("GET")
        .arg("nothing")
        .query(&mut con)
        .expect("transaction");
    query(&mut con, &["GET", "a"]);
    assert_eq!(
        (
            stat(&mut con, "keyspace_hits"),
            stat(&mut con, "keyspace_misses")
        ),
        (4, 2)
    );
    query(&mut con, &["CONFIG", "RESETSTAT"]);
    assert_eq!(stat(&mut con, "keyspace_hits"), 0);
}

#[test]
fn slowlog_records_every_command_at_threshold_0() {
    let server = Server::start_with(&["--slowlog-log-slower-than", "0"], Some("pw"));
    let mut raw = server.raw();
    raw.roundtrip(&resp(&[b"AUTH", b"pw"]), "+OK\r\n");
    raw.roundtrip(&resp(&[b"SET", b"k", b"v"]), "+OK\r\n");
    let info = request(&mut raw, &["CLIENT", "INFO"]);
    let addr = info
        .split(' ')
        .find_map(|f| f.strip_prefix("addr="))
        .unwrap()
        .to_string();
    let mut con = server.conn();
    let entries = query(&mut con, &["SLOWLOG", "GET", "-1"]);
    let Value::Array(entries) = entries else {
        panic!("{entries:?}")
    };
    // Newest first: CLIENT INFO, SET, AUTH (with its password redacted).
    let args = |e: &Value| -> Vec<String> {
        let Value::Array(fields) = e else { panic!() };
        assert_eq!(fields.len(), 6);
        assert_eq!(fields[4], Value::BulkString(addr.clone().into_bytes()));
        let Value::Array(args) = &fields[3] else {
            panic!()
        };
        args.iter()
            .map(|a| match a {
                Value::BulkString(b) => String::from_utf8(b.clone()).unwrap(),
                other => panic!("{other:?}"),
            })
            .collect()
    };
    let logged: Vec<Vec<String>> = entries
        .iter()
        .filter(|e| match e {
            Value::Array(f) => f[4] == Value::BulkString(addr.clone().into_bytes()),
            _ => false,
        })
        .map(args)
        .collect();
    assert_eq!(
        logged,
        vec![
            vec!["CLIENT".to_string(), "INFO".into()],
            vec!["SET".into(), "k".into(), "v".into()],
            vec!["AUTH".into(), "(redacted)".into()],
        ]
    );
    assert_eq!(query(&mut con, &["SLOWLOG", "RESET"]), Value::Okay);
    // The RESET itself was logged once it ran.
    assert_eq!(query(&mut con, &["SLOWLOG", "LEN"]), Value::Int(1));
    query(&mut con, &["CONFIG", "SET", "slowlog-max-len", "2"]);
    for _ in 0..5 {
        query(&mut con, &["PING"]);
    }
    assert_eq!(query(&mut con, &["SLOWLOG", "LEN"]), Value::Int(2));
}

#[test]
fn config_get_and_set() {
    let server = Server::start();
    let mut con = server.conn();
    let port = server.port.to_string();
    assert_eq!(
        query(&mut con, &["CONFIG", "GET", "port", "slowlog-max-*"]),
        Value::Array(vec![
            Value::BulkString(b"port".to_vec()),
            Value::BulkString(port.into_bytes()),
            Value::BulkString(b"slowlog-max-len".to_vec()),
            Value::BulkString(b"128".to_vec()),
        ])
    );
    assert_eq!(
        query(
            &mut con,
            &["CONFIG", "SET", "slowlog-max-len", "5", "timeout", "7"]
        ),
        Value::Okay
    );
    assert_eq!(
        query(&mut con, &["CONFIG", "GET", "timeout"]),
        Value::Array(vec![
            Value::BulkString(b"timeout".to_vec()),
            Value::BulkString(b"7".to_vec()),
        ])
    );
    assert_eq!(
        query_err(&mut con, &["CONFIG", "SET", "foo", "1"]),
        "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"
    );
    assert_eq!(
        query_err(&mut con, &["CONFIG", "SET", "timeout", "x"]),
        "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't \
         be parsed into an integer"
    );
    assert_eq!(
        query_err(&mut con, &["CONFIG", "SET", "port", "1"]),
        "ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable \
         config"
    );
    // maxclients applies to new connections at once.
    query(&mut con, &["CONFIG", "SET", "maxclients", "1"]);
    let mut refused = server.raw();
    refused.roundtrip(b"", "-ERR max number of clients reached\r\n");
    query(&mut con, &["CONFIG", "SET", "maxclients", "10"]);
    // requirepass applies to new connections; this one stays authenticated.
    query(&mut con, &["CONFIG", "SET", "requirepass", "later"]);
    let mut raw = server.raw();
    raw.roundtrip(&resp(&[b"PING"]), NOAUTH);
    assert_eq!(
        query(&mut con, &["PING"]),
        Value::SimpleString("PONG".into())
    );
}

#[test]
fn idle_clients_are_closed_after_timeout() {
    let server = Server::start_with(&["--timeout", "1"], None);
    let mut raw = server.raw();
    raw.roundtrip(&resp(&[b"PING"]), "+PONG\r\n");
    let started = Instant::now();
    assert!(raw.is_closed());
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[test]
fn command_count_info_docs() {
    let server = Server::start();
    let mut con = server.conn();
    let Value::Int(count) = query(&mut con, &["COMMAND", "COUNT"]) else {
        panic!()
    };
    let Value::Array(all) = query(&mut con, &["COMMAND"]) else {
        panic!()
    };
    assert_eq!(all.len() as i64, count);
    let mut raw = server.raw();
    raw.roundtrip(
        &resp(&[b"COMMAND", b"INFO", b"get", b"nosuch"]),
        "*2\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n\
         +@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n\
         +access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n\
         *2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n\
         $4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n\
         :0\r\n*0\r\n$-1\r\n",
    );
    raw.roundtrip(
        &resp(&[b"COMMAND", b"DOCS", b"get"]),
        "*2\r\n$3\r\nget\r\n*10\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$5\r\n\
         since\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\n\
         O(1)\r\n$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\n\
         key\r\n$14\r\nkey_spec_index\r\n:0\r\n",
    );
    raw.roundtrip(
        &resp(&[b"COMMAND", b"GETKEYS", b"SET", b"key", b"value"]),
        "*1\r\n$3\r\nkey\r\n",
    );
    let docs = request(&mut raw, &["COMMAND", "DOCS"]);
    assert!(
        docs.starts_with(&format!("*{}\r\n", 2 * count)),
        "{}",
        &docs[..20]
    );
}

#[test]
fn time_reply() {
    let server = Server::start();
    let mut con = server.conn();
    let (secs, micros): (String, String) = cmd("TIME").query(&mut con).unwrap();
    let secs: u64 = secs.parse().unwrap();
    let micros: u32 = micros.parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(secs.abs_diff(now) <= 2);
    assert!(micros < 1_000_000);
}

#[test]
fn shutdown_exits_with_status_0() {
    let mut server = Server::start();
    let mut raw = server.raw();
    raw.roundtrip(
        &resp(&[b"SHUTDOWN", b"ABORT"]),
        "-ERR No shutdown in progress.\r\n",
    );
    raw.roundtrip(
        &resp(&[b"SHUTDOWN", b"SAVE", b"NOSAVE"]),
        "-ERR syntax error\r\n",
    );
    assert!(server.is_running());
    raw.send(&resp(&[b"SHUTDOWN", b"NOSAVE"]));
    // No reply: the connection just closes.
    assert!(raw.is_closed());
    assert_eq!(server.wait_exit(Duration::from_secs(10)), Some(true));
}

#[test]
fn sigterm_exits_with_status_0() {
    let mut server = Server::start();
    let mut con = server.conn();
    let pid = info(&mut con, &["server"])
        .lines()
        .find_map(|l| l.strip_prefix("process_id:"))
        .unwrap()
        .to_string();
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success());
    assert_eq!(server.wait_exit(Duration::from_secs(10)), Some(true));
}

#[test]
fn help_and_version() {
    let out = Command::new(redraft_bin())
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    let version = String::from_utf8_lossy(&out.stdout);
    assert!(version.starts_with("redraft "), "{version}");
    let out = Command::new(redraft_bin()).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("Usage: redraft"), "{help}");
    assert!(help.contains("REDIS_PASSWORD"), "{help}");
}

#[test]
fn bad_config_is_refused_at_startup() {
    let dir = std::env::temp_dir().join(format!("redraft-t40-conf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.conf");
    std::fs::write(&path, "port 7000\n# comment\nnosuchdirective 5\n").unwrap();
    let out = Command::new(redraft_bin())
        .arg(&path)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.conf:3"), "{err}");
    assert!(err.contains("nosuchdirective"), "{err}");
    std::fs::write(&path, "timeout -1\n").unwrap();
    let out = Command::new(redraft_bin()).arg(&path).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.conf:1"), "{err}");
    assert!(
        err.contains("argument must be between 0 and 2147483647 inclusive"),
        "{err}"
    );
    let out = Command::new(redraft_bin())
        .args(["--port", "0", "--maxclients", "x"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--maxclients x"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
