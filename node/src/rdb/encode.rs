//! Values in the file: which RDB type each in-memory encoding is saved as, and its bytes.
//!
//! Each value is saved in the RDB type of its in-memory encoding, as Redis does, so that a
//! node loading the file rebuilds the same encoding (set member order, hash field order and
//! several replies depend on it; replicas must agree):
//!
//! | value | encoding | RDB type |
//! | --- | --- | --- |
//! | string | — | 0, integer-encoded or LZF where Redis would |
//! | list | any | 18, quicklist of listpack nodes of up to 8 KiB |
//! | set | intset | 11 (at the narrowest width) |
//! | set | hashtable | 2 |
//! | hash | listpack | 16, fields in their order |
//! | hash | hashtable | 4 |
//! | sorted set | listpack | 17 |
//! | sorted set | skiplist | 5 (binary scores, highest first as Redis writes them) |

use std::io::{self, Write};

use super::format::*;
use super::intset;
use super::listpack::{self, Builder};
use super::sink::Sink;
use crate::store::{Hash, List, Set, SetMember, Value, ZSet};

/// The RDB type byte `value` is saved with.
pub(super) fn value_type(value: &Value) -> u8 {
    match value {
        Value::Str(_) => TYPE_STRING,
        Value::List(_) => TYPE_LIST_QUICKLIST_2,
        Value::Set(s) if s.is_intset() => TYPE_SET_INTSET,
        Value::Set(_) => TYPE_SET,
        Value::Hash(h) if h.is_packed() => TYPE_HASH_LISTPACK,
        Value::Hash(_) => TYPE_HASH,
        Value::ZSet(z) if z.encoding() == "listpack" => TYPE_ZSET_LISTPACK,
        Value::ZSet(_) => TYPE_ZSET_2,
    }
}

/// Whether the value is an empty collection (Redis skips those on load; we never write one).
pub(super) fn is_empty(value: &Value) -> bool {
    match value {
        Value::Str(_) => false,
        Value::List(l) => l.is_empty(),
        Value::Set(s) => s.is_empty(),
        Value::Hash(h) => h.is_empty(),
        Value::ZSet(z) => z.is_empty(),
    }
}

/// Writes the value's bytes (after its type byte and key).
pub(super) fn write_value<W: Write>(sink: &mut Sink<W>, value: &Value) -> io::Result<()> {
    match value {
        Value::Str(s) => sink.string(s),
        Value::List(l) => write_list(sink, l),
        Value::Set(s) => write_set(sink, s),
        Value::Hash(h) => write_hash(sink, h),
        Value::ZSet(z) => write_zset(sink, z),
    }
}

/// A quicklist of listpack nodes, cut greedily at 8 KiB of listpack: the cuts depend only on
/// the elements, never on how the list happens to be chunked in memory.
fn write_list<W: Write>(sink: &mut Sink<W>, list: &List) -> io::Result<()> {
    let mut counts = Vec::new();
    let (mut size, mut count) = (0, 0);
    for item in list.iter() {
        let need = listpack::entry_size(item);
        if count > 0 && size + need > QUICKLIST_NODE_BYTES {
            counts.push(count);
            (size, count) = (0, 0);
        }
        size += if count == 0 { 7 + need } else { need };
        count += 1;
    }
    if count > 0 {
        counts.push(count);
    }
    sink.len(counts.len() as u64)?;
    let mut items = list.iter();
    for n in counts {
        let mut node = Builder::new();
        for item in items.by_ref().take(n) {
            node.push(item);
        }
        sink.len(QUICKLIST_NODE_PACKED)?;
        sink.string(&node.finish())?;
    }
    Ok(())
}

fn write_set<W: Write>(sink: &mut Sink<W>, set: &Set) -> io::Result<()> {
    if set.is_intset() {
        let ints: Vec<i64> = set
            .iter()
            .filter_map(|m| match m {
                SetMember::Int(v) => Some(v),
                SetMember::Str(_) => None,
            })
            .collect();
        return sink.string(&intset::encode(&ints));
    }
    sink.len(set.len() as u64)?;
    for m in set.iter() {
        m.with_bytes(|b| sink.string(b))?;
    }
    Ok(())
}

fn write_hash<W: Write>(sink: &mut Sink<W>, hash: &Hash) -> io::Result<()> {
    if hash.is_packed() {
        let mut lp = Builder::new();
        for (f, v) in hash.iter() {
            lp.push(f);
            lp.push(v);
        }
        return sink.string(&lp.finish());
    }
    sink.len(hash.len() as u64)?;
    for (f, v) in hash.iter() {
        sink.string(f)?;
        sink.string(v)?;
    }
    Ok(())
}

fn write_zset<W: Write>(sink: &mut Sink<W>, zset: &ZSet) -> io::Result<()> {
    if zset.encoding() == "listpack" {
        let mut lp = Builder::new();
        for (m, score) in zset.iter() {
            lp.push(m);
            lp.push(&score_text(score));
        }
        return sink.string(&lp.finish());
    }
    sink.len(zset.len() as u64)?;
    for (m, score) in zset.range(0, zset.len(), true) {
        sink.string(m)?;
        sink.put(&score.to_le_bytes())?;
    }
    Ok(())
}

/// A score as text for a listpack, as Redis's `d2string` chooses: integers in (-2^52, 2^52)
/// in decimal (the listpack then stores them as integers), `-0`, `inf`, `-inf`, otherwise
/// the shortest text that reads back as exactly the same double.
pub(super) fn score_text(score: f64) -> Vec<u8> {
    const LIMIT: f64 = 4_503_599_627_370_496.0; // 2^52
    if score == 0.0 && score.is_sign_negative() {
        b"-0".to_vec()
    } else if score.is_infinite() {
        if score > 0.0 {
            b"inf".to_vec()
        } else {
            b"-inf".to_vec()
        }
    } else if score.fract() == 0.0 && score.abs() < LIMIT {
        itoa::Buffer::new().format(score as i64).as_bytes().to_vec()
    } else {
        ryu::Buffer::new().format(score).as_bytes().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::super::input::parse_double;
    use super::*;

    #[test]
    fn score_text_reads_back_exactly() {
        for v in [
            0.0,
            -0.0,
            1.5,
            -2.25,
            0.1,
            1e100,
            -1e-100,
            5e-324,
            f64::MAX,
            f64::INFINITY,
            f64::NEG_INFINITY,
            4_503_599_627_370_495.0,
            9_007_199_254_740_992.0,
            -3.0,
        ] {
            let text = score_text(v);
            let back = parse_double(&text).expect("parses");
            assert_eq!(
                back.to_bits(),
                v.to_bits(),
                "{v} as {:?}",
                text.escape_ascii().to_string()
            );
        }
        assert_eq!(score_text(3.0), b"3");
        assert_eq!(score_text(-0.0), b"-0");
    }
}
