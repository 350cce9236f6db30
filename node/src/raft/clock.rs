//! The leader's clock: the time a majority of the cluster's clocks agree on, which its own
//! wall clock may lead by at most `max-clock-skew-ms`.
//!
//! Every entry carries the leader's time, and that time is "now" for expiry everywhere
//! (DESIGN.md "The log entry"). A leader whose own clock is wrong would otherwise expire every
//! key early (clock ahead) or keep keys past their TTL (clock behind), and a restarted node
//! keeps its leadership in the same term, so one bad clock is enough. When a node becomes
//! leader it reads the wall clock of every voter (`Admin.Status`), finds the time a majority
//! agrees on within the skew bound (Marzullo's algorithm: each reading is an interval widened
//! by half the round trip and half the bound), and anchors there. From then on its time is
//! the anchor advanced by the monotonic clock, or its wall clock when that is ahead by no more
//! than the bound (so a well-kept wall clock still corrects the monotonic clock's drift): a
//! clock that jumps during the term is contained too. Until it is anchored, a leader proposes
//! nothing and answers no read.

use std::sync::Weak;
use std::time::{Duration, Instant};

use openraft::ServerState;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::{info, warn};

use super::Node;
use super::wall_ms;

/// How long a leader waits for a voter's clock reading.
const READING_TIMEOUT: Duration = Duration::from_millis(500);
/// Readings taken from each voter (the one with the shortest round trip counts).
const SAMPLES: usize = 3;
/// The pause between two attempts to anchor.
const RETRY: Duration = Duration::from_millis(100);

/// One clock reading: unix milliseconds at the moment the anchor is computed, give or take
/// `uncertainty_ms` (half the round trip that fetched it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    pub ms: u64,
    pub uncertainty_ms: u64,
}

/// The time a majority of `voters` readings agrees on, when they agree within `max_skew_ms`:
/// among the readings that overlap most, the most precise one (the leader's own, when its
/// clock is among them: it has no round trip to guess).
pub fn agree(readings: &[Reading], voters: usize, max_skew_ms: u64) -> Option<u64> {
    let half = max_skew_ms / 2 + 1;
    let intervals: Vec<(u64, u64)> = readings
        .iter()
        .map(|r| {
            let w = r.uncertainty_ms + half;
            (r.ms.saturating_sub(w), r.ms.saturating_add(w))
        })
        .collect();
    let need = voters / 2 + 1;
    // The most-covered point is the low end of some interval.
    let (count, members) = intervals
        .iter()
        .map(|&(low, _)| {
            let covering: Vec<usize> = (0..intervals.len())
                .filter(|&i| intervals[i].0 <= low && low <= intervals[i].1)
                .collect();
            (covering.len(), covering)
        })
        .max_by_key(|(count, _)| *count)?;
    if count < need {
        return None;
    }
    members
        .into_iter()
        .map(|i| readings[i])
        .min_by_key(|r| r.uncertainty_ms)
        .map(|r| r.ms)
}

#[derive(Debug, Clone, Copy)]
struct Anchor {
    term: u64,
    ms: u64,
    at: Instant,
}

/// This node's clock for proposing entries and reading while it leads.
pub struct Clock {
    max_skew_ms: u64,
    /// The anchor of the term this node leads in, if any (waiters watch it).
    anchor: watch::Sender<Option<Anchor>>,
}

impl Clock {
    pub fn new(max_skew_ms: u64) -> Clock {
        Clock {
            max_skew_ms,
            anchor: watch::Sender::new(None),
        }
    }

    pub fn max_skew_ms(&self) -> u64 {
        self.max_skew_ms
    }

    /// Now, in unix milliseconds. While anchored: the anchor advanced by the monotonic clock,
    /// or the wall clock when it is ahead of that by at most the skew bound (a clock further
    /// ahead is wrong, and ignored, rather than followed as far as the bound allows); otherwise
    /// (a follower) the wall clock.
    pub fn now(&self) -> u64 {
        let wall = wall_ms();
        match *self.anchor.borrow() {
            Some(a) => {
                let low = a.ms.saturating_add(a.at.elapsed().as_millis() as u64);
                if wall <= low.saturating_add(self.max_skew_ms) {
                    wall.max(low)
                } else {
                    low
                }
            }
            None => wall,
        }
    }

