//! Listpacks (Redis 7.0's compact container: quicklist nodes, small hashes and sorted sets):
//! a strict decoder and the encoder the writer uses.
//!
//! Layout: total bytes (u32 LE), element count (u16 LE, 65535 = "count it"), entries, 0xFF.
//! Each entry is an encoding byte (and length or integer bytes), its data, then its
//! "backlen": the entry's size in 1 to 5 bytes of 7 bits each, read from the end.

use super::elem::Elem;
use super::error::RdbError;

const HEADER: usize = 6;
const END: u8 = 0xff;
/// The count field's "unknown, walk the entries" value.
const COUNT_UNKNOWN: usize = u16::MAX as usize;

/// Decodes every element of the listpack `blob`, checking its header, each entry's bounds
/// and back-length, the count and the terminator. `at` is the blob's offset in the file.
pub(super) fn decode(blob: &[u8], at: usize) -> Result<Vec<Elem<'_>>, RdbError> {
    let bad = |msg: String| RdbError::corrupt(at, format!("listpack: {msg}"));
    if blob.len() < HEADER + 1 {
        return Err(bad(format!("{} bytes is too short", blob.len())));
    }
    let total = u32::from_le_bytes([blob[0], blob[1], blob[2], blob[3]]) as usize;
    if total != blob.len() {
        return Err(bad(format!(
            "header says {total} bytes, blob has {}",
            blob.len()
        )));
    }
    let count = usize::from(u16::from_le_bytes([blob[4], blob[5]]));
    if blob[blob.len() - 1] != END {
        return Err(bad("no terminator".into()));
    }
    let body = &blob[..blob.len() - 1];
    let mut out = Vec::with_capacity(count.min(body.len()));
    let mut p = HEADER;
    while p < body.len() {
        let (elem, size) = entry(body, p).ok_or_else(|| bad(format!("bad entry at +{p}")))?;
        let back = backlen(size);
        let stored = body.get(p + size..p + size + back.len());
        if stored != Some(&back[..]) {
            return Err(bad(format!("bad back-length at +{}", p + size)));
        }
        out.push(elem);
        p += size + back.len();
    }
    if count != COUNT_UNKNOWN && count != out.len() {
        return Err(bad(format!(
            "header says {count} entries, found {}",
            out.len()
        )));
    }
    Ok(out)
}

/// The entry at `p`: its element and its size without the back-length.
fn entry(buf: &[u8], p: usize) -> Option<(Elem<'_>, usize)> {
    let b = *buf.get(p)?;
    let int = |n: usize| -> Option<i64> {
        let raw = buf.get(p + 1..p + 1 + n)?;
        let mut le = [0u8; 8];
        le[..n].copy_from_slice(raw);
        // Sign-extend from the top bit of the stored width.
        let shift = 64 - 8 * n as u32;
        Some(i64::from_le_bytes(le) << shift >> shift)
    };
    let string = |header: usize, len: usize| -> Option<(Elem<'_>, usize)> {
        let end = (p + header).checked_add(len)?;
        Some((Elem::Str(buf.get(p + header..end)?), header + len))
    };
    match b {
        0x00..=0x7f => Some((Elem::Int(i64::from(b)), 1)),
        0x80..=0xbf => string(1, usize::from(b & 0x3f)),
        0xc0..=0xdf => {
            let v = i64::from(b & 0x1f) << 8 | i64::from(*buf.get(p + 1)?);
            Some((Elem::Int(if v >= 1 << 12 { v - (1 << 13) } else { v }), 2))
        }
        0xe0..=0xef => string(
            2,
            usize::from(b & 0x0f) << 8 | usize::from(*buf.get(p + 1)?),
        ),
        0xf0 => {
            let len = u32::from_le_bytes(buf.get(p + 1..p + 5)?.try_into().ok()?);
            string(5, len as usize)
        }
        0xf1 => Some((Elem::Int(int(2)?), 3)),
        0xf2 => Some((Elem::Int(int(3)?), 4)),
        0xf3 => Some((Elem::Int(int(4)?), 5)),
        0xf4 => Some((Elem::Int(int(8)?), 9)),
        _ => None,
    }
}

/// The back-length bytes for an entry of `size` bytes, as Redis's `lpEncodeBacklen`.
fn backlen(size: usize) -> Vec<u8> {
    let size = size as u64;
    let groups = match size {
        0..=127 => 1,
        128..16383 => 2,
        16383..2097151 => 3,
        2097151..268435455 => 4,
        _ => 5,
    };
    (0..groups)
        .map(|i| {
            let shift = 7 * (groups - 1 - i);
            let bits = ((size >> shift) & 0x7f) as u8;
            if i == 0 { bits } else { bits | 0x80 }
        })
        .collect()
}

/// Builds a listpack, encoding each element as Redis's `lpAppend` does: canonical integers
/// as integers in the narrowest form, other strings with the shortest length prefix.
#[derive(Default)]
pub(super) struct Builder {
    buf: Vec<u8>,
    count: usize,
}

