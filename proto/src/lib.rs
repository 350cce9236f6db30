//! redraft's protobuf messages and gRPC services, generated from `proto/raft.proto` at build
//! time. Depends on nothing else in the workspace.

/// Version 1 of the inter-node protocol.
pub mod v1 {
    tonic::include_proto!("redraft.v1");
}
