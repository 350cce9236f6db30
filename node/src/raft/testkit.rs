//! Test helpers shared by the tests of `raft/`: a small state machine over the real
//! [`Machine`] whose snapshots are the applied log (replayed on install). Good enough for
//! openraft's storage suite and the network tests; the real snapshots are RDB.

use std::io::Cursor;
use std::sync::Arc;

use bytes::Bytes;
use openraft::storage::{RaftSnapshotBuilder, RaftStateMachine};
use openraft::{AnyError, EntryPayload, OptionalSend, SnapshotMeta};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use crate::machine::{LogEntry, Machine};
use crate::raft::types::{
    ApplyResponse, Entry, LogId, Snapshot, StorageError, StorageIOError, StoredMembership,
    TypeConfig,
};

/// What the test state machine's snapshot holds: the applied log, replayed on install.
/// Good enough to exercise openraft's suite; the real snapshots are RDB.
#[derive(Default, Clone, Serialize, Deserialize)]
struct TestSnapshot {
    last_applied: Option<LogId>,
    membership: StoredMembership,
    entries: Vec<(u64, LogEntry)>,
}

struct TestState {
    machine: Machine,
    applied: TestSnapshot,
    current: Option<(SnapshotMeta<u64, crate::raft::types::NodeInfo>, Vec<u8>)>,
    snapshot_seq: u64,
}

/// A minimal state machine over the real [`Machine`], for openraft's storage suite.
#[derive(Clone)]
pub(crate) struct TestStateMachine(Arc<Mutex<TestState>>);

impl TestStateMachine {
    pub(crate) fn new() -> TestStateMachine {
        TestStateMachine(Arc::new(Mutex::new(TestState {
            machine: Machine::new(16),
            applied: TestSnapshot::default(),
            current: None,
            snapshot_seq: 0,
        })))
    }
}

impl RaftSnapshotBuilder<TypeConfig> for TestStateMachine {
    async fn build_snapshot(&mut self) -> Result<Snapshot, StorageError> {
        let mut state = self.0.lock();
        let data = serde_json::to_vec(&state.applied)
            .map_err(|e| StorageIOError::write_state_machine(AnyError::new(&e)))?;
        state.snapshot_seq += 1;
        let meta = SnapshotMeta {
            last_log_id: state.applied.last_applied,
            last_membership: state.applied.membership.clone(),
            snapshot_id: format!("test-{}", state.snapshot_seq),
        };
        state.current = Some((meta.clone(), data.clone()));
        Ok(Snapshot {
            meta,
            snapshot: Box::new(Cursor::new(data)),
        })
    }
}

impl RaftStateMachine<TypeConfig> for TestStateMachine {
    type SnapshotBuilder = TestStateMachine;

    async fn applied_state(&mut self) -> Result<(Option<LogId>, StoredMembership), StorageError> {
        let state = self.0.lock();
        Ok((state.applied.last_applied, state.applied.membership.clone()))
    }

    async fn apply<I>(&mut self, entries: I) -> Result<Vec<ApplyResponse>, StorageError>
    where
        I: IntoIterator<Item = Entry> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        let mut state = self.0.lock();
        let mut responses = Vec::new();
        for entry in entries {
            state.applied.last_applied = Some(entry.log_id);
            let replies = match entry.payload {
                EntryPayload::Blank => Vec::new(),
                EntryPayload::Normal(payload) => {
                    let replies = state.machine.apply(entry.log_id.index, &payload);
                    state.applied.entries.push((entry.log_id.index, payload));
                    replies
                }
                EntryPayload::Membership(membership) => {
                    state.applied.membership =
                        StoredMembership::new(Some(entry.log_id), membership);
                    Vec::new()
                }
            };
            responses.push(ApplyResponse { replies });
        }
        Ok(responses)
    }

    async fn get_snapshot_builder(&mut self) -> Self::SnapshotBuilder {
        self.clone()
    }

    async fn begin_receiving_snapshot(&mut self) -> Result<Box<Cursor<Vec<u8>>>, StorageError> {
        Ok(Box::new(Cursor::new(Vec::new())))
    }

    async fn install_snapshot(
        &mut self,
        meta: &SnapshotMeta<u64, crate::raft::types::NodeInfo>,
        snapshot: Box<Cursor<Vec<u8>>>,
    ) -> Result<(), StorageError> {
        let data = snapshot.into_inner();
        let applied: TestSnapshot = serde_json::from_slice(&data).map_err(|e| {
            StorageIOError::read_snapshot(Some(meta.signature()), AnyError::new(&e))
        })?;
        let mut machine = Machine::new(16);
        for (index, entry) in &applied.entries {
            machine.apply(*index, entry);
        }
        let mut state = self.0.lock();
        state.machine = machine;
        state.applied = applied;
        state.current = Some((meta.clone(), data));
        Ok(())
    }

    async fn get_current_snapshot(&mut self) -> Result<Option<Snapshot>, StorageError> {
        let state = self.0.lock();
        Ok(state.current.as_ref().map(|(meta, data)| Snapshot {
            meta: meta.clone(),
            snapshot: Box::new(Cursor::new(data.clone())),
        }))
    }
}

impl TestStateMachine {
    /// Every command applied so far (from normal entries), in log order, including those a
    /// snapshot installed.
    pub(crate) fn applied_commands(&self) -> Vec<Vec<Bytes>> {
        let state = self.0.lock();
        state
            .applied
            .entries
            .iter()
            .flat_map(|(_, entry)| entry.commands.iter().cloned())
            .collect()
    }

    /// The id of the last applied entry.
    pub(crate) fn last_applied(&self) -> Option<LogId> {
        self.0.lock().applied.last_applied
    }
}
