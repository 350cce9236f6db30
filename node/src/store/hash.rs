//! A hash: fields mapped to values (Redis hashes), in one of two encodings as Redis 7.0 keeps
//! them.
//!
//! - **Packed** (OBJECT ENCODING `listpack`): one allocation of length-prefixed entries,
//!   `[count][len field][len value]...` with one-byte counts and lengths, in insertion order
//!   (an update keeps its place, a delete closes the gap: the order Redis's listpack gives).
//!   Lookups are linear, as in a listpack; the count in the header makes `len` O(1).
//! - **Table** (`hashtable`): a persistent ordered map keyed by the field's fixed xxh3 hash
//!   followed by its bytes, so iteration order depends on content alone (the same on every
//!   replica) and an HSCAN cursor is a position in hash space, exactly like the keyspace's
//!   SCAN (`Db::scan`).
//!
//! A hash starts packed and becomes a table, never back, when it would hold more than
//! [`MAX_PACKED_ENTRIES`] fields or when a field or value longer than [`MAX_PACKED_VALUE`] bytes
//! is set (Redis 7.0's `hash-max-listpack-entries` 128 and `hash-max-listpack-value` 64
//! defaults, applied where `hashTypeSet` applies them).
//!
//! No RESP, no clock and no randomness source here: callers pass their random draws in.

use std::fmt;
use std::ops::Bound;
use std::sync::LazyLock;

use imbl::OrdMap;
use imbl::shared_ptr::DefaultSharedPtr;
use triomphe::Arc;

use super::key;

/// Most fields a packed hash holds (Redis's `hash-max-listpack-entries` default).
pub const MAX_PACKED_ENTRIES: usize = 128;
/// Longest field or value a packed hash holds (Redis's `hash-max-listpack-value` default).
pub const MAX_PACKED_VALUE: usize = 64;

// The packed layout stores the count and every length in one byte.
const _: () = assert!(MAX_PACKED_ENTRIES <= u8::MAX as usize);
const _: () = assert!(MAX_PACKED_VALUE <= u8::MAX as usize);

/// A hash: fields mapped to values (Redis hashes).
///
/// Two hashes are equal when they map the same fields to the same values, whatever their
/// encodings and orders.
#[derive(Clone, Default)]
pub struct Hash {
    repr: Repr,
}

#[derive(Clone)]
enum Repr {
    Packed(Packed),
    Table(Box<Table>),
}

impl Default for Repr {
    fn default() -> Repr {
        Repr::Packed(Packed::default())
    }
}

impl Hash {
    pub fn new() -> Hash {
        Hash::default()
    }

    /// An empty hash in the table encoding (loading a snapshot restores the encoding the hash
    /// had when it was saved).
    pub fn new_table() -> Hash {
        Hash {
            repr: Repr::Table(Box::default()),
        }
    }

