//! The log's latest entries, kept decoded in memory beside sled.
//!
//! openraft reads every entry back from the log store after appending it: once to apply it,
//! and on a leader once per follower to replicate it. From sled, each read walks the tree,
//! often reads the node back from disk (its page cache is small, and a leaf holds up to 16
//! entries, several MiB when entries batch 1 KB values) and decodes the protobuf, copying every
//! value. Under a 80/20 GET/SETEX mix of 1 KB values, reading entries back was 16% of a single
//! node's I/O thread. Entries just appended are served from here instead; an older range, or
//! one this cache no longer holds whole, is read from sled as before.
//!
//! The cache holds whole entries with contiguous indexes ending at the log's last entry (every
//! append goes through it, truncation and purging cut it), at most [`RECENT_BYTES`] of encoded
//! entries, and always the last entry appended. It also holds every entry not yet written to
//! sled (the log store writes on a thread of its own): an entry is dropped from the cache only
//! once it is at or below the index sled holds ([`Recent::persisted`]).

use std::collections::VecDeque;

use super::types::{Entry, LogId};

/// Encoded bytes of entries kept: a few rounds of batched writes (an entry of the session mix
/// at -P 16 is ~160 KB), small beside the keyspace, since the entries also pin the network
/// buffers their values were read into. With 4 MiB, a node loaded with a million strings grew
/// 131-134 MB against 124-126 before the cache; with 1 MiB 128-129, and the session mix ran
/// as fast (one node and three, A/B alternated).
pub const RECENT_BYTES: usize = 1 << 20;

#[derive(Default)]
pub struct Recent {
    /// Entries by increasing index, without gaps.
    entries: VecDeque<(Entry, usize)>,
    bytes: usize,
    /// Entries up to this index are in sled (maybe not yet flushed).
    persisted: u64,
}

impl Recent {
    fn first_index(&self) -> Option<u64> {
        self.entries.front().map(|(e, _)| e.log_id.index)
    }

    fn last_index(&self) -> Option<u64> {
        self.entries.back().map(|(e, _)| e.log_id.index)
    }

    /// Adds an entry just written to the log, `size` bytes encoded. An entry that does not
    /// follow the last one (the log was cut or restarted from a snapshot meanwhile) starts the
    /// cache again.
    pub fn push(&mut self, entry: Entry, size: usize) {
        let index = entry.log_id.index;
        if self
            .last_index()
            .is_some_and(|last| last.checked_add(1) != Some(index))
        {
            self.clear();
        }
        self.persisted = self.persisted.min(index.saturating_sub(1));
        self.bytes += size;
        self.entries.push_back((entry, size));
        self.shrink();
    }

    /// Sled holds the entries up to `index`: they may leave the cache.
    pub fn persisted(&mut self, index: u64) {
        self.persisted = index;
        self.shrink();
    }

    fn shrink(&mut self) {
        while self.bytes > RECENT_BYTES
            && self.entries.len() > 1
            && self
                .first_index()
                .is_some_and(|first| first <= self.persisted)
        {
            self.drop_first();
        }
    }

    fn drop_first(&mut self) {
        if let Some((_, size)) = self.entries.pop_front() {
            self.bytes -= size;
        }
    }

    /// The id of the last entry of the log, if the cache holds any.
    pub fn last_log_id(&self) -> Option<LogId> {
        self.entries.back().map(|(e, _)| e.log_id)
    }

    /// Forgets the entries at or after `index` (the log was truncated there).
    pub fn truncate(&mut self, index: u64) {
        self.persisted = self.persisted.min(index.saturating_sub(1));
        while self.last_index().is_some_and(|last| last >= index) {
            if let Some((_, size)) = self.entries.pop_back() {
                self.bytes -= size;
            }
        }
    }

    /// Forgets the entries at or before `index` (the log was purged up to there).
    pub fn purge(&mut self, index: u64) {
        while self.first_index().is_some_and(|first| first <= index) {
            self.drop_first();
        }
    }

    fn clear(&mut self) {
        self.entries.clear();
        self.bytes = 0;
    }

    /// The entries this cache holds from `start` to `end` (exclusive; `None`: to the end of
    /// the log), and the index they start at; the entries before that index must be read from
    /// sled. `None` when the cache holds none of the range (or nothing).
    pub fn get(&self, start: u64, end: Option<u64>) -> Option<(u64, Vec<Entry>)> {
        let first = self.first_index()?;
        let from = start.max(first);
        if end.is_some_and(|end| end <= from) {
            return (start >= first).then(|| (start, Vec::new()));
        }
        let skip = usize::try_from(from - first).ok()?;
        let take = end.map_or(usize::MAX, |end| {
            usize::try_from(end - from).unwrap_or(usize::MAX)
        });
        let entries = self
            .entries
            .iter()
            .skip(skip)
            .take(take)
            .map(|(e, _)| e.clone())
            .collect();
        Some((from, entries))
    }
}

