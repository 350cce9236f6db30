//! Why an RDB file could not be loaded.

use std::fmt;

/// An RDB file that cannot be loaded, with the byte offset where the problem was found.
///
/// A loader never half-applies a file: any of these means the whole file is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RdbError {
    /// The first five bytes are not `REDIS`.
    #[error("not an RDB file: it does not start with \"REDIS\"")]
    NotRdb,
    /// The four version digits are missing or name a version this reader does not know.
    #[error("unsupported RDB version {version:?} (this reader loads versions 1 to 12)")]
    Version { version: String },
    /// The file ends before a complete structure.
    #[error("truncated RDB file: offset {offset} is inside {what}, but the file ends there")]
    Truncated { offset: usize, what: &'static str },
    /// A structure whose content is impossible.
    #[error("corrupt RDB file at offset {offset}: {message}")]
    Corrupt { offset: usize, message: String },
    /// The CRC64 after the EOF opcode does not match the content.
    #[error(
        "RDB checksum mismatch at offset {offset}: the file says {stored:016x}, its content gives {computed:016x}"
    )]
    Checksum {
        offset: usize,
        stored: u64,
        computed: u64,
    },
    /// A key whose type redraft does not hold (streams, module types).
    #[error(
        "key {} in db {db} (offset {offset}) is a {kind} (RDB type {rdb_type}), which redraft does not support",
        Printable(key)
    )]
    UnsupportedType {
        offset: usize,
        db: usize,
        key: Vec<u8>,
        kind: String,
        rdb_type: u8,
    },
    /// A record that redraft cannot keep (module AUX data, unknown opcodes or types).
    #[error("unsupported record at offset {offset}: {message}")]
    Unsupported { offset: usize, message: String },
    /// SELECTDB names a database this node is not configured with.
    #[error(
        "SELECTDB {db} at offset {offset}: the file holds database {db}, but only {databases} are configured (raise `databases`)"
    )]
    DbOutOfRange {
        offset: usize,
        db: u64,
        databases: usize,
    },
    /// The same key twice in one database.
    #[error("key {} appears twice in db {db} (offset {offset})", Printable(key))]
    DuplicateKey {
        offset: usize,
        db: usize,
        key: Vec<u8>,
    },
}

impl RdbError {
    /// The byte offset the error refers to (0 for header problems).
    pub fn offset(&self) -> usize {
        match self {
            RdbError::NotRdb | RdbError::Version { .. } => 0,
            RdbError::Truncated { offset, .. }
            | RdbError::Corrupt { offset, .. }
            | RdbError::Checksum { offset, .. }
            | RdbError::UnsupportedType { offset, .. }
            | RdbError::Unsupported { offset, .. }
            | RdbError::DbOutOfRange { offset, .. }
            | RdbError::DuplicateKey { offset, .. } => *offset,
        }
    }

    pub(super) fn corrupt(offset: usize, message: impl Into<String>) -> RdbError {
        RdbError::Corrupt {
            offset,
            message: message.into(),
        }
    }
}

/// A key shown quoted, with non-printable bytes escaped (`"a\x00b"`).
pub(super) struct Printable<'a>(pub &'a [u8]);

impl fmt::Display for Printable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"", self.0.escape_ascii())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_key_offset_and_type() {
        let e = RdbError::UnsupportedType {
            offset: 42,
            db: 0,
            key: b"s\x00".to_vec(),
            kind: "stream".into(),
            rdb_type: 19,
        };
        assert_eq!(
            e.to_string(),
            "key \"s\\x00\" in db 0 (offset 42) is a stream (RDB type 19), which redraft does not support"
        );
        assert_eq!(e.offset(), 42);
    }
}
