//! Helpers to read argv: numbers as Redis parses them, options case-insensitively.

use bytes::Bytes;

use super::CmdError;

/// Parses a signed 64-bit integer exactly as Redis's `string2ll`: an optional `-`, then digits
/// with no leading zero (except `0` itself), no spaces, no `+`.
pub fn parse_i64(arg: &[u8]) -> Result<i64, CmdError> {
    strict_i64(arg).ok_or(CmdError::NotInteger)
}

/// [`parse_i64`] as an `Option`.
pub fn strict_i64(arg: &[u8]) -> Option<i64> {
    crate::store::parse_canonical_i64(arg)
}

/// Parses a non-negative integer that must fit `usize` (counts, indexes).
pub fn parse_usize(arg: &[u8]) -> Result<usize, CmdError> {
    let n = parse_i64(arg)?;
    usize::try_from(n).map_err(|_| CmdError::NotInteger)
}

/// Parses a double as Redis does with `strtod`: no leading space, nothing trailing, `inf` and
/// `-inf` accepted, NaN refused.
pub fn parse_f64(arg: &[u8]) -> Result<f64, CmdError> {
    strict_f64(arg).ok_or(CmdError::NotFloat)
}

/// [`parse_f64`] as an `Option`.
pub fn strict_f64(arg: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(arg).ok()?;
    if text.is_empty() || text.starts_with(|c: char| c.is_ascii_whitespace()) {
        return None;
    }
    let v: f64 = text.parse().ok()?;
    (!v.is_nan()).then_some(v)
}

/// Whether `arg` equals `word` ignoring ASCII case (`word` is upper case).
pub fn is(arg: &[u8], word: &str) -> bool {
    arg.eq_ignore_ascii_case(word.as_bytes())
}

/// Lower-cased copy of an argument as text, for messages.
pub fn lower(arg: &[u8]) -> String {
    String::from_utf8_lossy(arg).to_ascii_lowercase()
}

/// A bulk argument holding the decimal form of `n`.
pub fn int_arg(n: i64) -> Bytes {
    Bytes::copy_from_slice(itoa::Buffer::new().format(n).as_bytes())
}

/// A static word as an argument.
pub fn word(w: &'static str) -> Bytes {
    Bytes::from_static(w.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_as_string2ll() {
        assert_eq!(strict_i64(b"0"), Some(0));
        assert_eq!(strict_i64(b"-12"), Some(-12));
        assert_eq!(strict_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(strict_i64(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b""[..],
            b"-",
            b"-0",
            b"01",
            b"+1",
            b" 1",
            b"1 ",
            b"1.0",
            b"9223372036854775808",
            b"-9223372036854775809",
            b"99999999999999999999",
        ] {
            assert_eq!(strict_i64(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn floats_as_strtod() {
        assert_eq!(strict_f64(b"1.5"), Some(1.5));
        assert_eq!(strict_f64(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(strict_f64(b"+inf"), Some(f64::INFINITY));
        assert_eq!(strict_f64(b"1e3"), Some(1000.0));
        assert_eq!(strict_f64(b"nan"), None);
        assert_eq!(strict_f64(b" 1"), None);
        assert_eq!(strict_f64(b"1x"), None);
        assert_eq!(strict_f64(b""), None);
    }
}
