//! OBJECT: a container for object introspection commands.
//!
//! # Format
//! ```text
//! OBJECT ENCODING key
//! OBJECT REFCOUNT key
//! OBJECT IDLETIME key
//! OBJECT FREQ key
//! OBJECT HELP
//! ```
//! Each subcommand answers nil for a missing key. Deviations from Redis:
//! - IDLETIME answers 0: access times are not tracked (tracking them would make reads write
//!   to the replicated state).
//! - FREQ answers Redis's error for a server whose maxmemory policy is not LFU, which is
//!   always the case here.
//! - REFCOUNT answers 2147483647 (Redis's shared-object refcount) for the integers 0..9999,
//!   which Redis shares with its default settings, and 1 otherwise.

use bytes::Bytes;

use crate::cmd::args::is;
use crate::cmd::{CmdError, CmdResult, ReadCtx, Run, Spec};
use crate::resp::Reply;
use crate::store::{Entry, Value};

pub const SPEC: Spec = Spec {
    name: "object",
    arity: -2,
    flags: 0,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Read(read),
};

/// Redis's OBJ_SHARED_REFCOUNT (INT_MAX) and OBJ_SHARED_INTEGERS.
const SHARED_REFCOUNT: i64 = i32::MAX as i64;
const SHARED_INTEGERS: i64 = 10_000;

const HELP: &[&str] = &[
    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
    "HELP",
    "    Prints this help.",
];

const NO_LFU: &str = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

/// The subcommands, with their Redis names and arities (including OBJECT and the subcommand).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sub {
    Encoding,
    Refcount,
    Idletime,
    Freq,
    Help,
}

impl Sub {
    fn parse(argv: &[Bytes]) -> Result<Sub, CmdError> {
        let name = &argv[1];
        let (sub, full, arity) = if is(name, "ENCODING") {
            (Sub::Encoding, "object|encoding", 3)
        } else if is(name, "REFCOUNT") {
            (Sub::Refcount, "object|refcount", 3)
        } else if is(name, "IDLETIME") {
            (Sub::Idletime, "object|idletime", 3)
        } else if is(name, "FREQ") {
            (Sub::Freq, "object|freq", 3)
        } else if is(name, "HELP") {
            (Sub::Help, "object|help", 2)
        } else {
            return Err(CmdError::unknown_subcommand(name, "object"));
        };
        if argv.len() != arity {
            return Err(CmdError::wrong_arity(full));
        }
        Ok(sub)
    }
}

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let sub = Sub::parse(argv)?;
    if sub == Sub::Help {
        return Ok(Reply::Array(
            HELP.iter().map(|l| Reply::simple(l)).collect(),
        ));
    }
    let store = ctx.store;
    let Some(entry) = store.db(ctx.db).get(&argv[2], ctx.now_ms) else {
        ctx.misses += 1;
        return Ok(Reply::Nil);
    };
    ctx.hits += 1;
    match sub {
        Sub::Encoding => Ok(Reply::text(entry.value.encoding())),
        Sub::Refcount => Ok(Reply::Int(refcount(entry))),
        Sub::Idletime => Ok(Reply::Int(0)),
        Sub::Freq => Err(CmdError::other(NO_LFU)),
        Sub::Help => Ok(Reply::Nil),
    }
}

/// The refcount Redis reports: integers below 10000 stored as `int` are shared objects.
fn refcount(entry: &Entry) -> i64 {
    match &entry.value {
        Value::Str(s) => {
            let shared = entry.value.encoding() == "int"
                && crate::cmd::args::strict_i64(s)
                    .is_some_and(|n| (0..SHARED_INTEGERS).contains(&n));
            if shared { SHARED_REFCOUNT } else { 1 }
        }
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Kit, err};
    use super::*;

    #[test]
    fn subcommands() {
        let mut k = Kit::new();
        k.run(100, &["set", "i", "12345"]);
        k.run(100, &["set", "small", "1"]);
        k.run(100, &["set", "e", "hello"]);
        k.run(100, &["set", "r", &"x".repeat(45)]);
        k.check(100, &["object", "encoding", "i"], Reply::text("int"));
        k.check(100, &["OBJECT", "Encoding", "e"], Reply::text("embstr"));
        k.check(100, &["object", "encoding", "r"], Reply::text("raw"));
        k.check(100, &["object", "encoding", "nokey"], Reply::Nil);
        assert_eq!((k.hits, k.misses), (0, 1));
        k.check(100, &["object", "refcount", "i"], Reply::Int(1));
        assert_eq!((k.hits, k.misses), (1, 0));
        k.check(100, &["object", "refcount", "e"], Reply::Int(1));
        k.check(
            100,
            &["object", "refcount", "small"],
            Reply::Int(2147483647),
        );
        k.check(100, &["object", "refcount", "nokey"], Reply::Nil);
        k.check(100, &["object", "idletime", "e"], Reply::Int(0));
        k.check(100, &["object", "idletime", "nokey"], Reply::Nil);
        k.check(100, &["object", "freq", "e"], err(NO_LFU));
        k.check(100, &["object", "freq", "nokey"], Reply::Nil);
        let Reply::Array(help) = k.run(100, &["object", "help"]) else {
            panic!()
        };
        assert_eq!(help.len(), 15);
        assert_eq!(
            help[0],
            Reply::simple("OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
        );
    }

    #[test]
    fn expired_keys_are_missing() {
        let mut k = Kit::new();
        k.run(100, &["set", "t", "1", "px", "10"]);
        k.check(100, &["object", "encoding", "t"], Reply::text("int"));
        k.check(111, &["object", "encoding", "t"], Reply::Nil);
    }

    #[test]
    fn errors() {
        let mut k = Kit::new();
        k.check(
            100,
            &["object"],
            err("ERR wrong number of arguments for 'object' command"),
        );
        k.check(
            100,
            &["object", "foo", "a", "b"],
            err("ERR unknown subcommand 'foo'. Try OBJECT HELP."),
        );
        k.check(
            100,
            &["object", "encoding"],
            err("ERR wrong number of arguments for 'object|encoding' command"),
        );
        k.check(
            100,
            &["object", "encoding", "a", "b"],
            err("ERR wrong number of arguments for 'object|encoding' command"),
        );
        k.check(
            100,
            &["object", "help", "x"],
            err("ERR wrong number of arguments for 'object|help' command"),
        );
        k.check(
            100,
            &["object", "freq"],
            err("ERR wrong number of arguments for 'object|freq' command"),
        );
    }
}
