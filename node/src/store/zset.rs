//! A sorted set: distinct members ordered by score, then by bytes (Redis sorted sets).
//!
//! Not yet implemented beyond its shape: the collections issue fills this in.

/// A sorted set: distinct members ordered by score, then by bytes (Redis sorted sets).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ZSet {
    len: usize,
}

impl ZSet {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The name OBJECT ENCODING answers.
    pub fn encoding(&self) -> &'static str {
        "listpack"
    }

    /// Approximate heap bytes used.
    pub fn heap_size(&self) -> usize {
        0
    }
}
