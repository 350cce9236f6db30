//! One database: the keyspace map and the expiry index.

use std::ops::Bound;

use bytes::Bytes;
use imbl::{OrdMap, OrdSet};

use super::key::{HASH_SPACE, Key, Probe};
use super::value::{Entry, Value};

/// One of the numbered databases.
///
/// `keys` is a persistent ordered map (O(1) clone with structural sharing), so a point-in-time
/// view for a snapshot costs nothing up front. `expires` indexes the keys with a TTL by time,
/// so the leader finds expired keys without scanning; it is persistent too, so cloning a
/// whole database (a snapshot, a script's rollback point) is O(1).
#[derive(Clone, Default)]
pub struct Db {
    keys: OrdMap<Key, Entry>,
    expires: OrdSet<(u64, Key)>,
    /// Keys deleted because their TTL had passed (INFO `expired_keys`).
    expired: u64,
    /// The log index of the entry being applied (set by [`super::Store::begin_apply`]).
    clock: u64,
    /// The log index of the last entry that removed any key of this database (deleted,
    /// expired, flushed, swapped away). A WATCH on an absent key aborts EXEC when this moved
    /// past the point it was observed: the key may have been created and deleted since.
    removed_at: u64,
}

/// One page of a SCAN.
#[derive(Debug, Default, PartialEq)]
pub struct ScanPage {
    /// The cursor to continue from; 0 when the scan is complete.
    pub cursor: u64,
    pub keys: Vec<Bytes>,
}

impl Db {
    /// The log index of the last entry that removed a key of this database (0: none since
    /// the data was loaded).
    pub fn removed_at(&self) -> u64 {
        self.removed_at
    }

    /// Records that the entry being applied removed keys of this database wholesale.
    pub(super) fn mark_removed(&mut self) {
        self.removed_at = self.clock;
    }

    /// Sets the removal mark as a snapshot recorded it.
    pub(super) fn set_removed_at(&mut self, index: u64) {
        self.removed_at = index;
    }

    /// Stamps later removals with the log index `index`.
    pub(super) fn set_clock(&mut self, index: u64) {
        self.clock = index;
    }

    /// Number of keys, including expired ones not yet deleted (as Redis's DBSIZE).
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Keys with a TTL (INFO keyspace `expires=`).
    pub fn volatile_len(&self) -> usize {
        self.expires.len()
    }

    /// The live entry of `key` at `now_ms`; an expired key is absent.
    pub fn get(&self, key: &Bytes, now_ms: u64) -> Option<&Entry> {
        self.keys
            .get(&Probe::new(key))
            .filter(|e| !e.is_expired(now_ms))
    }

    /// The entry a write at `now_ms` would find for `key`, when finding it changes nothing:
    /// `Some(Some(entry))` when live, `Some(None)` when absent, and `None` when an expired
    /// entry is still stored (a write would delete it first: see [`Db::get_mut`]).
    pub fn get_untouched(&self, key: &Bytes, now_ms: u64) -> Option<Option<&Entry>> {
        match self.keys.get(&Probe::new(key)) {
            Some(e) if e.is_expired(now_ms) => None,
            found => Some(found),
        }
    }

    /// The live entry of `key` for a write at `now_ms`. An expired key found here is deleted
    /// first: writes run inside log entries whose time is the same on every replica, so this
    /// lazy deletion is deterministic.
    pub fn get_mut(&mut self, key: &Bytes, now_ms: u64) -> Option<&mut Entry> {
        let k = Probe::new(key);
        if self.keys.get(&k)?.is_expired(now_ms) {
            self.remove_key(k);
            self.expired += 1;
            return None;
        }
        self.keys.get_mut(&k)
    }

    /// Whether `key` is live at `now_ms`.
    pub fn contains(&self, key: &Bytes, now_ms: u64) -> bool {
        self.get(key, now_ms).is_some()
    }

    /// Stores `value` under `key` with no expiry, replacing any previous entry, and stamps it
    /// with `version`.
    pub fn set(&mut self, key: &Bytes, value: Value, version: u64) {
        self.insert(key, Entry::new(value, version));
    }

