//! Sets of distinct binary strings (Redis sets), in Redis 7.0's two encodings.
//!
//! - **intset** while every member is an integer (written as Redis's `string2ll` accepts it)
//!   and there are at most [`MAX_INTSET_ENTRIES`]: the integers sorted and packed
//!   little-endian in one allocation, all at the narrowest width (16, 32 or 64 bits) that holds
//!   the largest magnitude seen, as Redis's `intset.c`. Iteration is ascending.
//! - **hashtable** otherwise, and for good once converted (as Redis, which never converts
//!   back): members ordered by (xxh3 hash, bytes) like the keyspace (`store::Key`), held in
//!   buckets addressed by the top bits of the hash, with a Fenwick tree of bucket sizes. The
//!   order is a function of the members alone (not of insertion history nor of the bucket
//!   count), so SSCAN cursors are positions in hash space valid on every replica, and the
//!   member of a given rank is the same everywhere.
//!
//! Random choice is by rank: callers draw a rank in `0..len()` from their own PRNG and ask for
//! that member ([`Set::get`], [`Set::pop`]), which is uniform and, for a given encoding and
//! content, deterministic. No RESP, no clock and no randomness source live here.

use std::cmp::Ordering;
use std::mem::size_of;

use bytes::Bytes;

use super::value::parse_canonical_i64;

use super::key;

/// Redis 7.0's `set-max-intset-entries` default: an intset converts to a hashtable when it
/// would grow past this many members.
pub const MAX_INTSET_ENTRIES: usize = 512;

/// One member as stored: an integer of an intset, or the bytes of a hashtable member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Member<'a> {
    Int(i64),
    Str(&'a [u8]),
}

impl Member<'_> {
    /// The member's bytes in their own allocation (integers in decimal, as Redis replies).
    pub fn to_bytes(self) -> Bytes {
        match self {
            Member::Int(n) => Bytes::copy_from_slice(itoa::Buffer::new().format(n).as_bytes()),
            Member::Str(s) => Bytes::copy_from_slice(s),
        }
    }

    /// Runs `f` over the member's bytes, formatting an integer on the stack.
    pub fn with_bytes<R>(self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Member::Int(n) => f(itoa::Buffer::new().format(n).as_bytes()),
            Member::Str(s) => f(s),
        }
    }
}

/// A set of distinct strings (Redis sets).
#[derive(Clone, Debug)]
pub struct Set {
    repr: Repr,
}

#[derive(Clone, Debug)]
enum Repr {
    Ints(IntSet),
    Table(Table),
}

impl Default for Set {
    fn default() -> Set {
        Set::new()
    }
}

/// Equal when both hold the same members in the same encoding.
impl PartialEq for Set {
    fn eq(&self, other: &Set) -> bool {
        self.encoding() == other.encoding()
            && self.len() == other.len()
            && self.iter().eq(other.iter())
    }
}

impl Set {
    /// An empty set in the intset encoding (Redis creates a set for an integer first member
    /// as an intset, and converts it on the first non-integer: the same result as creating a
    /// hashtable directly for a non-integer first member).
    pub fn new() -> Set {
        Set {
            repr: Repr::Ints(IntSet::default()),
        }
    }

    /// An empty set in the hashtable encoding, presized for `capacity` members (loading a
    /// snapshot restores the encoding the set had when it was saved).
    pub fn new_table(capacity: usize) -> Set {
        Set {
            repr: Repr::Table(Table::with_capacity(capacity)),
        }
    }

