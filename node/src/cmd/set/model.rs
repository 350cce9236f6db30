//! A property test: random sequences of set commands run through the state machine (prepare,
//! apply and reads, as the server runs them) and through a simple model (`BTreeSet`s plus the
//! encoding Redis 7.0 would report), comparing every reply. Replies whose order Redis leaves
//! unspecified are compared as sets; random ones (SPOP, SRANDMEMBER) are checked for
//! membership, distinctness and size, and the model follows what SPOP removed.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::testkit::{Kit, sorted, wrongtype};
use crate::cmd::args::strict_i64;
use crate::resp::Reply;

const KEYS: &[&str] = &["a", "b", "c", "str"];

#[derive(Debug, Clone)]
enum Op {
    Sadd(usize, Vec<String>),
    /// SADD of `n` consecutive integers from `start`, to cross the intset limit.
    SaddRange(usize, i64, usize),
    Srem(usize, Vec<String>),
    Smembers(usize),
    Sismember(usize, String),
    Smismember(usize, Vec<String>),
    Scard(usize),
    Spop(usize, Option<usize>),
    Srandmember(usize, Option<i64>),
    Smove(usize, usize, String),
    Sinter(Vec<usize>),
    Sintercard(Vec<usize>, usize),
    Sunion(Vec<usize>),
    Sdiff(Vec<usize>),
    Store(&'static str, usize, Vec<usize>),
    Sscan(usize, usize),
    Del(usize),
    SetString(usize),
}

fn member() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (-5i64..20).prop_map(|n| n.to_string()),
        1 => prop::sample::select(vec![
            "70000", "-70000", "4294967296", "9223372036854775807", "-9223372036854775808",
        ])
        .prop_map(str::to_string),
        2 => (0..6u8).prop_map(|n| format!("m{n}")),
        1 => prop::sample::select(vec!["-0", "01", "+1", "", "1.5"]).prop_map(str::to_string),
    ]
}

fn key() -> impl Strategy<Value = usize> {
    prop_oneof![6 => 0..3usize, 1 => Just(3usize)]
}

fn keys() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(key(), 1..4)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (key(), prop::collection::vec(member(), 1..5)).prop_map(|(k, m)| Op::Sadd(k, m)),
        1 => (key(), -3i64..3, 505usize..516).prop_map(|(k, s, n)| Op::SaddRange(k, s, n)),
        3 => (key(), prop::collection::vec(member(), 1..4)).prop_map(|(k, m)| Op::Srem(k, m)),
        2 => key().prop_map(Op::Smembers),
        1 => (key(), member()).prop_map(|(k, m)| Op::Sismember(k, m)),
        1 => (key(), prop::collection::vec(member(), 1..4)).prop_map(|(k, m)| Op::Smismember(k, m)),
        1 => key().prop_map(Op::Scard),
        2 => (key(), prop::option::of(0usize..12)).prop_map(|(k, c)| Op::Spop(k, c)),
        2 => (key(), prop::option::of(-12i64..12)).prop_map(|(k, c)| Op::Srandmember(k, c)),
        2 => (key(), key(), member()).prop_map(|(s, d, m)| Op::Smove(s, d, m)),
        1 => keys().prop_map(Op::Sinter),
        1 => (keys(), 0usize..4).prop_map(|(k, l)| Op::Sintercard(k, l)),
        1 => keys().prop_map(Op::Sunion),
        1 => keys().prop_map(Op::Sdiff),
        2 => (
            prop::sample::select(vec!["sinterstore", "sunionstore", "sdiffstore"]),
            key(),
            keys()
        )
            .prop_map(|(c, d, k)| Op::Store(c, d, k)),
        1 => (key(), 1usize..20).prop_map(|(k, c)| Op::Sscan(k, c)),
        1 => key().prop_map(Op::Del),
        1 => key().prop_map(Op::SetString),
    ]
}

