//! redraft's protobuf messages and gRPC services, generated from `proto/raft.proto` at build
//! time. Depends on nothing else in the workspace.

/// Version 1 of the inter-node protocol.
pub mod v1 {
    tonic::include_proto!("redraft.v1");

    /// gRPC metadata key on every Raft RPC: the node id the sender means to reach.
    pub const TARGET_NODE_ID: &str = "x-redraft-target-node-id";
    /// gRPC metadata key on every Raft RPC: the incarnation of the node the sender means to
    /// reach (from the NodeInfo in its membership).
    pub const TARGET_INCARNATION: &str = "x-redraft-target-incarnation";
    /// gRPC metadata key on an Admin error from a node that is not the leader: the leader's
    /// node id, when known.
    pub const LEADER_ID: &str = "x-redraft-leader-id";
}
