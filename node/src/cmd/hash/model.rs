//! Property test: random sequences of hash commands run through the state machine (writes
//! through `prepare` and `Machine::apply`, reads through the read path) and through a
//! reference model (a `BTreeMap` per key), comparing every reply. Replies whose order Redis
//! leaves unspecified (HGETALL, HKEYS, HVALS, HSCAN) are compared as multisets; random ones
//! (HRANDFIELD) are checked for their properties. The model also predicts OBJECT ENCODING:
//! compact until a field or value over 64 bytes is set or the hash passes 128 fields.

use std::collections::{BTreeMap, BTreeSet};

use bytes::Bytes;
use proptest::prelude::*;

use super::testing::{Kit, WRONGTYPE};
use crate::cmd::string::long_double::LongDouble;
use crate::resp::Reply;

const KEYS: &[&str] = &["h0", "h1", "s"];

#[derive(Debug, Clone)]
enum Op {
    HSet(usize, Vec<(String, String)>),
    HMSet(usize, Vec<(String, String)>),
    HSetNx(usize, String, String),
    /// HSET of `n` fields `g0..g{n-1}` at once, to cross the entry limit.
    Grow(usize, usize),
    HGet(usize, String),
    HMGet(usize, Vec<String>),
    HGetAll(usize),
    HKeys(usize),
    HVals(usize),
    HLen(usize),
    HExists(usize, String),
    HStrLen(usize, String),
    HDel(usize, Vec<String>),
    HIncrBy(usize, String, i64),
    HIncrByFloat(usize, String, &'static str),
    HRandField(usize, Option<i64>, bool, u64),
    HScan(usize, u64),
    Del(usize),
    Encoding(usize),
}

fn key() -> impl Strategy<Value = usize> {
    prop_oneof![4 => Just(0usize), 3 => Just(1usize), 1 => Just(2usize)]
}

fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        20 => (0..8u8).prop_map(|i| format!("f{i}")),
        4 => (0..140u8).prop_map(|i| format!("g{i}")),
        2 => Just(String::new()),
        1 => Just("L".repeat(65)),
    ]
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => (-5i64..30).prop_map(|n| n.to_string()),
        4 => prop::sample::select(vec!["a", "bb", "", "1.5", " 1", "01", "-0"])
            .prop_map(str::to_string),
        2 => Just(i64::MAX.to_string()),
        2 => Just(i64::MIN.to_string()),
        2 => Just("v".repeat(64)),
        1 => Just("V".repeat(65)),
    ]
}

fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((field(), value()), 1..4)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (key(), pairs()).prop_map(|(k, p)| Op::HSet(k, p)),
        1 => (key(), pairs()).prop_map(|(k, p)| Op::HMSet(k, p)),
        2 => (key(), field(), value()).prop_map(|(k, f, v)| Op::HSetNx(k, f, v)),
        2 => (key(), 120..140usize).prop_map(|(k, n)| Op::Grow(k, n)),
        3 => (key(), field()).prop_map(|(k, f)| Op::HGet(k, f)),
        1 => (key(), prop::collection::vec(field(), 1..4)).prop_map(|(k, f)| Op::HMGet(k, f)),
        2 => key().prop_map(Op::HGetAll),
        1 => key().prop_map(Op::HKeys),
        1 => key().prop_map(Op::HVals),
        2 => key().prop_map(Op::HLen),
        1 => (key(), field()).prop_map(|(k, f)| Op::HExists(k, f)),
        1 => (key(), field()).prop_map(|(k, f)| Op::HStrLen(k, f)),
        3 => (key(), prop::collection::vec(field(), 1..4)).prop_map(|(k, f)| Op::HDel(k, f)),
        3 => (key(), field(), prop_oneof![-3i64..10, Just(i64::MAX), Just(i64::MIN)])
            .prop_map(|(k, f, n)| Op::HIncrBy(k, f, n)),
        2 => (
            key(),
            field(),
            prop::sample::select(vec!["1", "-2", "0.5", "2.25", "-0.75", "1e3"])
        )
            .prop_map(|(k, f, n)| Op::HIncrByFloat(k, f, n)),
        2 => (
            key(),
            prop::option::of(-200i64..200),
            any::<bool>(),
            any::<u64>()
        )
            .prop_map(|(k, c, w, s)| Op::HRandField(k, c, w, s)),
        2 => (key(), 1..20u64).prop_map(|(k, c)| Op::HScan(k, c)),
        1 => (0..2usize).prop_map(Op::Del),
        1 => key().prop_map(Op::Encoding),
    ]
}

/// One key of the model.
#[derive(Default)]
struct ModelHash {
    map: BTreeMap<String, String>,
    /// Whether the hash has become a table (it never goes back).
    table: bool,
}

