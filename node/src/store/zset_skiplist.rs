//! The full encoding of sorted sets (Redis's `skiplist` encoding): a skiplist whose links carry
//! spans, as Redis's `zskiplist`, so rank, select and range starts are O(log n), plus an index
//! from member to node for O(log n) score lookups.
//!
//! Nodes live in one arena (`Vec<Node>`, linked by `u32` indexes; node 0 is the header), which
//! makes a copy-on-write clone a plain `Clone`. A node's height comes from the fixed hash of its
//! member instead of a random generator, so the whole structure is a function of the content:
//! replicas holding the same set hold the same skiplist, and every walk over it (including
//! Redis's order-dependent lexicographic searches on sets with mixed scores) answers the same
//! everywhere. The index is ordered by (member hash, node), which also gives ZSCAN cursors that
//! are positions in hash space, like SCAN's.
//!
//! No RESP, no clock, no randomness here.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::ops::Bound;

use super::zset_pack::cmp_entry;
use crate::store::key;

/// Redis's ZSKIPLIST_MAXLEVEL.
const MAX_LEVEL: usize = 32;
/// "No node".
const NIL: u32 = u32::MAX;
/// The header node.
const HEAD: u32 = 0;

#[derive(Clone, Copy, Debug, Default)]
struct Level {
    forward: u32,
    /// How many nodes the forward link skips over, counting its target.
    span: u32,
}

#[derive(Clone, Debug)]
struct Node {
    member: Box<[u8]>,
    score: f64,
    backward: u32,
    first: Level,
    /// Levels above the first (three nodes in four have none).
    upper: Box<[Level]>,
}

impl Node {
    #[cfg(test)]
    fn height(&self) -> usize {
        1 + self.upper.len()
    }

    fn lv(&self, i: usize) -> Level {
        if i == 0 {
            self.first
        } else {
            self.upper[i - 1]
        }
    }

    fn lv_mut(&mut self, i: usize) -> &mut Level {
        if i == 0 {
            &mut self.first
        } else {
            &mut self.upper[i - 1]
        }
    }

    fn new(member: Box<[u8]>, score: f64, height: usize) -> Node {
        let empty = Level {
            forward: NIL,
            span: 0,
        };
        Node {
            member,
            score,
            backward: NIL,
            first: empty,
            upper: vec![empty; height.saturating_sub(1)].into_boxed_slice(),
        }
    }
}

/// A skiplist with spans and a member index.
#[derive(Clone, Debug)]
pub(super) struct SkipList {
    nodes: Vec<Node>,
    free: Vec<u32>,
    tail: u32,
    level: usize,
    len: usize,
    /// (hash of the member, node) for every element.
    index: BTreeSet<(u64, u32)>,
}

impl Default for SkipList {
    fn default() -> Self {
        SkipList {
            nodes: vec![Node::new(Box::default(), 0.0, MAX_LEVEL)],
            free: Vec::new(),
            tail: NIL,
            level: 1,
            len: 0,
            index: BTreeSet::new(),
        }
    }
}

/// The height of a member's node: 1 + the number of trailing zero bit pairs of its hash, so
/// each level holds about a quarter of the level below (Redis's ZSKIPLIST_P = 0.25).
fn height_of(hash: u64) -> usize {
    (1 + hash.trailing_zeros() as usize / 2).min(MAX_LEVEL)
}

impl SkipList {
    pub fn len(&self) -> usize {
        self.len
    }

    /// Approximate bytes allocated.
    pub fn heap_size(&self) -> usize {
        let node = std::mem::size_of::<Node>();
        let level = std::mem::size_of::<Level>();
        let members: usize = self
            .nodes
            .iter()
            .map(|n| n.member.len() + n.upper.len() * level)
            .sum();
        self.nodes.capacity() * node
            + self.free.capacity() * 4
            + members
            + self.index.len() * (std::mem::size_of::<(u64, u32)>() + 8)
    }

    fn node(&self, id: u32) -> &Node {
        &self.nodes[id as usize]
    }

    fn node_mut(&mut self, id: u32) -> &mut Node {
        &mut self.nodes[id as usize]
    }

    fn forward(&self, id: u32, i: usize) -> u32 {
        self.node(id).lv(i).forward
    }

    /// Whether node `id` sorts strictly before (score, member).
    fn before(&self, id: u32, score: f64, member: &[u8]) -> bool {
        let n = self.node(id);
        cmp_entry(n.score, &n.member, score, member) == Ordering::Less
    }

    /// The node holding `member`.
    pub fn find(&self, member: &[u8]) -> Option<u32> {
        let h = key::hash(member);
        self.index
            .range((h, 0)..=(h, NIL))
            .map(|&(_, id)| id)
            .find(|&id| &*self.node(id).member == member)
    }

