//! Conversions between Lua values and RESP replies, by Redis 7.0's rules
//! (<https://redis.io/docs/interact/programmability/lua-api/>, "Data type conversion").
//!
//! RESP → Lua (what `redis.call` returns): integer → number, bulk → string, null → false
//! (nil in RESP3 mode), array → table, status → `{ok=...}`, error → `{err=...}`; RESP3 types
//! (after `redis.setresp(3)`) map to `{map=...}`, `{set=...}`, `{double=...}`, booleans and
//! `{verbatim_string=...}`; in RESP2 mode they arrive as RESP2 sends them.
//!
//! Lua → RESP (what a script returns): number → integer (truncated), string → bulk, table →
//! array stopping at the first nil, `{ok=...}` → status, `{err=...}` → error, `{double=...}`,
//! `{map=...}` and `{set=...}` → their RESP3 types, false → null (false in RESP3 mode), true
//! → integer 1 (true in RESP3 mode).

use bytes::Bytes;
use mlua::{Lua, Table, Value};

use crate::resp::{Reply, format_double};

/// How deep a returned table may nest before the reply is refused (Redis's Lua stack
/// limit gives the same answer for runaway nesting).
const MAX_DEPTH: usize = 1000;

/// A reply of `redis.call` as the script sees it. Errors are not handled here: the caller
/// raises them (`call`) or wraps them (`pcall`) first; a nested one becomes `{err=...}`.
pub fn reply_to_lua(lua: &Lua, reply: &Reply, resp3: bool) -> mlua::Result<Value> {
    Ok(match reply {
        Reply::Simple(s) => single(lua, "ok", Value::String(lua.create_string(s)?))?,
        Reply::Error(e) => single(lua, "err", Value::String(lua.create_string(e)?))?,
        Reply::Int(n) => Value::Number(*n as f64),
        Reply::Bulk(b) => Value::String(lua.create_string(b)?),
        Reply::Nil | Reply::NilArray => {
            if resp3 {
                Value::Nil
            } else {
                Value::Boolean(false)
            }
        }
        Reply::Array(items) | Reply::Push(items) => array(lua, items.iter(), resp3)?,
        Reply::Bulks(b) => array(lua, b.to_replies().iter(), resp3)?,
        Reply::Set(items) if resp3 => {
            let set = lua.create_table()?;
            for item in items {
                set.raw_set(reply_to_lua(lua, item, resp3)?, true)?;
            }
            single(lua, "set", Value::Table(set))?
        }
        Reply::Set(items) => array(lua, items.iter(), resp3)?,
        Reply::Map(pairs) if resp3 => {
            let map = lua.create_table()?;
            for (k, v) in pairs {
                map.raw_set(reply_to_lua(lua, k, resp3)?, reply_to_lua(lua, v, resp3)?)?;
            }
            single(lua, "map", Value::Table(map))?
        }
        Reply::Pairs(pairs) if resp3 => {
            let t = lua.create_table()?;
            for (i, (k, v)) in pairs.iter().enumerate() {
                t.raw_set(i + 1, array(lua, [k, v].into_iter(), resp3)?)?;
            }
            Value::Table(t)
        }
        Reply::Map(pairs) | Reply::Pairs(pairs) => {
            array(lua, pairs.iter().flat_map(|(k, v)| [k, v]), resp3)?
        }
        Reply::Double(d) if resp3 => single(lua, "double", Value::Number(*d))?,
        Reply::Double(d) => Value::String(lua.create_string(format_double(*d))?),
        Reply::Bool(b) if resp3 => Value::Boolean(*b),
        Reply::Bool(b) => Value::Number(f64::from(u8::from(*b))),
        Reply::Verbatim(format, s) if resp3 => {
            let v = lua.create_table()?;
            v.raw_set("format", *format)?;
            v.raw_set("string", lua.create_string(s)?)?;
            single(lua, "verbatim_string", Value::Table(v))?
        }
        Reply::Verbatim(_, s) => Value::String(lua.create_string(s)?),
    })
}

fn single(lua: &Lua, field: &str, value: Value) -> mlua::Result<Value> {
    let t = lua.create_table()?;
    t.raw_set(field, value)?;
    Ok(Value::Table(t))
}

fn array<'r>(
    lua: &Lua,
    items: impl Iterator<Item = &'r Reply>,
    resp3: bool,
) -> mlua::Result<Value> {
    let t = lua.create_table()?;
    for (i, item) in items.enumerate() {
        t.raw_set(i + 1, reply_to_lua(lua, item, resp3)?)?;
    }
    Ok(Value::Table(t))
}

