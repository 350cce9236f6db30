//! SAVE, BGSAVE, LASTSAVE and `save` points on one node: they run where they are received
//! (never forwarded) and trigger the same snapshot Raft compacts its log with, so there is
//! one `<dir>/<dbfilename>` (DESIGN.md "Snapshots are RDB").
//!
//! A save covers every write acknowledged before the command: the node first passes the
//! linearizable read barrier (a follower asks the leader for its confirmed applied index and
//! waits until it has applied that much itself), then has a snapshot built whose index is at
//! least that.

use std::time::Duration;

use bytes::Bytes;

use super::Node;
use super::reads::ReadError;
use super::saves::unix_now;
use crate::cmd::cluster_view::{AdminOp, AdminReply, AdminResult, PersistenceInfo};

/// How long SAVE waits for its snapshot.
const SAVE_TIMEOUT: Duration = Duration::from_secs(3600);
/// Builds SAVE waits through before giving up (each one it did not start is followed by one
/// it triggers).
const SAVE_ATTEMPTS: usize = 8;

fn in_progress() -> String {
    "ERR Background save already in progress".to_string()
}

impl Node {
    /// SAVE: replies once a snapshot covering every write acknowledged before the call is
    /// on disk.
    pub(super) async fn save(&self) -> AdminResult {
        if self.saves.asked_running() {
            return Err(in_progress());
        }
        let target = self.read_barrier().await?;
        self.snapshot_covering(target).await?;
        Ok(AdminReply::Ok)
    }

    /// BGSAVE [SCHEDULE]: passes the read barrier, starts the snapshot and replies.
    pub(super) async fn bgsave(&self) -> AdminResult {
        if self.saves.running() {
            return Err(in_progress());
        }
        self.read_barrier().await?;
        if !self.saves.begin() {
            return Err(in_progress());
        }
        if let Err(e) = self.raft.trigger().snapshot().await {
            self.saves.abandon();
            return Err(format!("ERR cannot start a snapshot: {e}"));
        }
        Ok(AdminReply::Status("Background saving started".to_string()))
    }

    /// LASTSAVE: unix time of this node's last successful snapshot write.
    pub(super) fn lastsave(&self) -> AdminResult {
        Ok(AdminReply::Count(self.saves.last_save()))
    }

    /// Starts a background save when one of the `save` points (seconds, changes) is due.
    /// Returns whether one was started.
    pub async fn save_if_due(&self, points: &[(u64, u64)]) -> bool {
        let changes = self.applied.lock().commands_since_snapshot;
        if !self.saves.due(points, changes, unix_now()) || !self.saves.begin() {
            return false;
        }
        match self.raft.trigger().snapshot().await {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(error = %e, "could not start a snapshot for a save point");
                self.saves.abandon();
                false
            }
        }
    }

    /// The figures of `INFO persistence`.
    pub fn persistence_info(&self) -> PersistenceInfo {
        let changes = self.applied.lock().commands_since_snapshot;
        self.saves.info(changes)
    }

    /// The log index every write acknowledged before this call has, once applied here: the
    /// leader confirms it still leads; a follower gets that index from the leader and waits
    /// until it has applied it.
    pub(super) async fn read_barrier(&self) -> Result<u64, String> {
        let index = if self.is_leader() {
            self.confirmed_index().await?
        } else {
            match self
                .admin_on_leader(
                    &AdminOp::ReadIndex,
                    &[Bytes::from_static(b"raft.readindex")],
                )
                .await?
            {
                AdminReply::Count(n) => n,
                _ => return Err("ERR the leader sent no read index".to_string()),
            }
        };
        self.raft
            .wait(Some(self.config.write_timeout))
            .applied_index_at_least(Some(index), "save barrier")
            .await
            .map_err(|e| {
                format!("TRYAGAIN this node could not catch up with the leader ({e}); retry")
            })?;
        Ok(index)
    }

    /// On the leader: confirms leadership (shared read index) and returns the applied index,
    /// which then covers every acknowledged write.
    pub(super) async fn confirmed_index(&self) -> Result<u64, String> {
        match self.reads.confirm(&self.raft).await {
            Ok(()) => Ok(self.applied.lock().last_log_id.map_or(0, |id| id.index)),
            Err(ReadError::NotLeader(_)) => {
                Err("TRYAGAIN leadership changed during the save; retry".to_string())
            }
            Err(ReadError::Unavailable(why)) => Err(format!(
                "TRYAGAIN the leader could not confirm it leads ({why}); retry"
            )),
        }
    }

    /// Has snapshots built until one covering log index `target` is on disk.
    async fn snapshot_covering(&self, target: u64) -> Result<(), String> {
        for _ in 0..SAVE_ATTEMPTS {
            let mut done = self.saves.done();
            done.borrow_and_update();
            // A build already running (which ignores this trigger) may predate `target`: its
            // completion is checked, then a new one is triggered.
            self.raft
                .trigger()
                .snapshot()
                .await
                .map_err(|e| format!("ERR cannot start a snapshot: {e}"))?;
            match tokio::time::timeout(SAVE_TIMEOUT, done.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => return Err("ERR the node is shutting down".to_string()),
                Err(_) => return Err("ERR the snapshot did not complete in time".to_string()),
            }
            match self.saves.saved() {
                (_, false) => return Err("ERR".to_string()),
                (index, true) if index >= target => return Ok(()),
                _ => {}
            }
        }
        Err("ERR the snapshot kept being overtaken; retry".to_string())
    }
}
