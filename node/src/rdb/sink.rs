//! The writer's output: a buffered stream that keeps the running CRC64 of everything written,
//! and the RDB primitives (lengths, strings) on top of it.

use std::io::{self, Write};

use super::{crc64, lzf};

/// Bytes gathered before they are checksummed and handed to the underlying writer.
const BUFFER: usize = 64 * 1024;

/// Buffered output with a running checksum.
pub(super) struct Sink<W: Write> {
    out: W,
    buf: Vec<u8>,
    crc: u64,
    /// Redis's `rdbcompression`: LZF for long strings.
    compress: bool,
}

impl<W: Write> Sink<W> {
    pub fn new(out: W, compress: bool) -> Sink<W> {
        Sink {
            out,
            buf: Vec::with_capacity(BUFFER),
            crc: 0,
            compress,
        }
    }

    pub fn put(&mut self, data: &[u8]) -> io::Result<()> {
        if self.buf.len() + data.len() > BUFFER {
            self.drain()?;
        }
        if data.len() >= BUFFER {
            // Large values go straight through rather than through the buffer.
            self.crc = crc64::update(self.crc, data);
            return self.out.write_all(data);
        }
        self.buf.extend_from_slice(data);
        Ok(())
    }

    pub fn byte(&mut self, b: u8) -> io::Result<()> {
        self.put(&[b])
    }

    fn drain(&mut self) -> io::Result<()> {
        self.crc = crc64::update(self.crc, &self.buf);
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }

    /// Writes the checksum of everything so far (after the EOF opcode) and flushes.
    pub fn finish(mut self) -> io::Result<W> {
        self.drain()?;
        let crc = self.crc;
        self.out.write_all(&crc.to_le_bytes())?;
        self.out.flush()?;
        Ok(self.out)
    }

    /// A length prefix in its shortest form (6, 14, 32 or 64 bits).
    pub fn len(&mut self, n: u64) -> io::Result<()> {
        if n < 1 << 6 {
            self.byte(n as u8)
        } else if n < 1 << 14 {
            self.put(&[0x40 | (n >> 8) as u8, n as u8])
        } else if let Ok(n32) = u32::try_from(n) {
            self.byte(0x80)?;
            self.put(&n32.to_be_bytes())
        } else {
            self.byte(0x81)?;
            self.put(&n.to_be_bytes())
        }
    }

    /// A string as Redis's `rdbSaveRawString` writes it: an integer encoding for short
    /// canonical integers that fit 32 bits, LZF for strings over 20 bytes when that saves at
    /// least 4 bytes (and compression is on), else raw.
    pub fn string(&mut self, s: &[u8]) -> io::Result<()> {
        if s.len() <= 11
            && let Some(v) = crate::store::parse_canonical_i64(s)
        {
            if let Ok(v) = i8::try_from(v) {
                return self.put(&[0xc0, v as u8]);
            }
            if let Ok(v) = i16::try_from(v) {
                self.byte(0xc1)?;
                return self.put(&v.to_le_bytes());
            }
            if let Ok(v) = i32::try_from(v) {
                self.byte(0xc2)?;
                return self.put(&v.to_le_bytes());
            }
        }
        if self.compress
            && s.len() > 20
            && let Some(packed) = lzf::compress(s, s.len() - 4)
        {
            self.byte(0xc3)?;
            self.len(packed.len() as u64)?;
            self.len(s.len() as u64)?;
            return self.put(&packed);
        }
        self.len(s.len() as u64)?;
        self.put(s)
    }
}

#[cfg(test)]
mod tests {
    use super::super::input::Input;
    use super::*;

    fn encoded(s: &[u8]) -> Vec<u8> {
        let mut sink = Sink::new(Vec::new(), true);
        sink.string(s).expect("vec");
        let mut out = sink.finish().expect("vec");
        out.truncate(out.len() - 8);
        out
    }

    #[test]
    fn strings_take_redis_encodings() {
        assert_eq!(encoded(b"0"), vec![0xc0, 0]);
        assert_eq!(encoded(b"-128"), vec![0xc0, 0x80]);
        assert_eq!(encoded(b"32767"), vec![0xc1, 0xff, 0x7f]);
        assert_eq!(encoded(b"2147483647"), vec![0xc2, 0xff, 0xff, 0xff, 0x7f]);
        assert_eq!(encoded(b"2147483648")[0], 10);
        assert_eq!(encoded(b"007"), b"\x03007".to_vec());
        assert_eq!(encoded(b"-0"), b"\x02-0".to_vec());
        assert_eq!(encoded(&[b'a'; 20])[0], 20);
        assert_eq!(encoded(&[b'a'; 21])[0], 0xc3);
    }

    #[test]
    fn lengths_and_strings_read_back() {
        for n in [0u64, 63, 64, 16383, 16384, u32::MAX as u64, 1 << 40] {
            let mut sink = Sink::new(Vec::new(), true);
            sink.len(n).expect("vec");
            let out = sink.finish().expect("vec");
            assert_eq!(Input::new(&out).len("t").ok(), Some(n));
        }
        for s in [
            &b""[..],
            b"12",
            b"-2147483648",
            &[7u8; 100_000],
            b"hello world hello world",
        ] {
            let out = encoded(s);
            assert_eq!(Input::new(&out).string("t").ok().as_deref(), Some(s));
        }
    }

    #[test]
    fn checksum_covers_everything_written() {
        let mut sink = Sink::new(Vec::new(), false);
        sink.put(b"REDIS0010").expect("vec");
        sink.put(&vec![1u8; 200_000]).expect("vec");
        sink.byte(0xff).expect("vec");
        let out = sink.finish().expect("vec");
        let (body, crc) = out.split_at(out.len() - 8);
        assert_eq!(crc, crc64::crc64(body).to_le_bytes());
    }
}
