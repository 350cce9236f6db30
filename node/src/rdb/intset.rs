//! Intsets (RDB type 11): sorted integers at one width, as Redis's `intset.c` lays them out.
//!
//! Layout: width in bytes (u32 LE: 2, 4 or 8), count (u32 LE), then the integers
//! little-endian in strictly ascending order.

use super::error::RdbError;

/// Decodes the intset `blob`, checking its width, its size and that the members ascend
/// strictly (a duplicate or disorder would break lookups). `at` is its offset in the file.
pub(super) fn decode(blob: &[u8], at: usize) -> Result<Vec<i64>, RdbError> {
    let bad = |msg: String| RdbError::corrupt(at, format!("intset: {msg}"));
    if blob.len() < 8 {
        return Err(bad(format!("{} bytes is too short", blob.len())));
    }
    let width = u32::from_le_bytes([blob[0], blob[1], blob[2], blob[3]]) as usize;
    let count = u32::from_le_bytes([blob[4], blob[5], blob[6], blob[7]]) as usize;
    if !matches!(width, 2 | 4 | 8) {
        return Err(bad(format!("width {width} is not 2, 4 or 8")));
    }
    if count.checked_mul(width) != Some(blob.len() - 8) {
        return Err(bad(format!(
            "{count} members of {width} bytes do not fill {} bytes",
            blob.len() - 8
        )));
    }
    let shift = 64 - 8 * width as u32;
    let members: Vec<i64> = blob[8..]
        .chunks_exact(width)
        .map(|raw| {
            let mut le = [0u8; 8];
            le[..width].copy_from_slice(raw);
            i64::from_le_bytes(le) << shift >> shift
        })
        .collect();
    if members.windows(2).any(|w| w[0] >= w[1]) {
        return Err(bad("members are not strictly ascending".into()));
    }
    Ok(members)
}

/// Encodes `members` (ascending) at the narrowest width that holds them all, as Redis would
/// after adding them to a new intset.
pub(super) fn encode(members: &[i64]) -> Vec<u8> {
    let width: usize = members
        .iter()
        .map(|&v| {
            if i16::try_from(v).is_ok() {
                2
            } else if i32::try_from(v).is_ok() {
                4
            } else {
                8
            }
        })
        .max()
        .unwrap_or(2);
    let mut out = Vec::with_capacity(8 + members.len() * width);
    out.extend_from_slice(&(width as u32).to_le_bytes());
    out.extend_from_slice(&(members.len() as u32).to_le_bytes());
    for v in members {
        out.extend_from_slice(&v.to_le_bytes()[..width]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_at_each_width() {
        for members in [
            vec![-3, 0, 5],
            vec![-40_000, 7],
            vec![1, 1 << 40],
            vec![i64::MIN, i64::MAX],
        ] {
            let blob = encode(&members);
            assert_eq!(decode(&blob, 0).ok(), Some(members));
        }
        assert_eq!(encode(&[1, 2])[..4], 2u32.to_le_bytes());
        assert_eq!(encode(&[1, 70_000])[..4], 4u32.to_le_bytes());
    }

    #[test]
    fn damage_is_detected() {
        let blob = encode(&[1, 2, 3]);
        for cut in 0..blob.len() {
            assert!(decode(&blob[..cut], 0).is_err());
        }
        let mut unsorted = blob.clone();
        unsorted[8] = 9;
        assert!(decode(&unsorted, 0).is_err());
        let mut width = blob;
        width[0] = 3;
        assert!(decode(&width, 0).is_err());
    }
}
