//! Scripting commands: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT.
//!
//! EVAL and EVALSHA are writes: the script runs at apply time inside its log entry, on every
//! node, and the entry carries the script's body (EVALSHA is resolved to it when prepared, on
//! the leader). Its effects are all-or-nothing: when the script fails (an uncaught error, the
//! instruction limit) the keyspace is put back as it was before it. EVAL_RO and EVALSHA_RO
//! take the read path. The Lua runtime is `crate::scripting`; commands called from a script
//! go through `crate::machine::dispatch`.

pub mod eval;
pub mod eval_ro;
pub mod evalsha;
pub mod evalsha_ro;
pub mod script;

use bytes::Bytes;
use rand::RngCore;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, ReadCtx, Spec};
use crate::machine::dispatch::{ReadOnlyHost, ScriptHost};
use crate::resp::Reply;
use crate::scripting::{self, Invocation};
use crate::store::Scripts;

/// Keeps `scripts`, the cache as later commands of the same batch or transaction will find
/// it, in step with `logged`, a command prepared before them: EVAL and SCRIPT LOAD add their
/// body, SCRIPT FLUSH empties it. (`SCRIPT LOAD s` then `EVALSHA sha1(s)` in one MULTI works,
/// as in Redis, though neither is applied when the second is prepared.)
pub fn track(scripts: &mut Scripts, logged: &[Bytes]) {
    // Logged names and SCRIPT's subcommands are canonical (lower case): no folding on this
    // per-write path.
    let word = |i: usize| logged.get(i).map(Bytes::as_ref);
    match word(0) {
        // EVALSHA is logged with the body in place of its SHA1.
        Some(b"eval" | b"eval_ro" | b"evalsha") => {
            if let Some(body) = logged.get(1) {
                scripts.insert(body.clone());
            }
        }
        Some(b"script") => match word(1) {
            Some(b"load") => {
                if let Some(body) = logged.get(2) {
                    scripts.insert(body.clone());
                }
            }
            Some(b"flush") => scripts.clear(),
            _ => {}
        },
        _ => {}
    }
}

pub static COMMANDS: &[&Spec] = &[
    &eval::SPEC,
    &evalsha::SPEC,
    &eval_ro::SPEC,
    &evalsha_ro::SPEC,
    &script::SPEC,
];

/// `NOSCRIPT No matching script. Please use EVAL.`
pub fn no_script() -> CmdError {
    CmdError::other("NOSCRIPT No matching script. Please use EVAL.")
}

/// Splits `<script> numkeys key... arg...` into keys and args, with Redis's errors.
pub fn keys_and_args(argv: &[Bytes]) -> Result<(&[Bytes], &[Bytes]), CmdError> {
    let numkeys = std::str::from_utf8(&argv[2])
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(|| CmdError::other("ERR value is not an integer or out of range"))?;
    if numkeys < 0 {
        return Err(CmdError::other("ERR Number of keys can't be negative"));
    }
    let rest = &argv[3..];
    if numkeys as u64 > rest.len() as u64 {
        return Err(CmdError::other(
            "ERR Number of keys can't be greater than number of args",
        ));
    }
    Ok(rest.split_at(numkeys as usize))
}

/// The logged form of EVAL or EVALSHA: `<name> <body> numkeys key... arg...` (the body in
/// place of EVALSHA's SHA1).
pub fn logged_with_body(body: Bytes, argv: &[Bytes]) -> Vec<Bytes> {
    let mut canon = Vec::with_capacity(argv.len());
    canon.push(argv[0].clone());
    canon.push(body);
    canon.extend_from_slice(&argv[2..]);
    canon
}

/// Runs `body` inside the entry being applied, all or nothing: when the script fails, the
/// keyspace is restored from the clone taken before (O(1): the store is persistent maps).
/// The script is cached either way unless it did not compile (as Redis caches it).
pub fn run_write(ctx: &mut ApplyCtx<'_>, body: &Bytes, argv: &[Bytes]) -> CmdResult {
    let (keys, args) = keys_and_args(argv)?;
    let before = ctx.store.clone();
    let db = ctx.db;
    let seed = ctx.rng().next_u64();
    let invocation = Invocation {
        body,
        keys,
        args,
        seed,
    };
    let result = scripting::run(&invocation, &mut ScriptHost::new(ctx));
    ctx.db = db;
    match result {
        Ok(reply) => {
            ctx.store.scripts_mut().insert(body.clone());
            Ok(reply)
        }
        Err(reply) => {
            *ctx.store = before;
            if !compile_error(&reply) {
                ctx.store.scripts_mut().insert(body.clone());
            }
            Ok(reply)
        }
    }
}

/// Runs `body` on the read path: a write inside is refused, so there is nothing to undo.
pub fn run_read(ctx: &mut ReadCtx<'_>, body: &[u8], argv: &[Bytes]) -> CmdResult {
    let (keys, args) = keys_and_args(argv)?;
    let invocation = Invocation {
        body,
        keys,
        args,
        seed: ctx.seed,
    };
    let db = ctx.db;
    let result = scripting::run(&invocation, &mut ReadOnlyHost { ctx });
    ctx.db = db;
    Ok(result.unwrap_or_else(|e| e))
}

fn compile_error(reply: &Reply) -> bool {
    matches!(reply, Reply::Error(e) if e.starts_with(b"ERR Error compiling script"))
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::track;
    use crate::store::{Scripts, sha1_hex};

    fn argv(words: &[&str]) -> Vec<Bytes> {
        words.iter().map(|w| Bytes::from(w.to_string())).collect()
    }

    #[test]
    fn track_follows_loads_evals_and_flushes() {
        let mut scripts = Scripts::default();
        track(&mut scripts, &argv(&["script", "load", "return 1"]));
        track(&mut scripts, &argv(&["eval", "return 2", "0"]));
        track(&mut scripts, &argv(&["set", "return 3", "x"]));
        assert!(scripts.contains(sha1_hex(b"return 1").as_bytes()));
        assert!(scripts.contains(sha1_hex(b"return 2").as_bytes()));
        assert!(!scripts.contains(sha1_hex(b"return 3").as_bytes()));
        track(&mut scripts, &argv(&["script", "flush"]));
        assert!(scripts.is_empty());
    }
}