impl ModelHash {
    /// Sets a field as Redis's `hashTypeSet`; returns whether it is new.
    fn set(&mut self, f: &str, v: &str) -> bool {
        if f.len() > 64 || v.len() > 64 {
            self.table = true;
        }
        let new = self.map.insert(f.to_string(), v.to_string()).is_none();
        if self.map.len() > 128 {
            self.table = true;
        }
        new
    }
}

#[derive(Default)]
struct Model {
    hashes: BTreeMap<usize, ModelHash>,
}

/// What the model expects a reply to be.
enum Expect {
    Exact(Reply),
    /// An array (or map) whose items are compared as a sorted list.
    Unordered(Vec<String>),
    /// Checked by the op's own code.
    Custom,
}

fn bulk(s: &str) -> Reply {
    Reply::Bulk(Bytes::copy_from_slice(s.as_bytes()))
}

fn err(s: &str) -> Expect {
    Expect::Exact(Reply::error(s))
}

/// Redis's `string2ll`, written independently of the server's.
fn strict_int(s: &str) -> Option<i64> {
    s.parse::<i64>().ok().filter(|n| n.to_string() == s)
}

impl Model {
    fn hash(&self, k: usize) -> Option<&ModelHash> {
        self.hashes.get(&k)
    }

    /// Applies `op` to the model and answers what the server must reply. Key 2 is a string.
    fn step(&mut self, op: &Op) -> Expect {
        let key_of = |op: &Op| match op {
            Op::HSet(k, _)
            | Op::HMSet(k, _)
            | Op::HSetNx(k, _, _)
            | Op::Grow(k, _)
            | Op::HGet(k, _)
            | Op::HMGet(k, _)
            | Op::HGetAll(k)
            | Op::HKeys(k)
            | Op::HVals(k)
            | Op::HLen(k)
            | Op::HExists(k, _)
            | Op::HStrLen(k, _)
            | Op::HDel(k, _)
            | Op::HIncrBy(k, _, _)
            | Op::HIncrByFloat(k, _, _)
            | Op::HRandField(k, _, _, _)
            | Op::HScan(k, _)
            | Op::Del(k)
            | Op::Encoding(k) => *k,
        };
        if key_of(op) == 2 {
            return match op {
                Op::Del(_) => Expect::Exact(Reply::Int(1)),
                Op::Encoding(_) => Expect::Exact(bulk("embstr")),
                _ => err(WRONGTYPE),
            };
        }
        match op {
            Op::HSet(k, pairs) | Op::HMSet(k, pairs) => {
                let h = self.hashes.entry(*k).or_default();
                let created = pairs.iter().filter(|(f, v)| h.set(f, v)).count();
                Expect::Exact(match op {
                    Op::HSet(..) => Reply::Int(created as i64),
                    _ => Reply::OK,
                })
            }
            Op::Grow(k, n) => {
                let h = self.hashes.entry(*k).or_default();
                let created = (0..*n).filter(|i| h.set(&format!("g{i}"), "x")).count();
                Expect::Exact(Reply::Int(created as i64))
            }
            Op::HSetNx(k, f, v) => {
                let h = self.hashes.entry(*k).or_default();
                if h.map.contains_key(f) {
                    Expect::Exact(Reply::Int(0))
                } else {
                    h.set(f, v);
                    Expect::Exact(Reply::Int(1))
                }
            }
            Op::HGet(k, f) => Expect::Exact(
                self.hash(*k)
                    .and_then(|h| h.map.get(f))
                    .map_or(Reply::Nil, |v| bulk(v)),
            ),
            Op::HMGet(k, fields) => Expect::Exact(Reply::Array(
                fields
                    .iter()
                    .map(|f| {
                        self.hash(*k)
                            .and_then(|h| h.map.get(f))
                            .map_or(Reply::Nil, |v| bulk(v))
                    })
                    .collect(),
            )),
            Op::HGetAll(k) => Expect::Unordered(
                self.hash(*k)
                    .map(|h| h.map.iter().map(|(f, v)| format!("{f}={v}")).collect())
                    .unwrap_or_default(),
            ),
            Op::HKeys(k) => Expect::Unordered(
                self.hash(*k)
                    .map(|h| h.map.keys().cloned().collect())
                    .unwrap_or_default(),
            ),
            Op::HVals(k) => Expect::Unordered(
                self.hash(*k)
                    .map(|h| h.map.values().cloned().collect())
                    .unwrap_or_default(),
            ),
            Op::HLen(k) => {
                Expect::Exact(Reply::Int(self.hash(*k).map_or(0, |h| h.map.len() as i64)))
            }
            Op::HExists(k, f) => Expect::Exact(Reply::Int(
                self.hash(*k).is_some_and(|h| h.map.contains_key(f)) as i64,
            )),
            Op::HStrLen(k, f) => Expect::Exact(Reply::Int(
                self.hash(*k)
                    .and_then(|h| h.map.get(f))
                    .map_or(0, |v| v.len() as i64),
            )),
            Op::HDel(k, fields) => {
                let Some(h) = self.hashes.get_mut(k) else {
                    return Expect::Exact(Reply::Int(0));
                };
                let n = fields.iter().filter(|f| h.map.remove(*f).is_some()).count();
                if h.map.is_empty() {
                    self.hashes.remove(k);
                }
                Expect::Exact(Reply::Int(n as i64))
            }
            Op::HIncrBy(k, f, n) => {
                let old = self.hash(*k).and_then(|h| h.map.get(f));
                let old = match old.map(|v| strict_int(v)) {
                    None => 0,
                    Some(Some(v)) => v,
                    Some(None) => return err("ERR hash value is not an integer"),
                };
                let Some(new) = old.checked_add(*n) else {
                    return err("ERR increment or decrement would overflow");
                };
                self.hashes.entry(*k).or_default().set(f, &new.to_string());
                Expect::Exact(Reply::Int(new))
            }
            Op::HIncrByFloat(k, f, incr) => {
                let old = match self.hash(*k).and_then(|h| h.map.get(f)) {
                    None => LongDouble::ZERO,
                    Some(v) => match LongDouble::parse(v.as_bytes()) {
                        Some(v) => v,
                        None => return err("ERR hash value is not a float"),
                    },
                };
                let Some(incr) = LongDouble::parse(incr.as_bytes()) else {
                    return err("ERR value is not a valid float");
                };
                let Some(sum) = old.checked_add(incr) else {
                    return err("ERR increment would produce NaN or Infinity");
                };
                let text = sum.to_human();
                self.hashes.entry(*k).or_default().set(f, &text);
                Expect::Exact(bulk(&text))
            }
            Op::HRandField(..) | Op::HScan(..) => Expect::Custom,
            Op::Del(k) => Expect::Exact(Reply::Int(self.hashes.remove(k).is_some() as i64)),
            Op::Encoding(k) => Expect::Exact(match self.hash(*k) {
                None => Reply::Nil,
                Some(h) if h.table => bulk("hashtable"),
                Some(_) => bulk("listpack"),
            }),
        }
    }
}

