//! The data model: databases, keyspace, expiry index and value types.
//!
//! A pure in-memory structure with no RESP, no I/O and no clock: every operation that depends on
//! time takes "now" as an argument (the log entry's time when applying, the read time when
//! reading), so replicas that apply the same entries hold the same data in the same order.
//!
//! Keys are ordered by a fixed hash of their bytes (then by the bytes), which makes iteration
//! order, SCAN cursors and RANDOMKEY identical on every node and stable across failovers, and
//! lets a SCAN cursor be a position in hash space that survives any insert or delete.

mod db;
mod hash;
mod key;
mod list;
mod scripts;
mod set;
mod string;
mod value;
mod versions;
mod zset;

pub use db::{Db, ScanPage};
pub use hash::Hash;
pub use key::Key;
pub use list::List;
pub use scripts::{Scripts, sha1_hex};
pub use set::{Member as SetMember, Set};
pub use string::Str;
pub use value::{Entry, Value, parse_canonical_i64};
pub use versions::VersionFeed;
pub use zset::{LexBound, LexRange, PACK_MAX_ENTRIES, PACK_MAX_MEMBER, ScoreRange, ZSet};

/// All databases of one node.
#[derive(Clone)]
pub struct Store {
    dbs: Vec<Db>,
    /// The Lua script cache, replicated like the keyspace (see [`Scripts`]).
    scripts: Scripts,
}

impl Store {
    /// A store with `databases` empty databases (Redis's `databases` directive, 16 by default).
    pub fn new(databases: usize) -> Store {
        Store {
            dbs: (0..databases.max(1)).map(|_| Db::default()).collect(),
            scripts: Scripts::default(),
        }
    }

    pub fn scripts(&self) -> &Scripts {
        &self.scripts
    }

    pub fn scripts_mut(&mut self) -> &mut Scripts {
        &mut self.scripts
    }

    pub fn db_count(&self) -> usize {
        self.dbs.len()
    }

    /// The database `index`. Callers validate the index (SELECT does) before asking.
    pub fn db(&self, index: usize) -> &Db {
        &self.dbs[index.min(self.dbs.len() - 1)]
    }

    pub fn db_mut(&mut self, index: usize) -> &mut Db {
        let last = self.dbs.len() - 1;
        &mut self.dbs[index.min(last)]
    }

    /// Two distinct databases at once, for MOVE and COPY ... DB.
    pub fn two_dbs_mut(&mut self, a: usize, b: usize) -> Option<(&mut Db, &mut Db)> {
        if a == b || a >= self.dbs.len() || b >= self.dbs.len() {
            return None;
        }
        if a < b {
            let (lo, hi) = self.dbs.split_at_mut(b);
            Some((&mut lo[a], &mut hi[0]))
        } else {
            let (lo, hi) = self.dbs.split_at_mut(a);
            Some((&mut hi[0], &mut lo[b]))
        }
    }

    pub fn dbs(&self) -> impl Iterator<Item = (usize, &Db)> {
        self.dbs.iter().enumerate()
    }

    /// Stamps the changes of the entry at log index `index` (removals are recorded per
    /// database for WATCH; see [`Db::removed_at`]).
    pub fn begin_apply(&mut self, index: u64) {
        for db in &mut self.dbs {
            db.set_clock(index);
        }
    }

    /// SWAPDB: exchanges the contents of two databases. Every key of both changes, as far as
    /// WATCH is concerned.
    pub fn swap(&mut self, a: usize, b: usize) {
        if a < self.dbs.len() && b < self.dbs.len() && a != b {
            self.dbs.swap(a, b);
            self.dbs[a].mark_removed();
            self.dbs[b].mark_removed();
        }
    }

    /// FLUSHALL.
    pub fn flush_all(&mut self) {
        for db in &mut self.dbs {
            db.flush();
        }
    }

    /// Marks every key as last changed at log index `version` (keys loaded from a snapshot
    /// take its index).
    pub fn set_versions(&mut self, version: u64) {
        for db in &mut self.dbs {
            db.set_versions(version);
        }
    }

    /// Total keys across databases.
    pub fn key_count(&self) -> usize {
        self.dbs.iter().map(Db::len).sum()
    }
}
