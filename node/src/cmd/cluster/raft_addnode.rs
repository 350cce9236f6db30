//! RAFT.ADDNODE: adds a node to the cluster, as a learner that receives the log and then,
//! once it has caught up, as a voter.
//!
//! # Format
//! ```text
//! RAFT.ADDNODE id raft-host:port [LEARNER]
//! ```
//! The node must be running (its address answers); its client address and incarnation are
//! asked from it. With LEARNER it stays a learner (RAFT.PROMOTE makes it a voter later).
//! Runs on the leader (forwarded from any node) and replies `+OK` once done.

use bytes::Bytes;

use super::node_id;
use crate::cmd::cluster_view::AdminOp;
use crate::cmd::{CmdError, Run, Spec, flags};

pub const SPEC: Spec = Spec {
    name: "raft.addnode",
    arity: -3,
    flags: flags::ADMIN | flags::NOSCRIPT | flags::EXTENSION,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Admin(parse),
};

fn parse(args: &[Bytes]) -> Result<AdminOp, CmdError> {
    let id = node_id(&args[1])?;
    let raft_addr = std::str::from_utf8(&args[2])
        .ok()
        .filter(|a| a.contains(':'))
        .ok_or_else(|| CmdError::other("ERR invalid raft address: expected host:port"))?
        .to_string();
    let promote = match args.get(3) {
        None => true,
        Some(a) if a.eq_ignore_ascii_case(b"learner") && args.len() == 4 => false,
        Some(_) => return Err(CmdError::Syntax),
    };
    Ok(AdminOp::AddNode {
        id,
        raft_addr,
        promote,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(items: &[&str]) -> Vec<Bytes> {
        items
            .iter()
            .map(|s| Bytes::copy_from_slice(s.as_bytes()))
            .collect()
    }

    #[test]
    fn parses_learner_and_voter_forms() {
        assert_eq!(
            parse(&argv(&["raft.addnode", "4", "h:7382"])).ok(),
            Some(AdminOp::AddNode {
                id: 4,
                raft_addr: "h:7382".into(),
                promote: true
            })
        );
        assert_eq!(
            parse(&argv(&["raft.addnode", "4", "h:7382", "learner"])).ok(),
            Some(AdminOp::AddNode {
                id: 4,
                raft_addr: "h:7382".into(),
                promote: false
            })
        );
        assert!(parse(&argv(&["raft.addnode", "0", "h:1"])).is_err());
        assert!(parse(&argv(&["raft.addnode", "4", "nohost"])).is_err());
        assert!(parse(&argv(&["raft.addnode", "4", "h:1", "voter"])).is_err());
    }
}
