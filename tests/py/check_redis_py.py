#!/usr/bin/env python3
"""redis-py against a Redis-compatible server, the way the users' guide uses it.

Follows the guide's Python snippet (``redis.Redis(host, port, password, decode_responses=True)``)
and the guide's string, key, TTL, connection and server operations, over RESP2 and RESP3
(``protocol=2`` / ``protocol=3``), plus binary values with ``decode_responses=False``. Every
assertion is what Redis 7.0 answers.

Environment: REDIS_HOST (127.0.0.1), REDIS_PORT (6379), REDIS_PASSWORD (none),
CHECK_TIMEOUT_S (5, per socket operation).

Prints one line per check, ``ok NAME`` or ``FAIL NAME: detail``, then exactly
``N passed, M failed``. Exits 1 when a check failed (or none ran). All keys are named
``pycheck:<pid>:<time>:*`` and deleted at the end; FLUSHALL/FLUSHDB are never sent.
"""

import os
import sys
import threading
import time
import traceback
import warnings

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

HOST = os.environ.get("REDIS_HOST", "127.0.0.1")
PORT = int(os.environ.get("REDIS_PORT", "6379"))
PASSWORD = os.environ.get("REDIS_PASSWORD") or None
TIMEOUT = float(os.environ.get("CHECK_TIMEOUT_S", "5"))
# redis-py marks SETEX deprecated, but it is the guide's call: keep the output to the checks.
warnings.filterwarnings("ignore", category=DeprecationWarning)

PREFIX = f"pycheck:{os.getpid()}:{int(time.time() * 1000)}:"

passed = 0
failed = 0


def key(name):
    return PREFIX + name


def connect(protocol=None, decode=True, password=PASSWORD, db=0):
    """A client like the guide's; protocol None keeps the library default."""
    kwargs = dict(
        host=HOST,
        port=PORT,
        password=password,
        db=db,
        decode_responses=decode,
        socket_timeout=TIMEOUT,
        socket_connect_timeout=TIMEOUT,
        # One attempt: a failure must show, not be retried away.
        retry=Retry(NoBackoff(), 0),
    )
    if protocol is not None:
        kwargs["protocol"] = protocol
    return redis.Redis(**kwargs)


def redact(text):
    return text.replace(PASSWORD, "<redacted>") if PASSWORD else text


def check(name, fn):
    global passed, failed
    try:
        fn()
    except Exception as err:  # noqa: BLE001 - every failure is a report line
        failed += 1
        detail = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
        if isinstance(err, AssertionError):
            frame = traceback.extract_tb(err.__traceback__)[-1]
            detail = f"{detail} (line {frame.lineno})"
        print(f"FAIL {name}: {redact(' '.join(detail.split()))[:400]}", flush=True)
    else:
        passed += 1
        print(f"ok {name}", flush=True)


def eq(actual, expected, what):
    assert actual == expected, f"{what}: expected {expected!r}, got {actual!r}"


def in_range(value, low, high, what):
    assert isinstance(value, int) and low <= value <= high, (
        f"{what}: expected {low}..{high}, got {value!r}"
    )


def raises(exc_type, text, fn, what):
    """fn() must raise exc_type whose message contains text."""
    try:
        result = fn()
    except exc_type as err:
        assert text in str(err), f"{what}: error {str(err)!r} lacks {text!r}"
        return
    raise AssertionError(f"{what}: expected {exc_type.__name__} ({text}), got {result!r}")


# ---------------------------------------------------------------------------------- checks


def guide_snippet():
    """The guide's snippet as written, with the library's default protocol."""
    r = redis.Redis(host=HOST, port=PORT, password=PASSWORD, decode_responses=True)
    try:
        eq(r.set(key("guide:key"), "value"), True, "set")
        eq(r.get(key("guide:key")), "value", "get")
        eq(r.setex(key("guide:session"), 3600, "data"), True, "setex")
        eq(r.get(key("guide:session")), "data", "get session")
        eq(r.delete(key("guide:key"), key("guide:session")), 2, "delete")
    finally:
        r.close()


