//! MOVE: move a key to another database.
//!
//! # Format
//! ```text
//! MOVE key db
//! ```
//! Answers 1 when moved (with its TTL), 0 when the key does not exist or already exists in the
//! target database. Moving to the client's own database is "ERR source and destination
//! objects are the same"; that is checked when the entry is applied, where the client's
//! database is known.

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, Run, Spec, flags};
use crate::resp::Reply;
use crate::store::Entry;

use super::parse_db_index;

pub const SPEC: Spec = Spec {
    name: "move",
    arity: 3,
    flags: flags::WRITE | flags::FAST,
    first_key: 1,
    last_key: 1,
    step: 1,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

fn prepare(argv: &[Bytes], p: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    let db = parse_db_index(&argv[2], p.databases)?;
    Ok(vec![
        argv[0].clone(),
        argv[1].clone(),
        crate::cmd::args::int_arg(db as i64),
    ])
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let target = parse_db_index(&argv[2], ctx.store.db_count())?;
    let (now, index, key) = (ctx.now_ms, ctx.index, &argv[1]);
    let Some((src, dst)) = ctx.store.two_dbs_mut(ctx.db, target) else {
        return Err(CmdError::SameObject);
    };
    if src.get_mut(key, now).is_none() || dst.get_mut(key, now).is_some() {
        return Ok(Reply::Int(0));
    }
    let Some(old) = src.remove(key) else {
        return Ok(Reply::Int(0));
    };
    let expire_at = old.expire_at();
    dst.insert(key, Entry::with_expire(old.value, expire_at, index));
    Ok(Reply::Int(1))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Kit, argv, err, prep};
    use crate::resp::Reply;

    #[test]
    fn errors() {
        let e = |a: &[&str]| prep(a, 0).unwrap_err().to_string();
        assert_eq!(
            e(&["move", "a", "x"]),
            "ERR value is not an integer or out of range"
        );
        assert_eq!(e(&["move", "a", "16"]), "ERR DB index is out of range");
        assert_eq!(e(&["move", "a", "-1"]), "ERR DB index is out of range");
        assert_eq!(
            e(&["move", "a", "4294967296"]),
            "ERR value is out of range, value must between -2147483648 and 2147483647"
        );
        assert_eq!(
            prep(&["MOVE", "a", "3"], 0).unwrap(),
            argv(&["move", "a", "3"])
        );
        let mut k = Kit::new();
        k.check(
            100,
            &["move", "nokey", "0"],
            err("ERR source and destination objects are the same"),
        );
        k.db = 5;
        k.check(
            100,
            &["move", "nokey", "5"],
            err("ERR source and destination objects are the same"),
        );
    }

    #[test]
    fn moves_with_ttl() {
        let mut k = Kit::new();
        k.check(100, &["move", "a", "1"], Reply::Int(0));
        k.run(100, &["set", "a", "1", "px", "1000"]);
        k.check(100, &["move", "a", "1"], Reply::Int(1));
        k.check(100, &["exists", "a"], Reply::Int(0));
        assert_eq!(k.expire_at(1, "a", 100), Some(1100));
        assert_eq!(k.version(1, "a", 100), Some(3));
        // Present in the target: nothing moves.
        k.run(100, &["set", "a", "2"]);
        k.check(100, &["move", "a", "1"], Reply::Int(0));
        k.check(100, &["get", "a"], Reply::text("2"));
        // An expired key in the target does not block; an expired source is absent.
        k.check(1200, &["move", "a", "1"], Reply::Int(1));
        k.db = 1;
        k.check(1200, &["get", "a"], Reply::text("2"));
        k.run(1200, &["set", "t", "x", "px", "10"]);
        k.check(1300, &["move", "t", "0"], Reply::Int(0));
        assert_eq!(k.store().db(1).len(), 1);
    }
}
