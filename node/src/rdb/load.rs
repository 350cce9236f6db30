//! Values out of the file: every value type Redis has written, into the store's types.
//!
//! The encoding a value loads into follows the file, so that a snapshot restores exactly what
//! was saved (see `encode.rs` for the other direction):
//! - the plain types Redis 7.0 writes only for its big encodings (2 set, 4 hash, 5 sorted set)
//!   load as hashtable / table / skiplist, whatever their size. Redis 7.0 itself would turn a
//!   small one back into a compact encoding; we do not, because the node that saved it held
//!   it in the big encoding (it had grown and shrunk again) and every replica must hold the
//!   same encoding as that node;
//! - compact encodings (intset, ziplist, listpack, zipmap) load compact, converted to the big
//!   encoding when they exceed redraft's limits, as Redis converts on load;
//! - the legacy text-score sorted set (type 3) takes the encoding its size calls for, as Redis;
//! - lists have one encoding and are rebuilt element by element.
//!
//! An empty collection loads as `None`: Redis 7.0 skips such keys.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;

use super::elem::Elem;
use super::error::RdbError;
use super::format::*;
use super::input::Input;
use super::{intset, listpack, ziplist, zipmap};
use crate::store::{Hash, List, Set, SetMember, Str, Value, ZSet};

/// Where a value sits: for error messages.
pub(super) struct At<'k> {
    pub db: usize,
    pub key: &'k [u8],
    /// Offset of the value's type byte.
    pub offset: usize,
}

/// Reads the value of RDB type `rdb_type`. `Ok(None)`: an empty collection, to skip.
pub(super) fn value(
    input: &mut Input<'_>,
    rdb_type: u8,
    at: &At<'_>,
) -> Result<Option<Value>, RdbError> {
    let value = match rdb_type {
        TYPE_STRING => Value::Str(Str::new(&input.string("string value")?)),
        TYPE_LIST => list_plain(input)?,
        TYPE_LIST_ZIPLIST => {
            let (blob, pos) = blob(input, "list ziplist")?;
            list_of(ziplist::decode(&blob, pos)?)
        }
        TYPE_LIST_QUICKLIST => quicklist(input, false)?,
        TYPE_LIST_QUICKLIST_2 => quicklist(input, true)?,
        TYPE_SET => set_plain(input)?,
        TYPE_SET_INTSET => {
            let (blob, pos) = blob(input, "intset")?;
            let ints = intset::decode(&blob, pos)?;
            Value::Set(Arc::new(Set::from_members(
                ints.into_iter().map(SetMember::Int),
            )))
        }
        TYPE_SET_LISTPACK => {
            let (blob, pos) = blob(input, "set listpack")?;
            set_packed(listpack::decode(&blob, pos)?, pos)?
        }
        TYPE_HASH => hash_plain(input)?,
        TYPE_HASH_ZIPMAP => {
            let (blob, pos) = blob(input, "hash zipmap")?;
            let pairs = zipmap::decode(&blob, pos)?;
            hash_packed(
                pairs
                    .into_iter()
                    .map(|(f, v)| (Cow::Borrowed(f), Cow::Borrowed(v))),
                pos,
            )?
        }
        TYPE_HASH_ZIPLIST | TYPE_HASH_LISTPACK => {
            let (blob, pos) = blob(input, "hash ziplist/listpack")?;
            let elems = packed(rdb_type == TYPE_HASH_LISTPACK, &blob, pos)?;
            hash_packed(
                pairs(&elems, pos)?.map(|(f, v)| (f.bytes(), v.bytes())),
                pos,
            )?
        }
        TYPE_ZSET | TYPE_ZSET_2 => zset_plain(input, rdb_type == TYPE_ZSET_2)?,
        TYPE_ZSET_ZIPLIST | TYPE_ZSET_LISTPACK => {
            let (blob, pos) = blob(input, "zset ziplist/listpack")?;
            let elems = packed(rdb_type == TYPE_ZSET_LISTPACK, &blob, pos)?;
            zset_packed(&elems, pos)?
        }
        _ => return Err(unsupported(input, rdb_type, at)),
    };
    Ok(Some(value).filter(|v| !super::encode::is_empty(v)))
}