def protocol_checks(proto):
    """Every check over one protocol; returns (name, fn) pairs sharing one client."""
    r = connect(protocol=proto)
    k = lambda name: key(f"r{proto}:{name}")  # noqa: E731

    def ping():
        eq(r.ping(), True, "PING")
        eq(r.echo("hello"), "hello", "ECHO")

    def scripting():
        body = "redis.call('SET', KEYS[1], ARGV[1]) return {KEYS[1], redis.call('GET', KEYS[1]), tonumber(ARGV[2]) + 1}"
        eq(r.eval(body, 1, k("lua"), "v", "41"), [k("lua"), "v", 42], "EVAL")
        script = r.register_script("return redis.call('INCRBY', KEYS[1], ARGV[1])")
        r.script_flush()
        eq(script(keys=[k("lua:n")], args=[5]), 5, "register_script after SCRIPT FLUSH (EVALSHA then EVAL)")
        eq(script(keys=[k("lua:n")], args=[2]), 7, "registered script by EVALSHA")
        eq(r.script_exists(script.sha), [True], "SCRIPT EXISTS")
        raises(redis.exceptions.ResponseError, "value is not an integer",
               lambda: r.eval("return redis.call('INCR', KEYS[1])", 1, k("lua")), "call error")
        eq(r.eval("return redis.pcall('INCR', KEYS[1])['err'] ~= nil", 1, k("lua")), 1, "pcall")
        eq(r.eval_ro("return redis.call('GET', KEYS[1])", 1, k("lua")), "v", "EVAL_RO")

    def hello():
        # What the clients see at connect time (RESP3 clients send HELLO 3 themselves).
        reply = r.execute_command("HELLO", str(proto))
        if isinstance(reply, list):  # RESP2: a flat field/value list
            reply = dict(zip(reply[::2], reply[1::2]))
        assert isinstance(reply, dict), f"HELLO reply: {reply!r}"
        eq(reply.get("server"), "redis", "HELLO server")
        eq(reply.get("proto"), proto, "HELLO proto")
        eq(reply.get("mode"), "standalone", "HELLO mode")
        eq(reply.get("role"), "master", "HELLO role")
        assert isinstance(reply.get("id"), int), f"HELLO id: {reply.get('id')!r}"

    def set_get():
        value = "h\u00e9llo w\u00f6rld \u2713 \r\n with crlf"
        eq(r.set(k("str"), value), True, "SET")
        eq(r.get(k("str")), value, "GET")
        eq(r.get(k("missing")), None, "GET missing")
        eq(r.set(k("str"), "v2", nx=True), None, "SET NX on existing")
        eq(r.set(k("missing"), "v", xx=True), None, "SET XX on missing")
        eq(r.set(k("str"), "v3", get=True), value, "SET GET")
        eq(r.get(k("str")), "v3", "GET after SET GET")
        # The guide's LLM cache: SET key value EX 86400.
        eq(r.set(k("cache"), "LLM response", ex=86400), True, "SET EX")
        in_range(r.ttl(k("cache")), 86390, 86400, "TTL after SET EX")

    def setex():
        eq(r.setex(k("session"), 3600, '{"user_id": "user123"}'), True, "SETEX")
        eq(r.get(k("session")), '{"user_id": "user123"}', "GET after SETEX")
        in_range(r.ttl(k("session")), 3590, 3600, "TTL after SETEX")
        in_range(r.pttl(k("session")), 3_590_000, 3_600_000, "PTTL after SETEX")
        raises(
            redis.ResponseError,
            "invalid expire time in 'setex' command",
            lambda: r.setex(k("session"), 0, "x"),
            "SETEX 0",
        )

    def ttl():
        eq(r.ttl(k("missing")), -2, "TTL of a missing key")
        eq(r.pttl(k("missing")), -2, "PTTL of a missing key")
        eq(r.set(k("plain"), "v"), True, "SET")
        eq(r.ttl(k("plain")), -1, "TTL without expiry")
        eq(r.expire(k("plain"), 100), True, "EXPIRE")
        eq(r.persist(k("plain")), True, "PERSIST")
        eq(r.ttl(k("plain")), -1, "TTL after PERSIST")
        eq(r.persist(k("plain")), False, "PERSIST without expiry")

    def exists():
        eq(r.set(k("e1"), "1"), True, "SET")
        eq(r.exists(k("e1")), 1, "EXISTS one")
        eq(r.exists(k("e1"), k("e1"), k("missing")), 2, "EXISTS counts repeats")
        eq(r.exists(k("missing")), 0, "EXISTS missing")

    def delete():
        eq(r.mset({k("d1"): "1", k("d2"): "2"}), True, "MSET")
        eq(r.delete(k("d1"), k("d2"), k("missing")), 2, "DEL")
        eq(r.exists(k("d1"), k("d2")), 0, "EXISTS after DEL")
        eq(r.delete(k("d1")), 0, "DEL missing")

    def incr():
        # The guide's rate limiter and page-view counter.
        eq(r.incr(k("ctr")), 1, "INCR 1")
        eq(r.incr(k("ctr")), 2, "INCR 2")
        eq(r.incrby(k("ctr"), 10), 12, "INCRBY 10")
        eq(r.decr(k("ctr")), 11, "DECR")
        eq(r.get(k("ctr")), "11", "GET counter")
        eq(r.set(k("text"), "abc"), True, "SET text")
        raises(
            redis.ResponseError,
            "value is not an integer or out of range",
            lambda: r.incr(k("text")),
            "INCR on text",
        )
        eq(r.set(k("max"), str(2**63 - 1)), True, "SET max")
        raises(
            redis.ResponseError,
            "increment or decrement would overflow",
            lambda: r.incr(k("max")),
            "INCR overflow",
        )

    def expire():
        eq(r.incr(k("rate")), 1, "INCR")
        eq(r.expire(k("rate"), 60), True, "EXPIRE 60")
        in_range(r.ttl(k("rate")), 55, 60, "TTL after EXPIRE")
        eq(r.expire(k("missing"), 60), False, "EXPIRE missing")
        eq(r.set(k("gone"), "v"), True, "SET")
        eq(r.pexpire(k("gone"), 1), True, "PEXPIRE 1")
        time.sleep(0.05)
        eq(r.get(k("gone")), None, "GET after expiry")
        eq(r.exists(k("gone")), 0, "EXISTS after expiry")
        eq(r.set(k("neg"), "v"), True, "SET")
        eq(r.expire(k("neg"), -1), True, "EXPIRE negative")
        eq(r.exists(k("neg")), 0, "EXISTS after negative EXPIRE")

    def mset_mget():
        eq(r.mset({k("m1"): "1", k("m2"): "two"}), True, "MSET")
        eq(r.mget(k("m1"), k("m2"), k("missing")), ["1", "two", None], "MGET")
        eq(r.msetnx({k("m1"): "x", k("m3"): "y"}), False, "MSETNX with an existing key")
        eq(r.exists(k("m3")), 0, "MSETNX set nothing")

    def pipeline():
        pipe = r.pipeline(transaction=False)
        pipe.set(k("p"), "1").incr(k("p")).get(k("p")).expire(k("p"), 30).ttl(k("p"))
        pipe.mget(k("p"), k("missing"))
        eq(pipe.execute(), [True, 2, "2", True, 30, ["2", None]], "pipeline replies")
        # A failing command answers in its place; the others still run.
        pipe = r.pipeline(transaction=False)
        pipe.set(k("ptext"), "abc").incr(k("ptext")).get(k("ptext"))
        replies = pipe.execute(raise_on_error=False)
        eq(replies[0], True, "pipeline SET")
        assert isinstance(replies[1], redis.ResponseError), f"pipeline INCR: {replies[1]!r}"
        eq(replies[2], "abc", "pipeline GET")

    def select_db():
        other = connect(protocol=proto, db=1)
        try:
            eq(other.set(k("db1"), "in db 1"), True, "SET in db 1")
            eq(r.get(k("db1")), None, "db 0 does not see db 1")
            eq(other.get(k("db1")), "in db 1", "GET in db 1")
            eq(other.delete(k("db1")), 1, "DEL in db 1")
        finally:
            other.close()

    def dbsize():
        eq(r.set(k("size"), "v"), True, "SET")
        size = r.dbsize()
        assert isinstance(size, int) and size >= 1, f"DBSIZE: {size!r}"

    def info():
        everything = r.info()
        eq(isinstance(everything, dict), True, "INFO parsed to a dict")
        assert "redis_version" in everything, "INFO lacks redis_version"
        eq(everything.get("tcp_port"), PORT, "INFO tcp_port")
        memory = r.info("memory")
        assert isinstance(memory.get("used_memory"), int), f"INFO memory: {memory!r:.200}"
        assert "redis_version" not in memory, "INFO memory shows other sections"
        keyspace = r.info("keyspace")
        assert isinstance(keyspace.get("db0"), dict), f"INFO keyspace: {keyspace!r:.200}"
        assert keyspace["db0"].get("keys", 0) >= 1, f"INFO keyspace db0: {keyspace['db0']!r}"

    def client_name():
        eq(r.client_setname("pycheck"), True, "CLIENT SETNAME")
        eq(r.client_getname(), "pycheck", "CLIENT GETNAME")
        assert isinstance(r.client_id(), int), "CLIENT ID"
        listing = r.client_list()
        assert any(c.get("name") == "pycheck" for c in listing), "CLIENT LIST lacks our name"

    def binary():
        b = connect(protocol=proto, decode=False)
        try:
            bkey = key(f"r{proto}:bin").encode() + b"\x00\xff\r\n"
            value = bytes(range(256)) * 4 + b"\r\n\x00"
            big = os.urandom(1 << 20)
            eq(b.set(bkey, value), True, "SET binary")
            eq(b.get(bkey), value, "GET binary")
            eq(b.set(bkey + b"big", big), True, "SET 1 MiB")
            eq(b.get(bkey + b"big"), big, "GET 1 MiB")
            eq(b.mget([bkey, bkey + b"missing"]), [value, None], "MGET binary")
            eq(b.get(key(f"r{proto}:missing")), None, "GET missing")
            eq(b.delete(bkey, bkey + b"big"), 2, "DEL binary")
        finally:
            b.close()

    def data_structures():
        # The guide's "Data Structures" and use cases: a queue, unique members, user records
        # and analytics, a leaderboard.
        eq(r.lpush(k("queue"), '{"task": "a"}', '{"task": "b"}'), 2, "LPUSH")
        eq(r.lrange(k("queue"), 0, -1), ['{"task": "b"}', '{"task": "a"}'], "LRANGE")
        eq(r.rpop(k("queue")), '{"task": "a"}', "RPOP")
        eq(r.sadd(k("set"), "member1", "member2", "member1"), 2, "SADD")
        eq(r.smembers(k("set")), {"member1", "member2"}, "SMEMBERS")
        eq(r.hset(k("user"), mapping={"name": "Alice", "email": "alice@example.com"}), 2, "HSET")
        eq(r.hgetall(k("user")), {"name": "Alice", "email": "alice@example.com"}, "HGETALL")
        eq(r.hincrby(k("user"), "clicks", 1), 1, "HINCRBY")
        eq(r.zadd(k("board"), {"player1": 100, "player2": 200}), 2, "ZADD")
        # redis-py gives tuples in RESP2 and lists in RESP3 (the same against Redis).
        eq([tuple(p) for p in r.zrange(k("board"), 0, -1, withscores=True)],
           [("player1", 100.0), ("player2", 200.0)], "ZRANGE WITHSCORES")
        eq(r.zincrby(k("board"), 0.5, "player1"), 100.5, "ZINCRBY")
        raises(redis.ResponseError, "WRONGTYPE", lambda: r.lpush(k("user"), "x"), "WRONGTYPE")

    def pubsub():
        # The guide's SUBSCRIBE/PUBLISH through redis-py's PubSub object, with a channel and a
        # matching pattern on one subscriber: PUBLISH counts both receptions.
        channel, pattern = k("chan"), k("ch*")
        sub = connect(protocol=proto)
        p = sub.pubsub()
        try:
            p.subscribe(channel)
            eq(p.get_message(timeout=TIMEOUT),
               {"type": "subscribe", "pattern": None, "channel": channel, "data": 1},
               "SUBSCRIBE confirmation")
            p.psubscribe(pattern)
            eq(p.get_message(timeout=TIMEOUT),
               {"type": "psubscribe", "pattern": None, "channel": pattern, "data": 2},
               "PSUBSCRIBE confirmation")
            eq(r.publish(channel, "hello"), 2, "PUBLISH receivers")
            eq(p.get_message(timeout=TIMEOUT),
               {"type": "message", "pattern": None, "channel": channel, "data": "hello"},
               "message")
            eq(p.get_message(timeout=TIMEOUT),
               {"type": "pmessage", "pattern": pattern, "channel": channel, "data": "hello"},
               "pmessage")
            eq(r.pubsub_numsub(channel), [(channel, 1)], "PUBSUB NUMSUB")
            in_range(r.pubsub_numpat(), 1, 1000, "PUBSUB NUMPAT")
            eq(channel in r.pubsub_channels(k("*")), True, "PUBSUB CHANNELS")
            p.unsubscribe(channel)
            eq(p.get_message(timeout=TIMEOUT),
               {"type": "unsubscribe", "pattern": None, "channel": channel, "data": 1},
               "UNSUBSCRIBE confirmation")
            p.punsubscribe()
            eq(p.get_message(timeout=TIMEOUT),
               {"type": "punsubscribe", "pattern": None, "channel": pattern, "data": 0},
               "PUNSUBSCRIBE confirmation")
            eq(r.publish(channel, "unheard"), 0, "PUBLISH without subscribers")
        finally:
            p.close()
            sub.close()

    def transactions():
        # The guide's pipeline(transaction=True): MULTI ... EXEC, and redis-py's optimistic
        # locking helper (WATCH, then MULTI/EXEC retried on WatchError).
        pipe = r.pipeline(transaction=True)
        pipe.set(k("tx"), "1").incr(k("tx")).get(k("tx"))
        eq(pipe.execute(), [True, 2, "2"], "MULTI/EXEC replies")
        pipe = r.pipeline(transaction=True)
        pipe.set(k("tx"), "x").lpush(k("tx"), "y")
        results = pipe.execute(raise_on_error=False)
        eq(results[0], True, "EXEC applies the command before a runtime error")
        eq(isinstance(results[1], redis.ResponseError), True, "runtime error inside EXEC")

        def bump(pipe):
            current = int(pipe.get(k("tx_ctr")) or 0)
            pipe.multi()
            pipe.set(k("tx_ctr"), current + 1)

        for _ in range(3):
            r.transaction(bump, k("tx_ctr"))
        eq(r.get(k("tx_ctr")), "3", "WATCH/MULTI/EXEC counter")
        other = connect(protocol=proto)
        try:
            with r.pipeline() as pipe:
                pipe.watch(k("tx_ctr"))
                other.set(k("tx_ctr"), "changed")
                pipe.multi()
                pipe.set(k("tx_ctr"), "mine")
                raises(redis.WatchError, "", pipe.execute, "EXEC aborted by a watched key")
        finally:
            other.close()
        eq(r.get(k("tx_ctr")), "changed", "aborted EXEC applied nothing")

    def blocking():
        # BLPOP as a work queue: a timeout answers None after about the timeout; a client
        # blocked on an empty list is woken by another client's push.
        started = time.monotonic()
        eq(r.blpop([k("jobs")], timeout=0.2), None, "BLPOP timeout")
        waited = time.monotonic() - started
        eq(0.15 <= waited < 3.0, True, f"BLPOP waited about its timeout ({waited:.3f} s)")
        got = []
        waiter = connect(protocol=proto)
        try:
            t = threading.Thread(target=lambda: got.append(waiter.blpop([k("jobs")], timeout=5)))
            t.start()
            time.sleep(0.3)
            eq(r.rpush(k("jobs"), "job1"), 1, "RPUSH wakes the blocked client")
            t.join(TIMEOUT + 5)
            eq([tuple(g) for g in got], [(k("jobs"), "job1")], "BLPOP woken by a push")
        finally:
            waiter.close()
        eq(r.llen(k("jobs")), 0, "the element was popped once")

    def cleanup():
        names = [
            "str", "cache", "missing", "session", "plain", "e1", "ctr", "text", "max",
            "rate", "gone", "neg", "m1", "m2", "m3", "p", "ptext", "size",
            "queue", "set", "user", "board", "tx", "tx_ctr", "jobs",
        ]
        keys = [k(n) for n in names] + [key("guide:key"), key("guide:session")]
        r.delete(*keys)
        eq(r.exists(*keys), 0, "EXISTS after cleanup")

    return [
        ("ping", ping),
        ("scripting", scripting),
        ("hello", hello),
        ("set_get", set_get),
        ("setex", setex),
        ("ttl", ttl),
        ("exists", exists),
        ("delete", delete),
        ("incr", incr),
        ("expire", expire),
        ("mset_mget", mset_mget),
        ("pipeline", pipeline),
        ("select_db", select_db),
        ("dbsize", dbsize),
        ("info", info),
        ("client_name", client_name),
        ("binary", binary),
        ("data_structures", data_structures),
        ("pubsub", pubsub),
        ("transactions", transactions),
        ("blocking", blocking),
        ("cleanup", cleanup),
    ]


