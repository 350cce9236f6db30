//! String values, sized for a keyspace of many small keys.
//!
//! A [`Str`] is 24 bytes and keeps [`Value`](super::Value) at 24: a keyspace slot (key handle
//! plus entry) is then 56 bytes, and a full B-tree leaf of sixteen slots fits jemalloc's
//! 1024-byte class (with `Bytes`, 32 bytes on its own, a leaf took the 1280-byte class).
//!
//! - Up to [`INLINE`] bytes sit in the value itself: no allocation at all, which is most
//!   counters, flags, short tokens and ids.
//! - Longer strings are one exact-size `Arc<[u8]>`. Cloning one (a snapshot's point-in-time
//!   copy of a B-tree leaf) shares it instead of copying, and a large value is answered
//!   without a copy.
//! - A string that APPEND or SETRANGE changed becomes an `Arc<Vec<u8>>` that grows with
//!   spare capacity, so repeated appends are amortized O(1) as with Redis's sds; it is copied
//!   first only while a snapshot still shares it.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;

/// Longest string held inline.
pub const INLINE: usize = 22;

/// Above this length a reply shares a string's buffer instead of copying it.
const SHARE_REPLY_ABOVE: usize = 4096;

/// A string value (binary-safe). Equal when the bytes are.
#[derive(Clone)]
pub struct Str(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Shared(Arc<[u8]>),
    Growing(Arc<Vec<u8>>),
}

impl Str {
    /// A string holding a copy of `bytes`.
    pub fn new(bytes: &[u8]) -> Str {
        if bytes.len() <= INLINE {
            let mut inline = [0; INLINE];
            inline[..bytes.len()].copy_from_slice(bytes);
            Str(Repr::Inline {
                len: bytes.len() as u8,
                bytes: inline,
            })
        } else {
            Str(Repr::Shared(Arc::from(bytes)))
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Repr::Shared(b) => b,
            Repr::Growing(v) => v,
        }
    }

    /// The bytes for a reply: copied, or shared when the string is large.
    pub fn to_bytes(&self) -> Bytes {
        if self.len() > SHARE_REPLY_ABOVE {
            // A clone of a heap string is a reference count: the reply owns one.
            Bytes::from_owner(self.clone())
        } else {
            Bytes::copy_from_slice(self.as_bytes())
        }
    }

    /// The bytes to change in place (APPEND, SETRANGE). The string becomes a growable buffer
    /// once, and is copied only while something else (a snapshot) shares it.
    pub fn make_mut(&mut self) -> &mut Vec<u8> {
        if !matches!(self.0, Repr::Growing(_)) {
            self.0 = Repr::Growing(Arc::new(self.as_bytes().to_vec()));
        }
        match &mut self.0 {
            Repr::Growing(v) => Arc::make_mut(v),
            _ => unreachable!("the string was made growable above"),
        }
    }
}

impl std::ops::Deref for Str {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl AsRef<[u8]> for Str {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl From<&str> for Str {
    fn from(text: &str) -> Str {
        Str::new(text.as_bytes())
    }
}

impl PartialEq for Str {
    fn eq(&self, other: &Str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Str {}

impl fmt::Debug for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&Bytes::copy_from_slice(self.as_bytes()), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_string_is_24_bytes() {
        assert_eq!(std::mem::size_of::<Str>(), 24);
    }

    #[test]
    fn every_length_keeps_its_bytes() {
        for len in [
            0,
            1,
            INLINE - 1,
            INLINE,
            INLINE + 1,
            100,
            SHARE_REPLY_ABOVE + 1,
        ] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
            let s = Str::new(&bytes);
            assert_eq!(s.as_bytes(), &bytes[..], "length {len}");
            assert_eq!(&s.to_bytes()[..], &bytes[..], "length {len}");
            assert_eq!(s.clone(), s);
        }
    }

    #[test]
    fn short_strings_are_inline_and_long_ones_shared() {
        assert!(matches!(Str::new(&[b'x'; INLINE]).0, Repr::Inline { .. }));
        let long = Str::new(&[b'x'; INLINE + 1]);
        let Repr::Shared(a) = &long.0 else {
            panic!("a long string is shared");
        };
        let copy = long.clone();
        let Repr::Shared(b) = &copy.0 else {
            panic!("its clone too");
        };
        assert!(Arc::ptr_eq(a, b), "a clone shares the buffer");
    }

    #[test]
    fn changing_a_shared_string_leaves_its_clone_alone() {
        for start in [&b"short"[..], &[b'y'; 100][..]] {
            let mut s = Str::new(start);
            let snapshot = s.clone();
            s.make_mut().extend_from_slice(b"-tail");
            assert_eq!(snapshot.as_bytes(), start);
            assert_eq!(s.as_bytes(), [start, b"-tail"].concat());
        }
    }

    #[test]
    fn appends_grow_one_buffer() {
        let mut s = Str::new(b"");
        s.make_mut().reserve(1000);
        let buffer = s.make_mut().as_ptr();
        for _ in 0..900 {
            s.make_mut().push(b'b');
        }
        assert_eq!(
            s.make_mut().as_ptr(),
            buffer,
            "no copy while capacity lasts"
        );
        assert_eq!(s.len(), 900);
    }
}
