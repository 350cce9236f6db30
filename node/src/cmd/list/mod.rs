//! List commands (Redis's `list` group), and the helpers they share: type checks, the push
//! and pop bodies behind LPUSH/RPUSH/LPUSHX/RPUSHX and LPOP/RPOP/LMPOP, the move behind
//! LMOVE/RPOPLPUSH, and Redis's range arithmetic for LRANGE/LTRIM.
//!
//! The list type itself (a packed buffer while small, chunks beyond) is
//! [`crate::store::List`]. The blocking variants (BLPOP, BLMOVE...) are here as writes that
//! apply their non-blocking form; the waiting is `raft::blocking`'s (see [`super::blocking`]).

pub mod blmove;
pub mod blmpop;
pub mod blpop;
pub mod brpop;
pub mod brpoplpush;
pub mod lindex;
pub mod linsert;
pub mod llen;
pub mod lmove;
pub mod lmpop;
pub mod lpop;
pub mod lpos;
pub mod lpush;
pub mod lpushx;
pub mod lrange;
pub mod lrem;
pub mod lset;
pub mod ltrim;
pub mod rpop;
pub mod rpoplpush;
pub mod rpush;
pub mod rpushx;

use std::sync::Arc;

use bytes::Bytes;

use super::args::{self, is, word};
use super::{ApplyCtx, CmdError, CmdResult, ReadCtx, Spec};
use crate::resp::Reply;
use crate::store::{Entry, List, Store, Value};

/// This group's rows of the command table.
pub const COMMANDS: &[&Spec] = &[
    &blmove::SPEC,
    &blmpop::SPEC,
    &blpop::SPEC,
    &brpop::SPEC,
    &brpoplpush::SPEC,
    &lindex::SPEC,
    &linsert::SPEC,
    &llen::SPEC,
    &lmove::SPEC,
    &lmpop::SPEC,
    &lpop::SPEC,
    &lpos::SPEC,
    &lpush::SPEC,
    &lpushx::SPEC,
    &lrange::SPEC,
    &lrem::SPEC,
    &lset::SPEC,
    &ltrim::SPEC,
    &rpop::SPEC,
    &rpoplpush::SPEC,
    &rpush::SPEC,
    &rpushx::SPEC,
];

/// The list held by `entry`, or WRONGTYPE.
pub fn as_list(entry: &Entry) -> Result<&List, CmdError> {
    match &entry.value {
        Value::List(l) => Ok(l),
        _ => Err(CmdError::WrongType),
    }
}

/// The list held by `entry` for a change, or WRONGTYPE. Copies the list first if a snapshot
/// or another key still shares it (copy-on-write).
pub fn as_list_mut(entry: &mut Entry) -> Result<&mut List, CmdError> {
    match &mut entry.value {
        Value::List(l) => Ok(Arc::make_mut(l)),
        _ => Err(CmdError::WrongType),
    }
}

/// An end of a list: LEFT is the head, RIGHT the tail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Left,
    Right,
}

impl End {
    /// `LEFT` or `RIGHT`, case-insensitively; Redis answers a syntax error otherwise.
    pub fn parse(arg: &[u8]) -> Result<End, CmdError> {
        if is(arg, "LEFT") {
            Ok(End::Left)
        } else if is(arg, "RIGHT") {
            Ok(End::Right)
        } else {
            Err(CmdError::Syntax)
        }
    }

    /// The word logged for this end.
    pub fn word(self) -> Bytes {
        match self {
            End::Left => word("LEFT"),
            End::Right => word("RIGHT"),
        }
    }
}

/// `argv` with its command name replaced by the canonical `name`: the log form of commands
/// whose arguments need no rewriting.
fn logged_as(name: &'static str, argv: &[Bytes]) -> Vec<Bytes> {
    let mut canon = Vec::with_capacity(argv.len());
    canon.push(word(name));
    canon.extend(argv[1..].iter().cloned());
    canon
}

