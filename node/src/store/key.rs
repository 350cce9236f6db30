//! Keys: binary bytes plus a fixed hash that orders them.

use std::alloc::Layout;
use std::cmp::Ordering;
use std::fmt;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, Ordering as AtomicOrdering, fence};

use equivalent::{Comparable, Equivalent};

/// A key as stored in the keyspace: 16 bytes holding its order hash, its length and a pointer
/// to one shared allocation holding a reference count and the bytes; ordered by (hash, bytes).
///
/// The order hash is the top 32 bits of xxh3-64 with no seed: the same on every node and every
/// run, which is what makes SCAN cursors and iteration order replica-independent. Never use a
/// per-process random hasher in `store/`. The hash sits in the handle, beside the pointer, so
/// a B-tree search compares hashes in the node it is reading and follows a pointer only when
/// hashes are equal: one cache miss per key compared was 8% of a node's CPU under SET. The
/// allocation is a 4-byte count and the bytes, so a key of up to 12 bytes is in jemalloc's
/// 16-byte class (Redis's sds header allows 13). Keys that share a hash are told apart by their
/// bytes, and SCAN never ends a page inside such a run.
///
/// Cloning shares the allocation. The keyspace is a persistent map: while a snapshot holds the
/// previous version, every write copies the node it touches, keys included. With copied keys,
/// a million-key load that snapshotted along the way left the 16-byte class 61% used once the
/// snapshots' nodes were freed (`MEMORY MALLOC-STATS`): holes no later key was sure to fill.
pub struct Key {
    /// The allocation: the reference count, then (for a key of `LONG` bytes or more) an 8-byte
    /// little-endian length, then the bytes.
    ptr: NonNull<u8>,
    len: u32,
    hash: u32,
}

/// `Key::len` of a key whose length does not fit in it (4 GiB or more, possible only when
/// `proto-max-bulk-len` is raised that far): the length is then in front of the bytes. Unit
/// tests lower it so that keys of 64 bytes and more take that path.
const LONG: u32 = if cfg!(test) { 64 } else { u32::MAX };

/// Bytes in front of a key's bytes: the reference count, and a long key's length.
const COUNT: usize = std::mem::size_of::<AtomicU32>();
const LONG_HEAD: usize = COUNT + 8;

/// Above this many references a clone aborts, as `std::sync::Arc` does: only leaked keys could
/// get there, and wrapping would free a key still in use.
const MAX_REFS: u32 = u32::MAX / 2;

const _: () = assert!(std::mem::size_of::<Key>() == 16);

// SAFETY: the bytes are never mutated after `with_hash`, and the reference count is atomic, so
// clones on different threads (a snapshot's nodes are dropped by the thread writing it) are
// safe, as with `Arc<[u8]>`.
unsafe impl Send for Key {}
unsafe impl Sync for Key {}

impl Key {
    /// A key to store: copies the bytes into their own allocation, so a stored key never pins
    /// the network buffer it was parsed from.
    pub fn new(bytes: &[u8]) -> Key {
        Key::with_hash(bytes, order_hash(bytes))
    }

    fn with_hash(bytes: &[u8], hash: u32) -> Key {
        let (head, len) = match u32::try_from(bytes.len()) {
            Ok(len) if len < LONG => (COUNT, len),
            _ => (LONG_HEAD, LONG),
        };
        let layout = layout(head + bytes.len());
        // SAFETY: the layout is never zero-sized (it holds the count).
        let raw = unsafe { std::alloc::alloc(layout) };
        let Some(ptr) = NonNull::new(raw) else {
            std::alloc::handle_alloc_error(layout);
        };
        // SAFETY: the allocation is `head + bytes.len()` bytes, aligned for the count; the
        // length (long keys) is written unaligned; the ranges written do not overlap `bytes`,
        // which is not in a fresh allocation.
        unsafe {
            ptr.as_ptr().cast::<AtomicU32>().write(AtomicU32::new(1));
            if len == LONG {
                let n = (bytes.len() as u64).to_le_bytes();
                std::ptr::copy_nonoverlapping(n.as_ptr(), ptr.as_ptr().add(COUNT), 8);
            }
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), ptr.as_ptr().add(head), bytes.len());
        }
        Key { ptr, len, hash }
    }

    /// The order hash: a position in hash space, below 2^32.
    pub fn hash(&self) -> u64 {
        u64::from(self.hash)
    }

    pub fn bytes(&self) -> &[u8] {
        let (head, len) = self.extent();
        // SAFETY: the allocation holds `len` initialized bytes after its `head` (`with_hash`),
        // alive while this reference to it is.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr().add(head), len) }
    }

    /// Where the bytes start in the allocation, and how many there are.
    fn extent(&self) -> (usize, usize) {
        if self.len == LONG {
            let mut n = [0u8; 8];
            // SAFETY: a long key's allocation holds its 8-byte length after the count.
            unsafe {
                std::ptr::copy_nonoverlapping(self.ptr.as_ptr().add(COUNT), n.as_mut_ptr(), 8)
            };
            (LONG_HEAD, u64::from_le_bytes(n) as usize)
        } else {
            (COUNT, self.len as usize)
        }
    }

    fn count(&self) -> &AtomicU32 {
        // SAFETY: the allocation starts with the count, initialized in `with_hash` and alive
        // while this reference to it is.
        unsafe { &*self.ptr.as_ptr().cast::<AtomicU32>() }
    }
}

/// The layout of a key's allocation of `size` bytes.
fn layout(size: usize) -> Layout {
    // The bytes exist in memory already, so their length plus a 12-byte head cannot approach
    // `isize::MAX`, the only way this fails.
    Layout::from_size_align(size, std::mem::align_of::<AtomicU32>())
        .unwrap_or_else(|_| unreachable!("a key of {size} bytes fits in the address space"))
}

impl Drop for Key {
    fn drop(&mut self) {
        // The same protocol as `std::sync::Arc`: release our uses, and the last owner acquires
        // everyone else's before freeing.
        if self.count().fetch_sub(1, AtomicOrdering::Release) != 1 {
            return;
        }
        fence(AtomicOrdering::Acquire);
        let (head, len) = self.extent();
        // SAFETY: this was the last reference; the layout is the one `with_hash` allocated.
        unsafe { std::alloc::dealloc(self.ptr.as_ptr(), layout(head + len)) };
    }
}

impl Clone for Key {
    fn clone(&self) -> Key {
        if self.count().fetch_add(1, AtomicOrdering::Relaxed) > MAX_REFS {
            std::process::abort();
        }
        Key {
            ptr: self.ptr,
            len: self.len,
            hash: self.hash,
        }
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
    fn clones_share_one_allocation_across_threads_until_the_last_drop() {
        for bytes in [&b"key:1"[..], &[9u8; 100][..]] {
            let key = Key::new(bytes);
            let clones: Vec<Key> = (0..64).map(|_| key.clone()).collect();
            assert!(
                clones
                    .iter()
                    .all(|c| c.bytes().as_ptr() == key.bytes().as_ptr())
            );
            let threads: Vec<_> = clones
                .chunks(16)
                .map(|chunk| {
                    let chunk = chunk.to_vec();
                    std::thread::spawn(move || {
                        for c in &chunk {
                            let again = c.clone();
                            assert_eq!(again.bytes(), c.bytes());
                        }
                        drop(chunk);
                    })
                })
                .collect();
            drop(clones);
            for t in threads {
                t.join().expect("a thread cloning keys panicked");
            }
            assert_eq!(key.count().load(AtomicOrdering::Relaxed), 1);
            assert_eq!(key.bytes(), bytes);
        }
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