/// What a script's return value answers.
pub fn lua_to_reply(value: &Value, resp3: bool) -> Reply {
    to_reply(value, resp3, 0)
}

fn to_reply(value: &Value, resp3: bool, depth: usize) -> Reply {
    if depth > MAX_DEPTH {
        return Reply::error("ERR reached lua stack limit");
    }
    match value {
        Value::Nil => Reply::Nil,
        Value::Boolean(false) if resp3 => Reply::Bool(false),
        Value::Boolean(false) => Reply::Nil,
        Value::Boolean(true) if resp3 => Reply::Bool(true),
        Value::Boolean(true) => Reply::Int(1),
        Value::Integer(n) => Reply::Int(*n),
        Value::Number(n) => Reply::Int(truncate(*n)),
        Value::String(s) => Reply::Bulk(Bytes::copy_from_slice(&s.as_bytes())),
        Value::Table(t) => table_to_reply(t, resp3, depth),
        _ => Reply::Nil,
    }
}

/// A Lua number as Redis casts it to `long long`: truncated toward zero, and the x86 result
/// of an out-of-range cast (the smallest integer) for NaN and overflow.
pub fn truncate(n: f64) -> i64 {
    if !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&n) {
        i64::MIN
    } else {
        n as i64
    }
}

fn table_to_reply(t: &Table, resp3: bool, depth: usize) -> Reply {
    if let Ok(Value::String(e)) = t.raw_get::<Value>("err") {
        return Reply::Error(Bytes::from(status_text(&e.as_bytes())));
    }
    if let Ok(Value::String(s)) = t.raw_get::<Value>("ok") {
        return Reply::Simple(Bytes::from(status_text(&s.as_bytes())));
    }
    if let Ok(Value::Number(d)) = t.raw_get::<Value>("double") {
        return Reply::Double(d);
    }
    if let Ok(Value::Table(map)) = t.raw_get::<Value>("map") {
        let pairs = map
            .pairs::<Value, Value>()
            .filter_map(Result::ok)
            .map(|(k, v)| {
                (
                    to_reply(&k, resp3, depth + 1),
                    to_reply(&v, resp3, depth + 1),
                )
            })
            .collect();
        return Reply::Map(pairs);
    }
    if let Ok(Value::Table(set)) = t.raw_get::<Value>("set") {
        let items = set
            .pairs::<Value, Value>()
            .filter_map(Result::ok)
            .map(|(k, _)| to_reply(&k, resp3, depth + 1))
            .collect();
        return Reply::Set(items);
    }
    let mut items = Vec::new();
    for i in 1.. {
        match t.raw_get::<Value>(i) {
            Ok(Value::Nil) | Err(_) => break,
            Ok(v) => items.push(to_reply(&v, resp3, depth + 1)),
        }
    }
    Reply::Array(items)
}

/// A status or error text as Redis sends it: one leading `-` dropped, CR and LF made spaces
/// (a reply line cannot hold them).
fn status_text(s: &[u8]) -> Vec<u8> {
    let s = s.strip_prefix(b"-").unwrap_or(s);
    s.iter()
        .map(|&c| if c == b'\r' || c == b'\n' { b' ' } else { c })
        .collect()
}