/// Pushes `elements` in order at `end` of the list at `key`, creating it unless
/// `only_existing` (the X variants answer 0 for a missing key). Answers the new length.
/// Redis's `pushGenericCommand`.
fn push(
    ctx: &mut ApplyCtx<'_>,
    key: &Bytes,
    elements: &[Bytes],
    end: End,
    only_existing: bool,
) -> CmdResult {
    let (now, index) = (ctx.now_ms, ctx.index);
    let db = ctx.db();
    let fill = |list: &mut List| {
        for e in elements {
            match end {
                End::Left => list.push_front(e),
                End::Right => list.push_back(e),
            }
        }
    };
    match db.get_mut(key, now) {
        Some(entry) => {
            let list = as_list_mut(entry)?;
            fill(list);
            let len = list.len();
            entry.version = index;
            Ok(Reply::Int(len as i64))
        }
        None if only_existing => Ok(Reply::Int(0)),
        None => {
            let mut list = List::new();
            fill(&mut list);
            let len = list.len();
            db.set(key, Value::List(Arc::new(list)), index);
            Ok(Reply::Int(len as i64))
        }
    }
}

/// The optional count of LPOP/RPOP at `argv[2]`: Redis allows one argument after the key
/// and answers "value is out of range, must be positive" to anything but an integer ≥ 0.
fn pop_count(name: &str, argv: &[Bytes]) -> Result<Option<usize>, CmdError> {
    match argv {
        [_, _] => Ok(None),
        [_, _, count] => args::strict_i64(count)
            .and_then(|n| usize::try_from(n).ok())
            .map(Some)
            .ok_or(CmdError::NotPositive),
        _ => Err(CmdError::wrong_arity(name)),
    }
}

/// LPOP/RPOP: one element (nil when the key is missing), or with a count an array of up to
/// `count` elements (a nil array when the key is missing, an empty one for count 0).
/// Redis's `popGenericCommand`.
fn pop(ctx: &mut ApplyCtx<'_>, key: &Bytes, end: End, count: Option<usize>) -> CmdResult {
    let (now, index) = (ctx.now_ms, ctx.index);
    let db = ctx.db();
    let Some(entry) = db.get_mut(key, now) else {
        return Ok(match count {
            Some(_) => Reply::NilArray,
            None => Reply::Nil,
        });
    };
    as_list(entry)?;
    if count == Some(0) {
        return Ok(Reply::Array(Vec::new()));
    }
    let list = as_list_mut(entry)?;
    let reply = match (count, end) {
        (None, End::Left) => Reply::opt_bulk(list.pop_front()),
        (None, End::Right) => Reply::opt_bulk(list.pop_back()),
        (Some(n), _) => bulks(pop_n(list, end, n)),
    };
    let emptied = list.is_empty();
    entry.version = index;
    if emptied {
        db.remove(key);
    }
    Ok(reply)
}

/// Pops up to `count` elements from `end` of the first of `keys` that holds a non-empty list,
/// deleting it once emptied: the key and the elements, or `None` when every key is missing.
/// A key of another type met first is WRONGTYPE. Redis's `lmpopGenericCommand` loop.
fn mpop(
    ctx: &mut ApplyCtx<'_>,
    keys: &[Bytes],
    end: End,
    count: usize,
) -> Result<Option<(Bytes, Vec<Bytes>)>, CmdError> {
    let (now, version) = (ctx.now_ms, ctx.index);
    let db = ctx.db();
    for key in keys {
        let Some(entry) = db.get_mut(key, now) else {
            continue;
        };
        if as_list(entry)?.is_empty() {
            continue;
        }
        let list = as_list_mut(entry)?;
        let popped = pop_n(list, end, count);
        let emptied = list.is_empty();
        entry.version = version;
        if emptied {
            db.remove(key);
        }
        return Ok(Some((key.clone(), popped)));
    }
    Ok(None)
}

/// BLPOP and BRPOP's logged form: one element from the first non-empty list of `keys`,
/// answered `[key, element]`, or a nil array.
fn bpop(ctx: &mut ApplyCtx<'_>, keys: &[Bytes], end: End) -> CmdResult {
    Ok(match mpop(ctx, keys, end, 1)? {
        Some((key, popped)) => Reply::Array(vec![
            Reply::Bulk(key),
            popped.into_iter().next().map_or(Reply::Nil, Reply::Bulk),
        ]),
        None => Reply::NilArray,
    })
}

/// Up to `n` elements popped from `end`, in pop order.
fn pop_n(list: &mut List, end: End, n: usize) -> Vec<Bytes> {
    match end {
        End::Left => list.pop_front_n(n),
        End::Right => list.pop_back_n(n),
    }
}

/// An array of bulk strings.
fn bulks(items: Vec<Bytes>) -> Reply {
    Reply::Array(items.into_iter().map(Reply::Bulk).collect())
}

