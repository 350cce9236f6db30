//! One chaos run: start the cluster, run a workload's clients and the nemesis side by side,
//! heal, read the final state, check the history and write the report.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use crate::check::accounts::{Tally, check_queue, check_sessions, check_set};
use crate::check::linear::{Model, Operation, Verdict, check};
use crate::check::models::{Counter, Register};
use crate::client::{Link, as_strings, cmd};
use crate::cluster::{Backend, Local};
use crate::compose::Compose;
use crate::history::{Call, Op, Outcome, Recorder, Reply};
use crate::nemesis::{Fault, Nemesis, Shared, leader, raft_field};
use crate::report::{Report, Violation};
use crate::workload::{KEYS, Worker, Workload, key};
use redraft_client::{Cmd, Value};

/// Everything a run is made of.
#[derive(Clone, Debug)]
pub struct Settings {
    pub bin: PathBuf,
    /// Where the cluster runs.
    pub backend: BackendKind,
    pub nodes: u64,
    pub clients: usize,
    pub workload: Workload,
    pub faults: Vec<Fault>,
    pub duration: Duration,
    pub seed: u64,
    /// Extra flags for every node (`--stale-reads yes` for the self-check).
    pub node_args: Vec<String>,
    pub interval: Duration,
    pub hold: Duration,
    /// Search budget per key.
    pub check_budget: Duration,
    pub keep: bool,
    /// Faults in order, the leader first (see [`Nemesis::cycle`]).
    pub cycle: bool,
}

/// Local processes, or the docker compose cluster of the project's `deploy/` folder.
#[derive(Clone, Debug)]
pub enum BackendKind {
    Local,
    Compose { deploy: PathBuf },
}

fn start_cluster(s: &Settings) -> Result<Box<dyn Backend>> {
    match &s.backend {
        BackendKind::Local => {
            let local = Local::start(s.bin.clone(), s.nodes, s.node_args.clone(), s.keep)?;
            eprintln!("cluster of {} nodes in {}", s.nodes, local.root().display());
            Ok(Box::new(local))
        }
        BackendKind::Compose { deploy } => {
            if s.nodes != 3 || !s.node_args.is_empty() || s.faults.contains(&Fault::Clock) {
                bail!(
                    "the docker backend runs the compose file's three nodes with its flags: \
                     no --nodes, --node-arg or clock fault"
                );
            }
            let bin_dir = s.bin.parent().map(PathBuf::from).unwrap_or_default();
            let compose = Compose::start(deploy, &bin_dir, s.keep)?;
            eprintln!(
                "docker compose cluster, data in {}",
                compose.root().display()
            );
            Ok(Box::new(compose))
        }
    }
}

pub fn run(s: &Settings) -> Result<Report> {
    let cluster: Shared = Arc::new(Mutex::new(start_cluster(s)?));
    wait_leader(&cluster, Duration::from_secs(30))?;
    let rec = Arc::new(Recorder::new());
    let until = Instant::now() + s.duration;
    let ids = cluster.lock().map(|c| c.ids()).unwrap_or_default();
    let mut workers = Vec::new();
    for i in 0..s.clients {
        let node = ids[i % ids.len()];
        let addr = cluster
            .lock()
            .map(|c| c.client_addr(node))
            .unwrap_or_default();
        let mut w = Worker::new(i, node, addr, rec.clone(), s.seed);
        let workload = s.workload;
        workers.push(std::thread::spawn(move || w.run(workload, until)));
    }
    let mut nemesis = Nemesis::new(cluster.clone(), rec.clone(), s.faults.clone(), s.seed);
    nemesis.interval = s.interval;
    nemesis.hold = s.hold;
    nemesis.cycle = s.cycle;
    nemesis.run(until);
    for w in workers {
        let _ = w.join();
    }
    heal_all(&cluster, &rec)?;
    let ops = rec.ops();
    let mut report = Report::default();
    report
        .settings
        .insert("workload".into(), format!("{:?}", s.workload));
    report
        .settings
        .insert("faults".into(), format!("{:?}", s.faults));
    report.settings.insert("seed".into(), s.seed.to_string());
    report
        .settings
        .insert("faults in order".into(), s.cycle.to_string());
    report
        .settings
        .insert("duration".into(), format!("{:?}", s.duration));
    report.settings.insert("nodes".into(), s.nodes.to_string());
    report
        .settings
        .insert("backend".into(), format!("{:?}", s.backend));
    report
        .settings
        .insert("clients".into(), s.clients.to_string());
    report
        .settings
        .insert("node flags".into(), s.node_args.join(" "));
    report.faults_injected = nemesis.injected;
    report.summarise(&ops, 1.0);
    match s.workload {
        Workload::Register => linear_keys(&mut report, &ops, &Register, s),
        Workload::Counter => linear_keys(&mut report, &ops, &Counter, s),
        Workload::Set => check_sets(&mut report, &ops, &cluster)?,
        Workload::Queue => check_queues(&mut report, &ops, &cluster)?,
        Workload::Session => {
            let (n, errors) = check_sessions(&ops, 20, |ns| rec.wall_ms(ns));
            report.sessions_checked = n;
            for e in &errors {
                report.violations.push(Violation {
                    checker: "session".into(),
                    key: e.key.clone(),
                    what: e.problem.clone(),
                    witness: vec![e.setex.clone(), e.get.clone()],
                });
            }
            report.session_errors = errors;
        }
    }
    report.events = rec.events();
    Ok(report)
}