    /// A set of `members`, built as Redis builds a new set (SINTERSTORE, SUNIONSTORE...):
    /// an intset while the members allow it.
    pub fn from_members<'a>(members: impl IntoIterator<Item = Member<'a>>) -> Set {
        let mut set = Set::new();
        for m in members {
            set.insert_member(m);
        }
        set
    }

    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Ints(ints) => ints.len(),
            Repr::Table(table) => table.len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The name OBJECT ENCODING answers.
    pub fn encoding(&self) -> &'static str {
        match &self.repr {
            Repr::Ints(_) => "intset",
            Repr::Table(_) => "hashtable",
        }
    }

    /// Whether the set is in the compact intset encoding.
    pub fn is_intset(&self) -> bool {
        matches!(self.repr, Repr::Ints(_))
    }

    /// Approximate heap bytes used.
    pub fn heap_size(&self) -> usize {
        match &self.repr {
            Repr::Ints(ints) => ints.data.capacity(),
            Repr::Table(table) => table.heap_size(),
        }
    }

    /// Whether `member` belongs to the set.
    pub fn contains(&self, member: &[u8]) -> bool {
        match &self.repr {
            Repr::Ints(ints) => parse_canonical_i64(member).is_some_and(|v| ints.search(v).is_ok()),
            Repr::Table(table) => table.find(member).is_some(),
        }
    }

    /// [`Set::contains`] for a member of another set, without formatting integers when both
    /// sets are intsets.
    pub fn contains_member(&self, member: Member<'_>) -> bool {
        match (&self.repr, member) {
            (Repr::Ints(ints), Member::Int(v)) => ints.search(v).is_ok(),
            (_, m) => m.with_bytes(|b| self.contains(b)),
        }
    }

    /// Adds `member`; returns whether it was new. Converts an intset to a hashtable on a
    /// non-integer member or past [`MAX_INTSET_ENTRIES`] members, as Redis's `setTypeAdd`.
    pub fn insert(&mut self, member: &[u8]) -> bool {
        match &mut self.repr {
            Repr::Ints(ints) => match parse_canonical_i64(member) {
                Some(v) => {
                    let added = ints.insert(v);
                    if added && ints.len() > MAX_INTSET_ENTRIES {
                        self.convert();
                    }
                    added
                }
                None => {
                    self.convert();
                    self.insert(member)
                }
            },
            Repr::Table(table) => table.insert(member),
        }
    }

    /// [`Set::insert`] for a member of another set.
    pub fn insert_member(&mut self, member: Member<'_>) -> bool {
        match (&mut self.repr, member) {
            (Repr::Ints(ints), Member::Int(v)) => {
                let added = ints.insert(v);
                if added && ints.len() > MAX_INTSET_ENTRIES {
                    self.convert();
                }
                added
            }
            (_, m) => m.with_bytes(|b| self.insert(b)),
        }
    }

    /// Removes `member`; returns whether it was there. The encoding never changes back.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match &mut self.repr {
            Repr::Ints(ints) => parse_canonical_i64(member).is_some_and(|v| ints.remove(v)),
            Repr::Table(table) => table.remove(member),
        }
    }

    /// The member of rank `rank` in iteration order, if `rank < len()`.
    pub fn get(&self, rank: usize) -> Option<Member<'_>> {
        match &self.repr {
            Repr::Ints(ints) => ints.get(rank).map(Member::Int),
            Repr::Table(table) => table.get(rank).map(|s| Member::Str(&s.bytes)),
        }
    }

    /// Removes and returns the member of rank `rank`, if `rank < len()`.
    pub fn pop(&mut self, rank: usize) -> Option<Bytes> {
        match &mut self.repr {
            Repr::Ints(ints) => {
                let v = ints.get(rank)?;
                ints.remove_at(rank);
                Some(Member::Int(v).to_bytes())
            }
            Repr::Table(table) => table.remove_at(rank).map(Bytes::from),
        }
    }

    /// The members in iteration order: ascending for an intset, hash order for a hashtable.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            inner: match &self.repr {
                Repr::Ints(ints) => IterInner::Ints { ints, next: 0 },
                Repr::Table(table) => IterInner::Table(table.buckets.iter().flatten()),
            },
        }
    }

    /// The same members in a freshly built set: an intset again when every member is an
    /// integer and there are few enough (what Redis's SPOP ends with when it rebuilds the
    /// remaining members into a new set).
    pub fn rebuilt(&self) -> Set {
        Set::from_members(self.iter())
    }

    /// One SSCAN step from `cursor` over about `count` members, keeping those `keep` accepts.
    /// Returns the next cursor (0 when done) and the members kept.
    ///
    /// An intset answers all its members at once with cursor 0, as Redis does for its compact
    /// encodings. A hashtable's cursor is a position in hash space, so a member present for
    /// the whole scan is returned exactly once whatever changes meanwhile (at least once if a
    /// step ends inside a run of members sharing one hash), and the cursor is valid on every
    /// replica.
    pub fn scan(
        &self,
        cursor: u64,
        count: usize,
        mut keep: impl FnMut(&[u8]) -> bool,
    ) -> (u64, Vec<Bytes>) {
        let table = match &self.repr {
            Repr::Ints(_) => {
                let all = self
                    .iter()
                    .filter(|m| m.with_bytes(&mut keep))
                    .map(Member::to_bytes)
                    .collect();
                return (0, all);
            }
            Repr::Table(table) => table,
        };
        let mut kept = Vec::new();
        let mut last_hash = None;
        for (visited, slot) in table.starting_at(cursor).enumerate() {
            if visited >= count.max(1) && last_hash != Some(slot.hash) {
                // Cursor 0 means "done"; a remaining member at hash 0 can only be the first.
                return (slot.hash, kept);
            }
            last_hash = Some(slot.hash);
            if keep(&slot.bytes) {
                kept.push(Bytes::copy_from_slice(&slot.bytes));
            }
        }
        (0, kept)
    }

    /// Converts an intset to a hashtable presized for its members (Redis's `setTypeConvert`).
    fn convert(&mut self) {
        if let Repr::Ints(ints) = &self.repr {
            let mut table = Table::with_capacity(ints.len() + 1);
            let mut buf = itoa::Buffer::new();
            for v in ints.iter() {
                table.insert(buf.format(v).as_bytes());
            }
            self.repr = Repr::Table(table);
        }
    }
}