    /// Number of fields, in O(1).
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Packed(p) => p.count(),
            Repr::Table(t) => t.map.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The name OBJECT ENCODING answers.
    pub fn encoding(&self) -> &'static str {
        match &self.repr {
            Repr::Packed(_) => "listpack",
            Repr::Table(_) => "hashtable",
        }
    }

    /// Whether the hash is in its compact encoding (HSCAN answers it whole).
    pub fn is_packed(&self) -> bool {
        matches!(self.repr, Repr::Packed(_))
    }

    /// Approximate heap bytes used: the packed buffer, or the table's entries with an
    /// estimate of its node overhead.
    pub fn heap_size(&self) -> usize {
        match &self.repr {
            // The bytes and the reference count in front of them; an empty hash shares one
            // buffer.
            Repr::Packed(p) if p.buf.is_empty() => 0,
            Repr::Packed(p) => std::mem::size_of::<usize>() + p.buf.len(),
            // Two boxed slices per entry in nodes about two thirds full.
            Repr::Table(t) => t.bytes + t.map.len() * 48 + std::mem::size_of::<Table>(),
        }
    }

    /// The value of `field`.
    pub fn get(&self, field: &[u8]) -> Option<&[u8]> {
        match &self.repr {
            Repr::Packed(p) => p.find(field).map(|at| &p.buf[at.value.clone()]),
            Repr::Table(t) => t.get(field),
        }
    }

    pub fn contains(&self, field: &[u8]) -> bool {
        self.get(field).is_some()
    }

    /// Sets `field` to `value`; returns true when the field is new. Converts a packed hash to
    /// a table first when the field or value is too long for it or a new field would exceed
    /// its entry limit.
    pub fn insert(&mut self, field: &[u8], value: &[u8]) -> bool {
        if let Repr::Packed(p) = &mut self.repr {
            let fits = field.len() <= MAX_PACKED_VALUE && value.len() <= MAX_PACKED_VALUE;
            if fits {
                match p.find(field) {
                    Some(at) => {
                        p.replace_value(at, value);
                        return false;
                    }
                    None if p.count() < MAX_PACKED_ENTRIES => {
                        p.push(field, value);
                        return true;
                    }
                    None => {}
                }
            }
            self.convert();
        }
        match &mut self.repr {
            Repr::Table(t) => t.insert(field, value),
            // Converted just above.
            Repr::Packed(_) => false,
        }
    }

    /// Deletes `field`; returns whether it existed.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        match &mut self.repr {
            Repr::Packed(p) => p.remove(field),
            Repr::Table(t) => t.remove(field),
        }
    }

    /// Every (field, value): in insertion order when packed, in hash order as a table.
    pub fn iter(&self) -> Iter<'_> {
        match &self.repr {
            Repr::Packed(p) => Iter::Packed(p.iter()),
            Repr::Table(t) => Iter::Table(t.map.iter()),
        }
    }

    /// The (field, value) chosen by a random `draw`: uniformly among the fields of a packed
    /// hash. As a table, a point in hash space is drawn and the field [`TABLE_PICK_SPREAD`]
    /// steps or fewer after it (the low bits of `draw`, wrapping around) is taken: every
    /// field can be picked, each with a chance close to uniform (the mean of 64 gaps between
    /// hashes), as Redis's own dict sampling is close to but not exactly uniform. None when
    /// the hash is empty.
    pub fn pick(&self, draw: u64) -> Option<(&[u8], &[u8])> {
        let len = self.len() as u64;
        if len == 0 {
            return None;
        }
        match &self.repr {
            Repr::Packed(p) => p.iter().nth((draw % len) as usize),
            Repr::Table(t) => {
                let start = draw.to_be_bytes();
                let skip = (draw % TABLE_PICK_SPREAD) % len;
                t.map
                    .range::<_, [u8]>((Bound::Included(&start[..]), Bound::Unbounded))
                    .chain(t.map.iter())
                    .nth(skip as usize)
                    .map(entry)
            }
        }
    }

    /// One HSCAN step from `cursor`: a packed hash visits everything and answers cursor 0, as
    /// Redis does for a listpack; a table visits about `count` fields in hash order from the
    /// position `cursor` and answers the position to continue from (0 when done). A field
    /// present for the whole scan is visited exactly once (at least once if a step ends inside
    /// a run of fields sharing one hash).
    pub fn scan(&self, cursor: u64, count: usize, mut visit: impl FnMut(&[u8], &[u8])) -> u64 {
        let t = match &self.repr {
            Repr::Packed(p) => {
                for (f, v) in p.iter() {
                    visit(f, v);
                }
                return 0;
            }
            Repr::Table(t) => t,
        };
        let start = cursor.to_be_bytes();
        let range = t
            .map
            .range::<_, [u8]>((Bound::Included(&start[..]), Bound::Unbounded));
        let mut last_hash = None;
        for (visited, (k, v)) in range.enumerate() {
            let hash = field_hash(k);
            if visited >= count.max(1) && last_hash != Some(hash) {
                // Cursor 0 means "done"; a remaining field at hash 0 can only be the first.
                return hash;
            }
            last_hash = Some(hash);
            visit(&k[HASH_LEN..], v);
        }
        0
    }

    /// Turns a packed hash into a table (Redis's `hashTypeConvert`).
    fn convert(&mut self) {
        if let Repr::Packed(p) = &self.repr {
            let mut table = Table::default();
            for (f, v) in p.iter() {
                table.insert(f, v);
            }
            self.repr = Repr::Table(Box::new(table));
        }
    }
}

