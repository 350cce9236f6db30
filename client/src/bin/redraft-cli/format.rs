//! Printing replies byte for byte as redis-cli does (`cliFormatReplyTTY` and
//! `cliFormatReplyRaw` in redis-cli.c).
//!
//! Standard form: `(integer) 1`, `"quoted"` strings, `(nil)`, numbered aggregates whose
//! nested items are indented by the width of the parent's numbers plus two; maps `1# k => v`,
//! sets `1~ x`. Raw form: bare values, aggregate items one per line, map pairs as `k v`.

use redraft_client::Value;

/// A reply in redis-cli's standard (terminal) form, ending with a newline.
pub fn standard(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    tty(value, "", &mut out);
    out
}

/// A reply in redis-cli's raw form, with the newline redis-cli adds after each reply.
pub fn raw(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    raw_into(value, &mut out);
    out.push(b'\n');
    out
}

fn tty(value: &Value, prefix: &str, out: &mut Vec<u8>) {
    match value {
        Value::Error(text) => line(out, &[b"(error) ", text]),
        Value::Status(text) => line(out, &[text]),
        Value::Int(n) => line(out, &[b"(integer) ", n.to_string().as_bytes()]),
        Value::Double { text, .. } => line(out, &[b"(double) ", text]),
        Value::BigNumber(text) => line(out, &[b"(big number) ", text]),
        Value::Bulk(data) => {
            repr(data, out);
            out.push(b'\n');
        }
        Value::Verbatim { text, .. } => line(out, &[text]),
        Value::Nil => out.extend_from_slice(b"(nil)\n"),
        Value::Boolean(true) => out.extend_from_slice(b"(true)\n"),
        Value::Boolean(false) => out.extend_from_slice(b"(false)\n"),
        Value::Array(items) => aggregate(items, b')', "(empty array)", prefix, out),
        Value::Set(items) => aggregate(items, b'~', "(empty set)", prefix, out),
        Value::Push(items) => aggregate(items, b')', "(empty push)", prefix, out),
        Value::Map(pairs) => map(pairs, prefix, out),
    }
}

fn line(out: &mut Vec<u8>, parts: &[&[u8]]) {
    for part in parts {
        out.extend_from_slice(part);
    }
    out.push(b'\n');
}

/// The index label of item `index` (1-based): right-aligned to `width`, then the separator.
/// The first item gets no prefix: the parent already wrote its own label on that line.
fn label(out: &mut Vec<u8>, prefix: &str, index: usize, width: usize, sep: u8) {
    if index > 1 {
        out.extend_from_slice(prefix.as_bytes());
    }
    out.extend_from_slice(format!("{index:>width$}").as_bytes());
    out.push(sep);
    out.push(b' ');
}

fn digits(mut n: usize) -> usize {
    let mut width = 1;
    while n >= 10 {
        n /= 10;
        width += 1;
    }
    width
}

fn aggregate(items: &[Value], sep: u8, empty: &str, prefix: &str, out: &mut Vec<u8>) {
    if items.is_empty() {
        line(out, &[empty.as_bytes()]);
        return;
    }
    let width = digits(items.len());
    let nested = format!("{prefix}{}", " ".repeat(width + 2));
    for (i, item) in items.iter().enumerate() {
        label(out, prefix, i + 1, width, sep);
        tty(item, &nested, out);
    }
}

fn map(pairs: &[(Value, Value)], prefix: &str, out: &mut Vec<u8>) {
    if pairs.is_empty() {
        line(out, &[b"(empty hash)"]);
        return;
    }
    let width = digits(pairs.len());
    let nested = format!("{prefix}{}", " ".repeat(width + 2));
    for (i, (key, value)) in pairs.iter().enumerate() {
        label(out, prefix, i + 1, width, b'#');
        tty(key, &nested, out);
        // redis-cli drops the key's newline and joins the value on the same line.
        out.pop();
        out.extend_from_slice(b" => ");
        if is_multiline(value) {
            // A value spanning several lines starts on its own line, aligned with its items.
            out.push(b'\n');
            out.extend_from_slice(nested.as_bytes());
        }
        tty(value, &nested, out);
    }
}

/// Whether a map value prints on several lines (redis-cli's `cliIsMultilineValueTTY`).
fn is_multiline(value: &Value) -> bool {
    match value {
        Value::Array(items) | Value::Set(items) | Value::Push(items) => match items.as_slice() {
            [] => false,
            [only] => is_multiline(only),
            _ => true,
        },
        Value::Map(pairs) => match pairs.as_slice() {
            [] => false,
            [(_, only)] => is_multiline(only),
            _ => true,
        },
        _ => false,
    }
}

