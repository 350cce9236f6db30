//! Lua 5.1 scripting (EVAL and friends): the VM, its sandbox, and the conversions between
//! Lua and RESP.
//!
//! A script runs at apply time, inside one log entry, on every node (the read-only variants
//! on the node that serves the read), so everything it can observe is deterministic: the
//! entry's time and PRNG reach it through the commands it calls ([`Host`]), `math.random` is
//! seeded from the entry, and the sandbox gives no access to clocks, files or the process.
//! Every run gets a fresh global environment (globals reset between scripts, as in Redis);
//! creating a global or reading an unknown one is an error, and the library tables are
//! read-only, so a script cannot leave anything behind in the VM that a replica that did not
//! run it (an EVAL_RO on the leader) would lack.
//!
//! One VM per process, created on first use and shared behind a mutex: the state machine
//! (one per process) runs one script at a time anyway. A run is bounded by
//! [`INSTRUCTION_LIMIT`] Lua instructions; what happens to the keyspace when a script fails
//! (it is rolled back) is the caller's business (`cmd/scripting/`).
//!
//! Depends on `resp/` (replies) and `store/` (SHA1 naming) only; commands reach the keyspace
//! through [`Host`].

mod cjson;
mod convert;
mod rand48;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use bytes::Bytes;
use mlua::{Function, HookTriggers, Lua, LuaOptions, MultiValue, StdLib, Table, Value, VmState};
use parking_lot::Mutex;

use crate::resp::Reply;
use crate::store::sha1_hex;

pub use convert::{lua_to_reply, reply_to_lua};

/// How many Lua instructions one script may run before it is stopped (and its effects rolled
/// back). Redis's `lua-time-limit` only makes a busy server answer BUSY; here every replica
/// must stop the script at the same point, so the bound counts instructions, not time: about
/// a second of pure Lua on current hardware.
pub const INSTRUCTION_LIMIT: u64 = 100_000_000;

/// The hook fires every this many instructions.
const HOOK_EVERY: u32 = 10_000;

/// What a script's `redis.call` and `redis.pcall` reach: runs one command (argv as the
/// script gave it, its name not yet looked up) and answers it; a refusal is an error reply.
pub trait Host {
    fn call(&mut self, argv: Vec<Bytes>) -> Reply;
}

/// One script invocation.
pub struct Invocation<'a> {
    pub body: &'a [u8],
    pub keys: &'a [Bytes],
    pub args: &'a [Bytes],
    /// Seeds `math.random` (drawn from the log entry, so every replica draws the same).
    pub seed: u64,
}

/// Runs a script: `Ok` with its reply (which may be an error the script returned), or `Err`
/// with the error reply of a script that failed (compile error, uncaught error, the limit):
/// the caller undoes its effects.
pub fn run(invocation: &Invocation<'_>, host: &mut dyn Host) -> Result<Reply, Reply> {
    with_engine(|engine| engine.run(invocation, host))
}

/// Compiles `body` (SCRIPT LOAD checks it before caching it).
pub fn compile(body: &[u8]) -> Result<(), Reply> {
    with_engine(|engine| engine.function(&sha1_hex(body), body).map(drop))
}

/// Drops every compiled script (SCRIPT FLUSH).
pub fn forget_all() {
    if let Some(engine) = ENGINE.lock().as_mut() {
        engine.compiled.clear();
    }
}

static ENGINE: Mutex<Option<Engine>> = Mutex::new(None);

fn with_engine<T>(f: impl FnOnce(&mut Engine) -> Result<T, Reply>) -> Result<T, Reply> {
    let mut guard = ENGINE.lock();
    if guard.is_none() {
        match Engine::new() {
            Ok(engine) => *guard = Some(engine),
            Err(e) => {
                tracing::error!("cannot start the Lua VM: {e}");
                return Err(Reply::error(format!("ERR cannot start the Lua VM: {e}")));
            }
        }
    }
    match guard.as_mut() {
        Some(engine) => f(engine),
        None => Err(Reply::error("ERR cannot start the Lua VM")),
    }
}

/// What the Rust primitives share with the engine for the run in progress.
#[derive(Default)]
struct RunState {
    resp3: AtomicBool,
    instructions: AtomicU64,
    killed: AtomicBool,
    rand: Mutex<Option<rand48::Rand48>>,
}

struct Engine {
    lua: Lua,
    /// The prelude's primitives table (where `dispatch` is set for each run).
    prim: Table,
    /// Builds a script's fresh global environment from its KEYS and ARGV.
    new_env: Function,
    /// `pcall(f)` with the VM's own pcall: gives the raw error value of a failed script.
    trampoline: Function,
    /// Compiled scripts by SHA1.
    compiled: HashMap<String, Function>,
    state: Arc<RunState>,
}

