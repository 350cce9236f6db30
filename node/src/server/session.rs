//! The server's side of [`Session`]: what connection and server commands may see and change.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use parking_lot::{MappedMutexGuard, Mutex, RwLock};

use crate::cmd::cluster_view::{ClusterStatus, PersistenceInfo};
use crate::cmd::server::slowlog::SlowLog;
use crate::cmd::session::{
    ClientState, CommandStat, KillFilter, ServerStats, Session, UnblockMode,
};
use crate::cmd::{CmdError, Table};
use crate::config::Config;
use crate::machine::Machine;

use super::Shared;

/// A session command's view: a copy of the caller's state, written back after the command,
/// so no client lock is held while others are inspected (CLIENT LIST, CLIENT KILL).
pub(crate) struct SessionImpl<'a> {
    shared: &'a Arc<Shared>,
    client: ClientState,
}

impl<'a> SessionImpl<'a> {
    pub fn new(shared: &'a Arc<Shared>, client: ClientState) -> Self {
        SessionImpl { shared, client }
    }

    pub fn into_client(self) -> ClientState {
        self.client
    }
}

impl Session for SessionImpl<'_> {
    fn client(&mut self) -> &mut ClientState {
        &mut self.client
    }

    fn config(&self) -> &RwLock<Config> {
        &self.shared.config
    }

    fn machine(&self) -> MappedMutexGuard<'_, Machine> {
        self.shared.node.machine()
    }

    fn cluster(&self) -> ClusterStatus {
        self.shared.node.cluster_status()
    }

    fn persistence(&self) -> PersistenceInfo {
        self.shared.node.persistence_info()
    }

    fn slowlog(&self) -> &Mutex<SlowLog> {
        &self.shared.slowlog
    }

    fn clients(&self) -> Vec<ClientState> {
        let handles: Vec<_> = self
            .shared
            .clients
            .lock()
            .iter()
            .map(|(id, h)| (*id, h.state.clone()))
            .collect();
        let mut list: Vec<ClientState> = handles
            .into_iter()
            .map(|(id, state)| {
                if id == self.client.id {
                    self.client.clone()
                } else {
                    state.lock().clone()
                }
            })
            .collect();
        list.sort_by_key(|c| c.id);
        list
    }

    fn unblock_client(&mut self, id: u64, mode: UnblockMode) -> bool {
        let slot = match self.shared.clients.lock().get(&id) {
            Some(handle) => handle.unblock.clone(),
            None => return false,
        };
        let sender = slot.lock().take();
        sender.is_some_and(|tx| tx.send(mode).is_ok())
    }

    fn kill_clients(&mut self, filter: &KillFilter) -> usize {
        let targets: Vec<_> = self
            .shared
            .clients
            .lock()
            .iter()
            .map(|(id, h)| (*id, h.state.clone(), h.kill.clone()))
            .collect();
        let mut killed = 0;
        for (id, state, kill) in targets {
            let me = id == self.client.id;
            let hit = if me {
                filter.matches(&self.client)
            } else {
                filter.matches(&state.lock())
            };
            if !hit || (me && filter.skip_me) {
                continue;
            }
            if me {
                self.client.close_after_reply = true;
            } else {
                kill.notify_one();
            }
            killed += 1;
        }
        killed
    }

    fn stats(&self) -> ServerStats {
        let c = &self.shared.counters;
        // One lock of the registry, released before the rest (a lock taken inside the struct
        // expression below would live until its end).
        let (connected_clients, blocked_clients) = {
            let clients = self.shared.clients.lock();
            let blocked = clients.values().filter(|h| h.state.lock().blocked).count();
            (clients.len(), blocked)
        };
        let (logged_hits, logged_misses) = self.shared.node.logged_read_counts();
        ServerStats {
            uptime_secs: self.shared.started.elapsed().as_secs(),
            tcp_port: self.shared.port,
            connected_clients,
            blocked_clients,
            total_connections_received: c.connections.load(Ordering::Relaxed),
            total_commands_processed: c.commands.load(Ordering::Relaxed),
            rejected_connections: c.rejected.load(Ordering::Relaxed),
            total_net_input_bytes: c.net_in.load(Ordering::Relaxed),
            total_net_output_bytes: c.net_out.load(Ordering::Relaxed),
            expired_keys: self
                .shared
                .node
                .machine()
                .stats()
                .expired_keys
                .saturating_sub(self.shared.expired_base.load(Ordering::Relaxed)),
            started_unix: self.shared.started_unix,
            instantaneous_input_kbps: f64::from_bits(
                self.shared.input_kbps.load(Ordering::Relaxed),
            ),
            instantaneous_output_kbps: f64::from_bits(
                self.shared.output_kbps.load(Ordering::Relaxed),
            ),
            keyspace_hits: c.hits.load(Ordering::Relaxed) + logged_hits,
            keyspace_misses: c.misses.load(Ordering::Relaxed) + logged_misses,
            total_error_replies: c.errors.load(Ordering::Relaxed),
            instantaneous_ops_per_sec: self.shared.ops_per_sec.load(Ordering::Relaxed),
            config_file: self
                .shared
                .config
                .read()
                .config_file
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            executable: std::env::current_exe()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            run_id: self.shared.run_id.clone(),
            pubsub: crate::pubsub::Kind::ALL.map(|k| self.shared.node.pubsub().count(k)),
        }
    }

    fn reset_stats(&self) {
        // CONFIG RESETSTAT: Redis's resetServerStats, resetCommandTableStats and
        // resetErrorTableStats; the slow log stays.
        self.shared.counters.reset();
        self.shared.stats.reset();
        let expired = self.shared.node.machine().stats().expired_keys;
        self.shared.expired_base.store(expired, Ordering::Relaxed);
        self.shared.node.reset_logged_read_counts();
    }

    fn shutdown(&mut self, _save: Option<bool>) -> Result<(), CmdError> {
        // No persistence yet: SAVE and NOSAVE both just stop the server.
        self.shared.shutting_down.store(true, Ordering::SeqCst);
        self.shared.shutdown.notify_one();
        self.client.close_after_reply = true;
        Ok(())
    }

    fn check_password(&self, user: Option<&[u8]>, password: &[u8]) -> Result<(), CmdError> {
        let config = self.shared.config.read();
        crate::cmd::session::check_password(&config.requirepass, user, password)
    }

    fn table(&self) -> &Table {
        &self.shared.table
    }

    fn command_stats(&self) -> Vec<(String, CommandStat)> {
        self.shared.stats.commands()
    }

    fn error_stats(&self) -> Vec<(String, u64)> {
        self.shared.stats.errors()
    }
}
