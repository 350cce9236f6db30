//! A cursor over an RDB file's bytes with its primitive decoders: lengths, strings (raw,
//! integer-encoded, LZF), doubles. Every read is bounds-checked and every error carries the
//! offset where the structure started.

use std::borrow::Cow;

use super::error::RdbError;
use super::lzf;

/// A length prefix whose two top bits are `11` is a special string encoding.
pub(super) enum Length {
    Plain(u64),
    /// INT8, INT16, INT32 or LZF (0..=3).
    Encoded(u8),
}

const ENC_INT8: u8 = 0;
const ENC_INT16: u8 = 1;
const ENC_INT32: u8 = 2;
const ENC_LZF: u8 = 3;

/// A read position in the file.
pub(super) struct Input<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Input<'a> {
    pub fn new(buf: &'a [u8]) -> Input<'a> {
        Input { buf, pos: 0 }
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    /// The bytes read so far.
    pub fn consumed(&self) -> &'a [u8] {
        &self.buf[..self.pos]
    }

    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub fn bytes(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], RdbError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        let Some(end) = end else {
            return Err(RdbError::Truncated {
                offset: self.pos,
                what,
            });
        };
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    pub fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], RdbError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(N, what)?);
        Ok(out)
    }

    pub fn u8(&mut self, what: &'static str) -> Result<u8, RdbError> {
        Ok(self.array::<1>(what)?[0])
    }

    /// A length or special-encoding prefix.
    pub fn length(&mut self, what: &'static str) -> Result<Length, RdbError> {
        let first = self.u8(what)?;
        Ok(match first >> 6 {
            0 => Length::Plain(u64::from(first & 0x3f)),
            1 => Length::Plain(u64::from(first & 0x3f) << 8 | u64::from(self.u8(what)?)),
            3 => Length::Encoded(first & 0x3f),
            _ => match first {
                0x80 => Length::Plain(u64::from(u32::from_be_bytes(self.array(what)?))),
                0x81 => Length::Plain(u64::from_be_bytes(self.array(what)?)),
                _ => {
                    return Err(RdbError::corrupt(
                        self.pos - 1,
                        format!("unknown length encoding 0x{first:02x} in {what}"),
                    ));
                }
            },
        })
    }

    /// A plain length (an encoded string prefix here is corrupt).
    pub fn len(&mut self, what: &'static str) -> Result<u64, RdbError> {
        let at = self.pos;
        match self.length(what)? {
            Length::Plain(n) => Ok(n),
            Length::Encoded(_) => Err(RdbError::corrupt(
                at,
                format!("{what}: expected a length, found a string encoding"),
            )),
        }
    }

    /// A count of things that each take at least `min_bytes` bytes of the rest of the file:
    /// a larger count is corrupt, so no allocation is ever sized from a damaged header.
    pub fn count(&mut self, min_bytes: usize, what: &'static str) -> Result<usize, RdbError> {
        let at = self.pos;
        let n = self.len(what)?;
        let fits = usize::try_from(n)
            .ok()
            .filter(|&n| n.saturating_mul(min_bytes.max(1)) <= self.remaining());
        fits.ok_or_else(|| {
            RdbError::corrupt(
                at,
                format!(
                    "{what}: {n} items cannot fit in the {} bytes left",
                    self.remaining()
                ),
            )
        })
    }

    /// A string in any of its encodings: raw, integer (as decimal text) or LZF.
    pub fn string(&mut self, what: &'static str) -> Result<Cow<'a, [u8]>, RdbError> {
        let at = self.pos;
        match self.length(what)? {
            Length::Plain(n) => {
                let n = usize::try_from(n).map_err(|_| RdbError::Truncated { offset: at, what })?;
                Ok(Cow::Borrowed(self.bytes(n, what)?))
            }
            Length::Encoded(ENC_INT8) => {
                Ok(int_text(i64::from(i8::from_le_bytes(self.array(what)?))))
            }
            Length::Encoded(ENC_INT16) => {
                Ok(int_text(i64::from(i16::from_le_bytes(self.array(what)?))))
            }
            Length::Encoded(ENC_INT32) => {
                Ok(int_text(i64::from(i32::from_le_bytes(self.array(what)?))))
            }
            Length::Encoded(ENC_LZF) => self.lzf_string(at, what).map(Cow::Owned),
            Length::Encoded(e) => Err(RdbError::corrupt(
                at,
                format!("{what}: unknown string encoding {e}"),
            )),
        }
    }

    fn lzf_string(&mut self, at: usize, what: &'static str) -> Result<Vec<u8>, RdbError> {
        let clen = self.len(what)?;
        let ulen = self.len(what)?;
        let clen = usize::try_from(clen).map_err(|_| RdbError::Truncated { offset: at, what })?;
        let ulen = usize::try_from(ulen).unwrap_or(usize::MAX);
        let data = self.bytes(clen, what)?;
        lzf::decompress(data, ulen).map_err(|e| {
            RdbError::corrupt(
                at,
                format!("{what}: LZF data does not decompress to {ulen} bytes ({e:?})"),
            )
        })
    }

    /// A binary double (ZSET_2 scores): 8 bytes little-endian.
    pub fn binary_double(&mut self, what: &'static str) -> Result<f64, RdbError> {
        Ok(f64::from_le_bytes(self.array(what)?))
    }

    /// A double as text with a one-byte length (old ZSET scores): 253 NaN, 254 +inf,
    /// 255 -inf, else that many bytes of decimal text.
    pub fn text_double(&mut self, what: &'static str) -> Result<f64, RdbError> {
        let at = self.pos;
        match self.u8(what)? {
            253 => Ok(f64::NAN),
            254 => Ok(f64::INFINITY),
            255 => Ok(f64::NEG_INFINITY),
            n => {
                let text = self.bytes(usize::from(n), what)?;
                parse_double(text).ok_or_else(|| {
                    RdbError::corrupt(
                        at,
                        format!(
                            "{what}: {:?} is not a number",
                            text.escape_ascii().to_string()
                        ),
                    )
                })
            }
        }
    }
}

