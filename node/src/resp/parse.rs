//! Request parsing: RESP multibulk (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) and inline commands
//! (`GET k\r\n`, as typed into telnet).
//!
//! Parsing is one pass over the buffer. An incomplete request is a normal outcome
//! (`Parsed::Incomplete`), carrying how many bytes the request needs at least, so a large bulk
//! arriving in many reads is not re-scanned on each one. Arguments are zero-copy slices of the
//! read buffer.

use bytes::{Buf, Bytes, BytesMut};
use thiserror::Error;

/// Redis's limits on a request, from `networking.c` and `proto-max-bulk-len`.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest accepted bulk string (`proto-max-bulk-len`, 512 MB by default).
    pub max_bulk_len: usize,
    /// Largest accepted multibulk count (1024 * 1024 in Redis).
    pub max_multibulk_len: usize,
    /// Largest inline request, and largest length line (`PROTO_INLINE_MAX_SIZE`, 64 KB).
    pub max_inline_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bulk_len: 512 * 1024 * 1024,
            max_multibulk_len: 1024 * 1024,
            max_inline_len: 64 * 1024,
        }
    }
}

/// A malformed request. The text is Redis's, sent as `-ERR Protocol error: <text>`; the
/// connection is closed after the reply.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ProtocolError {
    #[error("invalid multibulk length")]
    InvalidMultibulkLength,
    #[error("invalid bulk length")]
    InvalidBulkLength,
    #[error("expected '$', got '{0}'")]
    ExpectedDollar(char),
    #[error("too big mbulk count string")]
    TooBigMultibulkCount,
    #[error("too big bulk count string")]
    TooBigBulkCount,
    #[error("too big inline request")]
    TooBigInline,
    #[error("unbalanced quotes in request")]
    UnbalancedQuotes,
}

impl ProtocolError {
    /// The full error reply text, without the leading `-`.
    pub fn reply_text(&self) -> String {
        format!("ERR Protocol error: {self}")
    }
}

/// Outcome of parsing the start of a buffer.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    /// A whole request; its bytes were consumed from the buffer. `argv` may be empty (an empty
    /// inline line or `*0`), which callers skip, as Redis does.
    Request(Vec<Bytes>),
    /// The buffer holds only part of a request, which needs at least `need` bytes in all.
    Incomplete { need: usize },
}

/// Parses one request from the front of `buf`, consuming its bytes when it is complete.
pub fn parse_request(buf: &mut BytesMut, limits: &Limits) -> Result<Parsed, ProtocolError> {
    match buf.first() {
        None => Ok(Parsed::Incomplete { need: 1 }),
        Some(b'*') => parse_multibulk(buf, limits),
        Some(_) => parse_inline(buf, limits),
    }
}

/// Finds `\r\n` from `from`, returning the index of `\r`.
fn find_crlf(buf: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(i) = memchr::memchr(b'\r', buf.get(at..)?) {
        let pos = at + i;
        if buf.get(pos + 1) == Some(&b'\n') {
            return Some(pos);
        }
        if pos + 1 >= buf.len() {
            return None;
        }
        at = pos + 1;
    }
    None
}

/// Parses a length as Redis's `string2ll` does: optional `-`, digits, no spaces, fits i64.
fn parse_len(digits: &[u8]) -> Option<i64> {
    let (neg, digits) = match digits.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, digits),
    };
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    let mut v: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(i64::from(d - b'0'))?;
    }
    Some(if neg { -v } else { v })
}

fn parse_multibulk(buf: &mut BytesMut, limits: &Limits) -> Result<Parsed, ProtocolError> {
    let Some(eol) = find_crlf(buf, 1) else {
        if buf.len() > limits.max_inline_len {
            return Err(ProtocolError::TooBigMultibulkCount);
        }
        return Ok(Parsed::Incomplete {
            need: buf.len() + 1,
        });
    };
    let count = parse_len(&buf[1..eol]).ok_or(ProtocolError::InvalidMultibulkLength)?;
    if count > limits.max_multibulk_len as i64 {
        return Err(ProtocolError::InvalidMultibulkLength);
    }
    let mut pos = eol + 2;
    if count <= 0 {
        buf.advance(pos);
        return Ok(Parsed::Request(Vec::new()));
    }
    // Walk the bulks without copying; only once the whole request is here are they split off.
    let mut spans = Vec::with_capacity(count as usize);
    for _ in 0..count {
        match buf.get(pos) {
            None => return Ok(Parsed::Incomplete { need: pos + 1 }),
            Some(b'$') => {}
            Some(&other) => return Err(ProtocolError::ExpectedDollar(char::from(other))),
        }
        let Some(eol) = find_crlf(buf, pos + 1) else {
            if buf.len() - pos > limits.max_inline_len {
                return Err(ProtocolError::TooBigBulkCount);
            }
            return Ok(Parsed::Incomplete {
                need: buf.len() + 1,
            });
        };
        let len = parse_len(&buf[pos + 1..eol]).ok_or(ProtocolError::InvalidBulkLength)?;
        if len < 0 || len as u64 > limits.max_bulk_len as u64 {
            return Err(ProtocolError::InvalidBulkLength);
        }
        let start = eol + 2;
        let end = start + len as usize;
        if buf.len() < end + 2 {
            return Ok(Parsed::Incomplete { need: end + 2 });
        }
        spans.push((start, end));
        pos = end + 2;
    }
    let frame = buf.split_to(pos).freeze();
    Ok(Parsed::Request(
        spans.into_iter().map(|(s, e)| frame.slice(s..e)).collect(),
    ))
}

