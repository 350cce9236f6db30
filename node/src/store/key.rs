//! Keys: binary bytes plus a fixed hash that orders them.

use std::cmp::Ordering;
use std::fmt;
use std::ptr::NonNull;

use equivalent::{Comparable, Equivalent};

/// A key as stored in the keyspace: 16 bytes holding its order hash, its length and a pointer
/// to its bytes in one exact-size allocation; ordered by (hash, bytes).
///
/// The order hash is the top 32 bits of xxh3-64 with no seed: the same on every node and every
/// run, which is what makes SCAN cursors and iteration order replica-independent. Never use a
/// per-process random hasher in `store/`. The hash sits in the handle, beside the pointer, so
/// a B-tree search compares hashes in the node it is reading and follows a pointer only when
/// hashes are equal: one cache miss per key compared was 8% of a node's CPU under SET. The
/// allocation holds the bytes alone, so a key of up to 16 bytes is in jemalloc's 16-byte class
/// (Redis's sds header allows 13). Keys that share a hash are told apart by their bytes, and
/// SCAN never ends a page inside such a run.
pub struct Key {
    /// The bytes; for a key of `LONG` bytes or more, an 8-byte little-endian length first.
    ptr: NonNull<u8>,
    len: u32,
    hash: u32,
}

/// `Key::len` of a key whose length does not fit in it (4 GiB or more, possible only when
/// `proto-max-bulk-len` is raised that far): the length is then in front of the bytes. Unit
/// tests lower it so that keys of 64 bytes and more take that path.
const LONG: u32 = if cfg!(test) { 64 } else { u32::MAX };

const _: () = assert!(std::mem::size_of::<Key>() == 16);

// SAFETY: a Key owns its allocation outright, like the `Box<[u8]>` it was made from, and never
// mutates it.
unsafe impl Send for Key {}
unsafe impl Sync for Key {}

impl Key {
    /// A key to store: copies the bytes into their own allocation, so a stored key never pins
    /// the network buffer it was parsed from.
    pub fn new(bytes: &[u8]) -> Key {
        Key::with_hash(bytes, order_hash(bytes))
    }

    fn with_hash(bytes: &[u8], hash: u32) -> Key {
        let (buf, len): (Box<[u8]>, u32) = match u32::try_from(bytes.len()) {
            Ok(len) if len < LONG => (bytes.into(), len),
            _ => {
                let mut buf = Vec::with_capacity(8 + bytes.len());
                buf.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
                buf.extend_from_slice(bytes);
                (buf.into_boxed_slice(), LONG)
            }
        };
        Key {
            ptr: NonNull::from(Box::leak(buf)).cast::<u8>(),
            len,
            hash,
        }
    }

    /// The order hash: a position in hash space, below 2^32.
    pub fn hash(&self) -> u64 {
        u64::from(self.hash)
    }

    pub fn bytes(&self) -> &[u8] {
        let all = self.allocation();
        if self.len == LONG { &all[8..] } else { all }
    }

    /// The whole allocation, as `with_hash` leaked it.
    fn allocation(&self) -> &[u8] {
        let len = if self.len == LONG {
            // SAFETY: a long key's allocation starts with its 8-byte length.
            let head = unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), 8) };
            let mut n = [0u8; 8];
            n.copy_from_slice(head);
            8 + u64::from_le_bytes(n) as usize
        } else {
            self.len as usize
        };
        // SAFETY: `ptr` points to `len` initialized bytes owned by this key (see `with_hash`).
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), len) }
    }
}

impl Drop for Key {
    fn drop(&mut self) {
        let len = self.allocation().len();
        // SAFETY: `ptr` and `len` are those of the `Box<[u8]>` leaked in `with_hash`, and the
        // key is dropped once.
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(self.ptr.as_ptr(), len)) });
    }
}

impl Clone for Key {
    fn clone(&self) -> Key {
        Key::with_hash(self.bytes(), self.hash)
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.hash == other.hash && self.bytes() == other.bytes()
    }
}

impl Eq for Key {}

impl Ord for Key {
    fn cmp(&self, other: &Key) -> Ordering {
        self.hash
            .cmp(&other.hash)
            .then_with(|| self.bytes().cmp(other.bytes()))
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Key) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Key({:08x}, {:?})",
            self.hash,
            self.bytes().escape_ascii().to_string()
        )
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
    fn keys_of_every_length_keep_their_bytes_through_clone_and_drop() {
        let long = vec![7u8; 200];
        for bytes in [
            &b""[..],
            b"a",
            b"sixteen-bytes-xx",
            &long[..63],
            &long[..64],
            &long,
        ] {
            let key = Key::new(bytes);
            let copy = key.clone();
            drop(key);
            assert_eq!(copy.bytes(), bytes);
            assert_eq!(copy.hash(), hash(bytes) >> 32);
            assert_eq!(copy, Key::new(bytes));
        }
        assert_ne!(Key::new(&long[..64]), Key::new(&long[..65]));
    }

    #[test]
    fn stored_order_is_hash_then_bytes_and_probes_agree() {
        let long = [b'x'; 100];
        let mut keys: Vec<Key> = [&b"a"[..], b"b", b"", b"key:1", b"\xff\x00", &long]
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
