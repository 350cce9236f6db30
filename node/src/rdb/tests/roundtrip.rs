//! Random stores written and read back: same content, same encodings, same order, and the
//! same bytes when written again.

use std::sync::Arc;

use bytes::Bytes;
use proptest::prelude::*;

use super::support::assert_same_store;
use crate::rdb::{Header, read, write};
use crate::store::{Entry, Hash, List, Set, Store, Value, ZSet};

const DBS: usize = 16;
const VERSION: u64 = 9;

/// One key's content as generated.
#[derive(Clone, Debug)]
pub enum Spec {
    Str(Vec<u8>),
    List(Vec<Vec<u8>>),
    /// Members, then how many to remove again (a set that grew past the intset limit and
    /// shrank keeps its hashtable encoding).
    Set(Vec<Vec<u8>>, usize),
    Hash(Vec<(Vec<u8>, Vec<u8>)>, usize),
    ZSet(Vec<(Vec<u8>, f64)>, usize),
}

fn element() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => any::<i64>().prop_map(|v| v.to_string().into_bytes()),
        4 => (-200i64..200).prop_map(|v| v.to_string().into_bytes()),
        4 => proptest::collection::vec(any::<u8>(), 0..12),
        2 => (0usize..120, any::<u8>()).prop_map(|(n, b)| vec![b; n]),
        1 => proptest::collection::vec(any::<u8>(), 60..80),
        1 => Just(b"007".to_vec()),
    ]
}

fn int_element() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        any::<i64>().prop_map(|v| v.to_string().into_bytes()),
        (-40_000i64..40_000).prop_map(|v| v.to_string().into_bytes()),
    ]
}

fn score() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => (-1000i64..1000).prop_map(|v| v as f64),
        4 => any::<f64>().prop_filter("no NaN", |v| !v.is_nan()),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(-0.0),
        1 => Just(0.1),
    ]
}

fn spec() -> impl Strategy<Value = Spec> {
    prop_oneof![
        3 => element().prop_map(Spec::Str),
        1 => (0usize..40_000, any::<u8>()).prop_map(|(n, b)| Spec::Str(vec![b; n])),
        2 => proptest::collection::vec(element(), 0..300).prop_map(Spec::List),
        1 => (1usize..3000).prop_map(|n| Spec::List((0..n).map(|i| format!("e{}", i % 97).into_bytes()).collect())),
        2 => (proptest::collection::vec(int_element(), 0..600), 0usize..600).prop_map(|(m, r)| Spec::Set(m, r)),
        1 => (proptest::collection::vec(element(), 0..100), 0usize..50).prop_map(|(m, r)| Spec::Set(m, r)),
        2 => (proptest::collection::vec((element(), element()), 0..200), 0usize..200).prop_map(|(p, r)| Spec::Hash(p, r)),
        2 => (proptest::collection::vec((element(), score()), 0..200), 0usize..200).prop_map(|(p, r)| Spec::ZSet(p, r)),
    ]
}

/// The value a spec describes, built through the store's own API.
pub fn build(spec: &Spec) -> Value {
    match spec {
        Spec::Str(s) => Value::Str(crate::store::Str::new(s)),
        Spec::List(items) => {
            let mut l = List::new();
            for (i, it) in items.iter().enumerate() {
                if i % 3 == 0 {
                    l.push_front(it)
                } else {
                    l.push_back(it)
                }
            }
            Value::List(Arc::new(l))
        }
        Spec::Set(members, remove) => {
            let mut s = Set::new();
            for m in members {
                s.insert(m);
            }
            for m in members.iter().take(*remove) {
                s.remove(m);
            }
            Value::Set(Arc::new(s))
        }
        Spec::Hash(pairs, remove) => {
            let mut h = Hash::new();
            for (f, v) in pairs {
                h.insert(f, v);
            }
            for (f, _) in pairs.iter().take(*remove) {
                h.remove(f);
            }
            Value::Hash(h)
        }
        Spec::ZSet(items, remove) => {
            let mut z = ZSet::new();
            for (m, s) in items {
                z.insert(m, *s);
            }
            for (m, _) in items.iter().take(*remove) {
                z.remove(m);
            }
            Value::ZSet(z)
        }
    }
}

type KeySpec = (usize, Vec<u8>, Spec, Option<u64>);

