//! A small pool of connections to one node.
//!
//! At most `size` connections are in use at once (a semaphore); idle ones wait in a stack so
//! the most recently used, most likely alive, is taken first. A connection goes back only if
//! it is healthy; an idle one whose peer has gone is dropped when taken.

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::ConnectOptions;
use crate::connection::Connection;
use crate::error::Result;

/// Connections to one node.
#[derive(Debug)]
pub(crate) struct Pool {
    addr: String,
    opts: Arc<ConnectOptions>,
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
}

impl Pool {
    pub(crate) fn new(addr: String, opts: Arc<ConnectOptions>, size: usize) -> Arc<Pool> {
        Arc::new(Pool {
            addr,
            opts,
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(size)),
        })
    }

    pub(crate) fn addr(&self) -> &str {
        &self.addr
    }

    /// A connection: an idle live one, or a new one. Waits while `size` are in use.
    pub(crate) async fn get(self: &Arc<Self>) -> Result<PooledConnection> {
        // The semaphore is never closed, so acquiring can only fail if it were.
        let permit = match self.permits.clone().acquire_owned().await {
            Ok(permit) => permit,
            Err(_) => unreachable!("pool semaphore is never closed"),
        };
        let conn = match self.take_idle() {
            Some(conn) => conn,
            None => Connection::connect(&self.addr, &self.opts).await?,
        };
        Ok(PooledConnection {
            conn: Some(conn),
            pool: Arc::clone(self),
            _permit: permit,
        })
    }

    fn take_idle(&self) -> Option<Connection> {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        while let Some(conn) = idle.pop() {
            if conn.is_alive() {
                return Some(conn);
            }
        }
        None
    }

    /// Drops every idle connection (after this node failed, so the next use reconnects).
    pub(crate) fn clear(&self) {
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// How many connections sit idle.
    pub(crate) fn idle_count(&self) -> usize {
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    fn put_back(&self, conn: Connection) {
        if !conn.is_broken() {
            self.idle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(conn);
        }
    }
}

/// A connection borrowed from a pool; returned when dropped, unless broken.
#[derive(Debug)]
pub(crate) struct PooledConnection {
    conn: Option<Connection>,
    pool: Arc<Pool>,
    _permit: OwnedSemaphorePermit,
}

impl Deref for PooledConnection {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        // Only `drop` takes the connection out.
        self.conn.as_ref().unwrap_or_else(|| unreachable!())
    }
}

impl DerefMut for PooledConnection {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn.as_mut().unwrap_or_else(|| unreachable!())
    }
}

impl Drop for PooledConnection {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool.put_back(conn);
        }
    }
}
