//! `--restore FILE`: the offline restore flow. Started on an empty data directory, the node
//! checks FILE before anything else (a damaged file stops startup, nothing changed), joins or
//! forms its cluster as usual, and once there is a leader runs RAFT.RESTORE FILE, so the file
//! becomes the replicated data of the whole cluster. A failure stops the node with the error.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use tracing::{info, warn};

use crate::cmd::cluster_view::AdminOp;
use crate::config::Config;
use crate::raft::Node;

/// Checks that `--restore FILE` can run: the data directory holds no Raft log (restoring
/// over a node's state would throw it away: RAFT.RESTORE does that on purpose, online), and
/// the file is readable and sound. When FILE is this node's own snapshot file (the user put
/// a `dump.rdb` in place), it is renamed aside first, so the node starts empty. Returns the
/// file to restore.
pub fn prepare(config: &Config, file: &Path) -> Result<PathBuf> {
    let raft_dir = config.dir.join("raft");
    if crate::raft::has_state_at(&config.dir)? {
        bail!(
            "--restore {}: this node already has a raft log in {}; --restore is for empty data \
             directories (remove the flag to start it as it is, or restore online with \
             RAFT.RESTORE {})",
            file.display(),
            raft_dir.display(),
            file.display()
        );
    }
    crate::raft::restore_check(file, config.databases).map_err(anyhow::Error::msg)?;
    let own = config.dir.join(&config.dbfilename);
    let same = |a: &Path, b: &Path| match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same(file, &own) {
        return Ok(file.to_path_buf());
    }
    let aside = own.with_file_name(format!("{}.restore", config.dbfilename));
    std::fs::rename(&own, &aside)
        .with_context(|| format!("cannot move {} to {}", own.display(), aside.display()))?;
    info!(from = %own.display(), to = %aside.display(), "moved the file to restore aside");
    Ok(aside)
}

/// Runs RAFT.RESTORE `file` once the cluster has a leader; on failure, sends the error that
/// stops the server.
pub async fn run(
    node: Arc<Node>,
    file: PathBuf,
    failed: tokio::sync::oneshot::Sender<anyhow::Error>,
) {
    let op = AdminOp::Restore {
        path: file.display().to_string(),
    };
    loop {
        match node.admin(op.clone(), &[]).await {
            Ok(_) => {
                info!(file = %file.display(), "--restore done: the file is the cluster's data");
                return;
            }
            // No leader yet (the cluster is forming): the flush was not proposed; wait.
            Err(e) if e.starts_with("TRYAGAIN") || e.contains("failed after 0 of") => {
                warn!(error = %e, "--restore waits for a leader");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(e) => {
                let _ = failed.send(anyhow::anyhow!("--restore {} failed: {e}", file.display()));
                return;
            }
        }
    }
}
