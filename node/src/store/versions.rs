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

use super::{Db, Store};

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

    /// Stamps keys and databases with versions encoded by [`Store::versions`] for this very
    /// content. A table that does not match the keys is refused, leaving versions unspecified.
    pub fn restore_versions(&mut self, mut data: &[u8]) -> Result<(), String> {
        while !data.is_empty() {
            let index = take(&mut data)?;
            let removed_at = take(&mut data)?;
            let count = take(&mut data)?;
            let db_count = self.db_count() as u64;
            if index >= db_count {
                return Err(format!(
                    "versions of database {index}, which does not exist"
                ));
            }
            let db: &mut Db = self.db_mut(index as usize);
            if count != db.len() as u64 {
                return Err(format!(
                    "versions of {count} keys for database {index}, which holds {}",
                    db.len()
                ));
            }
            db.set_removed_at(removed_at);
            let mut versions = Vec::with_capacity(db.len());
            for _ in 0..count {
                versions.push(take(&mut data)?);
            }
            db.set_each_version(versions.into_iter());
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
    use bytes::Bytes;

    use super::*;
    use crate::store::Value;

    fn store() -> Store {
        let mut s = Store::new(4);
        for (i, k) in ["a", "b", "c"].iter().enumerate() {
            s.db_mut(0).set(
                &Bytes::from_static(k.as_bytes()),
                Value::Str(Bytes::from_static(b"v")),
                (i as u64 + 1) * 1000,
            );
        }
        s.begin_apply(77);
        s.db_mut(2).set(
            &Bytes::from_static(b"x"),
            Value::Str(Bytes::from_static(b"v")),
            5,
        );
        s.db_mut(2).remove(&Bytes::from_static(b"x"));
        s
    }

    #[test]
    fn round_trip() {
        let a = store();
        let mut b = a.clone();
        b.set_versions(1);
        b.db_mut(2).set_removed_at(0);
        b.restore_versions(&a.versions()).expect("restore");
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
        let mut other = Store::new(4);
        assert!(other.restore_versions(&a.versions()).is_err());
        let mut small = Store::new(1);
        assert!(small.restore_versions(&[3, 0, 0]).is_err());
        let data = a.versions();
        let mut b = a.clone();
        assert!(b.restore_versions(&data[..data.len() - 1]).is_err());
        assert!(b.restore_versions(&[0x80; 11]).is_err());
    }
}
