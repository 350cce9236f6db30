//! The x87 80-bit extended precision arithmetic ("long double" on x86-64 Linux) that Redis
//! uses for INCRBYFLOAT, emulated exactly in integer arithmetic.
//!
//! Redis parses both operands with `strtold`, adds them as `long double` and stores the sum
//! printed with `%.17Lf` and its trailing zeros trimmed. The extended format shows through in
//! what clients read: `INCRBYFLOAT k 12345.678` answers `12345.67799999999999994`, while
//! `0.1 + 0.2` answers `0.3` (an `f64` would give `0.30000000000000004`). So this module
//! reproduces the three steps bit for bit:
//! - [`LongDouble::parse`]: glibc's `strtold` in the C locale, correctly rounded to a 64-bit
//!   mantissa (round half to even), with hexadecimal floats, `inf`/`infinity`, subnormals, and
//!   Redis's `string2ld` rules on top (no leading space, nothing trailing, NaN refused, a
//!   result that overflows or underflows to zero refused, inputs of 5120 bytes or more refused).
//! - [`LongDouble::checked_add`]: the exact sum rounded once, as the FPU does.
//! - [`LongDouble::to_human`]: `%.17Lf` (exact decimal expansion, round half to even as glibc
//!   does) with Redis's trimming of trailing zeros and of a negative zero.
//!
//! Pure functions of their input (no FPU, no locale), so every replica computes the same bytes.
//! Depends on nothing else in the crate.

use std::cmp::Ordering;

/// Significant bits of the x87 extended mantissa (explicit integer bit included).
const MANT_BITS: i64 = 64;
/// Exponent of the lowest mantissa bit for the smallest normal and every subnormal value:
/// the smallest subnormal is 2^-16445, the smallest normal 2^63 × 2^-16445 = 2^-16382.
const EXP_MIN: i64 = -16445;
/// Exponent of the lowest mantissa bit of the largest values (just under 2^16384).
const EXP_MAX: i64 = 16384 - MANT_BITS;
/// Redis's `MAX_LONG_DOUBLE_CHARS`: `string2ld` refuses inputs this long or longer.
const MAX_CHARS: usize = 5 * 1024;

/// An extended-precision value: `(-1)^neg × mant × 2^exp`, or an infinity.
///
/// Finite values are normalized: either `mant` has its top bit set and `exp` is in
/// `EXP_MIN..=EXP_MAX`, or the value is subnormal (`exp == EXP_MIN`) or zero (`mant == 0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LongDouble {
    neg: bool,
    mant: u64,
    exp: i64,
    inf: bool,
}

/// Why a rounding could not produce a finite non-zero value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Range {
    Overflow,
    Underflow,
}

impl LongDouble {
    pub const ZERO: LongDouble = LongDouble {
        neg: false,
        mant: 0,
        exp: 0,
        inf: false,
    };

    fn zero(neg: bool) -> LongDouble {
        LongDouble { neg, ..Self::ZERO }
    }

    fn infinity(neg: bool) -> LongDouble {
        LongDouble {
            neg,
            inf: true,
            ..Self::ZERO
        }
    }

    pub fn is_zero(&self) -> bool {
        !self.inf && self.mant == 0
    }

    pub fn is_infinite(&self) -> bool {
        self.inf
    }

