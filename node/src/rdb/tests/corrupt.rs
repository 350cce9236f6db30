//! Damaged files: errors with offsets, never a panic, never a huge allocation.

use proptest::prelude::*;

use super::roundtrip::{Spec, store_of, write_vec};
use super::support::testdata_dir;
use crate::rdb::{RdbError, read};

fn testfile(name: &str) -> Vec<u8> {
    std::fs::read(testdata_dir().join(name)).expect("read test file")
}

/// A file of every type and encoding this writer produces, with the checksum zeroed so that
/// damage reaches the decoders instead of stopping at the checksum.
fn every_type_unchecked() -> Vec<u8> {
    let ints = (0..20).map(|i: i32| i.to_string().into_bytes()).collect();
    let words: Vec<Vec<u8>> = (0..40)
        .map(|i: i32| format!("word-{i}-{}", "z".repeat(30)).into_bytes())
        .collect();
    let keys = vec![
        (
            0,
            b"s".to_vec(),
            Spec::Str(b"hello hello hello hello hello".to_vec()),
            Some(99),
        ),
        (0, b"n".to_vec(), Spec::Str(b"123456".to_vec()), None),
        (0, b"l".to_vec(), Spec::List(words.clone()), None),
        (1, b"i".to_vec(), Spec::Set(ints, 0), None),
        (1, b"t".to_vec(), Spec::Set(words.clone(), 0), None),
        (
            2,
            b"h".to_vec(),
            Spec::Hash(
                words
                    .iter()
                    .map(|w| (w.clone(), b"7".to_vec()))
                    .take(5)
                    .collect(),
                0,
            ),
            None,
        ),
        (
            2,
            b"H".to_vec(),
            Spec::Hash(words.iter().map(|w| (w.clone(), w.repeat(3))).collect(), 0),
            None,
        ),
        (
            3,
            b"z".to_vec(),
            Spec::ZSet(vec![(b"a".to_vec(), 1.5), (b"b".to_vec(), 2.0)], 0),
            None,
        ),
        (
            3,
            b"Z".to_vec(),
            Spec::ZSet(words.iter().map(|w| (w.repeat(3), 0.25)).collect(), 0),
            None,
        ),
    ];
    let mut bytes = write_vec(&store_of(&keys), true);
    let n = bytes.len();
    bytes[n - 8..].fill(0);
    bytes
}

#[test]
fn truncation_at_every_offset_is_an_error() {
    let files = [
        testfile("expiry.rdb"),
        testfile("multidb.rdb"),
        testfile("objmeta-lfu.rdb"),
        testfile("legacy/encodings.rdb"),
        testfile("legacy/hash-zipmap.rdb"),
        testfile("legacy/list-quicklist.rdb"),
        every_type_unchecked(),
    ];
    for file in &files {
        assert!(read(file, 16, 1).is_ok());
        for cut in 0..file.len() {
            let err = read(&file[..cut], 16, 1).err();
            let err = err.unwrap_or_else(|| panic!("cut at {cut} of {} loaded", file.len()));
            assert!(err.offset() <= cut, "{err} beyond the cut at {cut}");
        }
    }
}

#[test]
fn any_flipped_byte_of_a_checksummed_file_is_an_error() {
    let file = testfile("expiry.rdb");
    for at in 0..file.len() {
        for mask in [0x01u8, 0x80, 0xff] {
            let mut bad = file.clone();
            bad[at] ^= mask;
            assert!(read(&bad, 16, 1).is_err(), "flip {mask:#x} at {at} loaded");
        }
    }
}

#[test]
fn flipped_bytes_without_a_checksum_never_panic() {
    for file in [every_type_unchecked(), testfile("legacy/encodings.rdb")] {
        for at in 0..file.len() {
            for mask in [0x01u8, 0x10, 0x80, 0xff] {
                let mut bad = file.clone();
                bad[at] ^= mask;
                let _ = read(&bad, 16, 1);
            }
        }
    }
}

#[test]
fn a_wrong_checksum_is_reported_with_both_values() {
    let mut file = testfile("multidb.rdb");
    let n = file.len();
    file[n - 1] ^= 1;
    match read(&file, 16, 1) {
        Err(RdbError::Checksum {
            offset,
            stored,
            computed,
        }) => {
            assert_eq!(offset, n - 8);
            assert_ne!(stored, computed);
        }
        other => panic!("expected a checksum error, got {:?}", other.err()),
    }
    // Zero means "checksums off" and loads.
    file[n - 8..].fill(0);
    assert!(read(&file, 16, 1).is_ok());
}

#[test]
fn huge_lengths_are_refused_before_allocating() {
    let mut file = b"REDIS0010\xfe\x00".to_vec();
    // A set (type 2) claiming 2^62 members, a list claiming 2^32 nodes, an LZF string
    // claiming to expand to 2^40 bytes.
    for body in [
        &b"\x02\x01k\x81\x40\x00\x00\x00\x00\x00\x00\x00"[..],
        b"\x12\x01k\x80\xff\xff\xff\xff",
        b"\x00\x01k\xc3\x02\x81\x00\x00\x01\x00\x00\x00\x00\x00\x00a",
    ] {
        let mut f = file.clone();
        f.extend_from_slice(body);
        f.extend_from_slice(&[0xff; 9]);
        assert!(
            matches!(
                read(&f, 16, 1),
                Err(RdbError::Corrupt {
                    offset: 11 | 14,
                    ..
                })
            ),
            "{:?}",
            read(&f, 16, 1).err()
        );
    }
    file.extend_from_slice(b"\xff");
    assert!(matches!(
        read(&file, 16, 1),
        Err(RdbError::Truncated { .. })
    ));
}

#[test]
fn header_problems_are_named() {
    assert_eq!(read(b"", 16, 1).err(), Some(RdbError::NotRdb));
    assert_eq!(read(b"REDIX0009\xff", 16, 1).err(), Some(RdbError::NotRdb));
    assert!(matches!(
        read(b"REDIS0013\xff", 16, 1),
        Err(RdbError::Version { .. })
    ));
    assert!(matches!(
        read(b"REDIS00x9\xff", 16, 1),
        Err(RdbError::Version { .. })
    ));
    assert!(read(b"REDIS0004\xff", 16, 1).is_ok());
}

#[test]
fn streams_functions_and_modules_are_named() {
    let err = read(&testfile("streams.rdb"), 16, 1)
        .err()
        .expect("refused");
    assert!(
        err.to_string().contains("is a stream (RDB type 19)"),
        "{err}"
    );
    let loaded = read(&testfile("functions.rdb"), 16, 1).expect("loads");
    assert_eq!(loaded.functions.len(), 2);
    // MODULE_AUX for a module id naming "testmodul" (9 chars, version 3).
    let chars = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let id = b"testmodul".iter().fold(0u64, |acc, c| {
        acc << 6 | chars.iter().position(|x| x == c).unwrap_or(0) as u64
    }) << 10
        | 3;
    let mut file = b"REDIS0010\xf7\x81".to_vec();
    file.extend_from_slice(&id.to_be_bytes());
    let err = read(&file, 16, 1).err().expect("refused");
    assert!(err.to_string().contains("module testmodul"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_damage_never_panics(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6)) {
        let mut file = every_type_unchecked();
        for (at, byte, kind) in edits {
            let i = at.index(file.len());
            match kind {
                0 => file[i] = byte,
                1 => file.insert(i, byte),
                _ => { file.remove(i); }
            }
        }
        let _ = read(&file, 16, 1);
    }
}