/// The error for a type redraft does not hold or does not know.
fn unsupported(input: &mut Input<'_>, rdb_type: u8, at: &At<'_>) -> RdbError {
    let kind = match rdb_type {
        TYPE_STREAM_LISTPACKS | TYPE_STREAM_LISTPACKS_2 | TYPE_STREAM_LISTPACKS_3 => {
            "stream".into()
        }
        TYPE_MODULE_PRE_GA | TYPE_MODULE_2 => match input.len("module id") {
            Ok(id) => format!("value of module {}", super::read::module_name(id)),
            Err(_) => "module value".into(),
        },
        _ => {
            return RdbError::Unsupported {
                offset: at.offset,
                message: format!(
                    "unknown value type {rdb_type} for key {}",
                    super::error::Printable(at.key)
                ),
            };
        }
    };
    RdbError::UnsupportedType {
        offset: at.offset,
        db: at.db,
        key: at.key.to_vec(),
        kind,
        rdb_type,
    }
}

/// A string holding a packed container, and its offset (for errors).
fn blob<'a>(input: &mut Input<'a>, what: &'static str) -> Result<(Cow<'a, [u8]>, usize), RdbError> {
    let pos = input.pos();
    Ok((input.string(what)?, pos))
}

fn packed(listpack: bool, blob: &[u8], pos: usize) -> Result<Vec<Elem<'_>>, RdbError> {
    if listpack {
        listpack::decode(blob, pos)
    } else {
        ziplist::decode(blob, pos)
    }
}

/// Consecutive elements taken two by two; an odd count is corrupt.
fn pairs<'e, 'a>(
    elems: &'e [Elem<'a>],
    pos: usize,
) -> Result<impl Iterator<Item = (Elem<'a>, Elem<'a>)> + 'e, RdbError> {
    if !elems.len().is_multiple_of(2) {
        return Err(RdbError::corrupt(
            pos,
            format!("{} elements do not make pairs", elems.len()),
        ));
    }
    Ok(elems.chunks_exact(2).map(|p| (p[0], p[1])))
}

fn list_of(elems: Vec<Elem<'_>>) -> Value {
    let mut list = List::new();
    for e in elems {
        list.push_back(&e.bytes());
    }
    Value::List(Arc::new(list))
}

fn list_plain(input: &mut Input<'_>) -> Result<Value, RdbError> {
    let n = input.count(1, "list length")?;
    let mut list = List::new();
    for _ in 0..n {
        list.push_back(&input.string("list element")?);
    }
    Ok(Value::List(Arc::new(list)))
}

/// A quicklist: v1 nodes are ziplists; v2 nodes are a container kind (plain element or
/// listpack) and a string. Empty nodes are skipped, as Redis does.
fn quicklist(input: &mut Input<'_>, v2: bool) -> Result<Value, RdbError> {
    let nodes = input.count(2, "quicklist node count")?;
    let mut list = List::new();
    for _ in 0..nodes {
        let container = if v2 {
            input.len("quicklist container")?
        } else {
            QUICKLIST_NODE_PACKED
        };
        let (blob, pos) = blob(input, "quicklist node")?;
        match container {
            QUICKLIST_NODE_PLAIN => list.push_back(&blob),
            QUICKLIST_NODE_PACKED => {
                let elems = packed(v2, &blob, pos)?;
                for e in elems {
                    list.push_back(&e.bytes());
                }
            }
            other => {
                return Err(RdbError::corrupt(
                    pos,
                    format!("unknown quicklist container {other}"),
                ));
            }
        }
    }
    Ok(Value::List(Arc::new(list)))
}

