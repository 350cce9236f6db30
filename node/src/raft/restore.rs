//! RAFT.RESTORE and `--restore`: make an RDB file (from redraft or stock Redis) the data of
//! the whole cluster, through Raft, so every node holds it and the log stays the truth.
//!
//! The file is read and fully checked first ([`check_file`]): a damaged or unsupported file
//! is refused, naming the file, offset and problem, before anything changes. Then the node
//! proposes a FLUSHALL and the keys as canonical RESTORE commands (payload, absolute TTL,
//! REPLACE), batched into entries of about [`ENTRY_BYTES`], per database. Not atomic: a
//! failure midway leaves the keys restored so far, and the error says to run it again (it
//! starts with the flush). Keys whose TTL has passed are skipped, as Redis skips them when
//! it loads a file.

use std::path::Path;

use bytes::Bytes;
use tracing::info;

use super::Node;
use crate::cmd::cluster_view::{AdminReply, AdminResult};
use crate::cmd::{Spec, keyspace, server};
use crate::rdb;
use crate::resp::Reply;
use crate::store::Store;

/// The size an entry of restored keys aims at (a larger key gets an entry of its own).
pub const ENTRY_BYTES: usize = 4 << 20;
/// The most keys in one entry (many tiny keys would make one entry slow to apply).
const ENTRY_KEYS: usize = 20_000;
/// The largest payload of one key: bounded by the gRPC message size, with room to spare.
const MAX_KEY_BYTES: usize = super::grpc::MAX_MESSAGE_SIZE / 2;

/// Reads the RDB file at `path` and checks all of it: the keys it holds, or why it cannot be
/// restored (named with the file, and the offset when the content is at fault).
pub fn check_file(path: &Path, databases: usize) -> Result<Store, String> {
    let data = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let loaded = rdb::read(&data, databases, 0).map_err(|e| format!("{}: {e}", path.display()))?;
    if !loaded.functions.is_empty() {
        return Err(format!(
            "{}: the file holds {} function libraries, which redraft does not support; \
             nothing was restored",
            path.display(),
            loaded.functions.len()
        ));
    }
    for (db, entries) in loaded.store.dbs() {
        for (key, entry) in entries.iter() {
            let size = rdb::dump(&entry.value).len();
            if size > MAX_KEY_BYTES {
                return Err(format!(
                    "{}: key {:?} in db {db} is {size} bytes serialized, more than the {} a \
                     log entry may carry",
                    path.display(),
                    String::from_utf8_lossy(key),
                    MAX_KEY_BYTES
                ));
            }
        }
    }
    Ok(loaded.store)
}

impl Node {
    /// RAFT.RESTORE `path`: checks the file, then replaces the cluster's data with it.
    pub(super) async fn restore_file(&self, path: &str) -> AdminResult {
        let owned = Path::new(path).to_path_buf();
        let databases = self.config.databases;
        let store = tokio::task::spawn_blocking(move || check_file(&owned, databases))
            .await
            .map_err(|e| format!("ERR reading the file failed: {e}"))?
            .map_err(|e| format!("ERR {e}; nothing was changed"))?;
        let total = store.key_count();
        info!(
            file = path,
            keys = total,
            "restoring an RDB file into the cluster"
        );
        let restored = self.propose_store(&store).await.map_err(|(done, why)| {
            format!(
                "ERR restoring {path} failed after {done} of {total} keys: {why}. The data \
                     is partly restored: run RAFT.RESTORE again (it starts with a flush)"
            )
        })?;
        info!(
            file = path,
            keys = restored,
            "restored an RDB file into the cluster"
        );
        Ok(AdminReply::Ok)
    }