    /// Parses `text` as Redis's `string2ld` does (`strtold` plus its checks); `None` when
    /// Redis would answer "value is not a valid float".
    pub fn parse(text: &[u8]) -> Option<LongDouble> {
        if text.is_empty() || text.len() >= MAX_CHARS {
            return None;
        }
        let (neg, rest) = match text[0] {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        if rest.eq_ignore_ascii_case(b"inf") || rest.eq_ignore_ascii_case(b"infinity") {
            return Some(LongDouble::infinity(neg));
        }
        let parsed = match rest {
            [b'0', b'x' | b'X', hex @ ..] => parse_hex(hex)?,
            _ => parse_decimal(rest)?,
        };
        match parsed {
            Number::Zero => Some(LongDouble::zero(neg)),
            Number::Ratio { num, den, exp2 } => round_ratio(neg, &num, &den, exp2).ok(),
        }
    }

    /// `self + other` rounded to extended precision; `None` when the result is NaN or infinite
    /// (Redis: "increment would produce NaN or Infinity").
    pub fn checked_add(self, other: LongDouble) -> Option<LongDouble> {
        if self.inf || other.inf {
            return None;
        }
        if other.is_zero() {
            // -0 + -0 is -0; x + 0 is x.
            return Some(if self.is_zero() {
                LongDouble::zero(self.neg && other.neg)
            } else {
                self
            });
        }
        if self.is_zero() {
            return Some(other);
        }
        let low = self.exp.min(other.exp);
        let a = Big::from_u64(self.mant).shl((self.exp - low) as usize);
        let b = Big::from_u64(other.mant).shl((other.exp - low) as usize);
        let (neg, magnitude) = if self.neg == other.neg {
            (self.neg, a.add(&b))
        } else {
            match a.cmp(&b) {
                // Exact cancellation gives +0 when rounding to nearest.
                Ordering::Equal => return Some(LongDouble::ZERO),
                Ordering::Greater => (self.neg, a.sub(&b)),
                Ordering::Less => (other.neg, b.sub(&a)),
            }
        };
        // A sum of multiples of 2^EXP_MIN never underflows; it can only overflow.
        round_ratio(neg, &magnitude, &Big::from_u64(1), low).ok()
    }

    /// The text Redis stores: `%.17Lf` with trailing zeros (and a trailing dot) removed, and
    /// `-0` written `0`. Infinities never reach here (INCRBYFLOAT refuses them first).
    pub fn to_human(&self) -> String {
        if self.inf {
            return if self.neg { "-inf" } else { "inf" }.to_string();
        }
        let mut out = String::new();
        if self.neg {
            out.push('-');
        }
        const SCALE: u128 = 100_000_000_000_000_000; // 10^17
        if self.exp >= 0 {
            // An integer: the 17 decimals are all zeros and get trimmed.
            out.push_str(&Big::from_u64(self.mant).shl(self.exp as usize).to_decimal());
        } else {
            // mant × 10^17 / 2^shift, rounded half to even; mant × 10^17 < 2^121.
            let scaled = u128::from(self.mant) * SCALE;
            let shift = (-self.exp) as u32;
            let q = if shift >= 122 {
                0
            } else {
                let q = scaled >> shift;
                let half = (scaled >> (shift - 1)) & 1 == 1;
                let sticky = scaled & ((1u128 << (shift - 1)) - 1) != 0;
                if half && (sticky || q & 1 == 1) {
                    q + 1
                } else {
                    q
                }
            };
            let (int, frac) = (q / SCALE, q % SCALE);
            out.push_str(itoa::Buffer::new().format(int));
            if frac != 0 {
                let digits = format!(".{frac:017}");
                out.push_str(digits.trim_end_matches('0'));
            }
        }
        if out == "-0" {
            out.remove(0);
        }
        out
    }
}

/// A parsed non-zero literal: `num / den × 2^exp2`.
enum Number {
    Zero,
    Ratio { num: Big, den: Big, exp2: i64 },
}

/// The digits of a mantissa (`1.5`, `.5`, `1.`) with the count of those after the point, or
/// `None` when there is no digit at all.
fn mantissa(text: &[u8], is_digit: fn(&u8) -> bool) -> Option<(&[u8], &[u8], &[u8])> {
    let int_len = text.iter().take_while(|c| is_digit(c)).count();
    let (int, rest) = text.split_at(int_len);
    let (frac, rest) = match rest.split_first() {
        Some((b'.', after)) => {
            let n = after.iter().take_while(|c| is_digit(c)).count();
            after.split_at(n)
        }
        _ => (&rest[..0], rest),
    };
    (!int.is_empty() || !frac.is_empty()).then_some((int, frac, rest))
}

/// An exponent (`[+-]digits`, decimal) that must take the whole of `text`, saturated far
/// beyond any exponent that matters.
fn exponent(text: &[u8]) -> Option<i64> {
    let (neg, digits) = match text.split_first() {
        Some((b'-', d)) => (true, d),
        Some((b'+', d)) => (false, d),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let magnitude = digits.iter().fold(0i64, |acc, d| {
        acc.saturating_mul(10)
            .saturating_add(i64::from(d - b'0'))
            .min(1 << 40)
    });
    Some(if neg { -magnitude } else { magnitude })
}

fn parse_decimal(text: &[u8]) -> Option<Number> {
    let (int, frac, rest) = mantissa(text, u8::is_ascii_digit)?;
    let exp10 = match rest.split_first() {
        None => 0,
        Some((b'e' | b'E', e)) => exponent(e)?,
        Some(_) => return None,
    };
    let digits: Vec<u8> = int.iter().chain(frac).copied().collect();
    let first = digits.iter().position(|&d| d != b'0');
    let Some(first) = first else {
        return Some(Number::Zero);
    };
    let digits = &digits[first..];
    // value = digits × 10^exp10, exp10 counting from the last digit.
    let exp10 = exp10 - frac.len() as i64;
    let magnitude = digits.len() as i64 + exp10; // value < 10^magnitude
    if magnitude > 4934 {
        return Some(overflowing());
    }
    if magnitude < -4952 {
        return Some(underflowing());
    }
    let num = Big::from_decimal(digits);
    Some(if exp10 >= 0 {
        Number::Ratio {
            num: num.mul_pow10(exp10 as u64),
            den: Big::from_u64(1),
            exp2: 0,
        }
    } else {
        Number::Ratio {
            num,
            den: Big::from_u64(1).mul_pow10((-exp10) as u64),
            exp2: 0,
        }
    })
}

fn parse_hex(text: &[u8]) -> Option<Number> {
    let (int, frac, rest) = mantissa(text, u8::is_ascii_hexdigit)?;
    let exp2 = match rest.split_first() {
        None => 0,
        Some((b'p' | b'P', e)) => exponent(e)?,
        Some(_) => return None,
    };
    let digits: Vec<u8> = int.iter().chain(frac).copied().collect();
    let Some(first) = digits.iter().position(|&d| d != b'0') else {
        return Some(Number::Zero);
    };
    let num = Big::from_hex(&digits[first..]);
    let exp2 = exp2 - 4 * frac.len() as i64;
    let top = num.bits() as i64 + exp2; // value < 2^top
    if top > 16385 {
        return Some(overflowing());
    }
    if top < EXP_MIN - 2 {
        return Some(underflowing());
    }
    Some(Number::Ratio {
        num,
        den: Big::from_u64(1),
        exp2,
    })
}

/// A literal certain to overflow: 2^16400.
fn overflowing() -> Number {
    Number::Ratio {
        num: Big::from_u64(1),
        den: Big::from_u64(1),
        exp2: 16400,
    }
}

/// A non-zero literal certain to round to zero: 2^-16500.
fn underflowing() -> Number {
    Number::Ratio {
        num: Big::from_u64(1),
        den: Big::from_u64(1),
        exp2: -16500,
    }
}

/// Rounds `num / den × 2^exp2` (both positive) to extended precision, half to even.
fn round_ratio(neg: bool, num: &Big, den: &Big, exp2: i64) -> Result<LongDouble, Range> {
    // floor(log2(num / den)) is d or d - 1.
    let d = num.bits() as i64 - den.bits() as i64;
    let at_least_2d = if d >= 0 {
        num.cmp(&den.shl(d as usize)) != Ordering::Less
    } else {
        num.shl((-d) as usize).cmp(den) != Ordering::Less
    };
    let log2 = if at_least_2d { d } else { d - 1 } + exp2;
    if log2 >= 16384 {
        return Err(Range::Overflow);
    }
    if log2 < EXP_MIN - 1 {
        // Below half the smallest subnormal.
        return Err(Range::Underflow);
    }
    let mut exp = (log2 - (MANT_BITS - 1)).max(EXP_MIN);
    // q = floor(value × 2^(1 - exp)): the mantissa and one rounding bit (at most 65 bits).
    let shift = exp2 + 1 - exp;
    let (q, inexact) = if shift >= 0 {
        num.shl(shift as usize).div_small_quotient(den)
    } else {
        num.div_small_quotient(&den.shl((-shift) as usize))
    };
    let half = q & 1 == 1;
    let mut mant = q >> 1;
    if half && (inexact || mant & 1 == 1) {
        mant += 1;
    }
    if mant == 1 << MANT_BITS {
        mant >>= 1;
        exp += 1;
    }
    if exp > EXP_MAX {
        return Err(Range::Overflow);
    }
    if mant == 0 {
        return Err(Range::Underflow);
    }
    Ok(LongDouble {
        neg,
        mant: mant as u64,
        exp,
        inf: false,
    })
}

/// A minimal unsigned big integer (little-endian 32-bit limbs, no trailing zero limb), just
/// enough for exact conversions of numbers below 2^16500 or so.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Big {
    limbs: Vec<u32>,
}

impl Big {
    fn from_u64(n: u64) -> Big {
        let mut b = Big {
            limbs: vec![n as u32, (n >> 32) as u32],
        };
        b.trim();
        b
    }