fn set_plain(input: &mut Input<'_>) -> Result<Value, RdbError> {
    let n = input.count(1, "set length")?;
    let mut set = Set::new_table(n);
    for _ in 0..n {
        let pos = input.pos();
        if !set.insert(&input.string("set member")?) {
            return Err(RdbError::corrupt(pos, "duplicate set member"));
        }
    }
    Ok(Value::Set(Arc::new(set)))
}

fn set_packed(elems: Vec<Elem<'_>>, pos: usize) -> Result<Value, RdbError> {
    let mut set = Set::new();
    for e in elems {
        if !set.insert(&e.bytes()) {
            return Err(RdbError::corrupt(pos, "duplicate set member"));
        }
    }
    Ok(Value::Set(Arc::new(set)))
}

fn hash_plain(input: &mut Input<'_>) -> Result<Value, RdbError> {
    let n = input.count(2, "hash length")?;
    let mut hash = Hash::new_table();
    for _ in 0..n {
        let pos = input.pos();
        let field = input.string("hash field")?;
        let value = input.string("hash value")?;
        if !hash.insert(&field, &value) {
            return Err(RdbError::corrupt(pos, "duplicate hash field"));
        }
    }
    Ok(Value::Hash(hash))
}

/// A compact hash, in field order; it turns into a table past redraft's limits.
fn hash_packed<'a>(
    pairs: impl Iterator<Item = (Cow<'a, [u8]>, Cow<'a, [u8]>)>,
    pos: usize,
) -> Result<Value, RdbError> {
    let mut hash = Hash::new();
    for (f, v) in pairs {
        if !hash.insert(&f, &v) {
            return Err(RdbError::corrupt(pos, "duplicate hash field"));
        }
    }
    Ok(Value::Hash(hash))
}

fn zset_plain(input: &mut Input<'_>, binary: bool) -> Result<Value, RdbError> {
    let n = input.count(if binary { 9 } else { 2 }, "zset length")?;
    let mut items = Vec::with_capacity(n);
    for _ in 0..n {
        let pos = input.pos();
        let member = input.string("zset member")?;
        let score = if binary {
            input.binary_double("zset score")?
        } else {
            input.text_double("zset score")?
        };
        if score.is_nan() {
            return Err(RdbError::corrupt(pos, "zset score is NaN"));
        }
        items.push((member, score));
    }
    if binary {
        let mut zset = ZSet::new_skiplist();
        for (m, score) in items {
            if zset.insert(&m, score).is_some() {
                return Err(RdbError::corrupt(input.pos(), "duplicate zset member"));
            }
        }
        return Ok(Value::ZSet(zset));
    }
    sorted_zset(items, input.pos())
}

fn zset_packed(elems: &[Elem<'_>], pos: usize) -> Result<Value, RdbError> {
    let items = pairs(elems, pos)?
        .map(|(m, s)| {
            let score = s
                .score()
                .ok_or_else(|| RdbError::corrupt(pos, "zset score is not a number"))?;
            Ok((m.bytes(), score))
        })
        .collect::<Result<Vec<_>, RdbError>>()?;
    sorted_zset(items, pos)
}

/// Sorts, checks members are distinct, and builds the encoding the size calls for.
fn sorted_zset(mut items: Vec<(Cow<'_, [u8]>, f64)>, pos: usize) -> Result<Value, RdbError> {
    let mut seen = HashSet::with_capacity(items.len());
    if !items.iter().all(|(m, _)| seen.insert(m.clone())) {
        return Err(RdbError::corrupt(pos, "duplicate zset member"));
    }
    // Scores compare as Redis compares them (-0 equals 0); there is no NaN here.
    items.sort_by(|a, b| {
        a.1.partial_cmp(&b.1)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.0.cmp(&b.0))
    });
    Ok(Value::ZSet(ZSet::from_sorted(items)))
}
