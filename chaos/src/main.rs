//! `redraft-chaos`: runs a workload against a local redraft cluster while injecting faults,
//! checks the history, writes the report, and exits non-zero on any violation.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::Parser;
use redraft_chaos::nemesis::Fault;
use redraft_chaos::run::{BackendKind, Settings, run};
use redraft_chaos::workload::Workload;

#[derive(Parser)]
#[command(
    name = "redraft-chaos",
    about = "Fault injection and history checking for redraft"
)]
struct Cli {
    /// The redraft binary (default: $REDRAFT_BIN, else beside this one).
    #[arg(long)]
    bin: Option<PathBuf>,
    #[arg(long, default_value_t = 3)]
    nodes: u64,
    /// Run against the docker compose cluster of this deploy/ folder (its image is built from
    /// the binaries beside --bin) instead of local processes.
    #[arg(long)]
    docker: Option<PathBuf>,
    #[arg(long, default_value_t = 10)]
    clients: usize,
    #[arg(long, value_enum, default_value = "register")]
    workload: Workload,
    /// Faults to draw from (comma-separated); none: a fault-free run.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "kill,pause,partition"
    )]
    faults: Vec<Fault>,
    /// Seconds of load.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Mean seconds between faults, and mean seconds a fault lasts.
    #[arg(long, default_value_t = 4.0)]
    interval: f64,
    #[arg(long, default_value_t = 4.0)]
    hold: f64,
    /// Extra flag for every node, repeated (`--node-arg=--stale-reads --node-arg=yes`).
    #[arg(long = "node-arg", allow_hyphen_values = true)]
    node_args: Vec<String>,
    /// Seconds the linearizability search may take per key.
    #[arg(long, default_value_t = 30)]
    check_seconds: u64,
    /// Where report.json and report.md go.
    #[arg(long, default_value = "chaos-report")]
    out: PathBuf,
    /// Take the faults in the order given, each aimed at the leader the first time, instead
    /// of drawing them from the seed.
    #[arg(long)]
    cycle: bool,
    /// Keep the nodes' data and logs.
    #[arg(long)]
    keep: bool,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let bin = match cli
        .bin
        .or_else(|| std::env::var_os("REDRAFT_BIN").map(PathBuf::from))
    {
        Some(b) => b,
        None => std::env::current_exe()?
            .parent()
            .map(|d| d.join("redraft"))
            .unwrap_or_else(|| PathBuf::from("redraft")),
    };
    let backend = match cli.docker {
        Some(deploy) => BackendKind::Compose { deploy },
        None => BackendKind::Local,
    };
    let settings = Settings {
        bin,
        backend,
        nodes: cli.nodes,
        clients: cli.clients,
        workload: cli.workload,
        faults: cli.faults,
        duration: Duration::from_secs(cli.seconds),
        seed: cli.seed,
        node_args: cli.node_args,
        interval: Duration::from_secs_f64(cli.interval),
        hold: Duration::from_secs_f64(cli.hold),
        check_budget: Duration::from_secs(cli.check_seconds),
        keep: cli.keep,
        cycle: cli.cycle,
    };
    let report = run(&settings)?;
    std::fs::create_dir_all(&cli.out)?;
    std::fs::write(
        cli.out.join("report.json"),
        serde_json::to_string_pretty(&report)?,
    )?;
    let md = report.markdown();
    std::fs::write(cli.out.join("report.md"), &md)?;
    println!("{md}");
    if report.failed() {
        eprintln!(
            "VIOLATIONS FOUND: see {}",
            cli.out.join("report.md").display()
        );
        std::process::exit(1);
    }
    Ok(())
}
