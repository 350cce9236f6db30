//! Raft snapshots are RDB files (DESIGN.md "Snapshots are RDB"): `<dir>/<dbfilename>`, written
//! to a temporary file, fsynced and renamed, so the file is never torn. Besides the data, the
//! file's AUX fields carry what Raft needs back on restart: the last applied log id, the
//! membership, the snapshot id and the last entry time. Redis ignores AUX fields it does not
//! know, so the file stays a plain `dump.rdb`.

// `StorageError` is openraft's error type, imposed by the storage traits; its size is theirs.
#![allow(clippy::result_large_err)]

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use openraft::{AnyError, StorageIOError};
use parking_lot::Mutex;

use super::types::{LogId, SnapshotMeta, StorageError, StoredMembership};
use crate::machine::Machine;
use crate::store::{Store, VersionFeed};

const AUX_LOG_ID: &str = "redraft-log-id";
const AUX_MEMBERSHIP: &str = "redraft-membership";
const AUX_SNAPSHOT_ID: &str = "redraft-snapshot-id";
const AUX_TIME_MS: &str = "redraft-time-ms";
/// Every key's WATCH version ([`Store::versions`]), binary.
const AUX_VERSIONS: &str = "redraft-versions";
/// One cached Lua script body per field, as Redis 6 stored them (Redis 7 skips them on load).
const AUX_LUA: &str = "lua";

/// Builds openraft storage errors that name the snapshot.
pub trait SnapshotMetaExt {
    fn write_error(&self, msg: String) -> StorageError;
    fn read_error(&self, msg: String) -> StorageError;
}

impl SnapshotMetaExt for SnapshotMeta {
    fn write_error(&self, msg: String) -> StorageError {
        StorageIOError::write_snapshot(Some(self.signature()), AnyError::error(msg)).into()
    }

    fn read_error(&self, msg: String) -> StorageError {
        StorageIOError::read_snapshot(Some(self.signature()), AnyError::error(msg)).into()
    }
}

/// The snapshot file of one node.
pub struct SnapshotFile {
    path: PathBuf,
    databases: usize,
    /// The metadata of the snapshot in `path`, once there is one.
    current: Mutex<Option<SnapshotMeta>>,
}

/// What a snapshot file loaded at startup holds.
pub struct Loaded {
    pub machine: Machine,
    pub meta: SnapshotMeta,
}

impl SnapshotFile {
    /// The snapshot file at `path` for a keyspace of `databases` databases. Loads it when it
    /// exists; a file that cannot be read, is damaged, or is not a redraft snapshot is an
    /// error naming it (never half-loaded).
    ///
    /// Temporary files a killed process left behind (`<name>.tmp-<pid>`, see
    /// [`SnapshotFile::replace`]) are removed: each is as large as a dump.
    pub fn open(path: &Path, databases: usize) -> anyhow::Result<(SnapshotFile, Option<Loaded>)> {
        for leftover in leftover_temporaries(path) {
            match std::fs::remove_file(&leftover) {
                Ok(()) => {
                    tracing::info!(file = %leftover.display(), "removed the temporary file of an interrupted save")
                }
                Err(e) => {
                    tracing::warn!(file = %leftover.display(), "cannot remove the temporary file of an interrupted save: {e}")
                }
            }
        }
        let file = SnapshotFile {
            path: path.to_path_buf(),
            databases,
            current: Mutex::new(None),
        };
        let data = match std::fs::read(path) {
            Ok(data) => data,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((file, None)),
            Err(e) => anyhow::bail!("cannot read {}: {e}", path.display()),
        };
        let loaded = decode(&data, databases, None)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        *file.current.lock() = Some(loaded.meta.clone());
        Ok((file, Some(loaded)))
    }

    /// Writes `store` as the current snapshot. The RDB is encoded straight into the file, so a
    /// save needs no copy of the dump in memory (a dataset of many gigabytes would otherwise
    /// need as much again each time a snapshot is taken).
    pub fn save_store(
        &self,
        store: &Store,
        time_ms: u64,
        meta: &SnapshotMeta,
    ) -> Result<(), StorageError> {
        self.replace(meta, |out| encode(store, time_ms, meta, out))
    }

    /// Decodes a snapshot received from the leader into a state machine and, once that
    /// succeeded, makes it the current snapshot file.
    pub fn install_bytes(&self, data: &[u8], meta: &SnapshotMeta) -> Result<Machine, StorageError> {
        let loaded = decode(data, self.databases, Some(meta)).map_err(|e| meta.read_error(e))?;
        self.replace(meta, |out| {
            out.write_all(data)
                .map_err(|e| format!("writing the snapshot: {e}"))
        })?;
        Ok(loaded.machine)
    }

