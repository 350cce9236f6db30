//! redraft-cli against Debian's redis-cli: the same script of commands sent to the same
//! `redis-server` must print the same bytes, piped (raw) and with `--no-raw`, in RESP2 and
//! RESP3; and the same messages and exit status for one-shot commands and failures.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use common::{REDIS_CLI, REDIS_SERVER, RedisServer, free_port, have};

const CLI: &str = env!("CARGO_BIN_EXE_redraft-cli");

/// Every reply shape: strings (quoted, escaped, binary, UTF-8), integers, nil, nested and
/// empty arrays, errors, RESP3 maps, sets, doubles, booleans, verbatim strings.
const SCRIPT: &str = r#"flushall
set k v
get k
get nokey
incr n
incrby n -5
rpush l a b c
lrange l 0 -1
lrange empty 0 -1
hset h f1 v1 f2 "va\"l\n2"
hgetall h
hgetall nokey
set bin "a\x01b\tc\xc3\xa9 \\ \r\a\b"
get bin
set empty ""
get empty
foo bar
exec
incr k
zadd z 1.5 a 2 b 3e300 c
zrange z 0 -1 withscores
zscore z a
zscore z c
sadd s x
smembers s
smembers nokey
rpush big 1 2 3 4 5 6 7 8 9 10 11 12
lrange big 0 -1
eval "return {1,{2,{3,'x'},{}},'y',{{{}}}}" 0
eval "return {err='custom error'}" 0
config get maxmemory
command info get
object encoding big
debug protocol true
debug protocol false
debug protocol double
debug protocol map
debug protocol set
debug protocol verbatim
debug protocol null
mget k nokey bin
"#;

fn run(program: &str, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .env_remove("REDISCLI_AUTH")
        .env("REDISCLI_HISTFILE", "/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {program}: {e}"));
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes()).expect("write stdin");
    }
    child.wait_with_output().expect("wait")
}

fn assert_same(args: &[&str], stdin: &str) {
    assert_same_from(args, stdin, &|| {});
}

/// Compares both programs, calling `reset` before each so both start from the same data.
fn assert_same_from(args: &[&str], stdin: &str, reset: &dyn Fn()) {
    reset();
    let want = run(REDIS_CLI, args, stdin);
    reset();
    let got = run(CLI, args, stdin);
    let show = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    assert_eq!(show(&got.stdout), show(&want.stdout), "stdout for {args:?}");
    assert_eq!(show(&got.stderr), show(&want.stderr), "stderr for {args:?}");
    assert_eq!(got.status.code(), want.status.code(), "status for {args:?}");
}

fn ready() -> bool {
    have(REDIS_SERVER) && have(REDIS_CLI)
}

#[test]
fn script_prints_as_redis_cli() {
    if !ready() {
        return;
    }
    let server = RedisServer::start();
    let port = server.port.to_string();
    for extra in [
        &[][..],
        &["--no-raw"],
        &["-3"],
        &["-3", "--no-raw"],
        &["--raw"],
    ] {
        let mut args = vec!["-p", port.as_str()];
        args.extend_from_slice(extra);
        assert_same(&args, SCRIPT);
    }
}

#[test]
fn one_shot_commands_match() {
    if !ready() {
        return;
    }
    let server = RedisServer::start();
    let port = server.port.to_string();
    let p = port.as_str();
    let url = format!("redis://127.0.0.1:{p}/3");
    let cases: Vec<Vec<&str>> = vec![
        vec!["-p", p, "set", "q", "1"],
        vec!["-p", p, "--no-raw", "get", "q"],
        vec!["-p", p, "-n", "2", "--no-raw", "get", "q"],
        vec!["-p", p, "-n", "99", "get", "q"],
        vec!["-p", p, "-a", "pw", "ping"],
        vec!["-p", p, "-a", "pw", "--no-auth-warning", "ping"],
        vec!["-p", p, "--user", "bob", "-a", "pw", "ping"],
        vec!["-u", url.as_str(), "--no-raw", "dbsize"],
        vec!["-p", p, "-r", "3", "--no-raw", "incr", "counter"],
        vec!["-p", p, "-r", "2", "-i", "0.05", "incr", "counter"],
        vec!["-p", p, "set"],
        vec!["-p", p, "--no-raw", "nosuchcommand", "a"],
        vec!["-p", p, "-3", "--no-raw", "config", "get", "maxmemory"],
        vec!["-z"],
        vec!["-p"],
    ];
    let flush = || {
        run(REDIS_CLI, &["-p", p, "flushall"], "");
    };
    for args in cases {
        assert_same_from(&args, "", &flush);
    }
}

#[test]
fn password_from_environment() {
    if !ready() {
        return;
    }
    let server = RedisServer::start();
    let port = server.port.to_string();
    for program in [REDIS_CLI, CLI] {
        let out = Command::new(program)
            .args(["-p", &port, "ping"])
            .env("REDISCLI_AUTH", "pw")
            .output()
            .expect("run");
        // Sent as AUTH (which fails: no password is set), but no command-line warning.
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with("AUTH failed: "), "{program}: {stderr}");
        assert!(!stderr.contains("Warning"), "{program}: {stderr}");
    }
}

#[test]
fn stdin_as_last_argument() {
    if !ready() {
        return;
    }
    let server = RedisServer::start();
    let port = server.port.to_string();
    let out = run(
        CLI,
        &["-p", &port, "-x", "set", "from_stdin"],
        "line one\nline two",
    );
    assert_eq!(out.stdout, b"OK\n");
    let out = run(CLI, &["-p", &port, "--no-raw", "get", "from_stdin"], "");
    assert_eq!(out.stdout, b"\"line one\\nline two\"\n");
}

#[test]
fn connection_refused_exits_non_zero() {
    if !ready() {
        return;
    }
    let port = free_port().to_string();
    assert_same(&["-p", &port, "ping"], "");
    let out = run(CLI, &["-p", &port, "ping"], "");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("Could not connect to Redis at 127.0.0.1:{port}: Connection refused\n")
    );
}

#[test]
fn called_redis_cli_through_a_link() {
    let dir = std::env::temp_dir().join(format!("redraft-cli-link-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let link = dir.join("redis-cli");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(CLI, &link).expect("symlink");
    let out = Command::new(&link)
        .arg("--version")
        .output()
        .expect("run link");
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("redis-cli "), "{text}");
}
