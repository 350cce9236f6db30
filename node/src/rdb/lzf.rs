//! LZF, the compression Redis applies to long strings in RDB files (liblzf's raw format, no
//! header: the RDB string carries both lengths).
//!
//! The stream is a sequence of tokens. A control byte below 32 starts a literal run of
//! `ctrl + 1` bytes; otherwise its top three bits are a length `len` (7 meaning "add the next
//! byte") and it back-references `len + 2` bytes at distance `((ctrl & 31) << 8 | next) + 1`.
//!
//! Decompression never panics and never allocates more than the caller's expected length,
//! which the caller bounds first with [`max_expansion`]. Compression is deterministic: the
//! same input always gives the same bytes (snapshots of equal stores are byte-identical).

/// Longest literal run one control byte can announce.
const MAX_LIT: usize = 32;
/// Longest back-reference: `len` 7 + 255 extra + 2.
const MAX_REF: usize = 264;
/// Farthest back-reference distance (13 bits + 1).
const MAX_OFF: usize = 1 << 13;

/// Why a compressed string could not be decompressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LzfError {
    /// The input ends in the middle of a token.
    Truncated,
    /// A back-reference points before the start of the output.
    BadReference,
    /// The output would not have exactly the expected length.
    WrongLength,
}

/// The most bytes `compressed_len` bytes of valid LZF can expand to: a 3-byte token yields at
/// most 264 bytes. A header announcing more is corrupt, whatever follows.
pub fn max_expansion(compressed_len: usize) -> usize {
    compressed_len.saturating_mul(MAX_REF.div_ceil(3))
}

/// Decompresses `input`, which must expand to exactly `expected_len` bytes.
pub fn decompress(input: &[u8], expected_len: usize) -> Result<Vec<u8>, LzfError> {
    if expected_len > max_expansion(input.len()) {
        return Err(LzfError::WrongLength);
    }
    let mut out = Vec::with_capacity(expected_len);
    let mut ip = 0;
    while ip < input.len() {
        let ctrl = usize::from(input[ip]);
        ip += 1;
        if ctrl < 32 {
            let run = input.get(ip..ip + ctrl + 1).ok_or(LzfError::Truncated)?;
            if out.len() + run.len() > expected_len {
                return Err(LzfError::WrongLength);
            }
            out.extend_from_slice(run);
            ip += run.len();
            continue;
        }
        let mut len = ctrl >> 5;
        if len == 7 {
            len += usize::from(*input.get(ip).ok_or(LzfError::Truncated)?);
            ip += 1;
        }
        let low = usize::from(*input.get(ip).ok_or(LzfError::Truncated)?);
        ip += 1;
        let distance = (((ctrl & 0x1f) << 8) | low) + 1;
        let len = len + 2;
        let start = out
            .len()
            .checked_sub(distance)
            .ok_or(LzfError::BadReference)?;
        if out.len() + len > expected_len {
            return Err(LzfError::WrongLength);
        }
        copy_back(&mut out, start, len);
    }
    if out.len() == expected_len {
        Ok(out)
    } else {
        Err(LzfError::WrongLength)
    }
}

/// Appends `len` bytes copied from `start` on, where the source may run into the bytes being
/// appended (a run: distance shorter than the length), as LZF's byte-by-byte copy defines it.
/// Whole chunks instead of single bytes: a run of one byte is a fill, and any other run
/// repeats its first `distance` bytes.
fn copy_back(out: &mut Vec<u8>, start: usize, len: usize) {
    let distance = out.len() - start;
    if distance == 1 {
        let b = out[start];
        out.resize(out.len() + len, b);
        return;
    }
    let (mut from, mut left) = (start, len);
    while left > 0 {
        let n = left.min(out.len() - from);
        out.extend_from_within(from..from + n);
        from += n;
        left -= n;
    }
}

/// Compresses `input` if the result fits in `max_out` bytes, as liblzf's `lzf_compress` with
/// an output buffer of that size (Redis asks for at least 4 bytes of savings).
pub fn compress(input: &[u8], max_out: usize) -> Option<Vec<u8>> {
    if input.len() < 4 {
        return None;
    }
    let mut c = Compressor::new(input, max_out);
    c.run()?;
    Some(c.out)
}

struct Compressor<'a> {
    input: &'a [u8],
    max_out: usize,
    out: Vec<u8>,
    /// Position + 1 of the last occurrence of each 3-byte hash (0: none).
    table: Vec<u32>,
    bits: u32,
}