    /// Proposes FLUSHALL and then every key of `store`; the number of keys proposed, or how
    /// many were when a write failed, and why.
    async fn propose_store(&self, store: &Store) -> Result<usize, (usize, String)> {
        let flush = [Bytes::from_static(b"flushall")];
        self.expect_ok(0, &[(&server::flushall::SPEC, &flush[..])])
            .await
            .map_err(|why| (0, why))?;
        let mut done = 0;
        for (db, entries) in store.dbs() {
            let mut batch: Vec<Vec<Bytes>> = Vec::new();
            let mut bytes = 0;
            for (key, entry) in entries.iter() {
                let argv = restore_argv(key, entry);
                bytes += argv.iter().map(Bytes::len).sum::<usize>();
                batch.push(argv);
                if bytes >= ENTRY_BYTES || batch.len() >= ENTRY_KEYS {
                    done += self
                        .propose_batch(db, &batch)
                        .await
                        .map_err(|w| (done, w))?;
                    batch.clear();
                    bytes = 0;
                }
            }
            if !batch.is_empty() {
                done += self
                    .propose_batch(db, &batch)
                    .await
                    .map_err(|w| (done, w))?;
            }
        }
        Ok(done)
    }

    async fn propose_batch(&self, db: usize, batch: &[Vec<Bytes>]) -> Result<usize, String> {
        let run: Vec<(&'static Spec, &[Bytes])> = batch
            .iter()
            .map(|argv| (&keyspace::restore::SPEC, &argv[..]))
            .collect();
        self.expect_ok(db, &run).await?;
        Ok(batch.len())
    }

    /// Writes `commands` in `db` and checks every reply is OK.
    async fn expect_ok(
        &self,
        db: usize,
        commands: &[(&'static Spec, &[Bytes])],
    ) -> Result<(), String> {
        for reply in self.write(db, commands).await {
            if let Reply::Error(e) = reply {
                return Err(String::from_utf8_lossy(&e).into_owned());
            }
        }
        Ok(())
    }
}

/// `restore key abs-ttl payload REPLACE ABSTTL`: the key as the file holds it.
fn restore_argv(key: &[u8], entry: &crate::store::Entry) -> Vec<Bytes> {
    let ttl = entry.expire_at().unwrap_or(0);
    vec![
        Bytes::from_static(b"restore"),
        Bytes::copy_from_slice(key),
        Bytes::from(ttl.to_string()),
        Bytes::from(rdb::dump(&entry.value)),
        Bytes::from_static(b"REPLACE"),
        Bytes::from_static(b"ABSTTL"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_file_is_refused_with_its_name_and_offset() {
        let dir = std::env::temp_dir().join(format!("redraft-restore-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bad.rdb");
        let mut store = Store::new(16);
        store.db_mut(0).set(
            &Bytes::from_static(b"k"),
            crate::store::Value::Str(crate::store::Str::new(b"v")),
            1,
        );
        let header = rdb::Header {
            ctime: 0,
            used_mem: 0,
            aux: &[],
            compression: true,
        };
        let mut data = rdb::write(&store, &header, Vec::new()).unwrap();
        std::fs::write(&path, &data).unwrap();
        assert_eq!(check_file(&path, 16).map(|s| s.key_count()), Ok(1));
        let n = data.len();
        data[n - 3] ^= 0xff;
        std::fs::write(&path, &data).unwrap();
        let err = check_file(&path, 16).err().unwrap_or_default();
        assert!(
            err.starts_with(&format!(
                "{}: RDB checksum mismatch at offset",
                path.display()
            )),
            "{err}"
        );
        let missing = check_file(&dir.join("nope.rdb"), 16)
            .err()
            .unwrap_or_default();
        assert!(missing.starts_with("cannot read"), "{missing}");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn keys_are_logged_with_absolute_ttls() {
        let entry = crate::store::Entry::with_expire(
            crate::store::Value::Str(crate::store::Str::new(b"v")),
            Some(1234),
            1,
        );
        let argv = restore_argv(b"k", &entry);
        assert_eq!(&argv[2][..], b"1234");
        assert_eq!(
            &argv[4..],
            &[
                Bytes::from_static(b"REPLACE"),
                Bytes::from_static(b"ABSTTL")
            ]
        );
    }
}
