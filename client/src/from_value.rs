//! `FromValue`: turning a reply into a Rust type, for the typed helpers and
//! [`Client::query`](crate::Client::query).
//!
//! Conversions accept both protocols' shapes: a RESP3 map or a RESP2 flat array become the
//! same `Vec<(K, V)>`, a RESP3 double or a RESP2 bulk string the same `f64`. An error reply
//! becomes `Error::Server`.

use bytes::Bytes;

use crate::error::{Error, Result, ServerError};
use crate::value::Value;

/// A type a reply converts into.
pub trait FromValue: Sized {
    /// Converts, or says why not.
    fn from_value(value: Value) -> Result<Self>;
}

fn mismatch<T>(expected: &'static str, got: &Value) -> Result<T> {
    if let Value::Error(text) = got {
        return Err(Error::Server(ServerError::new(text.clone())));
    }
    Err(Error::Type {
        expected,
        got: got.type_name(),
    })
}

impl FromValue for Value {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Error(text) => Err(Error::Server(ServerError::new(text))),
            other => Ok(other),
        }
    }
}

impl FromValue for () {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Error(_) => mismatch("anything", &value),
            _ => Ok(()),
        }
    }
}

impl FromValue for i64 {
    fn from_value(value: Value) -> Result<Self> {
        match &value {
            Value::Int(n) => Ok(*n),
            Value::Boolean(b) => Ok(i64::from(*b)),
            Value::Bulk(b) | Value::Status(b) => parse_text(b)
                .ok_or(())
                .or_else(|_| mismatch("integer", &value)),
            _ => mismatch("integer", &value),
        }
    }
}

impl FromValue for bool {
    fn from_value(value: Value) -> Result<Self> {
        match &value {
            Value::Int(n) => Ok(*n != 0),
            Value::Boolean(b) => Ok(*b),
            Value::Status(s) if &s[..] == b"OK" => Ok(true),
            Value::Nil => Ok(false),
            _ => mismatch("boolean", &value),
        }
    }
}

impl FromValue for f64 {
    fn from_value(value: Value) -> Result<Self> {
        match &value {
            Value::Double { value, .. } => Ok(*value),
            Value::Int(n) => Ok(*n as f64),
            Value::Bulk(b) | Value::Status(b) => parse_text(b)
                .ok_or(())
                .or_else(|_| mismatch("double", &value)),
            _ => mismatch("double", &value),
        }
    }
}

impl FromValue for Bytes {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Bulk(b) | Value::Status(b) | Value::BigNumber(b) => Ok(b),
            Value::Verbatim { text, .. } | Value::Double { text, .. } => Ok(text),
            Value::Int(n) => Ok(Bytes::from(n.to_string())),
            other => mismatch("string", &other),
        }
    }
}

impl FromValue for String {
    fn from_value(value: Value) -> Result<Self> {
        let bytes = Bytes::from_value(value)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| Error::Type {
            expected: "UTF-8 string",
            got: "binary string",
        })
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Nil => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Array(items) | Value::Set(items) | Value::Push(items) => {
                items.into_iter().map(T::from_value).collect()
            }
            Value::Nil => Ok(Vec::new()),
            other => mismatch("array", &other),
        }
    }
}

/// Field-value pairs from a RESP3 map, or from a RESP2 flat array of alternating items
/// (`HGETALL`, `CONFIG GET`).
pub fn pairs<K: FromValue, V: FromValue>(value: Value) -> Result<Vec<(K, V)>> {
    match value {
        Value::Map(pairs) => pairs
            .into_iter()
            .map(|(k, v)| Ok((K::from_value(k)?, V::from_value(v)?)))
            .collect(),
        Value::Array(items) if items.len() % 2 == 0 => {
            let mut out = Vec::with_capacity(items.len() / 2);
            let mut items = items.into_iter();
            while let (Some(k), Some(v)) = (items.next(), items.next()) {
                out.push((K::from_value(k)?, V::from_value(v)?));
            }
            Ok(out)
        }
        Value::Nil => Ok(Vec::new()),
        other => mismatch("map", &other),
    }
}

fn parse_text<T: std::str::FromStr>(bytes: &[u8]) -> Option<T> {
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn bulk(s: &str) -> Value {
        Value::Bulk(Bytes::copy_from_slice(s.as_bytes()))
    }

    #[test]
    fn scalars() {
        assert_eq!(i64::from_value(Value::Int(3)).unwrap(), 3);
        assert_eq!(i64::from_value(bulk("-7")).unwrap(), -7);
        assert!(bool::from_value(Value::Int(1)).unwrap());
        assert!(!bool::from_value(Value::Boolean(false)).unwrap());
        assert_eq!(f64::from_value(bulk("1.5")).unwrap(), 1.5);
        let d = Value::Double {
            value: 2.0,
            text: Bytes::from_static(b"2"),
        };
        assert_eq!(f64::from_value(d).unwrap(), 2.0);
        assert_eq!(String::from_value(bulk("hi")).unwrap(), "hi");
        assert_eq!(Option::<Bytes>::from_value(Value::Nil).unwrap(), None);
    }

    #[test]
    fn errors_and_mismatches() {
        let e = i64::from_value(Value::Error(Bytes::from_static(b"WRONGTYPE x"))).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Server);
        let e = i64::from_value(bulk("abc")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Type);
        let e = Vec::<i64>::from_value(Value::Int(1)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Type);
    }

    #[test]
    fn pairs_from_both_protocols() {
        let resp2 = Value::Array(vec![bulk("f"), bulk("v"), bulk("g"), bulk("w")]);
        let resp3 = Value::Map(vec![(bulk("f"), bulk("v")), (bulk("g"), bulk("w"))]);
        let a: Vec<(String, String)> = pairs(resp2).unwrap();
        let b: Vec<(String, String)> = pairs(resp3).unwrap();
        assert_eq!(a, b);
        assert_eq!(a[1], ("g".to_string(), "w".to_string()));
        assert!(pairs::<String, String>(Value::Array(vec![bulk("odd")])).is_err());
    }
}
