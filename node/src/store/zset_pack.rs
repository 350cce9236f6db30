//! The compact encoding of small sorted sets (Redis's `listpack` encoding).
//!
//! One shared byte buffer holds everything: a count byte, then each entry in order (score, then
//! member bytes) as `[member length][member bytes][score]`. A score that is an integer below
//! 2^53 in magnitude is a zigzag varint shifted left by one (0..=31 take one byte, as Redis's
//! listpack stores small integers in one byte); any other score is the byte `1` followed by the
//! eight bytes of the double. Like Redis's listpack, the integer form does not keep the sign of
//! a zero: `-0` comes back as `0`.
//!
//! Operations are linear scans, as Redis's are on a listpack: the encoding is only used up to
//! [`super::PACK_MAX_ENTRIES`] entries of at most [`super::PACK_MAX_MEMBER`] bytes.
//! No RESP, no clock, no randomness here.

use std::cmp::Ordering;

use triomphe::Arc;

/// Largest magnitude stored in the integer form: every integer below it is exact in an f64.
const INT_LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53

/// A small sorted set in one allocation, shared by clones: every change builds a new buffer,
/// so a clone (the keyspace copying a node while a snapshot holds it) costs a reference count,
/// not an allocation that outlives the snapshot as a hole in its size class.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct Pack {
    /// `[count][entries...]`; empty when the set is empty.
    buf: Arc<[u8]>,
}

impl Default for Pack {
    fn default() -> Pack {
        Pack {
            buf: crate::store::hash::empty(),
        }
    }
}

/// One decoded entry and where it sits in the buffer.
#[derive(Clone, Copy, Debug)]
pub(super) struct PackEntry<'a> {
    pub start: usize,
    pub end: usize,
    pub member: &'a [u8],
    pub score: f64,
}

/// Total order of entries: score, then member bytes (Redis's zset order).
pub(super) fn cmp_entry(a_score: f64, a_member: &[u8], b_score: f64, b_member: &[u8]) -> Ordering {
    if a_score < b_score {
        Ordering::Less
    } else if a_score > b_score {
        Ordering::Greater
    } else {
        a_member.cmp(b_member)
    }
}

impl Pack {
    pub fn len(&self) -> usize {
        self.buf.first().map_or(0, |&n| usize::from(n))
    }

    /// Bytes allocated.
    pub fn heap_size(&self) -> usize {
        self.buf.len()
    }

    /// Entries in order.
    pub fn iter(&self) -> PackIter<'_> {
        PackIter {
            buf: &self.buf,
            pos: 1,
            left: self.len(),
        }
    }

    /// Entries in order, collected (for reverse or random access on at most 128 entries).
    pub fn entries(&self) -> Vec<PackEntry<'_>> {
        self.iter().collect()
    }

    /// The position and score of `member`.
    pub fn find(&self, member: &[u8]) -> Option<(usize, f64)> {
        self.iter()
            .enumerate()
            .find(|(_, e)| e.member == member)
            .map(|(i, e)| (i, e.score))
    }

    /// Inserts `member`, which must be absent, at its place in the order.
    pub fn insert(&mut self, member: &[u8], score: f64) {
        let at = self
            .iter()
            .find(|e| cmp_entry(e.score, e.member, score, member) == Ordering::Greater)
            .map_or(self.buf.len().max(1), |e| e.start);
        let mut entry = Vec::with_capacity(member.len() + 10);
        encode_entry(&mut entry, member, score);
        let count = self.len() + 1;
        let mut buf = Vec::with_capacity(self.buf.len().max(1) + entry.len());
        if self.buf.is_empty() {
            buf.push(0);
        } else {
            buf.extend_from_slice(&self.buf[..at]);
        }
        buf.extend_from_slice(&entry);
        if at < self.buf.len() {
            buf.extend_from_slice(&self.buf[at..]);
        }
        buf[0] = u8::try_from(count).unwrap_or(u8::MAX);
        self.buf = Arc::from(buf);
    }

    /// Removes the entries of ranks `from..to` (clamped).
    pub fn remove_ranks(&mut self, from: usize, to: usize) {
        let len = self.len();
        let to = to.min(len);
        if from >= to {
            return;
        }
        let entries = self.entries();
        let start = entries[from].start;
        let end = entries[to - 1].end;
        let count = len - (to - from);
        if count == 0 {
            *self = Pack::default();
            return;
        }
        let mut buf = Vec::with_capacity(self.buf.len() - (end - start));
        buf.extend_from_slice(&self.buf[..start]);
        buf.extend_from_slice(&self.buf[end..]);
        buf[0] = u8::try_from(count).unwrap_or(u8::MAX);
        self.buf = Arc::from(buf);
    }

    /// Builds a pack from entries already in order (at most 255 of them).
    pub fn from_sorted<'a>(items: impl IntoIterator<Item = (&'a [u8], f64)>) -> Pack {
        let mut buf = vec![0u8];
        let mut count = 0usize;
        for (member, score) in items {
            encode_entry(&mut buf, member, score);
            count += 1;
        }
        if count == 0 {
            return Pack::default();
        }
        buf[0] = u8::try_from(count).unwrap_or(u8::MAX);
        Pack {
            buf: Arc::from(buf),
        }
    }
}

