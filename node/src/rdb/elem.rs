//! One element of a packed container (ziplist, listpack, intset): bytes or an integer.

use std::borrow::Cow;

/// An element as a compact encoding stores it: a string, or an integer that stands for its
/// decimal text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Elem<'a> {
    Str(&'a [u8]),
    Int(i64),
}

impl<'a> Elem<'a> {
    /// The element's bytes (an integer as Redis prints it).
    pub fn bytes(self) -> Cow<'a, [u8]> {
        match self {
            Elem::Str(s) => Cow::Borrowed(s),
            Elem::Int(v) => Cow::Owned(itoa::Buffer::new().format(v).as_bytes().to_vec()),
        }
    }

    /// The element as a sorted-set score: an integer exactly, text as `strtod` reads it.
    pub fn score(self) -> Option<f64> {
        match self {
            Elem::Int(v) => Some(v as f64),
            Elem::Str(s) => super::input::parse_double(s),
        }
    }
}
