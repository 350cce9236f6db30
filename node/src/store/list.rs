//! A list of strings (Redis lists): one packed buffer while small, a deque of packed chunks
//! (Redis's quicklist of listpacks) beyond that.
//!
//! Every element is stored as `len | bytes | len` in a chunk's buffer, where `len` is a LEB128
//! varint and the trailing copy is written byte-reversed, so a chunk can be walked from either
//! end (as Redis's listpack entries carry a back-length). A chunk holds up to 8 kB of entries
//! (Redis's default `list-max-listpack-size -2`); an element larger than that gets a chunk of
//! its own.
//!
//! Costs, as Redis documents them: pushes and pops at either end are O(1) (they touch one
//! chunk of bounded size); LLEN is O(1); reaching element `i` walks whole chunks by their
//! counts from the nearer end, so LINDEX near either end is O(1) and O(n) in the middle.
//!
//! Pure data: no RESP, no clock, no randomness.

use std::collections::VecDeque;
use std::fmt;

use bytes::{Bytes, BytesMut};

/// Bytes of entries per chunk before a push starts a new chunk (Redis 7.0's default
/// `list-max-listpack-size -2`: 8 kB per quicklist node).
const CHUNK_BYTES: usize = 8192;

/// A list of strings (Redis lists).
#[derive(Clone, Default)]
pub struct List {
    len: usize,
    repr: Repr,
}

#[derive(Clone)]
enum Repr {
    /// A small list: one buffer, one allocation.
    Packed(Chunk),
    /// More than one chunk's worth of entries. Never holds fewer than two chunks, nor an
    /// empty chunk.
    Chunked(VecDeque<Chunk>),
}

impl Default for Repr {
    fn default() -> Repr {
        Repr::Packed(Chunk::default())
    }
}

impl List {
    pub fn new() -> List {
        List::default()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The name OBJECT ENCODING answers: Redis 7.0 reports every list as a quicklist.
    pub fn encoding(&self) -> &'static str {
        "quicklist"
    }

    /// Approximate heap bytes used: this struct (it lives in its `Arc`'s allocation), the
    /// chunk buffers and the deque of chunks.
    pub fn heap_size(&self) -> usize {
        let chunks = match &self.repr {
            Repr::Packed(c) => c.buf.capacity(),
            Repr::Chunked(cs) => {
                cs.capacity() * std::mem::size_of::<Chunk>()
                    + cs.iter().map(|c| c.buf.capacity()).sum::<usize>()
            }
        };
        std::mem::size_of::<List>() + chunks
    }

    /// Appends `data` at the tail (RPUSH).
    pub fn push_back(&mut self, data: &[u8]) {
        let need = entry_len(data.len());
        match &mut self.repr {
            Repr::Packed(c) if c.fits(need) => c.push_back(data),
            Repr::Packed(c) => {
                let head = std::mem::take(c);
                self.repr = Repr::Chunked(VecDeque::from([head, Chunk::with(data)]));
            }
            Repr::Chunked(cs) => match cs.back_mut() {
                Some(c) if c.fits(need) => c.push_back(data),
                _ => cs.push_back(Chunk::with(data)),
            },
        }
        self.len += 1;
    }

    /// Prepends `data` at the head (LPUSH).
    pub fn push_front(&mut self, data: &[u8]) {
        let need = entry_len(data.len());
        match &mut self.repr {
            Repr::Packed(c) if c.fits(need) => c.push_front(data),
            Repr::Packed(c) => {
                let tail = std::mem::take(c);
                self.repr = Repr::Chunked(VecDeque::from([Chunk::with(data), tail]));
            }
            Repr::Chunked(cs) => match cs.front_mut() {
                Some(c) if c.fits(need) => c.push_front(data),
                _ => cs.push_front(Chunk::with(data)),
            },
        }
        self.len += 1;
    }

    /// Removes and returns the head element.
    pub fn pop_front(&mut self) -> Option<Bytes> {
        let value = match &mut self.repr {
            Repr::Packed(c) => c.pop_front()?,
            Repr::Chunked(cs) => {
                let c = cs.front_mut()?;
                let value = c.pop_front()?;
                if c.count == 0 {
                    cs.pop_front();
                }
                value
            }
        };
        self.len -= 1;
        self.normalize();
        Some(value)
    }

    /// Removes and returns the tail element.
    pub fn pop_back(&mut self) -> Option<Bytes> {
        let value = match &mut self.repr {
            Repr::Packed(c) => c.pop_back()?,
            Repr::Chunked(cs) => {
                let c = cs.back_mut()?;
                let value = c.pop_back()?;
                if c.count == 0 {
                    cs.pop_back();
                }
                value
            }
        };
        self.len -= 1;
        self.normalize();
        Some(value)
    }