/// LMOVE and RPOPLPUSH: pops from `end` of `src` and pushes at `to` of `dst`, answering the
/// element (nil when `src` is missing). Nothing changes when either key holds another type.
/// With `src == dst` the list rotates. Redis's `lmoveGenericCommand`.
fn lmove(ctx: &mut ApplyCtx<'_>, src: &Bytes, dst: &Bytes, from: End, to: End) -> CmdResult {
    let (now, index) = (ctx.now_ms, ctx.index);
    let db = ctx.db();
    // Both types are checked before anything moves: a WRONGTYPE leaves both keys untouched.
    match db.get_mut(src, now) {
        None => return Ok(Reply::Nil),
        Some(entry) => {
            as_list(entry)?;
        }
    }
    if src != dst
        && let Some(entry) = db.get_mut(dst, now)
    {
        as_list(entry)?;
    }
    let Some(entry) = db.get_mut(src, now) else {
        return Ok(Reply::Nil);
    };
    let list = as_list_mut(entry)?;
    let popped = match from {
        End::Left => list.pop_front(),
        End::Right => list.pop_back(),
    };
    let Some(value) = popped else {
        return Ok(Reply::Nil);
    };
    if src == dst {
        match to {
            End::Left => list.push_front(&value),
            End::Right => list.push_back(&value),
        }
        entry.version = index;
        return Ok(Reply::Bulk(value));
    }
    let emptied = list.is_empty();
    entry.version = index;
    if emptied {
        db.remove(src);
    }
    push(ctx, dst, std::slice::from_ref(&value), to, false)?;
    Ok(Reply::Bulk(value))
}

/// The list at `key` for a read, counting the lookup as a keyspace hit or miss (as Redis's
/// `lookupKeyRead`); WRONGTYPE for another type.
fn read_list<'a>(ctx: &mut ReadCtx<'a>, key: &Bytes) -> Result<Option<&'a List>, CmdError> {
    let store: &'a Store = ctx.store;
    match store.db(ctx.db).get(key, ctx.now_ms) {
        Some(entry) => {
            ctx.hits += 1;
            as_list(entry).map(Some)
        }
        None => {
            ctx.misses += 1;
            Ok(None)
        }
    }
}

/// The position of Redis index `index` (negative counts from the tail) in a list of `len`.
fn resolve_index(len: usize, index: i64) -> Option<usize> {
    let len = len as i64;
    let i = if index < 0 { len + index } else { index };
    (0..len).contains(&i).then_some(i as usize)
}

