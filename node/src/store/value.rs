//! Values and keyspace entries.

use std::sync::Arc;

use super::{Hash, List, Set, Str, ZSet};

/// A value of one of Redis's types.
///
/// Lists and sets sit behind an `Arc`: cloning a value (COPY, a snapshot's point-in-time view
/// of the keyspace) shares it, and a write copies it first only while it is shared
/// (`Arc::make_mut`), which is copy-on-write per key. Hashes and sorted sets are 16 bytes and
/// held inline: their common small form is one packed buffer, and an `Arc` around it would cost
/// an allocation per key (the memory target is per small key); cloning one copies that buffer.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A string (binary-safe). Integers are kept as their decimal text, as Redis's `int`
    /// encoding still answers GET with that text.
    Str(Str),
    List(Arc<List>),
    Hash(Hash),
    Set(Arc<Set>),
    ZSet(ZSet),
}

// A keyspace slot is a key handle and an entry; at 24 bytes a value keeps a slot at 56, and a
// full B-tree leaf of them in jemalloc's 1024-byte class (see `string`).
const _: () = assert!(std::mem::size_of::<Value>() == 24);

impl Value {
    /// The name TYPE answers.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
            Value::List(_) => "list",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            Value::ZSet(_) => "zset",
        }
    }

    /// The name OBJECT ENCODING answers, following Redis's rules for strings: `int` for a
    /// canonical 64-bit integer, `embstr` up to 44 bytes, `raw` above.
    pub fn encoding(&self) -> &'static str {
        match self {
            Value::Str(s) => {
                if s.len() <= 20 && parse_canonical_i64(s).is_some() {
                    "int"
                } else if s.len() <= 44 {
                    "embstr"
                } else {
                    "raw"
                }
            }
            Value::List(l) => l.encoding(),
            Value::Hash(h) => h.encoding(),
            Value::Set(s) => s.encoding(),
            Value::ZSet(z) => z.encoding(),
        }
    }

    /// Approximate bytes used by this value (for MEMORY USAGE and INFO).
    pub fn heap_size(&self) -> usize {
        match self {
            Value::Str(s) => s.len(),
            Value::List(l) => l.heap_size(),
            Value::Hash(h) => h.heap_size(),
            Value::Set(s) => s.heap_size(),
            Value::ZSet(z) => z.heap_size(),
        }
    }
}

/// An integer written exactly as Redis would print it, parsed as Redis's `string2ll`: an
/// optional `-`, then digits with no leading zero (except `0` itself), no spaces, no `+`,
/// within i64. The one strict integer parser: `cmd::args` and the intset use it too.
pub fn parse_canonical_i64(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (negative, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    let mut v: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    if negative {
        // i64::MIN's magnitude is one more than i64::MAX.
        0i64.checked_sub_unsigned(v)
    } else {
        i64::try_from(v).ok()
    }
}

/// One key's entry: its value, its expiry and the log index of its last change.
#[derive(Clone, Debug)]
pub struct Entry {
    pub value: Value,
    /// Absolute expiry in unix milliseconds; 0 when the key does not expire.
    pub(crate) expire_at: u64,
    /// Log index of the last change (for WATCH); keys loaded from a snapshot carry its index.
    pub version: u64,
}

impl Entry {
    pub fn new(value: Value, version: u64) -> Entry {
        Entry {
            value,
            expire_at: 0,
            version,
        }
    }

    /// An entry expiring at `expire_at` (unix ms), or never when `None`.
    pub fn with_expire(value: Value, expire_at: Option<u64>, version: u64) -> Entry {
        Entry {
            value,
            expire_at: expire_at.unwrap_or(0),
            version,
        }
    }

    /// The absolute expiry in milliseconds, if any.
    pub fn expire_at(&self) -> Option<u64> {
        (self.expire_at != 0).then_some(self.expire_at)
    }

    /// Whether the key is logically gone at `now_ms` (Redis: `now > when`).
    pub fn is_expired(&self, now_ms: u64) -> bool {
        self.expire_at != 0 && now_ms > self.expire_at
    }
}