    /// Removes up to `n` elements from the head and returns them head first.
    pub fn pop_front_n(&mut self, n: usize) -> Vec<Bytes> {
        let taken = copy_out(self.iter().take(n));
        self.trim(taken.len(), 0);
        taken
    }

    /// Removes up to `n` elements from the tail and returns them tail first.
    pub fn pop_back_n(&mut self, n: usize) -> Vec<Bytes> {
        let taken = copy_out(self.iter().rev().take(n));
        self.trim(0, taken.len());
        taken
    }

    /// Removes `front` elements from the head and `back` from the tail (fewer if the list is
    /// shorter), in time proportional to what is removed.
    pub fn trim(&mut self, front: usize, back: usize) {
        let front = front.min(self.len);
        let back = back.min(self.len - front);
        match &mut self.repr {
            Repr::Packed(c) => {
                c.drain_front(front);
                c.drain_back(back);
            }
            Repr::Chunked(cs) => {
                let mut n = front;
                while n > 0 {
                    let Some(c) = cs.front_mut() else { break };
                    if c.count <= n {
                        n -= c.count;
                        cs.pop_front();
                    } else {
                        c.drain_front(n);
                        n = 0;
                    }
                }
                let mut n = back;
                while n > 0 {
                    let Some(c) = cs.back_mut() else { break };
                    if c.count <= n {
                        n -= c.count;
                        cs.pop_back();
                    } else {
                        c.drain_back(n);
                        n = 0;
                    }
                }
            }
        }
        self.len -= front + back;
        self.normalize();
    }

    /// The element at `index` (0 is the head), walking from the nearer end.
    pub fn get(&self, index: usize) -> Option<&[u8]> {
        let (ci, off) = self.locate(index)?;
        Some(self.chunk(ci)?.get(off))
    }

    /// Replaces the element at `index`; false when the index is out of range.
    pub fn set(&mut self, index: usize, data: &[u8]) -> bool {
        let Some((ci, off)) = self.locate(index) else {
            return false;
        };
        let Some(chunk) = self.chunk_mut(ci) else {
            return false;
        };
        chunk.replace(off, data);
        self.split_if_oversize(ci);
        true
    }

    /// Inserts `data` before (or `after`) the first element equal to `pivot`, searching from
    /// the head; false when there is no such element (LINSERT).
    pub fn insert_at_pivot(&mut self, pivot: &[u8], after: bool, data: &[u8]) -> bool {
        let found = self
            .chunks()
            .enumerate()
            .find_map(|(ci, c)| c.position(pivot).map(|off| (ci, off)));
        let Some((ci, off)) = found else {
            return false;
        };
        let Some(chunk) = self.chunk_mut(ci) else {
            return false;
        };
        chunk.insert(if after { off + 1 } else { off }, data);
        self.len += 1;
        self.split_if_oversize(ci);
        true
    }

    /// Removes up to `limit` elements equal to `data`, the first ones from the head, or the
    /// last ones when `from_tail` (LREM). Returns how many were removed.
    pub fn remove_matching(&mut self, data: &[u8], limit: usize, from_tail: bool) -> usize {
        let removed = match &mut self.repr {
            Repr::Packed(c) => c.remove_matching(data, limit, from_tail),
            Repr::Chunked(cs) => {
                let n = cs.len();
                let mut removed = 0;
                for k in 0..n {
                    if removed == limit {
                        break;
                    }
                    let ci = if from_tail { n - 1 - k } else { k };
                    removed += cs[ci].remove_matching(data, limit - removed, from_tail);
                }
                if removed > 0 {
                    merge_chunks(cs);
                }
                removed
            }
        };
        self.len -= removed;
        self.normalize();
        removed
    }