impl PartialEq for Hash {
    fn eq(&self, other: &Hash) -> bool {
        self.len() == other.len() && self.iter().all(|(f, v)| other.get(f) == Some(v))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (k, v) in self.iter() {
            map.entry(&String::from_utf8_lossy(k), &String::from_utf8_lossy(v));
        }
        map.finish()
    }
}

/// The iterator of [`Hash::iter`].
pub enum Iter<'a> {
    Packed(PackedIter<'a>),
    Table(imbl::ordmap::Iter<'a, Box<[u8]>, Box<[u8]>, DefaultSharedPtr>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Packed(it) => it.next(),
            Iter::Table(it) => it.next().map(entry),
        }
    }
}

/// The packed encoding: `[count]` then `[len][field bytes][len][value bytes]` per entry,
/// in one exactly sized allocation (none of its own when empty), shared by reference count: cloning a
/// hash (a snapshot's point-in-time copy of a B-tree leaf) copies no bytes, and a change
/// builds a new buffer, or writes in place when nothing else holds this one.
#[derive(Clone)]
struct Packed {
    buf: Arc<[u8]>,
}

impl Default for Packed {
    fn default() -> Packed {
        Packed { buf: empty() }
    }
}

/// The empty packed buffer, one for all (small hashes and small sorted sets).
pub(super) fn empty() -> Arc<[u8]> {
    static EMPTY: LazyLock<Arc<[u8]>> = LazyLock::new(|| Arc::from(&[][..]));
    Arc::clone(&EMPTY)
}

/// Where one entry sits in a packed buffer.
struct At {
    /// From the field's length byte to the end of its value.
    entry: std::ops::Range<usize>,
    /// The value's bytes.
    value: std::ops::Range<usize>,
}

impl Packed {
    fn count(&self) -> usize {
        self.buf.first().map_or(0, |&n| usize::from(n))
    }

    fn iter(&self) -> PackedIter<'_> {
        PackedIter {
            buf: &self.buf,
            pos: 1,
        }
    }

    fn find(&self, field: &[u8]) -> Option<At> {
        let mut pos = 1;
        while let Some((f, fv)) = item(&self.buf, pos) {
            let (v, end) = item(&self.buf, fv.end)?;
            if &self.buf[f] == field {
                return Some(At {
                    entry: pos..end.end,
                    value: v,
                });
            }
            pos = end.end;
        }
        None
    }

    /// Appends a new entry; lengths are at most [`MAX_PACKED_VALUE`] and the count below
    /// [`MAX_PACKED_ENTRIES`] (the caller converts otherwise).
    fn push(&mut self, field: &[u8], value: &[u8]) {
        let mut buf = Vec::with_capacity(self.buf.len().max(1) + 2 + field.len() + value.len());
        if self.buf.is_empty() {
            buf.push(0);
        } else {
            buf.extend_from_slice(&self.buf);
        }
        buf[0] = buf[0].saturating_add(1);
        buf.push(field.len() as u8);
        buf.extend_from_slice(field);
        buf.push(value.len() as u8);
        buf.extend_from_slice(value);
        self.buf = Arc::from(buf);
    }

    /// Replaces the value of the entry at `at` (in place when the length is unchanged).
    fn replace_value(&mut self, at: At, value: &[u8]) {
        if at.value.len() == value.len()
            && let Some(buf) = Arc::get_mut(&mut self.buf)
        {
            buf[at.value].copy_from_slice(value);
            return;
        }
        let mut buf = Vec::with_capacity(self.buf.len() - at.value.len() + value.len());
        buf.extend_from_slice(&self.buf[..at.value.start - 1]);
        buf.push(value.len() as u8);
        buf.extend_from_slice(value);
        buf.extend_from_slice(&self.buf[at.value.end..]);
        self.buf = Arc::from(buf);
    }

    fn remove(&mut self, field: &[u8]) -> bool {
        let Some(at) = self.find(field) else {
            return false;
        };
        if self.count() <= 1 {
            self.buf = empty();
            return true;
        }
        let mut buf = Vec::with_capacity(self.buf.len() - at.entry.len());
        buf.extend_from_slice(&self.buf[..at.entry.start]);
        buf.extend_from_slice(&self.buf[at.entry.end..]);
        buf[0] -= 1;
        self.buf = Arc::from(buf);
        true
    }
}

