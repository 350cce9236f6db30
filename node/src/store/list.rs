//! A list of strings (Redis lists).
//!
//! Not yet implemented beyond its shape: the collections issue fills this in.

/// A list of strings (Redis lists).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct List {
    len: usize,
}

impl List {
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
