//! Ziplists (the compact container before Redis 7.0: list, hash and sorted-set encodings and
//! quicklist v1 nodes): a strict decoder. Redis 7.0 only reads them, and so do we.
//!
//! Layout: total bytes (u32 LE), offset of the last entry (u32 LE), entry count (u16 LE,
//! 65535 = "count it"), entries, 0xFF. Each entry is the previous entry's size (1 byte, or
//! 0xFE and 4 bytes LE), an encoding (string length or integer kind), then the data.

use super::elem::Elem;
use super::error::RdbError;

const HEADER: usize = 10;
const END: u8 = 0xff;
const COUNT_UNKNOWN: usize = u16::MAX as usize;

/// Decodes every element of the ziplist `blob`, checking the header, each entry's bounds and
/// previous-entry length, the tail offset, the count and the terminator (Redis's
/// `ziplistValidateIntegrity` with deep checks). `at` is the blob's offset in the file.
pub(super) fn decode(blob: &[u8], at: usize) -> Result<Vec<Elem<'_>>, RdbError> {
    let bad = |msg: String| RdbError::corrupt(at, format!("ziplist: {msg}"));
    if blob.len() < HEADER + 1 {
        return Err(bad(format!("{} bytes is too short", blob.len())));
    }
    let u32_at = |i: usize| u32::from_le_bytes([blob[i], blob[i + 1], blob[i + 2], blob[i + 3]]);
    let total = u32_at(0) as usize;
    let tail = u32_at(4) as usize;
    let count = usize::from(u16::from_le_bytes([blob[8], blob[9]]));
    if total != blob.len() {
        return Err(bad(format!(
            "header says {total} bytes, blob has {}",
            blob.len()
        )));
    }
    if blob[blob.len() - 1] != END {
        return Err(bad("no terminator".into()));
    }
    let body = &blob[..blob.len() - 1];
    let mut out = Vec::with_capacity(count.min(body.len()));
    let (mut p, mut prev_size, mut last) = (HEADER, 0, HEADER);
    while p < body.len() {
        let (elem, size, prev) = entry(body, p).ok_or_else(|| bad(format!("bad entry at +{p}")))?;
        if prev != prev_size {
            return Err(bad(format!(
                "entry at +{p} says the previous one has {prev} bytes, it has {prev_size}"
            )));
        }
        out.push(elem);
        last = p;
        prev_size = size;
        p += size;
    }
    if tail != last {
        return Err(bad(format!(
            "tail offset {tail} is not the last entry's {last}"
        )));
    }
    if count != COUNT_UNKNOWN && count != out.len() {
        return Err(bad(format!(
            "header says {count} entries, found {}",
            out.len()
        )));
    }
    Ok(out)
}

/// The entry at `p`: its element, its whole size and the previous entry's size it records.
fn entry(buf: &[u8], p: usize) -> Option<(Elem<'_>, usize, usize)> {
    let (prev, mut q) = match *buf.get(p)? {
        0xfe => {
            let raw = buf.get(p + 1..p + 5)?;
            (u32::from_le_bytes(raw.try_into().ok()?) as usize, p + 5)
        }
        END => return None,
        n => (usize::from(n), p + 1),
    };
    let enc = *buf.get(q)?;
    let int = |q: usize, n: usize| -> Option<i64> {
        let raw = buf.get(q..q + n)?;
        let mut le = [0u8; 8];
        le[..n].copy_from_slice(raw);
        let shift = 64 - 8 * n as u32;
        Some(i64::from_le_bytes(le) << shift >> shift)
    };
    let (elem, end) = match enc >> 6 {
        0 => str_entry(buf, q + 1, usize::from(enc & 0x3f))?,
        1 => {
            let len = usize::from(enc & 0x3f) << 8 | usize::from(*buf.get(q + 1)?);
            str_entry(buf, q + 2, len)?
        }
        2 => {
            let raw = buf.get(q + 1..q + 5)?;
            str_entry(
                buf,
                q + 5,
                u32::from_be_bytes(raw.try_into().ok()?) as usize,
            )?
        }
        _ => {
            q += 1;
            let (v, n) = match enc {
                0xc0 => (int(q, 2)?, 2),
                0xd0 => (int(q, 4)?, 4),
                0xe0 => (int(q, 8)?, 8),
                0xf0 => (int(q, 3)?, 3),
                0xfe => (int(q, 1)?, 1),
                0xf1..=0xfd => (i64::from(enc & 0x0f) - 1, 0),
                _ => return None,
            };
            (Elem::Int(v), q + n)
        }
    };
    Some((elem, end - p, prev))
}

fn str_entry(buf: &[u8], start: usize, len: usize) -> Option<(Elem<'_>, usize)> {
    let end = start.checked_add(len)?;
    Some((Elem::Str(buf.get(start..end)?), end))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ziplist built by hand: "ab", 12 (immediate), -2 (int8), 70000 (int24).
    fn sample() -> Vec<u8> {
        let entries: Vec<Vec<u8>> = vec![
            vec![0, 0x02, b'a', b'b'],
            vec![4, 0xfd],
            vec![2, 0xfe, 0xfe],
            vec![3, 0xf0, 0x70, 0x11, 0x01],
        ];
        let body: Vec<u8> = entries.concat();
        let total = HEADER + body.len() + 1;
        let tail = total - 1 - entries[3].len();
        let mut zl = Vec::new();
        zl.extend_from_slice(&(total as u32).to_le_bytes());
        zl.extend_from_slice(&(tail as u32).to_le_bytes());
        zl.extend_from_slice(&4u16.to_le_bytes());
        zl.extend_from_slice(&body);
        zl.push(END);
        zl
    }

    #[test]
    fn decodes_strings_and_integers() {
        let zl = sample();
        let got = decode(&zl, 0).expect("valid");
        assert_eq!(
            got,
            vec![
                Elem::Str(b"ab"),
                Elem::Int(12),
                Elem::Int(-2),
                Elem::Int(0x011170)
            ]
        );
    }

    #[test]
    fn damage_is_detected() {
        let zl = sample();
        for cut in 0..zl.len() {
            assert!(decode(&zl[..cut], 0).is_err());
        }
        let mut bad_prev = zl.clone();
        bad_prev[HEADER + 4] = 9;
        assert!(decode(&bad_prev, 0).is_err());
        let mut bad_tail = zl.clone();
        bad_tail[4] = 1;
        assert!(decode(&bad_tail, 0).is_err());
    }
}
