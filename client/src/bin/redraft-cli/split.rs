//! Splitting a typed line into arguments as redis-cli does (`sdssplitargs`): blanks
//! separate arguments; "double quotes" understand `\n \r \t \b \a \xNN` and `\"`; 'single
//! quotes' only `\'`; a closing quote must be followed by a blank or the end of the line.

/// The arguments of `line`, or `None` for unbalanced quotes ("Invalid argument(s)").
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut args = Vec::new();
    let mut pos = 0;
    loop {
        while line.get(pos).is_some_and(|b| b.is_ascii_whitespace()) {
            pos += 1;
        }
        if pos >= line.len() {
            return Some(args);
        }
        let (arg, next) = one_arg(line, pos)?;
        args.push(arg);
        pos = next;
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Quote {
    None,
    Double,
    Single,
}

/// One argument starting at `pos`: its bytes and where scanning goes on.
fn one_arg(line: &[u8], mut pos: usize) -> Option<(Vec<u8>, usize)> {
    let mut arg = Vec::new();
    let mut quote = Quote::None;
    loop {
        let c = line.get(pos).copied();
        match (quote, c) {
            (Quote::None, None) => return Some((arg, pos)),
            (Quote::None, Some(b' ' | b'\n' | b'\r' | b'\t' | 0)) => return Some((arg, pos)),
            (Quote::None, Some(b'"')) => quote = Quote::Double,
            (Quote::None, Some(b'\'')) => quote = Quote::Single,
            (Quote::None, Some(b)) => arg.push(b),
            (_, None) => return None,
            (Quote::Double, Some(b'\\')) => pos += double_escape(line, pos, &mut arg),
            (Quote::Single, Some(b'\\')) if line.get(pos + 1) == Some(&b'\'') => {
                arg.push(b'\'');
                pos += 1;
            }
            (Quote::Double, Some(b'"')) | (Quote::Single, Some(b'\'')) => {
                let after = line.get(pos + 1);
                if after.is_some_and(|b| !b.is_ascii_whitespace()) {
                    return None;
                }
                return Some((arg, pos + 1));
            }
            (_, Some(b)) => arg.push(b),
        }
        pos += 1;
    }
}

/// Handles a backslash at `pos` inside double quotes; returns how many extra bytes it used.
fn double_escape(line: &[u8], pos: usize, arg: &mut Vec<u8>) -> usize {
    let hex = |i: usize| line.get(i).and_then(|&b| (b as char).to_digit(16));
    if let (Some(b'x'), Some(hi), Some(lo)) = (line.get(pos + 1), hex(pos + 2), hex(pos + 3)) {
        arg.push((hi * 16 + lo) as u8);
        return 3;
    }
    match line.get(pos + 1) {
        Some(&next) => {
            arg.push(match next {
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                b'b' => 0x08,
                b'a' => 0x07,
                other => other,
            });
            1
        }
        // A trailing backslash stays; the missing quote then fails the line.
        None => {
            arg.push(b'\\');
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Option<Vec<String>> {
        split_args(s.as_bytes()).map(|args| {
            args.into_iter()
                .map(|a| String::from_utf8_lossy(&a).into_owned())
                .collect()
        })
    }

    #[test]
    fn plain_and_quoted() {
        assert_eq!(
            split("  set  k v "),
            Some(vec!["set".into(), "k".into(), "v".into()])
        );
        assert_eq!(split(""), Some(vec![]));
        assert_eq!(
            split(r#"set "a b" 'c d'"#),
            Some(vec!["set".into(), "a b".into(), "c d".into()])
        );
        assert_eq!(split(r#""a\nb\x41\"""#), Some(vec!["a\nbA\"".into()]));
        assert_eq!(split(r"'it\'s'"), Some(vec!["it's".into()]));
        assert_eq!(split(r#"'a\nb'"#), Some(vec![r"a\nb".into()]));
        assert_eq!(split(r#"x"y z""#), Some(vec!["xy z".into()]));
        assert_eq!(split(r#""""#), Some(vec!["".into()]));
    }

    #[test]
    fn unbalanced_quotes() {
        assert_eq!(split(r#"set "abc"#), None);
        assert_eq!(split("set 'abc"), None);
        assert_eq!(split(r#""abc"def"#), None);
        assert_eq!(split(r#""abc\"#), None);
    }
}