/// An iterator over a set's members.
pub struct Iter<'a> {
    inner: IterInner<'a>,
}

enum IterInner<'a> {
    Ints { ints: &'a IntSet, next: usize },
    Table(std::iter::Flatten<std::slice::Iter<'a, Vec<Slot>>>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = Member<'a>;

    fn next(&mut self) -> Option<Member<'a>> {
        match &mut self.inner {
            IterInner::Ints { ints, next } => {
                let v = ints.get(*next)?;
                *next += 1;
                Some(Member::Int(v))
            }
            IterInner::Table(slots) => slots.next().map(|s| Member::Str(&s.bytes)),
        }
    }
}

/// Sorted integers packed at one width, as Redis's intset.
#[derive(Clone, Debug)]
struct IntSet {
    /// Bytes per integer: 2, 4 or 8.
    width: usize,
    data: Vec<u8>,
}

impl Default for IntSet {
    fn default() -> IntSet {
        IntSet {
            width: 2,
            data: Vec::new(),
        }
    }
}

/// The narrowest width holding `v` (Redis's `_intsetValueEncoding`).
fn width_of(v: i64) -> usize {
    if i16::try_from(v).is_ok() {
        2
    } else if i32::try_from(v).is_ok() {
        4
    } else {
        8
    }
}

impl IntSet {
    fn len(&self) -> usize {
        self.data.len() / self.width
    }

    fn get(&self, i: usize) -> Option<i64> {
        let w = self.width;
        let start = i.checked_mul(w)?;
        let b = self.data.get(start..start.checked_add(w)?)?;
        Some(match w {
            2 => i64::from(i16::from_le_bytes(b.try_into().ok()?)),
            4 => i64::from(i32::from_le_bytes(b.try_into().ok()?)),
            _ => i64::from_le_bytes(b.try_into().ok()?),
        })
    }