fn wait_leader(cluster: &Shared, timeout: Duration) -> Result<u64> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Some(id) = leader(cluster) {
            return Ok(id);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    // Say what each node thinks, to tell a cluster that cannot elect from nodes that do not
    // answer.
    let ids = cluster.lock().map(|c| c.ids()).unwrap_or_default();
    let states: Vec<String> = ids
        .into_iter()
        .map(|id| {
            let field = |f| raft_field(cluster, id, f).unwrap_or_else(|| "?".into());
            format!(
                "node {id}: role {}, term {}, leader {}, last log {}, applied {}, members {}",
                field("raft_role"),
                field("raft_term"),
                field("raft_leader_id"),
                field("raft_last_log_index"),
                field("raft_applied_index"),
                field("raft_members")
            )
        })
        .collect();
    bail!("no leader within {timeout:?} ({})", states.join("; "))
}

/// Heals partitions, resumes and restarts every node, and waits for a leader.
fn heal_all(cluster: &Shared, rec: &Recorder) -> Result<()> {
    if let Ok(mut c) = cluster.lock() {
        c.heal();
        for id in c.ids() {
            c.resume(id);
            if !c.is_up(id) {
                c.start(id, &[])?;
            }
        }
    }
    rec.event("healed everything");
    wait_leader(cluster, Duration::from_secs(30))?;
    Ok(())
}

/// Checks each key's history for linearizability.
fn linear_keys<M: Model<Input = Call, Output = Reply>>(
    report: &mut Report,
    ops: &[Op],
    model: &M,
    s: &Settings,
) {
    let keys: std::collections::BTreeSet<&str> = ops.iter().map(|o| o.key.as_str()).collect();
    let (mut good, mut slowest) = (0, Duration::ZERO);
    for name in keys {
        let mine: Vec<&Op> = ops
            .iter()
            .filter(|o| o.key == name && o.outcome != Outcome::Fail)
            .collect();
        let history: Vec<Operation<Call, Reply>> = mine
            .iter()
            .map(|o| Operation {
                input: o.call.clone(),
                output: (o.outcome == Outcome::Ok).then(|| o.reply.clone()),
                call: o.invoke_ns,
                ret: o.complete_ns,
            })
            .collect();
        let started = Instant::now();
        let verdict = check(model, &history, s.check_budget);
        slowest = slowest.max(started.elapsed());
        let text = match &verdict {
            Verdict::Linearizable => {
                good += 1;
                continue;
            }
            Verdict::Unknown => format!(
                "unknown: search exceeded {:?} ({} ops)",
                s.check_budget,
                history.len()
            ),
            Verdict::Violation { .. } => format!("NOT linearizable ({} ops)", history.len()),
        };
        eprintln!("{name}: {text}");
        report.verdicts.insert(name.to_string(), text);
        report
            .unproven
            .insert(name.to_string(), mine.iter().map(|&o| o.clone()).collect());
        if let Verdict::Violation { witness } = verdict {
            report.violations.push(Violation {
                checker: "linearizability".into(),
                key: name.to_string(),
                what: "no linearization exists; the last operation cannot follow the others".into(),
                witness: witness.iter().map(|&i| mine[i].clone()).collect(),
            });
        }
    }
    report.verdicts.insert(
        "(all other keys)".to_string(),
        format!("{good} keys linearizable; slowest check {slowest:.2?}"),
    );
}