    /// Every element, head to tail (reversible).
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &[u8]> + '_ {
        self.chunks().flat_map(Chunk::iter)
    }

    /// The elements from `start` (0 is the head) to the tail, reaching `start` from the
    /// nearer end.
    pub fn iter_from(&self, start: usize) -> impl Iterator<Item = &[u8]> + '_ {
        let (ci, off) = self.locate(start).unwrap_or((usize::MAX, 0));
        let mut chunks = self.chunks().skip(ci);
        let first = chunks.next().map(|c| c.iter_from(off));
        first
            .into_iter()
            .flatten()
            .chain(chunks.flat_map(Chunk::iter))
    }

    /// The chunks, head to tail.
    fn chunks(&self) -> impl DoubleEndedIterator<Item = &Chunk> + '_ {
        let (a, b): (&[Chunk], &[Chunk]) = match &self.repr {
            Repr::Packed(c) => (std::slice::from_ref(c), &[]),
            Repr::Chunked(cs) => cs.as_slices(),
        };
        a.iter().chain(b)
    }

    fn chunk(&self, ci: usize) -> Option<&Chunk> {
        match &self.repr {
            Repr::Packed(c) => (ci == 0).then_some(c),
            Repr::Chunked(cs) => cs.get(ci),
        }
    }

    fn chunk_mut(&mut self, ci: usize) -> Option<&mut Chunk> {
        match &mut self.repr {
            Repr::Packed(c) => (ci == 0).then_some(c),
            Repr::Chunked(cs) => cs.get_mut(ci),
        }
    }

    /// Splits chunk `ci` if a replacement or an insertion made it larger than a chunk may be
    /// (a packed list becomes chunked).
    fn split_if_oversize(&mut self, ci: usize) {
        match &mut self.repr {
            Repr::Packed(c) => {
                let rest = c.split_oversize();
                if !rest.is_empty() {
                    let first = std::mem::take(c);
                    self.repr = Repr::Chunked(std::iter::once(first).chain(rest).collect());
                }
            }
            Repr::Chunked(cs) => {
                let rest = cs
                    .get_mut(ci)
                    .map(Chunk::split_oversize)
                    .unwrap_or_default();
                for (k, c) in rest.into_iter().enumerate() {
                    cs.insert(ci + 1 + k, c);
                }
            }
        }
    }

    /// Back to one packed buffer when at most one chunk is left.
    fn normalize(&mut self) {
        if let Repr::Chunked(cs) = &mut self.repr
            && cs.len() <= 1
        {
            let only = cs.pop_front().unwrap_or_default();
            self.repr = Repr::Packed(only);
        }
    }

    /// The chunk holding element `index` and the offset in it, walking chunk counts from the
    /// nearer end of the list.
    fn locate(&self, index: usize) -> Option<(usize, usize)> {
        if index >= self.len {
            return None;
        }
        let Repr::Chunked(cs) = &self.repr else {
            return Some((0, index));
        };
        if index < self.len / 2 {
            let mut i = index;
            for (ci, c) in cs.iter().enumerate() {
                if i < c.count {
                    return Some((ci, i));
                }
                i -= c.count;
            }
        } else {
            let mut from_end = self.len - 1 - index;
            for (ci, c) in cs.iter().enumerate().rev() {
                if from_end < c.count {
                    return Some((ci, c.count - 1 - from_end));
                }
                from_end -= c.count;
            }
        }
        None
    }
}

impl PartialEq for List {
    /// Lists are equal when they hold the same elements, however they are chunked.
    fn eq(&self, other: &List) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl fmt::Debug for List {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(bytes::Bytes::copy_from_slice))
            .finish()
    }
}

/// Copies `items` into one shared allocation and returns a `Bytes` view of each (one
/// allocation for a whole LRANGE or LPOP reply instead of one per element).
fn copy_out<'a>(items: impl Iterator<Item = &'a [u8]>) -> Vec<Bytes> {
    let items: Vec<&[u8]> = items.collect();
    let total = items.iter().map(|i| i.len()).sum();
    let mut buf = BytesMut::with_capacity(total);
    for item in &items {
        buf.extend_from_slice(item);
    }
    let buf = buf.freeze();
    let mut at = 0;
    items
        .iter()
        .map(|item| {
            let part = buf.slice(at..at + item.len());
            at += item.len();
            part
        })
        .collect()
}

/// Drops empty chunks and joins neighbours that fit in one chunk together (after LREM).
fn merge_chunks(cs: &mut VecDeque<Chunk>) {
    let mut out: VecDeque<Chunk> = VecDeque::with_capacity(cs.len());
    for c in cs.drain(..) {
        if c.count == 0 {
            continue;
        }
        match out.back_mut() {
            Some(last) if last.buf.len() + c.buf.len() <= CHUNK_BYTES => {
                last.buf.extend_from_slice(&c.buf);
                last.count += c.count;
            }
            _ => out.push_back(c),
        }
    }
    *cs = out;
}

/// A run of entries in one buffer: each is `varint(len) | bytes | reversed varint(len)`.
#[derive(Clone, Default)]
struct Chunk {
    buf: Vec<u8>,
    count: usize,
}

