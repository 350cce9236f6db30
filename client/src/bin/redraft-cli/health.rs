//! `--healthcheck`: whether the node can serve clients, for a container's HEALTHCHECK.
//!
//! A node can serve when it answers an authenticated `PING` with `PONG` and knows a Raft
//! leader (`raft_leader_id` of `RAFT.INFO`): without a leader every write and every
//! linearizable read would wait and then fail with `-TRYAGAIN`, so a node that is up but cut
//! off from the majority, or waiting to be added back, is reported unhealthy too.
//!
//! The password comes from `-a`/`-u`, else `REDISCLI_AUTH`, else `REDIS_PASSWORD`: the
//! variable the node itself reads, so a container's healthcheck needs no second copy of the
//! secret in its environment or its command line. One line goes to standard output (Docker
//! keeps it in `docker inspect`), never the password.

use std::time::Duration;

use redraft_client::{Connection, Value, join_host_port};

use crate::args::Options;
use crate::session::io_text;

/// Per request when `-t` is not given: below Docker's default healthcheck timeout (30 s) and
/// long enough for a loaded node.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);

/// Runs the check; the exit status is 0 when healthy, 1 otherwise.
pub async fn run(opts: &Options) -> u8 {
    match check(opts).await {
        Ok(line) => {
            println!("healthy: {line}");
            0
        }
        Err(reason) => {
            println!("unhealthy: {reason}");
            1
        }
    }
}

async fn check(opts: &Options) -> Result<String, String> {
    let timeout = opts.timeout.unwrap_or(DEFAULT_TIMEOUT);
    let addr = join_host_port(&opts.host, opts.port);
    let mut conn = Connection::connect_raw(&addr, timeout)
        .await
        .map_err(|e| format!("cannot connect to {addr}: {}", io_text(&e)))?;
    conn.set_response_timeout(timeout);
    let password = opts
        .password
        .clone()
        .or_else(|| non_empty_env("REDISCLI_AUTH"))
        .or_else(|| non_empty_env("REDIS_PASSWORD"));
    if let Some(password) = password {
        let reply = match &opts.user {
            Some(user) => conn.request(&["AUTH", user, &password]).await,
            None => conn.request(&["AUTH", &password]).await,
        };
        expect_ok("AUTH", reply)?;
    }
    match conn.request(&["PING"]).await {
        Ok(Value::Status(s)) if s.as_ref() == b"PONG" => {}
        other => return Err(format!("PING: {}", describe(other))),
    }
    let info = match conn.request(&["RAFT.INFO"]).await {
        Ok(Value::Bulk(text) | Value::Verbatim { text, .. }) => text,
        other => return Err(format!("RAFT.INFO: {}", describe(other))),
    };
    let info = String::from_utf8_lossy(&info);
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
            .map(str::trim)
            .unwrap_or("")
            .to_string()
    };
    let (role, leader) = (field("raft_role"), field("raft_leader_id"));
    if leader.is_empty() || leader == "none" {
        return Err(format!("{role} without a leader"));
    }
    Ok(format!("{role}, leader {leader}"))
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn expect_ok(what: &str, reply: redraft_client::Result<Value>) -> Result<(), String> {
    match reply {
        Ok(Value::Status(_)) => Ok(()),
        other => Err(format!("{what}: {}", describe(other))),
    }
}

/// A reply or failure in a few words (an error reply's text never holds the password).
fn describe(reply: redraft_client::Result<Value>) -> String {
    match reply {
        Ok(Value::Error(text)) => String::from_utf8_lossy(&text).into_owned(),
        Ok(other) => format!("unexpected reply {other:?}"),
        Err(e) => io_text(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_described_without_secrets() {
        let text = describe(Ok(Value::Error(
            "WRONGPASS invalid username-password pair".into(),
        )));
        assert_eq!(text, "WRONGPASS invalid username-password pair");
        assert!(describe(Ok(Value::Int(1))).starts_with("unexpected reply"));
    }
}