/// A key's value in the model.
#[derive(Debug, Clone)]
enum Value {
    Str,
    Set {
        members: BTreeSet<String>,
        /// The encoding Redis 7.0 would report: intset until a non-integer or a 513th member
        /// arrives, for good.
        intset: bool,
    },
}

fn is_int(m: &str) -> bool {
    strict_i64(m.as_bytes()).is_some()
}

/// The encoding of a set built from scratch with these members.
fn fresh_intset(members: &BTreeSet<String>) -> bool {
    members.len() <= 512 && members.iter().all(|m| is_int(m))
}

#[derive(Default)]
struct Model {
    keys: BTreeMap<&'static str, Value>,
}

enum Lookup<'a> {
    Missing,
    Wrong,
    Set(&'a BTreeSet<String>),
}

type Sets = Vec<Option<BTreeSet<String>>>;

impl Model {
    fn get(&self, k: usize) -> Lookup<'_> {
        match self.keys.get(KEYS[k]) {
            None => Lookup::Missing,
            Some(Value::Str) => Lookup::Wrong,
            Some(Value::Set { members, .. }) => Lookup::Set(members),
        }
    }

    /// The sets of `ks` (None for missing), or None when one holds another type.
    fn sets(&self, ks: &[usize]) -> Option<Sets> {
        ks.iter()
            .map(|&k| match self.get(k) {
                Lookup::Missing => Some(None),
                Lookup::Wrong => None,
                Lookup::Set(s) => Some(Some(s.clone())),
            })
            .collect()
    }

    /// Adds members to a set key (creating it); returns how many were new.
    fn add(&mut self, k: usize, add: &[String]) -> usize {
        let entry = self.keys.entry(KEYS[k]).or_insert(Value::Set {
            members: BTreeSet::new(),
            intset: true,
        });
        let Value::Set { members, intset } = entry else {
            return 0;
        };
        let mut added = 0;
        for m in add {
            if members.insert(m.clone()) {
                added += 1;
                if !is_int(m) || members.len() > 512 {
                    *intset = false;
                }
            }
        }
        added
    }

    fn remove(&mut self, k: usize, remove: &[String]) -> usize {
        let Some(Value::Set { members, .. }) = self.keys.get_mut(KEYS[k]) else {
            return 0;
        };
        let removed = remove.iter().filter(|m| members.remove(*m)).count();
        if members.is_empty() {
            self.keys.remove(KEYS[k]);
        }
        removed
    }

    fn store(&mut self, dst: usize, result: BTreeSet<String>) -> usize {
        let len = result.len();
        if result.is_empty() {
            self.keys.remove(KEYS[dst]);
        } else {
            let intset = fresh_intset(&result);
            self.keys.insert(
                KEYS[dst],
                Value::Set {
                    members: result,
                    intset,
                },
            );
        }
        len
    }
}

fn bulk_text(r: &Reply) -> String {
    match r {
        Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
        other => panic!("not a bulk string: {other:?}"),
    }
}

fn collection(reply: &Reply) -> Vec<String> {
    match reply {
        Reply::Set(items) | Reply::Array(items) => items.iter().map(bulk_text).collect(),
        other => panic!("not a collection: {other:?}"),
    }
}

fn listed(s: &BTreeSet<String>) -> Vec<String> {
    s.iter().cloned().collect()
}

fn intersect(sets: &Sets) -> BTreeSet<String> {
    let Some(present) = sets.iter().cloned().collect::<Option<Vec<_>>>() else {
        return BTreeSet::new();
    };
    let mut iter = present.into_iter();
    let first = iter.next().unwrap_or_default();
    iter.fold(first, |acc, s| acc.intersection(&s).cloned().collect())
}

fn union(sets: &Sets) -> BTreeSet<String> {
    sets.iter().flatten().flatten().cloned().collect()
}

fn diff(sets: &Sets) -> BTreeSet<String> {
    match sets.split_first() {
        Some((Some(first), rest)) => first
            .iter()
            .filter(|m| rest.iter().flatten().all(|s| !s.contains(*m)))
            .cloned()
            .collect(),
        _ => BTreeSet::new(),
    }
}