impl Chunk {
    /// A chunk holding `data` alone.
    fn with(data: &[u8]) -> Chunk {
        let mut buf = Vec::with_capacity(entry_len(data.len()));
        append_entry(&mut buf, data);
        Chunk { buf, count: 1 }
    }

    /// Whether an entry of `need` bytes may join this chunk.
    fn fits(&self, need: usize) -> bool {
        self.count == 0 || self.buf.len() + need <= CHUNK_BYTES
    }

    fn iter(&self) -> ChunkIter<'_> {
        ChunkIter {
            buf: &self.buf,
            front: 0,
            back: self.buf.len(),
            left: self.count,
        }
    }

    /// The entries from `off` on.
    fn iter_from(&self, off: usize) -> ChunkIter<'_> {
        let off = off.min(self.count);
        ChunkIter {
            buf: &self.buf,
            front: self.span(off).0,
            back: self.buf.len(),
            left: self.count - off,
        }
    }

    /// Byte range of entry `i` (or the end of the buffer for `i == count`), walking from the
    /// nearer end.
    fn span(&self, i: usize) -> (usize, usize) {
        if i >= self.count {
            return (self.buf.len(), self.buf.len());
        }
        if i <= self.count / 2 {
            let mut pos = 0;
            for _ in 0..i {
                pos = next_entry(&self.buf, pos).2;
            }
            (pos, next_entry(&self.buf, pos).2)
        } else {
            let mut end = self.buf.len();
            for _ in 0..self.count - 1 - i {
                end = prev_entry(&self.buf, end).0;
            }
            (prev_entry(&self.buf, end).0, end)
        }
    }

    fn get(&self, i: usize) -> &[u8] {
        let (start, _) = self.span(i);
        let (data, _, _) = next_entry(&self.buf, start);
        &self.buf[data]
    }

    /// Offset of the first entry equal to `data`.
    fn position(&self, data: &[u8]) -> Option<usize> {
        self.iter().position(|e| e == data)
    }

    fn push_back(&mut self, data: &[u8]) {
        append_entry(&mut self.buf, data);
        self.count += 1;
    }

    fn push_front(&mut self, data: &[u8]) {
        self.splice(0, 0, data);
        self.count += 1;
    }

    fn pop_front(&mut self) -> Option<Bytes> {
        if self.count == 0 {
            return None;
        }
        let (data, _, next) = next_entry(&self.buf, 0);
        let value = Bytes::copy_from_slice(&self.buf[data]);
        self.buf.drain(..next);
        self.count -= 1;
        self.shrink();
        Some(value)
    }

    fn pop_back(&mut self) -> Option<Bytes> {
        if self.count == 0 {
            return None;
        }
        let (start, data) = prev_entry(&self.buf, self.buf.len());
        let value = Bytes::copy_from_slice(&self.buf[data]);
        self.buf.truncate(start);
        self.count -= 1;
        self.shrink();
        Some(value)
    }

    /// Removes the first `n` entries (n ≤ count).
    fn drain_front(&mut self, n: usize) {
        if n == 0 {
            return;
        }
        let (at, _) = self.span(n);
        self.buf.drain(..at);
        self.count -= n;
        self.shrink();
    }

    /// Removes the last `n` entries (n ≤ count).
    fn drain_back(&mut self, n: usize) {
        if n == 0 {
            return;
        }
        let (at, _) = self.span(self.count - n);
        self.buf.truncate(at);
        self.count -= n;
        self.shrink();
    }

    fn replace(&mut self, i: usize, data: &[u8]) {
        let (start, end) = self.span(i);
        self.splice(start, end, data);
    }

    /// Inserts `data` as entry `i` (`i == count` appends).
    fn insert(&mut self, i: usize, data: &[u8]) {
        let (at, _) = self.span(i);
        self.splice(at, at, data);
        self.count += 1;
    }

    /// Replaces bytes `start..end` with the encoded entry for `data`.
    fn splice(&mut self, start: usize, end: usize, data: &[u8]) {
        let (header, h) = varint(data.len());
        let header = &header[..h];
        let entry = header
            .iter()
            .chain(data)
            .chain(header.iter().rev())
            .copied();
        self.buf.splice(start..end, entry);
    }

    /// Removes up to `limit` entries equal to `data`, the first ones or the last ones.
    fn remove_matching(&mut self, data: &[u8], limit: usize, from_tail: bool) -> usize {
        let mut cuts: Vec<(usize, usize)> = Vec::new();
        let mut it = self.iter();
        while cuts.len() < limit {
            let span = if from_tail {
                it.next_span_back()
            } else {
                it.next_span()
            };
            let Some((start, range, end)) = span else {
                break;
            };
            if &self.buf[range] == data {
                cuts.push((start, end));
            }
        }
        if cuts.is_empty() {
            return 0;
        }
        if from_tail {
            cuts.reverse();
        }
        let cut_bytes: usize = cuts.iter().map(|(s, e)| e - s).sum();
        let mut kept = Vec::with_capacity(self.buf.len() - cut_bytes);
        let mut at = 0;
        for &(start, end) in &cuts {
            kept.extend_from_slice(&self.buf[at..start]);
            at = end;
        }
        kept.extend_from_slice(&self.buf[at..]);
        self.buf = kept;
        self.count -= cuts.len();
        cuts.len()
    }

    /// When over [`CHUNK_BYTES`] with more than one entry, keeps the first chunk's worth here
    /// and returns the rest as further chunks.
    fn split_oversize(&mut self) -> Vec<Chunk> {
        if self.buf.len() <= CHUNK_BYTES || self.count <= 1 {
            return Vec::new();
        }
        let mut pieces: Vec<Chunk> = Vec::new();
        let mut current = Chunk::default();
        let mut it = self.iter();
        while let Some((start, _, end)) = it.next_span() {
            if !current.fits(end - start) {
                pieces.push(std::mem::take(&mut current));
            }
            current.buf.extend_from_slice(&self.buf[start..end]);
            current.count += 1;
        }
        pieces.push(current);
        let mut rest = pieces.into_iter();
        *self = rest.next().unwrap_or_default();
        rest.collect()
    }

    /// Gives memory back once the buffer is mostly unused.
    fn shrink(&mut self) {
        if self.buf.capacity() > 64 && self.buf.len() < self.buf.capacity() / 4 {
            self.buf.shrink_to(self.buf.len() * 2);
        }
    }
}