fn text(r: &Reply) -> String {
    match r {
        Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
        other => panic!("not a bulk: {other:?}"),
    }
}

fn args_of(op: &Op) -> Vec<String> {
    let key = |k: &usize| KEYS[*k].to_string();
    let mut a: Vec<String> = Vec::new();
    match op {
        Op::HSet(k, pairs) | Op::HMSet(k, pairs) => {
            a.push(
                if matches!(op, Op::HSet(..)) {
                    "hset"
                } else {
                    "hmset"
                }
                .into(),
            );
            a.push(key(k));
            for (f, v) in pairs {
                a.push(f.clone());
                a.push(v.clone());
            }
        }
        Op::Grow(k, n) => {
            a.extend(["hset".into(), key(k)]);
            for i in 0..*n {
                a.extend([format!("g{i}"), "x".into()]);
            }
        }
        Op::HSetNx(k, f, v) => a.extend(["hsetnx".into(), key(k), f.clone(), v.clone()]),
        Op::HGet(k, f) => a.extend(["hget".into(), key(k), f.clone()]),
        Op::HMGet(k, fields) | Op::HDel(k, fields) => {
            a.push(
                if matches!(op, Op::HMGet(..)) {
                    "hmget"
                } else {
                    "hdel"
                }
                .into(),
            );
            a.push(key(k));
            a.extend(fields.iter().cloned());
        }
        Op::HGetAll(k) => a.extend(["hgetall".into(), key(k)]),
        Op::HKeys(k) => a.extend(["hkeys".into(), key(k)]),
        Op::HVals(k) => a.extend(["hvals".into(), key(k)]),
        Op::HLen(k) => a.extend(["hlen".into(), key(k)]),
        Op::HExists(k, f) => a.extend(["hexists".into(), key(k), f.clone()]),
        Op::HStrLen(k, f) => a.extend(["hstrlen".into(), key(k), f.clone()]),
        Op::HIncrBy(k, f, n) => a.extend(["hincrby".into(), key(k), f.clone(), n.to_string()]),
        Op::HIncrByFloat(k, f, n) => {
            a.extend(["hincrbyfloat".into(), key(k), f.clone(), n.to_string()])
        }
        Op::HRandField(k, count, with_values, _) => {
            a.extend(["hrandfield".into(), key(k)]);
            if let Some(c) = count {
                a.push(c.to_string());
                if *with_values {
                    a.push("WITHVALUES".into());
                }
            }
        }
        Op::HScan(k, _) => a.extend(["hscan".into(), key(k), "0".into()]),
        Op::Del(k) => a.extend(["del".into(), key(k)]),
        Op::Encoding(k) => a.extend(["object".into(), "encoding".into(), key(k)]),
    }
    a
}

