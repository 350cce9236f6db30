//! The RESP layer through the real binary: replies byte for byte, pipelining, inline commands
//! and protocol errors.

use redraft_tests::{Server, resp};

#[test]
fn basic_roundtrip_and_pipelining() {
    let server = Server::start();
    let mut raw = server.raw();
    raw.roundtrip(b"*1\r\n$4\r\nPING\r\n", "+PONG\r\n");
    let mut batch = Vec::new();
    for i in 0..100 {
        batch.extend(resp(&[b"SET", format!("k{i}").as_bytes(), b"v"]));
    }
    batch.extend(resp(&[b"GET", b"k99"]));
    let mut expected = "+OK\r\n".repeat(100);
    expected.push_str("$1\r\nv\r\n");
    raw.roundtrip(&batch, &expected);
}

#[test]
fn inline_commands() {
    let server = Server::start();
    let mut raw = server.raw();
    raw.roundtrip(b"PING\r\n", "+PONG\r\n");
    raw.roundtrip(b"set k \"a b\"\r\nget k\r\n", "+OK\r\n$3\r\na b\r\n");
}

#[test]
fn protocol_errors_close_only_that_connection() {
    let server = Server::start();
    let mut other = server.raw();
    for (request, error) in [
        (
            &b"*x\r\n"[..],
            "-ERR Protocol error: invalid multibulk length\r\n",
        ),
        (
            b"*1\r\n$-7\r\n",
            "-ERR Protocol error: invalid bulk length\r\n",
        ),
        (
            b"*1\r\n$600000000\r\n",
            "-ERR Protocol error: invalid bulk length\r\n",
        ),
        (
            b"*2000000\r\n",
            "-ERR Protocol error: invalid multibulk length\r\n",
        ),
        (
            b"*1\r\n:1\r\n",
            "-ERR Protocol error: expected '$', got ':'\r\n",
        ),
    ] {
        let mut raw = server.raw();
        raw.roundtrip(request, error);
        assert!(raw.is_closed(), "connection closed after {error}");
    }
    other.roundtrip(b"PING\r\n", "+PONG\r\n");
}

#[test]
fn half_a_command_blocks_nobody() {
    let server = Server::start();
    let mut slow = server.raw();
    slow.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nab");
    let mut fast = server.raw();
    fast.roundtrip(&resp(&[b"SET", b"other", b"1"]), "+OK\r\n");
    slow.send(b"cde\r\n");
    slow.roundtrip(b"", "+OK\r\n");
    fast.roundtrip(&resp(&[b"GET", b"k"]), "$5\r\nabcde\r\n");
}

#[test]
fn binary_safe_keys_and_values() {
    let server = Server::start();
    let mut raw = server.raw();
    let key = b"k\0\r\n\xff";
    let value = b"\0\x01\r\n\xfe";
    raw.roundtrip(&resp(&[b"SET", key, value]), "+OK\r\n");
    raw.send(&resp(&[b"GET", key]));
    let mut expected = b"$5\r\n".to_vec();
    expected.extend_from_slice(value);
    expected.extend_from_slice(b"\r\n");
    let mut got = vec![0u8; expected.len()];
    std::io::Read::read_exact(&mut raw.stream, &mut got).expect("reply");
    assert_eq!(got, expected);
}

#[test]
fn unknown_commands_and_arity() {
    let server = Server::start();
    let mut raw = server.raw();
    raw.roundtrip(
        &resp(&[b"FOO", b"a", b"b"]),
        "-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n",
    );
    raw.roundtrip(
        &resp(&[b"get"]),
        "-ERR wrong number of arguments for 'get' command\r\n",
    );
    raw.roundtrip(&resp(&[b"gEt", b"nokey"]), "$-1\r\n");
}

#[test]
fn works_with_the_redis_crate() {
    let server = Server::start();
    let mut con = server.conn();
    let _: () = redis::cmd("SET").arg("a").arg("1").query(&mut con).unwrap();
    let v: Option<String> = redis::cmd("GET").arg("a").query(&mut con).unwrap();
    assert_eq!(v.as_deref(), Some("1"));
}