/// The entries of a chunk, walkable from both ends.
#[derive(Clone)]
struct ChunkIter<'a> {
    buf: &'a [u8],
    /// Start of the next entry from the front.
    front: usize,
    /// End of the next entry from the back.
    back: usize,
    left: usize,
}

impl ChunkIter<'_> {
    /// The next entry from the front: (start, data range, end).
    fn next_span(&mut self) -> Option<(usize, std::ops::Range<usize>, usize)> {
        if self.left == 0 {
            return None;
        }
        let (data, _, end) = next_entry(self.buf, self.front);
        let start = self.front;
        self.front = end;
        self.left -= 1;
        Some((start, data, end))
    }

    /// The next entry from the back: (start, data range, end).
    fn next_span_back(&mut self) -> Option<(usize, std::ops::Range<usize>, usize)> {
        if self.left == 0 {
            return None;
        }
        let (start, data) = prev_entry(self.buf, self.back);
        let end = self.back;
        self.back = start;
        self.left -= 1;
        Some((start, data, end))
    }
}

impl<'a> Iterator for ChunkIter<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let buf = self.buf;
        self.next_span().map(|(_, data, _)| &buf[data])
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl DoubleEndedIterator for ChunkIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let buf = self.buf;
        self.next_span_back().map(|(_, data, _)| &buf[data])
    }
}

impl ExactSizeIterator for ChunkIter<'_> {}

/// Encoded size of an entry of `len` bytes.
fn entry_len(len: usize) -> usize {
    2 * varint(len).1 + len
}

/// LEB128 of `n`: the bytes and how many are used.
fn varint(mut n: usize) -> ([u8; 10], usize) {
    let mut out = [0u8; 10];
    let mut i = 0;
    loop {
        let low = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out[i] = low;
            return (out, i + 1);
        }
        out[i] = low | 0x80;
        i += 1;
    }
}

fn append_entry(buf: &mut Vec<u8>, data: &[u8]) {
    let (header, h) = varint(data.len());
    buf.reserve(2 * h + data.len());
    buf.extend_from_slice(&header[..h]);
    buf.extend_from_slice(data);
    buf.extend(header[..h].iter().rev());
}

