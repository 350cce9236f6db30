//! SCRIPT: manages the script cache.
//!
//! # Format
//! ```text
//! SCRIPT LOAD script
//! SCRIPT EXISTS sha1 [sha1 ...]
//! SCRIPT FLUSH [ASYNC | SYNC]
//! SCRIPT KILL
//! SCRIPT HELP
//! ```
//!
//! LOAD and FLUSH go through the log, so every node holds the same cache; EXISTS, KILL and
//! HELP are reads ([`resolve`] picks [`READ_SPEC`] for them). No script ever runs outside an
//! entry's apply, so KILL always answers NOTBUSY, and DEBUG (the Lua debugger) is not
//! supported.

use bytes::Bytes;

use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, ReadCtx, Run, Spec};
use crate::resp::Reply;
use crate::store::Scripts;

pub const SPEC: Spec = Spec {
    name: "script",
    arity: -2,
    flags: 0,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Write {
        prepare,
        apply,
        unchanged: None,
    },
};

/// SCRIPT EXISTS, KILL and HELP, which only read.
pub static READ_SPEC: Spec = Spec {
    run: Run::Read(read),
    ..SPEC
};

/// The spec that runs this SCRIPT subcommand.
pub fn resolve(argv: &[Bytes]) -> &'static Spec {
    match argv.get(1).map(|s| s.to_ascii_lowercase()).as_deref() {
        Some(b"exists" | b"kill" | b"help") => &READ_SPEC,
        _ => &SPEC,
    }
}

fn prepare(argv: &[Bytes], _: &Prepare) -> Result<Vec<Bytes>, CmdError> {
    let sub = argv[1].to_ascii_lowercase();
    match &sub[..] {
        b"load" if argv.len() == 3 => Ok(vec![
            Bytes::from_static(b"script"),
            Bytes::from_static(b"load"),
            argv[2].clone(),
        ]),
        b"flush" if argv.len() <= 3 => {
            if let Some(mode) = argv.get(2)
                && !mode.eq_ignore_ascii_case(b"sync")
                && !mode.eq_ignore_ascii_case(b"async")
            {
                return Err(CmdError::other(
                    "ERR SCRIPT FLUSH only support SYNC|ASYNC option",
                ));
            }
            Ok(vec![
                Bytes::from_static(b"script"),
                Bytes::from_static(b"flush"),
            ])
        }
        b"exists" | b"kill" | b"help" => {
            check_read(argv)?;
            Ok(argv.to_vec())
        }
        b"load" | b"flush" => Err(CmdError::subcommand_syntax(&argv[1], "script")),
        _ => Err(CmdError::unknown_subcommand(&argv[1], "script")),
    }
}

fn apply(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    let sub = argv[1].to_ascii_lowercase();
    match &sub[..] {
        b"load" if argv.len() == 3 => {
            if let Err(reply) = crate::scripting::compile(&argv[2]) {
                return Ok(reply);
            }
            let sha = ctx.store.scripts_mut().insert(argv[2].clone());
            Ok(Reply::Bulk(sha))
        }
        b"flush" => {
            ctx.store.scripts_mut().clear();
            crate::scripting::forget_all();
            Ok(Reply::OK)
        }
        _ => answer_read(ctx.store.scripts(), argv),
    }
}

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    answer_read(ctx.store.scripts(), argv)
}

fn check_read(argv: &[Bytes]) -> Result<(), CmdError> {
    let sub = argv[1].to_ascii_lowercase();
    let ok = match &sub[..] {
        b"exists" => argv.len() >= 3,
        b"kill" | b"help" => argv.len() == 2,
        _ => return Err(CmdError::unknown_subcommand(&argv[1], "script")),
    };
    if ok {
        Ok(())
    } else {
        Err(CmdError::subcommand_syntax(&argv[1], "script"))
    }
}

fn answer_read(scripts: &Scripts, argv: &[Bytes]) -> CmdResult {
    check_read(argv)?;
    match &argv[1].to_ascii_lowercase()[..] {
        b"exists" => Ok(Reply::Array(
            argv[2..]
                .iter()
                .map(|sha| Reply::Int(i64::from(scripts.contains(sha))))
                .collect(),
        )),
        b"kill" => Err(CmdError::other(
            "NOTBUSY No scripts in execution right now.",
        )),
        _ => Ok(Reply::Array(
            HELP.iter().map(|l| Reply::simple(l)).collect(),
        )),
    }
}

const HELP: &[&str] = &[
    "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DEBUG (YES|SYNC|NO)",
    "    Set the debug mode for subsequent scripts executed.",
    "EXISTS <sha1> [<sha1> ...]",
    "    Return information about the existence of the scripts in the script cache.",
    "FLUSH [ASYNC|SYNC]",
    "    Flush the Lua scripts cache. Very dangerous on replicas.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the scripts cache.",
    "    * SYNC: Synchronously flush the scripts cache.",
    "KILL",
    "    Kill the currently executing Lua script.",
    "LOAD <script>",
    "    Load a script into the scripts cache without executing it.",
    "HELP",
    "    Prints this help.",
];
