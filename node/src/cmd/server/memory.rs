//! MEMORY: memory introspection.
//!
//! # Format
//! ```text
//! MEMORY USAGE key [SAMPLES count]
//! MEMORY STATS
//! MEMORY DOCTOR
//! MEMORY MALLOC-STATS
//! MEMORY PURGE
//! MEMORY HELP
//! ```
//! USAGE estimates the bytes a key takes: its key bytes, its value's heap bytes and the fixed
//! size of one keyspace slot. Redis's figure also counts allocator rounding, so the numbers
//! differ in detail while keeping their scale. SAMPLES is accepted and ignored: collections
//! know their size exactly. STATS reports the allocator's real counters under Redis's names.

use bytes::Bytes;

use crate::cmd::args::{self, is};
use crate::cmd::{CmdError, CmdResult, ReadCtx, Run, Spec};
use crate::resp::Reply;
use crate::store::{Entry, Key};

use super::command::{help_reply, subcommand};
use super::info;

pub const SPEC: Spec = Spec {
    name: "memory",
    arity: -2,
    flags: 0,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Read(read),
};

/// MEMORY's subcommands and their arity.
pub const SUBCOMMANDS: &[(&str, i32)] = &[
    ("doctor", 2),
    ("help", 2),
    ("malloc-stats", 2),
    ("purge", 2),
    ("stats", 2),
    ("usage", -3),
];

const HELP: &[&str] = &[
    "DOCTOR",
    "    Return memory problems reports.",
    "MALLOC-STATS",
    "    Return internal statistics report from the memory allocator.",
    "PURGE",
    "    Attempt to purge dirty pages for reclamation by the allocator.",
    "STATS",
    "    Return information about the memory usage of the server.",
    "USAGE <key> [SAMPLES <count>]",
    "    Return memory in bytes used by <key> and its value. Nested values are",
    "    sampled up to <count> times (default: 5, 0 means sample all).",
];

/// Bytes of one keyspace slot (key handle and entry), whatever the key and value.
const SLOT: usize = std::mem::size_of::<Key>() + std::mem::size_of::<Entry>();

/// The estimated bytes of one key and its value.
pub fn usage(key: &[u8], entry: &Entry) -> usize {
    SLOT + key.len() + entry.value.heap_size()
}

fn read(ctx: &mut ReadCtx<'_>, argv: &[Bytes]) -> CmdResult {
    match subcommand("memory", SUBCOMMANDS, argv)? {
        "usage" => {
            match &argv[3..] {
                [] => {}
                [opt, n] if is(opt, "SAMPLES") => {
                    args::parse_i64(n)?;
                }
                _ => return Err(CmdError::Syntax),
            }
            Ok(match ctx.db().get(&argv[2], ctx.now_ms) {
                Some(entry) => Reply::Int(usage(&argv[2], entry) as i64),
                None => Reply::Nil,
            })
        }
        "stats" => {
            let m = info::memory_figures();
            let keys = ctx.store.key_count() as i64;
            Ok(Reply::Map(vec![
                (Reply::text("peak.allocated"), Reply::Int(m.peak as i64)),
                (Reply::text("total.allocated"), Reply::Int(m.used as i64)),
                (
                    Reply::text("startup.allocated"),
                    Reply::Int(m.startup as i64),
                ),
                (Reply::text("keys.count"), Reply::Int(keys)),
                (
                    Reply::text("dataset.bytes"),
                    Reply::Int(m.used.saturating_sub(m.startup) as i64),
                ),
                (
                    Reply::text("allocator.resident"),
                    Reply::Int(m.resident as i64),
                ),
            ]))
        }
        "doctor" => Ok(Reply::Verbatim(
            "txt",
            Bytes::from_static(
                b"Hi Sam, I can't find any memory issue in your instance. \
                  I can only account for what occurs on this base.",
            ),
        )),
        "malloc-stats" => Ok(Reply::Verbatim(
            "txt",
            Bytes::from(info::allocator_report()),
        )),
        "purge" => {
            info::allocator_purge();
            Ok(Reply::OK)
        }
        _ => Ok(help_reply("memory", HELP)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Value;

    #[test]
    fn usage_grows_with_the_value() {
        let small = Entry::new(Value::Str(crate::store::Str::new(b"v")), 1);
        let big = Entry::new(Value::Str(crate::store::Str::new(&vec![b'x'; 1000])), 1);
        assert!(usage(b"k", &big) >= usage(b"k", &small) + 999);
        assert!(usage(b"k", &small) >= SLOT);
    }
}