impl<'a> Compressor<'a> {
    fn new(input: &'a [u8], max_out: usize) -> Compressor<'a> {
        // The table grows with the input up to 2^14 slots; the size is a function of the input
        // length alone, so output stays deterministic.
        let bits = (usize::BITS - input.len().leading_zeros()).clamp(8, 14);
        Compressor {
            input,
            max_out,
            out: Vec::with_capacity(max_out.min(input.len())),
            table: vec![0; 1 << bits],
            bits,
        }
    }

    fn slot(&self, at: usize) -> usize {
        let v = u32::from(self.input[at]) << 16
            | u32::from(self.input[at + 1]) << 8
            | u32::from(self.input[at + 2]);
        (v.wrapping_mul(0x9E37_79B1) >> (32 - self.bits)) as usize
    }

    /// Emits the literal bytes `lit` in runs of at most 32.
    fn literals(&mut self, lit: &[u8]) -> Option<()> {
        for run in lit.chunks(MAX_LIT) {
            if self.out.len() + 1 + run.len() > self.max_out {
                return None;
            }
            self.out.push((run.len() - 1) as u8);
            self.out.extend_from_slice(run);
        }
        Some(())
    }

    fn reference(&mut self, distance: usize, len: usize) -> Option<()> {
        let (off, code) = (distance - 1, len - 2);
        let need = if code < 7 { 2 } else { 3 };
        if self.out.len() + need > self.max_out {
            return None;
        }
        let high = (off >> 8) as u8;
        if code < 7 {
            self.out.push(((code as u8) << 5) | high);
        } else {
            self.out.push((7 << 5) | high);
            self.out.push((code - 7) as u8);
        }
        self.out.push((off & 0xff) as u8);
        Some(())
    }

    fn run(&mut self) -> Option<()> {
        let n = self.input.len();
        let (mut ip, mut lit_start) = (0, 0);
        while ip + 2 < n {
            let slot = self.slot(ip);
            let candidate = self.table[slot] as usize;
            self.table[slot] = (ip + 1) as u32;
            if candidate == 0 || ip - (candidate - 1) > MAX_OFF {
                ip += 1;
                continue;
            }
            let at = candidate - 1;
            let limit = (n - ip).min(MAX_REF);
            let len = (0..limit)
                .take_while(|&i| self.input[at + i] == self.input[ip + i])
                .count();
            if len < 3 {
                ip += 1;
                continue;
            }
            self.literals(&self.input[lit_start..ip])?;
            self.reference(ip - at, len)?;
            ip += len;
            lit_start = ip;
        }
        self.literals(&self.input[lit_start..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(data: &[u8]) {
        if let Some(c) = compress(data, data.len().saturating_sub(4)) {
            assert!(c.len() <= data.len() - 4);
            assert_eq!(decompress(&c, data.len()).as_deref(), Ok(data));
        }
        let c = compress(data, data.len() * 2 + 16).unwrap_or_default();
        if data.len() >= 4 {
            assert_eq!(decompress(&c, data.len()).as_deref(), Ok(data));
        }
    }

    #[test]
    fn compresses_and_restores() {
        round_trip(b"");
        round_trip(b"abcd");
        round_trip(&[0u8; 65536]);
        round_trip(b"hello hello hello hello hello hello world world world");
        let text: Vec<u8> = (0..100_000u32)
            .flat_map(|i| format!("item:{} ", i % 977).into_bytes())
            .collect();
        round_trip(&text);
        let mut x = 0x1234_5678u32;
        let noise: Vec<u8> = (0..10_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect();
        round_trip(&noise);
        assert_eq!(compress(&noise, noise.len() - 4), None);
    }

    #[test]
    fn redis_rule_applies_to_long_runs() {
        let data = vec![b'a'; 100];
        let c = compress(&data, 96).expect("compressible");
        assert!(c.len() < 10);
        assert_eq!(decompress(&c, 100), Ok(data));
    }

    #[test]
    fn overlapping_references_copy_as_byte_by_byte() {
        for distance in 1..=9 {
            for len in 1..=40 {
                let mut fast: Vec<u8> = (1..=12).collect();
                let mut slow = fast.clone();
                let start = fast.len() - distance;
                copy_back(&mut fast, start, len);
                for i in start..start + len {
                    let b = slow[i];
                    slow.push(b);
                }
                assert_eq!(fast, slow, "distance {distance}, length {len}");
            }
        }
    }

    #[test]
    fn corrupt_input_is_an_error_not_a_panic() {
        // Back-reference before the start.
        assert_eq!(decompress(&[0x20, 0x05], 3), Err(LzfError::BadReference));
        // Literal run longer than the input.
        assert_eq!(decompress(&[0x05, b'a'], 6), Err(LzfError::Truncated));
        // Reference token cut short.
        assert_eq!(
            decompress(&[0x00, b'a', 0xe0], 10),
            Err(LzfError::Truncated)
        );
        // Output longer or shorter than announced.
        assert_eq!(
            decompress(&[0x01, b'a', b'b'], 1),
            Err(LzfError::WrongLength)
        );
        assert_eq!(
            decompress(&[0x01, b'a', b'b'], 3),
            Err(LzfError::WrongLength)
        );
        // A huge announced length is refused before allocating.
        assert_eq!(
            decompress(&[0x00, b'a'], usize::MAX),
            Err(LzfError::WrongLength)
        );
        for seed in 0..2000u32 {
            let bytes: Vec<u8> = (0..16)
                .map(|i| (seed.wrapping_mul(31) >> i) as u8)
                .collect();
            let _ = decompress(&bytes, (seed % 200) as usize);
        }
    }

    #[test]
    fn output_is_deterministic() {
        let data = b"abcabcabcabcabcabc-xyz-xyz-xyz-xyz".repeat(50);
        assert_eq!(compress(&data, data.len()), compress(&data, data.len()));
    }
}