    /// Stores a whole entry (value, expiry, version), replacing any previous one.
    pub fn insert(&mut self, key: &Bytes, entry: Entry) {
        let probe = Probe::new(key);
        let new_exp = entry.expire_at;
        // Overwriting reuses the stored key: no allocation for the key bytes.
        if let Some(slot) = self.keys.get_mut(&probe) {
            let old_exp = std::mem::replace(slot, entry).expire_at;
            if old_exp != new_exp {
                let stored = Key::new(key);
                if old_exp != 0 {
                    self.expires.remove(&(old_exp, stored.clone()));
                }
                if new_exp != 0 {
                    self.expires.insert((new_exp, stored));
                }
            }
            return;
        }
        let k = Key::new(key);
        if new_exp != 0 {
            self.expires.insert((new_exp, k.clone()));
        }
        self.keys.insert(k, entry);
    }

    /// Adds an entry for a key the database should not hold yet (loading a file), in one
    /// descent of the map. Returns false when the key was there already: the new entry has
    /// then replaced it, and the database is fit only to be thrown away with the file.
    pub fn insert_new(&mut self, key: &[u8], entry: Entry) -> bool {
        let k = Key::new(key);
        if entry.expire_at != 0 {
            self.expires.insert((entry.expire_at, k.clone()));
        }
        self.keys.insert(k, entry).is_none()
    }

    /// Deletes `key` if its TTL has passed at `now_ms`; returns whether it did.
    pub fn remove_if_expired(&mut self, key: &Bytes, now_ms: u64) -> bool {
        let k = Probe::new(key);
        if self.keys.get(&k).is_some_and(|e| e.is_expired(now_ms)) {
            self.remove_key(k);
            self.expired += 1;
            true
        } else {
            false
        }
    }

    /// How many keys of this database were deleted because their TTL had passed.
    pub fn expired_count(&self) -> u64 {
        self.expired
    }

    /// Deletes `key`, returning its entry if it existed (expired or not).
    pub fn remove(&mut self, key: &Bytes) -> Option<Entry> {
        self.remove_key(Probe::new(key))
    }

    fn remove_key(&mut self, k: Probe<'_>) -> Option<Entry> {
        let (stored, old) = self.keys.remove_with_key(&k)?;
        self.removed_at = self.clock;
        if old.expire_at != 0 {
            self.expires.remove(&(old.expire_at, stored));
        }
        Some(old)
    }

    /// Sets (`Some`) or clears (`None`) the expiry of an existing key and stamps `version`.
    /// Returns false when the key does not exist.
    pub fn set_expire(&mut self, key: &Bytes, expire_at: Option<u64>, version: u64) -> bool {
        let k = Probe::new(key);
        let Some(entry) = self.keys.get_mut(&k) else {
            return false;
        };
        let old = entry.expire_at;
        entry.expire_at = expire_at.unwrap_or(0);
        entry.version = version;
        if old != entry.expire_at {
            let stored = Key::new(key);
            if old != 0 {
                self.expires.remove(&(old, stored.clone()));
            }
            if let Some(at) = expire_at {
                self.expires.insert((at, stored));
            }
        }
        true
    }

    /// Marks every key as last changed at log index `version`.
    pub fn set_versions(&mut self, version: u64) {
        let keys: Vec<Key> = self.keys.keys().cloned().collect();
        for key in keys {
            if let Some(entry) = self.keys.get_mut(&key) {
                entry.version = version;
            }
        }
    }

    /// FLUSHDB.
    pub fn flush(&mut self) {
        if !self.keys.is_empty() {
            self.removed_at = self.clock;
        }
        self.keys = OrdMap::new();
        self.expires.clear();
    }

    /// Up to `limit` keys whose expiry is before `now_ms`, oldest expiry first (for the
    /// leader's active expire cycle).
    pub fn expired_keys(&self, now_ms: u64, limit: usize) -> Vec<Bytes> {
        self.expires
            .iter()
            .take_while(|(at, _)| *at < now_ms)
            .take(limit)
            .map(|(_, k)| Bytes::copy_from_slice(k.bytes()))
            .collect()
    }

