#!/usr/bin/env python3
"""The client side of tests/docker/compose_test.sh: session keys written with SETEX, read
back, written through a failover, and checked after restarts, with redis-py (pipelined, so
10,000 keys take well under a second).

Every key this script gets an OK for is appended to the file ACKED (one key per line): those
are the acknowledged writes that must never be lost. A write whose reply never came (a timeout,
a lost connection, -UNKNOWN) is not acknowledged and is not checked.

    sessions.py load PORT_WRITE PORT_READ COUNT ACKED
    sessions.py leader PORT                      prints the leader's node id
    sessions.py failover PORT CONTAINER ACKED    kills CONTAINER (docker kill) while writing
    sessions.py check PORT ACKED [--readonly]    every acknowledged key has its value and a TTL
    sessions.py catchup PORT ACKED SECONDS       waits until the node's own state has them all
    sessions.py snippet PORT                     the guide's Python snippet

The password comes from REDIS_PASSWORD. Exits non-zero, saying why, when a check fails.
"""

import os
import subprocess
import sys
import threading
import time
import warnings

import redis

HOST = "127.0.0.1"
PASSWORD = os.environ.get("REDIS_PASSWORD") or None
TTL = 3600


def client(port, timeout=5.0):
    return redis.Redis(host=HOST, port=int(port), password=PASSWORD,
                       socket_timeout=timeout, socket_connect_timeout=timeout)


def value_of(key):
    return ('{"user_id": "%s", "context": "docker compose test"}' % key).encode()


def append(path, keys):
    with open(path, "a") as f:
        f.writelines(k + "\n" for k in keys)


def read_acked(path):
    with open(path) as f:
        return [line.strip() for line in f if line.strip()]


def load(port_write, port_read, count, acked):
    w = client(port_write)
    keys = ["session:%06d" % i for i in range(int(count))]
    start = time.monotonic()
    for i in range(0, len(keys), 1000):
        batch = keys[i:i + 1000]
        pipe = w.pipeline(transaction=False)
        for k in batch:
            pipe.execute_command("SETEX", k, TTL, value_of(k))
        replies = pipe.execute(raise_on_error=False)
        ok = [k for k, r in zip(batch, replies) if r is True]
        append(acked, ok)
        if len(ok) != len(batch):
            sys.exit("load: %d of %d SETEX failed: %r" % (len(batch) - len(ok), len(batch),
                                                         [r for r in replies if r is not True][:3]))
    took = time.monotonic() - start
    r = client(port_read)
    pipe = r.pipeline(transaction=False)
    for k in keys:
        pipe.get(k)
    values = pipe.execute()
    wrong = [k for k, v in zip(keys, values) if v != value_of(k)]
    if wrong:
        sys.exit("load: %d keys read through port %s differ, e.g. %s" % (len(wrong), port_read, wrong[:3]))
    print("wrote %d sessions with SETEX through port %s in %.2f s; read them all back through port %s"
          % (len(keys), port_write, took, port_read))


def leader(port):
    info = client(port).execute_command("RAFT.INFO")
    if isinstance(info, bytes):
        info = info.decode()
    for line in info.splitlines():
        if line.startswith("raft_leader_id:"):
            print(line.split(":", 1)[1].strip())
            return
    sys.exit("leader: no raft_leader_id in RAFT.INFO")