/// Decodes the entry starting at `pos`: (data range, header size, end).
fn next_entry(buf: &[u8], pos: usize) -> (std::ops::Range<usize>, usize, usize) {
    let mut len = 0usize;
    let mut i = pos;
    let mut shift = 0;
    loop {
        let b = buf[i];
        len |= usize::from(b & 0x7f) << shift;
        i += 1;
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    let h = i - pos;
    (i..i + len, h, i + len + h)
}

/// Decodes the entry ending at `end` from its reversed trailing length: (start, data range).
fn prev_entry(buf: &[u8], end: usize) -> (usize, std::ops::Range<usize>) {
    let mut len = 0usize;
    let mut i = end;
    let mut shift = 0;
    loop {
        i -= 1;
        let b = buf[i];
        len |= usize::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    let h = end - i;
    let data_end = i;
    let data_start = data_end - len;
    (data_start - h, data_start..data_end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `count` elements from `start`, as LRANGE reads them.
    fn range(l: &List, start: usize, count: usize) -> Vec<&[u8]> {
        l.iter_from(start).take(count).collect()
    }

    fn elems(l: &List) -> Vec<Vec<u8>> {
        l.iter().map(<[u8]>::to_vec).collect()
    }

    fn chunk_count(l: &List) -> usize {
        l.chunks().count()
    }

    /// Checks the structural invariants: counts add up, chunks are walkable both ways, no
    /// empty chunk, a deque only for two chunks or more.
    fn check(l: &List) {
        let forward: Vec<_> = l.iter().collect();
        let mut backward: Vec<_> = l.iter().rev().collect();
        backward.reverse();
        assert_eq!(forward, backward);
        assert_eq!(forward.len(), l.len());
        assert_eq!(l.chunks().map(|c| c.count).sum::<usize>(), l.len());
        if let Repr::Chunked(cs) = &l.repr {
            assert!(cs.len() >= 2);
            assert!(cs.iter().all(|c| c.count > 0));
            assert!(
                cs.iter()
                    .all(|c| c.count == 1 || c.buf.len() <= CHUNK_BYTES)
            );
        }
        for (i, e) in forward.iter().enumerate() {
            assert_eq!(l.get(i), Some(*e), "get({i})");
        }
    }

    #[test]
    fn varints_round_trip_both_ways() {
        for n in [0, 1, 127, 128, 300, 16383, 16384, 1 << 29, usize::MAX >> 1] {
            let mut buf = vec![7u8];
            let (h, k) = varint(n);
            buf.extend_from_slice(&h[..k]);
            buf.extend(std::iter::repeat_n(0u8, n.min(1000)));
            if n > 1000 {
                // Only the header matters for large lengths: decode the prefix alone.
                let mut len = 0usize;
                for (j, b) in h[..k].iter().enumerate() {
                    len |= usize::from(b & 0x7f) << (7 * j);
                }
                assert_eq!(len, n);
                continue;
            }
            buf.extend(h[..k].iter().rev());
            let (data, hk, end) = next_entry(&buf, 1);
            assert_eq!((data.len(), hk, end), (n, k, buf.len()));
            let (start, data) = prev_entry(&buf, buf.len());
            assert_eq!((start, data.len()), (1, n));
            assert_eq!(entry_len(n), 2 * k + n);
        }
    }

    #[test]
    fn pushes_and_pops_at_both_ends() {
        let mut l = List::new();
        l.push_back(b"b");
        l.push_front(b"a");
        l.push_back(b"");
        l.push_back(b"c");
        assert_eq!(elems(&l), [&b"a"[..], b"b", b"", b"c"]);
        assert_eq!(l.get(2), Some(&b""[..]));
        assert_eq!(l.get(4), None);
        assert_eq!(l.pop_front().as_deref(), Some(&b"a"[..]));
        assert_eq!(l.pop_back().as_deref(), Some(&b"c"[..]));
        assert_eq!(l.len(), 2);
        assert_eq!(l.pop_back().as_deref(), Some(&b""[..]));
        assert_eq!(l.pop_back().as_deref(), Some(&b"b"[..]));
        assert_eq!(l.pop_back(), None);
        assert_eq!(l.pop_front(), None);
        assert!(l.is_empty());
        assert_eq!(l.encoding(), "quicklist");
    }

    #[test]
    fn small_lists_are_one_buffer_and_large_ones_chunked() {
        let mut l = List::new();
        for i in 0..100 {
            l.push_back(format!("item{i}").as_bytes());
        }
        assert!(matches!(l.repr, Repr::Packed(_)));
        // 7 + 2 bytes an entry: about 8 kB per chunk.
        for i in 100..10_000 {
            l.push_back(format!("item{i}").as_bytes());
        }
        check(&l);
        assert!(chunk_count(&l) > 5);
        assert_eq!(l.get(9_999), Some(&b"item9999"[..]));
        assert_eq!(l.get(5_000), Some(&b"item5000"[..]));
        while l.len() > 10 {
            l.pop_front();
        }
        check(&l);
        assert!(matches!(l.repr, Repr::Packed(_)));
        assert_eq!(l.get(0), Some(&b"item9990"[..]));
    }

    #[test]
    fn big_elements_get_their_own_chunk() {
        let big = vec![b'x'; 20_000];
        let mut l = List::new();
        l.push_back(b"a");
        l.push_back(&big);
        l.push_back(b"b");
        l.push_front(&big);
        check(&l);
        assert_eq!(chunk_count(&l), 4);
        assert_eq!(l.get(1), Some(&b"a"[..]));
        assert_eq!(l.get(2), Some(&big[..]));
        assert!(l.set(1, &big));
        assert!(l.set(2, b"small"));
        check(&l);
        assert!(l.heap_size() > 60_000);
    }

    #[test]
    fn set_and_insert_split_oversized_chunks() {
        let mut l = List::new();
        for _ in 0..1000 {
            l.push_back(b"0123456789");
        }
        check(&l);
        let before = chunk_count(&l);
        for i in (0..1000).step_by(10) {
            assert!(l.set(i, &[b'y'; 100]));
        }
        check(&l);
        assert!(chunk_count(&l) > before);
        assert!(l.insert_at_pivot(&[b'y'; 100], true, b"after-first"));
        assert_eq!(l.get(1), Some(&b"after-first"[..]));
        assert!(!l.insert_at_pivot(b"nope", false, b"x"));
        assert_eq!(l.len(), 1001);
        check(&l);
    }

    #[test]
    fn remove_matching_from_either_end() {
        let mut l = List::new();
        for e in ["a", "b", "a", "c", "a"] {
            l.push_back(e.as_bytes());
        }
        assert_eq!(l.remove_matching(b"a", 1, true), 1);
        assert_eq!(elems(&l), [&b"a"[..], b"b", b"a", b"c"]);
        assert_eq!(l.remove_matching(b"a", 1, false), 1);
        assert_eq!(elems(&l), [&b"b"[..], b"a", b"c"]);
        assert_eq!(l.remove_matching(b"z", usize::MAX, false), 0);
        assert_eq!(l.remove_matching(b"a", 0, false), 0);
        assert_eq!(l.remove_matching(b"a", usize::MAX, false), 1);
        assert_eq!(elems(&l), [&b"b"[..], b"c"]);
    }

    #[test]
    fn removals_merge_thin_chunks() {
        let mut l = List::new();
        for i in 0..5000 {
            l.push_back(if i % 10 == 0 { b"keep-it" } else { b"drop-it" });
        }
        let before = chunk_count(&l);
        assert_eq!(l.remove_matching(b"drop-it", usize::MAX, false), 4500);
        check(&l);
        assert!(chunk_count(&l) < before);
        assert!(matches!(l.repr, Repr::Packed(_)));
    }

    #[test]
    fn trim_and_pop_n() {
        let mut l = List::new();
        for i in 0..3000 {
            l.push_back(format!("{i:08}").as_bytes());
        }
        l.trim(1000, 999);
        check(&l);
        assert_eq!(l.len(), 1001);
        assert_eq!(l.get(0), Some(&b"00001000"[..]));
        assert_eq!(l.get(1000), Some(&b"00002000"[..]));
        let front = l.pop_front_n(2);
        assert_eq!(front, [&b"00001000"[..], b"00001001"]);
        let back = l.pop_back_n(2);
        assert_eq!(back, [&b"00002000"[..], b"00001999"]);
        assert_eq!(range(&l, 0, 2), [&b"00001002"[..], b"00001003"]);
        assert_eq!(range(&l, 996, 100), [&b"00001998"[..]]);
        assert!(range(&l, 997, 1).is_empty());
        l.trim(usize::MAX, usize::MAX);
        assert!(l.is_empty());
        assert_eq!(l.pop_front_n(5), Vec::<Bytes>::new());
    }

    #[test]
    fn equality_ignores_chunking() {
        let mut a = List::new();
        let mut b = List::new();
        for i in 0..2000 {
            a.push_back(format!("{i}").as_bytes());
            b.push_front(format!("{}", 1999 - i).as_bytes());
        }
        assert_eq!(a, b);
        b.set(5, b"x");
        assert_ne!(a, b);
        assert_eq!(format!("{:?}", List::new()), "[]");
    }

    #[derive(Debug, Clone)]
    enum Op {
        PushBack(Vec<u8>),
        PushFront(Vec<u8>),
        PopBack,
        PopFront,
        PopFrontN(usize),
        PopBackN(usize),
        Set(usize, Vec<u8>),
        Insert(Vec<u8>, bool, Vec<u8>),
        Remove(Vec<u8>, usize, bool),
        Trim(usize, usize),
        Range(usize, usize),
    }

    fn element() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            4 => prop::sample::select(vec![b"a".to_vec(), b"b".to_vec(), b"".to_vec()]),
            2 => (0usize..200).prop_map(|n| vec![b'm'; n]),
            1 => (2000usize..9000).prop_map(|n| vec![b'L'; n]),
        ]
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => element().prop_map(Op::PushBack),
            6 => element().prop_map(Op::PushFront),
            2 => Just(Op::PopBack),
            2 => Just(Op::PopFront),
            1 => (0usize..40).prop_map(Op::PopFrontN),
            1 => (0usize..40).prop_map(Op::PopBackN),
            2 => (0usize..200, element()).prop_map(|(i, e)| Op::Set(i, e)),
            2 => (element(), any::<bool>(), element()).prop_map(|(p, a, e)| Op::Insert(p, a, e)),
            1 => (element(), 0usize..5, any::<bool>()).prop_map(|(e, n, t)| Op::Remove(e, n, t)),
            1 => (0usize..30, 0usize..30).prop_map(|(f, b)| Op::Trim(f, b)),
            2 => (0usize..200, 0usize..50).prop_map(|(s, n)| Op::Range(s, n)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The list behaves as a VecDeque under any sequence of operations.
        #[test]
        fn behaves_like_a_deque(ops in prop::collection::vec(op(), 1..300)) {
            let mut l = List::new();
            let mut model: VecDeque<Vec<u8>> = VecDeque::new();
            for op in ops {
                match op {
                    Op::PushBack(e) => { l.push_back(&e); model.push_back(e); }
                    Op::PushFront(e) => { l.push_front(&e); model.push_front(e); }
                    Op::PopBack => prop_assert_eq!(l.pop_back().map(|b| b.to_vec()), model.pop_back()),
                    Op::PopFront => prop_assert_eq!(l.pop_front().map(|b| b.to_vec()), model.pop_front()),
                    Op::PopFrontN(n) => {
                        let want: Vec<Vec<u8>> = (0..n).map_while(|_| model.pop_front()).collect();
                        let got: Vec<Vec<u8>> = l.pop_front_n(n).iter().map(|b| b.to_vec()).collect();
                        prop_assert_eq!(got, want);
                    }
                    Op::PopBackN(n) => {
                        let want: Vec<Vec<u8>> = (0..n).map_while(|_| model.pop_back()).collect();
                        let got: Vec<Vec<u8>> = l.pop_back_n(n).iter().map(|b| b.to_vec()).collect();
                        prop_assert_eq!(got, want);
                    }
                    Op::Set(i, e) => {
                        let ok = i < model.len();
                        prop_assert_eq!(l.set(i, &e), ok);
                        if ok { model[i] = e; }
                    }
                    Op::Insert(p, after, e) => {
                        let at = model.iter().position(|x| *x == p);
                        prop_assert_eq!(l.insert_at_pivot(&p, after, &e), at.is_some());
                        if let Some(at) = at { model.insert(if after { at + 1 } else { at }, e); }
                    }
                    Op::Remove(e, n, from_tail) => {
                        let limit = if n == 0 { usize::MAX } else { n };
                        let mut removed = 0;
                        let mut kept: VecDeque<Vec<u8>> = VecDeque::new();
                        if from_tail {
                            for x in model.drain(..).rev() {
                                if x == e && removed < limit { removed += 1 } else { kept.push_front(x) }
                            }
                        } else {
                            for x in model.drain(..) {
                                if x == e && removed < limit { removed += 1 } else { kept.push_back(x) }
                            }
                        }
                        model = kept;
                        prop_assert_eq!(l.remove_matching(&e, limit, from_tail), removed);
                    }
                    Op::Trim(f, b) => {
                        l.trim(f, b);
                        for _ in 0..f { model.pop_front(); }
                        for _ in 0..b { model.pop_back(); }
                    }
                    Op::Range(s, n) => {
                        let want: Vec<Vec<u8>> = model.iter().skip(s).take(n).cloned().collect();
                        let got: Vec<Vec<u8>> = range(&l, s, n).iter().map(|b| b.to_vec()).collect();
                        prop_assert_eq!(got, want);
                    }
                }
                prop_assert_eq!(l.len(), model.len());
            }
            check(&l);
            prop_assert_eq!(elems(&l), model.iter().cloned().collect::<Vec<_>>());
        }
    }
}
