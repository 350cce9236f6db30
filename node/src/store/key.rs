//! Keys: binary bytes plus a fixed hash that orders them.

use std::cmp::Ordering;

use equivalent::{Comparable, Equivalent};

/// A key as stored in the keyspace: its hash (8 bytes, big-endian) followed by its bytes, in
/// one exact-size allocation, ordered by (hash, bytes).
///
/// The hash is xxh3-64 with no seed: the same on every node and every run, which is what makes
/// SCAN cursors and iteration order replica-independent. Never use a per-process random hasher
/// in `store/`. Because the hash is stored big-endian in front, comparing two buffers as bytes
/// is comparing (hash, bytes).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key(Box<[u8]>);

impl Key {
    /// A key to store: copies the bytes into their own allocation, so a stored key never pins
    /// the network buffer it was parsed from.
    pub fn new(bytes: &[u8]) -> Key {
        let mut buf = Vec::with_capacity(8 + bytes.len());
        buf.extend_from_slice(&hash(bytes).to_be_bytes());
        buf.extend_from_slice(bytes);
        Key(buf.into_boxed_slice())
    }

    pub fn hash(&self) -> u64 {
        let mut prefix = [0u8; 8];
        prefix.copy_from_slice(&self.0[..8]);
        u64::from_be_bytes(prefix)
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0[8..]
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
            hash: hash(bytes),
            bytes,
        }
    }
}

impl Probe<'static> {
    /// The position before every key of hash `hash` (for cursors and random picks).
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

/// The fixed hash that orders keys.
pub fn hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_fixed_across_runs() {
        // A change here breaks SCAN cursors across a rolling upgrade: it must never change.
        assert_eq!(hash(b""), 0x2d06800538d394c2);
        assert_eq!(Key::new(b"a").bytes(), b"a");
        assert_eq!(Key::new(b"a").hash(), hash(b"a"));
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
        }
    }
}
