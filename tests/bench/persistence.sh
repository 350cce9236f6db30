#!/usr/bin/env bash
# Persistence next to a real redis-server, in one run, with the same dataset: SAVE time, load
# time at startup, and SET p99 latency while BGSAVE runs (redis-benchmark). Not run by CI.
#
#   tests/bench/persistence.sh
#
# Both servers get the same BENCH_KEYS keys (strings of 100 bytes and one hash of 10 fields in
# ten keys), loaded with `redis-cli --pipe`. Then, for each server:
#   save   median of BENCH_ROUNDS timed `SAVE` (redraft: a snapshot to dir/dump.rdb)
#   load   the server is stopped and started again on its data; the time until it answers
#          DBSIZE with every key (redis-server loads dump.rdb; redraft loads its snapshot and
#          replays its log)
#   p99    `redis-benchmark -t set -c 50 -n BENCH_SET_N --csv` while BGSAVE is issued in a loop
# and prints each figure with ratio = redis / redraft for times (above 1: redraft faster) and
# the p99s side by side (target: redraft's under 10 ms).
#
# Environment:
#   BENCH_KEYS    keys in the dataset (default 1000000; use 20000 to check the script)
#   BENCH_SET_N   SET requests during BGSAVE (default 200000)
#   BENCH_ROUNDS  SAVE rounds (default 3)
#   REDRAFT_BIN   the redraft binary (default: built here with cargo build --release)
#   REDIS_SERVER  the redis-server binary (default: redis-server on PATH)

set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
repo=$(redraft_repo)
cd "$repo"

keys=${BENCH_KEYS:-1000000}
set_n=${BENCH_SET_N:-200000}
rounds=${BENCH_ROUNDS:-3}
redis_server=${REDIS_SERVER:-redis-server}
if [[ -z "${REDRAFT_BIN:-}" ]]; then
    target=$(redraft_target_dir)
    cargo build --release -q -p redraft-node
    REDRAFT_BIN=$target/release/redraft
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/redraft-bench-persist.XXXXXX")
redis_pid=
redraft_pid=
bgsaver_pid=
cleanup() {
    redraft_stop_pid "$bgsaver_pid" 1
    redraft_stop_pid "$redis_pid"
    redraft_stop_pid "$redraft_pid"
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

redis_port=$(redraft_free_port)
redraft_port=$(redraft_free_port)
while [[ "$redraft_port" == "$redis_port" ]]; do
    redraft_port=$(redraft_free_port)
done
mkdir -p "$work/redis" "$work/redraft"

start_redis() {
    "$redis_server" --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
        --dir "$work/redis" --dbfilename dump.rdb --logfile "$work/redis.log" &
    redis_pid=$!
}
start_redraft() {
    env -u REDIS_PASSWORD "$REDRAFT_BIN" --port "$redraft_port" --dir "$work/redraft" \
        --save '' --loglevel warning >>"$work/redraft.log" 2>&1 &
    redraft_pid=$!
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# Waits until the server on port $1 answers DBSIZE with at least $2 keys.
wait_loaded() {
    local deadline=$((SECONDS + 600)) n
    while ((SECONDS < deadline)); do
        n=$(redis-cli -p "$1" DBSIZE 2>/dev/null || true)
        if [[ "$n" =~ ^[0-9]+$ ]] && ((n >= $2)); then
            return 0
        fi
        sleep 0.01
    done
    echo "port $1 never held $2 keys" >&2
    return 1
}

start_redis
start_redraft
redraft_wait_port "$redis_port" 20 "$redis_pid" || { cat "$work/redis.log" >&2; exit 1; }
redraft_wait_port "$redraft_port" 20 "$redraft_pid" || { cat "$work/redraft.log" >&2; exit 1; }

echo "dataset: $keys keys"
# The dataset as RESP, generated once.
awk -v n="$keys" 'BEGIN {
    v = sprintf("%0100d", 0)
    for (i = 0; i < n; i++) {
        if (i % 1000 == 0) {
            k = "hash:" i
            printf "*22\r\n$4\r\nHSET\r\n$%d\r\n%s\r\n", length(k), k
            for (f = 0; f < 10; f++) {
                printf "$2\r\nf%d\r\n$%d\r\n%s\r\n", f, length(v), v
            }
        } else {
            k = "key:" i
            printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, length(v), v
        }
    }
}' >"$work/data.resp"
for port in "$redis_port" "$redraft_port"; do
    redis-cli -p "$port" --pipe <"$work/data.resp" >/dev/null
    wait_loaded "$port" "$keys"
done

# Median of $rounds timed SAVEs on port $1.
save_time() {
    local times=() t0 t1
    for ((r = 0; r < rounds; r++)); do
        t0=$(now)
        redis-cli -p "$1" SAVE >/dev/null
        t1=$(now)
        times+=("$(elapsed "$t0" "$t1")")
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((rounds + 1) / 2))p"
}
redis_save=$(save_time "$redis_port")
redraft_save=$(save_time "$redraft_port")

# Restart time: stop, start on the same data, wait until every key is there.
redraft_stop_pid "$redis_pid" 30
t0=$(now)
start_redis
wait_loaded "$redis_port" "$keys"
redis_load=$(elapsed "$t0" "$(now)")
redraft_stop_pid "$redraft_pid" 30
t0=$(now)
start_redraft
wait_loaded "$redraft_port" "$keys"
redraft_load=$(elapsed "$t0" "$(now)")

# SET p99 (ms) on port $1 while BGSAVE is issued every 100 ms.
p99_during_bgsave() {
    (while :; do redis-cli -p "$1" BGSAVE >/dev/null 2>&1 || true; sleep 0.1; done) &
    bgsaver_pid=$!
    redis-benchmark -p "$1" -t set -c 50 -n "$set_n" -r "$keys" --csv 2>/dev/null |
        awk -F'","' 'NR == 2 { gsub(/"/, "", $7); print $7 }'
    redraft_stop_pid "$bgsaver_pid" 1
    bgsaver_pid=
}
redis_p99=$(p99_during_bgsave "$redis_port")
redraft_p99=$(p99_during_bgsave "$redraft_port")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
printf '%-28s %12s %12s %8s\n' "" "redis" "redraft" "ratio"
printf '%-28s %12s %12s %8s\n' "SAVE (s)" "$redis_save" "$redraft_save" "$(ratio "$redis_save" "$redraft_save")"
printf '%-28s %12s %12s %8s\n' "load at startup (s)" "$redis_load" "$redraft_load" "$(ratio "$redis_load" "$redraft_load")"
printf '%-28s %12s %12s %8s\n' "SET p99 during BGSAVE (ms)" "$redis_p99" "$redraft_p99" "$(ratio "$redis_p99" "$redraft_p99")"
echo "dump.rdb: redis $(stat -c %s "$work/redis/dump.rdb") bytes, redraft $(stat -c %s "$work/redraft/dump.rdb") bytes"
