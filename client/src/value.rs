//! `Value`: one reply from the server, RESP2 or RESP3, as it arrived.
//!
//! The value keeps what a printer needs to show it exactly as redis-cli does (the text of a
//! double, the format of a verbatim string); conversion to Rust types lives in `from_value`.
//! No I/O here.

use bytes::Bytes;

/// One reply, in the terms of RESP3 (RESP2 replies use the subset it has).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// The null bulk string or array (`$-1`, `*-1`), or RESP3's null (`_`).
    Nil,
    /// A status line (`+OK`).
    Status(Bytes),
    /// An error reply (`-ERR ...` or RESP3's blob error `!`): the text after the `-`,
    /// starting with its code (`ERR`, `WRONGTYPE`, `TRYAGAIN`...).
    Error(Bytes),
    /// An integer (`:1`).
    Int(i64),
    /// A bulk string (`$3\r\nfoo`).
    Bulk(Bytes),
    /// An array (`*2`).
    Array(Vec<Value>),
    /// A RESP3 double (`,1.5`), with the text the server sent (redis-cli prints it as is).
    Double {
        /// The parsed number.
        value: f64,
        /// The text as received (`1.5`, `inf`, `1e+300`).
        text: Bytes,
    },
    /// A RESP3 boolean (`#t`).
    Boolean(bool),
    /// A RESP3 big number (`(12345...`), as its decimal text.
    BigNumber(Bytes),
    /// A RESP3 verbatim string (`=15\r\ntxt:Some string`).
    Verbatim {
        /// The three-letter format (`txt`, `mkd`).
        format: Bytes,
        /// The text after `format:`.
        text: Bytes,
    },
    /// A RESP3 map (`%2`), pairs in the order received.
    Map(Vec<(Value, Value)>),
    /// A RESP3 set (`~2`), members in the order received.
    Set(Vec<Value>),
    /// A RESP3 out-of-band push (`>3`), such as a pub/sub message or an invalidation.
    Push(Vec<Value>),
}

impl Value {
    /// Whether this is an error reply.
    pub fn is_error(&self) -> bool {
        matches!(self, Value::Error(_))
    }

    /// The error code of an error reply (`ERR`, `WRONGTYPE`, `TRYAGAIN`), if it is one.
    pub fn error_code(&self) -> Option<&[u8]> {
        match self {
            Value::Error(text) => Some(error_code(text)),
            _ => None,
        }
    }

    /// The bytes of a string-like reply (bulk, status, verbatim text, big number, double text).
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match self {
            Value::Bulk(b) | Value::Status(b) | Value::BigNumber(b) => Some(b),
            Value::Verbatim { text, .. } | Value::Double { text, .. } => Some(text),
            _ => None,
        }
    }

    /// A short name of the reply's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "nil",
            Value::Status(_) => "status",
            Value::Error(_) => "error",
            Value::Int(_) => "integer",
            Value::Bulk(_) => "bulk string",
            Value::Array(_) => "array",
            Value::Double { .. } => "double",
            Value::Boolean(_) => "boolean",
            Value::BigNumber(_) => "big number",
            Value::Verbatim { .. } => "verbatim string",
            Value::Map(_) => "map",
            Value::Set(_) => "set",
            Value::Push(_) => "push",
        }
    }
}

/// The code of an error text: its first word (`ERR` in `ERR syntax error`).
pub(crate) fn error_code(text: &[u8]) -> &[u8] {
    let end = memchr::memchr(b' ', text).unwrap_or(text.len());
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_code_is_first_word() {
        let v = Value::Error(Bytes::from_static(b"TRYAGAIN no leader"));
        assert_eq!(v.error_code(), Some(&b"TRYAGAIN"[..]));
        let v = Value::Error(Bytes::from_static(b"UNKNOWN"));
        assert_eq!(v.error_code(), Some(&b"UNKNOWN"[..]));
        assert_eq!(Value::Nil.error_code(), None);
    }
}