    fn iter(&self) -> impl Iterator<Item = i64> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// The position of `v`, or where it would go.
    fn search(&self, v: i64) -> Result<usize, usize> {
        if width_of(v) > self.width {
            // Wider than every member: below all of them or above all of them.
            return Err(if v < 0 { 0 } else { self.len() });
        }
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.get(mid).map(|m| m.cmp(&v)) {
                Some(Ordering::Less) => lo = mid + 1,
                Some(Ordering::Greater) => hi = mid,
                Some(Ordering::Equal) => return Ok(mid),
                None => break,
            }
        }
        Err(lo)
    }

    fn insert(&mut self, v: i64) -> bool {
        let need = width_of(v);
        if need > self.width {
            self.upgrade(need, v);
            return true;
        }
        let Err(pos) = self.search(v) else {
            return false;
        };
        let w = self.width;
        let at = pos * w;
        // One allocation sized to its content, as Redis reallocates the intset per insert.
        self.data.reserve_exact(w);
        self.data
            .splice(at..at, v.to_le_bytes()[..w].iter().copied());
        true
    }

    /// Re-encodes every member at `width` and adds `v`, which is below or above all of them
    /// (Redis's `intsetUpgradeAndAdd`).
    fn upgrade(&mut self, width: usize, v: i64) {
        let mut data = Vec::with_capacity((self.len() + 1) * width);
        if v < 0 {
            data.extend_from_slice(&v.to_le_bytes()[..width]);
        }
        for m in self.iter() {
            data.extend_from_slice(&m.to_le_bytes()[..width]);
        }
        if v >= 0 {
            data.extend_from_slice(&v.to_le_bytes()[..width]);
        }
        self.width = width;
        self.data = data;
    }

    fn remove(&mut self, v: i64) -> bool {
        match self.search(v) {
            Ok(pos) => {
                self.remove_at(pos);
                true
            }
            Err(_) => false,
        }
    }

    fn remove_at(&mut self, pos: usize) {
        let w = self.width;
        let at = pos * w;
        if at + w <= self.data.len() {
            self.data.drain(at..at + w);
            if self.data.capacity() > 2 * self.data.len() + 16 {
                self.data.shrink_to_fit();
            }
        }
    }
}

/// A hashtable member: its fixed hash and its bytes.
#[derive(Clone, Debug)]
struct Slot {
    hash: u64,
    bytes: Box<[u8]>,
}

impl Slot {
    fn cmp_to(&self, hash: u64, bytes: &[u8]) -> Ordering {
        self.hash.cmp(&hash).then_with(|| self.bytes[..].cmp(bytes))
    }
}

/// Average bucket size at which the buckets double, and the one a presized table aims at.
const GROW_LOAD: usize = 8;
const TARGET_LOAD: usize = 4;

/// The hashtable encoding: 2^bits buckets, bucket `i` holding the members whose hash starts
/// with the bits of `i`, sorted by (hash, bytes). Concatenating the buckets gives the members
/// in (hash, bytes) order whatever `bits` is, so resizing never changes the order.
#[derive(Clone, Debug)]
struct Table {
    bits: u32,
    buckets: Vec<Vec<Slot>>,
    /// Fenwick tree over bucket sizes, for rank → member in O(log n).
    sizes: Vec<usize>,
    len: usize,
    /// Sum of member lengths (for `heap_size`).
    bytes: usize,
}

impl Table {
    fn with_capacity(n: usize) -> Table {
        let buckets = (n / TARGET_LOAD).max(1).next_power_of_two();
        Table {
            bits: buckets.trailing_zeros(),
            buckets: vec![Vec::new(); buckets],
            sizes: vec![0; buckets],
            len: 0,
            bytes: 0,
        }
    }

    fn bucket_of(&self, hash: u64) -> usize {
        if self.bits == 0 {
            0
        } else {
            (hash >> (64 - self.bits)) as usize
        }
    }

    /// (bucket, index in bucket) of `member`, or where it would go.
    fn locate(&self, hash: u64, member: &[u8]) -> (usize, Result<usize, usize>) {
        let b = self.bucket_of(hash);
        let found = self.buckets.get(b).map_or(Err(0), |bucket| {
            bucket.binary_search_by(|s| s.cmp_to(hash, member))
        });
        (b, found)
    }

    fn find(&self, member: &[u8]) -> Option<&Slot> {
        let (b, found) = self.locate(key::hash(member), member);
        self.buckets.get(b)?.get(found.ok()?)
    }

