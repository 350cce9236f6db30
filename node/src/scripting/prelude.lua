-- The sandbox every script runs in (loaded once per VM by scripting/engine.rs).
-- Receives the Rust primitives and returns `new_env`, which builds a fresh global
-- environment per script: library tables are read-only proxies, globals cannot be created,
-- and reading an unknown global is an error (as Redis 7.0). A fresh environment per run is
-- how globals are reset between scripts.
local prim = ...
local raw_pcall, raw_error, setmetatable, getmetatable, rawget, rawset, select, type,
      tostring, unpack = pcall, error, setmetatable, getmetatable, rawget, rawset, select,
      type, tostring, unpack

local function readonly()
  raw_error("Attempt to modify a readonly table", 2)
end

-- A read-only view of `t`, made per run so that nothing a script does outlives it.
local function proxy(t)
  return setmetatable({}, { __index = t, __newindex = readonly, __metatable = false })
end

-- Errors raised by redis.call carry this metatable: pcall hands their text to the script,
-- as Redis 7.0 does, while an uncaught one becomes the script's error reply as is.
local call_error = {}
prim.call_error = call_error

local function pack(...)
  return { n = select("#", ...), ... }
end

-- A script stopped by the instruction limit stays stopped: its error passes through pcall.
local function script_pcall(f, ...)
  local r = pack(raw_pcall(f, ...))
  if not r[1] then
    if prim.killed() then raw_error(r[2], 0) end
    if type(r[2]) == "table" and getmetatable(r[2]) == call_error then
      r[2] = r[2].err
    end
  end
  return unpack(r, 1, r.n)
end

local raw_xpcall = xpcall
local function script_xpcall(f, handler)
  local r = pack(raw_xpcall(f, handler))
  if not r[1] and prim.killed() then raw_error(r[2], 0) end
  return unpack(r, 1, r.n)
end

local redis = {
  LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3,
  REPL_NONE = 0, REPL_AOF = 1, REPL_SLAVE = 2, REPL_REPLICA = 2, REPL_ALL = 3,
  REDIS_VERSION = "7.0.15", REDIS_VERSION_NUM = 0x07000f,
}
-- prim.dispatch is set for the length of each run (it borrows the running entry).
function redis.call(...)
  local ok, r, line = prim.dispatch(...)
  if not ok then
    raw_error(setmetatable({ err = r, line = line }, call_error), 0)
  end
  return r
end
function redis.pcall(...)
  local ok, r = prim.dispatch(...)
  if not ok then
    return { err = r }
  end
  return r
end
function redis.error_reply(e)
  if select("#", e) ~= 1 or type(e) ~= "string" then
    return { err = "ERR wrong number or type of arguments" }
  end
  if e:sub(1, 1) == "-" then e = e:sub(2) end
  return { err = e }
end
function redis.status_reply(s)
  if select("#", s) ~= 1 or type(s) ~= "string" then
    return { err = "ERR wrong number or type of arguments" }
  end
  return { ok = s }
end
function redis.sha1hex(...)
  if select("#", ...) ~= 1 then raw_error("wrong number of arguments", 0) end
  local s = ...
  return prim.sha1hex(tostring(s))
end
function redis.log(...)
  if select("#", ...) < 2 then raw_error("redis.log() requires two arguments or more.", 0) end
  prim.log(...)
end
function redis.setresp(v)
  if v ~= 2 and v ~= 3 then raw_error("RESP version must be 2 or 3.", 0) end
  prim.setresp(v)
end
function redis.set_repl() end
function redis.replicate_commands() return true end
function redis.breakpoint() return false end
function redis.debug() end

local cjson = { null = prim.null }
function cjson.encode(v)
  local ok, r = prim.json_encode(v)
  if not ok then raw_error(r, 2) end
  return r
end
function cjson.decode(s)
  local ok, r = prim.json_decode(s)
  if not ok then raw_error(r, 2) end
  return r
end

local math_lib = {}
for k, v in pairs(math) do math_lib[k] = v end
math_lib.random = prim.random
math_lib.randomseed = prim.randomseed

local libs = { string = string, table = table, math = math_lib, redis = redis, cjson = cjson }
local base = {
  assert = assert, error = error, ipairs = ipairs, next = next, pairs = pairs,
  pcall = script_pcall, xpcall = script_xpcall, rawequal = rawequal, rawget = rawget,
  rawset = rawset, select = select, tonumber = tonumber, tostring = tostring, type = type,
  unpack = unpack, getmetatable = getmetatable, setmetatable = setmetatable,
  _VERSION = _VERSION,
}
-- Strings index the real string library through their metatable: hide it.
getmetatable("").__metatable = false

return function(keys, argv)
  local env = {}
  for k, v in pairs(libs) do env[k] = proxy(v) end
  env.KEYS = keys
  env.ARGV = argv
  env._G = env
  return setmetatable(env, {
    __index = function(_, k)
      local v = base[k]
      if v == nil then
        raw_error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
      end
      return v
    end,
    __newindex = readonly,
    __metatable = false,
  })
end