/// Reads the length-prefixed item at `pos`: its bytes' range and the range up to its end.
fn item(buf: &[u8], pos: usize) -> Option<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    let len = usize::from(*buf.get(pos)?);
    let start = pos + 1;
    let end = start + len;
    (end <= buf.len()).then_some((start..end, pos..end))
}

/// The iterator over a packed buffer.
pub struct PackedIter<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for PackedIter<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let (f, fv) = item(self.buf, self.pos)?;
        let (v, end) = item(self.buf, fv.end)?;
        self.pos = end.end;
        Some((&self.buf[f], &self.buf[v]))
    }
}

/// How many fields after a random point in hash space a table's pick spreads over.
const TABLE_PICK_SPREAD: u64 = 64;

/// Bytes of the hash prefix in a table key.
const HASH_LEN: usize = 8;

/// The table encoding: keys are the field's xxh3 hash (big-endian, so byte order is hash
/// order) followed by the field's bytes; `bytes` sums the key and value lengths.
#[derive(Clone, Default)]
struct Table {
    map: OrdMap<Box<[u8]>, Box<[u8]>>,
    bytes: usize,
}

impl Table {
    fn get(&self, field: &[u8]) -> Option<&[u8]> {
        with_table_key(field, |k| self.map.get(k).map(|v| &v[..]))
    }

    fn insert(&mut self, field: &[u8], value: &[u8]) -> bool {
        let value: Box<[u8]> = value.into();
        let map = &mut self.map;
        match with_table_key(field, move |k| map.get_mut(k)) {
            Some(old) => {
                self.bytes = self.bytes - old.len() + value.len();
                *old = value;
                false
            }
            None => {
                let mut k = Vec::with_capacity(HASH_LEN + field.len());
                k.extend_from_slice(&key::hash(field).to_be_bytes());
                k.extend_from_slice(field);
                self.bytes += k.len() + value.len();
                self.map.insert(k.into_boxed_slice(), value);
                true
            }
        }
    }

    fn remove(&mut self, field: &[u8]) -> bool {
        match with_table_key(field, |k| self.map.remove_with_key(k)) {
            Some((k, v)) => {
                self.bytes -= k.len() + v.len();
                true
            }
            None => false,
        }
    }
}

/// Runs `f` with the table key of `field`, built on the stack when short.
fn with_table_key<R>(field: &[u8], f: impl FnOnce(&[u8]) -> R) -> R {
    const STACK: usize = 128;
    let hash = key::hash(field).to_be_bytes();
    let len = HASH_LEN + field.len();
    if len <= STACK {
        let mut buf = [0u8; STACK];
        buf[..HASH_LEN].copy_from_slice(&hash);
        buf[HASH_LEN..len].copy_from_slice(field);
        f(&buf[..len])
    } else {
        let mut buf = Vec::with_capacity(len);
        buf.extend_from_slice(&hash);
        buf.extend_from_slice(field);
        f(&buf)
    }
}

/// The hash-space position of a table key.
fn field_hash(k: &[u8]) -> u64 {
    let mut hash = [0u8; HASH_LEN];
    hash.copy_from_slice(&k[..HASH_LEN]);
    u64::from_be_bytes(hash)
}

