//! `Client`: the cluster-aware entry point. Holds a pool per node, sends each request to the
//! node that last answered, moves to the next node when that one fails, and retries what is
//! safe to retry (see `retry.rs`) until the total deadline.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::cmd::{Cmd, Pipeline, ToArg};
use crate::config::Config;
use crate::error::{Error, Result, ServerError};
use crate::from_value::FromValue;
use crate::pool::Pool;
use crate::retry::{Decision, RetryPolicy, classify_final, decide};
use crate::value::Value;

/// A client for a redraft cluster (or any Redis server). Cheap to clone; clones share the
/// pools.
///
/// ```no_run
/// # async fn demo() -> redraft_client::Result<()> {
/// use redraft_client::{Client, Cmd, Config};
///
/// let client = Client::connect(Config::new(["127.0.0.1:6379", "127.0.0.1:6380"])).await?;
/// client.set("user:1", "ada").await?;
/// assert_eq!(client.get("user:1").await?.as_deref(), Some(&b"ada"[..]));
///
/// // A write the caller knows is safe to apply twice may be retried after a lost connection.
/// client.query::<()>(&Cmd::new("SET").arg("k").arg("v").idempotent()).await?;
///
/// // INCR is not: if the connection drops after sending it, the error says so.
/// match client.incr("visits").await {
///     Ok(n) => println!("visit {n}"),
///     Err(e) if e.is_outcome_unknown() => println!("may or may not have counted"),
///     Err(e) => return Err(e),
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    pools: Vec<Arc<Pool>>,
    /// Index of the node requests go to, moved on when it fails.
    current: AtomicUsize,
    retry: RetryPolicy,
}

impl Client {
    /// A client for these nodes. Connects lazily, on the first request.
    pub fn new(config: Config) -> Result<Client> {
        config.validate()?;
        let opts = Arc::new(config.connect.clone());
        let pools = config
            .nodes
            .iter()
            .map(|addr| Pool::new(addr.clone(), Arc::clone(&opts), config.pool_size))
            .collect();
        Ok(Client {
            inner: Arc::new(Inner {
                pools,
                current: AtomicUsize::new(0),
                retry: config.retry,
            }),
        })
    }

    /// A client that has found a node answering `PING` (retrying across the node list until
    /// the retry deadline).
    pub async fn connect(config: Config) -> Result<Client> {
        let client = Client::new(config)?;
        client.ping().await?;
        Ok(client)
    }

    /// The address of the node requests currently go to.
    pub fn current_node(&self) -> &str {
        self.inner.pools[self.current_index()].addr()
    }

    /// Idle connections across all nodes' pools.
    pub fn idle_connections(&self) -> usize {
        self.inner.pools.iter().map(|p| p.idle_count()).sum()
    }

    /// Sends any command, given as its argv. Whether it may be retried comes from its name
    /// (reads are); use [`query`](Self::query) with [`Cmd::idempotent`] for writes that may.
    /// An error reply is `Err(Error::Server)`.
    ///
    /// ```no_run
    /// # async fn demo(client: redraft_client::Client) -> redraft_client::Result<()> {
    /// let reply = client.cmd(["OBJECT", "ENCODING", "k"]).await?;
    /// println!("{reply:?}");
    /// # Ok(()) }
    /// ```
    pub async fn cmd<I>(&self, args: I) -> Result<Value>
    where
        I: IntoIterator,
        I::Item: ToArg,
    {
        self.query(&Cmd::from_args(args)).await
    }

    /// Sends a command and converts its reply.
    ///
    /// ```no_run
    /// # async fn demo(client: redraft_client::Client) -> redraft_client::Result<()> {
    /// use redraft_client::Cmd;
    /// let len: i64 = client.query(&Cmd::new("STRLEN").arg("k")).await?;
    /// # Ok(()) }
    /// ```
    pub async fn query<T: FromValue>(&self, cmd: &Cmd) -> Result<T> {
        let mut values = self
            .execute(std::slice::from_ref(cmd), cmd.is_retry_safe())
            .await?;
        T::from_value(values.pop().unwrap_or(Value::Nil))
    }

    /// Sends a pipeline; replies come back in order, error replies inline as
    /// `Value::Error`. The whole pipeline is retried only if every command in it is
    /// retry-safe, or if every reply was `-TRYAGAIN` (nothing applied).
    ///
    /// ```no_run
    /// # async fn demo(client: redraft_client::Client) -> redraft_client::Result<()> {
    /// use redraft_client::{Cmd, Pipeline};
    /// let mut pipe = Pipeline::new();
    /// for i in 0..100 {
    ///     pipe.add(Cmd::new("SET").arg(format!("key:{i}")).arg(i).idempotent());
    /// }
    /// let replies = client.pipeline(&pipe).await?;
    /// assert_eq!(replies.len(), 100);
    /// # Ok(()) }
    /// ```
    pub async fn pipeline(&self, pipe: &Pipeline) -> Result<Vec<Value>> {
        if pipe.is_empty() {
            return Ok(Vec::new());
        }
        self.execute(pipe.cmds(), pipe.is_retry_safe()).await
    }

    fn current_index(&self) -> usize {
        self.inner.current.load(Ordering::Relaxed) % self.inner.pools.len()
    }

    /// Moves off `node` (unless another task already did) and forgets its idle connections.
    fn switch_from(&self, node: usize) {
        let next = (node + 1) % self.inner.pools.len();
        let _ =
            self.inner
                .current
                .compare_exchange(node, next, Ordering::Relaxed, Ordering::Relaxed);
        self.inner.pools[node].clear();
    }

