//! The client side of RESP: encoding requests, decoding replies (RESP2 and RESP3).
//!
//! Pure functions over byte slices; no I/O and nothing from the server crate.

mod decode;
mod encode;

pub use decode::{MAX_BULK_LEN, MAX_DEPTH, ProtocolError, decode};
pub use encode::{encode_command, encode_to_bytes};
