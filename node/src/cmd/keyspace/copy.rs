//! COPY: copy a key.
//!
//! # Format
//! ```text
//! COPY source destination [DB destination-db] [REPLACE]
//! ```
//! Copies the value and its TTL; answers 1 when copied, 0 when `source` does not exist or
//! `destination` exists without REPLACE. Copying a key onto itself in the same database is
//! "ERR source and destination objects are the same": raised when the command is proposed
//! when no DB is given, and when it is applied otherwise (only then is the client's database
//! known to compare with).

use bytes::Bytes;

use crate::cmd::args::{self, is, word};
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;
use crate::store::Entry;

use super::parse_db_index;

pub const SPEC: Spec = Spec {
    name: "copy",
    arity: -3,
    flags: flags::WRITE | flags::DENYOOM,
    first_key: 1,
    last_key: 2,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

/// A parsed COPY.
#[derive(Debug, PartialEq, Eq)]
pub struct Copy {
    pub source: Bytes,
    pub destination: Bytes,
    /// The target database; None means the client's.
    pub db: Option<usize>,
    pub replace: bool,
}

impl Copy {
    pub fn parse(argv: &[Bytes], databases: usize) -> Result<Copy, CmdError> {
        let mut copy = Copy {
            source: argv[1].clone(),
            destination: argv[2].clone(),
            db: None,
            replace: false,
        };
        let mut i = 3;
        while i < argv.len() {
            if is(&argv[i], "REPLACE") {
                copy.replace = true;
            } else if is(&argv[i], "DB") && i + 1 < argv.len() {
                copy.db = Some(parse_db_index(&argv[i + 1], databases)?);
                i += 1;
            } else {
                return Err(CmdError::Syntax);
            }
            i += 1;
        }
        Ok(copy)
    }
}

fn prepare(argv: &[Bytes], p: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    let copy = Copy::parse(argv, p.databases)?;
    if copy.db.is_none() && copy.source == copy.destination {
        return Err(CmdError::SameObject);
    }
    let mut canon = vec![word("copy"), copy.source, copy.destination];
    if let Some(db) = copy.db {
        canon.push(word("DB"));
        canon.push(args::int_arg(db as i64));
    }
    if copy.replace {
        canon.push(word("REPLACE"));
    }
    Ok(canon)
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let copy = Copy::parse(argv, ctx.store.db_count())?;
    let (now, index, src_db) = (ctx.now_ms, ctx.index, ctx.db);
    let dst_db = copy.db.unwrap_or(src_db);
    if dst_db == src_db && copy.source == copy.destination {
        return Err(CmdError::SameObject);
    }
    let Some(entry) = ctx.db().get_mut(&copy.source, now) else {
        return Ok(Reply::Int(0));
    };
    let entry = Entry::with_expire(entry.value.clone(), entry.expire_at(), index);
    let dst = ctx.store.db_mut(dst_db);
    if dst.get_mut(&copy.destination, now).is_some() && !copy.replace {
        return Ok(Reply::Int(0));
    }
    dst.insert(&copy.destination, entry);
    Ok(Reply::Int(1))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Kit, argv, err, prep};
    use super::*;

    #[test]
    fn parse_and_canonical_form() {
        let parse = |a: &[&str]| Copy::parse(&argv(a), 16).map_err(|e| e.to_string());
        assert_eq!(
            parse(&["copy", "a", "b", "replace", "db", "3", "REPLACE", "DB", "4"]),
            Ok(Copy {
                source: Bytes::from_static(b"a"),
                destination: Bytes::from_static(b"b"),
                db: Some(4),
                replace: true,
            })
        );
        let syntax = Err("ERR syntax error".to_string());
        assert_eq!(parse(&["copy", "a", "b", "db"]), syntax);
        assert_eq!(parse(&["copy", "a", "b", "foo"]), syntax);
        assert_eq!(
            parse(&["copy", "a", "b", "db", "16"]),
            Err("ERR DB index is out of range".to_string())
        );
        assert_eq!(
            parse(&["copy", "a", "b", "db", "x"]),
            Err("ERR value is not an integer or out of range".to_string())
        );
        assert_eq!(
            parse(&["copy", "a", "b", "db", "99999999999"]),
            Err(
                "ERR value is out of range, value must between -2147483648 and 2147483647"
                    .to_string()
            )
        );
        assert_eq!(
            prep(&["COPY", "a", "b", "replace", "db", "1"], 0).unwrap(),
            argv(&["copy", "a", "b", "DB", "1", "REPLACE"])
        );
        assert_eq!(
            prep(&["copy", "a", "a"], 0).unwrap_err().to_string(),
            "ERR source and destination objects are the same"
        );
        assert_eq!(
            prep(&["copy", "a", "a", "replace"], 0)
                .unwrap_err()
                .to_string(),
            "ERR source and destination objects are the same"
        );
    }

    #[test]
    fn copies_value_and_ttl() {
        let mut k = Kit::new();
        k.check(100, &["copy", "nokey", "b"], Reply::Int(0));
        k.run(100, &["set", "a", "1", "px", "1000"]);
        k.check(100, &["copy", "a", "b"], Reply::Int(1));
        k.check(100, &["get", "b"], Reply::text("1"));
        k.check(100, &["get", "a"], Reply::text("1"));
        assert_eq!(k.expire_at(0, "b", 100), Some(1100));
        assert_eq!(k.version(0, "b", 100), Some(3));
        assert_eq!(k.version(0, "a", 100), Some(2));
        k.run(100, &["set", "c", "other"]);
        k.check(100, &["copy", "c", "b"], Reply::Int(0));
        k.check(100, &["get", "b"], Reply::text("1"));
        k.check(100, &["copy", "c", "b", "replace"], Reply::Int(1));
        k.check(100, &["get", "b"], Reply::text("other"));
        assert_eq!(k.expire_at(0, "b", 100), None);
        // Expired source and destination.
        k.run(100, &["set", "t", "x", "px", "10"]);
        k.check(200, &["copy", "t", "u"], Reply::Int(0));
        k.run(200, &["set", "t", "x", "px", "10"]);
        k.check(300, &["copy", "c", "t"], Reply::Int(1));
        k.check(300, &["get", "t"], Reply::text("other"));
    }

    #[test]
    fn across_databases() {
        let mut k = Kit::new();
        k.run(100, &["set", "a", "1"]);
        k.check(
            100,
            &["copy", "a", "a", "db", "0"],
            err("ERR source and destination objects are the same"),
        );
        k.check(100, &["copy", "a", "a", "db", "1"], Reply::Int(1));
        k.check(100, &["copy", "a", "a", "db", "1"], Reply::Int(0));
        k.check(100, &["copy", "a", "b", "db", "0"], Reply::Int(1));
        k.db = 1;
        k.check(100, &["get", "a"], Reply::text("1"));
        k.check(100, &["exists", "b"], Reply::Int(0));
        k.check(
            100,
            &["copy", "a", "a", "db", "1"],
            err("ERR source and destination objects are the same"),
        );
        k.check(100, &["copy", "a", "x", "db", "0"], Reply::Int(1));
        k.db = 0;
        k.check(100, &["get", "x"], Reply::text("1"));
    }
}