/// One argument of `redis.call` as Redis 7.0 turns it into a command argument: strings as
/// they are, numbers in `%.17g`; anything else is refused.
pub fn arg_bytes(value: &Value) -> Option<Bytes> {
    match value {
        Value::String(s) => Some(Bytes::copy_from_slice(&s.as_bytes())),
        Value::Integer(n) => Some(Bytes::from(n.to_string())),
        Value::Number(n) => Some(Bytes::from(format_double(*n))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(lua: &Lua, code: &str) -> Value {
        lua.load(code).eval().expect("lua")
    }

    #[test]
    fn lua_values_become_replies() {
        let lua = Lua::new();
        let r = |code: &str| lua_to_reply(&eval(&lua, code), false);
        assert_eq!(r("return 3.99"), Reply::Int(3));
        assert_eq!(r("return -3.99"), Reply::Int(-3));
        assert_eq!(r("return 1e300"), Reply::Int(i64::MIN));
        assert_eq!(r("return 0/0"), Reply::Int(i64::MIN));
        assert_eq!(r("return 'x'"), Reply::bulk("x"));
        assert_eq!(r("return true"), Reply::Int(1));
        assert_eq!(r("return false"), Reply::Nil);
        assert_eq!(r("return nil"), Reply::Nil);
        assert_eq!(
            r("return {1,2,'x',nil,4}"),
            Reply::Array(vec![Reply::Int(1), Reply::Int(2), Reply::bulk("x")])
        );
        assert_eq!(
            r("return {1,false,3}"),
            Reply::Array(vec![Reply::Int(1), Reply::Nil, Reply::Int(3)])
        );
        assert_eq!(r("return {err='-My Error'}"), Reply::error("My Error"));
        assert_eq!(r("return {err='ERR x\\r\\ny'}"), Reply::error("ERR x  y"));
        assert_eq!(r("return {err='a', ok='b'}"), Reply::error("a"));
        assert_eq!(r("return {ok='fine'}"), Reply::simple("fine"));
        assert_eq!(r("return {err=3}"), Reply::Array(vec![]));
        assert_eq!(r("return {double=3.5}"), Reply::Double(3.5));
        assert_eq!(
            r("return {map={a=1}}"),
            Reply::Map(vec![(Reply::bulk("a"), Reply::Int(1))])
        );
        assert_eq!(
            r("return {set={a=true}}"),
            Reply::Set(vec![Reply::bulk("a")])
        );
        // A table holding itself nests until the limit, where the error stands.
        let mut deep = r("local t = {}; t[1] = t; return t");
        while let Reply::Array(mut items) = deep {
            deep = items.remove(0);
        }
        assert_eq!(deep, Reply::error("ERR reached lua stack limit"));
        let resp3 = |code: &str| lua_to_reply(&eval(&lua, code), true);
        assert_eq!(resp3("return false"), Reply::Bool(false));
        assert_eq!(resp3("return true"), Reply::Bool(true));
    }

    #[test]
    fn replies_become_lua_values() {
        let lua = Lua::new();
        let check = |reply: Reply, resp3: bool, expr: &str| {
            let v = reply_to_lua(&lua, &reply, resp3).expect("convert");
            lua.globals().set("v", v).expect("set");
            let ok: bool = lua.load(expr).eval().expect("eval");
            assert!(ok, "{reply:?} (resp3 {resp3}): {expr}");
        };
        check(Reply::Int(7), false, "return v == 7");
        check(Reply::bulk("x"), false, "return v == 'x'");
        check(Reply::Nil, false, "return v == false");
        check(Reply::NilArray, false, "return v == false");
        check(Reply::Nil, true, "return v == nil");
        check(Reply::OK, false, "return v.ok == 'OK'");
        check(Reply::error("ERR x"), false, "return v.err == 'ERR x'");
        check(
            Reply::Array(vec![Reply::Int(1), Reply::Nil, Reply::bulk("z")]),
            false,
            "return v[1] == 1 and v[2] == false and v[3] == 'z'",
        );
        let map = Reply::Map(vec![(Reply::bulk("f"), Reply::bulk("v"))]);
        check(map.clone(), false, "return v[1] == 'f' and v[2] == 'v'");
        check(map, true, "return v.map.f == 'v'");
        check(
            Reply::Set(vec![Reply::bulk("m")]),
            true,
            "return v.set.m == true",
        );
        check(
            Reply::Set(vec![Reply::bulk("m")]),
            false,
            "return v[1] == 'm'",
        );
        check(Reply::Double(1.5), false, "return v == '1.5'");
        check(Reply::Double(1.5), true, "return v.double == 1.5");
        check(Reply::Bool(true), false, "return v == 1");
        check(Reply::Bool(false), true, "return v == false");
        check(
            Reply::Verbatim("txt", Bytes::from_static(b"hi")),
            true,
            "return v.verbatim_string.format == 'txt' and v.verbatim_string.string == 'hi'",
        );
        check(
            Reply::Pairs(vec![(Reply::bulk("m"), Reply::Double(2.0))]),
            false,
            "return v[1] == 'm' and v[2] == '2'",
        );
    }

    #[test]
    fn call_arguments() {
        assert_eq!(arg_bytes(&Value::Number(12.0)), Some(Bytes::from("12")));
        assert_eq!(arg_bytes(&Value::Number(1.5)), Some(Bytes::from("1.5")));
        assert_eq!(arg_bytes(&Value::Number(1e20)), Some(Bytes::from("1e+20")));
        assert_eq!(arg_bytes(&Value::Boolean(true)), None);
    }
}
