//! A property test: random sorted set command sequences run through the state machine (the
//! command table, `prepare`, `Machine::apply` and reads) and through a plain model (a
//! `BTreeMap` of members and scores per key, written from Redis's documented semantics),
//! comparing every reply. Sequences cross the listpack/skiplist boundary (bulk adds and long
//! members), so both encodings answer the same model.
//!
//! Key `l` only ever holds score 0, so the lexicographic commands run on it, where their
//! answers are defined; key `s` holds a string, for WRONGTYPE.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::testutil::{Kit, err};
use crate::resp::Reply;

type Set = BTreeMap<Vec<u8>, f64>;

const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";

#[derive(Debug, Clone)]
enum By {
    Rank(i64, i64),
    Score(String, String),
    Lex(String, String),
}

#[derive(Debug, Clone)]
enum Op {
    Add {
        key: &'static str,
        flags: Vec<&'static str>,
        pairs: Vec<(f64, String)>,
    },
    IncrBy(&'static str, f64, String),
    Rem(&'static str, Vec<String>),
    Score(&'static str, String),
    MScore(&'static str, Vec<String>),
    Card(&'static str),
    Rank(&'static str, String, bool),
    Count(&'static str, String, String),
    LexCount(String, String),
    Range {
        key: &'static str,
        by: By,
        rev: bool,
        withscores: bool,
        limit: Option<(i64, i64)>,
    },
    RemRangeByRank(&'static str, i64, i64),
    RemRangeByScore(&'static str, String, String),
    RemRangeByLex(String, String),
    Pop(&'static str, bool, Option<usize>),
    Store {
        op: &'static str,
        dest: &'static str,
        keys: Vec<&'static str>,
        weights: Option<Vec<f64>>,
        aggregate: Option<&'static str>,
    },
    Union(Vec<&'static str>, bool),
    Bulk(&'static str, usize),
}

fn key() -> impl Strategy<Value = &'static str> {
    prop_oneof![8 => Just("a"), 8 => Just("b"), 1 => Just("s")]
}

fn member() -> impl Strategy<Value = String> {
    prop_oneof![
        20 => (0..16u8).prop_map(|i| format!("m{i}")),
        1 => (0..3u8).prop_map(|i| format!("{}{i}", "long".repeat(20))),
        3 => (0..200u16).prop_map(|i| format!("b{i:03}")),
    ]
}

fn score() -> impl Strategy<Value = f64> {
    prop_oneof![
        10 => prop::sample::select(vec![-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, 1e-3, 1e20]),
        1 => prop::sample::select(vec![f64::INFINITY, f64::NEG_INFINITY]),
    ]
}

fn score_bound() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("-inf".to_string()),
        Just("+inf".to_string()),
        (score(), any::<bool>()).prop_map(|(s, ex)| format!("{}{s}", if ex { "(" } else { "" })),
    ]
}

fn lex_bound() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just("-".to_string()),
        1 => Just("+".to_string()),
        4 => (member(), any::<bool>())
            .prop_map(|(m, ex)| format!("{}{m}", if ex { "(" } else { "[" })),
    ]
}

fn flags() -> impl Strategy<Value = Vec<&'static str>> {
    let cond = prop::sample::select(vec![None, None, Some("NX"), Some("XX")]);
    let cmp = prop::sample::select(vec![None, None, Some("GT"), Some("LT")]);
    (cond, cmp, any::<bool>()).prop_map(|(cond, cmp, ch)| {
        let mut out = Vec::new();
        // NX excludes GT and LT.
        let cmp = if cond == Some("NX") { None } else { cmp };
        out.extend(cond);
        out.extend(cmp);
        if ch {
            out.push("CH");
        }
        out
    })
}

fn op() -> impl Strategy<Value = Op> {
    let limit = prop::option::of((-1..5i64, -1..5i64));
    prop_oneof![
        10 => (key(), flags(), prop::collection::vec((score(), member()), 1..5))
            .prop_map(|(key, flags, pairs)| Op::Add { key, flags, pairs }),
        3 => (key(), flags(), score(), member()).prop_map(|(key, mut flags, s, m)| {
            flags.push("INCR");
            Op::Add { key, flags, pairs: vec![(s, m)] }
        }),
        3 => (prop::collection::vec(member(), 1..4)).prop_map(|ms| Op::Add {
            key: "l",
            flags: vec![],
            pairs: ms.into_iter().map(|m| (0.0, m)).collect(),
        }),
        3 => (key(), score(), member()).prop_map(|(k, s, m)| Op::IncrBy(k, s, m)),
        4 => (key(), prop::collection::vec(member(), 1..4)).prop_map(|(k, ms)| Op::Rem(k, ms)),
        1 => prop::collection::vec(member(), 1..4).prop_map(|ms| Op::Rem("l", ms)),
        3 => (key(), member()).prop_map(|(k, m)| Op::Score(k, m)),
        2 => (key(), prop::collection::vec(member(), 1..4)).prop_map(|(k, ms)| Op::MScore(k, ms)),
        2 => key().prop_map(Op::Card),
        3 => (key(), member(), any::<bool>()).prop_map(|(k, m, r)| Op::Rank(k, m, r)),
        3 => (key(), score_bound(), score_bound()).prop_map(|(k, a, b)| Op::Count(k, a, b)),
        3 => (lex_bound(), lex_bound()).prop_map(|(a, b)| Op::LexCount(a, b)),
        6 => (key(), -8..8i64, -8..8i64, any::<bool>(), any::<bool>()).prop_map(
            |(key, a, b, rev, withscores)| Op::Range { key, by: By::Rank(a, b), rev, withscores, limit: None }
        ),
        6 => (key(), score_bound(), score_bound(), any::<bool>(), any::<bool>(), limit.clone()).prop_map(
            |(key, a, b, rev, withscores, limit)| Op::Range { key, by: By::Score(a, b), rev, withscores, limit }
        ),
        5 => (lex_bound(), lex_bound(), any::<bool>(), limit).prop_map(
            |(a, b, rev, limit)| Op::Range { key: "l", by: By::Lex(a, b), rev, withscores: false, limit }
        ),
        2 => (key(), -8..8i64, -8..8i64).prop_map(|(k, a, b)| Op::RemRangeByRank(k, a, b)),
        2 => (key(), score_bound(), score_bound()).prop_map(|(k, a, b)| Op::RemRangeByScore(k, a, b)),
        2 => (lex_bound(), lex_bound()).prop_map(|(a, b)| Op::RemRangeByLex(a, b)),
        3 => (key(), any::<bool>(), prop::option::of(0..4usize)).prop_map(|(k, m, c)| Op::Pop(k, m, c)),
        4 => (
            prop::sample::select(vec!["zunionstore", "zinterstore", "zdiffstore"]),
            prop::sample::select(vec!["a", "b", "d"]),
            prop::collection::vec(prop::sample::select(vec!["a", "b", "d", "l", "nokey"]), 1..4),
            prop::option::of(prop::collection::vec(prop::sample::select(vec![1.0, 2.0, -1.0, 0.5, 0.0]), 3)),
            prop::option::of(prop::sample::select(vec!["SUM", "MIN", "MAX"])),
        ).prop_map(|(op, dest, keys, weights, aggregate)| Op::Store {
            op,
            dest,
            weights: weights.filter(|_| op != "zdiffstore").map(|w| w[..keys.len()].to_vec()),
            aggregate: aggregate.filter(|_| op != "zdiffstore"),
            keys,
        }),
        2 => (prop::collection::vec(prop::sample::select(vec!["a", "b", "d", "l"]), 1..4), any::<bool>())
            .prop_map(|(keys, w)| Op::Union(keys, w)),
        1 => (prop::sample::select(vec!["a", "b"]), 120..140usize).prop_map(|(k, n)| Op::Bulk(k, n)),
    ]
}

/// The reference model.
#[derive(Default)]
struct Model {
    keys: BTreeMap<&'static str, Set>,
}

fn sorted(set: &Set) -> Vec<(Vec<u8>, f64)> {
    let mut v: Vec<(Vec<u8>, f64)> = set.iter().map(|(m, s)| (m.clone(), *s)).collect();
    v.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap().then_with(|| a.0.cmp(&b.0)));
    v
}

fn bulk(m: &[u8]) -> Reply {
    Reply::Bulk(m.to_vec().into())
}

fn elements(items: Vec<(Vec<u8>, f64)>, withscores: bool) -> Reply {
    if withscores {
        Reply::Pairs(
            items
                .into_iter()
                .map(|(m, s)| (bulk(&m), Reply::Double(s)))
                .collect(),
        )
    } else {
        Reply::Array(items.into_iter().map(|(m, _)| bulk(&m)).collect())
    }
}

/// A score bound as written: (value, exclusive).
fn bound(text: &str) -> (f64, bool) {
    let (ex, t) = match text.strip_prefix('(') {
        Some(t) => (true, t),
        None => (false, text),
    };
    (t.parse().unwrap(), ex)
}

fn in_score(s: f64, min: &str, max: &str) -> bool {
    let ((lo, lo_ex), (hi, hi_ex)) = (bound(min), bound(max));
    (if lo_ex { s > lo } else { s >= lo }) && (if hi_ex { s < hi } else { s <= hi })
}

fn in_lex(m: &[u8], min: &str, max: &str) -> bool {
    let above = match min {
        "-" => true,
        "+" => false,
        _ if min.starts_with('(') => m > &min.as_bytes()[1..],
        _ => m >= &min.as_bytes()[1..],
    };
    let below = match max {
        "+" => true,
        "-" => false,
        _ if max.starts_with('(') => m < &max.as_bytes()[1..],
        _ => m <= &max.as_bytes()[1..],
    };
    above && below
}

/// Redis's rank sanitizing, written out again for the model.
fn window(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let s = if start < 0 {
        (start + len).max(0)
    } else {
        start
    };
    let e = if end < 0 { end + len } else { end.min(len - 1) };
    (s <= e && s < len).then_some((s as usize, e as usize))
}

fn limited(items: Vec<(Vec<u8>, f64)>, limit: Option<(i64, i64)>) -> Vec<(Vec<u8>, f64)> {
    match limit {
        None => items,
        Some((offset, _)) if offset < 0 => Vec::new(),
        Some((offset, count)) => items
            .into_iter()
            .skip(offset as usize)
            .take(if count < 0 {
                usize::MAX
            } else {
                count as usize
            })
            .collect(),
    }
}

fn f(x: f64) -> String {
    x.to_string()
}

impl Model {
    fn get(&self, key: &str) -> Option<&Set> {
        self.keys.get(key)
    }

    fn set(&mut self, key: &'static str, set: Set) {
        if set.is_empty() {
            self.keys.remove(key);
        } else {
            self.keys.insert(key, set);
        }
    }

    /// Runs `op` on the model; returns the argv and the expected reply.
    fn run(&mut self, op: &Op) -> (Vec<String>, Reply) {
        let s = |x: &str| x.to_string();
        match op {
            Op::Add { key, flags, pairs } => {
                let mut argv = vec![s("zadd"), s(key)];
                argv.extend(flags.iter().map(|f| s(f)));
                for (sc, m) in pairs {
                    argv.push(f(*sc));
                    argv.push(m.clone());
                }
                if *key == "s" {
                    return (argv, err(WRONGTYPE));
                }
                let has = |w: &str| flags.contains(&w);
                let (nx, xx, gt, lt, ch, incr) = (
                    has("NX"),
                    has("XX"),
                    has("GT"),
                    has("LT"),
                    has("CH"),
                    has("INCR"),
                );
                let mut set = self.get(key).cloned().unwrap_or_default();
                let (mut added, mut updated, mut last) = (0, 0, None);
                for (sc, m) in pairs {
                    let m = m.as_bytes().to_vec();
                    match set.get(&m).copied() {
                        Some(cur) => {
                            if nx {
                                continue;
                            }
                            let new = if incr { sc + cur } else { *sc };
                            if new.is_nan() {
                                return (argv, err("ERR resulting score is not a number (NaN)"));
                            }
                            if (lt && new >= cur) || (gt && new <= cur) {
                                continue;
                            }
                            if new != cur {
                                set.insert(m, new);
                                updated += 1;
                            }
                            last = Some(new);
                        }
                        None if !xx => {
                            set.insert(m, *sc);
                            added += 1;
                            last = Some(*sc);
                        }
                        None => {}
                    }
                }
                self.set(key, set);
                let reply = if incr {
                    last.map_or(Reply::Nil, Reply::Double)
                } else {
                    Reply::Int(if ch { added + updated } else { added })
                };
                (argv, reply)
            }
            Op::IncrBy(key, by, m) => {
                let argv = vec![s("zincrby"), s(key), f(*by), m.clone()];
                if *key == "s" {
                    return (argv, err(WRONGTYPE));
                }
                let mut set = self.get(key).cloned().unwrap_or_default();
                let new = set.get(m.as_bytes()).copied().unwrap_or(0.0) + by;
                if new.is_nan() {
                    return (argv, err("ERR resulting score is not a number (NaN)"));
                }
                set.insert(m.as_bytes().to_vec(), new);
                self.set(key, set);
                (argv, Reply::Double(new))
            }
            Op::Rem(key, ms) => {
                let mut argv = vec![s("zrem"), s(key)];
                argv.extend(ms.iter().cloned());
                if *key == "s" {
                    return (argv, err(WRONGTYPE));
                }
                let mut set = self.get(key).cloned().unwrap_or_default();
                let n = ms
                    .iter()
                    .filter(|m| set.remove(m.as_bytes()).is_some())
                    .count();
                self.set(key, set);
                (argv, Reply::Int(n as i64))
            }
            Op::Score(key, m) => {
                let argv = vec![s("zscore"), s(key), m.clone()];
                if *key == "s" {
                    return (argv, err(WRONGTYPE));
                }
                let r = self.get(key).and_then(|z| z.get(m.as_bytes()).copied());
                (argv, r.map_or(Reply::Nil, Reply::Double))
            }
            Op::MScore(key, ms) => {
                let mut argv = vec![s("zmscore"), s(key)];
                argv.extend(ms.iter().cloned());
                if *key == "s" {
                    return (argv, err(WRONGTYPE));
                }
                let z = self.get(key);
                let r = ms
                    .iter()
                    .map(|m| {
                        z.and_then(|z| z.get(m.as_bytes()).copied())
                            .map_or(Reply::Nil, Reply::Double)
                    })
                    .collect();
                (argv, Reply::Array(r))
            }
            Op::Card(key) => {
                let argv = vec![s("zcard"), s(key)];
                if *key == "s" {
                    return (argv, err(WRONGTYPE));
                }
                (
                    argv,
                    Reply::Int(self.get(key).map_or(0, |z| z.len() as i64)),
                )
            }
            Op::Rank(key, m, rev) => {
                let argv = vec![
                    s(if *rev { "zrevrank" } else { "zrank" }),
                    s(key),
                    m.clone(),
                ];
                if *key == "s" {
                    return (argv, err(WRONGTYPE));
                }
                let items = self.get(key).map(sorted).unwrap_or_default();
                let r = items
                    .iter()
                    .position(|(x, _)| x == m.as_bytes())
                    .map(|r| Reply::Int(if *rev { items.len() - 1 - r } else { r } as i64));
                (argv, r.unwrap_or(Reply::Nil))
            }
            Op::Count(key, min, max) => {
                let argv = vec![s("zcount"), s(key), min.clone(), max.clone()];
                if *key == "s" {
                    return (argv, err(WRONGTYPE));
                }
                let n = self.get(key).map_or(0, |z| {
                    z.values().filter(|v| in_score(**v, min, max)).count()
                });
                (argv, Reply::Int(n as i64))
            }
            Op::LexCount(min, max) => {
                let argv = vec![s("zlexcount"), s("l"), min.clone(), max.clone()];
                let n = self
                    .get("l")
                    .map_or(0, |z| z.keys().filter(|m| in_lex(m, min, max)).count());
                (argv, Reply::Int(n as i64))
            }
            Op::Range {
                key,
                by,
                rev,
                withscores,
                limit,
            } => {
                let mut argv = vec![s("zrange"), s(key)];
                match by {
                    By::Rank(a, b) => argv.extend([a.to_string(), b.to_string()]),
                    By::Score(a, b) | By::Lex(a, b) if *rev => argv.extend([b.clone(), a.clone()]),
                    By::Score(a, b) | By::Lex(a, b) => argv.extend([a.clone(), b.clone()]),
                }
                match by {
                    By::Score(..) => argv.push(s("BYSCORE")),
                    By::Lex(..) => argv.push(s("BYLEX")),
                    By::Rank(..) => {}
                }
                if *rev {
                    argv.push(s("REV"));
                }
                if *withscores {
                    argv.push(s("WITHSCORES"));
                }
                if let Some((o, c)) = limit {
                    argv.extend([s("LIMIT"), o.to_string(), c.to_string()]);
                }
                if limit.is_some() && matches!(by, By::Rank(..)) {
                    return (
                        argv,
                        err(
                            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
                        ),
                    );
                }
                if *key == "s" {
                    return (argv, err(WRONGTYPE));
                }
                let mut items = self.get(key).map(sorted).unwrap_or_default();
                let out = match by {
                    By::Rank(a, b) => {
                        if *rev {
                            items.reverse();
                        }
                        match window(*a, *b, items.len()) {
                            Some((from, to)) => items[from..=to].to_vec(),
                            None => Vec::new(),
                        }
                    }
                    By::Score(min, max) => {
                        items.retain(|(_, sc)| in_score(*sc, min, max));
                        if *rev {
                            items.reverse();
                        }
                        limited(items, *limit)
                    }
                    By::Lex(min, max) => {
                        items.retain(|(m, _)| in_lex(m, min, max));
                        if *rev {
                            items.reverse();
                        }
                        limited(items, *limit)
                    }
                };
                (argv, elements(out, *withscores))
            }
            Op::RemRangeByRank(key, a, b) => {
                let argv = vec![s("zremrangebyrank"), s(key), a.to_string(), b.to_string()];
                if *key == "s" {
                    return (argv, err(WRONGTYPE));
                }
                let items = self.get(key).map(sorted).unwrap_or_default();
                let Some((from, to)) = window(*a, *b, items.len()) else {
                    return (argv, Reply::Int(0));
                };
                let set: Set = items
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i < from || *i > to)
                    .map(|(_, (m, sc))| (m.clone(), *sc))
                    .collect();
                self.set(key, set);
                (argv, Reply::Int((to - from + 1) as i64))
            }
            Op::RemRangeByScore(key, min, max) => {
                let argv = vec![s("zremrangebyscore"), s(key), min.clone(), max.clone()];
                if *key == "s" {
                    return (argv, err(WRONGTYPE));
                }
                let mut set = self.get(key).cloned().unwrap_or_default();
                let before = set.len();
                set.retain(|_, sc| !in_score(*sc, min, max));
                let n = before - set.len();
                self.set(key, set);
                (argv, Reply::Int(n as i64))
            }
            Op::RemRangeByLex(min, max) => {
                let argv = vec![s("zremrangebylex"), s("l"), min.clone(), max.clone()];
                let mut set = self.get("l").cloned().unwrap_or_default();
                let before = set.len();
                set.retain(|m, _| !in_lex(m, min, max));
                let n = before - set.len();
                self.set("l", set);
                (argv, Reply::Int(n as i64))
            }
            Op::Pop(key, max, count) => {
                let mut argv = vec![s(if *max { "zpopmax" } else { "zpopmin" }), s(key)];
                argv.extend(count.map(|c| c.to_string()));
                if *key == "s" {
                    return (argv, err(WRONGTYPE));
                }
                let mut items = self.get(key).map(sorted).unwrap_or_default();
                if *max {
                    items.reverse();
                }
                let n = count.unwrap_or(1).min(items.len());
                let popped: Vec<(Vec<u8>, f64)> = items.drain(..n).collect();
                self.set(key, items.into_iter().collect());
                let reply = match count {
                    None => Reply::Array(
                        popped
                            .into_iter()
                            .flat_map(|(m, sc)| [bulk(&m), Reply::Double(sc)])
                            .collect(),
                    ),
                    Some(_) => elements(popped, true),
                };
                (argv, reply)
            }
            Op::Store {
                op,
                dest,
                keys,
                weights,
                aggregate,
            } => {
                let mut argv = vec![s(op), s(dest), keys.len().to_string()];
                argv.extend(keys.iter().map(|k| s(k)));
                if let Some(w) = weights {
                    argv.push(s("WEIGHTS"));
                    argv.extend(w.iter().map(|x| f(*x)));
                }
                if let Some(a) = aggregate {
                    argv.extend([s("AGGREGATE"), s(a)]);
                }
                let w = weights.clone().unwrap_or_else(|| vec![1.0; keys.len()]);
                let result = self.setop(op, keys, &w, aggregate.unwrap_or("SUM"));
                let n = result.len();
                self.set(dest, result);
                (argv, Reply::Int(n as i64))
            }
            Op::Union(keys, withscores) => {
                let mut argv = vec![s("zunion"), keys.len().to_string()];
                argv.extend(keys.iter().map(|k| s(k)));
                if *withscores {
                    argv.push(s("WITHSCORES"));
                }
                let result = self.setop("zunionstore", keys, &vec![1.0; keys.len()], "SUM");
                (argv, elements(sorted(&result), *withscores))
            }
            Op::Bulk(key, n) => {
                let mut argv = vec![s("zadd"), s(key)];
                let mut set = self.get(key).cloned().unwrap_or_default();
                let mut added = 0;
                for i in 0..*n {
                    let m = format!("b{i:03}");
                    argv.push(f(i as f64 / 2.0));
                    argv.push(m.clone());
                    let sc = i as f64 / 2.0;
                    if set.insert(m.into_bytes(), sc).is_none() {
                        added += 1;
                    }
                }
                self.set(key, set);
                (argv, Reply::Int(added))
            }
        }
    }

    /// Union, intersection or difference as Redis computes them: inputs in ascending size
    /// order (stable) for union and intersection, weighted NaN as 0, NaN sums as 0.
    fn setop(&self, op: &str, keys: &[&str], weights: &[f64], agg: &str) -> Set {
        let empty = Set::new();
        let inputs: Vec<(&Set, f64)> = keys
            .iter()
            .zip(weights)
            .map(|(k, w)| (self.get(k).unwrap_or(&empty), *w))
            .collect();
        let combine = |t: &mut f64, v: f64| match agg {
            "MIN" => *t = if v < *t { v } else { *t },
            "MAX" => *t = if v > *t { v } else { *t },
            _ => {
                *t += v;
                if t.is_nan() {
                    *t = 0.0;
                }
            }
        };
        let mut by_size = inputs.clone();
        by_size.sort_by_key(|(z, _)| z.len());
        match op {
            "zunionstore" => {
                let mut acc = Set::new();
                for (z, w) in &by_size {
                    for (m, sc) in *z {
                        let mut v = w * sc;
                        if v.is_nan() {
                            v = 0.0;
                        }
                        match acc.get_mut(m) {
                            Some(t) => combine(t, v),
                            None => {
                                acc.insert(m.clone(), v);
                            }
                        }
                    }
                }
                acc
            }
            "zinterstore" => {
                let (first, w0) = by_size[0];
                let mut out = Set::new();
                'm: for (m, sc) in first {
                    let mut t = w0 * sc;
                    if t.is_nan() {
                        t = 0.0;
                    }
                    for (z, w) in &by_size[1..] {
                        match z.get(m) {
                            Some(v) => combine(&mut t, v * w),
                            None => continue 'm,
                        }
                    }
                    out.insert(m.clone(), t);
                }
                out
            }
            _ => {
                let (first, _) = inputs[0];
                first
                    .iter()
                    .filter(|(m, _)| inputs[1..].iter().all(|(z, _)| !z.contains_key(*m)))
                    .map(|(m, sc)| (m.clone(), *sc))
                    .collect()
            }
        }
    }
}

/// An empty pair list and an empty array are the same on the wire (`*0`).
fn norm(r: Reply) -> Reply {
    match r {
        Reply::Pairs(p) if p.is_empty() => Reply::Array(Vec::new()),
        other => other,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn replies_match_the_model(ops in prop::collection::vec(op(), 1..80)) {
        let mut k = Kit::new();
        let mut model = Model::default();
        k.run(100, &["set", "s", "v"]);
        for op in &ops {
            let (argv, expected) = model.run(op);
            let args: Vec<&str> = argv.iter().map(String::as_str).collect();
            let got = k.run(100, &args);
            prop_assert_eq!(norm(got), norm(expected), "{:?}", argv);
            // Every zset key holds exactly the model's content, in the same order.
            for key in ["a", "b", "d", "l"] {
                let got = k.run(100, &["zrange", key, "0", "-1", "withscores"]);
                let want = elements(model.get(key).map(sorted).unwrap_or_default(), true);
                prop_assert_eq!(norm(got), norm(want), "{} after {:?}", key, argv);
            }
        }
    }
}