def auth_checks(proto):
    """Password handling as Redis answers it, with and without a server password."""

    def attempt(password):
        c = connect(protocol=proto, password=password)
        try:
            return c.ping()
        finally:
            c.close()

    if PASSWORD:
        return [
            (
                "auth_wrong_password",
                lambda: raises(
                    redis.AuthenticationError,
                    "invalid username-password pair or user is disabled.",
                    lambda: attempt(PASSWORD + "-wrong"),
                    "wrong password",
                ),
            ),
            (
                "auth_no_password",
                lambda: raises(
                    redis.AuthenticationError,
                    "Authentication required."
                    if proto == 2
                    else "HELLO must be called with the client already authenticated",
                    lambda: attempt(None),
                    "no password",
                ),
            ),
        ]
    if proto == 2:
        # AUTH with a password the server does not have.
        return [
            (
                "auth_unneeded_password",
                lambda: raises(
                    redis.AuthenticationError,
                    "AUTH <password> called without any password configured",
                    lambda: attempt("unneeded"),
                    "AUTH to a server without password",
                ),
            )
        ]
    # HELLO 3 AUTH default <any>: the default user has nopass, so any password works.
    return [("auth_unneeded_password", lambda: eq(attempt("unneeded"), True, "PING"))]


def main():
    where = f"{HOST}:{PORT} ({'with' if PASSWORD else 'without'} password)"
    print(f"# redis-py {redis.__version__} against {where}", flush=True)
    check("guide_snippet", guide_snippet)
    for proto in (2, 3):
        for name, fn in protocol_checks(proto) + auth_checks(proto):
            check(f"resp{proto}:{name}", fn)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