/// The inclusive Redis range `start..=end` (negative counts from the tail, out-of-range ends
/// clamped) over a list of `len`, as (first position, count); None when empty. The
/// arithmetic of Redis's LRANGE and LTRIM.
fn resolve_range(len: usize, start: i64, end: i64) -> Option<(usize, usize)> {
    let len = len as i64;
    let start = if start < 0 { len + start } else { start }.max(0);
    let end = if end < 0 { len + end } else { end };
    if start > end || start >= len {
        return None;
    }
    let end = end.min(len - 1);
    Some((start as usize, (end - start + 1) as usize))
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, VecDeque};

    use proptest::prelude::*;

    use super::*;
    use crate::cmd::string::testing::*;
    use crate::machine::Machine;

    #[test]
    fn ranges_as_redis() {
        assert_eq!(resolve_range(5, 0, -1), Some((0, 5)));
        assert_eq!(resolve_range(5, -100, 100), Some((0, 5)));
        assert_eq!(resolve_range(5, 2, 1), None);
        assert_eq!(resolve_range(5, 5, 10), None);
        assert_eq!(resolve_range(5, -1, -1), Some((4, 1)));
        assert_eq!(resolve_range(5, i64::MIN, i64::MAX), Some((0, 5)));
        assert_eq!(resolve_range(0, 0, -1), None);
        assert_eq!(resolve_index(3, -1), Some(2));
        assert_eq!(resolve_index(3, -4), None);
        assert_eq!(resolve_index(3, 3), None);
        assert_eq!(resolve_index(3, i64::MIN), None);
        assert_eq!(resolve_index(3, i64::MAX), None);
    }

    #[test]
    fn end_words() {
        assert_eq!(End::parse(b"left"), Ok(End::Left));
        assert_eq!(End::parse(b"RiGhT"), Ok(End::Right));
        assert_eq!(End::parse(b"up"), Err(CmdError::Syntax));
    }

    #[test]
    fn wrongtype_everywhere() {
        let mut m = Machine::new(16);
        run(&mut m, 1, &["set", "s", "x"]);
        let wrong = err("WRONGTYPE Operation against a key holding the wrong kind of value");
        for cmd in [
            &["lpush", "s", "a"][..],
            &["rpush", "s", "a"],
            &["lpushx", "s", "a"],
            &["rpushx", "s", "a"],
            &["lpop", "s"],
            &["rpop", "s", "0"],
            &["llen", "s"],
            &["lrange", "s", "0", "-1"],
            &["lindex", "s", "0"],
            &["lset", "s", "0", "x"],
            &["lrem", "s", "0", "x"],
            &["ltrim", "s", "0", "1"],
            &["linsert", "s", "before", "a", "b"],
            &["lpos", "s", "a"],
            &["lmove", "s", "d", "left", "left"],
            &["rpoplpush", "s", "d"],
            &["lmpop", "1", "s", "left"],
        ] {
            assert_eq!(run(&mut m, 1, cmd), wrong, "{cmd:?}");
        }
        assert_eq!(value(&m, "s", 1).as_deref(), Some(&b"x"[..]));
        assert_eq!(m.store().db(0).len(), 1);
    }

    #[test]
    fn object_encoding_is_quicklist() {
        let mut m = Machine::new(16);
        run(&mut m, 1, &["rpush", "l", "a"]);
        let k = Bytes::from_static(b"l");
        let entry = m.store().db(0).get(&k, 1).cloned();
        assert_eq!(entry.map(|e| e.value.encoding()), Some("quicklist"));
    }

    /// A command of the model test, over keys `a` and `b` (and `s`, a string).
    #[derive(Debug, Clone)]
    enum Cmd {
        Push(&'static str, &'static str, Vec<String>),
        Pop(&'static str, &'static str, Option<i64>),
        Len(&'static str),
        Range(&'static str, i64, i64),
        Index(&'static str, i64),
        Set(&'static str, i64, String),
        Rem(&'static str, i64, String),
        Trim(&'static str, i64, i64),
        Insert(&'static str, bool, String, String),
        Pos(&'static str, String, Option<i64>, Option<i64>, Option<i64>),
        Move(&'static str, &'static str, End, End),
        MPop(Vec<&'static str>, End, Option<i64>),
    }

    fn key() -> impl Strategy<Value = &'static str> {
        prop_oneof![4 => Just("a"), 2 => Just("b"), 1 => Just("s")]
    }

    fn elem() -> impl Strategy<Value = String> {
        prop_oneof![
            6 => prop::sample::select(vec!["x", "y", "z", ""]).prop_map(String::from),
            1 => (100usize..3000).prop_map(|n| "w".repeat(n)),
        ]
    }

    fn end() -> impl Strategy<Value = End> {
        prop_oneof![Just(End::Left), Just(End::Right)]
    }

    fn idx() -> impl Strategy<Value = i64> {
        prop_oneof![8 => -12i64..12, 1 => Just(i64::MIN), 1 => Just(i64::MAX)]
    }

    fn cmd() -> impl Strategy<Value = Cmd> {
        let push = prop::sample::select(vec!["lpush", "rpush", "lpushx", "rpushx"]);
        let pop = prop::sample::select(vec!["lpop", "rpop"]);
        prop_oneof![
            8 => (push, key(), prop::collection::vec(elem(), 1..6))
                .prop_map(|(c, k, e)| Cmd::Push(c, k, e)),
            3 => (pop, key(), prop::option::of(-1i64..6)).prop_map(|(c, k, n)| Cmd::Pop(c, k, n)),
            1 => key().prop_map(Cmd::Len),
            2 => (key(), idx(), idx()).prop_map(|(k, s, e)| Cmd::Range(k, s, e)),
            2 => (key(), idx()).prop_map(|(k, i)| Cmd::Index(k, i)),
            1 => (key(), idx(), elem()).prop_map(|(k, i, e)| Cmd::Set(k, i, e)),
            1 => (key(), -3i64..4, elem()).prop_map(|(k, n, e)| Cmd::Rem(k, n, e)),
            1 => (key(), idx(), idx()).prop_map(|(k, s, e)| Cmd::Trim(k, s, e)),
            1 => (key(), any::<bool>(), elem(), elem())
                .prop_map(|(k, a, p, e)| Cmd::Insert(k, a, p, e)),
            2 => (
                key(),
                elem(),
                prop::option::of(prop_oneof![-3i64..4, Just(i64::MIN)]),
                prop::option::of(-1i64..3),
                prop::option::of(-1i64..5)
            )
                .prop_map(|(k, e, r, c, m)| Cmd::Pos(k, e, r, c, m)),
            2 => (key(), key(), end(), end()).prop_map(|(s, d, f, t)| Cmd::Move(s, d, f, t)),
            1 => (prop::sample::subsequence(vec!["a", "s", "b"], 1..3), end(),
                  prop::option::of(0i64..4))
                .prop_map(|(k, e, n)| Cmd::MPop(k, e, n)),
        ]
    }

    fn end_word(e: End) -> &'static str {
        match e {
            End::Left => "left",
            End::Right => "right",
        }
    }

    impl Cmd {
        fn argv(&self) -> Vec<String> {
            let mut v: Vec<String> = Vec::new();
            let mut add = |s: &str| v.push(s.to_string());
            match self {
                Cmd::Push(c, k, es) => {
                    add(c);
                    add(k);
                    es.iter().for_each(|e| add(e));
                }
                Cmd::Pop(c, k, n) => {
                    add(c);
                    add(k);
                    if let Some(n) = n {
                        add(&n.to_string());
                    }
                }
                Cmd::Len(k) => {
                    add("llen");
                    add(k);
                }
                Cmd::Range(k, s, e) => {
                    add("lrange");
                    add(k);
                    add(&s.to_string());
                    add(&e.to_string());
                }
                Cmd::Index(k, i) => {
                    add("lindex");
                    add(k);
                    add(&i.to_string());
                }
                Cmd::Set(k, i, e) => {
                    add("lset");
                    add(k);
                    add(&i.to_string());
                    add(e);
                }
                Cmd::Rem(k, n, e) => {
                    add("lrem");
                    add(k);
                    add(&n.to_string());
                    add(e);
                }
                Cmd::Trim(k, s, e) => {
                    add("ltrim");
                    add(k);
                    add(&s.to_string());
                    add(&e.to_string());
                }
                Cmd::Insert(k, after, p, e) => {
                    add("linsert");
                    add(k);
                    add(if *after { "after" } else { "before" });
                    add(p);
                    add(e);
                }
                Cmd::Pos(k, e, r, c, m) => {
                    add("lpos");
                    add(k);
                    add(e);
                    for (name, opt) in [("rank", r), ("count", c), ("maxlen", m)] {
                        if let Some(n) = opt {
                            add(name);
                            add(&n.to_string());
                        }
                    }
                }
                Cmd::Move(s, d, f, t) => {
                    add("lmove");
                    add(s);
                    add(d);
                    add(end_word(*f));
                    add(end_word(*t));
                }
                Cmd::MPop(keys, e, n) => {
                    add("lmpop");
                    add(&keys.len().to_string());
                    keys.iter().for_each(|k| add(k));
                    add(end_word(*e));
                    if let Some(n) = n {
                        add("count");
                        add(&n.to_string());
                    }
                }
            }
            v
        }
    }

    /// The reference: plain deques, with Redis's rules written the obvious way.
    #[derive(Default)]
    struct Model {
        lists: BTreeMap<&'static str, VecDeque<String>>,
    }

    fn b(s: &str) -> Reply {
        bulk(s)
    }

    fn arr(items: impl IntoIterator<Item = String>) -> Reply {
        Reply::Array(items.into_iter().map(|s| bulk(&s)).collect())
    }

    impl Model {
        fn wrong(&self, k: &str) -> bool {
            k == "s"
        }

        fn range(len: usize, s: i64, e: i64) -> Option<(usize, usize)> {
            let len = len as i128;
            let mut s = s as i128;
            let mut e = e as i128;
            if s < 0 {
                s += len;
            }
            if e < 0 {
                e += len;
            }
            s = s.max(0);
            if s > e || s >= len {
                return None;
            }
            e = e.min(len - 1);
            Some((s as usize, (e - s + 1) as usize))
        }

        fn index(len: usize, i: i64) -> Option<usize> {
            let i = if i < 0 {
                len as i128 + i as i128
            } else {
                i as i128
            };
            (0..len as i128).contains(&i).then_some(i as usize)
        }

        fn tidy(&mut self, k: &'static str) {
            if self.lists.get(k).is_some_and(VecDeque::is_empty) {
                self.lists.remove(k);
            }
        }

        fn apply(&mut self, cmd: &Cmd) -> Reply {
            let wrongtype =
                err("WRONGTYPE Operation against a key holding the wrong kind of value");
            match cmd {
                Cmd::Push(c, k, es) => {
                    if self.wrong(k) {
                        return wrongtype;
                    }
                    if c.ends_with('x') && !self.lists.contains_key(k) {
                        return int(0);
                    }
                    let l = self.lists.entry(k).or_default();
                    for e in es {
                        if c.starts_with('l') {
                            l.push_front(e.clone());
                        } else {
                            l.push_back(e.clone());
                        }
                    }
                    int(l.len() as i64)
                }
                Cmd::Pop(c, k, n) => {
                    if n.is_some_and(|n| n < 0) {
                        return err("ERR value is out of range, must be positive");
                    }
                    if self.wrong(k) {
                        return wrongtype;
                    }
                    let Some(l) = self.lists.get_mut(k) else {
                        return if n.is_some() {
                            Reply::NilArray
                        } else {
                            Reply::Nil
                        };
                    };
                    let mut one = || {
                        if c.starts_with('l') {
                            l.pop_front()
                        } else {
                            l.pop_back()
                        }
                    };
                    let reply = match n {
                        None => Reply::opt_bulk(one().map(|s| Bytes::from(s.into_bytes()))),
                        Some(n) => arr((0..*n).map_while(|_| one()).collect::<Vec<_>>()),
                    };
                    self.tidy(k);
                    reply
                }
                Cmd::Len(k) => {
                    if self.wrong(k) {
                        return wrongtype;
                    }
                    int(self.lists.get(k).map_or(0, |l| l.len() as i64))
                }
                Cmd::Range(k, s, e) => {
                    if self.wrong(k) {
                        return wrongtype;
                    }
                    let l = self.lists.get(k).cloned().unwrap_or_default();
                    match Model::range(l.len(), *s, *e) {
                        Some((s, n)) => arr(l.into_iter().skip(s).take(n)),
                        None => Reply::Array(vec![]),
                    }
                }
                Cmd::Index(k, i) => {
                    if self.wrong(k) {
                        return wrongtype;
                    }
                    let Some(l) = self.lists.get(k) else {
                        return Reply::Nil;
                    };
                    match Model::index(l.len(), *i) {
                        Some(i) => b(&l[i]),
                        None => Reply::Nil,
                    }
                }
                Cmd::Set(k, i, e) => {
                    if self.wrong(k) {
                        return wrongtype;
                    }
                    let Some(l) = self.lists.get_mut(k) else {
                        return err("ERR no such key");
                    };
                    match Model::index(l.len(), *i) {
                        Some(i) => {
                            l[i] = e.clone();
                            Reply::OK
                        }
                        None => err("ERR index out of range"),
                    }
                }
                Cmd::Rem(k, n, e) => {
                    if self.wrong(k) {
                        return wrongtype;
                    }
                    let Some(l) = self.lists.get_mut(k) else {
                        return int(0);
                    };
                    let limit = if *n == 0 {
                        usize::MAX
                    } else {
                        n.unsigned_abs() as usize
                    };
                    let mut removed = 0;
                    let mut kept = VecDeque::new();
                    if *n < 0 {
                        for x in l.drain(..).rev() {
                            if x == *e && removed < limit {
                                removed += 1;
                            } else {
                                kept.push_front(x);
                            }
                        }
                    } else {
                        for x in l.drain(..) {
                            if x == *e && removed < limit {
                                removed += 1;
                            } else {
                                kept.push_back(x);
                            }
                        }
                    }
                    *l = kept;
                    self.tidy(k);
                    int(removed as i64)
                }
                Cmd::Trim(k, s, e) => {
                    if self.wrong(k) {
                        return wrongtype;
                    }
                    if let Some(l) = self.lists.get_mut(k) {
                        *l = match Model::range(l.len(), *s, *e) {
                            Some((s, n)) => l.iter().skip(s).take(n).cloned().collect(),
                            None => VecDeque::new(),
                        };
                        self.tidy(k);
                    }
                    Reply::OK
                }
                Cmd::Insert(k, after, p, e) => {
                    if self.wrong(k) {
                        return wrongtype;
                    }
                    let Some(l) = self.lists.get_mut(k) else {
                        return int(0);
                    };
                    match l.iter().position(|x| x == p) {
                        Some(at) => {
                            l.insert(if *after { at + 1 } else { at }, e.clone());
                            int(l.len() as i64)
                        }
                        None => int(-1),
                    }
                }
                Cmd::Pos(k, e, rank, count, maxlen) => {
                    if *rank == Some(0) {
                        return err(
                            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
                        );
                    }
                    if count.is_some_and(|c| c < 0) {
                        return err("ERR COUNT can't be negative");
                    }
                    if maxlen.is_some_and(|m| m < 0) {
                        return err("ERR MAXLEN can't be negative");
                    }
                    if self.wrong(k) {
                        return wrongtype;
                    }
                    let l = self.lists.get(k).cloned().unwrap_or_default();
                    let rank = rank.unwrap_or(1);
                    let maxlen = maxlen.unwrap_or(0) as usize;
                    let scan = if maxlen == 0 {
                        l.len()
                    } else {
                        maxlen.min(l.len())
                    };
                    let positions: Vec<i64> = if rank > 0 {
                        (0..scan)
                            .filter(|&i| l[i] == *e)
                            .map(|i| i as i64)
                            .collect()
                    } else {
                        (0..scan)
                            .map(|j| l.len() - 1 - j)
                            .filter(|&i| l[i] == *e)
                            .map(|i| i as i64)
                            .collect()
                    };
                    // i64::MIN as a rank matches from the first match (Redis negates it in
                    // C, which leaves it negative) and never reaches a COUNT.
                    let (skip, unlimited) = if rank == i64::MIN {
                        (0, true)
                    } else {
                        (rank.unsigned_abs() as usize - 1, false)
                    };
                    let found = positions.into_iter().skip(skip);
                    match count {
                        None => found.into_iter().next().map_or(Reply::Nil, int),
                        Some(c) => {
                            let take = if *c == 0 || unlimited {
                                usize::MAX
                            } else {
                                *c as usize
                            };
                            Reply::Array(found.take(take).map(int).collect())
                        }
                    }
                }
                Cmd::Move(s, d, f, t) => {
                    if self.wrong(s) {
                        return wrongtype;
                    }
                    if !self.lists.contains_key(s) {
                        return Reply::Nil;
                    }
                    if self.wrong(d) {
                        return wrongtype;
                    }
                    let l = self.lists.entry(s).or_default();
                    let v = match f {
                        End::Left => l.pop_front(),
                        End::Right => l.pop_back(),
                    };
                    let Some(v) = v else { return Reply::Nil };
                    self.tidy(s);
                    let l = self.lists.entry(d).or_default();
                    match t {
                        End::Left => l.push_front(v.clone()),
                        End::Right => l.push_back(v.clone()),
                    }
                    b(&v)
                }
                Cmd::MPop(keys, end, n) => {
                    if n == &Some(0) {
                        return err("ERR count should be greater than 0");
                    }
                    for k in keys {
                        if self.wrong(k) {
                            return wrongtype;
                        }
                        let Some(l) = self.lists.get_mut(k) else {
                            continue;
                        };
                        let mut popped = Vec::new();
                        for _ in 0..n.unwrap_or(1) {
                            let v = match end {
                                End::Left => l.pop_front(),
                                End::Right => l.pop_back(),
                            };
                            popped.extend(v);
                        }
                        self.tidy(k);
                        return Reply::Array(vec![b(k), arr(popped)]);
                    }
                    Reply::NilArray
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Random command sequences through the state machine answer exactly as the model,
        /// and leave the same lists behind.
        #[test]
        fn commands_match_a_deque_model(cmds in prop::collection::vec(cmd(), 1..120)) {
            let mut m = Machine::new(1);
            run(&mut m, 1, &["set", "s", "str"]);
            let mut model = Model::default();
            for c in &cmds {
                let argv = c.argv();
                let words: Vec<&str> = argv.iter().map(String::as_str).collect();
                let got = run(&mut m, 1, &words);
                let want = model.apply(c);
                prop_assert_eq!(got, want, "{:?}", words);
            }
            for k in ["a", "b"] {
                let want = model.lists.get(k).cloned().unwrap_or_default();
                let got = run(&mut m, 1, &["lrange", k, "0", "-1"]);
                prop_assert_eq!(got, arr(want.clone()));
                let exists = m.store().db(0).contains(&Bytes::from_static(k.as_bytes()), 1);
                prop_assert_eq!(exists, !want.is_empty());
            }
        }
    }
}
