//! Sorted set commands (Redis's `sorted_set` group), and what they share: type checks, Redis's
//! number and range parsing (`strtod` rules for scores, `(` exclusive bounds, `[`/`(`/`-`/`+`
//! lexicographic items), the ZRANGE family's engine ([`range`]), the ZUNION/ZINTER/ZDIFF engine
//! ([`setop`]) and reply shapes.
//!
//! The type API lives in `store/zset.rs`; nothing here keeps state of its own.

pub mod bzmpop;
pub mod bzpopmax;
pub mod bzpopmin;
pub mod range;
pub mod setop;

pub mod zadd;
pub mod zcard;
pub mod zcount;
pub mod zdiff;
pub mod zdiffstore;
pub mod zincrby;
pub mod zinter;
pub mod zintercard;
pub mod zinterstore;
pub mod zlexcount;
pub mod zmpop;
pub mod zmscore;
pub mod zpopmax;
pub mod zpopmin;
pub mod zrandmember;
pub mod zrange;
pub mod zrangebylex;
pub mod zrangebyscore;
pub mod zrangestore;
pub mod zrank;
pub mod zrem;
pub mod zremrangebylex;
pub mod zremrangebyrank;
pub mod zremrangebyscore;
pub mod zrevrange;
pub mod zrevrangebylex;
pub mod zrevrangebyscore;
pub mod zrevrank;
pub mod zscan;
pub mod zscore;
pub mod zunion;
pub mod zunionstore;

#[cfg(test)]
mod model_tests;

use bytes::Bytes;

use super::{ApplyCtx, CmdError, ReadCtx, Spec};
use crate::resp::{Reply, format_double};
use crate::store::{Entry, LexBound, LexRange, ScoreRange, Store, Value, ZSet};

/// This group's rows of the command table.
pub const COMMANDS: &[&Spec] = &[
    &bzmpop::SPEC,
    &bzpopmax::SPEC,
    &bzpopmin::SPEC,
    &zadd::SPEC,
    &zcard::SPEC,
    &zcount::SPEC,
    &zdiff::SPEC,
    &zdiffstore::SPEC,
    &zincrby::SPEC,
    &zinter::SPEC,
    &zintercard::SPEC,
    &zinterstore::SPEC,
    &zlexcount::SPEC,
    &zmpop::SPEC,
    &zmscore::SPEC,
    &zpopmax::SPEC,
    &zpopmin::SPEC,
    &zrandmember::SPEC,
    &zrange::SPEC,
    &zrangebylex::SPEC,
    &zrangebyscore::SPEC,
    &zrangestore::SPEC,
    &zrank::SPEC,
    &zrem::SPEC,
    &zremrangebylex::SPEC,
    &zremrangebyrank::SPEC,
    &zremrangebyscore::SPEC,
    &zrevrange::SPEC,
    &zrevrangebylex::SPEC,
    &zrevrangebyscore::SPEC,
    &zrevrank::SPEC,
    &zscan::SPEC,
    &zscore::SPEC,
    &zunion::SPEC,
    &zunionstore::SPEC,
];

/// The sorted set held by `entry`, or WRONGTYPE.
pub fn as_zset(entry: &Entry) -> Result<&ZSet, CmdError> {
    match &entry.value {
        Value::ZSet(z) => Ok(z),
        _ => Err(CmdError::WrongType),
    }
}

/// Looks `key` up for a read as Redis's lookupKeyRead (a hit or a miss, counted even when the
/// type is wrong), then checks its type.
pub fn lookup<'s>(ctx: &mut ReadCtx<'s>, key: &Bytes) -> Result<Option<&'s ZSet>, CmdError> {
    let store: &'s Store = ctx.store;
    match store.db(ctx.db).get(key, ctx.now_ms) {
        Some(entry) => {
            ctx.hits += 1;
            as_zset(entry).map(Some)
        }
        None => {
            ctx.misses += 1;
            Ok(None)
        }
    }
}