#[cfg(test)]
mod tests {
    use openraft::{CommittedLeaderId, EntryPayload, LogId};

    use super::*;

    fn entry(index: u64) -> Entry {
        Entry {
            log_id: LogId::new(CommittedLeaderId::new(1, 1), index),
            payload: EntryPayload::Blank,
        }
    }

    /// What `get` serves: the first index it covers and the indexes of its entries.
    fn indexes(got: Option<(u64, Vec<Entry>)>) -> Option<(u64, Vec<u64>)> {
        got.map(|(from, v)| (from, v.iter().map(|e| e.log_id.index).collect()))
    }

    #[test]
    fn serves_the_part_of_a_range_it_holds() {
        let mut r = Recent::default();
        assert_eq!(indexes(r.get(1, None)), None);
        for i in 5..=9 {
            r.push(entry(i), 10);
        }
        assert_eq!(indexes(r.get(5, Some(10))), Some((5, vec![5, 6, 7, 8, 9])));
        assert_eq!(indexes(r.get(7, None)), Some((7, vec![7, 8, 9])));
        assert_eq!(indexes(r.get(7, Some(9))), Some((7, vec![7, 8])));
        // Past the end of the log: nothing there, as sled would answer.
        assert_eq!(indexes(r.get(10, None)), Some((10, vec![])));
        assert_eq!(indexes(r.get(8, Some(11))), Some((8, vec![8, 9])));
        // Starting before the first entry held: the rest comes from sled.
        assert_eq!(indexes(r.get(2, Some(7))), Some((5, vec![5, 6])));
        assert_eq!(indexes(r.get(2, None)), Some((5, vec![5, 6, 7, 8, 9])));
        assert_eq!(indexes(r.get(2, Some(5))), None);
        assert_eq!(indexes(r.get(7, Some(7))), Some((7, vec![])));
    }

    #[test]
    fn truncation_purge_and_gaps_cut_the_cache() {
        let mut r = Recent::default();
        for i in 1..=6 {
            r.push(entry(i), 10);
        }
        r.truncate(5);
        assert_eq!(indexes(r.get(1, None)), Some((1, vec![1, 2, 3, 4])));
        r.purge(2);
        assert_eq!(indexes(r.get(3, None)), Some((3, vec![3, 4])));
        // A new leader's entry 5 after the truncation follows on.
        r.push(entry(5), 10);
        assert_eq!(indexes(r.get(3, None)), Some((3, vec![3, 4, 5])));
        // A gap (the log restarted after a snapshot) starts again.
        r.push(entry(100), 10);
        assert_eq!(indexes(r.get(3, Some(6))), None);
        assert_eq!(indexes(r.get(100, None)), Some((100, vec![100])));
    }

    #[test]
    fn keeps_its_byte_budget_once_sled_holds_the_entries() {
        let mut r = Recent::default();
        let third = RECENT_BYTES / 3;
        for i in 1..=5 {
            r.push(entry(i), third);
        }
        // Nothing written to sled yet: everything stays.
        assert_eq!(indexes(r.get(1, None)), Some((1, vec![1, 2, 3, 4, 5])));
        r.persisted(4);
        assert_eq!(indexes(r.get(1, None)), Some((3, vec![3, 4, 5])));
        r.push(entry(6), RECENT_BYTES * 2);
        assert_eq!(indexes(r.get(1, None)), Some((5, vec![5, 6])));
        r.persisted(6);
        assert_eq!(indexes(r.get(1, None)), Some((6, vec![6])));
        assert_eq!(r.bytes, RECENT_BYTES * 2);
    }

    #[test]
    fn a_truncated_index_is_not_persisted_until_written_again() {
        let mut r = Recent::default();
        let half = RECENT_BYTES / 2;
        for i in 1..=3 {
            r.push(entry(i), half);
        }
        r.persisted(3);
        r.truncate(2);
        // Entries 2 and 3 replaced, not yet in sled: the stale ones there must not be read.
        r.push(entry(2), half);
        r.push(entry(3), half);
        assert_eq!(indexes(r.get(1, None)), Some((2, vec![2, 3])));
    }
}
