//! A sorted set: distinct members ordered by score, then by bytes (Redis sorted sets).
//!
//! Two encodings, as in Redis 7.0, and the same rules to move between them:
//! - `listpack` (`zset_pack.rs`): one contiguous buffer, used while the set has
//!   at most [`PACK_MAX_ENTRIES`] members of at most [`PACK_MAX_MEMBER`] bytes;
//! - `skiplist` (`zset_skiplist.rs`): a skiplist with spans plus a member
//!   index, for O(log n) inserts, removals, ranks and range starts.
//!
//! A set converts to the skiplist when an insert would break a listpack limit, and never goes
//! back by shrinking (as Redis); sets built whole (the results of ZUNIONSTORE, ZRANGESTORE...)
//! take the encoding their final size calls for ([`ZSet::from_sorted`]).
//!
//! Positions are 0-based ascending ranks. Scores are never NaN: callers reject NaN before it
//! reaches this type. No RESP, no clock, no randomness here.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

use bytes::Bytes;

#[path = "zset_pack.rs"]
mod zset_pack;
#[path = "zset_skiplist.rs"]
mod zset_skiplist;

use zset_pack::Pack;
use zset_skiplist::SkipList;

/// Redis 7.0's `zset-max-listpack-entries` default.
pub const PACK_MAX_ENTRIES: usize = 128;
/// Redis 7.0's `zset-max-listpack-value` default.
pub const PACK_MAX_MEMBER: usize = 64;

/// A sorted set: distinct members ordered by score, then by bytes (Redis sorted sets).
#[derive(Clone, Default)]
pub struct ZSet {
    repr: Repr,
}

#[derive(Clone)]
enum Repr {
    Pack(Pack),
    List(Arc<SkipList>),
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Pack(Pack::default())
    }
}

/// A score interval as ZRANGEBYSCORE takes it (`(` makes a bound exclusive).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScoreRange {
    pub min: f64,
    pub min_ex: bool,
    pub max: f64,
    pub max_ex: bool,
}

impl ScoreRange {
    pub fn gte_min(&self, score: f64) -> bool {
        if self.min_ex {
            score > self.min
        } else {
            score >= self.min
        }
    }

    pub fn lte_max(&self, score: f64) -> bool {
        if self.max_ex {
            score < self.max
        } else {
            score <= self.max
        }
    }

    /// Whether no score can be inside (Redis's zslIsInRange first test).
    pub fn is_empty(&self) -> bool {
        self.min > self.max || (self.min == self.max && (self.min_ex || self.max_ex))
    }
}

/// One end of a lexicographic range: `-`, `+`, `[value` or `(value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LexBound {
    /// `-`: before every string.
    Min,
    /// `+`: after every string.
    Max,
    Incl(Bytes),
    Excl(Bytes),
}

impl LexBound {
    fn exclusive(&self) -> bool {
        !matches!(self, LexBound::Incl(_))
    }

    /// Redis's sdscmplex between two bounds.
    fn cmp_bound(&self, other: &LexBound) -> Ordering {
        match (self, other) {
            (LexBound::Min, LexBound::Min) | (LexBound::Max, LexBound::Max) => Ordering::Equal,
            (LexBound::Min, _) | (_, LexBound::Max) => Ordering::Less,
            (LexBound::Max, _) | (_, LexBound::Min) => Ordering::Greater,
            (LexBound::Incl(a) | LexBound::Excl(a), LexBound::Incl(b) | LexBound::Excl(b)) => {
                a.cmp(b)
            }
        }
    }
}

/// A lexicographic interval as ZRANGEBYLEX takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexRange {
    pub min: LexBound,
    pub max: LexBound,
}

impl LexRange {
    pub fn gte_min(&self, member: &[u8]) -> bool {
        match &self.min {
            LexBound::Min => true,
            LexBound::Max => false,
            LexBound::Incl(b) => member >= &b[..],
            LexBound::Excl(b) => member > &b[..],
        }
    }

    pub fn lte_max(&self, member: &[u8]) -> bool {
        match &self.max {
            LexBound::Max => true,
            LexBound::Min => false,
            LexBound::Incl(b) => member <= &b[..],
            LexBound::Excl(b) => member < &b[..],
        }
    }

    /// Whether the range is empty whatever the set (Redis's zslIsInLexRange first test).
    pub fn is_empty(&self) -> bool {
        match self.min.cmp_bound(&self.max) {
            Ordering::Greater => true,
            Ordering::Equal => self.min.exclusive() || self.max.exclusive(),
            Ordering::Less => false,
        }
    }
}