    pub fn score_of(&self, id: u32) -> f64 {
        self.node(id).score
    }

    pub fn member_of(&self, id: u32) -> &[u8] {
        &self.node(id).member
    }

    pub fn entry(&self, id: u32) -> (&[u8], f64) {
        let n = self.node(id);
        (&n.member, n.score)
    }

    /// The node after `id` in order, if any.
    pub fn next(&self, id: u32) -> Option<u32> {
        Some(self.forward(id, 0)).filter(|&f| f != NIL)
    }

    /// The node before `id` in order, if any.
    pub fn prev(&self, id: u32) -> Option<u32> {
        Some(self.node(id).backward).filter(|&b| b != NIL)
    }

    /// Inserts `member` (which must be absent) with `score` (never NaN).
    pub fn insert(&mut self, member: Box<[u8]>, score: f64) {
        let hash = key::hash(&member);
        let mut update = [HEAD; MAX_LEVEL];
        let mut rank = [0u32; MAX_LEVEL];
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            rank[i] = if i == self.level - 1 { 0 } else { rank[i + 1] };
            loop {
                let f = self.forward(x, i);
                if f != NIL && self.before(f, score, &member) {
                    rank[i] += self.node(x).lv(i).span;
                    x = f;
                } else {
                    break;
                }
            }
            update[i] = x;
        }
        let height = height_of(hash);
        if height > self.level {
            let len = self.len as u32;
            for i in self.level..height {
                rank[i] = 0;
                update[i] = HEAD;
                self.node_mut(HEAD).lv_mut(i).span = len;
            }
            self.level = height;
        }
        let node = Node::new(member, score, height);
        let id = match self.free.pop() {
            Some(id) => {
                self.nodes[id as usize] = node;
                id
            }
            None => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as u32
            }
        };
        for i in 0..height {
            let prev = self.node(update[i]).lv(i);
            let crossed = rank[0] - rank[i];
            *self.node_mut(id).lv_mut(i) = Level {
                forward: prev.forward,
                span: prev.span - crossed,
            };
            *self.node_mut(update[i]).lv_mut(i) = Level {
                forward: id,
                span: crossed + 1,
            };
        }
        for (i, &u) in update.iter().enumerate().take(self.level).skip(height) {
            self.node_mut(u).lv_mut(i).span += 1;
        }
        self.node_mut(id).backward = if update[0] == HEAD { NIL } else { update[0] };
        match self.forward(id, 0) {
            NIL => self.tail = id,
            f => self.node_mut(f).backward = id,
        }
        self.len += 1;
        self.index.insert((hash, id));
    }

    /// The update vector for the position of (score, member): at each level, the last node
    /// before it.
    fn update_for(&self, score: f64, member: &[u8]) -> [u32; MAX_LEVEL] {
        let mut update = [HEAD; MAX_LEVEL];
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let f = self.forward(x, i);
                if f != NIL && self.before(f, score, member) {
                    x = f;
                } else {
                    break;
                }
            }
            update[i] = x;
        }
        update
    }

    /// Unlinks node `x` given its update vector, frees its slot and returns its member.
    fn unlink(&mut self, x: u32, update: &[u32; MAX_LEVEL]) -> (Box<[u8]>, f64) {
        for (i, &u) in update.iter().enumerate().take(self.level) {
            let ul = self.node(u).lv(i);
            if ul.forward == x {
                let xl = self.node(x).lv(i);
                *self.node_mut(u).lv_mut(i) = Level {
                    forward: xl.forward,
                    span: ul.span + xl.span - 1,
                };
            } else {
                self.node_mut(u).lv_mut(i).span -= 1;
            }
        }
        let (forward, backward) = (self.forward(x, 0), self.node(x).backward);
        match forward {
            NIL => self.tail = backward,
            f => self.node_mut(f).backward = backward,
        }
        while self.level > 1 && self.forward(HEAD, self.level - 1) == NIL {
            self.level -= 1;
        }
        self.len -= 1;
        let node = std::mem::replace(self.node_mut(x), Node::new(Box::default(), 0.0, 1));
        self.index.remove(&(key::hash(&node.member), x));
        self.free.push(x);
        (node.member, node.score)
    }

    /// Removes `member`; returns its score.
    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let id = self.find(member)?;
        let score = self.score_of(id);
        let update = self.update_for(score, member);
        let (_, score) = self.unlink(id, &update);
        self.maybe_compact();
        Some(score)
    }

    /// Changes the score of node `id` (Redis's zslUpdateScore): in place when the node keeps
    /// its position, else by removing and reinserting it.
    pub fn set_score(&mut self, id: u32, score: f64) {
        let n = self.node(id);
        let (old, backward, forward) = (n.score, n.backward, n.first.forward);
        let fits_before = backward == NIL || self.node(backward).score < score;
        let fits_after = forward == NIL || self.node(forward).score > score;
        if fits_before && fits_after {
            self.node_mut(id).score = score;
            return;
        }
        let update = self.update_for(old, &self.node(id).member);
        let (member, _) = self.unlink(id, &update);
        self.insert(member, score);
    }

    /// 0-based rank of node `id`.
    pub fn rank_of(&self, id: u32) -> usize {
        let (score, member) = (self.node(id).score, &self.node(id).member);
        let mut rank = 0usize;
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let f = self.forward(x, i);
                if f != NIL
                    && cmp_entry(self.node(f).score, &self.node(f).member, score, member)
                        != Ordering::Greater
                {
                    rank += self.node(x).lv(i).span as usize;
                    x = f;
                } else {
                    break;
                }
            }
            if x == id {
                return rank - 1;
            }
        }
        rank.saturating_sub(1)
    }

    /// The node at 0-based `rank`.
    pub fn at_rank(&self, rank: usize) -> Option<u32> {
        if rank >= self.len {
            return None;
        }
        let target = rank + 1;
        let mut traversed = 0usize;
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let l = self.node(x).lv(i);
                if l.forward != NIL && traversed + l.span as usize <= target {
                    traversed += l.span as usize;
                    x = l.forward;
                } else {
                    break;
                }
            }
            if traversed == target {
                return Some(x);
            }
        }
        None
    }

    /// How many elements come before the first one for which `past` holds (`past` must hold
    /// for a suffix of the order: a descent counts the prefix where it does not).
    pub fn count_until(&self, past: impl Fn(&[u8], f64) -> bool) -> usize {
        let mut rank = 0usize;
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let l = self.node(x).lv(i);
                if l.forward != NIL && {
                    let n = self.node(l.forward);
                    !past(&n.member, n.score)
                } {
                    rank += l.span as usize;
                    x = l.forward;
                } else {
                    break;
                }
            }
        }
        rank
    }

    /// The first and last nodes.
    pub fn first(&self) -> Option<u32> {
        self.next(HEAD)
    }

    pub fn last(&self) -> Option<u32> {
        Some(self.tail).filter(|&t| t != NIL)
    }

    /// Removes the elements of 0-based ranks `from..to`, handing each to `sink` in order.
    pub fn remove_ranks(&mut self, from: usize, to: usize, mut sink: impl FnMut(Box<[u8]>, f64)) {
        let to = to.min(self.len);
        if from >= to {
            return;
        }
        // Redis's zslDeleteRangeByRank with 1-based start = from + 1.
        let mut update = [HEAD; MAX_LEVEL];
        let mut traversed = 0usize;
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let l = self.node(x).lv(i);
                if l.forward != NIL && traversed + (l.span as usize) < from + 1 {
                    traversed += l.span as usize;
                    x = l.forward;
                } else {
                    break;
                }
            }
            update[i] = x;
        }
        let mut next = self.forward(x, 0);
        for _ in from..to {
            if next == NIL {
                break;
            }
            let after = self.forward(next, 0);
            let (member, score) = self.unlink(next, &update);
            sink(member, score);
            next = after;
        }
        self.maybe_compact();
    }

    /// One ZSCAN step from hash position `cursor`: about `count` elements, never stopping
    /// between two members that share a hash. Returns the next cursor (0 when done).
    pub fn scan(&self, cursor: u64, count: usize) -> (u64, Vec<u32>) {
        let mut out = Vec::new();
        let mut last_hash = None;
        for &(h, id) in self
            .index
            .range((Bound::Included((cursor, 0)), Bound::Unbounded))
        {
            if out.len() >= count.max(1) && last_hash != Some(h) {
                return (h, out);
            }
            last_hash = Some(h);
            out.push(id);
        }
        (0, out)
    }

    /// Rebuilds the arena once most of its slots are free, so a set that shrank gives its
    /// memory back.
    fn maybe_compact(&mut self) {
        if self.free.len() <= 64 || self.free.len() <= self.len {
            return;
        }
        let mut fresh = SkipList::default();
        let mut id = self.first();
        while let Some(i) = id {
            let n = self.node(i);
            fresh.insert(n.member.clone(), n.score);
            id = self.next(i);
        }
        *self = fresh;
    }

    /// Checks every invariant (tests).
    #[cfg(test)]
    pub fn check(&self) {
        let mut count = 0;
        let mut prev = NIL;
        let mut id = self.forward(HEAD, 0);
        while id != NIL {
            let n = self.node(id);
            assert_eq!(n.backward, prev);
            if prev != NIL {
                let p = self.node(prev);
                assert_eq!(
                    cmp_entry(p.score, &p.member, n.score, &n.member),
                    Ordering::Less
                );
            }
            assert!(self.index.contains(&(key::hash(&n.member), id)));
            assert_eq!(self.rank_of(id), count);
            assert_eq!(self.at_rank(count), Some(id));
            count += 1;
            prev = id;
            id = n.first.forward;
        }
        assert_eq!(self.tail, prev);
        assert_eq!(count, self.len);
        assert_eq!(self.index.len(), self.len);
        // Spans: at every level, the span of a link is the rank distance it covers.
        for i in 0..self.level {
            let mut x = HEAD;
            let mut rank = 0usize;
            loop {
                let l = self.node(x).lv(i);
                if l.forward == NIL {
                    break;
                }
                rank += l.span as usize;
                assert!(self.node(l.forward).height() > i);
                assert_eq!(self.rank_of(l.forward) + 1, rank, "level {i}");
                x = l.forward;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(i: u32) -> Box<[u8]> {
        format!("member:{i}").into_bytes().into_boxed_slice()
    }

    #[test]
    fn insert_rank_select_remove() {
        let mut l = SkipList::default();
        for i in 0..500u32 {
            // Scores repeat, so ties are ordered by member.
            l.insert(m(i), f64::from((i * 7919) % 50));
        }
        l.check();
        assert_eq!(l.len(), 500);
        let id = l.find(b"member:42").unwrap();
        assert_eq!(l.score_of(id), f64::from((42 * 7919) % 50));
        assert_eq!(l.find(b"member:500"), None);
        for i in (0..500u32).step_by(3) {
            assert!(l.remove(&m(i)).is_some());
        }
        assert_eq!(l.remove(b"member:0"), None);
        l.check();
        let mut removed = Vec::new();
        l.remove_ranks(10, 20, |member, _| removed.push(member));
        assert_eq!(removed.len(), 10);
        l.check();
        l.remove_ranks(0, usize::MAX, |_, _| {});
        assert_eq!(l.len(), 0);
        l.check();
    }

    #[test]
    fn set_score_in_place_and_moving() {
        let mut l = SkipList::default();
        for i in 0..200u32 {
            l.insert(m(i), f64::from(i));
        }
        let id = l.find(b"member:100").unwrap();
        l.set_score(id, 100.5);
        l.check();
        l.set_score(id, -1.0);
        l.check();
        let id = l.find(b"member:100").unwrap();
        assert_eq!(l.rank_of(id), 0);
        l.set_score(id, 1e9);
        l.check();
        assert_eq!(l.rank_of(l.find(b"member:100").unwrap()), 199);
    }

    #[test]
    fn count_until_and_scan() {
        let mut l = SkipList::default();
        for i in 0..300u32 {
            l.insert(m(i), f64::from(i / 2));
        }
        assert_eq!(l.count_until(|_, s| s >= 10.0), 20);
        assert_eq!(l.count_until(|_, s| s > 10.0), 22);
        assert_eq!(l.count_until(|_, _| true), 0);
        assert_eq!(l.count_until(|_, _| false), 300);
        let mut seen = std::collections::BTreeSet::new();
        let mut cursor = 0;
        loop {
            let (next, ids) = l.scan(cursor, 7);
            for id in ids {
                assert!(seen.insert(l.member_of(id).to_vec()));
            }
            if next == 0 {
                break;
            }
            cursor = next;
        }
        assert_eq!(seen.len(), 300);
    }

    #[test]
    fn compaction_keeps_content() {
        let mut l = SkipList::default();
        for i in 0..1000u32 {
            l.insert(m(i), f64::from(i));
        }
        for i in 0..990u32 {
            l.remove(&m(i));
        }
        assert!(l.nodes.len() < 100, "{}", l.nodes.len());
        l.check();
        assert_eq!(l.len(), 10);
        assert_eq!(l.entry(l.first().unwrap()).0, b"member:990");
    }

    #[test]
    fn structure_depends_on_content_only() {
        let mut a = SkipList::default();
        let mut b = SkipList::default();
        for i in 0..300u32 {
            a.insert(m(i), f64::from(i % 17));
        }
        for i in (0..300u32).rev() {
            b.insert(m(i), f64::from(i % 17));
        }
        let heights = |l: &SkipList| {
            let mut out = Vec::new();
            let mut id = l.first();
            while let Some(i) = id {
                out.push((l.member_of(i).to_vec(), l.node(i).height()));
                id = l.next(i);
            }
            out
        };
        assert_eq!(heights(&a), heights(&b));
    }
}
