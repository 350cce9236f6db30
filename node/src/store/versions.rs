//! The WATCH versions of a store as bytes, so a snapshot carries them exactly.
//!
//! WATCH compares the log index of a key's last change when a transaction is applied, on every
//! node. Were keys loaded from a snapshot stamped with the snapshot's index instead, a node that
//! installed a snapshot and a node that applied the log would disagree on versions, and so on
//! whether a transaction aborts: their data would diverge. The snapshot therefore stores each
//! key's version and each database's removal mark (see [`Db::removed_at`]).
//!
//! Layout, all LEB128 varints: for each database holding keys or a removal mark, its index, its
//! removal mark, its key count, then the version of each key in keyspace order.

use bytes::{Buf, Bytes};

use super::Store;

impl Store {
    /// The versions of every key and the removal marks, encoded.
    pub fn versions(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (index, db) in self.dbs() {
            if db.is_empty() && db.removed_at() == 0 {
                continue;
            }
            put(&mut out, index as u64);
            put(&mut out, db.removed_at());
            put(&mut out, db.len() as u64);
            for (_, entry) in db.iter() {
                put(&mut out, entry.version);
            }
        }
        out
    }
}

/// Hands out the versions of a table encoded by [`Store::versions`] key by key, as the file it
/// came with is loaded: the table lists them in keyspace order, database by database, which is
/// the order the snapshot writer put the keys in. Stamping each key as it is inserted spares a
/// second pass over the whole keyspace.
pub struct VersionFeed {
    /// What is left of the table.
    data: Bytes,
    /// The database whose versions are being handed out, and how many of them are left.
    db: Option<usize>,
    left: u64,
    /// Each database of the table: (index, removal mark, key count).
    sections: Vec<(usize, u64, u64)>,
    /// The first mismatch, reported by [`VersionFeed::finish`].
    error: Option<String>,
}

impl VersionFeed {
    pub fn new(data: Bytes) -> VersionFeed {
        VersionFeed {
            data,
            db: None,
            left: 0,
            sections: Vec::new(),
            error: None,
        }
    }

    /// The version of the next key loaded, a key of database `db`. After a mismatch between
    /// the table and the keys this answers 0, and [`VersionFeed::finish`] reports it.
    pub fn next(&mut self, db: usize) -> u64 {
        if self.error.is_some() {
            return 0;
        }
        self.try_next(db).unwrap_or_else(|e| {
            self.error = Some(e);
            0
        })
    }

    fn try_next(&mut self, db: usize) -> Result<u64, String> {
        while self.db != Some(db) || self.left == 0 {
            if self.db == Some(db) || self.at_end() {
                return Err(format!(
                    "the table has fewer versions than database {db} has keys"
                ));
            }
            let (index, count) = self.section()?;
            if index != db && count > 0 {
                return Err(format!(
                    "the table lists database {index} where the file has a key of database {db}"
                ));
            }
            self.db = Some(index);
            self.left = count;
        }
        self.left -= 1;
        self.take()
    }

    fn at_end(&self) -> bool {
        self.data.is_empty()
    }

    fn take(&mut self) -> Result<u64, String> {
        let mut rest = &self.data[..];
        let v = take(&mut rest)?;
        self.data.advance(self.data.len() - rest.len());
        Ok(v)
    }

    /// Reads the next database's header: its index, removal mark and key count.
    fn section(&mut self) -> Result<(usize, u64), String> {
        let index = self.take()?;
        let removed_at = self.take()?;
        let count = self.take()?;
        let index = usize::try_from(index)
            .map_err(|_| format!("versions of database {index}, which does not exist"))?;
        self.sections.push((index, removed_at, count));
        Ok((index, count))
    }

