//! The `cjson` library of Redis's Lua: `cjson.encode` and `cjson.decode`, with lua-cjson's
//! output (numbers in `%.14g`, `/` escaped, empty tables as `{}`, `cjson.null` for JSON null).
//! Decoding goes through serde_json; error texts are serde_json's, not lua-cjson's.

use mlua::{Lua, Table, Value};

use crate::resp::format_g;

const MAX_DEPTH: usize = 1000;

/// `cjson.encode(value)`: the JSON text, or the error to raise.
pub fn encode(value: &Value, null: &Value) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    write(&mut out, value, null, 0)?;
    Ok(out)
}

fn write(out: &mut Vec<u8>, value: &Value, null: &Value, depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "Cannot serialise, excessive nesting ({})",
            MAX_DEPTH + 1
        ));
    }
    match value {
        Value::Nil => out.extend_from_slice(b"null"),
        v if v == null => out.extend_from_slice(b"null"),
        Value::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Integer(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::Number(n) => {
            if n.is_nan() || n.is_infinite() {
                return Err("Cannot serialise number: must not be NaN or Inf".to_string());
            }
            out.extend_from_slice(format_g(*n, 14).as_bytes());
        }
        Value::String(s) => string(out, &s.as_bytes()),
        Value::Table(t) => table(out, t, null, depth)?,
        other => {
            return Err(format!(
                "Cannot serialise {}: type not supported",
                other.type_name()
            ));
        }
    }
    Ok(())
}

fn string(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    for &c in s {
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'/' => out.extend_from_slice(b"\\/"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            c if c < 0x20 || c == 0x7f => {
                out.extend_from_slice(format!("\\u{:04x}", c).as_bytes());
            }
            c => out.push(c),
        }
    }
    out.push(b'"');
}

fn table(out: &mut Vec<u8>, t: &Table, null: &Value, depth: usize) -> Result<(), String> {
    let pairs: Vec<(Value, Value)> = t
        .pairs::<Value, Value>()
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    // An array when every key is a positive integer and it is not too sparse (lua-cjson's
    // default: more than half holes past index 10 is refused).
    let mut max = 0usize;
    let mut array = true;
    for (k, _) in &pairs {
        match k {
            Value::Integer(n) if *n >= 1 => max = max.max(*n as usize),
            Value::Number(n) if *n >= 1.0 && n.fract() == 0.0 => max = max.max(*n as usize),
            _ => {
                array = false;
                break;
            }
        }
    }
    if array && !pairs.is_empty() {
        if max > pairs.len() * 2 && max > 10 {
            return Err("Cannot serialise table: excessively sparse array".to_string());
        }
        out.push(b'[');
        for i in 1..=max {
            if i > 1 {
                out.push(b',');
            }
            let v: Value = t.raw_get(i).map_err(|e| e.to_string())?;
            write(out, &v, null, depth + 1)?;
        }
        out.push(b']');
        return Ok(());
    }
    out.push(b'{');
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match k {
            Value::String(s) => string(out, &s.as_bytes()),
            Value::Number(n) => string(out, format_g(*n, 14).as_bytes()),
            Value::Integer(n) => string(out, n.to_string().as_bytes()),
            _ => return Err("Cannot serialise table: table key must be a number or string".into()),
        }
        out.push(b':');
        write(out, v, null, depth + 1)?;
    }
    out.push(b'}');
    Ok(())
}

/// `cjson.decode(text)`: the Lua value, or the error to raise.
pub fn decode(lua: &Lua, text: &[u8], null: &Value) -> Result<Value, String> {
    let json: serde_json::Value = serde_json::from_slice(text).map_err(|e| e.to_string())?;
    to_lua(lua, &json, null).map_err(|e| e.to_string())
}

fn to_lua(lua: &Lua, json: &serde_json::Value, null: &Value) -> mlua::Result<Value> {
    use serde_json::Value as J;
    Ok(match json {
        J::Null => null.clone(),
        J::Bool(b) => Value::Boolean(*b),
        J::Number(n) => Value::Number(n.as_f64().unwrap_or(0.0)),
        J::String(s) => Value::String(lua.create_string(s)?),
        J::Array(items) => {
            let t = lua.create_table()?;
            for (i, item) in items.iter().enumerate() {
                t.raw_set(i + 1, to_lua(lua, item, null)?)?;
            }
            Value::Table(t)
        }
        J::Object(map) => {
            let t = lua.create_table()?;
            for (k, v) in map {
                t.raw_set(lua.create_string(k)?, to_lua(lua, v, null)?)?;
            }
            Value::Table(t)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_as_lua_cjson_does() {
        let lua = Lua::new();
        let null = Value::Boolean(false);
        let enc = |code: &str| {
            let v: Value = lua.load(code).eval().expect("lua");
            String::from_utf8(encode(&v, &null).expect("encode")).expect("utf8")
        };
        assert_eq!(enc("return {1,2,{a=1}}"), r#"[1,2,{"a":1}]"#);
        assert_eq!(enc("return {}"), "{}");
        assert_eq!(enc("return 'a/b\"'"), r#""a\/b\"""#);
        assert_eq!(enc("return 3.5"), "3.5");
        assert_eq!(enc("return 0.1"), "0.1");
        assert_eq!(enc("return 1e20"), "1e+20");
        assert_eq!(enc("return {1,nil,3}"), "[1,null,3]");
        let sparse: Value = lua.load("return {[1]=1,[100]=2}").eval().expect("lua");
        assert!(encode(&sparse, &null).is_err());
    }

    #[test]
    fn decodes_with_null_sentinel() {
        let lua = Lua::new();
        let null = Value::Boolean(false);
        let v = decode(&lua, br#"{"a":[1,2.5,null]}"#, &null).expect("decode");
        let Value::Table(t) = v else { panic!("table") };
        let a: Table = t.get("a").expect("a");
        assert_eq!(a.get::<f64>(2).expect("2"), 2.5);
        assert_eq!(a.get::<Value>(3).expect("3"), null);
        assert!(decode(&lua, b"{bad", &null).is_err());
    }
}
