//! LRANGE: get a range of elements from a list.
//!
//! # Format
//! ```text
//! LRANGE key start stop
//! ```
//! Both ends are inclusive and may be negative (-1 is the last element); out-of-range ends
//! are clamped. An empty array when the key does not exist or the range is empty. The start
//! is reached from the nearer end of the list, whole chunks at a time.

use bytes::Bytes;

use crate::cmd::{CmdResult, ReadCtx, Run, Spec, args, flags};
use crate::resp::{Bulks, Reply};

use super::{read_list, resolve_range};

pub const SPEC: Spec = Spec {
    name: "lrange",
    arity: 4,
    flags: flags::READONLY,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Read(read),
};

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    // Redis parses both indexes before looking the key up.
    let start = args::parse_i64(&argv[2])?;
    let stop = args::parse_i64(&argv[3])?;
    let Some(list) = read_list(ctx, &argv[1])? else {
        return Ok(Reply::Array(Vec::new()));
    };
    Ok(match resolve_range(list.len(), start, stop) {
        Some((first, count)) => Reply::Bulks(Bulks::copy_of(list.iter_from(first).take(count))),
        None => Reply::Array(Vec::new()),
    })
}

#[cfg(test)]
mod tests {
    use crate::cmd::string::testing::*;
    use crate::machine::Machine;
    use crate::resp::Reply;

    fn arr(items: &[&str]) -> Reply {
        Reply::Array(items.iter().map(|s| bulk(s)).collect())
    }

    #[test]
    fn ranges() {
        let mut m = Machine::new(16);
        assert_eq!(run(&mut m, 1, &["lrange", "k", "0", "-1"]), arr(&[]));
        assert_eq!(
            run(&mut m, 1, &["lrange", "k", "a", "1"]),
            err("ERR value is not an integer or out of range")
        );
        run(&mut m, 1, &["rpush", "k", "a", "b", "c", "d"]);
        let cases: &[(&str, &str, &[&str])] = &[
            ("0", "-1", &["a", "b", "c", "d"]),
            ("1", "2", &["b", "c"]),
            ("-2", "-1", &["c", "d"]),
            ("-100", "100", &["a", "b", "c", "d"]),
            ("2", "1", &[]),
            ("4", "10", &[]),
            ("-1", "-2", &[]),
            (
                "-9223372036854775808",
                "9223372036854775807",
                &["a", "b", "c", "d"],
            ),
            ("3", "3", &["d"]),
        ];
        for (start, stop, want) in cases {
            assert_eq!(
                run(&mut m, 1, &["LRANGE", "k", start, stop]),
                arr(want),
                "{start} {stop}"
            );
        }
        assert_eq!(
            run(&mut m, 1, &["lrange", "k", "0", "1x"]),
            err("ERR value is not an integer or out of range")
        );
    }

    #[test]
    fn ranges_across_chunks() {
        let mut m = Machine::new(1);
        for i in 0..3000 {
            run(&mut m, 1, &["rpush", "k", &format!("element-{i:05}")]);
        }
        let want: Vec<String> = (2990..3000).map(|i| format!("element-{i:05}")).collect();
        let want: Vec<&str> = want.iter().map(String::as_str).collect();
        assert_eq!(run(&mut m, 1, &["lrange", "k", "-10", "-1"]), arr(&want));
        let Reply::Array(all) = run(&mut m, 1, &["lrange", "k", "0", "-1"]) else {
            panic!("not an array")
        };
        assert_eq!(all.len(), 3000);
        assert_eq!(all[1234], bulk("element-01234"));
    }
}
