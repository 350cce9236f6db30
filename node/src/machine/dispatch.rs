//! The apply-time dispatcher: runs one argv inside a log entry, for MULTI/EXEC (whose
//! commands were prepared when proposed) and for scripts (whose `redis.call` argv is raw and
//! is prepared here, with the entry's time, so relative times become the same absolute ones
//! on every replica).

use bytes::Bytes;

use crate::cmd::connection::select::parse_db;
use crate::cmd::{ApplyCtx, CmdError, CmdResult, Prepare, ReadCtx, Run, Spec, Table, flags};
use crate::resp::Reply;
use crate::scripting::Host;

/// Runs one queued MULTI/EXEC command (already canonical) at the entry's time; `position`
/// tells its reads apart for their random seed.
pub(crate) fn logged(ctx: &mut ApplyCtx<'_>, position: u64, argv: &[Bytes]) -> Reply {
    let Some(name) = argv.first() else {
        return Reply::from(CmdError::other("ERR empty command in transaction"));
    };
    let Some(spec) = Table::canonical().get(name) else {
        return Reply::from(CmdError::unknown_command(name, &argv[1..]));
    };
    if !spec.arity_ok(argv.len()) {
        return Reply::from(CmdError::wrong_arity(spec.name));
    }
    let result = match spec.run {
        Run::Write { apply, .. } => apply(ctx, argv),
        Run::Read(read) => read_at_apply(ctx, position, read, argv),
        Run::Session(_) if spec.name == "select" => select(ctx, argv),
        _ => Err(CmdError::other(format!(
            "ERR '{}' cannot run inside a logged transaction",
            spec.name
        ))),
    };
    result.unwrap_or_else(Reply::from)
}

/// Runs a read inside a log entry, against the state the entry's earlier commands left.
pub(super) fn read_at_apply(
    ctx: &mut ApplyCtx<'_>,
    position: u64,
    read: fn(&mut ReadCtx<'_>, &[Bytes]) -> CmdResult,
    argv: &[Bytes],
) -> CmdResult {
    let mut read_ctx = ReadCtx {
        store: &*ctx.store,
        db: ctx.db,
        now_ms: ctx.now_ms,
        seed: ctx.index.wrapping_mul(1_000_003).wrapping_add(position),
        applied: ctx.index,
        hits: 0,
        misses: 0,
    };
    let result = read(&mut read_ctx, argv);
    let (hits, misses) = (read_ctx.hits, read_ctx.misses);
    ctx.hits += hits;
    ctx.misses += misses;
    result
}

/// SELECT inside a transaction or script: the commands after it use database `argv[1]`.
fn select(ctx: &mut ApplyCtx<'_>, argv: &[Bytes]) -> CmdResult {
    ctx.db = parse_db(&argv[1], ctx.store.db_count())?;
    Ok(Reply::OK)
}

/// The checks Redis makes on a command called from a script, with its texts.
fn script_spec(argv: &[Bytes]) -> Result<&'static Spec, Reply> {
    let spec = argv
        .first()
        .and_then(|name| Table::canonical().get(name))
        .filter(|s| !s.has(flags::INTERNAL))
        .ok_or_else(|| Reply::error("ERR Unknown Redis command called from script"))?;
    if !spec.arity_ok(argv.len()) {
        return Err(Reply::error(
            "ERR Wrong number of args calling Redis command from script",
        ));
    }
    // SCRIPT's subcommands are all `noscript` in Redis's table, the container is not.
    if spec.has(flags::NOSCRIPT) || spec.name == "script" {
        return Err(not_allowed());
    }
    Ok(spec)
}

fn not_allowed() -> Reply {
    Reply::error("ERR This Redis command is not allowed from script")
}

/// `redis.call` of a script run by EVAL: writes and reads on the entry being applied.
pub(crate) struct ScriptHost<'c, 'a> {
    pub ctx: &'c mut ApplyCtx<'a>,
    calls: u64,
}

impl<'c, 'a> ScriptHost<'c, 'a> {
    pub fn new(ctx: &'c mut ApplyCtx<'a>) -> Self {
        ScriptHost { ctx, calls: 0 }
    }
}

impl Host for ScriptHost<'_, '_> {
    fn call(&mut self, mut argv: Vec<Bytes>) -> Reply {
        let spec = match script_spec(&argv) {
            Ok(spec) => spec,
            Err(reply) => return reply,
        };
        argv[0] = Bytes::from_static(spec.name.as_bytes());
        self.calls += 1;
        let ctx = &mut *self.ctx;
        let result = match spec.run {
            Run::Write { prepare, apply, .. } => {
                let p = Prepare {
                    now_ms: ctx.now_ms,
                    databases: ctx.store.db_count(),
                    max_bulk_len: MAX_BULK_LEN,
                    scripts: Default::default(),
                };
                prepare(&argv, &p).and_then(|mut canon| {
                    if let Some(name) = canon.first_mut() {
                        *name = Bytes::from_static(spec.name.as_bytes());
                    }
                    apply(ctx, &canon)
                })
            }
            Run::Read(read) => read_at_apply(ctx, self.calls, read, &argv),
            Run::Session(_) if spec.name == "select" => select(ctx, &argv),
            Run::Session(_) if spec.name == "ping" => Ok(ping(&argv)),
            Run::Session(_) if spec.name == "time" => Ok(time(ctx.now_ms)),
            _ => return not_allowed(),
        };
        result.unwrap_or_else(Reply::from)
    }
}

/// TIME inside a script: the entry's time (or the read's), the same on every replica.
fn time(now_ms: u64) -> Reply {
    Reply::Array(vec![
        Reply::bulk_int((now_ms / 1000) as i64),
        Reply::bulk_int((now_ms % 1000 * 1000) as i64),
    ])
}

/// `proto-max-bulk-len`'s default: the bound a script's commands build strings within
/// (the entry does not carry the proposer's setting).
const MAX_BULK_LEN: usize = 512 * 1024 * 1024;

fn ping(argv: &[Bytes]) -> Reply {
    match argv.get(1) {
        Some(msg) => Reply::Bulk(msg.clone()),
        None => Reply::simple("PONG"),
    }
}

/// `redis.call` of a read-only script (EVAL_RO, EVALSHA_RO) on the read path.
pub(crate) struct ReadOnlyHost<'c, 'a> {
    pub ctx: &'c mut ReadCtx<'a>,
}

impl Host for ReadOnlyHost<'_, '_> {
    fn call(&mut self, argv: Vec<Bytes>) -> Reply {
        let spec = match script_spec(&argv) {
            Ok(spec) => spec,
            Err(reply) => return reply,
        };
        let ctx = &mut *self.ctx;
        let result = match spec.run {
            Run::Write { .. } => {
                return Reply::error("ERR Write commands are not allowed from read-only scripts.");
            }
            Run::Read(read) => read(ctx, &argv),
            Run::Session(_) if spec.name == "select" => parse_db(&argv[1], ctx.store.db_count())
                .map(|db| {
                    ctx.db = db;
                    Reply::OK
                }),
            Run::Session(_) if spec.name == "ping" => Ok(ping(&argv)),
            Run::Session(_) if spec.name == "time" => Ok(time(ctx.now_ms)),
            _ => return not_allowed(),
        };
        result.unwrap_or_else(Reply::from)
    }
}
