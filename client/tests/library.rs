//! The library against a real `redis-server`, and against tiny stand-ins that misbehave on
//! purpose: a proxy that drops the connection after forwarding a request, a server that
//! answers `-TRYAGAIN` or `-UNKNOWN`.

mod common;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use redraft_client::{
    Client, Cmd, Config, ConnectOptions, Connection, ErrorKind, Pipeline, Protocol, RetryPolicy,
    Value,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use common::{REDIS_SERVER, RedisServer, free_port, have};

fn quick_retry() -> RetryPolicy {
    RetryPolicy {
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(100),
        deadline: Duration::from_secs(2),
    }
}

fn config(nodes: &[String]) -> Config {
    Config::new(nodes.iter().cloned())
        .retry(quick_retry())
        .connect_timeout(Duration::from_secs(1))
        .response_timeout(Duration::from_secs(2))
}

/// A direct connection, to look behind the client's back.
async fn direct(addr: &str) -> Connection {
    Connection::connect(addr, &ConnectOptions::default())
        .await
        .expect("direct connection")
}

#[tokio::test]
async fn typed_helpers_and_pipelining() {
    if !have(REDIS_SERVER) {
        return;
    }
    let server = RedisServer::start();
    let client = Client::connect(config(&[server.addr()])).await.unwrap();

    client.set("k", "v").await.unwrap();
    assert_eq!(client.get("k").await.unwrap(), Some(Bytes::from("v")));
    assert_eq!(client.get("missing").await.unwrap(), None);
    assert_eq!(client.incr("n").await.unwrap(), 1);
    assert_eq!(client.incr_by("n", 9).await.unwrap(), 10);
    assert!(client.expire("n", Duration::from_secs(100)).await.unwrap());
    assert!((1..=100).contains(&client.ttl("n").await.unwrap()));
    assert_eq!(client.hset("h", "f", "1").await.unwrap(), 1);
    assert_eq!(client.hget("h", "f").await.unwrap(), Some(Bytes::from("1")));
    assert_eq!(
        client.hgetall("h").await.unwrap(),
        [(Bytes::from("f"), Bytes::from("1"))]
    );
    assert_eq!(client.rpush("l", &["a", "b", "c"]).await.unwrap(), 3);
    assert_eq!(client.rpop("l").await.unwrap(), Some(Bytes::from("c")));
    assert_eq!(client.lrange("l", 0, -1).await.unwrap(), ["a", "b"]);
    assert_eq!(client.del(&["k", "h", "nothing"]).await.unwrap(), 2);
    let err = client.incr("l").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.server_error().unwrap().code(), b"WRONGTYPE");

    let mut pipe = Pipeline::new();
    for i in 0..500 {
        pipe.add(Cmd::new("SET").arg(format!("p:{i}")).arg(i).idempotent());
    }
    for i in 0..500 {
        pipe.add(Cmd::new("GET").arg(format!("p:{i}")));
    }
    pipe.add(Cmd::new("INCR").arg("l"));
    let replies = client.pipeline(&pipe).await.unwrap();
    assert_eq!(replies.len(), 1001);
    assert_eq!(replies[0], Value::Status(Bytes::from("OK")));
    assert_eq!(replies[500 + 42], Value::Bulk(Bytes::from("42")));
    assert!(replies[1000].is_error(), "error replies stay inline");
}

#[tokio::test]
async fn pool_bounds_connections() {
    if !have(REDIS_SERVER) {
        return;
    }
    let server = RedisServer::start();
    let client = Client::new(config(&[server.addr()]).pool_size(3)).unwrap();
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.incr("counter").await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(
        client.get("counter").await.unwrap(),
        Some(Bytes::from("40"))
    );
    assert!(client.idle_connections() <= 3);
    let info: String = client
        .query(&Cmd::new("INFO").arg("clients"))
        .await
        .unwrap();
    let connected: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("connected_clients:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap();
    assert!((1..=3).contains(&connected), "{connected} connections");
}

#[tokio::test]
async fn reconnects_after_the_server_restarts() {
    if !have(REDIS_SERVER) {
        return;
    }
    let mut server = RedisServer::start();
    let client = Client::connect(config(&[server.addr()])).await.unwrap();
    client.set("before", "1").await.unwrap();
    server.restart();
    // The pooled connection is dead. It is noticed before a write is sent into it, so the
    // write is not reported as an unknown outcome: it reconnects and succeeds.
    assert_eq!(client.incr("n").await.unwrap(), 1);
    assert_eq!(client.get("before").await.unwrap(), None);
    server.restart();
    assert_eq!(client.get("n").await.unwrap(), None);
    client.set("after", "2").await.unwrap();

    server.kill();
    let err = client.get("after").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Deadline);
    assert!(!err.is_outcome_unknown());
}

#[tokio::test]
async fn moves_past_a_dead_address() {
    if !have(REDIS_SERVER) {
        return;
    }
    let server = RedisServer::start();
    let dead = format!("127.0.0.1:{}", free_port());
    let client = Client::new(config(&[dead.clone(), server.addr()])).unwrap();
    assert_eq!(client.current_node(), dead);
    assert_eq!(client.get("k").await.unwrap(), None);
    assert_eq!(client.current_node(), server.addr());
    // A refused connection sent nothing, so even INCR moves on safely.
    let client = Client::new(config(&[dead, server.addr()])).unwrap();
    assert_eq!(client.incr("n").await.unwrap(), 1);
}

