//! Zipmaps (RDB type 9): the hash encoding of Redis before 2.6, read only.
//!
//! Layout: a count byte (exact below 254), then `len key len free value [free bytes]` per
//! pair, then 0xFF. A length is one byte below 254, or 254 followed by 4 bytes LE.

use super::error::RdbError;

const END: u8 = 0xff;

/// A (field, value) pair.
pub(super) type Pair<'a> = (&'a [u8], &'a [u8]);
const BIG: u8 = 254;

/// Decodes the zipmap `blob` into its (field, value) pairs, checking every length against
/// the blob and that it ends exactly at the terminator. `at` is its offset in the file.
pub(super) fn decode(blob: &[u8], at: usize) -> Result<Vec<Pair<'_>>, RdbError> {
    let bad = |msg: String| RdbError::corrupt(at, format!("zipmap: {msg}"));
    let Some((&count, _)) = blob.split_first() else {
        return Err(bad("empty blob".into()));
    };
    let mut p = 1;
    let mut pairs = Vec::new();
    loop {
        let Some(len) = length(blob, &mut p) else {
            return Err(bad(format!("bad field length at +{p}")));
        };
        let Some(len) = len else { break };
        let field =
            take(blob, &mut p, len).ok_or_else(|| bad(format!("field past the end at +{p}")))?;
        let vlen = length(blob, &mut p)
            .flatten()
            .ok_or_else(|| bad(format!("bad value length at +{p}")))?;
        let free = usize::from(*blob.get(p).ok_or_else(|| bad("truncated".into()))?);
        p += 1;
        let value =
            take(blob, &mut p, vlen).ok_or_else(|| bad(format!("value past the end at +{p}")))?;
        take(blob, &mut p, free).ok_or_else(|| bad(format!("free space past the end at +{p}")))?;
        pairs.push((field, value));
    }
    if p != blob.len() {
        return Err(bad(format!(
            "{} bytes after the terminator",
            blob.len() - p
        )));
    }
    if count < BIG && usize::from(count) != pairs.len() {
        return Err(bad(format!(
            "header says {count} pairs, found {}",
            pairs.len()
        )));
    }
    Ok(pairs)
}

/// A length at `p` (advancing past it): `Some(None)` at the terminator, `None` if cut short.
fn length(blob: &[u8], p: &mut usize) -> Option<Option<usize>> {
    let first = *blob.get(*p)?;
    *p += 1;
    match first {
        END => Some(None),
        BIG => {
            let raw = blob.get(*p..*p + 4)?;
            *p += 4;
            Some(Some(u32::from_le_bytes(raw.try_into().ok()?) as usize))
        }
        n => Some(Some(usize::from(n))),
    }
}

fn take<'a>(blob: &'a [u8], p: &mut usize, n: usize) -> Option<&'a [u8]> {
    let out = blob.get(*p..p.checked_add(n)?)?;
    *p += n;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_pairs_and_skips_free_space() {
        let blob = [2, 1, b'a', 2, 1, b'x', b'y', 0, 1, b'b', 0, 0, END];
        let pairs = decode(&blob, 0).expect("valid");
        assert_eq!(pairs, vec![(&b"a"[..], &b"xy"[..]), (&b"b"[..], &b""[..])]);
        for cut in 0..blob.len() {
            assert!(decode(&blob[..cut], 0).is_err());
        }
    }
}
