//! The engine of ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD (Redis's
//! `zunionInterDiffGenericCommand`).
//!
//! Parsing comes in two steps because Redis checks the input keys' types between them: first
//! `numkeys` and the keys ([`keys_end`]), then the options ([`Options::parse`]). The read forms
//! keep that order exactly; the STORE forms raise every argument error when the command is
//! proposed, before any key is looked at (a bad command never enters the log), so for them a
//! syntax error wins over WRONGTYPE where Redis would answer WRONGTYPE.
//!
//! Inputs are taken in ascending size order for union and intersection, as Redis sorts them;
//! that order decides how floating-point sums round. A weighted score that is NaN (0 × inf)
//! counts as 0 in a union, and a SUM that is NaN (inf + -inf) is 0, as in Redis.

use std::borrow::Cow;
use std::collections::BTreeMap;

use bytes::Bytes;

use crate::cmd::args::{is, parse_i64};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, ReadCtx};
use crate::store::{Db, Entry, Set, SetMember, Value, ZSet};

use super::{elements_reply, parse_score, store_result};

/// Which operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Union,
    Inter,
    Diff,
}

/// How scores of one member combine across inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregate {
    Sum,
    Min,
    Max,
}

/// Checks `numkeys` at `argv[at]` and returns the index just past the keys.
/// `name` is the command's name for Redis's "at least 1 input key" error.
pub fn keys_end(argv: &[Bytes], at: usize, name: &str) -> Result<usize, CmdError> {
    let n = parse_i64(&argv[at])?;
    if n < 1 {
        return Err(CmdError::other(format!(
            "ERR at least 1 input key is needed for '{name}' command"
        )));
    }
    let available = argv.len() - at - 1;
    match usize::try_from(n) {
        Ok(n) if n <= available => Ok(at + 1 + n),
        _ => Err(CmdError::Syntax),
    }
}

/// The options after the keys.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// One weight per key (1 by default).
    pub weights: Vec<f64>,
    pub aggregate: Aggregate,
    pub withscores: bool,
    /// ZINTERCARD's LIMIT (0: none).
    pub limit: usize,
}

impl Options {
    /// Parses `argv[from..]` for `numkeys` keys. `store` forms refuse WITHSCORES,
    /// `cardinality` (ZINTERCARD) takes only LIMIT, and ZDIFF takes neither WEIGHTS nor
    /// AGGREGATE.
    pub fn parse(
        argv: &[Bytes],
        from: usize,
        numkeys: usize,
        op: Op,
        store: bool,
        cardinality: bool,
    ) -> Result<Options, CmdError> {
        let mut opts = Options {
            weights: vec![1.0; numkeys],
            aggregate: Aggregate::Sum,
            withscores: false,
            limit: 0,
        };
        let mut j = from;
        while j < argv.len() {
            let remaining = argv.len() - j;
            let opt = &argv[j];
            let weighted = op != Op::Diff && !cardinality;
            if weighted && remaining > numkeys && is(opt, "WEIGHTS") {
                for (i, w) in argv[j + 1..=j + numkeys].iter().enumerate() {
                    opts.weights[i] = parse_score(w)
                        .ok_or_else(|| CmdError::other("ERR weight value is not a float"))?;
                }
                j += 1 + numkeys;
            } else if weighted && remaining >= 2 && is(opt, "AGGREGATE") {
                let value = &argv[j + 1];
                opts.aggregate = if is(value, "SUM") {
                    Aggregate::Sum
                } else if is(value, "MIN") {
                    Aggregate::Min
                } else if is(value, "MAX") {
                    Aggregate::Max
                } else {
                    return Err(CmdError::Syntax);
                };
                j += 2;
            } else if !store && !cardinality && is(opt, "WITHSCORES") {
                opts.withscores = true;
                j += 1;
            } else if cardinality && remaining >= 2 && is(opt, "LIMIT") {
                let limit = parse_i64(&argv[j + 1])
                    .ok()
                    .filter(|&n| n >= 0)
                    .ok_or_else(|| CmdError::other("ERR LIMIT can't be negative"))?;
                opts.limit = usize::try_from(limit).unwrap_or(usize::MAX);
                j += 2;
            } else {
                return Err(CmdError::Syntax);
            }
        }
        Ok(opts)
    }
}

