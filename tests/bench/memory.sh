#!/usr/bin/env bash
# Resident memory of redraft next to a real redis-server after loading the same dataset into
# both, in one run. Not run by CI.
#
#   tests/bench/memory.sh [strings|hashes|zsets ...]      (default: all three)
#
# For each dataset, starts a fresh redis-server (no persistence) and a fresh redraft, loads
# BENCH_KEYS keys (default 1,000,000) into each with `redis-cli --pipe`, and reports the growth
# of each process's resident set (VmRSS) and the ratio redraft / redis.
#   strings: SET key:<i> <8-byte value>
#   hashes:  HSET hash:<i> with 5 fields of ~6-byte names and values
#   zsets:   ZADD zset:<i> with 5 members and integer scores
# Environment: BENCH_KEYS, REDRAFT_BIN (default: built here), REDIS_SERVER.

set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
repo=$(redraft_repo)
cd "$repo"

keys=${BENCH_KEYS:-1000000}
redis_server=${REDIS_SERVER:-redis-server}
datasets=("$@")
((${#datasets[@]} > 0)) || datasets=(strings hashes zsets)

if [[ -z "${REDRAFT_BIN:-}" ]]; then
    target=$(redraft_target_dir)
    CARGO_TARGET_DIR=$target cargo build --release --workspace >&2
    REDRAFT_BIN=$(redraft_bin_dir)/redraft
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/redraft-mem.XXXXXX")
pid=
cleanup() {
    redraft_stop_pid "$pid"
    rm -rf "$work"
}
trap cleanup EXIT

rss_kb() {
    awk '/^VmRSS:/ {print $2}' "/proc/$1/status"
}

# gen DATASET: the dataset's commands as RESP on stdout.
gen() {
    python3 - "$1" "$keys" <<'PY'
import sys
kind, n = sys.argv[1], int(sys.argv[2])
out = sys.stdout.buffer
def cmd(*args):
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(parts)
buf = []
for i in range(n):
    if kind == "strings":
        buf.append(cmd("SET", f"key:{i}", f"v{i % 10000000:07d}"))
    elif kind == "hashes":
        args = ["HSET", f"hash:{i}"]
        for f in range(5):
            args += [f"field{f}", f"v{(i + f) % 100000:05d}"]
        buf.append(cmd(*args))
    else:
        args = ["ZADD", f"zset:{i}"]
        for m in range(5):
            args += [m + 1, f"member{m}"]
        buf.append(cmd(*args))
    if len(buf) >= 10000:
        out.write(b"".join(buf))
        buf = []
out.write(b"".join(buf))
PY
}

# measure NAME DATASET: start the server, load, print the RSS growth in KB.
measure() {
    local name=$1 dataset=$2 port
    port=$(redraft_free_port)
    mkdir -p "$work/$name"
    if [[ $name == redis ]]; then
        "$redis_server" --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
            --dir "$work/$name" --logfile "$work/$name.log" &
    else
        env -u REDIS_PASSWORD "$REDRAFT_BIN" --port "$port" --dir "$work/$name" \
            --loglevel warning >"$work/$name.log" 2>&1 &
    fi
    pid=$!
    redraft_wait_port "$port" 20 "$pid" >/dev/null
    local before after
    before=$(rss_kb "$pid")
    gen "$dataset" | redis-cli -p "$port" --pipe >"$work/pipe.log" 2>&1 ||
        { cat "$work/pipe.log" >&2; return 1; }
    sleep 1
    after=$(rss_kb "$pid")
    local dbsize
    dbsize=$(redis-cli -p "$port" DBSIZE)
    redraft_stop_pid "$pid"
    pid=
    if [[ $dbsize != "$keys" ]]; then
        echo "$name holds $dbsize keys, expected $keys" >&2
        return 1
    fi
    echo $((after - before))
}

printf '%-8s %10s %14s %14s %7s\n' dataset keys "redis MiB" "redraft MiB" ratio
for dataset in "${datasets[@]}"; do
    r=$(measure redis "$dataset")
    d=$(measure redraft "$dataset")
    awk -v ds="$dataset" -v k="$keys" -v r="$r" -v d="$d" 'BEGIN {
        printf "%-8s %10d %14.1f %14.1f %7.2f\n", ds, k, r / 1024, d / 1024, d / r }'
done