def failover(port, container, acked, writers=8, after=200):
    """Writes through `port` from several threads, kills `container` once writes flow, and
    measures from the kill to the first acknowledged write sent after the kill returned."""
    lock = threading.Lock()
    acks = []          # (sent, acked, key)
    failures = []      # (time, error)
    stop = threading.Event()
    counter = iter(range(10**9))

    def writer(n):
        c = client(port, timeout=1.0)
        while not stop.is_set():
            with lock:
                key = "failover:%d:%d" % (n, next(counter))
            sent = time.monotonic()
            try:
                ok = c.execute_command("SETEX", key, TTL, value_of(key))
            except (redis.exceptions.RedisError, OSError) as e:
                with lock:
                    failures.append((time.monotonic(), type(e).__name__ + ": " + str(e)[:80]))
                time.sleep(0.01)
                continue
            if ok is True:
                with lock:
                    acks.append((sent, time.monotonic(), key))
            time.sleep(0.005)

    threads = [threading.Thread(target=writer, args=(n,), daemon=True) for n in range(writers)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    with lock:
        before = len(acks)
    if before == 0:
        stop.set()
        sys.exit("failover: no write succeeded through port %s before the kill" % port)
    t_kill = time.monotonic()
    subprocess.run(["docker", "kill", container], check=True, stdout=subprocess.DEVNULL)
    t_killed = time.monotonic()
    deadline = t_killed + 30
    recovered = None
    while time.monotonic() < deadline:
        with lock:
            after_kill = [a for a in acks if a[0] >= t_killed]
        if after_kill and recovered is None:
            recovered = min(a[1] for a in after_kill)
        if len(after_kill) >= after:
            break
        time.sleep(0.05)
    stop.set()
    for t in threads:
        t.join(timeout=5)
    with lock:
        append(acked, [a[2] for a in acks])
        errors = sorted({e for _, e in failures if _ >= t_kill})
    if recovered is None:
        sys.exit("failover: no write succeeded within 30 s of the kill (errors: %s)" % errors[:5])
    print("failover: docker kill took %.3f s; writes succeeded again %.3f s after the kill "
          "(%d acknowledged writes in all, %d failed or unknown; errors seen: %s)"
          % (t_killed - t_kill, recovered - t_kill, len(acks), len(failures), errors[:3]))
    print("FAILOVER_SECONDS=%.3f" % (recovered - t_kill))


def check(port, acked, readonly=False):
    keys = read_acked(acked)
    c = client(port)
    if readonly:
        # The node's own state, not the leader's: what this node has caught up to.
        c = redis.Redis(host=HOST, port=int(port), password=PASSWORD, socket_timeout=5,
                        single_connection_client=True)
        c.execute_command("READONLY")
    missing, no_ttl = [], []
    for i in range(0, len(keys), 1000):
        batch = keys[i:i + 1000]
        pipe = c.pipeline(transaction=False)
        for k in batch:
            pipe.get(k)
            pipe.ttl(k)
        replies = pipe.execute()
        for j, k in enumerate(batch):
            value, ttl = replies[2 * j], replies[2 * j + 1]
            if value != value_of(k):
                missing.append(k)
            elif not (0 < ttl <= TTL):
                no_ttl.append((k, ttl))
    if missing or no_ttl:
        print("check: through port %s, %d of %d acknowledged keys missing (e.g. %s), %d without "
              "a TTL (e.g. %s)" % (port, len(missing), len(keys), missing[:3], len(no_ttl), no_ttl[:3]))
        return False
    print("check: all %d acknowledged keys present with a TTL through port %s%s"
          % (len(keys), port, " (READONLY: the node's own state)" if readonly else ""))
    return True


def catchup(port, acked, seconds):
    deadline = time.monotonic() + float(seconds)
    start = time.monotonic()
    while True:
        try:
            if check(port, acked, readonly=True):
                print("catch-up: the restarted node had every acknowledged key %.1f s after it "
                      "answered" % (time.monotonic() - start))
                return True
        except (redis.exceptions.RedisError, OSError) as e:
            print("catch-up: %s" % e)
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)


def snippet(port):
    # The guide's snippet, with the test's port (the guide's is 6379). redis-py 8 marks
    # setex deprecated; the guide uses it, so it must keep working.
    warnings.simplefilter("ignore", DeprecationWarning)
    r = redis.Redis(
        host='localhost',
        port=int(port),
        password=PASSWORD,
        decode_responses=True
    )
    r.set('key', 'value')
    value = r.get('key')
    r.setex('session', 3600, 'data')
    if value != 'value' or not (0 < r.ttl('session') <= 3600):
        sys.exit("snippet: unexpected replies: get=%r ttl=%r" % (value, r.ttl('session')))
    print("the guide's Python snippet works against port %s" % port)


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == "load":
        load(*args)
    elif cmd == "leader":
        leader(*args)
    elif cmd == "failover":
        failover(*args)
    elif cmd == "check":
        if not check(args[0], args[1], readonly="--readonly" in args):
            sys.exit(1)
    elif cmd == "catchup":
        if not catchup(*args):
            sys.exit("catch-up: the restarted node did not catch up in %s s" % args[2])
    elif cmd == "snippet":
        snippet(*args)
    else:
        sys.exit("unknown command %s" % cmd)


if __name__ == "__main__":
    main(sys.argv)