/// Runs `cmd` on node `id` directly, retrying for up to 30 s.
fn read_final(cluster: &Shared, id: u64, cmds: &[Cmd]) -> Result<Value> {
    let addr = cluster.lock().map(|c| c.admin_addr(id)).unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = Link::connect(&addr)
            .map_err(|e| e.to_string())
            .and_then(|mut link| {
                let mut last = Value::Nil;
                for command in cmds {
                    last = link.query(command)?;
                }
                Ok(last)
            });
        match r {
            Ok(v) => return Ok(v),
            Err(e) if Instant::now() > deadline => bail!("final read on node {id}: {e}"),
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    }
}

fn add_tally(report: &mut Report, checker: &str, name: String, t: Tally) {
    report.lost_acknowledged += t.lost.len();
    report.duplicated += t.duplicated.len();
    if !t.ok() {
        report.violations.push(Violation {
            checker: checker.into(),
            key: name.clone(),
            what: format!(
                "lost {:?}, duplicated {:?}, unexpected {:?}, diverged nodes {:?}",
                t.lost.iter().take(5).collect::<Vec<_>>(),
                t.duplicated.iter().take(5).collect::<Vec<_>>(),
                t.unexpected.iter().take(5).collect::<Vec<_>>(),
                t.diverged_nodes
            ),
            witness: Vec::new(),
        });
    }
    report.verdicts.insert(
        name.clone(),
        format!(
            "{} acknowledged, {} indeterminate, {} lost, {} duplicated, {} unexpected",
            t.acknowledged,
            t.indeterminate,
            t.lost.len(),
            t.duplicated.len(),
            t.unexpected.len()
        ),
    );
    report.tallies.insert(name, t);
}

/// Every acknowledged SADD must be in the final set, read linearizably and on every node.
fn check_sets(report: &mut Report, ops: &[Op], cluster: &Shared) -> Result<()> {
    let ids = cluster.lock().map(|c| c.ids()).unwrap_or_default();
    for k in 0..KEYS {
        let name = key(Workload::Set, k);
        let smembers = cmd("SMEMBERS").arg(&name);
        let final_read: HashSet<String> = as_strings(&read_final(
            cluster,
            ids[0],
            std::slice::from_ref(&smembers),
        )?)
        .into_iter()
        .collect();
        // Each node's own state, once it has applied everything (READONLY: local reads).
        let mut per_node = Vec::new();
        for &id in &ids {
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                let v = read_final(cluster, id, &[cmd("READONLY"), smembers.clone()])?;
                let local: HashSet<String> = as_strings(&v).into_iter().collect();
                if local == final_read || Instant::now() > deadline {
                    per_node.push((id, local));
                    break;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        }
        let mine: Vec<Op> = ops.iter().filter(|o| o.key == name).cloned().collect();
        add_tally(
            report,
            "set",
            name,
            check_set(&mine, &final_read, &per_node),
        );
    }
    Ok(())
}

/// Every acknowledged LPUSH must be popped once or still queued.
fn check_queues(report: &mut Report, ops: &[Op], cluster: &Shared) -> Result<()> {
    let ids = cluster.lock().map(|c| c.ids()).unwrap_or_default();
    for k in 0..KEYS {
        let name = key(Workload::Queue, k);
        let v = read_final(cluster, ids[0], &[cmd("LRANGE").arg(&name).arg(0).arg(-1)])?;
        let remaining = as_strings(&v);
        let mine: Vec<Op> = ops.iter().filter(|o| o.key == name).cloned().collect();
        add_tally(report, "queue", name, check_queue(&mine, &remaining));
    }
    Ok(())
}