/// One input: a sorted set, a plain set (each member scoring 1, as Redis), or nothing for a
/// missing key.
#[derive(Clone, Copy)]
pub enum Input<'a> {
    Missing,
    Z(&'a ZSet),
    S(&'a Set),
}

impl<'a> Input<'a> {
    fn len(&self) -> usize {
        match self {
            Input::Missing => 0,
            Input::Z(z) => z.len(),
            Input::S(s) => s.len(),
        }
    }

    fn score(&self, member: &[u8]) -> Option<f64> {
        match self {
            Input::Missing => None,
            Input::Z(z) => z.score(member),
            Input::S(s) => s.contains(member).then_some(1.0),
        }
    }

    /// The members with their scores; an intset's members are formatted on the way.
    fn elements(&self) -> Box<dyn Iterator<Item = (Cow<'a, [u8]>, f64)> + 'a> {
        match *self {
            Input::Missing => Box::new(std::iter::empty()),
            Input::Z(z) => Box::new(z.iter().map(|(m, score)| (Cow::Borrowed(m), score))),
            Input::S(s) => Box::new(s.iter().map(|m| {
                let member = match m {
                    SetMember::Str(bytes) => Cow::Borrowed(bytes),
                    SetMember::Int(n) => {
                        Cow::Owned(itoa::Buffer::new().format(n).as_bytes().to_vec())
                    }
                };
                (member, 1.0)
            })),
        }
    }
}

/// The input held by `entry`: a sorted set or a plain set, else WRONGTYPE.
pub fn input(entry: Option<&Entry>) -> Result<Input<'_>, CmdError> {
    match entry.map(|e| &e.value) {
        None => Ok(Input::Missing),
        Some(Value::ZSet(z)) => Ok(Input::Z(z)),
        Some(Value::Set(s)) => Ok(Input::S(s)),
        Some(_) => Err(CmdError::WrongType),
    }
}

/// The inputs of `keys` in `db` at `now` (for the STORE forms, inside apply).
pub fn inputs_in<'a>(db: &'a Db, keys: &[Bytes], now: u64) -> Result<Vec<Input<'a>>, CmdError> {
    keys.iter().map(|k| input(db.get(k, now))).collect()
}

/// The inputs of `keys` for a read, counting keyspace hits and misses as Redis's
/// lookupKeyRead (stopping at the first wrong type, as Redis does).
pub fn inputs_read<'s>(ctx: &mut ReadCtx<'s>, keys: &[Bytes]) -> Result<Vec<Input<'s>>, CmdError> {
    let store = ctx.store;
    let db = store.db(ctx.db);
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        let entry = db.get(key, ctx.now_ms);
        if entry.is_some() {
            ctx.hits += 1;
        } else {
            ctx.misses += 1;
        }
        out.push(input(entry)?);
    }
    Ok(out)
}

/// Redis's zunionInterAggregate.
fn aggregate(target: &mut f64, value: f64, how: Aggregate) {
    match how {
        Aggregate::Sum => {
            *target += value;
            if target.is_nan() {
                *target = 0.0;
            }
        }
        Aggregate::Min => {
            if value < *target {
                *target = value;
            }
        }
        Aggregate::Max => {
            if value > *target {
                *target = value;
            }
        }
    }
}

/// The inputs with their weights in ascending size order (a stable sort, as glibc's qsort
/// merge sort is for these sizes).
fn by_size<'a>(inputs: &[Input<'a>], weights: &[f64]) -> Vec<(Input<'a>, f64)> {
    let mut sorted: Vec<(Input<'a>, f64)> = inputs
        .iter()
        .zip(weights.iter().copied().chain(std::iter::repeat(1.0)))
        .map(|(i, w)| (*i, w))
        .collect();
    sorted.sort_by_key(|(i, _)| i.len());
    sorted
}

/// Computes `op` over `inputs`: the resulting elements in ascending order.
pub fn compute<'a>(op: Op, inputs: &[Input<'a>], opts: &Options) -> Vec<(Cow<'a, [u8]>, f64)> {
    let mut out: Vec<(Cow<'a, [u8]>, f64)> = match op {
        Op::Union => {
            let mut acc: BTreeMap<Cow<'a, [u8]>, f64> = BTreeMap::new();
            for (input, weight) in by_size(inputs, &opts.weights) {
                for (member, score) in input.elements() {
                    let mut value = weight * score;
                    if value.is_nan() {
                        value = 0.0;
                    }
                    match acc.get_mut(&*member) {
                        Some(total) => aggregate(total, value, opts.aggregate),
                        None => {
                            acc.insert(member, value);
                        }
                    }
                }
            }
            acc.into_iter().collect()
        }
        Op::Inter => {
            let sorted = by_size(inputs, &opts.weights);
            let Some(((first, w0), rest)) = sorted.split_first() else {
                return Vec::new();
            };
            let mut out = Vec::new();
            'members: for (member, score) in first.elements() {
                let mut total = w0 * score;
                if total.is_nan() {
                    total = 0.0;
                }
                for (other, weight) in rest {
                    match other.score(&member) {
                        Some(s) => aggregate(&mut total, s * weight, opts.aggregate),
                        None => continue 'members,
                    }
                }
                out.push((member, total));
            }
            out
        }
        Op::Diff => {
            let Some((first, rest)) = inputs.split_first() else {
                return Vec::new();
            };
            first
                .elements()
                .filter(|(member, _)| rest.iter().all(|r| r.score(member).is_none()))
                .collect()
        }
    };
    out.sort_by(|a, b| {
        a.1.partial_cmp(&b.1)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.0.cmp(&b.0))
    });
    out
}

