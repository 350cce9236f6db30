//! Reply decoding: RESP2 and RESP3.
//!
//! `decode` looks at the front of a buffer and returns either one whole reply with the number
//! of bytes it used, or `None` when the buffer holds only part of one ("not enough bytes yet"
//! is a normal outcome, not an error). Malformed input is a `ProtocolError`, after which the
//! connection cannot be trusted and is closed.
//!
//! Attributes (`|`) are read and dropped: they annotate the reply that follows, which is what
//! `decode` returns. Streamed strings and aggregates (`$?`, `*?`) are not sent by Redis and are
//! rejected.

use bytes::Bytes;
use thiserror::Error;

use crate::value::Value;

/// Largest bulk string accepted (Redis's `proto-max-bulk-len` default, 512 MB).
pub const MAX_BULK_LEN: usize = 512 * 1024 * 1024;
/// Deepest nesting of aggregates accepted; deeper input is refused rather than overflowing
/// the stack.
pub const MAX_DEPTH: usize = 128;
/// Elements reserved up front for an aggregate, whatever its header claims, so a hostile
/// length cannot make us allocate before the data arrives.
const MAX_PREALLOC: usize = 1024;

/// A malformed reply.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ProtocolError {
    /// The first byte of a reply is not a RESP2 or RESP3 type byte.
    #[error("unknown reply type byte {0:?}")]
    UnknownType(char),
    /// A length or integer line is not a valid number.
    #[error("invalid integer {0:?}")]
    InvalidInteger(String),
    /// A length is negative (other than the null -1) or too large.
    #[error("invalid length {0}")]
    InvalidLength(i64),
    /// A bulk payload is not followed by CRLF.
    #[error("missing CRLF after bulk data")]
    MissingCrlf,
    /// A double line is not a number.
    #[error("invalid double {0:?}")]
    InvalidDouble(String),
    /// A boolean line is not `t` or `f`.
    #[error("invalid boolean {0:?}")]
    InvalidBoolean(String),
    /// A verbatim string lacks its `xxx:` format prefix.
    #[error("invalid verbatim string")]
    InvalidVerbatim,
    /// Aggregates nested deeper than `MAX_DEPTH`.
    #[error("reply nested too deeply")]
    TooDeep,
    /// A streamed string or aggregate (`$?`), which Redis never sends.
    #[error("streamed replies are not supported")]
    Streamed,
}

/// Why a parse stopped: the buffer ends early, or the bytes are malformed.
enum Stop {
    Incomplete,
    Bad(ProtocolError),
}

impl From<ProtocolError> for Stop {
    fn from(e: ProtocolError) -> Self {
        Stop::Bad(e)
    }
}

type Step<T> = Result<T, Stop>;

/// Decodes one reply from the front of `buf`: `Ok(Some((value, used)))` when a whole reply is
/// there, `Ok(None)` when more bytes are needed.
///
/// ```
/// use redraft_client::codec::decode;
/// use redraft_client::Value;
///
/// let (value, used) = decode(b":42\r\n+OK").unwrap().unwrap();
/// assert_eq!(value, Value::Int(42));
/// assert_eq!(used, 5);
/// assert_eq!(decode(b"$5\r\nhel").unwrap(), None);
/// ```
pub fn decode(buf: &[u8]) -> Result<Option<(Value, usize)>, ProtocolError> {
    let mut cursor = Cursor { buf, pos: 0 };
    match cursor.value(0) {
        Ok(value) => Ok(Some((value, cursor.pos))),
        Err(Stop::Incomplete) => Ok(None),
        Err(Stop::Bad(e)) => Err(e),
    }
}

struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    /// One value, skipping any attribute that precedes it.
    fn value(&mut self, depth: usize) -> Step<Value> {
        if depth > MAX_DEPTH {
            return Err(ProtocolError::TooDeep.into());
        }
        let kind = *self.buf.get(self.pos).ok_or(Stop::Incomplete)?;
        self.pos += 1;
        match kind {
            b'+' => Ok(Value::Status(self.line_bytes()?)),
            b'-' => Ok(Value::Error(self.line_bytes()?)),
            b':' => Ok(Value::Int(self.integer()?)),
            b'$' => Ok(self.bulk()?.map_or(Value::Nil, Value::Bulk)),
            b'!' => Ok(self.bulk()?.map_or(Value::Nil, Value::Error)),
            b'=' => self.verbatim(),
            b'*' => Ok(self.items(depth)?.map_or(Value::Nil, Value::Array)),
            b'~' => Ok(self.items(depth)?.map_or(Value::Nil, Value::Set)),
            b'>' => Ok(self.items(depth)?.map_or(Value::Nil, Value::Push)),
            b'%' => Ok(self.pairs(depth)?.map_or(Value::Nil, Value::Map)),
            b'|' => {
                self.pairs(depth)?;
                self.value(depth)
            }
            b'_' => {
                self.line()?;
                Ok(Value::Nil)
            }
            b',' => self.double(),
            b'#' => self.boolean(),
            b'(' => Ok(Value::BigNumber(self.line_bytes()?)),
            other => Err(ProtocolError::UnknownType(other as char).into()),
        }
    }

    /// The rest of the current line, without its CRLF.
    fn line(&mut self) -> Step<&[u8]> {
        let rest = &self.buf[self.pos..];
        let at = memchr::memchr(b'\n', rest).ok_or(Stop::Incomplete)?;
        // A lone LF ends the line too; a CR before it is not part of the content.
        let end = if at > 0 && rest[at - 1] == b'\r' {
            at - 1
        } else {
            at
        };
        let start = self.pos;
        self.pos += at + 1;
        Ok(&self.buf[start..start + end])
    }

    fn line_bytes(&mut self) -> Step<Bytes> {
        Ok(Bytes::copy_from_slice(self.line()?))
    }

    fn integer(&mut self) -> Step<i64> {
        let line = self.line()?;
        parse_i64(line).ok_or_else(|| {
            ProtocolError::InvalidInteger(String::from_utf8_lossy(line).into_owned()).into()
        })
    }

    /// A length header: `None` for the null length -1, an error for streamed `?`.
    fn length(&mut self, max: usize) -> Step<Option<usize>> {
        if self.buf.get(self.pos) == Some(&b'?') {
            return Err(ProtocolError::Streamed.into());
        }
        match self.integer()? {
            -1 => Ok(None),
            n if n < 0 || n as u64 > max as u64 => Err(ProtocolError::InvalidLength(n).into()),
            n => Ok(Some(n as usize)),
        }
    }

    /// A bulk payload after its `$` (or `!`, `=`): `None` for the null bulk.
    fn bulk(&mut self) -> Step<Option<Bytes>> {
        let Some(len) = self.length(MAX_BULK_LEN)? else {
            return Ok(None);
        };
        let end = self.pos + len;
        if self.buf.len() < end + 2 {
            return Err(Stop::Incomplete);
        }
        if &self.buf[end..end + 2] != b"\r\n" {
            return Err(ProtocolError::MissingCrlf.into());
        }
        let data = Bytes::copy_from_slice(&self.buf[self.pos..end]);
        self.pos = end + 2;
        Ok(Some(data))
    }

    fn verbatim(&mut self) -> Step<Value> {
        let Some(data) = self.bulk()? else {
            return Ok(Value::Nil);
        };
        if data.len() < 4 || data[3] != b':' {
            return Err(ProtocolError::InvalidVerbatim.into());
        }
        Ok(Value::Verbatim {
            format: data.slice(..3),
            text: data.slice(4..),
        })
    }

    fn items(&mut self, depth: usize) -> Step<Option<Vec<Value>>> {
        let Some(count) = self.length(usize::MAX / 2)? else {
            return Ok(None);
        };
        let mut items = Vec::with_capacity(count.min(MAX_PREALLOC));
        for _ in 0..count {
            items.push(self.value(depth + 1)?);
        }
        Ok(Some(items))
    }

    fn pairs(&mut self, depth: usize) -> Step<Option<Vec<(Value, Value)>>> {
        let Some(count) = self.length(usize::MAX / 4)? else {
            return Ok(None);
        };
        let mut pairs = Vec::with_capacity(count.min(MAX_PREALLOC));
        for _ in 0..count {
            let key = self.value(depth + 1)?;
            let value = self.value(depth + 1)?;
            pairs.push((key, value));
        }
        Ok(Some(pairs))
    }

    fn double(&mut self) -> Step<Value> {
        let line = self.line()?;
        let text = std::str::from_utf8(line).ok();
        let value = text.and_then(parse_f64).ok_or_else(|| {
            Stop::Bad(ProtocolError::InvalidDouble(
                String::from_utf8_lossy(line).into_owned(),
            ))
        })?;
        Ok(Value::Double {
            value,
            text: Bytes::copy_from_slice(line),
        })
    }

    fn boolean(&mut self) -> Step<Value> {
        match self.line()? {
            b"t" => Ok(Value::Boolean(true)),
            b"f" => Ok(Value::Boolean(false)),
            other => Err(ProtocolError::InvalidBoolean(
                String::from_utf8_lossy(other).into_owned(),
            )
            .into()),
        }
    }
}