    fn trim(&mut self) {
        while self.limbs.last() == Some(&0) {
            self.limbs.pop();
        }
    }

    fn bits(&self) -> u64 {
        match self.limbs.last() {
            None => 0,
            Some(&top) => (self.limbs.len() as u64 - 1) * 32 + u64::from(32 - top.leading_zeros()),
        }
    }

    fn from_decimal(digits: &[u8]) -> Big {
        let mut b = Big { limbs: Vec::new() };
        for chunk in digits.chunks(9) {
            let value = chunk
                .iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
            b.mul_add_small(10u32.pow(chunk.len() as u32), value);
        }
        b
    }

    fn from_hex(digits: &[u8]) -> Big {
        let mut b = Big { limbs: Vec::new() };
        for chunk in digits.chunks(7) {
            let value = chunk.iter().fold(0u32, |acc, d| {
                acc * 16 + char::from(*d).to_digit(16).unwrap_or(0)
            });
            b.mul_add_small(1 << (4 * chunk.len()), value);
        }
        b
    }

    /// self = self × mul + add.
    fn mul_add_small(&mut self, mul: u32, add: u32) {
        let mut carry = u64::from(add);
        for limb in &mut self.limbs {
            let v = u64::from(*limb) * u64::from(mul) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry != 0 {
            self.limbs.push(carry as u32);
        }
    }

    fn mul_pow10(mut self, mut n: u64) -> Big {
        while n >= 9 {
            self.mul_add_small(1_000_000_000, 0);
            n -= 9;
        }
        self.mul_add_small(10u32.pow(n as u32), 0);
        self
    }

    fn shl(&self, bits: usize) -> Big {
        if self.limbs.is_empty() {
            return self.clone();
        }
        let (words, rem) = (bits / 32, bits % 32);
        let mut limbs = vec![0u32; words];
        limbs.reserve(self.limbs.len() + 1);
        if rem == 0 {
            limbs.extend_from_slice(&self.limbs);
        } else {
            let mut carry = 0u32;
            for &limb in &self.limbs {
                limbs.push((limb << rem) | carry);
                carry = limb >> (32 - rem);
            }
            limbs.push(carry);
        }
        let mut b = Big { limbs };
        b.trim();
        b
    }

    fn shr1(&mut self) {
        let mut carry = 0u32;
        for limb in self.limbs.iter_mut().rev() {
            let next = *limb << 31;
            *limb = (*limb >> 1) | carry;
            carry = next;
        }
        self.trim();
    }

    fn add(&self, other: &Big) -> Big {
        let (long, short) = if self.limbs.len() >= other.limbs.len() {
            (self, other)
        } else {
            (other, self)
        };
        let mut limbs = Vec::with_capacity(long.limbs.len() + 1);
        let mut carry = 0u64;
        for (i, &limb) in long.limbs.iter().enumerate() {
            let v = u64::from(limb) + u64::from(short.limbs.get(i).copied().unwrap_or(0)) + carry;
            limbs.push(v as u32);
            carry = v >> 32;
        }
        if carry != 0 {
            limbs.push(carry as u32);
        }
        Big { limbs }
    }

    /// self - other, for self >= other.
    fn sub(&self, other: &Big) -> Big {
        let mut b = self.clone();
        b.sub_assign(other);
        b
    }

    fn sub_assign(&mut self, other: &Big) {
        let mut borrow = 0i64;
        for (i, limb) in self.limbs.iter_mut().enumerate() {
            let v = i64::from(*limb) - i64::from(other.limbs.get(i).copied().unwrap_or(0)) - borrow;
            *limb = v.rem_euclid(1 << 32) as u32;
            borrow = i64::from(v < 0);
        }
        self.trim();
    }

    /// (floor(self / den), whether a remainder is left), for a quotient below 2^67.
    fn div_small_quotient(&self, den: &Big) -> (u128, bool) {
        const BITS: usize = 67;
        let mut rem = self.clone();
        let mut shifted = den.shl(BITS - 1);
        let mut q = 0u128;
        for i in (0..BITS).rev() {
            if rem.cmp(&shifted) != Ordering::Less {
                rem.sub_assign(&shifted);
                q |= 1 << i;
            }
            shifted.shr1();
        }
        (q, !rem.limbs.is_empty())
    }

    /// self /= div, returning the remainder.
    fn div_rem_small(&mut self, div: u32) -> u32 {
        let mut rem = 0u64;
        for limb in self.limbs.iter_mut().rev() {
            let v = (rem << 32) | u64::from(*limb);
            *limb = (v / u64::from(div)) as u32;
            rem = v % u64::from(div);
        }
        self.trim();
        rem as u32
    }

    fn to_decimal(&self) -> String {
        let mut n = self.clone();
        let mut chunks = Vec::new();
        while !n.limbs.is_empty() {
            chunks.push(n.div_rem_small(1_000_000_000));
        }
        let mut out = match chunks.pop() {
            None => return "0".to_string(),
            Some(top) => top.to_string(),
        };
        for chunk in chunks.iter().rev() {
            out.push_str(&format!("{chunk:09}"));
        }
        out
    }
}

impl PartialOrd for Big {
    fn partial_cmp(&self, other: &Big) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Big {
    fn cmp(&self, other: &Big) -> Ordering {
        self.limbs
            .len()
            .cmp(&other.limbs.len())
            .then_with(|| self.limbs.iter().rev().cmp(other.limbs.iter().rev()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What Redis 7.0.15 on x86-64 answers to INCRBYFLOAT on a fresh key: parse, add to 0,
    /// print.
    fn from_zero(text: &str) -> Option<String> {
        let v = LongDouble::parse(text.as_bytes())?;
        LongDouble::ZERO.checked_add(v).map(|v| v.to_human())
    }

    fn sum(a: &str, b: &str) -> Option<String> {
        let a = LongDouble::parse(a.as_bytes())?;
        let b = LongDouble::parse(b.as_bytes())?;
        a.checked_add(b).map(|v| v.to_human())
    }

    // Expected values below were read from a real redis-server 7.0.15 (x86-64, glibc).

    #[test]
    fn decimal_artifacts_of_extended_precision() {
        assert_eq!(sum("0", "0.1").as_deref(), Some("0.1"));
        assert_eq!(sum("0.1", "0.1").as_deref(), Some("0.2"));
        assert_eq!(sum("0.2", "0.1").as_deref(), Some("0.3"));
        assert_eq!(
            from_zero("12345.678").as_deref(),
            Some("12345.67799999999999994")
        );
        assert_eq!(
            sum("1.1", "100000").as_deref(),
            Some("100001.10000000000000142")
        );
        assert_eq!(
            from_zero("0.30000000000000004").as_deref(),
            Some("0.30000000000000004")
        );
        assert_eq!(sum("10.50", "0.1").as_deref(), Some("10.6"));
        assert_eq!(from_zero("3.0e3").as_deref(), Some("3000"));
        assert_eq!(sum("5.0e3", "2.0e2").as_deref(), Some("5200"));
        assert_eq!(sum("1.5", "1.5").as_deref(), Some("3"));
        assert_eq!(sum("17179869184", "1.5").as_deref(), Some("17179869185.5"));
    }

    #[test]
    fn seventeen_decimals_rounded_half_even() {
        assert_eq!(from_zero("1e-17").as_deref(), Some("0.00000000000000001"));
        assert_eq!(
            sum("1e-17", "4e-18").as_deref(),
            Some("0.00000000000000001")
        );
        assert_eq!(from_zero("5e-18").as_deref(), Some("0"));
        assert_eq!(
            from_zero("0.000000000000000015").as_deref(),
            Some("0.00000000000000002")
        );
        assert_eq!(
            from_zero("0.000000000000000025").as_deref(),
            Some("0.00000000000000002")
        );
        assert_eq!(from_zero("-1e-18").as_deref(), Some("0"));
        assert_eq!(from_zero("-0.0").as_deref(), Some("0"));
        assert_eq!(from_zero("1e-20").as_deref(), Some("0"));
        // 2^-18 = 0.000003814697265625 exactly: 18 decimals, a tie at the 17th.
        assert_eq!(from_zero("0x1p-18").as_deref(), Some("0.00000381469726562"));
        // 3 × 2^-18 = 0.000011444091796875: the tie goes up to the even 8.
        assert_eq!(from_zero("0x3p-18").as_deref(), Some("0.00001144409179688"));
        assert_eq!(from_zero("00012.5e-1").as_deref(), Some("1.25"));
        assert_eq!(
            from_zero("1e30").as_deref(),
            Some("1000000000000000000024696061952")
        );
    }

    #[test]
    fn strtold_grammar() {
        assert_eq!(from_zero("+1").as_deref(), Some("1"));
        assert_eq!(from_zero("1.").as_deref(), Some("1"));
        assert_eq!(from_zero(".5").as_deref(), Some("0.5"));
        assert_eq!(from_zero("0x1p-2").as_deref(), Some("0.25"));
        assert_eq!(from_zero("0x.8").as_deref(), Some("0.5"));
        assert_eq!(from_zero("0X1P1").as_deref(), Some("2"));
        assert_eq!(from_zero("0x10").as_deref(), Some("16"));
        assert_eq!(from_zero("1E2").as_deref(), Some("100"));
        assert_eq!(from_zero("1e+2").as_deref(), Some("100"));
        for bad in [
            "", " 1", "1 ", ".", "1e", "1e+", "0x", "0x.", "0x1p", "nan", "NaN", "-nan", "1e0x",
            "abc", "--1", "+-1", "1,5", "1.5\0", "infin", "0x1g",
        ] {
            assert_eq!(LongDouble::parse(bad.as_bytes()), None, "{bad:?}");
        }
        let mut long = b"1.".to_vec();
        long.resize(MAX_CHARS - 1, b'0');
        assert_eq!(
            from_zero(std::str::from_utf8(&long).unwrap()).as_deref(),
            Some("1")
        );
        long.push(b'0');
        assert_eq!(LongDouble::parse(&long), None);
        for inf in ["inf", "INF", "-inf", "+Infinity", "infinity"] {
            let v = LongDouble::parse(inf.as_bytes()).unwrap();
            assert!(v.is_infinite());
            assert_eq!(LongDouble::ZERO.checked_add(v), None, "{inf}");
        }
    }

    #[test]
    fn range_limits() {
        assert_eq!(from_zero("1e4933"), None);
        assert_eq!(from_zero("1e-5000"), None);
        assert_eq!(from_zero("0e-5000").as_deref(), Some("0"));
        assert_eq!(from_zero("0e99999999999999999999").as_deref(), Some("0"));
        assert_eq!(from_zero("1e-4940").as_deref(), Some("0"));
        assert_eq!(from_zero("3.6e-4951").as_deref(), Some("0"));
        assert_eq!(from_zero("1e-4951"), None);
        // Half the smallest subnormal rounds to even (zero): refused; just above it: kept.
        assert_eq!(from_zero("0x1p-16446"), None);
        assert_eq!(from_zero("0x1.8p-16446").as_deref(), Some("0"));
        assert_eq!(from_zero("0x1p-16445").as_deref(), Some("0"));
        // The largest value, and just past the rounding boundary above it.
        let max = from_zero("1.18973149535723176502e+4932").unwrap();
        assert_eq!(max.len(), 4933);
        assert!(max.starts_with("118973149535723176502126385303097020516906332229462420044032"));
        assert!(max.ends_with("44156604419552086811989770240"));
        assert_eq!(
            from_zero("1.18973149535723176505e+4932").as_deref(),
            Some(max.as_str())
        );
        assert_eq!(from_zero("1.18973149535723176508e+4932"), None);
        assert_eq!(sum("1.18973149535723176502e+4932", "1e4932"), None);
        let big = from_zero("1e400").unwrap();
        assert_eq!(big.len(), 401);
        assert!(big.starts_with("100000000000000000002818806839475865145864534336290520386259"));
        assert!(big.ends_with("09734806343732497430221946880"));
        let neg = from_zero("-1e4932").unwrap();
        assert!(neg.starts_with(
            "-1000000000000000000006018949387963891323837774254533114773785041352533019486608"
        ));
    }

    #[test]
    fn cancellation_and_signs() {
        assert_eq!(sum("1.5", "-1.5").as_deref(), Some("0"));
        assert_eq!(sum("-2", "0.5").as_deref(), Some("-1.5"));
        assert_eq!(sum("1e30", "-1e30").as_deref(), Some("0"));
        assert_eq!(sum("-0", "-0").as_deref(), Some("0"));
    }
}
