//! Glob-style pattern matching as Redis's `stringmatchlen`: `*`, `?`, `[abc]`, `[^a-z]`, and
//! `\` to escape, optionally ignoring case. Used by KEYS, SCAN MATCH, CONFIG GET, CLIENT...

/// Whether `text` matches `pattern`.
pub fn matches(pattern: &[u8], text: &[u8], nocase: bool) -> bool {
    // Bounded backtracking: each `*` retries from successive positions. The nesting limit
    // Redis has (against pathological patterns) is implied by the iterative form below,
    // which is O(len(pattern) * len(text)).
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if p < pattern.len() {
            match pattern[p] {
                b'*' => {
                    while p < pattern.len() && pattern[p] == b'*' {
                        p += 1;
                    }
                    if p == pattern.len() {
                        return true;
                    }
                    star = Some((p, t));
                    continue;
                }
                b'?' if t < text.len() => {
                    p += 1;
                    t += 1;
                    continue;
                }
                b'[' if t < text.len() => {
                    if let Some(next) = class(pattern, p, text[t], nocase) {
                        p = next;
                        t += 1;
                        continue;
                    }
                }
                // Collapsing the `if` into the guard would let an escaped byte that does not
                // match fall through to the literal arm below.
                #[allow(clippy::collapsible_match)]
                b'\\' if p + 1 < pattern.len() && t < text.len() => {
                    if eq(pattern[p + 1], text[t], nocase) {
                        p += 2;
                        t += 1;
                        continue;
                    }
                }
                c if t < text.len() && c != b'?' && c != b'[' && eq(c, text[t], nocase) => {
                    p += 1;
                    t += 1;
                    continue;
                }
                _ => {}
            }
        } else if t == text.len() {
            return true;
        }
        // Mismatch: let the last `*` swallow one more byte, or fail.
        match star {
            Some((sp, st)) if st < text.len() => {
                star = Some((sp, st + 1));
                p = sp;
                t = st + 1;
            }
            _ => return false,
        }
    }
}

fn eq(a: u8, b: u8, nocase: bool) -> bool {
    if nocase {
        a.eq_ignore_ascii_case(&b)
    } else {
        a == b
    }
}

/// Matches `c` against the class starting at `pattern[start] == b'['`; returns the index after
/// the class when it matches.
fn class(pattern: &[u8], start: usize, c: u8, nocase: bool) -> Option<usize> {
    let mut i = start + 1;
    let negate = pattern.get(i) == Some(&b'^');
    if negate {
        i += 1;
    }
    let mut matched = false;
    loop {
        match pattern.get(i) {
            // Redis treats an unterminated class as ending at the pattern's end.
            None => {
                i -= 1;
                break;
            }
            Some(b']') => break,
            Some(b'\\') if i + 1 < pattern.len() => {
                i += 1;
                if eq(pattern[i], c, nocase) {
                    matched = true;
                }
            }
            Some(&lo) if pattern.get(i + 1) == Some(&b'-') && i + 2 < pattern.len() => {
                let hi = pattern[i + 2];
                let (lo, hi) = if lo > hi { (hi, lo) } else { (lo, hi) };
                let (lo, hi, c) = if nocase {
                    (
                        lo.to_ascii_lowercase(),
                        hi.to_ascii_lowercase(),
                        c.to_ascii_lowercase(),
                    )
                } else {
                    (lo, hi, c)
                };
                if lo <= c && c <= hi {
                    matched = true;
                }
                i += 2;
            }
            Some(&x) => {
                if eq(x, c, nocase) {
                    matched = true;
                }
            }
        }
        i += 1;
    }
    (matched != negate).then_some(i + 1)
}

#[cfg(test)]
mod tests {
    use super::matches;

    fn m(p: &str, t: &str) -> bool {
        matches(p.as_bytes(), t.as_bytes(), false)
    }

    #[test]
    fn redis_glob_rules() {
        assert!(m("*", ""));
        assert!(m("*", "anything"));
        assert!(m("h?llo", "hello"));
        assert!(!m("h?llo", "hllo"));
        assert!(m("h*llo", "heeeello"));
        assert!(m("h[ae]llo", "hallo"));
        assert!(!m("h[ae]llo", "hillo"));
        assert!(m("h[^e]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(m("h[b-a]llo", "hallo"));
        assert!(m("h\\*llo", "h*llo"));
        assert!(!m("h\\*llo", "hello"));
        assert!(m("user:*:name", "user:42:name"));
        assert!(!m("user:*:name", "user:42:email"));
        assert!(m("*a*b", "xxaxxb"));
        assert!(!m("a", "ab"));
        assert!(matches(b"HELLO*", b"hello world", true));
        assert!(!m("[", "a"));
    }
}