    /// The current snapshot's metadata and bytes.
    pub fn current(&self) -> Result<Option<(SnapshotMeta, Vec<u8>)>, StorageError> {
        let Some(meta) = self.current.lock().clone() else {
            return Ok(None);
        };
        let data = std::fs::read(&self.path)
            .map_err(|e| meta.read_error(format!("reading {}: {e}", self.path.display())))?;
        Ok(Some((meta, data)))
    }

    /// Atomically replaces the file with what `write` writes: temporary file, fsync, rename,
    /// fsync of the directory.
    fn replace(
        &self,
        meta: &SnapshotMeta,
        write: impl FnOnce(&mut SyncedFile) -> Result<(), String>,
    ) -> Result<(), StorageError> {
        let mut current = self.current.lock();
        let err = |what: &str, e: &dyn std::fmt::Display| {
            meta.write_error(format!("{what} {}: {e}", self.path.display()))
        };
        let tmp = temporary(&self.path, &std::process::id().to_string());
        let written = File::create(&tmp)
            .map_err(|e| err("creating a temporary file for", &e))
            .and_then(|f| {
                let mut out = SyncedFile::new(f);
                write(&mut out).map_err(|e| err("saving", &e))?;
                out.file.sync_all().map_err(|e| err("syncing", &e))
            })
            .and_then(|()| std::fs::rename(&tmp, &self.path).map_err(|e| err("renaming into", &e)));
        if let Err(e) = written {
            // A full disk must not also keep a partial copy of the dump.
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        File::open(directory(&self.path))
            .and_then(|d| d.sync_all())
            .map_err(|e| err("syncing the directory of", &e))?;
        *current = Some(meta.clone());
        Ok(())
    }
}

/// Redis's `REDIS_AUTOSYNC_BYTES` (`rdb-save-incremental-fsync`): a save flushes the file
/// every this many bytes.
const SYNC_EVERY: usize = 4 << 20;

/// A file written through that flushes itself to disk every [`SYNC_EVERY`] bytes, as Redis
/// does; the caller's final sync covers the rest. One flush of the whole file at the end hands
/// the disk tens of megabytes at once, and the log's `fdatasync`s issued meanwhile wait
/// behind it, so writes stall while a snapshot is saved.
struct SyncedFile {
    file: File,
    unsynced: usize,
}

impl SyncedFile {
    fn new(file: File) -> SyncedFile {
        SyncedFile { file, unsynced: 0 }
    }
}

impl Write for SyncedFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.unsynced += n;
        if self.unsynced >= SYNC_EVERY {
            self.file.sync_data()?;
            self.unsynced = 0;
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// The temporary file a save to `path` writes first: `<stem>.tmp-<pid>` beside it.
fn temporary(path: &Path, pid: &str) -> PathBuf {
    path.with_extension(format!("tmp-{pid}"))
}

/// The directory `path` is in.
fn directory(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// The temporary files of saves to `path` that were interrupted ([`temporary`] names with a
/// process id).
fn leftover_temporaries(path: &Path) -> Vec<PathBuf> {
    let Some(prefix) = temporary(path, "")
        .file_name()
        .and_then(|n| n.to_str())
        .map(str::to_owned)
    else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(directory(path)) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name().to_str().is_some_and(|name| {
                name.strip_prefix(&prefix)
                    .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
            })
        })
        .map(|e| e.path())
        .collect()
}

/// Writes the snapshot of `store` as an RDB to `out`.
fn encode<W: Write>(
    store: &Store,
    time_ms: u64,
    meta: &SnapshotMeta,
    out: W,
) -> Result<(), String> {
    let log_id = to_json(&meta.last_log_id)?;
    let membership = to_json(&meta.last_membership)?;
    let time = time_ms.to_string();
    let versions = store.versions();
    let mut aux: Vec<(&[u8], &[u8])> = vec![
        (AUX_LOG_ID.as_bytes(), log_id.as_bytes()),
        (AUX_MEMBERSHIP.as_bytes(), membership.as_bytes()),
        (AUX_SNAPSHOT_ID.as_bytes(), meta.snapshot_id.as_bytes()),
        (AUX_TIME_MS.as_bytes(), time.as_bytes()),
        (AUX_VERSIONS.as_bytes(), &versions),
    ];
    aux.extend(
        store
            .scripts()
            .bodies()
            .map(|body| (AUX_LUA.as_bytes(), &body[..])),
    );
    let header = crate::rdb::Header {
        // The time of the last applied entry, the same on every node: two nodes holding the
        // same state write the same bytes.
        ctime: time_ms / 1000,
        used_mem: 0,
        aux: &aux,
        compression: true,
    };
    crate::rdb::write(store, &header, out).map_err(|e| format!("writing the snapshot: {e}"))?;
    Ok(())
}

/// Decodes a snapshot file. With `expected`, the file must be that snapshot.
fn decode(
    data: &[u8],
    databases: usize,
    expected: Option<&SnapshotMeta>,
) -> Result<Loaded, String> {
    // Each key is stamped with its WATCH version as it loads, from the versions table (an
    // AUX field, so read before the first key).
    let mut feed: Option<Option<VersionFeed>> = None;
    let probe = crate::rdb::read_stamped(data, databases, |aux, db| {
        let feed = feed.get_or_insert_with(|| {
            aux.iter()
                .find(|(k, _)| k.as_ref() == AUX_VERSIONS.as_bytes())
                .map(|(_, v)| VersionFeed::new(v.clone()))
        });
        feed.as_mut().map_or(0, |f| f.next(db))
    })
    .map_err(|e| e.to_string())?;
    let aux = |name: &str| {
        probe
            .aux
            .iter()
            .find(|(k, _)| k.as_ref() == name.as_bytes())
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    };
    let (Some(log_id), Some(membership), Some(snapshot_id), Some(time)) = (
        aux(AUX_LOG_ID),
        aux(AUX_MEMBERSHIP),
        aux(AUX_SNAPSHOT_ID),
        aux(AUX_TIME_MS),
    ) else {
        return Err(
            "not a redraft snapshot (its redraft-* AUX fields are missing); \
                    to restore a Redis dump, see the README's backup and restore section"
                .to_string(),
        );
    };
    let last_log_id: Option<LogId> =
        serde_json::from_str(&log_id).map_err(|e| format!("bad {AUX_LOG_ID} field: {e}"))?;
    let last_membership: StoredMembership = serde_json::from_str(&membership)
        .map_err(|e| format!("bad {AUX_MEMBERSHIP} field: {e}"))?;
    let time_ms: u64 = time
        .parse()
        .map_err(|e| format!("bad {AUX_TIME_MS} field: {e}"))?;
    let meta = SnapshotMeta {
        last_log_id,
        last_membership,
        snapshot_id,
    };
    if let Some(expected) = expected
        && (expected.last_log_id != meta.last_log_id || expected.snapshot_id != meta.snapshot_id)
    {
        return Err(format!(
            "snapshot {} holds {} instead",
            expected.snapshot_id, meta.snapshot_id
        ));
    }
    let index = last_log_id.map_or(0, |id| id.index);
    let versions = probe
        .aux
        .iter()
        .find(|(k, _)| k.as_ref() == AUX_VERSIONS.as_bytes())
        .map(|(_, v)| v.clone());
    let mut store = probe.store;
    for (_, body) in probe
        .aux
        .iter()
        .filter(|(k, _)| k.as_ref() == AUX_LUA.as_bytes())
    {
        store.scripts_mut().insert(body.clone());
    }
    // No key loaded: the feed was never made, and the table holds removal marks only.
    let feed = feed.unwrap_or_else(|| versions.clone().map(VersionFeed::new));
    match feed {
        Some(feed) => feed
            .finish(&mut store)
            .map_err(|e| format!("bad {AUX_VERSIONS} field: {e}"))?,
        None if versions.is_some() => {
            return Err(format!("bad {AUX_VERSIONS} field: it comes after keys"));
        }
        // A snapshot written before versions were kept: its keys' last change is taken to be
        // the snapshot itself.
        None => store.set_versions(index),
    }
    Ok(Loaded {
        machine: Machine::restore(store, index, time_ms),
        meta,
    })
}

/// JSON for an AUX field.
fn to_json<T: serde::Serialize>(value: &T) -> Result<String, String> {
    serde_json::to_string(value).map_err(|e| format!("encoding snapshot metadata: {e}"))
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::machine::LogEntry;

    #[test]
    fn a_file_written_in_synced_chunks_holds_every_byte() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f");
        for len in [0, 1, SYNC_EVERY - 1, SYNC_EVERY, 2 * SYNC_EVERY + 7] {
            let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let mut out = SyncedFile::new(File::create(&path).expect("create"));
            // In pieces of the size the RDB writer hands over, and a few odd ones.
            for piece in data.chunks(64 * 1024 + 3) {
                out.write_all(piece).expect("write");
            }
            out.flush().expect("flush");
            assert_eq!(std::fs::read(&path).expect("read"), data, "length {len}");
        }
    }