impl Builder {
    pub fn new() -> Builder {
        Builder {
            buf: vec![0; HEADER],
            count: 0,
        }
    }

    /// The listpack's size in bytes once finished.
    #[cfg(test)]
    pub fn size(&self) -> usize {
        self.buf.len() + 1
    }

    /// Appends an element given by its bytes.
    pub fn push(&mut self, data: &[u8]) {
        let start = self.buf.len();
        match crate::store::parse_canonical_i64(data) {
            Some(v) => encode_int(&mut self.buf, v),
            None => encode_str(&mut self.buf, data),
        }
        let size = self.buf.len() - start;
        self.buf.extend_from_slice(&backlen(size));
        self.count += 1;
    }

    /// The finished listpack.
    pub fn finish(mut self) -> Vec<u8> {
        self.buf.push(END);
        let total = u32::try_from(self.buf.len()).unwrap_or(u32::MAX);
        self.buf[..4].copy_from_slice(&total.to_le_bytes());
        let count = self.count.min(COUNT_UNKNOWN) as u16;
        self.buf[4..6].copy_from_slice(&count.to_le_bytes());
        self.buf
    }
}

/// The size `data` takes as a listpack entry, back-length included.
pub(super) fn entry_size(data: &[u8]) -> usize {
    let mut tmp = Vec::new();
    let size = match crate::store::parse_canonical_i64(data) {
        Some(v) => {
            encode_int(&mut tmp, v);
            tmp.len()
        }
        None if data.len() < 64 => 1 + data.len(),
        None if data.len() < 4096 => 2 + data.len(),
        None => 5 + data.len(),
    };
    size + backlen(size).len()
}

fn encode_int(buf: &mut Vec<u8>, v: i64) {
    match v {
        0..=127 => buf.push(v as u8),
        -4096..=4095 => {
            let u = (v & 0x1fff) as u16;
            buf.push(0xc0 | (u >> 8) as u8);
            buf.push(u as u8);
        }
        _ => {
            let (tag, width) = if i16::try_from(v).is_ok() {
                (0xf1, 2)
            } else if (-(1 << 23)..1 << 23).contains(&v) {
                (0xf2, 3)
            } else if i32::try_from(v).is_ok() {
                (0xf3, 4)
            } else {
                (0xf4, 8)
            };
            buf.push(tag);
            buf.extend_from_slice(&v.to_le_bytes()[..width]);
        }
    }
}

fn encode_str(buf: &mut Vec<u8>, data: &[u8]) {
    let n = data.len();
    if n < 64 {
        buf.push(0x80 | n as u8);
    } else if n < 4096 {
        buf.push(0xe0 | (n >> 8) as u8);
        buf.push(n as u8);
    } else {
        buf.push(0xf0);
        buf.extend_from_slice(&(n as u32).to_le_bytes());
    }
    buf.extend_from_slice(data);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_encoding_round_trips() {
        let long12 = vec![b'x'; 100];
        let long32 = vec![b'y'; 5000];
        let values: Vec<Vec<u8>> = vec![
            b"0".to_vec(),
            b"127".to_vec(),
            b"128".to_vec(),
            b"-1".to_vec(),
            b"-4096".to_vec(),
            b"4095".to_vec(),
            b"-4097".to_vec(),
            b"32767".to_vec(),
            b"8388607".to_vec(),
            b"-8388608".to_vec(),
            b"2147483647".to_vec(),
            b"-9223372036854775808".to_vec(),
            b"007".to_vec(),
            b"".to_vec(),
            long12,
            long32,
        ];
        let mut b = Builder::new();
        let mut sizes = 0;
        for v in &values {
            b.push(v);
            sizes += entry_size(v);
        }
        assert_eq!(b.size(), HEADER + sizes + 1);
        let lp = b.finish();
        let got: Vec<Vec<u8>> = decode(&lp, 0)
            .expect("valid")
            .into_iter()
            .map(|e| e.bytes().into_owned())
            .collect();
        assert_eq!(got, values);
    }

    #[test]
    fn backlen_matches_redis() {
        assert_eq!(backlen(1), vec![1]);
        assert_eq!(backlen(127), vec![127]);
        assert_eq!(backlen(128), vec![1, 0x80]);
        assert_eq!(
            backlen(5005),
            vec![(5005 >> 7) as u8, 0x80 | (5005 & 127) as u8]
        );
    }

    #[test]
    fn damage_is_detected() {
        let mut b = Builder::new();
        b.push(b"hello");
        b.push(b"12");
        let lp = b.finish();
        for cut in 0..lp.len() {
            assert!(decode(&lp[..cut], 0).is_err(), "cut {cut}");
        }
        let mut wrong_count = lp.clone();
        wrong_count[4] = 3;
        assert!(decode(&wrong_count, 0).is_err());
        let mut wrong_back = lp.clone();
        wrong_back[HEADER + 6] = 9;
        assert!(decode(&wrong_back, 0).is_err());
    }
}