    /// The retry loop around single attempts.
    async fn execute(&self, cmds: &[Cmd], retry_safe: bool) -> Result<Vec<Value>> {
        check_usable(cmds)?;
        let started = Instant::now();
        let nodes = self.inner.pools.len() as u32;
        let mut failures = 0u32;
        loop {
            let node = self.current_index();
            let addr = self.inner.pools[node].addr();
            let err = match self.attempt(node, cmds).await {
                Ok(values) => match retry_signal(cmds.len(), values, retry_safe) {
                    Ok(values) => return Ok(values),
                    Err(e) => e,
                },
                Err(e) => e,
            };
            let Decision::Retry { switch_node } = decide(&err, retry_safe) else {
                return Err(classify_final(err, retry_safe, addr));
            };
            failures += 1;
            if switch_node {
                self.switch_from(node);
            }
            let delay = if switch_node && !failures.is_multiple_of(nodes) {
                Duration::ZERO
            } else {
                self.inner.retry.backoff(failures.div_ceil(nodes))
            };
            let elapsed = started.elapsed();
            if elapsed + delay >= self.inner.retry.deadline {
                let last = classify_final(err, retry_safe, addr);
                return Err(match failures {
                    1 => last,
                    attempts => Error::Deadline {
                        attempts,
                        elapsed,
                        last: Box::new(last),
                    },
                });
            }
            tokio::time::sleep(delay).await;
        }
    }

    /// One try on one node.
    async fn attempt(&self, node: usize, cmds: &[Cmd]) -> Result<Vec<Value>> {
        let mut conn = self.inner.pools[node].get().await?;
        if let [cmd] = cmds {
            return Ok(vec![conn.request(cmd.argv()).await?]);
        }
        let argvs: Vec<&[Bytes]> = cmds.iter().map(Cmd::argv).collect();
        conn.pipeline(&argvs).await
    }
}

/// Refuses what cannot go through a pool: empty commands and connection-state commands.
fn check_usable(cmds: &[Cmd]) -> Result<()> {
    for cmd in cmds {
        if cmd.argv().is_empty() {
            return Err(Error::Config("empty command".into()));
        }
        if cmd.changes_connection_state() {
            return Err(Error::Config(format!(
                "{} changes connection state; use Config (db, password, name) or a Connection",
                cmd.name()
            )));
        }
    }
    Ok(())
}

/// Turns replies that ask for a retry into an error the retry loop understands: a single
/// command's error reply, or a pipeline that may be resent and got `-TRYAGAIN`.
fn retry_signal(count: usize, mut values: Vec<Value>, retry_safe: bool) -> Result<Vec<Value>> {
    let server = |v: &Value| match v {
        Value::Error(text) => Some(ServerError::new(text.clone())),
        _ => None,
    };
    if count == 1 {
        return match values.first().and_then(server) {
            Some(e) => Err(Error::Server(e)),
            None => Ok(values),
        };
    }
    let errors: Vec<ServerError> = values.iter().filter_map(server).collect();
    let not_applied = |e: &ServerError| e.is_try_again() || e.is_loading();
    let all_not_applied = errors.len() == values.len() && errors.iter().all(not_applied);
    let retryable = |e: &ServerError| not_applied(e) || e.is_outcome_unknown();
    if all_not_applied || (retry_safe && errors.iter().any(retryable)) {
        let first = errors.iter().find(|e| retryable(e)).cloned();
        if let Some(e) = first {
            return Err(Error::Server(e));
        }
    }
    values.truncate(count);
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn err(text: &'static str) -> Value {
        Value::Error(Bytes::from_static(text.as_bytes()))
    }

    #[test]
    fn single_error_reply_is_an_error() {
        let e = retry_signal(1, vec![err("TRYAGAIN x")], false).unwrap_err();
        assert!(e.server_error().is_some_and(|s| s.is_try_again()));
        assert!(retry_signal(1, vec![Value::Int(1)], false).is_ok());
    }

    #[test]
    fn pipeline_retries_only_when_safe_or_nothing_applied() {
        let mixed = vec![Value::Int(1), err("TRYAGAIN x")];
        assert!(retry_signal(2, mixed.clone(), false).is_ok());
        assert!(retry_signal(2, mixed, true).is_err());
        let all = vec![err("TRYAGAIN x"), err("TRYAGAIN y")];
        assert!(retry_signal(2, all, false).is_err());
        let syntax = vec![err("ERR syntax"), err("ERR syntax")];
        assert!(retry_signal(2, syntax, true).is_ok());
    }

    #[test]
    fn refuses_connection_state_commands() {
        let e = check_usable(&[Cmd::new("SELECT").arg(2)]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(check_usable(&[Cmd::from_args(Vec::<String>::new())]).is_err());
        assert!(check_usable(&[Cmd::new("MULTI"), Cmd::new("EXEC")]).is_ok());
    }

    #[test]
    fn new_validates() {
        let none: [&str; 0] = [];
        assert!(Client::new(Config::new(none)).is_err());
        let client = Client::new(Config::new(["127.0.0.1:1", "127.0.0.1:2"])).unwrap();
        assert_eq!(client.current_node(), "127.0.0.1:1");
        client.switch_from(0);
        assert_eq!(client.current_node(), "127.0.0.1:2");
    }
}