/// The reply for a missing key: nil without a count, an empty collection with one.
fn empty(with_count: bool, set: bool) -> Reply {
    match (with_count, set) {
        (false, _) => Reply::Nil,
        (true, true) => Reply::Set(vec![]),
        (true, false) => Reply::Array(vec![]),
    }
}

/// Runs one operation on both sides and asserts the replies agree.
fn step(k: &mut Kit, model: &mut Model, op: &Op, seed: u64) {
    let name = |i: usize| KEYS[i];
    match op {
        Op::Sadd(key, ms) => {
            let mut a = vec!["sadd", name(*key)];
            a.extend(ms.iter().map(String::as_str));
            let got = k.run(100, &a);
            match model.get(*key) {
                Lookup::Wrong => assert_eq!(got, wrongtype()),
                _ => assert_eq!(got, Reply::Int(model.add(*key, ms) as i64)),
            }
        }
        Op::SaddRange(key, start, n) => {
            let ms: Vec<String> = (0..*n as i64).map(|i| (start + i).to_string()).collect();
            step(k, model, &Op::Sadd(*key, ms), seed);
        }
        Op::Srem(key, ms) => {
            let mut a = vec!["srem", name(*key)];
            a.extend(ms.iter().map(String::as_str));
            let got = k.run(100, &a);
            match model.get(*key) {
                Lookup::Wrong => assert_eq!(got, wrongtype()),
                _ => assert_eq!(got, Reply::Int(model.remove(*key, ms) as i64)),
            }
        }
        Op::Smembers(key) => {
            let got = k.run(100, &["smembers", name(*key)]);
            match model.keys.get(name(*key)) {
                Some(Value::Str) => assert_eq!(got, wrongtype()),
                None => assert_eq!(got, Reply::Set(vec![])),
                Some(Value::Set { members, intset }) => {
                    assert!(matches!(got, Reply::Set(_)), "{got:?}");
                    if *intset {
                        // An intset lists its members in ascending order, as Redis.
                        let mut numeric = listed(members);
                        numeric.sort_by_key(|m| strict_i64(m.as_bytes()));
                        assert_eq!(collection(&got), numeric);
                    }
                    assert_eq!(sorted(got), listed(members));
                }
            }
        }
        Op::Sismember(key, m) => {
            let got = k.run(100, &["sismember", name(*key), m]);
            match model.get(*key) {
                Lookup::Wrong => assert_eq!(got, wrongtype()),
                Lookup::Missing => assert_eq!(got, Reply::Int(0)),
                Lookup::Set(s) => assert_eq!(got, Reply::Int(i64::from(s.contains(m)))),
            }
        }
        Op::Smismember(key, ms) => {
            let mut a = vec!["smismember", name(*key)];
            a.extend(ms.iter().map(String::as_str));
            let got = k.run(100, &a);
            let expected = match model.get(*key) {
                Lookup::Wrong => wrongtype(),
                Lookup::Missing => Reply::Array(ms.iter().map(|_| Reply::Int(0)).collect()),
                Lookup::Set(s) => Reply::Array(
                    ms.iter()
                        .map(|m| Reply::Int(i64::from(s.contains(m))))
                        .collect(),
                ),
            };
            assert_eq!(got, expected);
        }
        Op::Scard(key) => {
            let got = k.run(100, &["scard", name(*key)]);
            match model.get(*key) {
                Lookup::Wrong => assert_eq!(got, wrongtype()),
                Lookup::Missing => assert_eq!(got, Reply::Int(0)),
                Lookup::Set(s) => assert_eq!(got, Reply::Int(s.len() as i64)),
            }
        }
        Op::Spop(key, count) => {
            let count_text = count.map(|c| c.to_string());
            let mut a = vec!["spop", name(*key)];
            a.extend(count_text.as_deref());
            let got = k.run(100, &a);
            let members = match model.get(*key) {
                Lookup::Wrong => return assert_eq!(got, wrongtype()),
                Lookup::Missing => return assert_eq!(got, empty(count.is_some(), true)),
                Lookup::Set(s) => s.clone(),
            };
            let popped: Vec<String> = match count {
                None => vec![bulk_text(&got)],
                Some(_) => {
                    assert!(matches!(got, Reply::Set(_)), "{got:?}");
                    collection(&got)
                }
            };
            let expected = count.unwrap_or(1).min(members.len());
            assert_eq!(popped.len(), expected);
            let distinct: BTreeSet<String> = popped.iter().cloned().collect();
            assert_eq!(distinct.len(), expected);
            assert!(distinct.is_subset(&members));
            let len = members.len();
            model.remove(*key, &popped);
            // Redis rebuilds the remaining members when it popped most of them.
            if let (Some(c), Some(Value::Set { members, intset })) =
                (*count, model.keys.get_mut(name(*key)))
                && c > 0
                && c < len
                && members.len() * 5 <= c
            {
                *intset = fresh_intset(members);
            }
        }
        Op::Srandmember(key, count) => {
            let count_text = count.map(|c| c.to_string());
            let mut a = vec!["srandmember", name(*key)];
            a.extend(count_text.as_deref());
            let got = k.run_seeded(100, seed, &a);
            let members = match model.get(*key) {
                Lookup::Wrong => return assert_eq!(got, wrongtype()),
                Lookup::Missing => return assert_eq!(got, empty(count.is_some(), false)),
                Lookup::Set(s) => s.clone(),
            };
            let picked = match count {
                None => vec![bulk_text(&got)],
                Some(_) => {
                    assert!(matches!(got, Reply::Array(_)), "{got:?}");
                    collection(&got)
                }
            };
            assert!(picked.iter().all(|m| members.contains(m)));
            match count {
                None => assert_eq!(picked.len(), 1),
                Some(c) if *c >= 0 => {
                    let expected = (*c as usize).min(members.len());
                    assert_eq!(picked.len(), expected);
                    assert_eq!(picked.iter().collect::<BTreeSet<_>>().len(), expected);
                }
                Some(c) => assert_eq!(picked.len(), c.unsigned_abs() as usize),
            }
        }
        Op::Smove(src, dst, m) => {
            let got = k.run(100, &["smove", name(*src), name(*dst), m]);
            let expected = match (model.get(*src), model.get(*dst)) {
                (Lookup::Missing, _) => Reply::Int(0),
                (Lookup::Wrong, _) | (_, Lookup::Wrong) => wrongtype(),
                (Lookup::Set(s), _) if src == dst => Reply::Int(i64::from(s.contains(m))),
                (Lookup::Set(s), _) if !s.contains(m) => Reply::Int(0),
                _ => {
                    model.remove(*src, std::slice::from_ref(m));
                    model.add(*dst, std::slice::from_ref(m));
                    Reply::Int(1)
                }
            };
            assert_eq!(got, expected);
        }
        Op::Sinter(ks) | Op::Sunion(ks) | Op::Sdiff(ks) => {
            let (cmd, combine): (&str, fn(&Sets) -> BTreeSet<String>) = match op {
                Op::Sinter(_) => ("sinter", intersect),
                Op::Sunion(_) => ("sunion", union),
                _ => ("sdiff", diff),
            };
            let mut a = vec![cmd];
            a.extend(ks.iter().map(|&i| name(i)));
            let got = k.run(100, &a);
            match model.sets(ks) {
                None => assert_eq!(got, wrongtype()),
                Some(sets) => {
                    assert!(matches!(got, Reply::Set(_)), "{got:?}");
                    assert_eq!(sorted(got), listed(&combine(&sets)));
                }
            }
        }
        Op::Sintercard(ks, limit) => {
            let numkeys = ks.len().to_string();
            let limit_text = limit.to_string();
            let mut a = vec!["sintercard", numkeys.as_str()];
            a.extend(ks.iter().map(|&i| name(i)));
            a.extend(["limit", limit_text.as_str()]);
            let got = k.run(100, &a);
            match model.sets(ks) {
                None => assert_eq!(got, wrongtype()),
                Some(sets) => {
                    let n = intersect(&sets).len();
                    let n = if *limit > 0 { n.min(*limit) } else { n };
                    assert_eq!(got, Reply::Int(n as i64));
                }
            }
        }
        Op::Store(cmd, dst, ks) => {
            let mut a = vec![*cmd, name(*dst)];
            a.extend(ks.iter().map(|&i| name(i)));
            let got = k.run(100, &a);
            match model.sets(ks) {
                None => assert_eq!(got, wrongtype()),
                Some(sets) => {
                    let result = match *cmd {
                        "sinterstore" => intersect(&sets),
                        "sunionstore" => union(&sets),
                        _ => diff(&sets),
                    };
                    assert_eq!(got, Reply::Int(model.store(*dst, result) as i64));
                }
            }
        }
        Op::Sscan(key, count) => {
            let count = count.to_string();
            let mut cursor = "0".to_string();
            let mut seen = Vec::new();
            for _ in 0..10_000 {
                let got = k.run(100, &["sscan", name(*key), &cursor, "count", &count]);
                if let Lookup::Wrong = model.get(*key) {
                    return assert_eq!(got, wrongtype());
                }
                let Reply::Array(parts) = got else {
                    panic!("{got:?}")
                };
                cursor = bulk_text(&parts[0]);
                seen.extend(collection(&parts[1]));
                if cursor == "0" {
                    break;
                }
            }
            assert_eq!(cursor, "0");
            let expected = match model.get(*key) {
                Lookup::Set(s) => s.clone(),
                _ => BTreeSet::new(),
            };
            // Nothing changes during this scan: every member exactly once.
            assert_eq!(seen.len(), expected.len());
            assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), expected);
        }
        Op::Del(key) => {
            let got = k.run(100, &["del", name(*key)]);
            let existed = model.keys.remove(name(*key)).is_some();
            assert_eq!(got, Reply::Int(i64::from(existed)));
        }
        Op::SetString(key) => {
            assert_eq!(k.run(100, &["set", name(*key), "text"]), Reply::OK);
            model.keys.insert(KEYS[*key], Value::Str);
        }
    }
}

