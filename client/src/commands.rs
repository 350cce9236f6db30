//! Typed helpers for common commands. Each builds a [`Cmd`] and converts the reply; reads
//! are retried by the client, writes are not (they are sent once: a lost connection gives
//! `ErrorKind::OutcomeUnknown`). For a write that may be repeated, build the `Cmd` and mark
//! it [`idempotent`](Cmd::idempotent).

use std::time::Duration;

use bytes::Bytes;

use crate::client::Client;
use crate::cmd::{Cmd, ToArg};
use crate::error::Result;
use crate::from_value::pairs;
use crate::value::Value;

impl Client {
    /// `PING`: checks that a node answers.
    pub async fn ping(&self) -> Result<()> {
        self.query(&Cmd::new("PING")).await
    }

    /// `GET key`: the value, or `None` if the key does not exist.
    ///
    /// ```no_run
    /// # async fn demo(client: redraft_client::Client) -> redraft_client::Result<()> {
    /// if let Some(v) = client.get("session:42").await? {
    ///     println!("{} bytes", v.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, key: impl ToArg) -> Result<Option<Bytes>> {
        self.query(&Cmd::new("GET").arg(key)).await
    }

    /// `MGET key...`: one optional value per key.
    pub async fn mget<K: ToArg>(&self, keys: &[K]) -> Result<Vec<Option<Bytes>>> {
        self.query(&Cmd::new("MGET").args(keys)).await
    }

    /// `SET key value`.
    pub async fn set(&self, key: impl ToArg, value: impl ToArg) -> Result<()> {
        self.query(&Cmd::new("SET").arg(key).arg(value)).await
    }

    /// `SET key value PX ms`: set with a time to live.
    ///
    /// ```no_run
    /// # async fn demo(client: redraft_client::Client) -> redraft_client::Result<()> {
    /// use std::time::Duration;
    /// client.set_ex("session:42", "data", Duration::from_secs(1800)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn set_ex(&self, key: impl ToArg, value: impl ToArg, ttl: Duration) -> Result<()> {
        let cmd = Cmd::new("SET")
            .arg(key)
            .arg(value)
            .arg("PX")
            .arg(millis(ttl));
        self.query(&cmd).await
    }

    /// `SET key value NX`: true if the key was set (it did not exist).
    pub async fn set_nx(&self, key: impl ToArg, value: impl ToArg) -> Result<bool> {
        self.query(&Cmd::new("SET").arg(key).arg(value).arg("NX"))
            .await
    }

    /// `DEL key...`: how many keys were removed.
    pub async fn del<K: ToArg>(&self, keys: &[K]) -> Result<i64> {
        self.query(&Cmd::new("DEL").args(keys)).await
    }

    /// `EXISTS key`: whether the key exists.
    pub async fn exists(&self, key: impl ToArg) -> Result<bool> {
        self.query(&Cmd::new("EXISTS").arg(key)).await
    }

    /// `INCR key`: the new value.
    pub async fn incr(&self, key: impl ToArg) -> Result<i64> {
        self.query(&Cmd::new("INCR").arg(key)).await
    }

    /// `INCRBY key delta`: the new value.
    pub async fn incr_by(&self, key: impl ToArg, delta: i64) -> Result<i64> {
        self.query(&Cmd::new("INCRBY").arg(key).arg(delta)).await
    }

    /// `DECR key`: the new value.
    pub async fn decr(&self, key: impl ToArg) -> Result<i64> {
        self.query(&Cmd::new("DECR").arg(key)).await
    }

    /// `PEXPIRE key ms`: true if the key exists and now has this time to live.
    pub async fn expire(&self, key: impl ToArg, ttl: Duration) -> Result<bool> {
        self.query(&Cmd::new("PEXPIRE").arg(key).arg(millis(ttl)))
            .await
    }

    /// `PERSIST key`: true if a time to live was removed.
    pub async fn persist(&self, key: impl ToArg) -> Result<bool> {
        self.query(&Cmd::new("PERSIST").arg(key)).await
    }

    /// `TTL key`: seconds left; -1 without a time to live, -2 if the key does not exist.
    pub async fn ttl(&self, key: impl ToArg) -> Result<i64> {
        self.query(&Cmd::new("TTL").arg(key)).await
    }

    /// `HSET key field value`: 1 if the field is new, 0 if it was updated.
    pub async fn hset(&self, key: impl ToArg, field: impl ToArg, value: impl ToArg) -> Result<i64> {
        self.query(&Cmd::new("HSET").arg(key).arg(field).arg(value))
            .await
    }

    /// `HGET key field`.
    pub async fn hget(&self, key: impl ToArg, field: impl ToArg) -> Result<Option<Bytes>> {
        self.query(&Cmd::new("HGET").arg(key).arg(field)).await
    }

    /// `HGETALL key`: field-value pairs (from a RESP2 array or a RESP3 map alike).
    pub async fn hgetall(&self, key: impl ToArg) -> Result<Vec<(Bytes, Bytes)>> {
        let value: Value = self.query(&Cmd::new("HGETALL").arg(key)).await?;
        pairs(value)
    }

    /// `HDEL key field...`: how many fields were removed.
    pub async fn hdel<F: ToArg>(&self, key: impl ToArg, fields: &[F]) -> Result<i64> {
        self.query(&Cmd::new("HDEL").arg(key).args(fields)).await
    }

    /// `HINCRBY key field delta`: the new value.
    pub async fn hincr_by(&self, key: impl ToArg, field: impl ToArg, delta: i64) -> Result<i64> {
        self.query(&Cmd::new("HINCRBY").arg(key).arg(field).arg(delta))
            .await
    }

    /// `LPUSH key value...`: the list's new length.
    pub async fn lpush<V: ToArg>(&self, key: impl ToArg, values: &[V]) -> Result<i64> {
        self.query(&Cmd::new("LPUSH").arg(key).args(values)).await
    }

    /// `RPUSH key value...`: the list's new length.
    pub async fn rpush<V: ToArg>(&self, key: impl ToArg, values: &[V]) -> Result<i64> {
        self.query(&Cmd::new("RPUSH").arg(key).args(values)).await
    }

    /// `LPOP key`.
    pub async fn lpop(&self, key: impl ToArg) -> Result<Option<Bytes>> {
        self.query(&Cmd::new("LPOP").arg(key)).await
    }

    /// `RPOP key`.
    pub async fn rpop(&self, key: impl ToArg) -> Result<Option<Bytes>> {
        self.query(&Cmd::new("RPOP").arg(key)).await
    }

    /// `LRANGE key start stop`.
    pub async fn lrange(&self, key: impl ToArg, start: i64, stop: i64) -> Result<Vec<Bytes>> {
        self.query(&Cmd::new("LRANGE").arg(key).arg(start).arg(stop))
            .await
    }

    /// `LLEN key`.
    pub async fn llen(&self, key: impl ToArg) -> Result<i64> {
        self.query(&Cmd::new("LLEN").arg(key)).await
    }

    /// `SADD key member...`: how many members were added.
    pub async fn sadd<M: ToArg>(&self, key: impl ToArg, members: &[M]) -> Result<i64> {
        self.query(&Cmd::new("SADD").arg(key).args(members)).await
    }

    /// `SREM key member...`: how many members were removed.
    pub async fn srem<M: ToArg>(&self, key: impl ToArg, members: &[M]) -> Result<i64> {
        self.query(&Cmd::new("SREM").arg(key).args(members)).await
    }

    /// `SMEMBERS key`.
    pub async fn smembers(&self, key: impl ToArg) -> Result<Vec<Bytes>> {
        self.query(&Cmd::new("SMEMBERS").arg(key)).await
    }

    /// `SISMEMBER key member`.
    pub async fn sismember(&self, key: impl ToArg, member: impl ToArg) -> Result<bool> {
        self.query(&Cmd::new("SISMEMBER").arg(key).arg(member))
            .await
    }

    /// `ZADD key score member`: 1 if the member is new.
    pub async fn zadd(&self, key: impl ToArg, score: f64, member: impl ToArg) -> Result<i64> {
        self.query(&Cmd::new("ZADD").arg(key).arg(score).arg(member))
            .await
    }

    /// `ZSCORE key member`.
    pub async fn zscore(&self, key: impl ToArg, member: impl ToArg) -> Result<Option<f64>> {
        self.query(&Cmd::new("ZSCORE").arg(key).arg(member)).await
    }
}

/// Milliseconds for `PX`/`PEXPIRE`, at least 1 (0 is an error in Redis).
fn millis(d: Duration) -> u64 {
    (d.as_millis() as u64).max(1)
}