/// A table entry as (field, value).
#[allow(clippy::borrowed_box)] // the shape of the map's iterator items
fn entry<'a>((k, v): (&'a Box<[u8]>, &'a Box<[u8]>)) -> (&'a [u8], &'a [u8]) {
    (&k[HASH_LEN..], v)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};

    use super::*;

    fn packed_buf(h: &Hash) -> &Arc<[u8]> {
        match &h.repr {
            Repr::Packed(p) => &p.buf,
            Repr::Table(_) => panic!("expected a packed hash"),
        }
    }

    #[test]
    fn a_clone_shares_the_packed_bytes_until_either_changes() {
        let mut live = Hash::new();
        live.insert(b"f", b"v1");
        live.insert(b"g", b"x");
        let snapshot = live.clone();
        assert!(Arc::ptr_eq(packed_buf(&live), packed_buf(&snapshot)));

        // Same length: written in place only when nothing else holds the buffer.
        live.insert(b"f", b"v2");
        assert_eq!(snapshot.get(b"f"), Some(&b"v1"[..]));
        assert_eq!(live.get(b"f"), Some(&b"v2"[..]));
        let before = Arc::as_ptr(packed_buf(&live));
        live.insert(b"f", b"v3");
        assert_eq!(Arc::as_ptr(packed_buf(&live)), before, "unshared: in place");

        live.insert(b"h", b"y");
        live.remove(b"g");
        assert_eq!(
            pairs(&snapshot),
            [("f".into(), "v1".into()), ("g".into(), "x".into())]
        );
        assert_eq!(
            pairs(&live),
            [("f".into(), "v3".into()), ("h".into(), "y".into())]
        );
    }

    fn pairs(h: &Hash) -> Vec<(String, String)> {
        h.iter()
            .map(|(f, v)| {
                (
                    String::from_utf8_lossy(f).into_owned(),
                    String::from_utf8_lossy(v).into_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn a_small_hash_is_one_small_value() {
        // Arc<Hash> is a 32-byte allocation holding a pointer to the packed buffer.
        assert_eq!(std::mem::size_of::<Hash>(), 16);
        let mut h = Hash::new();
        assert_eq!(h.heap_size(), 0);
        for (f, v) in [("name", "Alice"), ("age", "30"), ("city", "Paris")] {
            assert!(h.insert(f.as_bytes(), v.as_bytes()));
        }
        // reference count, count byte, 3 × (field + value + their two length bytes)
        assert_eq!(
            h.heap_size(),
            8 + 1 + (4 + 5 + 2) + (3 + 2 + 2) + (4 + 5 + 2)
        );
        assert_eq!(h.encoding(), "listpack");
    }

    #[test]
    fn packed_keeps_insertion_order_and_updates_in_place() {
        let mut h = Hash::new();
        assert!(h.insert(b"a", b"1"));
        assert!(h.insert(b"b", b"2"));
        assert!(h.insert(b"c", b"3"));
        assert!(!h.insert(b"a", b"longer value"));
        assert!(!h.insert(b"b", b""));
        assert_eq!(h.len(), 3);
        assert_eq!(
            pairs(&h),
            [("a", "longer value"), ("b", ""), ("c", "3")]
                .map(|(f, v)| (f.to_string(), v.to_string()))
        );
        assert!(!h.insert(b"a", b"x"));
        assert_eq!(h.get(b"a"), Some(&b"x"[..]));
        assert!(h.remove(b"b"));
        assert!(!h.remove(b"b"));
        assert_eq!(h.get(b"b"), None);
        assert_eq!(h.len(), 2);
        assert_eq!(pairs(&h)[1], ("c".to_string(), "3".to_string()));
        assert!(h.remove(b"a"));
        assert!(h.remove(b"c"));
        assert!(h.is_empty());
        assert_eq!(h.heap_size(), 0);
        assert!(h.insert(b"", b""));
        assert_eq!(h.get(b""), Some(&b""[..]));
        assert_eq!(h.len(), 1);
    }

    #[test]
    fn converts_above_the_entry_limit() {
        let mut h = Hash::new();
        for i in 0..MAX_PACKED_ENTRIES {
            assert!(h.insert(format!("f{i}").as_bytes(), b"v"));
        }
        assert_eq!(h.encoding(), "listpack");
        // Updating an existing field does not convert.
        assert!(!h.insert(b"f0", b"w"));
        assert_eq!(h.encoding(), "listpack");
        assert!(h.insert(b"one more", b"v"));
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(h.len(), MAX_PACKED_ENTRIES + 1);
        assert_eq!(h.get(b"f0"), Some(&b"w"[..]));
        // Never back, even when small again.
        for i in 0..MAX_PACKED_ENTRIES {
            assert!(h.remove(format!("f{i}").as_bytes()));
        }
        assert_eq!(h.len(), 1);
        assert_eq!(h.encoding(), "hashtable");
    }

    #[test]
    fn converts_for_a_long_field_or_value() {
        let long = [b'x'; MAX_PACKED_VALUE + 1];
        let edge = [b'x'; MAX_PACKED_VALUE];
        let mut h = Hash::new();
        h.insert(&edge, &edge);
        assert_eq!(h.encoding(), "listpack");
        h.insert(b"a", &long);
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(h.get(b"a"), Some(&long[..]));
        assert_eq!(h.get(&edge), Some(&edge[..]));
        let mut h = Hash::new();
        h.insert(b"a", b"1");
        h.insert(&long, b"1");
        assert_eq!(h.encoding(), "hashtable");
        assert!(h.remove(&long));
        assert_eq!(h.encoding(), "hashtable");
        // Long fields above the stack lookup buffer work too.
        let huge = vec![b'y'; 1000];
        assert!(h.insert(&huge, &huge));
        assert!(!h.insert(&huge, b"z"));
        assert_eq!(h.get(&huge), Some(&b"z"[..]));
        assert!(h.remove(&huge));
        assert_eq!(h.len(), 1);
    }

    #[test]
    fn table_order_is_content_only() {
        let mut a = Hash::new();
        let mut b = Hash::new();
        for i in 0..300 {
            a.insert(format!("f{i}").as_bytes(), b"v");
        }
        for i in (0..300).rev() {
            b.insert(format!("f{i}").as_bytes(), b"v");
        }
        assert_eq!(pairs(&a), pairs(&b));
        assert_eq!(a, b);
        let hashes: Vec<u64> = a.iter().map(|(f, _)| key::hash(f)).collect();
        assert!(hashes.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn equality_ignores_encoding() {
        let mut packed = Hash::new();
        let mut table = Hash::new();
        table.insert(b"big", &[b'v'; 100]);
        table.remove(b"big");
        for (f, v) in [("a", "1"), ("b", "2")] {
            packed.insert(f.as_bytes(), v.as_bytes());
            table.insert(f.as_bytes(), v.as_bytes());
        }
        assert_eq!(packed, table);
        table.insert(b"a", b"9");
        assert_ne!(packed, table);
    }

    #[test]
    fn scan_visits_every_field_once_despite_changes() {
        let mut h = Hash::new();
        for i in 0..1000 {
            h.insert(format!("f{i}").as_bytes(), b"v");
        }
        let mut seen = HashSet::new();
        let mut cursor = 0;
        let mut round = 0;
        loop {
            cursor = h.scan(cursor, 10, |f, _| {
                assert!(seen.insert(f.to_vec()), "duplicate");
            });
            h.insert(format!("new{round}").as_bytes(), b"v");
            h.remove(format!("new{}", round.max(1) - 1).as_bytes());
            round += 1;
            if cursor == 0 {
                break;
            }
        }
        assert!(round > 50);
        for i in 0..1000 {
            assert!(seen.contains(format!("f{i}").as_bytes()), "f{i} missed");
        }
        // A packed hash answers everything at once.
        let mut small = Hash::new();
        small.insert(b"a", b"1");
        let mut n = 0;
        assert_eq!(small.scan(12345, 1, |_, _| n += 1), 0);
        assert_eq!(n, 1);
    }

    #[test]
    fn pick_reaches_every_field() {
        for size in [1usize, 5, 200] {
            let mut h = Hash::new();
            for i in 0..size {
                h.insert(format!("f{i}").as_bytes(), format!("v{i}").as_bytes());
            }
            let mut seen = BTreeMap::new();
            let mut draw = 0x9E37_79B9_7F4A_7C15u64;
            for _ in 0..size * 200 {
                draw = draw
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let (f, v) = h.pick(draw).unwrap();
                assert_eq!(h.get(f), Some(v));
                *seen.entry(f.to_vec()).or_insert(0) += 1;
            }
            assert_eq!(seen.len(), size);
            // Close to uniform: 200 draws per field on average.
            let (min, max) = (seen.values().min(), seen.values().max());
            assert!(
                min >= Some(&100) && max <= Some(&320),
                "{size}: {min:?}..{max:?}"
            );
            assert!(h.pick(u64::MAX).is_some());
        }
        assert_eq!(Hash::new().pick(7), None);
    }
}
