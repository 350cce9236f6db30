//! Replies and their encoding in RESP2 or RESP3.
//!
//! Commands build a `Reply` once, in RESP3 terms (maps, sets, doubles, booleans, verbatim
//! strings, pushes); `encode` downgrades them for RESP2 connections exactly as Redis does
//! (a map becomes a flat array, a double a bulk string, a boolean an integer 1/0...).

use bytes::{BufMut, Bytes, BytesMut};

/// The protocol a connection speaks, chosen with `HELLO`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    #[default]
    Resp2,
    Resp3,
}

/// One reply to a command.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// `+OK`: a status line, never containing CR or LF.
    Simple(Bytes),
    /// `-ERR ...`: the text after the `-`, starting with the error code.
    Error(Bytes),
    Int(i64),
    Bulk(Bytes),
    /// The null bulk string (`$-1` in RESP2, `_` in RESP3).
    Nil,
    /// The null array (`*-1` in RESP2, `_` in RESP3).
    NilArray,
    Array(Vec<Reply>),
    /// A RESP3 map; a flat array of alternating keys and values in RESP2.
    Map(Vec<(Reply, Reply)>),
    /// A RESP3 set; an array in RESP2.
    Set(Vec<Reply>),
    /// Pairs as Redis replies them for WITHVALUES / WITHSCORES (HRANDFIELD, ZRANGE...): an
    /// array of two-element arrays in RESP3, a flat array of alternating items in RESP2.
    Pairs(Vec<(Reply, Reply)>),
    /// A RESP3 double; a bulk string in RESP2.
    Double(f64),
    /// A RESP3 boolean; the integer 1 or 0 in RESP2.
    Bool(bool),
    /// A RESP3 verbatim string with its three-letter format (`txt`); a bulk string in RESP2.
    Verbatim(&'static str, Bytes),
    /// A RESP3 out-of-band push; an array in RESP2.
    Push(Vec<Reply>),
    /// An array of bulk strings in one buffer: on the wire exactly an `Array` of `Bulk`s.
    Bulks(Bulks),
}

/// An array of bulk strings held back to back in one buffer (LRANGE's reply): the wire form of
/// an [`Reply::Array`] of [`Reply::Bulk`]s without a `Reply`, a slice and its reference count
/// per element. Under `redis-benchmark -t lrange_100 -P 16`, building a hundred `Bulk` slices of
/// one buffer per reply, encoding and dropping them was half of the I/O thread (perf: slice
/// clones and drops 19%, collecting 10%, encoding 13%).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bulks {
    data: Bytes,
    /// Where each element ends in `data`.
    ends: Vec<usize>,
}

impl Bulks {
    /// The elements copied into one buffer.
    pub fn copy_of<'a>(items: impl IntoIterator<Item = &'a [u8]>) -> Bulks {
        let items = items.into_iter();
        let mut ends = Vec::with_capacity(items.size_hint().0);
        let mut data = BytesMut::new();
        for item in items {
            data.extend_from_slice(item);
            ends.push(data.len());
        }
        Bulks {
            data: data.freeze(),
            ends,
        }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The elements in order.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.ranges().map(|r| &self.data[r])
    }

    /// The elements as `Bulk` replies (slices of the buffer), for whoever needs them one by one
    /// (a script's table, a forwarded reply).
    pub fn to_replies(&self) -> Vec<Reply> {
        self.ranges()
            .map(|r| Reply::Bulk(self.data.slice(r)))
            .collect()
    }

    /// Where each element sits in `data`.
    fn ranges(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|(start, &end)| start..end)
    }
}

impl Reply {
    pub const OK: Reply = Reply::Simple(Bytes::from_static(b"OK"));

    pub fn simple(text: &'static str) -> Reply {
        Reply::Simple(Bytes::from_static(text.as_bytes()))
    }

    /// An error reply from its full text (`"ERR syntax error"`).
    pub fn error(text: impl Into<String>) -> Reply {
        Reply::Error(Bytes::from(text.into()))
    }

    pub fn bulk(data: impl Into<Bytes>) -> Reply {
        Reply::Bulk(data.into())
    }

    /// A bulk string of a static text.
    pub fn text(text: &'static str) -> Reply {
        Reply::Bulk(Bytes::from_static(text.as_bytes()))
    }

    /// A bulk string or nil.
    pub fn opt_bulk(data: Option<Bytes>) -> Reply {
        data.map_or(Reply::Nil, Reply::Bulk)
    }

    /// A bulk string holding the decimal form of an integer (as Redis replies for INCRBYFLOAT
    /// and friends when the value must stay a string).
    pub fn bulk_int(n: i64) -> Reply {
        Reply::Bulk(Bytes::copy_from_slice(
            itoa::Buffer::new().format(n).as_bytes(),
        ))
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }

    /// The same reply with every [`Reply::Bulks`] (at the top or inside arrays, as EXEC's)
    /// turned into the `Array` of `Bulk`s it stands for: the form to compare replies in.
    pub fn expanded(self) -> Reply {
        match self {
            Reply::Bulks(b) => Reply::Array(b.to_replies()),
            Reply::Array(items) => Reply::Array(items.into_iter().map(Reply::expanded).collect()),
            other => other,
        }
    }

    /// Appends the wire form of this reply for `proto` to `out`.
    pub fn encode(&self, proto: Protocol, out: &mut BytesMut) {
        let resp3 = proto == Protocol::Resp3;
        match self {
            Reply::Simple(s) => line(out, b'+', s),
            Reply::Error(e) => line(out, b'-', e),
            Reply::Int(n) => {
                out.put_u8(b':');
                out.put_slice(itoa::Buffer::new().format(*n).as_bytes());
                out.put_slice(b"\r\n");
            }
            Reply::Bulk(b) => bulk(out, b),
            Reply::Nil if resp3 => out.put_slice(b"_\r\n"),
            Reply::Nil => out.put_slice(b"$-1\r\n"),
            Reply::NilArray if resp3 => out.put_slice(b"_\r\n"),
            Reply::NilArray => out.put_slice(b"*-1\r\n"),
            Reply::Array(items) => {
                header(out, b'*', items.len());
                for item in items {
                    item.encode(proto, out);
                }
            }
            Reply::Map(pairs) => {
                if resp3 {
                    header(out, b'%', pairs.len());
                } else {
                    header(out, b'*', pairs.len() * 2);
                }
                for (k, v) in pairs {
                    k.encode(proto, out);
                    v.encode(proto, out);
                }
            }
            Reply::Pairs(pairs) => {
                header(out, b'*', if resp3 { pairs.len() } else { pairs.len() * 2 });
                for (a, b) in pairs {
                    if resp3 {
                        header(out, b'*', 2);
                    }
                    a.encode(proto, out);
                    b.encode(proto, out);
                }
            }
            Reply::Set(items) => {
                header(out, if resp3 { b'~' } else { b'*' }, items.len());
                for item in items {
                    item.encode(proto, out);
                }
            }
            Reply::Push(items) => {
                header(out, if resp3 { b'>' } else { b'*' }, items.len());
                for item in items {
                    item.encode(proto, out);
                }
            }
            Reply::Double(d) => {
                let text = format_double(*d);
                if resp3 {
                    line(out, b',', text.as_bytes());
                } else {
                    bulk(out, text.as_bytes());
                }
            }
            Reply::Bool(b) if resp3 => out.put_slice(if *b { b"#t\r\n" } else { b"#f\r\n" }),
            Reply::Bool(b) => out.put_slice(if *b { b":1\r\n" } else { b":0\r\n" }),
            Reply::Verbatim(format, text) if resp3 => {
                header(out, b'=', text.len() + 4);
                out.put_slice(format.as_bytes());
                out.put_u8(b':');
                out.put_slice(text);
                out.put_slice(b"\r\n");
            }
            Reply::Verbatim(_, text) => bulk(out, text),
            Reply::Bulks(b) => {
                header(out, b'*', b.len());
                out.reserve(b.data.len() + 16 * b.len());
                for item in b.iter() {
                    header(out, b'$', item.len());
                    out.put_slice(item);
                    out.put_slice(b"\r\n");
                }
            }
        }
    }

    /// The wire form of this reply as a standalone buffer.
    pub fn to_bytes(&self, proto: Protocol) -> Bytes {
        let mut out = BytesMut::new();
        self.encode(proto, &mut out);
        out.freeze()
    }
}

impl From<crate::cmd::CmdError> for Reply {
    fn from(e: crate::cmd::CmdError) -> Reply {
        Reply::error(e.to_string())
    }
}

fn header(out: &mut BytesMut, tag: u8, len: usize) {
    out.put_u8(tag);
    out.put_slice(itoa::Buffer::new().format(len).as_bytes());
    out.put_slice(b"\r\n");
}

fn line(out: &mut BytesMut, tag: u8, text: &[u8]) {
    out.reserve(text.len() + 3);
    out.put_u8(tag);
    out.put_slice(text);
    out.put_slice(b"\r\n");
}

fn bulk(out: &mut BytesMut, data: &[u8]) {
    out.reserve(data.len() + 16);
    header(out, b'$', data.len());
    out.put_slice(data);
    out.put_slice(b"\r\n");
}

