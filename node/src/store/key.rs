//! Keys: binary bytes plus a fixed hash that orders them.

use std::cmp::Ordering;

use equivalent::{Comparable, Equivalent};

/// A key as stored in the keyspace: its order hash (4 bytes, big-endian) followed by its bytes,
/// in one exact-size allocation, ordered by (hash, bytes).
///
/// The order hash is the top 32 bits of xxh3-64 with no seed: the same on every node and every
/// run, which is what makes SCAN cursors and iteration order replica-independent. Never use a
/// per-process random hasher in `store/`. Because the hash is stored big-endian in front,
/// comparing two buffers as bytes is comparing (hash, bytes). Four bytes rather than eight keep
/// a key of up to 12 bytes in jemalloc's 16-byte class, as Redis's sds header does; keys that
/// share a hash are still told apart by their bytes, and SCAN never ends a page inside such a
/// run.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key(Box<[u8]>);

impl Key {
    /// A key to store: copies the bytes into their own allocation, so a stored key never pins
    /// the network buffer it was parsed from.
    pub fn new(bytes: &[u8]) -> Key {
        let mut buf = Vec::with_capacity(PREFIX + bytes.len());
        buf.extend_from_slice(&order_hash(bytes).to_be_bytes());
        buf.extend_from_slice(bytes);
        Key(buf.into_boxed_slice())
    }

    /// The order hash: a position in hash space, below 2^32.
    pub fn hash(&self) -> u64 {
        let mut prefix = [0u8; PREFIX];
        prefix.copy_from_slice(&self.0[..PREFIX]);
        u64::from(u32::from_be_bytes(prefix))
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0[PREFIX..]
    }
}

/// A key to look up, borrowing the caller's bytes: no allocation, no reference count.
#[derive(Clone, Copy, Debug)]
pub struct Probe<'a> {
    hash: u64,
    bytes: &'a [u8],
}

impl<'a> Probe<'a> {
    pub fn new(bytes: &'a [u8]) -> Probe<'a> {
        Probe {
            hash: u64::from(order_hash(bytes)),
            bytes,
        }
    }
}

impl Probe<'static> {
    /// The position before every key of hash `hash` (for cursors and random picks); past every
    /// key from 2^32 on.
    pub fn position(hash: u64) -> Probe<'static> {
        Probe { hash, bytes: &[] }
    }
}

impl Equivalent<Key> for Probe<'_> {
    fn equivalent(&self, key: &Key) -> bool {
        self.hash == key.hash() && self.bytes == key.bytes()
    }
}

impl Comparable<Key> for Probe<'_> {
    fn compare(&self, key: &Key) -> Ordering {
        self.hash
            .cmp(&key.hash())
            .then_with(|| self.bytes.cmp(key.bytes()))
    }
}

/// Bytes of the order hash in front of a stored key.
const PREFIX: usize = 4;

/// Positions in the keyspace's hash space: every [`Key::hash`] is below this.
pub const HASH_SPACE: u64 = 1 << 32;

/// The fixed 64-bit hash (xxh3-64, no seed): the keyspace orders keys by its top 32 bits;
/// hashes and sets order their fields and members by all of it.
pub fn hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// The hash that orders keys in the keyspace.
fn order_hash(bytes: &[u8]) -> u32 {
    (hash(bytes) >> 32) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_fixed_across_runs() {
        // A change here breaks SCAN cursors across a rolling upgrade: it must never change.
        assert_eq!(hash(b""), 0x2d06800538d394c2);
        assert_eq!(Key::new(b"").hash(), 0x2d068005);
        assert_eq!(Key::new(b"a").bytes(), b"a");
        assert_eq!(Key::new(b"a").hash(), hash(b"a") >> 32);
        assert!(Key::new(b"key:123456").hash() < HASH_SPACE);
    }

    #[test]
    fn stored_order_is_hash_then_bytes_and_probes_agree() {
        let mut keys: Vec<Key> = [&b"a"[..], b"b", b"", b"key:1", b"\xff\x00"]
            .iter()
            .map(|k| Key::new(k))
            .collect();
        keys.sort();
        for w in keys.windows(2) {
            assert!((w[0].hash(), w[0].bytes()) < (w[1].hash(), w[1].bytes()));
        }
        for k in &keys {
            assert_eq!(Probe::new(k.bytes()).compare(k), Ordering::Equal);
            assert!(Probe::new(k.bytes()).equivalent(k));
            // The position sorts before every key of its hash (equal to the empty key).
            assert_ne!(Probe::position(k.hash()).compare(k), Ordering::Greater);
            assert_eq!(Probe::position(k.hash() + 1).compare(k), Ordering::Greater);
            assert_eq!(Probe::position(HASH_SPACE).compare(k), Ordering::Greater);
        }
    }
}