fn encode_entry(out: &mut Vec<u8>, member: &[u8], score: f64) {
    out.push(u8::try_from(member.len()).unwrap_or(u8::MAX));
    out.extend_from_slice(member);
    if score.fract() == 0.0 && score.abs() < INT_LIMIT {
        let n = score as i64;
        let zigzag = ((n << 1) ^ (n >> 63)) as u64;
        put_varint(out, zigzag << 1);
    } else {
        out.push(1);
        out.extend_from_slice(&score.to_le_bytes());
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn get_varint(buf: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *buf.get(*pos)?;
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Some(v);
        }
    }
    None
}

/// Decodes the entry at `pos`.
fn decode_entry(buf: &[u8], pos: usize) -> Option<PackEntry<'_>> {
    let len = usize::from(*buf.get(pos)?);
    let member = buf.get(pos + 1..pos + 1 + len)?;
    let mut at = pos + 1 + len;
    let tag = get_varint(buf, &mut at)?;
    let score = if tag == 1 {
        let bytes: [u8; 8] = buf.get(at..at + 8)?.try_into().ok()?;
        at += 8;
        f64::from_le_bytes(bytes)
    } else {
        let zigzag = tag >> 1;
        let n = ((zigzag >> 1) as i64) ^ -((zigzag & 1) as i64);
        n as f64
    };
    Some(PackEntry {
        start: pos,
        end: at,
        member,
        score,
    })
}

/// Iterates the entries of a [`Pack`] in order.
pub(super) struct PackIter<'a> {
    buf: &'a [u8],
    pos: usize,
    left: usize,
}

impl<'a> Iterator for PackIter<'a> {
    type Item = PackEntry<'a>;

    fn next(&mut self) -> Option<PackEntry<'a>> {
        if self.left == 0 {
            return None;
        }
        let entry = decode_entry(self.buf, self.pos)?;
        self.pos = entry.end;
        self.left -= 1;
        Some(entry)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.left))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(p: &Pack) -> Vec<(Vec<u8>, f64)> {
        p.iter().map(|e| (e.member.to_vec(), e.score)).collect()
    }

    #[test]
    fn keeps_order_and_scores() {
        let mut p = Pack::default();
        assert_eq!(p.len(), 0);
        let scores = [
            3.0,
            -1.5,
            0.1,
            1e20,
            -4503599627370495.0,
            9007199254740993.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            31.0,
            -32.0,
            1e-310,
        ];
        for (i, s) in scores.iter().enumerate() {
            p.insert(format!("m{i}").as_bytes(), *s);
        }
        assert_eq!(p.len(), scores.len());
        let got = content(&p);
        let mut want: Vec<(Vec<u8>, f64)> = scores
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("m{i}").into_bytes(), *s))
            .collect();
        want.sort_by(|a, b| cmp_entry(a.1, &a.0, b.1, &b.0));
        assert_eq!(got, want);
        for (m, s) in &want {
            assert_eq!(p.find(m).map(|(_, sc)| sc.to_bits()), Some(s.to_bits()));
        }
        assert_eq!(p.find(b"nope"), None);
    }

    #[test]
    fn ties_order_by_member_and_small_ints_take_one_byte() {
        let mut p = Pack::default();
        for m in ["c", "a", "b"] {
            p.insert(m.as_bytes(), 7.0);
        }
        let members: Vec<_> = p.iter().map(|e| e.member.to_vec()).collect();
        assert_eq!(members, vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]);
        // count + 3 × (len, byte, score)
        assert_eq!(p.heap_size(), 1 + 3 * 3);
    }

    #[test]
    fn negative_zero_loses_its_sign_like_a_listpack() {
        let mut p = Pack::default();
        p.insert(b"z", -0.0);
        assert!(p.find(b"z").unwrap().1.is_sign_positive());
    }

    #[test]
    fn remove_ranks_and_rebuild() {
        let items: Vec<(Vec<u8>, f64)> = (0..10).map(|i| (vec![b'a' + i], f64::from(i))).collect();
        let mut p = Pack::from_sorted(items.iter().map(|(m, s)| (&m[..], *s)));
        assert_eq!(content(&p), items);
        p.remove_ranks(2, 5);
        assert_eq!(p.len(), 7);
        assert_eq!(content(&p)[2].0, b"f".to_vec());
        p.remove_ranks(5, 100);
        assert_eq!(p.len(), 5);
        p.remove_ranks(3, 3);
        assert_eq!(p.len(), 5);
        p.remove_ranks(0, 5);
        assert_eq!(p.len(), 0);
        assert_eq!(p.heap_size(), 0);
        assert_eq!(Pack::from_sorted(std::iter::empty()).heap_size(), 0);
    }
}