    fn insert(&mut self, member: &[u8]) -> bool {
        let hash = key::hash(member);
        let (b, found) = self.locate(hash, member);
        let (Err(pos), Some(bucket)) = (found, self.buckets.get_mut(b)) else {
            return false;
        };
        bucket.insert(
            pos,
            Slot {
                hash,
                bytes: member.into(),
            },
        );
        fenwick_add(&mut self.sizes, b, true);
        self.len += 1;
        self.bytes += member.len();
        if self.len > self.buckets.len().saturating_mul(GROW_LOAD) && self.bits < 48 {
            self.resize(self.bits + 1);
        }
        true
    }

    fn remove(&mut self, member: &[u8]) -> bool {
        let (b, found) = self.locate(key::hash(member), member);
        match found {
            Ok(pos) => self.remove_slot(b, pos).is_some(),
            Err(_) => false,
        }
    }

    fn remove_slot(&mut self, b: usize, pos: usize) -> Option<Box<[u8]>> {
        let bucket = self.buckets.get_mut(b)?;
        if pos >= bucket.len() {
            return None;
        }
        let slot = bucket.remove(pos);
        fenwick_add(&mut self.sizes, b, false);
        self.len -= 1;
        self.bytes -= slot.bytes.len();
        if self.bits > 0 && self.len * 2 < self.buckets.len() {
            self.resize(self.bits - 1);
        }
        Some(slot.bytes)
    }

    fn get(&self, rank: usize) -> Option<&Slot> {
        if rank >= self.len {
            return None;
        }
        let (b, offset) = fenwick_select(&self.sizes, rank);
        self.buckets.get(b)?.get(offset)
    }

    fn remove_at(&mut self, rank: usize) -> Option<Box<[u8]>> {
        if rank >= self.len {
            return None;
        }
        let (b, offset) = fenwick_select(&self.sizes, rank);
        self.remove_slot(b, offset)
    }

    /// The members at or after hash position `hash`, in order.
    fn starting_at(&self, hash: u64) -> impl Iterator<Item = &Slot> {
        let b = self.bucket_of(hash);
        let first = self.buckets.get(b).map_or(&[][..], |bucket| {
            &bucket[bucket.partition_point(|s| s.hash < hash)..]
        });
        let rest = self.buckets.get(b + 1..).unwrap_or_default();
        first.iter().chain(rest.iter().flatten())
    }

    /// Redistributes the members into 2^bits buckets (their order is unchanged).
    fn resize(&mut self, bits: u32) {
        let n = 1usize << bits;
        let old = std::mem::take(&mut self.buckets);
        self.bits = bits;
        let mut counts = vec![0usize; n];
        for slot in old.iter().flatten() {
            counts[self.bucket_of(slot.hash)] += 1;
        }
        let mut buckets: Vec<Vec<Slot>> = counts.iter().map(|&c| Vec::with_capacity(c)).collect();
        for slot in old.into_iter().flatten() {
            let b = self.bucket_of(slot.hash);
            buckets[b].push(slot);
        }
        self.buckets = buckets;
        self.sizes = fenwick_build(&counts);
    }

    fn heap_size(&self) -> usize {
        self.buckets.capacity() * size_of::<Vec<Slot>>()
            + self.sizes.capacity() * size_of::<usize>()
            + self.len * size_of::<Slot>()
            + self.bytes
    }
}

/// Adds or removes one in bucket `b` of a Fenwick tree (stored 0-based).
fn fenwick_add(tree: &mut [usize], b: usize, add: bool) {
    let mut i = b + 1;
    while let Some(node) = tree.get_mut(i - 1) {
        *node = if add {
            *node + 1
        } else {
            node.saturating_sub(1)
        };
        i += i & i.wrapping_neg();
    }
}

/// A Fenwick tree over `counts`, in O(n).
fn fenwick_build(counts: &[usize]) -> Vec<usize> {
    let mut tree = counts.to_vec();
    for i in 1..=tree.len() {
        let parent = i + (i & i.wrapping_neg());
        if parent <= tree.len() {
            tree[parent - 1] += tree[i - 1];
        }
    }
    tree
}