    #[test]
    fn a_saved_snapshot_loads_back_from_its_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("dump.rdb");
        let (file, loaded) = SnapshotFile::open(&path, 1).expect("open");
        assert!(loaded.is_none());
        let mut m = Machine::new(1);
        let sets = (0..1000)
            .map(|i| {
                vec![
                    Bytes::from("set"),
                    Bytes::from(format!("k{i}")),
                    Bytes::from(format!("v{i}")),
                ]
            })
            .collect();
        m.apply(7, &LogEntry::commands(1000, 0, sets));
        let meta = SnapshotMeta {
            last_log_id: Some(LogId::new(openraft::CommittedLeaderId::new(1, 1), 7)),
            last_membership: StoredMembership::default(),
            snapshot_id: "1-1-7".to_string(),
        };
        file.save_store(m.store(), 1000, &meta).expect("save");
        let (current, bytes) = file.current().expect("current").expect("a snapshot");
        assert_eq!(current.snapshot_id, "1-1-7");
        assert_eq!(bytes, std::fs::read(&path).expect("read"));

        let (_, loaded) = SnapshotFile::open(&path, 1).expect("open again");
        let loaded = loaded.expect("the saved snapshot");
        assert_eq!(loaded.meta, meta);
        assert_eq!(loaded.machine.store().db(0).len(), 1000);
        let left: Vec<_> = std::fs::read_dir(dir.path()).expect("read_dir").collect();
        assert_eq!(left.len(), 1, "only dump.rdb, no temporary file");
    }

    #[test]
    fn temporaries_of_interrupted_saves_are_removed_at_open() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("dump.rdb");
        for name in [
            "dump.tmp-4242",
            "dump.tmp-1",
            "dump.tmp-",
            "dump.tmp-x1",
            "other.tmp-7",
        ] {
            std::fs::write(dir.path().join(name), b"partial").expect("write");
        }
        let (_file, loaded) = SnapshotFile::open(&path, 16).expect("open");
        assert!(loaded.is_none());
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .expect("read_dir")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        left.sort();
        assert_eq!(left, ["dump.tmp-", "dump.tmp-x1", "other.tmp-7"]);
    }

    #[test]
    fn a_snapshot_keeps_every_watch_version() {
        // Keys changed at different indexes, and a removal: a node that installs the
        // snapshot must judge WATCH exactly as a node that applied the log.
        let mut m = Machine::new(2);
        let set = |k: &str| {
            vec![
                Bytes::from("set"),
                Bytes::from(k.to_string()),
                Bytes::from("v"),
            ]
        };
        for (i, k) in ["a", "b", "c"].iter().enumerate() {
            m.apply(10 + i as u64, &LogEntry::commands(1000, 0, vec![set(k)]));
        }
        m.apply(
            20,
            &LogEntry::commands(
                1000,
                1,
                vec![set("x"), vec![Bytes::from("del"), Bytes::from("x")]],
            ),
        );
        let meta = SnapshotMeta {
            last_log_id: Some(LogId::new(openraft::CommittedLeaderId::new(1, 1), 20)),
            last_membership: StoredMembership::default(),
            snapshot_id: "1-1-20".to_string(),
        };
        let mut data = Vec::new();
        encode(m.store(), 1000, &meta, &mut data).expect("encode");
        let back = decode(&data, 2, Some(&meta)).expect("decode").machine;
        assert_eq!(back.store().versions(), m.store().versions());
        let b = Bytes::from("b");
        assert_eq!(back.store().db(0).get(&b, 0).map(|e| e.version), Some(11));
        assert_eq!(back.store().db(1).removed_at(), 20);
    }

    #[test]
    fn a_snapshot_keeps_the_script_cache() {
        let mut m = Machine::new(1);
        let load = vec![
            Bytes::from("script"),
            Bytes::from("load"),
            Bytes::from("return 1"),
        ];
        m.apply(1, &LogEntry::commands(1000, 0, vec![load]));
        let meta = SnapshotMeta {
            last_log_id: Some(LogId::new(openraft::CommittedLeaderId::new(1, 1), 1)),
            last_membership: StoredMembership::default(),
            snapshot_id: "1-1-1".to_string(),
        };
        let mut data = Vec::new();
        encode(m.store(), 1000, &meta, &mut data).expect("encode");
        let back = decode(&data, 1, Some(&meta)).expect("decode").machine;
        assert!(
            back.store()
                .scripts()
                .contains(b"e0e1f9fabfc9d4800c877a703b823ac0578ff8db")
        );
    }
}
