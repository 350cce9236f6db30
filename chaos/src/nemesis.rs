//! The nemesis: faults on a schedule drawn from a seed, each injected, held, then healed, and
//! every step recorded as an event in the history.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use redraft_client::{Cmd, Value};

use crate::client::{Link, as_string, cmd};
use crate::cluster::Backend;
use crate::history::Recorder;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
pub enum Fault {
    /// kill -9 a random node or the leader, restart it.
    Kill,
    /// SIGSTOP a random node or the leader, SIGCONT it.
    Pause,
    /// Cut a random node or the leader off, both ways.
    Partition,
    /// kill -9 every node, restart them all.
    KillAll,
    /// RAFT.REMOVENODE a node, then RAFT.ADDNODE it back.
    Membership,
    /// Restart a node with its clock moved (`--debug-clock-offset-ms`), then without.
    Clock,
}

pub type Shared = Arc<Mutex<Box<dyn Backend>>>;

/// The `raft_role` and `raft_leader_id` node `id` reports, if it answers.
pub fn raft_field(cluster: &Shared, id: u64, field: &str) -> Option<String> {
    let addr = cluster.lock().ok()?.admin_addr(id);
    let mut link = Link::connect(&addr).ok()?;
    let v = link.query(&cmd("RAFT.INFO")).ok()?;
    let text = as_string(&v)?;
    text.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| *k == field)
        .map(|(_, v)| v.trim().to_string())
}

/// The node that says it leads, if any.
pub fn leader(cluster: &Shared) -> Option<u64> {
    let ids = cluster.lock().ok()?.ids();
    ids.into_iter()
        .find(|&id| raft_field(cluster, id, "raft_role").as_deref() == Some("leader"))
}

/// Runs `cmd` on node `id`'s admin address.
fn admin(cluster: &Shared, id: u64, command: &Cmd) -> Result<Value, String> {
    let addr = cluster.lock().map_err(|e| e.to_string())?.admin_addr(id);
    Link::connect(&addr)
        .map_err(|e| e.to_string())?
        .query(command)
}

pub struct Nemesis {
    pub cluster: Shared,
    pub rec: Arc<Recorder>,
    pub faults: Vec<Fault>,
    pub rng: Xoshiro256PlusPlus,
    /// Quiet time between faults, and how long each lasts.
    pub interval: Duration,
    pub hold: Duration,
    pub injected: usize,
    /// Take the faults in order, each aimed at the leader the first time round (a
    /// reproducible scenario, for CI), instead of drawing them.
    pub cycle: bool,
}

impl Nemesis {
    pub fn new(cluster: Shared, rec: Arc<Recorder>, faults: Vec<Fault>, seed: u64) -> Nemesis {
        Nemesis {
            cluster,
            rec,
            faults,
            rng: Xoshiro256PlusPlus::seed_from_u64(seed),
            interval: Duration::from_secs(4),
            hold: Duration::from_secs(4),
            injected: 0,
            cycle: false,
        }
    }

    fn jitter(&mut self, d: Duration) -> Duration {
        d.mul_f64(self.rng.random_range(0.5..1.5))
    }

    /// A target: the leader half of the time, else any node.
    fn target(&mut self) -> u64 {
        let ids = self.cluster.lock().map(|c| c.ids()).unwrap_or_default();
        let leader_first = self.cycle && self.injected < self.faults.len();
        if (leader_first || self.rng.random_bool(0.5))
            && let Some(l) = leader(&self.cluster)
        {
            return l;
        }
        *ids.choose(&mut self.rng).unwrap_or(&1)
    }

    /// Injects faults until `until`, leaving the cluster healed.
    pub fn run(&mut self, until: Instant) {
        loop {
            let quiet = self.jitter(self.interval);
            let hold = self.jitter(self.hold);
            if Instant::now() + quiet + hold >= until || self.faults.is_empty() {
                break;
            }
            std::thread::sleep(quiet);
            let fault = if self.cycle {
                self.faults[self.injected % self.faults.len()]
            } else {
                *self.faults.choose(&mut self.rng).unwrap_or(&Fault::Kill)
            };
            self.inject(fault, hold);
            self.injected += 1;
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut dyn Backend) -> T) -> Option<T> {
        self.cluster.lock().ok().map(|mut c| f(c.as_mut()))
    }

    fn inject(&mut self, fault: Fault, hold: Duration) {
        let rec = self.rec.clone();
        match fault {
            Fault::Kill => {
                let id = self.target();
                rec.event(format!("kill node {id}"));
                self.with(|c| c.kill(id));
                std::thread::sleep(hold);
                let r = self.with(|c| c.start(id, &[]));
                rec.event(format!("restart node {id}: {r:?}"));
            }
            Fault::Pause => {
                let id = self.target();
                rec.event(format!("pause node {id}"));
                self.with(|c| c.pause(id));
                std::thread::sleep(hold);
                self.with(|c| c.resume(id));
                rec.event(format!("resume node {id}"));
            }
            Fault::Partition => {
                let id = self.target();
                rec.event(format!("isolate node {id}"));
                self.with(|c| c.isolate(&[id]));
                std::thread::sleep(hold);
                self.with(|c| c.heal());
                rec.event(format!("heal partition of node {id}"));
            }
            Fault::KillAll => {
                rec.event("kill all nodes");
                let ids = self.with(|c| c.ids()).unwrap_or_default();
                for &id in &ids {
                    self.with(|c| c.kill(id));
                }
                std::thread::sleep(hold / 2);
                for &id in &ids {
                    let r = self.with(|c| c.start(id, &[]));
                    rec.event(format!("restart node {id}: {r:?}"));
                }
            }
            Fault::Membership => {
                let id = self.target();
                let ids = self.with(|c| c.ids()).unwrap_or_default();
                let Some(&via) = ids.iter().find(|&&n| n != id) else {
                    return;
                };
                let r = admin(&self.cluster, via, &cmd("RAFT.REMOVENODE").arg(id));
                rec.event(format!("RAFT.REMOVENODE {id} via node {via}: {r:?}"));
                std::thread::sleep(hold);
                let addr = self.with(|c| c.raft_addr(id)).unwrap_or_default();
                let deadline = Instant::now() + Duration::from_secs(20);
                loop {
                    let r = admin(&self.cluster, via, &cmd("RAFT.ADDNODE").arg(id).arg(&addr));
                    rec.event(format!("RAFT.ADDNODE {id} {addr} via node {via}: {r:?}"));
                    if r.is_ok() || Instant::now() > deadline {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(500));
                }
            }
            Fault::Clock => {
                let id = self.target();
                let offset: i64 = *[-60_000i64, -5_000, 5_000, 60_000]
                    .choose(&mut self.rng)
                    .unwrap_or(&5_000);
                let args = vec!["--debug-clock-offset-ms".to_string(), offset.to_string()];
                let r = self.with(|c| c.start(id, &args));
                rec.event(format!(
                    "restart node {id} with its clock moved {offset} ms: {r:?}"
                ));
                std::thread::sleep(hold);
                let r = self.with(|c| c.start(id, &[]));
                rec.event(format!("restart node {id} with its clock right: {r:?}"));
            }
        }
    }
}