/// The bucket holding the element of rank `rank`, and its index in that bucket. The tree's
/// length is a power of two.
fn fenwick_select(tree: &[usize], mut rank: usize) -> (usize, usize) {
    let mut pos = 0;
    let mut step = tree.len().next_power_of_two();
    while step > 0 {
        if let Some(&size) = tree.get(pos + step - 1)
            && size <= rank
        {
            pos += step;
            rank -= size;
        }
        step >>= 1;
    }
    (pos, rank)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_of(members: &[&str]) -> Set {
        let mut s = Set::new();
        for m in members {
            s.insert(m.as_bytes());
        }
        s
    }

    fn texts(s: &Set) -> Vec<String> {
        s.iter()
            .map(|m| String::from_utf8_lossy(&m.to_bytes()).into_owned())
            .collect()
    }

    #[test]
    fn integers_as_string2ll() {
        assert_eq!(parse_canonical_i64(b"0"), Some(0));
        assert_eq!(parse_canonical_i64(b"-1"), Some(-1));
        assert_eq!(parse_canonical_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_canonical_i64(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b""[..],
            b"-",
            b"-0",
            b"01",
            b"+1",
            b" 1",
            b"1 ",
            b"1.0",
            b"9223372036854775808",
            b"-9223372036854775809",
            b"000000000000000000001",
        ] {
            assert_eq!(
                parse_canonical_i64(bad),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn intset_widths_order_and_upgrade() {
        let mut s = set_of(&["5", "-3", "100"]);
        assert_eq!(s.encoding(), "intset");
        assert_eq!(texts(&s), ["-3", "5", "100"]);
        let Repr::Ints(ints) = &s.repr else { panic!() };
        assert_eq!((ints.width, ints.data.len()), (2, 6));
        assert!(s.insert(b"70000"));
        assert!(s.insert(b"-9223372036854775808"));
        assert!(!s.insert(b"5"));
        let Repr::Ints(ints) = &s.repr else { panic!() };
        assert_eq!((ints.width, ints.data.len()), (8, 40));
        assert_eq!(
            texts(&s),
            ["-9223372036854775808", "-3", "5", "100", "70000"]
        );
        assert!(s.contains(b"70000"));
        assert!(!s.contains(b"070000"));
        assert!(!s.contains(b"x"));
        assert!(s.remove(b"-9223372036854775808"));
        assert!(!s.remove(b"-9223372036854775808"));
        // Redis never narrows an intset.
        let Repr::Ints(ints) = &s.repr else { panic!() };
        assert_eq!(ints.width, 8);
        assert_eq!(s.len(), 4);
        assert_eq!(s.get(3), Some(Member::Int(70000)));
        assert_eq!(s.get(4), None);
    }

    #[test]
    fn conversion_to_hashtable() {
        let mut s = Set::new();
        for i in 0..MAX_INTSET_ENTRIES {
            assert!(s.insert(i.to_string().as_bytes()));
        }
        assert_eq!(s.encoding(), "intset");
        assert!(!s.insert(b"0"));
        assert_eq!(s.encoding(), "intset");
        assert!(s.insert(b"512"));
        assert_eq!(s.encoding(), "hashtable");
        assert_eq!(s.len(), 513);
        for i in 0..=512 {
            assert!(s.contains(i.to_string().as_bytes()));
        }
        // Never back to an intset, even when small again.
        for i in 1..=512 {
            assert!(s.remove(i.to_string().as_bytes()));
        }
        assert_eq!((s.len(), s.encoding()), (1, "hashtable"));
        assert_eq!(s.rebuilt().encoding(), "intset");

        let mut t = set_of(&["1", "2"]);
        assert!(t.insert(b"a"));
        assert_eq!(t.encoding(), "hashtable");
        assert!(t.contains(b"1") && t.contains(b"a") && !t.contains(b"3"));
        assert_eq!(set_of(&["a", "2", "1"]), t);
    }

    #[test]
    fn order_is_a_function_of_content() {
        // The same members added in two orders, one with many removals in between (which
        // shrink and grow the buckets), iterate identically and agree on every rank.
        let members: Vec<String> = (0..3000).map(|i| format!("m{i}")).collect();
        let mut a = Set::new();
        for m in &members {
            a.insert(m.as_bytes());
        }
        let mut b = Set::new();
        for m in members.iter().rev() {
            b.insert(m.as_bytes());
        }
        for i in 0..20000 {
            b.insert(format!("tmp{i}").as_bytes());
        }
        for i in 0..20000 {
            b.remove(format!("tmp{i}").as_bytes());
        }
        let (Repr::Table(ta), Repr::Table(tb)) = (&a.repr, &b.repr) else {
            panic!()
        };
        assert_ne!(ta.bits, 0);
        assert_eq!(a, b);
        for rank in 0..a.len() {
            assert_eq!(a.get(rank), b.get(rank));
        }
        let hashes: Vec<u64> = a.iter().map(|m| m.with_bytes(key::hash)).collect();
        assert!(hashes.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(a.get(a.len()), None);
        let _ = tb;
    }

    #[test]
    fn ranks_and_pops() {
        let mut s = set_of(&["x", "y", "z", "w"]);
        let all: Vec<Member<'_>> = s.iter().collect();
        let by_rank: Vec<Member<'_>> = (0..4).filter_map(|r| s.get(r)).collect();
        assert_eq!(all, by_rank);
        let third = s.get(2).map(Member::to_bytes);
        assert_eq!(s.pop(2), third);
        assert_eq!(s.len(), 3);
        assert_eq!(s.pop(3), None);
        while !s.is_empty() {
            assert!(s.pop(0).is_some());
        }
        let mut ints = set_of(&["3", "1", "2"]);
        assert_eq!(ints.pop(1), Some(Bytes::from_static(b"2")));
        assert_eq!(texts(&ints), ["1", "3"]);
    }

    #[test]
    fn fenwick_selects_every_rank() {
        let counts = [3, 0, 0, 5, 1, 0, 2, 4];
        let tree = fenwick_build(&counts);
        let mut expected = Vec::new();
        for (b, &c) in counts.iter().enumerate() {
            for off in 0..c {
                expected.push((b, off));
            }
        }
        let got: Vec<_> = (0..expected.len())
            .map(|r| fenwick_select(&tree, r))
            .collect();
        assert_eq!(got, expected);
        let mut tree = tree;
        fenwick_add(&mut tree, 1, true);
        assert_eq!(fenwick_select(&tree, 3), (1, 0));
    }

    #[test]
    fn scan_visits_every_member_once_despite_changes() {
        let mut s = Set::new();
        for i in 0..2000 {
            s.insert(format!("k{i}").as_bytes());
        }
        let mut seen = std::collections::HashSet::new();
        let mut cursor = 0;
        let mut round = 0;
        loop {
            let (next, page) = s.scan(cursor, 10, |_| true);
            for m in page {
                assert!(seen.insert(m), "duplicate");
            }
            // Churn between steps, resizing the buckets up and down.
            for j in 0..50 {
                s.insert(format!("new{round}-{j}").as_bytes());
            }
            for j in 0..50 {
                s.remove(format!("new{round}-{j}").as_bytes());
            }
            round += 1;
            cursor = next;
            if cursor == 0 {
                break;
            }
        }
        for i in 0..2000 {
            assert!(seen.contains(format!("k{i}").as_bytes()), "k{i} missed");
        }
        let ints = set_of(&["1", "2", "10"]);
        let (cursor, all) = ints.scan(12345, 1, |m| m.starts_with(b"1"));
        assert_eq!(cursor, 0);
        assert_eq!(all, [Bytes::from_static(b"1"), Bytes::from_static(b"10")]);
    }

    #[test]
    fn heap_size_tracks_content() {
        let mut s = set_of(&["1", "2"]);
        assert!(s.heap_size() >= 4);
        let small = s.heap_size();
        s.insert(b"a fairly long member to make the table grow");
        assert!(s.heap_size() > small);
    }
}
