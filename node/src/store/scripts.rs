//! The Lua script cache (SCRIPT LOAD, EVAL): script bodies by their SHA1.
//!
//! It is part of the replicated state: SCRIPT LOAD and SCRIPT FLUSH go through the log, so
//! every node knows every script and EVALSHA works wherever it is sent; a snapshot carries the
//! bodies (RDB AUX fields `lua`, as Redis 6 stored them). Persistent map: cloning it for a
//! write's `prepare` or a snapshot is O(1).

use bytes::Bytes;
use imbl::OrdMap;

/// Script bodies by their lower-case hex SHA1.
#[derive(Clone, Default, Debug, PartialEq)]
pub struct Scripts {
    by_sha: OrdMap<Bytes, Bytes>,
}

/// The lower-case hex SHA1 of `body`, the name EVALSHA uses.
pub fn sha1_hex(body: &[u8]) -> String {
    sha1_smol::Sha1::from(body).digest().to_string()
}

impl Scripts {
    /// Adds `body` and returns its SHA1.
    pub fn insert(&mut self, body: Bytes) -> Bytes {
        let sha = Bytes::from(sha1_hex(&body));
        self.by_sha.insert(sha.clone(), body);
        sha
    }

    /// The body whose SHA1 is `sha` (any case).
    pub fn get(&self, sha: &[u8]) -> Option<&Bytes> {
        if sha.len() != 40 {
            return None;
        }
        self.by_sha.get(&sha.to_ascii_lowercase()[..])
    }

    pub fn contains(&self, sha: &[u8]) -> bool {
        self.get(sha).is_some()
    }

    pub fn clear(&mut self) {
        self.by_sha = OrdMap::new();
    }

    pub fn len(&self) -> usize {
        self.by_sha.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_sha.is_empty()
    }

    /// Every body, in SHA1 order (the same on every node: snapshots are byte-identical).
    pub fn bodies(&self) -> impl Iterator<Item = &Bytes> {
        self.by_sha.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_found_by_sha_in_any_case() {
        let mut s = Scripts::default();
        let sha = s.insert(Bytes::from_static(b"return 1"));
        assert_eq!(&sha[..], b"e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
        assert!(s.contains(b"E0E1F9FABFC9D4800C877A703B823AC0578FF8DB"));
        assert!(!s.contains(b"e0e1"));
        s.clear();
        assert!(s.is_empty());
    }
}
