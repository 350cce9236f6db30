//! Shared helpers for the end-to-end tests: start a real `redraft` process on a free port and
//! talk to it with the `redis` crate or raw sockets.
//!
//! The binary is found through `REDRAFT_BIN` (set by `scripts/test.sh` after building), or
//! else next to the test executable in the cargo target directory
//! (`target/x86_64-unknown-linux-gnu/release/redraft` with the project's .cargo/config.toml),
//! which `cargo test --workspace` builds because the node crate is part of the workspace.

pub mod cluster;

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Path of the `redraft` binary under test.
pub fn redraft_bin() -> PathBuf {
    if let Ok(path) = std::env::var("REDRAFT_BIN") {
        return PathBuf::from(path);
    }
    // target/[<triple>/]<profile>/deps/<test-binary> → target/[<triple>/]<profile>/redraft
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile> directory");
    profile_dir.join("redraft")
}

/// Ports handed out by [`free_port`]: below Linux's ephemeral range (32768-60999), so that
/// no outgoing connection (a test client, a node's gRPC channel) can take a port between the
/// moment it is handed out and the moment the server binds it.
const PORTS: std::ops::Range<u16> = 20000..32000;

/// A free TCP port on 127.0.0.1, for a server to bind. Ports are handed out in turn from a
/// start that differs per test process, skipping any that cannot be bound now.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(u32::MAX);
    let span = u32::from(PORTS.end - PORTS.start);
    if NEXT.load(Ordering::Relaxed) == u32::MAX {
        let seed = std::process::id().wrapping_mul(2_654_435_761)
            ^ std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0);
        let _ = NEXT.compare_exchange(u32::MAX, seed % span, Ordering::Relaxed, Ordering::Relaxed);
    }
    for _ in 0..span {
        let n = NEXT.fetch_add(1, Ordering::Relaxed) % span;
        let port = PORTS.start + n as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port in {PORTS:?}")
}

/// The file in a test server's directory that keeps its stderr.
const STDERR: &str = "redraft.stderr";

/// A running `redraft` process, killed when dropped.
pub struct Server {
    child: Child,
    /// Started under a wrapper program ([`Server::start_wrapped`]): `child` is the wrapper.
    wrapped: bool,
    pub port: u16,
    pub dir: PathBuf,
    pub password: Option<String>,
}

impl Server {
    /// Starts a server with no password and default settings.
    pub fn start() -> Server {
        Server::start_with(&[], None)
    }

    /// Starts a server with extra `--directive value` arguments and, optionally, a password
    /// (given as `--requirepass`).
    pub fn start_with(args: &[&str], password: Option<&str>) -> Server {
        Server::start_full(None, args, password, &[])
    }

    /// Starts a server from a config file text, extra arguments, a password and environment.
    pub fn start_full(
        config_text: Option<&str>,
        args: &[&str],
        password: Option<&str>,
        env: &[(&str, &str)],
    ) -> Server {
        Server::launch(&[], config_text, args, password, env)
    }

    /// Starts a server with extra arguments under `wrapper`, a program and its arguments that
    /// run the `redraft` command line given after them (`strace -f -o FILE`, say). Killing
    /// the wrapper may leave redraft running (strace detaches), so when dropped the server is
    /// first asked to stop with SHUTDOWN NOSAVE.
    pub fn start_wrapped(wrapper: &[&OsStr], args: &[&str]) -> Server {
        Server::launch(wrapper, None, args, None, &[])
    }

    fn launch(
        wrapper: &[&OsStr],
        config_text: Option<&str>,
        args: &[&str],
        password: Option<&str>,
        env: &[(&str, &str)],
    ) -> Server {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("redraft-test-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create test dir");
        let mut cmd = match wrapper.split_first() {
            Some((program, rest)) => {
                let mut cmd = Command::new(program);
                cmd.args(rest).arg(redraft_bin());
                cmd
            }
            None => Command::new(redraft_bin()),
        };
        if let Some(text) = config_text {
            let path = dir.join("redraft.conf");
            std::fs::write(&path, text).expect("write config");
            cmd.arg(path);
        }
        cmd.args(["--port", &port.to_string(), "--dir"])
            .arg(&dir)
            .args(args)
            .env_remove("REDIS_PASSWORD")
            .stdout(Stdio::null())
            .stderr(
                std::fs::File::create(dir.join(STDERR))
                    .map(Stdio::from)
                    .unwrap_or_else(|_| Stdio::null()),
            );
        if let Some(pw) = password {
            cmd.args(["--requirepass", pw]);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {:?}: {e}", cmd.get_program()));
        let server = Server {
            child,
            wrapped: !wrapper.is_empty(),
            port,
            dir,
            password: password.map(str::to_string),
        };
        server.wait_ready();
        server
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("redraft did not listen on port {} within 30 s", self.port);
    }

    /// `redis://` URL of this server, with the password when one is set.
    pub fn url(&self) -> String {
        match &self.password {
            Some(pw) => format!("redis://:{pw}@127.0.0.1:{}/", self.port),
            None => format!("redis://127.0.0.1:{}/", self.port),
        }
    }

    /// A synchronous `redis` crate connection (authenticated when a password is set).
    pub fn conn(&self) -> redis::Connection {
        redis::Client::open(self.url())
            .and_then(|c| c.get_connection())
            .unwrap_or_else(|e| {
                panic!(
                    "connect with the redis crate to port {}: {e}; the server's stderr ends with:\n{}",
                    self.port,
                    self.stderr_tail()
                )
            })
    }

    /// The end of what the server wrote to stderr, for failure messages.
    pub fn stderr_tail(&self) -> String {
        let text = std::fs::read_to_string(self.dir.join(STDERR)).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// A raw TCP connection with a read timeout, for byte-exact protocol tests.
    pub fn raw(&self) -> Raw {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap_or_else(|e| {
            panic!(
                "connect to port {}: {e}; the server's stderr ends with:\n{}",
                self.port,
                self.stderr_tail()
            )
        });
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("set timeout");
        Raw { stream }
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits up to `timeout` for the process to exit by itself; returns its exit success.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<bool> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status.success());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.wrapped && self.is_running() {
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) {
                let _ = stream.write_all(b"SHUTDOWN NOSAVE\r\n");
            }
            let _ = self.wait_exit(Duration::from_secs(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A raw socket to send exact bytes and read exact replies.
pub struct Raw {
    pub stream: TcpStream,
}

impl Raw {
    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("write");
    }

    /// Reads until `expected.len()` bytes arrived (or timeout) and returns them as text.
    pub fn read_n(&mut self, n: usize) -> String {
        let mut buf = vec![0u8; n];
        let mut got = 0;
        while got < n {
            match self.stream.read(&mut buf[got..]) {
                Ok(0) | Err(_) => break,
                Ok(k) => got += k,
            }
        }
        String::from_utf8_lossy(&buf[..got]).into_owned()
    }

    /// Sends `request` and asserts the reply is exactly `expected`.
    pub fn roundtrip(&mut self, request: &[u8], expected: &str) {
        self.send(request);
        let got = self.read_n(expected.len());
        assert_eq!(
            got,
            expected,
            "request {:?}",
            String::from_utf8_lossy(request)
        );
    }

    /// Whether the server closed the connection (read returns EOF).
    pub fn is_closed(&mut self) -> bool {
        let mut buf = [0u8; 64];
        matches!(self.stream.read(&mut buf), Ok(0))
    }
}

/// Encodes argv as a RESP multibulk request.
pub fn resp(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}
