//! HSET: sets the string value of one or more hash fields.
//!
//! # Format
//! ```text
//! HSET key field value [field value ...]
//! ```
//! Answers the number of fields added (fields that already existed are updated and not
//! counted). A field given twice takes its last value. HMSET shares this body and answers OK.

use bytes::Bytes;

use crate::cmd::args::word;
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;

use super::update;

pub const SPEC: Spec = Spec {
    name: "hset",
    arity: -4,
    flags: flags::WRITE | flags::DENYOOM | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

/// A parsed HSET or HMSET: the key and its field/value pairs.
#[derive(Debug, PartialEq, Eq)]
pub struct HSet<'a> {
    pub key: &'a Bytes,
    /// Alternating fields and values.
    pub pairs: &'a [Bytes],
}

impl<'a> HSet<'a> {
    /// Parses `argv` of the command `name` (`hset` or `hmset`): pairs must be complete,
    /// else Redis's arity error for that command.
    pub fn parse(argv: &'a [Bytes], name: &str) -> Result<HSet<'a>, CmdError> {
        if argv.len() < 4 || argv.len() % 2 == 1 {
            return Err(CmdError::wrong_arity(name));
        }
        Ok(HSet {
            key: &argv[1],
            pairs: &argv[2..],
        })
    }
}

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    canonical(argv, "hset")
}

/// The logged form of an HSET or HMSET: the command as given, its name in lower case.
pub(super) fn canonical(argv: &[Bytes], name: &'static str) -> Result<Vec<Bytes>, CmdError> {
    HSet::parse(argv, name)?;
    let mut canon = argv.to_vec();
    canon[0] = word(name);
    Ok(canon)
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    set_pairs(ctx, argv, "hset").map(Reply::Int)
}

/// The body of HSET and HMSET (Redis's `hsetCommand`): sets every pair, answers how many
/// fields were new.
pub(super) fn set_pairs(
    ctx: &mut ApplyCtx<'_>,
    argv: &[Bytes],
    name: &str,
) -> Result<i64, CmdError> {
    let cmd = HSet::parse(argv, name)?;
    update(ctx, cmd.key, |hash| {
        let hash = &mut *hash;
        let created = cmd
            .pairs
            .chunks_exact(2)
            .filter(|pair| hash.insert(&pair[0], &pair[1]))
            .count();
        Ok((created as i64, true))
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn parse_and_arity() {
        let a = argv(&["hset", "k", "f", "v", "g", "w"]);
        let cmd = HSet::parse(&a, "hset").unwrap();
        assert_eq!(cmd.pairs.len(), 4);
        let arity = err("ERR wrong number of arguments for 'hset' command");
        let mut k = Kit::new();
        k.check(1, &["hset", "k", "f", "v", "g"], arity.clone());
        k.check(1, &["hset", "k", "f"], arity);
        // The arity error comes before the type check.
        k.run(1, &["set", "s", "x"]);
        k.check(
            1,
            &["hset", "s", "f", "v", "g"],
            err("ERR wrong number of arguments for 'hset' command"),
        );
        k.check(1, &["HSET", "k", "f", "v"], int(1));
    }

    #[test]
    fn counts_new_fields_and_keeps_the_last_value() {
        let mut k = Kit::new();
        k.check(1, &["hset", "h", "a", "1", "b", "2", "a", "3"], int(2));
        k.check(1, &["hgetall", "h"], map(&[("a", "3"), ("b", "2")]));
        k.check(1, &["hset", "h", "a", "x", "c", "y"], int(1));
        k.check(1, &["hset", "h", "a", "x"], int(0));
        k.check(1, &["hlen", "h"], int(3));
        // Binary-safe, empty fields and values allowed.
        k.check(1, &["hset", "h", "", ""], int(1));
        k.check(1, &["hget", "h", ""], bulk(""));
    }

    #[test]
    fn canonical_form_and_encodings() {
        assert_eq!(
            canonical(&argv(&["HSET", "k", "f", "v"]), "hset").unwrap(),
            argv(&["hset", "k", "f", "v"])
        );
        let mut k = Kit::new();
        let long = "x".repeat(65);
        let edge = "x".repeat(64);
        k.run(1, &["hset", "h", &edge, &edge]);
        k.check(1, &["object", "encoding", "h"], bulk("listpack"));
        k.run(1, &["hset", "h", "a", &long]);
        k.check(1, &["object", "encoding", "h"], bulk("hashtable"));
        k.check(1, &["hget", "h", "a"], bulk(&long));
        let mut many = vec!["hset".to_string(), "big".to_string()];
        for i in 0..128 {
            many.push(format!("f{i}"));
            many.push(i.to_string());
        }
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        k.check(1, &many, int(128));
        k.check(1, &["object", "encoding", "big"], bulk("listpack"));
        k.check(1, &["hset", "big", "f0", "updated"], int(0));
        k.check(1, &["object", "encoding", "big"], bulk("listpack"));
        k.check(1, &["hset", "big", "f128", "v"], int(1));
        k.check(1, &["object", "encoding", "big"], bulk("hashtable"));
        k.check(1, &["hlen", "big"], int(129));
        k.check(1, &["hget", "big", "f0"], bulk("updated"));
    }
}