/// Formats a double as Redis 7.0's `addReplyDouble` does: `inf`, `-inf`, `nan`, and otherwise
/// `%.17g` (17 significant digits, shortest of fixed or exponent notation, no trailing zeros).
pub fn format_double(d: f64) -> String {
    if d.is_nan() {
        return "nan".to_string();
    }
    if d.is_infinite() {
        return if d > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    format_g(d, 17)
}

/// C's `%.{precision}g`.
pub(crate) fn format_g(d: f64, precision: usize) -> String {
    if d == 0.0 {
        return if d.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    let p = precision.max(1);
    // `{:e}` with p-1 decimals gives the exponent C would use after rounding.
    let sci = format!("{:.*e}", p - 1, d);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if exp < -4 || exp >= p as i32 {
        let mantissa = trim_zeros(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        trim_zeros(&format!("{:.*}", decimals, d)).to_string()
    }
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(r: &Reply, p: Protocol) -> String {
        String::from_utf8(r.to_bytes(p).to_vec()).unwrap()
    }

    #[test]
    fn bulks_are_an_array_of_bulk_strings_on_the_wire_and_when_expanded() {
        let items: [&[u8]; 4] = [b"a", b"", b"\r\n$3", &[0xff; 300]];
        let bulks = Reply::Bulks(Bulks::copy_of(items));
        let array = Reply::Array(items.iter().map(|i| Reply::bulk(i.to_vec())).collect());
        for p in [Protocol::Resp2, Protocol::Resp3] {
            assert_eq!(bulks.to_bytes(p), array.to_bytes(p));
        }
        let empty = Reply::Bulks(Bulks::copy_of([]));
        assert_eq!(wire(&empty, Protocol::Resp3), "*0\r\n");
        assert_eq!(empty.expanded(), Reply::Array(vec![]));
        let exec = Reply::Array(vec![Reply::OK, bulks.clone()]);
        assert_eq!(
            exec.expanded(),
            Reply::Array(vec![Reply::OK, array.clone()])
        );
        assert_eq!(bulks.expanded(), array);
    }

    #[test]
    fn resp2_and_resp3_forms() {
        use Protocol::*;
        assert_eq!(wire(&Reply::OK, Resp2), "+OK\r\n");
        assert_eq!(wire(&Reply::Nil, Resp2), "$-1\r\n");
        assert_eq!(wire(&Reply::Nil, Resp3), "_\r\n");
        assert_eq!(wire(&Reply::NilArray, Resp2), "*-1\r\n");
        assert_eq!(wire(&Reply::Int(-7), Resp2), ":-7\r\n");
        assert_eq!(wire(&Reply::bulk("a\r\nb"), Resp2), "$4\r\na\r\nb\r\n");
        let map = Reply::Map(vec![(Reply::text("k"), Reply::Int(1))]);
        assert_eq!(wire(&map, Resp2), "*2\r\n$1\r\nk\r\n:1\r\n");
        assert_eq!(wire(&map, Resp3), "%1\r\n$1\r\nk\r\n:1\r\n");
        let pairs = Reply::Pairs(vec![(Reply::text("f"), Reply::text("v"))]);
        assert_eq!(wire(&pairs, Resp2), "*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
        assert_eq!(wire(&pairs, Resp3), "*1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
        assert_eq!(wire(&Reply::Pairs(vec![]), Resp3), "*0\r\n");
        let set = Reply::Set(vec![Reply::text("m")]);
        assert_eq!(wire(&set, Resp3), "~1\r\n$1\r\nm\r\n");
        assert_eq!(wire(&Reply::Double(2.5), Resp2), "$3\r\n2.5\r\n");
        assert_eq!(wire(&Reply::Double(2.5), Resp3), ",2.5\r\n");
        assert_eq!(wire(&Reply::Double(f64::INFINITY), Resp3), ",inf\r\n");
        assert_eq!(wire(&Reply::Bool(true), Resp3), "#t\r\n");
        assert_eq!(wire(&Reply::Bool(false), Resp2), ":0\r\n");
        let v = Reply::Verbatim("txt", Bytes::from_static(b"hi"));
        assert_eq!(wire(&v, Resp3), "=6\r\ntxt:hi\r\n");
        assert_eq!(wire(&v, Resp2), "$2\r\nhi\r\n");
        let push = Reply::Push(vec![Reply::text("message")]);
        assert_eq!(wire(&push, Resp3), ">1\r\n$7\r\nmessage\r\n");
        assert_eq!(wire(&push, Resp2), "*1\r\n$7\r\nmessage\r\n");
        let pairs = Reply::Pairs(vec![(Reply::text("m"), Reply::Double(1.5))]);
        assert_eq!(wire(&pairs, Resp2), "*2\r\n$1\r\nm\r\n$3\r\n1.5\r\n");
        assert_eq!(wire(&pairs, Resp3), "*1\r\n*2\r\n$1\r\nm\r\n,1.5\r\n");
    }

    #[test]
    fn doubles_as_percent_17g() {
        assert_eq!(format_double(0.1), "0.10000000000000001");
        assert_eq!(format_double(2.5), "2.5");
        assert_eq!(format_double(-3.0), "-3");
        assert_eq!(format_double(1e20), "1e+20");
        assert_eq!(format_double(123456789.0), "123456789");
        assert_eq!(format_double(1e-5), "1.0000000000000001e-05");
        assert_eq!(format_double(0.0001), "0.0001");
        assert_eq!(format_double(f64::NEG_INFINITY), "-inf");
    }
}