/// Runs `change` on the sorted set at `key` for a write and answers its result, or None when
/// the key is absent. `change` returns whether it changed the set: the key then takes the
/// entry's index as its version. A set left empty deletes its key.
pub fn modify<R>(
    ctx: &mut ApplyCtx<'_>,
    key: &Bytes,
    change: impl FnOnce(&mut ZSet) -> (R, bool),
) -> Result<Option<R>, CmdError> {
    let (now, index) = (ctx.now_ms, ctx.index);
    let db = ctx.db();
    let Some(entry) = db.get_mut(key, now) else {
        return Ok(None);
    };
    let Value::ZSet(z) = &mut entry.value else {
        return Err(CmdError::WrongType);
    };
    let (result, changed) = change(z);
    let empty = z.is_empty();
    if changed {
        entry.version = index;
    }
    if empty {
        db.remove(key);
    }
    Ok(Some(result))
}

/// Stores `z` at `key` as a new value (no TTL), or deletes the key when `z` is empty, as the
/// ...STORE commands do; answers the size stored.
pub fn store_result(ctx: &mut ApplyCtx<'_>, key: &Bytes, z: ZSet) -> Reply {
    let (len, index) = (z.len(), ctx.index);
    let db = ctx.db();
    if z.is_empty() {
        db.remove(key);
    } else {
        db.set(key, Value::ZSet(z), index);
    }
    Reply::Int(len as i64)
}

/// A member as a bulk reply (copied out of the set).
pub fn member_reply(member: &[u8]) -> Reply {
    Reply::Bulk(Bytes::copy_from_slice(member))
}

/// Elements as Redis 7 answers them: members alone, or with WITHSCORES member/score pairs
/// (nested in RESP3, flat in RESP2).
pub fn elements_reply<'a>(
    items: impl IntoIterator<Item = (&'a [u8], f64)>,
    withscores: bool,
) -> Reply {
    let items = items.into_iter();
    if withscores {
        Reply::Pairs(
            items
                .map(|(m, s)| (member_reply(m), Reply::Double(s)))
                .collect(),
        )
    } else {
        Reply::Array(items.map(|(m, _)| member_reply(m)).collect())
    }
}

/// C's `isspace` in the "C" locale.
pub(crate) fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

fn starts_with_ci(s: &[u8], word: &[u8]) -> bool {
    s.len() >= word.len() && s[..word.len()].eq_ignore_ascii_case(word)
}

