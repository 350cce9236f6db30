//! Every file of shared/testdata/rdb loads and holds exactly what its manifest says, or is
//! refused as the manifest and README say it must be.

use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use super::support::{entry_text, testdata_dir};
use crate::rdb::{RdbError, read};
use crate::store::{Store, Value};

const VERSION: u64 = 77;

/// Decodes standard base64 with padding (manifests use it for invalid UTF-8).
fn base64(text: &str) -> Vec<u8> {
    let digit = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("bad base64 {c}"),
        }
    };
    let mut out = Vec::new();
    for chunk in text.trim_end_matches('=').as_bytes().chunks(4) {
        let mut acc = 0u32;
        for &c in chunk {
            acc = acc << 6 | digit(c);
        }
        acc <<= 6 * (4 - chunk.len() as u32);
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

/// A manifest byte string: JSON text or `{"base64": ...}`.
fn bytes(j: &Json) -> Vec<u8> {
    match j {
        Json::String(s) => s.as_bytes().to_vec(),
        Json::Object(o) => base64(o["base64"].as_str().expect("base64 text")),
        other => panic!("not a byte string: {other}"),
    }
}

fn manifests(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("testdata dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            manifests(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
    out.sort();
}

/// The manifest's value of a key as text lines comparable with `entry_text`.
fn manifest_text(kind: &str, v: &Json) -> Vec<Vec<u8>> {
    let arr = || v.as_array().expect("array").iter();
    match kind {
        "string" => vec![bytes(v)],
        "list" | "set" => arr().map(bytes).collect(),
        "hash" => arr()
            .map(|p| [bytes(&p[0]), b"=".to_vec(), bytes(&p[1])].concat())
            .collect(),
        "zset" => arr()
            .map(|p| {
                let score =
                    super::super::input::parse_double(p[1].as_str().expect("score").as_bytes())
                        .expect("score parses");
                [bytes(&p[0]), format!("={:?}", score).into_bytes()].concat()
            })
            .collect(),
        other => panic!("unexpected type {other}"),
    }
}

fn check_key(store: &Store, k: &Json, file: &str) {
    let db = k["db"].as_u64().expect("db") as usize;
    let key = bytes(&k["key"]);
    let name = format!("{file}: db {db} key {:?}", key.escape_ascii().to_string());
    let entry = store
        .db(db)
        .get(&bytes::Bytes::from(key.clone()), 0)
        .unwrap_or_else(|| panic!("{name}: missing"));
    assert_eq!(
        entry.value.type_name(),
        k["type"].as_str().expect("type"),
        "{name}"
    );
    assert_eq!(
        entry.expire_at(),
        k["expire_at_ms"].as_u64(),
        "{name}: expiry"
    );
    assert_eq!(entry.version, VERSION);
    if let Some(v) = k.get("value") {
        assert_eq!(
            entry_text(&entry.value),
            manifest_text(k["type"].as_str().expect("type"), v),
            "{name}"
        );
    }
    if let (Value::Set(s), Some(enc)) = (&entry.value, k["object_encoding"].as_str()) {
        assert_eq!(s.encoding(), enc, "{name}: set encoding");
    }
}

fn check_file(manifest: &Path) {
    let m: Json =
        serde_json::from_slice(&std::fs::read(manifest).expect("read manifest")).expect("json");
    let rdb = manifest.with_extension("rdb");
    let file = rdb.display().to_string();
    let data = std::fs::read(&rdb).expect("read rdb");
    let result = read(&data, 16, VERSION);
    if let Some(expected) = m.get("expected_load_error") {
        let err = result
            .err()
            .unwrap_or_else(|| panic!("{file}: loaded, but Redis says {expected}"));
        println!("{file}: refused as expected: {err}");
        return;
    }
    let keys = m["keys"].as_array().expect("keys");
    if keys.iter().any(|k| k["type"] == "stream") {
        match result {
            Err(RdbError::UnsupportedType { kind, .. }) => assert_eq!(kind, "stream", "{file}"),
            other => panic!("{file}: streams must be refused, got {:?}", other.err()),
        }
        return;
    }
    let loaded = result.unwrap_or_else(|e| panic!("{file}: {e}"));
    assert_eq!(
        loaded.rdb_version as u64,
        m["rdb_version"].as_u64().expect("version")
    );
    for (name, value) in m["aux"].as_object().expect("aux") {
        let got = loaded
            .aux(name.as_bytes())
            .unwrap_or_else(|| panic!("{file}: aux {name}"));
        assert_eq!(
            got,
            value.as_str().expect("aux text").as_bytes(),
            "{file}: aux {name}"
        );
    }
    for k in keys {
        check_key(&loaded.store, k, &file);
    }
    let expired = m
        .get("expired_keys")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    for k in &expired {
        check_key(&loaded.store, k, &file);
    }
    assert_eq!(
        loaded.store.key_count(),
        keys.len() + expired.len(),
        "{file}: key count"
    );
    let skipped = m
        .get("skipped_keys")
        .and_then(Json::as_array)
        .map_or(0, Vec::len);
    assert_eq!(loaded.skipped_empty, skipped, "{file}: skipped empty keys");
    let functions: Vec<Vec<u8>> = m
        .get("functions")
        .and_then(Json::as_array)
        .map(|fs| fs.iter().map(|f| bytes(&f["code"])).collect())
        .unwrap_or_default();
    let mut got: Vec<Vec<u8>> = loaded.functions.iter().map(|f| f.to_vec()).collect();
    got.sort();
    assert_eq!(got, functions, "{file}: functions");
}

#[test]
fn every_testdata_file_matches_its_manifest() {
    let mut all = Vec::new();
    manifests(&testdata_dir(), &mut all);
    assert!(
        all.len() >= 26,
        "expected the whole testdata set, found {}",
        all.len()
    );
    for m in &all {
        check_file(m);
    }
}

#[test]
fn expired_keys_are_loaded_but_invisible() {
    let data = std::fs::read(testdata_dir().join("expired.rdb")).expect("read");
    let loaded = read(&data, 16, 1).expect("loads");
    let now = 1_800_000_000_000;
    let db = loaded.store.db(0);
    assert_eq!(db.len(), 5);
    let live: Vec<&[u8]> = db.live_keys(now).map(|(k, _)| k).collect();
    assert_eq!(live.len(), 2);
    assert!(
        db.expired_keys(now, 10)
            .contains(&bytes::Bytes::from_static(b"gone:hash"))
    );
}

#[test]
fn a_database_beyond_the_configured_count_is_refused() {
    let data = std::fs::read(testdata_dir().join("multidb.rdb")).expect("read");
    match read(&data, 15, 1) {
        Err(RdbError::DbOutOfRange {
            db: 15,
            databases: 15,
            ..
        }) => {}
        other => panic!("expected DbOutOfRange, got {:?}", other.err()),
    }
    assert!(read(&data, 16, 1).is_ok());
}