/// A string quoted as redis-cli's `sdscatrepr`: `\\`, `\"`, `\n`, `\r`, `\t`, `\a`, `\b`,
/// printable ASCII as is, every other byte as `\xNN`.
pub fn repr(data: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &b in data {
        match b {
            b'\\' | b'"' => out.extend_from_slice(&[b'\\', b]),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x07 => out.extend_from_slice(b"\\a"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x20..=0x7e => out.push(b),
            _ => out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
        }
    }
    out.push(b'"');
}

fn raw_into(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Nil => {}
        Value::Error(text) => {
            out.extend_from_slice(text);
            out.push(b'\n');
        }
        Value::Status(text) | Value::Bulk(text) | Value::BigNumber(text) => {
            out.extend_from_slice(text)
        }
        Value::Verbatim { text, .. } | Value::Double { text, .. } => out.extend_from_slice(text),
        Value::Boolean(true) => out.extend_from_slice(b"(true)"),
        Value::Boolean(false) => out.extend_from_slice(b"(false)"),
        Value::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::Array(items) | Value::Set(items) | Value::Push(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b'\n');
                }
                raw_into(item, out);
            }
        }
        Value::Map(pairs) => {
            for (i, (key, value)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push(b'\n');
                }
                raw_into(key, out);
                out.push(b' ');
                raw_into(value, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn bulk(s: &str) -> Value {
        Value::Bulk(Bytes::copy_from_slice(s.as_bytes()))
    }

    fn std_text(v: &Value) -> String {
        String::from_utf8(standard(v)).unwrap()
    }

    fn raw_text(v: &Value) -> String {
        String::from_utf8(raw(v)).unwrap()
    }

    #[test]
    fn scalars_standard() {
        assert_eq!(std_text(&Value::Int(-3)), "(integer) -3\n");
        assert_eq!(std_text(&Value::Nil), "(nil)\n");
        assert_eq!(std_text(&Value::Status(Bytes::from_static(b"OK"))), "OK\n");
        assert_eq!(
            std_text(&Value::Error(Bytes::from_static(b"ERR bad"))),
            "(error) ERR bad\n"
        );
        assert_eq!(std_text(&bulk("v")), "\"v\"\n");
        assert_eq!(std_text(&Value::Boolean(true)), "(true)\n");
        let d = Value::Double {
            value: 1.5,
            text: Bytes::from_static(b"1.5"),
        };
        assert_eq!(std_text(&d), "(double) 1.5\n");
    }

    #[test]
    fn quoting_matches_sdscatrepr() {
        let mut out = Vec::new();
        repr(b"a\"b\\c\n\r\t\x07\x08\x01\xc3\xa9 ~", &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#""a\"b\\c\n\r\t\a\b\x01\xc3\xa9 ~""#
        );
    }

    #[test]
    fn nested_arrays_indent_by_parent_width() {
        let v = Value::Array(vec![
            Value::Array(vec![bulk("a"), Value::Int(1)]),
            Value::Array(vec![]),
            bulk("x"),
        ]);
        assert_eq!(
            std_text(&v),
            "1) 1) \"a\"\n   2) (integer) 1\n2) (empty array)\n3) \"x\"\n"
        );
        let ten: Vec<Value> = (0..10).map(Value::Int).collect();
        let v = Value::Array(vec![Value::Array(ten.clone())]);
        let text = std_text(&v);
        assert!(
            text.starts_with("1)  1) (integer) 0\n    2) (integer) 1\n"),
            "{text}"
        );
        assert!(text.ends_with("   10) (integer) 9\n"), "{text}");
        let text = std_text(&Value::Array(ten));
        assert!(text.starts_with(" 1) (integer) 0\n"), "{text}");
    }

    #[test]
    fn resp3_aggregates() {
        let m = Value::Map(vec![
            (bulk("k"), bulk("v")),
            (bulk("n"), Value::Array(vec![Value::Int(1), Value::Int(2)])),
        ]);
        assert_eq!(
            std_text(&m),
            "1# \"k\" => \"v\"\n2# \"n\" => \n   1) (integer) 1\n   2) (integer) 2\n"
        );
        let one = Value::Map(vec![(bulk("k"), Value::Set(vec![bulk("x")]))]);
        assert_eq!(std_text(&one), "1# \"k\" => 1~ \"x\"\n");
        assert_eq!(std_text(&Value::Set(vec![bulk("x")])), "1~ \"x\"\n");
        assert_eq!(std_text(&Value::Map(vec![])), "(empty hash)\n");
        assert_eq!(std_text(&Value::Set(vec![])), "(empty set)\n");
        assert_eq!(raw_text(&m), "k v\nn 1\n2\n");
    }

    #[test]
    fn raw_form() {
        assert_eq!(raw_text(&Value::Nil), "\n");
        assert_eq!(raw_text(&Value::Int(2)), "2\n");
        assert_eq!(raw_text(&bulk("a\tb")), "a\tb\n");
        assert_eq!(
            raw_text(&Value::Error(Bytes::from_static(b"ERR x"))),
            "ERR x\n\n"
        );
        let v = Value::Array(vec![bulk("a"), Value::Array(vec![]), Value::Nil, bulk("b")]);
        assert_eq!(raw_text(&v), "a\n\n\nb\n");
        assert_eq!(raw_text(&Value::Array(vec![])), "\n");
        assert_eq!(raw_text(&Value::Boolean(false)), "(false)\n");
    }
}