impl Engine {
    fn new() -> mlua::Result<Engine> {
        let lua = Lua::new_with(
            StdLib::TABLE | StdLib::STRING | StdLib::MATH,
            LuaOptions::new(),
        )?;
        let state = Arc::new(RunState::default());
        let prim = lua.create_table()?;
        let null: Value = lua.load("return newproxy(false)").eval()?;
        prim.set("null", null.clone())?;
        prim.set(
            "sha1hex",
            lua.create_function(|_, s: mlua::LuaString| Ok(sha1_hex(&s.as_bytes())))?,
        )?;
        prim.set(
            "log",
            lua.create_function(|_, (level, msg): (i64, mlua::LuaString)| {
                let msg = msg.to_string_lossy();
                match level {
                    3 => tracing::warn!(target: "lua", "{msg}"),
                    2 => tracing::info!(target: "lua", "{msg}"),
                    _ => tracing::debug!(target: "lua", "{msg}"),
                }
                Ok(())
            })?,
        )?;
        let s = state.clone();
        prim.set(
            "setresp",
            lua.create_function(move |_, v: i64| {
                s.resp3.store(v == 3, Ordering::Relaxed);
                Ok(())
            })?,
        )?;
        let s = state.clone();
        prim.set(
            "killed",
            lua.create_function(move |_, ()| Ok(s.killed.load(Ordering::Relaxed)))?,
        )?;
        let s = state.clone();
        prim.set(
            "random",
            lua.create_function(move |_, args: MultiValue| random(&s, &args))?,
        )?;
        let s = state.clone();
        prim.set(
            "randomseed",
            lua.create_function(move |_, seed: f64| {
                *s.rand.lock() = Some(rand48::Rand48::new(seed as i32));
                Ok(())
            })?,
        )?;
        let json_null = null.clone();
        prim.set(
            "json_encode",
            lua.create_function(move |lua, v: Value| {
                Ok(match cjson::encode(&v, &json_null) {
                    Ok(text) => (true, Value::String(lua.create_string(text)?)),
                    Err(e) => (false, Value::String(lua.create_string(e)?)),
                })
            })?,
        )?;
        let json_null = null;
        prim.set(
            "json_decode",
            lua.create_function(move |lua, s: mlua::LuaString| {
                Ok(match cjson::decode(lua, &s.as_bytes(), &json_null) {
                    Ok(v) => (true, v),
                    Err(e) => (false, Value::String(lua.create_string(e)?)),
                })
            })?,
        )?;
        let new_env: Function = lua
            .load(include_str!("prelude.lua"))
            .set_name("=prelude")
            .call(prim.clone())?;
        let trampoline: Function = lua
            .load("local pcall = pcall; return function(f) return pcall(f) end")
            .set_name("=trampoline")
            .eval()?;
        let s = state.clone();
        lua.set_hook(
            HookTriggers::new().every_nth_instruction(HOOK_EVERY),
            move |_, _| {
                let ran = s
                    .instructions
                    .fetch_add(u64::from(HOOK_EVERY), Ordering::Relaxed);
                if ran >= INSTRUCTION_LIMIT {
                    s.killed.store(true, Ordering::Relaxed);
                    return Err(mlua::Error::runtime(
                        "Script killed by the instruction limit",
                    ));
                }
                Ok(VmState::Continue)
            },
        )?;
        Ok(Engine {
            lua,
            prim,
            new_env,
            trampoline,
            compiled: HashMap::new(),
            state,
        })
    }

    /// The compiled function of `body`, compiling it on first use.
    fn function(&mut self, sha: &str, body: &[u8]) -> Result<Function, Reply> {
        if let Some(f) = self.compiled.get(sha) {
            return Ok(f.clone());
        }
        let f = self
            .lua
            .load(body)
            .set_name("@user_script")
            .into_function()
            .map_err(|e| {
                let text = match &e {
                    mlua::Error::SyntaxError { message, .. } => message.clone(),
                    other => other.to_string(),
                };
                Reply::error(format!("ERR Error compiling script (new function): {text}"))
            })?;
        self.compiled.insert(sha.to_string(), f.clone());
        Ok(f)
    }