/// glibc's `strtod` over the longest valid prefix of `s`: the value, how many bytes it used
/// (0 when nothing converts, as C's `endptr == nptr`) and whether it set ERANGE (overflow to
/// infinity, or underflow of nonzero digits to zero). Accepts leading white space, a sign,
/// `inf`/`infinity`/`nan` in any case, hexadecimal floats and decimal ones.
pub(crate) fn strtod(s: &[u8]) -> (f64, usize, bool) {
    let mut i = 0;
    while i < s.len() && is_space(s[i]) {
        i += 1;
    }
    let negative = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let sign = if negative { -1.0 } else { 1.0 };
    let rest = &s[i..];
    if starts_with_ci(rest, b"inf") {
        let used = if starts_with_ci(rest, b"infinity") {
            8
        } else {
            3
        };
        return (sign * f64::INFINITY, i + used, false);
    }
    if starts_with_ci(rest, b"nan") {
        let mut used = 3;
        if rest.get(3) == Some(&b'(') {
            let body = rest[4..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                .count();
            if rest.get(4 + body) == Some(&b')') {
                used = 5 + body;
            }
        }
        return (f64::NAN, i + used, false);
    }
    if rest.len() > 2 && rest[0] == b'0' && (rest[1] | 0x20) == b'x' {
        if let Some((v, used, erange)) = hex_float(&rest[2..]) {
            return (sign * v, i + 2 + used, erange);
        }
        // "0x" with no hexadecimal digit after it converts the "0" alone.
        return (sign * 0.0, i + 1, false);
    }
    let mut j = 0;
    let mut digits = 0;
    let mut nonzero = false;
    while j < rest.len() && rest[j].is_ascii_digit() {
        nonzero |= rest[j] != b'0';
        j += 1;
        digits += 1;
    }
    if rest.get(j) == Some(&b'.') {
        j += 1;
        while j < rest.len() && rest[j].is_ascii_digit() {
            nonzero |= rest[j] != b'0';
            j += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return (0.0, 0, false);
    }
    if j < rest.len() && (rest[j] | 0x20) == b'e' {
        let mut k = j + 1;
        if matches!(rest.get(k), Some(b'+' | b'-')) {
            k += 1;
        }
        let exp_digits = rest[k..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp_digits > 0 {
            j = k + exp_digits;
        }
    }
    // The prefix is plain ASCII digits, point and exponent: Rust parses it with the same
    // correct rounding as glibc.
    let v: f64 = std::str::from_utf8(&rest[..j])
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(0.0);
    let erange = v.is_infinite() || (v == 0.0 && nonzero);
    (sign * v, i + j, erange)
}

/// The hexadecimal float after `0x` (digits, optional point, optional binary exponent `p`):
/// value, bytes used and ERANGE, or None without a hexadecimal digit. Rounds to nearest even
/// on the first 64 significant bits (later bits only act as a sticky bit).
fn hex_float(s: &[u8]) -> Option<(f64, usize, bool)> {
    let mut mantissa: u64 = 0;
    let mut exp: i64 = 0;
    let mut sticky = false;
    let mut digits = 0;
    let mut nonzero = false;
    let mut i = 0;
    let mut seen_point = false;
    while i < s.len() {
        let c = s[i];
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            b'.' if !seen_point => {
                seen_point = true;
                i += 1;
                continue;
            }
            _ => break,
        };
        digits += 1;
        nonzero |= d != 0;
        if mantissa >> 60 == 0 {
            mantissa = mantissa << 4 | u64::from(d);
            if seen_point {
                exp -= 4;
            }
        } else {
            sticky |= d != 0;
            if !seen_point {
                exp += 4;
            }
        }
        i += 1;
    }
    if digits == 0 {
        return None;
    }
    if i < s.len() && (s[i] | 0x20) == b'p' {
        let mut k = i + 1;
        let negative = match s.get(k) {
            Some(b'-') => {
                k += 1;
                true
            }
            Some(b'+') => {
                k += 1;
                false
            }
            _ => false,
        };
        let n = s[k..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n > 0 {
            let e = s[k..k + n].iter().fold(0i64, |acc, c| {
                acc.saturating_mul(10).saturating_add(i64::from(c - b'0'))
            });
            exp = exp.saturating_add(if negative { -e } else { e });
            i = k + n;
        }
    }
    if mantissa == 0 {
        return Some((0.0, i, false));
    }
    // Round the mantissa to 53 bits, half to even, with the sticky bit.
    let bits = 64 - mantissa.leading_zeros() as i64;
    if bits > 53 {
        let shift = (bits - 53) as u32;
        let dropped = mantissa & ((1u64 << shift) - 1);
        let half = 1u64 << (shift - 1);
        mantissa >>= shift;
        exp += i64::from(shift);
        if dropped > half || (dropped == half && (sticky || mantissa & 1 == 1)) {
            mantissa += 1;
        }
    }
    let mut v = mantissa as f64;
    // Scale by 2^exp in steps that stay exact until the result over- or underflows.
    let mut e = exp.clamp(-2200, 2200);
    while e > 0 {
        let step = e.min(1000);
        v *= 2f64.powi(step as i32);
        e -= step;
    }
    while e < 0 {
        let step = (-e).min(1000);
        v /= 2f64.powi(step as i32);
        e += step;
    }
    let erange = v.is_infinite() || (v == 0.0 && nonzero);
    Some((v, i, erange))
}

/// Parses a score or weight as Redis's getDoubleFromObject: the whole argument is a number
/// for `strtod`, with no leading space, no overflow or underflow to zero, and not NaN.
pub fn parse_score(arg: &[u8]) -> Option<f64> {
    if arg.first().is_none_or(|&c| is_space(c)) {
        return None;
    }
    let (v, used, erange) = strtod(arg);
    if used != arg.len() || v.is_nan() || (erange && (v == 0.0 || v.is_infinite())) {
        return None;
    }
    Some(v)
}

/// A score as ZADD and ZINCRBY take it ("ERR value is not a valid float").
pub fn score_arg(arg: &[u8]) -> Result<f64, CmdError> {
    parse_score(arg).ok_or(CmdError::NotFloat)
}

/// One end of a score range as Redis's zslParseRange reads it: an optional `(`, then what
/// `strtod` converts, which must reach the end of the text (or a NUL byte). Leading spaces,
/// an empty text (0) and overflow to infinity are accepted, as in Redis; NaN is not.
fn parse_score_bound(arg: &[u8]) -> Option<(f64, bool)> {
    let (exclusive, text) = match arg.split_first() {
        Some((b'(', rest)) => (true, rest),
        _ => (false, arg),
    };
    let (v, used, _) = strtod(text);
    if text.get(used).is_some_and(|&c| c != 0) || v.is_nan() {
        return None;
    }
    Some((v, exclusive))
}

/// A score range from its min and max arguments ("ERR min or max is not a float").
pub fn parse_score_range(min: &[u8], max: &[u8]) -> Result<ScoreRange, CmdError> {
    let bad = || CmdError::other("ERR min or max is not a float");
    let (min, min_ex) = parse_score_bound(min).ok_or_else(bad)?;
    let (max, max_ex) = parse_score_bound(max).ok_or_else(bad)?;
    Ok(ScoreRange {
        min,
        min_ex,
        max,
        max_ex,
    })
}

/// One lexicographic range item as Redis's zslParseLexRangeItem: `+`, `-`, `(value` or
/// `[value` (C string rules: `+` and `-` may only be followed by a NUL byte).
fn parse_lex_item(arg: &Bytes) -> Option<LexBound> {
    let alone = arg.get(1).is_none_or(|&c| c == 0);
    match arg.first()? {
        b'+' if alone => Some(LexBound::Max),
        b'-' if alone => Some(LexBound::Min),
        b'(' => Some(LexBound::Excl(arg.slice(1..))),
        b'[' => Some(LexBound::Incl(arg.slice(1..))),
        _ => None,
    }
}

/// A lexicographic range ("ERR min or max not valid string range item").
pub fn parse_lex_range(min: &Bytes, max: &Bytes) -> Result<LexRange, CmdError> {
    let bad = || CmdError::other("ERR min or max not valid string range item");
    Ok(LexRange {
        min: parse_lex_item(min).ok_or_else(bad)?,
        max: parse_lex_item(max).ok_or_else(bad)?,
    })
}

/// The error ZADD and ZINCRBY answer when an increment yields NaN.
pub fn nan_error() -> CmdError {
    CmdError::other("ERR resulting score is not a number (NaN)")
}

/// A score as a listpack stores it and ZSCAN shows it (Redis 7.0's `d2string`): an integer
/// when it is one within ±2^62 (`double2ll`), else `%.17g`.
pub fn score_text_packed(score: f64) -> String {
    if score.fract() == 0.0 && score.abs() <= 4_611_686_018_427_387_904.0 {
        itoa::Buffer::new().format(score as i64).to_string()
    } else {
        format_double(score)
    }
}

/// A score as ZSCAN shows it for a skiplist (Redis's `ld2string` in human mode): `%.17Lf`
/// without trailing zeros or point, `inf` and `-inf`.
pub fn score_text_human(score: f64) -> String {
    if score.is_infinite() {
        return if score > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    let text = format!("{score:.17}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_parse_like_get_double_from_object() {
        let ok = |s: &str| parse_score(s.as_bytes());
        assert_eq!(ok("1.5"), Some(1.5));
        assert_eq!(ok("-3"), Some(-3.0));
        assert_eq!(ok("+inf"), Some(f64::INFINITY));
        assert_eq!(ok("-Infinity"), Some(f64::NEG_INFINITY));
        assert_eq!(ok("0x10"), Some(16.0));
        assert_eq!(ok("0x1.8p1"), Some(3.0));
        assert_eq!(ok("-0x.8"), Some(-0.5));
        assert_eq!(ok("1e-310"), Some(1e-310));
        assert_eq!(ok(".5"), Some(0.5));
        assert_eq!(ok("5."), Some(5.0));
        assert_eq!(ok("0e-999"), Some(0.0));
        assert!(ok("-0").is_some_and(|v| v == 0.0 && v.is_sign_negative()));
        for bad in [
            "", " 1", "1 ", "nan", "NaN", "-nan", "1e400", "-1e400", "1e-400", "x", "1x", "0x",
            "1e", "inf x", "infinit", "-", ".", "1\x001",
        ] {
            assert_eq!(ok(bad), None, "{bad:?}");
        }
        assert_eq!(
            score_arg(b"abc").unwrap_err().to_string(),
            "ERR value is not a valid float"
        );
    }

    #[test]
    fn range_bounds_parse_like_zsl_parse_range() {
        let r = |a: &str, b: &str| {
            parse_score_range(a.as_bytes(), b.as_bytes()).map_err(|e| e.to_string())
        };
        assert_eq!(
            r("(1", "+inf"),
            Ok(ScoreRange {
                min: 1.0,
                min_ex: true,
                max: f64::INFINITY,
                max_ex: false
            })
        );
        // Redis accepts what strtod accepts up to the end: spaces first, empty text, "(".
        assert_eq!(r(" 1", "").map(|r| (r.min, r.max)), Ok((1.0, 0.0)));
        assert_eq!(
            r("(", "1e400").map(|r| (r.min_ex, r.max)),
            Ok((true, f64::INFINITY))
        );
        assert_eq!(r("1\0junk", "2").map(|r| r.min), Ok(1.0));
        let bad = Err("ERR min or max is not a float".to_string());
        assert_eq!(r("nan", "1"), bad);
        assert_eq!(r("1", "1x"), bad);
        assert_eq!(r("((1", "2"), bad);
        assert_eq!(r(" ", "2"), bad);
        assert_eq!(r("1 ", "2"), bad);
    }

    #[test]
    fn lex_items() {
        let r = |a: &str, b: &str| {
            parse_lex_range(
                &Bytes::copy_from_slice(a.as_bytes()),
                &Bytes::copy_from_slice(b.as_bytes()),
            )
            .map_err(|e| e.to_string())
        };
        assert_eq!(
            r("-", "+"),
            Ok(LexRange {
                min: LexBound::Min,
                max: LexBound::Max
            })
        );
        assert_eq!(
            r("(a", "[").map(|r| (r.min, r.max)),
            Ok((
                LexBound::Excl(Bytes::from_static(b"a")),
                LexBound::Incl(Bytes::new())
            ))
        );
        assert_eq!(r("+\0x", "-").map(|r| r.min), Ok(LexBound::Max));
        let bad = Err("ERR min or max not valid string range item".to_string());
        for (a, b) in [("a", "+"), ("-", ""), ("+x", "+"), ("-", "--")] {
            assert_eq!(r(a, b), bad, "{a:?} {b:?}");
        }
    }

    #[test]
    fn zscan_score_texts() {
        assert_eq!(score_text_packed(3.0), "3");
        assert_eq!(score_text_packed(-0.0), "0");
        assert_eq!(score_text_packed(2.5), "2.5");
        assert_eq!(score_text_packed(0.1), "0.10000000000000001");
        assert_eq!(score_text_packed(1e20), "1e+20");
        assert_eq!(
            score_text_packed(123456789012345678.0),
            "123456789012345680"
        );
        assert_eq!(
            score_text_packed(-4611686018427387904.0),
            "-4611686018427387904"
        );
        assert_eq!(
            score_text_packed(9223372036854775807.0),
            "9.2233720368547758e+18"
        );
        assert_eq!(score_text_packed(f64::NEG_INFINITY), "-inf");
        assert_eq!(score_text_human(1e20), "100000000000000000000");
        assert_eq!(score_text_human(0.1), "0.10000000000000001");
        assert_eq!(score_text_human(1e-5), "0.00001");
        assert_eq!(score_text_human(1e-20), "0");
        assert_eq!(score_text_human(-0.0), "-0");
        assert_eq!(score_text_human(3.0), "3");
        assert_eq!(score_text_human(f64::INFINITY), "inf");
    }
}

/// Reply builders for this group's unit tests.
#[cfg(test)]
pub(crate) mod testutil {
    use crate::resp::Reply;

    pub use crate::cmd::keyspace::testkit::{Kit, bulks, err};

    /// A double reply.
    pub fn d(x: f64) -> Reply {
        Reply::Double(x)
    }

    /// WITHSCORES pairs.
    pub fn pairs(items: &[(&str, f64)]) -> Reply {
        Reply::Pairs(
            items
                .iter()
                .map(|(m, s)| (Reply::Bulk(m.as_bytes().to_vec().into()), Reply::Double(*s)))
                .collect(),
        )
    }

    /// A kit holding `key` with the given members and scores.
    pub fn with(key: &str, items: &[(&str, f64)]) -> Kit {
        let mut k = Kit::new();
        add(&mut k, key, items);
        k
    }

    /// ZADDs `items` to `key`.
    pub fn add(k: &mut Kit, key: &str, items: &[(&str, f64)]) {
        let scores: Vec<String> = items.iter().map(|(_, s)| s.to_string()).collect();
        let mut a = vec!["zadd", key];
        for ((m, _), s) in items.iter().zip(&scores) {
            a.push(s);
            a.push(m);
        }
        assert!(!k.run(100, &a).is_error());
    }

    /// OBJECT ENCODING of `key`.
    pub fn encoding(k: &mut Kit, key: &str) -> Reply {
        k.run(100, &["object", "encoding", key])
    }
}

/// ZRANK and ZREVRANK: the member's 0-based rank from the bottom or the top, or nil.
fn rank_read(ctx: &mut ReadCtx<'_>, argv: &[Bytes], reverse: bool) -> super::CmdResult {
    let Some(z) = lookup(ctx, &argv[1])? else {
        return Ok(Reply::Nil);
    };
    Ok(match z.rank(&argv[2]) {
        Some(r) if reverse => Reply::Int((z.len() - 1 - r) as i64),
        Some(r) => Reply::Int(r as i64),
        None => Reply::Nil,
    })
}

/// Removes up to `count` elements from the low end (or the high end when `max`), answering
/// them in pop order.
pub fn pop(z: &mut ZSet, max: bool, count: usize) -> Vec<(Bytes, f64)> {
    let len = z.len();
    let n = count.min(len);
    let (from, to) = if max { (len - n, len) } else { (0, n) };
    let items: Vec<(Bytes, f64)> = z
        .range(from, to, max)
        .map(|(m, s)| (Bytes::copy_from_slice(m), s))
        .collect();
    z.remove_ranks(from, to);
    items
}

/// ZPOPMIN and ZPOPMAX: `key [count]`.
fn zpop_apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes], max: bool) -> super::CmdResult {
    let count = zpop_count(argv)?;
    let popped = modify(ctx, &argv[1], |z| {
        let items = pop(z, max, count.unwrap_or(1));
        let changed = !items.is_empty();
        (items, changed)
    })?
    .unwrap_or_default();
    Ok(match count {
        // Without a count: one flat [member, score], or an empty array.
        None => Reply::Array(
            popped
                .into_iter()
                .flat_map(|(m, s)| [Reply::Bulk(m), Reply::Double(s)])
                .collect(),
        ),
        Some(_) => Reply::Pairs(
            popped
                .into_iter()
                .map(|(m, s)| (Reply::Bulk(m), Reply::Double(s)))
                .collect(),
        ),
    })
}

/// The optional count of ZPOPMIN/ZPOPMAX ("ERR value is out of range, must be positive").
fn zpop_count(argv: &[Bytes]) -> Result<Option<usize>, CmdError> {
    match argv.len() {
        2 => Ok(None),
        3 => {
            let n = crate::cmd::args::strict_i64(&argv[2])
                .filter(|&n| n >= 0)
                .ok_or(CmdError::NotPositive)?;
            Ok(Some(usize::try_from(n).unwrap_or(usize::MAX)))
        }
        _ => Err(CmdError::Syntax),
    }
}