fn key_specs() -> impl Strategy<Value = Vec<KeySpec>> {
    let expiry = prop_oneof![3 => Just(None), 1 => (1u64..u64::MAX / 2).prop_map(Some)];
    let db = prop_oneof![0..3usize, Just(DBS - 1)];
    proptest::collection::vec((db, element(), spec(), expiry), 0..12)
}

pub fn store_of(keys: &[KeySpec]) -> Store {
    let mut store = Store::new(DBS);
    for (db, key, spec, expire) in keys {
        let value = build(spec);
        if !super::super::encode::is_empty(&value) {
            store.db_mut(*db).insert(
                &Bytes::from(key.clone()),
                Entry::with_expire(value, *expire, VERSION),
            );
        }
    }
    store
}

pub fn header(compression: bool) -> Header<'static> {
    Header {
        ctime: 1_700_000_000,
        used_mem: 123_456,
        aux: &[(b"redraft-applied", b"5-17"), (b"bin", b"\x00\xff")],
        compression,
    }
}

pub fn write_vec(store: &Store, compression: bool) -> Vec<u8> {
    write(store, &header(compression), Vec::new()).expect("writing to a Vec")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn write_read_write_is_identical(keys in key_specs(), compression in any::<bool>()) {
        let store = store_of(&keys);
        let first = write_vec(&store, compression);
        let loaded = read(&first, DBS, VERSION).expect("own file loads");
        assert_same_store(&store, &loaded.store);
        assert_eq!(loaded.aux(b"redraft-applied").map(|v| &v[..]), Some(&b"5-17"[..]));
        let second = write_vec(&loaded.store, compression);
        prop_assert!(first == second, "rewritten file differs");
    }
}

#[test]
fn shrunk_big_encodings_stay_big_after_loading() {
    let ints: Vec<Vec<u8>> = (0..600).map(|i: i32| i.to_string().into_bytes()).collect();
    let pairs: Vec<(Vec<u8>, Vec<u8>)> = (0..200)
        .map(|i: i32| (format!("f{i}").into_bytes(), b"v".to_vec()))
        .collect();
    let items: Vec<(Vec<u8>, f64)> = (0..200)
        .map(|i: i32| (format!("m{i}").into_bytes(), f64::from(i)))
        .collect();
    let keys: Vec<KeySpec> = vec![
        (0, b"set".to_vec(), Spec::Set(ints, 590), None),
        (0, b"hash".to_vec(), Spec::Hash(pairs, 190), None),
        (0, b"zset".to_vec(), Spec::ZSet(items, 190), None),
    ];
    let store = store_of(&keys);
    let encodings: Vec<&str> = ["set", "hash", "zset"]
        .iter()
        .map(|k| {
            store
                .db(0)
                .get(&Bytes::from_static(k.as_bytes()), 0)
                .expect("key")
                .value
                .encoding()
        })
        .collect();
    assert_eq!(encodings, ["hashtable", "hashtable", "skiplist"]);
    let bytes = write_vec(&store, true);
    let loaded = read(&bytes, DBS, VERSION).expect("loads");
    assert_same_store(&store, &loaded.store);
}

#[test]
fn a_clone_writes_the_state_it_was_taken_at() {
    let keys: Vec<KeySpec> = vec![(
        1,
        b"k".to_vec(),
        Spec::List(vec![b"a".to_vec(); 10]),
        Some(5),
    )];
    let mut store = store_of(&keys);
    let view = store.clone();
    let before = write_vec(&store, true);
    store.db_mut(1).set(
        &Bytes::from_static(b"k"),
        Value::Str(crate::store::Str::new(b"changed")),
        10,
    );
    store.db_mut(0).set(
        &Bytes::from_static(b"new"),
        Value::Str(crate::store::Str::new(b"x")),
        10,
    );
    assert_eq!(write_vec(&view, true), before);
    assert_ne!(write_vec(&store, true), before);
}

#[test]
fn an_empty_store_is_header_aux_eof_checksum() {
    let bytes = write_vec(&Store::new(16), true);
    assert!(bytes.starts_with(b"REDIS0010"));
    let loaded = read(&bytes, 16, 1).expect("loads");
    assert_eq!(loaded.store.key_count(), 0);
    assert_eq!(
        loaded.aux(b"redis-ver").map(|v| &v[..]),
        Some(&b"7.0.0"[..])
    );
    assert_eq!(
        loaded.aux(b"ctime").map(|v| &v[..]),
        Some(&b"1700000000"[..])
    );
    assert_eq!(loaded.aux(b"bin").map(|v| &v[..]), Some(&b"\x00\xff"[..]));
}