    /// The term this clock is anchored in.
    pub fn term(&self) -> Option<u64> {
        self.anchor.borrow().map(|a| a.term)
    }

    /// Anchors the clock for `term` at `ms`, which was the agreed time at `at`.
    pub fn anchor(&self, term: u64, ms: u64, at: Instant) {
        self.anchor.send_replace(Some(Anchor { term, ms, at }));
    }

    /// Forgets the anchor (leadership ended).
    pub fn clear(&self) {
        self.anchor.send_replace(None);
    }

    /// Waits up to `wait` until the clock is anchored; false if it was not. Anchored already
    /// (every request but the first few of a term): no waiting set up.
    pub async fn ready(&self, wait: Duration) -> bool {
        if self.is_anchored() {
            return true;
        }
        let mut rx = self.anchor.subscribe();
        matches!(
            tokio::time::timeout(wait, rx.wait_for(Option::is_some)).await,
            Ok(Ok(_))
        )
    }

    /// Whether the clock is anchored now.
    pub fn is_anchored(&self) -> bool {
        self.anchor.borrow().is_some()
    }
}

/// Keeps `node`'s clock anchored while it leads and unanchored otherwise. Stops when the node
/// is dropped.
pub(super) async fn keep(node: Weak<Node>) {
    let Some(mut metrics) = node.upgrade().map(|n| n.raft.metrics()) else {
        return;
    };
    loop {
        let Some(n) = node.upgrade() else {
            return;
        };
        let leading = {
            let m = metrics.borrow_and_update();
            (m.state == ServerState::Leader && m.current_leader == Some(n.id))
                .then_some(m.current_term)
        };
        match leading {
            Some(term) if n.clock.term() != Some(term) => {
                n.clock.clear();
                anchor(&n, term).await;
            }
            Some(_) => {}
            None => n.clock.clear(),
        }
        drop(n);
        if metrics.changed().await.is_err() {
            return;
        }
    }
}

/// Anchors `node`'s clock for `term`, trying until a majority of voters' clocks agree or the
/// node no longer leads in `term`.
async fn anchor(node: &Node, term: u64) {
    let mut attempts = 0u32;
    loop {
        let (voter_count, voters) = {
            let m = node.raft.metrics().borrow().clone();
            if m.state != ServerState::Leader || m.current_term != term {
                return;
            }
            let all = super::voter_addrs(&m);
            let count = all.len();
            let others: Vec<(u64, String)> =
                all.into_iter().filter(|(id, _)| *id != node.id).collect();
            (count, others)
        };
        let mut asks = JoinSet::new();
        for (_, addr) in voters {
            let peers = node.peers.clone();
            asks.spawn(async move {
                // The reading with the shortest round trip of a few: the least to guess.
                let mut best: Option<(u64, Instant, Instant)> = None;
                for _ in 0..SAMPLES {
                    let sent = Instant::now();
                    let Ok(status) = peers.status(&addr, READING_TIMEOUT).await else {
                        break;
                    };
                    let Some(ms) = status.wall_ms else { break };
                    let got = Instant::now();
                    if best.is_none_or(|(_, s, g)| got - sent < g - s) {
                        best = Some((ms, sent, got));
                    }
                }
                best
            });
        }
        // Anchor as soon as the answers so far settle it: a dead voter's silence is not
        // waited for.
        let mut answers: Vec<(u64, Instant, Instant)> = Vec::new();
        let readings = loop {
            let at = Instant::now();
            let readings = readings_at(&answers, at);
            if let Some(ms) = agree(&readings, voter_count, node.clock.max_skew_ms) {
                let own = readings[0].ms;
                if own.abs_diff(ms) > node.clock.max_skew_ms {
                    warn!(
                        term,
                        own_ms = own,
                        agreed_ms = ms,
                        "this node's clock is off by more than max-clock-skew-ms from the \
                         time a majority of the cluster agrees on: leading on the agreed time"
                    );
                }
                node.clock.anchor(term, ms, at);
                return;
            }
            match asks.join_next().await {
                Some(Ok(Some(answer))) => answers.push(answer),
                Some(_) => {}
                None => break readings,
            }
        };
        attempts += 1;
        if attempts == 10 {
            warn!(
                term,
                ?readings,
                "no majority of the voters' clocks agrees within max-clock-skew-ms: this \
                 leader proposes nothing until one does"
            );
        } else if attempts == 1 {
            info!(term, ?readings, "voters' clocks disagree; asking again");
        }
        tokio::time::sleep(RETRY).await;
    }
}

