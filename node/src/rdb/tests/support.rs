//! Helpers shared by the RDB tests: where the test data is, and values as comparable text.

use std::path::PathBuf;

use crate::store::{Store, Value};

/// shared/testdata/rdb, beside the repository (as CI lays it out).
pub fn testdata_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/testdata/rdb");
    assert!(dir.is_dir(), "test data not found at {}", dir.display());
    dir
}

/// A value as a list of byte lines, independent of encoding: list elements in order, set
/// members sorted, hash `field=value` sorted, zset `member=score` in rank order.
pub fn entry_text(value: &Value) -> Vec<Vec<u8>> {
    match value {
        Value::Str(s) => vec![s.to_vec()],
        Value::List(l) => l.iter().map(<[u8]>::to_vec).collect(),
        Value::Set(s) => {
            let mut m: Vec<Vec<u8>> = s.iter().map(|m| m.to_bytes().to_vec()).collect();
            m.sort();
            m
        }
        Value::Hash(h) => {
            let mut m: Vec<(&[u8], &[u8])> = h.iter().collect();
            m.sort();
            m.into_iter().map(|(f, v)| [f, b"=", v].concat()).collect()
        }
        Value::ZSet(z) => z
            .iter()
            .map(|(m, s)| [m, format!("={s:?}").as_bytes()].concat())
            .collect(),
    }
}

/// Everything observable about a value: its encoding and its content in iteration order
/// (which is what SPOP, HRANDFIELD, SCAN and HGETALL depend on).
pub fn exact_text(value: &Value) -> (String, Vec<Vec<u8>>) {
    let order: Vec<Vec<u8>> = match value {
        Value::Set(s) => s.iter().map(|m| m.to_bytes().to_vec()).collect(),
        Value::Hash(h) => h.iter().map(|(f, v)| [f, b"=", v].concat()).collect(),
        other => entry_text(other),
    };
    (format!("{}/{}", value.type_name(), value.encoding()), order)
}

/// Asserts two stores hold the same keys, in the same order, with the same encodings,
/// content, expiry and version.
pub fn assert_same_store(a: &Store, b: &Store) {
    assert_eq!(a.db_count(), b.db_count());
    for ((i, da), (_, db)) in a.dbs().zip(b.dbs()) {
        let ka: Vec<_> = da.iter().collect();
        let kb: Vec<_> = db.iter().collect();
        assert_eq!(ka.len(), kb.len(), "db {i}: key count");
        for ((k1, e1), (k2, e2)) in ka.iter().zip(&kb) {
            assert_eq!(k1, k2, "db {i}: key order");
            assert_eq!(
                exact_text(&e1.value),
                exact_text(&e2.value),
                "db {i} key {k1:?}"
            );
            assert_eq!(e1.expire_at(), e2.expire_at(), "db {i} key {k1:?}: expiry");
            assert_eq!(e1.version, e2.version, "db {i} key {k1:?}: version");
        }
    }
}