    /// Checks that the table held exactly the keys of `store` (the store that was loaded with
    /// this feed), and sets each database's removal mark. A table that does not match is
    /// refused, leaving versions unspecified.
    pub fn finish(mut self, store: &mut Store) -> Result<(), String> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if self.left > 0 {
            return Err(format!(
                "the table has more versions than database {} has keys",
                self.db.unwrap_or(0)
            ));
        }
        while !self.at_end() {
            let (index, count) = self.section()?;
            if count > 0 {
                return Err(format!(
                    "the table has versions of {count} keys of database {index} that the file does not hold"
                ));
            }
        }
        let mut counted = vec![0u64; store.db_count()];
        for &(index, removed_at, count) in &self.sections {
            if index >= store.db_count() {
                return Err(format!(
                    "versions of database {index}, which does not exist"
                ));
            }
            counted[index] += count;
            store.db_mut(index).set_removed_at(removed_at);
        }
        for (index, db) in store.dbs() {
            if counted[index] != db.len() as u64 {
                return Err(format!(
                    "versions of {} keys for database {index}, which holds {}",
                    counted[index],
                    db.len()
                ));
            }
        }
        Ok(())
    }
}

fn put(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn take(data: &mut &[u8]) -> Result<u64, String> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = data
            .split_first()
            .ok_or_else(|| "the versions table is truncated".to_string())?;
        *data = rest;
        v |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err("a version in the versions table is too long".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Value;

    fn store() -> Store {
        let mut s = Store::new(4);
        for (i, k) in ["a", "b", "c"].iter().enumerate() {
            s.db_mut(0).set(
                &Bytes::from_static(k.as_bytes()),
                Value::Str(crate::store::Str::new(b"v")),
                (i as u64 + 1) * 1000,
            );
        }
        s.begin_apply(77);
        s.db_mut(2).set(
            &Bytes::from_static(b"x"),
            Value::Str(crate::store::Str::new(b"v")),
            5,
        );
        s.db_mut(2).remove(&Bytes::from_static(b"x"));
        s
    }

    /// Loads the keys of `from` into a new store as a snapshot load does (keyspace order,
    /// database by database), stamping them from `table`.
    fn reload(from: &Store, table: &[u8]) -> Result<Store, String> {
        let mut to = Store::new(from.db_count());
        let mut feed = VersionFeed::new(Bytes::copy_from_slice(table));
        for (index, db) in from.dbs() {
            for (key, entry) in db.iter() {
                let mut entry = entry.clone();
                entry.version = feed.next(index);
                assert!(to.db_mut(index).insert_new(key, entry));
            }
        }
        feed.finish(&mut to).map(|()| to)
    }

    #[test]
    fn round_trip() {
        let a = store();
        let b = reload(&a, &a.versions()).expect("restore");
        assert_eq!(b.versions(), a.versions());
        assert_eq!(b.db(2).removed_at(), 77);
        let v: Vec<u64> = b.db(0).iter().map(|(_, e)| e.version).collect();
        let mut sorted = v.clone();
        sorted.sort();
        assert_eq!(sorted, vec![1000, 2000, 3000]);
    }

    #[test]
    fn mismatches_are_refused() {
        let a = store();
        let data = a.versions();
        // A table for other keys: none, fewer, more, another database, cut, or overlong.
        assert!(reload(&a, &[]).is_err());
        assert!(reload(&Store::new(4), &data).is_err());
        let mut more = a.clone();
        more.db_mut(0).set(
            &Bytes::from_static(b"d"),
            Value::Str(crate::store::Str::new(b"")),
            1,
        );
        assert!(reload(&more, &data).is_err());
        let mut moved = Store::new(4);
        for (key, entry) in a.db(0).iter() {
            moved.db_mut(1).insert_new(key, entry.clone());
        }
        assert!(reload(&moved, &data).is_err());
        assert!(reload(&Store::new(1), &[3, 0, 0]).is_err());
        assert!(reload(&a, &data[..data.len() - 1]).is_err());
        assert!(reload(&a, &[0x80; 11]).is_err());
    }
}