/// ZINTERCARD: the size of the intersection, counting up to `limit` (0: no limit).
pub fn inter_card(inputs: &[Input<'_>], limit: usize) -> usize {
    let sorted = by_size(inputs, &[]);
    let Some(((first, _), rest)) = sorted.split_first() else {
        return 0;
    };
    let mut count = 0;
    for (member, _) in first.elements() {
        if rest.iter().all(|(r, _)| r.score(&member).is_some()) {
            count += 1;
            if limit != 0 && count >= limit {
                break;
            }
        }
    }
    count
}

/// ZUNION, ZINTER and ZDIFF: `numkeys key [key ...] [options]`, checking the keys' types
/// before the options as Redis does.
pub fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes], op: Op, name: &str) -> CmdResult {
    let end = keys_end(argv, 1, name)?;
    let inputs = inputs_read(ctx, &argv[2..end])?;
    let opts = Options::parse(argv, end, end - 2, op, false, false)?;
    let result = compute(op, &inputs, &opts);
    Ok(elements_reply(
        result.iter().map(|(m, score)| (&m[..], *score)),
        opts.withscores,
    ))
}

/// Parses a STORE form, `destination numkeys key [key ...] [options]`: the end of the keys
/// and the options.
pub fn parse_store(argv: &[Bytes], op: Op, name: &str) -> Result<(usize, Options), CmdError> {
    let end = keys_end(argv, 2, name)?;
    let opts = Options::parse(argv, end, end - 3, op, true, false)?;
    Ok((end, opts))
}

/// Applies a STORE form: computes over the inputs as they are at the entry's time, then
/// replaces the destination (or deletes it for an empty result) and answers the size.
pub fn apply_store(ctx: &mut ApplyCtx<'_>, argv: &[Bytes], op: Op, name: &str) -> CmdResult {
    let (end, opts) = parse_store(argv, op, name)?;
    let db = ctx.store.db(ctx.db);
    let inputs = inputs_in(db, &argv[3..end], ctx.now_ms)?;
    let result = ZSet::from_sorted(compute(op, &inputs, &opts));
    Ok(store_result(ctx, &argv[1], result))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(a: &[&str]) -> Vec<Bytes> {
        a.iter()
            .map(|s| Bytes::copy_from_slice(s.as_bytes()))
            .collect()
    }

    #[test]
    fn numkeys() {
        let end = |a: &[&str]| keys_end(&argv(a), 1, "zunion").map_err(|e| e.to_string());
        assert_eq!(end(&["zunion", "2", "a", "b", "withscores"]), Ok(4));
        assert_eq!(
            end(&["zunion", "0", "a"]),
            Err("ERR at least 1 input key is needed for 'zunion' command".into())
        );
        assert_eq!(
            end(&["zunion", "-1", "a"]),
            Err("ERR at least 1 input key is needed for 'zunion' command".into())
        );
        assert_eq!(
            end(&["zunion", "3", "a", "b"]),
            Err("ERR syntax error".into())
        );
        assert_eq!(
            end(&["zunion", "99999999999999999999", "a"]),
            Err("ERR value is not an integer or out of range".into())
        );
        assert_eq!(
            end(&["zunion", "9223372036854775807", "a"]),
            Err("ERR syntax error".into())
        );
    }

    #[test]
    fn options_as_redis() {
        let parse = |a: &[&str], n, op, store, card| {
            Options::parse(&argv(a), 0, n, op, store, card).map_err(|e| e.to_string())
        };
        let o = parse(
            &["weights", "2", "3", "aggregate", "MAX", "withscores"],
            2,
            Op::Union,
            false,
            false,
        )
        .unwrap();
        assert_eq!(o.weights, vec![2.0, 3.0]);
        assert_eq!(o.aggregate, Aggregate::Max);
        assert!(o.withscores);
        let syntax = Err("ERR syntax error".to_string());
        let weight = Err("ERR weight value is not a float".to_string());
        assert_eq!(parse(&["weights", "1"], 2, Op::Union, false, false), syntax);
        assert_eq!(
            parse(&["weights", "1", "withscores"], 2, Op::Union, false, false),
            weight
        );
        assert_eq!(
            parse(&["weights", "nan"], 1, Op::Union, false, false),
            weight
        );
        assert_eq!(
            parse(&["aggregate", "avg"], 1, Op::Union, false, false),
            syntax
        );
        assert_eq!(parse(&["aggregate"], 1, Op::Union, false, false), syntax);
        assert_eq!(parse(&["weights", "1"], 1, Op::Diff, false, false), syntax);
        assert_eq!(parse(&["withscores"], 1, Op::Union, true, false), syntax);
        assert_eq!(parse(&["limit", "1"], 1, Op::Union, false, false), syntax);
        assert_eq!(parse(&["withscores"], 1, Op::Inter, false, true), syntax);
        assert_eq!(
            parse(&["limit", "3", "limit", "0"], 1, Op::Inter, false, true).map(|o| o.limit),
            Ok(0)
        );
        assert_eq!(
            parse(&["limit", "-1"], 1, Op::Inter, false, true),
            Err("ERR LIMIT can't be negative".to_string())
        );
        assert_eq!(
            parse(&["limit", "x"], 1, Op::Inter, false, true),
            Err("ERR LIMIT can't be negative".to_string())
        );
    }
}