impl ZSet {
    /// An empty set (listpack-encoded).
    pub fn new() -> ZSet {
        ZSet::default()
    }

    /// An empty set in the skiplist encoding (loading a snapshot restores the encoding the set
    /// had when it was saved).
    pub fn new_skiplist() -> ZSet {
        ZSet {
            repr: Repr::List(Arc::default()),
        }
    }

    /// Builds a set from entries in ascending order with distinct members, in the encoding its
    /// size calls for (Redis's zsetConvertToListpackIfNeeded on stored results).
    pub fn from_sorted<M: AsRef<[u8]>>(items: Vec<(M, f64)>) -> ZSet {
        let small = items.len() <= PACK_MAX_ENTRIES
            && items
                .iter()
                .all(|(m, _)| m.as_ref().len() <= PACK_MAX_MEMBER);
        let repr = if small {
            Repr::Pack(Pack::from_sorted(
                items.iter().map(|(m, s)| (m.as_ref(), *s)),
            ))
        } else {
            let mut list = SkipList::default();
            for (m, s) in items {
                list.insert(Box::from(m.as_ref()), s);
            }
            Repr::List(Arc::new(list))
        };
        ZSet { repr }
    }

    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Pack(p) => p.len(),
            Repr::List(l) => l.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The name OBJECT ENCODING answers.
    pub fn encoding(&self) -> &'static str {
        match &self.repr {
            Repr::Pack(_) => "listpack",
            Repr::List(_) => "skiplist",
        }
    }

    /// Approximate heap bytes used.
    pub fn heap_size(&self) -> usize {
        match &self.repr {
            Repr::Pack(p) => p.heap_size(),
            Repr::List(l) => std::mem::size_of::<SkipList>() + l.heap_size(),
        }
    }

    /// The score of `member`.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        match &self.repr {
            Repr::Pack(p) => p.find(member).map(|(_, s)| s),
            Repr::List(l) => l.find(member).map(|id| l.score_of(id)),
        }
    }

    /// Sets the score of `member`, adding it if absent; returns its previous score. A score
    /// equal to the previous one changes nothing. Converts to the skiplist first when adding
    /// would break a listpack limit (Redis's zsetAdd).
    pub fn insert(&mut self, member: &[u8], score: f64) -> Option<f64> {
        if let Repr::Pack(p) = &mut self.repr {
            if let Some((i, old)) = p.find(member) {
                if old != score {
                    p.remove_ranks(i, i + 1);
                    p.insert(member, score);
                }
                return Some(old);
            }
            if p.len() < PACK_MAX_ENTRIES && member.len() <= PACK_MAX_MEMBER {
                p.insert(member, score);
                return None;
            }
            self.convert_to_list();
        }
        match &mut self.repr {
            Repr::List(l) => match l.find(member) {
                Some(id) => {
                    let old = l.score_of(id);
                    // Copies the list when a snapshot still shares it.
                    let l = Arc::make_mut(l);
                    if old != score {
                        l.set_score(id, score);
                    }
                    Some(old)
                }
                None => {
                    Arc::make_mut(l).insert(Box::from(member), score);
                    None
                }
            },
            Repr::Pack(_) => None,
        }
    }

    fn convert_to_list(&mut self) {
        if let Repr::Pack(p) = &self.repr {
            let mut list = SkipList::default();
            for e in p.iter() {
                list.insert(Box::from(e.member), e.score);
            }
            self.repr = Repr::List(Arc::new(list));
        }
    }

    /// Removes `member`; returns its score.
    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        match &mut self.repr {
            Repr::Pack(p) => {
                let (i, score) = p.find(member)?;
                p.remove_ranks(i, i + 1);
                Some(score)
            }
            Repr::List(l) => {
                l.find(member)?;
                Arc::make_mut(l).remove(member)
            }
        }
    }

    /// The 0-based ascending rank of `member`.
    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        match &self.repr {
            Repr::Pack(p) => p.find(member).map(|(i, _)| i),
            Repr::List(l) => l.find(member).map(|id| l.rank_of(id)),
        }
    }

    /// The member and score at 0-based ascending `rank`.
    pub fn get(&self, rank: usize) -> Option<(&[u8], f64)> {
        match &self.repr {
            Repr::Pack(p) => p.iter().nth(rank).map(|e| (e.member, e.score)),
            Repr::List(l) => l.at_rank(rank).map(|id| l.entry(id)),
        }
    }

    /// The elements of ranks `from..to` (clamped to the set), ascending, or descending from
    /// `to - 1` when `reverse`. Starting costs O(log n) on a skiplist, each step O(1).
    pub fn range(&self, from: usize, to: usize, reverse: bool) -> Range<'_> {
        let to = to.min(self.len());
        let count = to.saturating_sub(from);
        let inner = match &self.repr {
            Repr::Pack(p) => {
                let mut items: Vec<(&[u8], f64)> = p
                    .iter()
                    .skip(from)
                    .take(count)
                    .map(|e| (e.member, e.score))
                    .collect();
                if reverse {
                    items.reverse();
                }
                RangeInner::Pack(items.into_iter())
            }
            Repr::List(l) => {
                let start = if count == 0 {
                    None
                } else if reverse {
                    l.at_rank(to - 1)
                } else {
                    l.at_rank(from)
                };
                RangeInner::List {
                    list: l,
                    next: start,
                    left: count,
                    reverse,
                }
            }
        };
        Range { inner }
    }

    /// Every element in ascending order.
    pub fn iter(&self) -> Range<'_> {
        self.range(0, usize::MAX, false)
    }

    /// The ranks `lo..hi` of the elements inside `range` (scores are sorted, so they are
    /// contiguous). O(log n) on a skiplist.
    pub fn score_ranks(&self, range: &ScoreRange) -> (usize, usize) {
        if range.is_empty() {
            return (0, 0);
        }
        let (lo, hi) = match &self.repr {
            Repr::Pack(p) => {
                let lo = p.iter().take_while(|e| !range.gte_min(e.score)).count();
                let hi = p.iter().take_while(|e| range.lte_max(e.score)).count();
                (lo, hi)
            }
            Repr::List(l) => (
                l.count_until(|_, s| range.gte_min(s)),
                l.count_until(|_, s| !range.lte_max(s)),
            ),
        };
        (lo, hi.max(lo))
    }

    /// The rank of the first element in `range` as Redis finds it (zzlFirstInLexRange /
    /// zslFirstInLexRange): the first element not below the minimum, if it is not above the
    /// maximum. Members are only in lexicographic order when all scores are equal; with mixed
    /// scores this follows Redis's walk (a scan on a listpack, a descent on a skiplist).
    pub fn lex_first(&self, range: &LexRange) -> Option<usize> {
        if !self.in_lex_range(range) {
            return None;
        }
        match &self.repr {
            Repr::Pack(p) => {
                let (i, e) = p
                    .iter()
                    .enumerate()
                    .find(|(_, e)| range.gte_min(e.member))?;
                range.lte_max(e.member).then_some(i)
            }
            Repr::List(l) => {
                let rank = l.count_until(|m, _| range.gte_min(m));
                let id = l.at_rank(rank)?;
                range.lte_max(l.member_of(id)).then_some(rank)
            }
        }
    }

    /// The rank of the last element in `range` as Redis finds it (zzlLastInLexRange /
    /// zslLastInLexRange).
    pub fn lex_last(&self, range: &LexRange) -> Option<usize> {
        if !self.in_lex_range(range) {
            return None;
        }
        match &self.repr {
            Repr::Pack(p) => {
                let entries = p.entries();
                let (i, e) = entries
                    .iter()
                    .enumerate()
                    .rev()
                    .find(|(_, e)| range.lte_max(e.member))?;
                range.gte_min(e.member).then_some(i)
            }
            Repr::List(l) => {
                let rank = l.count_until(|m, _| !range.lte_max(m)).checked_sub(1)?;
                let id = l.at_rank(rank)?;
                range.gte_min(l.member_of(id)).then_some(rank)
            }
        }
    }

    /// ZLEXCOUNT as Redis computes it: on a listpack, the elements from the first in range
    /// while they stay below the maximum; on a skiplist, the rank distance between the first
    /// and the last in range.
    pub fn lex_count(&self, range: &LexRange) -> usize {
        let Some(first) = self.lex_first(range) else {
            return 0;
        };
        match &self.repr {
            Repr::Pack(_) => self
                .range(first, usize::MAX, false)
                .take_while(|(m, _)| range.lte_max(m))
                .count(),
            Repr::List(_) => match self.lex_last(range) {
                Some(last) => (last + 1).saturating_sub(first),
                None => self.len() - first,
            },
        }
    }

    /// Redis's zzlIsInLexRange / zslIsInLexRange: the range is not empty, the last element is
    /// not below the minimum and the first is not above the maximum.
    fn in_lex_range(&self, range: &LexRange) -> bool {
        if range.is_empty() {
            return false;
        }
        let (Some((first, _)), Some((last, _))) = (self.get(0), self.last()) else {
            return false;
        };
        range.gte_min(last) && range.lte_max(first)
    }

    fn last(&self) -> Option<(&[u8], f64)> {
        match &self.repr {
            Repr::Pack(p) => p.iter().last().map(|e| (e.member, e.score)),
            Repr::List(l) => l.last().map(|id| l.entry(id)),
        }
    }

    /// ZREMRANGEBYLEX as Redis runs it: from the first element not below the minimum, remove
    /// while elements stay below the maximum. A listpack first checks that the range can hold
    /// anything (zzlDeleteRangeByLex goes through zzlFirstInLexRange); a skiplist descends
    /// directly (zslDeleteRangeByLex). The two only differ on sets with mixed scores.
    pub fn remove_lex(&mut self, range: &LexRange) -> usize {
        let first = match &self.repr {
            Repr::Pack(_) => self.lex_first(range),
            Repr::List(l) => Some(l.count_until(|m, _| range.gte_min(m))),
        };
        let Some(first) = first else {
            return 0;
        };
        let count = self
            .range(first, usize::MAX, false)
            .take_while(|(m, _)| range.lte_max(m))
            .count();
        self.remove_ranks(first, first + count)
    }

    /// Removes the elements of ranks `from..to` (clamped); returns how many went.
    pub fn remove_ranks(&mut self, from: usize, to: usize) -> usize {
        let to = to.min(self.len());
        if from >= to {
            return 0;
        }
        match &mut self.repr {
            Repr::Pack(p) => p.remove_ranks(from, to),
            Repr::List(l) => Arc::make_mut(l).remove_ranks(from, to, |_, _| {}),
        }
        to - from
    }

    /// One ZSCAN step: a listpack answers everything at once with cursor 0 (as Redis); a
    /// skiplist answers about `count` elements from hash position `cursor` and the next
    /// cursor (0 when done).
    pub fn scan(&self, cursor: u64, count: usize) -> (u64, Vec<(&[u8], f64)>) {
        match &self.repr {
            Repr::Pack(p) => (0, p.iter().map(|e| (e.member, e.score)).collect()),
            Repr::List(l) => {
                let (next, ids) = l.scan(cursor, count);
                (next, ids.into_iter().map(|id| l.entry(id)).collect())
            }
        }
    }

    /// Checks the skiplist's invariants (tests).
    #[cfg(test)]
    pub(crate) fn check(&self) {
        use zset_pack::cmp_entry;
        if let Repr::List(l) = &self.repr {
            l.check();
        }
        let items: Vec<_> = self.iter().collect();
        for w in items.windows(2) {
            assert_eq!(cmp_entry(w[0].1, w[0].0, w[1].1, w[1].0), Ordering::Less);
        }
        assert_eq!(items.len(), self.len());
    }
}