    fn run(&mut self, inv: &Invocation<'_>, host: &mut dyn Host) -> Result<Reply, Reply> {
        let sha = sha1_hex(inv.body);
        let f = self.function(&sha, inv.body)?;
        let state = self.state.clone();
        state.resp3.store(false, Ordering::Relaxed);
        state.instructions.store(0, Ordering::Relaxed);
        state.killed.store(false, Ordering::Relaxed);
        *state.rand.lock() = Some(rand48::Rand48::new(inv.seed as i32));
        let internal = |e: mlua::Error| Reply::error(format!("ERR Lua: {e}"));
        let keys = self.lua.create_sequence_from(
            inv.keys
                .iter()
                .map(|k| self.lua.create_string(k))
                .collect::<mlua::Result<Vec<_>>>()
                .map_err(internal)?,
        );
        let args = self.lua.create_sequence_from(
            inv.args
                .iter()
                .map(|k| self.lua.create_string(k))
                .collect::<mlua::Result<Vec<_>>>()
                .map_err(internal)?,
        );
        let env: Table = self
            .new_env
            .call((keys.map_err(internal)?, args.map_err(internal)?))
            .map_err(internal)?;
        f.set_environment(env).map_err(internal)?;
        let out =
            self.lua.scope(|scope| {
                let s = state.clone();
                let dispatch = scope.create_function_mut(move |lua, args: MultiValue| {
                let line = script_line(lua);
                let fail = |text: &str| -> mlua::Result<(bool, Value, i64)> {
                    Ok((false, Value::String(lua.create_string(text)?), line))
                };
                if args.is_empty() {
                    return fail("ERR Please specify at least one argument for this redis lib call");
                }
                let mut argv = Vec::with_capacity(args.len());
                for a in args.iter() {
                    match convert::arg_bytes(a) {
                        Some(b) => argv.push(b),
                        None => {
                            return fail(
                                "ERR Lua redis lib command arguments must be strings or integers",
                            );
                        }
                    }
                }
                match host.call(argv) {
                    Reply::Error(e) => Ok((false, Value::String(lua.create_string(&e)?), line)),
                    reply => Ok((
                        true,
                        reply_to_lua(lua, &reply, s.resp3.load(Ordering::Relaxed))?,
                        line,
                    )),
                }
            })?;
                self.prim.raw_set("dispatch", dispatch)?;
                let out: MultiValue = self.trampoline.call(f)?;
                Ok(out)
            });
        let _ = self.prim.raw_set("dispatch", Value::Nil);
        let out = out.map_err(internal)?;
        if state.killed.load(Ordering::Relaxed) {
            return Err(Reply::error(format!(
                "ERR Script killed after {INSTRUCTION_LIMIT} Lua instructions \
                 (its effects were rolled back) script: {sha}"
            )));
        }
        let mut out = out.into_iter();
        let ok = matches!(out.next(), Some(Value::Boolean(true)));
        let value = out.next().unwrap_or(Value::Nil);
        if ok {
            Ok(lua_to_reply(&value, state.resp3.load(Ordering::Relaxed)))
        } else {
            Err(failure(&value, &sha))
        }
    }
}

/// The line of the script being run (for error replies), 0 when unknown.
fn script_line(lua: &Lua) -> i64 {
    for level in 0..16 {
        let found = lua.inspect_stack(level, |d| {
            let src = d.source();
            let ours = src
                .short_src
                .as_deref()
                .is_some_and(|s| s.contains("user_script"));
            (ours, d.current_line())
        });
        match found {
            None => break,
            Some((true, Some(line))) => return line as i64,
            Some(_) => {}
        }
    }
    0
}

/// The error reply of a script that raised `value`, as Redis 7.0 words it: an error table's
/// text as is, anything else after `ERR`, then which script and where.
fn failure(value: &Value, sha: &str) -> Reply {
    let (text, line) = match value {
        Value::Table(t) => match t.raw_get::<Value>("err") {
            Ok(Value::String(e)) => {
                let line = t.raw_get::<i64>("line").unwrap_or(0);
                let e = e.to_string_lossy();
                (e.strip_prefix('-').unwrap_or(&e).to_string(), line)
            }
            _ => ("ERR unknown error".to_string(), 0),
        },
        Value::String(s) => {
            let s = s.to_string_lossy();
            let line = s
                .strip_prefix("user_script:")
                .and_then(|rest| rest.split(':').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            (format!("ERR {s}"), line)
        }
        Value::Error(e) => (format!("ERR {}", root_cause(e)), 0),
        _ => ("ERR unknown error".to_string(), 0),
    };
    let text: String = text
        .chars()
        .map(|c| if c == '\r' || c == '\n' { ' ' } else { c })
        .collect();
    // The line is not always known (the stack of a `redis.call` from Rust is not found yet):
    // line 1 then, which one-line scripts, the common case, get right.
    let line = line.max(1);
    Reply::error(format!("{text} script: {sha}, on @user_script:{line}."))
}

/// The message of an error raised from Rust, without mlua's traceback wrapping.
fn root_cause(e: &mlua::Error) -> String {
    match e {
        mlua::Error::CallbackError { cause, .. } => root_cause(cause),
        mlua::Error::RuntimeError(m) => m.clone(),
        other => other.to_string(),
    }
}

/// `math.random` over the run's rand48, with Lua 5.1's argument rules.
fn random(state: &RunState, args: &MultiValue) -> mlua::Result<f64> {
    let r = state
        .rand
        .lock()
        .get_or_insert_with(|| rand48::Rand48::new(0))
        .unit();
    let num = |v: &Value| match v {
        Value::Number(n) => Ok(n.floor()),
        Value::Integer(n) => Ok(*n as f64),
        _ => Err(mlua::Error::runtime(
            "bad argument to 'random' (number expected)",
        )),
    };
    match args.len() {
        0 => Ok(r),
        1 => {
            let m = num(&args[0])?;
            if m < 1.0 {
                return Err(mlua::Error::runtime(
                    "bad argument #1 to 'random' (interval is empty)",
                ));
            }
            Ok((r * m).floor() + 1.0)
        }
        2 => {
            let (m, n) = (num(&args[0])?, num(&args[1])?);
            if m > n {
                return Err(mlua::Error::runtime(
                    "bad argument #2 to 'random' (interval is empty)",
                ));
            }
            Ok((r * (n - m + 1.0)).floor() + m)
        }
        _ => Err(mlua::Error::runtime("wrong number of arguments")),
    }
}

#[cfg(test)]
mod tests;