    /// Every key, expired or not, in keyspace order (what a snapshot holds).
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &Entry)> {
        self.keys.iter().map(|(k, e)| (k.bytes(), e))
    }

    /// Every live key at `now_ms`, in keyspace order.
    pub fn live_keys(&self, now_ms: u64) -> impl Iterator<Item = (&[u8], &Entry)> {
        self.keys
            .iter()
            .filter(move |(_, e)| !e.is_expired(now_ms))
            .map(|(k, e)| (k.bytes(), e))
    }

    /// One SCAN step from `cursor`: visits about `count` keys in hash order and keeps those
    /// `keep` accepts. The cursor is a position in hash space, so a key present for the whole
    /// scan is returned exactly once whatever is inserted or deleted meanwhile (at least once if
    /// a page ends inside a run of keys sharing one hash).
    pub fn scan(
        &self,
        cursor: u64,
        count: usize,
        now_ms: u64,
        mut keep: impl FnMut(&[u8], &Entry) -> bool,
    ) -> ScanPage {
        let mut page = ScanPage::default();
        let mut last_hash = None;
        let start = Probe::position(cursor);
        let range = self.keys.range((Bound::Included(start), Bound::Unbounded));
        for (visited, (k, e)) in range.enumerate() {
            if visited >= count.max(1) && last_hash != Some(k.hash()) {
                page.cursor = k.hash();
                // Cursor 0 means "done"; a remaining key at hash 0 can only be the first one.
                return page;
            }
            last_hash = Some(k.hash());
            if !e.is_expired(now_ms) && keep(k.bytes(), e) {
                page.keys.push(Bytes::copy_from_slice(k.bytes()));
            }
        }
        page
    }

    /// A live key chosen by `seed` (its position in hash space is `seed` modulo the space), or
    /// None when the database has no live key. Deterministic for a given seed and content.
    pub fn random_key(&self, seed: u64, now_ms: u64) -> Option<Bytes> {
        let start = Probe::position(seed % HASH_SPACE);
        let after = self.keys.range((Bound::Included(start), Bound::Unbounded));
        let before = self.keys.range((Bound::Unbounded, Bound::Excluded(start)));
        after
            .chain(before)
            .find(|(_, e)| !e.is_expired(now_ms))
            .map(|(k, _)| Bytes::copy_from_slice(k.bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Str;

    fn b(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    fn str_of(db: &Db, k: &str, now: u64) -> Option<Bytes> {
        db.get(&b(k), now).and_then(|e| match &e.value {
            Value::Str(s) => Some(s.to_bytes()),
            _ => None,
        })
    }

    /// A snapshot loads keys in keyspace order, each after every key already there: full
    /// leaves, then the same map under deletes, re-inserts and a clone kept aside.
    #[test]
    fn keys_loaded_in_order_stay_findable_through_deletes_and_inserts() {
        let mut source = Db::default();
        for i in 0..5000 {
            source.set(&b(&format!("k{i}")), Value::Str(Str::from("v")), 1);
        }
        let mut db = Db::default();
        for (key, entry) in source.iter() {
            assert!(db.insert_new(key, entry.clone()));
        }
        let kept = db.clone();
        for i in (0..5000).filter(|i| i % 3 != 0) {
            assert!(db.remove(&b(&format!("k{i}"))).is_some(), "k{i}");
        }
        for i in 5000..6000 {
            db.set(&b(&format!("k{i}")), Value::Str(Str::from("w")), 2);
        }
        for i in 0..6000 {
            let expect = match i {
                _ if i >= 5000 => Some(b("w")),
                _ if i % 3 == 0 => Some(b("v")),
                _ => None,
            };
            assert_eq!(str_of(&db, &format!("k{i}"), 0), expect, "k{i}");
            assert_eq!(str_of(&kept, &format!("k{i}"), 0).is_some(), i < 5000);
        }
        assert_eq!(db.len(), 1667 + 1000);
        let order: Vec<&[u8]> = db.iter().map(|(k, _)| k).collect();
        let mut sorted: Vec<Key> = order.iter().map(|k| Key::new(k)).collect();
        sorted.sort();
        assert!(sorted.iter().map(Key::bytes).eq(order.iter().copied()));
    }

    #[test]
    fn expired_keys_are_invisible_and_indexed() {
        let mut db = Db::default();
        db.set(&b("k"), Value::Str(crate::store::Str::from("v")), 1);
        assert!(db.set_expire(&b("k"), Some(1000), 2));
        assert_eq!(str_of(&db, "k", 1000), Some(b("v")));
        assert_eq!(str_of(&db, "k", 1001), None);
        assert_eq!(db.expired_keys(1001, 10), vec![b("k")]);
        assert_eq!(db.expired_keys(1000, 10), Vec::<Bytes>::new());
        assert_eq!(db.volatile_len(), 1);
        assert!(db.get_mut(&b("k"), 1001).is_none());
        assert_eq!(db.len(), 0);
        assert_eq!(db.volatile_len(), 0);
    }

    #[test]
    fn overwrite_with_the_same_expiry_keeps_it_indexed() {
        let mut db = Db::default();
        db.insert(
            &b("k"),
            Entry::with_expire(Value::Str(crate::store::Str::from("v")), Some(50), 1),
        );
        db.insert(
            &b("k"),
            Entry::with_expire(Value::Str(crate::store::Str::from("w")), Some(50), 2),
        );
        assert_eq!(db.volatile_len(), 1);
        assert_eq!(db.expired_keys(51, 10), vec![b("k")]);
        db.insert(
            &b("k"),
            Entry::with_expire(Value::Str(crate::store::Str::from("x")), Some(70), 3),
        );
        assert_eq!(db.volatile_len(), 1);
        assert_eq!(db.expired_keys(71, 10), vec![b("k")]);
    }

    #[test]
    fn overwrite_clears_the_old_expiry() {
        let mut db = Db::default();
        db.set(&b("k"), Value::Str(crate::store::Str::from("v")), 1);
        db.set_expire(&b("k"), Some(50), 2);
        db.set(&b("k"), Value::Str(crate::store::Str::from("w")), 3);
        assert_eq!(db.volatile_len(), 0);
        assert_eq!(str_of(&db, "k", 100), Some(b("w")));
    }

    #[test]
    fn scan_returns_every_key_once_despite_changes() {
        let mut db = Db::default();
        for i in 0..1000 {
            db.set(
                &b(&format!("k{i}")),
                Value::Str(crate::store::Str::from("v")),
                1,
            );
        }
        let mut seen = std::collections::HashSet::new();
        let mut cursor = 0;
        let mut round = 0;
        loop {
            let page = db.scan(cursor, 10, 0, |_, _| true);
            for k in page.keys {
                assert!(seen.insert(k), "duplicate");
            }
            // Churn: add and remove other keys between pages.
            db.set(
                &b(&format!("new{round}")),
                Value::Str(crate::store::Str::from("v")),
                2,
            );
            db.remove(&b(&format!("new{}", round.max(1) - 1)));
            round += 1;
            cursor = page.cursor;
            if cursor == 0 {
                break;
            }
        }
        for i in 0..1000 {
            assert!(seen.contains(&b(&format!("k{i}"))), "k{i} missed");
        }
    }

    #[test]
    fn random_key_is_deterministic_and_live() {
        let mut db = Db::default();
        assert_eq!(db.random_key(5, 0), None);
        db.set(&b("a"), Value::Str(crate::store::Str::from("v")), 1);
        db.set(&b("b"), Value::Str(crate::store::Str::from("v")), 1);
        db.set_expire(&b("b"), Some(10), 1);
        for seed in [0, 1, u64::MAX / 2, u64::MAX] {
            assert_eq!(db.random_key(seed, 100), Some(b("a")));
        }
    }
}
