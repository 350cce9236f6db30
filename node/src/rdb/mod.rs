//! RDB files: the snapshot format (DESIGN.md "Snapshots are RDB").
//!
//! - [`write`] saves a [`Store`](crate::store::Store) as an RDB version 10 file that Redis 7.0
//!   loads: deterministic (the same store and [`Header`] give the same bytes), streaming,
//!   with each value in the RDB type of its in-memory encoding (`encode.rs`);
//! - [`read`] loads any RDB file Redis has written (versions 1 to 12; every string, list, set,
//!   hash and sorted-set encoding) into a new store, verifying the CRC64, and refuses with an
//!   [`RdbError`] naming the offset what it cannot hold (streams, modules) or what is damaged;
//! - [`dump`] and [`restore`] make and read DUMP/RESTORE payloads (one value, Redis's format);
//! - [`crc64`] and [`lzf`] are Redis's checksum and string compression.
//!
//! Depends on `store/` only: no I/O beyond the caller's reader and writer, no clock, no Raft.
//! Building, installing and scheduling snapshots lives above this module.

pub mod crc64;
mod dump;
mod elem;
mod encode;
mod error;
mod format;
mod input;
mod intset;
mod listpack;
mod load;
pub mod lzf;
mod read;
mod sink;
mod write;
mod ziplist;
mod zipmap;

#[cfg(test)]
mod tests;

pub use dump::{dump, restore};
pub use error::RdbError;
pub use format::{MAX_READ_VERSION, RDB_VERSION};
pub use read::{Loaded, read, read_stamped};
pub use write::{Header, REDIS_VER, write};