/// Forwards each client's first request to `upstream`, waits for the reply (so the request
/// is applied), then closes the client's connection without relaying it.
async fn dropping_proxy(upstream: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let upstream = upstream.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let Ok(n) = client.read(&mut buf).await else {
                    return;
                };
                if n == 0 {
                    return;
                }
                if let Ok(mut server) = TcpStream::connect(&upstream).await {
                    let _ = server.write_all(&buf[..n]).await;
                    let _ = server.read(&mut buf).await;
                }
                drop(client);
            });
        }
    });
    addr
}

#[tokio::test]
async fn lost_connection_after_a_write_is_an_unknown_outcome() {
    if !have(REDIS_SERVER) {
        return;
    }
    let server = RedisServer::start();
    let proxy = dropping_proxy(server.addr()).await;
    let client = Client::new(config(std::slice::from_ref(&proxy))).unwrap();

    let err = client.incr("counter").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{err}");
    assert!(err.is_outcome_unknown());
    // It was applied, exactly once: the client did not resend it.
    let mut check = direct(&server.addr()).await;
    let applied = check.request(&["GET", "counter"]).await.unwrap();
    assert_eq!(applied, Value::Bulk(Bytes::from("1")));

    // A read through the same proxy is retried until the deadline, never "unknown".
    let err = client.get("counter").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Deadline);
    assert!(!err.is_outcome_unknown());

    // An idempotent write is resent, on the next node.
    let client = Client::new(config(&[proxy, server.addr()])).unwrap();
    let set = Cmd::new("SET").arg("k").arg("v").idempotent();
    client.query::<()>(&set).await.unwrap();
    assert_eq!(client.current_node(), server.addr());
}

/// A server that answers each read with the next canned reply (`:1` once they run out).
async fn scripted_server(replies: &[&'static str]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let replies = Arc::new(Mutex::new(replies.iter().copied().collect::<VecDeque<_>>()));
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let replies = Arc::clone(&replies);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                while let Ok(n) = conn.read(&mut buf).await {
                    if n == 0 {
                        return;
                    }
                    let reply = replies.lock().unwrap().pop_front().unwrap_or(":1\r\n");
                    if conn.write_all(reply.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

#[tokio::test]
async fn try_again_is_retried_even_for_writes() {
    let addr = scripted_server(&[
        "-TRYAGAIN no leader\r\n",
        "-TRYAGAIN no leader\r\n",
        ":7\r\n",
    ])
    .await;
    let client = Client::new(config(&[addr])).unwrap();
    assert_eq!(client.incr("n").await.unwrap(), 7);
}

#[tokio::test]
async fn server_reported_unknown_outcome() {
    for reply in [
        "-UNKNOWN leader lost\r\n",
        "-ERR write outcome unknown: leader changed\r\n",
    ] {
        let addr = scripted_server(&[reply]).await;
        let client = Client::new(config(&[addr])).unwrap();
        let err = client.incr("n").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{reply}: {err}");
    }
    // For a read it is only a failed attempt: retried.
    let addr = scripted_server(&["-UNKNOWN leader lost\r\n", "$1\r\nv\r\n"]).await;
    let client = Client::new(config(&[addr])).unwrap();
    assert_eq!(client.get("k").await.unwrap(), Some(Bytes::from("v")));
}

#[tokio::test]
async fn resp3_password_name_and_database() {
    if !have(REDIS_SERVER) {
        return;
    }
    let server = RedisServer::start();
    let mut admin = direct(&server.addr()).await;
    let reply = admin
        .request(&["CONFIG", "SET", "requirepass", "s3cret"])
        .await
        .unwrap();
    assert!(!reply.is_error());

    let without = Client::new(config(&[server.addr()])).unwrap();
    let err = without.get("k").await.unwrap_err();
    assert_eq!(
        err.server_error().map(|e| e.code().to_vec()),
        Some(b"NOAUTH".to_vec())
    );

    let cfg = config(&[server.addr()])
        .password("s3cret")
        .client_name("sessions")
        .db(3)
        .protocol(Protocol::Resp3);
    let client = Client::connect(cfg).await.unwrap();
    client.hset("h", "f", "v").await.unwrap();
    assert_eq!(
        client.hgetall("h").await.unwrap(),
        [(Bytes::from("f"), Bytes::from("v"))]
    );
    assert!(matches!(
        client.cmd(["HGETALL", "h"]).await.unwrap(),
        Value::Map(_)
    ));
    client.zadd("z", 1.5, "m").await.unwrap();
    assert_eq!(client.zscore("z", "m").await.unwrap(), Some(1.5));
    let name: String = client
        .query(&Cmd::new("CLIENT").arg("GETNAME"))
        .await
        .unwrap();
    assert_eq!(name, "sessions");
    let size: i64 = client.query(&Cmd::new("DBSIZE")).await.unwrap();
    assert_eq!(size, 2);
    let err = client.cmd(["SELECT", "0"]).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
}