/// Iterates a run of ranks (see [`ZSet::range`]).
pub struct Range<'a> {
    inner: RangeInner<'a>,
}

enum RangeInner<'a> {
    Pack(std::vec::IntoIter<(&'a [u8], f64)>),
    List {
        list: &'a SkipList,
        next: Option<u32>,
        left: usize,
        reverse: bool,
    },
}

impl<'a> Iterator for Range<'a> {
    type Item = (&'a [u8], f64);

    fn next(&mut self) -> Option<(&'a [u8], f64)> {
        match &mut self.inner {
            RangeInner::Pack(items) => items.next(),
            RangeInner::List {
                list,
                next,
                left,
                reverse,
            } => {
                if *left == 0 {
                    return None;
                }
                let id = (*next)?;
                *left -= 1;
                *next = if *reverse {
                    list.prev(id)
                } else {
                    list.next(id)
                };
                Some(list.entry(id))
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.inner {
            RangeInner::Pack(items) => items.size_hint(),
            RangeInner::List { left, .. } => (*left, Some(*left)),
        }
    }
}

impl ExactSizeIterator for Range<'_> {}

impl PartialEq for ZSet {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl fmt::Debug for ZSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(
                self.iter()
                    .map(|(m, s)| (String::from_utf8_lossy(m).into_owned(), s)),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    fn members(z: &ZSet) -> Vec<String> {
        z.iter()
            .map(|(m, _)| String::from_utf8_lossy(m).into_owned())
            .collect()
    }

    #[test]
    fn converts_at_redis_thresholds() {
        let mut z = ZSet::new();
        for i in 0..128 {
            assert_eq!(z.insert(format!("m{i:03}").as_bytes(), f64::from(i)), None);
        }
        assert_eq!(z.encoding(), "listpack");
        // Updating an existing member never converts.
        assert_eq!(z.insert(b"m000", 1000.0), Some(0.0));
        assert_eq!(z.encoding(), "listpack");
        z.insert(b"m128", 128.0);
        assert_eq!(z.encoding(), "skiplist");
        assert_eq!(z.len(), 129);
        z.check();
        // Shrinking keeps the skiplist.
        z.remove_ranks(0, 127);
        assert_eq!(z.encoding(), "skiplist");
        assert_eq!(z.len(), 2);

        let mut long = ZSet::new();
        long.insert(&[b'x'; 64], 1.0);
        assert_eq!(long.encoding(), "listpack");
        long.insert(&[b'y'; 65], 1.0);
        assert_eq!(long.encoding(), "skiplist");
        long.check();
    }

    #[test]
    fn both_encodings_answer_alike() {
        let mut small = ZSet::new();
        let mut big = ZSet::new();
        big.insert(&[b'~'; 100], 1e300);
        for (i, m) in ["a", "b", "c", "d", "e", "f"].iter().enumerate() {
            let s = (i / 2) as f64;
            small.insert(m.as_bytes(), s);
            big.insert(m.as_bytes(), s);
        }
        big.remove(&[b'~'; 100]);
        assert_eq!(big.encoding(), "skiplist");
        assert_eq!(small, big);
        for z in [&small, &big] {
            assert_eq!(z.rank(b"d"), Some(3));
            assert_eq!(z.get(4), Some((&b"e"[..], 2.0)));
            let r = ScoreRange {
                min: 0.0,
                min_ex: true,
                max: 2.0,
                max_ex: false,
            };
            assert_eq!(z.score_ranks(&r), (2, 6));
            let rev: Vec<_> = z.range(1, 4, true).map(|(m, _)| m.to_vec()).collect();
            assert_eq!(rev, vec![b"d".to_vec(), b"c".to_vec(), b"b".to_vec()]);
            let lex = LexRange {
                min: LexBound::Excl(b("a")),
                max: LexBound::Incl(b("c")),
            };
            assert_eq!(z.lex_first(&lex), Some(1));
            assert_eq!(z.lex_last(&lex), Some(2));
            assert_eq!(z.lex_count(&lex), 2);
        }
    }

    #[test]
    fn lex_bounds_follow_sdscmplex() {
        let all = LexRange {
            min: LexBound::Min,
            max: LexBound::Max,
        };
        assert!(!all.is_empty());
        assert!(all.gte_min(b"") && all.lte_max(b"\xff"));
        let none = LexRange {
            min: LexBound::Max,
            max: LexBound::Min,
        };
        assert!(none.is_empty());
        let point = LexRange {
            min: LexBound::Incl(b("a")),
            max: LexBound::Incl(b("a")),
        };
        assert!(!point.is_empty());
        let open = LexRange {
            min: LexBound::Incl(b("a")),
            max: LexBound::Excl(b("a")),
        };
        assert!(open.is_empty());
        let mut z = ZSet::new();
        for m in ["a", "b", "c"] {
            z.insert(m.as_bytes(), 0.0);
        }
        assert_eq!(z.lex_count(&all), 3);
        assert_eq!(z.lex_count(&none), 0);
        assert_eq!(z.lex_count(&point), 1);
    }

    #[test]
    fn from_sorted_picks_the_encoding() {
        let small = ZSet::from_sorted(vec![(b("a"), 1.0), (b("b"), 2.0)]);
        assert_eq!(small.encoding(), "listpack");
        assert_eq!(members(&small), ["a", "b"]);
        let many: Vec<(String, f64)> = (0..129).map(|i| (format!("{i:03}"), 0.0)).collect();
        assert_eq!(ZSet::from_sorted(many).encoding(), "skiplist");
        let long = ZSet::from_sorted(vec![("x".repeat(65), 0.0)]);
        assert_eq!(long.encoding(), "skiplist");
        assert!(ZSet::from_sorted(Vec::<(Bytes, f64)>::new()).is_empty());
    }

    #[test]
    fn scan_pack_at_once_and_list_by_cursor() {
        let mut z = ZSet::new();
        for i in 0..10 {
            z.insert(format!("{i}").as_bytes(), 0.0);
        }
        let (cursor, items) = z.scan(12345, 2);
        assert_eq!((cursor, items.len()), (0, 10));
        for i in 10..300 {
            z.insert(format!("{i}").as_bytes(), 0.0);
        }
        let mut seen = 0;
        let mut cursor = 0;
        loop {
            let (next, items) = z.scan(cursor, 10);
            seen += items.len();
            if next == 0 {
                break;
            }
            cursor = next;
        }
        assert_eq!(seen, 300);
    }
}
