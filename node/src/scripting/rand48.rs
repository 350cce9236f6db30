//! `math.random` as Redis implements it (`redisLrand48`, the 48-bit linear congruential
//! generator of `drand48`), seeded per script run from the log entry so every replica draws
//! the same numbers.

const A: u64 = 0x5_DEEC_E66D;
const C: u64 = 0xB;
const MASK: u64 = (1 << 48) - 1;
/// `REDIS_LRAND48_MAX`.
const MAX: u64 = i32::MAX as u64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rand48(u64);

impl Rand48 {
    /// `redisSrand48(seed)`.
    pub fn new(seed: i32) -> Rand48 {
        Rand48(((u64::from(seed as u32) << 16) | 0x330E) & MASK)
    }

    /// `redisLrand48()`: 31 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = (A.wrapping_mul(self.0).wrapping_add(C)) & MASK;
        self.0 >> 17
    }

    /// The double in [0, 1) that Redis's `math.random` starts from.
    pub fn unit(&mut self) -> f64 {
        (self.next() % MAX) as f64 / MAX as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_drand48() {
        // lrand48() after srand48(0) in glibc: 366850414, 1610402240...
        let mut r = Rand48::new(0);
        assert_eq!(r.next(), 366_850_414);
        assert_eq!(r.next(), 1_610_402_240);
    }
}
