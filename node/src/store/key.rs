//! Keys: binary bytes plus a fixed hash that orders them.

use bytes::Bytes;
use std::cmp::Ordering;

/// A key as stored in the keyspace, ordered by (hash, bytes).
///
/// The hash is xxh3-64 with no seed: the same on every node and every run, which is what makes
/// SCAN cursors and iteration order replica-independent. Never use a per-process random hasher
/// in `store/`.
#[derive(Clone, Debug)]
pub struct Key {
    hash: u64,
    bytes: Bytes,
}

impl Key {
    /// A key for lookups: shares `bytes` without copying.
    pub fn lookup(bytes: &Bytes) -> Key {
        Key {
            hash: hash(bytes),
            bytes: bytes.clone(),
        }
    }

    /// A key to store: copies the bytes into their own allocation, so a stored key never pins
    /// the network buffer it was parsed from.
    pub fn owned(bytes: &[u8]) -> Key {
        Key {
            hash: hash(bytes),
            bytes: Bytes::copy_from_slice(bytes),
        }
    }

    /// The smallest key at or after hash position `hash` (for cursors and random picks).
    pub(crate) fn position(hash: u64) -> Key {
        Key {
            hash,
            bytes: Bytes::new(),
        }
    }

    pub fn hash(&self) -> u64 {
        self.hash
    }

    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }
}

/// The fixed hash that orders keys.
pub fn hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.bytes == other.bytes
    }
}

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        self.hash
            .cmp(&other.hash)
            .then_with(|| self.bytes.cmp(&other.bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_fixed_across_runs() {
        // A change here breaks SCAN cursors across a rolling upgrade: it must never change.
        assert_eq!(hash(b""), 0x2d06800538d394c2);
        assert_eq!(Key::owned(b"a"), Key::lookup(&Bytes::from_static(b"a")));
    }

    #[test]
    fn position_sorts_before_every_key_of_that_hash() {
        let k = Key::owned(b"x");
        assert!(Key::position(k.hash()) < k);
        assert!(Key::position(k.hash() + 1) > k);
    }
}