/// An integer's decimal text.
pub(super) fn int_text(v: i64) -> Cow<'static, [u8]> {
    Cow::Owned(itoa::Buffer::new().format(v).as_bytes().to_vec())
}

/// A score written as text by Redis (`%.17g`, `inf`, `-inf`), parsed as `strtod` would.
pub(super) fn parse_double(text: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(text).ok()?;
    match s {
        "inf" | "+inf" | "infinity" => Some(f64::INFINITY),
        "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
        _ => s.parse::<f64>().ok().filter(|v| !v.is_nan()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_in_every_width() {
        let data = [
            0x3f, 0x41, 0x02, 0x80, 0, 1, 0, 0, 0x81, 0, 0, 0, 1, 0, 0, 0, 0,
        ];
        let mut input = Input::new(&data);
        assert_eq!(input.len("t").ok(), Some(63));
        assert_eq!(input.len("t").ok(), Some(0x102));
        assert_eq!(input.len("t").ok(), Some(0x10000));
        assert_eq!(input.len("t").ok(), Some(1 << 32));
        assert!(matches!(
            input.len("t"),
            Err(RdbError::Truncated { offset: 17, .. })
        ));
    }

    #[test]
    fn integer_encoded_strings() {
        let data = [0xc0, 0x80, 0xc1, 0x00, 0x80, 0xc2, 0xff, 0xff, 0xff, 0x7f];
        let mut input = Input::new(&data);
        assert_eq!(input.string("t").ok().as_deref(), Some(&b"-128"[..]));
        assert_eq!(input.string("t").ok().as_deref(), Some(&b"-32768"[..]));
        assert_eq!(input.string("t").ok().as_deref(), Some(&b"2147483647"[..]));
    }

    #[test]
    fn counts_are_bounded_by_the_input() {
        let data = [0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2];
        assert!(matches!(
            Input::new(&data).count(1, "t"),
            Err(RdbError::Corrupt { offset: 0, .. })
        ));
        assert_eq!(Input::new(&[2, 0, 0]).count(1, "t").ok(), Some(2));
    }
}