/// Runs `op` on the server side and checks its reply against the model.
fn check(k: &mut Kit, model: &mut Model, op: &Op) -> Result<(), TestCaseError> {
    let expected = model.step(op);
    let args = args_of(op);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match (op, expected) {
        (Op::HScan(key, count), Expect::Custom) => {
            let want = model.hash(*key).map(|h| h.map.clone()).unwrap_or_default();
            let mut got = BTreeMap::new();
            let mut cursor = "0".to_string();
            for _ in 0..10_000 {
                let count = count.to_string();
                let mut a = args[..2].to_vec();
                a.extend([cursor.as_str(), "COUNT", count.as_str()]);
                let Reply::Array(parts) = k.run(1, &a) else {
                    return Err(TestCaseError::fail(format!("{a:?}: not an array")));
                };
                let [Reply::Bulk(next), Reply::Array(items)] = &parts[..] else {
                    return Err(TestCaseError::fail(format!("{a:?}: {parts:?}")));
                };
                for pair in items.chunks(2) {
                    got.insert(text(&pair[0]), text(&pair[1]));
                }
                cursor = String::from_utf8_lossy(next).into_owned();
                if cursor == "0" {
                    break;
                }
            }
            prop_assert_eq!(cursor, "0");
            prop_assert_eq!(got, want);
        }
        (Op::HRandField(key, count, with_values, seed), Expect::Custom) => {
            let reply = k.run_seeded(1, *seed, &args);
            let map = model.hash(*key).map(|h| h.map.clone()).unwrap_or_default();
            let picked: Vec<(String, Option<String>)> = match (count, reply) {
                (None, Reply::Nil) => {
                    prop_assert!(map.is_empty());
                    return Ok(());
                }
                (None, Reply::Bulk(f)) => {
                    let f = String::from_utf8_lossy(&f).into_owned();
                    prop_assert!(map.contains_key(&f));
                    return Ok(());
                }
                (Some(_), Reply::Array(items)) if !*with_values || items.is_empty() => {
                    items.iter().map(|f| (text(f), None)).collect()
                }
                (Some(_), Reply::Pairs(pairs)) if *with_values => pairs
                    .iter()
                    .map(|(f, v)| (text(f), Some(text(v))))
                    .collect(),
                (_, other) => {
                    return Err(TestCaseError::fail(format!("{args:?}: {other:?}")));
                }
            };
            for (f, v) in &picked {
                prop_assert!(map.contains_key(f), "{} not in the hash", f);
                if let Some(v) = v {
                    prop_assert_eq!(Some(v), map.get(f));
                }
            }
            let count = count.unwrap_or(1);
            if count >= 0 {
                let distinct: BTreeSet<_> = picked.iter().map(|(f, _)| f).collect();
                prop_assert_eq!(distinct.len(), picked.len());
                prop_assert_eq!(picked.len(), (count as usize).min(map.len()));
            } else if map.is_empty() {
                prop_assert!(picked.is_empty());
            } else {
                prop_assert_eq!(picked.len() as i64, -count);
            }
        }
        (_, Expect::Exact(want)) => {
            let got = k.run(1, &args);
            prop_assert_eq!(got, want, "{:?}", op);
        }
        (_, Expect::Unordered(mut want)) => {
            let got = k.run(1, &args);
            let mut items: Vec<String> = match got {
                Reply::Map(pairs) => pairs
                    .iter()
                    .map(|(f, v)| format!("{}={}", text(f), text(v)))
                    .collect(),
                Reply::Array(items) => items.iter().map(text).collect(),
                Reply::Error(e) => vec![String::from_utf8_lossy(&e).into_owned()],
                other => return Err(TestCaseError::fail(format!("{op:?}: {other:?}"))),
            };
            items.sort();
            want.sort();
            prop_assert_eq!(items, want, "{:?}", op);
        }
        (_, Expect::Custom) => unreachable!("only HSCAN and HRANDFIELD are custom"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn hash_commands_match_the_model(ops in prop::collection::vec(op(), 1..60)) {
        let mut k = Kit::new();
        let mut model = Model::default();
        k.run(1, &["set", "s", "x"]);
        for op in &ops {
            check(&mut k, &mut model, op)?;
            // After every step, each hash's encoding and length agree with the model.
            for key in [0, 1] {
                check(&mut k, &mut model, &Op::Encoding(key))?;
                check(&mut k, &mut model, &Op::HLen(key))?;
            }
        }
    }
}