/// This node's wall clock and the voters' `answers` (reading, sent, answered), as readings at
/// `at`: a voter's is taken to be from the middle of its round trip.
fn readings_at(answers: &[(u64, Instant, Instant)], at: Instant) -> Vec<Reading> {
    let mut readings = vec![Reading {
        ms: wall_ms(),
        uncertainty_ms: 0,
    }];
    for &(ms, sent, got) in answers {
        let rtt = got.duration_since(sent).as_millis() as u64;
        let since = at.duration_since(got).as_millis() as u64;
        readings.push(Reading {
            ms: ms + rtt / 2 + since,
            uncertainty_ms: rtt / 2 + 1,
        });
    }
    readings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(ms: u64, uncertainty_ms: u64) -> Reading {
        Reading { ms, uncertainty_ms }
    }

    #[test]
    fn a_majority_outvotes_one_clock_far_ahead_or_behind() {
        let t = 1_700_000_000_000;
        for bad in [t + 60_000, t - 60_000, t + 5_000, t - 5_000] {
            let got = agree(&[r(bad, 0), r(t, 2), r(t + 3, 1)], 3, 100).expect("agreement");
            assert!(got.abs_diff(t) <= 60, "{got} vs {t} (bad clock {bad})");
        }
    }

    #[test]
    fn two_clocks_of_three_that_disagree_settle_nothing() {
        let t = 1_700_000_000_000;
        assert_eq!(agree(&[r(t + 60_000, 0), r(t, 1)], 3, 100), None);
        assert!(agree(&[r(t + 40, 0), r(t, 1)], 3, 100).is_some());
    }

    #[test]
    fn a_single_node_cluster_trusts_its_own_clock() {
        assert_eq!(agree(&[r(5_000, 0)], 1, 100), Some(5_000));
    }

    #[test]
    fn agreement_needs_a_majority_of_voters_not_of_answers() {
        let t = 1_000_000;
        assert_eq!(agree(&[r(t, 0), r(t, 0)], 5, 100), None);
        assert!(agree(&[r(t, 0), r(t, 0), r(t + 10, 3)], 5, 100).is_some());
    }

    #[test]
    fn an_anchored_clock_clamps_a_wall_clock_far_off() {
        let clock = Clock::new(100);
        let wall = wall_ms();
        clock.anchor(3, wall - 60_000, Instant::now());
        let now = clock.now();
        assert!(now >= wall - 60_000 && now <= wall - 60_000 + 150, "{now}");
        clock.anchor(4, wall + 60_000, Instant::now());
        let now = clock.now();
        assert!(now >= wall + 60_000 && now <= wall + 60_050, "{now}");
        // A wall clock a little ahead is followed; one far ahead is ignored.
        clock.anchor(5, wall - 50, Instant::now());
        assert!(clock.now() >= wall && clock.now() <= wall + 50);
        clock.anchor(6, wall - 5_000, Instant::now());
        assert!(clock.now() <= wall - 4_950, "{}", clock.now());
        assert_eq!(clock.term(), Some(6));
        clock.clear();
        assert!(clock.now().abs_diff(wall_ms()) < 50);
        assert!(!clock.is_anchored());
    }
}
