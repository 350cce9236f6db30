//! The harness must catch bad behaviour: a cluster whose followers answer reads from their own
//! state (`stale-reads yes`, documented as not linearizable) fails a short partition run,
//! and the same run against a correct cluster passes.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use redraft_chaos::nemesis::Fault;
use redraft_chaos::run::{BackendKind, Settings, run};
use redraft_chaos::workload::Workload;

/// One cluster at a time: the machine is small.
static SERIAL: Mutex<()> = Mutex::new(());

fn redraft_bin() -> PathBuf {
    if let Ok(path) = std::env::var("REDRAFT_BIN") {
        return PathBuf::from(path);
    }
    // target/<triple>/release/deps/<test> → target/<triple>/release/redraft
    let exe = std::env::current_exe().expect("test executable path");
    exe.parent()
        .and_then(|deps| deps.parent())
        .expect("target directory")
        .join("redraft")
}

fn settings(node_args: &[&str]) -> Settings {
    Settings {
        bin: redraft_bin(),
        backend: BackendKind::Local,
        nodes: 3,
        clients: 10,
        workload: Workload::Register,
        faults: vec![Fault::Partition],
        duration: Duration::from_secs(12),
        seed: 3,
        node_args: node_args.iter().map(|s| s.to_string()).collect(),
        interval: Duration::from_secs(2),
        hold: Duration::from_secs(3),
        check_budget: Duration::from_secs(20),
        keep: false,
        cycle: false,
    }
}

#[test]
fn reads_without_a_read_index_are_flagged() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let report = run(&settings(&["--stale-reads", "yes"])).expect("run");
    assert!(
        report.failed(),
        "stale reads went unnoticed:\n{}",
        report.markdown()
    );
    assert!(
        report
            .violations
            .iter()
            .all(|v| v.checker == "linearizability" && !v.witness.is_empty())
    );
}

#[test]
fn a_correct_cluster_passes_the_same_run() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let report = run(&settings(&[])).expect("run");
    assert!(!report.failed(), "{}", report.markdown());
    assert!(report.faults_injected >= 1);
    assert!(report.outcomes.get("ok").copied().unwrap_or(0) > 1000);
}

/// Regression scenario (found by the clock fault, which restarts nodes at once): a leader
/// killed and restarted within an election timeout. Twice this showed stale reads (7 keys in
/// a 120 s clock run, 2 in a 40 s run of this scenario, once more in CI at a011599): openraft
/// restores a restarted leader in the same term, with a log that may miss entries it had
/// acknowledged without flushing them itself and a commit index below what it acknowledged.
/// A restarted leader now starts as a follower (`SledLogStore::forget_own_leadership`). It
/// does not reproduce on every run: passing is weak evidence.
#[test]
fn a_leader_restarted_at_once_serves_no_stale_reads() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut s = settings(&[]);
    s.faults = vec![Fault::Kill];
    s.duration = Duration::from_secs(30);
    s.interval = Duration::from_secs(2);
    s.hold = Duration::from_millis(100);
    s.seed = 5;
    let report = run(&s).expect("run");
    assert!(report.faults_injected >= 5);
    assert!(!report.failed(), "{}", report.markdown());
}