/// OBJECT ENCODING of `key` is what Redis 7.0 would answer.
fn check_encoding(k: &mut Kit, model: &Model, key: usize) {
    let got = k.run(100, &["object", "encoding", KEYS[key]]);
    let expected = match model.keys.get(KEYS[key]) {
        None => Reply::Nil,
        Some(Value::Str) => Reply::text("embstr"),
        Some(Value::Set { intset: true, .. }) => Reply::text("intset"),
        Some(Value::Set { intset: false, .. }) => Reply::text("hashtable"),
    };
    assert_eq!(got, expected, "encoding of {}", KEYS[key]);
}

/// Runs `ops` on a fresh machine and model, returning the machine.
fn run_all(ops: &[Op]) -> Kit {
    let mut k = Kit::new();
    let mut model = Model::default();
    k.run(100, &["set", "str", "text"]);
    model.keys.insert("str", Value::Str);
    for (i, op) in ops.iter().enumerate() {
        step(&mut k, &mut model, op, i as u64);
        for key in 0..KEYS.len() {
            check_encoding(&mut k, &model, key);
        }
    }
    k
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn set_commands_match_the_model(ops in prop::collection::vec(op(), 1..80)) {
        let mut a = run_all(&ops);
        // Same entries, same state: a second machine fed the same commands made the same
        // random choices and lists every set in the same order.
        let mut b = run_all(&ops);
        for key in KEYS {
            prop_assert_eq!(a.run(100, &["smembers", key]), b.run(100, &["smembers", key]));
        }
    }
}
