//! What SAVE, BGSAVE, LASTSAVE, `INFO persistence` and the `save` directives know of this
//! node's snapshots (DESIGN.md "Snapshots are RDB": SAVE and BGSAVE trigger the same
//! mechanism as Raft's log compaction, and LASTSAVE reports it).
//!
//! Every snapshot build is a background save in Redis's terms, whoever asked for it (a
//! client, a `save` point, or the command count that keeps the log bounded), except that SAVE
//! waits through a build only the command count started instead of refusing. The state
//! machine reports each build's start and outcome here; commands wait on [`Saves::done`].
//!
//! Depends on nothing but the clock: the state machine and the node call in.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;
use tokio::sync::watch;

use crate::cmd::cluster_view::PersistenceInfo;

/// Redis's `CONFIG_BGSAVE_RETRY_DELAY`: after a failed save, `save` points wait this long
/// before trying again.
pub const RETRY_DELAY_SECS: u64 = 5;

/// Unix seconds now.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[derive(Debug)]
struct State {
    /// Unix seconds of the last successful save (startup time until then, as Redis).
    last_save: u64,
    /// The log index the file on disk covers.
    saved_index: u64,
    /// A build asked for (BGSAVE) or running.
    running: Option<Running>,
    last_ok: bool,
    last_duration_secs: i64,
    /// Unix seconds of the last save attempt (for [`RETRY_DELAY_SECS`]).
    last_try: u64,
    saves: u64,
}

/// A running build (or one BGSAVE or a `save` point asked for, about to start).
#[derive(Debug)]
struct Running {
    since: Instant,
    /// Asked for by BGSAVE or a `save` point ([`Saves::begin`]), not started by the command
    /// count that keeps the log bounded.
    asked: bool,
}

/// This node's snapshot bookkeeping, shared by the state machine and the node.
pub struct Saves {
    state: Mutex<State>,
    /// Counts finished builds (successful or not): waiters compare generations.
    done: watch::Sender<u64>,
}

impl Default for Saves {
    fn default() -> Self {
        Saves::new(unix_now())
    }
}

impl Saves {
    pub fn new(started_unix: u64) -> Saves {
        Saves {
            state: Mutex::new(State {
                last_save: started_unix,
                saved_index: 0,
                running: None,
                last_ok: true,
                last_duration_secs: -1,
                last_try: 0,
                saves: 0,
            }),
            done: watch::Sender::new(0),
        }
    }

    /// Marks a save as running, unless one already is: false then (BGSAVE's "Background
    /// save already in progress").
    pub fn begin(&self) -> bool {
        let mut s = self.state.lock();
        if s.running.is_some() {
            return false;
        }
        s.running = Some(Running {
            since: Instant::now(),
            asked: true,
        });
        true
    }

    /// Called when a build starts: marks it running (it may have been marked by BGSAVE).
    pub fn started(&self) {
        let mut s = self.state.lock();
        if s.running.is_none() {
            s.running = Some(Running {
                since: Instant::now(),
                asked: false,
            });
        }
    }

    /// Records a finished build: on success the file on disk covers `index`.
    pub fn finished(&self, result: Result<u64, ()>) {
        {
            let mut s = self.state.lock();
            let now = unix_now();
            if let Some(running) = s.running.take() {
                s.last_duration_secs = running.since.elapsed().as_secs() as i64;
            }
            s.last_try = now;
            match result {
                Ok(index) => {
                    s.last_ok = true;
                    s.last_save = now;
                    s.saved_index = s.saved_index.max(index);
                    s.saves += 1;
                }
                Err(()) => s.last_ok = false,
            }
        }
        self.done.send_modify(|n| *n += 1);
    }

    /// Gives up a save marked by [`Saves::begin`] that never started a build.
    pub fn abandon(&self) {
        self.state.lock().running = None;
        self.done.send_modify(|n| *n += 1);
    }

    /// Records a snapshot installed from the leader: the file on disk now covers `index`.
    pub fn installed(&self, index: u64) {
        let mut s = self.state.lock();
        s.last_save = unix_now();
        s.saved_index = s.saved_index.max(index);
    }

    /// Waits for build completions: subscribe before triggering, then `changed()`.
    pub fn done(&self) -> watch::Receiver<u64> {
        self.done.subscribe()
    }