/// A decimal integer with an optional sign, nothing else (no spaces, no `+`).
fn parse_i64(line: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(line).ok()?;
    if text.starts_with('+') {
        return None;
    }
    text.parse().ok()
}

/// A RESP3 double: a decimal or exponent number, `inf`, `-inf` or `nan`.
fn parse_f64(text: &str) -> Option<f64> {
    match text {
        "inf" | "+inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        "nan" | "-nan" => Some(f64::NAN),
        // Rust accepts "infinity" and "NaN" spellings that RESP does not.
        _ if text
            .bytes()
            .any(|b| b.is_ascii_alphabetic() && b != b'e' && b != b'E') =>
        {
            None
        }
        _ => text.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(input: &[u8]) -> Value {
        match decode(input) {
            Ok(Some((value, used))) => {
                assert_eq!(used, input.len(), "used all of {input:?}");
                value
            }
            other => panic!("{input:?} gave {other:?}"),
        }
    }

    fn bulk(s: &str) -> Value {
        Value::Bulk(Bytes::copy_from_slice(s.as_bytes()))
    }

    #[test]
    fn resp2_scalars() {
        assert_eq!(one(b"+OK\r\n"), Value::Status(Bytes::from_static(b"OK")));
        assert_eq!(
            one(b"-ERR bad thing\r\n"),
            Value::Error(Bytes::from_static(b"ERR bad thing"))
        );
        assert_eq!(one(b":-12\r\n"), Value::Int(-12));
        assert_eq!(one(b"$3\r\nfoo\r\n"), bulk("foo"));
        assert_eq!(one(b"$0\r\n\r\n"), bulk(""));
        assert_eq!(one(b"$-1\r\n"), Value::Nil);
        assert_eq!(one(b"*-1\r\n"), Value::Nil);
    }

    #[test]
    fn bulk_may_hold_crlf_and_binary() {
        assert_eq!(one(b"$4\r\na\r\n\x00\r\n"), bulk("a\r\n\0"));
    }

    #[test]
    fn nested_arrays() {
        let v = one(b"*3\r\n$1\r\na\r\n*2\r\n:1\r\n$-1\r\n*0\r\n");
        assert_eq!(
            v,
            Value::Array(vec![
                bulk("a"),
                Value::Array(vec![Value::Int(1), Value::Nil]),
                Value::Array(vec![]),
            ])
        );
    }

    #[test]
    fn resp3_types() {
        assert_eq!(one(b"_\r\n"), Value::Nil);
        assert_eq!(one(b"#t\r\n"), Value::Boolean(true));
        assert_eq!(one(b"#f\r\n"), Value::Boolean(false));
        match one(b",1.5\r\n") {
            Value::Double { value, text } => {
                assert_eq!(value, 1.5);
                assert_eq!(&text[..], b"1.5");
            }
            other => panic!("{other:?}"),
        }
        match one(b",-inf\r\n") {
            Value::Double { value, .. } => assert_eq!(value, f64::NEG_INFINITY),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            one(b"(3492890328409238509324850943850943825024385\r\n"),
            Value::BigNumber(Bytes::from_static(
                b"3492890328409238509324850943850943825024385"
            ))
        );
        assert_eq!(
            one(b"=15\r\ntxt:Some string\r\n"),
            Value::Verbatim {
                format: Bytes::from_static(b"txt"),
                text: Bytes::from_static(b"Some string"),
            }
        );
        assert_eq!(
            one(b"!21\r\nSYNTAX invalid syntax\r\n"),
            Value::Error(Bytes::from_static(b"SYNTAX invalid syntax"))
        );
        assert_eq!(
            one(b"%1\r\n+k\r\n:1\r\n"),
            Value::Map(vec![(
                Value::Status(Bytes::from_static(b"k")),
                Value::Int(1)
            )])
        );
        assert_eq!(one(b"~1\r\n:1\r\n"), Value::Set(vec![Value::Int(1)]));
        assert_eq!(
            one(b">2\r\n+invalidate\r\n*0\r\n"),
            Value::Push(vec![
                Value::Status(Bytes::from_static(b"invalidate")),
                Value::Array(vec![]),
            ])
        );
    }

    #[test]
    fn attribute_is_skipped() {
        let input = b"|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*1\r\n:2\r\n";
        assert_eq!(one(input), Value::Array(vec![Value::Int(2)]));
    }

    #[test]
    fn every_truncation_is_incomplete() {
        let whole: &[u8] = b"*4\r\n$3\r\nfoo\r\n%1\r\n+k\r\n,2.5\r\n~1\r\n#t\r\n=7\r\ntxt:abc\r\n";
        one(whole);
        for cut in 0..whole.len() {
            assert_eq!(decode(&whole[..cut]), Ok(None), "cut at {cut}");
        }
    }

    #[test]
    fn leaves_following_bytes() {
        let (v, used) = decode(b":1\r\n:2\r\n").unwrap().unwrap();
        assert_eq!((v, used), (Value::Int(1), 4));
    }

    #[test]
    fn malformed_input_is_an_error() {
        let bad: &[(&[u8], ProtocolError)] = &[
            (b"?x\r\n", ProtocolError::UnknownType('?')),
            (b":12a\r\n", ProtocolError::InvalidInteger("12a".into())),
            (b":\r\n", ProtocolError::InvalidInteger(String::new())),
            (b":+1\r\n", ProtocolError::InvalidInteger("+1".into())),
            (b"$-2\r\n", ProtocolError::InvalidLength(-2)),
            (b"*-5\r\n", ProtocolError::InvalidLength(-5)),
            (b"$3\r\nfooXY", ProtocolError::MissingCrlf),
            (b"$x\r\n", ProtocolError::InvalidInteger("x".into())),
            (b"#x\r\n", ProtocolError::InvalidBoolean("x".into())),
            (b",abc\r\n", ProtocolError::InvalidDouble("abc".into())),
            (
                b",infinity\r\n",
                ProtocolError::InvalidDouble("infinity".into()),
            ),
            (b"=3\r\ntxt\r\n", ProtocolError::InvalidVerbatim),
            (b"$?\r\n", ProtocolError::Streamed),
            (
                b"$99999999999\r\n",
                ProtocolError::InvalidLength(99999999999),
            ),
        ];
        for (input, want) in bad {
            assert_eq!(decode(input).as_ref(), Err(want), "input {input:?}");
        }
    }

    #[test]
    fn hostile_length_does_not_preallocate() {
        // Claims four billion elements but sends two: just incomplete, no huge allocation.
        assert_eq!(decode(b"*4000000000\r\n:1\r\n:2\r\n"), Ok(None));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let mut input = Vec::new();
        for _ in 0..=MAX_DEPTH + 1 {
            input.extend_from_slice(b"*1\r\n");
        }
        input.extend_from_slice(b":1\r\n");
        assert_eq!(decode(&input), Err(ProtocolError::TooDeep));
    }
}