fn parse_inline(buf: &mut BytesMut, limits: &Limits) -> Result<Parsed, ProtocolError> {
    let Some(nl) = memchr::memchr(b'\n', buf) else {
        if buf.len() > limits.max_inline_len {
            return Err(ProtocolError::TooBigInline);
        }
        return Ok(Parsed::Incomplete {
            need: buf.len() + 1,
        });
    };
    let line = buf.split_to(nl + 1).freeze();
    let mut text = &line[..nl];
    if text.last() == Some(&b'\r') {
        text = &text[..text.len() - 1];
    }
    let args = split_args(text).ok_or(ProtocolError::UnbalancedQuotes)?;
    Ok(Parsed::Request(args.into_iter().map(Bytes::from).collect()))
}

/// Splits an inline command line the way Redis's `sdssplitargs` does: words separated by
/// spaces, `"double quoted"` with `\n \r \t \b \a \\ \" \xHH` escapes, and `'single quoted'`
/// with only `\'`. A closing quote must be followed by a space or the end. `None` on
/// unbalanced quotes.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut args = Vec::new();
    let mut i = 0;
    loop {
        while i < line.len() && line[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= line.len() {
            return Some(args);
        }
        let mut cur = Vec::new();
        let mut in_dq = false;
        let mut in_sq = false;
        loop {
            let c = line.get(i).copied();
            if in_dq {
                match c {
                    None => return None,
                    Some(b'\\') if i + 3 < line.len() && line[i + 1] == b'x' => {
                        match (hex(line[i + 2]), hex(line[i + 3])) {
                            (Some(h), Some(l)) => {
                                cur.push(h * 16 + l);
                                i += 3;
                            }
                            _ => cur.push(b'\\'),
                        }
                    }
                    Some(b'\\') if i + 1 < line.len() => {
                        i += 1;
                        cur.push(match line[i] {
                            b'n' => b'\n',
                            b'r' => b'\r',
                            b't' => b'\t',
                            b'b' => 8,
                            b'a' => 7,
                            other => other,
                        });
                    }
                    Some(b'"') => {
                        if line.get(i + 1).is_some_and(|c| !c.is_ascii_whitespace()) {
                            return None;
                        }
                        in_dq = false;
                        i += 1;
                        break;
                    }
                    Some(c) => cur.push(c),
                }
            } else if in_sq {
                match c {
                    None => return None,
                    Some(b'\\') if line.get(i + 1) == Some(&b'\'') => {
                        i += 1;
                        cur.push(b'\'');
                    }
                    Some(b'\'') => {
                        if line.get(i + 1).is_some_and(|c| !c.is_ascii_whitespace()) {
                            return None;
                        }
                        in_sq = false;
                        i += 1;
                        break;
                    }
                    Some(c) => cur.push(c),
                }
            } else {
                match c {
                    None => break,
                    Some(c) if c.is_ascii_whitespace() => break,
                    Some(b'"') => in_dq = true,
                    Some(b'\'') => in_sq = true,
                    Some(c) => cur.push(c),
                }
            }
            i += 1;
        }
        let _ = (in_dq, in_sq);
        args.push(cur);
    }
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(input: &[u8]) -> Result<Parsed, ProtocolError> {
        let mut buf = BytesMut::from(input);
        parse_request(&mut buf, &Limits::default())
    }

    fn argv(items: &[&str]) -> Parsed {
        Parsed::Request(
            items
                .iter()
                .map(|s| Bytes::copy_from_slice(s.as_bytes()))
                .collect(),
        )
    }

    #[test]
    fn multibulk_request() {
        assert_eq!(
            parse(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n").unwrap(),
            argv(&["GET", "k"])
        );
    }

    #[test]
    fn binary_safe_bulk() {
        let mut buf = BytesMut::from(&b"*1\r\n$4\r\na\r\n\0\r\n"[..]);
        let Parsed::Request(args) = parse_request(&mut buf, &Limits::default()).unwrap() else {
            panic!("incomplete")
        };
        assert_eq!(&args[0][..], b"a\r\n\0");
        assert!(buf.is_empty());
    }

    #[test]
    fn pipelined_requests_leave_the_rest() {
        let mut buf = BytesMut::from(&b"*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPI"[..]);
        let limits = Limits::default();
        assert_eq!(parse_request(&mut buf, &limits).unwrap(), argv(&["PING"]));
        assert!(matches!(
            parse_request(&mut buf, &limits).unwrap(),
            Parsed::Incomplete { .. }
        ));
        buf.extend_from_slice(b"NG\r\n");
        assert_eq!(parse_request(&mut buf, &limits).unwrap(), argv(&["PING"]));
    }

    #[test]
    fn every_truncation_is_incomplete() {
        let full = b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n";
        for cut in 0..full.len() {
            let mut buf = BytesMut::from(&full[..cut]);
            let before = buf.len();
            match parse_request(&mut buf, &Limits::default()).unwrap() {
                Parsed::Incomplete { need } => assert!(need > cut, "cut {cut} need {need}"),
                other => panic!("cut {cut}: {other:?}"),
            }
            assert_eq!(buf.len(), before, "nothing consumed on incomplete");
        }
    }

    #[test]
    fn incomplete_bulk_reports_its_full_size() {
        let mut buf = BytesMut::from(&b"*1\r\n$100\r\nabc"[..]);
        assert_eq!(
            parse_request(&mut buf, &Limits::default()).unwrap(),
            Parsed::Incomplete {
                need: 4 + 6 + 100 + 2
            }
        );
    }

    #[test]
    fn empty_multibulk_is_skipped() {
        assert_eq!(parse(b"*0\r\n").unwrap(), Parsed::Request(vec![]));
        assert_eq!(parse(b"*-1\r\n").unwrap(), Parsed::Request(vec![]));
    }

    #[test]
    fn malformed_lengths_are_protocol_errors() {
        assert_eq!(parse(b"*x\r\n"), Err(ProtocolError::InvalidMultibulkLength));
        assert_eq!(
            parse(b"*1048577\r\n"),
            Err(ProtocolError::InvalidMultibulkLength)
        );
        assert_eq!(
            parse(b"*1\r\n$abc\r\n"),
            Err(ProtocolError::InvalidBulkLength)
        );
        assert_eq!(
            parse(b"*1\r\n$-5\r\n"),
            Err(ProtocolError::InvalidBulkLength)
        );
        assert_eq!(
            parse(b"*1\r\n$536870913\r\n"),
            Err(ProtocolError::InvalidBulkLength)
        );
        assert_eq!(
            parse(b"*1\r\n+PING\r\n"),
            Err(ProtocolError::ExpectedDollar('+'))
        );
        assert_eq!(
            ProtocolError::ExpectedDollar('+').reply_text(),
            "ERR Protocol error: expected '$', got '+'"
        );
        assert_eq!(
            ProtocolError::InvalidBulkLength.reply_text(),
            "ERR Protocol error: invalid bulk length"
        );
    }

    #[test]
    fn length_lines_without_end_are_bounded() {
        let mut big = b"*".to_vec();
        big.extend(std::iter::repeat_n(b'1', 70 * 1024));
        assert_eq!(parse(&big), Err(ProtocolError::TooBigMultibulkCount));
        let mut big = b"GET ".to_vec();
        big.extend(std::iter::repeat_n(b'a', 70 * 1024));
        assert_eq!(parse(&big), Err(ProtocolError::TooBigInline));
    }

    #[test]
    fn inline_commands() {
        assert_eq!(parse(b"PING\r\n").unwrap(), argv(&["PING"]));
        assert_eq!(parse(b"set  k   v\n").unwrap(), argv(&["set", "k", "v"]));
        assert_eq!(parse(b"\r\n").unwrap(), Parsed::Request(vec![]));
        assert_eq!(
            parse(b"SET k \"a b\\n\\x41\"\r\n").unwrap(),
            argv(&["SET", "k", "a b\nA"])
        );
        assert_eq!(
            parse(b"SET k 'it\\'s'\r\n").unwrap(),
            argv(&["SET", "k", "it's"])
        );
        assert_eq!(
            parse(b"SET k \"ab\r\n"),
            Err(ProtocolError::UnbalancedQuotes)
        );
        assert_eq!(
            parse(b"SET k \"a\"b\r\n"),
            Err(ProtocolError::UnbalancedQuotes)
        );
    }
}