    /// The index covered by the file on disk, and whether the last build succeeded.
    pub fn saved(&self) -> (u64, bool) {
        let s = self.state.lock();
        (s.saved_index, s.last_ok)
    }

    pub fn running(&self) -> bool {
        self.state.lock().running.is_some()
    }

    /// Whether a save asked for by BGSAVE or a `save` point is running: SAVE then answers
    /// "Background save already in progress", as Redis does. A build that only compacts the
    /// log is not one a client could know of; SAVE waits for it and has its own built.
    pub fn asked_running(&self) -> bool {
        self.state.lock().running.as_ref().is_some_and(|r| r.asked)
    }

    /// LASTSAVE.
    pub fn last_save(&self) -> u64 {
        self.state.lock().last_save
    }

    /// Whether a `save` point asks for a save now (Redis's `serverCron`): some point's
    /// seconds have passed since the last save with at least its changes, and the last
    /// attempt succeeded or was [`RETRY_DELAY_SECS`] ago. Never while a save runs.
    pub fn due(&self, points: &[(u64, u64)], changes: u64, now: u64) -> bool {
        let s = self.state.lock();
        if s.running.is_some() {
            return false;
        }
        let retry_ok = s.last_ok || now.saturating_sub(s.last_try) > RETRY_DELAY_SECS;
        retry_ok
            && points.iter().any(|&(seconds, min_changes)| {
                changes >= min_changes && now.saturating_sub(s.last_save) > seconds
            })
    }

    /// The figures of `INFO persistence`, with `changes` since the last save.
    pub fn info(&self, changes: u64) -> PersistenceInfo {
        let s = self.state.lock();
        PersistenceInfo {
            changes_since_last_save: changes,
            bgsave_in_progress: s.running.is_some(),
            last_save_time: s.last_save,
            last_bgsave_ok: s.last_ok,
            last_bgsave_time_sec: s.last_duration_secs,
            current_bgsave_time_sec: s
                .running
                .as_ref()
                .map_or(-1, |r| r.since.elapsed().as_secs() as i64),
            saves: s.saves,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_points_follow_redis() {
        let saves = Saves::new(1000);
        let points = [(3600, 1), (300, 100), (60, 10000)];
        // Not enough time or not enough changes.
        assert!(!saves.due(&points, 0, 1000 + 7200));
        assert!(!saves.due(&points, 50, 1000 + 3600));
        assert!(saves.due(&points, 50, 1000 + 3601));
        assert!(saves.due(&points, 100, 1000 + 301));
        assert!(!saves.due(&points, 9999, 1000 + 61));
        assert!(saves.due(&points, 10000, 1000 + 61));
        // `save ""`: never.
        assert!(!saves.due(&[], 1 << 40, u64::MAX));
        // Never while a save runs.
        assert!(saves.begin());
        assert!(!saves.begin());
        assert!(!saves.due(&points, 10000, 1000 + 61));
        saves.finished(Ok(7));
        assert_eq!(saves.saved(), (7, true));
        assert!(saves.last_save() >= unix_now() - 1);
    }

    #[test]
    fn a_failed_save_is_retried_after_the_delay() {
        let saves = Saves::new(0);
        saves.started();
        saves.finished(Err(()));
        let tried = unix_now();
        assert_eq!(saves.saved(), (0, false));
        assert!(!saves.due(&[(1, 1)], 5, tried + RETRY_DELAY_SECS));
        assert!(saves.due(&[(1, 1)], 5, tried + RETRY_DELAY_SECS + 1));
        let info = saves.info(5);
        assert!(!info.last_bgsave_ok);
        assert_eq!(info.last_save_time, 0);
        assert_eq!(info.current_bgsave_time_sec, -1);
    }

    #[test]
    fn only_a_save_someone_asked_for_makes_save_answer_in_progress() {
        let saves = Saves::new(0);
        saves.started();
        assert!(saves.running());
        assert!(!saves.asked_running(), "a compaction build is not a BGSAVE");
        saves.finished(Ok(10));
        assert!(saves.begin());
        saves.started();
        assert!(saves.asked_running());
        assert!(!saves.begin());
        saves.finished(Ok(20));
        assert!(!saves.running() && !saves.asked_running());
        assert!(saves.begin());
        saves.abandon();
        assert!(!saves.asked_running());
    }
}
